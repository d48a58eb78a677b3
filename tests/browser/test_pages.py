"""What a reader sees: every page of the built book, in headless Chromium."""

import pytest
from bs4 import BeautifulSoup
from pagecheck import CHAPTERS, PAGES, notebook_cells, page_problems, tidy_problems


def by_page(pages):
    """One parameter per page; with xdist, a page's tests share one worker."""
    return [pytest.param(p, marks=pytest.mark.xdist_group(p)) for p in pages]


@pytest.mark.parametrize("page", by_page(PAGES))
def test_page_loads_and_is_screenshotted(page, server, chromium, book):
    url = f"{server}/{page}.html"
    assert (book / f"{page}.html").exists(), f"{page}.html was not built"
    shot = chromium.screenshot(url)
    assert shot.stat().st_size > 10_000, "the screenshot is blank"
    soup = BeautifulSoup(chromium.dom(url), "html.parser")
    assert soup.find("article") is not None, "the page has no article"


@pytest.mark.parametrize("page", by_page(CHAPTERS))
def test_chapter_page_shows_math_figures_and_launch_link(page, server, chromium, book):
    html = chromium.dom(f"{server}/{page}.html")
    # The executed notebook the page was rendered from (outputs included).
    cells = notebook_cells(page, book.parents[1])
    problems = page_problems(html, page, cells)
    assert not problems, f"{page}: " + "; ".join(problems)


@pytest.mark.parametrize("page", by_page([p for p in PAGES if p not in CHAPTERS]))
def test_other_pages_have_tidy_outputs_and_tables(page, server, chromium, book):
    html = chromium.dom(f"{server}/{page}.html")
    problems = tidy_problems(html, notebook_cells(page, book.parents[1]))
    assert not problems, f"{page}: " + "; ".join(problems)
