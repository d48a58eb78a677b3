"""Reading data files safely: IDX files and ``.npz`` archives (chapter 01).

Every reader here checks that it was given a regular file, learns the size
of the data from the header before it allocates anything, reads at most
``MAX_BYTES`` (also from a gzip or a zip member, so a small file cannot
expand without limit), refuses pickles, and turns every malformed file
into one ``ValueError`` that names the file and says what was expected.
"""

import gzip
import os
import stat
import struct
import zipfile
import zlib
from pathlib import Path

import numpy as np

# Full MNIST's largest array, the training images, is 47 MB; nothing the book
# reads needs more than this, and a corrupt header must not ask for more.
MAX_BYTES = 1 << 28

# The third byte of an IDX magic number names the element type (big-endian).
IDX_DTYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}

# What goes wrong inside zipfile, zlib and numpy's .npy reader on a bad file.
_READ_ERRORS = (
    OSError,
    EOFError,
    ValueError,
    zipfile.BadZipFile,
    zlib.error,
    struct.error,
    NotImplementedError,
    RuntimeError,  # an encrypted zip member
    SyntaxError,  # a .npy header that is not a Python literal
    OverflowError,
)


def _regular_file(path, what):
    """``path`` as a ``Path`` to an existing regular file, or a clear ValueError.

    ``what`` names the expected content in the message ("IDX file").
    """
    if isinstance(path, bytes) or not isinstance(path, (str, os.PathLike)):
        raise ValueError(
            f"expected the path of {what} (a str or pathlib.Path), got "
            f"{path!r:.60} (a {type(path).__name__})"
        )
    if str(path) == "":
        raise ValueError(f"expected the path of {what}, got an empty string")
    path = Path(path).expanduser()
    try:
        mode = path.stat().st_mode
    except OSError as err:
        raise ValueError(f"cannot read {what} {path}: {err.strerror}") from None
    if not stat.S_ISREG(mode):
        kind = "a folder" if stat.S_ISDIR(mode) else "not a regular file"
        raise ValueError(f"{path} is {kind}; expected {what}")
    return path


def read_idx(path):
    """Read one IDX file (raw or gzipped) into an array (chapter 01).

    An IDX file is a 4-byte magic number ``0, 0, dtype code, ndim``, then
    ``ndim`` big-endian uint32 sizes, then the data. Returns an array of
    shape ``sizes`` in native byte order (uint8 for MNIST).
    """
    path = _regular_file(path, "IDX file")
    try:
        with open(path, "rb") as f:
            if f.read(2) == b"\x1f\x8b":
                f.seek(0)
                with gzip.GzipFile(fileobj=f) as unzipped:
                    return _parse_idx(unzipped, f"{path} (gzip)", size=None)
            f.seek(0)
            return _parse_idx(f, str(path), size=os.fstat(f.fileno()).st_size)
    except (OSError, EOFError, zlib.error) as err:
        raise ValueError(
            f"{path} cannot be read or decompressed ({err}); expected an IDX "
            "file, raw or gzipped"
        ) from None


def _parse_idx(stream, name, size):
    """The IDX array in ``stream``; ``size``: the file's length, None if unknown."""
    magic = stream.read(4)
    if len(magic) < 4:
        raise ValueError(
            f"{name} is not an IDX file: {len(magic)} bytes, expected at least a "
            "4-byte magic number"
        )
    zero, code, ndim = struct.unpack(">HBB", magic)
    if zero != 0 or code not in IDX_DTYPES or ndim == 0:
        raise ValueError(
            f"{name} is not an IDX file: magic number 0x{magic.hex()}, expected "
            "00 00, a type code in {08, 09, 0B, 0C, 0D, 0E} and at least one "
            "dimension (MNIST images start 0x00000803, labels 0x00000801)"
        )
    header = 4 + 4 * ndim
    sizes = stream.read(4 * ndim)
    if len(sizes) < 4 * ndim:
        raise ValueError(
            f"{name} is truncated: its header announces {ndim} dimensions "
            f"({header} bytes) but the file has {4 + len(sizes)} bytes"
        )
    shape = struct.unpack(f">{ndim}I", sizes)
    dtype = IDX_DTYPES[code]
    expected = dtype.itemsize
    for n in shape:  # Python integers: the product cannot overflow
        expected *= n
    if expected > MAX_BYTES:
        raise ValueError(
            f"{name} announces dimensions {shape} of {dtype.name}, {expected:,} "
            f"bytes, more than the {MAX_BYTES:,} bytes this reader allows"
        )
    if size is not None and size - header != expected:
        got = size - header
        kind = "truncated" if got < expected else "longer than its header says"
        raise ValueError(
            f"{name} is {kind}: dimensions {shape} of {dtype.name} need "
            f"{expected} data bytes, the file has {got}"
        )
    raw = _read_at_most(stream, expected + 1)  # one byte more: a longer file
    if len(raw) != expected:
        kind = "truncated" if len(raw) < expected else "longer than its header says"
        got = f"{len(raw)}" if len(raw) < expected else "more"
        raise ValueError(
            f"{name} is {kind}: dimensions {shape} of {dtype.name} need "
            f"{expected} data bytes, the file has {got}"
        )
    data = np.frombuffer(raw, dtype=dtype).reshape(shape)
    return data.astype(dtype.newbyteorder("="))


