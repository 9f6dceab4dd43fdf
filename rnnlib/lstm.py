"""The long short-term memory cell (the lecture's section 7).

The state is s_t = [c_t, h_t] (B, 2H): a memory c_t and an output h_t. With
z_t = x_t W_x + h_{t-1} W_s + b (B, 4H) cut into four column blocks of H,
in PyTorch's order i, f, g, o:

    i_t = sigmoid(z_t^i)                  input gate
    f_t = sigmoid(z_t^f)                  forget gate
    g_t = tanh(z_t^g)                     candidate memory
    o_t = sigmoid(z_t^o)                  output gate
    c_t = f_t * c_{t-1} + i_t * g_t       (elementwise products)
    h_t = o_t * tanh(c_t)
    y_t = O(s_t) = h_t

Backward, from ds_t = [dc_t, dh_t] = dL/ds_t:

    dc   = dc_t + dh_t * o_t * (1 - tanh(c_t)^2)    c_t reaches L directly and through h_t
    do_t = dh_t * tanh(c_t)
    di_t = dc * g_t,   df_t = dc * c_{t-1},   dg_t = dc * i_t
    dz_t = [di_t * i_t (1 - i_t), df_t * f_t (1 - f_t), dg_t * (1 - g_t^2), do_t * o_t (1 - o_t)]
    dc_{t-1} = dc * f_t,    dh_{t-1} = dz_t W_s^T

Moving weights to and from torch.nn.LSTM is a transpose:
W_x = weight_ih_l0.T, W_s = weight_hh_l0.T, b = bias_ih_l0 + bias_hh_l0.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .activations import dsigmoid, dtanh, sigmoid
from .cell import Cell


class LSTMCache(NamedTuple):
    c_prev: np.ndarray  # (B, H)   c_{t-1}
    gates: np.ndarray  # (B, 4H)  [i_t, f_t, g_t, o_t], after their nonlinearities
    tanh_c: np.ndarray  # (B, H)   tanh(c_t)


class LSTMCell(Cell):
    """An LSTM cell with state s_t = [c_t, h_t] and output y_t = h_t.

    LSTMCell(input_size=D, hidden_size=H, forget_bias=1.0, seed=0,
    dtype=np.float64). Weights start from U(-1/sqrt(H), 1/sqrt(H)); the bias
    is 0 except the forget gate's block, which starts at forget_bias, so that
    a new cell remembers by default (Jozefowicz et al., 2015).
    """

    gates_per_unit = 4
    state_per_unit = 2

    def __init__(self, input_size: int, hidden_size: int, forget_bias: float = 1.0, seed=None, dtype=np.float64):
        if not np.isfinite(forget_bias):
            raise ValueError(f"forget_bias must be a finite number, got {forget_bias!r}")
        super().__init__(input_size, hidden_size, seed=seed, dtype=dtype)
        H = self.hidden_size
        self.params["b"][H : 2 * H] = forget_bias

    def recur(self, s_prev, zx, out=None):
        H = self.hidden_size
        c_prev, h_prev = s_prev[:, :H], s_prev[:, H:]
        gates = zx + h_prev @ self.params["W_s"]  # z_t, (B, 4H); the gates overwrite it
        # i and f are neighbours, so one sigmoid serves both
        sigmoid(gates[:, : 2 * H], out=gates[:, : 2 * H])
        np.tanh(gates[:, 2 * H : 3 * H], out=gates[:, 2 * H : 3 * H])
        sigmoid(gates[:, 3 * H :], out=gates[:, 3 * H :])
        i, f, g, o = gates[:, :H], gates[:, H : 2 * H], gates[:, 2 * H : 3 * H], gates[:, 3 * H :]

        s = np.empty_like(s_prev) if out is None else out
        c, h = s[:, :H], s[:, H:]
        np.multiply(f, c_prev, out=c)
        c += i * g  # c_t = f_t * c_{t-1} + i_t * g_t
        tanh_c = np.tanh(c)
        np.multiply(o, tanh_c, out=h)  # h_t = o_t * tanh(c_t)
        return s, LSTMCache(c_prev, gates, tanh_c)

    def recur_backward(self, ds, cache):
        H = self.hidden_size
        c_prev, gates, tanh_c = cache
        i, f, g, o = gates[:, :H], gates[:, H : 2 * H], gates[:, 2 * H : 3 * H], gates[:, 3 * H :]
        dc_t, dh_t = ds[:, :H], ds[:, H:]

        dc = dc_t + dh_t * o * dtanh(tanh_c)
        dz = np.empty_like(gates)
        dz[:, :H] = dc * g * dsigmoid(i)  # di_t * i_t (1 - i_t)
        dz[:, H : 2 * H] = dc * c_prev * dsigmoid(f)  # df_t * f_t (1 - f_t)
        dz[:, 2 * H : 3 * H] = dc * i * dtanh(g)  # dg_t * (1 - g_t^2)
        dz[:, 3 * H :] = dh_t * tanh_c * dsigmoid(o)  # do_t * o_t (1 - o_t)

        ds_prev = np.empty_like(ds)
        np.multiply(dc, f, out=ds_prev[:, :H])  # dc_{t-1}
        np.matmul(dz, self.params["W_s"].T, out=ds_prev[:, H:])  # dh_{t-1}
        return ds_prev, dz

    def recurrent_input(self, s):
        return s[..., self.hidden_size :]

    def output(self, s):
        return s[..., self.hidden_size :]

    def output_backward(self, dy):
        ds = np.zeros(dy.shape[:-1] + (self.state_size,), dtype=dy.dtype)
        ds[..., self.hidden_size :] = dy
        return ds
