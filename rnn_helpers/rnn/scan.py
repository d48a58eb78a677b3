"""Linear recurrences, the parallel scan, minGRU and minLSTM in NumPy (chapter 10).

A *linear* recurrence, elementwise in the state,

    h_t = a_t * h_{t-1} + b_t,        t = 1 .. T,

can be computed without stepping through time, because one step is an affine
map ``h -> a h + b`` and two affine maps compose into one: the associative
operator ``(a1, b1) o (a2, b2) = (a1 a2, a2 b1 + b2)`` (``combine``). Every
form here takes ``a, b: (batch, num_steps, state)`` and returns
``H: (batch, num_steps, state)``, the states ``h_1 .. h_T``:

- ``"loop"``: one step after another (``T`` steps in a row);
- ``"scan"``: the Hillis-Steele scan over ``combine`` (``ceil(log2 T)``
  rounds, each of which combines every pair at once);
- ``"cumprod"``: the closed form through cumulative products, which
  underflows over long sequences;
- ``"log"``: Heinsen's log-space form (2023), two cumulative sums in the
  log domain; needs ``a > 0`` and ``b > 0``.

``min_gru_forward`` and ``min_lstm_forward`` are the minimal GRU and LSTM of
Feng et al., "Were RNNs All We Needed?" (2024), whose gates read ``x_t`` only,
so that their recurrence is linear in ``h``.
"""

import math

import numpy as np

from .. import checks

METHODS = ("loop", "scan", "cumprod", "log")

# ----------------------------------------------------------------------
# the recurrence and its forms


def combine(first, second):
    """Compose two steps ``(a1, b1)`` then ``(a2, b2)`` into one (chapter 10).

    Applying ``h -> a1 h + b1`` and then ``h -> a2 h + b2`` is the step
    ``h -> (a1 a2) h + (a2 b1 + b2)``; the operator is associative, which is
    what lets a scan group the steps in any order. Arrays broadcast.
    """
    (a1, b1), (a2, b2) = first, second
    return a1 * a2, a2 * b1 + b2


def hillis_steele(a, b, axis=1):
    """Inclusive scan of ``(a_t, b_t)`` under ``combine``, Hillis-Steele (chapter 10).

    Round ``k`` (offset ``d = 2**k``) combines every element with the one
    ``d`` steps before it, all at once: after ``ceil(log2 T)`` rounds element
    ``t`` holds the composition of steps ``1 .. t``. Returns ``(A, B)``, the
    composed coefficients; ``B`` is ``h_t`` for ``h_0 = 0`` and ``A`` the
    product ``a_1 ... a_t``. Work: about ``T log2 T`` combines.
    """
    A = np.moveaxis(np.array(a, dtype=float), axis, 0)
    B = np.moveaxis(np.array(b, dtype=float), axis, 0)
    T, d = A.shape[0], 1
    while d < T:
        # Every t >= d at once: (steps up to t - d) then (steps t - d + 1 .. t).
        A_new, B_new = combine((A[:-d], B[:-d]), (A[d:], B[d:]))
        A[d:], B[d:] = A_new, B_new
        d *= 2
    return np.moveaxis(A, 0, axis), np.moveaxis(B, 0, axis)


def scan_rounds(num_steps):
    """The rounds of the Hillis-Steele scan: ``[(offset, pairs), ...]`` (chapter 10).

    ``pairs`` lists the ``(source, target)`` steps (1-based) that round
    combines, every one independent of the others, so all run at once.
    """
    num_steps = checks.integer(num_steps, "num_steps", minimum=1)
    rounds, d = [], 1
    while d < num_steps:
        rounds.append((d, [(t - d, t) for t in range(d + 1, num_steps + 1)]))
        d *= 2
    return rounds


