"""rh.data's sine windows and rh.models.sine_lstm (chapter 07)."""

import numpy as np
import pytest

import rnn_helpers as rh

# --------------------------------------------------------------------------
# sine_series


def test_sine_series_samples_the_wave_every_dt_from_start():
    values = rh.data.sine_series(5, start=1.0, dt=0.5)
    assert values.shape == (5,) and values.dtype == np.float32
    np.testing.assert_allclose(values, np.sin(1.0 + 0.5 * np.arange(5)), rtol=1e-6)


def test_sine_series_takes_any_wave():
    values = rh.data.sine_series(4, dt=1.0, wave=lambda t: t**2)
    np.testing.assert_array_equal(values, [0, 1, 4, 9])


def test_sine_series_noise_has_the_requested_spread_and_follows_the_seed():
    clean = rh.data.sine_series(20_000)
    noisy = rh.data.sine_series(20_000, noise=0.1, seed=3)
    assert np.std(noisy - clean) == pytest.approx(0.1, rel=0.03)
    np.testing.assert_array_equal(noisy, rh.data.sine_series(20_000, noise=0.1, seed=3))
    assert not np.array_equal(noisy, rh.data.sine_series(20_000, noise=0.1, seed=4))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(num_points=0), "num_points must be a positive integer"),
        (dict(num_points=2.5), "num_points must be a positive integer"),
        (dict(num_points=10, dt=0), "the step dt must be a positive number"),
        (dict(num_points=10, start=np.nan), "start must be a finite number, got nan"),
        (
            dict(num_points=10, noise=-0.1),
            r"noise \(a standard deviation\) must be a number >= 0",
        ),
        (
            dict(num_points=10, noise="a lot"),
            "noise .* must be a number >= 0, got 'a lot'",
        ),
        (dict(num_points=10, wave=lambda t: t[:-1]), "must return 10 finite values"),
        (dict(num_points=10, wave=lambda t: 1 / (t - t)), "must return 10 finite"),
    ],
)
def test_sine_series_rejects_bad_arguments(kwargs, message):
    with np.errstate(divide="ignore", invalid="ignore"):
        with pytest.raises(ValueError, match=message):
            rh.data.sine_series(**kwargs)


# --------------------------------------------------------------------------
# make_windows


def test_make_windows_pairs_each_window_with_the_next_value():
    X, y = rh.data.make_windows(np.arange(7.0), num_steps=3)
    assert X.shape == (4, 3, 1) and y.shape == (4, 1)
    np.testing.assert_array_equal(
        X[:, :, 0], [[0, 1, 2], [1, 2, 3], [2, 3, 4], [3, 4, 5]]
    )
    np.testing.assert_array_equal(y[:, 0], [3, 4, 5, 6])


def test_make_windows_horizon_puts_the_target_further_ahead():
    X, y = rh.data.make_windows(np.arange(10.0), num_steps=3, horizon=4)
    assert X.shape == (4, 3, 1)
    np.testing.assert_array_equal(y[:, 0], X[:, -1, 0] + 4)


def test_make_windows_keeps_the_dtype_and_copies():
    series = np.arange(6, dtype=np.float32)
    X, y = rh.data.make_windows(series, num_steps=2)
    assert X.dtype == y.dtype == np.float32
    X[0, 0, 0] = 99
    assert series[0] == 0


def test_make_windows_accepts_a_series_exactly_one_window_long():
    X, y = rh.data.make_windows(np.arange(4.0), num_steps=3)
    assert X.shape == (1, 3, 1) and y[0, 0] == 3


@pytest.mark.parametrize(
    ("series", "kwargs", "message"),
    [
        (np.arange(3.0), dict(num_steps=3), "too short for one window"),
        (np.arange(10.0), dict(num_steps=5, horizon=6), "needs at least 11 values"),
        (np.zeros((4, 3)), {}, r"series must have shape \(T,\), got \(4, 3\)"),
        (np.arange(20), {}, "series must hold floats, got dtype int"),
        (np.array([0.0, np.nan, 1.0] * 5), {}, "NaN or infinite"),
        (np.arange(20.0), dict(num_steps=0), "num_steps must be a positive integer"),
        (np.arange(20.0), dict(horizon=1.5), "horizon must be a positive integer"),
        (np.arange(20.0), dict(num_steps=True), r"num_steps must be .* \(a bool\)"),
    ],
)
def test_make_windows_rejects_bad_input(series, kwargs, message):
    with pytest.raises(ValueError, match=message):
        rh.data.make_windows(series, **kwargs)


# --------------------------------------------------------------------------
# sine_data


def test_sine_data_has_the_sources_shapes_by_default():
    (X_train, y_train), (X_test, y_test) = rh.data.sine_data()
    assert X_train.shape == (10_000, 10, 1) and y_train.shape == (10_000, 1)
    assert X_test.shape == (1_000, 10, 1) and y_test.shape == (1_000, 1)
    assert X_train.dtype == np.float32


def test_sine_data_test_stretch_continues_after_the_training_stretch():
    dt = 0.01
    (X_train, y_train), (X_test, y_test) = rh.data.sine_data(50, 20, num_steps=4)
    np.testing.assert_allclose(X_train[0, :, 0], np.sin(dt * np.arange(4)), atol=1e-7)
    np.testing.assert_allclose(y_train[-1, 0], np.sin(dt * 53), atol=1e-7)
    # The training stretch holds 50 + 4 samples; the test stretch starts next.
    np.testing.assert_allclose(X_test[0, :, 0], np.sin(dt * (54 + np.arange(4))))
    np.testing.assert_allclose(y_test[:, 0], np.sin(dt * (58 + np.arange(20))))


