"""rh.checks: every check accepts what it promises and words every refusal alike."""

import fractions

import numpy as np
import pytest

from rnn_helpers import checks

# ----------------------------------------------------------------------
# integer


@pytest.mark.parametrize("value", [1, 7, np.int64(3), np.uint8(200)])
def test_integer_returns_a_python_int(value):
    result = checks.integer(value, "n", minimum=1)
    assert result == value and type(result) is int


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (True, r"True \(a bool\)"),
        (np.True_, r"True \(a bool\)"),
        (2.0, "2.0"),
        ("3", "'3'"),
        (None, "None"),
        (np.array(3), r"an array of shape \(\) and dtype int64"),
        ([3], r"\[3\] \(a list\)"),
    ],
)
def test_integer_refuses_what_is_not_an_integer(value, shown):
    with pytest.raises(
        ValueError, match=f"^epochs must be a positive integer, got {shown}$"
    ):
        checks.integer(value, "epochs", minimum=1)


@pytest.mark.parametrize(
    ("kwargs", "value", "message"),
    [
        (dict(minimum=1), 0, "n must be a positive integer, got 0"),
        (dict(minimum=0), -1, "n must be a non-negative integer, got -1"),
        (dict(minimum=2), 1, "n must be an integer >= 2, got 1"),
        (dict(maximum=5), 6, "n must be an integer <= 5, got 6"),
        (dict(minimum=1, maximum=5), 9, r"n must be an integer in \[1, 5\], got 9"),
    ],
)
def test_integer_refuses_values_out_of_range(kwargs, value, message):
    with pytest.raises(ValueError, match=f"^{message}$"):
        checks.integer(value, "n", **kwargs)


def test_integer_accepts_its_bounds():
    assert checks.integer(1, "n", minimum=1, maximum=1) == 1
    assert checks.integer(-4, "n") == -4


# ----------------------------------------------------------------------
# number


@pytest.mark.parametrize(
    "value", [0.5, 2, np.float32(0.25), np.int16(3), fractions.Fraction(1, 4)]
)
def test_number_returns_a_python_float(value):
    result = checks.number(value, "lr", above=0)
    assert result == float(value) and type(result) is float


@pytest.mark.parametrize(
    "value", [True, "0.1", None, np.array([0.1]), np.array(0.1), 1j, [0.1]]
)
def test_number_refuses_bools_strings_arrays_and_complex(value):
    with pytest.raises(ValueError, match="^lr must be a positive number, got "):
        checks.number(value, "lr", above=0)


@pytest.mark.parametrize("value", [0, -1e-9, np.nan, np.inf])
def test_number_refuses_a_positive_rate_out_of_range(value):
    with pytest.raises(ValueError, match=f"^lr must be a positive number, got {value}"):
        checks.number(value, "lr", above=0)


@pytest.mark.parametrize(
    ("kwargs", "value", "what"),
    [
        (dict(minimum=0, below=1), 1, r"a number in \[0, 1\)"),
        (dict(above=0, maximum=1), 0, r"a number in \(0, 1\]"),
        (dict(minimum=0), -0.5, "a number >= 0"),
        (dict(below=3), 3, "a number < 3"),
        (dict(maximum=3), 3.5, "a number <= 3"),
        (dict(), np.inf, "a finite number"),
        (dict(minimum=0, maximum=1), np.nan, r"a number in \[0, 1\]"),
    ],
)
def test_number_states_its_range(kwargs, value, what):
    with pytest.raises(ValueError, match=f"^p must be {what}, got "):
        checks.number(value, "p", **kwargs)


def test_number_accepts_inclusive_bounds_and_refuses_strict_ones():
    assert checks.number(0, "p", minimum=0, maximum=1) == 0.0
    assert checks.number(1, "p", minimum=0, maximum=1) == 1.0
    with pytest.raises(ValueError):
        checks.number(0, "p", above=0, below=1)
    with pytest.raises(ValueError):
        checks.number(1, "p", above=0, below=1)


# ----------------------------------------------------------------------
# array


def test_array_returns_the_array_and_casts_on_request():
    X = np.arange(6.0).reshape(2, 3)
    assert checks.array(X, "X", shape=("n", 3)) is X
    as32 = checks.array([[1, 2]], "X", ndim=2, dtype=np.float32)
    assert as32.dtype == np.float32 and as32.shape == (1, 2)


@pytest.mark.parametrize(
    ("value", "kwargs", "message"),
    [
        (
            np.zeros((2, 4)),
            dict(shape=("batch", "steps", 4)),
            r"X must have shape \(batch, steps, 4\), got \(2, 4\)",
        ),
        (
            np.zeros((2, 3, 5)),
            dict(shape=("batch", None, 4)),
            r"X must have shape \(batch, any, 4\), got \(2, 3, 5\)",
        ),
        (np.zeros(3), dict(shape=(4,)), r"X must have shape \(4,\), got \(3,\)"),
        (np.zeros((2, 3)), dict(ndim=3), r"X must be a 3-d array, got shape \(2, 3\)"),
        (np.zeros((0, 3)), dict(), r"at least one entry along every axis.*\(0, 3\)"),
        (np.zeros((2, 3), bool), dict(), "X must hold real numbers, got dtype bool"),
        (np.zeros(2, complex), dict(), "X must hold real numbers, got dtype complex"),
        (np.full(2, "a"), dict(), "X must hold real numbers, got dtype <U1"),
        (
            np.zeros(2, np.int8),
            dict(kind="float"),
            "X must hold floats, got dtype int8",
        ),
        (np.zeros(2), dict(kind="integer"), "X must hold integers, got dtype float64"),
        (
            np.array([1.0, np.nan, np.inf]),
            dict(),
            r"X contains NaN or infinite values \(2 of 3 entries\)",
        ),
        (None, dict(), "X must be an array, got None"),
        (
            [[1], [1, 2]],
            dict(),
            r"X must be an array of numbers, got \[\[1\], \[1, 2\]\]",
        ),
    ],
)
def test_array_refusals_name_the_argument_and_what_came(value, kwargs, message):
    with pytest.raises(ValueError, match=message):
        checks.array(value, "X", **kwargs)


