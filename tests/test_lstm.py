"""rh.rnn.lstm_forward: the gate equations, Keras's LSTM, bad inputs."""

import numpy as np
import pytest

import rnn_helpers as rh


def _weights(inputs=5, state_size=6, seed=0, dtype=np.float32):
    """Random Keras-layout weights, uniform in ±1/sqrt(state_size)."""
    rng = np.random.default_rng(seed)
    scale = 1.0 / np.sqrt(state_size)
    n = state_size
    shapes = [(inputs, 4 * n), (n, 4 * n), (4 * n,)]
    return [rng.uniform(-scale, scale, s).astype(dtype) for s in shapes]


def _inputs(batch=3, num_steps=7, inputs=5, seed=1, dtype=np.float32):
    return (
        np.random.default_rng(seed)
        .standard_normal((batch, num_steps, inputs))
        .astype(dtype)
    )


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def test_lstm_forward_follows_the_gate_equations_one_example_at_a_time():
    X = _inputs(dtype=np.float64)
    U, W, b = _weights(dtype=np.float64)
    state_size = W.shape[0]
    H, h_T, c_T = rh.rnn.lstm_forward(X, U, W, b)
    for n in range(X.shape[0]):
        h, c = np.zeros(state_size), np.zeros(state_size)
        for t in range(X.shape[1]):
            z = X[n, t] @ U + h @ W + b
            i, f, g, o = np.split(z, 4)  # Keras's order: input, forget, cell, output
            c = _sigmoid(f) * c + _sigmoid(i) * np.tanh(g)
            h = _sigmoid(o) * np.tanh(c)
            np.testing.assert_allclose(H[n, t], h, rtol=0, atol=1e-12)
        np.testing.assert_allclose(h_T[n], h, rtol=0, atol=1e-12)
        np.testing.assert_allclose(c_T[n], c, rtol=0, atol=1e-12)


def test_lstm_forward_returns_every_state_and_the_last_ones():
    X = _inputs()
    H, h_T, c_T = rh.rnn.lstm_forward(X, *_weights())
    assert H.shape == (3, 7, 6) and h_T.shape == c_T.shape == (3, 6)
    np.testing.assert_array_equal(H[:, -1], h_T)
    assert H.dtype == h_T.dtype == c_T.dtype == np.float32


def test_lstm_forward_uses_float64_unless_everything_is_float32():
    U, W, b = _weights()
    H, _, _ = rh.rnn.lstm_forward(_inputs(dtype=np.float64), U, W, b)
    assert H.dtype == np.float64
    pixels = np.random.default_rng(0).integers(0, 256, (2, 4, 5), dtype=np.uint8)
    H, _, _ = rh.rnn.lstm_forward(pixels, U, W, b)
    assert H.dtype == np.float64


def test_lstm_forward_carries_a_sequence_on_from_given_states():
    X = _inputs(num_steps=8)
    weights = _weights()
    H, h_T, c_T = rh.rnn.lstm_forward(X, *weights)
    H1, h1, c1 = rh.rnn.lstm_forward(X[:, :3], *weights)
    H2, h2, c2 = rh.rnn.lstm_forward(X[:, 3:], *weights, h0=h1, c0=c1)
    np.testing.assert_allclose(np.concatenate([H1, H2], axis=1), H, atol=1e-6)
    np.testing.assert_allclose(h2, h_T, atol=1e-6)
    np.testing.assert_allclose(c2, c_T, atol=1e-6)


def test_lstm_forward_broadcasts_a_single_initial_state_to_every_row():
    X = _inputs()
    weights = _weights()
    h0 = np.linspace(-1, 1, 6)
    c0 = np.linspace(1, -1, 6)
    shared = rh.rnn.lstm_forward(X, *weights, h0=h0, c0=c0)
    per_row = rh.rnn.lstm_forward(
        X, *weights, h0=np.tile(h0, (3, 1)), c0=np.tile(c0, (3, 1))
    )
    for a, b in zip(shared, per_row, strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    ("batch", "num_steps", "inputs", "state_size"),
    [(4, 28, 28, 128), (2, 40, 3, 5), (1, 1, 1, 1)],
)
def test_lstm_forward_matches_keras_lstm_in_float32(
    batch, num_steps, inputs, state_size
):
    keras = pytest.importorskip("keras")
    X = _inputs(batch, num_steps, inputs, seed=2)
    weights = _weights(inputs, state_size, seed=3)
    rng = np.random.default_rng(4)
    h0 = rng.uniform(-1, 1, (batch, state_size)).astype(np.float32)
    c0 = rng.uniform(-1, 1, (batch, state_size)).astype(np.float32)
    layer = keras.layers.LSTM(state_size, return_sequences=True, return_state=True)
    layer.build((None, num_steps, inputs))
    layer.set_weights(weights)
    for states in (None, (h0, c0)):
        if states is None:
            expected = layer(X)
            got = rh.rnn.lstm_forward(X, *weights)
        else:
            expected = layer(X, initial_state=list(states))
            got = rh.rnn.lstm_forward(X, *weights, h0=h0, c0=c0)
        for name, e, g in zip(("H", "h_T", "c_T"), expected, got, strict=True):
            gap = np.abs(np.asarray(e) - g).max()
            assert gap < 1e-5, f"{name} differs from Keras by {gap:.1e}"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (dict(X=np.zeros((7, 5))), r"X must have shape \(batch, num_steps, input\)"),
        (dict(X=np.zeros((3, 0, 5))), "at least one entry along every axis"),
        (
            dict(X=np.zeros((3, 7, 4))),
            r"kernel must have shape \(4, 24\) \(4 gates of state_size 6 side by "
            r"side, Keras's layout\), got \(5, 24\)",
        ),
        (dict(kernel=np.zeros((5, 20))), r"kernel must have shape .* got \(5, 20\)"),
        (
            dict(recurrent_kernel=np.zeros((6, 6))),
            r"recurrent_kernel must have shape \(6, 24\)",
        ),
        (dict(recurrent_kernel=np.zeros((24,))), r"recurrent_kernel must have shape"),
        (dict(recurrent_kernel=np.zeros(())), r"recurrent_kernel must have shape"),
        (dict(bias=np.zeros(6)), r"bias must have shape \(24,\) \(4 gates"),
        (dict(bias=np.zeros((1, 24))), r"bias must have shape"),
        (dict(kernel=None), "kernel must be an array, got None"),
        (dict(h0=np.zeros((2, 6))), r"h0 must have shape \(3, 6\) or \(6,\)"),
        (dict(c0=np.zeros((3, 5))), r"c0 must have shape \(3, 6\) or \(6,\)"),
        (dict(X=np.full((3, 7, 5), "a")), "X must hold real numbers"),
        (dict(h0=np.full(6, "a")), "h0 must hold real numbers"),
        (dict(X=np.full((3, 7, 5), np.nan)), "X contains NaN or infinite values"),
        (dict(bias=np.full(24, np.inf)), "bias contains NaN or infinite values"),
        (dict(h0=np.full(6, np.nan)), "h0 contains NaN or infinite values"),
        (dict(c0=np.full((3, 6), np.inf)), "c0 contains NaN or infinite values"),
        (dict(c0=np.zeros(6, complex)), "c0 must hold real numbers"),
    ],
)
def test_lstm_forward_rejects_bad_shapes_and_values(change, message):
    U, W, b = _weights()
    args = dict(X=_inputs(), kernel=U, recurrent_kernel=W, bias=b)
    args.update(change)
    with pytest.raises(ValueError, match=message):
        rh.rnn.lstm_forward(**args)
