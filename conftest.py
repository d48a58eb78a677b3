"""Pytest hooks for the whole repository.

With nbval (``--nbval-lax``), every notebook runs once in one kernel, and:

- an exercise solution is a code cell tagged ``solution`` (and ``hide-cell``,
  which folds it on the page): it fails when it shows no output, and a
  notebook with Python code in a Markdown dropdown (an answer the page would
  show without its output) fails to collect;
- with ``--executed-notebooks DIR``, the notebook is written to ``DIR`` (same
  relative path) with the outputs nbval collected: the quick-mode book is built
  from these copies without running anything again;
- the run ends with the seconds each notebook took.
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
        """nbval's notebook, its solutions checked, written out when done."""

        def collect(self):
            items = list(super().collect())  # reads self.nb
            dropdowns = exercise_solutions(self.nb)
            if dropdowns:
                yield DropdownCode.from_parent(self, name="dropdowns", code=dropdowns)
            for item in items:
                yield BookCell.from_parent(
                    self,
                    name=item.name,
                    cell_num=item.cell_num,
                    cell=item.cell,
                    options=item.options,
                )

        def teardown(self):
            folder = self.config.getoption("--executed-notebooks")
            if folder and getattr(self, "nb", None) is not None:
                relative = self.path.resolve().relative_to(self.config.rootpath)
                target = Path(folder).resolve() / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                nbformat.write(self.nb, str(target))
            super().teardown()

    class DropdownCode(pytest.Item):
        """Fails: Python code in a Markdown dropdown shows no output on the page."""

        def __init__(self, *, code, **kwargs):
            super().__init__(**kwargs)
            self.code = code

        def runtest(self):
            raise AssertionError(
                f"{self.path.name}: Python code in a Markdown dropdown runs "
                "nowhere a reader can see its output; make it a code cell "
                f"tagged hide-cell and solution (it begins {self.code[0][:60]!r})"
            )

        def reportinfo(self):
            return self.path, 0, f"{self.path.name}::dropdowns"

    class BookCell(IPyNbCell):
        """A cell whose outputs are kept in the notebook.

        An exercise solution (a code cell tagged ``solution``) fails when it
        shows nothing: its answer is what the reader opens.
        """

        def runtest(self):
            try:
                super().runtest()
            finally:
                if self.test_outputs is not None:
                    self.cell.outputs = self.test_outputs
                    self.cell.execution_count = self.cell_num + 1
                    for output in self.cell.outputs:
                        if output.output_type == "execute_result":
                            output.execution_count = self.cell_num + 1
            tags = self.cell.get("metadata", {}).get("tags", [])
            if "solution" in tags and not self.test_outputs:
                raise AssertionError(
                    f"exercise solution (cell {self.cell_num}) shows no output: "
                    "print or draw the result its answer states"
                )

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
        return "notebooks"
    if Path(path).name.startswith("test_colab"):
        return "Colab-stack tests"
    return "browser checks" if "tests/browser/" in path else "unit tests"


def pytest_collection_modifyitems(items):
    """The longest work first, so that two workers finish close together."""
    rank = {"Colab-stack tests": 0, "notebooks": 1}
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
            seconds = _seconds[path]["notebooks"]
            terminalreporter.write_line(f"{seconds:7.1f} s  {path}")
    kinds = [
        k
        for k in (
            "unit tests",
            "notebooks",
            "Colab-stack tests",
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
