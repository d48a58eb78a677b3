"""The browser checks themselves: a broken page must fail them."""

import pytest
from browser.pagecheck import COLAB, REPO, page_problems

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
