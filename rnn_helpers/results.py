"""Headline numbers, recorded where the results page finds them (chapter 01).

``record`` appends each number with the run mode and data source to
``_build/results/results.json`` at the top of the book (or in the folder
named by ``RNN_BOOK_RESULTS``), so prose never carries a typed-in number.
"""

import json
import math
import os
import tempfile
import time
from pathlib import Path

from . import config

FILENAME = "results.json"


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
    except json.JSONDecodeError as err:
        raise ValueError(f"{path} is not valid JSON ({err}); delete it") from err
    if not isinstance(entries, list):
        raise ValueError(f"{path} should hold a JSON list of results; delete it")
    return entries


def record(name, value, unit, chapter, *, data=None):
    """Record one headline number and return ``value`` (chapter 01).

    ``name``: what was measured ("test accuracy"); ``unit``: "fraction",
    "s", "nats/char", ...; ``chapter``: e.g. ``"01"``; ``data``: the data
    source, by default where ``rh.data.load_mnist`` last found MNIST. A
    number recorded again in the same chapter and mode replaces the old one.
    """
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"name must be a non-empty string, got {name!r}")
    if not isinstance(chapter, str) or not chapter.strip():
        raise ValueError(f"chapter must be a string like '01', got {chapter!r}")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        try:
            value = float(value)
        except (TypeError, ValueError):
            raise ValueError(f"value must be a number, got {value!r}") from None
    if not math.isfinite(value):
        raise ValueError(f"value for {name!r} must be finite, got {value}")
    if data is None:
        from . import data as data_module

        data = data_module.mnist_source() or "generated in the chapter"
    entry = {
        "chapter": chapter,
        "name": name,
        "value": float(value),
        "unit": unit,
        "mode": config.mode(),
        "data": data,
        "time": time.strftime("%Y-%m-%dT%H:%M:%S"),
    }
    entries = [
        e
        for e in load()
        if (e["chapter"], e["name"], e["mode"]) != (chapter, name, entry["mode"])
    ]
    entries.append(entry)
    _write(results_dir() / FILENAME, entries)
    return value


def _write(path, entries):
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(entries, f, indent=1)
    os.replace(tmp, path)


def format_value(value, unit):
    """A value as the book prints it: fractions as percentages, seconds to 3 s.f."""
    if unit == "fraction":
        return f"{100 * value:.1f}%"
    if unit in ("s", "ms"):
        return f"{value:.3g} {unit}"
    if unit in ("x", "×"):
        return f"{value:.1f}×"
    return f"{value:.4g} {unit}" if unit else f"{value:.4g}"


def table(chapter=None, mode=None):
    """A Markdown table of the recorded numbers, optionally of one chapter or mode."""
    rows = [
        e
        for e in load()
        if (chapter is None or e["chapter"] == chapter)
        and (mode is None or e["mode"] == mode)
    ]
    lines = [
        "| chapter | quantity | value | unit | mode | data |",
        "|---|---|---|---|---|---|",
    ]
    for e in sorted(rows, key=lambda e: (e["chapter"], e["time"])):
        lines.append(
            f"| {e['chapter']} | {e['name']} | {format_value(e['value'], e['unit'])} "
            f"| {e['unit']} | {e['mode']} | {e['data']} |"
        )
    return "\n".join(lines)


def show(chapter=None, mode=None):
    """Display ``table(chapter, mode)`` as Markdown in a notebook."""
    from IPython.display import Markdown, display

    display(Markdown(table(chapter, mode)))
