"""The GRU taken apart (notebook 8): its gates one step at a time and over a run, and the adding problem.

Sizes: input D, hidden H, batch B, T steps; the state is s_t = h_t (B, H).
The equations are those of rnnlib.core.gru (the reset gate r_t, the update
gate z_t, the candidate n_t, then h_t), and every number here comes from
GRUCell's own step: nothing below computes a GRU step a second time.

    gru_step_parts(cell, s_prev, x)          one step, every intermediate named (GRUParts)
    gru_parameter_count(D, H)                the formula: W_x, W_s, b and b_s
    set_update_bias(cell, value)             start the update gate's bias at `value` (z_t near 1 keeps h)
    gru_trace(cell, xs, b)                   the gates and the state of one sequence of a run (GRUTrace)
    make_adding_gru(hidden_size, seed)       a GRU and its head for the adding problem
    train_adding_gru(T, ...)                 the adding problem of notebooks 6 and 7, solved by a GRU (an Outcome)
    gru_adding_view(model, batch, index)     one adding-problem sequence through a trained GRU (GRUAddingView)

How far the gradient reaches back, for any cell, is rnnlib.lessons.gradients.gradient_reach;
a cell's parameter count, for any cell, is rnnlib.lessons.lstm_gates.parameter_count.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnlib.core import _validate
from rnnlib.core.gru import GRUCell, GRUParts
from rnnlib.core.layers import Affine
from rnnlib.core.models import Regressor
from rnnlib.core.unroll import unroll
from rnnlib.lessons.long_range import fit_adding


def _check_gru(cell) -> None:
    if not isinstance(cell, GRUCell):
        raise ValueError(f"cell must be a GRUCell, got {type(cell).__name__}")


def gru_step_parts(cell: GRUCell, s_prev: np.ndarray, x: np.ndarray) -> GRUParts:
    """One GRU step with every intermediate: s_prev (B, H), x (B, D) -> GRUParts (h_prev, r, z, n, a_n).

    These are the cell's own numbers (`GRUCell.recur`, the code that trains):
    the new state is h_t = (1 - parts.z) * parts.n + parts.z * parts.h_prev.
    """
    _check_gru(cell)
    _, cache = cell.step_forward(s_prev, x)
    return cache.parts


def gru_parameter_count(D: int, H: int) -> int:
    """W_x (D, 3H) + W_s (H, 3H) + b (3H,) + b_s (3H,): three blocks of an Elman cell's size, and one more bias."""
    D, H = _validate.positive_int("D", D), _validate.positive_int("H", H)
    return 3 * H * (D + H + 2)


def set_update_bias(cell: GRUCell, value: float) -> GRUCell:
    """Set the update gate's block of b (b^z, H numbers) to `value`, in place; returns the cell.

    z_t = sigmoid(x_t W_x^z + b^z + h_{t-1} W_s^z + b_s^z) starts near sigmoid(value):
    a positive value makes a new cell keep more of h_{t-1} at every step, as
    the LSTM's forget bias does for its memory.
    """
    _check_gru(cell)
    if not np.isfinite(value):
        raise ValueError(f"value must be a finite number, got {value!r}")
    H = cell.hidden_size
    cell.params["b"][H : 2 * H] = value
    return cell


@dataclass
class GRUTrace:
    """The gates and the state of one sequence of a GRU run, step by step."""

    r: np.ndarray  # (T, H)    r_t for t = 1..T (row t-1)
    z: np.ndarray  # (T, H)    z_t
    n: np.ndarray  # (T, H)    n_t, the candidate
    h: np.ndarray  # (T+1, H)  h_0..h_T


def gru_trace(cell: GRUCell, xs: np.ndarray, b: int = 0) -> GRUTrace:
    """Unroll `cell` over xs (T, B, D) and return the gates and the state of sequence b."""
    _check_gru(cell)
    run = unroll(cell, xs)
    B = run.xs.shape[1]
    if not 0 <= b < B:
        raise ValueError(f"b must be a batch index in 0..{B - 1}, got {b!r}")
    return GRUTrace(
        r=np.stack([p.r[b] for p in run.caches]),  # each step's own gates (GRUParts)
        z=np.stack([p.z[b] for p in run.caches]),
        n=np.stack([p.n[b] for p in run.caches]),
        h=run.states[:, b].copy(),
    )


