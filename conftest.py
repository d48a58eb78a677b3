"""Pytest hooks for the whole repository.

With nbval (``--nbval-lax``), every notebook runs once in one kernel, and:

- after its last cell, the Python code of every dropdown in its Markdown (the
  exercise solutions) runs in the same kernel, one test item per block, so a
  solution that raises fails the run;
- with ``--executed-notebooks DIR``, the notebook is written to ``DIR`` (same
  relative path) with the outputs nbval collected: the quick-mode book is built
  from these copies without running anything again;
- the run ends with the seconds each notebook took (cells and solutions).
"""

import re
import time
from collections import defaultdict
from pathlib import Path

import nbformat
import pytest

try:
    from nbval.plugin import IPyNbCell, IPyNbFile
except ImportError:  # nbval is in requirements.txt; unit tests run without it
    IPyNbCell = IPyNbFile = None

# A directive fence: ```{dropdown} Title, ::::{admonition} Title, ...
_DIRECTIVE = re.compile(r"^(?P<fence>`{3,}|:{3,})\{(?P<name>[\w-]+)\}(?P<arg>.*)$")
_CODE_FENCE = re.compile(r"^(?P<fence>`{3,}|~{3,})\s*(?P<info>[^`\s]*)")
_PYTHON = {"python", "python3", "ipython", "ipython3", "py"}


def dropdown_code(markdown):
    """The Python code blocks inside dropdowns of one Markdown text, in order.

    Dropdowns are ``{dropdown}`` directives and ``{admonition}`` directives
    with ``:class: dropdown``, fenced with backticks or colons (MyST). Code
    fenced as ``python`` (or ``ipython3``, ...) counts; ``text`` and other
    languages do not.
    """
    blocks = []
    open_directives = []  # [fence, is_dropdown]
    code, code_fence = None, None
    for line in markdown.splitlines():
        stripped = line.strip()
        if code_fence is not None:
            if stripped.startswith(code_fence) and set(stripped) == {code_fence[0]}:
                if code is not None:
                    blocks.append("\n".join(code).strip("\n") + "\n")
                code, code_fence = None, None
            elif code is not None:
                code.append(line)
            continue
        directive = _DIRECTIVE.match(stripped)
        if directive:
            name = directive["name"]
            open_directives.append([directive["fence"], name in ("dropdown", "toggle")])
            continue
        if open_directives:
            fence = open_directives[-1][0]
            if stripped.startswith(fence) and set(stripped) == {fence[0]}:
                open_directives.pop()
                continue
            if stripped.startswith(":class:") and "dropdown" in stripped:
                open_directives[-1][1] = True
                continue
        fenced = _CODE_FENCE.match(stripped)
        if fenced:
            code_fence = fenced["fence"]
            inside = any(is_dropdown for _, is_dropdown in open_directives)
            code = [] if inside and fenced["info"].lower() in _PYTHON else None
    return blocks


def exercise_solutions(nb):
    """Every dropdown's Python code in a notebook's Markdown cells, in order."""
    return [
        block
        for cell in nb.cells
        if cell.cell_type == "markdown"
        for block in dropdown_code(cell.source)
    ]


def pytest_configure(config):
    # The kernels that run notebooks get CurveZMQ keys, as in the book build:
    # ipykernel then logs no warning about plain TCP for each of them.
    try:
        from _ext.kernel_encryption import setup
    except ImportError:  # a copy of this file elsewhere (tests of the plugin)
        return
    setup(app=None)


def pytest_addoption(parser):
    parser.addoption(
        "--executed-notebooks",
        metavar="DIR",
        help="write each notebook that nbval ran, with its outputs, under DIR",
    )


if IPyNbFile is not None:

    class BookNotebook(IPyNbFile):
        """nbval's notebook, plus its exercise solutions, written out when done."""

        def collect(self):
            count = 0
            for item in super().collect():
                count += 1
                yield BookCell.from_parent(
                    self,
                    name=item.name,
                    cell_num=item.cell_num,
                    cell=item.cell,
                    options=item.options,
                )
            for k, source in enumerate(exercise_solutions(self.nb), 1):
                cell = nbformat.v4.new_code_cell(source)
                options = defaultdict(bool, check=False)
                yield BookCell.from_parent(
                    self,
                    name=f"Solution {k}",
                    cell_num=count,
                    cell=cell,
                    options=options,
                )
                count += 1

        def teardown(self):
            folder = self.config.getoption("--executed-notebooks")
            if folder and getattr(self, "nb", None) is not None:
                relative = self.path.resolve().relative_to(self.config.rootpath)
                target = Path(folder).resolve() / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                nbformat.write(self.nb, str(target))
            super().teardown()

    class BookCell(IPyNbCell):
        """A cell whose outputs are kept in the notebook (solutions are not)."""

        def runtest(self):
            try:
                super().runtest()
            finally:
                if self.test_outputs is not None and not self.name.startswith(
                    "Solution"
                ):
                    self.cell.outputs = self.test_outputs
                    self.cell.execution_count = self.cell_num + 1
                    for output in self.cell.outputs:
                        if output.output_type == "execute_result":
                            output.execution_count = self.cell_num + 1

    @pytest.hookimpl(wrapper=True)
    def pytest_collect_file(file_path, parent):
        collectors = yield
        return [
            BookNotebook.from_parent(parent, path=file_path)
            if type(c) is IPyNbFile
            else c
            for c in collectors
        ]


def _kind(nodeid):
    path, _, name = nodeid.partition("::")
    if path.endswith(".ipynb"):
        return "exercise solutions" if name.startswith("Solution") else "notebooks"
    if Path(path).name.startswith("test_colab"):
        return "Colab-like test"
    return "browser checks" if "tests/browser/" in path else "unit tests"


def pytest_collection_modifyitems(items):
    """The longest work first, so that two workers finish close together."""
    rank = {"Colab-like test": 0, "notebooks": 1, "exercise solutions": 1}
    items.sort(key=lambda item: rank.get(_kind(item.nodeid), 2))


_seconds = defaultdict(lambda: defaultdict(float))
_started = time.perf_counter()


def pytest_runtest_logreport(report):
    kind = _kind(report.nodeid)
    path = report.nodeid.partition("::")[0]
    _seconds[kind]["total"] += report.duration
    if path.endswith(".ipynb"):
        _seconds[path][kind] += report.duration


def pytest_terminal_summary(terminalreporter):
    notebooks = sorted(p for p in _seconds if p.endswith(".ipynb"))
    if notebooks:
        terminalreporter.section("seconds per notebook (each executed once)")
        for path in notebooks:
            cells, solutions = (
                _seconds[path]["notebooks"],
                _seconds[path]["exercise solutions"],
            )
            terminalreporter.write_line(
                f"{cells + solutions:7.1f} s  {path}  (cells {cells:.1f} s, "
                f"exercise solutions {solutions:.1f} s)"
            )
    kinds = [
        k
        for k in (
            "unit tests",
            "notebooks",
            "exercise solutions",
            "Colab-like test",
            "browser checks",
        )
        if _seconds[k]["total"]
    ]
    if kinds:
        terminalreporter.section("seconds per kind of test (summed over workers)")
        for kind in kinds:
            terminalreporter.write_line(f"{_seconds[kind]['total']:7.1f} s  {kind}")
        terminalreporter.write_line(
            f"{time.perf_counter() - _started:7.1f} s  wall time of this pytest run"
        )
