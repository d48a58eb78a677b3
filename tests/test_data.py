"""rh.data: IDX parsing, every path of load_mnist, array helpers."""

import gzip
import hashlib
import io
import os
import struct
import warnings

import numpy as np
import pytest

import rnn_helpers as rh
from rnn_helpers import data


def idx_bytes(array, code=0x08):
    """An IDX file for ``array``, written the way the MNIST files are."""
    header = struct.pack(">HBB", 0, code, array.ndim)
    header += struct.pack(f">{array.ndim}I", *array.shape)
    dtype = {v: k for k, v in data.IDX_DTYPES.items()}
    big_endian = next(d for d, c in dtype.items() if c == code)
    return header + array.astype(big_endian).tobytes()


def small_mnist(n_train=12, n_test=6, seed=0):
    rng = np.random.default_rng(seed)
    x_train = rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8)
    y_train = rng.integers(0, 10, n_train).astype(np.uint8)
    x_test = rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8)
    y_test = rng.integers(0, 10, n_test).astype(np.uint8)
    return (x_train, y_train), (x_test, y_test)


def write_idx_set(folder, arrays, gz=False):
    (x_train, y_train), (x_test, y_test) = arrays
    for key, arr in (
        ("x_train", x_train),
        ("y_train", y_train),
        ("x_test", x_test),
        ("y_test", y_test),
    ):
        raw = idx_bytes(arr)
        name = data.IDX_FILES[key]
        if gz:
            (folder / f"{name}.gz").write_bytes(gzip.compress(raw))
        else:
            (folder / name).write_bytes(raw)


def npz_bytes(arrays):
    (x_train, y_train), (x_test, y_test) = arrays
    buf = io.BytesIO()
    np.savez(buf, x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)
    return buf.getvalue()


def assert_same(a, b):
    for (xa, ya), (xb, yb) in zip(a, b, strict=True):
        np.testing.assert_array_equal(xa, xb)
        np.testing.assert_array_equal(ya, yb)
        assert xa.dtype == np.uint8 and xa.shape[1:] == (28, 28)


@pytest.fixture
def no_keras_cache(monkeypatch, tmp_path):
    home = tmp_path / "keras_home"
    monkeypatch.setenv("KERAS_HOME", str(home))
    monkeypatch.delenv("RNN_BOOK_DATA", raising=False)
    return home / "datasets"


# --------------------------------------------------------------------- IDX


@pytest.mark.parametrize("gz", [False, True])
def test_read_idx_reads_images_and_labels(tmp_path, gz):
    images = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    raw = idx_bytes(images)
    path = tmp_path / "images.idx"
    path.write_bytes(gzip.compress(raw) if gz else raw)
    out = data.read_idx(path)
    np.testing.assert_array_equal(out, images)
    assert out.dtype == np.uint8
    assert struct.unpack(">IIII", raw[:16]) == (2051, 2, 3, 4)


def test_read_idx_handles_other_element_types(tmp_path):
    values = np.array([[1.5, -2.0], [3.25, 4.0]])
    path = tmp_path / "f8.idx"
    path.write_bytes(idx_bytes(values, code=0x0E))
    out = data.read_idx(path)
    np.testing.assert_array_equal(out, values)
    assert out.dtype == np.float64 and out.dtype.isnative


def test_read_idx_rejects_bad_magic(tmp_path):
    path = tmp_path / "bad"
    path.write_bytes(b"\x12\x34\x08\x01" + struct.pack(">I", 3) + b"abc")
    with pytest.raises(ValueError, match="not an IDX file: magic number 0x12340801"):
        data.read_idx(path)


def test_read_idx_rejects_unknown_type_code(tmp_path):
    path = tmp_path / "bad"
    path.write_bytes(b"\x00\x00\x07\x01" + struct.pack(">I", 3) + b"abc")
    with pytest.raises(ValueError, match="type code"):
        data.read_idx(path)


def test_read_idx_rejects_truncated_data(tmp_path):
    raw = idx_bytes(np.zeros((5, 28, 28), np.uint8))
    path = tmp_path / "short"
    path.write_bytes(raw[:-10])
    with pytest.raises(ValueError, match=r"truncated: dimensions \(5, 28, 28\)"):
        data.read_idx(path)


def test_read_idx_rejects_dimensions_that_disagree_with_file_size(tmp_path):
    raw = idx_bytes(np.zeros((5, 28, 28), np.uint8)) + b"extra"
    path = tmp_path / "long"
    path.write_bytes(raw)
    with pytest.raises(ValueError, match="longer than its header says"):
        data.read_idx(path)


def test_read_idx_rejects_truncated_header(tmp_path):
    path = tmp_path / "header"
    path.write_bytes(b"\x00\x00\x08\x03" + struct.pack(">I", 5))
    with pytest.raises(ValueError, match="header announces 3 dimensions"):
        data.read_idx(path)


def test_read_idx_rejects_corrupt_gzip(tmp_path):
    path = tmp_path / "broken.gz"
    path.write_bytes(gzip.compress(idx_bytes(np.zeros(100, np.uint8)))[:-12])
    with pytest.raises(ValueError, match="does not decompress"):
        data.read_idx(path)


