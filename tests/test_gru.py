"""rh.rnn.gru_forward: the gate equations, Keras's GRU (reset_after=True), errors."""

import numpy as np
import pytest

import rnn_helpers as rh


def _weights(inputs=5, state_size=6, seed=0, dtype=np.float32):
    """Random Keras-layout GRU weights, uniform in ±1/sqrt(state_size)."""
    rng = np.random.default_rng(seed)
    scale = 1.0 / np.sqrt(state_size)
    n = state_size
    shapes = [(inputs, 3 * n), (n, 3 * n), (2, 3 * n)]
    return [rng.uniform(-scale, scale, s).astype(dtype) for s in shapes]


def _inputs(batch=3, num_steps=7, inputs=5, seed=1, dtype=np.float32):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((batch, num_steps, inputs)).astype(dtype)


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def test_gru_forward_follows_the_gate_equations_one_example_at_a_time():
    X = _inputs(dtype=np.float64)
    U, W, b = _weights(dtype=np.float64)
    n = W.shape[0]
    h0 = np.random.default_rng(2).uniform(-1, 1, (3, n))
    H, h_T = rh.rnn.gru_forward(X, U, W, b, h0=h0)
    for row in range(X.shape[0]):
        h = h0[row]
        for t in range(X.shape[1]):
            # Keras's order: update z, reset r, candidate; reset after the product.
            x_z, x_r, x_h = np.split(X[row, t] @ U + b[0], 3)
            s_z, s_r, s_h = np.split(h @ W + b[1], 3)
            z, r = _sigmoid(x_z + s_z), _sigmoid(x_r + s_r)
            h = z * h + (1 - z) * np.tanh(x_h + r * s_h)
            np.testing.assert_allclose(H[row, t], h, rtol=0, atol=1e-12)
        np.testing.assert_allclose(h_T[row], h, rtol=0, atol=1e-12)


def test_gru_forward_returns_every_state_and_the_last_one():
    H, h_T = rh.rnn.gru_forward(_inputs(), *_weights())
    assert H.shape == (3, 7, 6) and h_T.shape == (3, 6)
    np.testing.assert_array_equal(H[:, -1], h_T)
    assert H.dtype == h_T.dtype == np.float32


def test_gru_forward_uses_float64_unless_everything_is_float32():
    U, W, b = _weights()
    H, _ = rh.rnn.gru_forward(_inputs(dtype=np.float64), U, W, b)
    assert H.dtype == np.float64
    H, _ = rh.rnn.gru_forward(_inputs(), U, W, b.astype(np.float64))
    assert H.dtype == np.float64


def test_gru_forward_carries_a_sequence_on_and_shares_a_single_h0_row():
    X = _inputs(num_steps=8, dtype=np.float64)
    weights = _weights(dtype=np.float64)
    H, h_T = rh.rnn.gru_forward(X, *weights)
    H1, h1 = rh.rnn.gru_forward(X[:, :3], *weights)
    H2, h2 = rh.rnn.gru_forward(X[:, 3:], *weights, h0=h1)
    np.testing.assert_allclose(np.concatenate([H1, H2], axis=1), H, atol=1e-12)
    np.testing.assert_allclose(h2, h_T, atol=1e-12)
    row = np.linspace(-1, 1, 6)
    shared = rh.rnn.gru_forward(X, *weights, h0=row)
    per_row = rh.rnn.gru_forward(X, *weights, h0=np.tile(row, (3, 1)))
    for a, b in zip(shared, per_row, strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    ("dtype", "tolerance"), [(np.float32, 1e-5), (np.float64, 1e-12)]
)
@pytest.mark.parametrize(
    ("batch", "num_steps", "inputs", "state_size"),
    [(1, 12, 4, 8), (5, 28, 28, 32), (3, 1, 1, 1)],
)
@pytest.mark.parametrize("with_h0", [False, True])
def test_gru_forward_matches_keras_gru(
    dtype, tolerance, batch, num_steps, inputs, state_size, with_h0
):
    keras = pytest.importorskip("keras")
    X = _inputs(batch, num_steps, inputs, seed=2, dtype=dtype)
    weights = _weights(inputs, state_size, seed=3, dtype=dtype)
    h0 = np.random.default_rng(4).uniform(-1, 1, (batch, state_size)).astype(dtype)
    layer = keras.layers.GRU(
        state_size,
        return_sequences=True,
        return_state=True,
        dtype=np.dtype(dtype).name,
    )
    layer.build((None, num_steps, inputs))
    assert layer.cell.reset_after  # Keras's default, the convention written here
    layer.set_weights(weights)
    if with_h0:
        expected = layer(X, initial_state=[h0])
        got = rh.rnn.gru_forward(X, *weights, h0=h0)
    else:
        expected = layer(X)
        got = rh.rnn.gru_forward(X, *weights)
    for name, e, g in zip(("H", "h_T"), expected, got, strict=True):
        e = np.asarray(e)
        assert e.dtype == g.dtype == dtype
        gap = np.abs(e - g).max()
        assert gap < tolerance, f"{name} differs from Keras by {gap:.1e}"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (dict(X=np.zeros((7, 5))), r"X must have shape \(batch, num_steps, input\)"),
        (dict(X=np.zeros((3, 0, 5))), "at least one entry along every axis"),
        (
            dict(X=np.zeros((3, 7, 4))),
            r"kernel must have shape \(4, 18\) \(3 gates of state_size 6 side by "
            r"side, Keras's layout\), got \(5, 18\)",
        ),
        (dict(recurrent_kernel=np.zeros((6, 24))), r"recurrent_kernel.*\(6, 18\)"),
        (dict(bias=np.zeros(18)), r"bias must have shape \(2, 18\)"),
        (dict(bias=np.zeros((1, 18))), r"bias must have shape \(2, 18\)"),
        (dict(h0=np.zeros((2, 6))), r"h0 must have shape \(3, 6\) or \(6,\)"),
        (dict(h0=np.full(6, np.nan)), "h0 contains NaN or infinite values"),
        (dict(h0=np.full((3, 6), -np.inf)), "h0 contains NaN or infinite values"),
        (dict(X=np.full((3, 7, 5), "a")), "X must hold real numbers"),
        (dict(kernel=np.full((5, 18), np.nan)), "kernel contains NaN or infinite"),
    ],
)
def test_gru_forward_rejects_bad_shapes_and_values(change, message):
    U, W, b = _weights()
    args = dict(X=_inputs(), kernel=U, recurrent_kernel=W, bias=b)
    args.update(change)
    with pytest.raises(ValueError, match=message):
        rh.rnn.gru_forward(**args)
