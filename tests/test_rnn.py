"""rh.rnn.RecurrentLayer: the recurrence, BPTT (full and truncated), bad inputs."""

import numpy as np
import pytest

import rnn_helpers as rh

ACTIVATIONS = ["tanh", "relu", "identity", "sigmoid"]


def _problem(activation="tanh", batch=3, steps=5, inputs=4, state=6, seed=0):
    """A layer, inputs, an initial state and a fixed linear read-out ``C``."""
    layer = rh.rnn.RecurrentLayer(inputs, state, activation=activation, seed=seed)
    rng = np.random.default_rng(seed + 100)
    X = rng.standard_normal((batch, steps, inputs))
    h0 = 0.5 * rng.standard_normal((batch, state))
    C = rng.standard_normal((batch, steps, state))
    return layer, X, h0, C


def _loop_forward(layer, X, h0):
    """The recurrence written out one step and one example at a time."""
    f = rh.functions.activation(layer.activation)[0]
    H = np.zeros(X.shape[:2] + (layer.state_size,))
    for i in range(X.shape[0]):
        h = h0[i]
        for t in range(X.shape[1]):
            h = f(X[i, t] @ layer.U + h @ layer.W + layer.b)
            H[i, t] = h
    return H


def test_init_is_seeded_and_scaled_by_the_state_size():
    a = rh.rnn.RecurrentLayer(3, 16, seed=1)
    b = rh.rnn.RecurrentLayer(3, 16, seed=1)
    c = rh.rnn.RecurrentLayer(3, 16, seed=2)
    assert a.U.shape == (3, 16) and a.W.shape == (16, 16) and a.b.shape == (16,)
    np.testing.assert_array_equal(a.W, b.W)
    assert not np.array_equal(a.W, c.W)
    for p in a.params.values():
        assert p.dtype == np.float64
        assert np.abs(p).max() <= 1 / np.sqrt(16)
    assert "RecurrentLayer(3, 16" in repr(a)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_forward_matches_the_recurrence_step_by_step(activation):
    layer, X, h0, _ = _problem(activation)
    H = layer.forward(X, h0)
    assert H.shape == (3, 5, 6) and H.dtype == np.float64
    np.testing.assert_allclose(H, _loop_forward(layer, X, h0), rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(layer.state, H[:, -1])


def test_forward_starts_from_zeros_or_a_shared_h0_row():
    layer, X, _, _ = _problem()
    zeros = np.zeros((3, 6))
    np.testing.assert_array_equal(layer.forward(X), layer.forward(X, zeros))
    row = np.linspace(-1, 1, 6)
    np.testing.assert_array_equal(
        layer.forward(X, row), layer.forward(X, np.tile(row, (3, 1)))
    )


def test_state_carries_a_sequence_on_chunk_by_chunk():
    layer, X, h0, _ = _problem(steps=6)
    whole = layer.forward(X, h0)
    first = layer.forward(X[:, :4], h0)
    second = layer.forward(X[:, 4:], h0=layer.state)
    np.testing.assert_allclose(np.concatenate([first, second], axis=1), whole)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_bptt_matches_finite_differences(activation):
    layer, X, h0, C = _problem(activation)

    def loss():
        return np.sum(layer.forward(X, h0) * C)

    loss()
    dX = layer.backward(C)
    params = dict(layer.params, X=X, h0=h0)
    grads = dict(layer.grads, X=dX, h0=layer.dh0)
    assert rh.gradcheck.check_gradient(loss, params, grads) < 1e-6


def test_bptt_sums_the_gradient_of_a_shared_h0_row():
    layer, X, _, C = _problem()
    h0 = np.linspace(-0.5, 0.5, 6)

    def loss():
        return np.sum(layer.forward(X, h0) * C)

    loss()
    layer.backward(C)
    assert layer.dh0.shape == (6,)
    assert rh.gradcheck.check_gradient(loss, [h0], [layer.dh0]) < 1e-6


def _gradients(layer, X, h0, C, truncate=None):
    layer.forward(X, h0)
    dX = layer.backward(C, truncate=truncate)
    return {"U": layer.dU, "W": layer.dW, "b": layer.db, "X": dX, "h0": layer.dh0}


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_truncating_at_the_sequence_length_equals_full_bptt(activation):
    layer, X, h0, C = _problem(activation, steps=5)
    full = _gradients(layer, X, h0, C)
    for k in (5, 6, 50):
        truncated = _gradients(layer, X, h0, C, truncate=k)
        for name in full:
            np.testing.assert_allclose(truncated[name], full[name], atol=1e-12)


def test_truncate_one_gives_each_steps_local_gradient():
    layer, X, h0, C = _problem("tanh")
    got = _gradients(layer, X, h0, C, truncate=1)
    # Local gradient: h_{t-1} treated as a constant input at every step.
    H = layer.forward(X, h0)
    H_prev = np.concatenate([h0[:, None], H[:, :-1]], axis=1)
    delta = C * (1 - H**2)
    np.testing.assert_allclose(got["W"], np.einsum("bts,btk->sk", H_prev, delta))
    np.testing.assert_allclose(got["U"], np.einsum("bti,btk->ik", X, delta))
    np.testing.assert_allclose(got["b"], delta.sum(axis=(0, 1)))
    np.testing.assert_allclose(got["X"], delta @ layer.U.T)
    np.testing.assert_allclose(got["h0"], delta[:, 0] @ layer.W.T)


@pytest.mark.parametrize("k", [2, 3])
def test_truncated_bptt_stops_each_error_after_k_steps(k):
    layer, X, h0, C = _problem("tanh", steps=6)
    got = _gradients(layer, X, h0, C, truncate=k)
    # The definition, one error at a time: the error entering at step t
    # reaches steps t, t-1, ..., t-k+1.
    H = layer.forward(X, h0)
    H_prev = np.concatenate([h0[:, None], H[:, :-1]], axis=1)
    dW = np.zeros_like(layer.W)
    for t in range(X.shape[1]):
        g = C[:, t]
        for s in range(t, max(t - k, -1), -1):
            delta = g * (1 - H[:, s] ** 2)
            dW += H_prev[:, s].T @ delta
            g = delta @ layer.W.T
    np.testing.assert_allclose(got["W"], dW, rtol=1e-12, atol=1e-12)
    full = _gradients(layer, X, h0, C)
    assert not np.allclose(got["W"], full["W"])


def test_backward_can_run_twice_on_one_forward():
    layer, X, h0, C = _problem()
    first = _gradients(layer, X, h0, C)
    again = layer.backward(C)
    np.testing.assert_array_equal(again, first["X"])
    np.testing.assert_array_equal(layer.dW, first["W"])


def test_numpy_matches_tensorflow_gradient_tape_float64():
    tf = pytest.importorskip("tensorflow")
    layer, X, h0, C = _problem("tanh")
    grads = _gradients(layer, X, h0, C)
    H = layer.forward(X, h0)
    U, W, b = (tf.Variable(p) for p in (layer.U, layer.W, layer.b))
    X_tf, h0_tf = tf.constant(X), tf.constant(h0)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch([X_tf, h0_tf])
        h, states = h0_tf, []
        for t in range(X.shape[1]):
            h = tf.tanh(X_tf[:, t] @ U + h @ W + b)
            states.append(h)
        H_tf = tf.stack(states, axis=1)
        loss = tf.reduce_sum(H_tf * C)
    np.testing.assert_allclose(H_tf.numpy(), H, rtol=1e-10, atol=1e-12)
    tf_grads = tape.gradient(loss, {"U": U, "W": W, "b": b, "X": X_tf, "h0": h0_tf})
    for name, value in tf_grads.items():
        np.testing.assert_allclose(grads[name], value.numpy(), rtol=1e-9, atol=1e-12)


def test_float32_input_stays_float32():
    layer, X, h0, C = _problem()
    H64 = layer.forward(X, h0)
    g64 = _gradients(layer, X, h0, C)
    H32 = layer.forward(X.astype(np.float32), h0.astype(np.float32))
    dX32 = layer.backward(C.astype(np.float32))
    assert H32.dtype == np.float32 and dX32.dtype == np.float32
    assert layer.dW.dtype == np.float64  # gradients have the parameters' dtype
    np.testing.assert_allclose(H32, H64, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(dX32, g64["X"], rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(layer.dW, g64["W"], rtol=1e-4, atol=1e-4)
    assert layer.W.dtype == np.float64


def test_integer_input_is_computed_in_float64():
    layer = rh.rnn.RecurrentLayer(2, 3)
    H = layer.forward(np.ones((1, 2, 2), dtype=np.int64))
    assert H.dtype == np.float64


def test_update_takes_one_sgd_step_on_every_parameter_in_place():
    layer, X, h0, C = _problem()
    arrays = dict(layer.params)
    before = {k: v.copy() for k, v in arrays.items()}
    _gradients(layer, X, h0, C)
    layer.update(0.1)
    for name, grad in layer.grads.items():
        assert layer.params[name] is arrays[name]  # the same arrays, changed
        np.testing.assert_allclose(layer.params[name], before[name] - 0.1 * grad)


def test_reset_state_forgets_the_last_forward_pass():
    layer, X, h0, C = _problem()
    layer.forward(X, h0)
    assert layer.state is not None
    layer.reset_state()
    assert layer.state is None
    with pytest.raises(ValueError, match="forward pass first"):
        layer.backward(C)


# ----------------------------------------------------------------------
# bad inputs


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(input_size=0, state_size=3), "input_size must be a positive integer"),
        (dict(input_size=2, state_size=2.5), "state_size must be a positive integer"),
        (
            dict(input_size=2, state_size=3, activation="softplus"),
            "activation must be one of 'sigmoid', 'tanh', 'relu', 'identity'",
        ),
        (dict(input_size=True, state_size=3), "input_size must be a positive integer"),
    ],
)
def test_constructor_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        rh.rnn.RecurrentLayer(**kwargs)


