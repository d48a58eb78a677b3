"""The recall task: remember a symbol through noise (chapters 03, 09, 10)."""

import numpy as np

from .. import checks


def recall_batch(rng, batch_size, delay, *, num_symbols=4, noise_channels=4, noise=0.5):
    """A batch of the recall task (chapter 03).

    ``X``: ``(batch_size, delay + 1, num_symbols + noise_channels)``: step 0
    holds a one-hot symbol, steps 1..delay Gaussian noise (standard deviation
    ``noise``) on the noise channels. ``y``: ``(batch_size,)`` int64, the
    symbols. ``rng``: a ``numpy.random.Generator``, advanced by the draws.
    """
    if not isinstance(rng, np.random.Generator):
        raise ValueError(
            f"rng must be a numpy.random.Generator, got {checks.shown(rng)}"
        )
    batch_size = checks.integer(batch_size, "batch_size", minimum=1)
    delay = checks.integer(delay, "delay", minimum=0)
    num_symbols = checks.integer(num_symbols, "num_symbols", minimum=1)
    noise_channels = checks.integer(noise_channels, "noise_channels", minimum=0)
    noise = checks.number(noise, "noise", minimum=0)
    X = np.zeros((batch_size, delay + 1, num_symbols + noise_channels))
    y = rng.integers(0, num_symbols, size=batch_size)
    X[np.arange(batch_size), 0, y] = 1.0
    X[:, 1:, num_symbols:] = noise * rng.standard_normal(
        (batch_size, delay, noise_channels)
    )
    return X, y
