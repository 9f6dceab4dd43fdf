"""rnnlib.lessons.lstm_gates against independent references: cell.step, cell.step_backward, finite differences."""

import numpy as np
import pytest

import rnnlib
from rnnlib.core.models import Regressor
from rnnlib.lessons import gradients, long_range, lstm_gates, tasks


@pytest.fixture
def step_case():
    rng = np.random.default_rng(7)
    cell = rnnlib.LSTMCell(input_size=3, hidden_size=5, forget_bias=0.5, seed=7)
    return cell, rng.normal(size=(4, 10)), rng.normal(size=(4, 3)), rng.normal(size=(4, 10))


def test_step_parts_agree_with_cell_step(step_case):
    cell, s_prev, x, _ = step_case
    parts = lstm_gates.lstm_step_parts(cell, s_prev, x)
    # The written-out equations give cell.step's state, and the gates lie in their ranges.
    assert np.allclose(np.concatenate([parts.c, parts.h], axis=1), cell.step(s_prev, x), rtol=0, atol=1e-12)
    assert all(np.all((0 < a) & (a < 1)) for a in (parts.i, parts.f, parts.o))
    assert np.all(np.abs(parts.c_tilde) < 1)


def test_memory_backward_agrees_with_step_backward_and_finite_differences(step_case):
    cell, s_prev, x, ds = step_case
    H = cell.hidden_size
    _, cache = cell.step_forward(s_prev, x)
    ds_prev, _, _ = cell.step_backward(ds, cache)
    dc_prev = lstm_gates.memory_backward(cell, s_prev, x, ds)
    assert np.allclose(dc_prev, ds_prev[:, :H], rtol=0, atol=1e-12)
    # Centred differences of L = sum(ds * s_t) with respect to one entry of c_{t-1}.
    eps = 1e-6
    for b, u in ((0, 0), (3, 4)):
        plus, minus = s_prev.copy(), s_prev.copy()
        plus[b, u] += eps
        minus[b, u] -= eps
        numeric = (np.sum(ds * cell.step(plus, x)) - np.sum(ds * cell.step(minus, x))) / (2 * eps)
        assert abs(numeric - dc_prev[b, u]) < 1e-7


def test_parameter_count():
    assert lstm_gates.parameter_count(rnnlib.LSTMCell(2, 32, seed=0)) == 4 * 32 * (2 + 32 + 1)
    assert lstm_gates.parameter_count(rnnlib.ElmanCell(2, 32, seed=0)) == 32 * (2 + 32 + 1)


def test_gradient_reach_is_bptt_normalised():
    cell = rnnlib.LSTMCell(2, 6, seed=1)
    xs = tasks.adding_problem(12, 3, seed=1).xs
    reach = gradients.gradient_reach(cell, xs=xs, seed=0)
    assert reach.norms.shape == (13, 3) and np.allclose(reach.norms[0], 1.0)
    # The same numbers from bptt directly, with the same dL/dy_T.
    rng = np.random.default_rng(0)
    dy = rng.normal(size=(3, 6))
    dy /= np.linalg.norm(dy, axis=1, keepdims=True)
    d_outputs = np.zeros((12, 3, 6))
    d_outputs[-1] = dy
    norms = np.linalg.norm(rnnlib.bptt(cell, rnnlib.unroll(cell, xs), d_outputs).states, axis=-1)[::-1]
    assert np.allclose(reach.norms, norms / norms[0])


def test_forget_bias_sets_how_far_the_gradient_reaches():
    # With forget gates near 1 the memory path keeps the gradient; near 0.5 it vanishes.
    xs = tasks.adding_problem(40, 8, seed=2).xs
    far = {fb: np.median(gradients.gradient_reach(rnnlib.LSTMCell(2, 16, forget_bias=fb, seed=0), xs=xs).norms[40])
           for fb in (0.0, 3.0)}  # fmt: skip
    assert far[3.0] > 1e-2 > 1e-6 > far[0.0]


def test_gate_trace_matches_unroll():
    cell = rnnlib.LSTMCell(2, 4, seed=3)
    xs = tasks.adding_problem(9, 3, seed=3).xs
    trace = lstm_gates.gate_trace(cell, xs, b=2)
    run = rnnlib.unroll(cell, xs)
    assert np.allclose(trace.c, run.states[:, 2, :4]) and np.allclose(trace.h, run.states[:, 2, 4:])
    for t in range(1, 10):  # every step's gates are those of the written-out step
        parts = lstm_gates.lstm_step_parts(cell, run.states[t - 1, 2:3], xs[t - 1, 2:3])
        assert np.allclose(trace.f[t - 1], parts.f[0]) and np.allclose(trace.i[t - 1], parts.i[0])
        assert np.allclose(trace.c_tilde[t - 1], parts.c_tilde[0]) and np.allclose(trace.o[t - 1], parts.o[0])
    with pytest.raises(ValueError, match="b must be"):
        lstm_gates.gate_trace(cell, xs, b=3)
    with pytest.raises(ValueError, match="LSTMCell"):
        lstm_gates.gate_trace(rnnlib.ElmanCell(2, 4, seed=0), xs)


