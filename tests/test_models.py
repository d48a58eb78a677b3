"""rh.models: the Keras classifiers, their seeds, compiling, training and timing."""

import warnings

import numpy as np
import pytest

import rnn_helpers as rh

keras = pytest.importorskip("keras")

BUILDERS = [
    rh.models.lstm_classifier,
    rh.models.bidirectional_lstm_classifier,
    rh.models.stacked_lstm_classifier,
    rh.models.gru_classifier,
]


def _rows(n=6, num_steps=28, features=28, seed=0):
    rng = np.random.default_rng(seed)
    return rng.uniform(0, 1, (n, num_steps, features)).astype(np.float32)


@pytest.mark.parametrize("build", BUILDERS, ids=lambda b: b.__name__)
def test_classifier_maps_rows_to_logits(build):
    model = build(state_size=8, num_steps=5, features=3, num_classes=4)
    assert model.input_shape == (None, 5, 3)
    assert model.output_shape == (None, 4)
    logits = np.asarray(model(_rows(2, 5, 3)))
    assert logits.shape == (2, 4) and np.all(np.isfinite(logits))


@pytest.mark.parametrize("build", BUILDERS, ids=lambda b: b.__name__)
def test_same_seed_gives_the_same_initial_weights(build):
    a, b, c = (
        build(state_size=8, seed=1),
        build(state_size=8, seed=1),
        build(state_size=8, seed=2),
    )
    for wa, wb in zip(a.get_weights(), b.get_weights(), strict=True):
        np.testing.assert_array_equal(wa, wb)
    assert any(
        not np.array_equal(wa, wc)
        for wa, wc in zip(a.get_weights(), c.get_weights(), strict=True)
    )


def test_lstm_classifier_has_the_sources_shape_and_parameter_count():
    model = rh.models.lstm_classifier()
    lstm, readout = model.layers
    assert lstm.units == 128 and not lstm.return_sequences
    # 4 gates x (28 inputs + 128 recurrent + 1 bias) x 128 units, then 128 x 10 + 10.
    assert model.count_params() == 4 * (28 + 128 + 1) * 128 + 128 * 10 + 10


def test_lstm_classifier_is_lstm_forward_then_the_readout():
    model = rh.models.lstm_classifier(state_size=16)
    X = _rows()
    lstm, readout = model.layers
    _, h_T, _ = rh.rnn.lstm_forward(X, *lstm.get_weights())
    W, b = readout.get_weights()
    np.testing.assert_allclose(np.asarray(model(X)), h_T @ W + b, atol=1e-5)


def test_bidirectional_concatenates_forward_and_backward_last_states():
    model = rh.models.bidirectional_lstm_classifier(state_size=16)
    bilstm, readout = model.layers
    assert model.layers[0].output.shape == (None, 32)
    forward = bilstm.forward_layer.get_weights()
    backward = bilstm.backward_layer.get_weights()
    assert not np.array_equal(forward[0], backward[0]), "directions start equal"
    X = _rows()
    _, h_forward, _ = rh.rnn.lstm_forward(X, *forward)
    _, h_backward, _ = rh.rnn.lstm_forward(X[:, ::-1], *backward)
    W, b = readout.get_weights()
    expected = np.concatenate([h_forward, h_backward], axis=1) @ W + b
    np.testing.assert_allclose(np.asarray(model(X)), expected, atol=1e-5)


def test_stacked_classifier_passes_sequences_up_with_dropout_between():
    model = rh.models.stacked_lstm_classifier(state_size=8, num_layers=3, dropout=0.25)
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds == ["LSTM", "Dropout", "LSTM", "Dropout", "LSTM", "Dense"]
    lstms = [layer for layer in model.layers if isinstance(layer, keras.layers.LSTM)]
    dropouts = [d for d in model.layers if isinstance(d, keras.layers.Dropout)]
    assert [layer.return_sequences for layer in lstms] == [True, True, False]
    # Never across time steps: no recurrent dropout inside the layers.
    assert all(layer.recurrent_dropout == 0 for layer in lstms)
    assert [layer.rate for layer in dropouts] == [0.25, 0.25]
    plain = rh.models.stacked_lstm_classifier(state_size=8, dropout=0)
    assert "Dropout" not in [type(layer).__name__ for layer in plain.layers]


