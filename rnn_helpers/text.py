"""Generating text from a character language model (chapter 04).

A character model reads one character at a time and, after each, gives a
score (logit) for every character of its vocabulary. ``sample`` turns those
scores into new text: it feeds a prefix, then draws each next character from
``softmax(logits / temperature)`` and feeds it back.
"""

import numpy as np

from . import functions


def next_char_probabilities(logits, temperature=1.0):
    """``softmax(logits / temperature)``: the next-character distribution (chapter 04).

    ``logits``: ``(..., vocab)``. A temperature below 1 sharpens the
    distribution towards the most likely character, above 1 flattens it
    towards uniform. Returns probabilities of the same shape.
    """
    temperature = _check_temperature(temperature)
    logits = np.asarray(logits, dtype=float)
    if logits.ndim == 0 or logits.shape[-1] == 0:
        raise ValueError(f"expected logits of shape (..., vocab), got {logits.shape}")
    return functions.softmax(logits / temperature)


def sample(step, vocab, prefix, length, temperature=1.0, seed=0):
    """``prefix`` followed by ``length`` characters drawn from a model (chapter 04).

    ``step(i, h) -> (logits, h)`` advances the model by one character: ``i``
    is a character id, ``h`` the model's state (``None`` before the first
    character), ``logits`` has shape ``(len(vocab),)``. ``vocab`` is an
    ``rh.data.CharVocabulary``. Each new character is drawn from
    ``next_char_probabilities(logits, temperature)`` with
    ``np.random.default_rng(seed)`` (``seed``: an int, or a ``Generator``,
    which is then advanced), so the same seed gives the same text.
    """
    temperature = _check_temperature(temperature)
    if not isinstance(prefix, str) or not prefix:
        raise ValueError(
            f"the prefix must be a non-empty string (the model needs a first "
            f"character to read), got {prefix!r}"
        )
    if isinstance(length, bool) or not isinstance(length, (int, np.integer)):
        raise ValueError(f"length must be an integer >= 0, got {length!r}")
    if length < 0:
        raise ValueError(f"length must be an integer >= 0, got {length!r}")
    ids = list(vocab.encode(prefix))  # a ValueError names unknown characters
    rng = np.random.default_rng(seed)
    h, logits = None, None
    for i in ids:
        logits, h = step(i, h)
    for _ in range(length):
        logits = np.asarray(logits, dtype=float)
        if logits.shape != (len(vocab),):
            raise ValueError(
                f"step must return logits of shape ({len(vocab)},), one per "
                f"character of the vocabulary, got {logits.shape}"
            )
        if not np.all(np.isfinite(logits)):
            raise FloatingPointError("the model's logits contain NaN or inf")
        p = next_char_probabilities(logits, temperature)
        i = int(rng.choice(len(vocab), p=p))
        ids.append(i)
        logits, h = step(i, h)
    return vocab.decode(ids)


def _check_temperature(temperature):
    real = isinstance(temperature, (int, float, np.integer, np.floating))
    if not real or isinstance(temperature, bool):
        raise ValueError(f"temperature must be a number > 0, got {temperature!r}")
    value = float(temperature)
    if not (np.isfinite(value) and value > 0):
        raise ValueError(
            f"temperature must be a finite number > 0, got {temperature!r}; it "
            "divides the logits (small: nearly always the likeliest character, "
            "1: the model's own probabilities, large: nearly uniform)"
        )
    return value
