"""Colab's own stack, here: a virtual environment with Colab's versions.

``python tests/colab/stack.py prepare DIR`` makes ``DIR`` ready for
``make test`` to execute every chapter the way a Colab reader does:

1. **The stack.** A virtual environment made with a Python 3.13 interpreter
   (Colab's minor version), holding the packages the chapters use at the
   versions of ``constraints.txt`` (Colab's published pip freeze) and what
   they need. It is built once and kept in ``~/.cache/rnn-book`` (or
   ``RNN_BOOK_CACHE``) under a name that changes with the constraints, the
   package list and the interpreter, so a new freeze builds a new one.
2. **A copy for this run** in ``DIR/venv`` (hard links: seconds, and the
   cached stack stays as built).
3. **The helpers, installed as the install cell does.** pip is first asked
   what installing them would do (``--dry-run --report``); anything but the
   helpers themselves that would be installed, upgraded or downgraded fails
   the run, naming the package and both versions. Then the first chapter's
   install cell itself runs in that environment, with
   ``RNN_BOOK_HELPERS_URL`` pointing at a snapshot of the working tree, and
   the environment's package list before and after must differ by the
   helpers alone.
4. **A Jupyter kernel** ``rnn-book-colab`` (``DIR/share/jupyter/kernels``)
   that starts in an empty working directory, with live output as in Colab
   (``RNN_BOOK_STATIC`` unset: live widgets and progress bars) and with an
   OpenBLAS kernel other than the machine's default (``OPENBLAS_CORETYPE``),
   so a self-check that holds on one floating-point path only fails here.

Run ``make test`` with ``JUPYTER_PATH=DIR/share/jupyter`` and nbval's
``--nbval-kernel-name rnn-book-colab``.
"""

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CONSTRAINTS = HERE / "constraints.txt"
KERNEL_NAME = "rnn-book-colab"
# Colab's Python minor version (its os-info.txt: Python 3.13).
PYTHON_VERSION = (3, 13)
# What the chapters and the helpers import, plus the kernel and pip: each at
# Colab's version, with what they need (pinned by the constraints too).
PACKAGES = (
    "pip",
    "setuptools",
    "wheel",
    "numpy",
    "scipy",
    "pandas",
    "matplotlib",
    "tensorflow",
    "keras",
    "ipython",
    "ipykernel",
    "jupyter_client",
    "ipywidgets",
    "widgetsnbextension",
    "jupyterlab_widgets",
    "tqdm",
    "mlxtend",
    "scikit-learn",
    "statsmodels",
    "threadpoolctl",
)
# The OpenBLAS kernels the Colab-stack run may use, most preferred first: one
# that is not the machine's default, and that every x86-64 CPU runs.
OTHER_KERNELS = ("Haswell", "Prescott")
HELPERS = "rnn-helpers"


def say(message):
    print(f"[colab stack] {message}", flush=True)


