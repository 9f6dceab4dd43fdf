"""Long sequences: 10,000 steps unroll and backpropagate, in memory close to what the results hold.

Peak memory is measured with tracemalloc, to which numpy reports every array
buffer it allocates. The inputs xs and d_outputs are made before tracing
starts, so the measured figure is what `unroll` and `bptt` allocate:

    peak   = the highest traced memory during unroll + bptt, minus what was traced before
    needed = the array buffers the results keep alive: run.states, the caches'
             own arrays (gates, tanh(c)), grads.states, grads.xs, grads.params,
             and anything else reachable from run or grads. A view counts as its
             base buffer, counted once (the Elman cache and run.outputs are views
             into run.states and add nothing); run.xs is the caller's xs and
             counts zero, being no new allocation.

Python objects (the list of caches, the small cache tuples, array headers)
are in the peak but not in `needed`, so the ratio is, if anything,
pessimistic. The ratio says how much working memory unroll and bptt need on
top of what they return: the product x W_x + b of every step while
unrolling, dz of every step and the output gradients while backpropagating.
"""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
from helpers import make_cell

import rnnlib

T, B, D, H = 10_000, 4, 8, 16


def buffer_of(a: np.ndarray):
    """The object that owns a's memory: a itself, or the root of its chain of bases."""
    while isinstance(a, np.ndarray) and a.base is not None:
        a = a.base
    return a


def arrays_in(obj):
    """Every numpy array reachable from a Run or Grads (through dicts, lists, tuples)."""
    if isinstance(obj, np.ndarray):
        yield obj
    elif isinstance(obj, dict):
        for v in obj.values():
            yield from arrays_in(v)
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            yield from arrays_in(v)
    elif hasattr(obj, "__dataclass_fields__"):
        for name in obj.__dataclass_fields__:
            yield from arrays_in(getattr(obj, name))


def needed_bytes(results, inputs) -> int:
    """The bytes of distinct buffers that `results` keep alive, other than the inputs' own."""
    exclude = {id(buffer_of(a)) for a in inputs}
    buffers = {}
    for a in arrays_in(results):
        root = buffer_of(a)
        if id(root) not in exclude:
            buffers[id(root)] = root
    return sum(np.asarray(b).nbytes for b in buffers.values())


@pytest.mark.parametrize("kind", ["tanh", "lstm"])
def test_ten_thousand_steps_in_bounded_memory(kind):
    cell = make_cell(kind, D, H, seed=0)
    rng = np.random.default_rng(0)
    xs = rng.normal(size=(T, B, D))
    d_outputs = rng.normal(size=(T, B, H))

    started_here = not tracemalloc.is_tracing()
    if started_here:
        tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        run = rnnlib.unroll(cell, xs)
        grads = rnnlib.bptt(cell, run, d_outputs)
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        if started_here:
            tracemalloc.stop()

    needed = needed_bytes([run, grads], [xs, d_outputs])
    ratio = peak / needed
    print(f"\n{kind}: T={T} B={B} D={D} H={H}: peak {peak / 1e6:.2f} MB, needed {needed / 1e6:.2f} MB, ", end="")
    print(f"ratio {ratio:.2f}")

    # the whole run and its state gradients exist, with the documented shapes
    assert run.states.shape == (T + 1, B, cell.state_size) and grads.states.shape == (T + 1, B, cell.state_size)
    # the input gradients have their shape and the parameter gradients are finite after 10,000 steps
    assert grads.xs.shape == (T, B, D) and all(np.all(np.isfinite(g)) for g in grads.params.values())
    # no state or gradient overflowed to inf or NaN
    assert np.all(np.isfinite(run.states)) and np.all(np.isfinite(grads.states)) and np.all(np.isfinite(grads.xs))
    # unroll + bptt never hold more than twice what their results keep: no hidden per-step copies
    assert ratio <= 2.0
