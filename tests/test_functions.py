"""rnn_helpers.functions: activations, softmax, losses, derivatives, clipping."""

import numpy as np
import pytest

import rnn_helpers as rh

F = rh.functions

EXTREME = np.array([-1000.0, -50.0, -1.0, 0.0, 1.0, 50.0, 1000.0])


def no_overflow():
    """Turn overflow, division by zero and invalid results into errors.

    Underflow stays allowed: ``exp(-2000)`` rounding to 0 is the right answer.
    """
    return np.errstate(over="raise", divide="raise", invalid="raise")


def finite_difference(f, z, eps=1e-6):
    """Central difference of an elementwise function ``f`` at every entry of ``z``."""
    return (f(z + eps) - f(z - eps)) / (2 * eps)


@pytest.fixture
def logits():
    # Unit-scale logits keep every p - y entry well above the finite-difference
    # noise (about 1e-11), so relative errors measure the formula, not rounding.
    return np.random.default_rng(0).normal(size=(5, 6))


# --------------------------------------------------------------------------
# activations


def test_sigmoid_matches_its_definition():
    z = np.linspace(-10, 10, 41)
    np.testing.assert_allclose(F.sigmoid(z), 1 / (1 + np.exp(-z)), rtol=1e-12)
    assert F.sigmoid(0.0) == 0.5


def test_sigmoid_can_write_into_its_input():
    z = np.linspace(-10, 10, 41)
    expected = F.sigmoid(z)
    result = F.sigmoid(z, out=z)
    assert result is z
    np.testing.assert_array_equal(z, expected)


@pytest.mark.filterwarnings("error")
def test_sigmoid_and_derivative_do_not_overflow_at_plus_minus_1000():
    # scipy's expit never even underflows, so every floating-point flag raises.
    with np.errstate(all="raise"):
        s = F.sigmoid(EXTREME)
        ds = F.sigmoid_prime(EXTREME)
    assert np.all(np.isfinite(s)) and np.all(np.isfinite(ds))
    assert s[0] == 0.0 and s[-1] == 1.0
    assert ds[0] == 0.0 and ds[-1] == 0.0


def test_sigmoid_prime_is_at_most_a_quarter():
    z = np.linspace(-20, 20, 401)
    assert F.sigmoid_prime(z).max() == pytest.approx(0.25)
    assert F.sigmoid_prime(0.0) == pytest.approx(0.25)


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "identity"])
def test_derivative_matches_finite_differences(name):
    act = F.activation(name)
    # Avoid ReLU's kink at 0, where the derivative is not defined.
    z = np.random.default_rng(1).uniform(-4, 4, size=50)
    z = z[np.abs(z) > 1e-3]
    np.testing.assert_allclose(
        act.derivative(z), finite_difference(act.f, z), atol=1e-8
    )


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "identity"])
def test_derivative_from_the_output_is_the_derivative_at_the_input(name):
    act = F.activation(name)
    z = np.linspace(-3, 3, 13) + 0.01  # no z exactly at ReLU's kink
    h = act.f(z)
    from_output = np.ones_like(h) if act.from_output is None else act.from_output(h)
    np.testing.assert_allclose(from_output, act.derivative(z), rtol=1e-12)


def test_sigmoid_prime_is_the_tables_sigmoid_derivative():
    z = np.linspace(-6, 6, 25)
    np.testing.assert_array_equal(
        F.sigmoid_prime(z), F.ACTIVATIONS["sigmoid"].derivative(z)
    )
    np.testing.assert_allclose(F.sigmoid_prime(z), F.sigmoid(z) * (1 - F.sigmoid(z)))


def test_tanh_relu_identity_values():
    z = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])
    np.testing.assert_allclose(F.tanh(z), np.tanh(z))
    np.testing.assert_array_equal(F.relu(z), [0.0, 0.0, 0.0, 0.5, 2.0])
    relu_derivative = F.activation("relu").derivative(z)
    np.testing.assert_array_equal(relu_derivative, [0.0, 0.0, 0.0, 1.0, 1.0])
    np.testing.assert_array_equal(F.identity(z), z)
    np.testing.assert_array_equal(F.activation("identity").derivative(z), np.ones(5))


def test_activations_keep_shapes_and_return_floats():
    z = np.arange(-3, 3).reshape(2, 3)  # integers
    for name, act in F.ACTIVATIONS.items():
        for out in (act.f(z), act.derivative(z)):
            assert out.shape == (2, 3)
            assert np.issubdtype(out.dtype, np.floating), name


