"""Lay out the quick-mode book from the notebooks that ``make test`` executed.

``python tests/browser/quickbook.py DIR``: DIR holds the notebooks nbval ran,
with their outputs (written by ``pytest --executed-notebooks DIR``). This puts
the book's other sources beside them, with a ``_config.yml`` that executes
nothing, so that ``jupyter-book build DIR`` renders what the tests saw. It fails
when a notebook of the table of contents was not executed.
"""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import yaml
from pagecheck import PAGES, ROOT

# Sources the book does not read, and notebooks, which come executed.
SKIP = ("tests/", "benchmarks/", "rnn_helpers/", ".ci/")


def book_sources():
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for relative in filter(None, listed.split("\0")):
        path = ROOT / relative
        if path.is_file() and path.suffix != ".ipynb" and not relative.startswith(SKIP):
            yield relative


def executed(path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    code = [c for c in cells if c["cell_type"] == "code"]
    return all(c.get("execution_count") is not None for c in code)


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
    for relative in book_sources():
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / relative, target)
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    config["execute"]["execute_notebooks"] = "off"
    (folder / "_config.yml").write_text(yaml.safe_dump(config, sort_keys=False))


if __name__ == "__main__":
    lay_out(sys.argv[1])
