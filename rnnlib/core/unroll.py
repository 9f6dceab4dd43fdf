"""Unrolling a cell over a sequence, and backpropagation through time.

Unrolled, an RNN is a deep feedforward network whose layers share weights:

    s_1 = R(s_0, x_1),  s_2 = R(s_1, x_2),  ...,  s_T = R(s_{T-1}, x_T),   y_t = O(s_t)

`unroll` runs it forward and keeps what the backward pass needs in a `Run`;
`bptt` walks the same chain from t = T down to 1, adding at each state the
gradient that reaches it from its output and from the next state:

    dL/ds_t = dL/dy_t dO/ds_t + dL/ds_{t+1} ds_{t+1}/ds_t

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
    caches: list  # T caches of cell.recur, caches[t-1] for step t


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

    # x_t W_x + b for every step in one product: (T, B, D) @ (D, G) -> (T, B, G).
    # The array is unroll's own, so each step may build z_t in it (the LSTM
    # keeps its gates there): no new (B, G) array per step.
    zx = cell.project(xs)
    states = np.empty((T + 1, B, cell.state_size), dtype=cell.dtype)
    states[0] = s0
    caches = []
    for t in range(1, T + 1):
        _, cache = cell.recur(states[t - 1], zx[t - 1], out=states[t], overwrite_zx=True)  # s_t = R(s_{t-1}, x_t)
        caches.append(cache)
    return Run(xs=xs, states=states, outputs=cell.output(states[1:]), caches=caches)


def bptt(cell: Cell, run: Run, d_outputs, truncate: int | None = None) -> Grads:
    """Backpropagation through time, from d_outputs = dL/dy_t (T, B, H).

    truncate=k cuts the sequence into chunks of k steps (1..k, k+1..2k, ...)
    and stops the gradient at each cut, as if the state handed from one chunk
    to the next were a constant: no gradient flows back more than k steps.
    Then grads.states[t] at a cut t = k, 2k, ... holds only what reaches s_t
    from its own output, and grads are those of that cut graph.

    Neither `cell` nor `run` is changed.
    """
    T, B = run.xs.shape[:2]
    H = cell.hidden_size
    if run.states.shape != (T + 1, B, cell.state_size) or len(run.caches) != T:
        raise ValueError(
            f"run must come from unroll with this cell: states of shape {(T + 1, B, cell.state_size)}, "
            f"got {run.states.shape}"
        )
    if run.xs.shape != (T, B, cell.input_size):
        raise ValueError(
            f"run must come from unroll with this cell: xs of shape {(T, B, cell.input_size)}, got {run.xs.shape}"
        )
    d_outputs = _validate.array("d_outputs", d_outputs, 3, cell.dtype, (T, B, H))
    _validate.params_finite(type(cell).__name__, cell.params)
    if truncate is not None:
        truncate = _validate.positive_int("truncate", truncate)

    d_states = np.empty((T + 1, B, cell.state_size), dtype=cell.dtype)
    d_states[0] = 0  # s_0 has no output
    cell._output_backward(d_outputs, out=d_states[1:])  # what reaches each s_t from y_t (checked above)
    dz = np.empty((T, B, cell.gate_size), dtype=cell.dtype)
    # Every step multiplies by W_s^T. BLAS does that faster with a contiguous
    # copy, made once here, than with the transposed view of W_s.
    W_s_T = np.ascontiguousarray(cell.params["W_s"].T)
    for t in range(T, 0, -1):
        # d_states[t] is complete here: step t+1 has already added its share
        ds_prev, dz[t - 1] = cell.recur_backward(d_states[t], run.caches[t - 1], W_s_T=W_s_T)
        cut = truncate is not None and (t - 1) > 0 and (t - 1) % truncate == 0
        if not cut:
            d_states[t - 1] += ds_prev

    # The weights are shared by every step, so their gradient is a sum over
    # steps: one product over all T*B rows instead of T small ones.
    dz_rows = dz.reshape(T * B, -1)  # (T*B, G)
    s_in = cell.recurrent_input(run.states[:-1]).reshape(T * B, -1)  # (T*B, H)
    params = {
        "W_x": run.xs.reshape(T * B, -1).T @ dz_rows,
        "W_s": s_in.T @ dz_rows,
        "b": dz_rows.sum(axis=0),
    }
    d_xs = (dz_rows @ cell.params["W_x"].T).reshape(T, B, -1)  # (T*B, G) @ (G, D) -> (T, B, D)
    return Grads(params=params, xs=d_xs, states=d_states)
