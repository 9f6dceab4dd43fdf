"""The LSTM cell taken apart (the lecture's section 7): its gates one step at a time, the
memory path backward, and the gates over a whole run.

Sizes: input D, hidden H, batch B, T steps; the state is s_t = [c_t, h_t] (B, 2H).
The equations are those of rnnlib.core.lstm (i_t, f_t, the candidate c~_t, o_t,
then c_t and h_t), and every number here comes from LSTMCell's own step:
nothing below computes an LSTM step a second time.

    lstm_step_parts(cell, s_prev, x)        one step, every intermediate named (LSTMParts)
    memory_backward(cell, s_prev, x, ds)    ∂L/∂c_{t-1} through one step
    parameter_count(cell)                   how many numbers a cell learns
    memory_path(cell, xs, seed)             |dL/dc_t|, |dL/dh_t| and the direct memory path alone, against distance
    gate_trace(cell, xs, b)                 the gates and the memory of one sequence of a run (GateTrace)
    unit_roles(cell, batch, head)           per unit: forget gate, time constant 1/(1-f), share of the answer
    memory_units(cell, batch)               the units to watch: those that hold a value, then those that jump most
    memory_limit(cell, batch, units)        a y limit for their memory that holds every sequence
    adding_view(cell, head, batch, index)   one adding-problem sequence through a trained LSTM (AddingView)

How far the gradient reaches back, for any cell, is rnnlib.lessons.gradients.gradient_reach.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnlib.core import _validate
from rnnlib.core.lstm import LSTMCell, LSTMParts
from rnnlib.core.unroll import bptt, last_output_only, unroll


def _check_lstm(cell) -> None:
    if not isinstance(cell, LSTMCell):
        raise ValueError(f"cell must be an LSTMCell, got {type(cell).__name__}")


def lstm_step_parts(cell: LSTMCell, s_prev: np.ndarray, x: np.ndarray) -> LSTMParts:
    """One LSTM step with every intermediate: s_prev (B, 2H), x (B, D) -> LSTMParts (i, f, c_tilde, o, c, h, ...).

    These are the cell's own numbers (`LSTMCell.recur`, the code that trains):
    the new state is s_t = [c_t, h_t] = np.concatenate([parts.c, parts.h], axis=1).
    """
    _check_lstm(cell)
    _, cache = cell.step_forward(s_prev, x)
    return cache.parts


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
    dc = dc_t + dh_t * parts.o * (1 - parts.tanh_c**2)  # δc_t
    return dc * parts.f


def parameter_count(cell) -> int:
    """The number of numbers a cell learns: the sizes of W_x, W_s and b added up."""
    return int(sum(np.size(p) for p in cell.params.values()))


# ---- the memory path, measured --------------------------------------------------------


@dataclass
class MemoryPath:
    """The two halves of dL/ds_t = [dL/dc_t, dL/dh_t] against the distance k = T - t, from `memory_path`.

    Every array is (T+1, B), indexed by k, one column per sequence, for a
    loss that reads only y_T with |dL/dy_T| = 1 (so |dL/ds_T| = 1).
    """

    distance: np.ndarray  # (T+1,)     k = T - t, 0..T
    dc: np.ndarray  # (T+1, B)  |dL/dc_{T-k}|, bptt's total derivative (0 at k = 0: c_T reaches y_T only through h_T)
    dh: np.ndarray  # (T+1, B)  |dL/dh_{T-k}|
    direct: np.ndarray  # (T+1, B)  |δc_T * f_T * ... * f_{T-k+1}|: the direct memory line alone (NaN at k = 0)
    forget_product: np.ndarray  # (T+1, B, H)  f_T * ... * f_{T-k+1}, per unit (1 at k = 0)


def memory_path(cell: LSTMCell, xs: np.ndarray, seed: int = 0) -> MemoryPath:
    """Follow dL/ds_t back through an LSTM run over xs (T, B, D), half by half.

    Only y_T reaches the loss, with dL/dy_T a random unit vector per sequence
    (seeded, as rnnlib.lessons.gradients.gradient_reach draws it). The
    measured halves come from `bptt` (grads.states[:, :, :H] is dL/dc_t,
    [:, :, H:] is dL/dh_t). `direct` is what dL/dc_t would be if the block
    dc_t/dc_{t-1} = diag(f_t) were the only way back: δc_T = dL/dh_T * o_T *
    (1 - tanh(c_T)^2) times the forget gates in between. The measured dL/dc_t
    also collects, at every step, what comes back through h_t and the gates.
    """
    _check_lstm(cell)
    xs = _validate.array("xs", xs, 3, cell.dtype, ("T", "B", cell.input_size))
    T, B = xs.shape[:2]
    H = cell.hidden_size
    rng = np.random.default_rng(seed)
    dy_T = rng.normal(size=(B, H))
    dy_T /= np.linalg.norm(dy_T, axis=1, keepdims=True)
    run = unroll(cell, xs)
    grads = bptt(cell, run, last_output_only(run, dy_T))
    dc = np.linalg.norm(grads.states[:, :, :H], axis=-1)[::-1]  # (T+1, B), reversed: distance 0 first
    dh = np.linalg.norm(grads.states[:, :, H:], axis=-1)[::-1]

    last = run.caches[-1]  # step T's parts
    delta_c_T = dy_T * last.o * (1 - last.tanh_c**2)  # δc_T: all that reaches c_T, through h_T
    forget_product = np.ones((T + 1, B, H))
    for k in range(1, T + 1):
        forget_product[k] = forget_product[k - 1] * run.caches[T - k].f  # times f_{T-k+1}
    direct = np.linalg.norm(delta_c_T * forget_product, axis=-1)
    direct[0] = np.nan  # dL/dc_T itself is not a product of gates: it is 0 when only y_T reaches L
    return MemoryPath(distance=np.arange(T + 1), dc=dc, dh=dh, direct=direct, forget_product=forget_product)


# ---- the gates over a run ----------------------------------------------------------


@dataclass
class GateTrace:
    """The gates and the state of one sequence of an LSTM run, step by step."""

    i: np.ndarray  # (T, H)    i_t for t = 1..T (row t-1)
    f: np.ndarray  # (T, H)    f_t
    c_tilde: np.ndarray  # (T, H)    c~_t, the candidate
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
    states = run.states[:, b]  # (T+1, 2H)
    return GateTrace(
        i=np.stack([p.i[b] for p in run.caches]),  # (T, H): each step's own gates (LSTMParts)
        f=np.stack([p.f[b] for p in run.caches]),
        c_tilde=np.stack([p.c_tilde[b] for p in run.caches]),
        o=np.stack([p.o[b] for p in run.caches]),
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
    units: np.ndarray  # (k,) the memory units to show (memory_units: those that hold a value, then the jumpers)


@dataclass
class UnitRoles:
    """What each memory unit of an LSTM does on adding-problem sequences, over a batch; every field (H,)."""

    forget: np.ndarray  # the mean forget gate f_t over the steps after the first mark
    time_constant: np.ndarray  # 1 / (1 - forget): the steps it takes the memory to fall to 1/e on its own
    held: np.ndarray  # f_{m+1} * ... * f_T from the first mark m to the end, averaged: the part of c_m kept to c_T
    jump: np.ndarray  # |c_t - c_{t-1}| at the marked steps, averaged over both marks of every sequence
    answer_share: np.ndarray | None  # cov(h_T[u] W[u], p) / var(p): how much of the answer flows through u


def unit_roles(cell: LSTMCell, batch, head=None) -> UnitRoles:
    """Measure, for every memory unit, how long it holds a value and how much of the answer flows through it.

    batch: an AddingBatch (xs (T, n, 2), the markers in xs[..., 1]). With a
    memory c_t = f_t * c_{t-1} + ..., a constant f keeps f^k of a value after
    k steps, about exp(-k / tau) with the time constant tau = 1 / (1 - f).
    head: the trained Affine head p = h_T W + b; given, answer_share splits the
    answer's variance over the batch among the units (the shares add up to 1):
    cov(h_T[u] W[u], p) / var(p). Without a head it is None.
    """
    _check_lstm(cell)
    run = unroll(cell, batch.xs)
    H = cell.hidden_size
    T, n = batch.xs.shape[:2]
    c = run.states[:, :, :H]  # (T+1, n, H)
    f = np.stack([p.f for p in run.caches])  # (T, n, H): f_t in row t-1
    marked = batch.xs[:, :, 1] == 1  # (T, n)
    first = np.argmax(marked, axis=0)  # (n,): the row of the first mark, m - 1
    after = np.arange(T)[:, None] > first[None, :]  # (T, n): the steps m+1 .. T
    forget = (f * after[:, :, None]).sum(axis=(0, 1)) / after.sum()
    held = np.prod(np.where(after[:, :, None], f, 1.0), axis=0).mean(axis=0)
    jump = np.abs(np.diff(c, axis=0))[marked].mean(axis=0)  # (H,): over every marked step
    share = None
    if head is not None:
        parts = run.states[-1, :, H:] * head.params["W"][:, 0]  # (n, H): h_T[u] W[u], the answer's terms
        answer = parts.sum(axis=1)
        centred = answer - answer.mean()
        share = ((parts - parts.mean(axis=0)) * centred[:, None]).mean(axis=0) / centred.var()
    return UnitRoles(forget=forget, time_constant=1.0 / (1.0 - forget), held=held, jump=jump, answer_share=share)


def memory_units(cell: LSTMCell, batch, k: int = 3) -> np.ndarray:
    """k memory units to watch on an AddingBatch, chosen by what they do; (k,), 0-based.

    First the units that hold a value: those whose forget gates alone keep
    more than half of what the memory held at the first mark until the end
    (UnitRoles.held > 0.5), the longest-holding first; then, to fill k, the
    units whose memory jumps most at the marked steps.
    """
    roles = unit_roles(cell, batch)
    holders = [int(u) for u in np.argsort(-roles.held, kind="stable") if roles.held[u] > 0.5]
    jumpers = [int(u) for u in np.argsort(-roles.jump, kind="stable") if int(u) not in holders]
    return np.array((holders + jumpers)[:k], dtype=int)


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

    units: which memory units to show; None lets memory_units pick k over the
    whole batch (the units that hold a value, then those that jump most at the
    marks), the same for every index.
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
