"""The browser checks themselves: a broken page must fail them."""

import importlib.util
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from browser.pagecheck import COLAB, REPO, page_problems, tidy_problems

ROOT = Path(__file__).resolve().parents[1]

PAGE = "chapters/01_example"
COLAB_LINK = f"{COLAB}/github/{REPO.split('github.com/')[1]}/blob/main/{PAGE}.ipynb"
CELLS = [
    {"cell_type": "markdown", "metadata": {}, "source": ["Math: $a^2$"]},
    {"cell_type": "code", "metadata": {}, "source": ["plot()"]},
    {
        "cell_type": "code",
        "metadata": {"tags": ["remove-cell"]},
        "source": ["assert accuracy > 0.8"],
    },
]


def render(
    math='<span class="math"><mjx-container>a2</mjx-container></span>',
    image='<img src="_images/fig.png">',
    link=f'<a href="{COLAB_LINK}">Colab</a>',
    extra="",
):
    return f"""<html><body>{link}<article>
    <p>Math: {math}</p>
    <div class="cell"><div class="cell_input">plot()</div>
    <div class="cell_output"><div class="output">{image}</div></div></div>
    {extra}</article></body></html>"""


def test_a_good_page_passes():
    assert page_problems(render(), PAGE, CELLS) == []


@pytest.mark.parametrize(
    ("broken", "problem"),
    [
        (dict(math='<span class="math">\\(a^2\\)</span>'), "no math rendered"),
        (dict(math="$$a^2$$"), "raw $$ left in the page"),
        (dict(image=""), "no figure image"),
        (dict(link='<a href="https://colab.research.google.com/">x</a>'), "no Colab"),
        (
            dict(extra='<div class="cell_input">assert accuracy > 0.8</div>'),
            "hidden cell is shown",
        ),
        (
            dict(
                extra='<div class="cell_output"><div class="output traceback">'
                "Traceback (most recent call last)</div></div>"
            ),
            "an error output is shown",
        ),
    ],
)
def test_a_broken_page_fails(broken, problem):
    problems = page_problems(render(**broken), PAGE, CELLS)
    assert any(problem in p for p in problems), problems


def output(text, kind="stream"):
    area = f'<div class="output {kind}"><pre>{text}</pre></div>'
    return f'<div class="cell_output">{area}</div>'


LOG = "\n".join(f"Epoch {i}/6 - loss: 0.{i}" for i in range(1, 7))
MARKDOWN_TABLE = "| quantity | value | unit |\n|---|---|---|\n"
SPLIT_ROW = "| largest |NumPy - TensorFlow| difference | 1e-7 | |\n"


@pytest.mark.parametrize(
    ("extra", "problem"),
    [
        (output("loss $\\frac{1}{2} x_1$"), "unrendered TeX in an output"),
        (output("$x$ and $y$"), "unrendered TeX in an output"),
        (output("p = \\sigma(z)"), "unrendered TeX in an output"),
        (
            '<div class="cell_output"><div class="output text_markdown"><p>'
            "error $\\lVert g \\rVert_2$</p></div></div>",
            "unrendered TeX in an output",
        ),
        (
            output("/tmp/ipykernel_812/3361.py:2: OfflineDataWarning: no network"),
            "a warning or temporary path in an output",
        ),
        (output("saved to /var/folders/xy/T/fig.png"), "a warning or temporary path"),
        (
            output("W0000 00:00:1733 12:01:02.5 cpu_feature_guard.cc:142] AVX"),
            "warning",
        ),
        (output(LOG), "6 lines of training log in one output"),
        (
            output(
                "\n".join(f"{i * 10}%|##   | {i}/10 [00:01, 9.1it/s]" for i in range(7))
            ),
            "lines of training log",
        ),
        (
            "<table><tr><th>a</th><th>b</th></tr><tr><td>1</td><td>2</td><td>3</td>"
            "</tr></table>",
            "a table has rows of [2, 3] cells",
        ),
    ],
)
def test_a_page_with_untidy_outputs_fails(extra, problem):
    problems = page_problems(render(extra=extra), PAGE, CELLS)
    assert any(problem in p for p in problems), problems


def test_tidy_outputs_pass():
    tidy = (
        output("test accuracy 91.2% after 3 epochs (4,000 training digits)")
        # a printed string with an escaped newline is not TeX
        + output("'import numpy\\nAssert statements'")
        + output("\n".join(LOG.splitlines()[:5]))
        + '<div class="cell_output"><div class="output text_markdown"><p>'
        "<mjx-container>x2</mjx-container> costs $5</p></div></div>"
        # a pandas table: the index column spans two rows
         + '<table><tr><th></th><th>a</th><th>b</th></tr><tr><th rowspan="2">x</th>'
        "<td>1</td><td>2</td></tr><tr><td>3</td><td>4</td></tr></table>"
    )
    assert page_problems(render(extra=tidy), PAGE, CELLS) == []