def canonical(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def colab_versions(path=CONSTRAINTS):
    """Colab's packages and versions, from the constraints file: {name: version}."""
    versions = {}
    for number, line in enumerate(path.read_text().splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        name, sep, version = line.partition("==")
        if not sep or not name.strip() or not version.strip():
            raise ValueError(f"{path}:{number}: expected 'name==version', got {line!r}")
        versions[canonical(name)] = version.strip()
    return versions


def find_python():
    """A Python 3.13 interpreter: ``python3.13`` on PATH, else pyenv's. Its path."""
    candidates = []
    if os.environ.get("RNN_BOOK_COLAB_PYTHON"):
        candidates.append(os.environ["RNN_BOOK_COLAB_PYTHON"])
    on_path = shutil.which("python3.13")
    if on_path:
        candidates.append(on_path)
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    candidates += sorted(
        (str(p) for p in pyenv_root.glob("versions/3.13*/bin/python3.13")),
        reverse=True,
    )
    for candidate in candidates:
        try:
            found = subprocess.run(
                [
                    candidate,
                    "-c",
                    "import sys; print(sys.executable, *sys.version_info[:3])",
                ],
                capture_output=True,
                text=True,
                timeout=60,
            )
        except (OSError, subprocess.TimeoutExpired):
            continue
        parts = found.stdout.split()
        if found.returncode == 0 and tuple(map(int, parts[1:3])) == PYTHON_VERSION:
            return parts[0], ".".join(parts[1:])
    raise SystemExit(
        "The Colab-stack test needs a Python 3.13 interpreter (Colab's version) "
        "and found none: tried RNN_BOOK_COLAB_PYTHON, python3.13 on PATH and "
        f"{pyenv_root}/versions/3.13*. Install one (e.g. `pyenv install 3.13`, "
        "or your system's python3.13 package), or point RNN_BOOK_COLAB_PYTHON at it."
    )


def cache_dir():
    base = os.environ.get("RNN_BOOK_CACHE") or Path.home() / ".cache" / "rnn-book"
    return Path(base)


def stack_key(python_version):
    digest = hashlib.sha256()
    digest.update(CONSTRAINTS.read_bytes())
    digest.update(" ".join(PACKAGES).encode())
    digest.update(python_version.encode())
    return f"colab-py{python_version}-{digest.hexdigest()[:12]}"


def pip(python, *args, **kwargs):
    env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return subprocess.run(
        [str(python), "-m", "pip", *args], env=env, text=True, **kwargs
    )


def build_stack():
    """The cached Colab-stack environment (built when missing): its folder."""
    python, version = find_python()
    say(f"Python {version}: {python}")
    folder = cache_dir() / stack_key(version)
    done = folder / ".complete"
    if done.exists():
        say(f"cached stack: {folder}")
        return folder
    if folder.exists():
        shutil.rmtree(folder)  # an interrupted build
    start = time.perf_counter()
    say(f"building the stack in {folder} (first run: a few minutes)")
    folder.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([python, "-m", "venv", str(folder)], check=True)
    target = folder / "bin" / "python"
    pip(
        target,
        "install",
        "--quiet",
        "--no-compile",
        "-c",
        str(CONSTRAINTS),
        *PACKAGES,
        check=True,
    )
    # Compiled once here, shared by every run's copy.
    subprocess.run(
        [str(target), "-m", "compileall", "-q", "-j", "0", str(site_packages(folder))],
        check=False,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,  # old sources' SyntaxWarnings
    )
    mismatched = {
        name: (have, colab_versions().get(name))
        for name, have in installed(target).items()
        if colab_versions().get(name) not in (None, have)
    }
    if mismatched:
        raise SystemExit(f"the stack does not hold Colab's versions: {mismatched}")
    done.write_text(json.dumps(installed(target), indent=1, sort_keys=True))
    say(f"stack built in {time.perf_counter() - start:.0f} s")
    return folder


def site_packages(venv):
    return next((Path(venv) / "lib").glob("python3*/site-packages"))


def installed(python):
    """The distributions in an environment: {canonical name: version}."""
    listed = pip(
        python,
        "list",
        "--format=json",
        capture_output=True,
        check=True,
    ).stdout
    return {canonical(d["name"]): d["version"] for d in json.loads(listed)}


def copy_stack(stack, target):
    """A copy of the stack in ``target`` (hard links), for one run to change."""
    if target.exists():
        shutil.rmtree(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["cp", "-al", str(stack), str(target)], check=True)
    (target / ".complete").unlink(missing_ok=True)
    return target / "bin" / "python"


def snapshot(folder, edit=None):
    """A git repository holding the book's working tree: a ``git+file://`` URL.

    ``edit(folder)`` may change the copy before it is committed (broken copies
    in the tests).
    """
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for relative in filter(None, listed.split("\0")):
        source = ROOT / relative
        if source.is_file():
            destination = folder / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination)
    if edit is not None:
        edit(folder)
    git = ["git", "-c", "user.name=book", "-c", "user.email=book@localhost"]
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=folder, check=True)
    subprocess.run([*git, "add", "-A"], cwd=folder, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "snapshot"], cwd=folder, check=True)
    commit = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=folder, capture_output=True, text=True
    ).stdout.strip()
    # Pinned to the commit: pip keeps the wheel it builds for the dry run and
    # installs that one.
    return f"git+file://{folder}@{commit}"


def install_changes(python, url, colab=None):
    """What installing ``url`` would change in Colab, by pip's dry-run report.

    Returns a list of sentences, empty when pip would install the helpers
    and nothing else.
    """
    colab = colab_versions() if colab is None else colab
    report = pip(
        python,
        "install",
        "--dry-run",
        "--quiet",
        "--report",
        "-",
        url,
        capture_output=True,
    )
    if report.returncode != 0:
        raise RuntimeError(f"pip could not resolve {url}:\n{report.stderr}")
    have = installed(python)
    changes = []
    for item in json.loads(report.stdout)["install"]:
        name = canonical(item["metadata"]["name"])
        version = item["metadata"]["version"]
        if name == HELPERS:
            continue
        if name in colab and colab[name] != version:
            changes.append(
                f"{name} {colab[name]} -> {version} (Colab has {colab[name]})"
            )
        elif name in colab:
            if have.get(name) != version:
                changes.append(f"{name} {version} is not in the stack, Colab has it")
        else:
            changes.append(f"{name} {version} would be added (Colab does not have it)")
    return changes


