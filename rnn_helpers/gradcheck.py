"""Finite-difference gradient checks (chapters 02-03).

Every backward pass in the book is checked against central differences:
``(f(p + eps) - f(p - eps)) / (2 eps)`` for each entry ``p`` of a parameter.
"""

import numpy as np

from . import checks


def relative_error(analytic, numeric, tiny=1e-12):
    """Elementwise ``|a - n| / max(|a| + |n|, tiny)``: 0 when both are 0."""
    analytic = np.asarray(analytic, dtype=float)
    numeric = np.asarray(numeric, dtype=float)
    return np.abs(analytic - numeric) / np.maximum(
        np.abs(analytic) + np.abs(numeric), tiny
    )


def numerical_gradient(f, param, eps=1e-5, entries=None):
    """Central-difference gradient of the scalar ``f()`` with respect to ``param``.

    ``param`` is changed in place, one entry at a time, and restored (also when
    ``f`` raises). Returns an array shaped like ``param`` (NaN where
    ``entries``, a list of flat indices, leaves an entry out). A loss that
    is NaN or infinite at a perturbed point raises ``FloatingPointError``.
    """
    _check_f(f)
    _check_param(param)
    eps = checks.number(eps, "eps", above=0)
    if entries is None:
        entries = range(param.size)
    else:
        entries = checks.array(entries, "entries", ndim=1, kind=None, empty=True)
        if entries.size == 0:  # an empty list comes as floats
            entries = entries.astype(np.intp)
        entries = checks.array(entries, "entries", kind="integer", empty=True)
        if entries.size and (entries.min() < 0 or entries.max() >= param.size):
            raise ValueError(
                f"entries must be flat indices in [0, {param.size}), got values in "
                f"[{entries.min()}, {entries.max()}]"
            )
    grad = np.full(param.shape, np.nan)
    flat, gflat = param.reshape(-1), grad.reshape(-1)  # views: writes reach param
    for i in entries:
        old = flat[i]
        try:
            flat[i] = old + eps
            f_plus = _loss(f)
            flat[i] = old - eps
            f_minus = _loss(f)
        finally:
            flat[i] = old
        if not (np.isfinite(f_plus) and np.isfinite(f_minus)):
            raise FloatingPointError(
                f"f() is not finite next to entry {np.unravel_index(i, param.shape)} "
                f"(f(p + eps) = {f_plus}, f(p - eps) = {f_minus}); a central "
                "difference needs a loss that is finite around the point"
            )
        gflat[i] = (f_plus - f_minus) / (2 * eps)
    return grad


def _check_f(f):
    if not callable(f):
        raise ValueError(f"f must be a function of no arguments, got {checks.shown(f)}")


def _loss(f):
    """``f()`` as a float; a loss must be one real number."""
    value = f()
    if np.ndim(value) != 0 or np.iscomplexobj(value) or isinstance(value, str):
        raise ValueError(f"f() must return one real number, got {checks.shown(value)}")
    return float(value)


def _check_param(param):
    if not isinstance(param, np.ndarray) or not np.issubdtype(param.dtype, np.floating):
        raise ValueError(
            "numerical_gradient changes the parameter in place, so it needs a "
            f"float NumPy array, got {type(param).__name__}"
            + (f" of dtype {param.dtype}" if isinstance(param, np.ndarray) else "")
        )
    if not param.flags.c_contiguous:
        raise ValueError("numerical_gradient needs a C-contiguous parameter array")


def check_gradient(f, params, grads, eps=1e-5, max_entries=None, seed=0):
    """Largest relative error between analytic gradients and central differences.

    Introduced in chapter 02. ``f()`` recomputes the scalar loss from the
    current values of ``params`` (a list or dict of float arrays, changed in
    place and restored); ``grads`` holds the analytic gradients, same
    structure and shapes. With ``max_entries``, each parameter is checked on
    that many randomly chosen entries (drawn with ``seed``) instead of all.
    An analytic gradient that is complex, NaN or infinite raises
    ``ValueError``, and so does a check with no entry to check: it would
    pass having checked nothing.
    """
    _check_f(f)
    if max_entries is not None:
        max_entries = checks.integer(max_entries, "max_entries", minimum=1)
    eps = checks.number(eps, "eps", above=0)
    if isinstance(params, dict):
        if not isinstance(grads, dict) or set(params) != set(grads):
            raise ValueError(
                "params and grads must be dicts with the same keys, got "
                f"{sorted(params)} and "
                f"{sorted(grads) if isinstance(grads, dict) else type(grads).__name__}"
            )
        names = list(params)
        params = [params[k] for k in names]
        grads = [grads[k] for k in names]
    else:
        params, grads = list(params), list(grads)
        names = list(range(len(params)))
    if len(params) != len(grads):
        raise ValueError(f"got {len(params)} params but {len(grads)} gradients")
    if sum(np.size(p) for p in params) == 0:
        raise ValueError(
            f"there is nothing to check: the {len(params)} parameters given have "
            "no entries, and a check of nothing would pass"
        )
    checked_grads = []
    for name, p, g in zip(names, params, grads, strict=True):
        _check_param(p)
        g = checks.array(g, f"grads[{name!r}]", empty=True)
        if g.shape != p.shape:
            raise ValueError(
                f"gradient for parameter {name!r} has shape {g.shape}, expected "
                f"the parameter's shape {p.shape}"
            )
        checked_grads.append(g.astype(float, copy=False))
    rng = checks.rng(seed)
    worst = 0.0
    for p, g in zip(params, checked_grads, strict=True):
        entries = None
        if max_entries is not None and p.size > max_entries:
            entries = rng.choice(p.size, size=max_entries, replace=False)
        numeric = numerical_gradient(f, p, eps=eps, entries=entries)
        checked = ~np.isnan(numeric)  # NaN marks the entries left out
        if checked.any():
            worst = max(
                worst, float(relative_error(g[checked], numeric[checked]).max())
            )
    return worst
