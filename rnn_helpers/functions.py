"""Activations, softmax and losses with their derivatives (chapters 01-03).

Every function works on arrays of any shape, row vectors last: logits are
``(..., classes)``. All of them are safe for large inputs: no overflow
warnings for ``z = ±1000``.
"""

import math

import numpy as np
from scipy.special import expit


def sigmoid(z, out=None):
    """The logistic function ``1 / (1 + exp(-z))``, without overflow (chapter 01).

    ``out``: an optional float array of ``z``'s shape to write the result
    into (it may be ``z`` itself), as for NumPy's ufuncs.
    """
    # scipy's expit evaluates exp(-|z|) only, so it never overflows.
    if out is None:
        return expit(np.asarray(z, dtype=float))
    return expit(z, out=out)


def sigmoid_prime(z):
    """Derivative of the sigmoid, ``sigmoid(z) * (1 - sigmoid(z))`` (chapter 01)."""
    s = sigmoid(z)
    return s * (1.0 - s)


def tanh(z):
    """Hyperbolic tangent (chapter 03)."""
    return np.tanh(z)


def tanh_prime(z):
    """Derivative of tanh, ``1 - tanh(z)**2`` (chapter 03)."""
    return 1.0 - np.tanh(z) ** 2


def relu(z):
    """``max(z, 0)`` (chapter 03)."""
    return np.maximum(z, 0.0)


def relu_prime(z):
    """Derivative of ReLU: 1 where ``z > 0``, else 0 (chapter 03)."""
    return (np.asarray(z) > 0).astype(float)


def identity(z):
    """``z`` itself (chapter 03)."""
    return np.asarray(z, dtype=float)


def identity_prime(z):
    """Derivative of the identity: ones (chapter 03)."""
    return np.ones_like(np.asarray(z, dtype=float))


ACTIVATIONS = {
    "sigmoid": (sigmoid, sigmoid_prime),
    "tanh": (tanh, tanh_prime),
    "relu": (relu, relu_prime),
    "identity": (identity, identity_prime),
}


def activation(name):
    """``(f, f_prime)`` for an activation name in ``ACTIVATIONS`` (chapter 03)."""
    if not isinstance(name, str) or name not in ACTIVATIONS:
        raise ValueError(
            f"unknown activation {name!r}; expected one of {sorted(ACTIVATIONS)}"
        )
    return ACTIVATIONS[name]


def softmax(z, axis=-1):
    """Softmax over ``axis``; subtracting the max first keeps exp from overflowing.

    Introduced in chapter 02. ``z``: ``(..., classes)`` logits; the result has
    the same shape and sums to 1 over ``axis``.
    """
    z = np.asarray(z, dtype=float)
    e = np.exp(z - np.max(z, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def log_softmax(z, axis=-1):
    """``log(softmax(z))`` computed stably as ``z - logsumexp(z)`` (chapter 02)."""
    z = np.asarray(z, dtype=float)
    shifted = z - np.max(z, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def _targets(labels, logits):
    """Target rows ``(..., k)`` from integer ``labels`` ``(...)`` or one-hot ones.

    Target rows must be probability distributions (non-negative, summing to 1):
    only then is ``p - y`` the gradient of the cross-entropy.
    """
    if logits.ndim == 0:
        raise ValueError(
            "logits must have a class axis, shape (..., classes); got a scalar"
        )
    labels = np.asarray(labels)
    k = logits.shape[-1]
    if labels.shape == logits.shape and labels.dtype.kind in "biuf":
        y = labels.astype(float)
        sums = y.sum(axis=-1)
        if not np.all(np.isfinite(y)) or y.min(initial=0.0) < 0:
            raise ValueError(
                "one-hot targets must be finite and non-negative, got values in "
                f"[{y.min()}, {y.max()}]"
            )
        if not np.allclose(sums, 1.0, rtol=0.0, atol=1e-6):
            raise ValueError(
                f"each row of one-hot (or probability) targets must sum to 1, got "
                f"row sums in [{sums.min()}, {sums.max()}]"
            )
        return y
    if labels.shape == logits.shape[:-1] and np.issubdtype(labels.dtype, np.integer):
        if labels.size and (labels.min() < 0 or labels.max() >= k):
            raise ValueError(
                f"labels must lie in [0, {k}), got values in "
                f"[{labels.min()}, {labels.max()}]"
            )
        return np.eye(k)[labels]
    raise ValueError(
        f"labels of shape {labels.shape} (dtype {labels.dtype}) do not fit logits "
        f"of shape {logits.shape}; expected integer labels of shape "
        f"{logits.shape[:-1]} or one-hot targets of shape {logits.shape}"
    )


def cross_entropy(logits, labels):
    """Mean cross-entropy ``-sum(y * log softmax(z))`` over all rows (chapter 02).

    ``logits``: ``(..., classes)``; ``labels``: integer labels ``(...)`` or
    one-hot (or any probability) targets ``(..., classes)``.
    """
    logits = np.asarray(logits, dtype=float)
    y = _targets(labels, logits)
    rows = int(np.prod(logits.shape[:-1]))
    # Classes with target 0 contribute nothing, even where a logit is -inf
    # (a masked class), so skip them instead of computing 0 * -inf = nan.
    terms = np.multiply(y, log_softmax(logits), out=np.zeros_like(y), where=y != 0)
    return float(-np.sum(terms) / max(rows, 1))


def cross_entropy_grad(logits, labels):
    """Gradient of ``cross_entropy`` with respect to the logits: ``(p - y) / rows``.

    Introduced in chapter 02. Same arguments as ``cross_entropy``; the result
    has the shape of ``logits``.
    """
    logits = np.asarray(logits, dtype=float)
    y = _targets(labels, logits)
    rows = int(np.prod(logits.shape[:-1]))
    return (softmax(logits) - y) / max(rows, 1)


def quadratic_cost(outputs, targets):
    """Mean over rows of ``0.5 * ||a - y||^2``, the source's cost (chapter 01)."""
    outputs = np.asarray(outputs, dtype=float)
    targets = np.asarray(targets, dtype=float)
    if outputs.shape != targets.shape:
        raise ValueError(
            f"outputs {outputs.shape} and targets {targets.shape} must have the "
            "same shape"
        )
    error = outputs - targets
    return 0.5 * float(np.vdot(error, error)) / max(math.prod(outputs.shape[:-1]), 1)
