"""Helpers shared by the chapters of the RNN Book.

Notebooks write ``import rnn_helpers as rh`` and call ``rh.data.load_mnist()``,
``rh.rnn.RecurrentLayer(...)`` and so on. Submodules load on first use, so a
NumPy chapter never pays for importing TensorFlow.
"""

import importlib
import os
import pkgutil

# TensorFlow prints start-up log lines (CPU features, oneDNN) unless told not
# to before it is first imported; a rendered page should not show them.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

__version__ = "0.1.0"

_SUBMODULES = tuple(
    m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_")
)

__all__ = list(_SUBMODULES)


def __getattr__(name):
    if name in _SUBMODULES:
        module = importlib.import_module(f"{__name__}.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'rnn_helpers' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_SUBMODULES))
