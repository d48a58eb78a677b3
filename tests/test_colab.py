"""Colab's own stack: what ``make test``'s Colab-stack run must catch.

``make test`` executes every chapter with the ``rnn-book-colab`` kernel of
``tests/colab/stack.py`` (Colab's versions, live output, another OpenBLAS
kernel). These tests show that this run fails on each way a chapter or the
helpers can work here and not for a Colab reader, and that live widgets and
progress bars work under Colab's ipywidgets 7 as under ipywidgets 8.

They use the run folder that ``make test`` prepared (``RNN_BOOK_COLAB_RUN``)
or prepare one themselves.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

sys.path.insert(0, str(Path(__file__).resolve().parent / "colab"))
import stack  # noqa: E402

pytestmark = pytest.mark.colab
ROOT = stack.ROOT
NUMPY_CHAPTER = ROOT / "chapters" / "02_softmax_and_cross_entropy.ipynb"


@pytest.fixture(scope="session")
def colab_run(tmp_path_factory):
    """The prepared Colab-stack run folder (helpers installed, kernel written)."""
    folder = os.environ.get("RNN_BOOK_COLAB_RUN")
    if folder and (Path(folder) / "share").exists():
        return Path(folder)
    folder = tmp_path_factory.mktemp("colab-run")
    stack.prepare(folder)
    return folder


@pytest.fixture(scope="session")
def colab_stack():
    """The cached stack itself: Colab's packages, no helpers. Never changed here."""
    return stack.build_stack()


def kernels(folder):
    return KernelSpecManager(kernel_dirs=[str(folder / "share/jupyter/kernels")])


def run_notebook(nb, kernel_dirs, timeout=240):
    """Execute ``nb`` with the ``rnn-book-colab`` kernel found in ``kernel_dirs``."""
    manager = KernelManager(
        kernel_name=stack.KERNEL_NAME, kernel_spec_manager=kernels(kernel_dirs)
    )
    env = {**os.environ, "RNN_BOOK_MODE": "quick"}
    env.pop("RNN_BOOK_STATIC", None)
    NotebookClient(nb, km=manager, timeout=timeout).execute(env=env)
    return nb


def bare_kernel(folder, python, curve=False):
    """A ``rnn-book-colab`` kernel on ``python``, starting in an empty folder."""
    workdir = folder / "content"
    workdir.mkdir(parents=True, exist_ok=True)
    stack.write_kernel(folder, python, workdir, folder / "results", "Haswell")
    if curve:  # ipykernel 7 (this environment's) takes CurveZMQ keys
        path = folder / "share/jupyter/kernels" / stack.KERNEL_NAME / "kernel.json"
        spec = json.loads(path.read_text())
        spec["metadata"] = {"supported_encryption": ["curve"]}
        path.write_text(json.dumps(spec))
    return folder


def outputs(cell, kind):
    return [
        o for o in cell.outputs if kind in o.get("data", {}) or o.get("name") == kind
    ]


def test_colab_versions_come_from_the_published_freeze():
    versions = stack.colab_versions()
    assert versions["ipywidgets"] == "7.7.1" and versions["numpy"] == "2.1.3"
    assert versions["tensorflow"] == "2.20.0" and versions["keras"] == "3.13.2"
    assert set(stack.PACKAGES) <= {p.replace("-", "_") for p in versions} | {
        p.replace("_", "-") for p in versions
    }


def test_colab_versions_reject_a_line_without_a_pinned_version(tmp_path):
    bad = tmp_path / "constraints.txt"
    bad.write_text("# a comment\nnumpy==2.1.3\ntensorflow>=2.20\n")
    expected = r"constraints.txt:3: expected 'name==version'"
    with pytest.raises(ValueError, match=expected):
        stack.colab_versions(bad)


def test_every_chapter_has_the_same_install_cell():
    cells = {p.name: stack.install_cell(p) for p in (ROOT / "chapters").glob("*.ipynb")}
    assert len(set(cells.values())) == 1, sorted(cells)


def edit_pyproject(old, new):
    """An edit for ``stack.snapshot``: ``old`` replaced by ``new`` in pyproject.toml."""

    def edit(folder):
        path = folder / "pyproject.toml"
        text = path.read_text()
        assert old in text, f"pyproject.toml has no {old} to break"
        path.write_text(text.replace(old, new))

    return edit


def test_helpers_bound_that_upgrades_ipywidgets_is_caught(colab_stack, tmp_path):
    """The ``ipywidgets>=8`` bound put back: pip would replace Colab's 7.7.1."""

    url = stack.snapshot(
        tmp_path / "book", edit_pyproject('"ipywidgets>=7.7"', '"ipywidgets>=8"')
    )
    changes = stack.install_changes(colab_stack / "bin" / "python", url)
    print("broken copy caught:", *changes, sep="\n  ")
    assert any(re.match(r"ipywidgets 7\.7\.1 -> 8\.", c) for c in changes), changes


