"""The long short-term memory cell (the lecture's section 7).

The state is s_t = [c_t, h_t] (B, 2H): a memory c_t and an output h_t. With
z_t = x_t W_x + h_{t-1} W_s + b (B, 4H) cut into four column blocks of H,
in PyTorch's order i, f, c~, o:

    i_t  = sigmoid(z_t^i)                  input gate
    f_t  = sigmoid(z_t^f)                  forget gate
    c~_t = tanh(z_t^c~)                    candidate memory (not a gate: it is what may be written)
    o_t  = sigmoid(z_t^o)                  output gate
    c_t  = f_t * c_{t-1} + i_t * c~_t      (elementwise products)
    h_t  = o_t * tanh(c_t)
    y_t  = O(s_t) = h_t

Backward, from dL/ds_t = [dL/dc_t, dL/dh_t] (the total derivatives); the
memory c_t reaches L directly and through h_t, so its full gradient in this step is

    δc_t     = dL/dc_t + dL/dh_t * o_t * (1 - tanh(c_t)^2)
    do_t     = dL/dh_t * tanh(c_t)
    di_t     = δc_t * c~_t,   df_t = δc_t * c_{t-1},   dc~_t = δc_t * i_t
    dz_t     = [di_t i_t (1 - i_t),  df_t f_t (1 - f_t),  dc~_t (1 - c~_t^2),  do_t o_t (1 - o_t)]
    ∂L/∂c_{t-1} (step t) = δc_t * f_t,     ∂L/∂h_{t-1} (step t) = dz_t W_s^T

Moving weights to and from torch.nn.LSTM is a transpose:
W_x = weight_ih_l0.T, W_s = weight_hh_l0.T, b = bias_ih_l0 + bias_hh_l0.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from rnnlib.core.activations import sigmoid
from rnnlib.core.cell import Cell


class LSTMParts(NamedTuple):
    """Every intermediate of one LSTM step, each (B, H)."""

    c_prev: np.ndarray  # c_{t-1}
    i: np.ndarray  # input gate i_t
    f: np.ndarray  # forget gate f_t
    c_tilde: np.ndarray  # candidate memory c~_t
    o: np.ndarray  # output gate o_t
    c: np.ndarray  # the new memory c_t
    tanh_c: np.ndarray  # tanh(c_t)
    h: np.ndarray  # the new output h_t


class LSTMCell(Cell):
    """An LSTM cell with state s_t = [c_t, h_t] and output y_t = h_t.

    LSTMCell(input_size=D, hidden_size=H, forget_bias=1.0, seed=0,
    dtype=np.float64). Weights start from U(-1/sqrt(H), 1/sqrt(H)); the bias
    is 0 except the forget gate's block, which starts at forget_bias, so that
    a new cell remembers by default (Jozefowicz et al., 2015; Keras does the
    same; PyTorch's nn.LSTM draws every bias from the weights' small range,
    so its forget gates start near 0.5).
    """

    gates_per_unit = 4
    state_per_unit = 2

    def __init__(self, input_size: int, hidden_size: int, forget_bias: float = 1.0, seed=None, dtype=np.float64):
        if not np.isfinite(forget_bias):
            raise ValueError(f"forget_bias must be a finite number, got {forget_bias!r}")
        super().__init__(input_size, hidden_size, seed=seed, dtype=dtype)
        H = self.hidden_size
        self.params["b"][H : 2 * H] = forget_bias

    def recur(self, s_prev, zx):
        H = self.hidden_size
        c_prev, h_prev = s_prev[:, :H], s_prev[:, H:]  # s_{t-1} = [c_{t-1}, h_{t-1}]
        z = zx + h_prev @ self.params["W_s"]  # z_t = (x_t W_x + b) + h_{t-1} W_s,  (B, H) @ (H, 4H) -> (B, 4H)
        i = sigmoid(z[:, :H])  # input gate
        f = sigmoid(z[:, H : 2 * H])  # forget gate
        c_tilde = np.tanh(z[:, 2 * H : 3 * H])  # candidate memory
        o = sigmoid(z[:, 3 * H :])  # output gate
        c = f * c_prev + i * c_tilde  # c_t = f_t * c_{t-1} + i_t * c~_t
        tanh_c = np.tanh(c)
        h = o * tanh_c  # h_t = o_t * tanh(c_t)
        s = np.concatenate([c, h], axis=1)  # s_t = [c_t, h_t]
        return s, LSTMParts(c_prev, i, f, c_tilde, o, c, tanh_c, h)

    def recur_backward(self, ds, parts):
        H = self.hidden_size
        p = parts
        dc_t, dh_t = ds[:, :H], ds[:, H:]
        dc = dc_t + dh_t * p.o * (1 - p.tanh_c**2)  # δc_t: c_t reaches L directly and through h_t
        do = dh_t * p.tanh_c
        di = dc * p.c_tilde
        df = dc * p.c_prev
        dc_tilde = dc * p.i
        dz = np.concatenate(  # dz_t: each block times its nonlinearity's derivative
            [di * p.i * (1 - p.i), df * p.f * (1 - p.f), dc_tilde * (1 - p.c_tilde**2), do * p.o * (1 - p.o)],
            axis=1,
        )
        dc_prev = dc * p.f  # ∂L/∂c_{t-1}: the memory line, elementwise
        dh_prev = dz @ self.params["W_s"].T  # ∂L/∂h_{t-1}: through all four blocks
        return np.concatenate([dc_prev, dh_prev], axis=1), dz, dz
