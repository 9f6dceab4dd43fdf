"""Stacked RNNs (rnnlib.lessons.stacked) against centred finite differences and a hand-written forward pass.

The backward pass of a stack is one bptt per layer, each started from the
gradient the layer above sends to its inputs. The tests check every
parameter of every layer, the inputs, and the StackedTransducer's loss
gradients with the reference loop of helpers.centred_diff, in float64.
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers import centred_diff, make_cell

import rnnlib
from rnnlib import rel_error
from rnnlib.core.models import Transducer
from rnnlib.lessons.stacked import StackedTransducer, stacked_bptt, stacked_unroll

TOL = 1e-7


def make_stack(kinds, D, Hs, seed=0):
    cells, size = [], D
    for k, (kind, H) in enumerate(zip(kinds, Hs)):
        cells.append(make_cell(kind, size, H, seed=seed + k))
        size = H
    return cells


@pytest.mark.parametrize("kinds", [("tanh", "tanh"), ("lstm", "gru"), ("gru", "lstm", "tanh")])
def test_stacked_unroll_feeds_each_layer_the_outputs_below(kinds):
    T, B, D = 4, 2, 3
    Hs = (5, 3, 4)[: len(kinds)]
    cells = make_stack(kinds, D, Hs)
    xs = np.random.default_rng(0).normal(size=(T, B, D))
    runs = stacked_unroll(cells, xs)
    # written out: layer l reads the outputs of layer l - 1, one step at a time
    inputs = xs
    for cell, run in zip(cells, runs):
        s = cell.initial_state(B)
        outputs = []
        for t in range(T):
            s = cell.step(s, inputs[t])
            outputs.append(cell.output(s))
        np.testing.assert_allclose(run.outputs, np.stack(outputs), rtol=0, atol=1e-12)
        inputs = run.outputs


@pytest.mark.parametrize("kinds", [("tanh", "tanh"), ("lstm", "gru"), ("gru", "lstm", "tanh")])
def test_stacked_bptt_matches_finite_differences(kinds):
    # every parameter of every layer, and the inputs, for L = sum(W * top outputs)
    T, B, D = 4, 2, 3
    Hs = (3, 4, 2)[: len(kinds)]
    cells = make_stack(kinds, D, Hs, seed=3)
    rng = np.random.default_rng(1)
    xs = rng.normal(size=(T, B, D))
    W = rng.normal(size=(T, B, Hs[len(kinds) - 1]))

    def loss():
        return float(np.sum(W * stacked_unroll(cells, xs)[-1].outputs))

    grads = stacked_bptt(cells, stacked_unroll(cells, xs), W)
    assert len(grads) == len(cells)
    for cell, g in zip(cells, grads):
        for name, p in cell.params.items():
            assert rel_error(g.params[name], centred_diff(loss, p)) < TOL, name
    assert rel_error(grads[0].xs, centred_diff(loss, xs)) < TOL


def test_each_layers_input_gradient_is_the_d_outputs_of_the_layer_below():
    # the link between the layers: bptt of the lower layer started from grads[1].xs gives grads[0]
    cells = make_stack(("lstm", "tanh"), 2, (3, 4), seed=5)
    xs = np.random.default_rng(2).normal(size=(5, 3, 2))
    runs = stacked_unroll(cells, xs)
    d_top = np.random.default_rng(3).normal(size=(5, 3, 4))
    grads = stacked_bptt(cells, runs, d_top)
    again = rnnlib.bptt(cells[0], runs[0], grads[1].xs)
    for name in cells[0].params:
        np.testing.assert_array_equal(again.params[name], grads[0].params[name])


def test_stacked_transducer_loss_gradients_match_finite_differences():
    T, B, D, K = 4, 3, 3, 5
    cells = make_stack(("gru", "lstm"), D, (4, 3), seed=7)
    model = StackedTransducer(cells, rnnlib.Affine(3, K, seed=9))
    rng = np.random.default_rng(4)
    xs = rng.normal(size=(T, B, D))
    targets = rng.integers(0, K, size=(T, B))
    _, grads = model.loss_and_grads((xs, targets))

    def loss():
        return rnnlib.softmax_cross_entropy(model.forward(xs)[0], targets)

    assert len(grads) == len(model.params) == 3
    for params, g in zip(model.params, grads):
        for name, p in params.items():
            assert rel_error(g[name], centred_diff(loss, p)) < TOL, name


def test_a_stack_of_one_is_the_transducer():
    cell, head = make_cell("lstm", 3, 4, seed=1), rnnlib.Affine(4, 5, seed=2)
    xs = np.random.default_rng(0).normal(size=(3, 2, 3))
    targets = np.random.default_rng(1).integers(0, 5, size=(3, 2))
    one = Transducer(cell, head).loss_and_grads((xs, targets))
    stack = StackedTransducer([cell], head).loss_and_grads((xs, targets))
    assert one[0] == stack[0]
    for a, b in zip(one[1], stack[1]):
        for name in a:
            np.testing.assert_array_equal(a[name], b[name])


def test_bad_stacks_are_refused():
    with pytest.raises(ValueError, match="input_size must be 4"):
        stacked_unroll([make_cell("tanh", 2, 4), make_cell("tanh", 3, 2)], np.zeros((2, 1, 2)))
    with pytest.raises(ValueError, match="non-empty list"):
        stacked_unroll([], np.zeros((2, 1, 2)))
    cells = make_stack(("tanh", "tanh"), 2, (3, 3))
    with pytest.raises(ValueError, match="one Run per layer"):
        stacked_bptt(cells, stacked_unroll(cells[:1], np.zeros((2, 1, 2))), np.zeros((2, 1, 3)))
    with pytest.raises(ValueError, match="top layer's hidden_size 3"):
        StackedTransducer(cells, rnnlib.Affine(4, 2))


def test_stacked_regressor_loss_gradients_match_finite_differences():
    from rnnlib.lessons.stacked import StackedRegressor

    cells = make_stack(("tanh", "gru"), 2, (3, 4), seed=11)
    model = StackedRegressor(cells, rnnlib.Affine(4, 1, seed=12))
    rng = np.random.default_rng(6)
    xs, targets = rng.normal(size=(5, 3, 2)), rng.normal(size=(3, 1))
    _, grads = model.loss_and_grads((xs, targets))

    def loss():
        return rnnlib.mse(model.predict(xs), targets)

    for params, g in zip(model.params, grads):
        for name, p in params.items():
            assert rel_error(g[name], centred_diff(loss, p)) < TOL, name


def test_train_adding_stacked_is_seeded_and_learns_at_short_range():
    from rnnlib.lessons.stacked import train_adding_stacked

    a = train_adding_stacked(5, kind="gru", layers=2, hidden_size=8, steps=300, progress=False)
    b = train_adding_stacked(5, kind="gru", layers=2, hidden_size=8, steps=300, progress=False)
    assert a.score == b.score and len(a.model.cells) == 2
    assert a.score < 0.05  # T = 5 is within reach of any stack; the notebook shows T = 50 is not, for Elman layers