@pytest.mark.filterwarnings("error")
def test_tanh_and_relu_do_not_overflow_at_plus_minus_1000():
    with no_overflow():
        for name in ("tanh", "relu", "identity"):
            act = F.activation(name)
            assert np.all(np.isfinite(act.f(EXTREME)))
            assert np.all(np.isfinite(act.derivative(EXTREME)))


def test_activation_returns_the_table_entry():
    for name in ("sigmoid", "tanh", "relu", "identity"):
        assert F.activation(name) is F.ACTIVATIONS[name]
    assert F.activation("sigmoid").f is F.sigmoid
    assert F.activation("identity").from_output is None


@pytest.mark.parametrize("name", ["softplus", "Sigmoid", "", None, ["tanh"]])
def test_activation_rejects_unknown_names(name):
    message = "activation must be one of 'sigmoid', 'tanh', 'relu', 'identity'; got"
    with pytest.raises(ValueError, match=message):
        F.activation(name)


# --------------------------------------------------------------------------
# softmax and log-softmax


def test_softmax_rows_are_probabilities(logits):
    p = F.softmax(logits)
    assert p.shape == logits.shape
    assert np.all(p > 0)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, atol=1e-12)


def test_softmax_matches_the_naive_formula_for_small_logits(logits):
    naive = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(F.softmax(logits), naive, rtol=1e-12)


def test_softmax_is_unchanged_by_adding_a_constant(logits):
    np.testing.assert_allclose(F.softmax(logits + 123.4), F.softmax(logits), atol=1e-12)


@pytest.mark.filterwarnings("error")
def test_softmax_does_not_overflow_at_plus_minus_1000():
    z = np.array([[1000.0, 0.0, -1000.0], [1000.0, 1000.0, -1000.0], [-1000.0] * 3])
    with no_overflow():
        p = F.softmax(z)
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    np.testing.assert_allclose(p[0], [1.0, 0.0, 0.0])
    np.testing.assert_allclose(p[1], [0.5, 0.5, 0.0])
    np.testing.assert_allclose(p[2], [1 / 3] * 3)


def test_softmax_over_another_axis(logits):
    np.testing.assert_allclose(F.softmax(logits, axis=0), F.softmax(logits.T).T)
    np.testing.assert_allclose(F.softmax(logits, axis=0).sum(axis=0), 1.0)


def test_softmax_of_a_batch_of_sequences_normalises_the_last_axis():
    z = np.random.default_rng(2).normal(size=(3, 4, 5))  # (batch, steps, classes)
    np.testing.assert_allclose(F.softmax(z).sum(axis=-1), np.ones((3, 4)))


def test_log_softmax_equals_log_of_softmax_where_finite(logits):
    np.testing.assert_allclose(
        F.log_softmax(logits), np.log(F.softmax(logits)), atol=1e-12
    )
    z = np.array([[0.0, -1000.0, 5.0], [1000.0, -1000.0, 0.0]])
    with np.errstate(divide="ignore"):  # log(0) = -inf is the point here
        naive = np.log(F.softmax(z))
    with no_overflow():
        stable = F.log_softmax(z)
    assert np.all(np.isfinite(stable))
    finite = np.isfinite(naive)
    assert not finite.all()  # the naive route really does lose entries
    np.testing.assert_allclose(stable[finite], naive[finite], atol=1e-12)
    assert stable[1, 1] == pytest.approx(-2000.0)


# --------------------------------------------------------------------------
# cross-entropy and its gradient


def test_cross_entropy_is_minus_log_probability_of_the_label(logits):
    labels = np.array([0, 5, 2, 2, 1])
    p = F.softmax(logits)
    expected = -np.mean(np.log(p[np.arange(5), labels]))
    assert F.cross_entropy(logits, labels) == pytest.approx(expected, rel=1e-12)


def test_cross_entropy_integer_and_one_hot_labels_agree(logits):
    labels = np.array([0, 5, 2, 2, 1])
    one_hot = np.eye(6)[labels]
    assert F.cross_entropy(logits, labels) == pytest.approx(
        F.cross_entropy(logits, one_hot), rel=1e-12
    )
    np.testing.assert_allclose(
        F.cross_entropy_grad(logits, labels), F.cross_entropy_grad(logits, one_hot)
    )


def test_cross_entropy_accepts_probability_targets(logits):
    targets = F.softmax(np.random.default_rng(3).normal(size=logits.shape))
    expected = -np.mean(np.sum(targets * F.log_softmax(logits), axis=1))
    assert F.cross_entropy(logits, targets) == pytest.approx(expected, rel=1e-12)


