"""rnnlib against PyTorch: torch.nn.RNN (tanh, relu), torch.nn.LSTM and torch.nn.GRU, in float64.

Weights move by the documented transpose: W_x = weight_ih_l0.T,
W_s = weight_hh_l0.T, and torch's two biases are set to sum to rnnlib's b
(bias_hh random, bias_ih = b - bias_hh); the GRU keeps them apart, as b = bias_ih and
b_s = bias_hh, since its reset gate multiplies the recurrent share. The LSTM state is s = [c, h].
Input is time-major (T, B, D), torch's default batch_first=False. The loss
is L = sum(W * outputs) with random W, so dL/dy = W.
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers import random_problem
from hypothesis import given
from hypothesis import strategies as st

import rnnlib
from rnnlib import rel_error

torch = pytest.importorskip(
    "torch", reason="torch is not installed: pip install torch==2.13.0 to compare rnnlib with torch.nn.RNN/LSTM"
)
torch.set_num_threads(1)  # tiny problems; leave the other cores alone

TOL = 1e-10  # both compute the same float64 arithmetic in a different order
TORCH_KINDS = ("tanh", "relu", "lstm", "gru")
SHAPES = [(1, 1, 1, 1), (1, 2, 3, 2), (4, 1, 1, 1), (6, 3, 2, 4), (10, 2, 5, 3)]


def t64(a) -> torch.Tensor:
    return torch.tensor(np.asarray(a), dtype=torch.float64)


def load_weights(module, cell, split: np.ndarray, suffix: str) -> None:
    """Copy cell.params into a torch RNN/LSTM (suffix "_l0") or RNNCell/LSTMCell (suffix "")."""
    with torch.no_grad():
        getattr(module, "weight_ih" + suffix).copy_(t64(cell.params["W_x"].T))
        getattr(module, "weight_hh" + suffix).copy_(t64(cell.params["W_s"].T))
        if "b_s" in cell.params:  # the GRU: two biases of its own
            getattr(module, "bias_ih" + suffix).copy_(t64(cell.params["b"]))
            getattr(module, "bias_hh" + suffix).copy_(t64(cell.params["b_s"]))
        else:
            getattr(module, "bias_hh" + suffix).copy_(t64(split))
            getattr(module, "bias_ih" + suffix).copy_(t64(cell.params["b"] - split))


def torch_layer(kind, cell, split):
    D, H = cell.input_size, cell.hidden_size
    if kind == "lstm":
        module = torch.nn.LSTM(D, H, dtype=torch.float64)
    elif kind == "gru":
        module = torch.nn.GRU(D, H, dtype=torch.float64)
    else:
        module = torch.nn.RNN(D, H, nonlinearity=kind, dtype=torch.float64)
    load_weights(module, cell, split, "_l0")
    return module


def check_against_torch(kind, T, B, D, H, seed) -> None:
    cell, xs, s0, W = random_problem(kind, T, B, D, H, seed)
    split = np.random.default_rng(seed + 1).normal(size=cell.params["b"].shape)
    run = rnnlib.unroll(cell, xs, s0)
    grads = rnnlib.bptt(cell, run, W)

    module = torch_layer(kind, cell, split)
    x_t = t64(xs).requires_grad_()
    if kind == "lstm":
        c0 = t64(s0[None, :, :H]).requires_grad_()
        h0 = t64(s0[None, :, H:]).requires_grad_()
        out, (h_n, c_n) = module(x_t, (h0, c0))
        final = torch.cat([c_n[0], h_n[0]], dim=1)  # rnnlib's s_T = [c_T, h_T]
    else:
        h0 = t64(s0[None]).requires_grad_()
        out, h_n = module(x_t, h0)
        final = h_n[0]
    (t64(W) * out).sum().backward()

    # the outputs y_1..y_T are torch's
    assert rel_error(run.outputs, out.detach().numpy()) <= TOL
    # the final state s_T is torch's (h_T; for the LSTM [c_T, h_T])
    assert rel_error(run.states[-1], final.detach().numpy()) <= TOL
    # dL/dW_x is the transpose of torch's weight_ih gradient
    assert rel_error(grads.params["W_x"], module.weight_ih_l0.grad.numpy().T) <= TOL
    # dL/dW_s is the transpose of torch's weight_hh gradient
    assert rel_error(grads.params["W_s"], module.weight_hh_l0.grad.numpy().T) <= TOL
    # dL/db is torch's bias_ih gradient ...
    assert rel_error(grads.params["b"], module.bias_ih_l0.grad.numpy()) <= TOL
    if kind == "gru":
        # ... and the GRU's dL/db_s is torch's bias_hh gradient (not dL/db: r_t scales the recurrent share)
        assert rel_error(grads.params["b_s"], module.bias_hh_l0.grad.numpy()) <= TOL
        assert not np.allclose(grads.params["b_s"], grads.params["b"])
    else:
        # ... and of bias_hh: b = bias_ih + bias_hh, so both get dL/db
        assert rel_error(grads.params["b"], module.bias_hh_l0.grad.numpy()) <= TOL
    # dL/dx_t for every step
    assert rel_error(grads.xs, x_t.grad.numpy()) <= TOL
    if kind == "lstm":
        # dL/dc_0 is the first half of dL/ds_0
        assert rel_error(grads.states[0][:, :H], c0.grad[0].numpy()) <= TOL
        # dL/dh_0 is the second half
        assert rel_error(grads.states[0][:, H:], h0.grad[0].numpy()) <= TOL
    else:
        # Elman, GRU: dL/ds_0 is torch's dL/dh_0
        assert rel_error(grads.states[0], h0.grad[0].numpy()) <= TOL


@pytest.mark.parametrize("kind", TORCH_KINDS)
@pytest.mark.parametrize("shape", SHAPES)
def test_unroll_and_bptt_equal_torch(kind, shape):
    check_against_torch(kind, *shape, seed=20)


@pytest.mark.parametrize("kind", TORCH_KINDS)
@given(T=st.integers(1, 8), B=st.integers(1, 4), D=st.integers(1, 5), H=st.integers(1, 5), seed=st.integers(0, 2**31))
def test_unroll_and_bptt_equal_torch_at_random_shapes(kind, T, B, D, H, seed):
    check_against_torch(kind, T, B, D, H, seed)


def torch_state_gradients(kind, cell, split, xs, s0, W, truncate=None) -> tuple[np.ndarray, np.ndarray]:
    """Run torch's RNNCell/LSTMCell step by step; return (states, dL/ds_t for every t) by autograd.

    With truncate=k the state handed on at t = k, 2k, ... is detached, which is
    what truncated BPTT means: the next chunk sees it as a constant.
    """
    D, H = cell.input_size, cell.hidden_size
    if kind == "lstm":
        module = torch.nn.LSTMCell(D, H, dtype=torch.float64)
    elif kind == "gru":
        module = torch.nn.GRUCell(D, H, dtype=torch.float64)
    else:
        module = torch.nn.RNNCell(D, H, nonlinearity=kind, dtype=torch.float64)
    load_weights(module, cell, split, "")
    s = t64(s0).requires_grad_()
    states = [s]
    loss = torch.zeros((), dtype=torch.float64)
    for t in range(1, len(xs) + 1):
        s_in = states[-1]
        if truncate is not None and (t - 1) > 0 and (t - 1) % truncate == 0:
            s_in = s_in.detach()
        if kind == "lstm":
            h, c = module(t64(xs[t - 1]), (s_in[:, H:], s_in[:, :H]))
            s = torch.cat([c, h], dim=1)
        else:  # Elman and GRU: the state is h
            s = module(t64(xs[t - 1]), s_in)
        s.retain_grad()
        states.append(s)
        loss = loss + (t64(W[t - 1]) * s[:, -H:]).sum()  # y_t = h_t: the last H columns
    loss.backward()
    return (
        np.stack([s.detach().numpy() for s in states]),
        np.stack([s.grad.numpy() for s in states]),
    )


@pytest.mark.parametrize("kind", TORCH_KINDS)
@pytest.mark.parametrize("truncate", [None, 1, 2, 3])
def test_state_gradients_equal_torch_autograd(kind, truncate):
    T, B, D, H = 7, 2, 3, 4
    cell, xs, s0, W = random_problem(kind, T, B, D, H, seed=21)
    split = np.random.default_rng(22).normal(size=cell.params["b"].shape)
    run = rnnlib.unroll(cell, xs, s0)
    grads = rnnlib.bptt(cell, run, W, truncate=truncate)
    states, d_states = torch_state_gradients(kind, cell, split, xs, s0, W, truncate)
    # every state s_0..s_T is torch's, step by step
    assert rel_error(run.states, states) <= TOL
    # grads.states[t] is autograd's dL/ds_t at every t (with the graph cut where truncation cuts it)
    assert rel_error(grads.states, d_states) <= TOL
