"""Recurrent layers in NumPy: forward passes and their gradients (chapters 03-05).

``RecurrentLayer`` (chapter 03) is the source's hand-written recurrent layer,
vectorised over the batch, with backpropagation through time (BPTT), full or
truncated. Everything follows Keras's layout: sequences are
``(batch, steps, features)``, rows are examples, and

    h_t = f(x_t @ U + h_{t-1} @ W + b)

with ``U`` of shape ``(input, state)`` and ``W`` of shape ``(state, state)``,
exactly ``keras.layers.SimpleRNN``'s ``kernel`` and ``recurrent_kernel``.
"""

import numpy as np

from . import functions

# ----------------------------------------------------------------------
# activations seen from their outputs
#
# BPTT needs f'(z_t). For these activations it is a cheap function of the
# output h_t = f(z_t), which the forward pass keeps anyway, so the layer stores
# no pre-activations. tests/test_rnn.py checks each one against
# ``rh.functions``' f'(z).


def _tanh_prime_from_output(h):
    return 1.0 - h * h


def _sigmoid_prime_from_output(h):
    return h * (1.0 - h)


def _relu_prime_from_output(h):
    return (h > 0).astype(h.dtype)


DERIVATIVE_FROM_OUTPUT = {
    "tanh": _tanh_prime_from_output,
    "sigmoid": _sigmoid_prime_from_output,
    "relu": _relu_prime_from_output,
    "identity": None,  # f' = 1: the error passes through unchanged
}


def _positive_int(value, name):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


# ----------------------------------------------------------------------
# the recurrent layer (chapter 03)