def test_cross_entropy_of_a_single_row_and_of_sequences():
    z = np.array([2.0, 1.0, 0.1])
    assert F.cross_entropy(z, 0) == pytest.approx(-np.log(F.softmax(z)[0]))
    Z = np.random.default_rng(4).normal(size=(2, 3, 4))  # (batch, steps, classes)
    y = np.array([[0, 1, 3], [2, 2, 0]])
    flat = F.cross_entropy(Z.reshape(6, 4), y.reshape(6))
    assert F.cross_entropy(Z, y) == pytest.approx(flat, rel=1e-12)


@pytest.mark.filterwarnings("error")
def test_cross_entropy_is_finite_for_extreme_logits():
    z = np.array([[1000.0, -1000.0], [-1000.0, 1000.0]])
    with no_overflow():
        right = F.cross_entropy(z, np.array([0, 1]))
        wrong = F.cross_entropy(z, np.array([1, 0]))
    assert right == pytest.approx(0.0)
    assert wrong == pytest.approx(2000.0)


def test_cross_entropy_ignores_masked_classes_with_zero_target():
    z = np.array([[0.0, -np.inf, 1.0]])
    with no_overflow():
        loss = F.cross_entropy(z, np.array([2]))
    assert loss == pytest.approx(-F.log_softmax(np.array([0.0, 1.0]))[1])


def test_cross_entropy_grad_is_p_minus_y_over_rows(logits):
    labels = np.array([0, 5, 2, 2, 1])
    expected = (F.softmax(logits) - np.eye(6)[labels]) / len(logits)
    np.testing.assert_allclose(F.cross_entropy_grad(logits, labels), expected)


def test_cross_entropy_grad_rows_sum_to_zero(logits):
    grad = F.cross_entropy_grad(logits, np.array([0, 5, 2, 2, 1]))
    np.testing.assert_allclose(grad.sum(axis=1), 0.0, atol=1e-15)


@pytest.mark.parametrize("onehot", [False, True], ids=["integer", "one-hot"])
def test_cross_entropy_grad_matches_finite_differences(logits, onehot):
    labels = np.array([0, 5, 2, 2, 1])
    if onehot:
        labels = np.eye(6)[labels]
    grad = F.cross_entropy_grad(logits, labels)
    error = rh.gradcheck.check_gradient(
        lambda: F.cross_entropy(logits, labels), [logits], [grad]
    )
    assert error < 1e-7


def test_cross_entropy_grad_of_sequences_matches_finite_differences():
    Z = np.random.default_rng(5).normal(size=(2, 3, 4))
    y = np.array([[0, 1, 3], [2, 2, 0]])
    error = rh.gradcheck.check_gradient(
        lambda: F.cross_entropy(Z, y), [Z], [F.cross_entropy_grad(Z, y)]
    )
    assert error < 1e-7


@pytest.mark.parametrize("fn", [F.cross_entropy, F.cross_entropy_grad])
@pytest.mark.parametrize("bad", [np.array([0, 1, 6, 2, 1]), np.array([0, -1, 2, 2, 1])])
def test_cross_entropy_rejects_labels_out_of_range(logits, fn, bad):
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 6\)"):
        fn(logits, bad)


@pytest.mark.parametrize("fn", [F.cross_entropy, F.cross_entropy_grad])
@pytest.mark.parametrize(
    "bad",
    [
        np.array([0, 1, 2]),  # too few labels
        np.array([[0], [1], [2], [2], [1]]),  # a column, not a vector
        np.array([0.0, 1.0, 2.0, 2.0, 1.0]),  # float labels
        np.eye(5),  # one-hot with the wrong number of classes
    ],
    ids=["too-few", "column", "floats", "wrong-classes"],
)
def test_cross_entropy_rejects_labels_of_the_wrong_shape(logits, fn, bad):
    with pytest.raises(ValueError, match=r"do not fit logits of shape \(5, 6\)"):
        fn(logits, bad)


def test_cross_entropy_rejects_targets_that_are_not_distributions(logits):
    # p - y is the gradient only when each target row sums to 1.
    with pytest.raises(ValueError, match="must sum to 1"):
        F.cross_entropy_grad(logits, 2 * np.eye(6)[[0, 1, 2, 3, 4]])
    with pytest.raises(ValueError, match="must sum to 1"):
        F.cross_entropy(np.zeros(3), np.array([0, 1, 2]))  # labels, not targets
    negative = np.eye(6)[[0, 1, 2, 3, 4]] * 2 - np.eye(6)[[1, 2, 3, 4, 5]]
    with pytest.raises(ValueError, match="finite and non-negative"):
        F.cross_entropy(logits, negative)


