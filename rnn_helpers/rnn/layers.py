"""The layers trained by hand: a recurrent layer with BPTT and its read-out (ch. 03-04).

``RecurrentLayer`` is the source's hand-written recurrent layer, vectorised
over the batch, with backpropagation through time (BPTT), full or truncated;
``Readout`` is the dense layer that turns its states into logits. Each has its
``backward`` right under its ``forward``.
"""

import numpy as np

from .. import checks, functions


class Layer:
    """What the trainable layers share: ``params``, ``grads`` and an SGD ``update``.

    A layer names its parameters in ``param_names``; the gradient of ``P`` is
    the attribute ``dP``, ``None`` until the first ``backward``.
    """

    param_names = ()

    @property
    def params(self):
        """The parameters by name, e.g. ``{'U': U, 'W': W, 'b': b}`` (the arrays)."""
        return {name: getattr(self, name) for name in self.param_names}

    @property
    def grads(self):
        """The last ``backward``'s gradients by name, e.g. ``{'U': dU, ...}``."""
        return {name: getattr(self, "d" + name) for name in self.param_names}

    def update(self, lr):
        """One SGD step on every parameter, in place: ``U -= lr * dU`` and so on."""
        lr = checks.number(lr, "lr", above=0)
        grads = self.grads
        if any(g is None for g in grads.values()):
            raise ValueError("update needs gradients: call forward and backward first")
        for name, p in self.params.items():
            p -= lr * grads[name]


# ----------------------------------------------------------------------
# the recurrent layer (chapter 03)


class RecurrentLayer(Layer):
    """A fully connected recurrent layer with BPTT (chapter 03).

    ``h_t = f(x_t @ U + h_{t-1} @ W + b)`` for ``t = 1..num_steps``, the whole
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
    one SGD step on all three parameters; ``step(x, h)`` is one step alone.
    """

    param_names = ("U", "W", "b")

    def __init__(self, input_size, state_size, activation="tanh", seed=0):
        self.input_size = checks.integer(input_size, "input_size", minimum=1)
        self.state_size = checks.integer(state_size, "state_size", minimum=1)
        self.f, self.f_prime_from_output = functions.activation(activation)
        self.activation = activation
        rng = checks.rng(seed)
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

    def reset_state(self):
        """Forget the last forward pass: its stored states and the carried ``state``."""
        self._cache = None
        self.state = None  # h_T of the last forward pass: (batch, state)

    def step(self, x, h=None):
        """One step, ``f(x @ U + h @ W + b)``, keeping nothing for ``backward``.

        ``x: (batch, input)``; ``h: (batch, state)``, zeros when ``None``.
        Returns the next state ``(batch, state)``, in float32 for a float32
        ``x`` and float64 otherwise, like ``forward``.
        """
        x = _real(checks.array(x, "x", shape=("batch", self.input_size)))
        h = checks.state(
            h, "h", batch=len(x), state_size=self.state_size, dtype=x.dtype
        )
        U, W, b = (p.astype(x.dtype, copy=False) for p in (self.U, self.W, self.b))
        return self.f(x @ U + h @ W + b)

    def forward(self, X, h0=None):
        """The states ``H: (batch, num_steps, state)`` for inputs ``X``.

        ``X: (batch, num_steps, input)``. ``h0``: the state before the first
        step, ``(batch, state)`` or ``(state,)`` for all rows; zeros by
        default. To carry a long sequence on, chunk by chunk, pass
        ``h0=layer.state``: the last state of the previous call.
        """
        X = _real(checks.array(X, "X", shape=("batch", "num_steps", self.input_size)))
        batch, num_steps, _ = X.shape
        dtype = X.dtype
        U, W, b = (p.astype(dtype, copy=False) for p in (self.U, self.W, self.b))
        # Time-major inside: S[t] is h_t as one contiguous (batch, state) block,
        # S[0] = h0. The input terms x_t U + b of all steps are one product.
        S = np.empty((num_steps + 1, batch, self.state_size), dtype)
        S[0] = checks.state(h0, "h0", batch=batch, state_size=self.state_size)
        Xt = np.ascontiguousarray(X.transpose(1, 0, 2))  # (num_steps, batch, input)
        flat = num_steps * batch
        np.matmul(Xt.reshape(flat, -1), U, out=S[1:].reshape(flat, -1))
        S[1:] += b
        recurrent = np.empty((batch, self.state_size), dtype)
        for t in range(1, num_steps + 1):
            np.matmul(S[t - 1], W, out=recurrent)
            S[t] += recurrent
            S[t] = self.f(S[t])
        # one h0 row shared by the batch gets the batch's summed gradient
        self._cache = {"Xt": Xt, "S": S, "h0_shared": np.ndim(h0) == 1}
        self.state = S[-1].copy()
        return np.ascontiguousarray(S[1:].transpose(1, 0, 2))

    def backward(self, dH, truncate=None):
        """BPTT: ``dX = dL/dX`` from ``dH = dL/dH``, both shaped like the last pass.

        ``dH: (batch, num_steps, state)``, the loss's gradient with respect to
        each state ``h_t`` (from the layers above); ``dX: (batch, num_steps,
        input)``. Fills ``dU``, ``dW``, ``db`` (sums over time and batch) and
        ``dh0`` (shaped like the ``h0`` given, ``(batch, state)`` when none
        was). ``truncate=k`` lets the error that enters at step ``t`` flow back
        through steps ``t, t-1, ..., t-k+1`` only: ``k = 1`` keeps each step's
        local gradient, ``k >= num_steps`` is full BPTT (``None``, the default).
        """
        if self._cache is None:
            raise ValueError("backward needs a forward pass first: call forward(X)")
        num_steps, batch, _ = self._cache["Xt"].shape
        expected = (batch, num_steps, self.state_size)
        dH = checks.array(dH, "dH")
        if dH.shape != expected:
            raise ValueError(
                f"dH must have the shape of the last forward's H, {expected}, "
                f"got {dH.shape}"
            )
        if truncate is not None:
            truncate = checks.integer(truncate, "truncate", minimum=1)
        return self._bptt(dH, truncate)

    def _bptt(self, dH, truncate):
        """The gradients of BPTT from a checked ``dH``; returns ``dX`` (chapter 03)."""
        Xt, S = self._cache["Xt"], self._cache["S"]
        num_steps, batch, _ = Xt.shape
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
        flat = Delta.reshape(num_steps * batch, -1)
        grad_dtype = self.W.dtype
        dW = H_prev[0].T @ Delta[0]
        for t in range(1, num_steps):
            dW += H_prev[t].T @ Delta[t]
        self.dW = dW.astype(grad_dtype, copy=False)
        self.dU = (Xt.reshape(num_steps * batch, -1).T @ flat).astype(grad_dtype)
        self.db = flat.sum(axis=0).astype(grad_dtype)
        dh0 = Delta[0] @ W.T
        self.dh0 = dh0.sum(axis=0) if self._cache["h0_shared"] else dh0
        dX = (flat @ U.T).reshape(num_steps, batch, -1)
        return np.ascontiguousarray(dX.transpose(1, 0, 2))

    def _deltas_full(self, Delta, H, WT):
        """Full BPTT, in place: ``delta_t = (dH_t + delta_{t+1} W^T) * f'(z_t)``."""
        num_steps = len(Delta)
        carried = np.empty_like(Delta[0])  # (batch, state), reused every step
        for t in reversed(range(num_steps)):
            if t + 1 < num_steps:
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


