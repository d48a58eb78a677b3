"""minGRU and minLSTM: NumPy equations, every scan form, the Keras layers, errors."""

import numpy as np
import pytest

import rnn_helpers as rh

FORWARDS = {
    "minGRU": (rh.rnn.min_gru_forward, 2),
    "minLSTM": (rh.rnn.min_lstm_forward, 3),
}


def _weights(blocks, inputs=5, state=4, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((inputs, blocks * state)), rng.standard_normal(
        blocks * state
    )


def _inputs(batch=3, num_steps=11, inputs=5, seed=1):
    return np.random.default_rng(seed).standard_normal((batch, num_steps, inputs))


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _g(x):
    return np.where(x >= 0, x + 0.5, _sigmoid(x))


def test_g_is_positive_continuous_and_log_g_is_its_logarithm():
    x = np.linspace(-30, 30, 1001)
    assert (rh.rnn.g(x) > 0).all()
    np.testing.assert_allclose(rh.rnn.g(x), _g(x), rtol=1e-14)
    np.testing.assert_allclose(rh.rnn.log_g(x), np.log(_g(x)), rtol=1e-12)
    assert abs(rh.rnn.g(1e-12) - rh.rnn.g(-1e-12)) < 1e-11


def test_min_gru_follows_the_papers_equations():
    X = _inputs()
    U, c = _weights(2)
    H, h_T = rh.rnn.min_gru_forward(X, U, c)
    h = np.zeros((3, 4))
    for t in range(X.shape[1]):
        k, pre = np.split(X[:, t] @ U + c, 2, axis=1)
        z = _sigmoid(k)
        h = (1 - z) * h + z * _g(pre)
        np.testing.assert_allclose(H[:, t], h, rtol=1e-13)
    np.testing.assert_array_equal(h_T, H[:, -1])


def test_min_lstm_follows_the_papers_equations():
    X = _inputs()
    U, c = _weights(3)
    h0 = np.full(4, 0.3)
    H, _ = rh.rnn.min_lstm_forward(X, U, c, h0)
    h = np.tile(h0, (3, 1))
    for t in range(X.shape[1]):
        k_i, k_f, pre = np.split(X[:, t] @ U + c, 3, axis=1)
        i, f = _sigmoid(k_i), _sigmoid(k_f)
        h = f / (f + i) * h + i / (f + i) * _g(pre)
        np.testing.assert_allclose(H[:, t], h, rtol=1e-13)


@pytest.mark.parametrize("kind", sorted(FORWARDS))
@pytest.mark.parametrize("method", ["scan", "cumprod", "log"])
def test_every_scan_form_gives_the_loops_states(kind, method):
    forward, blocks = FORWARDS[kind]
    X, (U, c) = _inputs(num_steps=40), _weights(blocks)
    h0 = np.random.default_rng(2).uniform(0, 1, (3, 4))
    loop, _ = forward(X, U, c, h0)
    H, _ = forward(X, U, c, h0, method=method)
    np.testing.assert_allclose(H, loop, rtol=1e-11)


def test_min_lstm_gates_sum_to_one_so_its_state_stays_in_range():
    X = 5 * _inputs(num_steps=200)
    U, c = _weights(3)
    H, _ = rh.rnn.min_lstm_forward(X, U, c)
    candidates = _g(X @ U[:, 8:] + c[8:])
    assert (H > 0).all() and (H <= candidates.max(axis=1, keepdims=True)).all()


def test_parameter_counts_follow_the_layouts():
    assert rh.rnn.min_rnn_parameters("minGRU", 10, 4) == 2 * (10 * 4 + 4)
    assert rh.rnn.min_rnn_parameters("minLSTM", 10, 4) == 3 * (10 * 4 + 4)
    assert rh.rnn.min_rnn_parameters("GRU", 10, 4) == 3 * (40 + 16 + 8)
    assert rh.rnn.min_rnn_parameters("LSTM", 10, 4) == 4 * (40 + 16 + 4)
    with pytest.raises(ValueError, match="kind must be one of"):
        rh.rnn.min_rnn_parameters("RNN", 10, 4)


@pytest.mark.parametrize("kind", sorted(FORWARDS))
def test_min_forward_rejects_bad_weights_and_states(kind):
    forward, blocks = FORWARDS[kind]
    X, (U, c) = _inputs(), _weights(blocks)
    with pytest.raises(ValueError, match=rf"kernel must have shape \(5, {blocks} \*"):
        forward(X, U[:, :-1], c)
    with pytest.raises(ValueError, match=r"kernel must have shape"):
        forward(X[:, :, :4], U, c)
    with pytest.raises(ValueError, match="bias must have shape"):
        forward(X, U, c[:-1])
    with pytest.raises(ValueError, match=r"X must have shape \(batch, num_steps"):
        forward(X[0], U, c)
    with pytest.raises(ValueError, match=r"h0 must have shape"):
        forward(X, U, c, np.zeros(5))
    with pytest.raises(ValueError, match=r'method="log" needs h0 >= 0'):
        forward(X, U, c, -np.ones(4), method="log")
    with pytest.raises(ValueError, match="method must be one of"):
        forward(X, U, c, method="fast")


# ----------------------------------------------------------------------
# the Keras layers


@pytest.fixture(scope="module")
def keras():
    _, keras = rh.config.import_tensorflow()
    return keras


LAYERS = {"minGRU": "MinGRU", "minLSTM": "MinLSTM"}


@pytest.mark.parametrize("kind", sorted(FORWARDS))
@pytest.mark.parametrize("method", ["sequential", "log", "associative", "chunked"])
def test_keras_layers_equal_numpy_to_float32_rounding(keras, kind, method):
    forward, _ = FORWARDS[kind]
    layer = getattr(rh.models, LAYERS[kind])(
        4, method=method, return_sequences=True, bias_initializer="random_normal"
    )
    X = _inputs(num_steps=37).astype(np.float32)
    h0 = np.random.default_rng(3).uniform(0.1, 1, (3, 4)).astype(np.float32)
    H = np.asarray(layer(X, initial_state=h0))
    expected, _ = forward(X, np.asarray(layer.kernel), np.asarray(layer.bias), h0)
    np.testing.assert_allclose(H, expected, rtol=3e-5, atol=3e-6)
    last = np.asarray(layer(X))  # zeros before the first step
    expected, _ = forward(X, np.asarray(layer.kernel), np.asarray(layer.bias))
    np.testing.assert_allclose(last, expected, rtol=3e-5, atol=3e-6)


@pytest.mark.parametrize("chunk", [1, 4, 5, 64])
def test_chunked_scan_handles_chunks_that_do_not_divide_the_length(keras, chunk):
    rng = np.random.default_rng(4)
    a = rng.uniform(0.5, 1, (2, 23, 3)).astype(np.float32)
    b = rng.standard_normal((2, 23, 3)).astype(np.float32)
    H = rh.models.linear_scan(a, b, method="chunked", chunk=chunk)
    np.testing.assert_allclose(
        np.asarray(H), rh.rnn.linear_recurrence(a, b), rtol=1e-5, atol=1e-5
    )


def test_min_layers_return_the_last_state_and_count_their_weights(keras):
    x = keras.Input((9, 5))
    for name, blocks in (("MinGRU", 2), ("MinLSTM", 3)):
        layer = getattr(rh.models, name)(4)
        y = layer(x)
        assert tuple(y.shape) == (None, 4)
        assert layer.count_params() == rh.rnn.min_rnn_parameters(
            {"MinGRU": "minGRU", "MinLSTM": "minLSTM"}[name], 5, 4
        )
        assert layer.kernel.shape == (5, blocks * 4)


def test_min_layers_round_trip_their_config(keras):
    layer = rh.models.MinLSTM(3, method="chunked", chunk=4, return_sequences=True)
    clone = rh.models.MinLSTM.from_config(layer.get_config())
    assert (clone.units, clone.method, clone.chunk) == (3, "chunked", 4)
    assert clone.return_sequences


def test_min_layers_reject_bad_settings_and_inputs(keras):
    with pytest.raises(ValueError, match="method must be one of"):
        rh.models.MinGRU(4, method="cumprod")
    with pytest.raises(ValueError, match="units must be a positive integer"):
        rh.models.MinGRU(0)
    with pytest.raises(ValueError, match=r"reads sequences \(batch, num_steps"):
        rh.models.MinLSTM(4)(np.zeros((2, 5), np.float32))
    with pytest.raises(ValueError, match="method must be one of"):
        rh.models.linear_scan(np.ones((1, 2, 1)), np.ones((1, 2, 1)), method="log")


def test_training_step_seconds_times_a_training_step(keras):
    layer = rh.models.MinGRU(3, method="chunked", return_sequences=True)
    best, median = rh.models.training_step_seconds(
        layer, 8, batch_size=2, features=4, calls=2
    )
    assert 0 < best <= median
    assert layer.kernel.shape == (4, 6)


def test_training_step_seconds_rejects_bad_arguments(keras):
    with pytest.raises(ValueError, match="layer must be a Keras layer"):
        rh.models.training_step_seconds("GRU", 8)
    with pytest.raises(ValueError, match="num_steps must be a positive integer"):
        rh.models.training_step_seconds(rh.models.MinGRU(2), 0)
    with pytest.raises(ValueError, match="calls must be a positive integer"):
        rh.models.training_step_seconds(rh.models.MinGRU(2), 4, calls=0)
