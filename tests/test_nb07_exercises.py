"""The checkers of notebook 7: rnnlib's answers pass, typical wrong answers fail with a useful message."""

import numpy as np
import pytest

import rnnlib
from rnnlib import sigmoid
from rnnlib.exercises import nb07
from rnnlib.lessons import lstm_gates


def first_fail(report):
    assert not report.passed
    return next(line for line in report.lines if "FAIL" in line)


def step_with(cell, s_prev, x, order=(0, 1, 2, 3), read="h", tanh_c=True, bias=True, g_act=np.tanh, keep="f"):
    """One LSTM step written here, with one slip switched on at a time (the defaults are right)."""
    H = cell.hidden_size
    c_prev, h_prev = s_prev[:, :H], s_prev[:, H:]
    z = x @ cell.params["W_x"] + (h_prev if read == "h" else c_prev) @ cell.params["W_s"]
    if bias:
        z = z + cell.params["b"]
    blocks = [z[:, j * H : (j + 1) * H] for j in order]
    i, f, g, o = sigmoid(blocks[0]), sigmoid(blocks[1]), g_act(blocks[2]), sigmoid(blocks[3])
    c = (f if keep == "f" else 1 - f) * c_prev + i * g
    h = o * (np.tanh(c) if tanh_c else c)
    return np.concatenate([c, h], axis=1)


# ---- one step --------------------------------------------------------------------------


def test_lstm_step_reference_passes():
    # The notebook's reference (written out equation by equation) and an independent one both pass.
    assert nb07.check_lstm_step(
        lambda cell, s, x: np.concatenate([(p := lstm_gates.lstm_step_parts(cell, s, x)).c, p.h], 1)
    ).passed
    report = nb07.check_lstm_step(step_with)
    assert report.passed and "all checks passed" in str(report)


@pytest.mark.parametrize(
    "wrong, message",
    [
        (lambda cell, s, x: step_with(cell, s, x, order=(0, 1, 3, 2)), "PyTorch's order"),
        (lambda cell, s, x: step_with(cell, s, x, order=(1, 0, 2, 3)), "PyTorch's order"),
        (lambda cell, s, x: step_with(cell, s, x, read="c"), "h_{t-1}"),
        (lambda cell, s, x: step_with(cell, s, x, tanh_c=False), "through tanh"),
        (lambda cell, s, x: step_with(cell, s, x, bias=False), "b is missing"),
        (lambda cell, s, x: step_with(cell, s, x, g_act=sigmoid), "uses tanh"),
        (lambda cell, s, x: step_with(cell, s, x, keep="1-f"), "not 1 - f_t"),
        (lambda cell, s, x: step_with(cell, s, x)[:, ::-1], "largest difference"),
        (lambda cell, s, x: np.zeros(3), "shape"),
    ],
)
def test_lstm_step_wrong_answers_are_explained(wrong, message):
    assert message in first_fail(nb07.check_lstm_step(wrong))


def test_lstm_step_swapped_halves_are_explained():
    def swapped(cell, s, x):
        H = cell.hidden_size
        right = step_with(cell, s, x)
        return np.concatenate([right[:, H:], right[:, :H]], axis=1)

    assert "[c_t, h_t] in that order" in first_fail(nb07.check_lstm_step(swapped))


def test_a_checker_survives_an_answer_that_raises():
    def unfinished(cell, s, x):
        raise NotImplementedError("your turn")

    assert "NotImplementedError: your turn" in first_fail(nb07.check_lstm_step(unfinished))


def test_checker_does_not_let_the_answer_change_its_inputs():
    # An answer that writes into s_prev must not spoil the next comparison: each call gets copies.
    def in_place(cell, s, x):
        out = step_with(cell, s, x)
        s[...] = 0
        return out

    assert nb07.check_lstm_step(in_place).passed


# ---- the memory path backward ------------------------------------------------------------


