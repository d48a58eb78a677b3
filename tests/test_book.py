"""The book as a whole: table of contents, notebooks, configuration."""

import json
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))


def _toc_files():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = []
    for part in toc.get("parts", []):
        for chapter in part.get("chapters", []):
            files.append(chapter["file"])
    return toc["root"], files


def _repository_url():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    return config["repository"]["url"]


def _code_cells(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def test_toc_lists_every_chapter_notebook_and_nothing_else():
    root, files = _toc_files()
    assert (ROOT / f"{root}.md").exists()
    chapter_files = [f for f in files if f.startswith("chapters/")]
    on_disk = [f"chapters/{p.stem}" for p in CHAPTERS]
    assert chapter_files == on_disk, "_toc.yml and chapters/ disagree"
    for f in files:
        assert list(ROOT.glob(f + ".*")), f"{f} in _toc.yml has no file"


def test_chapter_file_names_are_numbered_in_order():
    numbers = [p.stem.split("_")[0] for p in CHAPTERS]
    assert numbers == [f"{i:02d}" for i in range(1, len(CHAPTERS) + 1)]


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_notebook_is_committed_without_outputs(path):
    for cell in _code_cells(path):
        assert cell.get("outputs") == [], f"{path.name} has stored outputs"
        assert cell.get("execution_count") is None, f"{path.name} has counts"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_first_code_cell_installs_helpers_only_when_missing(path):
    first, second = _code_cells(path)[:2]
    source = "".join(first["source"])
    assert 'find_spec("rnn_helpers") is None' in source
    assert f"git+{_repository_url()}" in source
    assert "remove-cell" in first.get("metadata", {}).get("tags", [])
    assert "import rnn_helpers as rh" in "".join(second["source"])


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_notebook_has_no_local_paths_or_star_imports(path):
    text = "\n".join("".join(c["source"]) for c in _code_cells(path))
    assert not re.search(r"['\"](/home|/work|/tmp|/root|[A-Z]:\\\\)", text)
    assert "import *" not in text
    assert "os.chdir" not in text
