"""Tests for rnn_helpers.decoding: greedy and beam-search decoding (chapter 08)."""

import itertools

import numpy as np
import pytest

from rnn_helpers import decoding

PAD, START, END = 0, 1, 2


def toy_decoder(seed, vocab=5, state_size=6, batch=3):
    """A small random recurrent decoder: its step function and starting state."""
    rng = np.random.default_rng(seed)
    A = rng.normal(scale=0.8, size=(state_size, state_size))
    E = rng.normal(size=(vocab, state_size))
    B = rng.normal(scale=1.5, size=(state_size, vocab))

    def step(tokens, h):
        h = np.tanh(h @ A + E[tokens])
        logits = h @ B
        logits -= logits.max(axis=1, keepdims=True)
        return logits - np.log(np.exp(logits).sum(axis=1, keepdims=True)), h

    return step, rng.normal(size=(batch, state_size))


def brute_force_best(step, h0, vocab, num_steps):
    """The most probable sequence of at most num_steps tokens, by trying them all."""
    candidates = np.array(list(itertools.product(range(vocab), repeat=num_steps)))
    best = []
    for row in h0:
        states = np.repeat(row[None], len(candidates), axis=0)
        log_p = decoding.sequence_log_prob(
            step, states, candidates, start=START, end=END
        )
        best.append(log_p.max())
    return np.array(best)


def test_beam_search_of_width_one_is_greedy():
    for seed in range(20):
        step, h0 = toy_decoder(seed)
        tokens, log_prob = decoding.greedy(step, h0, start=START, end=END, num_steps=6)
        beams = decoding.beam_search(
            step, h0, width=1, start=START, end=END, num_steps=6
        )
        np.testing.assert_array_equal(beams.tokens[:, 0], tokens)
        np.testing.assert_array_equal(beams.log_probs[:, 0], log_prob)


@pytest.mark.parametrize("length_penalty", [0, 1])
def test_beam_search_as_wide_as_every_sequence_finds_the_best_one(length_penalty):
    vocab, num_steps = 5, 3
    for seed in range(5):
        step, h0 = toy_decoder(seed, vocab=vocab)
        beams = decoding.beam_search(
            step,
            h0,
            width=vocab**num_steps,
            start=START,
            end=END,
            num_steps=num_steps,
            length_penalty=length_penalty,
        )
        if length_penalty == 0:
            best = brute_force_best(step, h0, vocab, num_steps)
            np.testing.assert_allclose(beams.log_probs[:, 0], best, rtol=0, atol=1e-12)
        # Nothing dropped: every distinct sequence is in the beam exactly once.
        finite = np.isfinite(beams.log_probs)
        for row in range(len(h0)):
            kept = {tuple(t) for t in beams.tokens[row][finite[row]]}
            assert len(kept) == finite[row].sum()
        scores = np.where(finite, beams.scores, -1e300)
        assert np.all(np.diff(scores, axis=1) <= 0)


def test_beam_search_narrow_misses_the_best_sequence_sometimes():
    # The test above is not vacuous: greedy decoding is not an exact search.
    vocab, num_steps, missed = 5, 3, 0
    for seed in range(20):
        step, h0 = toy_decoder(seed, vocab=vocab)
        best = brute_force_best(step, h0, vocab, num_steps)
        _, greedy = decoding.greedy(step, h0, start=START, end=END, num_steps=num_steps)
        assert np.all(greedy <= best + 1e-12)
        missed += int(np.sum(greedy < best - 1e-9))
    assert missed > 0


def test_beam_search_log_probs_are_the_sequences_log_probs():
    step, h0 = toy_decoder(3, vocab=6, batch=4)
    beams = decoding.beam_search(step, h0, width=4, start=START, end=END, num_steps=5)
    for k in range(4):
        again = decoding.sequence_log_prob(
            step, h0, beams.tokens[:, k], start=START, end=END
        )
        np.testing.assert_allclose(beams.log_probs[:, k], again, rtol=0, atol=1e-12)


def test_greedy_pads_after_end_and_its_log_prob_is_the_sequences():
    step, h0 = toy_decoder(1, batch=8)
    tokens, log_prob = decoding.greedy(step, h0, start=START, end=END, num_steps=7)
    for row in tokens:
        ends = np.flatnonzero(row == END)
        if ends.size:
            assert np.all(row[ends[0] + 1 :] == PAD)
    again = decoding.sequence_log_prob(step, h0, tokens, start=START, end=END)
    np.testing.assert_allclose(log_prob, again, rtol=0, atol=1e-12)