def test_dropout_is_off_at_prediction_time():
    model = rh.models.stacked_lstm_classifier(state_size=8, dropout=0.5)
    X = _rows()
    np.testing.assert_array_equal(np.asarray(model(X)), np.asarray(model(X)))
    assert not np.allclose(np.asarray(model(X, training=True)), np.asarray(model(X)))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(state_size=0), "state_size must be a positive integer"),
        (dict(state_size=2.5), "state_size must be a positive integer"),
        (dict(num_steps=True), "num_steps must be a positive integer"),
        (dict(num_classes=-1), "num_classes must be a positive integer"),
        (dict(seed=-1), "seed must be a non-negative integer"),
        (dict(seed=None), "seed must be a non-negative integer"),
    ],
)
@pytest.mark.parametrize("build", BUILDERS, ids=lambda b: b.__name__)
def test_builders_reject_bad_sizes_and_seeds(build, kwargs, message):
    with pytest.raises(ValueError, match=message):
        build(**kwargs)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(num_layers=0), "num_layers must be a positive integer"),
        (dict(dropout=1.0), r"dropout must be a number in \[0, 1\)"),
        (dict(dropout=-0.1), r"dropout must be a number in \[0, 1\)"),
        (dict(dropout="0.2"), r"dropout must be a number in \[0, 1\)"),
    ],
)
def test_stacked_classifier_rejects_bad_layers_and_dropout(kwargs, message):
    with pytest.raises(ValueError, match=message):
        rh.models.stacked_lstm_classifier(**kwargs)


def _toy_task(n=256, seed=0):
    # Which half of the sequence is brighter: a task an LSTM learns in seconds.
    rng = np.random.default_rng(seed)
    X = rng.uniform(0, 0.5, (n, 6, 2)).astype(np.float32)
    y = rng.integers(0, 2, n)
    X[y == 0, :3] += 0.5
    X[y == 1, 3:] += 0.5
    return X, y


def _toy_model(seed=0):
    model = rh.models.lstm_classifier(
        state_size=8, num_steps=6, features=2, num_classes=2, seed=seed
    )
    return rh.models.compile_classifier(model, lr=1e-2)


def test_compiled_classifier_learns_a_toy_task_and_times_its_epochs():
    X, y = _toy_task()
    model = rh.models.lstm_classifier(
        state_size=8, num_steps=6, features=2, num_classes=2
    )
    assert rh.models.compile_classifier(model, lr=1e-2) is model
    assert isinstance(model.loss, keras.losses.SparseCategoricalCrossentropy)
    timer = rh.models.EpochTimer()
    history = model.fit(X, y, batch_size=32, epochs=5, verbose=0, callbacks=[timer])
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert history.history["accuracy"][-1] > 0.9
    assert len(timer.seconds) == 5 and all(s > 0 for s in timer.seconds)
    assert timer.steady_seconds() == pytest.approx(np.median(timer.seconds[1:]))


def test_epoch_timer_needs_a_fit_first():
    with pytest.raises(ValueError, match="no epoch timed yet"):
        rh.models.EpochTimer().steady_seconds()


@pytest.mark.parametrize(
    ("model", "lr", "message"),
    [
        ("not a model", 1e-3, "expected a keras.Model, got str"),
        (None, 0.0, "lr must be a positive number"),
        (None, "fast", "lr must be a positive number"),
    ],
)
def test_compile_classifier_rejects_bad_arguments(model, lr, message):
    model = rh.models.lstm_classifier(state_size=4) if model is None else model
    with pytest.raises(ValueError, match=message):
        rh.models.compile_classifier(model, lr=lr)


# ----------------------------------------------------------------------
# the one training loop


