"""float32 on request: a float32 model stays float32 from input to update.

Every array a float32 cell, layer, loss or optimizer returns or updates is
float32 (no silent promotion to float64), and the numbers agree with the
float64 computation to float32 precision.
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers import KINDS, make_cell

import rnnlib
from rnnlib import rel_error

F32 = np.dtype(np.float32)
T, B, D, H, K = 5, 3, 2, 4, 3


def dtypes(d: dict) -> set:
    return {np.asarray(v).dtype for v in d.values()}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("input_dtype", [np.float32, np.float64])
def test_a_float32_cell_stays_float32_through_unroll_and_bptt(kind, input_dtype):
    cell = make_cell(kind, D, H, seed=60, dtype=np.float32)
    rng = np.random.default_rng(60)
    xs = rng.normal(size=(T, B, D)).astype(input_dtype)
    d_outputs = rng.normal(size=(T, B, H)).astype(input_dtype)
    # the parameters and the initial state are float32
    assert dtypes(cell.params) == {F32} and cell.initial_state(B).dtype == F32
    run = rnnlib.unroll(cell, xs)
    # states and outputs are float32, even from float64 input
    assert run.states.dtype == F32 and run.outputs.dtype == F32
    grads = rnnlib.bptt(cell, run, d_outputs, truncate=2)
    grads_full = rnnlib.bptt(cell, run, d_outputs)
    for g in (grads, grads_full):
        # parameter, input and state gradients are all float32, truncated or not
        assert dtypes(g.params) == {F32} and g.xs.dtype == F32 and g.states.dtype == F32
    s, cache = cell.step_forward(cell.initial_state(B), xs[0])
    ds_prev, dx, dparams = cell.step_backward(np.ones(s.shape, dtype=input_dtype), cache)
    # step_forward and step_backward return float32, even for a float64 ds
    assert s.dtype == F32 and ds_prev.dtype == F32 and dx.dtype == F32 and dtypes(dparams) == {F32}
    # output_backward keeps float32
    assert cell.output_backward(np.ones((B, H), dtype=F32)).dtype == F32

    ref = make_cell(kind, D, H, seed=60)  # the same cell in float64
    ref.params.update({k: v.astype(np.float64) for k, v in cell.params.items()})
    ref_run = rnnlib.unroll(ref, xs.astype(np.float32).astype(np.float64))
    ref_grads = rnnlib.bptt(ref, ref_run, d_outputs.astype(np.float32).astype(np.float64))
    # the float32 numbers are the float64 ones to float32 precision
    assert rel_error(run.states, ref_run.states) <= 1e-5
    # the state gradients agree with float64 to float32 precision
    assert rel_error(grads_full.states, ref_grads.states) <= 1e-5
    # so do the parameter gradients
    assert all(rel_error(grads_full.params[k], ref_grads.params[k]) <= 1e-5 for k in ref.params)


def test_a_float32_training_step_stays_float32():
    cell = make_cell("lstm", D, H, seed=61, dtype=np.float32)
    head = rnnlib.Affine(H, K, seed=61, dtype=np.float32)
    rng = np.random.default_rng(61)
    xs = rng.normal(size=(T, B, D)).astype(np.float32)
    targets = rng.integers(0, K, size=(T, B))
    values = rng.normal(size=(T, B, K)).astype(np.float32)
    arrays = [v for p in (cell.params, head.params) for v in p.values()]

    run = rnnlib.unroll(cell, xs)
    logits, cache = head.forward(run.outputs)
    # the output layer's parameters and output are float32
    assert dtypes(head.params) == {F32} and logits.dtype == F32
    d_logits = rnnlib.softmax_cross_entropy_backward(logits, targets)
    d_mse = rnnlib.mse_backward(logits, values)
    # the losses' gradients keep the logits' dtype
    assert d_logits.dtype == F32 and d_mse.dtype == F32
    d_out, d_head = head.backward(d_logits, cache)
    # the layer's backward is float32
    assert d_out.dtype == F32 and dtypes(d_head) == {F32}
    grads = [rnnlib.bptt(cell, run, d_out).params, d_head]
    rnnlib.clip_grad_norm(grads, 1e-3)
    # clipping scales in place without promoting
    assert all(dtypes(g) == {F32} for g in grads)
    for opt in (rnnlib.SGD([cell.params, head.params], lr=0.1, momentum=0.5), rnnlib.Adam([cell.params, head.params])):
        opt.step(grads)
        # SGD and Adam update the same float32 arrays, which stay float32
        current = [v for p in (cell.params, head.params) for v in p.values()]
        # the optimizer updated the very arrays the model holds
        assert len(current) == len(arrays) and all(a is b for a, b in zip(current, arrays))
        # which are still float32 after the update
        assert all(a.dtype == F32 for a in arrays)
    # the float32 model still runs
    assert rnnlib.unroll(cell, xs).states.dtype == F32