@pytest.mark.parametrize(
    ("X", "message"),
    [
        (np.zeros((2, 4)), r"X must have shape \(batch, num_steps, 4\), got \(2, 4\)"),
        (
            np.zeros((2, 3, 5)),
            r"X must have shape \(batch, num_steps, 4\), got \(2, 3, 5\)",
        ),
        (np.zeros((2, 3, 4, 1)), "X must have shape"),
        (np.zeros((0, 3, 4)), r"at least one entry along every axis, got shape \(0,"),
        (
            np.zeros((2, 0, 4)),
            r"at least one entry along every axis, got shape \(2, 0,",
        ),
        (None, "X must be an array, got None"),
        (np.full((1, 2, 4), "a"), "real numbers"),
        (np.zeros((1, 2, 4), dtype=bool), "real numbers"),
        (np.full((1, 2, 4), np.nan), "NaN or infinite"),
    ],
)
def test_forward_rejects_bad_inputs(X, message):
    layer = rh.rnn.RecurrentLayer(4, 3)
    with pytest.raises(ValueError, match=message):
        layer.forward(X)


@pytest.mark.parametrize("h0", [np.zeros((3, 3)), np.zeros((2, 4)), np.zeros(4)])
def test_forward_rejects_a_wrongly_shaped_h0(h0):
    layer = rh.rnn.RecurrentLayer(4, 3)
    with pytest.raises(ValueError, match=r"h0 must have shape \(2, 3\) or \(3,\)"):
        layer.forward(np.zeros((2, 5, 4)), h0)


