"""Every backward pass of rnnlib against centred finite differences, in float64.

The reference is `helpers.centred_diff`, a loop written here (not
rnnlib.numerical_gradient), applied to the forward pass alone. A backward
pass that is right agrees to about 1e-9; the tests demand 1e-7 for every
parameter, every input and the initial state, at fixed shapes (including
T = B = D = H = 1) and at shapes drawn by hypothesis.

relu has a kink at 0 where the derivative does not exist; a check with relu
first makes sure every pre-activation is at least 3e-3 away from 0, more
than the finite-difference steps (up to 2e-4 on one entry) can move it.
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers import (
    KINDS,
    centred_diff,
    elman_reference,
    gru_reference,
    lstm_reference,
    make_cell,
    output_of,
    pre_activations,
    random_problem,
    state_size,
)
from hypothesis import assume, given
from hypothesis import strategies as st

import rnnlib
from rnnlib import rel_error

TOL = 1e-7  # the largest relative error a correct backward pass may show
KINK = 3e-3  # relu pre-activations must be at least this far from 0

# (T, B, D, H): the degenerate sizes 1, and a few general ones
SHAPES = [(1, 1, 1, 1), (1, 2, 3, 2), (3, 1, 1, 1), (2, 3, 2, 4), (5, 2, 3, 3)]

sizes = st.fixed_dictionaries(
    {
        "T": st.integers(1, 5),
        "B": st.integers(1, 3),
        "D": st.integers(1, 4),
        "H": st.integers(1, 4),
        "seed": st.integers(0, 2**32 - 1),
    }
)


def kink_free(cell, xs, states) -> bool:
    """True unless the cell is a relu Elman cell with a pre-activation within KINK of 0."""
    if getattr(cell, "nonlinearity", None) != "relu":
        return True
    return bool(np.min(np.abs(pre_activations(cell, xs, states))) > KINK)


def linear_loss(cell, xs, s0, W) -> float:
    """L = sum(W * outputs) of a fresh unroll: the forward pass only."""
    return float(np.sum(W * rnnlib.unroll(cell, xs, s0).outputs))


# ---- forward: unroll computes the lecture's equations ---------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("shape", SHAPES)
def test_unroll_matches_the_equations(kind, shape):
    T, B, D, H = shape
    cell, xs, s0, _ = random_problem(kind, T, B, D, H, seed=1)
    run = rnnlib.unroll(cell, xs, s0)
    if kind == "lstm":
        ref = lstm_reference(cell.params, xs, s0)
    elif kind == "gru":
        ref = gru_reference(cell.params, xs, s0)
    else:
        ref = elman_reference(kind, cell.params, xs, s0)
    # states[t] is s_t of the equations written out independently in helpers.py
    assert rel_error(run.states, ref) <= 1e-13
    # the outputs are O(s_1..s_T): Elman y = s, LSTM y = h
    np.testing.assert_array_equal(run.outputs, output_of(kind, run.states[1:], H))
    # states[0] is s0 itself
    np.testing.assert_array_equal(run.states[0], s0)


# ---- unroll + bptt: every parameter, every input, s0 ----------------------------------------------------


def check_bptt(kind, T, B, D, H, seed, fixed: bool) -> None:
    cell, xs, s0, W = random_problem(kind, T, B, D, H, seed)
    run = rnnlib.unroll(cell, xs, s0)
    if fixed:
        # precondition: no relu pre-activation near its kink, where finite differences would be meaningless
        assert kink_free(cell, xs, run.states), "this seed puts a relu pre-activation at a kink; pick another"
    else:
        assume(kink_free(cell, xs, run.states))
    grads = rnnlib.bptt(cell, run, W)

    loss = lambda: linear_loss(cell, xs, s0, W)  # noqa: E731
    for name in cell.params:  # W_x, W_s, b (and the GRU's b_s)
        # dL/dW_x, dL/dW_s, dL/db from bptt are the finite-difference derivatives of the unrolled loss
        assert rel_error(grads.params[name], centred_diff(loss, cell.params[name])) <= TOL, name
    # dL/dx_t for every step
    assert rel_error(grads.xs, centred_diff(loss, xs)) <= TOL
    # dL/ds_0, the gradient that reaches the initial state through all T steps
    assert rel_error(grads.states[0], centred_diff(loss, s0)) <= TOL


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("shape", SHAPES)
def test_bptt_matches_finite_differences(kind, shape):
    check_bptt(kind, *shape, seed=2, fixed=True)


@pytest.mark.parametrize("kind", KINDS)
@given(n=sizes)
def test_bptt_matches_finite_differences_at_random_shapes(kind, n):
    check_bptt(kind, n["T"], n["B"], n["D"], n["H"], n["seed"], fixed=False)


# ---- grads.states[t] = dL/ds_t, the total derivative, at every t ----------------------------------------


def loss_from(cell, kind, xs, W, t: int, s_t: np.ndarray) -> float:
    """The part of L = sum(W * outputs) that depends on s_t, as a function of s_t.

    y_1..y_{t-1} are computed before s_t and do not depend on it; y_t = O(s_t)
    does, and so does every later output, through the unroll of x_{t+1}..x_T
    from s_t. (s_0 has no output of its own.)
    """
    T, H = xs.shape[0], cell.hidden_size
    L = 0.0
    if t >= 1:
        L += float(np.sum(W[t - 1] * output_of(kind, s_t, H)))
    if t < T:
        L += float(np.sum(W[t:] * rnnlib.unroll(cell, xs[t:], s_t).outputs))
    return L


def check_state_gradients(kind, T, B, D, H, seed, fixed: bool) -> None:
    cell, xs, s0, W = random_problem(kind, T, B, D, H, seed)
    run = rnnlib.unroll(cell, xs, s0)
    if fixed:
        # precondition: no relu pre-activation near its kink, where finite differences would be meaningless
        assert kink_free(cell, xs, run.states), "this seed puts a relu pre-activation at a kink; pick another"
    else:
        assume(kink_free(cell, xs, run.states))
    grads = rnnlib.bptt(cell, run, W)
    # the gradient has one state per time step, s_0..s_T
    assert grads.states.shape == (T + 1, B, state_size(kind, H))
    for t in range(T + 1):
        s_t = run.states[t].copy()
        fd = centred_diff(lambda: loss_from(cell, kind, xs, W, t, s_t), s_t)  # noqa: B023
        # grads.states[t] is the total derivative dL/ds_t: through y_t and through every later step
        assert rel_error(grads.states[t], fd) <= TOL, f"t = {t}"


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("shape", SHAPES)
def test_state_gradients_are_total_derivatives(kind, shape):
    check_state_gradients(kind, *shape, seed=3, fixed=True)


@pytest.mark.parametrize("kind", KINDS)
@given(n=sizes)
def test_state_gradients_at_random_shapes(kind, n):
    check_state_gradients(kind, n["T"], n["B"], n["D"], n["H"], n["seed"], fixed=False)


# ---- truncated bptt: the gradient of the cut graph -------------------------------------------------------


def chunks(T: int, k: int) -> list[tuple[int, int]]:
    """The chunks of bptt(truncate=k) as (a, b): steps a+1..b, from the state s_a."""
    return [(a, min(a + k, T)) for a in range(0, T, k)]


def check_truncated(kind, T, B, D, H, k, seed, fixed: bool) -> None:
    """Compare bptt(truncate=k) with the gradient of the cut graph, built by finite differences.

    In the cut graph each chunk a+1..b is unrolled from its start state s_a
    (taken from the full run, with the real parameters) held constant; the
    gradient of the whole is the sum over chunks of each chunk's own gradient.
    """
    cell, xs, s0, W = random_problem(kind, T, B, D, H, seed)
    run = rnnlib.unroll(cell, xs, s0)
    if fixed:
        # precondition: no relu pre-activation near its kink, where finite differences would be meaningless
        assert kink_free(cell, xs, run.states), "this seed puts a relu pre-activation at a kink; pick another"
    else:
        assume(kink_free(cell, xs, run.states))
    grads = rnnlib.bptt(cell, run, W, truncate=k)
    S = run.states.copy()  # the constant start states of the chunks

    def chunk_loss(a, b):
        return float(np.sum(W[a:b] * rnnlib.unroll(cell, xs[a:b], S[a]).outputs))

    ref_params = {name: np.zeros_like(p) for name, p in cell.params.items()}
    ref_xs = np.zeros_like(xs)
    for a, b in chunks(T, k):
        for name, p in cell.params.items():
            ref_params[name] += centred_diff(lambda: chunk_loss(a, b), p)  # noqa: B023
        ref_xs[a:b] = centred_diff(lambda: chunk_loss(a, b), xs[a:b])  # noqa: B023
    for name in ref_params:
        # parameter gradients are the sum over chunks of each chunk's gradient, with the cut states constant
        assert rel_error(grads.params[name], ref_params[name]) <= TOL, name
    # an input only reaches the loss of its own chunk
    assert rel_error(grads.xs, ref_xs) <= TOL

    for t in range(T + 1):
        a = 0 if t == 0 else (t - 1) // k * k  # the chunk a+1..b that step t belongs to (s_0 starts chunk 0)
        b = min(a + k, T)
        s_t = S[t].copy()

        def loss_of_s(t=t, a=a, b=b, s_t=s_t):
            L = float(np.sum(W[t - 1] * output_of(kind, s_t, H))) if t >= 1 else 0.0
            if t < b:
                L += float(np.sum(W[t:b] * rnnlib.unroll(cell, xs[t:b], s_t).outputs))
            return L

        # grads.states[t] reaches s_t only from inside its chunk: at a cut t = b it is y_t's share alone
        assert rel_error(grads.states[t], centred_diff(loss_of_s, s_t)) <= TOL, f"t = {t}"


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("T, k", [(1, 1), (4, 1), (5, 2), (6, 3), (5, 5), (3, 7)])
def test_truncated_bptt_is_the_gradient_of_the_cut_graph(kind, T, k):
    check_truncated(kind, T, 2, 3, 2, k, seed=4, fixed=True)


@pytest.mark.parametrize("kind", ["tanh", "lstm"])
@given(n=sizes, k=st.integers(1, 6))
def test_truncated_bptt_at_random_shapes(kind, n, k):
    check_truncated(kind, n["T"], n["B"], n["D"], n["H"], k, n["seed"], fixed=False)


@pytest.mark.parametrize("kind", KINDS)
def test_truncation_at_least_T_changes_nothing(kind):
    cell, xs, s0, W = random_problem(kind, 5, 2, 3, 2, seed=5)
    run = rnnlib.unroll(cell, xs, s0)
    full = rnnlib.bptt(cell, run, W)
    for k in (5, 6, 100):
        cut = rnnlib.bptt(cell, run, W, truncate=k)
        for name in full.params:
            # with no cut inside the sequence, the parameter gradients are bitwise those of full bptt
            np.testing.assert_array_equal(cut.params[name], full.params[name])
        # so are the input gradients
        np.testing.assert_array_equal(cut.xs, full.xs)
        # and the state gradients at every t
        np.testing.assert_array_equal(cut.states, full.states)


@pytest.mark.parametrize("kind", KINDS)
def test_truncate_1_keeps_only_each_outputs_own_share(kind):
    cell, xs, s0, W = random_problem(kind, 4, 2, 3, 2, seed=6)
    H = cell.hidden_size
    run = rnnlib.unroll(cell, xs, s0)
    grads = rnnlib.bptt(cell, run, W, truncate=1)
    for t in range(1, 5):
        own = np.zeros_like(grads.states[t])
        own[..., -H:] = W[t - 1]  # dy_t/ds_t picks the h part (all of s for Elman)
        # with chunks of one step, s_t (t >= 1) gets its gradient from y_t alone
        np.testing.assert_array_equal(grads.states[t], own)


# ---- one step: step_backward and output_backward ---------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("B, D, H", [(1, 1, 1), (2, 3, 2), (3, 2, 4)])
def test_step_backward_matches_finite_differences(kind, B, D, H):
    cell, _, _, _ = random_problem(kind, 1, B, D, H, seed=7)
    rng = np.random.default_rng(70)
    s_prev = rng.normal(size=(B, state_size(kind, H)))
    x = rng.normal(size=(B, D))
    W = rng.normal(size=(B, state_size(kind, H)))  # L = sum(W * s_t), so ds_t = W
    s, cache = cell.step_forward(s_prev, x)
    if kind == "relu":
        z = x @ cell.params["W_x"] + s_prev @ cell.params["W_s"] + cell.params["b"]
        # precondition: no relu pre-activation near its kink
        assert np.min(np.abs(z)) > KINK, "this seed puts a relu pre-activation at a kink; pick another"
    ds_prev, dx, dparams = cell.step_backward(W, cache)

    loss = lambda: float(np.sum(W * cell.step(s_prev, x)))  # noqa: E731
    # dL/ds_{t-1} through one step
    assert rel_error(ds_prev, centred_diff(loss, s_prev)) <= TOL
    # dL/dx_t through one step
    assert rel_error(dx, centred_diff(loss, x)) <= TOL
    for name in cell.params:
        # the parameters' gradients through this one step
        assert rel_error(dparams[name], centred_diff(loss, cell.params[name])) <= TOL, name


@pytest.mark.parametrize("kind", KINDS)
def test_output_backward_matches_finite_differences(kind):
    H = 3
    cell = make_cell(kind, 2, H)
    rng = np.random.default_rng(8)
    s = rng.normal(size=(4, 2, state_size(kind, H)))
    W = rng.normal(size=(4, 2, H))
    ds = cell.output_backward(W)
    # dL/ds from dL/dy for L = sum(W * O(s)): O reads a part of the state, and its backward puts dy there
    assert rel_error(ds, centred_diff(lambda: np.sum(W * cell.output(s)), s)) <= TOL
    # the LSTM's memory c is not an output: it gets no gradient from y
    assert ds.shape == s.shape and (kind != "lstm" or not np.any(ds[..., :H]))


# ---- a real loss: RNN -> Affine -> softmax cross-entropy or MSE ------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("loss_name", ["cross_entropy", "mse"])
def test_bptt_through_an_affine_layer_and_a_loss(kind, loss_name):
    T, B, D, H, K = 4, 3, 2, 3, 5
    cell, xs, s0, _ = random_problem(kind, T, B, D, H, seed=9)
    rng = np.random.default_rng(90)
    head = rnnlib.Affine(H, K, seed=9)
    head.params["b"][...] = rng.normal(size=K)
    mask = rng.random((T, B)) < 0.7
    mask[0, 0] = True
    if loss_name == "cross_entropy":
        targets = rng.integers(0, K, size=(T, B))
        loss_fn, loss_bwd = rnnlib.softmax_cross_entropy, rnnlib.softmax_cross_entropy_backward
    else:
        targets = rng.normal(size=(T, B, K))
        mask = np.broadcast_to(mask[..., None], (T, B, K))
        loss_fn, loss_bwd = rnnlib.mse, rnnlib.mse_backward

    def loss():
        logits, _ = head.forward(rnnlib.unroll(cell, xs, s0).outputs)
        return loss_fn(logits, targets, mask)

    run = rnnlib.unroll(cell, xs, s0)
    # precondition: no relu pre-activation near its kink, where finite differences would be meaningless
    assert kink_free(cell, xs, run.states), "this seed puts a relu pre-activation at a kink; pick another"
    logits, cache = head.forward(run.outputs)
    d_outputs, d_head = head.backward(loss_bwd(logits, targets, mask), cache)
    grads = rnnlib.bptt(cell, run, d_outputs)
    for name in ("W", "b"):
        # the output layer's gradients, chained from the loss's backward
        assert rel_error(d_head[name], centred_diff(loss, head.params[name])) <= TOL, name
    for name in cell.params:
        # the cell's gradients, chained loss -> Affine -> bptt
        assert rel_error(grads.params[name], centred_diff(loss, cell.params[name])) <= TOL, name
    # the inputs' and the initial state's gradients through the whole model
    assert rel_error(grads.xs, centred_diff(loss, xs)) <= TOL
    # dL/ds_0 through the whole model
    assert rel_error(grads.states[0], centred_diff(loss, s0)) <= TOL


# ---- the layer and the losses on their own ---------------------------------------------------------------


@pytest.mark.parametrize("lead", [(1,), (4,), (3, 2)])
def test_affine_backward_matches_finite_differences(lead):
    rng = np.random.default_rng(10)
    layer = rnnlib.Affine(3, 4, seed=10)
    layer.params["b"][...] = rng.normal(size=4)
    x = rng.normal(size=lead + (3,))
    W = rng.normal(size=lead + (4,))
    y, cache = layer.forward(x)
    # forward is x W + b
    np.testing.assert_allclose(y, x @ layer.params["W"] + layer.params["b"], rtol=1e-14)
    dx, dparams = layer.backward(W, cache)
    loss = lambda: float(np.sum(W * layer.forward(x)[0]))  # noqa: E731
    # dL/dx, dL/dW, dL/db of L = sum(W * (x W + b)), over any leading dimensions
    assert rel_error(dx, centred_diff(loss, x)) <= TOL
    # dL/dW summed over every leading position
    assert rel_error(dparams["W"], centred_diff(loss, layer.params["W"])) <= TOL
    # dL/db likewise
    assert rel_error(dparams["b"], centred_diff(loss, layer.params["b"])) <= TOL


@pytest.mark.parametrize("lead", [(1,), (5,), (3, 2)])
@pytest.mark.parametrize("masked", [False, True])
def test_cross_entropy_backward_matches_finite_differences(lead, masked):
    rng = np.random.default_rng(11)
    K = 4
    logits = rng.normal(0.0, 2.0, size=lead + (K,))
    targets = rng.integers(0, K, size=lead)
    mask = None
    if masked:
        mask = rng.random(lead) < 0.5
        mask.flat[0] = True
    d = rnnlib.softmax_cross_entropy_backward(logits, targets, mask)
    fd = centred_diff(lambda: rnnlib.softmax_cross_entropy(logits, targets, mask), logits)
    # dL/dlogits = (softmax - onehot) / N, zero where masked out
    assert rel_error(d, fd) <= TOL
    # the loss itself is the mean of -log softmax[target] over the selected positions
    z = logits - logits.max(axis=-1, keepdims=True)
    nll = np.log(np.exp(z).sum(axis=-1)) - np.take_along_axis(z, targets[..., None], axis=-1)[..., 0]
    m = np.ones(lead, dtype=bool) if mask is None else mask
    # the loss is the mean of -log softmax[target] over the selected positions, computed here independently
    assert rnnlib.softmax_cross_entropy(logits, targets, mask) == pytest.approx(nll[m].mean(), rel=1e-13)


@pytest.mark.parametrize("shape", [(1,), (5,), (3, 2, 2)])
@pytest.mark.parametrize("masked", [False, True])
def test_mse_backward_matches_finite_differences(shape, masked):
    rng = np.random.default_rng(12)
    pred, target = rng.normal(size=shape), rng.normal(size=shape)
    mask = None
    if masked:
        mask = rng.random(shape) < 0.5
        mask.flat[0] = True
    d = rnnlib.mse_backward(pred, target, mask)
    # dL/dpred = 2 (pred - target) / N, zero where masked out
    assert rel_error(d, centred_diff(lambda: rnnlib.mse(pred, target, mask), pred)) <= TOL
    m = np.ones(shape, dtype=bool) if mask is None else mask
    # the loss itself is the mean squared error over the selected entries
    assert rnnlib.mse(pred, target, mask) == pytest.approx(np.mean((pred - target)[m] ** 2), rel=1e-13)


# ---- rnnlib's own gradient checker ---------------------------------------------------------------------


def test_numerical_gradient_agrees_with_the_independent_loop_and_restores_x():
    rng = np.random.default_rng(13)
    x = rng.normal(size=(3, 2))
    before = x.copy()
    f = lambda v: float(np.sum(np.sin(v) * v))  # noqa: E731
    g = rnnlib.numerical_gradient(f, x)
    exact = np.sin(x) + x * np.cos(x)
    # the library's checker gives the analytic gradient sin(x) + x cos(x) to its documented ~1e-8
    assert rel_error(g, exact) <= 1e-8
    # ... and so does the test's own reference, closer still
    assert rel_error(centred_diff(lambda: f(x), x), exact) <= 1e-10
    # x is restored bitwise after the check
    np.testing.assert_array_equal(x, before)
    # rel_error is 0 for equal arrays and 2 for opposite ones (|a - b| is twice the largest entry)
    assert rnnlib.rel_error(x, x) == 0.0 and rnnlib.rel_error(x, -x) == 2.0
