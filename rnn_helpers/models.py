"""Keras model builders for the TensorFlow chapters (chapters 05-07).

The MNIST classifiers read an image as a sequence: its 28 rows are the time
steps, the 28 pixels of a row the features of a step, ``(batch, 28, 28)``
floats in [0, 1]. Each ends in a ``Dense`` layer of ``num_classes`` logits
(no softmax): ``compile_classifier`` pairs it with
``SparseCategoricalCrossentropy(from_logits=True)``. Every builder takes a
``seed`` for its initial weights (and dropout masks), so two models built
with the same seed start from the same numbers.

Importing this module imports TensorFlow (through Keras); the NumPy chapters
never do.
"""

import itertools
import time

import keras
import numpy as np

from . import checks

# ----------------------------------------------------------------------
# training and timing it (chapters 04-08)


class EpochTimer(keras.callbacks.Callback):
    """A Keras callback that keeps the training seconds of every epoch (chapter 05).

    ``model.fit(..., callbacks=[timer])``, then ``timer.seconds`` lists one
    number per epoch: from the epoch's start to the end of its last training
    batch, so evaluating ``validation_data`` is not counted. The first epoch
    also traces the training step into a graph; ``steady_seconds()`` (the
    median of the other epochs) is the fair time per epoch.
    """

    def __init__(self):
        super().__init__()
        self.seconds = []
        self._start = self._last_batch = None

    def on_epoch_begin(self, epoch, logs=None):
        self._start = self._last_batch = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        self._last_batch = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(self._last_batch - self._start)

    def steady_seconds(self):
        """Median seconds per epoch, leaving out the first when there are others."""
        if not self.seconds:
            raise ValueError("no epoch timed yet: pass the timer to model.fit first")
        return float(np.median(self.seconds[1:] or self.seconds))


def train(model, x, y, *, epochs, batch_size, validation_data=None, **fit_kwargs):
    """Fit a compiled Keras model quietly: ``(history, seconds)`` (chapter 05).

    The book's one Keras training loop: ``model.fit`` with ``verbose=0`` and
    an ``EpochTimer``, so that nothing reaches the page. ``x``, ``y``: arrays
    with one row per example (lists or dicts of them for several inputs or
    outputs), or ``x`` a ``tf.data.Dataset`` of ``(x, y)`` batches with
    ``y=None`` and ``batch_size=None``. ``validation_data``: ``(x_val,
    y_val)``. Other keywords go to ``model.fit`` (``shuffle``,
    ``steps_per_epoch``, more ``callbacks``...). Shuffling draws from the
    seeds that ``rh.config.seed_everything`` set, so a run repeats itself.

    Returns Keras's ``History`` (``history.history``: each metric per epoch;
    ``history.epoch_seconds``: each epoch's training seconds) and
    ``seconds``, the steady seconds per epoch (``EpochTimer.steady_seconds``).
    """
    if not isinstance(model, keras.Model):
        raise ValueError(f"model must be a keras.Model, got {checks.shown(model)}")
    if not model.compiled:
        raise ValueError("model must be compiled first, e.g. with compile_classifier")
    epochs = checks.integer(epochs, "epochs", minimum=1)
    if "verbose" in fit_kwargs:
        raise ValueError("train is quiet: it always fits with verbose=0")
    if hasattr(x, "element_spec"):  # a tf.data.Dataset: it batches itself
        fit_kwargs.setdefault("shuffle", False)  # and shuffles itself, if at all
        if y is not None or batch_size is not None:
            raise ValueError(
                "a tf.data.Dataset carries its own labels and batches: pass "
                f"y=None and batch_size=None, got y={checks.shown(y)} and "
                f"batch_size={checks.shown(batch_size)}"
            )
    else:
        batch_size = checks.integer(batch_size, "batch_size", minimum=1)
        _same_rows(x=x, y=y)
    if validation_data is not None:
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
            raise ValueError(
                "validation_data must be a pair (x_val, y_val), got "
                f"{checks.shown(validation_data)}"
            )
        _same_rows(x_val=validation_data[0], y_val=validation_data[1])
    timer = EpochTimer()
    history = model.fit(
        x,
        y,
        epochs=epochs,
        batch_size=batch_size,
        validation_data=validation_data,
        callbacks=[*fit_kwargs.pop("callbacks", []), timer],
        verbose=0,
        **fit_kwargs,
    )
    history.epoch_seconds = list(timer.seconds)
    return history, timer.steady_seconds()