def test_backward_before_forward_is_an_error():
    with pytest.raises(ValueError, match="call forward"):
        rh.rnn.RecurrentLayer(4, 3).backward(np.zeros((1, 1, 3)))


@pytest.mark.parametrize("shape", [(2, 5), (2, 5, 4), (2, 4, 3), (1, 5, 3)])
def test_backward_rejects_dH_unlike_the_last_forward(shape):
    layer = rh.rnn.RecurrentLayer(4, 3)
    layer.forward(np.zeros((2, 5, 4)))
    with pytest.raises(ValueError, match=r"shape of the last forward's H, \(2, 5, 3\)"):
        layer.backward(np.zeros(shape))


@pytest.mark.parametrize(
    ("dH", "message"),
    [
        (np.full((2, 5, 3), "a"), "dH must hold real numbers"),
        (np.full((2, 5, 3), np.inf), "dH contains NaN or infinite"),
    ],
)
def test_backward_rejects_dH_that_is_not_finite_numbers(dH, message):
    layer = rh.rnn.RecurrentLayer(4, 3)
    layer.forward(np.zeros((2, 5, 4)))
    with pytest.raises(ValueError, match=message):
        layer.backward(dH)


@pytest.mark.parametrize("h0", [np.full(3, "x"), np.zeros(3, dtype=complex)])
def test_forward_rejects_an_h0_that_is_not_real(h0):
    layer = rh.rnn.RecurrentLayer(4, 3)
    with pytest.raises(ValueError, match="h0 must hold real numbers"):
        layer.forward(np.zeros((2, 5, 4)), h0)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_forward_rejects_an_h0_with_nan_or_inf_and_keeps_its_last_pass(bad):
    layer, X, h0, C = _problem()
    layer.forward(X, h0)
    state, cache = layer.state.copy(), layer._cache
    h0_bad = h0.copy()
    h0_bad[1, 2] = bad
    with pytest.raises(ValueError, match=r"h0 contains NaN or infinite values \(1 of"):
        layer.forward(X, h0_bad)
    np.testing.assert_array_equal(layer.state, state)
    assert layer._cache is cache
    layer.backward(C)  # the last good pass is still there to differentiate


