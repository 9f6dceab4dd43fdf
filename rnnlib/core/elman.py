"""The Elman RNN, the lecture's concrete example (section 5).

    z_t = x_t W_x + s_{t-1} W_s + b
    s_t = R(s_{t-1}, x_t) = g(z_t)
    y_t = O(s_t)          = s_t

with g = tanh (the usual choice), relu, sigmoid or identity, and
x_t (B, D), s_t (B, H), W_x (D, H), W_s (H, H), b (H,).

Backward, from dL/ds_t (B, H), the total derivative (everything that reaches
s_t, from its output and from later steps); ∂ marks what one step contributes:

    dz_t                  = dL/ds_t * g'(z_t)        (elementwise; g' is read off s_t)
    ∂L/∂s_{t-1} (step t)  = dz_t W_s^T
    dW_x = Σ_t x_t^T dz_t,    dW_s = Σ_t s_{t-1}^T dz_t,    db = Σ_t dz_t summed over the batch
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from rnnlib.core.activations import NONLINEARITIES
from rnnlib.core.cell import Cell


class ElmanParts(NamedTuple):
    """What one Elman step computed."""

    s: np.ndarray  # (B, H)  the new state s_t = g(z_t); g'(z_t) is read off it


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

    def recur(self, s_prev, zx):
        z = zx + s_prev @ self.params["W_s"]  # z_t = (x_t W_x + b) + s_{t-1} W_s,  (B, H) @ (H, H) -> (B, H)
        s = self.g(z)  # s_t = g(z_t)
        return s, ElmanParts(s)

    def recur_backward(self, ds, parts):
        dz = ds * self.dg(parts.s)  # dz_t = dL/ds_t * g'(z_t)
        ds_prev = dz @ self.params["W_s"].T  # ∂L/∂s_{t-1} = dz_t W_s^T
        return ds_prev, dz, dz  # z_t is the plain sum of both shares: each gets dz_t