def linear_recurrence(a, b, h0=None, method="loop"):
    """``h_t = a_t * h_{t-1} + b_t`` for every step, by ``method`` (chapter 10).

    ``a``, ``b``: ``(batch, num_steps, state)``; ``h0``: the state before the
    first step, ``(batch, state)`` or ``(state,)``, zeros by default.
    ``method``: ``"loop"``, ``"scan"`` (Hillis-Steele), ``"cumprod"`` (the
    closed form ``h_t = A_t (h_0 + sum_{s<=t} b_s / A_s)`` with
    ``A_t = a_1 ... a_t``) or ``"log"`` (Heinsen's log-space form, which
    needs ``a > 0``, ``b > 0`` and ``h0 >= 0``). Returns ``H``:
    ``(batch, num_steps, state)``, float64.
    """
    a, b, h0 = _recurrence_inputs(a, b, h0)
    method = checks.choice(method, "method", METHODS)
    if method == "log":
        if np.any(a <= 0) or np.any(b <= 0) or np.any(h0 < 0):
            raise ValueError(
                'method="log" takes logarithms: it needs a > 0 and b > 0 (and '
                f"h0 >= 0), got min(a) = {a.min():.3g}, min(b) = {b.min():.3g}"
                + (f", min(h0) = {h0.min():.3g}" if h0.size else "")
            )
        with np.errstate(divide="ignore"):  # log 0 = -inf: a zero h0 adds nothing
            log_h0 = np.log(h0)
        return linear_recurrence_log(np.log(a), np.log(b), log_h0)
    if method == "loop":
        H = np.empty_like(b)
        h = h0
        for t in range(b.shape[1]):
            h = a[:, t] * h + b[:, t]
            H[:, t] = h
        return H
    if method == "scan":
        A, B = hillis_steele(a, b)
        return A * h0[:, None] + B
    # The closed form: divide out the running product, sum, multiply back.
    # A_t shrinks geometrically when a < 1, and 1 / A_t overflows long before
    # h_t does (underflow of A_t, then inf * 0 = nan): shown in chapter 10.
    with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):
        A = np.cumprod(a, axis=1)
        return A * (h0[:, None] + np.cumsum(b / A, axis=1))


def linear_recurrence_log(log_a, log_b, log_h0=None):
    """Heinsen's log-space scan: ``log`` of ``a``, ``b`` and ``h0`` in, ``H`` out.

    Introduced in chapter 10 (Heinsen, "Efficient Parallelization of a
    Ubiquitous Sequential Computation", 2023). With ``a* = cumsum(log a)``,

        log h_t = a*_t + logcumsumexp_{s <= t}(log b_s - a*_s),

    the log of ``h_0`` entering as one more term before the first step. Only
    sums of logarithms and a running log-sum-exp: no product that
    underflows. ``log_a``, ``log_b``: ``(batch, num_steps, state)``;
    ``log_h0``: ``(batch, state)`` or ``(state,)``, ``-inf`` (``h_0 = 0``)
    allowed; ``None`` is ``h_0 = 0``. Returns ``H`` (float64).
    """
    log_a = checks.array(log_a, "log_a", shape=("batch", "num_steps", "state"))
    log_b = _same_shape(log_b, "log_b", log_a, "log_a", finite=False)
    if np.isnan(log_b).any() or (log_b == np.inf).any():
        raise ValueError("log_b must be below +inf and not NaN (-inf means b = 0)")
    batch, _, n = log_a.shape
    a_star = np.cumsum(log_a.astype(float), axis=1)
    terms = log_b - a_star
    if log_h0 is not None:
        log_h0 = checks.array(log_h0, "log_h0", finite=False)
        if log_h0.shape not in ((batch, n), (n,)) or np.isnan(log_h0).any():
            raise ValueError(
                f"log_h0 must have shape ({batch}, {n}) or ({n},) with no NaN, "
                f"got {log_h0.shape}"
            )
        if (log_h0 == np.inf).any():
            raise ValueError("log_h0 must be below +inf")
        h0_term = np.broadcast_to(log_h0, (batch, n))[:, None]
        terms = np.concatenate([h0_term, terms], axis=1)
        return np.exp(a_star + np.logaddexp.accumulate(terms, axis=1)[:, 1:])
    return np.exp(a_star + np.logaddexp.accumulate(terms, axis=1))


def linear_recurrence_backward(a, H, dH, h0=None, method="loop"):
    """Gradients of a linear recurrence: itself, run backwards (chapter 10).

    For ``h_t = a_t h_{t-1} + b_t`` and a loss whose gradient with respect
    to each ``h_t`` (directly, not through later states) is ``dH[:, t]``,
    the total gradient ``g_t = dL/dh_t`` obeys

        g_T = dH_T,    g_t = a_{t+1} g_{t+1} + dH_t,

    a linear recurrence from the last step back, computed by
    ``linear_recurrence`` on the reversed sequence (``method``: ``"loop"``
    or ``"scan"``).
    Then ``dL/db_t = g_t``, ``dL/da_t = g_t h_{t-1}`` and ``dL/dh_0 =
    a_1 g_1``. ``a``, ``H`` (the forward states), ``dH``:
    ``(batch, num_steps, state)``; ``h0`` as in ``linear_recurrence``.
    Returns ``(da, db, dh0)``.
    """
    a, H, h0 = _recurrence_inputs(a, H, h0, names=("a", "H"))
    dH = _same_shape(dH, "dH", a, "a")
    # The closed and log forms divide by, or take the log of, the coefficient
    # 0 that ends the backward sequence (nothing follows step T).
    method = checks.choice(method, "method", ("loop", "scan"))
    a_next = np.concatenate([a[:, 1:], np.zeros_like(a[:, :1])], axis=1)
    g = linear_recurrence(a_next[:, ::-1], dH[:, ::-1], method=method)[:, ::-1]
    H_prev = np.concatenate([h0[:, None], H[:, :-1]], axis=1)
    return g * H_prev, g, a[:, 0] * g[:, 0]


