"""rh.data's MNIST: IDX parsing, every path of load_mnist, array helpers."""

import copy
import gzip
import hashlib
import http.client
import io
import os
import pickle
import struct
import time
import warnings
import zipfile

import numpy as np
import pytest

import rnn_helpers as rh
from rnn_helpers import data
from rnn_helpers.data import cache, mnist


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
    with pytest.raises(ValueError, match="cannot be read or decompressed"):
        data.read_idx(path)


def test_read_idx_names_a_missing_file(tmp_path):
    with pytest.raises(ValueError, match="cannot read IDX file"):
        data.read_idx(tmp_path / "nope")


@pytest.mark.parametrize(
    ("path", "message"),
    [
        (None, r"expected the path of IDX file .* got None"),
        (123, r"expected the path of IDX file .* \(a int\)"),
        ("", "got an empty string"),
    ],
)
def test_read_idx_rejects_what_is_not_a_path(path, message):
    with pytest.raises(ValueError, match=message):
        data.read_idx(path)


def test_read_idx_reads_regular_files_only(tmp_path):
    with pytest.raises(ValueError, match="is a folder; expected IDX file"):
        data.read_idx(tmp_path)
    if os.path.exists("/dev/zero"):  # an endless stream: refused before reading
        with pytest.raises(ValueError, match="not a regular file"):
            data.read_idx("/dev/zero")


def test_read_idx_refuses_headers_beyond_the_size_ceiling(tmp_path):
    path = tmp_path / "huge"
    path.write_bytes(struct.pack(">HBB3I", 0, 0x0E, 3, 2**32 - 1, 2**32 - 1, 99))
    with pytest.raises(ValueError, match="more than the .* bytes this reader allows"):
        data.read_idx(path)


def test_read_idx_bounds_decompression(tmp_path):
    # 10 announced bytes, followed by 50 MB of zeros that gzip packs into 50 kB.
    raw = idx_bytes(np.zeros(10, np.uint8)) + bytes(50_000_000)
    path = tmp_path / "bomb.gz"
    path.write_bytes(gzip.compress(raw, compresslevel=1))
    with pytest.raises(ValueError, match="longer than its header says"):
        data.read_idx(path)


def test_read_npz_refuses_a_huge_announced_shape(tmp_path):
    header = {"descr": "<f8", "fortran_order": False, "shape": (10**9, 10**9)}
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, header)
    with zipfile.ZipFile(tmp_path / "big.npz", "w") as archive:
        archive.writestr("x.npy", buf.getvalue())
    with pytest.raises(ValueError, match=r"big.npz: x announces shape"):
        data.read_npz(tmp_path / "big.npz", ["x"])


@pytest.mark.parametrize("keys", ["x_train", [], [1], None])
def test_read_npz_wants_a_list_of_names(tmp_path, keys):
    (tmp_path / "a.npz").write_bytes(npz_bytes(small_mnist()))
    with pytest.raises(ValueError, match="keys must be a list of array names"):
        data.read_npz(tmp_path / "a.npz", keys)


def test_read_npz_names_members_that_are_not_npy(tmp_path):
    with zipfile.ZipFile(tmp_path / "plain.npz", "w") as archive:
        archive.writestr("x_train", b"not an array")
    with pytest.raises(ValueError, match=r"lacks the arrays \['x_train'\]"):
        data.read_npz(tmp_path / "plain.npz", ["x_train"])


# ------------------------------------------------------------- load_mnist


@pytest.mark.parametrize("gz", [False, True])
def test_load_mnist_reads_idx_files_from_data_dir(tmp_path, no_keras_cache, gz):
    arrays = small_mnist()
    write_idx_set(tmp_path, arrays, gz=gz)
    loaded = data.load_mnist(tmp_path)
    assert_same(loaded, arrays)
    assert loaded.source == "MNIST-format local files (12 train / 6 test)"
    assert not loaded.is_full and "not full MNIST" in loaded.note


