"""Activations, softmax, losses and their derivatives; gradient clipping (ch. 01-04).

Every function works on arrays of any shape, row vectors last: logits are
``(..., classes)``. All of them are safe for large inputs: no overflow
warnings for ``z = ±1000``.
"""

import math
from collections.abc import Callable
from typing import NamedTuple

import numpy as np
from scipy.special import expit

from . import checks


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
    return ACTIVATIONS["sigmoid"].derivative(z)


def tanh(z):
    """Hyperbolic tangent (chapter 03)."""
    return np.tanh(z)


def relu(z):
    """``max(z, 0)`` (chapter 03)."""
    return np.maximum(z, 0.0)


def identity(z):
    """``z`` itself (chapter 03)."""
    return np.asarray(z, dtype=float)


class Activation(NamedTuple):
    """An activation ``f`` and its derivative, written in ``f``'s output (chapter 03).

    For these activations ``f'(z)`` is a cheap function of ``h = f(z)``, which
    a forward pass keeps anyway: BPTT multiplies by ``from_output(h)`` and
    stores no pre-activations. ``from_output`` is ``None`` where ``f' = 1``.
    """

    f: Callable
    from_output: Callable | None

    def derivative(self, z):
        """``f'(z)``, the same array-valued rule evaluated at ``h = f(z)``."""
        h = self.f(z)
        if self.from_output is None:
            return np.ones_like(h)
        return self.from_output(h)


ACTIVATIONS = {
    "sigmoid": Activation(sigmoid, lambda h: h * (1.0 - h)),
    "tanh": Activation(tanh, lambda h: 1.0 - h * h),
    "relu": Activation(relu, lambda h: (h > 0).astype(h.dtype)),
    "identity": Activation(identity, None),
}


def activation(name):
    """The ``Activation`` (``f``, ``from_output``) called ``name`` (chapter 03)."""
    return ACTIVATIONS[checks.choice(name, "activation", ACTIVATIONS)]


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


# ----------------------------------------------------------------------
# gradient clipping (chapter 04)


def clip_by_global_norm(grads, max_norm):
    """Scale all gradients by ``max_norm / norm`` when their joint norm is larger.

    Introduced in chapter 04. ``grads``: a dict or a list of arrays; ``norm``
    is the Euclidean norm of all their entries together. Returns
    ``(clipped, norm)``: new arrays in a container of the same type (never
    the arrays given) and the norm before clipping. ``max_norm=None``
    measures the norm only. A norm that is NaN or infinite means training
    diverged: ``FloatingPointError``.
    """
    if max_norm is not None:
        max_norm = checks.number(max_norm, "max_norm", above=0)
    if isinstance(grads, dict):
        names, arrays = list(grads), list(grads.values())
    elif isinstance(grads, (list, tuple)):
        names, arrays = range(len(grads)), list(grads)
    else:
        raise ValueError(
            f"grads must be a dict or a list of arrays, got {checks.shown(grads)}"
        )
    if not arrays:
        raise ValueError("grads is empty: there is no gradient to clip")
    arrays = [
        checks.array(g, f"grads[{name!r}]", finite=False, empty=True)
        for name, g in zip(names, arrays, strict=True)
    ]
    norm = math.sqrt(sum(float(np.sum(np.square(g, dtype=float))) for g in arrays))
    if not math.isfinite(norm):
        raise FloatingPointError(f"the gradient norm is {norm}: training diverged")
    scale = 1.0 if max_norm is None or norm <= max_norm else max_norm / norm
    clipped = [g * scale for g in arrays]
    if isinstance(grads, dict):
        return dict(zip(names, clipped, strict=True)), norm
    return (clipped if isinstance(grads, list) else tuple(clipped)), norm
