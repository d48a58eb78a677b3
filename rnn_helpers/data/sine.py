"""Sine waves cut into sliding windows (chapter 07)."""

import numpy as np

from .. import checks


def sine_series(num_points, *, start=0.0, dt=0.01, wave=np.sin, noise=0.0, seed=0):
    """``wave(t)`` sampled at ``t = start + k * dt``, plus Gaussian noise (chapter 07).

    Returns float32 values ``(num_points,)``, the precision the model trains
    in. ``wave`` maps an array of times to values (``np.sin`` by default);
    ``noise`` is the standard deviation of the Gaussian noise added to every
    sample, drawn from ``np.random.default_rng(seed)`` (``seed`` may be a
    ``Generator``, which is then advanced).
    """
    num_points = checks.integer(num_points, "num_points", minimum=1)
    start = checks.number(start, "start")
    dt = checks.number(dt, "the step dt", above=0)
    noise = checks.number(noise, "noise (a standard deviation)", minimum=0)
    rng = checks.rng(seed)
    t = start + dt * np.arange(num_points)
    values = np.asarray(wave(t), dtype=np.float64)
    if values.shape != t.shape or not np.all(np.isfinite(values)):
        raise ValueError(
            f"wave(t) must return {num_points} finite values for {num_points} "
            f"times, got shape {values.shape}"
        )
    if noise > 0:
        values = values + noise * rng.standard_normal(num_points)
    return values.astype(np.float32)


def make_windows(series, num_steps=10, horizon=1):
    """Cut a series into (window, value ``horizon`` steps later) pairs (chapter 07).

    ``series``: ``(T,)``. Window ``i`` holds ``series[i : i + num_steps]`` and
    its target is ``series[i + num_steps - 1 + horizon]``. Returns
    ``X: (n, num_steps, 1)`` and ``y: (n, 1)`` with
    ``n = T - num_steps - horizon + 1``, in the dtype of ``series``.
    """
    series = checks.array(series, "series", shape=("T",), kind="float", empty=True)
    num_steps = checks.integer(num_steps, "num_steps", minimum=1)
    horizon = checks.integer(horizon, "horizon", minimum=1)
    n = len(series) - num_steps - horizon + 1
    if n < 1:
        raise ValueError(
            f"a series of {len(series)} values is too short for one window of "
            f"num_steps={num_steps} plus a target horizon={horizon} steps later; "
            f"it needs at least {num_steps + horizon} values"
        )
    X = np.lib.stride_tricks.sliding_window_view(series, num_steps)[:n]
    y = series[num_steps - 1 + horizon :][:n]
    return X[:, :, None].copy(), y[:, None].copy()


def sine_data(
    num_train=10_000,
    num_test=1_000,
    *,
    num_steps=10,
    dt=0.01,
    wave=np.sin,
    noise=0.0,
    seed=0,
):
    """The source's sine data as windows: ``((X_train, y_train), (X_test, y_test))``.

    Defaults are the source's setup (chapter 07): ``num_train`` windows from
    a stretch that starts at ``t = 0``, ``num_test`` windows from the stretch
    right after it, samples every ``dt``, ``num_steps`` values per window and
    the next value as target. ``X``: ``(n, num_steps, 1)``, ``y``: ``(n, 1)``,
    float32. ``noise`` and ``seed`` as in ``sine_series`` (the two stretches
    get independent noise).
    """
    num_train = checks.integer(num_train, "num_train", minimum=1)
    num_test = checks.integer(num_test, "num_test", minimum=1)
    num_steps = checks.integer(num_steps, "num_steps", minimum=1)
    rng = checks.rng(seed)
    train_points = num_train + num_steps
    train = sine_series(train_points, dt=dt, wave=wave, noise=noise, seed=rng)
    test = sine_series(
        num_test + num_steps,
        start=train_points * dt,
        dt=dt,
        wave=wave,
        noise=noise,
        seed=rng,
    )
    return make_windows(train, num_steps), make_windows(test, num_steps)