def _same_rows(**named):
    """Check that every array (or list or dict of arrays) has the same rows."""
    rows = {}
    for name, value in named.items():
        if isinstance(value, dict):
            parts = [(f"{name}[{k!r}]", v) for k, v in value.items()]
        elif isinstance(value, (list, tuple)) and all(
            hasattr(v, "shape") for v in value
        ):
            parts = [(f"{name}[{i}]", v) for i, v in enumerate(value)]
        else:
            parts = [(name, value)]
        for part, value_part in parts:
            arr = checks.array(value_part, part)
            if arr.ndim == 0:
                raise ValueError(f"{part} must have one row per example, got a scalar")
            rows[part] = len(arr)
    if len(set(rows.values())) > 1:
        raise ValueError(f"every array needs the same number of rows, got {rows}")


# ----------------------------------------------------------------------
# MNIST row-by-row classifiers (chapters 05-06)


def _seeds(seed):
    """Integer seeds ``seed * 1000, seed * 1000 + 1, ...``: one per initializer."""
    return itertools.count(checks.integer(seed, "seed", minimum=0) * 1000)


def _input(num_steps, features, name="rows"):
    """``keras.Input`` for sequences ``(batch, num_steps, features)``."""
    num_steps = checks.integer(num_steps, "num_steps", minimum=1)
    features = checks.integer(features, "features", minimum=1)
    return keras.Input((num_steps, features), name=name)


def _recurrent(kind, state_size, seeds, **kwargs):
    """A ``keras.layers.LSTM`` or ``GRU`` with seeded initial weights."""
    layer = {"lstm": keras.layers.LSTM, "gru": keras.layers.GRU}[kind]
    return layer(
        checks.integer(state_size, "state_size", minimum=1),
        kernel_initializer=keras.initializers.GlorotUniform(seed=next(seeds)),
        recurrent_initializer=keras.initializers.Orthogonal(seed=next(seeds)),
        **kwargs,
    )


def _readout(num_classes, seeds):
    return keras.layers.Dense(
        checks.integer(num_classes, "num_classes", minimum=1),
        kernel_initializer=keras.initializers.GlorotUniform(seed=next(seeds)),
        name="readout",
    )


def lstm_classifier(state_size=128, num_steps=28, features=28, num_classes=10, seed=0):
    """Image rows -> ``LSTM(state_size)`` -> ``Dense(num_classes)`` logits (chapter 05).

    The source's network: 28 steps of 28 pixels, a state of 128, the last hidden
    state read out by one dense layer. Input ``(batch, num_steps, features)``,
    output logits ``(batch, num_classes)``. Returns an uncompiled
    ``keras.Sequential``.
    """
    return _one_layer_classifier(
        "lstm", state_size, num_steps, features, num_classes, seed
    )


def bidirectional_lstm_classifier(
    state_size=128, num_steps=28, features=28, num_classes=10, seed=0
):
    """Rows -> an ``LSTM`` each way, last states side by side -> logits (chapter 06).

    One LSTM reads the rows top to bottom, a second one bottom to top; the
    read-out sees both last states side by side, ``2 * state_size`` features.
    Input ``(batch, num_steps, features)``, output ``(batch, num_classes)``.
    """
    seeds = _seeds(seed)
    forward = _recurrent("lstm", state_size, seeds, name="forward_lstm")
    # Built explicitly (Keras would copy the forward layer's config) so that
    # the two directions start from different seeded weights.
    backward = _recurrent(
        "lstm", state_size, seeds, go_backwards=True, name="backward_lstm"
    )
    return keras.Sequential(
        [
            _input(num_steps, features),
            keras.layers.Bidirectional(forward, backward_layer=backward, name="bilstm"),
            _readout(num_classes, seeds),
        ],
        name="bidirectional_lstm_classifier",
    )


