"""One training step of a GRU against minGRU run four ways, for T = 64 ... 4096.

Chapter 10's cost experiment at full length. A training step is what
``rh.models.training_step_seconds`` times: the forward pass over a batch of
32 sequences of 64 features (every state returned), a mean-square loss, its
gradient and one Adam update, in one ``tf.function``. Timed:

- ``keras.layers.GRU(64)``: TensorFlow's loop over the steps;
- ``rh.models.MinGRU(64)`` with ``method="sequential"`` (``keras.ops.scan``,
  a loop over the steps), ``"log"`` (Heinsen's log-space scan, as in Feng
  et al. 2024), ``"associative"`` (``keras.ops.associative_scan``) and
  ``"chunked"`` (loops over about ``sqrt(T)`` positions and chunks).

Beside each time, the depth (operations that must follow one another) and
the work (operations per state unit and step) that the form's algorithm
needs, and the GRU's time divided by the form's. The first line says which
device ran it; on a machine with a GPU the same script runs there unchanged.

Run: ``python benchmarks/bench_scan.py [--lengths 64 256 1024 4096] [--calls 3]``
"""

import argparse
import os
import platform

import rnn_helpers as rh

UNITS = 64
FORMS = ("GRU", "sequential", "log", "associative", "chunked")


def layer(form, keras):
    if form == "GRU":
        return keras.layers.GRU(UNITS, return_sequences=True)
    return rh.models.MinGRU(UNITS, method=form, return_sequences=True)


def depth_and_work(form, T, n=UNITS):
    """Steps in a row and operations per state unit at length ``T``."""
    if form == "GRU":  # each step: the (n x 3n) recurrent product, then the gates
        return T, T * (6 * n + 12)
    if form == "sequential":
        return rh.rnn.sequential_depth(T, "loop")
    if form == "associative":
        return rh.rnn.sequential_depth(T, "blelloch")
    if form == "chunked":
        return rh.rnn.sequential_depth(T, "chunked", chunk=rh.models._default_chunk(T))
    depth, work = rh.rnn.sequential_depth(T, "blelloch")  # two prefix sums + logs
    return 2 * depth, 2 * work + 6 * T


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lengths", type=int, nargs="+", default=[64, 256, 1024, 4096])
    parser.add_argument("--calls", type=int, default=3)
    args = parser.parse_args()
    tf, keras = rh.config.import_tensorflow()
    rh.config.seed_everything(0)
    gpus = tf.config.list_physical_devices("GPU")
    device = (
        f"GPU: {len(gpus)} device(s)"
        if gpus
        else f"CPU: {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} logical cores"
    )
    print(f"device {device}; tensorflow {tf.__version__}, keras {keras.__version__}")
    print(f"batch 32, {UNITS} features, {UNITS} units; best of {args.calls} calls\n")
    header = (
        f"{'T':>6} {'form':<12} {'depth':>7} {'work/step':>10} "
        f"{'best ms':>9} {'median ms':>10} {'GRU / form':>10}"
    )
    print(header)
    print("-" * len(header))
    for T in args.lengths:
        gru_best = None
        for form in FORMS:
            best, median = rh.models.training_step_seconds(
                layer(form, keras), T, calls=args.calls
            )
            gru_best = best if form == "GRU" else gru_best
            depth, work = depth_and_work(form, T)
            print(
                f"{T:>6} {form:<12} {depth:>7,} {work / T:>10,.0f} "
                f"{1e3 * best:>9.1f} {1e3 * median:>10.1f} {gru_best / best:>10.2f}",
                flush=True,
            )
        print()


if __name__ == "__main__":
    main()