def test_chapter_without_install_cell_fails(colab_stack, tmp_path):
    nb = nbformat.read(NUMPY_CHAPTER, as_version=4)
    install = next(c for c in nb.cells if c.cell_type == "code")
    nb.cells.remove(install)
    with pytest.raises(CellExecutionError) as failure:
        run_notebook(nb, bare_kernel(tmp_path, colab_stack / "bin" / "python"))
    assert failure.value.ename == "ModuleNotFoundError", failure.value.evalue
    assert "rnn_helpers" in failure.value.evalue


def test_package_missing_a_subpackage_fails(colab_stack, tmp_path):
    """The helpers' subpackages (rnn_helpers.data) left out of the package."""

    url = stack.snapshot(
        tmp_path / "book", edit_pyproject('["rnn_helpers*"]', '["rnn_helpers"]')
    )
    python = stack.copy_stack(colab_stack, tmp_path / "venv")
    stack.run_install_cell(python, url, tmp_path / "content")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import rnn_helpers as rh\nrh.data")]
    with pytest.raises(CellExecutionError) as failure:
        run_notebook(nb, bare_kernel(tmp_path, python))
    assert "rnn_helpers.data" in failure.value.evalue or "data" in failure.value.evalue


def test_chapter_reading_a_repository_path_fails(colab_run):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell('open("../README.md").read()')]
    with pytest.raises(CellExecutionError) as failure:
        run_notebook(nb, colab_run)
    assert failure.value.ename == "FileNotFoundError", failure.value.evalue


def test_check_that_holds_on_one_openblas_kernel_only_fails(colab_run):
    """A self-check pinned to the default kernel's rounding fails in the run."""
    python = colab_run / "venv" / "bin" / "python"
    code = (
        "import numpy as np; r = np.random.default_rng(0); "
        "a = r.normal(size=(64, 1000)); b = r.normal(size=1000); "
        "print(repr(float(sum(a[i] @ b for i in range(64)))))"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENBLAS_")}
    here = subprocess.run(
        [python, "-c", code], capture_output=True, text=True, env=env, check=True
    ).stdout.strip()
    spec = json.loads(
        (
            colab_run / "share/jupyter/kernels" / stack.KERNEL_NAME / "kernel.json"
        ).read_text()
    )
    there = subprocess.run(
        [python, "-c", code],
        capture_output=True,
        text=True,
        env={**env, **spec["env"]},
        check=True,
    ).stdout.strip()
    assert here != there, f"the kernels round alike here ({here}): no demonstration"
    nb = nbformat.v4.new_notebook()
    check = code.replace("print(repr(float(", "value = float(").removesuffix("))")
    nb.cells = [nbformat.v4.new_code_cell(f"{check}\nassert value == {here}, value")]
    with pytest.raises(CellExecutionError) as failure:
        run_notebook(nb, colab_run)
    assert failure.value.ename == "AssertionError"
    print(f"default kernel {here}, {spec['env']['OPENBLAS_CORETYPE']} {there}")


LIVE = """\
import ipywidgets
import rnn_helpers as rh
calls = []
slider = ipywidgets.FloatSlider(value=0.5)
live = rh.widgets.interact(lambda w: calls.append(w), w=slider)
live.children[0].value = 1.5
for _ in rh.config.progress(range(3), desc="steps"):
    pass
print(ipywidgets.__version__, calls)
"""


def live_cell(kernel_dirs):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(LIVE)]
    return run_notebook(nb, kernel_dirs).cells[0]


def check_live(cell, major):
    text = "".join(o.text for o in outputs(cell, "stdout"))
    version, _, calls = text.partition(" ")
    assert version.startswith(f"{major}."), text
    # the static default, the live view's first drawing, then the moved slider
    assert calls.strip() == "[0.5, 0.5, 1.5]", text
    views = outputs(cell, "application/vnd.jupyter.widget-view+json")
    # the sliders, and the progress bar as a widget (not tqdm's text fallback)
    assert len(views) >= 2, cell.outputs
    assert not outputs(cell, "stderr"), outputs(cell, "stderr")


def test_live_widgets_and_bars_under_ipywidgets_7(colab_run):
    check_live(live_cell(colab_run), 7)


def test_live_widgets_and_bars_under_ipywidgets_8(tmp_path):
    bare_kernel(tmp_path, Path(sys.executable), curve=True)
    check_live(live_cell(tmp_path), 8)
