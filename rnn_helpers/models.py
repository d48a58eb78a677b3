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

# ----------------------------------------------------------------------
# timing training (chapters 05-06)


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


# ----------------------------------------------------------------------
# MNIST row-by-row classifiers (chapters 05-06)


def _seeds(seed):
    """Integer seeds ``seed * 1000, seed * 1000 + 1, ...``: one per initializer."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    return itertools.count(int(seed) * 1000)


def _check_sizes(**sizes):
    for name, value in sizes.items():
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")


def _check_rate(dropout):
    if isinstance(dropout, bool) or not isinstance(dropout, (int, float)):
        raise ValueError(f"dropout must be a number in [0, 1), got {dropout!r}")
    if not 0 <= dropout < 1:
        raise ValueError(f"dropout must be a number in [0, 1), got {dropout!r}")


def _recurrent(kind, units, seeds, **kwargs):
    """A ``keras.layers.LSTM`` or ``GRU`` with seeded initial weights."""
    layer = {"lstm": keras.layers.LSTM, "gru": keras.layers.GRU}[kind]
    return layer(
        units,
        kernel_initializer=keras.initializers.GlorotUniform(seed=next(seeds)),
        recurrent_initializer=keras.initializers.Orthogonal(seed=next(seeds)),
        **kwargs,
    )


def _readout(num_classes, seeds):
    return keras.layers.Dense(
        num_classes,
        kernel_initializer=keras.initializers.GlorotUniform(seed=next(seeds)),
        name="readout",
    )


def lstm_classifier(units=128, steps=28, features=28, num_classes=10, seed=0):
    """Image rows -> ``LSTM(units)`` -> ``Dense(num_classes)`` logits (chapter 05).

    The source's network: 28 steps of 28 pixels, 128 units, the last hidden
    state read out by one dense layer. Input ``(batch, steps, features)``,
    output logits ``(batch, num_classes)``. Returns an uncompiled
    ``keras.Sequential``.
    """
    return _one_layer_classifier("lstm", units, steps, features, num_classes, seed)


def bidirectional_lstm_classifier(
    units=128, steps=28, features=28, num_classes=10, seed=0
):
    """Rows -> forward and backward ``LSTM(units)`` side by side -> logits (chapter 06).

    One LSTM reads the rows top to bottom, a second one bottom to top; the
    read-out sees both last states side by side, ``2 * units`` features.
    Input ``(batch, steps, features)``, output ``(batch, num_classes)``.
    """
    _check_sizes(units=units, steps=steps, features=features, num_classes=num_classes)
    seeds = _seeds(seed)
    forward = _recurrent("lstm", units, seeds, name="forward_lstm")
    # Built explicitly (Keras would copy the forward layer's config) so that
    # the two directions start from different seeded weights.
    backward = _recurrent("lstm", units, seeds, go_backwards=True, name="backward_lstm")
    return keras.Sequential(
        [
            keras.Input((steps, features), name="rows"),
            keras.layers.Bidirectional(forward, backward_layer=backward, name="bilstm"),
            _readout(num_classes, seeds),
        ],
        name="bidirectional_lstm_classifier",
    )


def stacked_lstm_classifier(
    units=128,
    num_layers=2,
    dropout=0.2,
    steps=28,
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
    ``(batch, steps, features)``, output ``(batch, num_classes)``.
    """
    _check_sizes(
        units=units,
        num_layers=num_layers,
        steps=steps,
        features=features,
        num_classes=num_classes,
    )
    _check_rate(dropout)
    seeds = _seeds(seed)
    layers = [keras.Input((steps, features), name="rows")]
    for k in range(1, num_layers + 1):
        last = k == num_layers
        layers.append(
            _recurrent(
                "lstm", units, seeds, return_sequences=not last, name=f"lstm_{k}"
            )
        )
        if not last and dropout > 0:
            layers.append(
                keras.layers.Dropout(dropout, seed=next(seeds), name=f"dropout_{k}")
            )
    layers.append(_readout(num_classes, seeds))
    return keras.Sequential(layers, name=f"stacked_lstm_classifier_{num_layers}")


def gru_classifier(units=128, steps=28, features=28, num_classes=10, seed=0):
    """Rows -> ``GRU(units)`` -> ``Dense(num_classes)`` logits (chapter 06).

    The LSTM classifier with a gated recurrent unit in its place: two gates
    instead of three and no separate cell state. Input
    ``(batch, steps, features)``, output ``(batch, num_classes)``.
    """
    return _one_layer_classifier("gru", units, steps, features, num_classes, seed)


def _one_layer_classifier(kind, units, steps, features, num_classes, seed):
    """Rows -> one ``kind`` layer (``'lstm'`` or ``'gru'``) -> dense logits."""
    _check_sizes(units=units, steps=steps, features=features, num_classes=num_classes)
    seeds = _seeds(seed)
    return keras.Sequential(
        [
            keras.Input((steps, features), name="rows"),
            _recurrent(kind, units, seeds, name=kind),
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
    if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not lr > 0:
        raise ValueError(f"lr must be a positive number, got {lr!r}")
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=lr),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    return model


# ----------------------------------------------------------------------
# predicting the next value of a series (chapter 07)


def sine_lstm(units=30, num_layers=2, num_steps=10, unroll=True, seed=0):
    """Stacked LSTMs -> ``Dense(1)``: the next value of a series (chapter 07).

    The source's sine predictor: two LSTMs of 30 units over windows of 10
    steps, the top one's last state read out as one number. Input
    ``(batch, num_steps, 1)``, output ``(batch, 1)``. ``unroll=True`` writes
    the short loop over steps out as straight-line code, which runs faster on
    a CPU than a symbolic loop. Returns an uncompiled ``keras.Sequential``.
    """
    _check_sizes(units=units, num_layers=num_layers, num_steps=num_steps)
    seeds = _seeds(seed)
    layers = [keras.Input((num_steps, 1), name="window")]
    for k in range(1, num_layers + 1):
        layers.append(
            _recurrent(
                "lstm",
                units,
                seeds,
                return_sequences=k < num_layers,
                unroll=bool(unroll),
                name=f"lstm_{k}",
            )
        )
    layers.append(_readout(1, seeds))
    return keras.Sequential(layers, name="sine_lstm")
