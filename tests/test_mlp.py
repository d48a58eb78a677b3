"""rh.mlp: the NumPy network, its gradients, training, and bad input."""

import numpy as np
import pytest

from rnn_helpers import gradcheck, mlp


def toy_data(n=200, seed=0):
    """Two blobs in 4-D, labels 0/1: linearly separable."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    X = rng.random((n, 4)) * 0.5 + y[:, None] * 0.5
    return X, y


def test_shapes_follow_row_vector_convention():
    net = mlp.NeuralNet([3, 4, 2])
    assert [W.shape for W in net.weights] == [(3, 4), (4, 2)]
    assert [b.shape for b in net.biases] == [(4,), (2,)]
    assert net.feedforward(np.zeros((5, 3))).shape == (5, 2)


def test_same_seed_same_weights_different_seed_different_weights():
    a, b, c = (
        mlp.NeuralNet([3, 4, 2], seed=1),
        mlp.NeuralNet([3, 4, 2], seed=1),
        (mlp.NeuralNet([3, 4, 2], seed=2)),
    )
    np.testing.assert_array_equal(a.weights[0], b.weights[0])
    assert not np.array_equal(a.weights[0], c.weights[0])


def test_scaled_init_divides_by_sqrt_inputs():
    plain = mlp.NeuralNet([100, 5], seed=3)
    scaled = mlp.NeuralNet([100, 5], seed=3, init="scaled")
    np.testing.assert_allclose(scaled.weights[0], plain.weights[0] / 10)


@pytest.mark.parametrize("output", ["sigmoid", "softmax"])
def test_backprop_matches_finite_differences(output):
    X, y = toy_data(8)
    Y = np.eye(2)[y]
    net = mlp.NeuralNet([4, 5, 3, 2], output=output, seed=1)
    _, dW, db = net.gradients(X, Y)
    error = gradcheck.check_gradient(
        lambda: net.gradients(X, Y)[0], net.weights + net.biases, dW + db
    )
    # Saturated sigmoids give gradients near 1e-6, where central differences
    # carry about 1e-12 of round-off: 1e-6 relative is the honest bound here.
    assert error < 1e-6


@pytest.mark.parametrize("cls", [mlp.NeuralNet, mlp.LoopNeuralNet])
@pytest.mark.parametrize("output", ["sigmoid", "softmax"])
def test_update_mini_batch_steps_against_the_mean_gradient(cls, output):
    X, y = toy_data(9)
    Y = np.eye(2)[y]
    net = cls([4, 5, 2], output=output, seed=2)
    loss, dW, db = net.gradients(X, Y)
    expected = [
        p - 0.5 * g for p, g in zip(net.weights + net.biases, dW + db, strict=True)
    ]
    assert net.update_mini_batch(X, Y, 0.5) == pytest.approx(loss, rel=1e-12)
    for p, q in zip(net.weights + net.biases, expected, strict=True):
        np.testing.assert_allclose(p, q, rtol=1e-12, atol=1e-15)
    assert net.gradients(X, Y)[0] < loss


@pytest.mark.parametrize("output", ["sigmoid", "softmax"])
def test_loop_network_learns_exactly_what_the_vectorised_one_learns(output):
    X, y = toy_data(60)
    fast = mlp.NeuralNet([4, 6, 2], output=output, seed=5)
    slow = mlp.LoopNeuralNet([4, 6, 2], output=output, seed=5)
    h_fast = fast.fit(X, y, epochs=3, batch_size=7, lr=1.0, progress=False)
    h_slow = slow.fit(X, y, epochs=3, batch_size=7, lr=1.0, progress=False)
    np.testing.assert_allclose(h_fast["loss"], h_slow["loss"], rtol=1e-10)
    for a, b in zip(
        fast.weights + fast.biases, slow.weights + slow.biases, strict=True
    ):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("output", ["sigmoid", "softmax"])
def test_fit_learns_a_separable_problem(output):
    X, y = toy_data()
    net = mlp.NeuralNet([4, 8, 2], output=output, seed=0)
    before = net.accuracy(X, y)
    history = net.fit(
        X, y, epochs=20, batch_size=10, lr=2.0, X_val=X, y_val=y, progress=False
    )
    assert history["loss"][-1] < history["loss"][0]
    assert len(history["val_accuracy"]) == 20
    assert history["val_accuracy"][-1] == net.accuracy(X, y) > max(before, 0.95)
    np.testing.assert_array_equal(net.predict(X), net.feedforward(X).argmax(1))
    assert net.loss(X, y) < 0.5 * history["loss"][0]


def test_softmax_outputs_are_probabilities():
    net = mlp.NeuralNet([4, 3], output="softmax")
    P = net.feedforward(toy_data(5)[0])
    np.testing.assert_allclose(P.sum(axis=1), 1.0)


def test_cross_entropy_stays_exact_where_a_probability_rounds_to_zero():
    # One example whose true class trails by 1000 in the logits: its softmax
    # probability is exp(-1000), 0 in float64, but the cost is still 1000.
    net = mlp.NeuralNet([1, 2], output="softmax")
    net.weights[0][:] = [[1000.0, 0.0]]
    net.biases[0][:] = 0.0
    X, y = np.ones((1, 1)), np.array([1])
    assert net.feedforward(X)[0, 1] == 0.0
    assert net.loss(X, y) == pytest.approx(1000.0)
    assert net.gradients(X, np.eye(2)[y])[0] == pytest.approx(1000.0)


def test_fit_history_without_validation_has_only_loss():
    X, y = toy_data(20)
    h = mlp.NeuralNet([4, 2]).fit(X, y, epochs=2, batch_size=5, lr=0.1, progress=False)
    assert list(h) == ["loss"] and len(h["loss"]) == 2


def test_fit_shows_progress_live_unless_switched_off_or_static(capsys, monkeypatch):
    X, y = toy_data(20)
    monkeypatch.setenv("RNN_BOOK_STATIC", "0")
    mlp.NeuralNet([4, 2]).fit(X, y, epochs=2, batch_size=5, lr=0.1)
    assert "epochs" in capsys.readouterr().err  # tqdm draws on stderr
    mlp.NeuralNet([4, 2]).fit(X, y, epochs=2, batch_size=5, lr=0.1, progress=False)
    assert capsys.readouterr() == ("", "")
    monkeypatch.setenv("RNN_BOOK_STATIC", "1")  # a page being built: no bar at all
    mlp.NeuralNet([4, 2]).fit(X, y, epochs=2, batch_size=5, lr=0.1)
    assert capsys.readouterr() == ("", "")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(sizes=[784]), "at least two positive layer widths"),
        (dict(sizes=784), "at least two positive layer widths"),
        (dict(sizes=[784, 0, 10]), r"sizes\[1\] must be a positive integer, got 0"),
        (dict(sizes=[True, 2]), r"sizes\[0\] must be a positive integer, got True"),
        (dict(sizes=[4, 2.0]), r"sizes\[1\] must be a positive integer, got 2.0"),
        (dict(sizes=[4, 2], output="tanh"), "output must be one of"),
        (dict(sizes=[4, 2], init="xavier"), "init must be one of"),
    ],
)
def test_constructor_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        mlp.NeuralNet(**kwargs)


@pytest.mark.parametrize(
    ("X", "y", "message"),
    [
        (
            np.zeros((5, 3)),
            np.zeros(5, int),
            r"X must have shape \(n, 4\), got \(5, 3\)",
        ),
        (np.zeros((5, 2, 2)), np.zeros(5, int), "flatten images with rh.data.flatten"),
        (np.zeros((5, 4), np.uint8), np.zeros(5, int), "must hold floats"),
        (np.full((5, 4), np.nan), np.zeros(5, int), "NaN or infinite"),
        (np.zeros((5, 4)), np.zeros(4, int), r"5 integer labels of shape \(5,\)"),
        (np.zeros((5, 4)), np.zeros(5), "integer labels"),
        (np.zeros((5, 4)), np.array([0, 1, 2, 0, 1]), r"must lie in \[0, 2\)"),
        (np.zeros((5, 4)), np.array([0, -1, 0, 0, 1]), r"must lie in \[0, 2\)"),
    ],
)
def test_fit_rejects_bad_data(X, y, message):
    with pytest.raises(ValueError, match=message):
        mlp.NeuralNet([4, 3, 2]).fit(X, y, epochs=1, batch_size=2, lr=0.1)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(epochs=0), "epochs must be a positive integer"),
        (dict(epochs=True), r"epochs must be a positive integer, got True \(a bool\)"),
        (dict(batch_size=2.5), "batch_size must be a positive integer"),
        (dict(batch_size=False), "batch_size must be a positive integer, got False"),
        (dict(lr=-1.0), "lr must be a positive number"),
        (dict(lr=True), r"lr must be a positive number, got True \(a bool\)"),
        (dict(lr=np.array([0.1, 0.2])), "lr must be a positive number, got an array"),
        (dict(lr=np.nan), "lr must be a positive number, got nan"),
        (dict(X_val=np.zeros((2, 4))), "pass both X_val and y_val"),
        (dict(X_val=np.zeros((2, 4)), y_val=np.array([0, 5])), "y_val labels"),
    ],
)
def test_fit_rejects_bad_settings(kwargs, message):
    X, y = toy_data(10)
    settings = dict(epochs=1, batch_size=2, lr=0.1) | kwargs
    with pytest.raises(ValueError, match=message):
        mlp.NeuralNet([4, 2]).fit(X, y, **settings)


def test_non_finite_loss_raises_floating_point_error_without_warnings():
    X, y = toy_data(20)
    net = mlp.NeuralNet([4, 2], output="softmax")
    net.weights[0][:] = np.inf
    with pytest.raises(FloatingPointError, match="loss became nan"):
        net.fit(X, y, epochs=1, batch_size=5, lr=0.1, progress=False)


def test_accuracy_and_predict_validate_input():
    net = mlp.NeuralNet([4, 2])
    with pytest.raises(ValueError, match="X must have shape"):
        net.predict(np.zeros((3, 5)))
    with pytest.raises(ValueError, match="labels"):
        net.accuracy(np.zeros((3, 4)), np.array([0, 1]))


@pytest.mark.parametrize(
    ("X", "y"),
    [(np.zeros((0, 4)), np.zeros(0, int)), (np.zeros((0, 4)), np.zeros(3, int))],
)
def test_fit_and_accuracy_refuse_empty_data(X, y):
    net = mlp.NeuralNet([4, 2])
    message = r"X needs at least one entry along every axis, got shape \(0, 4\)"
    with pytest.raises(ValueError, match=message):
        net.fit(X, y, epochs=1, batch_size=2, lr=0.1, progress=False)
    with pytest.raises(ValueError, match=message):
        net.accuracy(X, y)


def test_fit_validates_everything_before_changing_a_weight():
    X, y = toy_data(10)
    net = mlp.NeuralNet([4, 2])
    before = [W.copy() for W in net.weights]
    rng_state = net.rng.bit_generator.state
    bad_validation = dict(X_val=np.zeros((2, 4)), y_val=np.array([0, 7]))
    with pytest.raises(ValueError, match="y_val labels"):
        net.fit(X, y, epochs=1, batch_size=2, lr=0.1, **bad_validation)
    with pytest.raises(ValueError, match="lr must be"):
        net.fit(X, y, epochs=1, batch_size=2, lr=np.array(0.1))
    for W, W0 in zip(net.weights, before, strict=True):
        np.testing.assert_array_equal(W, W0)
    assert net.rng.bit_generator.state == rng_state


@pytest.mark.parametrize("X", [None, [[0.0, 1.0], [1.0]], np.zeros((3, 4), bool)])
def test_predict_refuses_what_is_not_a_float_matrix(X):
    with pytest.raises(ValueError, match="X must"):
        mlp.NeuralNet([4, 2]).predict(X)


@pytest.mark.parametrize("cls", [mlp.NeuralNet, mlp.LoopNeuralNet])
@pytest.mark.parametrize(
    ("X", "Y", "lr", "message"),
    [
        (np.zeros((3, 4)), np.zeros((3, 3)), 0.1, r"Y must have shape \(3, 2\)"),
        (np.zeros((3, 4)), np.full((3, 2), np.nan), 0.1, "Y contains NaN"),
        (np.zeros((3, 5)), np.zeros((3, 2)), 0.1, r"X must have shape \(n, 4\)"),
        (np.zeros((3, 4)), np.zeros((3, 2)), True, "lr must be a positive number"),
    ],
)
def test_a_single_step_checks_its_batch_before_changing_a_weight(
    cls, X, Y, lr, message
):
    net = cls([4, 2])
    before = net.weights[0].copy()
    with pytest.raises(ValueError, match=message):
        net.update_mini_batch(X, Y, lr)
    if lr is not True:
        with pytest.raises(ValueError, match=message):
            net.gradients(X, Y)
    np.testing.assert_array_equal(net.weights[0], before)
