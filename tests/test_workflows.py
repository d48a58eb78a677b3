"""The GitHub Actions workflows: actionlint passes on them, and they keep their rules.

``make lint`` runs actionlint over every workflow; here it is shown passing on
the real ones and failing on a broken copy. The other tests pin what the
workflow promises: `make test` on every push and pull request, the book built
and published from main only, each action pinned to a release's commit, a
timeout on every job, write permissions only where Pages needs them, and no
secrets.
"""

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.y*ml"))
BOOK = ROOT / ".github" / "workflows" / "book.yml"
# actionlint comes with requirements.txt, next to this Python.
ACTIONLINT = Path(sys.executable).with_name("actionlint")


def actionlint(*paths, cwd=ROOT):
    if not ACTIONLINT.exists():
        pytest.fail(f"actionlint is not installed next to {sys.executable}")
    return subprocess.run(
        [str(ACTIONLINT), "-no-color", "-oneline", *map(str, paths)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
        check=False,
    )


def load(path):
    workflow = yaml.safe_load(path.read_text())
    # YAML 1.1 reads the key `on` as True.
    workflow["on"] = workflow.pop(True, workflow.get("on"))
    return workflow


def steps(job):
    return job.get("steps", [])


def test_there_is_a_workflow():
    assert BOOK in WORKFLOWS


def test_actionlint_passes_on_every_workflow():
    result = actionlint(*WORKFLOWS)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""


def test_actionlint_fails_on_a_broken_workflow(tmp_path):
    broken = tmp_path / ".github" / "workflows" / "book.yml"
    broken.parent.mkdir(parents=True)
    text = BOOK.read_text()
    # The copy as it is passes there: what fails below is the breakage.
    broken.write_text(text)
    assert actionlint(broken, cwd=tmp_path).returncode == 0
    # A job that needs a job that does not exist, and a misspelt job key.
    text = text.replace("needs: test\n", "needs: tests\n", 1)
    text = text.replace("timeout-minutes:", "timeout-minute:", 1)
    broken.write_text(text)
    result = actionlint(broken, cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert 'needs job "tests" which does not exist' in result.stdout
    assert "[job-needs]" in result.stdout
    assert 'unexpected key "timeout-minute"' in result.stdout


def test_make_lint_runs_actionlint_on_the_workflows():
    makefile = (ROOT / "Makefile").read_text()
    recipe = re.search(r"^lint:.*\n((?:\t.*\n)+)", makefile, re.M)
    assert recipe, "the Makefile has no lint recipe"
    assert "actionlint" in recipe.group(1)
    assert ".github/workflows" in recipe.group(1)


def test_requirements_install_actionlint():
    lines = (ROOT / "requirements.txt").read_text().splitlines()
    names = [re.split(r"[\s<>=#;]", line, maxsplit=1)[0] for line in lines]
    assert any(name.startswith("actionlint") for name in names)


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_action_is_pinned_to_a_release_commit(path):
    for name, job in load(path)["jobs"].items():
        for step in steps(job):
            if "uses" in step:
                assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", step["uses"]), (
                    f"{name}: {step['uses']} is not pinned to a commit"
                )
    # Each pin names its release beside it, for the reader and for updates.
    for line in path.read_text().splitlines():
        if re.search(r"uses: \S+@[0-9a-f]{40}", line):
            assert re.search(r"# v\d+\.\d+\.\d+$", line), line


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_job_has_a_timeout(path):
    for name, job in load(path)["jobs"].items():
        assert 0 < job.get("timeout-minutes", 0) <= 120, f"{name} has no timeout"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_no_secrets_and_read_only_by_default(path):
    assert "secrets." not in path.read_text()
    workflow = load(path)
    assert workflow["permissions"] == {"contents": "read"}
    for name, job in workflow["jobs"].items():
        if name != "deploy":
            assert "permissions" not in job, f"{name} asks for permissions"


def test_tests_run_on_every_push_and_pull_request():
    workflow = load(BOOK)
    assert workflow["on"]["push"] is None, "push is limited to some branches"
    assert workflow["on"]["pull_request"] is None
    test = workflow["jobs"]["test"]
    assert "if" not in test
    assert any(s.get("run", "").startswith("make test") for s in steps(test))


def test_test_job_caches_pip_and_the_colab_stack():
    test = load(BOOK)["jobs"]["test"]
    pythons = [s for s in steps(test) if "setup-python" in s.get("uses", "")]
    assert {s["with"]["python-version"] for s in pythons} == {"3.11", "3.13"}
    # The last one set up is the python3 that makes .venv.
    assert pythons[-1]["with"]["python-version"] == "3.11"
    pip_cached = [s for s in pythons if s["with"].get("cache") == "pip"]
    assert len(pip_cached) == 1
    dependencies = pip_cached[0]["with"]["cache-dependency-path"].split()
    assert dependencies == ["requirements.txt", "pyproject.toml"]
    caches = [s for s in steps(test) if "actions/cache@" in s.get("uses", "")]
    assert [c["with"]["path"] for c in caches] == ["~/.cache/rnn-book"]
    assert "hashFiles('tests/colab/constraints.txt'" in caches[0]["with"]["key"]


def test_book_is_built_and_published_from_main_only():
    jobs = load(BOOK)["jobs"]
    book, deploy = jobs["book"], jobs["deploy"]
    assert book["needs"] == "test"
    assert book["if"] == "github.ref == 'refs/heads/main'"
    assert any(s.get("run", "").startswith("make book") for s in steps(book))
    upload = [s for s in steps(book) if "upload-pages-artifact" in s.get("uses", "")]
    assert [s["with"]["path"] for s in upload] == ["_build/html"]
    assert deploy["needs"] == "book"
    assert [s["uses"].split("@")[0] for s in steps(deploy)] == ["actions/deploy-pages"]
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"
    assert deploy["concurrency"] == {"group": "pages", "cancel-in-progress": False}


def test_checkouts_keep_no_credentials():
    for job in load(BOOK)["jobs"].values():
        for step in steps(job):
            if "actions/checkout@" in step.get("uses", ""):
                assert step["with"]["persist-credentials"] is False