@pytest.mark.parametrize("truncate", [0, -2, 1.5, "3", True])
def test_backward_rejects_bad_truncate(truncate):
    layer = rh.rnn.RecurrentLayer(4, 3)
    layer.forward(np.zeros((2, 5, 4)))
    with pytest.raises(ValueError, match="truncate must be a positive integer"):
        layer.backward(np.zeros((2, 5, 3)), truncate=truncate)


def test_update_needs_gradients_and_a_positive_lr():
    layer = rh.rnn.RecurrentLayer(4, 3)
    with pytest.raises(ValueError, match="call forward and backward first"):
        layer.update(0.1)
    layer.forward(np.zeros((2, 5, 4)))
    layer.backward(np.zeros((2, 5, 3)))
    for lr in (0, -0.1, np.nan, "0.1", None):
        with pytest.raises(ValueError, match="lr must be a positive number"):
            layer.update(lr)


# ----------------------------------------------------------------------
# one step at a time


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_step_by_step_equals_forward(activation):
    layer, X, h0, _ = _problem(activation)
    H = layer.forward(X, h0)
    h = h0
    for t in range(X.shape[1]):
        h = layer.step(X[:, t], h)
        np.testing.assert_allclose(h, H[:, t], rtol=1e-12, atol=1e-12)


def test_step_starts_from_zeros_and_keeps_nothing_for_backward():
    layer, X, h0, C = _problem()
    layer.forward(X, h0)
    cache, state = layer._cache, layer.state.copy()
    h1 = layer.step(X[:, 0])
    np.testing.assert_allclose(h1, layer.step(X[:, 0], np.zeros((3, 6))))
    np.testing.assert_allclose(h1, np.tanh(X[:, 0] @ layer.U + layer.b))
    assert layer._cache is cache
    np.testing.assert_array_equal(layer.state, state)


def test_step_keeps_float32_and_shares_a_single_state_row():
    layer, X, _, _ = _problem()
    x32 = X[:, 0].astype(np.float32)
    assert layer.step(x32).dtype == np.float32
    assert layer.step(X[:, 0]).dtype == np.float64
    row = np.linspace(-1, 1, 6)
    np.testing.assert_array_equal(
        layer.step(X[:, 0], row), layer.step(X[:, 0], np.tile(row, (3, 1)))
    )


def test_step_matches_keras_simple_rnn_cell():
    keras = pytest.importorskip("keras")
    layer, X, h0, _ = _problem("tanh")
    cell = keras.layers.SimpleRNNCell(6, dtype="float64")
    cell.build((None, 4))
    cell.set_weights([layer.U, layer.W, layer.b])
    expected, _ = cell(X[:, 0], [h0])
    np.testing.assert_allclose(layer.step(X[:, 0], h0), expected, rtol=1e-12)


