"""Forward pass + BPTT of one recurrent layer: NumPy against the source and TF.

The problem is the chapter 05 MNIST shape: a batch of 128 sequences of 28
steps of 28 inputs, 128 tanh state units, an error dL/dh_t at every step.
Timed, per sequence:

- the source's method: one example at a time as column vectors, activations
  applied element by element with ``np.nditer``, the deltas of ``calc_delta``
  built with element loops and ``np.diag``, and ``calc_gradient``'s sum of
  per-step outer products (transcribed below, extended to ``U``, ``b`` and
  ``dX`` so it computes what the NumPy layer computes; timed on a few
  sequences and scaled);
- ``rh.rnn.RecurrentLayer.forward`` + ``backward`` on the whole batch, with
  BLAS's default threads and with one thread (steadier on a busy machine,
  where a BLAS thread that waits for a core holds up every product);
- TensorFlow's ``tf.GradientTape`` over the same RNN written as an unrolled
  loop, and over ``keras.layers.SimpleRNN``, each in a ``tf.function`` and,
  for the loop, eagerly.

Each implementation is timed in a few blocks of repeated calls, the blocks
of different implementations interleaved so that a busy machine slows them
alike; the table shows the best call (the least disturbed) and the median.

Run: ``python benchmarks/bench_rnn.py [--dtype float64|float32] [--calls 30]``
(both dtypes by default).
"""

import argparse
import operator
import statistics
import time
from functools import reduce

import numpy as np

import rnn_helpers as rh

BATCH, NUM_STEPS, INPUTS, STATE = 128, 28, 28, 128
PASSES = 3  # each implementation runs in this many blocks, the blocks interleaved


# ----------------------------------------------------------------------
# the source's method, one example at a time


def element_wise_op(array, op):
    """Apply ``op`` to every element in place, as the source did."""
    for i in np.nditer(array, op_flags=["readwrite"]):
        i[...] = op(i)


class SourceStyleRecurrentLayer:
    """The source's ``RecurrentLayer``: column vectors, element loops.

    ``U: (state, input)`` and ``W: (state, state)`` act on column vectors,
    so they are the transposes of the NumPy layer's weights.
    """

    def __init__(self, layer):
        self.U = layer.U.T.copy()
        self.W = layer.W.T.copy()
        self.b = layer.b[:, None].copy()
        self.state_width = layer.state_size

    def reset_state(self):
        self.times = 0
        self.state_list = [np.zeros((self.state_width, 1))]

    def forward(self, input_array):
        self.times += 1
        state = self.U @ input_array + self.W @ self.state_list[-1] + self.b
        element_wise_op(state, np.tanh)
        self.state_list.append(state)

    def backward(self, sensitivity_list):
        """BPTT for one sequence: ``sensitivity_list[t]`` is dL/dh_t, ``(state, 1)``."""
        self.calc_delta(sensitivity_list)
        self.calc_gradient()

    def calc_delta(self, sensitivity_list):
        self.delta_list = [None] * (self.times + 1)
        for k in range(self.times, 0, -1):
            error = sensitivity_list[k].copy()
            if k < self.times:
                error += (self.delta_list[k + 1].T @ self.W).T
            derivative = self.state_list[k].copy()
            element_wise_op(derivative, lambda h: 1.0 - h * h)
            self.delta_list[k] = (error.T @ np.diag(derivative[:, 0])).T

    def calc_gradient(self):
        # As the source: one gradient per step in a list, then their sum.
        steps = range(self.times + 1)
        self.gradient_list_W = [np.zeros_like(self.W) for _ in steps]
        self.gradient_list_U = [np.zeros_like(self.U) for _ in steps]
        self.gradient_list_b = [np.zeros_like(self.b) for _ in steps]
        self.input_gradients = []
        for t in range(self.times, 0, -1):
            delta = self.delta_list[t]
            self.gradient_list_W[t] = delta @ self.state_list[t - 1].T
            self.gradient_list_U[t] = delta @ self.inputs[t - 1].T
            self.gradient_list_b[t] = delta
            self.input_gradients.insert(0, self.U.T @ delta)
        self.gradient_W = reduce(operator.add, self.gradient_list_W)
        self.gradient_U = reduce(operator.add, self.gradient_list_U)
        self.gradient_b = reduce(operator.add, self.gradient_list_b)

    def run(self, x, dh):
        """Forward and backward over one sequence ``x: (steps, input)``."""
        self.reset_state()
        self.inputs = [row[:, None] for row in x]
        for column in self.inputs:
            self.forward(column)
        self.backward([None] + [row[:, None] for row in dh])


def source_style(layer, X, dH):
    """The source's method over the sequences of ``X``: summed gradients, dX."""
    ref = SourceStyleRecurrentLayer(layer)
    dW, dU, db, dX = 0.0, 0.0, 0.0, []
    for x, dh in zip(X, dH, strict=True):
        ref.run(x, dh)
        dW, dU = dW + ref.gradient_W.T, dU + ref.gradient_U.T
        db = db + ref.gradient_b[:, 0]
        dX.append(np.hstack(ref.input_gradients).T)
    return dW, dU, db, np.stack(dX)


# ----------------------------------------------------------------------
# TensorFlow


