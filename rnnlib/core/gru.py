"""The gated recurrent unit (Cho et al., 2014): a lighter gated cell than the LSTM.

The state is h_t (B, H), and y_t = O(s_t) = h_t. The pre-activations come
in three column blocks of H, in PyTorch's order r, z, n, from two shares:

    zx_t = x_t W_x + b             (B, 3H)   the input's share
    a_t  = h_{t-1} W_s + b_s       (B, 3H)   the recurrent share, with its own bias b_s

    r_t = sigmoid(zx_t^r + a_t^r)                 reset gate
    z_t = sigmoid(zx_t^z + a_t^z)                 update gate
    n_t = tanh(zx_t^n + r_t * a_t^n)              candidate state: the reset gate scales the recurrent share
    h_t = (1 - z_t) * n_t + z_t * h_{t-1}         keep z_t of the old state, take 1 - z_t of the new

Because r_t multiplies a_t^n, the two shares of n_t get different gradients
(dzx for x_t W_x + b, da for h_{t-1} W_s + b_s), which is why a cell's
backward returns both: dW_s = h_{t-1}^T da_t and db_s = Σ da_t, as for any cell.

Backward, from dL/dh_t (the total derivative):

    dn_t  = dL/dh_t * (1 - z_t)                    dz_t = dL/dh_t * (h_{t-1} - n_t)
    dn~   = dn_t * (1 - n_t^2)                     (through the tanh)
    dr_t  = dn~ * a_t^n
    dzx_t = [dr_t r_t (1 - r_t),  dz_t z_t (1 - z_t),  dn~]
    da_t  = [dr_t r_t (1 - r_t),  dz_t z_t (1 - z_t),  dn~ * r_t]
    ∂L/∂h_{t-1} (step t) = dL/dh_t * z_t + da_t W_s^T

Moving weights to and from torch.nn.GRU is a transpose:
W_x = weight_ih_l0.T, W_s = weight_hh_l0.T, b = bias_ih_l0, b_s = bias_hh_l0.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from rnnlib.core.activations import sigmoid
from rnnlib.core.cell import Cell


class GRUParts(NamedTuple):
    """Every intermediate of one GRU step, each (B, H)."""

    h_prev: np.ndarray  # h_{t-1}
    r: np.ndarray  # reset gate r_t
    z: np.ndarray  # update gate z_t
    n: np.ndarray  # candidate state n_t
    a_n: np.ndarray  # h_{t-1} W_s^n + b_s^n, the recurrent share the reset gate scaled


class GRUCell(Cell):
    """A GRU cell with state h_t and output y_t = h_t.

    GRUCell(input_size=D, hidden_size=H, seed=0, dtype=np.float64). Weights
    start from U(-1/sqrt(H), 1/sqrt(H)); both biases b and b_s from 0.
    """

    gates_per_unit = 3

    def __init__(self, input_size: int, hidden_size: int, seed=None, dtype=np.float64):
        super().__init__(input_size, hidden_size, seed=seed, dtype=dtype)
        self.params["b_s"] = np.zeros(self.gate_size, dtype=self.dtype)

    def recur(self, s_prev, zx):
        H = self.hidden_size
        h_prev = s_prev
        a = h_prev @ self.params["W_s"] + self.params["b_s"]  # a_t = h_{t-1} W_s + b_s,  (B, H) @ (H, 3H) -> (B, 3H)
        r = sigmoid(zx[:, :H] + a[:, :H])  # reset gate
        z = sigmoid(zx[:, H : 2 * H] + a[:, H : 2 * H])  # update gate
        n = np.tanh(zx[:, 2 * H :] + r * a[:, 2 * H :])  # candidate state
        h = (1 - z) * n + z * h_prev  # h_t
        return h, GRUParts(h_prev, r, z, n, a[:, 2 * H :])

    def recur_backward(self, ds, parts):
        p = parts
        dn = ds * (1 - p.z)
        dz = ds * (p.h_prev - p.n)
        dn_pre = dn * (1 - p.n**2)  # through the tanh
        dr = dn_pre * p.a_n
        dr_pre = dr * p.r * (1 - p.r)
        dz_pre = dz * p.z * (1 - p.z)
        dzx = np.concatenate([dr_pre, dz_pre, dn_pre], axis=1)  # dL/d(x_t W_x + b)
        da = np.concatenate([dr_pre, dz_pre, dn_pre * p.r], axis=1)  # dL/d(h_{t-1} W_s + b_s)
        ds_prev = ds * p.z + da @ self.params["W_s"].T  # ∂L/∂h_{t-1}: kept directly, and through a_t
        return ds_prev, dzx, da

    def weight_gradients(self, x, s_prev, dzx, dzs):
        grads = super().weight_gradients(x, s_prev, dzx, dzs)
        grads["b_s"] = dzs.sum(axis=0)  # b_s sits in the recurrent share
        return grads
