"""One repository address: ``repository.url`` of ``_config.yml``.

The launch buttons of the book come from it. Everything else that names the
public repository is checked against it here: the chapters' install cells,
every Colab link of the README and of the pages, the README's badges and
install command, the package's home page, and ``html.baseurl``, where GitHub
Pages publishes that repository. The README's table of chapters lists
exactly the chapters of ``_toc.yml``, in order, each with its page of the
built book and its Colab badge.

Each check reads a folder and returns what is wrong in it, so the tests show
it failing on broken copies as well as passing on this repository.
"""

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml

try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]

GIT_URL = re.compile(r"git\+(https?://[^\s\"'`)<>]+)")
COLAB_LINK = re.compile(
    r"https?://colab\.research\.google\.com/github/"
    r"(?P<owner>[^/\s\"')]+)/(?P<name>[^/\s\"')]+)/blob/(?P<branch>[^/\s\"')]+)/"
    r"(?P<path>[^\s\"')?#]+)"
)
GITHUB_LINK = re.compile(r"https?://github\.com/(?P<owner>[\w.-]+)/(?P<name>[\w.-]+)")
PAGES_LINK = re.compile(r"https?://(?P<owner>[\w-]+)\.github\.io/(?P<name>[\w.-]+)")
# A Markdown badge: an image inside a link, [![alt](image)](target).
BADGE = re.compile(r"\[!\[[^\]]*\]\((?P<image>[^)\s]+)\)\]\((?P<target>[^)\s]+)\)")
MARKDOWN_LINK = re.compile(r"\[[^\]]*\]\((?P<target>[^)\s]+)\)")


def repository(root):
    """(owner, name, branch, url) of the public repository that _config.yml names."""
    config = yaml.safe_load((root / "_config.yml").read_text())
    url = config["repository"]["url"].rstrip("/")
    match = re.fullmatch(r"https://github\.com/([\w.-]+)/([\w.-]+?)(\.git)?", url)
    assert match, f"_config.yml: repository.url {url} is not a GitHub repository"
    return match[1], match[2], config["repository"].get("branch", "main"), url


def toc_chapters(root):
    """The notebooks of chapters/ in the order of _toc.yml, e.g. 'chapters/01_x'."""
    toc = yaml.safe_load((root / "_toc.yml").read_text())
    files = [c["file"] for part in toc.get("parts", []) for c in part["chapters"]]
    return [f for f in files if f.startswith("chapters/")]


def notebooks(root):
    return sorted(root.glob("chapters/*.ipynb")) + sorted(root.glob("*.ipynb"))


def texts(root):
    """(where, cell type, text) of every README, page and notebook cell."""
    for path in sorted(root.glob("*.md")):
        yield path.name, "markdown", path.read_text(encoding="utf-8")
    for path in notebooks(root):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        for number, cell in enumerate(cells, 1):
            where = f"{path.relative_to(root)}, cell {number}"
            yield where, cell["cell_type"], "".join(cell["source"])


def same_repository(owner, name, expected):
    # GitHub owners are case-insensitive; GitHub Pages lowercases them.
    return (owner.lower(), name.removesuffix(".git")) == (
        expected[0].lower(),
        expected[1],
    )