class RecurrentLayer:
    """A fully connected recurrent layer with BPTT (chapter 03).

    ``h_t = f(x_t @ U + h_{t-1} @ W + b)`` for ``t = 1..steps``, the whole
    batch at once. ``U``: ``(input_size, state_size)``; ``W``:
    ``(state_size, state_size)``; ``b``: ``(state_size,)``; ``activation``:
    ``'tanh'``, ``'relu'``, ``'identity'`` or ``'sigmoid'``.

    Weights and bias start as uniform draws in ``±1 / sqrt(state_size)`` from
    ``np.random.default_rng(seed)`` (PyTorch's ``nn.RNN`` rule; the source
    drew ``U`` and ``W`` in ``±1e-4``). Parameters are float64. A float32
    input keeps the pass in float32 (the weights are cast for it), which is
    about twice as fast; any other input runs in float64. Gradients have the
    parameters' dtype.

    ``forward(X)`` keeps what ``backward`` needs; ``backward(dH)`` fills
    ``dU``, ``dW``, ``db`` and ``dh0`` and returns ``dX``; ``update(lr)`` takes
    one SGD step on all three parameters.
    """

    def __init__(self, input_size, state_size, activation="tanh", seed=0):
        self.input_size = _positive_int(input_size, "input_size")
        self.state_size = _positive_int(state_size, "state_size")
        # functions.activation raises the ValueError for an unknown name.
        self.f = functions.activation(activation)[0]
        if activation not in DERIVATIVE_FROM_OUTPUT:  # pragma: no cover
            raise ValueError(
                f"activation {activation!r} has no BPTT rule here; expected one "
                f"of {sorted(DERIVATIVE_FROM_OUTPUT)}"
            )
        self.activation = activation
        self.f_prime_from_output = DERIVATIVE_FROM_OUTPUT[activation]
        rng = np.random.default_rng(seed)
        scale = 1.0 / np.sqrt(self.state_size)
        self.U = rng.uniform(-scale, scale, (self.input_size, self.state_size))
        self.W = rng.uniform(-scale, scale, (self.state_size, self.state_size))
        self.b = rng.uniform(-scale, scale, self.state_size)
        self.dU = self.dW = self.db = self.dh0 = None
        self.reset_state()

    def __repr__(self):
        return (
            f"RecurrentLayer({self.input_size}, {self.state_size}, "
            f"activation={self.activation!r})"
        )

    @property
    def params(self):
        """The parameters by name, ``{'U': U, 'W': W, 'b': b}`` (the arrays)."""
        return {"U": self.U, "W": self.W, "b": self.b}

    @property
    def grads(self):
        """The last ``backward``'s gradients, ``{'U': dU, 'W': dW, 'b': db}``."""
        return {"U": self.dU, "W": self.dW, "b": self.db}

    def reset_state(self):
        """Forget the last forward pass: its stored states and the carried ``state``."""
        self._cache = None
        self.state = None  # h_T of the last forward pass: (batch, state)

    # ------------------------------------------------------------------
    # forward

    def forward(self, X, h0=None):
        """The states ``H: (batch, steps, state)`` for ``X: (batch, steps, input)``.

        ``h0``: the state before the first step, ``(batch, state)`` or
        ``(state,)`` for all rows; zeros by default. To carry a long sequence
        on, chunk by chunk, pass ``h0=layer.state``: the last state of the
        previous call.
        """
        X = self._check_X(X)
        batch, steps, _ = X.shape
        dtype = X.dtype
        U, W, b = (p.astype(dtype, copy=False) for p in (self.U, self.W, self.b))
        # Time-major inside: S[t] is h_t as one contiguous (batch, state) block,
        # S[0] = h0. The input terms x_t U + b of all steps are one product.
        S = np.empty((steps + 1, batch, self.state_size), dtype)
        S[0] = self._check_h0(h0, batch, dtype)
        Xt = np.ascontiguousarray(X.transpose(1, 0, 2))  # (steps, batch, input)
        np.matmul(
            Xt.reshape(steps * batch, -1), U, out=S[1:].reshape(steps * batch, -1)
        )
        S[1:] += b
        recurrent = np.empty((batch, self.state_size), dtype)
        for t in range(1, steps + 1):
            np.matmul(S[t - 1], W, out=recurrent)
            S[t] += recurrent
            S[t] = self.f(S[t])
        self._cache = {
            "X": Xt,
            "S": S,
            # one h0 row shared by the batch gets the batch's summed gradient
            "h0_shared": h0 is not None and np.ndim(h0) == 1,
        }
        self.state = S[-1].copy()
        return np.ascontiguousarray(S[1:].transpose(1, 0, 2))

    # ------------------------------------------------------------------
    # backward

    def backward(self, dH, truncate=None):
        """BPTT: ``dX = dL/dX`` from ``dH = dL/dH``, both shaped like the last pass.

        ``dH: (batch, steps, state)``, the loss's gradient with respect to
        each state ``h_t`` (from the layers above); ``dX: (batch, steps, input)``.

        Fills ``dU``, ``dW``, ``db`` (sums over time and batch) and ``dh0``
        (shaped like the ``h0`` given, ``(batch, state)`` when none was).
        ``truncate=k`` lets the error that enters at step ``t`` flow back
        through steps ``t, t-1, ..., t-k+1`` only: ``k = 1`` keeps each step's
        local gradient, ``k >= steps`` is full BPTT (``None``, the default).
        """
        if self._cache is None:
            raise ValueError("backward needs a forward pass first: call forward(X)")
        Xt, S = self._cache["X"], self._cache["S"]
        steps, batch, _ = Xt.shape
        dH = np.asarray(dH)
        expected = (batch, steps, self.state_size)
        if dH.shape != expected:
            raise ValueError(
                f"dH must have the shape of the last forward's H, {expected}, "
                f"got {dH.shape}"
            )
        if not _is_real(dH.dtype):
            raise ValueError(f"dH must hold real numbers, got dtype {dH.dtype}")
        if not np.all(np.isfinite(dH)):
            raise ValueError("dH contains NaN or infinite values")
        if truncate is not None:
            truncate = _positive_int(truncate, "truncate")
        dtype = S.dtype
        U, W = (p.astype(dtype, copy=False) for p in (self.U, self.W))
        H, H_prev = S[1:], S[:-1]  # time-major views: H[t] = h_t, H_prev[t] = h_{t-1}
        # Delta[t] = dL/dz_t, the error at step t's pre-activation; it starts
        # as dH, time-major like H, and the recursion fills it in place.
        Delta = np.array(dH.transpose(1, 0, 2), dtype=dtype, order="C")
        if truncate is None:
            self._deltas_full(Delta, H, W.T)
        else:
            self._deltas_truncated(Delta, H, W.T, truncate)
        # The parameter gradients are sums over time and batch. dW is summed
        # step by step: (state, state) products as small as the recurrence's,
        # which BLAS runs without waking threads on small layers.
        flat = Delta.reshape(steps * batch, -1)
        grad_dtype = self.W.dtype
        dW = H_prev[0].T @ Delta[0]
        for t in range(1, steps):
            dW += H_prev[t].T @ Delta[t]
        self.dW = dW.astype(grad_dtype, copy=False)
        self.dU = (Xt.reshape(steps * batch, -1).T @ flat).astype(grad_dtype)
        self.db = flat.sum(axis=0).astype(grad_dtype)
        dh0 = Delta[0] @ W.T
        self.dh0 = dh0.sum(axis=0) if self._cache["h0_shared"] else dh0
        dX = (flat @ U.T).reshape(steps, batch, -1)
        return np.ascontiguousarray(dX.transpose(1, 0, 2))

    def _deltas_full(self, Delta, H, WT):
        """Full BPTT, in place: ``delta_t = (dH_t + delta_{t+1} W^T) * f'(z_t)``."""
        steps = len(Delta)
        carried = np.empty_like(Delta[0])  # (batch, state), reused every step
        for t in reversed(range(steps)):
            if t + 1 < steps:
                np.matmul(Delta[t + 1], WT, out=carried)  # the error from step t+1
                Delta[t] += carried
            if self.f_prime_from_output is not None:
                Delta[t] *= self.f_prime_from_output(H[t])

    def _deltas_truncated(self, Delta, H, WT, k):
        """Truncated BPTT, in place: each step's error flows back ``k`` steps at most.

        ``G[j]`` carries the error that entered ``j`` steps later; the oldest
        one is dropped when it has travelled ``k`` steps.
        """
        G = np.zeros((0,) + Delta.shape[1:], Delta.dtype)  # (errors, batch, state)
        for t in reversed(range(len(Delta))):
            G = np.concatenate([Delta[t][None], G])
            if self.f_prime_from_output is not None:
                G *= self.f_prime_from_output(H[t])
            Delta[t] = G.sum(axis=0)
            G = G[: k - 1] @ WT

    # ------------------------------------------------------------------
    # training

    def update(self, lr):
        """One SGD step on every parameter: ``U -= lr * dU`` and so on (in place)."""
        if self.dW is None:
            raise ValueError("update needs gradients: call forward and backward first")
        is_number = isinstance(lr, (int, float, np.integer, np.floating))
        if isinstance(lr, bool) or not is_number or not np.isfinite(lr) or lr <= 0:
            raise ValueError(f"lr must be a positive number, got {lr!r}")
        self.U -= lr * self.dU
        self.W -= lr * self.dW
        self.b -= lr * self.db

    # ------------------------------------------------------------------
    # input checks

    def _check_X(self, X):
        X = np.asarray(X)
        expected = f"(batch, steps, {self.input_size})"
        if X.ndim != 3 or X.shape[2] != self.input_size:
            raise ValueError(f"X must have shape {expected}, got {X.shape}")
        if X.shape[0] < 1 or X.shape[1] < 1:
            raise ValueError(
                f"X needs at least one sequence and one step, got shape {X.shape}"
            )
        if not _is_real(X.dtype):
            raise ValueError(f"X must hold real numbers, got dtype {X.dtype}")
        if X.dtype != np.float32:
            X = X.astype(np.float64, copy=False)
        if not np.all(np.isfinite(X)):
            raise ValueError("X contains NaN or infinite values")
        return X

    def _check_h0(self, h0, batch, dtype):
        if h0 is None:
            return 0.0
        h0 = np.asarray(h0)
        if h0.shape not in ((batch, self.state_size), (self.state_size,)):
            raise ValueError(
                f"h0 must have shape ({batch}, {self.state_size}) or "
                f"({self.state_size},), got {h0.shape}"
            )
        if not _is_real(h0.dtype):
            raise ValueError(f"h0 must hold real numbers, got dtype {h0.dtype}")
        return h0.astype(dtype, copy=False)


