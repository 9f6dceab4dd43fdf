"""Unrolling a cell over a sequence, and backpropagation through time.

Unrolled, an RNN is a deep feedforward network whose layers share weights:

    s_1 = R(s_0, x_1),  s_2 = R(s_1, x_2),  ...,  s_T = R(s_{T-1}, x_T),   y_t = O(s_t)

`unroll` runs it forward and keeps what the backward pass needs in a `Run`;
`bptt` walks the same chain from t = T down to 1. Notation: dL/ds_t is the
total derivative (all that reaches s_t, the quantity that vanishes); ∂
marks one path's share of it. s_t reaches L through its own output y_t and
through the next state s_{t+1}, so

    dL/ds_t = ∂L/∂y_t ∂y_t/∂s_t  +  dL/ds_{t+1} ∂s_{t+1}/∂s_t

and the step's backward (the cell's `recur_backward`) computes the second
term. This is the one backward pass of rnnlib: every model and experiment
calls it.

Sizes: T steps, batch B, input D, state S, output H, G pre-activation columns.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnlib.core import _validate
from rnnlib.core.cell import Cell


@dataclass
class Run:
    """Everything one forward pass computed (nothing of it lives on the cell)."""

    xs: np.ndarray  # (T, B, D)    the inputs x_1..x_T
    states: np.ndarray  # (T+1, B, S)  s_0..s_T; states[0] is s_0
    outputs: np.ndarray  # (T, B, H)    y_1..y_T
    caches: list  # T results of cell.recur, caches[t-1] for step t (the step's gates and other parts)


@dataclass
class Grads:
    """The gradients of a loss L, from `bptt`."""

    params: dict  # dL/d(each parameter), same keys and shapes as cell.params
    xs: np.ndarray  # (T, B, D)    dL/dx_t
    states: np.ndarray  # (T+1, B, S)  dL/ds_t, the total derivative through every later step


def unroll(cell: Cell, xs, s0=None) -> Run:
    """Run `cell` over xs (T, B, D) from s0 (B, S), zeros when None. Returns a Run."""
    xs = _validate.array("xs", xs, 3, cell.dtype, ("T", "B", cell.input_size))
    T, B, _ = xs.shape
    if s0 is None:
        s0 = cell.initial_state(B)
    s0 = _validate.array("s0", s0, 2, cell.dtype, (B, cell.state_size))
    _validate.params_finite(type(cell).__name__, cell.params)

    zx = cell.project(xs)  # x_t W_x + b for every t in one product: (T, B, D) -> (T, B, G)
    states = np.empty((T + 1, B, cell.state_size), dtype=cell.dtype)
    states[0] = s0
    caches = []
    for t in range(1, T + 1):
        states[t], parts = cell.recur(states[t - 1], zx[t - 1])  # s_t = R(s_{t-1}, x_t)
        caches.append(parts)
    return Run(xs=xs, states=states, outputs=cell.output(states[1:]), caches=caches)


def last_output_only(run: Run, dy_T) -> np.ndarray:
    """d_outputs (T, B, H) for a loss that reads only y_T: dL/dy_T = dy_T (B, H), every other dL/dy_t = 0.

    An acceptor, an encoder and the adding problem read the last output alone.
    """
    d_outputs = np.zeros_like(run.outputs)
    d_outputs[-1] = dy_T
    return d_outputs


def bptt(cell: Cell, run: Run, d_outputs=None, truncate: int | None = None, d_states=None) -> Grads:
    """Backpropagation through time, from d_outputs = ∂L/∂y_t (T, B, H).

    d_states (T+1, B, S), optional: gradient that reaches the states from
    outside the recurrence (a decoder that starts from the encoder's s_T, or
    a loss on the states themselves); it is added to what comes from the outputs.
    At least one of the two must be given.

    truncate=k cuts the sequence into chunks of k steps (1..k, k+1..2k, ...)
    and stops the gradient at each cut, as if the state handed from one chunk
    to the next were a constant: no gradient flows back more than k steps.
    Then grads.states[t] at a cut t = k, 2k, ... holds only what reaches s_t
    from outside the recurrence, and grads are those of that cut graph.

    Neither `cell` nor `run` is changed.
    """
    T, B = run.xs.shape[:2]
    S = cell.state_size
    if run.states.shape != (T + 1, B, S) or len(run.caches) != T:
        raise ValueError(
            f"run must come from unroll with this cell: states of shape {(T + 1, B, S)}, got {run.states.shape}"
        )
    if run.xs.shape != (T, B, cell.input_size):
        raise ValueError(
            f"run must come from unroll with this cell: xs of shape {(T, B, cell.input_size)}, got {run.xs.shape}"
        )
    if d_outputs is None and d_states is None:
        raise ValueError("bptt needs d_outputs (T, B, H) or d_states (T+1, B, S); got neither")
    _validate.params_finite(type(cell).__name__, cell.params)
    if truncate is not None:
        truncate = _validate.positive_int("truncate", truncate)

    # dL/ds_t starts as what reaches s_t from outside the recurrence; the loop adds the rest.
    total = np.zeros((T + 1, B, S), dtype=cell.dtype)
    if d_outputs is not None:
        d_outputs = _validate.array("d_outputs", d_outputs, 3, cell.dtype, (T, B, cell.hidden_size))
        total[1:] = cell.output_backward(d_outputs)  # ∂L/∂y_t ∂y_t/∂s_t; s_0 has no output
    if d_states is not None:
        total += _validate.array("d_states", d_states, 3, cell.dtype, (T + 1, B, S))

    dzx = np.empty((T, B, cell.gate_size), dtype=cell.dtype)  # dL/d(x_t W_x + b) at every step
    dzs = np.empty((T, B, cell.gate_size), dtype=cell.dtype)  # dL/d(r(s_{t-1}) W_s) at every step
    for t in range(T, 0, -1):
        # total[t] is complete here: step t+1 has already added its share
        ds_prev, dzx[t - 1], dzs[t - 1] = cell.recur_backward(total[t], run.caches[t - 1])
        cut = truncate is not None and (t - 1) > 0 and (t - 1) % truncate == 0
        if not cut:
            total[t - 1] += ds_prev  # dL/ds_{t-1} += dL/ds_t ∂s_t/∂s_{t-1}

    # The weights are shared by every step, so their gradient is a sum over
    # steps: one product over all T*B rows instead of T small ones.
    rows = T * B
    params = cell.weight_gradients(
        run.xs.reshape(rows, -1), run.states[:-1].reshape(rows, -1), dzx.reshape(rows, -1), dzs.reshape(rows, -1)
    )
    d_xs = (dzx.reshape(rows, -1) @ cell.params["W_x"].T).reshape(T, B, -1)  # (T*B, G) @ (G, D) -> (T, B, D)
    return Grads(params=params, xs=d_xs, states=total)
