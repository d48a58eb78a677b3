"""Fuzzing rh.data's file readers: every input loads correctly or gives a ValueError.

A few hundred seeded random and mutated IDX and ``.npz`` files, plus a table
of crafted cases (endless streams, folders, huge headers, decompression
bombs, pickles, a poisoned Keras cache...). Each input must either load
exactly what an independent reference parser reads from the same bytes, or
raise ``ValueError``; nothing else, within a time and memory bound, and the
Keras cache must never be left holding a bad file. Print the counts with::

    .venv/bin/python tests/test_fuzz.py
"""

import collections
import gzip
import hashlib
import io
import os
import struct
import sys
import tempfile
import time
import tracemalloc
import warnings
import zipfile
import zlib
from pathlib import Path

import numpy as np

from rnn_helpers import data
from rnn_helpers.data import cache, mnist

SEED = 13
NUM_IDX, NUM_NPZ, NUM_FOLDERS = 220, 120, 30
SECONDS_PER_INPUT = 3.0  # generous: the test machine is shared
BYTES_PER_INPUT = 64 << 20
IDX_CODES = list(data.IDX_DTYPES)


class Mismatch(AssertionError):
    """A reader's answer disagrees with the reference, or it raised something else."""


# ----------------------------------------------------------------------
# reference readers: the format, written as plainly as possible


def reference_idx(raw):
    """The array an IDX file's bytes hold, or None when they are not one."""
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except Exception:  # noqa: BLE001 - any failure means "not a valid file"
            return None
    if len(raw) < 4 or raw[:2] != b"\0\0" or raw[2] not in data.IDX_DTYPES:
        return None
    ndim = raw[3]
    if ndim == 0 or len(raw) < 4 + 4 * ndim:
        return None
    shape = struct.unpack(f">{ndim}I", raw[4 : 4 + 4 * ndim])
    dtype = data.IDX_DTYPES[raw[2]]
    if len(raw) - 4 - 4 * ndim != dtype.itemsize * int(np.prod(shape, dtype=object)):
        return None
    return np.frombuffer(raw, dtype, offset=4 + 4 * ndim).reshape(shape)


def reference_npz(raw, keys):
    """numpy's own reading of the arrays ``keys``, or None when it fails."""
    try:
        with np.load(io.BytesIO(raw), allow_pickle=False) as f:
            return {k: f[k] for k in keys}
    except Exception:  # noqa: BLE001 - any failure means "not a valid file"
        return None


# ----------------------------------------------------------------------
# inputs


def idx_bytes(array, code):
    header = struct.pack(">HBB", 0, code, array.ndim)
    header += struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(data.IDX_DTYPES[code]).tobytes()


def mutate(raw, rng):
    """``raw`` with one random kind of damage."""
    raw = bytearray(raw)
    kind = rng.integers(6)
    if kind == 0 and raw:  # flip a few bytes
        for i in rng.integers(0, len(raw), size=rng.integers(1, 9)):
            raw[i] = int(rng.integers(256))
    elif kind == 1:  # cut short
        raw = raw[: rng.integers(0, len(raw) + 1)]
    elif kind == 2:  # trailing junk
        raw += rng.bytes(int(rng.integers(1, 64)))
    elif kind == 3 and len(raw) >= 8:  # a header field set to an extreme
        i = int(rng.integers(0, min(len(raw), 64) - 3))
        raw[i : i + 4] = rng.choice(
            [b"\0\0\0\0", b"\xff\xff\xff\xff", b"\x7f\xff\xff\xff"]
        )
    elif kind == 4 and raw:  # a byte inserted
        i = int(rng.integers(0, len(raw)))
        raw[i:i] = bytes([int(rng.integers(256))])
    return bytes(raw)  # kind 5: unchanged


def random_idx(rng):
    if rng.random() < 0.15:
        return rng.bytes(int(rng.integers(0, 80)))
    code = IDX_CODES[rng.integers(len(IDX_CODES))]
    shape = tuple(int(n) for n in rng.integers(0, 6, size=rng.integers(1, 4)))
    array = (rng.standard_normal(shape) * 50).astype(data.IDX_DTYPES[code])
    raw = mutate(idx_bytes(array, code), rng)
    if rng.random() < 0.3:
        raw = gzip.compress(raw)
        if rng.random() < 0.5:
            raw = mutate(raw, rng)
    return raw


def npz_bytes(arrays, compressed=False):
    buf = io.BytesIO()
    (np.savez_compressed if compressed else np.savez)(buf, **arrays)
    return buf.getvalue()


