"""Checks of one rendered chapter page, shared by the browser tests and their tests."""

import json
from pathlib import Path

import yaml
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[2]
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
REPO = CONFIG["repository"]["url"].rstrip("/")
BRANCH = CONFIG["repository"].get("branch", "main")
COLAB = CONFIG["launch_buttons"]["colab_url"].rstrip("/")
STATIC_NOTE = "open this chapter in Colab or Jupyter and move the sliders"


def toc_pages():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    pages = [toc["root"]]
    for part in toc.get("parts", []):
        pages += [c["file"] for c in part.get("chapters", [])]
    return pages


def notebook_cells(page):
    path = ROOT / f"{page}.ipynb"
    if not path.exists():
        return []
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


PAGES = toc_pages()
CHAPTERS = [p for p in PAGES if p.startswith("chapters/")]


def page_problems(html, page, cells):
    """Everything wrong with one rendered chapter page, as a list of sentences."""
    soup = BeautifulSoup(html, "html.parser")
    article = soup.find("article") or soup
    problems = []

    sources = ["".join(c["source"]) for c in cells if c["cell_type"] == "markdown"]
    has_math = any("$" in s for s in sources)
    rendered = article.find_all("mjx-container")
    unrendered = [m for m in article.select(".math") if m.find("mjx-container") is None]
    if has_math and not rendered:
        problems.append("no math rendered by MathJax")
    if unrendered:
        problems.append(f"{len(unrendered)} math blocks left unrendered")
    text = article.get_text(" ")
    if "$$" in text.replace(" ", ""):
        problems.append("raw $$ left in the page")

    images = [
        img
        for img in article.select(".cell_output img")
        if img.get("src", "").endswith((".png", ".svg", ".jpg"))
        or "data:image" in img.get("src", "")
    ]
    if not images:
        problems.append("no figure image")

    for output in article.select(".cell_output .output"):
        classes = output.get("class", [])
        body = output.get_text()
        if "traceback" in classes or "error" in classes:
            problems.append("an error output is shown")
        elif "Traceback (most recent call last)" in body:
            problems.append("a traceback is shown")

    notebook = f"{page}.ipynb"
    colab = f"{COLAB}/github/{REPO.split('github.com/')[1]}/blob/{BRANCH}/{notebook}"
    links = [a.get("href") for a in soup.find_all("a")]
    if colab not in links:
        problems.append(f"no Colab launch link to {colab}")

    shown = " ".join(c.get_text() for c in article.select(".cell_input"))
    for cell in cells:
        if "remove-cell" in cell.get("metadata", {}).get("tags", []):
            lines = [ln.strip() for ln in "".join(cell["source"]).splitlines()]
            longest = max(lines, key=len, default="")
            if longest and longest in shown:
                problems.append(f"hidden cell is shown: {longest[:60]}")

    code = "".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    if "to_jshtml" in code:
        animation = article.select_one(".animation")
        if animation is None or not animation.find_all("button"):
            problems.append("animation controls missing")
    if "rh.widgets.interact" in code and STATIC_NOTE not in text:
        problems.append("widget note missing")
    return problems
