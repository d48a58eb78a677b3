"""The Colab path, end to end: chapters run the way a Colab reader runs them.

A fresh virtual environment outside the repository sees only what Colab
provides (``COLAB``: NumPy, TensorFlow, Matplotlib, ipywidgets, ipykernel, pip
and what they need, linked from this environment; never ``rnn_helpers``). The
book is reachable as a ``git+file://`` URL (a snapshot of the working tree),
and ``RNN_BOOK_HELPERS_URL`` points the chapters' install cell at it. pip runs
offline: the helpers' own dependencies are offered as wheels repacked from
this environment's installed distributions, nothing else. Each chapter runs in
quick mode, with nbclient, from an empty temporary working directory.

``test_colab_broken.py`` shows that this fails for each way a chapter can
work here and not in Colab.
"""

import base64
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
import venv
import zipfile
from importlib import metadata
from pathlib import Path

import nbformat
import pytest
import zmq
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
# What a Colab runtime has that the chapters use (plus pip, to install).
COLAB = ("numpy", "tensorflow", "matplotlib", "ipywidgets", "ipykernel", "pip")
NUMPY_CHAPTER = "chapters/02_softmax_and_cross_entropy.ipynb"
TENSORFLOW_CHAPTER = "chapters/08_sequence_to_sequence.ipynb"

pytestmark = pytest.mark.colab


def closure(requirements):
    """The installed distributions that ``requirements`` need, by name."""
    found = {}
    todo = [Requirement(r) if isinstance(r, str) else r for r in requirements]
    while todo:
        requirement = todo.pop()
        name = canonicalize_name(requirement.name)
        if name in found:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue  # pip will say it is missing
        found[name] = dist
        for line in dist.requires or []:
            needed = Requirement(line)
            if needed.marker is None or needed.marker.evaluate({"extra": ""}):
                todo.append(needed)
    return found


def link_distributions(dists, folder):
    """Symlink the top-level files and folders of ``dists`` into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for dist in dists.values():
        site = Path(dist.locate_file(""))
        for entry in {f.parts[0] for f in dist.files or [] if f.parts[0] != ".."}:
            if entry == "__pycache__" or entry.endswith(".pth"):
                continue
            target = folder / entry
            if not target.exists() and (site / entry).exists():
                target.symlink_to(site / entry)


def repack_wheel(dist, folder):
    """Write an installed distribution back into a wheel (stored, not compressed)."""
    tags = [
        line.split(":", 1)[1].strip()
        for line in (dist.read_text("WHEEL") or "").splitlines()
        if line.startswith("Tag:")
    ]
    if not tags:
        raise RuntimeError(f"{dist.metadata['Name']} was not installed from a wheel")
    name = re.sub(r"[-_.]+", "_", dist.metadata["Name"])
    path = folder / f"{name}-{dist.version}-{tags[0]}.whl"
    if path.exists():
        return path
    site = Path(dist.locate_file(""))
    info = next(f.parts[0] for f in dist.files if f.parts[0].endswith(".dist-info"))
    skip = {
        f"{info}/{n}" for n in ("RECORD", "INSTALLER", "REQUESTED", "direct_url.json")
    }
    records = []
    partial = path.with_suffix(".part")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_STORED) as wheel:
        for file in dist.files:
            arcname = file.as_posix()
            source = site / file
            if (
                file.parts[0] == ".."
                or "__pycache__" in file.parts
                or arcname in skip
                or not source.is_file()
            ):
                continue
            data = source.read_bytes()
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest())
            records.append(
                f"{arcname},sha256={digest.rstrip(b'=').decode()},{len(data)}"
            )
            wheel.writestr(arcname, data)
        records.append(f"{info}/RECORD,,")
        wheel.writestr(f"{info}/RECORD", "\n".join(records) + "\n")
    partial.rename(path)
    return path


def snapshot(folder, edit=None):
    """A git repository holding the book's working tree (``edit`` may change it)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for relative in filter(None, listed.split("\0")):
        source = ROOT / relative
        if source.is_file():
            target = folder / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    if edit is not None:
        edit(folder)
    git = ["git", "-c", "user.name=book", "-c", "user.email=book@localhost"]
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=folder, check=True)
    subprocess.run([*git, "add", "-A"], cwd=folder, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "snapshot"], cwd=folder, check=True)
    return f"git+file://{folder}"


