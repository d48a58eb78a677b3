"""rh.rnn.linear_recurrence and its forms, the scan, the hand gradient, errors."""

import numpy as np
import pytest

import rnn_helpers as rh


def _ab(batch=3, num_steps=20, state=4, seed=0, low=0.2):
    rng = np.random.default_rng(seed)
    a = rng.uniform(low, 1.0, (batch, num_steps, state))
    b = rng.uniform(0.1, 1.0, (batch, num_steps, state))
    h0 = rng.uniform(0.1, 1.0, (batch, state))
    return a, b, h0


def test_loop_follows_the_recurrence_one_step_at_a_time():
    a, b, h0 = _ab()
    H = rh.rnn.linear_recurrence(a, b, h0)
    h = h0
    for t in range(a.shape[1]):
        h = a[:, t] * h + b[:, t]
        np.testing.assert_allclose(H[:, t], h, rtol=0, atol=1e-15)


@pytest.mark.parametrize("method", ["scan", "cumprod", "log"])
@pytest.mark.parametrize("num_steps", [1, 2, 3, 8, 31, 200])
def test_every_method_equals_the_loop_in_float64(method, num_steps):
    a, b, h0 = _ab(num_steps=num_steps, seed=num_steps)
    loop = rh.rnn.linear_recurrence(a, b, h0)
    H = rh.rnn.linear_recurrence(a, b, h0, method=method)
    np.testing.assert_allclose(H, loop, rtol=1e-12, atol=0)
    no_h0 = rh.rnn.linear_recurrence(a, b, method=method)
    np.testing.assert_allclose(no_h0, rh.rnn.linear_recurrence(a, b), rtol=1e-12)


def test_scan_accepts_negative_coefficients_and_inputs():
    rng = np.random.default_rng(3)
    a, b = rng.standard_normal((2, 2, 50, 3))
    np.testing.assert_allclose(
        rh.rnn.linear_recurrence(a, b, method="scan"),
        rh.rnn.linear_recurrence(a, b),
        rtol=1e-9,
        atol=1e-12,
    )


def test_closed_form_breaks_down_where_the_log_form_does_not():
    a, b, h0 = _ab(num_steps=3000, low=0.5)
    a[:] = 0.6  # 0.6 ** 3000 underflows: the running product reaches 0
    loop = rh.rnn.linear_recurrence(a, b, h0)
    closed = rh.rnn.linear_recurrence(a, b, h0, method="cumprod")
    assert not np.isfinite(closed[:, -1]).any()
    np.testing.assert_allclose(
        rh.rnn.linear_recurrence(a, b, h0, method="log"), loop, rtol=1e-11
    )


def test_combine_is_associative_and_composes_two_steps():
    rng = np.random.default_rng(4)
    s1, s2, s3 = (tuple(rng.standard_normal((2, 5))) for _ in range(3))
    left = rh.rnn.combine(rh.rnn.combine(s1, s2), s3)
    right = rh.rnn.combine(s1, rh.rnn.combine(s2, s3))
    np.testing.assert_allclose(left, right, rtol=1e-12)
    h = rng.standard_normal(5)
    a, b = rh.rnn.combine(s1, s2)
    np.testing.assert_allclose(a * h + b, s2[0] * (s1[0] * h + s1[1]) + s2[1])


def test_hillis_steele_takes_ceil_log2_rounds_of_independent_pairs():
    rounds = rh.rnn.scan_rounds(10)
    assert [d for d, _ in rounds] == [1, 2, 4, 8]
    assert rounds[0][1][0] == (1, 2) and rounds[-1][1] == [(1, 9), (2, 10)]
    targets = [t for _, pairs in rounds for _, t in pairs]
    for _, pairs in rounds:  # within a round, every target is written once
        assert len({t for _, t in pairs}) == len(pairs)
    assert len(targets) == sum(10 - d for d in (1, 2, 4, 8))
    assert rh.rnn.scan_rounds(1) == []


def test_hillis_steele_returns_the_running_products_too():
    a, b, _ = _ab(num_steps=13)
    A, B = rh.rnn.hillis_steele(a, b)
    np.testing.assert_allclose(A, np.cumprod(a, axis=1), rtol=1e-12)
    np.testing.assert_allclose(B, rh.rnn.linear_recurrence(a, b), rtol=1e-12)


def test_log_form_from_logarithms_takes_a_zero_initial_state():
    a, b, h0 = _ab()
    H = rh.rnn.linear_recurrence_log(np.log(a), np.log(b), np.full(4, -np.inf))
    np.testing.assert_allclose(H, rh.rnn.linear_recurrence(a, b), rtol=1e-12)
    H = rh.rnn.linear_recurrence_log(np.log(a), np.log(b), np.log(h0))
    np.testing.assert_allclose(H, rh.rnn.linear_recurrence(a, b, h0), rtol=1e-12)