# ----------------------------------------------------------------------
# minGRU and minLSTM (Feng et al., 2024)


def g(x):
    """The paper's positive stand-in for the identity: ``x + 1/2`` or ``sigmoid(x)``.

    Introduced in chapter 10. ``g(x) = x + 0.5`` for ``x >= 0`` and
    ``sigmoid(x)`` below, continuous at 0 and always positive, so that
    minGRU's and minLSTM's states stay positive and the log-space scan
    applies.
    """
    x = np.asarray(x)
    return np.where(x >= 0, np.maximum(x, 0) + 0.5, _sigmoid(np.minimum(x, 0)))


def log_g(x):
    """``log g(x)``, without forming ``g(x)`` for negative ``x`` (chapter 10)."""
    x = np.asarray(x)
    return np.where(x >= 0, np.log(np.maximum(x, 0) + 0.5), -_softplus(-x))


def min_gru_forward(X, kernel, bias, h0=None, method="loop"):
    """minGRU's forward pass (Feng et al., 2024): ``(H, h_T)`` (chapter 10).

    Gates side by side as in Keras (update ``z``, candidate ``h~``),
    ``state`` columns each, both computed from ``x_t`` alone:

        z_t  = sigmoid(x_t @ kernel_z + bias_z)
        h~_t = g(x_t @ kernel_h + bias_h)
        h_t  = (1 - z_t) * h_{t-1} + z_t * h~_t

    a linear recurrence with ``a_t = 1 - z_t`` and ``b_t = z_t h~_t``, run by
    ``linear_recurrence(..., method)``; with ``method="log"`` the logarithms
    come straight from the pre-activations, as in the paper's code.
    ``X``: ``(batch, num_steps, input)``; ``kernel``: ``(input, 2 * state)``;
    ``bias``: ``(2 * state,)``; ``h0``: ``(batch, state)`` or ``(state,)``,
    zeros by default (``>= 0`` for ``"log"``). Returns ``H: (batch,
    num_steps, state)`` and ``h_T: (batch, state)``, float64.
    """
    X, kernel, bias, h0 = _min_inputs(2, X, kernel, bias, h0, method)
    k, pre_h = np.split(X @ kernel + bias, 2, axis=-1)
    if method == "log":
        log_a = -_softplus(k)  # log(1 - sigmoid(k))
        log_b = -_softplus(-k) + log_g(pre_h)  # log(sigmoid(k)) + log g(...)
        H = linear_recurrence_log(log_a, log_b, _log0(h0))
    else:
        z = _sigmoid(k)
        H = linear_recurrence(1.0 - z, z * g(pre_h), h0, method)
    return H, H[:, -1]


def min_lstm_forward(X, kernel, bias, h0=None, method="loop"):
    """minLSTM's forward pass (Feng et al., 2024): ``(H, h_T)`` (chapter 10).

    Gates side by side in Keras's LSTM order (input ``i``, forget ``f``,
    candidate ``h~``), ``state`` columns each, from ``x_t`` alone, and the
    two gates normalised to sum to 1:

        f_t, i_t = sigmoid(x_t @ kernel_f + bias_f), sigmoid(x_t @ kernel_i + bias_i)
        f'_t, i'_t = f_t / (f_t + i_t), i_t / (f_t + i_t)
        h_t = f'_t * h_{t-1} + i'_t * g(x_t @ kernel_h + bias_h)

    ``X``: ``(batch, num_steps, input)``; ``kernel``: ``(input, 3 * state)``;
    ``bias``: ``(3 * state,)``; ``h0`` as in ``min_gru_forward``. Returns
    ``(H, h_T)``, float64.
    """
    X, kernel, bias, h0 = _min_inputs(3, X, kernel, bias, h0, method)
    k_i, k_f, pre_h = np.split(X @ kernel + bias, 3, axis=-1)
    if method == "log":
        # log f' = -log(1 + i/f), and log(i/f) = softplus(-k_f) - softplus(-k_i).
        diff = _softplus(-k_f) - _softplus(-k_i)
        log_a, log_i = -_softplus(diff), -_softplus(-diff)
        H = linear_recurrence_log(log_a, log_i + log_g(pre_h), _log0(h0))
    else:
        i, f = _sigmoid(k_i), _sigmoid(k_f)
        H = linear_recurrence(f / (f + i), i / (f + i) * g(pre_h), h0, method)
    return H, H[:, -1]


