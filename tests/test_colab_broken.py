"""The Colab-like run fails on broken copies: each way a chapter can pass here
and fail for a Colab reader (a chapter reading a repository path is in
``test_colab.py``, which shares its environment)."""

import re

import nbformat
import pytest
from nbclient.exceptions import CellExecutionError
from test_colab import COLAB, NUMPY_CHAPTER, ROOT, ColabLike, snapshot

pytestmark = pytest.mark.colab


def run_broken(tmp_path, wheels, notebook, url):
    env = ColabLike(tmp_path / "colab", wheels)
    with pytest.raises(CellExecutionError) as failure:
        env.run(notebook, url)
    error = failure.value
    print(f"broken copy fails as expected: {error.ename}: {error.evalue}")
    return error


def test_chapter_without_install_cell_fails(tmp_path, wheels, book_url):
    nb = nbformat.read(ROOT / NUMPY_CHAPTER, as_version=4)
    install = next(c for c in nb.cells if c.cell_type == "code")
    assert 'find_spec("rnn_helpers")' in install.source
    nb.cells.remove(install)
    broken = tmp_path / "no_install_cell.ipynb"
    nbformat.write(nb, broken)
    error = run_broken(tmp_path, wheels, broken, book_url)
    # The imports cell stops at the first of the helpers or their dependencies.
    assert error.ename == "ModuleNotFoundError"
    missing = error.evalue.split("'")[1]
    assert missing in ["rnn_helpers", *_declared_dependencies()], error.evalue


def _declared_dependencies():
    text = (ROOT / "pyproject.toml").read_text()
    block = re.search(r"dependencies = \[(.*?)\]", text, flags=re.S).group(1)
    return [re.match(r"[\w-]+", d).group(0) for d in re.findall(r'"([^"]+)"', block)]


def _edit_pyproject(folder, old, new):
    path = folder / "pyproject.toml"
    text = path.read_text()
    changed = re.sub(old, new, text, count=1, flags=re.S)
    assert changed != text, f"pyproject.toml has no {old!r} to break"
    path.write_text(changed)


def test_package_missing_a_subpackage_fails(tmp_path, wheels):
    # The helpers' subpackages (rnn_helpers.data) left out of the package.
    url = snapshot(
        tmp_path / "book",
        lambda folder: _edit_pyproject(
            folder, r'include = \["rnn_helpers\*"\]', 'include = ["rnn_helpers"]'
        ),
    )
    error = run_broken(tmp_path, wheels, ROOT / NUMPY_CHAPTER, url)
    assert error.ename in ("ModuleNotFoundError", "ImportError", "AttributeError")
    assert "rnn_helpers." in error.evalue or "data" in error.evalue


def test_package_missing_a_dependency_fails(tmp_path, wheels):
    # Only what Colab has is declared: SciPy, tqdm, mlxtend, ... are missing.
    def keep_colab_only(folder):
        kept = ", ".join(
            f'"{name}"' for name in COLAB if name in ("numpy", "matplotlib")
        )
        _edit_pyproject(folder, r"dependencies = \[.*?\]", f"dependencies = [{kept}]")

    url = snapshot(tmp_path / "book", keep_colab_only)
    error = run_broken(tmp_path, wheels, ROOT / NUMPY_CHAPTER, url)
    assert error.ename in ("ModuleNotFoundError", "ImportError")