def test_sequential_depth_counts_steps_and_work():
    assert rh.rnn.sequential_depth(1024, "loop") == (1024, 2048)
    depth, work = rh.rnn.sequential_depth(1024, "scan")
    assert depth == 10 and work == 3 * sum(1024 - 2**k for k in range(10))
    assert rh.rnn.sequential_depth(1024, "blelloch") == (20, 6 * 1023)
    depth, _ = rh.rnn.sequential_depth(1024, "chunked", chunk=32)
    assert depth == 32 + 32 + 1


# ----------------------------------------------------------------------
# the gradient, by hand


def _loss_and_grads(a, b, h0, w, method="loop"):
    H = rh.rnn.linear_recurrence(a, b, h0)
    da, db, dh0 = rh.rnn.linear_recurrence_backward(a, H, w, h0, method=method)
    return float(np.sum(w * H)), {"a": da, "b": db, "h0": dh0}


@pytest.mark.parametrize("method", ["loop", "scan"])
def test_backward_matches_finite_differences(method):
    a, b, h0 = _ab(batch=2, num_steps=9, state=3, seed=5)
    w = np.random.default_rng(6).standard_normal(a.shape)  # dL/dh_t, directly
    _, grads = _loss_and_grads(a, b, h0, w, method)
    params = {"a": a, "b": b, "h0": h0}

    def loss():
        return float(np.sum(w * rh.rnn.linear_recurrence(a, b, h0)))

    assert rh.gradcheck.check_gradient(loss, params, grads) < 1e-7


def test_backward_is_the_recurrence_run_backwards():
    a, b, h0 = _ab(batch=1, num_steps=5, state=1)
    w = np.ones_like(a)
    _, grads = _loss_and_grads(a, b, h0, w)
    g = np.zeros(5)  # g_t = w_t + a_{t+1} g_{t+1}, from the end
    for t in reversed(range(5)):
        g[t] = 1.0 + (a[0, t + 1, 0] * g[t + 1] if t < 4 else 0.0)
    np.testing.assert_allclose(grads["b"][0, :, 0], g, rtol=1e-14)


# ----------------------------------------------------------------------
# bad inputs


def test_linear_recurrence_rejects_mismatched_shapes():
    a, b, h0 = _ab()
    with pytest.raises(ValueError, match=r"b must have the shape of a"):
        rh.rnn.linear_recurrence(a, b[:, :-1])
    with pytest.raises(ValueError, match=r"a must have shape \(batch, num_steps"):
        rh.rnn.linear_recurrence(a[0], b[0])
    with pytest.raises(ValueError, match=r"h0 must have shape \(3, 4\)"):
        rh.rnn.linear_recurrence(a, b, h0[:, :2])


def test_linear_recurrence_rejects_an_unknown_method():
    a, b, _ = _ab()
    with pytest.raises(ValueError, match="method must be one of"):
        rh.rnn.linear_recurrence(a, b, method="parallel")


@pytest.mark.parametrize("which", ["a", "b", "h0"])
def test_log_method_rejects_values_without_a_real_logarithm(which):
    a, b, h0 = _ab()
    values = {"a": a, "b": b, "h0": h0}
    values[which] = -values[which] if which == "h0" else values[which] * 0.0
    with pytest.raises(ValueError, match=r'method="log" .*needs a > 0 and b > 0'):
        rh.rnn.linear_recurrence(**values, method="log")


def test_linear_recurrence_rejects_nan():
    a, b, _ = _ab()
    a[0, 0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        rh.rnn.linear_recurrence(a, b)


def test_log_form_rejects_bad_logarithms():
    a, b, _ = _ab()
    with pytest.raises(ValueError, match="log_b must have the shape of log_a"):
        rh.rnn.linear_recurrence_log(np.log(a), np.log(b)[:, 1:])
    with pytest.raises(ValueError, match="log_b must be below"):
        rh.rnn.linear_recurrence_log(np.log(a), np.full(a.shape, np.inf))
    with pytest.raises(ValueError, match=r"log_h0 must have shape"):
        rh.rnn.linear_recurrence_log(np.log(a), np.log(b), np.zeros(7))


def test_backward_rejects_a_gradient_of_another_shape():
    a, b, _ = _ab()
    H = rh.rnn.linear_recurrence(a, b)
    with pytest.raises(ValueError, match="dH must have the shape of a"):
        rh.rnn.linear_recurrence_backward(a, H, np.ones((3, 4)))
    with pytest.raises(ValueError, match="method must be one of 'loop', 'scan'"):
        rh.rnn.linear_recurrence_backward(a, H, np.ones_like(a), method="log")


def test_scan_rounds_and_depth_reject_bad_lengths():
    with pytest.raises(ValueError, match="num_steps must be a positive integer"):
        rh.rnn.scan_rounds(0)
    with pytest.raises(ValueError, match="method must be one of"):
        rh.rnn.sequential_depth(8, "log")