def memory_with(cell, s, x, ds, through_h=True, times_f=True, tanh_deriv="tanh"):
    H = cell.hidden_size
    p = lstm_gates.lstm_step_parts(cell, s, x)
    dc_t, dh_t = ds[:, :H], ds[:, H:]
    d = {"tanh": 1 - np.tanh(p.c) ** 2, "c": 1 - p.c**2, "none": 1.0}[tanh_deriv]
    dc = dc_t + (dh_t * p.o * d if through_h else 0)
    return dc * p.f if times_f else dc


def test_memory_backward_reference_passes():
    assert nb07.check_memory_backward(lstm_gates.memory_backward).passed
    assert nb07.check_memory_backward(memory_with).passed


@pytest.mark.parametrize(
    "wrong, message",
    [
        (lambda *a: memory_with(*a, through_h=False), "through h_t"),
        (lambda *a: memory_with(*a, times_f=False), "multiply by f_t"),
        (lambda *a: memory_with(*a, tanh_deriv="c"), "not 1 - c_t^2"),
        (lambda *a: memory_with(*a, tanh_deriv="none"), "derivative of tanh(c_t) is missing"),
        (lambda cell, s, x, ds: np.zeros((1, 1)), "shape"),
    ],
)
def test_memory_backward_wrong_answers_are_explained(wrong, message):
    assert message in first_fail(nb07.check_memory_backward(wrong))


# ---- the parameter count -----------------------------------------------------------------


def test_parameter_count_reference_passes():
    assert nb07.check_parameter_count(lambda D, H: 4 * H * (D + H + 1)).passed


@pytest.mark.parametrize(
    "wrong, message",
    [
        (lambda D, H: H * (D + H + 1), "Elman cell's count"),
        (lambda D, H: 4 * H * (D + H), "biases are missing"),
        (lambda D, H: 4 * H * (D + H + 2), "torch.nn.LSTM"),
        (lambda D, H: 4 * H * (D + 2 * H + 1), "not the whole state"),
        (lambda D, H: "many", "whole number"),
        (lambda D, H: 7, "expected"),
    ],
)
def test_parameter_count_wrong_answers_are_explained(wrong, message):
    assert message in first_fail(nb07.check_parameter_count(wrong))


def test_solution_prints_the_reference(capsys):
    for name in ("lstm_step", "memory_backward", "step_backward", "parameter_count"):
        nb07.solution(name)
        assert "def " in capsys.readouterr().out
    with pytest.raises(ValueError, match="must be one of"):
        nb07.solution("nope")


# ---- the whole backward of one step ------------------------------------------------------


def backward_with(ds, cache, params, through_h=True, with_o=True, candidate="tanh", W_s="transposed", dW_s="h"):
    """One LSTM step's backward written here, with one slip switched on at a time (the defaults are right)."""
    i, f, c_tilde, o = cache.parts.i, cache.parts.f, cache.parts.c_tilde, cache.parts.o
    c_prev, c = cache.parts.c_prev, cache.parts.c
    H = c.shape[1]
    dc_t, dh_t = ds[:, :H], ds[:, H:]
    dtanh = 1 - np.tanh(c) ** 2
    dc = dc_t + (dh_t * (o if with_o else 1.0) * dtanh if through_h else 0.0)
    d_candidate = 1 - c_tilde**2 if candidate == "tanh" else c_tilde * (1 - c_tilde)
    dz_i = dc * c_tilde * i * (1 - i)
    dz_f = dc * c_prev * f * (1 - f)
    dz_c = dc * i * d_candidate
    dz_o = dh_t * np.tanh(c) * o * (1 - o)
    dz = np.hstack([dz_i, dz_f, dz_c, dz_o])
    Ws = params["W_s"].T if W_s == "transposed" else params["W_s"]
    ds_prev = np.hstack([dc * f, dz @ Ws])
    h_prev = cache.s_prev[:, H:]
    grads = {"W_x": cache.x.T @ dz, "W_s": h_prev.T @ dz if dW_s == "h" else dz.T @ h_prev, "b": dz.sum(axis=0)}
    return ds_prev, dz @ params["W_x"].T, grads


