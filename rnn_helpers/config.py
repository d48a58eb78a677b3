"""Run budgets, seeds and progress bars: how a chapter runs (chapter 01).

``RNN_BOOK_MODE=quick`` runs every chapter on a small budget (``make test``);
``full`` (the default) runs the budgets the text discusses (``make book``).
"""

import math
import os
import random
import sys
import time

import numpy as np

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

    Import TensorFlow before calling this in a TensorFlow chapter. Returns a
    ``numpy.random.Generator`` seeded with ``seed`` for the notebook's own draws.
    """
    if not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    seed = int(seed)
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


def static_output():
    """True when notebooks are executed for a static page (book build, nbval).

    ``make book`` and ``make test`` set ``RNN_BOOK_STATIC=1``; there a
    progress bar prints one final line instead of redrawing itself.
    """
    return os.environ.get("RNN_BOOK_STATIC", "") not in ("", "0")


class progress:
    """A tqdm progress bar over ``iterable``; one summary line on static pages.

    Used by every training loop in ``rnn_helpers``::

        for epoch in (bar := rh.config.progress(range(epochs), desc="epochs")):
            ...
            bar.set_postfix(loss=loss)
    """

    def __init__(self, iterable, desc=None, total=None, disable=False):
        self._iterable = iterable
        self._disable = disable
        self._static = static_output()
        self._postfix = {}
        self.desc = desc
        if total is None and hasattr(iterable, "__len__"):
            total = len(iterable)
        self.total = total
        self._bar = None
        if not disable and not self._static:
            from tqdm.auto import tqdm

            self._bar = tqdm(iterable, desc=desc, total=total)

    def set_postfix(self, **values):
        self._postfix = values
        if self._bar is not None:
            self._bar.set_postfix(**values)

    def __iter__(self):
        if self._bar is not None:
            yield from self._bar
            return
        start, n = time.perf_counter(), 0
        for item in self._iterable:
            yield item
            n += 1
        if not self._disable:
            from tqdm import tqdm

            postfix = ", ".join(f"{k}={_short(v)}" for k, v in self._postfix.items())
            line = tqdm.format_meter(
                n,
                self.total if self.total is not None else n,
                time.perf_counter() - start,
                prefix=self.desc or "",
                postfix=postfix or None,
                ncols=100,
            )
            print(line, flush=True)


def _short(value):
    if isinstance(value, float) and math.isfinite(value):
        return f"{value:.4g}"
    return str(value)