def test_a_table_row_split_by_its_pipes_fails_in_prose_and_in_outputs():
    good = MARKDOWN_TABLE + "| largest \\|NumPy - TensorFlow\\| difference | 1e-7 | |\n"
    assert page_problems(render(), PAGE, CELLS + [markdown(good)]) == []
    problems = page_problems(
        render(), PAGE, CELLS + [markdown(MARKDOWN_TABLE + SPLIT_ROW)]
    )
    assert any("has 5 cells under a header of 3" in p for p in problems), problems
    computed = {
        "cell_type": "code",
        "metadata": {},
        "source": ["show_results()"],
        "outputs": [
            {
                "output_type": "display_data",
                "metadata": {},
                "data": {"text/markdown": MARKDOWN_TABLE + SPLIT_ROW},
            }
        ],
    }
    problems = page_problems(render(), PAGE, CELLS + [computed])
    assert any("in the output of cell 3" in p for p in problems), problems


def markdown(text):
    return {"cell_type": "markdown", "metadata": {}, "source": [text]}


def _root_conftest():
    spec = importlib.util.spec_from_file_location("book_conftest", ROOT / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_dropdown_code_finds_the_python_of_every_solution():
    text = (
        "**1.** Compute it.\n\n````{dropdown} Solution\nMath $x$.\n\n"
        "```python\nprint(1)\n```\n\n```text\nnot code\n```\n````\n\n"
        ":::{admonition} Solution\n:class: dropdown\n```python\nprint(2)\n```\n:::\n\n"
        ":::{note}\n```python\nnot_a_solution()\n```\n:::\n\n"
        "```python\nalso_not_a_solution()\n```\n"
    )
    assert _root_conftest().dropdown_code(text) == ["print(1)\n", "print(2)\n"]


SOLUTION_TAGS = {"tags": ["hide-cell", "solution"]}


def test_exercise_solutions_must_show_their_output(tmp_path):
    """A solution cell that shows nothing, or raises, fails the notebook run;
    Python in a Markdown dropdown (an answer without its output) fails too."""
    cases = {
        "good": [nbformat.v4.new_code_cell("print(x + 1)", metadata=SOLUTION_TAGS)],
        "silent": [nbformat.v4.new_code_cell("y = x + 1", metadata=SOLUTION_TAGS)],
        "broken": [nbformat.v4.new_code_cell("print(z)", metadata=SOLUTION_TAGS)],
        "dropdown": [
            nbformat.v4.new_markdown_cell(
                "**1.** Add one.\n\n````{dropdown} Solution\n```python\n"
                "print(x + 1)\n```\n````\n"
            )
        ],
    }
    for name, cells in cases.items():
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_code_cell("x = 41"), *cells]
        nbformat.write(nb, tmp_path / f"{name}.ipynb")
    (tmp_path / "conftest.py").write_text((ROOT / "conftest.py").read_text())
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--nbval-lax",
            "--nbval-current-env",
            "-p",
            "no:cacheprovider",
            "-rA",
            *(f"{name}.ipynb" for name in cases),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 1, run.stdout[-2000:]
    assert "PASSED good.ipynb::Cell 1" in run.stdout
    assert "FAILED silent.ipynb::Cell 1" in run.stdout
    assert "shows no output" in run.stdout
    assert "FAILED broken.ipynb::Cell 1" in run.stdout
    assert "FAILED dropdown.ipynb::dropdowns" in run.stdout
    assert "Python code in a Markdown dropdown" in run.stdout


def test_animation_and_widget_pages_need_their_static_parts():
    cells = CELLS + [
        {
            "cell_type": "code",
            "metadata": {},
            "source": ["HTML(anim.to_jshtml())\nrh.widgets.interact(draw, w=s)"],
        }
    ]
    problems = page_problems(render(), PAGE, cells)
    assert "animation controls missing" in problems
    assert "widget note missing" in problems
    ok = render(
        extra='<div class="animation"><button>play</button></div>'
        "<p>(Interactive version: open this chapter in Colab or Jupyter and move "
        "the sliders.)</p>"
    )
    assert page_problems(ok, PAGE, cells) == []


def test_results_page_with_a_split_row_fails_the_tidy_check():
    page = render(extra=output("fine"))
    cell = markdown(MARKDOWN_TABLE + "| accuracy | 91.1% | fraction |\n")
    assert tidy_problems(page, [cell]) == []
    split = markdown(MARKDOWN_TABLE + SPLIT_ROW)
    assert any("5 cells under a header of 3" in p for p in tidy_problems(page, [split]))