def min_rnn_parameters(kind, input_size, state_size):
    """Weights of one layer: ``"minGRU"``, ``"minLSTM"``, ``"GRU"`` or ``"LSTM"``.

    Introduced in chapter 10. Keras's layouts: a GRU has three blocks of
    input and recurrent weights and two bias rows (``reset_after=True``), an
    LSTM four blocks and one bias; minGRU two blocks and minLSTM three, with
    no recurrent weights at all.
    """
    kind = checks.choice(kind, "kind", ("minGRU", "minLSTM", "GRU", "LSTM"))
    d = checks.integer(input_size, "input_size", minimum=1)
    n = checks.integer(state_size, "state_size", minimum=1)
    return {
        "minGRU": 2 * (d * n + n),
        "minLSTM": 3 * (d * n + n),
        "GRU": 3 * (d * n + n * n + 2 * n),
        "LSTM": 4 * (d * n + n * n + n),
    }[kind]


def sequential_depth(num_steps, method, chunk=None):
    """Steps in a row and elementwise work of one scan form, per state unit.

    Introduced in chapter 10. Counts, for ``num_steps = T``: ``"loop"``
    ``T`` steps of one multiply-add; ``"scan"`` (Hillis-Steele)
    ``ceil(log2 T)`` rounds of ``T - d`` combines (3 operations each);
    ``"blelloch"`` ``2 log2 T`` rounds and about ``2 T`` combines;
    ``"chunked"``: a loop over ``chunk`` steps inside every chunk at once,
    one over the ``T / chunk`` chunk ends, and a last correction. Returns
    ``(depth, work)``: operations that must follow one another, and
    operations in all.
    """
    T = checks.integer(num_steps, "num_steps", minimum=1)
    method = checks.choice(method, "method", ("loop", "scan", "blelloch", "chunked"))
    if method == "loop":
        return T, 2 * T
    if method == "scan":
        rounds = scan_rounds(T)
        return max(len(rounds), 1), 3 * sum(len(pairs) for _, pairs in rounds)
    if method == "blelloch":
        levels = math.ceil(math.log2(T)) if T > 1 else 0
        size = 2**levels  # padded to a power of two
        return 2 * levels, 3 * 2 * (size - 1)
    chunk = checks.integer(
        chunk if chunk is not None else max(1, math.isqrt(T)), "chunk", minimum=1
    )
    chunks = math.ceil(T / chunk)
    # inside: chunk steps of a multiply-add and a running product; across:
    # chunks steps of one multiply-add; correction: one multiply-add.
    return chunk + chunks + 1, 4 * chunks * chunk + 2 * chunks + 2 * T


# ----------------------------------------------------------------------
# checks and small functions


def _sigmoid(x):
    # Two branches, so that exp never overflows.
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _softplus(x):
    """``log(1 + exp(x))`` without overflow."""
    return np.logaddexp(0.0, x)


def _log0(h0):
    """``log h0``, with ``log 0 = -inf`` (a zero state contributes nothing)."""
    with np.errstate(divide="ignore"):
        return np.log(h0)


def _same_shape(value, name, like, like_name, finite=True):
    arr = checks.array(value, name, finite=finite)
    if arr.shape != like.shape:
        raise ValueError(
            f"{name} must have the shape of {like_name}, {like.shape}, got {arr.shape}"
        )
    return arr.astype(float, copy=False)


def _recurrence_inputs(a, b, h0, names=("a", "b")):
    """``a``, ``b`` as float64 ``(batch, num_steps, state)`` and ``h0`` as rows."""
    a = checks.array(a, names[0], shape=("batch", "num_steps", "state"))
    b = _same_shape(b, names[1], a, names[0])
    batch, _, n = a.shape
    h0 = checks.state(h0, "h0", batch=batch, state_size=n)
    return a.astype(float, copy=False), b, h0


def _min_inputs(blocks, X, kernel, bias, h0, method):
    """The inputs of minGRU (2 blocks) or minLSTM (3 blocks), checked, float64."""
    method = checks.choice(method, "method", METHODS)
    X = checks.array(X, "X", shape=("batch", "num_steps", "input"), dtype=float)
    kernel = checks.array(kernel, "kernel", ndim=2, dtype=float)
    bias = checks.array(bias, "bias", ndim=1, dtype=float)
    n = kernel.shape[1] // blocks
    words = f"{blocks} blocks of state columns side by side"
    if kernel.shape != (X.shape[2], blocks * n) or n == 0:
        raise ValueError(
            f"kernel must have shape ({X.shape[2]}, {blocks} * state) ({words}), "
            f"got {kernel.shape}"
        )
    if bias.shape != (blocks * n,):
        raise ValueError(f"bias must have shape ({blocks * n},), got {bias.shape}")
    h0 = checks.state(h0, "h0", batch=X.shape[0], state_size=n)
    if method == "log" and np.any(h0 < 0):
        raise ValueError(f'method="log" needs h0 >= 0, got min(h0) = {h0.min():.3g}')
    return X, kernel, bias, h0