def test_load_mnist_labels_only_full_sized_idx_files_full_mnist(
    tmp_path, no_keras_cache, monkeypatch
):
    write_idx_set(tmp_path, small_mnist())
    monkeypatch.setattr(mnist, "FULL_SIZES", (12, 6))
    loaded = data.load_mnist(tmp_path)
    assert loaded.is_full and loaded.source == "full MNIST (local files)"
    assert loaded.note == "Data: all 12 training and all 6 test digits of full MNIST."


def test_load_mnist_reads_npz_named_by_environment(monkeypatch, tmp_path):
    arrays = small_mnist()
    (tmp_path / "mnist.npz").write_bytes(npz_bytes(arrays))
    monkeypatch.setenv("RNN_BOOK_DATA", str(tmp_path))
    assert_same(data.load_mnist(), arrays)
    monkeypatch.setenv("RNN_BOOK_DATA", str(tmp_path / "mnist.npz"))
    assert_same(data.load_mnist(), arrays)


def test_local_npz_is_full_mnist_only_with_the_published_hash(monkeypatch, tmp_path):
    payload = npz_bytes(small_mnist())
    (tmp_path / "mnist.npz").write_bytes(payload)
    assert not data.load_mnist(tmp_path).is_full
    monkeypatch.setattr(mnist, "MNIST_SHA256", hashlib.sha256(payload).hexdigest())
    assert data.load_mnist(tmp_path).is_full


@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.uint16])
def test_load_mnist_always_returns_uint8_labels(tmp_path, dtype):
    (x_train, y_train), (x_test, y_test) = small_mnist()
    arrays = (x_train, y_train.astype(dtype)), (x_test, y_test.astype(dtype))
    (tmp_path / "mnist.npz").write_bytes(npz_bytes(arrays))
    (_, y), (_, yt) = data.load_mnist(tmp_path)
    assert y.dtype == yt.dtype == np.uint8
    np.testing.assert_array_equal(y, y_train)


def test_load_mnist_refuses_a_folder_without_images(tmp_path):
    empty = np.zeros((0, 28, 28), np.uint8), np.zeros(0, np.uint8)
    write_idx_set(tmp_path, (empty, empty))
    with pytest.raises(ValueError, match="no training images; expected MNIST"):
        data.load_mnist(tmp_path)


@pytest.mark.parametrize(
    ("data_dir", "message"),
    [
        (123, r"data_dir must be a folder .* got 123"),
        (b"/tmp", "data_dir must be a folder"),
        ("", "data_dir is an empty string"),
    ],
)
def test_load_mnist_rejects_bad_data_dir(data_dir, message):
    with pytest.raises(ValueError, match=message):
        data.load_mnist(data_dir)


def test_load_mnist_rejects_pickled_npz(tmp_path, no_keras_cache):
    objects = np.array([{"a": 1}], dtype=object)
    np.savez(
        tmp_path / "mnist.npz",
        x_train=objects,
        y_train=objects,
        x_test=objects,
        y_test=objects,
    )
    with pytest.raises(ValueError, match="pickled objects are never loaded"):
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


def test_load_mnist_reports_nonexistent_data_dir(tmp_path, monkeypatch):
    with pytest.raises(ValueError, match="data_dir names .*nowhere, which does not"):
        data.load_mnist(tmp_path / "nowhere")
    monkeypatch.setenv("RNN_BOOK_DATA", str(tmp_path / "typo"))
    with pytest.raises(ValueError, match="RNN_BOOK_DATA names .*typo, which does not"):
        data.load_mnist()


def test_load_mnist_rejects_wrong_shapes(tmp_path):
    (x_train, y_train), test = small_mnist()
    (tmp_path / "mnist.npz").write_bytes(
        npz_bytes(((x_train.reshape(-1, 784), y_train), test))
    )
    with pytest.raises(ValueError, match=r"expected uint8 \(n, 28, 28\)"):
        data.load_mnist(tmp_path)