@pytest.mark.parametrize(
    ("x", "h", "message"),
    [
        (np.zeros((3, 5)), None, r"x must have shape \(batch, 4\), got \(3, 5\)"),
        (np.zeros(4), None, r"x must have shape \(batch, 4\), got \(4,\)"),
        (np.zeros((3, 4)), np.zeros((2, 6)), r"h must have shape \(3, 6\) or \(6,\)"),
        (np.zeros((3, 4)), np.full(6, np.nan), "h contains NaN or infinite values"),
        (np.full((3, 4), np.inf), None, "x contains NaN or infinite values"),
    ],
)
def test_step_rejects_bad_inputs(x, h, message):
    layer = rh.rnn.RecurrentLayer(4, 6)
    with pytest.raises(ValueError, match=message):
        layer.step(x, h)


# ----------------------------------------------------------------------
# the read-out


def _readout_problem(leading=(3, 5), seed=0):
    readout = rh.rnn.Readout(6, 4, seed=seed)
    readout.c[:] = np.linspace(-1, 1, 4)  # a bias that is not zero
    rng = np.random.default_rng(seed + 1)
    H = rng.standard_normal(leading + (6,))
    D = rng.standard_normal(leading + (4,))  # dL/dlogits of L = sum(logits * D)
    return readout, H, D


def test_readout_init_is_seeded_and_scaled_and_starts_with_a_zero_bias():
    a, b = rh.rnn.Readout(16, 3, seed=1), rh.rnn.Readout(16, 3, seed=1)
    assert a.V.shape == (16, 3) and a.c.shape == (3,)
    np.testing.assert_array_equal(a.V, b.V)
    assert not np.array_equal(a.V, rh.rnn.Readout(16, 3, seed=2).V)
    assert np.abs(a.V).max() <= 1 / np.sqrt(16)
    np.testing.assert_array_equal(a.c, np.zeros(3))
    assert repr(a) == "Readout(16, 3)"


@pytest.mark.parametrize("leading", [(7,), (3, 5), (2, 3, 2)])
def test_readout_forward_is_h_v_plus_c_on_every_row(leading):
    readout, H, _ = _readout_problem(leading)
    logits = readout.forward(H)
    assert logits.shape == leading + (4,)
    np.testing.assert_allclose(logits, H @ readout.V + readout.c, rtol=1e-12)


@pytest.mark.parametrize("leading", [(7,), (3, 5)])
def test_readout_backward_matches_finite_differences(leading):
    readout, H, D = _readout_problem(leading)

    def loss():
        return np.sum(readout.forward(H) * D)

    loss()
    dH = readout.backward(D)
    assert dH.shape == H.shape
    params = dict(readout.params, H=H)
    grads = dict(readout.grads, H=dH)
    assert rh.gradcheck.check_gradient(loss, params, grads) < 1e-7


def test_readout_on_a_recurrent_layer_matches_finite_differences():
    layer, X, h0, _ = _problem()
    readout = rh.rnn.Readout(6, 3, seed=5)
    labels = np.random.default_rng(6).integers(0, 3, X.shape[:2])

    def loss():
        logits = readout.forward(layer.forward(X, h0))
        return rh.functions.cross_entropy(logits, labels)

    logits = readout.forward(layer.forward(X, h0))
    dH = readout.backward(rh.functions.cross_entropy_grad(logits, labels))
    layer.backward(dH)
    params = {**layer.params, **readout.params}
    grads = {**layer.grads, **readout.grads}
    assert rh.gradcheck.check_gradient(loss, params, grads) < 1e-6


