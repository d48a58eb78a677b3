"""Greedy and beam-search decoding of a trained decoder (chapter 08).

A decoder is handed over as a *step function* and its starting state::

    log_probs, state = step(tokens, state)

``tokens``: ``(rows,)`` integer ids, the token each row reads at this step;
``state``: an array or a tuple (or list) of arrays, each with one row per
row of ``tokens`` (an LSTM's ``h`` and ``c``, the encoder's states...);
``log_probs``: ``(rows, vocab)`` log-probabilities of the next token; the new
state has the same structure. The decoders below only call ``step`` and
reorder the rows of the state, so they work for any model that can be
written this way, a Keras model or a NumPy one.

Every decoder reads ``start`` first and stops a row at its first ``end``
token (which counts as part of the answer); the positions after it are
filled with ``pad``. A sequence's log-probability is the sum of its tokens'
log-probabilities, ``end`` included.
"""

from collections import namedtuple

import numpy as np

from . import checks

Beams = namedtuple("Beams", ["tokens", "log_probs", "scores"])
Beams.__doc__ = """What ``beam_search`` found (chapter 08), best first.

``tokens``: ``(batch, width, num_steps)`` int64, each row's ``width``
sequences, padded after their ``end``; ``log_probs``: ``(batch, width)``,
their log-probabilities; ``scores``: ``(batch, width)``, the log-probability
divided by ``length ** length_penalty`` (equal to ``log_probs`` without a
penalty), the order of the sequences.
"""


def greedy(step, state, *, start, end, num_steps, pad=0):
    """Greedy decoding: the most probable token at every step (chapter 08).

    ``step``, ``state``: the decoder (see the module's docstring), ``state``
    with one row per sequence to decode. Returns ``(tokens, log_probs)``:
    ``(batch, num_steps)`` int64 ids, padded with ``pad`` after each row's
    first ``end``, and ``(batch,)`` the log-probability of each row's tokens
    up to that ``end``. Stops early once every row has ended.
    """
    state, batch = _state(state)
    start, end, pad, num_steps = _tokens_and_steps(start, end, pad, num_steps)
    tokens = np.full((batch, num_steps), pad, dtype=np.int64)
    log_prob = np.zeros(batch)
    done = np.zeros(batch, dtype=bool)
    token = np.full(batch, start, dtype=np.int64)
    for t in range(num_steps):
        log_p, state = _call(step, token, state, batch, max(start, end, pad))
        token = log_p.argmax(axis=-1)
        log_prob = np.where(done, log_prob, log_prob + log_p[np.arange(batch), token])
        token = np.where(done, pad, token)
        tokens[:, t] = token
        done |= token == end
        if done.all():
            break
    return tokens, log_prob


def beam_search(step, state, *, width, start, end, num_steps, pad=0, length_penalty=0):
    """Beam search: the ``width`` best sequences kept at every step (chapter 08).

    At each step every kept sequence that has not ended is extended by every
    token, a sequence that has ended is kept as it is, and the ``width``
    candidates with the best scores stay; after ``num_steps`` (or once all
    kept sequences have ended) they are returned, best first, as ``Beams``.
    A candidate's score is its log-probability divided by ``length **
    length_penalty``, its length counting its tokens up to and including
    ``end``: ``length_penalty=0`` ranks by probability alone, which favours
    short answers; 1 ranks by log-probability per token. Width 1 is greedy
    decoding; a width of at least ``vocab ** num_steps`` never drops a
    candidate, so it finds the best sequence of at most ``num_steps`` tokens.

    ``step``, ``state``: the decoder (see the module's docstring), ``state``
    with one row per sequence to decode: ``step`` is called on
    ``batch * width`` rows.
    """
    state, batch = _state(state)
    start, end, pad, num_steps = _tokens_and_steps(start, end, pad, num_steps)
    width = checks.integer(width, "width", minimum=1)
    length_penalty = checks.number(length_penalty, "length_penalty", minimum=0)
    rows = np.arange(batch)[:, None]
    # Each row's beam starts as `width` copies of the empty sequence, all but
    # one of them at log-probability -inf: only the first is extended.
    state = tuple(np.repeat(s, width, axis=0) for s in state)
    log_prob = np.full((batch, width), -np.inf)
    log_prob[:, 0] = 0.0
    length = np.zeros((batch, width))
    done = np.zeros((batch, width), dtype=bool)
    tokens = np.full((batch, width, num_steps), pad, dtype=np.int64)
    token = np.full(batch * width, start, dtype=np.int64)
    for t in range(num_steps):
        log_p, state = _call(step, token, state, batch * width, max(start, end, pad))
        vocab = log_p.shape[1]
        # Candidates (batch, width, vocab): a kept sequence extended by each
        # token; an ended one stays as it is, once (in column 0).
        candidate = log_prob[..., None] + log_p.reshape(batch, width, vocab)
        candidate[done] = -np.inf
        candidate[done, 0] = log_prob[done]
        candidate_length = np.where(done, length, t + 1)[..., None]
        score = _score(candidate, candidate_length, length_penalty)
        # The `width` best of each row; ties go to the earlier beam and the
        # smaller token id, as argmax does.
        order = np.argsort(-score.reshape(batch, -1), axis=1, kind="stable")
        best = order[:, :width]
        parent, chosen = best // vocab, best % vocab
        log_prob = candidate.reshape(batch, -1)[rows, best]
        was_done = done[rows, parent]
        length = np.where(was_done, length[rows, parent], t + 1)
        chosen = np.where(was_done, pad, chosen)
        tokens = tokens[rows, parent]
        tokens[:, :, t] = chosen
        done = was_done | (chosen == end)
        state = tuple(s[(rows * width + parent).ravel()] for s in state)
        token = chosen.ravel()
        if np.all(done | np.isneginf(log_prob)):
            break
    scores = _score(log_prob, length, length_penalty)
    order = np.argsort(-scores, axis=1, kind="stable")
    return Beams(tokens[rows, order], log_prob[rows, order], scores[rows, order])