def install_cell(chapter=None):
    """The source of a chapter's install cell (its first code cell)."""
    chapter = chapter or sorted((ROOT / "chapters").glob("*.ipynb"))[0]
    cells = json.loads(chapter.read_text(encoding="utf-8"))["cells"]
    return "".join(next(c for c in cells if c["cell_type"] == "code")["source"])


def run_install_cell(python, url, workdir):
    """Run the install cell in ``python`` as a Colab kernel would: the diff of pip."""
    before = installed(python)
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PYTHON", "VIRTUAL_ENV", "RNN_BOOK_"))
    }
    env["RNN_BOOK_HELPERS_URL"] = url
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    workdir.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [str(python), "-c", install_cell()], cwd=workdir, env=env, check=True
    )
    after = installed(python)
    return {
        name: (before.get(name), after.get(name))
        for name in set(before) | set(after)
        if before.get(name) != after.get(name)
    }


def other_kernel(python):
    """An OpenBLAS kernel that this CPU runs and that is not its default one."""
    probe = (
        "import numpy, threadpoolctl; "
        "print(*[i.get('architecture') for i in threadpoolctl.threadpool_info() "
        "if i.get('internal_api') == 'openblas'])"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENBLAS_")}
    default = subprocess.run(
        [str(python), "-c", probe], capture_output=True, text=True, env=env, check=True
    ).stdout.split()
    for kernel in OTHER_KERNELS:
        if kernel.lower() not in {d.lower() for d in default}:
            return default, kernel
    raise SystemExit(f"no OpenBLAS kernel other than {default} to run")


def write_kernel(folder, python, workdir, results_dir, coretype):
    """The kernel spec ``rnn-book-colab`` under ``folder/share/jupyter``."""
    launcher = folder / "launch_kernel.py"
    launcher.write_text(
        "# Start an IPython kernel in an empty working directory, as in Colab.\n"
        "import os, runpy, sys\n"
        f"os.chdir({str(workdir)!r})\n"
        "sys.path[0] = ''\n"
        "runpy.run_module('ipykernel_launcher', run_name='__main__')\n"
    )
    spec_dir = folder / "share" / "jupyter" / "kernels" / KERNEL_NAME
    spec_dir.mkdir(parents=True, exist_ok=True)
    spec = {
        "argv": [
            str(python),
            "-Xfrozen_modules=off",
            str(launcher),
            "-f",
            "{connection_file}",
        ],
        "display_name": "Python 3 (Colab's stack)",
        "language": "python",
        "env": {
            # Live output, as in Colab: widgets and progress bars.
            "RNN_BOOK_STATIC": "",
            "OPENBLAS_CORETYPE": coretype,
            # The results page of `make test` reads what the chapters record.
            "RNN_BOOK_RESULTS": str(results_dir),
        },
        # ipykernel 6 (Colab's) speaks plain TCP only: no CurveZMQ keys.
        "kernel_protocol_version": "5.3",
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec, indent=1))
    return spec_dir


def prepare(folder):
    folder = Path(folder).resolve()
    start = time.perf_counter()
    stack = build_stack()
    python = copy_stack(stack, folder / "venv")
    say(f"copied the stack to {folder / 'venv'} ({time.perf_counter() - start:.0f} s)")
    url = snapshot(folder / "book")
    changes = install_changes(python, url)
    if changes:
        raise SystemExit(
            "Installing the helpers would change Colab's runtime:\n  "
            + "\n  ".join(changes)
            + "\nLoosen the helpers' bounds in pyproject.toml so that Colab's "
            "versions satisfy them."
        )
    say("pip's dry run: the helpers install nothing else")
    diff = run_install_cell(python, url, folder / "content")
    unexpected = {k: v for k, v in diff.items() if k != HELPERS}
    if HELPERS not in diff or unexpected:
        raise SystemExit(
            f"the install cell changed {unexpected or 'nothing'} "
            f"(expected only {HELPERS} to be added)"
        )
    say(f"the install cell added {HELPERS} {diff[HELPERS][1]} and changed nothing else")
    default, coretype = other_kernel(python)
    results = ROOT / "_build" / "results"
    write_kernel(folder, python, folder / "content", results, coretype)
    say(
        f"kernel {KERNEL_NAME}: live output, OpenBLAS {coretype} "
        f"(the machine's default: {', '.join(default)}), "
        f"ready in {time.perf_counter() - start:.0f} s"
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("build", help="build (or find) the cached Colab stack")
    prep = sub.add_parser("prepare", help="make DIR ready for the chapters")
    prep.add_argument("folder")
    args = parser.parse_args(argv)
    if args.command == "build":
        print(build_stack())
    else:
        prepare(args.folder)


if __name__ == "__main__":
    sys.exit(main())