def test_read_idx_names_a_missing_file(tmp_path):
    with pytest.raises(ValueError, match="cannot read IDX file"):
        data.read_idx(tmp_path / "nope")


# ------------------------------------------------------------- load_mnist


@pytest.mark.parametrize("gz", [False, True])
def test_load_mnist_reads_idx_files_from_data_dir(tmp_path, no_keras_cache, gz):
    arrays = small_mnist()
    write_idx_set(tmp_path, arrays, gz=gz)
    assert_same(data.load_mnist(tmp_path), arrays)
    assert data.mnist_source().startswith("full MNIST")


def test_load_mnist_reads_npz_named_by_environment(monkeypatch, tmp_path):
    arrays = small_mnist()
    (tmp_path / "mnist.npz").write_bytes(npz_bytes(arrays))
    monkeypatch.setenv("RNN_BOOK_DATA", str(tmp_path))
    assert_same(data.load_mnist(), arrays)
    monkeypatch.setenv("RNN_BOOK_DATA", str(tmp_path / "mnist.npz"))
    assert_same(data.load_mnist(), arrays)


def test_load_mnist_rejects_pickled_npz(tmp_path, no_keras_cache):
    objects = np.array([{"a": 1}], dtype=object)
    np.savez(
        tmp_path / "mnist.npz",
        x_train=objects,
        y_train=objects,
        x_test=objects,
        y_test=objects,
    )
    with pytest.raises(ValueError, match="not a valid mnist.npz"):
        data.load_mnist(tmp_path)


def test_load_mnist_reports_corrupt_data_file_in_one_sentence(tmp_path):
    (tmp_path / "mnist.npz").write_bytes(b"this is not a zip file")
    with pytest.raises(ValueError, match="is not a readable .npz file"):
        data.load_mnist(tmp_path)


def test_load_mnist_reports_missing_idx_files(tmp_path):
    arrays = small_mnist()
    write_idx_set(tmp_path, arrays)
    os.remove(tmp_path / data.IDX_FILES["y_test"])
    with pytest.raises(ValueError, match="missing t10k-labels-idx1-ubyte"):
        data.load_mnist(tmp_path)


def test_load_mnist_reports_nonexistent_data_dir(tmp_path):
    with pytest.raises(ValueError, match="does not exist"):
        data.load_mnist(tmp_path / "nowhere")


def test_load_mnist_rejects_wrong_shapes(tmp_path):
    (x_train, y_train), test = small_mnist()
    (tmp_path / "mnist.npz").write_bytes(
        npz_bytes(((x_train.reshape(-1, 784), y_train), test))
    )
    with pytest.raises(ValueError, match=r"expected uint8 \(n, 28, 28\)"):
        data.load_mnist(tmp_path)


def test_load_mnist_uses_keras_cache(no_keras_cache, monkeypatch):
    arrays = small_mnist()
    no_keras_cache.mkdir(parents=True)
    (no_keras_cache / "mnist.npz").write_bytes(npz_bytes(arrays))

    def no_network(url, out):
        raise AssertionError("the cache should have been used")

    monkeypatch.setattr(data, "_fetch", no_network)
    assert_same(data.load_mnist(), arrays)
    assert "Keras cache" in data.mnist_source()


def test_load_mnist_downloads_checks_hash_and_caches(no_keras_cache, monkeypatch):
    arrays = small_mnist()
    payload = npz_bytes(arrays)
    calls = []

    def fake_fetch(url, out):
        calls.append(url)
        out.write(payload)

    monkeypatch.setattr(data, "_fetch", fake_fetch)
    monkeypatch.setattr(data, "MNIST_SHA256", hashlib.sha256(payload).hexdigest())
    assert_same(data.load_mnist(), arrays)
    assert calls == [data.MNIST_URL]
    assert (no_keras_cache / "mnist.npz").read_bytes() == payload
    assert os.listdir(no_keras_cache) == ["mnist.npz"]
    assert data.mnist_source() == "full MNIST (downloaded)"
    assert_same(data.load_mnist(), arrays)  # second call: from the cache
    assert len(calls) == 1


def test_download_with_wrong_hash_leaves_nothing_behind(no_keras_cache, monkeypatch):
    monkeypatch.setattr(data, "_fetch", lambda url, out: out.write(b"tampered"))
    with pytest.raises(ValueError, match="expected 731c5ac6"):
        data.load_mnist()
    assert os.listdir(no_keras_cache) == []


def test_interrupted_download_leaves_no_partial_file(no_keras_cache, monkeypatch):
    def dies_halfway(url, out):
        out.write(b"half a file")
        raise ConnectionResetError("connection reset")

    monkeypatch.setattr(data, "_fetch", dies_halfway)
    with pytest.warns(data.OfflineDataWarning, match="connection reset"):
        data.load_mnist()
    assert os.listdir(no_keras_cache) == []