def test_sine_data_noise_differs_between_the_stretches_and_follows_the_seed():
    (Xa, _), (Xb, _) = rh.data.sine_data(200, 200, noise=0.1, seed=1)
    (Xc, _), (Xd, _) = rh.data.sine_data(200, 200, noise=0.1, seed=1)
    (Xe, _), (Xf, _) = rh.data.sine_data(200, 200)
    np.testing.assert_array_equal(Xa, Xc)
    np.testing.assert_array_equal(Xb, Xd)
    assert not np.allclose(Xa - Xe, Xb - Xf)


def test_sine_data_rejects_empty_splits():
    with pytest.raises(ValueError, match="num_test must be a positive integer"):
        rh.data.sine_data(num_test=0)


def test_two_tap_linear_recurrence_is_exact_on_the_sine_windows():
    # The chapter's identity: s[k+1] = 2 cos(dt) s[k] - s[k-1].
    (X, y), _ = rh.data.sine_data(500, 10, dt=0.05)
    prediction = 2 * np.cos(0.05) * X[:, -1, 0] - X[:, -2, 0]
    np.testing.assert_allclose(prediction, y[:, 0], atol=1e-6)


# --------------------------------------------------------------------------
# rh.models.sine_lstm


def test_sine_lstm_has_the_sources_layers_and_parameter_count():
    pytest.importorskip("keras")
    model = rh.models.sine_lstm()
    lstm_1, lstm_2, readout = model.layers
    assert model.input_shape == (None, 10, 1) and model.output_shape == (None, 1)
    assert (lstm_1.units, lstm_2.units, readout.units) == (30, 30, 1)
    assert lstm_1.return_sequences and not lstm_2.return_sequences
    assert model.count_params() == 4 * 30 * (1 + 30 + 1) + 4 * 30 * (30 + 30 + 1) + 31


def test_sine_lstm_is_two_lstm_forwards_then_the_readout():
    pytest.importorskip("keras")
    model = rh.models.sine_lstm(state_size=8, num_steps=5, seed=3)
    X = np.random.default_rng(0).standard_normal((4, 5, 1)).astype(np.float32)
    lstm_1, lstm_2, readout = model.layers
    H, _, _ = rh.rnn.lstm_forward(X, *lstm_1.get_weights())
    _, h_T, _ = rh.rnn.lstm_forward(H, *lstm_2.get_weights())
    W, b = readout.get_weights()
    np.testing.assert_allclose(np.asarray(model(X)), h_T @ W + b, atol=1e-5)


def test_sine_lstm_unrolled_or_not_computes_the_same_function():
    pytest.importorskip("keras")
    X = np.random.default_rng(1).standard_normal((3, 6, 1)).astype(np.float32)
    unrolled = rh.models.sine_lstm(state_size=4, num_layers=3, num_steps=6, seed=2)
    looped = rh.models.sine_lstm(
        state_size=4, num_layers=3, num_steps=6, seed=2, unroll=False
    )
    assert [layer.unroll for layer in unrolled.layers[:-1]] == [True] * 3
    assert [layer.unroll for layer in looped.layers[:-1]] == [False] * 3
    np.testing.assert_allclose(
        np.asarray(unrolled(X)), np.asarray(looped(X)), atol=1e-6
    )


def test_sine_lstm_seed_fixes_the_initial_weights():
    pytest.importorskip("keras")
    a, b = (
        rh.models.sine_lstm(state_size=4, seed=1),
        rh.models.sine_lstm(state_size=4, seed=1),
    )
    c = rh.models.sine_lstm(state_size=4, seed=2)
    for wa, wb in zip(a.get_weights(), b.get_weights(), strict=True):
        np.testing.assert_array_equal(wa, wb)
    assert not np.array_equal(a.get_weights()[0], c.get_weights()[0])


def test_sine_lstm_learns_the_next_value_of_a_sine():
    keras = pytest.importorskip("keras")
    (X, y), (X_test, y_test) = rh.data.sine_data(2_000, 200, dt=0.05)
    model = rh.models.sine_lstm(state_size=8, seed=0)
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    model.fit(X, y, batch_size=64, epochs=5, verbose=0)
    rmse = np.sqrt(np.mean((model.predict_on_batch(X_test) - y_test) ** 2))
    persistence = np.sqrt(np.mean((X_test[:, -1] - y_test) ** 2))
    assert rmse < persistence


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(state_size=0), "state_size must be a positive integer"),
        (dict(num_layers=0), "num_layers must be a positive integer"),
        (dict(num_steps=2.0), "num_steps must be a positive integer"),
        (dict(seed=-1), "seed must be a non-negative integer"),
    ],
)
def test_sine_lstm_rejects_bad_sizes_and_seeds(kwargs, message):
    pytest.importorskip("keras")
    with pytest.raises(ValueError, match=message):
        rh.models.sine_lstm(**kwargs)


@pytest.mark.parametrize("seed", [-1, 1.5, "0", True])
def test_sine_data_rejects_bad_seeds(seed):
    with pytest.raises(ValueError, match="seed must be a non-negative integer"):
        rh.data.sine_data(20, 5, noise=0.1, seed=seed)
