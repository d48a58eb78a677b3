"""Argument checks shared by every helper: one wording for every error.

Each check returns the value it accepted (as an ``int``, a ``float`` or an
array), so a call site reads in one line::

    epochs = checks.integer(epochs, "epochs", minimum=1)
    lr = checks.number(lr, "lr", above=0)
    X = checks.array(X, "X", shape=("batch", "num_steps", self.input_size))

and a bad value raises a ``ValueError`` that names the argument, says what
was expected and shows what came: ``epochs must be a positive integer, got
True (a bool)``. Bools are never numbers here, and NaN is never in range.
"""

import numbers

import numpy as np

KINDS = {
    "real": ("real numbers", "iuf"),
    "float": ("floats", "f"),
    "integer": ("integers", "iu"),
}


def shown(value):
    """How an error message shows ``value``: its repr, and its type when that helps."""
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    if isinstance(value, np.generic):
        value = value.item()
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    if isinstance(value, bool) or not isinstance(
        value, (numbers.Number, str, type(None))
    ):
        return f"{text} (a {type(value).__name__})"
    return text


def integer(value, name, *, minimum=None, maximum=None):
    """``value`` as an ``int``: an integer (not a bool) in ``[minimum, maximum]``."""
    what = _integer_range(minimum, maximum)
    if not isinstance(value, numbers.Integral) or isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be {what}, got {shown(value)}")
    value = int(value)
    if (minimum is not None and value < minimum) or (
        maximum is not None and value > maximum
    ):
        raise ValueError(f"{name} must be {what}, got {value}")
    return value


def number(value, name, *, minimum=None, maximum=None, above=None, below=None):
    """``value`` as a finite ``float``: a real number (not a bool, str or array).

    ``minimum``/``maximum`` are inclusive bounds, ``above``/``below`` strict
    ones: ``number(lr, "lr", above=0)``, ``number(p, "dropout", minimum=0,
    below=1)``.
    """
    what = _number_range(minimum, maximum, above, below)
    if not isinstance(value, numbers.Real) or isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be {what}, got {shown(value)}")
    value = float(value)
    in_range = np.isfinite(value)
    if minimum is not None:
        in_range = in_range and value >= minimum
    if maximum is not None:
        in_range = in_range and value <= maximum
    if above is not None:
        in_range = in_range and value > above
    if below is not None:
        in_range = in_range and value < below
    if not in_range:
        raise ValueError(f"{name} must be {what}, got {value!r}")
    return value


def array(
    value,
    name,
    *,
    ndim=None,
    shape=None,
    kind="real",
    finite=True,
    empty=False,
    dtype=None,
):
    """``value`` as a NumPy array, checked; cast to ``dtype`` when one is given.

    ``shape``: a tuple whose entries are sizes (``int``) or free axes, named
    by a string that the message shows (``("batch", "num_steps", 4)``) or
    ``None``. ``kind``: ``'real'`` (integers or floats, never bools or
    complex), ``'float'``, ``'integer'`` or ``None`` (any dtype). ``finite``:
    NaN and inf refused. ``empty=False``: every axis needs at least one entry.
    """
    if value is None:
        raise ValueError(f"{name} must be an array, got None")
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError):
        raise ValueError(
            f"{name} must be an array of numbers, got {shown(value)}"
        ) from None
    if shape is not None:
        ndim = len(shape)
        fits = arr.ndim == ndim and all(
            want is None or isinstance(want, str) or size == want
            for size, want in zip(arr.shape, shape, strict=True)
        )
        if not fits:
            raise ValueError(
                f"{name} must have shape {_shape_text(shape)}, got {arr.shape}"
            )
    elif ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must be a {ndim}-d array, got shape {arr.shape}")
    if not empty and 0 in arr.shape:
        raise ValueError(
            f"{name} needs at least one entry along every axis, got shape {arr.shape}"
        )
    if kind is not None:
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {sorted(KINDS)}, got {kind!r}")
        words, codes = KINDS[kind]
        if arr.dtype.kind not in codes:
            raise ValueError(f"{name} must hold {words}, got dtype {arr.dtype}")
        if finite and arr.dtype.kind == "f" and not np.all(np.isfinite(arr)):
            bad = int(arr.size - np.count_nonzero(np.isfinite(arr)))
            raise ValueError(
                f"{name} contains NaN or infinite values ({bad} of {arr.size} entries)"
            )
    if dtype is not None:
        arr = arr.astype(dtype, copy=False)
    return arr