# ------------------------------------------------ the Keras cache, downloads


def publish(monkeypatch, payload):
    """Make ``payload`` the published mnist.npz: its hash, and what fetch sends."""
    calls = []

    def fake_fetch(url, out):
        calls.append(url)
        out.write(payload)

    monkeypatch.setattr(cache, "fetch", fake_fetch)
    monkeypatch.setattr(mnist, "MNIST_SHA256", hashlib.sha256(payload).hexdigest())
    return calls


def go_offline(monkeypatch, error=None):
    def offline(url, out):
        raise error or OSError("Name or service not known")

    monkeypatch.setattr(cache, "fetch", offline)


def test_load_mnist_uses_a_published_keras_cache_without_network(
    no_keras_cache, monkeypatch
):
    arrays = small_mnist()
    payload = npz_bytes(arrays)
    calls = publish(monkeypatch, payload)
    no_keras_cache.mkdir(parents=True)
    (no_keras_cache / "mnist.npz").write_bytes(payload)
    loaded = data.load_mnist()
    assert_same(loaded, arrays)
    assert loaded.source == "full MNIST (Keras cache)" and loaded.is_full
    assert calls == []


def test_load_mnist_downloads_checks_hash_and_caches(no_keras_cache, monkeypatch):
    arrays = small_mnist()
    payload = npz_bytes(arrays)
    calls = publish(monkeypatch, payload)
    loaded = data.load_mnist()
    assert_same(loaded, arrays)
    assert calls == [data.MNIST_URL]
    assert (no_keras_cache / "mnist.npz").read_bytes() == payload
    assert os.listdir(no_keras_cache) == ["mnist.npz"]
    assert loaded.source == "full MNIST (downloaded)"
    assert_same(data.load_mnist(), arrays)  # second call: from the cache
    assert len(calls) == 1


def test_real_download_code_fetches_a_local_url(tmp_path, no_keras_cache, monkeypatch):
    # The whole online path, urllib included, on a file:// URL the test makes.
    arrays = small_mnist()
    served = tmp_path / "served" / "mnist.npz"
    served.parent.mkdir()
    served.write_bytes(npz_bytes(arrays))
    monkeypatch.setattr(mnist, "MNIST_URL", served.as_uri())
    monkeypatch.setattr(mnist, "MNIST_SHA256", cache.sha256(served))
    loaded = data.load_mnist()
    assert_same(loaded, arrays)
    assert loaded.source == "full MNIST (downloaded)"
    assert (no_keras_cache / "mnist.npz").read_bytes() == served.read_bytes()
    served.unlink()  # a URL that fails: the real urllib error, then offline
    (no_keras_cache / "mnist.npz").write_bytes(b"<html>gone</html>")
    with pytest.warns(data.OfflineDataWarning, match="could not be downloaded"):
        assert data.load_mnist().source == mnist.OFFLINE_SOURCE
    assert sorted(os.listdir(no_keras_cache)) == ["mnist.npz.bad"]


def test_downloaded_file_has_ordinary_permissions(no_keras_cache, monkeypatch):
    publish(monkeypatch, npz_bytes(small_mnist()))
    umask = os.umask(0o022)
    try:
        data.load_mnist()
    finally:
        os.umask(umask)
    assert (no_keras_cache / "mnist.npz").stat().st_mode & 0o777 == 0o644


@pytest.mark.parametrize(
    "cached",
    [b"", b"<html>503 Service Unavailable</html>", b"PK\x03\x04 truncated"],
)
def test_bad_keras_cache_is_set_aside_and_downloaded_again(
    no_keras_cache, monkeypatch, cached
):
    arrays = small_mnist()
    publish(monkeypatch, npz_bytes(arrays))
    no_keras_cache.mkdir(parents=True)
    (no_keras_cache / "mnist.npz").write_bytes(cached)
    loaded = data.load_mnist()
    assert_same(loaded, arrays)
    assert loaded.source == "full MNIST (downloaded)"
    assert (no_keras_cache / "mnist.npz.bad").read_bytes() == cached


