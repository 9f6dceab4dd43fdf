"""Stacked RNNs: recurrent layers on top of each other, each reading the outputs of the one below.

With L layers, layer 1 reads the inputs and layer l reads the outputs of layer l - 1:

    s^1_t = R_1(s^1_{t-1}, x_t),           y^1_t = O_1(s^1_t)
    s^l_t = R_l(s^l_{t-1}, y^{l-1}_t),     y^l_t = O_l(s^l_t)        l = 2..L

and the head reads the top layer's outputs y^L_t. Forward, each layer is one
`unroll` over the whole sequence of the layer below. Backward needs no new
loop: `bptt` of layer l returns grads.xs = dL/d(its inputs), and its inputs
are the outputs of layer l - 1, so that is the d_outputs of layer l - 1's
own `bptt`. One bptt per layer, from the top down.

    runs = stacked_unroll(cells, xs)                 one Run per layer, bottom first
    grads = stacked_bptt(cells, runs, d_outputs)     one Grads per layer; d_outputs = dL/dy^L (T, B, H_L)
    StackedTransducer(cells, head)                   a tagger or language model on the stack (a Model)
    StackedRegressor(cells, head)                    one number from the top layer's y^L_T, squared error (a Model)
    train_adding_stacked(T, kind, layers, ...)       the adding problem of notebooks 6 and 7 on a stack (an Outcome)

Sizes: T steps, batch B, input D; layer l has H_l units, and its input size
is D for l = 1 and H_{l-1} above.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from rnnlib.core import _validate
from rnnlib.core.cell import Cell
from rnnlib.core.elman import ElmanCell
from rnnlib.core.gru import GRUCell
from rnnlib.core.layers import Affine
from rnnlib.core.lstm import LSTMCell
from rnnlib.core.models import Model, Regressor
from rnnlib.core.unroll import Grads, Run, bptt, last_output_only, unroll
from rnnlib.lessons.long_range import fit_adding


def _check_stack(cells) -> list:
    cells = list(cells)
    if not cells or not all(isinstance(c, Cell) for c in cells):
        raise ValueError(f"cells must be a non-empty list of rnnlib cells, got {cells!r}")
    for l in range(1, len(cells)):
        if cells[l].input_size != cells[l - 1].hidden_size:
            raise ValueError(
                f"layer {l + 1} reads the outputs of layer {l}: its input_size must be {cells[l - 1].hidden_size}, "
                f"got {cells[l].input_size}"
            )
    return cells


def stacked_unroll(cells, xs) -> list[Run]:
    """Run the stack over xs (T, B, D) from zero states: layer 1 reads xs, layer l reads layer l-1's outputs.

    Returns one Run per layer, bottom first; runs[-1].outputs (T, B, H_L) is what a head reads.
    """
    cells = _check_stack(cells)
    runs = []
    inputs = xs
    for cell in cells:
        runs.append(unroll(cell, inputs))
        inputs = runs[-1].outputs  # y^l_1..y^l_T: the next layer's x_1..x_T
    return runs


def stacked_bptt(cells, runs, d_outputs) -> list[Grads]:
    """Backpropagation through time through the stack, from d_outputs = dL/dy^L_t (T, B, H_L) of the top layer.

    Returns one Grads per layer, bottom first (the same order as cells and runs).
    grads[0].xs is dL/dx_t; for l > 0, grads[l].xs is dL/dy^{l-1}_t, which is
    exactly what bptt of layer l - 1 started from.
    """
    cells = _check_stack(cells)
    if len(runs) != len(cells):
        raise ValueError(f"runs must hold one Run per layer ({len(cells)}), got {len(runs)}")
    grads = [None] * len(cells)
    d = d_outputs
    for l in range(len(cells) - 1, -1, -1):  # the top layer first
        grads[l] = bptt(cells[l], runs[l], d)
        d = grads[l].xs  # dL/d(inputs of layer l) = dL/d(outputs of layer l - 1)
    return grads


class StackedCache(NamedTuple):
    runs: list  # one Run per layer, bottom first
    head: np.ndarray  # the head's cache: the top layer's outputs (T, B, H_L)


class StackedTransducer(Model):
    """One decision per input from the top of a stack: logits_t = y^L_t W + b, (T, B, K).

    StackedTransducer(cells, head), cells bottom first, head = Affine(H_L, K).
    A batch for `loss_and_grads` is (xs (T, B, D), targets (T, B) int, mask
    (T, B) bool or None), as for rnnlib.core.models.Transducer, which is the
    one-layer case.
    """

    def __init__(self, cells, head: Affine):
        cells = _check_stack(cells)
        if head.in_size != cells[-1].hidden_size:
            raise ValueError(f"head.in_size must be the top layer's hidden_size {cells[-1].hidden_size}, "
                             f"got {head.in_size}")  # fmt: skip
        self.cells, self.head = cells, head
        self.modules = (*cells, head)

    def forward(self, xs, mask=None) -> tuple[np.ndarray, StackedCache]:
        # mask: as for Transducer, padding at the end changes no earlier y_t
        runs = stacked_unroll(self.cells, xs)
        logits, head_cache = self.head.forward(runs[-1].outputs)  # (T, B, H_L) @ (H_L, K) -> (T, B, K)
        return logits, StackedCache(runs, head_cache)

    def backward(self, dlogits, cache: StackedCache) -> list:
        d_outputs, dhead = self.head.backward(dlogits, cache.head)
        grads = stacked_bptt(self.cells, cache.runs, d_outputs)
        return [g.params for g in grads] + [dhead]


class StackedRegressor(Regressor):
    """Read the whole sequence through the stack, then answer one number: p = y^L_T W + b, (B, 1).

    The adding problem's Regressor (rnnlib.core.models) with a stack in place
    of one cell: its loss and prediction are the Regressor's.
    A batch for `loss_and_grads` is (xs (T, B, D), targets (B, 1)).
    """

    def __init__(self, cells, head: Affine):
        cells = _check_stack(cells)
        if head.in_size != cells[-1].hidden_size or head.out_size != 1:
            raise ValueError(f"head must be Affine({cells[-1].hidden_size}, 1), got {head.in_size} -> {head.out_size}")
        self.cells, self.head = cells, head
        self.modules = (*cells, head)

    def forward(self, xs, mask=None) -> tuple[np.ndarray, StackedCache]:
        runs = stacked_unroll(self.cells, xs)
        p, head_cache = self.head.forward(runs[-1].outputs[-1])  # only y^L_T is read
        return p, StackedCache(runs, head_cache)

    def backward(self, dp, cache: StackedCache) -> list:
        dy_T, dhead = self.head.backward(dp, cache.head)
        grads = stacked_bptt(self.cells, cache.runs, last_output_only(cache.runs[-1], dy_T))
        return [g.params for g in grads] + [dhead]



def make_stack(kind: str, input_size: int, hidden_size: int, layers: int, seed=0) -> list:
    """`layers` cells of one kind ("tanh", "relu", "lstm" or "gru"), hidden_size units each, bottom first."""
    layers = _validate.positive_int("layers", layers)
    cells, size = [], input_size
    for l in range(layers):
        layer_seed = None if seed is None else seed + 10 * l
        if kind == "lstm":
            cells.append(LSTMCell(size, hidden_size, seed=layer_seed))
        elif kind == "gru":
            cells.append(GRUCell(size, hidden_size, seed=layer_seed))
        else:
            cells.append(ElmanCell(size, hidden_size, nonlinearity=kind, seed=layer_seed))
        size = hidden_size
    return cells


def train_adding_stacked(T: int, kind: str = "tanh", layers: int = 2, hidden_size: int = 32, seed: int = 0, **recipe):
    """The adding problem with T steps on a stack of `layers` cells: the recipe of long_range.train_adding.

    The same data as train_adding with the same seed, Adam and clipping; recipe:
    steps (default 800), batch_size, lr, clip_norm, n_test, progress, as for long_range.fit_adding;
    success is a test MSE of at most 0.01, the baseline 1/6.
    """
    model = StackedRegressor(make_stack(kind, 2, hidden_size, layers, seed=seed),
                             Affine(hidden_size, 1, seed=None if seed is None else seed + 1))  # fmt: skip
    label = f"{layers} x {kind}, T = {T}"
    return fit_adding(model, T, label, seed=seed, details={"layers": layers}, **{"steps": 800, **recipe})
