"""A text corpus, its characters, batches and sampling (chapter 04).

``load_text`` gives the corpus, ``CharVocabulary`` numbers its characters,
``char_batches`` cuts it into truncated-BPTT windows, and ``sample`` turns a
model's next-character scores (logits) back into text: it feeds a prefix,
then draws each next character from ``softmax(logits / temperature)``.
"""

import sys

import numpy as np

from .. import checks, functions
from . import files

# A corpus is read whole; the default one is about 1 MB.
MAX_TEXT_BYTES = 1 << 28


class Text(str):
    """A corpus string that knows where it came from (``.source``)."""

    def __new__(cls, text, source):
        self = super().__new__(cls, text)
        self.source = source
        return self

    def __getnewargs__(self):
        return str(self), self.source


def load_text(path=None):
    """A text corpus as one string with a ``.source`` (chapter 04).

    By default the text of Python's own reference documentation, the topics
    that ``help()`` shows (``pydoc_data.topics``, part of every CPython,
    Colab's included): every machine has it and no download is needed. It
    changes a little between Python versions. ``path`` names any UTF-8
    text file to use instead.
    """
    if path is None:
        try:
            from pydoc_data.topics import topics
        except ImportError as err:
            raise ValueError(
                "this Python has no pydoc_data package (its reference "
                "documentation), so there is no default corpus; pass the path "
                "of a UTF-8 text file instead"
            ) from err
        text = "\n".join(topics[name] for name in sorted(topics))
        version = ".".join(map(str, sys.version_info[:2]))
        source = f"Python {version} reference documentation (pydoc_data.topics)"
    else:
        path = files._regular_file(path, "text file")
        if path.stat().st_size > MAX_TEXT_BYTES:
            raise ValueError(
                f"{path} has {path.stat().st_size:,} bytes; expected a text file "
                f"of at most {MAX_TEXT_BYTES:,}"
            )
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as err:
            raise ValueError(
                f"{path} is not UTF-8 text ({err.reason} at byte {err.start}); "
                "expected a UTF-8 text file"
            ) from None
        except OSError as err:
            raise ValueError(f"cannot read text file {path}: {err.strerror}") from err
        source = f"the text file {path.name}"
    if len(text) < 2:
        raise ValueError(
            f"{source} holds {len(text)} characters; a language model needs at "
            "least two (an input and the character after it)"
        )
    return Text(text, source)


class CharVocabulary:
    """The characters of a text, numbered 0, 1, ... in sorted order (chapter 04).

    ``encode(text)`` turns a string into an int64 array of ids ``(len(text),)``
    and ``decode(ids)`` turns ids back into a string; ``len(vocab)`` is the
    number of characters, ``vocab.chars`` the characters themselves.
    """

    def __init__(self, text):
        if not isinstance(text, str) or not text:
            raise ValueError(
                f"a vocabulary is built from a non-empty string, got {text!r:.40}"
            )
        self.chars = sorted(set(text))
        self.index = {char: i for i, char in enumerate(self.chars)}

    def __len__(self):
        return len(self.chars)

    def __repr__(self):
        return f"CharVocabulary({len(self)} characters)"

    def encode(self, text):
        """Character ids ``(len(text),)``, int64, for the string ``text``."""
        if not isinstance(text, str):
            raise ValueError(f"encode expects a string, got {type(text).__name__}")
        unknown = sorted(set(text) - self.index.keys())
        if unknown:
            raise ValueError(
                f"{len(unknown)} character(s) of the text are not in the "
                f"vocabulary: {''.join(unknown)!r}; the vocabulary has the "
                f"{len(self)} characters of the text it was built from"
            )
        return np.fromiter((self.index[c] for c in text), np.int64, len(text))

    def decode(self, ids):
        """The string for the character ids ``ids`` (any integer array or list)."""
        ids = np.asarray(ids)
        if ids.size == 0:
            return ""
        if ids.dtype.kind not in "iu":
            raise ValueError(f"decode expects integer ids, got dtype {ids.dtype}")
        if ids.min() < 0 or ids.max() >= len(self):
            raise ValueError(
                f"ids must lie in [0, {len(self)}), got values in "
                f"[{ids.min()}, {ids.max()}]"
            )
        return "".join(self.chars[i] for i in ids.ravel())


def char_batches(ids, batch_size, num_steps):
    """(input, next-character target) windows for truncated BPTT (chapter 04).

    ``ids``: a text as character ids ``(n,)``. The text is cut into
    ``batch_size`` contiguous streams of ``L = (n - 1) // batch_size``
    characters, one per batch row, and the streams are read ``num_steps``
    characters at a time. Returns a list of ``(X, Y)`` pairs, int arrays
    ``(batch_size, num_steps)`` (the last pair shorter when ``num_steps``
    does not divide ``L``), where ``Y[i, t]`` is the character after
    ``X[i, t]`` and row ``i`` of each window continues row ``i`` of the one
    before, so the hidden state can be carried from window to window.
    """
    ids = np.asarray(ids)
    if ids.ndim != 1 or ids.dtype.kind not in "iu":
        raise ValueError(
            f"expected character ids as a 1-D integer array (n,), got shape "
            f"{ids.shape} and dtype {ids.dtype}"
        )
    batch_size = checks.integer(batch_size, "batch_size", minimum=1)
    num_steps = checks.integer(num_steps, "num_steps", minimum=1)
    length = (len(ids) - 1) // batch_size
    if length < 1:
        raise ValueError(
            f"{len(ids)} characters are too few for {batch_size} streams: each "
            f"needs an input and its next character, so at least "
            f"{batch_size + 1} characters"
        )
    X = ids[: batch_size * length].reshape(batch_size, length)
    Y = ids[1 : batch_size * length + 1].reshape(batch_size, length)
    return [
        (X[:, start : start + num_steps], Y[:, start : start + num_steps])
        for start in range(0, length, num_steps)
    ]


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
    character), ``logits`` has shape ``(len(vocab),)``. ``vocab`` is a
    ``CharVocabulary``. Each new character is drawn from
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
    length = checks.integer(length, "length", minimum=0)
    rng = checks.rng(seed)
    ids = list(vocab.encode(prefix))  # a ValueError names unknown characters
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
    try:
        return checks.number(temperature, "temperature", above=0)
    except ValueError as err:
        raise ValueError(
            f"{err}; it divides the logits (small: nearly always the likeliest "
            "character, 1: the model's own probabilities, large: nearly uniform)"
        ) from None