def test_valid_but_unpublished_keras_cache_is_never_full_mnist(
    no_keras_cache, monkeypatch
):
    five = small_mnist(n_train=5, n_test=5)
    no_keras_cache.mkdir(parents=True)
    (no_keras_cache / "mnist.npz").write_bytes(npz_bytes(five))
    go_offline(monkeypatch)
    with pytest.warns(data.OfflineDataWarning, match="was not the published file"):
        loaded = data.load_mnist()
    assert not loaded.is_full and loaded.source == mnist.OFFLINE_SOURCE
    assert os.listdir(no_keras_cache) == ["mnist.npz.bad"]  # nothing poisoned
    assert len(loaded[0][0]) == 4000


@pytest.mark.parametrize(
    "error",
    [
        ConnectionResetError("connection reset"),
        http.client.IncompleteRead(b"half", 100),
        http.client.BadStatusLine("garbage"),
        TimeoutError("timed out"),
    ],
)
def test_every_download_failure_falls_back_and_leaves_no_partial_file(
    no_keras_cache, monkeypatch, error
):
    def dies_halfway(url, out):
        out.write(b"half a file")
        raise error

    monkeypatch.setattr(cache, "fetch", dies_halfway)
    with pytest.warns(data.OfflineDataWarning, match=type(error).__name__):
        assert data.load_mnist().source == mnist.OFFLINE_SOURCE
    assert os.listdir(no_keras_cache) == []


def test_download_with_wrong_hash_falls_back_and_leaves_nothing_behind(
    no_keras_cache, monkeypatch
):
    monkeypatch.setattr(cache, "fetch", lambda url, out: out.write(b"tampered"))
    with pytest.warns(data.OfflineDataWarning, match="SHA-256"):
        data.load_mnist()
    assert os.listdir(no_keras_cache) == []


def test_interrupted_download_leaves_no_partial_file(no_keras_cache, monkeypatch):
    def interrupted(url, out):
        out.write(b"half a file")
        raise KeyboardInterrupt

    monkeypatch.setattr(cache, "fetch", interrupted)
    with pytest.raises(KeyboardInterrupt):
        data.load_mnist()
    assert os.listdir(no_keras_cache) == []


def test_download_removes_stale_partial_files_only(no_keras_cache, monkeypatch):
    publish(monkeypatch, npz_bytes(small_mnist()))
    no_keras_cache.mkdir(parents=True)
    stale = no_keras_cache / "mnist.npz.123.abcd.part"
    live = no_keras_cache / "mnist.npz.456.ef01.part"
    stale.write_bytes(b"killed")
    live.write_bytes(b"still downloading")
    old = time.time() - 2 * cache.STALE_SECONDS
    os.utime(stale, (old, old))
    data.load_mnist()
    assert sorted(os.listdir(no_keras_cache)) == ["mnist.npz", live.name]


def test_offline_fallback_warns_and_returns_stratified_split(
    no_keras_cache, monkeypatch
):
    go_offline(monkeypatch)
    with pytest.warns(data.OfflineDataWarning, match="offline sample"):
        loaded = data.load_mnist()
    (x_train, y_train), (x_test, y_test) = loaded
    assert x_train.shape == (4000, 28, 28) and x_test.shape == (1000, 28, 28)
    assert x_train.dtype == np.uint8 and y_train.dtype == np.uint8
    assert np.bincount(y_train).tolist() == [400] * 10
    assert np.bincount(y_test).tolist() == [100] * 10
    assert loaded.source == mnist.OFFLINE_SOURCE and not loaded.is_full
    # No digit is in both halves, and the split is the same every time.
    train_rows = {row.tobytes() for row in x_train}
    assert not any(row.tobytes() in train_rows for row in x_test)
    (x2, y2), _ = data.load_mnist(quiet=True)
    np.testing.assert_array_equal(x_train, x2)
    np.testing.assert_array_equal(y_train, y2)