def stacked_lstm_classifier(
    state_size=128,
    num_layers=2,
    dropout=0.2,
    num_steps=28,
    features=28,
    num_classes=10,
    seed=0,
):
    """``num_layers`` LSTMs on top of each other, dropout between them (chapter 06).

    Every LSTM but the last returns its whole sequence of states
    (``return_sequences=True``), which is the input sequence of the next.
    A ``Dropout(dropout)`` layer sits between consecutive LSTMs: it drops
    connections from one layer to the next at the same step, never the
    connections from one step to the next within a layer. Input
    ``(batch, num_steps, features)``, output ``(batch, num_classes)``.
    """
    checks.number(dropout, "dropout", minimum=0, below=1)
    seeds = _seeds(seed)
    num_layers = checks.integer(num_layers, "num_layers", minimum=1)
    layers = [_input(num_steps, features)]
    for k in range(1, num_layers + 1):
        last = k == num_layers
        layers.append(
            _recurrent(
                "lstm", state_size, seeds, return_sequences=not last, name=f"lstm_{k}"
            )
        )
        if not last and dropout > 0:
            layers.append(
                keras.layers.Dropout(dropout, seed=next(seeds), name=f"dropout_{k}")
            )
    layers.append(_readout(num_classes, seeds))
    return keras.Sequential(layers, name=f"stacked_lstm_classifier_{num_layers}")


def gru_classifier(state_size=128, num_steps=28, features=28, num_classes=10, seed=0):
    """Rows -> ``GRU(state_size)`` -> ``Dense(num_classes)`` logits (chapter 06).

    The LSTM classifier with a gated recurrent unit in its place: two gates
    instead of three and no separate cell state. Input
    ``(batch, num_steps, features)``, output ``(batch, num_classes)``.
    """
    return _one_layer_classifier(
        "gru", state_size, num_steps, features, num_classes, seed
    )


def _one_layer_classifier(kind, state_size, num_steps, features, num_classes, seed):
    """Rows -> one ``kind`` layer (``'lstm'`` or ``'gru'``) -> dense logits."""
    seeds = _seeds(seed)
    return keras.Sequential(
        [
            _input(num_steps, features),
            _recurrent(kind, state_size, seeds, name=kind),
            _readout(num_classes, seeds),
        ],
        name=f"{kind}_classifier",
    )


def compile_classifier(model, lr=1e-3):
    """Compile ``model`` with Adam(``lr``) and cross-entropy on logits (chapter 05).

    The source's optimiser and loss: ``keras.optimizers.Adam(lr)`` and
    ``SparseCategoricalCrossentropy(from_logits=True)`` on integer labels,
    with accuracy as the metric. Returns the model.
    """
    if not isinstance(model, keras.Model):
        raise ValueError(f"expected a keras.Model, got {type(model).__name__}")
    checks.number(lr, "lr", above=0)
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=lr),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    return model


# ----------------------------------------------------------------------
# predicting the next value of a series (chapter 07)


def sine_lstm(state_size=30, num_layers=2, num_steps=10, unroll=True, seed=0):
    """Stacked LSTMs -> ``Dense(1)``: the next value of a series (chapter 07).

    The source's sine predictor: two LSTMs with states of 30 over windows of 10
    steps, the top one's last state read out as one number. Input
    ``(batch, num_steps, 1)``, output ``(batch, 1)``. ``unroll=True`` writes
    the short loop over steps out as straight-line code, which runs faster on
    a CPU than a symbolic loop. Returns an uncompiled ``keras.Sequential``.
    """
    seeds = _seeds(seed)
    num_layers = checks.integer(num_layers, "num_layers", minimum=1)
    layers = [_input(num_steps, 1, name="window")]
    for k in range(1, num_layers + 1):
        layers.append(
            _recurrent(
                "lstm",
                state_size,
                seeds,
                return_sequences=k < num_layers,
                unroll=bool(unroll),
                name=f"lstm_{k}",
            )
        )
    layers.append(_readout(1, seeds))
    return keras.Sequential(layers, name="sine_lstm")