def small_mnist(rng, n_train, n_test, label_dtype=np.uint8):
    return {
        "x_train": rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        "y_train": rng.integers(0, 10, n_train).astype(label_dtype),
        "x_test": rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        "y_test": rng.integers(0, 10, n_test).astype(label_dtype),
    }


def random_npz(rng):
    arrays = small_mnist(rng, int(rng.integers(0, 4)), int(rng.integers(0, 3)))
    return mutate(npz_bytes(arrays, compressed=rng.random() < 0.5), rng)


def gzip_bomb(announced=10, zeros=100_000_000):
    """An IDX header for ``announced`` bytes, then ``zeros`` zero bytes, gzipped."""
    out = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: gzip framing
    chunks = [out.compress(idx_bytes(np.zeros(announced, np.uint8), 0x08))]
    block = bytes(1 << 20)
    chunks += [out.compress(block) for _ in range(zeros >> 20)]
    return b"".join(chunks) + out.flush()


def zip_with(members):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, payload in members.items():
            archive.writestr(name, payload)
    return buf.getvalue()


def npy_header(shape, descr="|u1", fortran=False):
    buf = io.BytesIO()
    header = {"descr": descr, "fortran_order": fortran, "shape": shape}
    np.lib.format.write_array_header_1_0(buf, header)
    return buf.getvalue()


def crafted_idx():
    """(name, bytes) of hand-made IDX files."""
    big = struct.pack(">HBB", 0, 0x08, 3)
    return [
        ("empty", b""),
        ("magic only", b"\0\0\x08\x01"),
        ("zero dimensions", b"\0\0\x08\x00"),
        ("dims overflow int64", big + struct.pack(">3I", *(2**32 - 1,) * 3)),
        ("256 MB announced, 0 sent", big + struct.pack(">3I", 1 << 16, 64, 64)),
        (
            "255 dimensions of size 2",
            b"\0\0\x08\xff" + struct.pack(">255I", *(2,) * 255),
        ),
        ("html error page", b"<html><body>503 Service Unavailable</body></html>"),
        ("gzip of nothing", gzip.compress(b"")),
        ("gzip header only", gzip.compress(b"x")[:10]),
        ("gzip bomb", gzip_bomb()),
        (
            "two gzip members",
            gzip.compress(b"\0\0\x08\x01") + gzip.compress(b"\0\0\0\x01x"),
        ),
        ("empty array", idx_bytes(np.zeros((0, 28, 28), np.uint8), 0x08)),
        ("float64 values", idx_bytes(np.array([np.nan, np.inf, -0.0]), 0x0E)),
    ]


def crafted_npz():
    """(name, bytes) of hand-made .npz files."""
    rng = np.random.default_rng(0)
    good = small_mnist(rng, 2, 1)
    members = {f"{k}.npy": npz_member(v) for k, v in good.items()}
    return [
        ("not a zip", b"PK\x03\x04" + bytes(40)),
        ("empty zip", zip_with({})),
        ("members without .npy", zip_with({k: b"x" for k in good})),
        (
            "huge announced shape",
            zip_with({**members, "x_train.npy": npy_header((10**9, 10**9))}),
        ),
        (
            "negative shape",
            zip_with({**members, "x_train.npy": npy_header((-1, 28, 28))}),
        ),
        ("object dtype", npz_bytes({**good, "y_test": np.array([{}], dtype=object)})),
        ("string dtype", npz_bytes({**good, "y_train": np.array(["1", "2"])})),
        ("complex labels", npz_bytes({**good, "y_train": np.array([1j, 2j])})),
        (
            "header not a dict",
            zip_with({**members, "x_test.npy": b"\x93NUMPY\x01\x00\x04\x00[]\n"}),
        ),
        (
            "fortran order",
            npz_bytes({**good, "x_train": np.asfortranarray(good["x_train"])}),
        ),
        (
            "zip bomb member",
            zip_with({**members, "y_test.npy": npy_header((1,)) + bytes(50_000_000)}),
        ),
        ("5 digits, valid", npz_bytes(small_mnist(rng, 5, 5))),
        ("int64 labels", npz_bytes(small_mnist(rng, 3, 2, np.int64))),
        (
            "labels out of range",
            npz_bytes({**good, "y_train": np.array([10, 3], np.uint8)}),
        ),
        ("0 images", npz_bytes(small_mnist(rng, 0, 0))),
    ]