def test_quiet_load_warns_nothing_and_its_note_names_no_path(
    no_keras_cache, monkeypatch
):
    go_offline(monkeypatch)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loaded = data.load_mnist(quiet=True)
    assert loaded.note.startswith("Data: all 4,000 training and all 1,000 test")
    assert "/" not in loaded.note and "\n" not in loaded.note


def test_mnist_data_keeps_its_source_through_pickling_and_copying():
    loaded = data.MnistData(
        *small_mnist(), source="somewhere", is_full=False, note="Data: a few."
    )
    for copied in (pickle.loads(pickle.dumps(loaded)), copy.deepcopy(loaded)):
        assert (copied.source, copied.is_full, copied.note) == (
            "somewhere",
            False,
            "Data: a few.",
        )
        assert_same(copied, loaded)


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
    vectors = rh.data.mnist_vectors(max_train=5, data_dir=tmp_path)
    (X, y), (Xt, yt) = vectors
    assert X.shape == (5, 784) and X.dtype == np.float64
    assert 0.0 <= X.min() and X.max() <= 1.0
    assert y.dtype == np.int64 and len(Xt) == len(yt) == 6
    assert vectors.note.startswith("Data: 5 of the 12 training and all 6 test")


def test_mnist_rows_gives_keras_ready_sequences(tmp_path, no_keras_cache):
    arrays = small_mnist()
    write_idx_set(tmp_path, arrays)
    rows = rh.data.mnist_rows(max_test=4, data_dir=tmp_path)
    (X, y), (Xt, yt) = rows
    assert X.shape == (12, 28, 28) and X.dtype == np.float32
    assert Xt.shape == (4, 28, 28) and y.dtype == yt.dtype == np.int32
    np.testing.assert_allclose(X, arrays[0][0] / 255.0, rtol=1e-6)
    assert rows.source == "MNIST-format local files (12 train / 6 test)"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(max_train=-5), "max_train must be a positive integer, got -5"),
        (dict(max_test=0), "max_test must be a positive integer"),
        (dict(max_train=True), r"max_train must be .* \(a bool\)"),
        (dict(max_train=2.5), "max_train must be a positive integer"),
        (dict(quiet="yes"), "quiet must be True or False"),
    ],
)
def test_mnist_subsets_reject_bad_sizes(kwargs, message):
    for load in (rh.data.mnist_vectors, rh.data.mnist_rows):
        with pytest.raises(ValueError, match=message):
            load(**kwargs)


def test_load_mnist_names_missing_npz_arrays(tmp_path):
    np.savez(tmp_path / "mnist.npz", x_train=np.zeros((1, 28, 28), np.uint8))
    with pytest.raises(ValueError, match=r"lacks the arrays \['y_train'"):
        data.load_mnist(tmp_path)


def test_load_mnist_rejects_truncated_npz(tmp_path):
    payload = npz_bytes(small_mnist())
    (tmp_path / "mnist.npz").write_bytes(payload[: len(payload) // 2])
    with pytest.raises(ValueError, match="is not a valid .npz file"):
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


# ------------------------------------------------------------- the package


def test_every_public_name_of_the_topic_modules_is_in_rh_data():
    import importlib
    import inspect

    for module in ("files", "mnist", "recall", "seq2seq", "sine", "text"):
        mod = importlib.import_module(f"rnn_helpers.data.{module}")
        for name, value in vars(mod).items():
            defined_here = getattr(value, "__module__", None) == mod.__name__
            if not name.startswith("_") and defined_here and callable(value):
                assert getattr(rh.data, name) is value, f"{module}.{name}"
                assert name in rh.data.__all__
    assert inspect.signature(rh.data.load_mnist).parameters["data_dir"].default is None
