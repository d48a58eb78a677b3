"""rh.gradcheck: central differences and the relative-error check."""

import numpy as np
import pytest

import rnn_helpers as rh


def _quadratic_problem(seed=0):
    """``f = sum(tanh(x @ A) * c)`` with its exact gradients for ``A`` and ``c``."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((5, 4))
    A = rng.standard_normal((4, 3))
    c = rng.standard_normal((5, 3))

    def f():
        return np.sum(np.tanh(x @ A) * c)

    def grads():
        t = np.tanh(x @ A)
        return {"A": x.T @ ((1 - t**2) * c), "c": t}

    return f, {"A": A, "c": c}, grads()


def test_relative_error_is_zero_when_both_are_zero():
    err = rh.gradcheck.relative_error(np.array([0.0, 1.0]), np.array([0.0, 1.0]))
    np.testing.assert_array_equal(err, [0.0, 0.0])


def test_numerical_gradient_matches_an_exact_gradient():
    f, params, grads = _quadratic_problem()
    numeric = rh.gradcheck.numerical_gradient(f, params["A"])
    np.testing.assert_allclose(numeric, grads["A"], rtol=1e-7, atol=1e-9)


def test_check_gradient_accepts_correct_gradients():
    f, params, grads = _quadratic_problem()
    assert rh.gradcheck.check_gradient(f, params, grads) < 1e-7
    as_lists = rh.gradcheck.check_gradient(
        f, [params["A"], params["c"]], [grads["A"], grads["c"]]
    )
    assert as_lists < 1e-7


def test_check_gradient_catches_a_wrong_gradient():
    f, params, grads = _quadratic_problem()
    grads["A"] = grads["A"].copy()
    grads["A"][2, 1] *= 1.01  # one entry off by 1%
    assert rh.gradcheck.check_gradient(f, params, grads) > 1e-3
    grads["c"] = -grads["c"]  # a sign error
    assert rh.gradcheck.check_gradient(f, params, grads) > 0.5


def test_check_gradient_checks_only_sampled_entries():
    f, params, grads = _quadratic_problem()
    calls = []

    def counting_f():
        calls.append(1)
        return f()

    rh.gradcheck.check_gradient(counting_f, params, grads, max_entries=2, seed=3)
    assert len(calls) == 2 * 2 * 2  # two entries of each of two params, two calls
    # A wrong entry is caught when sampled and missed when not: the sample
    # depends on the seed only.
    grads["A"] = grads["A"].copy()
    grads["A"].reshape(-1)[0] += 1.0
    errors = [
        rh.gradcheck.check_gradient(
            f, {"A": params["A"]}, {"A": grads["A"]}, max_entries=3, seed=seed
        )
        for seed in range(20)
    ]
    assert max(errors) > 0.1 and min(errors) < 1e-7


def test_check_gradient_restores_the_parameters():
    f, params, grads = _quadratic_problem()
    before = {k: v.copy() for k, v in params.items()}
    rh.gradcheck.check_gradient(f, params, grads)
    for k in params:
        np.testing.assert_array_equal(params[k], before[k])


def test_numerical_gradient_restores_the_parameter_when_f_raises():
    p = np.array([1.0, 2.0, 3.0])
    calls = []

    def failing_f():
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("boom")
        return float(np.sum(p))

    with pytest.raises(RuntimeError, match="boom"):
        rh.gradcheck.numerical_gradient(failing_f, p)
    np.testing.assert_array_equal(p, [1.0, 2.0, 3.0])


@pytest.mark.parametrize(
    ("params", "grads", "message"),
    [
        ({"a": np.zeros(2)}, {"b": np.zeros(2)}, "same keys"),
        ({"a": np.zeros(2)}, [np.zeros(2)], "same keys"),
        ([np.zeros(2)], [np.zeros(2), np.zeros(2)], "1 params but 2 gradients"),
        ([np.zeros((2, 3))], [np.zeros((3, 2))], r"shape \(3, 2\), expected"),
    ],
)
def test_check_gradient_rejects_mismatched_params_and_grads(params, grads, message):
    with pytest.raises(ValueError, match=message):
        rh.gradcheck.check_gradient(lambda: 0.0, params, grads)


def test_check_gradient_rejects_non_finite_gradients():
    p = np.array([1.0, 2.0])
    message = r"grads\[0\] contains NaN or infinite values \(1 of 2 entries\)"
    with pytest.raises(ValueError, match=message):
        rh.gradcheck.check_gradient(lambda: np.sum(p**2), [p], [np.array([np.nan, 4])])


def test_check_gradient_refuses_complex_gradients_before_touching_a_parameter():
    p = np.array([1.0, 2.0])
    calls = []

    def f():
        calls.append(1)
        return np.sum(p**2)

    grads = {"W": np.array([2.0 + 1e-3j, 4.0])}
    with pytest.raises(ValueError, match=r"grads\['W'\] must hold real numbers"):
        rh.gradcheck.check_gradient(f, {"W": p}, grads)
    assert calls == []


@pytest.mark.parametrize(
    ("params", "grads"),
    [
        ([], []),
        ({}, {}),
        ([np.zeros(0)], [np.zeros(0)]),
        ({"a": np.zeros((0, 3)), "b": np.zeros(0)}, {"a": np.zeros((0, 3)), "b": []}),
    ],
)
def test_check_gradient_refuses_to_pass_having_checked_nothing(params, grads):
    with pytest.raises(ValueError, match="nothing to check.*would pass"):
        rh.gradcheck.check_gradient(lambda: 0.0, params, grads)


def test_check_gradient_checks_the_non_empty_parameters_beside_empty_ones():
    p, empty = np.array([1.0, 2.0]), np.zeros(0)
    error = rh.gradcheck.check_gradient(
        lambda: np.sum(p**2), [p, empty], [2 * p, np.zeros(0)]
    )
    assert error < 1e-9
    wrong = rh.gradcheck.check_gradient(
        lambda: np.sum(p**2), [p, empty], [3 * p, np.zeros(0)]
    )
    assert wrong > 0.1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(f=None), "f must be a function of no arguments, got None"),
        (dict(eps=0), "eps must be a positive number, got 0"),
        (dict(eps=True), r"eps must be a positive number, got True \(a bool\)"),
        (dict(eps=np.array([1e-5])), "eps must be a positive number, got an array"),
    ],
)
def test_check_gradient_rejects_bad_f_and_eps(kwargs, message):
    p = np.ones(2)
    args = dict(f=lambda: np.sum(p), params=[p], grads=[np.ones(2)]) | kwargs
    with pytest.raises(ValueError, match=message):
        rh.gradcheck.check_gradient(**args)


def test_numerical_gradient_rejects_a_loss_that_is_not_finite_nearby():
    p = np.array([1.0, 2.0])
    with pytest.raises(FloatingPointError, match="not finite next to entry"):
        with np.errstate(invalid="ignore"):
            rh.gradcheck.check_gradient(
                lambda: np.sum(np.sqrt(p - 1.0)), [p], [0.5 / np.sqrt(p + 1.0)]
            )
    np.testing.assert_array_equal(p, [1.0, 2.0])


@pytest.mark.parametrize("max_entries", [0, -1, 1.5, True])
def test_check_gradient_rejects_bad_max_entries(max_entries):
    p = np.ones(3)
    with pytest.raises(ValueError, match="max_entries must be a positive integer"):
        rh.gradcheck.check_gradient(
            lambda: np.sum(p), [p], [np.ones(3)], max_entries=max_entries
        )


@pytest.mark.parametrize(
    ("param", "message"),
    [
        ([1.0, 2.0], "float NumPy array, got list"),
        (np.array([1, 2]), "of dtype int64"),
        (np.ones((3, 4))[:, ::2], "C-contiguous"),
    ],
)
def test_numerical_gradient_rejects_parameters_it_cannot_change(param, message):
    with pytest.raises(ValueError, match=message):
        rh.gradcheck.numerical_gradient(lambda: 0.0, param)
    with pytest.raises(ValueError, match=message):
        rh.gradcheck.check_gradient(
            lambda: 0.0, [param], [np.zeros(np.shape(param))], max_entries=1
        )


@pytest.mark.parametrize("eps", [0.0, -1e-5, np.nan, True, "1e-5"])
def test_numerical_gradient_rejects_bad_eps(eps):
    with pytest.raises(ValueError, match="eps must be a positive number"):
        rh.gradcheck.numerical_gradient(lambda: 0.0, np.ones(2), eps=eps)


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ([0, 3], r"entries must be flat indices in \[0, 3\), got values in \[0, 3\]"),
        ([-1], r"entries must be flat indices in \[0, 3\)"),
        ([0.5], "entries must hold integers"),
        ([[0]], "entries must be a 1-d array"),
    ],
)
def test_numerical_gradient_rejects_entries_outside_the_parameter(entries, message):
    p = np.ones(3)
    with pytest.raises(ValueError, match=message):
        rh.gradcheck.numerical_gradient(lambda: np.sum(p), p, entries=entries)
    np.testing.assert_array_equal(p, np.ones(3))


@pytest.mark.parametrize(
    ("loss", "shown"),
    [
        (lambda p: p * 2, r"an array of shape \(3,\)"),
        (lambda p: complex(p.sum()), r"\(3\.00001\+0j\)"),
        (lambda p: "3.0", "'3.0'"),
    ],
)
def test_numerical_gradient_needs_one_real_number_and_restores_the_parameter(
    loss, shown
):
    p = np.ones(3)
    with pytest.raises(
        ValueError, match=f"f\\(\\) must return one real number, got {shown}"
    ):
        rh.gradcheck.numerical_gradient(lambda: loss(p), p)
    np.testing.assert_array_equal(p, np.ones(3))


def test_numerical_gradient_accepts_an_empty_list_of_entries():
    p = np.ones(2)
    grad = rh.gradcheck.numerical_gradient(lambda: np.sum(p), p, entries=[])
    assert np.isnan(grad).all()
