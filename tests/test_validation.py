"""Bad input raises ValueError, names the argument and what it got, and changes nothing.

DESIGN.md promises: wrong rank, mismatched sizes, non-finite values or an
unknown nonlinearity raise ValueError naming the argument, the shape it got
and the shape it expected. Every case here checks the type, that the message
holds the argument's name and the offending shape or value, and that the
parameters (and an optimizer's state) are bitwise what they were before.
The last part checks that sigmoid and softmax never overflow or warn.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from helpers import assert_unchanged, make_cell, snapshot

import rnnlib

T, B, D, H = 4, 2, 3, 2


def expect_error(fn, *fragments: str) -> str:
    """Call fn, which must raise ValueError whose message contains every fragment; return the message."""
    with pytest.raises(ValueError) as info:
        fn()
    message = str(info.value)
    for fragment in fragments:
        # the message names the argument and shows what it got
        assert fragment in message, f"{fragment!r} not in the message {message!r}"
    return message


@pytest.fixture(params=["tanh", "lstm", "gru"])
def setup(request):
    """A cell, good inputs (xs, s0, d_outputs) and its state size S."""
    kind = request.param
    cell = make_cell(kind, D, H, seed=0)
    rng = np.random.default_rng(0)
    S = cell.state_size
    return cell, rng.normal(size=(T, B, D)), rng.normal(size=(B, S)), rng.normal(size=(T, B, H)), S


def nan_at(shape, index=0, value=np.nan):
    a = np.ones(shape)
    a.flat[index] = value
    return a


# ---- unroll -----------------------------------------------------------------------------------------------


UNROLL_CASES = {
    # name: (xs, s0) from (good xs, good s0, S), and the fragments the message must hold
    "xs of rank 2": (lambda xs, s0, S: (xs[0], s0), ["xs", f"({B}, {D})", "(T, B, 3)"]),
    "xs of rank 4": (lambda xs, s0, S: (xs[None], s0), ["xs", f"(1, {T}, {B}, {D})"]),
    "xs with the wrong D": (lambda xs, s0, S: (np.ones((T, B, D + 2)), s0), ["xs", f"({T}, {B}, {D + 2})"]),
    "empty xs (T = 0)": (lambda xs, s0, S: (xs[:0], s0), ["xs", f"(0, {B}, {D})", "empty"]),
    "xs with B = 0": (lambda xs, s0, S: (xs[:, :0], None), ["xs", f"({T}, 0, {D})"]),
    "NaN in xs": (lambda xs, s0, S: (nan_at(xs.shape, 5), s0), ["xs", "nan", "finite"]),
    "inf in xs": (lambda xs, s0, S: (nan_at(xs.shape, 0, -np.inf), s0), ["xs", "-inf"]),
    "xs not numbers": (lambda xs, s0, S: ("abc", s0), ["xs"]),
    "s0 with the wrong B": (lambda xs, s0, S: (xs, np.ones((B + 1, S))), ["s0", f"({B + 1}, {{S}})", f"({B}, {{S}})"]),
    "s0 with the wrong S": (lambda xs, s0, S: (xs, np.ones((B, S + 1))), ["s0", f"({B}, {{S+1}})"]),
    "s0 of rank 1": (lambda xs, s0, S: (xs, s0[0]), ["s0", "({S},)"]),
    "s0 of rank 3": (lambda xs, s0, S: (xs, s0[None]), ["s0", f"(1, {B}, {{S}})"]),
    "NaN in s0": (lambda xs, s0, S: (xs, nan_at(s0.shape, 1)), ["s0", "nan"]),
    "inf in s0": (lambda xs, s0, S: (xs, nan_at(s0.shape, 1, np.inf)), ["s0", "inf"]),
}


def fill(fragments, S):
    return [f.replace("{S}", str(S)).replace("{S+1}", str(S + 1)) for f in fragments]


@pytest.mark.parametrize("case", UNROLL_CASES)
def test_unroll_rejects_bad_input(setup, case):
    cell, xs, s0, _, S = setup
    make_args, fragments = UNROLL_CASES[case]
    bad_xs, bad_s0 = make_args(xs, s0, S)
    before = snapshot(cell.params)
    # unroll raises ValueError naming the argument and the shape or value it got
    expect_error(lambda: rnnlib.unroll(cell, bad_xs, bad_s0), *fill(fragments, S))
    # ... and the cell's parameters are as they were
    assert_unchanged(before, cell.params)


@pytest.mark.parametrize("name, value", [("W_x", np.nan), ("W_s", np.inf), ("b", -np.inf)])
def test_non_finite_parameters_are_refused_by_unroll_and_step(setup, name, value):
    cell, xs, s0, _, _ = setup
    cell.params[name].flat[0] = value
    before = snapshot(cell.params)
    # unroll names the parameter and the bad value instead of returning NaNs
    expect_error(lambda: rnnlib.unroll(cell, xs, s0), f"params[{name!r}]", str(value))
    # so does a single step
    expect_error(lambda: cell.step(s0, xs[0]), f"params[{name!r}]", str(value))
    # the call that raised left the cell's parameters bitwise as they were
    assert_unchanged(before, cell.params)


def test_unroll_accepts_nested_lists_and_defaults_s0_to_zeros(setup):
    cell, xs, _, _, S = setup
    run = rnnlib.unroll(cell, xs.tolist())
    # a nested list is an array like any other, and s0 = None means zeros (B, S)
    assert run.states.shape == (T + 1, B, S) and not np.any(run.states[0])


# ---- bptt -------------------------------------------------------------------------------------------------


BPTT_CASES = {
    "d_outputs with the wrong T": (lambda d: d[:-1], ["d_outputs", f"({T - 1}, {B}, {H})", f"({T}, {B}, {H})"]),
    "d_outputs with the wrong B": (lambda d: d[:, :1], ["d_outputs", f"({T}, 1, {H})"]),
    "d_outputs with the wrong H": (lambda d: np.ones((T, B, H + 1)), ["d_outputs", f"({T}, {B}, {H + 1})"]),
    "d_outputs of rank 2": (lambda d: d[0], ["d_outputs", f"({B}, {H})"]),
    "NaN in d_outputs": (lambda d: nan_at(d.shape, 3), ["d_outputs", "nan"]),
    "inf in d_outputs": (lambda d: nan_at(d.shape, 3, np.inf), ["d_outputs", "inf"]),
}


@pytest.mark.parametrize("case", BPTT_CASES)
def test_bptt_rejects_bad_d_outputs(setup, case):
    cell, xs, s0, d_outputs, _ = setup
    make_bad, fragments = BPTT_CASES[case]
    run = rnnlib.unroll(cell, xs, s0)
    before = snapshot(cell.params, {"states": run.states})
    # bptt raises ValueError naming d_outputs and the shape or value it got
    expect_error(lambda: rnnlib.bptt(cell, run, make_bad(d_outputs)), *fragments)
    # the parameters and the run are unchanged by the refused call
    assert_unchanged(before, cell.params, {"states": run.states})


@pytest.mark.parametrize("truncate", [0, -1, 1.5, True, "2"])
def test_bptt_rejects_a_truncation_that_is_not_a_positive_integer(setup, truncate):
    cell, xs, s0, d_outputs, _ = setup
    run = rnnlib.unroll(cell, xs, s0)
    # truncate must be a whole number of steps >= 1
    expect_error(lambda: rnnlib.bptt(cell, run, d_outputs, truncate=truncate), "truncate", repr(truncate))


def test_bptt_rejects_a_run_of_a_cell_with_another_hidden_size(setup):
    cell, xs, s0, d_outputs, _ = setup
    other = make_cell("lstm" if isinstance(cell, rnnlib.LSTMCell) else "tanh", D, H + 1)
    run = rnnlib.unroll(other, xs)
    # a run whose states do not fit the cell is refused, with the shapes
    expect_error(lambda: rnnlib.bptt(cell, run, d_outputs), "run", "states")


def test_bptt_rejects_a_run_of_a_cell_with_another_input_size(setup):
    cell, _, s0, d_outputs, _ = setup
    other = make_cell("lstm" if isinstance(cell, rnnlib.LSTMCell) else "tanh", D + 2, H)
    run = rnnlib.unroll(other, np.ones((T, B, D + 2)), s0)
    # a run whose inputs do not fit the cell is refused, naming run.xs and its shape
    expect_error(lambda: rnnlib.bptt(cell, run, d_outputs), "xs", f"({T}, {B}, {D + 2})")


def test_bptt_refuses_non_finite_parameters(setup):
    cell, xs, s0, d_outputs, _ = setup
    run = rnnlib.unroll(cell, xs, s0)
    cell.params["W_s"][0, 0] = np.nan
    # bptt names the parameter and its bad value, as unroll and step do
    expect_error(lambda: rnnlib.bptt(cell, run, d_outputs), "params['W_s']", "nan")


def test_output_and_its_backward_check_their_argument(setup):
    cell, _, _, _, _ = setup
    S, Hc = cell.state_size, cell.hidden_size
    # O refuses a state of the wrong size, naming s and the shape it got
    expect_error(lambda: cell.output(np.ones((B, S + 1))), "s", f"({B}, {S + 1})")
    # O's backward refuses a gradient of the wrong size, and one with NaN in it
    expect_error(lambda: cell.output_backward(np.ones((B, Hc + 1))), "dy", f"({B}, {Hc + 1})")
    expect_error(lambda: cell.output_backward(nan_at((B, Hc))), "dy", "nan")
    # and returns a new array, never the one it was given
    dy = np.ones((B, Hc))
    assert not np.shares_memory(cell.output_backward(dy), dy)


# ---- step and step_backward -------------------------------------------------------------------------------


STEP_CASES = {
    "x of rank 1": (lambda s, x, S: (s, x[0]), ["x", f"({D},)"]),
    "x with the wrong D": (lambda s, x, S: (s, np.ones((B, D + 1))), ["x", f"({B}, {D + 1})", f"(B, {D})"]),
    "NaN in x": (lambda s, x, S: (s, nan_at(x.shape)), ["x", "nan"]),
    "s_prev with the wrong B": (lambda s, x, S: (np.ones((B + 1, S)), x), ["s_prev", f"({B + 1}, {{S}})"]),
    "s_prev with the wrong S": (lambda s, x, S: (np.ones((B, S - 1)), x), ["s_prev", f"({B}, {{S-1}})"]),
    "s_prev of rank 3": (lambda s, x, S: (s[None], x), ["s_prev", f"(1, {B}, {{S}})"]),
    "inf in s_prev": (lambda s, x, S: (nan_at(s.shape, 0, np.inf), x), ["s_prev", "inf"]),
    "x with B = 0": (lambda s, x, S: (s[:0], x[:0]), ["x", f"(0, {D})"]),
}


@pytest.mark.parametrize("case", STEP_CASES)
def test_step_rejects_bad_input(setup, case):
    cell, xs, s0, _, S = setup
    make_args, fragments = STEP_CASES[case]
    s_prev, x = make_args(s0, xs[0], S)
    fragments = [f.replace("{S}", str(S)).replace("{S-1}", str(S - 1)) for f in fragments]
    before = snapshot(cell.params)
    # step and step_forward raise ValueError naming the argument and what it got
    expect_error(lambda: cell.step(s_prev, x), *fragments)
    # step_forward, which step calls, checks the same
    expect_error(lambda: cell.step_forward(s_prev, x), *fragments)
    # the call that raised left the cell's parameters bitwise as they were
    assert_unchanged(before, cell.params)


@pytest.mark.parametrize(
    "make_ds, fragment",
    [
        (lambda S: np.ones((B, S + 1)), "({B}, {S+1})"),
        (lambda S: np.ones((B + 1, S)), "({B+1}, {S})"),
        (lambda S: np.ones(S), "({S},)"),
        (lambda S: nan_at((B, S), 2), "nan"),
    ],
)
def test_step_backward_rejects_a_bad_ds(setup, make_ds, fragment):
    cell, xs, s0, _, S = setup
    _, cache = cell.step_forward(s0, xs[0])
    before = snapshot(cell.params)
    fragment = fragment.replace("{B}", str(B)).replace("{B+1}", str(B + 1))
    fragment = fragment.replace("{S}", str(S)).replace("{S+1}", str(S + 1))
    # step_backward checks ds against the batch of its cache and the cell's state size
    expect_error(lambda: cell.step_backward(make_ds(S), cache), "ds", fragment)
    # the call that raised left the cell's parameters bitwise as they were
    assert_unchanged(before, cell.params)


# ---- constructors -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("cls", [rnnlib.ElmanCell, rnnlib.LSTMCell, rnnlib.GRUCell])
@pytest.mark.parametrize(
    "kwargs, fragments",
    [
        ({"input_size": 0, "hidden_size": 2}, ["input_size", "0"]),
        ({"input_size": 2, "hidden_size": -1}, ["hidden_size", "-1"]),
        ({"input_size": 2.5, "hidden_size": 2}, ["input_size", "2.5"]),
        ({"input_size": True, "hidden_size": 2}, ["input_size", "True"]),
        ({"input_size": "3", "hidden_size": 2}, ["input_size", "'3'"]),
        ({"input_size": 2, "hidden_size": 2, "dtype": np.int64}, ["dtype", "int64"]),
        ({"input_size": 2, "hidden_size": 2, "dtype": np.float16}, ["dtype", "float16"]),
    ],
)
def test_cells_reject_bad_sizes_and_dtypes(cls, kwargs, fragments):
    # a size must be a positive integer, the dtype float32 or float64; the message says what came instead
    expect_error(lambda: cls(**kwargs), *fragments)


@pytest.mark.parametrize("nonlinearity", ["softplus", "Tanh", "", None])
def test_elman_rejects_an_unknown_nonlinearity(nonlinearity):
    # the message names the argument, what it got, and the choices
    expect_error(lambda: rnnlib.ElmanCell(2, 2, nonlinearity=nonlinearity), "nonlinearity", repr(nonlinearity), "tanh")


def test_lstm_rejects_a_non_finite_forget_bias():
    # forget_bias must be a finite number
    expect_error(lambda: rnnlib.LSTMCell(2, 2, forget_bias=np.nan), "forget_bias", "nan")


@pytest.mark.parametrize("batch_size", [0, -3, 1.5])
def test_initial_state_rejects_a_non_positive_batch_size(setup, batch_size):
    cell = setup[0]
    # batch_size must be a positive integer
    expect_error(lambda: cell.initial_state(batch_size), "batch_size", repr(batch_size))


# ---- Affine -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args, kwargs, fragments",
    [
        ((0, 3), {}, ["in_size", "0"]),
        ((3, -1), {}, ["out_size", "-1"]),
        ((3, 2), {"dtype": np.int64}, ["dtype", "int64"]),
    ],
)
def test_affine_rejects_bad_sizes_and_dtypes(args, kwargs, fragments):
    # sizes are positive integers and the dtype is float32 or float64
    expect_error(lambda: rnnlib.Affine(*args, **kwargs), *fragments)


def test_affine_rejects_bad_input_and_changes_nothing():
    layer = rnnlib.Affine(3, 2, seed=0)
    before = snapshot(layer.params)
    # x must end in in_size
    expect_error(lambda: layer.forward(np.ones((4, 5))), "x", "(4, 5)", "(..., 3)")
    # a scalar has no last axis to match
    expect_error(lambda: layer.forward(np.float64(1.0)), "x", "()")
    # ... and be finite
    expect_error(lambda: layer.forward(nan_at((4, 3), 2)), "x", "nan")
    _, cache = layer.forward(np.ones((4, 3)))
    # dy must have the shape of the forward output
    expect_error(lambda: layer.backward(np.ones((4, 3)), cache), "dy", "(4, 3)", "(4, 2)")
    # ... and be finite
    expect_error(lambda: layer.backward(nan_at((4, 2), 1, np.inf), cache), "dy", "inf")
    # none of the refused calls changed the layer's parameters
    assert_unchanged(before, layer.params)
    layer.params["W"][0, 0] = np.nan
    # a NaN parameter is named instead of spreading into the output
    expect_error(lambda: layer.forward(np.ones((4, 3))), "params['W']", "nan")


# ---- losses -----------------------------------------------------------------------------------------------


LOGITS = np.zeros((3, 4))
TARGETS = np.array([0, 3, 1])

CE_CASES = {
    "NaN logits": ((nan_at((3, 4), 5), TARGETS, None), ["logits", "nan"]),
    "inf logits": ((nan_at((3, 4), 5, np.inf), TARGETS, None), ["logits", "inf"]),
    "integer logits": ((np.zeros((3, 4), dtype=int), TARGETS, None), ["logits", "int64"]),
    "targets of the wrong shape": ((LOGITS, np.array([0, 1]), None), ["targets", "(2,)", "(3,)"]),
    "float targets": ((LOGITS, np.array([0.0, 1.0, 2.0]), None), ["targets", "float64"]),
    "a target of K": ((LOGITS, np.array([0, 4, 1]), None), ["targets", "0..3", "4"]),
    "a negative target": ((LOGITS, np.array([0, -1, 1]), None), ["targets", "-1"]),
    "a mask of the wrong shape": ((LOGITS, TARGETS, np.ones(4, dtype=bool)), ["mask", "(4,)", "(3,)"]),
    "a mask that selects nothing": ((LOGITS, TARGETS, np.zeros(3, dtype=bool)), ["mask", "at least one"]),
    "no positions": ((np.zeros((0, 4)), np.zeros(0, dtype=int), None), ["logits", "(0, 4)"]),
    "no classes": ((np.zeros((3, 0)), np.zeros(3, dtype=int), None), ["logits", "(3, 0)"]),
}


@pytest.mark.parametrize("case", CE_CASES)
@pytest.mark.parametrize("fn", [rnnlib.softmax_cross_entropy, rnnlib.softmax_cross_entropy_backward])
def test_cross_entropy_rejects_bad_input(fn, case):
    args, fragments = CE_CASES[case]
    # the loss and its backward raise ValueError naming the argument and what it got
    expect_error(lambda: fn(*args), *fragments)


MSE_CASES = {
    "shapes that differ": ((np.zeros((3, 2)), np.zeros((2, 3)), None), ["target", "(2, 3)", "(3, 2)"]),
    "NaN pred": ((nan_at((3, 2)), np.zeros((3, 2)), None), ["pred", "nan"]),
    "inf target": ((np.zeros((3, 2)), nan_at((3, 2), 4, np.inf), None), ["target", "inf"]),
    "a mask of the wrong shape": ((np.zeros((3, 2)), np.zeros((3, 2)), np.ones(3, dtype=bool)), ["mask", "(3,)"]),
    "a mask that selects nothing": ((np.zeros(3), np.zeros(3), np.zeros(3, dtype=bool)), ["mask", "at least one"]),
    "no entries": ((np.zeros((0, 2)), np.zeros((0, 2)), None), ["pred", "(0, 2)"]),
}


@pytest.mark.parametrize("case", MSE_CASES)
@pytest.mark.parametrize("fn", [rnnlib.mse, rnnlib.mse_backward])
def test_mse_rejects_bad_input(fn, case):
    args, fragments = MSE_CASES[case]
    # the loss and its backward raise ValueError naming the argument and what it got
    expect_error(lambda: fn(*args), *fragments)


def test_mse_of_integer_predictions_keeps_fractional_targets():
    # integer predictions are compared with the targets as given, not with targets cast to integers
    assert rnnlib.mse(np.array([1, 2]), np.array([1.5, 2.5])) == 0.25
    # and the gradient is 2 (pred - target) / N with the fractional targets
    np.testing.assert_array_equal(rnnlib.mse_backward(np.array([1, 2]), np.array([1.5, 2.5])), [-0.5, -0.5])


# ---- optimizers and clipping ------------------------------------------------------------------------------


def model():
    cell = make_cell("lstm", D, H, seed=1)
    head = rnnlib.Affine(H, 3, seed=1)
    return [cell.params, head.params]


def good_grads(params, scale=1.0):
    rng = np.random.default_rng(2)
    return [{k: scale * rng.normal(size=v.shape) for k, v in p.items()} for p in params]


def bad_grads_cases():
    """name -> a function turning good grads (list of dicts) into bad ones, and a fragment of the message."""

    def drop_key(g):
        del g[0]["b"]
        return g

    def extra_key(g):
        g[1]["c"] = np.zeros(3)
        return g

    def wrong_shape(g):
        g[0]["W_s"] = g[0]["W_s"].T
        return g

    def nan(g):
        g[1]["W"][1, 2] = np.nan
        return g

    def inf(g):
        g[0]["b"][0] = -np.inf
        return g

    return {
        "a missing key": (drop_key, "grads[0]"),
        "an extra key": (extra_key, "grads[1]"),
        "a wrong shape": (wrong_shape, "grads[0]['W_s']"),
        "NaN": (nan, "grads[1]['W']"),
        "inf": (inf, "grads[0]['b']"),
        "one dict for two": (lambda g: g[0], "2 dicts"),
        "three dicts for two": (lambda g: g + [g[0]], "got 3"),
    }


BAD_GRADS = bad_grads_cases()


def optimizer_state(opt) -> list:
    if isinstance(opt, rnnlib.SGD):
        return opt.velocity
    return opt.m + opt.v


@pytest.mark.parametrize("case", BAD_GRADS)
@pytest.mark.parametrize("make_opt", [lambda p: rnnlib.SGD(p, lr=0.1, momentum=0.9), lambda p: rnnlib.Adam(p)])
def test_optimizer_step_rejects_bad_grads_and_changes_nothing(make_opt, case):
    params = model()
    opt = make_opt(params)
    opt.step(good_grads(params))  # a first good step, so the optimizer's state is not all zeros
    spoil, fragment = BAD_GRADS[case]
    before = snapshot(*params, *optimizer_state(opt))
    t_before = getattr(opt, "t", None)
    # a bad gradient list raises ValueError naming the entry
    expect_error(lambda: opt.step(spoil(good_grads(params))), fragment)
    # ... before any parameter, momentum or moment estimate has moved
    assert_unchanged(before, *params, *optimizer_state(opt))
    # ... and before Adam's step counter has moved
    assert getattr(opt, "t", None) == t_before


@pytest.mark.parametrize(
    "make, fragments",
    [
        (lambda p: rnnlib.SGD(p, lr=0.0), ["lr", "0.0"]),
        (lambda p: rnnlib.SGD(p, lr=-1.0), ["lr", "-1.0"]),
        (lambda p: rnnlib.SGD(p, lr=np.nan), ["lr", "nan"]),
        (lambda p: rnnlib.SGD(p, momentum=1.0), ["momentum", "1.0"]),
        (lambda p: rnnlib.SGD(p, momentum=-0.5), ["momentum", "-0.5"]),
        (lambda p: rnnlib.Adam(p, lr=0.0), ["lr", "0.0"]),
        (lambda p: rnnlib.Adam(p, betas=(1.0, 0.999)), ["betas", "1.0"]),
        (lambda p: rnnlib.Adam(p, betas=(0.9, np.nan)), ["betas", "nan"]),
        (lambda p: rnnlib.Adam(p, eps=0.0), ["eps", "0.0"]),
    ],
)
def test_optimizers_reject_bad_settings(make, fragments):
    # learning rate, momentum, betas and eps outside their ranges are named with the value
    expect_error(lambda: make(model()), *fragments)


@pytest.mark.parametrize("max_norm", [0.0, -1.0, np.nan, np.inf])
def test_clip_grad_norm_rejects_a_bad_max_norm(max_norm):
    grads = good_grads(model())
    before = snapshot(*grads)
    # max_norm must be a positive finite number
    expect_error(lambda: rnnlib.clip_grad_norm(grads, max_norm), "max_norm", repr(max_norm))
    # no gradient was scaled before the error
    assert_unchanged(before, *grads)


def test_clip_grad_norm_rejects_non_finite_grads_and_changes_nothing():
    grads = good_grads(model(), scale=100.0)
    grads[1]["b"][2] = np.nan
    before = snapshot(*grads)
    # a NaN gradient is named; none of the gradients has been scaled
    expect_error(lambda: rnnlib.clip_grad_norm(grads, 1.0), "grads[1]['b']", "nan")
    # no gradient was scaled before the error
    assert_unchanged(before, *grads)


# ---- no overflow in sigmoid, softmax and the losses -------------------------------------------------------


class Strict:
    """with Strict(): any numpy floating-point error (overflow, underflow, 0/0) or warning raises."""

    def __enter__(self):
        self.warn = warnings.catch_warnings()
        self.warn.__enter__()
        warnings.simplefilter("error")
        self.err = np.errstate(all="raise")
        self.err.__enter__()

    def __exit__(self, *exc):
        self.err.__exit__(*exc)
        self.warn.__exit__(*exc)
        return False


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_and_softmax_do_not_overflow_at_plus_minus_1000(dtype):
    z = np.array([-1000.0, -30.0, 0.0, 30.0, 1000.0], dtype=dtype)
    with Strict():
        s = rnnlib.sigmoid(z)
        p = rnnlib.softmax(np.array([[1000.0, -1000.0, 0.0], [-1000.0, -1000.0, -1000.0]], dtype=dtype))
    # sigmoid saturates to exactly 0 and 1, in the input's dtype, with no overflow or warning
    assert s.dtype == dtype and s[0] == 0.0 and s[-1] == 1.0 and s[2] == 0.5
    # softmax puts all the mass on the largest logit, and splits it evenly among equal ones
    np.testing.assert_allclose(p, [[1.0, 0.0, 0.0], [1 / 3, 1 / 3, 1 / 3]], rtol=1e-6)
    # softmax keeps the input's dtype
    assert p.dtype == dtype


def test_cross_entropy_of_extreme_logits_is_finite_and_right():
    logits = np.array([[1000.0, -1000.0, 0.0], [1000.0, -1000.0, 0.0]])
    targets = np.array([0, 1])
    with Strict():
        loss = rnnlib.softmax_cross_entropy(logits, targets)
        d = rnnlib.softmax_cross_entropy_backward(logits, targets)
    # -log softmax is 0 for the winning logit and 2000 for one 2000 below it: mean 1000, no inf
    assert loss == pytest.approx(1000.0, rel=1e-12)
    # the gradient is (softmax - onehot) / N, finite
    np.testing.assert_allclose(d, [[0.0, 0.0, 0.0], [0.5, -0.5, 0.0]], atol=1e-300)


@pytest.mark.parametrize("kind", ["sigmoid", "tanh", "lstm"])
def test_saturated_cells_run_without_floating_point_errors(kind):
    cell = make_cell(kind, D, H, seed=3)
    xs = 1000.0 * np.sign(np.random.default_rng(3).normal(size=(T, B, D)))
    with Strict():
        run = rnnlib.unroll(cell, xs)
        grads = rnnlib.bptt(cell, run, np.ones((T, B, H)))
    # inputs of +-1000 saturate the gates without overflow, and every result stays finite
    assert np.all(np.isfinite(run.states)) and np.all(np.isfinite(grads.states))