def test_array_lets_the_caller_allow_empty_non_finite_or_any_dtype():
    assert checks.array(np.zeros((0, 3)), "X", empty=True).shape == (0, 3)
    assert np.isnan(checks.array([np.nan], "X", finite=False)[0])
    assert checks.array(np.zeros(2, complex), "X", kind=None).dtype == complex
    assert (
        checks.array(np.array([1, 2], np.uint8), "y", kind="integer").dtype == np.uint8
    )


def test_array_refuses_an_unknown_kind():
    with pytest.raises(ValueError, match="kind must be one of"):
        checks.array([1.0], "X", kind="number")


# ----------------------------------------------------------------------
# choice and string


def test_choice_returns_a_known_value():
    assert checks.choice("tanh", "activation", ("tanh", "relu")) == "tanh"
    assert checks.choice("relu", "activation", {"tanh": 0, "relu": 1}) == "relu"


@pytest.mark.parametrize("value", ["softplus", None, ["tanh"], 3])
def test_choice_lists_the_choices_and_what_came(value):
    message = r"^activation must be one of 'tanh', 'relu'; got "
    with pytest.raises(ValueError, match=message):
        checks.choice(value, "activation", {"tanh": 0, "relu": 1})


def test_choice_refuses_a_bool_that_equals_an_integer_choice():
    assert checks.choice(1, "k", (1, 2)) == 1
    with pytest.raises(ValueError, match=r"k must be one of 1, 2; got True \(a bool\)"):
        checks.choice(True, "k", (1, 2))
    assert checks.choice(True, "flag", (True, False)) is True


def test_string_refuses_blank_and_non_strings_unless_blank_is_allowed():
    assert checks.string("ab", "name") == "ab"
    assert checks.string("", "name", empty=True) == ""
    for value in ("", "  ", None, 3):
        with pytest.raises(ValueError, match="^name must be a non-empty string, got "):
            checks.string(value, "name")
    with pytest.raises(ValueError, match=r"^name must be a string, got 3$"):
        checks.string(3, "name", empty=True)


def test_long_values_are_cut_short_in_messages():
    with pytest.raises(ValueError) as info:
        checks.integer("x" * 500, "n")
    assert len(str(info.value)) < 100 and "..." in str(info.value)


# ----------------------------------------------------------------------
# seeds and initial states


@pytest.mark.parametrize("seed", [0, 7, np.int64(7), (7, 1), [7, 1]])
def test_rng_draws_what_numpy_draws_from_the_same_seed(seed):
    expected = np.random.default_rng(seed).standard_normal(3)
    np.testing.assert_array_equal(checks.rng(seed).standard_normal(3), expected)


def test_rng_hands_a_generator_back_as_it_is():
    generator = np.random.default_rng(0)
    assert checks.rng(generator) is generator
    assert isinstance(checks.rng(None), np.random.Generator)


@pytest.mark.parametrize("seed", [True, -1, 1.5, "1", (), (1, True), [1.0], {1: 2}])
def test_rng_refuses_seeds_that_are_not_non_negative_integers(seed):
    with pytest.raises(
        ValueError, match="^seed must be a non-negative integer, a tuple"
    ):
        checks.rng(seed)


def test_state_gives_zeros_broadcasts_a_row_and_casts():
    np.testing.assert_array_equal(checks.state(None, "h0", batch=2, state_size=3), 0)
    assert checks.state(None, "h0", batch=2, state_size=3).shape == (2, 3)
    row = np.array([1.0, 2.0, 3.0])
    shared = checks.state(row, "h0", batch=2, state_size=3, dtype=np.float32)
    assert shared.shape == (2, 3) and shared.dtype == np.float32
    np.testing.assert_array_equal(shared, [row, row])
    shared[0, 0] = 9.0  # a writable copy, not a view of the row
    assert row[0] == 1.0


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (np.zeros((3, 3)), r"h0 must have shape \(2, 3\) or \(3,\), got \(3, 3\)"),
        (np.zeros(4), r"h0 must have shape \(2, 3\) or \(3,\), got \(4,\)"),
        (np.array([0.0, np.nan, 0.0]), "h0 contains NaN or infinite values"),
        (np.array([0.0, np.inf, 0.0]), "h0 contains NaN or infinite values"),
        (np.zeros(3, complex), "h0 must hold real numbers"),
    ],
)
def test_state_refuses_wrong_shapes_and_values(value, message):
    with pytest.raises(ValueError, match=message):
        checks.state(value, "h0", batch=2, state_size=3)
