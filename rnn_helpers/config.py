"""Run budgets, seeds and progress bars: how a chapter runs (chapter 01).

``RNN_BOOK_MODE=quick`` runs every chapter on a small budget (``make test``);
``full`` (the default) runs the budgets the text discusses (``make book``).
"""

import contextlib
import math
import os
import random
import sys

import numpy as np

from . import checks

MODES = ("quick", "full")


def mode():
    """The run mode from ``RNN_BOOK_MODE``: ``'quick'`` or ``'full'`` (default)."""
    value = os.environ.get("RNN_BOOK_MODE", "full").strip().lower() or "full"
    if value not in MODES:
        raise ValueError(
            f"RNN_BOOK_MODE must be 'quick' or 'full', not "
            f"{os.environ['RNN_BOOK_MODE']!r}; unset it to run the full budgets."
        )
    return value


def is_quick():
    """True when the chapters run on their quick budgets."""
    return mode() == "quick"


def budget(*, full, quick):
    """The budget for the current mode, as a dict.

    ``full`` lists every setting; ``quick`` overrides some of them and may add
    settings that only the quick run needs (``train_size=2000``)::

        budget = rh.config.budget(full=dict(epochs=30),
                                  quick=dict(epochs=3, train_size=2000))
    """
    if not isinstance(full, dict) or not isinstance(quick, dict):
        raise ValueError(
            "budget(full=..., quick=...) expects two dicts of settings, got "
            f"{type(full).__name__} and {type(quick).__name__}"
        )
    chosen = dict(full)
    if mode() == "quick":
        chosen.update(quick)
    return chosen


def seed_everything(seed=0):
    """Seed Python, NumPy and, if it is imported, TensorFlow; make TF deterministic.

    In a TensorFlow chapter, call ``import_tensorflow()`` first. Returns a
    ``numpy.random.Generator`` seeded with ``seed`` for the notebook's own draws.
    """
    # Checked before anything is reseeded: NumPy's legacy seed is 32-bit.
    seed = checks.integer(seed, "seed", minimum=0, maximum=2**32 - 1)
    random.seed(seed)
    np.random.seed(seed)  # noqa: NPY002 - the legacy global state readers use
    os.environ["PYTHONHASHSEED"] = str(seed)
    if "tensorflow" in sys.modules:
        import tensorflow as tf

        tf.random.set_seed(seed)
        try:
            tf.config.experimental.enable_op_determinism()
        except (AttributeError, RuntimeError):  # pragma: no cover - old TF
            pass
    return np.random.default_rng(seed)


def import_tensorflow():
    """Import TensorFlow and Keras without their start-up lines; return ``(tf, keras)``.

    Introduced in chapter 03. TensorFlow's C++ core writes log lines (CPU
    features, CUDA drivers) straight to the process's stderr while it loads,
    whatever ``TF_CPP_MIN_LOG_LEVEL`` says; they would fill the first output
    of every TensorFlow page. Python errors are raised as usual. Call it
    before ``seed_everything`` so that TensorFlow is seeded too.
    """
    if "tensorflow" not in sys.modules:
        with _silenced_stderr():
            import keras  # noqa: F401
            import tensorflow  # noqa: F401
    import keras
    import tensorflow as tf

    return tf, keras


@contextlib.contextmanager
def _silenced_stderr():
    """Point file descriptor 2 at /dev/null for the duration (C++ output too)."""
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def static_output():
    """True when notebooks are executed for a static page (book build, nbval).

    ``make book`` and ``make test`` set ``RNN_BOOK_STATIC=1``; there progress
    bars print nothing, since a page cannot show them move.
    """
    return os.environ.get("RNN_BOOK_STATIC", "") not in ("", "0")


class progress:
    """A tqdm progress bar over ``iterable`` while it runs; nothing on static pages.

    Used by every training loop in ``rnn_helpers``; the bar disappears when
    the loop ends (``leave=False``), so a chapter prints its own one-line
    summary afterwards::

        for epoch in (bar := rh.config.progress(range(epochs), desc="epochs")):
            ...
            bar.set_postfix(loss=loss)
    """

    def __init__(self, iterable, desc=None, total=None, disable=False):
        if total is None and hasattr(iterable, "__len__"):
            total = len(iterable)
        self.desc, self.total = desc, total
        self._iterable = iterable
        self._bar = None
        if not disable and not static_output():
            from tqdm.auto import tqdm

            self._bar = tqdm(iterable, desc=desc, total=total, leave=False)

    def set_postfix(self, **values):
        """Show ``values`` (e.g. the loss) beside the bar; floats to 4 digits."""
        if self._bar is not None:
            self._bar.set_postfix({k: _short(v) for k, v in values.items()})

    def __iter__(self):
        yield from self._bar if self._bar is not None else self._iterable


def _short(value):
    if isinstance(value, float) and math.isfinite(value):
        return f"{value:.4g}"
    return str(value)