def test_cross_entropy_rejects_scalar_logits():
    with pytest.raises(ValueError, match="class axis"):
        F.cross_entropy(1.0, 0)


# --------------------------------------------------------------------------
# quadratic cost


def test_quadratic_cost_is_half_the_mean_squared_distance():
    a = np.array([[0.2, 0.8], [1.0, 0.0]])
    y = np.array([[0.0, 1.0], [0.0, 1.0]])
    assert F.quadratic_cost(a, y) == pytest.approx(0.5 * (0.08 + 2.0) / 2)
    assert F.quadratic_cost(y, y) == 0.0


def test_quadratic_cost_rejects_shape_mismatch():
    with pytest.raises(ValueError, match=r"outputs \(2, 3\) and targets \(2, 2\)"):
        F.quadratic_cost(np.zeros((2, 3)), np.zeros((2, 2)))


# --------------------------------------------------------------------------
# clipping by the global norm


def _grads():
    return {"U": np.array([[3.0, 0.0]]), "b": np.array([0.0, 4.0])}  # norm 5


def test_clip_by_global_norm_scales_every_gradient_to_the_threshold():
    grads = _grads()
    clipped, norm = F.clip_by_global_norm(grads, 1.0)
    assert norm == 5.0
    np.testing.assert_allclose(clipped["U"], [[0.6, 0.0]])
    np.testing.assert_allclose(clipped["b"], [0.0, 0.8])
    joint = np.sqrt(sum(np.sum(g**2) for g in clipped.values()))
    assert joint == pytest.approx(1.0)


def test_clip_by_global_norm_leaves_small_gradients_and_never_aliases_them():
    grads = _grads()
    clipped, norm = F.clip_by_global_norm(grads, 10.0)
    assert norm == 5.0
    for name, g in grads.items():
        np.testing.assert_array_equal(clipped[name], g)
        assert clipped[name] is not g
    clipped["U"][0, 0] = 99.0
    assert grads["U"][0, 0] == 3.0


def test_clip_by_global_norm_without_a_threshold_only_measures():
    clipped, norm = F.clip_by_global_norm(list(_grads().values()), None)
    assert isinstance(clipped, list) and norm == 5.0
    np.testing.assert_array_equal(clipped[1], [0.0, 4.0])


def test_clip_by_global_norm_keeps_the_container_type_and_float32():
    grads = tuple(g.astype(np.float32) for g in _grads().values())
    clipped, _ = F.clip_by_global_norm(grads, 2.5)
    assert isinstance(clipped, tuple)
    assert all(g.dtype == np.float32 for g in clipped)
    np.testing.assert_allclose(clipped[0], [[1.5, 0.0]])


def test_clip_by_global_norm_matches_tensorflow():
    tf = pytest.importorskip("tensorflow")
    rng = np.random.default_rng(0)
    grads = [rng.standard_normal(s) for s in [(3, 4), (4,), (2, 2, 2)]]
    ours, our_norm = F.clip_by_global_norm(grads, 0.7)
    theirs, their_norm = tf.clip_by_global_norm([tf.constant(g) for g in grads], 0.7)
    assert our_norm == pytest.approx(float(their_norm), rel=1e-12)
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(a, b.numpy(), rtol=1e-12)


def test_clip_by_global_norm_reports_divergence():
    with pytest.raises(FloatingPointError, match="gradient norm is nan"):
        F.clip_by_global_norm({"W": np.array([1.0, np.nan])}, 1.0)
    with pytest.raises(FloatingPointError, match="gradient norm is inf"):
        F.clip_by_global_norm([np.array([np.inf])], 1.0)


@pytest.mark.parametrize(
    ("grads", "max_norm", "message"),
    [
        (_grads(), 0, "max_norm must be a positive number, got 0"),
        (_grads(), True, r"max_norm must be a positive number, got True \(a bool\)"),
        (_grads(), np.array([1.0]), "max_norm must be a positive number, got an array"),
        (np.ones(3), 1.0, "grads must be a dict or a list of arrays, got an array"),
        ({}, 1.0, "grads is empty"),
        ({"W": np.ones(2, complex)}, 1.0, r"grads\['W'\] must hold real numbers"),
        ([np.ones(2), "x"], 1.0, r"grads\[1\] must hold real numbers"),
    ],
)
def test_clip_by_global_norm_rejects_bad_arguments(grads, max_norm, message):
    with pytest.raises(ValueError, match=message):
        F.clip_by_global_norm(grads, max_norm)
