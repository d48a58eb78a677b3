"""Seconds per epoch: the batched NeuralNet against the source's per-example loop.

Chapter 01 compares the two at batch size 10; this script adds batch size 128
and more timed epochs. Both networks are ``[784, 30, 10]``, start from the same
seed, see the same digits in the same order and use the same learning rate, so
they learn the same weights (up to rounding) and reach the same accuracy; only
the time differs. Epochs of the two networks alternate, so that background load
slows both alike, and the table reports the median of the timed epochs after a
warm-up. ``make bench`` runs it; it prints a table and checks nothing.

NumPy's BLAS runs on one thread here unless ``--blas-threads`` says otherwise:
the comparison is about vectorising, not about parallel cores, and a
multithreaded OpenBLAS whose threads wait for a busy CPU can make the larger
matrix products ten times slower, which would measure the machine's load
instead of the code.

    .venv/bin/python benchmarks/bench_mlp.py [--epochs 5] [--warmup 1]
"""

import argparse
import contextlib
import platform
import statistics
import time

import numpy as np

import rnn_helpers as rh

SIZES = [784, 30, 10]
LR = 3.0  # the source's eta
SEED = 0
BATCH_SIZES = (10, 128)


def time_epochs(nets, X, y, batch_size, epochs, warmup):
    """Train every net for ``warmup + epochs`` epochs, one epoch of each in turn.

    Returns ``{name: median seconds per timed epoch}``; warm-up epochs train
    but are not timed.
    """
    seconds = {name: [] for name in nets}
    for epoch in range(warmup + epochs):
        for name, net in nets.items():
            start = time.perf_counter()
            net.fit(X, y, epochs=1, batch_size=batch_size, lr=LR, progress=False)
            elapsed = time.perf_counter() - start
            if epoch >= warmup:
                seconds[name].append(elapsed)
    return {name: statistics.median(s) for name, s in seconds.items()}


def product_seconds(X, batch_size, hidden, repeats):
    """Seconds per epoch of the first layer's two big matrix products alone.

    Every batched backprop of ``[784, hidden, ...]`` computes ``X_b @ W`` (the
    forward pass) and ``X_b.T @ Delta`` (BP4) for each batch ``X_b``; together
    they are nearly all of its arithmetic. Timing just these two BLAS calls
    over one epoch's batches (median of ``repeats`` epochs) gives a floor no
    batched implementation in the same precision can beat on this machine,
    and so a ceiling for its speed-up over the loop.
    """
    rng = np.random.default_rng(SEED)
    W = rng.standard_normal((X.shape[1], hidden))
    batches = [X[start : start + batch_size] for start in range(0, len(X), batch_size)]
    deltas = [rng.standard_normal((len(batch), hidden)) for batch in batches]
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        for batch, delta in zip(batches, deltas, strict=True):
            batch @ W
            batch.T @ delta
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds)


def max_weight_gap(a, b):
    """Largest absolute difference between two networks' weights and biases."""
    return max(
        float(np.abs(p - q).max())
        for p, q in zip(a.weights + a.biases, b.weights + b.biases, strict=True)
    )


def blas_threads(n):
    """A context that limits NumPy's BLAS to ``n`` threads (``None``: no limit).

    Uses threadpoolctl (installed with scikit-learn, which mlxtend needs);
    without it, BLAS keeps its own setting. Returns ``(context, description)``.
    """
    try:
        from threadpoolctl import threadpool_info, threadpool_limits
    except ImportError:
        return contextlib.nullcontext(), "BLAS threads: library default"
    # Read the default before limiting: threadpool_limits applies at once.
    blas = [p for p in threadpool_info() if p["user_api"] == "blas"]
    names = ", ".join(f"{p['internal_api']} {p['version']}" for p in blas) or "?"
    default = max((p["num_threads"] for p in blas), default="?")
    if n is None:
        return contextlib.nullcontext(), f"BLAS: {names}, {default} thread(s)"
    context = threadpool_limits(limits=n, user_api="blas")
    return context, f"BLAS: {names}, {n} thread(s) (default {default})"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5, help="timed epochs")
    parser.add_argument("--warmup", type=int, default=1, help="untimed epochs first")
    parser.add_argument(
        "--max-train", type=int, default=None, help="use only the first N digits"
    )
    parser.add_argument(
        "--blas-threads",
        type=int,
        default=1,
        help="BLAS threads (0: the library's default)",
    )
    args = parser.parse_args()
    if args.epochs < 1 or args.warmup < 0 or args.blas_threads < 0:
        parser.error(
            "--epochs must be at least 1, --warmup and --blas-threads at least 0"
        )
    limit, blas = blas_threads(args.blas_threads or None)
    with limit:
        run(args, blas)


def run(args, blas):
    """Load the data, time both networks at each batch size, print the table."""
    mnist = rh.data.mnist_vectors(max_train=args.max_train, quiet=True)
    (X_train, y_train), (X_test, y_test) = mnist
    print(mnist.note)
    print(
        f"{len(X_train):,} training and {len(X_test):,} test digits; network "
        f"{SIZES}, lr {LR}, seed {SEED}; median of {args.epochs} timed epochs after "
        f"{args.warmup} warm-up epoch(s)"
    )
    print(f"Python {platform.python_version()}, NumPy {np.__version__}; {blas}\n")

    header = (
        f"{'batch':>5} | {'NeuralNet s/epoch':>17} | {'LoopNeuralNet s/epoch':>21} "
        f"| {'ratio':>6} | {'products s/epoch':>16} | {'ceiling':>7} "
        f"| {'acc NeuralNet':>13} | {'acc Loop':>8} | {'max |dW|':>8}"
    )
    print(header)
    print("-" * len(header))
    for batch_size in BATCH_SIZES:
        nets = {
            "batch": rh.mlp.NeuralNet(SIZES, seed=SEED),
            "loop": rh.mlp.LoopNeuralNet(SIZES, seed=SEED),
        }
        seconds = time_epochs(
            nets, X_train, y_train, batch_size, args.epochs, args.warmup
        )
        acc = {name: net.accuracy(X_test, y_test) for name, net in nets.items()}
        gap = max_weight_gap(nets["batch"], nets["loop"])
        ratio = seconds["loop"] / seconds["batch"]
        floor = product_seconds(X_train, batch_size, SIZES[1], args.epochs)
        print(
            f"{batch_size:>5} | {seconds['batch']:>17.4f} | {seconds['loop']:>21.4f} "
            f"| {ratio:>5.1f}x | {floor:>16.4f} | {seconds['loop'] / floor:>6.1f}x "
            f"| {acc['batch']:>13.4f} | {acc['loop']:>8.4f} | {gap:>8.1e}"
        )
    print(
        "\nratio = LoopNeuralNet / NeuralNet seconds per epoch. products = the "
        "first layer's two big matrix products alone (X_b @ W and X_b.T @ Delta "
        "for every batch), the floor for any batched version doing dense float64 "
        "arithmetic; ceiling = LoopNeuralNet / products, the largest ratio this "
        "machine allows. "
        f"Accuracies on the test digits after {args.warmup + args.epochs} epochs; "
        "max |dW| = largest difference between the two networks' weights."
    )


if __name__ == "__main__":
    main()