# ----------------------------------------------------------------------
# the LSTM layer, forward only (chapter 05)


def lstm_forward(X, kernel, recurrent_kernel, bias, h0=None, c0=None):
    """An LSTM layer's forward pass, exactly as ``keras.layers.LSTM`` computes it.

    Introduced in chapter 05. The weights are Keras's, gates side by side in
    Keras's order (input, forget, cell, output), ``units`` columns each:

        z_t = x_t @ kernel + h_{t-1} @ recurrent_kernel + bias
        i_t, f_t, o_t = sigmoid(z_t's input, forget, output blocks)
        g_t = tanh(z_t's cell block)
        c_t = f_t * c_{t-1} + i_t * g_t
        h_t = o_t * tanh(c_t)

    ``X``: ``(batch, steps, input)``; ``kernel``: ``(input, 4 * units)``;
    ``recurrent_kernel``: ``(units, 4 * units)``; ``bias``: ``(4 * units,)``;
    ``h0``, ``c0``: the states before the first step, ``(batch, units)`` or
    ``(units,)`` for every row, zeros by default. Returns ``(H, h_T, c_T)``:
    every hidden state ``H: (batch, steps, units)`` and the last hidden and
    cell states ``(batch, units)``. Computed in float32 when ``X`` and the
    weights are all float32 (as in Keras), in float64 otherwise.
    """
    X, U, W, b = _check_lstm_weights(X, kernel, recurrent_kernel, bias)
    batch, steps, _ = X.shape
    units = W.shape[0]
    dtype = X.dtype
    h = _check_lstm_state(h0, "h0", batch, units, dtype)
    c = _check_lstm_state(c0, "c0", batch, units, dtype)
    H = np.empty((batch, steps, units), dtype)
    for t in range(steps):
        # All four gates' pre-activations in one (batch, 4 * units) array.
        z = X[:, t] @ U + h @ W + b
        i = functions.sigmoid(z[:, :units]).astype(dtype, copy=False)
        f = functions.sigmoid(z[:, units : 2 * units]).astype(dtype, copy=False)
        g = np.tanh(z[:, 2 * units : 3 * units])
        o = functions.sigmoid(z[:, 3 * units :]).astype(dtype, copy=False)
        c = f * c + i * g
        h = o * np.tanh(c)
        H[:, t] = h
    return H, h, c


