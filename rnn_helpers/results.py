"""Headline numbers, recorded where the results page finds them (chapter 01).

``record`` appends each number with the run mode and data source to
``_build/results/results.json`` at the top of the book (or in the folder
named by ``RNN_BOOK_RESULTS``), so prose never carries a typed-in number.
"""

import contextlib
import json
import math
import os
import tempfile
import time
from pathlib import Path

from . import checks, config

FILENAME = "results.json"
# One id per Python process (one executed notebook): the results page shows
# each chapter's latest run only, so renamed quantities do not linger.
RUN = f"{os.getpid()}-{time.time_ns()}"
DEFAULT_DATA = "generated in the chapter"
# Each entry's fields and the JSON types they hold.
FIELDS = {
    "chapter": str,
    "name": str,
    "value": (int, float),
    "unit": str,
    "mode": str,
    "data": str,
    "time": str,
}


def results_dir():
    """Folder of the results file: ``RNN_BOOK_RESULTS``, or ``_build/results``.

    ``_build`` sits at the top of the book: the nearest folder above the
    working directory that has ``_toc.yml`` (the working directory itself
    when there is none, as in Colab).
    """
    if os.environ.get("RNN_BOOK_RESULTS"):
        return Path(os.environ["RNN_BOOK_RESULTS"])
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / "_toc.yml").exists():
            return folder / "_build" / "results"
    return here / "_build" / "results"


def load():
    """Every recorded entry, as a list of dicts (empty if none yet)."""
    path = results_dir() / FILENAME
    if not path.exists():
        return []
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise ValueError(f"{path} is not valid JSON ({err}); delete it") from err
    if not isinstance(entries, list):
        raise ValueError(
            f"{path} should hold a JSON list of results, got a "
            f"{type(entries).__name__}; delete it"
        )
    for i, entry in enumerate(entries):
        wrong = not isinstance(entry, dict) or any(
            not isinstance(entry.get(k), t) or isinstance(entry.get(k), bool)
            for k, t in FIELDS.items()
        )
        wrong = wrong or not isinstance(entry.get("run", ""), str)
        if wrong:
            raise ValueError(
                f"{path}: entry {i} is {json.dumps(entry)[:80]}; expected an "
                f"object with {', '.join(FIELDS)} (value a number, the rest "
                "strings); delete the file"
            )
    return entries


def record(name, value, unit, chapter, *, data=None):
    """Record one headline number and return it as a float (chapter 01).

    ``name``: what was measured ("test accuracy"); ``value``: a finite real
    number; ``unit``: "fraction", "s", "x", "nats/char", ... or "" for a
    plain number; ``chapter``: e.g. ``"01"``; ``data``: where the data came
    from, a string or anything with a ``.source`` (the ``MnistData`` that
    ``rh.data.load_mnist`` returns); by default "generated in the chapter".
    A number recorded again in the same chapter and mode replaces the old one.
    """
    name = checks.string(name, "name")
    chapter = checks.string(chapter, "chapter (a string like '01')")
    value = checks.number(value, f"value of {name!r}")
    unit = checks.string(unit, "unit (a string, '' for none)", empty=True)
    if data is None:
        data = DEFAULT_DATA
    data = getattr(data, "source", data)
    data = checks.string(data, "data (a string, or an object with .source)")
    entry = {
        "chapter": chapter,
        "name": name,
        "value": value,
        "unit": unit,
        "mode": config.mode(),
        "data": data,
        "time": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "run": RUN,
    }
    path = results_dir() / FILENAME
    path.parent.mkdir(parents=True, exist_ok=True)
    with _locked(path):
        entries = [
            e
            for e in load()
            if (e["chapter"], e["name"], e["mode"]) != (chapter, name, entry["mode"])
        ]
        entries.append(entry)
        _write(path, entries)
    return value


@contextlib.contextmanager
def _locked(path):
    """Hold an exclusive lock on ``path``.lock: two kernels may record at once."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no lock
        yield
        return
    with open(path.with_name(path.name + ".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _write(path, entries):
    """Write ``entries`` to ``path`` atomically; a failed write leaves no file."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(entries, f, indent=1, allow_nan=False)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def significant(value, digits=3):
    """``value`` to ``digits`` significant digits, never rounded to zero.

    ``significant(1.234e-4) == "0.000123"``, ``significant(0.9123) ==
    "0.912"``, ``significant(12345.6) == "12,346"``.
    """
    if value == 0 or not math.isfinite(value):
        return f"{value:g}"
    if abs(value) >= 10**digits:
        return f"{value:,.0f}"
    text = f"{value:.{digits}g}"
    if "e" in text:  # below 1e-4: g switches to exponents; keep them short
        mantissa, exponent = text.split("e")
        return f"{mantissa}e{int(exponent)}"
    return text


def format_value(value, unit):
    """A value as the book prints it, its unit included: "91.2%", "1.5 s", "12.3×"."""
    if unit == "fraction":
        percent = 100 * value
        if percent != 0 and abs(percent) < 0.1:
            return f"{significant(percent, 2)}%"
        return f"{percent:.1f}%"
    if unit in ("x", "×"):
        return f"{significant(value)}×"
    return f"{significant(value)} {unit}" if unit else significant(value)


def _cell(text):
    """Text for one Markdown table cell: pipes escaped, no line breaks."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def table(chapter=None, mode=None):
    """A Markdown table of the recorded numbers, optionally of one chapter or mode.

    Only each chapter's latest run (per mode) is shown. The value column
    carries the unit ("91.2%", "1.5 s"); a name or data source with a ``|``
    in it stays in its cell.
    """
    if chapter is not None:
        chapter = checks.string(chapter, "chapter (a string like '01', or None)")
    if mode is not None:
        mode = checks.choice(mode, "mode", config.MODES)
    entries = load()
    latest = {(e["chapter"], e["mode"]): e.get("run", "") for e in entries}
    rows = [
        e
        for e in entries
        if e.get("run", "") == latest[e["chapter"], e["mode"]]
        and (chapter is None or e["chapter"] == chapter)
        and (mode is None or e["mode"] == mode)
    ]
    lines = ["| chapter | quantity | value | mode | data |", "|---|---|---|---|---|"]
    for e in sorted(rows, key=lambda e: (e["chapter"], e["time"])):
        cells = (
            e["chapter"],
            e["name"],
            format_value(e["value"], e["unit"]),
            e["mode"],
            e["data"],
        )
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(lines)


def show(chapter=None, mode=None):
    """Display ``table(chapter, mode)`` as Markdown in a notebook."""
    from IPython.display import Markdown, display

    display(Markdown(table(chapter, mode)))
