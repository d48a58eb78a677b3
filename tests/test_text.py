"""rh.data's text: corpus, vocabulary, batches and sampling (chapter 04)."""

import numpy as np
import pytest

from rnn_helpers import data

# ----------------------------------------------------------------------
# load_text


def test_load_text_defaults_to_pythons_reference_documentation():
    corpus = data.load_text()
    assert len(corpus) > 100_000
    assert "assert" in corpus and "statement" in corpus
    assert data.load_text() == corpus  # the same text every time
    assert "pydoc_data.topics" in corpus.source


def test_load_text_reads_a_utf8_file(tmp_path):
    path = tmp_path / "poem.txt"
    path.write_text("Ünïcode is fine.\nSecond line.\n", encoding="utf-8")
    corpus = data.load_text(path)
    assert corpus == "Ünïcode is fine.\nSecond line.\n" and isinstance(corpus, str)
    assert data.load_text(str(path)) == corpus
    assert corpus.source == "the text file poem.txt"  # the name, not the path


def test_load_text_keeps_its_source_through_pickling():
    import pickle

    corpus = data.load_text()
    assert pickle.loads(pickle.dumps(corpus)).source == corpus.source


@pytest.mark.parametrize(
    ("path", "message"),
    [
        (123, r"expected the path of text file .* \(a int\)"),
        ("", "got an empty string"),
        ("/dev/zero", "not a regular file"),
    ],
)
def test_load_text_rejects_what_is_not_a_readable_file(path, message):
    with pytest.raises(ValueError, match=message):
        data.load_text(path)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read text file"),
        (b"\xff\xfe\x00not utf-8", "is not UTF-8 text"),
        (b"x", "holds 1 characters"),
    ],
)
def test_load_text_rejects_missing_binary_and_tiny_files(tmp_path, content, message):
    path = tmp_path / "corpus.txt"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(ValueError, match=message):
        data.load_text(path)


# ----------------------------------------------------------------------
# CharVocabulary


def test_vocabulary_numbers_sorted_characters_and_round_trips():
    vocab = data.CharVocabulary("hello, world")
    assert vocab.chars == sorted(set("hello, world"))
    assert len(vocab) == len(set("hello, world"))
    ids = vocab.encode("world, hello")
    assert ids.dtype == np.int64 and ids.shape == (12,)
    assert vocab.decode(ids) == "world, hello"
    assert vocab.decode(list(ids)) == "world, hello"
    assert vocab.decode([]) == ""
    assert vocab.encode("").shape == (0,)
    assert vocab.encode(" ")[0] == 0  # space sorts first


def test_vocabulary_encode_names_unknown_characters():
    vocab = data.CharVocabulary("abc")
    with pytest.raises(ValueError, match=r"not in the vocabulary: 'xz'"):
        vocab.encode("zax")
    with pytest.raises(ValueError, match="expects a string"):
        vocab.encode(["a"])


@pytest.mark.parametrize(
    ("ids", "message"),
    [([0, 3], r"must lie in \[0, 3\)"), ([-1], "must lie in"), ([0.5], "integer ids")],
)
def test_vocabulary_decode_rejects_bad_ids(ids, message):
    with pytest.raises(ValueError, match=message):
        data.CharVocabulary("abc").decode(ids)


@pytest.mark.parametrize("bad", ["", None, b"abc"])
def test_vocabulary_needs_a_non_empty_string(bad):
    with pytest.raises(ValueError, match="non-empty string"):
        data.CharVocabulary(bad)


# ----------------------------------------------------------------------
# char_batches


def test_char_batches_cut_contiguous_streams_with_next_character_targets():
    ids = np.arange(23)  # stream length (23 - 1) // 3 = 7
    batches = data.char_batches(ids, batch_size=3, num_steps=3)
    assert [X.shape for X, _ in batches] == [(3, 3), (3, 3), (3, 1)]
    X = np.concatenate([X for X, _ in batches], axis=1)
    Y = np.concatenate([Y for _, Y in batches], axis=1)
    # Row i is one contiguous stream, read window after window.
    np.testing.assert_array_equal(X, np.arange(21).reshape(3, 7))
    np.testing.assert_array_equal(Y, X + 1)


def test_char_batches_rows_continue_across_windows():
    ids = np.arange(1001)  # every id is its own position in the text
    batches = data.char_batches(ids, batch_size=4, num_steps=10)
    assert len(batches) == 25  # 4 streams of 250 characters, 10 at a time
    for (X_prev, _), (X_next, _) in zip(batches, batches[1:], strict=False):
        np.testing.assert_array_equal(X_next[:, 0], X_prev[:, -1] + 1)
    np.testing.assert_array_equal(batches[0][0][:, 0], [0, 250, 500, 750])


