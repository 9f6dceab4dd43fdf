"""Bidirectional RNNs: one cell reads left to right, another right to left.

A state s_t of an ordinary RNN has read x_1..x_t and nothing after. A
bidirectional RNN runs a second cell from the end backwards, so that at every
position there is also a state that has read x_t..x_T, and concatenates the
two (the lecture's section 4):

    forward:   f_t = R_f(f_{t-1}, x_t),   t = 1, ..., T      f_t has read x_1..x_t
    backward:  b_t = R_b(b_{t+1}, x_t),   t = T, ..., 1      b_t has read x_t..x_T
    output:    y_t = [O_f(f_t) ; O_b(b_t)]                   y_t depends on all of x_1..x_T

Sizes: T steps, batch B, input D, outputs H_f and H_b of the two cells;
outputs (T, B, H_f + H_b), the forward half first.

The backward cell is run with `unroll` on the reversed sequence, so its Run
is in its own reading order: its step 1 reads x_T. With `lengths`, each
sequence is reversed within its own length (padding after a shorter sequence
stays at the end), so that the backward cell starts at the last real input.

Moving weights from torch.nn.RNN / torch.nn.LSTM(bidirectional=True):
cell_f takes W_x = weight_ih_l0.T, W_s = weight_hh_l0.T, b = bias_ih_l0 + bias_hh_l0,
and cell_b the same from the *_l0_reverse tensors.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnlib.core import _validate
from rnnlib.core.cell import Cell
from rnnlib.core.unroll import Grads, Run, bptt, unroll


def _lengths(lengths, T: int, B: int) -> np.ndarray:
    if lengths is None:
        return np.full(B, T, dtype=np.int64)
    lengths = np.asarray(lengths)
    if lengths.shape != (B,) or not np.issubdtype(lengths.dtype, np.integer):
        raise ValueError(f"lengths must be integers of shape ({B},), got {lengths.dtype} of shape {lengths.shape}")
    if lengths.min() < 1 or lengths.max() > T:
        raise ValueError(f"lengths must lie in 1..{T}, got values from {lengths.min()} to {lengths.max()}")
    return lengths.astype(np.int64)


def reverse_time(xs, lengths=None) -> np.ndarray:
    """xs (T, B, ...) with each sequence b's first lengths[b] steps in reverse order; the rest stays.

    Without lengths, xs[::-1]. Doing it twice gives xs back.
    """
    xs = np.asarray(xs)
    T, B = xs.shape[:2]
    lengths = _lengths(lengths, T, B)
    t = np.arange(T)[:, None]  # (T, 1)
    order = np.where(t < lengths, lengths - 1 - t, t)  # (T, B): where step t of the reversed sequence comes from
    order = order.reshape(order.shape + (1,) * (xs.ndim - 2))
    return np.take_along_axis(xs, order, axis=0)


@dataclass
class BiRun:
    """Both runs of a bidirectional RNN, and their outputs side by side."""

    forward: Run  # the forward cell over x_1..x_T
    backward: Run  # the backward cell over x_T..x_1, in its own reading order
    outputs: np.ndarray  # (T, B, H_f + H_b): outputs[t-1] = [O_f(f_t) ; O_b(b_t)]
    lengths: np.ndarray  # (B,) the length of each sequence


@dataclass
class BiGrads:
    """The gradients of a loss L through a bidirectional run."""

    forward: Grads  # of the forward cell (params, xs, states)
    backward: Grads  # of the backward cell, in its own reading order
    xs: np.ndarray  # (T, B, D) dL/dx_t: both cells read x_t, so both contribute


def bidirectional_unroll(cell_f: Cell, cell_b: Cell, xs, s0_f=None, s0_b=None, lengths=None) -> BiRun:
    """Run cell_f left to right and cell_b right to left over xs (T, B, D).

    s0_f, s0_b: the initial states of the two directions (zeros when None).
    lengths (B,): the length of each sequence when shorter ones are padded
    at the end (all T when None). Returns a BiRun whose outputs are (T, B, H_f + H_b).
    """
    xs = _validate.array("xs", xs, 3, cell_f.dtype, ("T", "B", cell_f.input_size))
    if cell_b.input_size != cell_f.input_size:
        raise ValueError(f"cell_b must read inputs of size {cell_f.input_size}, got input_size {cell_b.input_size}")
    T, B, _ = xs.shape
    lengths = _lengths(lengths, T, B)
    fwd = unroll(cell_f, xs, s0_f)  # f_t has read x_1..x_t
    bwd = unroll(cell_b, reverse_time(xs, lengths), s0_b)  # its step k reads x_{T+1-k}
    b_outputs = reverse_time(bwd.outputs, lengths)  # back in position order: b_outputs[t-1] = O_b(b_t)
    outputs = np.concatenate([fwd.outputs, b_outputs], axis=-1)  # (T, B, H_f + H_b)
    return BiRun(forward=fwd, backward=bwd, outputs=outputs, lengths=lengths)


def bidirectional_bptt(cell_f: Cell, cell_b: Cell, birun: BiRun, d_outputs) -> BiGrads:
    """Backward of `bidirectional_unroll`, from d_outputs = dL/dy_t (T, B, H_f + H_b).

    The forward half of each dL/dy_t goes back through cell_f's run, the
    backward half through cell_b's (in its reading order); dL/dx_t is the sum
    of what both runs send to x_t. The initial states' gradients are
    grads.forward.states[0] and grads.backward.states[0].
    """
    T, B = birun.forward.xs.shape[:2]
    H_f = cell_f.hidden_size
    d_outputs = _validate.array("d_outputs", d_outputs, 3, cell_f.dtype, (T, B, H_f + cell_b.hidden_size))
    g_f = bptt(cell_f, birun.forward, d_outputs[..., :H_f])
    g_b = bptt(cell_b, birun.backward, reverse_time(d_outputs[..., H_f:], birun.lengths))
    d_xs = g_f.xs + reverse_time(g_b.xs, birun.lengths)
    return BiGrads(forward=g_f, backward=g_b, xs=d_xs)
