"""Lay out the quick-mode book from the notebooks that ``make test`` executed.

``python tests/browser/quickbook.py DIR``: DIR holds the notebooks nbval ran,
with their outputs (written by ``pytest --executed-notebooks DIR``). This puts
the book's other sources beside them, with a ``_config.yml`` that executes
nothing, so that ``jupyter-book build DIR`` renders what the tests saw. It fails
when a notebook of the table of contents was not executed.
"""

import json
import shutil
import sys
from pathlib import Path

import yaml
from pagecheck import PAGES, ROOT

# What the book does not read (notebooks come executed). No conftest.py: pytest
# must not mistake the copy for the repository.
SKIP = {"_build", "tests", "benchmarks", "rnn_helpers", "__pycache__", "conftest.py"}
SKIP |= {"Makefile", "README.md", "pyproject.toml", "requirements.txt"}


def book_sources(folder=ROOT):
    """Every file the book may read, relative to ``folder``, notebooks left out."""
    for path in sorted(folder.iterdir()):
        if (
            path.name in SKIP
            or path.name.startswith(".")
            or path.name.endswith(".egg-info")
        ):
            continue
        if path.is_dir():
            for relative in book_sources(path):
                yield f"{path.name}/{relative}"
        elif path.suffix != ".ipynb":
            yield path.name


def executed(path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    code = [c for c in cells if c["cell_type"] == "code"]
    return any(c.get("execution_count") is not None for c in code)


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
# What rh.widgets puts beside a live view for pages that cannot run it.
STATIC_NOTE = "(Interactive version:"


def _static(output):
    """False for a live widget a static page cannot show: a progress bar.

    The chapters ran with live output, as in Colab, where a finished bar
    disappears; the sliders of ``rh.widgets.interact`` keep their note.
    """
    data = output.get("data", {})
    if WIDGET_VIEW not in data:
        return True
    return "".join(data.get("text/plain", "")).startswith(STATIC_NOTE)


def _render_only(path):
    """Drop a notebook's own execution mode (the results page forces one) and
    the live widgets a static page cannot show."""
    if not path.exists():
        return
    nb = json.loads(path.read_text(encoding="utf-8"))
    mystnb = nb.get("metadata", {}).get("mystnb", {})
    mystnb.pop("execution_mode", None)
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"] = [o for o in cell["outputs"] if _static(o)]
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False), encoding="utf-8")


def lay_out(folder):
    folder = Path(folder)
    missing = [
        page
        for page in PAGES
        if (ROOT / f"{page}.ipynb").exists()
        and not (
            (folder / f"{page}.ipynb").exists() and executed(folder / f"{page}.ipynb")
        )
    ]
    if missing:
        raise SystemExit(f"not executed by the test run: {', '.join(missing)}")
    for page in PAGES:
        _render_only(folder / f"{page}.ipynb")
    for relative in book_sources():
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / relative, target)
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    config["execute"]["execute_notebooks"] = "off"
    (folder / "_config.yml").write_text(yaml.safe_dump(config, sort_keys=False))
    count = sum(1 for page in PAGES if (folder / f"{page}.ipynb").exists())
    print(f"Rendering {count} notebooks as the test run executed them (no execution)")


if __name__ == "__main__":
    lay_out(sys.argv[1])