# ---- the adding problem, solved by a GRU ----------------------------------------


def make_adding_gru(hidden_size: int = 32, seed=0, update_bias: float = 0.0) -> Regressor:
    """A GRU reading x_t = (v_t, m_t) and an Affine head p = h_T W + b: a Regressor for the adding problem."""
    cell = set_update_bias(GRUCell(input_size=2, hidden_size=hidden_size, seed=seed), update_bias)
    head = Affine(hidden_size, 1, seed=None if seed is None else seed + 1)
    return Regressor(cell, head)


def train_adding_gru(T: int, hidden_size: int = 32, update_bias: float = 0.0, seed: int = 0, clip_norm=1.0, **recipe):
    """Train a GRU on the adding problem with T steps: the recipe of rnnlib.lessons.long_range.train_adding.

    The same data as train_adding with the same seed (fresh training batches
    seeded by seed and the step, n_test test sequences that training never
    sees), Adam and clipping; recipe: steps (default 1000), batch_size, lr, n_test,
    progress, as for long_range.fit_adding. Success is a test MSE of at most 0.01; the baseline is 1/6.
    """
    model = make_adding_gru(hidden_size, seed=seed, update_bias=update_bias)
    label = f"GRU, T = {T}" + ("" if clip_norm is None else f", clipped at {clip_norm:g}")
    return fit_adding(model, T, label, clip_norm=clip_norm, seed=seed, **{"steps": 1000, **recipe})


# ---- one adding-problem sequence through a trained GRU ---------------------------------


@dataclass
class GRUAddingView:
    """One adding-problem sequence read by a trained GRU: what plotting.gru_gates.draw_gru_view draws."""

    index: int  # which sequence of the batch
    values: np.ndarray  # (T,)  v_t
    marked: np.ndarray  # (2,)  the marked steps t (1-based)
    target: float  # the sum of the two marked values
    prediction: float  # the network's answer p = h_T W + b
    trace: GRUTrace
    units: np.ndarray  # (k,) the units to show: those that move the answer most (answer_units)


def answer_units(model: Regressor, batch, k: int = 3) -> np.ndarray:
    """The k units that move the answer p = h_T W + b most over an AddingBatch; largest first.

    Unit u moves it by |W_u| times the spread (standard deviation) of h_T[u]
    across the batch's sequences: the units that carry the marked values to the end.
    """
    _check_gru(model.cell)
    h_T = unroll(model.cell, batch.xs).states[-1]  # (n, H)
    weight = np.abs(model.head.params["W"][:, 0]) * h_T.std(axis=0)  # (H,)
    return np.argsort(-weight, kind="stable")[: _validate.positive_int("k", k)]


def gru_adding_view(model: Regressor, batch, index: int = 0, k: int = 3) -> GRUAddingView:
    """Run sequence `index` of an AddingBatch through a trained GRU Regressor (from train_adding_gru)."""
    cell = model.cell
    n = batch.xs.shape[1]
    if not (isinstance(index, (int, np.integer)) and 0 <= index < n):
        raise ValueError(f"index must be a sequence number in 0..{n - 1}, got {index!r}")
    xs = batch.xs[:, index : index + 1]  # (T, 1, 2): one sequence
    trace = gru_trace(cell, xs, b=0)
    prediction = model.predict(xs)[0, 0]
    return GRUAddingView(
        index=int(index),
        values=xs[:, 0, 0].copy(),
        marked=np.flatnonzero(xs[:, 0, 1] == 1) + 1,
        target=float(batch.targets[index, 0]),
        prediction=float(prediction),
        trace=trace,
        units=answer_units(model, batch, k),
    )