def test_readout_matches_keras_dense_and_gradient_tape():
    tf = pytest.importorskip("tensorflow")
    keras = pytest.importorskip("keras")
    readout, H, D = _readout_problem()
    dense = keras.layers.Dense(4, dtype="float64")
    dense.build((None, 6))
    dense.set_weights([readout.V, readout.c])
    H_tf = tf.constant(H)
    with tf.GradientTape() as tape:
        tape.watch(H_tf)
        loss = tf.reduce_sum(dense(H_tf) * D)
    dH_tf, dV_tf, dc_tf = tape.gradient(loss, [H_tf, *dense.trainable_weights])
    np.testing.assert_allclose(readout.forward(H), dense(H_tf).numpy(), rtol=1e-12)
    dH = readout.backward(D)
    np.testing.assert_allclose(dH, dH_tf.numpy(), rtol=1e-12)
    np.testing.assert_allclose(readout.dV, dV_tf.numpy(), rtol=1e-12)
    np.testing.assert_allclose(readout.dc, dc_tf.numpy(), rtol=1e-12)


def test_readout_keeps_float32_states_in_float32_and_grads_in_float64():
    readout, H, D = _readout_problem()
    logits = readout.forward(H.astype(np.float32))
    dH = readout.backward(D.astype(np.float32))
    assert logits.dtype == dH.dtype == np.float32
    assert readout.dV.dtype == readout.dc.dtype == np.float64
    np.testing.assert_allclose(logits, H @ readout.V + readout.c, rtol=1e-5, atol=1e-5)


def test_readout_update_takes_one_sgd_step_in_place():
    readout, H, D = _readout_problem()
    V, c = readout.V, readout.c
    before = {k: v.copy() for k, v in readout.params.items()}
    readout.forward(H)
    readout.backward(D)
    readout.update(0.5)
    assert readout.V is V and readout.c is c
    for name, grad in readout.grads.items():
        np.testing.assert_allclose(readout.params[name], before[name] - 0.5 * grad)


def test_readout_needs_a_forward_before_backward_and_a_backward_before_update():
    readout = rh.rnn.Readout(6, 4)
    with pytest.raises(ValueError, match="call forward"):
        readout.backward(np.zeros((2, 4)))
    with pytest.raises(ValueError, match="call forward and backward first"):
        readout.update(0.1)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda r: r.forward(np.zeros((2, 5))), r"H must have shape \(\.\.\., 6\)"),
        (lambda r: r.forward(np.zeros(())), r"H must have shape \(\.\.\., 6\)"),
        (lambda r: r.forward(np.full((2, 6), np.nan)), "H contains NaN or infinite"),
        (lambda r: r.forward(np.zeros((2, 6), complex)), "H must hold real numbers"),
        (lambda r: rh.rnn.Readout(0, 3), "state_size must be a positive integer"),
        (lambda r: rh.rnn.Readout(3, 2.0), "output_size must be a positive integer"),
    ],
)
def test_readout_rejects_bad_inputs(call, message):
    with pytest.raises(ValueError, match=message):
        call(rh.rnn.Readout(6, 4))


@pytest.mark.parametrize("shape", [(3, 4), (2, 5, 4), (3, 5, 3)])
def test_readout_backward_rejects_dlogits_unlike_the_last_forward(shape):
    readout, H, _ = _readout_problem()
    readout.forward(H)
    with pytest.raises(
        ValueError, match=r"shape of the last forward's logits, \(3, 5, 4\)"
    ):
        readout.backward(np.zeros(shape))


@pytest.mark.parametrize("lr", [0, -1.0, np.nan, True, "0.1", np.array([0.1])])
def test_update_refuses_a_bad_lr_before_changing_anything(lr):
    readout, H, D = _readout_problem()
    readout.forward(H)
    readout.backward(D)
    before = readout.V.copy()
    with pytest.raises(ValueError, match="lr must be a positive number, got"):
        readout.update(lr)
    np.testing.assert_array_equal(readout.V, before)


@pytest.mark.parametrize("seed", [True, -1, 0.5, "0"])
def test_layers_refuse_seeds_that_are_not_seeds(seed):
    with pytest.raises(ValueError, match="seed must be a non-negative integer"):
        rh.rnn.RecurrentLayer(2, 3, seed=seed)
    with pytest.raises(ValueError, match="seed must be a non-negative integer"):
        rh.rnn.Readout(2, 3, seed=seed)
