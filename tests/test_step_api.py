"""The one-step API and the shapes of the contract.

cell.step applied T times is unroll; step_backward chained from t = T down
to 1 is bptt (with truncation: the chain cut where bptt cuts it). And every
array has the shape and layout DESIGN.md promises.
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers import KINDS, make_cell, output_of, random_problem

import rnnlib
from rnnlib import rel_error

EXACT = 1e-13  # the same arithmetic, possibly grouped differently (one product over all steps vs one per step)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("shape", [(1, 1, 1, 1), (6, 3, 2, 4)])
def test_stepping_T_times_reproduces_unroll(kind, shape):
    T, B, D, H = shape
    cell, xs, s0, _ = random_problem(kind, T, B, D, H, seed=40)
    run = rnnlib.unroll(cell, xs, s0)
    s = s0
    for t in range(1, T + 1):
        s = cell.step(s, xs[t - 1])
        # s_t = R(s_{t-1}, x_t) one step at a time is unroll's states[t]
        assert rel_error(s, run.states[t]) <= EXACT, f"t = {t}"
        # and O(s_t) is unroll's outputs[t-1]
        assert rel_error(cell.output(s), run.outputs[t - 1]) <= EXACT


def chained_backward(cell, xs, s0, d_outputs, truncate=None):
    """bptt written as a loop over step_forward / step_backward, as in the lecture."""
    T = len(xs)
    caches, s = [], s0
    for t in range(1, T + 1):
        s, cache = cell.step_forward(s, xs[t - 1])
        caches.append(cache)
    d_states = np.zeros((T + 1,) + s0.shape)
    d_xs = np.zeros_like(xs)
    d_params = {k: np.zeros_like(v) for k, v in cell.params.items()}
    ds_next = np.zeros_like(s0)  # dL/ds_t arriving from step t+1
    for t in range(T, 0, -1):
        d_states[t] = cell.output_backward(d_outputs[t - 1]) + ds_next
        ds_prev, d_xs[t - 1], dp = cell.step_backward(d_states[t], caches[t - 1])
        for k in d_params:
            d_params[k] += dp[k]
        cut = truncate is not None and (t - 1) > 0 and (t - 1) % truncate == 0
        ds_next = np.zeros_like(ds_prev) if cut else ds_prev
    d_states[0] = ds_next
    return d_states, d_xs, d_params


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("truncate", [None, 1, 2, 4])
def test_chained_step_backward_equals_bptt(kind, truncate):
    cell, xs, s0, W = random_problem(kind, 7, 3, 2, 4, seed=41)
    grads = rnnlib.bptt(cell, rnnlib.unroll(cell, xs, s0), W, truncate=truncate)
    d_states, d_xs, d_params = chained_backward(cell, xs, s0, W, truncate)
    # dL/ds_t from the chain of single steps is bptt's at every t
    assert rel_error(grads.states, d_states) <= EXACT
    # dL/dx_t likewise
    assert rel_error(grads.xs, d_xs) <= EXACT
    for k in d_params:
        # the parameters' gradients are the sums of every step's share
        assert rel_error(grads.params[k], d_params[k]) <= EXACT, k


@pytest.mark.parametrize("kind", KINDS)
def test_the_shapes_of_the_contract(kind):
    T, B, D, H = 5, 3, 2, 4
    cell, xs, s0, W = random_problem(kind, T, B, D, H, seed=42)
    G = {"lstm": 4 * H, "gru": 3 * H}.get(kind, H)
    S = 2 * H if kind == "lstm" else H
    # params: W_x (D, G), W_s (H, G), b (G,), with G = 4H for the LSTM (blocks i, f, c~, o), 3H for the GRU
    # (blocks r, z, n), which also has the recurrent-side bias b_s (G,)
    expected = {"W_x": (D, G), "W_s": (H, G), "b": (G,)} | ({"b_s": (G,)} if kind == "gru" else {})
    assert {k: v.shape for k, v in cell.params.items()} == expected
    # state size: Elman and GRU H, LSTM 2H
    assert cell.state_size == S and cell.hidden_size == H and cell.input_size == D
    # initial_state(B): zeros (B, S) in the cell's dtype
    s_init = cell.initial_state(B)
    # initial_state(B) is zeros (B, S) in the cell's dtype
    assert s_init.shape == (B, S) and s_init.dtype == np.float64 and not np.any(s_init)
    run = rnnlib.unroll(cell, xs, s0)
    # run.states (T+1, B, S) starting at s0; run.outputs (T, B, H) = O(s_1..s_T)
    assert run.states.shape == (T + 1, B, S) and run.outputs.shape == (T, B, H) and len(run.caches) == T
    # outputs are O(s_1..s_T): Elman all of s, LSTM the h half
    np.testing.assert_array_equal(run.outputs, output_of(kind, run.states[1:], H))
    grads = rnnlib.bptt(cell, run, W)
    # grads.params has the keys and shapes of cell.params; grads.xs (T, B, D); grads.states (T+1, B, S)
    assert {k: v.shape for k, v in grads.params.items()} == {k: v.shape for k, v in cell.params.items()}
    # grads.xs (T, B, D) and grads.states (T+1, B, S)
    assert grads.xs.shape == (T, B, D) and grads.states.shape == (T + 1, B, S)
    # grads.states[T] is what reaches s_T from y_T alone: there is no later step
    np.testing.assert_array_equal(grads.states[T][..., S - H :], W[T - 1])
    if kind == "lstm":
        # the LSTM's c_T has no output of its own, so no gradient
        np.testing.assert_array_equal(grads.states[T][..., :H], 0.0)


def test_lstm_initialisation():
    cell = rnnlib.LSTMCell(3, 5, seed=0)
    H, k = 5, 1 / np.sqrt(5)
    # the bias is 0 except the forget gate's block (the second of i, f, g, o), which starts at forget_bias = 1
    np.testing.assert_array_equal(cell.params["b"], np.r_[np.zeros(H), np.ones(H), np.zeros(2 * H)])
    # weights are drawn from U(-1/sqrt(H), 1/sqrt(H)), as PyTorch does
    assert all(np.all(np.abs(cell.params[n]) <= k) for n in ("W_x", "W_s"))
    # forget_bias=0 gives an all-zero bias
    assert rnnlib.LSTMCell(3, 5, forget_bias=0.0, seed=0).params["b"].max() == 0.0


@pytest.mark.parametrize("kind", ["tanh", "relu", "sigmoid", "identity"])
def test_elman_initialisation(kind):
    cell = make_cell(kind, 3, 9, seed=0)
    # b starts at 0 and the weights in U(-1/sqrt(H), 1/sqrt(H)); the nonlinearity is kept and shown
    assert not np.any(cell.params["b"])
    # weights lie in [-1/sqrt(H), 1/sqrt(H)] = [-1/3, 1/3]
    assert all(np.all(np.abs(cell.params[n]) <= 1 / 3) for n in ("W_x", "W_s"))
    # the nonlinearity is kept and shown in the repr
    assert cell.nonlinearity == kind and repr(kind) in repr(cell)