def _read_at_most(stream, size, chunk=1 << 20):
    """Up to ``size`` bytes of ``stream``, read in chunks.

    ``stream.read(size)`` may allocate ``size`` bytes before it knows how
    many there are; reading in chunks allocates only what actually comes.
    """
    parts, left = [], size
    while left > 0:
        part = stream.read(min(chunk, left))
        if not part:
            break
        parts.append(part)
        left -= len(part)
    return b"".join(parts)


def read_npz(path, keys):
    """The arrays ``keys`` of the ``.npz`` file ``path``, as a dict (chapter 01).

    Like ``np.load(path, allow_pickle=False)``, but every member's header is
    checked (plain numeric dtype, at most ``MAX_BYTES``) before its array is
    allocated, and any malformed archive gives one ValueError.
    """
    if isinstance(keys, str) or not all(isinstance(k, str) for k in keys or [None]):
        raise ValueError(f"keys must be a list of array names, got {keys!r:.60}")
    path = _regular_file(path, "an .npz file")
    if path.stat().st_size > MAX_BYTES:
        raise ValueError(
            f"{path} has {path.stat().st_size:,} bytes, more than the "
            f"{MAX_BYTES:,} bytes this reader allows; expected an .npz file"
        )
    with open(path, "rb") as f:
        magic = f.read(4)
    if magic[:2] != b"PK":
        raise ValueError(
            f"{path} is not a readable .npz file: it does not start like a zip "
            "archive (a Keras-style mnist.npz is one)"
        )
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            missing = [k for k in keys if f"{k}.npy" not in names]
            if missing:
                raise ValueError(
                    f"{path} lacks the arrays {missing}; expected an .npz with "
                    f"{', '.join(keys)}"
                )
            return {k: _read_member(archive, k, path) for k in keys}
    except _READ_ERRORS as err:
        if str(path) in str(err):
            raise ValueError(str(err)) from None
        raise ValueError(
            f"{path} is not a valid .npz file ({type(err).__name__}: {err}); "
            f"expected numeric arrays {', '.join(keys)}"
        ) from None


def _read_member(archive, key, path):
    fmt = np.lib.format
    with archive.open(f"{key}.npy") as member:
        version = fmt.read_magic(member)
        if version == (1, 0):
            shape, fortran, dtype = fmt.read_array_header_1_0(member)
        elif version in ((2, 0), (3, 0)):
            shape, fortran, dtype = fmt.read_array_header_2_0(member)
        else:
            raise ValueError(f"unsupported .npy version {version}")
        if dtype.hasobject or dtype.kind not in "biuf" or dtype.fields:
            raise ValueError(
                f"{path}: {key} has dtype {dtype}; expected plain numbers "
                "(pickled objects are never loaded)"
            )
        if any(n < 0 for n in shape):
            raise ValueError(f"{path}: {key} announces a negative size {shape}")
        nbytes = dtype.itemsize
        for n in shape:
            nbytes *= n
        if nbytes > MAX_BYTES:
            raise ValueError(
                f"{path}: {key} announces shape {shape} of {dtype}, {nbytes:,} "
                f"bytes, more than the {MAX_BYTES:,} bytes this reader allows"
            )
        count = nbytes // dtype.itemsize if dtype.itemsize else 0
        raw = _read_at_most(member, nbytes + 1)
    if len(raw) != nbytes:
        raise ValueError(
            f"{path}: {key} announces shape {shape} of {dtype}, {nbytes} bytes, "
            f"but holds {'fewer' if len(raw) < nbytes else 'more'}"
        )
    order = "F" if fortran else "C"
    array = np.frombuffer(raw, dtype=dtype, count=count).reshape(shape, order=order)
    return array.astype(dtype.newbyteorder("="), order="C")
