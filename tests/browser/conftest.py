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
def chromium(request):
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        raise pytest.UsageError("Chromium is not installed (apt-get install chromium)")
    return Browser(path, Path(request.config.getoption("--screenshots")))


class Browser:
    """Headless Chromium, a fresh profile for every page.

    One run per page reads the DOM after the page's scripts ran and takes the
    screenshot; both are kept for the tests that ask for them.
    """

    def __init__(self, path, screenshots):
        self.path = path
        self.screenshots = screenshots
        self._doms = {}

    def _visit(self, url, shot, window="1280,2400"):
        shot.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory() as profile:
            result = subprocess.run(
                [
                    self.path,
                    *CHROMIUM_FLAGS,
                    f"--user-data-dir={profile}",
                    f"--window-size={window}",
                    # Let MathJax and the page's scripts finish before reading.
                    "--virtual-time-budget=15000",
                    "--dump-dom",
                    f"--screenshot={shot}",
                    url,
                ],
                capture_output=True,
                text=True,
                timeout=180,
                check=False,
            )
        if result.returncode != 0:
            raise RuntimeError(f"chromium failed on {url}: {result.stderr[-2000:]}")
        self._doms[url] = result.stdout

    def _shot(self, url):
        return self.screenshots / f"{Path(url).stem}.png"

    def dom(self, url):
        """The page's DOM after its scripts ran, as HTML."""
        if url not in self._doms:
            self._visit(url, self._shot(url))
        return self._doms[url]

    def screenshot(self, url):
        """The path of the page's screenshot (in --screenshots)."""
        self.dom(url)
        return self._shot(url)
