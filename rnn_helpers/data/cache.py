"""The Keras cache and the one download the book makes (chapter 01).

``download`` writes to a ``.part`` file next to the destination, checks the
SHA-256, and only then moves the file into place, so a failed or killed run
never leaves a half file under the real name. ``.part`` files that a killed
run left behind are removed by the next download.
"""

import hashlib
import os
import secrets
import time
import urllib.request
from pathlib import Path

# A live download rewrites its .part file every second or so; one untouched
# for this long belongs to a run that was killed.
STALE_SECONDS = 600


def keras_cache():
    """The folder where Keras keeps downloaded data sets (``$KERAS_HOME/datasets``)."""
    home = os.environ.get("KERAS_HOME") or os.path.join(
        os.path.expanduser("~"), ".keras"
    )
    return Path(home) / "datasets"


def fetch(url, out):
    """Copy ``url`` into the open binary file ``out``; the only network call."""
    with urllib.request.urlopen(url, timeout=30) as response:
        while chunk := response.read(1 << 20):
            out.write(chunk)


def sha256(path):
    """The SHA-256 of the file ``path``, as 64 hex digits."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def download(url, dest, expected_sha256):
    """Download ``url`` to ``dest``: hash-checked, then moved into place atomically.

    Raises whatever the transfer raises (``OSError``,
    ``http.client.HTTPException``, ...) or ``ValueError`` for a wrong hash;
    in every case ``dest`` is untouched and no ``.part`` file is left.
    The file gets ordinary permissions (0666 minus the umask).
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_parts(dest)
    tmp = dest.with_name(f"{dest.name}.{os.getpid()}.{secrets.token_hex(4)}.part")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as out:
            fetch(url, out)
        digest = sha256(tmp)
        if digest != expected_sha256:
            raise ValueError(
                f"the download of {url} has SHA-256 {digest[:12]}..., expected "
                f"{expected_sha256[:12]}...; it was discarded"
            )
        os.replace(tmp, dest)
    finally:
        if tmp.exists():
            tmp.unlink()


def remove_stale_parts(dest):
    """Delete ``dest``'s ``.part`` files that no run has written to for a while."""
    now = time.time()
    for part in Path(dest).parent.glob(f"{Path(dest).name}.*.part"):
        try:
            if now - part.stat().st_mtime > STALE_SECONDS:
                part.unlink()
        except OSError:  # another run removed it first, or it is not ours
            pass


def set_aside(path):
    """Move a bad file out of the way as ``<name>.bad``; return the new path."""
    path = Path(path)
    bad = path.with_name(path.name + ".bad")
    if bad.is_dir() and not bad.is_symlink():
        bad = path.with_name(f"{path.name}.{secrets.token_hex(4)}.bad")
    os.replace(path, bad)
    return bad
