"""The LSTM cell taken apart (the lecture's section 7): its gates one step at a time, the
memory path backward, the gradient that reaches back, and the gates over a whole run.

Sizes: input D, hidden H, batch B, T steps; the state is s_t = [c_t, h_t] (B, 2H).
With z_t = x_t W_x + h_{t-1} W_s + b (B, 4H), cut into the blocks i, f, g, o:

    i_t = sigmoid(z_t^i),  f_t = sigmoid(z_t^f),  g_t = tanh(z_t^g),  o_t = sigmoid(z_t^o)
    c_t = f_t * c_{t-1} + i_t * g_t
    h_t = o_t * tanh(c_t)

`LSTMCell.recur` computes the same thing tuned for speed (one tanh for all
four gates, written in place); `lstm_step_parts` writes it out line by line,
one equation each, and keeps every intermediate for a reader to look at.

    lstm_step_parts(cell, s_prev, x)        one step, every gate named (LSTMStepParts)
    memory_backward(cell, s_prev, x, ds)    dL/dc_{t-1} through one step
    parameter_count(cell)                   how many numbers a cell learns
    gradient_reach(cell, T, ...)            |dL/ds_t| against T - t for any cell (GradientReach)
    gate_trace(cell, xs, b)                 the gates and the memory of one sequence of a run (GateTrace)
    memory_units(cell, batch)               the units whose memory jumps most at the marked steps
    memory_limit(cell, batch, units)        a y limit for their memory that holds every sequence
    adding_view(cell, head, batch, index)   one adding-problem sequence through a trained LSTM (AddingView)

Numpy only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from rnnlib.core import _validate
from rnnlib.core.activations import sigmoid
from rnnlib.core.lstm import LSTMCell
from rnnlib.core.unroll import unroll
from rnnlib.lessons.gradients import decay_rate, gradient_norms


class LSTMStepParts(NamedTuple):
    """Everything one LSTM step computes, each (B, H) except z (B, 4H)."""

    z: np.ndarray  # x_t W_x + h_{t-1} W_s + b, the four blocks side by side
    i: np.ndarray  # input gate
    f: np.ndarray  # forget gate
    g: np.ndarray  # candidate memory
    o: np.ndarray  # output gate
    c: np.ndarray  # the new memory c_t
    h: np.ndarray  # the new output h_t


def _check_lstm(cell) -> None:
    if not isinstance(cell, LSTMCell):
        raise ValueError(f"cell must be an LSTMCell, got {type(cell).__name__}")


def lstm_step_parts(cell: LSTMCell, s_prev: np.ndarray, x: np.ndarray) -> LSTMStepParts:
    """One LSTM step, written out equation by equation: s_prev (B, 2H), x (B, D) -> LSTMStepParts.

    The new state is s_t = [c_t, h_t] = np.concatenate([parts.c, parts.h], axis=1),
    the same as cell.step(s_prev, x).
    """
    _check_lstm(cell)
    s_prev, x = cell.check_step(s_prev, x)
    H = cell.hidden_size
    W_x, W_s, b = cell.params["W_x"], cell.params["W_s"], cell.params["b"]
    c_prev, h_prev = s_prev[:, :H], s_prev[:, H:]  # s_{t-1} = [c_{t-1}, h_{t-1}]

    z = x @ W_x + h_prev @ W_s + b  # (B, D) @ (D, 4H) + (B, H) @ (H, 4H) -> (B, 4H)
    i = sigmoid(z[:, :H])  # input gate: how much of the candidate to write
    f = sigmoid(z[:, H : 2 * H])  # forget gate: how much of the old memory to keep
    g = np.tanh(z[:, 2 * H : 3 * H])  # candidate memory
    o = sigmoid(z[:, 3 * H :])  # output gate: how much of the memory to show
    c = f * c_prev + i * g  # c_t = f_t * c_{t-1} + i_t * g_t
    h = o * np.tanh(c)  # h_t = o_t * tanh(c_t)
    return LSTMStepParts(z, i, f, g, o, c, h)


def memory_backward(cell: LSTMCell, s_prev: np.ndarray, x: np.ndarray, ds: np.ndarray) -> np.ndarray:
    """dL/dc_{t-1} (B, H) through one step, given ds = dL/ds_t = [dc_t, dh_t] (B, 2H).

    c_t reaches L directly (dc_t) and through h_t = o_t * tanh(c_t); then the
    memory line c_t = f_t * c_{t-1} + ... takes the gradient back elementwise:

        dc       = dc_t + dh_t * o_t * (1 - tanh(c_t)^2)
        dc_{t-1} = dc * f_t

    (c_{t-1} also reaches nothing else in this step: the gates read h_{t-1}, not c_{t-1}.)
    """
    parts = lstm_step_parts(cell, s_prev, x)
    H = cell.hidden_size
    ds = _validate.array("ds", ds, 2, cell.dtype, (parts.c.shape[0], 2 * H))
    dc_t, dh_t = ds[:, :H], ds[:, H:]
    dc = dc_t + dh_t * parts.o * (1 - np.tanh(parts.c) ** 2)
    return dc * parts.f


def parameter_count(cell) -> int:
    """The number of numbers a cell learns: the sizes of W_x, W_s and b added up."""
    return int(sum(np.size(p) for p in cell.params.values()))


# ---- how far the gradient reaches --------------------------------------------------


@dataclass
class GradientReach:
    """|dL/ds_t| against the distance T - t, from `gradient_reach`."""

    distance: np.ndarray  # (T+1,)    k = T - t, 0..T
    norms: np.ndarray  # (T+1, B)  |dL/ds_{T-k}| / |dL/ds_T|, one column per sequence
    rate: float  # the fitted factor per step (analysis.decay_rate)


def gradient_reach(cell, T: int = 100, batch_size: int = 16, xs=None, seed: int = 0) -> GradientReach:
    """Measure how much of dL/ds_T reaches each earlier state, when only y_T reaches the loss.

    xs: the inputs (T, B, D); None draws x_t ~ N(0, 1) (seeded). dL/dy_T is
    a random unit vector per sequence; the backward pass is linear in it,
    so the profile does not depend on which loss it came from.
    """
    rng = np.random.default_rng(seed)
    if xs is None:
        T = _validate.positive_int("T", T)
        xs = rng.normal(size=(T, batch_size, cell.input_size))
    xs = _validate.array("xs", xs, 3, cell.dtype, ("T", "B", cell.input_size))
    T, B = xs.shape[:2]
    dy_T = rng.normal(size=(B, cell.hidden_size))
    dy_T /= np.linalg.norm(dy_T, axis=1, keepdims=True)
    norms = gradient_norms(cell, unroll(cell, xs), dy_T)
    norms = norms / norms[0]
    return GradientReach(distance=np.arange(T + 1), norms=norms, rate=decay_rate(norms))


# ---- the gates over a run ----------------------------------------------------------


@dataclass
class GateTrace:
    """The gates and the state of one sequence of an LSTM run, step by step."""

    i: np.ndarray  # (T, H)    i_t for t = 1..T (row t-1)
    f: np.ndarray  # (T, H)    f_t
    g: np.ndarray  # (T, H)    g_t
    o: np.ndarray  # (T, H)    o_t
    c: np.ndarray  # (T+1, H)  c_0..c_T (row t is c_t)
    h: np.ndarray  # (T+1, H)  h_0..h_T


def gate_trace(cell: LSTMCell, xs: np.ndarray, b: int = 0) -> GateTrace:
    """Unroll `cell` over xs (T, B, D) and return the gates and memory of sequence b."""
    _check_lstm(cell)
    run = unroll(cell, xs)
    B = run.xs.shape[1]
    if not 0 <= b < B:
        raise ValueError(f"b must be a batch index in 0..{B - 1}, got {b!r}")
    H = cell.hidden_size
    gates = np.stack([cache.gates[b] for cache in run.caches])  # (T, 4H): [i, f, g, o] of each step
    states = run.states[:, b]  # (T+1, 2H)
    return GateTrace(
        i=gates[:, :H].copy(),
        f=gates[:, H : 2 * H].copy(),
        g=gates[:, 2 * H : 3 * H].copy(),
        o=gates[:, 3 * H :].copy(),
        c=states[:, :H].copy(),
        h=states[:, H:].copy(),
    )


@dataclass
class AddingView:
    """One adding-problem sequence read by a trained LSTM: what the notebook's widget draws."""

    index: int  # which sequence of the batch
    values: np.ndarray  # (T,)  v_t
    markers: np.ndarray  # (T,)  m_t, 1 at the two marked steps
    marked: np.ndarray  # (2,)  the marked steps t (1-based)
    target: float  # the sum of the two marked values
    prediction: float  # the network's answer p = h_T W + b
    trace: GateTrace
    units: np.ndarray  # (k,) the memory units to show (memory_units: those that jump most at the marks)


