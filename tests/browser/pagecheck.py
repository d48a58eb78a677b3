"""Checks of one rendered chapter page, shared by the browser tests and their tests."""

import copy
import json
import re
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


def notebook_cells(page, folder=ROOT):
    """The cells of a page's notebook in ``folder`` (with outputs if executed)."""
    path = Path(folder) / f"{page}.ipynb"
    if not path.exists():
        path = ROOT / f"{page}.ipynb"
    if not path.exists():
        return []
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


# TeX that MathJax did not typeset: $...$ with TeX inside, \(...\), \frac, ...
# Only real TeX commands count: a printed string such as '\nAssert' is not TeX.
TEX_COMMANDS = (
    "frac tfrac dfrac sqrt sum prod int partial nabla cdot times alpha beta gamma "
    "delta epsilon eta theta lambda mu sigma rho tau phi psi omega mathbf mathrm "
    "mathcal boldsymbol operatorname left right le leq ge geq approx log exp tanh "
    "hat bar tilde odot top infty text lVert rVert quad ldots cdots"
).split()
RAW_TEX = re.compile(
    r"\$[^$\n]*[\\^_{}][^$\n]*\$|\$[A-Za-z]\$|\\\(|\\\[|\$\$"
    rf"|\\(?:{'|'.join(TEX_COMMANDS)})\b"
)
# What a reader should never see in an output: warnings, log lines, the
# temporary paths of the machine that built the page.
NOISE = re.compile(
    r"\b[A-Z]\w*Warning\b|^WARNING\b|\bwarnings\.warn|^[IWEF]\d{4} \d\d:\d\d:\d\d"
    r"|/tmp/|/var/folders/|/private/var/|\bipykernel_\d+|AppData\\Local\\Temp",
    re.MULTILINE,
)
# One line of a training log: an epoch, step or loss report, or a progress bar.
LOG_LINE = re.compile(
    r"(?i)\b(?:epoch|step|iter(?:ation)?|batch)[ \t]*:?[ \t]*\d"
    r"|\bloss[ \t]*[:=][ \t]*[-+]?\d|\d+%\|.*\||\d+/\d+ [━=\[]"
    r"|[0-9.]+\s?(?:it/s|s/it)\b"
)
MAX_LOG_LINES = 5
_DELIMITER = re.compile(r"^\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$")


def table_cells(line):
    """The cells of one pipe-table row, split as MyST (markdown-it) splits them."""
    line = line.strip()
    if line.startswith("|"):
        line = line[1:]
    if line.endswith("|") and not line.endswith("\\|"):
        line = line[:-1]
    return re.split(r"(?<!\\)\|", line)


def markdown_table_problems(text, where):
    """Rows of the pipe tables in ``text`` with more or fewer cells than the header."""
    problems = []
    lines = text.splitlines()
    for i in range(1, len(lines)):
        if "|" not in lines[i - 1] or not _DELIMITER.match(lines[i]):
            continue
        width = len(table_cells(lines[i - 1]))
        for row in lines[i + 1 :]:
            if not row.strip() or "|" not in row:
                break
            cells = len(table_cells(row))
            if cells != width:
                problems.append(
                    f"a table row in {where} has {cells} cells under a header of "
                    f"{width}: {row.strip()[:60]}"
                )
    return problems


def html_table_problems(table):
    """Rows of an HTML table narrower or wider than its first row (spans counted)."""
    widths, carried = [], []  # carried: rows still covered by a rowspan, per row
    for row in table.find_all("tr"):
        width = carried.pop(0) if carried else 0
        for cell in row.find_all(["td", "th"], recursive=False):
            span = int(cell.get("colspan", 1) or 1)
            width += span
            for k in range(int(cell.get("rowspan", 1) or 1) - 1):
                while len(carried) <= k:
                    carried.append(0)
                carried[k] += span
        widths.append(width)
    if widths and any(w != widths[0] for w in widths):
        return [f"a table has rows of {sorted(set(widths))} cells"]
    return []


def _outputs_text(article):
    """Each output area's text, as a reader sees it (typeset math left out)."""
    for output in article.select(".cell_output"):
        output = copy.copy(output)
        for node in output.find_all(["mjx-container", "script", "style", "img"]):
            node.decompose()
        yield output


def output_problems(article):
    problems = []
    for output in _outputs_text(article):
        text = output.get_text("\n")
        tex = RAW_TEX.search(text)
        if tex:
            problems.append(f"unrendered TeX in an output: {tex.group(0)[:40]}")
        noise = NOISE.search(text)
        if noise:
            problems.append(
                f"a warning or temporary path in an output: {noise.group(0)}"
            )
        for pre in output.find_all("pre"):
            lines = re.split(r"[\r\n]+", pre.get_text())
            log = [ln for ln in lines if LOG_LINE.search(ln)]
            if len(log) > MAX_LOG_LINES:
                problems.append(
                    f"{len(log)} lines of training log in one output "
                    f"(at most {MAX_LOG_LINES}): {log[0].strip()[:50]}"
                )
    return problems


def table_problems(article, cells):
    problems = []
    for table in article.find_all("table"):
        problems += html_table_problems(table)
    for i, cell in enumerate(cells):
        if cell["cell_type"] == "markdown":
            problems += markdown_table_problems("".join(cell["source"]), f"cell {i}")
        for output in cell.get("outputs", []):
            markdown = output.get("data", {}).get("text/markdown")
            if markdown:
                text = "".join(markdown) if isinstance(markdown, list) else markdown
                problems += markdown_table_problems(text, f"the output of cell {i}")
    return problems


PAGES = toc_pages()
CHAPTERS = [p for p in PAGES if p.startswith("chapters/")]


def tidy_problems(html, cells):
    """Untidy outputs and broken tables on any rendered page of the book."""
    soup = BeautifulSoup(html, "html.parser")
    article = soup.find("article") or soup
    return output_problems(article) + table_problems(article, cells)


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

    problems += tidy_problems(html, cells)

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