class ColabLike:
    """A fresh environment with only Colab's packages, and a way to run chapters."""

    def __init__(self, folder, wheels):
        self.folder = folder
        self.wheels = wheels
        venv.EnvBuilder(with_pip=False, symlinks=True).create(folder / "venv")
        self.python = folder / "venv" / "bin" / "python"
        site = subprocess.run(
            [
                self.python,
                "-c",
                "import sysconfig; print(sysconfig.get_path('purelib'))",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        # Outside the venv: pip never uninstalls what it finds there.
        link_distributions(closure(COLAB), folder / "colab-packages")
        Path(site, "colab.pth").write_text(f"{folder / 'colab-packages'}\n")
        kernels = folder / "kernels"
        (kernels / "colab").mkdir(parents=True)
        spec = {
            "argv": [
                str(self.python),
                "-m",
                "ipykernel_launcher",
                "-f",
                "{connection_file}",
            ],
            "display_name": "Python 3 (Colab-like)",
            "language": "python",
            # as ipykernel's own kernel.json
            "metadata": {"supported_encryption": ["curve"]},
            "kernel_protocol_version": "5.5",
        }
        (kernels / "colab" / "kernel.json").write_text(json.dumps(spec))
        self.kernels = KernelSpecManager(kernel_dirs=[str(kernels)])

    def environment(self, helpers_url):
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("PYTHON", "PIP_", "JUPYTER", "RNN_BOOK_", "MPL"))
            and k not in ("VIRTUAL_ENV", "PYTEST_CURRENT_TEST")
        }
        own_bin = str(Path(sys.executable).parent)
        paths = [p for p in env.get("PATH", "").split(os.pathsep) if p != own_bin]
        env.update(
            PATH=os.pathsep.join([str(self.python.parent), *paths]),
            RNN_BOOK_MODE="quick",
            RNN_BOOK_HELPERS_URL=helpers_url,
            # pip sees no index and no configuration: only the wheels offered.
            PIP_CONFIG_FILE=os.devnull,
            PIP_NO_INDEX="1",
            PIP_FIND_LINKS=str(self.wheels),
            # pip takes PIP_NO_COMPILE as the value of its compile setting: 0
            # skips byte-compiling SciPy and pandas, the slowest part.
            PIP_NO_COMPILE="0",
            PIP_DISABLE_PIP_VERSION_CHECK="1",
        )
        return env

    def run(self, notebook, helpers_url, timeout=300):
        """Run ``notebook`` from an empty working directory: (notebook, seconds)."""
        workdir = self.folder / "content"
        workdir.mkdir(exist_ok=True)
        nb = nbformat.read(notebook, as_version=4)
        manager = KernelManager(
            kernel_name="colab",
            kernel_spec_manager=self.kernels,
            # CurveZMQ keys where possible: no warning about plain TCP.
            **encryption(),
        )
        client = NotebookClient(
            nb,
            km=manager,
            timeout=timeout,
            resources={"metadata": {"path": str(workdir)}},
        )
        start = time.perf_counter()
        client.execute(env=self.environment(helpers_url))
        return nb, time.perf_counter() - start

    def installed(self):
        listed = subprocess.run(
            [self.python, "-m", "pip", "list", "--format=json", "--path", self.site()],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PIP_CONFIG_FILE": os.devnull},
        ).stdout
        return {canonicalize_name(d["name"]) for d in json.loads(listed)}

    def site(self):
        return next((self.folder / "venv" / "lib").glob("python*/site-packages"))


def encryption():
    if zmq.has("curve") and KernelManager.class_traits().get("transport_encryption"):
        return {"transport_encryption": "auto"}
    return {}


def helper_wheels(folder, pyproject):
    """Wheels of what the helpers declare and Colab lacks, and of their build.

    pip builds the helpers in an isolated environment, which sees none of
    Colab's packages: the build's requirements come whole.
    """
    config = tomllib.loads(pyproject.read_text())
    colab = closure(COLAB)
    needed = {
        name: dist
        for name, dist in closure(config["project"]["dependencies"]).items()
        if name not in colab
    }
    # setuptools before 70.1 builds wheels with the wheel package.
    needed.update(closure(config["build-system"]["requires"] + ["wheel"]))
    folder.mkdir(parents=True, exist_ok=True)
    for dist in needed.values():
        repack_wheel(dist, folder)
    return folder


@pytest.fixture(scope="session")
def colab(tmp_path_factory, wheels):
    return ColabLike(tmp_path_factory.mktemp("colab"), wheels)


def test_colab_environment_lacks_the_helpers_and_the_book_toolchain(colab):
    code = (
        "import importlib.util as u, sys; "
        "print([m for m in ('rnn_helpers', 'scipy', 'mlxtend', 'tqdm', 'nbval', "
        "'myst_nb', 'tensorflow', 'numpy', 'ipykernel') if u.find_spec(m)])"
    )
    found = subprocess.run(
        [colab.python, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=colab.folder,
    ).stdout
    assert found.strip() == "['tensorflow', 'numpy', 'ipykernel']"
    assert not str(colab.python).startswith(str(ROOT))


def test_numpy_chapter_installs_the_helpers_and_runs_as_in_colab(colab, book_url):
    nb, seconds = colab.run(ROOT / NUMPY_CHAPTER, book_url)
    assert "rnn-helpers" in colab.installed(), "the install cell installed nothing"
    print(f"{NUMPY_CHAPTER}: {seconds:.1f} s in a Colab-like environment")


def test_chapter_reading_a_repository_path_fails_as_in_colab(colab, book_url, tmp_path):
    """A chapter that reads a file of the repository by a relative path fails."""
    nb = nbformat.read(ROOT / NUMPY_CHAPTER, as_version=4)
    second = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"][1]
    reads = nbformat.v4.new_code_cell('text = Path("../README.md").read_text()')
    nb.cells.insert(second + 1, reads)
    nb.cells[second].source = "from pathlib import Path\n" + nb.cells[second].source
    broken = tmp_path / "reads_a_repository_path.ipynb"
    nbformat.write(nb, broken)
    with pytest.raises(CellExecutionError) as failure:
        colab.run(broken, book_url)
    assert failure.value.ename == "FileNotFoundError", failure.value.evalue
    print(
        f"broken copy fails as expected: {failure.value.ename}: {failure.value.evalue}"
    )


def test_tensorflow_chapter_runs_as_in_colab(colab, book_url):
    nb, seconds = colab.run(ROOT / TENSORFLOW_CHAPTER, book_url)
    print(f"{TENSORFLOW_CHAPTER}: {seconds:.1f} s in a Colab-like environment")