@pytest.mark.parametrize(
    ("ids", "kwargs", "message"),
    [
        (np.zeros((2, 5), int), {}, r"1-D integer array"),
        (np.zeros(5), {}, r"1-D integer array"),
        (np.arange(3), {"batch_size": 3}, "too few for 3 streams"),
        (np.arange(10), {"batch_size": 0}, "batch_size must be a positive integer"),
        (np.arange(10), {"num_steps": 0}, "num_steps must be a positive integer"),
        (np.arange(10), {"num_steps": 2.5}, "num_steps must be a positive integer"),
    ],
)
def test_char_batches_reject_bad_input(ids, kwargs, message):
    args = {"batch_size": 2, "num_steps": 2} | kwargs
    with pytest.raises(ValueError, match=message):
        data.char_batches(ids, **args)


# ----------------------------------------------------------------------
# sampling


VOCAB = data.CharVocabulary("abcd")


def fixed_model(logits):
    """A 'model' whose next-character logits never change; counts its steps."""
    calls = []

    def step(i, h):
        calls.append(i)
        return np.asarray(logits, dtype=float), (0 if h is None else h + 1)

    return step, calls


def test_sample_starts_with_the_prefix_and_feeds_back_every_character():
    step, calls = fixed_model([0.0, 1.0, 2.0, 3.0])
    out = data.sample(step, VOCAB, "ab", 10, temperature=1.0, seed=0)
    assert out.startswith("ab") and len(out) == 12
    assert set(out) <= set("abcd")
    assert VOCAB.decode(calls[:12]) == out  # prefix read, then each draw fed back


def test_sample_is_reproducible_with_the_same_seed():
    step, _ = fixed_model([0.0, 0.5, 1.0, 1.5])
    first = data.sample(step, VOCAB, "a", 200, 1.0, seed=3)
    assert data.sample(step, VOCAB, "a", 200, 1.0, seed=3) == first
    assert data.sample(step, VOCAB, "a", 200, 1.0, seed=4) != first
    generator = np.random.default_rng(3)
    assert data.sample(step, VOCAB, "a", 200, 1.0, seed=generator) == first


def test_sample_follows_the_tempered_softmax():
    logits = np.array([0.0, 1.0, 2.0, 0.5])
    step, _ = fixed_model(logits)
    for temperature in (0.5, 1.0, 3.0):
        out = data.sample(step, VOCAB, "a", 10_000, temperature, seed=0)[1:]
        freq = np.bincount(VOCAB.encode(out), minlength=4) / len(out)
        expected = np.exp(logits / temperature) / np.exp(logits / temperature).sum()
        np.testing.assert_allclose(freq, expected, atol=0.02)
    cold = data.sample(step, VOCAB, "a", 50, 1e-3, seed=0)
    assert cold == "a" + "c" * 50  # near zero: always the likeliest character


def test_next_char_probabilities_sharpen_and_flatten():
    logits = np.array([[1.0, 2.0, 3.0]])
    p = data.next_char_probabilities(logits, 1.0)
    np.testing.assert_allclose(p.sum(axis=-1), 1.0)
    assert data.next_char_probabilities(logits, 0.1)[0, 2] > p[0, 2]
    assert data.next_char_probabilities(logits, 10.0)[0, 2] < p[0, 2]
    with pytest.raises(ValueError, match="expected logits"):
        data.next_char_probabilities(np.zeros((2, 0)), 1.0)


@pytest.mark.parametrize("temperature", [0, 0.0, -1.0, np.nan, np.inf, "1", None])
def test_sample_rejects_non_positive_temperatures(temperature):
    step, calls = fixed_model([0.0, 1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="temperature must be"):
        data.sample(step, VOCAB, "a", 5, temperature)
    assert calls == []  # nothing was run


def test_sample_rejects_characters_outside_the_vocabulary():
    step, calls = fixed_model([0.0, 1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"not in the vocabulary: 'xé'"):
        data.sample(step, VOCAB, "abxé", 5, 1.0)
    assert calls == []


@pytest.mark.parametrize(
    ("prefix", "length", "message"),
    [
        ("", 5, "non-empty string"),
        (None, 5, "non-empty string"),
        ("a", -1, "length must be a non-negative integer"),
        ("a", 2.0, "length must be a non-negative integer"),
    ],
)
def test_sample_rejects_bad_prefix_and_length(prefix, length, message):
    step, _ = fixed_model([0.0, 1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=message):
        data.sample(step, VOCAB, prefix, length, 1.0)


def test_sample_checks_what_the_model_returns():
    step, _ = fixed_model([0.0, 1.0, 2.0])
    with pytest.raises(ValueError, match=r"logits of shape \(4,\)"):
        data.sample(step, VOCAB, "a", 3, 1.0)
    step, _ = fixed_model([0.0, np.nan, 2.0, 1.0])
    with pytest.raises(FloatingPointError, match="NaN"):
        data.sample(step, VOCAB, "a", 3, 1.0)
    step, _ = fixed_model([0.0, 1.0, 2.0])
    assert data.sample(step, VOCAB, "ab", 0, 1.0) == "ab"  # nothing to draw


@pytest.mark.parametrize("seed", [-1, 0.5, "a"])
def test_sample_rejects_bad_seeds_before_running_the_model(seed):
    step, calls = fixed_model([0.0, 1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="seed must be a non-negative integer"):
        data.sample(step, VOCAB, "a", 3, 1.0, seed=seed)
    assert calls == []
