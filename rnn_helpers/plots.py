"""One look for every figure in the book, and the figures chapters share.

``use_style()`` is called by each chapter's import cell (chapter 01).
"""

import matplotlib.pyplot as plt
import numpy as np

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