def address_problems(root):
    """Every place where a file names another repository than _config.yml's."""
    owner, name, branch, url = repository(root)
    problems = []
    config = yaml.safe_load((root / "_config.yml").read_text())
    pages = f"https://{owner.lower()}.github.io/{name}/"
    baseurl = config.get("html", {}).get("baseurl")
    if baseurl != pages:
        problems.append(f"_config.yml: html.baseurl is {baseurl}, not {pages}")
    pyproject = root / "pyproject.toml"
    if pyproject.exists():
        urls = tomllib.loads(pyproject.read_text())["project"].get("urls", {})
        for label, link in urls.items():
            if link.rstrip("/") != url:
                problems.append(f"pyproject.toml: {label} is {link}, not {url}")

    for path in notebooks(root):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        code = [c for c in cells if c["cell_type"] == "code"]
        first = "".join(code[0]["source"]) if code else ""
        if f"git+{url}" not in [m[0] for m in GIT_URL.finditer(first)]:
            problems.append(f"{path.relative_to(root)}: install cell lacks git+{url}")

    for where, _kind, text in texts(root):
        for match in GIT_URL.finditer(text):
            target = match[1].rstrip("/").removesuffix(".git")
            if target != url:
                problems.append(f"{where}: installs {match[0]}, not git+{url}")
        for match in COLAB_LINK.finditer(text):
            if not same_repository(match["owner"], match["name"], (owner, name)):
                problems.append(
                    f"{where}: Colab link to {match['owner']}/{match['name']}, "
                    f"not {owner}/{name}"
                )
            elif match["branch"] != branch:
                problems.append(f"{where}: Colab link to branch {match['branch']}")
            elif not (root / match["path"]).is_file():
                problems.append(f"{where}: Colab link to missing {match['path']}")

    readme = root / "README.md"
    text = readme.read_text(encoding="utf-8") if readme.exists() else ""
    # The README says where the book lives (chapters may cite other sites).
    for match in PAGES_LINK.finditer(text):
        if not same_repository(match["owner"], match["name"], (owner, name)):
            problems.append(f"README.md: links to the book at {match[0]}")
    for badge in BADGE.finditer(text):
        for link in (badge["image"], badge["target"]):
            github = GITHUB_LINK.match(link)
            if github and not same_repository(
                github["owner"], github["name"], (owner, name)
            ):
                problems.append(f"README.md: badge names {github[0]}, not {url}")
    if pages not in text:
        problems.append(f"README.md does not say where the book lives ({pages})")
    return problems


def readme_table_problems(root):
    """How the README's table of chapters differs from _toc.yml."""
    owner, name, branch, url = repository(root)
    pages = f"https://{owner.lower()}.github.io/{name}/"
    rows = []
    for line in (root / "README.md").read_text(encoding="utf-8").splitlines():
        colab = COLAB_LINK.search(line)
        if line.startswith("|") and colab:
            rows.append((line, colab["path"]))
    listed = [path.removesuffix(".ipynb") for _, path in rows]
    expected = toc_chapters(root)
    problems = [
        f"README.md's table lacks {f} of _toc.yml" for f in expected if f not in listed
    ]
    problems += [
        f"README.md's table lists {f}, which _toc.yml does not"
        for f in listed
        if f not in expected
    ]
    if [f for f in listed if f in expected] != [f for f in expected if f in listed]:
        problems.append("README.md's table is not in the order of _toc.yml")
    for line, path in rows:
        page = f"{pages}{path.removesuffix('.ipynb')}.html"
        if page not in [m["target"] for m in MARKDOWN_LINK.finditer(line)]:
            problems.append(f"README.md: the row of {path} does not link to {page}")
        if not BADGE.search(line):
            problems.append(f"README.md: the row of {path} has no Colab badge")
    return problems


def test_every_address_names_the_configured_repository():
    assert address_problems(ROOT) == []


def test_readme_table_lists_the_chapters_of_the_toc():
    assert readme_table_problems(ROOT) == []


# Broken copies: the files the checks read, with one thing changed.
COPIED = ("_config.yml", "_toc.yml", "pyproject.toml", "*.md", "*.ipynb", "chapters")


@pytest.fixture
def copy(tmp_path):
    for pattern in COPIED:
        for path in ROOT.glob(pattern):
            if path.is_dir():
                shutil.copytree(path, tmp_path / path.name)
            else:
                shutil.copy(path, tmp_path / path.name)
    return tmp_path


def edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old} is not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def first_chapter(root):
    return sorted((root / "chapters").glob("*.ipynb"))[0]


def edit_notebook(notebook, old, new):
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    sources = ["".join(cell["source"]) for cell in nb["cells"]]
    assert any(old in source for source in sources), f"{old} is not in {notebook.name}"
    for cell, source in zip(nb["cells"], sources, strict=True):
        cell["source"] = source.replace(old, new)
    notebook.write_text(json.dumps(nb, indent=1), encoding="utf-8")


def add_markdown_cell(notebook, text):
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    nb["cells"].append({"cell_type": "markdown", "metadata": {}, "source": [text]})
    notebook.write_text(json.dumps(nb, indent=1), encoding="utf-8")


def test_copy_of_this_repository_passes(copy):
    assert address_problems(copy) == address_problems(ROOT)
    assert readme_table_problems(copy) == readme_table_problems(ROOT)


def test_check_fails_on_an_install_cell_from_another_repository(copy):
    owner, name, _, url = repository(ROOT)
    notebook = first_chapter(copy)
    edit_notebook(
        notebook, f'"git+{url}"', f'"git+https://github.com/someone-else/{name}"'
    )
    problems = address_problems(copy)
    assert any(notebook.name in p and "someone-else" in p for p in problems), problems