def npz_member(array):
    buf = io.BytesIO()
    np.lib.format.write_array(buf, array)
    return buf.getvalue()


# ----------------------------------------------------------------------
# running one input


def bounded(run):
    """``run()``'s outcome, "loaded" or "ValueError"; asserts time and memory."""
    tracemalloc.reset_peak()
    # Measured from here: numpy's own failed allocations can inflate the total.
    base = tracemalloc.get_traced_memory()[0]
    start = time.perf_counter()
    try:
        run()
        outcome = "loaded"
    except ValueError:
        outcome = "ValueError"
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] - base
    if seconds > SECONDS_PER_INPUT or peak > BYTES_PER_INPUT:
        raise Mismatch(f"took {seconds:.1f} s and {peak / 2**20:.0f} MB")
    return outcome


def check_idx(path, raw):
    expected = reference_idx(raw)

    def run():
        got = data.read_idx(path)
        if expected is None or not np.array_equal(got, expected, equal_nan=True):
            raise Mismatch(
                f"read_idx loaded {got.shape} {got.dtype}; reference disagrees"
            )
        if not got.dtype.isnative:
            raise Mismatch("read_idx returned a non-native byte order")

    return bounded(run)


def check_npz(path, raw, keys=mnist.KEYS):
    expected = reference_npz(raw, keys)

    def run():
        got = data.read_npz(path, keys)
        if expected is None or any(
            not np.array_equal(got[k], expected[k]) for k in keys
        ):
            raise Mismatch("read_npz loaded arrays that numpy's own reader does not")
        folder = path.parent / "as_data_dir"
        folder.mkdir(exist_ok=True)
        os.replace(path, folder / "mnist.npz")
        check_mnist(data.load_mnist(folder))

    return bounded(run)


def check_mnist(loaded):
    """What load_mnist promises of anything it returns."""
    for x, y in loaded:
        if x.dtype != np.uint8 or x.shape[1:] != (28, 28) or y.dtype != np.uint8:
            raise Mismatch(f"load_mnist returned {x.dtype} {x.shape}, labels {y.dtype}")
        if len(x) == 0 or len(y) != len(x) or y.max() > 9:
            raise Mismatch("load_mnist returned empty or inconsistent arrays")
    if loaded.is_full:
        raise Mismatch("fuzzed data was labelled full MNIST")


def check_folder(folder, rng):
    """Four IDX files, some mutated, in one folder: load_mnist on them."""
    arrays = small_mnist(rng, int(rng.integers(0, 4)), int(rng.integers(0, 3)))
    for key, name in mnist.IDX_FILES.items():
        code = 0x08 if rng.random() < 0.9 else IDX_CODES[rng.integers(len(IDX_CODES))]
        raw = idx_bytes(arrays[key], code)
        if rng.random() < 0.3:
            raw = mutate(raw, rng)
        gz = rng.random() < 0.3
        (folder / (name + ".gz" * gz)).write_bytes(gzip.compress(raw) if gz else raw)
    return bounded(lambda: check_mnist(data.load_mnist(folder)))


def check_cache(home, raw, online, published):
    """A bad file in the Keras cache: set aside; a fresh download or offline."""
    os.environ["KERAS_HOME"] = str(home)
    folder = home / "datasets"
    folder.mkdir(parents=True)
    (folder / "mnist.npz").write_bytes(raw)
    (folder / "mnist.npz.1.dead.part").write_bytes(b"from a killed run")
    old = time.time() - 2 * cache.STALE_SECONDS
    os.utime(folder / "mnist.npz.1.dead.part", (old, old))

    def fetch(url, out):
        if not online:
            raise OSError("offline")
        out.write(published)

    cache.fetch = fetch

    def run():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", data.OfflineDataWarning)
            loaded = data.load_mnist()
        left = sorted(os.listdir(folder))
        if online:
            good = loaded.source == "full MNIST (downloaded)"
            good = good and (folder / "mnist.npz").read_bytes() == published
        else:
            good = loaded.source == mnist.OFFLINE_SOURCE and "mnist.npz" not in left
        if not good or any(name.endswith(".part") for name in left):
            raise Mismatch(f"cache left as {left} after loading {loaded.source}")

    return bounded(run)


# ----------------------------------------------------------------------
# the run