def choice(value, name, choices):
    """``value`` itself, when it is one of ``choices`` (a tuple, list, dict or set)."""
    try:
        known = value in choices
    except TypeError:  # unhashable, e.g. a list looked up in a dict
        known = False
    if isinstance(value, (bool, np.bool_)):  # True == 1, but True is no size
        known = any(c is value for c in choices)
    if not known:
        options = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{name} must be one of {options}; got {shown(value)}")
    return value


def string(value, name, *, empty=False):
    """``value`` itself, when it is a ``str``; blank only if ``empty`` allows it."""
    if not isinstance(value, str) or (not empty and not value.strip()):
        what = "a string" if empty else "a non-empty string"
        raise ValueError(f"{name} must be {what}, got {shown(value)}")
    return value


def rng(seed, name="seed"):
    """``np.random.default_rng(seed)``, for the seeds the book passes around.

    ``seed``: a non-negative integer, a tuple or list of them (streams apart:
    ``(seed, 1)``), a ``np.random.Generator`` (returned as it is, and advanced
    by its use) or ``None`` (fresh entropy). Bools, floats and strings are
    refused.
    """
    if seed is None or isinstance(seed, np.random.Generator):
        return np.random.default_rng(seed)
    sequence = isinstance(seed, (tuple, list))
    parts = list(seed) if sequence else [seed]
    if not parts or not all(
        isinstance(p, numbers.Integral)
        and not isinstance(p, (bool, np.bool_))
        and p >= 0
        for p in parts
    ):
        raise ValueError(
            f"{name} must be a non-negative integer, a tuple of them or a "
            f"np.random.Generator, got {shown(seed)}"
        )
    parts = [int(p) for p in parts]
    return np.random.default_rng(parts if sequence else parts[0])


def state(value, name, *, batch, state_size, dtype=np.float64):
    """A recurrent layer's state before its first step, as ``(batch, state_size)``.

    ``None`` gives zeros; one row ``(state_size,)`` is shared by every
    sequence; the values must be real and finite, like any input.
    """
    if value is None:
        return np.zeros((batch, state_size), dtype)
    arr = array(value, name)
    if arr.shape not in ((batch, state_size), (state_size,)):
        raise ValueError(
            f"{name} must have shape ({batch}, {state_size}) or ({state_size},), "
            f"got {arr.shape}"
        )
    return np.broadcast_to(arr, (batch, state_size)).astype(dtype)


# ----------------------------------------------------------------------
# the words of the messages


def _integer_range(minimum, maximum):
    if maximum is None:
        if minimum == 1:
            return "a positive integer"
        if minimum == 0:
            return "a non-negative integer"
        return "an integer" if minimum is None else f"an integer >= {minimum}"
    if minimum is None:
        return f"an integer <= {maximum}"
    return f"an integer in [{minimum}, {maximum}]"


def _number_range(minimum, maximum, above, below):
    if above == 0 and minimum is None and maximum is None and below is None:
        return "a positive number"
    low = ("[", ">=", minimum) if minimum is not None else ("(", ">", above)
    high = ("]", "<=", maximum) if maximum is not None else (")", "<", below)
    if low[2] is not None and high[2] is not None:
        return f"a number in {low[0]}{low[2]}, {high[2]}{high[0]}"
    if low[2] is not None:
        return f"a number {low[1]} {low[2]}"
    if high[2] is not None:
        return f"a number {high[1]} {high[2]}"
    return "a finite number"


def _shape_text(shape):
    sizes = ["any" if s is None else str(s) for s in shape]
    return "(" + ", ".join(sizes) + ("," if len(sizes) == 1 else "") + ")"
