"""Exploding gradients: the cliff in the loss of a one-unit RNN (Pascanu, Mikolov and Bengio, 2013).

An Elman RNN with one unit and no input, run from a fixed s_0:

    s_t = tanh(w s_{t-1} + b),   t = 1..T,        L(w, b) = (s_T - target)^2

For w > 1 the map s -> tanh(w s + b) can have two stable fixed points, one
negative and one positive, with an unstable one u between them. Where s_0
ends up depends on which side of u it starts, so on the line where u = s_0,
that is tanh(w s_0 + b) = s_0, s_T jumps from one fixed point to the other.
The longer the sequence, the sharper the jump: L has a wall, and on the
wall dL/dw and dL/db grow like the product of T step derivatives.

The functions here run a whole grid of (w, b) at once, with numpy
broadcasting: every (w, b) pair is its own one-unit RNN. The backward pass is
the Elman backward pass with H = 1:

    dz_t = ds_t (1 - s_t^2),   ds_{t-1} = dz_t w,   dL/dw = sum_t dz_t s_{t-1},   dL/db = sum_t dz_t
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from rnnlib.core import _validate
from rnnlib.core.elman import ElmanCell


class OneUnitLoss(NamedTuple):
    loss: np.ndarray  # L(w, b) = (s_T - target)^2, with the broadcast shape of w and b
    dw: np.ndarray  # dL/dw
    db: np.ndarray  # dL/db


def one_unit_loss(w, b, T: int = 50, s0: float = 0.5, target: float = -0.7) -> OneUnitLoss:
    """L(w, b) and its gradient for the one-unit RNN s_t = tanh(w s_{t-1} + b), for arrays w and b."""
    T = _validate.positive_int("T", T)
    w, b = np.broadcast_arrays(np.asarray(w, dtype=np.float64), np.asarray(b, dtype=np.float64))
    _validate.finite("w", w)
    _validate.finite("b", b)
    states = np.empty((T + 1,) + w.shape)
    states[0] = s0
    for t in range(1, T + 1):
        states[t] = np.tanh(w * states[t - 1] + b)
    loss = (states[T] - target) ** 2
    ds = 2.0 * (states[T] - target)  # dL/ds_T
    dw, db = np.zeros_like(w), np.zeros_like(w)
    for t in range(T, 0, -1):
        dz = ds * (1.0 - states[t] ** 2)
        dw += dz * states[t - 1]
        db += dz
        ds = dz * w
    return OneUnitLoss(loss, dw, db)


def one_unit_cell(w: float, b: float) -> ElmanCell:
    """The same RNN as an rnnlib ElmanCell: one input (always 0) and one unit, W_s = [[w]], b = [b]."""
    cell = ElmanCell(input_size=1, hidden_size=1, nonlinearity="tanh", seed=0)
    cell.params["W_x"][...] = 0.0
    cell.params["W_s"][...] = w
    cell.params["b"][...] = b
    return cell


def wall_bias(w, s0: float = 0.5):
    """Where the wall is: the b at which the unstable fixed point sits at s_0, b = artanh(s_0) - w s_0."""
    return np.arctanh(s0) - np.asarray(w, dtype=np.float64) * s0
