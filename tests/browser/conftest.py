"""Browser checks of a built book: run with ``pytest tests/browser --book DIR``.

``make test`` builds the book in quick mode and runs these against it; the
unit-test run leaves this folder out (it needs a built book and Chromium).
"""

import functools
import http.server
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

import pytest

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--hide-scrollbars",
]


def pytest_addoption(parser):
    parser.addoption("--book", help="folder of a built HTML book (has index.html)")
    parser.addoption(
        "--screenshots", default="_build/screenshots", help="where to save screenshots"
    )


def pytest_ignore_collect(collection_path, config):
    if config.getoption("--book") is None and collection_path.name == "test_pages.py":
        return True
    return None


@pytest.fixture(scope="session")
def book(request):
    folder = Path(request.config.getoption("--book")).resolve()
    if not (folder / "index.html").exists():
        raise pytest.UsageError(f"--book {folder} has no index.html: build it first")
    return folder


@pytest.fixture(scope="session")
def server(book):
    """Serve the book on a loopback port: fonts and scripts load as on the web."""
    handler = functools.partial(QuietHandler, directory=str(book))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="session")
def chromium():
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        raise pytest.UsageError("Chromium is not installed (apt-get install chromium)")
    return Browser(path)


class Browser:
    """Headless Chromium, a fresh profile for every call."""

    def __init__(self, path):
        self.path = path
        self._doms = {}

    def _run(self, url, *action, window="1280,2400"):
        with tempfile.TemporaryDirectory() as profile:
            result = subprocess.run(
                [
                    self.path,
                    *CHROMIUM_FLAGS,
                    f"--user-data-dir={profile}",
                    f"--window-size={window}",
                    # Let MathJax and the page's scripts finish before reading.
                    "--virtual-time-budget=15000",
                    *action,
                    url,
                ],
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
        if result.returncode != 0:
            raise RuntimeError(f"chromium failed on {url}: {result.stderr[-2000:]}")
        return result.stdout

    def dom(self, url):
        """The page's DOM after its scripts ran, as HTML (read once per page)."""
        if url not in self._doms:
            self._doms[url] = self._run(url, "--dump-dom")
        return self._doms[url]

    def screenshot(self, url, path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self._run(url, f"--screenshot={path}")
        return path