def test_step_backward_reference_passes():
    # The shown solution and an independent one both equal LSTMCell.step_backward and the finite differences.
    for answer in (nb07.lstm_step_backward, backward_with):
        report = nb07.check_step_backward(answer)
        assert report.passed, str(report)
        assert "finite differences agree to" in str(report)


def test_step_backward_solution_is_cell_step_backward():
    # The shown solution is rnnlib's own backward written out: the same numbers, to round-off.
    cell = rnnlib.LSTMCell(3, 4, seed=1)
    rng = np.random.default_rng(1)
    s_prev, x, ds = rng.normal(size=(2, 8)), rng.normal(size=(2, 3)), rng.normal(size=(2, 8))
    _, cache = cell.step_forward(s_prev, x)
    want = cell.step_backward(ds, cache)
    got = nb07.lstm_step_backward(ds, cache, cell.params)
    assert np.allclose(got[0], want[0], rtol=0, atol=1e-13) and np.allclose(got[1], want[1], rtol=0, atol=1e-13)
    assert all(np.allclose(got[2][k], want[2][k], rtol=0, atol=1e-13) for k in ("W_x", "W_s", "b"))


@pytest.mark.parametrize(
    "mistake, message",
    [
        # the four usual mistakes of the exercise
        ({"through_h": False}, "c_t also reaches L through h_t"),
        ({"with_o": False}, "o_t is missing"),
        ({"candidate": "sigmoid"}, "which is the sigmoid's"),
        ({"W_s": "as is"}, "without its transpose"),
        ({"dW_s": "transposed"}, "dW_s is transposed"),
    ],
)
def test_step_backward_mistakes_are_named(mistake, message):
    assert message in first_fail(nb07.check_step_backward(lambda ds, c, p: backward_with(ds, c, p, **mistake)))


def test_step_backward_a_wrong_answer_reports_its_distance_from_finite_differences():
    fail = first_fail(nb07.check_step_backward(lambda ds, c, p: backward_with(ds, c, p, with_o=False)))
    assert "relative error to finite differences" in fail


def test_step_backward_other_slips_and_bad_returns():
    def f_missing(ds, cache, params):
        ds_prev, dx, grads = backward_with(ds, cache, params)
        H = cache.parts.c.shape[1]
        dc = ds[:, :H] + ds[:, H:] * cache.parts.o * (1 - cache.parts.tanh_c**2)
        return np.hstack([dc, ds_prev[:, H:]]), dx, grads

    def not_summed(ds, cache, params):
        ds_prev, dx, grads = backward_with(ds, cache, params)
        return ds_prev, dx, {**grads, "b": np.tile(grads["b"], (2, 1))}  # (2, 4H): not what a sum gives

    def two_things(ds, cache, params):
        return backward_with(ds, cache, params)[:2]

    def no_bias(ds, cache, params):
        ds_prev, dx, grads = backward_with(ds, cache, params)
        return ds_prev, dx, {"W_x": grads["W_x"], "W_s": grads["W_s"]}

    def unfinished(ds, cache, params):
        raise NotImplementedError("your turn")

    assert "back through f_t" in first_fail(nb07.check_step_backward(f_missing))
    assert "expected shape (16,)" in first_fail(nb07.check_step_backward(not_summed))
    assert "expected (ds_prev, dx, dparams)" in first_fail(nb07.check_step_backward(two_things))
    assert "no entry" in first_fail(nb07.check_step_backward(no_bias))
    assert "NotImplementedError: your turn" in first_fail(nb07.check_step_backward(unfinished))


def test_step_backward_checker_gives_the_answer_copies():
    # An answer that overwrites its inputs must not spoil the comparisons that follow.
    def in_place(ds, cache, params):
        out = backward_with(ds, cache, params)
        ds[...] = 0
        cache.parts.f[...] = 0
        params["W_s"][...] = 0
        return out

    assert nb07.check_step_backward(in_place).passed