def sequence_log_prob(step, state, tokens, *, start, end):
    """The log-probability the decoder gives each row of ``tokens`` (chapter 08).

    ``tokens``: ``(batch, num_steps)`` ids; the decoder reads ``start`` and
    then the tokens themselves (teacher forcing), and the log-probabilities
    of the tokens up to and including each row's first ``end`` are summed
    (all of them in a row without ``end``). Returns ``(batch,)``.
    """
    state, batch = _state(state)
    tokens = checks.array(tokens, "tokens", kind="integer", shape=(batch, "num_steps"))
    start = checks.integer(start, "start", minimum=0)
    end = checks.integer(end, "end", minimum=0)
    top_id = max(start, end, int(tokens.max()))
    if tokens.min() < 0:
        raise ValueError(f"tokens must be ids of at least 0, got {tokens.min()}")
    total = np.zeros(batch)
    done = np.zeros(batch, dtype=bool)
    token = np.full(batch, start, dtype=np.int64)
    for t in range(tokens.shape[1]):
        log_p, state = _call(step, token, state, batch, top_id)
        token = tokens[:, t].astype(np.int64)
        total = np.where(done, total, total + log_p[np.arange(batch), token])
        done |= token == end
        if done.all():
            break
    return total


def _score(log_prob, length, length_penalty):
    """Log-probability divided by ``length ** length_penalty`` (-inf stays -inf)."""
    if length_penalty == 0:
        return log_prob
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(
            np.isneginf(log_prob),
            -np.inf,
            log_prob / np.maximum(length, 1) ** length_penalty,
        )


def _state(state):
    """The state as a tuple of arrays with the same number of rows, and that number."""
    parts = state if isinstance(state, (tuple, list)) else (state,)
    if not parts:
        raise ValueError(
            "state must be an array or a non-empty tuple of arrays, got ()"
        )
    parts = tuple(np.asarray(s) for s in parts)
    sizes = [s.shape[0] if s.ndim else None for s in parts]
    if None in sizes or len(set(sizes)) != 1 or sizes[0] == 0:
        shapes = [s.shape for s in parts]
        raise ValueError(
            "state must be arrays with one row per sequence (the same number of "
            f"rows, at least one), got shapes {shapes}"
        )
    return parts, sizes[0]


def _tokens_and_steps(start, end, pad, num_steps):
    """The token ids and the number of steps, checked."""
    return (
        checks.integer(start, "start", minimum=0),
        checks.integer(end, "end", minimum=0),
        checks.integer(pad, "pad", minimum=0),
        checks.integer(num_steps, "num_steps", minimum=1),
    )


def _call(step, token, state, rows, top_id):
    """One call of ``step``, its answer checked: ``(log_probs, state)``."""
    answer = step(token, state if len(state) > 1 else state[0])
    if not isinstance(answer, (tuple, list)) or len(answer) != 2:
        raise ValueError(
            "step must return (log_probs, state), got " + checks.shown(answer)
        )
    log_p = np.asarray(answer[0], dtype=np.float64)
    if log_p.ndim != 2 or log_p.shape[0] != rows or log_p.shape[1] <= top_id:
        raise ValueError(
            f"step must return log_probs of shape ({rows}, vocab) with vocab above "
            f"every token id ({top_id}), got shape {log_p.shape}"
        )
    if np.isnan(log_p).any() or (log_p > 1e-9).any():
        raise ValueError(
            "step must return log-probabilities (at most 0, no NaN), got values up "
            f"to {np.nanmax(log_p):.3g}" + (" and NaN" if np.isnan(log_p).any() else "")
        )
    new_state, _ = _state(answer[1])
    if len(new_state) != len(state) or any(len(s) != rows for s in new_state):
        raise ValueError(
            f"step must return a state like the one it was given ({len(state)} "
            f"arrays of {rows} rows), got shapes {[s.shape for s in new_state]}"
        )
    return log_p, new_state