def test_offline_fallback_warns_and_returns_stratified_split(
    no_keras_cache, monkeypatch
):
    def offline(url, out):
        raise OSError("Name or service not known")

    monkeypatch.setattr(data, "_fetch", offline)
    with pytest.warns(data.OfflineDataWarning, match="offline sample"):
        (x_train, y_train), (x_test, y_test) = data.load_mnist()
    assert x_train.shape == (4000, 28, 28) and x_test.shape == (1000, 28, 28)
    assert x_train.dtype == np.uint8 and y_train.dtype == np.uint8
    assert np.bincount(y_train).tolist() == [400] * 10
    assert np.bincount(y_test).tolist() == [100] * 10
    assert data.mnist_source() == data.OFFLINE_SAMPLE
    # No digit is in both halves, and the split is the same every time.
    train_rows = {row.tobytes() for row in x_train}
    assert not any(row.tobytes() in train_rows for row in x_test)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", data.OfflineDataWarning)
        (x2, y2), _ = data.load_mnist()
    np.testing.assert_array_equal(x_train, x2)
    np.testing.assert_array_equal(y_train, y2)


# ------------------------------------------------------------ helpers


def test_flatten_scale_and_one_hot():
    images = np.array([[[0, 255], [51, 102]]], dtype=np.uint8)
    flat = data.flatten(images)
    assert flat.shape == (1, 4) and flat.dtype == np.uint8
    np.testing.assert_allclose(data.scale(flat), [[0.0, 1.0, 0.2, 0.4]])
    np.testing.assert_array_equal(
        data.one_hot(np.array([2, 0]), 3), [[0, 0, 1], [1, 0, 0]]
    )


def test_helpers_reject_bad_input():
    with pytest.raises(ValueError, match="expected uint8"):
        data.scale(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="must lie in"):
        data.one_hot(np.array([0, 10]), 10)
    with pytest.raises(ValueError, match="integer labels"):
        data.one_hot(np.array([0.5]))
    with pytest.raises(ValueError, match="expected images"):
        data.flatten(np.zeros(3))


def test_mnist_vectors_gives_mlp_ready_arrays(tmp_path, no_keras_cache):
    write_idx_set(tmp_path, small_mnist())
    (X, y), (Xt, yt) = rh.data.mnist_vectors(max_train=5, data_dir=tmp_path)
    assert X.shape == (5, 784) and X.dtype == np.float64
    assert 0.0 <= X.min() and X.max() <= 1.0
    assert y.dtype == np.int64 and len(Xt) == len(yt) == 6


def test_load_mnist_names_missing_npz_arrays(tmp_path):
    np.savez(tmp_path / "mnist.npz", x_train=np.zeros((1, 28, 28), np.uint8))
    with pytest.raises(ValueError, match=r"lacks the arrays \['y_train'"):
        data.load_mnist(tmp_path)


def test_load_mnist_rejects_truncated_npz(tmp_path):
    payload = npz_bytes(small_mnist())
    (tmp_path / "mnist.npz").write_bytes(payload[: len(payload) // 2])
    with pytest.raises(ValueError, match="not a valid mnist.npz"):
        data.load_mnist(tmp_path)


# ------------------------------------------------------------------ recall


def chapter_03_recall_batch(rng, batch_size, delay, noise=0.5):
    """The recall batch as chapter 03 first wrote it, with 4 symbols and 4 channels."""
    X = np.zeros((batch_size, delay + 1, 8))
    y = rng.integers(0, 4, size=batch_size)
    X[np.arange(batch_size), 0, y] = 1.0
    X[:, 1:, 4:] = noise * rng.standard_normal((batch_size, delay, 4))
    return X, y


def test_recall_batch_matches_chapter_03_draw_for_draw():
    rng_a, rng_b = np.random.default_rng(5), np.random.default_rng(5)
    for delay in (0, 1, 7):
        X, y = rh.data.recall_batch(rng_a, 16, delay)
        X_ref, y_ref = chapter_03_recall_batch(rng_b, 16, delay)
        np.testing.assert_array_equal(X, X_ref)
        np.testing.assert_array_equal(y, y_ref)


def test_recall_batch_holds_one_symbol_then_noise_only():
    X, y = rh.data.recall_batch(
        np.random.default_rng(0), 32, 5, num_symbols=3, noise_channels=2, noise=1.0
    )
    assert X.shape == (32, 6, 5) and y.shape == (32,)
    np.testing.assert_array_equal(X[:, 0, :3].argmax(axis=1), y)
    np.testing.assert_array_equal(X[:, 0, :3].sum(axis=1), 1.0)
    assert np.all(X[:, 0, 3:] == 0) and np.all(X[:, 1:, :3] == 0)
    assert np.all(X[:, 1:, 3:] != 0)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(rng=0), "Generator"),
        (dict(batch_size=0), "batch_size"),
        (dict(batch_size=True), "batch_size"),
        (dict(delay=-1), "delay"),
        (dict(num_symbols=0), "num_symbols"),
        (dict(noise=-0.1), "noise"),
        (dict(noise=float("nan")), "noise"),
    ],
)
def test_recall_batch_rejects_bad_arguments(kwargs, match):
    args = dict(rng=np.random.default_rng(0), batch_size=4, delay=2) | kwargs
    with pytest.raises(ValueError, match=match):
        rh.data.recall_batch(args.pop("rng"), **args)
