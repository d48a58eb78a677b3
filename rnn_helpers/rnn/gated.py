"""Keras's gated layers recomputed in NumPy from Keras's weights (chapters 05-06).

Forward passes only: they check, number for number, what ``keras.layers.LSTM``
and ``keras.layers.GRU`` compute, and let a chapter read every state of a
trained model from its weights.
"""

import numpy as np

from .. import checks, functions


def lstm_forward(X, kernel, recurrent_kernel, bias, h0=None, c0=None):
    """An LSTM layer's forward pass, exactly as ``keras.layers.LSTM`` computes it.

    Introduced in chapter 05. The weights are Keras's, gates side by side in
    Keras's order (input, forget, cell, output), ``state_size`` columns each:

        z_t = x_t @ kernel + h_{t-1} @ recurrent_kernel + bias
        i_t, f_t, o_t = sigmoid(z_t's input, forget, output blocks)
        g_t = tanh(z_t's cell block)
        c_t = f_t * c_{t-1} + i_t * g_t
        h_t = o_t * tanh(c_t)

    ``X``: ``(batch, num_steps, input)``; ``kernel``: ``(input, 4 * state)``;
    ``recurrent_kernel``: ``(state, 4 * state)``; ``bias``: ``(4 * state,)``;
    ``h0``, ``c0``: the states before the first step, ``(batch, state)`` or
    ``(state,)`` for every row, zeros by default. Returns ``(H, h_T, c_T)``:
    every hidden state ``H: (batch, num_steps, state)`` and the last hidden
    and cell states ``(batch, state)``. Computed in float32 when ``X`` and the
    weights are all float32 (as in Keras), in float64 otherwise.
    """
    X, U, W, b = _gated_weights(4, X, kernel, recurrent_kernel, bias)
    (batch, num_steps, _), n, dtype = X.shape, W.shape[0], X.dtype
    h = checks.state(h0, "h0", batch=batch, state_size=n, dtype=dtype)
    c = checks.state(c0, "c0", batch=batch, state_size=n, dtype=dtype)
    H = np.empty((batch, num_steps, n), dtype)
    for t in range(num_steps):
        # All four gates' pre-activations in one (batch, 4 * state) array.
        z = X[:, t] @ U + h @ W + b
        z_i, z_f, z_g, z_o = np.split(z, 4, axis=1)
        i, f, o = _sigmoid(z_i), _sigmoid(z_f), _sigmoid(z_o)
        g = np.tanh(z_g)
        c = f * c + i * g
        h = o * np.tanh(c)
        H[:, t] = h
    return H, h, c


def gru_forward(X, kernel, recurrent_kernel, bias, h0=None):
    """A GRU layer's forward pass, exactly as ``keras.layers.GRU`` computes it.

    Introduced in chapter 06. Keras's default ``reset_after=True``: the reset
    gate scales the recurrent term *after* its product with the weights.
    Gates side by side in Keras's order (update ``z``, reset ``r``, candidate
    ``h~``), ``state_size`` columns each; ``bias`` has two rows, one added to
    the input terms and one to the recurrent terms:

        x_z, x_r, x_h = blocks of x_t @ kernel + bias[0]
        s_z, s_r, s_h = blocks of h_{t-1} @ recurrent_kernel + bias[1]
        z_t = sigmoid(x_z + s_z)
        r_t = sigmoid(x_r + s_r)
        h~_t = tanh(x_h + r_t * s_h)
        h_t = z_t * h_{t-1} + (1 - z_t) * h~_t

    ``X``: ``(batch, num_steps, input)``; ``kernel``: ``(input, 3 * state)``;
    ``recurrent_kernel``: ``(state, 3 * state)``; ``bias``: ``(2, 3 * state)``;
    ``h0``: ``(batch, state)`` or ``(state,)``, zeros by default. Returns
    ``(H, h_T)``: every state ``H: (batch, num_steps, state)`` and the last
    ``(batch, state)``. Float32 when everything is float32, else float64.
    """
    X, U, W, b = _gated_weights(3, X, kernel, recurrent_kernel, bias)
    (batch, num_steps, _), n, dtype = X.shape, W.shape[0], X.dtype
    h = checks.state(h0, "h0", batch=batch, state_size=n, dtype=dtype)
    H = np.empty((batch, num_steps, n), dtype)
    inputs = X @ U + b[0]  # the input terms of every step: (batch, num_steps, 3n)
    for t in range(num_steps):
        x_z, x_r, x_h = np.split(inputs[:, t], 3, axis=1)
        s_z, s_r, s_h = np.split(h @ W + b[1], 3, axis=1)
        z, r = _sigmoid(x_z + s_z), _sigmoid(x_r + s_r)
        candidate = np.tanh(x_h + r * s_h)
        h = z * h + (1.0 - z) * candidate
        H[:, t] = h
    return H, h


def _sigmoid(z):
    return functions.sigmoid(z).astype(z.dtype, copy=False)


def _gated_weights(gates, X, kernel, recurrent_kernel, bias):
    """``X`` and Keras's weights of a ``gates``-gate layer, checked, in one dtype."""
    X = checks.array(X, "X", shape=("batch", "num_steps", "input"))
    U = checks.array(kernel, "kernel")
    W = checks.array(recurrent_kernel, "recurrent_kernel")
    b = checks.array(bias, "bias")
    n = W.shape[0] if W.ndim else 0
    bias_shape = (gates * n,) if gates == 4 else (2, gates * n)
    words = f"{gates} gates of state_size {n} side by side, Keras's layout"
    for name, a, shape in (
        ("recurrent_kernel", W, (n, gates * n)),
        ("kernel", U, (X.shape[2], gates * n)),
        ("bias", b, bias_shape),
    ):
        if a.shape != shape:
            raise ValueError(f"{name} must have shape {shape} ({words}), got {a.shape}")
    dtype = np.float32
    if any(a.dtype != np.float32 for a in (X, U, W, b)):
        dtype = np.float64
    return tuple(a.astype(dtype, copy=False) for a in (X, U, W, b))
