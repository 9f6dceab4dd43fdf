"""Seeds, global random state, and what a call may change.

A cell is a function of its seed alone; nothing in rnnlib draws from or
reseeds numpy's or Python's global generators; running the same thing twice
gives the same bits; unroll and bptt change neither the cell nor the run nor
their inputs (DESIGN.md: "bptt never mutates cell or run").
"""

from __future__ import annotations

import random

import numpy as np
import pytest
from helpers import KINDS, assert_unchanged, make_cell, random_problem, snapshot

import rnnlib


def same_params(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(a[k].dtype == b[k].dtype and np.array_equal(a[k], b[k]) for k in a)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_same_seed_same_cell_different_seed_different_cell(kind, dtype):
    a, b = make_cell(kind, 3, 4, seed=7, dtype=dtype), make_cell(kind, 3, 4, seed=7, dtype=dtype)
    # two cells made with the same seed have bitwise identical parameters
    assert same_params(a.params, b.params)
    # ... in separate arrays (changing one cannot change the other)
    assert not any(np.shares_memory(a.params[k], b.params[k]) for k in a.params)
    c = make_cell(kind, 3, 4, seed=8, dtype=dtype)
    # another seed gives other weights (the biases start from the same constants)
    assert not np.array_equal(a.params["W_x"], c.params["W_x"])
    # ... input and recurrent weights both
    assert not np.array_equal(a.params["W_s"], c.params["W_s"])


def test_affine_same_seed_same_layer():
    # the output layer is a function of its seed too
    assert same_params(rnnlib.Affine(4, 3, seed=1).params, rnnlib.Affine(4, 3, seed=1).params)
    # and another seed gives another layer
    assert not np.array_equal(rnnlib.Affine(4, 3, seed=1).params["W"], rnnlib.Affine(4, 3, seed=2).params["W"])


def global_states():
    return np.random.get_state(), random.getstate()  # noqa: NPY002 (reading the legacy global state is the point)


def assert_same_global_states(before) -> None:
    (np_before, py_before), (np_after, py_after) = before, global_states()
    # numpy's legacy global generator has not been drawn from or reseeded
    assert np_before[0] == np_after[0] and np.array_equal(np_before[1], np_after[1])
    # (its position and cached Gaussian too)
    assert np_before[2:] == np_after[2:]
    # nor has Python's random module
    assert py_before == py_after


@pytest.mark.parametrize("kind", KINDS)
def test_no_global_random_state_is_touched(kind):
    before = global_states()
    cell = make_cell(kind, 3, 4, seed=0)
    unseeded = make_cell(kind, 3, 4, seed=None)  # seed=None draws fresh entropy, still not from the globals
    head = rnnlib.Affine(4, 2, seed=None)
    xs = np.ones((5, 2, 3))
    run = rnnlib.unroll(cell, xs)
    grads = rnnlib.bptt(cell, run, np.ones((5, 2, 4)), truncate=2)
    rnnlib.unroll(unseeded, xs)
    s, cache = cell.step_forward(cell.initial_state(2), xs[0])
    cell.step_backward(np.ones_like(s), cache)
    logits, hcache = head.forward(run.outputs)
    head.backward(rnnlib.softmax_cross_entropy_backward(logits, np.zeros((5, 2), dtype=int)), hcache)
    rnnlib.Adam([cell.params]).step(grads.params)
    rnnlib.SGD(cell.params, momentum=0.5).step(grads.params)
    # construction (seeded or not), unroll, bptt, step, the layer, the loss and the optimizers left the globals alone
    assert_same_global_states(before)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("truncate", [None, 2])
def test_the_same_run_twice_gives_the_same_bits(kind, truncate):
    cell, xs, s0, W = random_problem(kind, 6, 3, 2, 4, seed=30)
    r1, r2 = rnnlib.unroll(cell, xs, s0), rnnlib.unroll(cell, xs, s0)
    g1, g2 = rnnlib.bptt(cell, r1, W, truncate=truncate), rnnlib.bptt(cell, r2, W, truncate=truncate)
    # the forward pass is deterministic: bitwise equal states
    np.testing.assert_array_equal(r1.states, r2.states)
    # so is the backward pass: bitwise equal state gradients
    np.testing.assert_array_equal(g1.states, g2.states)
    # bitwise equal input gradients
    np.testing.assert_array_equal(g1.xs, g2.xs)
    # bitwise equal parameter gradients
    assert same_params(g1.params, g2.params)
    g3 = rnnlib.bptt(cell, r1, W, truncate=truncate)
    # bptt can be called again on the same run, with the same result
    np.testing.assert_array_equal(g1.states, g3.states)


def run_arrays(run) -> dict:
    """Every array of a Run, the caches' included, by name."""
    arrays = {"xs": run.xs, "states": run.states, "outputs": run.outputs}
    for t, cache in enumerate(run.caches):
        parts = [cache] if isinstance(cache, np.ndarray) else list(cache)  # a cache is a (named) tuple of arrays
        for i, value in enumerate(parts):
            if isinstance(value, np.ndarray):
                arrays[f"caches[{t}][{i}]"] = value
    return arrays


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("truncate", [None, 1, 3])
def test_unroll_and_bptt_change_neither_cell_nor_run_nor_inputs(kind, truncate):
    cell, xs, s0, W = random_problem(kind, 5, 2, 3, 3, seed=31)
    inputs = snapshot({"xs": xs, "s0": s0, "W": W})
    attributes = dict(vars(cell))
    before_unroll = snapshot(cell.params)
    run = rnnlib.unroll(cell, xs, s0)
    # unroll changes neither the parameters nor xs and s0
    assert_unchanged(before_unroll, cell.params)
    # the caller's arrays xs, s0 and d_outputs are untouched
    assert_unchanged(inputs, {"xs": xs, "s0": s0, "W": W})
    before = snapshot(cell.params, run_arrays(run))
    n_caches = len(run.caches)
    rnnlib.bptt(cell, run, W, truncate=truncate)
    # bptt changes no parameter, no array of the run (states, outputs, every cache) and not d_outputs
    assert_unchanged(before, cell.params, run_arrays(run))
    # no cache was added or removed
    assert len(run.caches) == n_caches
    # the caller's arrays xs, s0 and d_outputs are untouched
    assert_unchanged(inputs, {"xs": xs, "s0": s0, "W": W})
    # nothing about the run was stored on the cell: same attributes, same parameter arrays
    assert vars(cell).keys() == attributes.keys()
    # every attribute is the very object it was (params is the same live dict)
    assert all(vars(cell)[k] is v for k, v in attributes.items())
