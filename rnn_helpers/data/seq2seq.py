"""Sequence-to-sequence tasks on digit strings (chapter 08).

``digit_pairs`` draws random digit strings and what a task makes of them
(reversed or sorted); ``TokenVocabulary`` numbers the digits after three
special tokens (padding, start, end); ``seq2seq_arrays`` turns the pairs into
the three integer arrays an encoder-decoder trains on with teacher forcing.
"""

from collections import namedtuple

import numpy as np

from .. import checks

DIGITS = "0123456789"

# What each task makes of a source string.
TASKS = {
    "reverse": lambda s: s[::-1],
    "sort": lambda s: "".join(sorted(s)),
}

Seq2SeqArrays = namedtuple(
    "Seq2SeqArrays", ["encoder_input", "decoder_input", "decoder_target"]
)
Seq2SeqArrays.__doc__ = """The arrays of a batch of pairs (chapter 08), int32.

``encoder_input``: ``(n, source_length)``, each source padded at the front;
``decoder_input``: ``(n, target_length)``, the start token then the target;
``decoder_target``: ``(n, target_length)``, the target then the end token:
``decoder_input`` shifted one step to the left (teacher forcing). Both
decoder arrays are padded at the back.
"""


def digit_pairs(num_examples, *, task="reverse", min_length=1, max_length=10, seed=0):
    """Random digit strings and their reversals (or sorted copies) (chapter 08).

    Lengths go round ``min_length, ..., max_length`` in a shuffled order, so
    every length is equally common (to within one example); digits are
    uniform. ``task``: ``"reverse"`` or ``"sort"``. The same arguments give
    the same strings. Returns ``(sources, targets)``, two lists of
    ``num_examples`` strings.
    """
    num_examples = checks.integer(num_examples, "num_examples", minimum=1)
    checks.choice(task, "task", tuple(TASKS))
    min_length = checks.integer(min_length, "min_length", minimum=1)
    max_length = checks.integer(max_length, "max_length", minimum=1)
    if min_length > max_length:
        raise ValueError(
            f"min_length must be at most max_length, got min_length={min_length} "
            f"and max_length={max_length}"
        )
    seed = checks.integer(seed, "seed", minimum=0)
    rng = np.random.default_rng(seed)
    lengths = np.resize(np.arange(min_length, max_length + 1), num_examples)
    rng.shuffle(lengths)
    digits = rng.integers(0, len(DIGITS), size=(num_examples, max_length))
    sources = [
        "".join(DIGITS[d] for d in row[:length])
        for row, length in zip(digits, lengths, strict=True)
    ]
    return sources, [TASKS[task](s) for s in sources]


class TokenVocabulary:
    """Symbols numbered after three special tokens (chapter 08).

    Id 0 is padding (``PAD``), 1 marks the start of a decoder's input
    (``START``), 2 the end of its output (``END``); the symbols follow, so
    the digits ``"0"..."9"`` get ids 3 to 12. ``len(vocab)`` counts all of
    them; ``vocab.tokens[i]`` names id ``i``.
    """

    PAD, START, END = 0, 1, 2
    SPECIAL = ("<pad>", "<start>", "<end>")

    def __init__(self, symbols=DIGITS):
        symbols = checks.string(symbols, "symbols")
        if len(set(symbols)) != len(symbols):
            raise ValueError(
                f"symbols must be distinct characters, got {checks.shown(symbols)}"
            )
        self.symbols = symbols
        self.tokens = [*self.SPECIAL, *symbols]
        self.index = {s: i + len(self.SPECIAL) for i, s in enumerate(symbols)}

    def __len__(self):
        return len(self.tokens)

    def __repr__(self):
        return f"TokenVocabulary({self.symbols!r}, {len(self)} tokens)"

    def encode(self, strings, length=None, *, start=False, end=False, padding="post"):
        """Token ids ``(len(strings), length)``, int32, for a list of strings.

        ``start``/``end`` put the start token before / the end token after
        each string; the rest of the row is ``PAD``, after the string
        (``padding="post"``) or before it (``"pre"``). ``length`` defaults to
        the longest encoded string.
        """
        strings = _string_list(strings, "strings")
        checks.choice(padding, "padding", ("post", "pre"))
        rows = []
        for i, text in enumerate(strings):
            unknown = sorted(set(text) - self.index.keys())
            if unknown:
                raise ValueError(
                    f"strings[{i}] = {text!r} has characters that are not "
                    f"symbols of the vocabulary: {''.join(unknown)!r}; the "
                    f"symbols are {self.symbols!r}"
                )
            rows.append(
                [self.START] * start + [self.index[c] for c in text] + [self.END] * end
            )
        longest = max(len(row) for row in rows)
        if length is None:
            length = max(longest, 1)
        length = checks.integer(length, "length", minimum=1)
        if longest > length:
            raise ValueError(
                f"length must be at least {longest} to hold the longest encoded "
                f"string (start and end tokens included), got {length}"
            )
        ids = np.full((len(rows), length), self.PAD, dtype=np.int32)
        for i, row in enumerate(rows):
            if padding == "post":
                ids[i, : len(row)] = row
            else:
                ids[i, length - len(row) :] = row
        return ids

    def decode(self, ids):
        """The text of a row of ids, up to the first ``END``; a list for 2-d ids.

        Padding and start tokens are left out of the text.
        """
        ids = checks.array(ids, "ids", kind="integer", empty=True)
        if ids.ndim not in (1, 2):
            raise ValueError(
                f"ids must be a 1-d row or a 2-d batch of rows, got shape {ids.shape}"
            )
        if ids.size and (ids.min() < 0 or ids.max() >= len(self)):
            raise ValueError(
                f"ids must lie in [0, {len(self)}), got values in "
                f"[{ids.min()}, {ids.max()}]"
            )
        if ids.ndim == 2:
            return [self.decode(row) for row in ids]
        text = []
        for i in ids:
            if i == self.END:
                break
            if i >= len(self.SPECIAL):
                text.append(self.tokens[i])
        return "".join(text)


def seq2seq_arrays(sources, targets, vocab, *, source_length=None, target_length=None):
    """Encoder input, decoder input and decoder target for pairs (chapter 08).

    Returns a ``Seq2SeqArrays`` of int32 arrays: sources padded at the front
    (so that the encoder's last step reads a source's last symbol), targets
    with the start token in front (the decoder's input) and with the end token
    behind (what it must output). ``source_length`` defaults to the longest
    source, ``target_length`` to the longest target plus one.
    """
    sources = _string_list(sources, "sources")
    targets = _string_list(targets, "targets")
    if len(sources) != len(targets):
        raise ValueError(
            f"sources and targets must pair up, got {len(sources)} sources and "
            f"{len(targets)} targets"
        )
    if not isinstance(vocab, TokenVocabulary):
        raise ValueError(f"vocab must be a TokenVocabulary, got {checks.shown(vocab)}")
    return Seq2SeqArrays(
        vocab.encode(sources, source_length, padding="pre"),
        vocab.encode(targets, target_length, start=True),
        vocab.encode(targets, target_length, end=True),
    )


def _string_list(strings, name):
    """``strings`` as a non-empty list of str (a lone string is refused)."""
    if isinstance(strings, str) or not isinstance(strings, (list, tuple)):
        raise ValueError(
            f"{name} must be a list of strings, got {checks.shown(strings)}"
        )
    if not strings:
        raise ValueError(f"{name} must hold at least one string, got an empty list")
    for i, text in enumerate(strings):
        if not isinstance(text, str):
            raise ValueError(
                f"{name} must be a list of strings, got {checks.shown(text)} "
                f"at index {i}"
            )
    return list(strings)