def memory_units(cell: LSTMCell, batch, k: int = 3) -> np.ndarray:
    """The k units whose memory c_t jumps most at the marked steps, over a whole AddingBatch.

    The jump of unit u at step t is |c_t[u] - c_{t-1}[u]|; it is averaged over
    the two marked steps of every sequence. Largest first, (k,).
    """
    _check_lstm(cell)
    run = unroll(cell, batch.xs)
    H = cell.hidden_size
    jumps = np.abs(np.diff(run.states[:, :, :H], axis=0))  # (T, n, H): |c_t - c_{t-1}| for t = 1..T
    marked = batch.xs[:, :, 1] == 1  # (T, n)
    mean_jump = jumps[marked].mean(axis=0)  # (H,): over every marked step of every sequence
    return np.argsort(-mean_jump, kind="stable")[:k]


def memory_limit(cell: LSTMCell, batch, units) -> float:
    """A y limit for the memory c_t of `units` that holds every sequence of an AddingBatch: 1.15 max |c_t|, >= 1.

    The widget keeps it for every sequence, so that a sequence's memory can be compared with the last one's.
    """
    _check_lstm(cell)
    H = cell.hidden_size
    memory = unroll(cell, batch.xs).states[:, :, :H]  # (T+1, n, H): c_0..c_T of every sequence
    return max(1.0, 1.15 * float(np.max(np.abs(memory[:, :, np.asarray(units, dtype=int)]))))


def adding_view(cell: LSTMCell, head, batch, index: int = 0, units=None, k: int = 3) -> AddingView:
    """Run sequence `index` of an AddingBatch through a trained cell and its Affine head.

    units: which memory units to show; None picks the k that jump most at the
    marked steps over the whole batch (memory_units), the same for every index.
    """
    n = batch.xs.shape[1]
    if not (isinstance(index, (int, np.integer)) and 0 <= index < n):
        raise ValueError(f"index must be a sequence number in 0..{n - 1}, got {index!r}")
    units = memory_units(cell, batch, k) if units is None else np.asarray(units, dtype=int)
    xs = batch.xs[:, index : index + 1]  # (T, 1, 2): one sequence
    trace = gate_trace(cell, xs, b=0)
    prediction, _ = head.forward(trace.h[-1:])  # p = h_T W + b, (1, H) @ (H, 1) -> (1, 1)
    marked = np.flatnonzero(xs[:, 0, 1] == 1) + 1
    return AddingView(
        index=int(index),
        values=xs[:, 0, 0].copy(),
        markers=xs[:, 0, 1].copy(),
        marked=marked,
        target=float(batch.targets[index, 0]),
        prediction=float(prediction[0, 0]),
        trace=trace,
        units=units,
    )