def test_check_fails_on_an_install_cell_from_a_fork_with_a_longer_name(copy):
    # The name of the fork starts with the right address: a substring test
    # would pass it.
    _, _, _, url = repository(ROOT)
    notebook = first_chapter(copy)
    edit_notebook(notebook, f'"git+{url}"', f'"git+{url}-fork"')
    problems = address_problems(copy)
    assert any(notebook.name in p and f"{url}-fork" in p for p in problems), problems


def test_check_fails_on_a_colab_link_to_another_repository(copy):
    notebook = first_chapter(copy)
    add_markdown_cell(
        notebook,
        "[Open it](https://colab.research.google.com/github/someone-else/book/"
        f"blob/main/chapters/{notebook.name})",
    )
    problems = address_problems(copy)
    assert any(notebook.name in p and "someone-else/book" in p for p in problems)


def test_check_fails_on_a_readme_badge_of_another_repository(copy):
    owner, name, _, _ = repository(ROOT)
    readme = copy / "README.md"
    edit(
        readme,
        f"colab.research.google.com/github/{owner}/{name}/",
        f"colab.research.google.com/github/someone-else/{name}/",
    )
    problems = address_problems(copy)
    assert any(p.startswith("README.md") and "someone-else" in p for p in problems)


def test_check_fails_on_a_readme_status_badge_of_another_repository(copy):
    owner, name, _, _ = repository(ROOT)
    edit(
        copy / "README.md",
        f"https://github.com/{owner}/{name}/actions/",
        "https://github.com/someone-else/book/actions/",
    )
    problems = address_problems(copy)
    assert any(
        "badge names https://github.com/someone-else/book" in p for p in problems
    )


def test_check_fails_on_a_readme_install_command_of_another_repository(copy):
    _, _, _, url = repository(ROOT)
    edit(copy / "README.md", f'"git+{url}"', '"git+https://github.com/x/y"')
    problems = address_problems(copy)
    assert any(
        p.startswith("README.md") and "git+https://github.com/x/y" in p
        for p in problems
    )


def test_check_fails_when_the_repository_moves_in_config_alone(copy):
    owner, name, _, url = repository(ROOT)
    edit(copy / "_config.yml", f"url: {url}", "url: https://github.com/new-owner/book")
    problems = address_problems(copy)
    assert any(p.startswith("_config.yml: html.baseurl") for p in problems)
    assert any(p.startswith("pyproject.toml") for p in problems)
    assert any("install cell lacks" in p for p in problems)
    assert any(p.startswith("README.md") for p in problems)


def test_check_fails_on_a_baseurl_of_another_site(copy):
    owner, name, _, _ = repository(ROOT)
    edit(
        copy / "_config.yml",
        f"https://{owner.lower()}.github.io/{name}/",
        "https://someone-else.github.io/book/",
    )
    problems = address_problems(copy)
    assert any(p.startswith("_config.yml: html.baseurl") for p in problems)


def test_table_check_fails_on_a_chapter_missing_from_the_readme(copy):
    readme = copy / "README.md"
    lines = readme.read_text(encoding="utf-8").splitlines(keepends=True)
    first = next(i for i, line in enumerate(lines) if COLAB_LINK.search(line))
    readme.write_text("".join(lines[:first] + lines[first + 1 :]), encoding="utf-8")
    problems = readme_table_problems(copy)
    missing = toc_chapters(copy)[0]
    assert f"README.md's table lacks {missing} of _toc.yml" in problems


def test_table_check_fails_on_a_chapter_missing_from_the_toc(copy):
    toc = copy / "_toc.yml"
    last = toc_chapters(copy)[-1]
    edit(toc, f"      - file: {last}\n", "")
    problems = readme_table_problems(copy)
    assert f"README.md's table lists {last}, which _toc.yml does not" in problems


def test_table_check_fails_on_chapters_out_of_order(copy):
    readme = copy / "README.md"
    lines = readme.read_text(encoding="utf-8").splitlines(keepends=True)
    rows = [i for i, line in enumerate(lines) if COLAB_LINK.search(line)]
    lines[rows[0]], lines[rows[1]] = lines[rows[1]], lines[rows[0]]
    readme.write_text("".join(lines), encoding="utf-8")
    problems = readme_table_problems(copy)
    assert "README.md's table is not in the order of _toc.yml" in problems