def run_fuzz(workdir, seed=SEED):
    """Try every input under ``workdir``; return the counts of each outcome."""
    rng = np.random.default_rng(seed)
    counts = collections.Counter()
    saved = (cache.fetch, mnist.MNIST_SHA256, os.environ.get("KERAS_HOME"))
    published = npz_bytes(small_mnist(rng, 3, 2))
    mnist.MNIST_SHA256 = hashlib.sha256(published).hexdigest()
    os.environ.pop("RNN_BOOK_DATA", None)
    tracemalloc.start()
    cases = [(f"random IDX {i}", "idx", random_idx(rng)) for i in range(NUM_IDX)]
    cases += [(f"IDX: {name}", "idx", raw) for name, raw in crafted_idx()]
    cases += [(f"random npz {i}", "npz", random_npz(rng)) for i in range(NUM_NPZ)]
    cases += [(f"npz: {name}", "npz", raw) for name, raw in crafted_npz()]
    try:
        for i, (name, kind, raw) in enumerate(cases):
            path = Path(workdir) / f"case{i}" / f"input.{kind}"
            path.parent.mkdir()
            path.write_bytes(raw)
            check = check_idx if kind == "idx" else check_npz
            counts[_outcome(name, check, path, raw)] += 1
        for i in range(NUM_FOLDERS):
            folder = Path(workdir) / f"folder{i}"
            folder.mkdir()
            counts[_outcome(f"IDX folder {i}", check_folder, folder, rng)] += 1
        refused = [(f"read_idx({p!r})", data.read_idx, p) for p in (None, 123, "")]
        refused += [
            ("read_idx(a folder)", data.read_idx, workdir),
            ("read_idx(/dev/zero)", data.read_idx, "/dev/zero"),
            ("read_idx(a FIFO)", data.read_idx, _fifo(workdir)),
            ("read_idx(a missing file)", data.read_idx, Path(workdir) / "missing"),
            ("load_text(/dev/zero)", data.load_text, "/dev/zero"),
        ]
        refused += [(f"load_mnist({d!r})", data.load_mnist, d) for d in (123, "", b"/")]
        for name, reader, arg in refused:
            outcome = _outcome(name, bounded, lambda r=reader, a=arg: r(a))
            counts[outcome if outcome == "ValueError" else "loaded nonsense"] += 1
        bad_cache = [
            ("empty", b""),
            ("random bytes", rng.bytes(300)),
            ("html page", b"<html>404</html>"),
            ("truncated", published[: len(published) // 2]),
            ("5 valid digits", npz_bytes(small_mnist(rng, 5, 5))),
        ]
        for j, (name, raw) in enumerate(bad_cache):
            for online in (True, False):
                home = Path(workdir) / f"keras{j}{online}"
                label = f"Keras cache, {name}, {'online' if online else 'offline'}"
                outcome = _outcome(label, check_cache, home, raw, online, published)
                counts[outcome if outcome == "loaded" else "cache not set right"] += 1
    finally:
        tracemalloc.stop()
        cache.fetch, mnist.MNIST_SHA256, home = saved
        if home is None:
            os.environ.pop("KERAS_HOME", None)
        else:
            os.environ["KERAS_HOME"] = home
    return counts


def _outcome(name, check, *args):
    try:
        return check(*args)
    except Mismatch as err:
        raise Mismatch(f"{name}: {err}") from None
    except Exception as err:  # noqa: BLE001 - reported as the failure it is
        raise Mismatch(f"{name}: {type(err).__name__}: {err}") from err


def _fifo(workdir):
    path = Path(workdir) / "fifo"
    if hasattr(os, "mkfifo"):
        os.mkfifo(path)
    return path


def summary(counts):
    tried = sum(counts.values())
    return (
        f"inputs tried: {tried}, ValueErrors: {counts['ValueError']}, "
        f"correct loads: {counts['loaded']}, "
        f"anything else: {tried - counts['ValueError'] - counts['loaded']}"
    )


def test_fuzzed_files_load_correctly_or_raise_value_error(tmp_path, monkeypatch):
    monkeypatch.setattr(cache, "fetch", cache.fetch)  # restored after the test
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "unused"))
    counts = run_fuzz(tmp_path)
    print(summary(counts))
    assert set(counts) <= {"ValueError", "loaded"}
    assert counts["ValueError"] > 100 and counts["loaded"] > 20  # both kinds tried


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as workdir:
        start = time.perf_counter()
        result = run_fuzz(workdir, seed=int(sys.argv[1]) if len(sys.argv) > 1 else SEED)
        print(f"{summary(result)} ({time.perf_counter() - start:.1f} s)")
