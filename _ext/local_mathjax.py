"""Serve MathJax from the built book, so its pages show math with no network.

The files come from the ``django-static-mathjax`` package (MathJax 3, no
dependencies), installed from requirements.txt; ``_config.yml`` points
``mathjax_path`` at the copy this extension puts under ``_static/mathjax``.
"""

import shutil
from pathlib import Path

# What tex-mml-chtml.js loads at run time: its fonts, inputs, menu and a11y.
PARTS = ("tex-mml-chtml.js", "a11y", "adaptors", "input", "output", "ui")


def _source():
    import mathjax

    return Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"


def copy_mathjax(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    source = _source()
    target = Path(app.outdir) / "_static" / "mathjax"
    for part in PARTS:
        src, dst = source / part, target / part
        if src.is_dir():
            shutil.copytree(src, dst, dirs_exist_ok=True)
        else:
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst)


def check_installed(app):
    if not (_source() / PARTS[0]).exists():
        raise RuntimeError(
            "MathJax is missing: install requirements.txt (django-static-mathjax)"
        )


def setup(app):
    app.connect("builder-inited", check_installed)
    app.connect("build-finished", copy_mathjax)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