def test_adding_view():
    cell, head = long_range.make_model("lstm", 8, seed=0)
    batch = tasks.adding_problem(20, 5, seed=4)
    view = lstm_gates.adding_view(cell, head, batch, index=3)
    # The marked steps, the target and the answer are those of sequence 3.
    assert list(view.marked) == list(np.flatnonzero(batch.xs[:, 3, 1]) + 1)
    assert view.target == pytest.approx(batch.xs[view.marked - 1, 3, 0].sum())
    assert view.prediction == pytest.approx(Regressor(cell, head).predict(batch.xs)[3, 0])
    assert view.units.shape == (3,) and len(set(view.units)) == 3
    with pytest.raises(ValueError, match="index"):
        lstm_gates.adding_view(cell, head, batch, index=5)


# ---- the memory path, half by half ------------------------------------------------------


def test_memory_path_halves_are_bptts():
    cell = rnnlib.LSTMCell(2, 5, forget_bias=2.0, seed=4)
    xs = tasks.adding_problem(15, 4, seed=4).xs
    path = lstm_gates.memory_path(cell, xs, seed=1)
    # The same dL/dy_T as gradient_reach draws, so the two halves make up its totals.
    assert np.allclose(np.hypot(path.dc, path.dh), gradients.gradient_reach(cell, xs=xs, seed=1).norms)
    rng = np.random.default_rng(1)
    dy = rng.normal(size=(4, 5))
    dy /= np.linalg.norm(dy, axis=1, keepdims=True)
    run = rnnlib.unroll(cell, xs)
    states = rnnlib.bptt(cell, run, rnnlib.core.unroll.last_output_only(run, dy)).states
    assert np.allclose(path.dc, np.linalg.norm(states[::-1, :, :5], axis=-1))
    assert np.allclose(path.dh, np.linalg.norm(states[::-1, :, 5:], axis=-1))
    assert np.all(path.dc[0] == 0) and np.allclose(path.dh[0], 1.0)  # only y_T = h_T reaches the loss
    # The forget gates multiplied from the end: k = 2 is f_T * f_{T-1}, the gates of the last two steps.
    assert np.allclose(path.forget_product[2], run.caches[-1].f * run.caches[-2].f)
    assert np.allclose(path.dc[1], path.direct[1])  # one step back the memory line is the only path


def test_memory_path_is_the_direct_line_when_nothing_else_carries_the_gradient():
    # With W_s = 0 no gradient goes back through h_{t-1}: then dL/dc_t is exactly delta_c_T times the f gates.
    cell = rnnlib.LSTMCell(2, 6, forget_bias=1.0, seed=5)
    cell.params["W_s"][...] = 0.0
    path = lstm_gates.memory_path(cell, tasks.adding_problem(12, 3, seed=5).xs, seed=0)
    assert np.allclose(path.dc[1:], path.direct[1:], rtol=1e-12, atol=0)


# ---- what each unit does ----------------------------------------------------------------


def _adder(H=4, T=30):
    """A hand-made LSTM whose unit 0 adds the marked values (f = 1, i open at the marks only), and a head reading it."""
    cell, head = long_range.make_model("lstm", H, seed=0)
    p = cell.params
    p["W_x"][...] = 0.0
    p["W_s"][...] = 0.0
    p["b"][...] = 0.0
    i, f, c, o = (slice(k * H, (k + 1) * H) for k in range(4))
    p["b"][i] = -12.0
    p["W_x"][1, i] = 24.0  # the marker opens the input gates
    p["W_x"][0, c] = 1.0  # the candidate is tanh(v_t)
    p["b"][f.start] = 30.0  # unit 0 forgets nothing; the other units have f = sigmoid(0) = 0.5
    p["b"][o] = 30.0
    head.params["W"][...] = 0.0
    head.params["W"][0, 0] = 1.0  # the answer reads unit 0 only
    return cell, head, tasks.adding_problem(T, 50, seed=6)


def test_unit_roles_of_a_hand_made_adder():
    cell, head, batch = _adder()
    roles = lstm_gates.unit_roles(cell, batch, head)
    assert roles.forget[0] == pytest.approx(1.0) and np.allclose(roles.forget[1:], 0.5)
    assert roles.time_constant[0] > 1e6 and np.allclose(roles.time_constant[1:], 2.0)
    assert roles.held[0] == pytest.approx(1.0) and np.all(roles.held[1:] < 1e-3)
    assert roles.answer_share[0] == pytest.approx(1.0) and np.allclose(roles.answer_share[1:], 0.0)
    assert np.allclose(roles.jump, roles.jump[0], atol=0.01)  # every unit writes tanh(v) at a mark
    assert lstm_gates.unit_roles(cell, batch).answer_share is None  # no head, no shares


def test_memory_units_puts_the_unit_that_holds_first():
    cell, head, batch = _adder()
    cell.params["W_x"][0, 2 * 4 + 3] = 3.0  # unit 3's candidate is tanh(3 v): it jumps most, and forgets
    assert list(lstm_gates.memory_units(cell, batch, k=2)) == [0, 3]
    assert lstm_gates.memory_units(cell, batch, k=3).shape == (3,)
