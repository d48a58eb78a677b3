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


# ----------------------------------------------------------------------
# minGRU and minLSTM, and the ways to run their recurrence (chapter 10)

#: The ways ``MinGRU`` and ``MinLSTM`` run their linear recurrence.
SCAN_METHODS = ("sequential", "log", "associative", "chunked")


def linear_scan(a, b, h0=None, method="associative", chunk=None):
    """``h_t = a_t * h_{t-1} + b_t`` in Keras ops, by ``method`` (chapter 10).

    ``a``, ``b``: tensors ``(batch, num_steps, state)``; ``h0``:
    ``(batch, state)`` or ``None`` (zeros). ``method``:

    - ``"sequential"``: ``keras.ops.scan`` over the steps, one after another;
    - ``"associative"``: ``keras.ops.associative_scan`` over the operator
      ``(a1, b1) o (a2, b2) = (a1 a2, a2 b1 + b2)``;
    - ``"chunked"``: the steps cut into chunks of ``chunk`` (default: about
      ``sqrt(num_steps)``); a loop over the positions inside every chunk at
      once, a loop over the chunks' ends, then one correction for all steps.

    (``"log"`` needs the logarithms: see ``log_linear_scan``.) Returns ``H``,
    ``(batch, num_steps, state)``.
    """
    ops = keras.ops
    method = checks.choice(method, "method", ("sequential", "associative", "chunked"))
    if method == "associative":
        A, B = ops.associative_scan(_combine, (a, b), axis=1)
        return B if h0 is None else A * h0[:, None] + B
    if h0 is None:
        h0 = ops.zeros_like(b[:, 0])
    if method == "sequential":

        def step(h, ab):
            h = ab[0] * h + ab[1]
            return h, h

        steps = (ops.moveaxis(a, 1, 0), ops.moveaxis(b, 1, 0))
        _, H = ops.scan(step, h0, steps)
        return ops.moveaxis(H, 0, 1)
    num_steps = a.shape[1]
    if num_steps is None:
        raise ValueError('method="chunked" needs a known number of steps')
    chunk = checks.integer(
        chunk if chunk is not None else _default_chunk(num_steps), "chunk", minimum=1
    )
    chunks = -(-num_steps // chunk)
    pad = chunks * chunk - num_steps
    if pad:  # a = 1, b = 0 past the end: the state stays as it is
        a = ops.pad(a, [[0, 0], [0, pad], [0, 0]], constant_values=1.0)
        b = ops.pad(b, [[0, 0], [0, pad], [0, 0]])
    n = b.shape[-1]
    # (position in chunk, batch, chunk, state): one loop over chunk positions.
    a_c = ops.transpose(ops.reshape(a, (-1, chunks, chunk, n)), (2, 0, 1, 3))
    b_c = ops.transpose(ops.reshape(b, (-1, chunks, chunk, n)), (2, 0, 1, 3))

    def inside(carry, ab):
        A, h = carry
        A, h = ab[0] * A, ab[0] * h + ab[1]
        return (A, h), (A, h)

    start = ops.zeros_like(b_c[0])
    _, (A, local) = ops.scan(inside, (ops.ones_like(start), start), (a_c, b_c))
    # The state entering every chunk: a loop over the chunks' ends.
    _, entering = ops.scan(
        lambda h, ab: (ab[0] * h + ab[1], h),
        h0,
        (ops.moveaxis(A[-1], 1, 0), ops.moveaxis(local[-1], 1, 0)),
    )
    H = local + A * ops.moveaxis(entering, 0, 1)[None]
    H = ops.reshape(ops.transpose(H, (1, 2, 0, 3)), (-1, chunks * chunk, n))
    return H[:, :num_steps]


def log_linear_scan(log_a, log_b, log_h0=None):
    """Heinsen's log-space scan in TensorFlow: ``log a``, ``log b`` in, ``H`` out.

    Introduced in chapter 10 (Heinsen, 2023). ``a* = cumsum(log a)`` and
    ``log h_t = a*_t + logcumsumexp(log b - a*)_t``, with ``log h_0`` as one
    more term before the first step (``None``: ``h_0 = 0``). Tensors
    ``(batch, num_steps, state)``; ``log_h0``: ``(batch, state)``.
    """
    import tensorflow as tf

    a_star = tf.cumsum(log_a, axis=1)
    terms = log_b - a_star
    if log_h0 is None:
        return tf.exp(a_star + tf.math.cumulative_logsumexp(terms, axis=1))
    terms = tf.concat([log_h0[:, None], terms], axis=1)
    return tf.exp(a_star + tf.math.cumulative_logsumexp(terms, axis=1)[:, 1:])


def _default_chunk(num_steps):
    """About ``sqrt(num_steps)``, a power of two: chunk loop and chunk count balance."""
    return 2 ** max(0, round(np.log2(max(num_steps, 1)) / 2))


def _combine(first, second):
    (a1, b1), (a2, b2) = first, second
    return a1 * a2, a2 * b1 + b2


def _g(x):
    ops = keras.ops
    return ops.where(x >= 0, ops.relu(x) + 0.5, ops.sigmoid(ops.minimum(x, 0.0)))


def _log_g(x):
    ops = keras.ops
    return ops.where(x >= 0, ops.log(ops.relu(x) + 0.5), -ops.softplus(-x))


class _MinimalRNN(keras.layers.Layer):
    """What minGRU and minLSTM share: weights, the scan, the returned states."""

    blocks = None  # gate blocks side by side in the kernel

    def __init__(
        self,
        units,
        method="log",
        return_sequences=False,
        chunk=None,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        kernel_constraint=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.units = checks.integer(units, "units", minimum=1)
        self.method = checks.choice(method, "method", SCAN_METHODS)
        self.return_sequences = bool(return_sequences)
        self.chunk = (
            None if chunk is None else checks.integer(chunk, "chunk", minimum=1)
        )
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.bias_initializer = keras.initializers.get(bias_initializer)
        self.kernel_constraint = keras.constraints.get(kernel_constraint)

    def build(self, input_shape):
        if len(input_shape) != 3 or input_shape[-1] is None:
            raise ValueError(
                f"{type(self).__name__} reads sequences (batch, num_steps, features) "
                f"with a known number of features, got input shape {input_shape}"
            )
        width = self.blocks * self.units
        self.kernel = self.add_weight(
            shape=(input_shape[-1], width),
            initializer=self.kernel_initializer,
            constraint=self.kernel_constraint,
            name="kernel",
        )
        self.bias = self.add_weight(
            shape=(width,), initializer=self.bias_initializer, name="bias"
        )

    def call(self, inputs, initial_state=None):
        ops = keras.ops
        pre = ops.matmul(inputs, self.kernel) + self.bias
        if self.method == "log":
            log_a, log_b = self.log_coefficients(pre)
            log_h0 = None if initial_state is None else ops.log(initial_state)
            H = log_linear_scan(log_a, log_b, log_h0)
        else:
            a, b = self.coefficients(pre)
            H = linear_scan(a, b, initial_state, self.method, self.chunk)
        return H if self.return_sequences else H[:, -1]

    def compute_output_shape(self, input_shape):
        if self.return_sequences:
            return (input_shape[0], input_shape[1], self.units)
        return (input_shape[0], self.units)

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "method": self.method,
            "return_sequences": self.return_sequences,
            "chunk": self.chunk,
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
            "bias_initializer": keras.initializers.serialize(self.bias_initializer),
            "kernel_constraint": keras.constraints.serialize(self.kernel_constraint),
        }


@keras.saving.register_keras_serializable(package="rnn_helpers")
class MinGRU(_MinimalRNN):
    """minGRU (Feng et al., 2024) as a Keras layer (chapter 10).

    ``z_t = sigmoid(x_t @ kernel_z + bias_z)``, ``h~_t = g(x_t @ kernel_h +
    bias_h)``, ``h_t = (1 - z_t) h_{t-1} + z_t h~_t``: the gates read the
    input only, so the recurrence is linear and runs by ``method``
    (``"log"``: Heinsen's log-space scan, as in the paper; ``"sequential"``,
    ``"associative"``, ``"chunked"``: see ``linear_scan``). The kernel holds
    the blocks (z, h~) side by side, exactly as ``rh.rnn.min_gru_forward``
    takes them. Input ``(batch, num_steps, features)``; output the last
    state ``(batch, units)``, or every state with ``return_sequences=True``.
    ``layer(x, initial_state=h0)`` starts from ``h0`` (``> 0`` for "log").
    """

    blocks = 2

    def coefficients(self, pre):
        k, pre_h = keras.ops.split(pre, 2, axis=-1)
        z = keras.ops.sigmoid(k)
        return 1.0 - z, z * _g(pre_h)

    def log_coefficients(self, pre):
        k, pre_h = keras.ops.split(pre, 2, axis=-1)
        return -keras.ops.softplus(k), -keras.ops.softplus(-k) + _log_g(pre_h)


@keras.saving.register_keras_serializable(package="rnn_helpers")
class MinLSTM(_MinimalRNN):
    """minLSTM (Feng et al., 2024) as a Keras layer (chapter 10).

    Input and forget gates from ``x_t`` only, normalised to sum to one,
    ``f'_t = f_t / (f_t + i_t)`` and ``i'_t = i_t / (f_t + i_t)``, and
    ``h_t = f'_t h_{t-1} + i'_t g(x_t @ kernel_h + bias_h)``. Kernel blocks
    (i, f, h~) in Keras's LSTM order, exactly as ``rh.rnn.min_lstm_forward``
    takes them; ``method``, shapes and ``initial_state`` as for ``MinGRU``.
    """

    blocks = 3

    def coefficients(self, pre):
        k_i, k_f, pre_h = keras.ops.split(pre, 3, axis=-1)
        i, f = keras.ops.sigmoid(k_i), keras.ops.sigmoid(k_f)
        return f / (f + i), i / (f + i) * _g(pre_h)

    def log_coefficients(self, pre):
        ops = keras.ops
        k_i, k_f, pre_h = ops.split(pre, 3, axis=-1)
        diff = ops.softplus(-k_f) - ops.softplus(-k_i)  # log(i / f)
        return -ops.softplus(diff), -ops.softplus(-diff) + _log_g(pre_h)


def training_step_seconds(layer, num_steps, *, batch_size=32, features=64, calls=5):
    """Seconds of one training step of ``layer`` on sequences of ``num_steps`` (ch. 10).

    The step is what training repeats: the layer's forward pass over a
    batch ``(batch_size, num_steps, features)`` of random numbers (every
    state returned), a mean-square loss on all states, its gradient with
    respect to the layer's weights, and one Adam update, all in one
    ``tf.function``. The first call (which traces the graph) is not timed;
    the next ``calls`` are. Returns ``(best, median)`` in seconds: the best
    call is the one least disturbed by other work on the machine.
    """
    import tensorflow as tf

    num_steps = checks.integer(num_steps, "num_steps", minimum=1)
    batch_size = checks.integer(batch_size, "batch_size", minimum=1)
    features = checks.integer(features, "features", minimum=1)
    calls = checks.integer(calls, "calls", minimum=1)
    if not isinstance(layer, keras.layers.Layer):
        raise ValueError(f"layer must be a Keras layer, got {checks.shown(layer)}")
    x = tf.random.stateless_normal((batch_size, num_steps, features), seed=(0, 1))
    layer(x)  # builds the weights
    optimizer = keras.optimizers.Adam(1e-3)

    @tf.function
    def step():
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(layer(x)))
        grads = tape.gradient(loss, layer.trainable_weights)
        optimizer.apply_gradients(zip(grads, layer.trainable_weights, strict=True))
        return loss

    # A new step function for every layer is the point here: TensorFlow's
    # warning about functions traced again and again would only fill the page.
    logger, level = tf.get_logger(), tf.get_logger().level
    logger.setLevel("ERROR")
    try:
        step().numpy()  # traces the step
    finally:
        logger.setLevel(level)
    seconds = []
    for _ in range(calls):
        start = time.perf_counter()
        step().numpy()
        seconds.append(time.perf_counter() - start)
    return min(seconds), float(np.median(seconds))