def _check_lstm_weights(X, kernel, recurrent_kernel, bias):
    arrays = {
        "X": X,
        "kernel": kernel,
        "recurrent_kernel": recurrent_kernel,
        "bias": bias,
    }
    for name, value in arrays.items():
        value = np.asarray(value)
        if not _is_real(value.dtype):
            raise ValueError(f"{name} must hold real numbers, got dtype {value.dtype}")
        arrays[name] = value
    X, U, W, b = arrays.values()
    if X.ndim != 3 or X.shape[0] < 1 or X.shape[1] < 1:
        raise ValueError(
            f"X must have shape (batch, steps, input) with at least one sequence "
            f"and one step, got {X.shape}"
        )
    if W.ndim != 2 or W.shape[0] < 1 or W.shape[1] != 4 * W.shape[0]:
        raise ValueError(
            "recurrent_kernel must have shape (units, 4 * units), the four gates "
            f"side by side, got {W.shape}"
        )
    units = W.shape[0]
    if U.shape != (X.shape[2], 4 * units):
        raise ValueError(
            f"kernel must have shape (input, 4 * units) = ({X.shape[2]}, "
            f"{4 * units}) for X of shape {X.shape} and {units} units, got {U.shape}"
        )
    if b.shape != (4 * units,):
        raise ValueError(
            f"bias must have shape (4 * units,) = ({4 * units},), got {b.shape}"
        )
    for name, value in zip(arrays, (X, U, W, b), strict=True):
        if not np.all(np.isfinite(value)):
            raise ValueError(f"{name} contains NaN or infinite values")
    dtype = np.float32
    if any(a.dtype != np.float32 for a in (X, U, W, b)):
        dtype = np.float64
    return tuple(a.astype(dtype, copy=False) for a in (X, U, W, b))


def _check_lstm_state(state, name, batch, units, dtype):
    if state is None:
        return np.zeros((batch, units), dtype)
    state = np.asarray(state)
    if state.shape not in ((batch, units), (units,)):
        raise ValueError(
            f"{name} must have shape ({batch}, {units}) or ({units},), got "
            f"{state.shape}"
        )
    if not _is_real(state.dtype):
        raise ValueError(f"{name} must hold real numbers, got dtype {state.dtype}")
    return np.broadcast_to(state, (batch, units)).astype(dtype)


def _is_real(dtype):
    return np.issubdtype(dtype, np.floating) or np.issubdtype(dtype, np.integer)
