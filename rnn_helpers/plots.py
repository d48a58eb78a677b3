"""One look for every figure in the book, and the figures chapters share.

``use_style()`` is called by each chapter's import cell (chapter 01). The
diagrams of the recurrent layers (chapters 03, 05, 06) are drawn with
``diagram``, ``box``, ``circle`` and ``arrow``: coordinates are arbitrary
diagram units, the same in x and y.
"""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Circle, FancyBboxPatch

from . import checks

STYLE = {
    "figure.figsize": (7.0, 3.6),
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "figure.constrained_layout.use": True,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "legend.fontsize": 9,
    "legend.frameon": False,
    "lines.linewidth": 1.8,
    "image.cmap": "viridis",
}


def use_style():
    """Apply the book's matplotlib style (chapter 01)."""
    plt.rcParams.update(STYLE)


def digit_grid(images, labels=None, predictions=None, ncols=10, title=None):
    """Draw digits in a grid, captioned with labels and predictions (chapter 01).

    ``images``: ``(n, 28, 28)`` or ``(n, 784)``; ``labels``/``predictions``:
    ``(n,)``. A wrong prediction is captioned in red. Returns the figure.
    """
    ncols = checks.integer(ncols, "ncols", minimum=1)
    images = np.asarray(images)
    if images.ndim == 2:
        side = int(round(np.sqrt(images.shape[1])))
        if side * side != images.shape[1]:
            raise ValueError(
                f"flat images need a square number of pixels, got {images.shape[1]}"
            )
        images = images.reshape(len(images), side, side)
    if images.ndim != 3 or len(images) == 0:
        raise ValueError(
            f"expected at least one image of shape (n, 28, 28) or (n, 784), got "
            f"{images.shape}"
        )
    for name, arr in (("labels", labels), ("predictions", predictions)):
        if arr is not None and len(arr) != len(images):
            raise ValueError(f"{len(images)} images but {len(arr)} {name}")
    n = len(images)
    ncols = min(ncols, n)
    nrows = -(-n // ncols)
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(0.9 * ncols, 1.05 * nrows + (0.3 if title else 0))
    )
    axes = np.atleast_1d(axes).ravel()
    for i, ax in enumerate(axes):
        ax.axis("off")
        if i >= n:
            continue
        ax.imshow(images[i], cmap="gray_r")
        caption, color = [], "black"
        if labels is not None:
            caption.append(f"true {labels[i]}")
        if predictions is not None:
            caption.append(f"pred {predictions[i]}")
            if labels is not None and predictions[i] != labels[i]:
                color = "tab:red"
        if caption:
            ax.set_title("\n".join(caption), fontsize=8, color=color)
    if title:
        fig.suptitle(title)
    return fig


def learning_curves(histories, metric="loss", ax=None, xlabel="epoch", ylabel=None):
    """Plot ``history[metric]`` per epoch for each named history (chapters 01-02).

    ``histories``: ``{"label": history_dict}``. Returns the axes.
    """
    if not isinstance(histories, dict) or not histories:
        raise ValueError(
            'histories must be a non-empty dict {"label": history}, got '
            f"{checks.shown(histories)}"
        )
    if ax is None:
        _, ax = plt.subplots()
    for label, history in histories.items():
        if metric not in history:
            raise ValueError(
                f"history {label!r} has no {metric!r}; it has {sorted(history)}"
            )
        values = history[metric]
        ax.plot(np.arange(1, len(values) + 1), values, label=label)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel or metric.replace("_", " "))
    if len(histories) > 1:
        ax.legend()
    return ax


# ----------------------------------------------------------------------
# diagrams: boxes and arrows (chapters 03, 05, 06)

BOX_STYLE = {"boxstyle": "round,pad=0.02", "ec": "black", "fc": "white", "lw": 1.0}
ARROW_STYLE = {"arrowstyle": "-|>", "color": "black", "lw": 1.3}


def diagram(xlim, ylim, *, title=None, figsize=(8, 3.8)):
    """An empty figure for a diagram: equal axes over ``xlim`` x ``ylim``, no frame.

    Returns ``(fig, ax)``; draw on ``ax`` with ``box``, ``circle`` and ``arrow``.
    """
    fig, ax = plt.subplots(figsize=figsize)
    ax.set(xlim=xlim, ylim=ylim, aspect="equal")
    ax.axis("off")
    if title:
        ax.set_title(title)
    return fig, ax


def box(ax, xy, text="", *, width=0.9, height=0.6, label=None, fontsize=11, **style):
    """A rounded box centred on ``xy`` with ``text`` in it (chapters 03, 05, 06).

    ``label``: a caption under the box. ``style``: patch settings such as
    ``fc`` (fill colour), ``ec`` or ``lw``, over ``BOX_STYLE``. Boxes sit in
    front of arrows (``zorder`` 3), so an arrow may pass behind one. Returns
    the patch.
    """
    x, y = xy
    patch = FancyBboxPatch(
        (x - width / 2, y - height / 2),
        width,
        height,
        **{"zorder": 3, **BOX_STYLE, **style},
    )
    ax.add_patch(patch)
    ax.text(x, y, text, ha="center", va="center", fontsize=fontsize, zorder=4)
    if label:
        ax.text(x, y - height / 2 - 0.05, label, ha="center", va="top", fontsize=9)
    return patch


def circle(ax, xy, text="", *, radius=0.28, fontsize=13, **style):
    """A round node, e.g. an elementwise operation (``×``, ``+``) at ``xy``."""
    patch = Circle(xy, radius, **{"zorder": 3, "fc": "white", "ec": "black", **style})
    ax.add_patch(patch)
    ax.text(*xy, text, ha="center", va="center", fontsize=fontsize, zorder=4)
    return patch


def arrow(ax, start, end, text=None, *, offset=(0.0, 0.0), head=True, **style):
    """An arrow from ``start`` to ``end``, with ``text`` beside its middle.

    ``offset``: where the text sits from the middle, in diagram units.
    ``head=False`` draws a plain line (a wire that joins others). ``style``:
    arrow settings such as ``color``, ``lw``, ``ls`` or ``connectionstyle``
    (e.g. ``"arc3,rad=0.3"`` for a bend), over ``ARROW_STYLE``. Arrows sit
    behind boxes (``zorder`` 1). Returns the annotation.
    """
    props = {**ARROW_STYLE, "shrinkA": 0, "shrinkB": 0, **style}
    if not head:
        props["arrowstyle"] = "-"
    drawn = ax.annotate("", xy=end, xytext=start, arrowprops=props, zorder=1)
    if text:
        middle_x = (start[0] + end[0]) / 2 + offset[0]
        middle_y = (start[1] + end[1]) / 2 + offset[1]
        ax.text(middle_x, middle_y, text, ha="center", va="center", fontsize=12)
    return drawn
