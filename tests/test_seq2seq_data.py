"""Tests for rnn_helpers.data.seq2seq: the digit-string tasks of chapter 08."""

from collections import Counter

import numpy as np
import pytest

from rnn_helpers.data import seq2seq

VOCAB = seq2seq.TokenVocabulary()


def test_digit_pairs_are_reversals_of_digit_strings():
    sources, targets = seq2seq.digit_pairs(200, min_length=3, max_length=7, seed=4)
    assert len(sources) == len(targets) == 200
    for source, target in zip(sources, targets, strict=True):
        assert set(source) <= set("0123456789")
        assert 3 <= len(source) <= 7
        assert target == source[::-1]


def test_digit_pairs_sort_task_sorts_the_digits():
    sources, targets = seq2seq.digit_pairs(50, task="sort", seed=1)
    for source, target in zip(sources, targets, strict=True):
        assert target == "".join(sorted(source))
    assert any(s != t for s, t in zip(sources, targets, strict=True))


def test_digit_pairs_use_every_length_equally_often():
    sources, _ = seq2seq.digit_pairs(103, min_length=2, max_length=11, seed=0)
    counts = Counter(len(s) for s in sources)
    assert sorted(counts) == list(range(2, 12))
    assert max(counts.values()) - min(counts.values()) <= 1


def test_digit_pairs_are_reproducible_and_depend_on_the_seed():
    first = seq2seq.digit_pairs(30, seed=7)
    assert seq2seq.digit_pairs(30, seed=7) == first
    assert seq2seq.digit_pairs(30, seed=8) != first


def test_digit_pairs_digits_are_roughly_uniform():
    sources, _ = seq2seq.digit_pairs(2000, min_length=10, max_length=10, seed=0)
    counts = Counter("".join(sources))
    assert sorted(counts) == list("0123456789")
    assert all(1700 < n < 2300 for n in counts.values()), counts


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"num_examples": 0}, "num_examples must be a positive integer, got 0"),
        ({"num_examples": 2.0}, "num_examples must be a positive integer, got 2.0"),
        ({"num_examples": True}, "num_examples must be a positive integer"),
        ({"task": "copy"}, "task must be one of 'reverse', 'sort'; got 'copy'"),
        ({"min_length": 0}, "min_length must be a positive integer, got 0"),
        ({"min_length": 5, "max_length": 3}, "min_length must be at most max_length"),
        ({"seed": -1}, "seed must be a non-negative integer, got -1"),
    ],
)
def test_digit_pairs_rejects_bad_arguments(kwargs, message):
    kwargs = {"num_examples": 5, **kwargs}
    with pytest.raises(ValueError, match=message):
        seq2seq.digit_pairs(**kwargs)


def test_vocabulary_numbers_digits_after_the_special_tokens():
    assert len(VOCAB) == 13
    assert VOCAB.tokens[:3] == ["<pad>", "<start>", "<end>"]
    assert (VOCAB.PAD, VOCAB.START, VOCAB.END) == (0, 1, 2)
    np.testing.assert_array_equal(VOCAB.encode(["0129"]), [[3, 4, 5, 12]])


def test_encode_pads_after_or_before_and_adds_start_and_end():
    ids = VOCAB.encode(["12", "345"], 5, start=True, end=True)
    np.testing.assert_array_equal(ids, [[1, 4, 5, 2, 0], [1, 6, 7, 8, 2]])
    assert ids.dtype == np.int32
    pre = VOCAB.encode(["12", "345"], 4, padding="pre")
    np.testing.assert_array_equal(pre, [[0, 0, 4, 5], [0, 6, 7, 8]])
    assert VOCAB.encode(["12", "345"]).shape == (2, 3)


def test_decode_inverts_encode_and_stops_at_the_end_token():
    strings = ["907", "1", "55555"]
    ids = VOCAB.encode(strings, 8, start=True, end=True)
    assert VOCAB.decode(ids) == strings
    assert VOCAB.decode(VOCAB.encode(strings, padding="pre")) == strings
    # Whatever follows the first end token is not part of the text.
    assert VOCAB.decode([4, 5, 2, 6, 7]) == "12"
    assert VOCAB.decode(np.array([], dtype=int)) == ""


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: VOCAB.encode("123"), "strings must be a list of strings, got '123'"),
        (lambda: VOCAB.encode([]), "strings must hold at least one string"),
        (lambda: VOCAB.encode(["12", 3]), "got 3 at index 1"),
        (lambda: VOCAB.encode(["1x2"]), r"strings\[0\] = '1x2' has characters"),
        (lambda: VOCAB.encode(["1234"], 3), "length must be at least 4"),
        (lambda: VOCAB.encode(["12"], 3, end=True, start=True), "at least 4"),
        (lambda: VOCAB.encode(["1"], padding="left"), "padding must be one of"),
        (lambda: VOCAB.decode([0.5, 1.0]), "ids must hold integers"),
        (lambda: VOCAB.decode([3, 13]), r"ids must lie in \[0, 13\)"),
        (lambda: VOCAB.decode(np.zeros((2, 2, 2), int)), "1-d row or a 2-d batch"),
        (lambda: seq2seq.TokenVocabulary("abca"), "symbols must be distinct"),
        (lambda: seq2seq.TokenVocabulary(""), "symbols must be a non-empty string"),
    ],
)
def test_vocabulary_rejects_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_seq2seq_arrays_shift_the_target_for_teacher_forcing():
    sources, targets = ["123", "4"], ["321", "4"]
    arrays = seq2seq.seq2seq_arrays(sources, targets, VOCAB)
    np.testing.assert_array_equal(arrays.encoder_input, [[4, 5, 6], [0, 0, 7]])
    np.testing.assert_array_equal(arrays.decoder_input, [[1, 6, 5, 4], [1, 7, 0, 0]])
    np.testing.assert_array_equal(arrays.decoder_target, [[6, 5, 4, 2], [7, 2, 0, 0]])
    # The decoder's input at step t + 1 is its target at step t.
    real = arrays.decoder_input[:, 1:] != VOCAB.PAD
    np.testing.assert_array_equal(
        arrays.decoder_input[:, 1:][real], arrays.decoder_target[:, :-1][real]
    )


def test_seq2seq_arrays_take_fixed_lengths():
    sources, targets = seq2seq.digit_pairs(20, max_length=6, seed=2)
    arrays = seq2seq.seq2seq_arrays(
        sources, targets, VOCAB, source_length=8, target_length=9
    )
    assert arrays.encoder_input.shape == (20, 8)
    assert arrays.decoder_input.shape == arrays.decoder_target.shape == (20, 9)
    assert VOCAB.decode(arrays.decoder_target) == targets


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: seq2seq.seq2seq_arrays(["1"], ["1", "2"], VOCAB),
            "got 1 sources and 2 targets",
        ),
        (
            lambda: seq2seq.seq2seq_arrays(["1"], ["1"], "0123456789"),
            "vocab must be a TokenVocabulary",
        ),
        (
            lambda: seq2seq.seq2seq_arrays(["12"], ["21"], VOCAB, target_length=2),
            "length must be at least 3",
        ),
        (
            lambda: seq2seq.seq2seq_arrays("12", "21", VOCAB),
            "sources must be a list of strings",
        ),
    ],
)
def test_seq2seq_arrays_reject_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()
