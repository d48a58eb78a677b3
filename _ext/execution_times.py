"""Print how long each notebook took to execute, after the book is built.

One line per page, e.g. ``  41.2 s  chapters/05_lstm_on_mnist_rows``; a page
that jupyter-cache supplied says so, with the seconds of the run it kept.
"""

import time

from sphinx.util import logging

logger = logging.getLogger(__name__)


def note_start(app):
    app.env.execution_times_start = time.time()


def rows(metadata, start):
    """(docname, seconds, from_cache) for every executed page, by name."""
    found = []
    for docname, data in sorted(metadata.items()):
        info = data.get("exec_data") or {}
        if info.get("runtime") is None:
            continue
        # myst-nb stamps a run of this build with the time it ended, a cached
        # notebook with the time it was cached.
        found.append((docname, info["runtime"], info.get("mtime", 0) < start))
    return found


def report(app, exception):
    if exception is not None:
        return
    from myst_nb.sphinx_ import NbMetadataCollector

    start = getattr(app.env, "execution_times_start", 0)
    found = rows(NbMetadataCollector.get_doc_data(app.env), start)
    if found:
        logger.info("seconds per notebook (execution):")
    for docname, seconds, cached in found:
        note = "  (from the cache: an earlier build's run)" if cached else ""
        logger.info(f"{seconds:8.1f} s  {docname}{note}")


def setup(app):
    app.connect("builder-inited", note_start)
    app.connect("build-finished", report)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