def tensorflow_versions(layer, dtype):
    """``{name: f(X, dH)}`` computing the same gradients with TensorFlow."""
    tf, keras = rh.config.import_tensorflow()

    U, W, b = (tf.Variable(p.astype(dtype)) for p in (layer.U, layer.W, layer.b))

    def unrolled(X, dH):
        with tf.GradientTape() as tape:
            tape.watch(X)
            A = tf.einsum("bti,is->bts", X, U) + b
            h = tf.zeros((tf.shape(X)[0], STATE), dtype=X.dtype)
            states = []
            for t in range(NUM_STEPS):
                h = tf.tanh(A[:, t] + h @ W)
                states.append(h)
            loss = tf.reduce_sum(tf.stack(states, axis=1) * dH)
        return tape.gradient(loss, [X, U, W, b])

    rnn = keras.layers.SimpleRNN(STATE, return_sequences=True, dtype=dtype)
    rnn.build((None, NUM_STEPS, INPUTS))
    rnn.set_weights([layer.U, layer.W, layer.b])

    def simple_rnn(X, dH):
        with tf.GradientTape() as tape:
            tape.watch(X)
            loss = tf.reduce_sum(rnn(X) * dH)
        return tape.gradient(loss, [X, *rnn.trainable_variables])

    return {
        "TF loop, tf.function": tf.function(unrolled),
        "TF SimpleRNN, tf.function": tf.function(simple_rnn),
        "TF loop, eager": unrolled,
    }


# ----------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--dtype", choices=["float64", "float32", "both"], default="both"
    )
    parser.add_argument("--calls", type=int, default=30)
    parser.add_argument("--source-sequences", type=int, default=2)
    args = parser.parse_args()
    dtypes = ["float64", "float32"] if args.dtype == "both" else [args.dtype]
    for name in dtypes:
        compare(np.dtype(name), args.calls, args.source_sequences)


def compare(dtype, calls, n_src):
    """Time every implementation in ``dtype`` and print the table."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((BATCH, NUM_STEPS, INPUTS)).astype(dtype)
    dH = rng.standard_normal((BATCH, NUM_STEPS, STATE)).astype(dtype)
    layer = rh.rnn.RecurrentLayer(INPUTS, STATE, "tanh", seed=0)

    def numpy_layer():
        layer.forward(X)
        return layer.backward(dH)

    # The source's method computes the same numbers (checked in float64).
    X64, dH64 = X[:n_src].astype(np.float64), dH[:n_src].astype(np.float64)
    dW, dU, db, dX = source_style(layer, X64, dH64)
    layer.forward(X64)
    np.testing.assert_allclose(layer.backward(dH64), dX, rtol=1e-9, atol=1e-12)
    for ours, theirs in ((layer.dW, dW), (layer.dU, dU), (layer.db, db)):
        np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-12)

    tf, _ = rh.config.import_tensorflow()

    X_tf, dH_tf = tf.constant(X), tf.constant(dH)
    tf_versions = tensorflow_versions(layer, dtype)
    numpy_layer()
    tolerance = 1e-9 if dtype == np.float64 else 1e-3
    for tf_version in tf_versions.values():  # the same gradient of W everywhere
        dW_tf = tf_version(X_tf, dH_tf)[2].numpy()
        np.testing.assert_allclose(dW_tf, layer.dW, rtol=tolerance, atol=tolerance)

    candidates = {"NumPy RecurrentLayer": (numpy_layer, BATCH)}
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - it comes with scikit-learn
        pass
    else:

        def numpy_one_thread():
            with threadpool_limits(1, user_api="blas"):
                return numpy_layer()

        candidates["NumPy, 1 BLAS thread"] = (numpy_one_thread, BATCH)
    for name, fn in tf_versions.items():
        candidates[name] = (lambda fn=fn: [g.numpy() for g in fn(X_tf, dH_tf)], BATCH)
    candidates["source's method"] = (lambda: source_style(layer, X64, dH64), n_src)
    for fn, _ in candidates.values():  # warm-up: tracing, caches
        fn()
    times = {name: [] for name in candidates}
    for _ in range(PASSES):
        for name, (fn, sequences) in candidates.items():
            # A pause lets the other library's worker threads stop spinning:
            # TF's and OpenBLAS's thread pools slow each other down otherwise.
            time.sleep(0.2)
            for _ in range(-(-calls // PASSES)):
                start = time.perf_counter()
                fn()
                times[name].append((time.perf_counter() - start) / sequences)

    best = {name: min(t) for name, t in times.items()}
    median = {name: statistics.median(t) for name, t in times.items()}
    ours = "NumPy RecurrentLayer"
    print(
        f"\nForward + BPTT, batch {BATCH} x {NUM_STEPS} steps x {INPUTS} inputs x "
        f"{STATE} tanh units, {dtype.name}: time per sequence over {calls} "
        f"calls (the source's method: float64, on {n_src} sequences)\n"
    )
    header = (
        f"{'implementation':<28}{'best (ms)':>11}{'median (ms)':>13}"
        f"{'best / NumPy':>14}{'median / NumPy':>16}"
    )
    print(header)
    print("-" * len(header))
    for name in times:
        print(
            f"{name:<28}{1e3 * best[name]:>11.4f}{1e3 * median[name]:>13.4f}"
            f"{best[name] / best[ours]:>13.2f}x{median[name] / median[ours]:>15.2f}x"
        )
    fastest_tf = min((n for n in tf_versions if "tf.function" in n), key=best.get)
    speedup = best["source's method"] / best[ours]
    print(
        f"\nBest calls: NumPy is {speedup:.0f}x faster "
        f"than the source's method (target >= 30x) and takes "
        f"{best[ours] / best[fastest_tf]:.2f}x the time of the fastest tf.function "
        f"version, {fastest_tf!r} (target <= 1.5x; median calls: "
        f"{median[ours] / median[fastest_tf]:.2f}x)."
    )


if __name__ == "__main__":
    main()
