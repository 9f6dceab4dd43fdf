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

from rnnlib.core.activations import dtanh
from rnnlib.core.cell import Cell


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
        # 1/2 on the sigmoid gates i, f, o and 1 on g (see activate_gates), (4H,)
        self.gate_scale = np.repeat(np.array([0.5, 0.5, 1.0, 0.5], dtype=self.dtype), H)

    def recur(self, s_prev, zx, out=None, overwrite_zx=False):
        H = self.hidden_size
        c_prev, h_prev = s_prev[:, :H], s_prev[:, H:]
        z = zx if overwrite_zx else zx.copy()
        z += h_prev @ self.params["W_s"]  # z_t = x_t W_x + b + h_{t-1} W_s, (B, H) @ (H, 4H) -> (B, 4H)
        gates = self.activate_gates(z)  # [i_t, f_t, g_t, o_t], written over z
        i, f, g, o = gates[:, :H], gates[:, H : 2 * H], gates[:, 2 * H : 3 * H], gates[:, 3 * H :]

        c = f * c_prev
        c += i * g  # c_t = f_t * c_{t-1} + i_t * g_t
        tanh_c = np.tanh(c)
        s = np.empty_like(s_prev) if out is None else out
        s[:, :H] = c  # s_t = [c_t, h_t]
        np.multiply(o, tanh_c, out=s[:, H:])  # h_t = o_t * tanh(c_t)
        return s, LSTMCache(c_prev, gates, tanh_c)

    def activate_gates(self, z):
        """[sigmoid(z^i), sigmoid(z^f), tanh(z^g), sigmoid(z^o)], in place in z (B, 4H).

        sigmoid(z) = (1 + tanh(z / 2)) / 2, so with k = 1/2 on the sigmoid
        blocks and k = 1 on g, every block is tanh(k z) k + 1 - k: one tanh
        over the whole contiguous block instead of one call per gate.
        """
        k = self.gate_scale
        z *= k
        np.tanh(z, out=z)
        z *= k
        z += 1 - k
        return z

    def recur_backward(self, ds, cache, W_s_T=None):
        H = self.hidden_size
        W_s_T = self.params["W_s"].T if W_s_T is None else W_s_T
        c_prev, gates, tanh_c = cache
        i, f, g, o = gates[:, :H], gates[:, H : 2 * H], gates[:, 2 * H : 3 * H], gates[:, 3 * H :]
        dc_t, dh_t = ds[:, :H], ds[:, H:]

        dc = dh_t * o
        dc *= dtanh(tanh_c)
        dc += dc_t  # dc = dc_t + dh_t * o_t * (1 - tanh(c_t)^2)
        dz = np.empty_like(gates)  # [di_t, df_t, dg_t, do_t], then times the gates' derivatives
        np.multiply(dc, g, out=dz[:, :H])  # di_t = dc * g_t
        np.multiply(dc, c_prev, out=dz[:, H : 2 * H])  # df_t = dc * c_{t-1}
        np.multiply(dc, i, out=dz[:, 2 * H : 3 * H])  # dg_t = dc * i_t
        np.multiply(dh_t, tanh_c, out=dz[:, 3 * H :])  # do_t = dh_t * tanh(c_t)
        dz *= self.gate_derivative(gates)  # dz_t = [di_t i_t (1 - i_t), df_t f_t (1 - f_t), dg_t (1 - g_t^2), ...]

        ds_prev = np.empty_like(ds)
        np.multiply(dc, f, out=ds_prev[:, :H])  # dc_{t-1}
        np.matmul(dz, W_s_T, out=ds_prev[:, H:])  # dh_{t-1} = dz_t W_s^T
        return ds_prev, dz

    def gate_derivative(self, gates):
        """The derivatives of the four gates, from their values a = gates (B, 4H).

        sigmoid' = a (1 - a) and tanh' = (1 + a)(1 - a) are both (1 - a)(a + 2k - 1),
        with the k of `activate_gates`: one expression for the whole block.
        """
        d = 1 - gates
        d *= gates + (2 * self.gate_scale - 1)
        return d

    def recurrent_input(self, s):
        return s[..., self.hidden_size :]

    def _output(self, s):
        return s[..., self.hidden_size :]  # y_t = h_t

    def _output_backward(self, dy, out=None):
        ds = np.empty(dy.shape[:-1] + (self.state_size,), dtype=dy.dtype) if out is None else out
        ds[..., : self.hidden_size] = 0  # y_t = h_t does not read c_t
        ds[..., self.hidden_size :] = dy
        return ds