# ----------------------------------------------------------------------
# the read-out (chapters 03-04)


class Readout(Layer):
    """A dense read-out of every state: ``logits = H @ V + c`` (chapter 03).

    ``V``: ``(state_size, output_size)``, uniform in ``±1 / sqrt(state_size)``
    from ``np.random.default_rng(seed)``; ``c``: ``(output_size,)``, zeros.
    ``forward(H)`` takes states with any leading axes, ``(..., state_size)``,
    and keeps them for ``backward(dlogits)``, which fills ``dV`` and ``dc``
    (sums over every row) and returns ``dH``. Float32 states keep the pass in
    float32, like ``RecurrentLayer``.
    """

    param_names = ("V", "c")

    def __init__(self, state_size, output_size, seed=0):
        self.state_size = checks.integer(state_size, "state_size", minimum=1)
        self.output_size = checks.integer(output_size, "output_size", minimum=1)
        rng = checks.rng(seed)
        scale = 1.0 / np.sqrt(self.state_size)
        self.V = rng.uniform(-scale, scale, (self.state_size, self.output_size))
        self.c = np.zeros(self.output_size)
        self.dV = self.dc = None
        self._H = None  # the last forward's states, one row each: (rows, state)
        self._leading = None  # their leading axes, the shape of every output row

    def __repr__(self):
        return f"Readout({self.state_size}, {self.output_size})"

    def forward(self, H):
        """Logits ``(..., output_size)`` for states ``H: (..., state_size)``."""
        H = _real(checks.array(H, "H"))
        if H.shape[-1:] != (self.state_size,):
            raise ValueError(
                f"H must have shape (..., {self.state_size}), got {H.shape}"
            )
        V, c = (p.astype(H.dtype, copy=False) for p in (self.V, self.c))
        self._H = H.reshape(-1, self.state_size)
        self._leading = H.shape[:-1]
        return (self._H @ V + c).reshape(self._leading + (self.output_size,))

    def backward(self, dlogits):
        """``dH`` from ``dlogits = dL/dlogits``; fills ``dV = H^T dlogits``, ``dc``."""
        if self._H is None:
            raise ValueError("backward needs a forward pass first: call forward(H)")
        expected = self._leading + (self.output_size,)
        dlogits = checks.array(dlogits, "dlogits")
        if dlogits.shape != expected:
            raise ValueError(
                f"dlogits must have the shape of the last forward's logits, "
                f"{expected}, got {dlogits.shape}"
            )
        D = dlogits.reshape(-1, self.output_size).astype(self._H.dtype, copy=False)
        self.dV = (self._H.T @ D).astype(self.V.dtype, copy=False)
        self.dc = D.sum(axis=0).astype(self.c.dtype, copy=False)
        dH = D @ self.V.T.astype(self._H.dtype, copy=False)
        return dH.reshape(self._leading + (self.state_size,))


def _real(X):
    """A checked real array in the dtype the layers compute in: float32 or float64."""
    return X if X.dtype == np.float32 else X.astype(np.float64, copy=False)