def test_train_fits_quietly_and_returns_history_and_steady_seconds(capsys):
    X, y = _toy_task()
    model = _toy_model()
    history, seconds = rh.models.train(
        model, X, y, epochs=4, batch_size=32, validation_data=(X[:64], y[:64])
    )
    assert capsys.readouterr().out == ""
    assert len(history.history["loss"]) == 4
    assert len(history.history["val_accuracy"]) == 4
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert len(history.epoch_seconds) == 4 and all(s > 0 for s in history.epoch_seconds)
    assert seconds == pytest.approx(np.median(history.epoch_seconds[1:]))


def test_train_is_repeatable_after_seeding():
    X, y = _toy_task(128)
    losses = []
    for _ in range(2):
        rh.config.seed_everything(0)
        history, _ = rh.models.train(_toy_model(), X, y, epochs=2, batch_size=16)
        losses.append(history.history["loss"])
    assert losses[0] == losses[1]


def test_train_passes_other_keywords_and_callbacks_to_fit():
    X, y = _toy_task(64)
    seen = []

    class Count(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            seen.append(epoch)

    history, _ = rh.models.train(
        _toy_model(), X, y, epochs=3, batch_size=16, shuffle=False, callbacks=[Count()]
    )
    assert seen == [0, 1, 2] and len(history.epoch_seconds) == 3


def test_train_takes_a_dataset_that_batches_itself():
    tf = pytest.importorskip("tensorflow")
    X, y = _toy_task(64)
    batches = tf.data.Dataset.from_tensor_slices((X, y)).batch(16)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "shuffle is ignored" on the page
        history, seconds = rh.models.train(
            _toy_model(), batches, None, epochs=2, batch_size=None
        )
    assert len(history.history["loss"]) == 2 and seconds > 0
    with pytest.raises(ValueError, match="pass y=None and batch_size=None"):
        rh.models.train(_toy_model(), batches, None, epochs=1, batch_size=16)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (dict(model="a model"), "model must be a keras.Model, got 'a model'"),
        (dict(epochs=0), "epochs must be a positive integer, got 0"),
        (dict(epochs=True), r"epochs must be a positive integer, got True \(a bool\)"),
        (dict(batch_size=2.5), "batch_size must be a positive integer, got 2.5"),
        (dict(verbose=2), "train is quiet"),
        (dict(x=np.zeros((0, 6, 2))), "x needs at least one entry along every axis"),
        (dict(y=np.zeros(5, int)), "every array needs the same number of rows"),
        (dict(x=np.full((64, 6, 2), np.nan)), "x contains NaN or infinite values"),
        (
            dict(validation_data=(np.zeros((4, 6, 2)),)),
            r"validation_data must be a pair \(x_val, y_val\)",
        ),
        (
            dict(validation_data=(np.zeros((4, 6, 2)), np.zeros(3))),
            "every array needs the same number of rows",
        ),
    ],
)
def test_train_rejects_bad_arguments_before_fitting(change, message):
    X, y = _toy_task(64)
    model = _toy_model()
    before = [w.copy() for w in model.get_weights()]
    args = dict(model=model, x=X, y=y, epochs=1, batch_size=16) | change
    with pytest.raises(ValueError, match=message):
        rh.models.train(**args)
    for w, w0 in zip(model.get_weights(), before, strict=True):
        np.testing.assert_array_equal(w, w0)


def test_train_needs_a_compiled_model():
    model = rh.models.lstm_classifier(state_size=4, num_steps=6, features=2)
    X, y = _toy_task(32)
    with pytest.raises(ValueError, match="model must be compiled first"):
        rh.models.train(model, X, y, epochs=1, batch_size=8)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(state_size=0), "state_size must be a positive integer, got 0"),
        (dict(num_layers=True), r"num_layers must be a positive integer, got True"),
        (dict(num_steps=2.0), "num_steps must be a positive integer, got 2.0"),
        (dict(seed="0"), "seed must be a non-negative integer"),
    ],
)
def test_sine_lstm_rejects_bad_sizes_and_seeds(kwargs, message):
    with pytest.raises(ValueError, match=message):
        rh.models.sine_lstm(**kwargs)
