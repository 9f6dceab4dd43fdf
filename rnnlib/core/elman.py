"""The Elman RNN, the lecture's concrete example (section 5).

    s_t = R(s_{t-1}, x_t) = g(x_t W_x + s_{t-1} W_s + b)
    y_t = O(s_t)          = s_t

with g = tanh (the usual choice), relu, sigmoid or identity, and
x_t (B, D), s_t (B, H), W_x (D, H), W_s (H, H), b (H,).

Backward, with z_t the argument of g and ds_t = dL/ds_t (B, H):

    dz_t      = ds_t * g'(z_t)           (elementwise; g' is read off s_t)
    ds_{t-1} += dz_t W_s^T
    dW_x     += x_t^T dz_t,    dW_s += s_{t-1}^T dz_t,    db += sum over the batch of dz_t
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from rnnlib.core.activations import NONLINEARITIES
from rnnlib.core.cell import Cell


class ElmanCache(NamedTuple):
    s: np.ndarray  # (B, H)  the new state, from which g'(z_t) is read


class ElmanCell(Cell):
    """An Elman RNN cell: s_t = g(x_t W_x + s_{t-1} W_s + b), y_t = s_t.

    ElmanCell(input_size=D, hidden_size=H, nonlinearity="tanh", seed=0,
    dtype=np.float64). nonlinearity is one of "tanh", "relu", "sigmoid",
    "identity". Weights start from U(-1/sqrt(H), 1/sqrt(H)), b from 0.
    """

    def __init__(self, input_size: int, hidden_size: int, nonlinearity: str = "tanh", seed=None, dtype=np.float64):
        if nonlinearity not in NONLINEARITIES:
            raise ValueError(f"nonlinearity must be one of {sorted(NONLINEARITIES)}, got {nonlinearity!r}")
        super().__init__(input_size, hidden_size, seed=seed, dtype=dtype)
        self.nonlinearity = nonlinearity
        self.g, self.dg = NONLINEARITIES[nonlinearity]

    def __repr__(self) -> str:
        return f"{super().__repr__()[:-1]}, nonlinearity={self.nonlinearity!r})"

    def recur(self, s_prev, zx, out=None, overwrite_zx=False):  # z_t goes to out: zx is only read
        # s_t = g(x_t W_x + b + s_{t-1} W_s), computed in place in `out`
        z = np.matmul(s_prev, self.params["W_s"], out=out)
        z += zx
        s = self.g(z, out=z)
        return s, ElmanCache(s)

    def recur_backward(self, ds, cache, W_s_T=None):
        W_s_T = self.params["W_s"].T if W_s_T is None else W_s_T
        dz = self.dg(cache.s)  # g'(z_t), read off s_t
        dz *= ds  # dz_t = ds_t * g'(z_t)
        ds_prev = dz @ W_s_T  # ds_{t-1} = dz_t W_s^T
        return ds_prev, dz

    def recurrent_input(self, s):
        return s

    def _output(self, s):
        return s  # y_t = s_t

    def _output_backward(self, dy, out=None):
        if out is None:
            return np.array(dy, copy=True)  # a new array: dL/ds_t must not share memory with dy
        out[...] = dy
        return out