def markov_decoder(p_end_first, p_end_after):
    """A decoder over tokens (pad, start, end, a): end now or after more a's."""

    def step(tokens, state):
        p_end = np.where(tokens == START, p_end_first, p_end_after)
        probs = np.stack([0 * p_end, 0 * p_end, p_end, 1 - p_end], axis=1)
        with np.errstate(divide="ignore"):
            return np.log(probs), state

    return step, np.zeros((1, 1))


def test_length_penalty_lets_a_longer_answer_win():
    # [end]: 0.4; [a, end]: 0.3, but 0.3 ** (1/2) = 0.55 per token.
    step, state = markov_decoder(0.4, 0.5)
    kwargs = dict(width=3, start=START, end=END, num_steps=4)
    raw = decoding.beam_search(step, state, **kwargs)
    per_token = decoding.beam_search(step, state, length_penalty=1, **kwargs)
    np.testing.assert_array_equal(raw.tokens[0, 0], [END, PAD, PAD, PAD])
    np.testing.assert_array_equal(per_token.tokens[0, 0], [3, END, PAD, PAD])
    np.testing.assert_allclose(per_token.scores[0, 0], np.log(0.6 * 0.5) / 2)
    np.testing.assert_allclose(per_token.log_probs[0, 0], np.log(0.6 * 0.5))


def test_beam_search_wider_than_the_sequences_leaves_empty_beams_at_minus_inf():
    step, h0 = toy_decoder(0, vocab=5, batch=2)
    beams = decoding.beam_search(step, h0, width=8, start=START, end=END, num_steps=1)
    assert np.isfinite(beams.log_probs).sum(axis=1).tolist() == [5, 5]
    assert np.isneginf(beams.log_probs[:, 5:]).all()


def test_beam_search_takes_a_tuple_state_and_reorders_every_part():
    step, h0 = toy_decoder(2)
    offsets = np.arange(len(h0))[:, None] * np.ones((1, 4))

    def step_with_tag(tokens, state):
        h, tag = state
        log_p, h = step(tokens, h)
        return log_p, (h, tag)

    alone = decoding.beam_search(step, h0, width=3, start=START, end=END, num_steps=4)
    paired = decoding.beam_search(
        step_with_tag, (h0, offsets), width=3, start=START, end=END, num_steps=4
    )
    np.testing.assert_array_equal(alone.tokens, paired.tokens)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"width": 0}, "width must be a positive integer, got 0"),
        ({"num_steps": 0}, "num_steps must be a positive integer, got 0"),
        ({"end": -1}, "end must be a non-negative integer, got -1"),
        ({"length_penalty": -1}, "length_penalty must be"),
    ],
)
def test_beam_search_rejects_bad_settings(kwargs, message):
    step, h0 = toy_decoder(0)
    settings = dict(width=2, start=START, end=END, num_steps=3) | kwargs
    with pytest.raises(ValueError, match=message):
        decoding.beam_search(step, h0, **settings)


def test_decoders_reject_states_with_different_rows():
    step, h0 = toy_decoder(0)
    with pytest.raises(ValueError, match="one row per sequence"):
        decoding.greedy(step, (h0, h0[:2]), start=START, end=END, num_steps=2)


def test_decoders_reject_a_step_that_returns_no_log_probabilities():
    def probabilities(tokens, h):
        return np.full((len(tokens), 5), 0.2), h

    def wrong_rows(tokens, h):
        return np.zeros((1, 5)), h

    def no_pair(tokens, h):
        return np.zeros((len(tokens), 5))

    def too_few_tokens(tokens, h):
        return np.zeros((len(tokens), 2)), h

    h0 = np.zeros((3, 2))
    for step, message in (
        (probabilities, "log-probabilities"),
        (wrong_rows, r"shape \(3, vocab\)"),
        (no_pair, r"return \(log_probs, state\)"),
        (too_few_tokens, "above every token id"),
    ):
        with pytest.raises(ValueError, match=message):
            decoding.greedy(step, h0, start=START, end=END, num_steps=2)


def test_decoders_reject_a_step_that_changes_the_state():
    def drops_rows(tokens, h):
        return np.full((len(tokens), 5), -np.log(5)), h[:1]

    with pytest.raises(ValueError, match="a state like the one"):
        decoding.beam_search(
            drops_rows, np.zeros((3, 2)), width=2, start=START, end=END, num_steps=2
        )


def test_sequence_log_prob_rejects_tokens_of_another_batch():
    step, h0 = toy_decoder(0, batch=3)
    with pytest.raises(ValueError, match="tokens must have shape"):
        decoding.sequence_log_prob(
            step, h0, np.zeros((2, 4), int), start=START, end=END
        )
    with pytest.raises(ValueError, match="at least 0"):
        decoding.sequence_log_prob(
            step, h0, -np.ones((3, 4), int), start=START, end=END
        )
