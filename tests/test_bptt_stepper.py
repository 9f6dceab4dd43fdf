"""Notebook 5's backward stepper (logic, drawing, widget) and the delayed echo, without a kernel or a browser.

The widget is driven as a reader drives it: setting a control's .value runs
its observers at once. After each move the test reads what is drawn (which
bars exist, and their heights) and compares it with rnnlib.bptt on the
tagging example built here.
"""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

import rnnlib
from rnnlib.lessons.backward import (
    EXAMPLE_TAGS,
    EXAMPLE_TOKENS,
    backward_view,
    backward_walk,
    tagging_example,
    truncation_cuts,
)
from rnnlib.lessons.echo import train_echo
from rnnlib.lessons.tasks import TAGS, echo_data
from rnnlib.lessons.text import word_vectors
from rnnlib.widgets.backward import BackwardStepper

T = len(EXAMPLE_TOKENS)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def reference_grads(truncate=None, H=4):
    """rnnlib.bptt on the tagging example, built here from its description (D = 8, seeds 0 and 1)."""
    cell = rnnlib.ElmanCell(input_size=8, hidden_size=H, seed=0)
    head = rnnlib.Affine(H, len(TAGS), seed=1)
    xs = word_vectors(EXAMPLE_TOKENS, 8)[:, None, :]
    targets = np.array([[TAGS.index(tag)] for tag in EXAMPLE_TAGS])
    run = rnnlib.unroll(cell, xs)
    logits, cache = head.forward(run.outputs)
    d_outputs, _ = head.backward(rnnlib.softmax_cross_entropy_backward(logits, targets), cache)
    return rnnlib.bptt(cell, run, d_outputs, truncate=truncate), d_outputs


# ---- the logic ---------------------------------------------------------------


@pytest.mark.parametrize("truncate", [None, 1, 2, 3, 5, 10])
@pytest.mark.parametrize("nonlinearity", ["tanh", "relu", "sigmoid", "identity"])
def test_walk_equals_bptt(truncate, nonlinearity):
    rng = np.random.default_rng(4)
    cell = rnnlib.ElmanCell(input_size=3, hidden_size=5, nonlinearity=nonlinearity, seed=1)
    cell.params["b"][:] = rng.normal(0, 0.5, 5)
    run = rnnlib.unroll(cell, rng.normal(size=(7, 2, 3)), s0=rng.normal(0, 0.5, size=(2, 5)))
    d_outputs = rng.normal(size=(7, 2, 5))
    walk = backward_walk(cell, run, d_outputs, truncate=truncate)
    grads = rnnlib.bptt(cell, run, d_outputs, truncate=truncate)
    # the loop written as the lecture writes it computes what rnnlib.bptt computes
    assert np.allclose(walk.d_states, grads.states, rtol=1e-12, atol=1e-14)
    for name in cell.params:
        assert np.allclose(walk.params[name], grads.params[name], rtol=1e-12, atol=1e-14)
    # the weight gradients are the sums of the recorded per-step terms
    assert np.allclose(sum(step.dparams["W_s"] for step in walk.steps), walk.params["W_s"], rtol=1e-12, atol=1e-14)
    assert [step.t for step in walk.steps] == list(range(7, 0, -1))  # the loop runs from T down to 1


def test_walk_rejects_an_lstm_and_leaves_its_arguments_alone():
    lstm = rnnlib.LSTMCell(input_size=2, hidden_size=3, seed=0)
    run = rnnlib.unroll(lstm, np.ones((2, 1, 2)))
    with pytest.raises(ValueError, match="ElmanCell"):
        backward_walk(lstm, run, np.ones((2, 1, 3)))
    example = tagging_example()
    states, d_outputs = example.run.states.copy(), example.d_outputs.copy()
    backward_walk(example.cell, example.run, example.d_outputs)
    assert np.array_equal(states, example.run.states) and np.array_equal(d_outputs, example.d_outputs)


def test_cuts_match_bptt():
    assert (
        truncation_cuts(6, None) == [] and truncation_cuts(6, 2) == [2, 4] and truncation_cuts(6, 1) == [1, 2, 3, 4, 5]
    )
    grads, d_outputs = reference_grads(truncate=2)
    # at a cut, bptt keeps only what comes from the state's own output
    assert np.allclose(grads.states[[2, 4]], d_outputs[[1, 3]], rtol=0, atol=1e-15)


@pytest.mark.parametrize("t", range(T + 1))
def test_view_at_each_position(t):
    view = backward_view(t)
    grads, _ = reference_grads()
    assert view.received.tolist() == [k >= t for k in range(T + 1)]  # exactly s_t..s_T are complete
    assert np.all(np.isnan(view.norms[:t]))
    assert np.allclose(view.d_states[t:], grads.states[t:, 0], rtol=0, atol=1e-15)
    assert view.current_step == (None if t == T else t + 1)
    # the two shares of dL/ds_t add up to it
    assert np.allclose(view.from_output + view.from_next, grads.states[t, 0], rtol=0, atol=1e-15)
    if t == 0:  # all steps have run: the weight gradients are bptt's
        for name in ("W_x", "W_s", "b"):
            assert np.isclose(view.param_norms[name], np.linalg.norm(grads.params[name]))
    if t == T:
        assert all(v == 0.0 for v in view.param_norms.values())  # nothing has run yet
        assert "nothing comes after" in view.equations[0]
    else:
        assert f"dz_{t + 1}" in view.equations[0]


def test_view_clamps_and_checks_t():
    assert backward_view(99).t == T and backward_view(-3).t == 0
    with pytest.raises(ValueError, match="t must be an integer"):
        backward_view(2.5)


# ---- the widget --------------------------------------------------------------


def drawn(stepper):
    """What the figure shows: {k: bar height} for the bars of |dL/ds_k|, and the gids of the cut arrows' marks."""
    ax_chain, ax_bars = stepper.figure.axes[:2]
    bars = {
        int(p.get_gid().split()[1]): p.get_height()
        for p in ax_bars.patches
        if (p.get_gid() or "").startswith("bar ") and p.get_visible()
    }
    crosses = sum(1 for text in ax_chain.texts if text.get_text() == "\N{MULTIPLICATION X}" and text.get_visible())
    return bars, crosses


def test_widget_starts_at_T_and_moves_back():
    stepper = BackwardStepper()
    assert stepper.step.value == T and stepper.view.t == T
    bars, crosses = drawn(stepper)
    assert list(bars) == [T] and crosses == 0  # only s_T has its gradient at the start
    assert bytes(stepper.image.value).startswith(PNG_SIGNATURE)
    grads, _ = reference_grads()
    for t in range(T, -1, -1):  # the reader moves the slider left, one position at a time
        stepper.step.value = t
        bars, _ = drawn(stepper)
        assert sorted(bars) == list(range(t, T + 1))  # a bar for every complete gradient, none for the others
        expected = np.linalg.norm(grads.states[t:, 0], axis=-1)
        assert np.allclose([bars[k] for k in range(t, T + 1)], expected)  # the bars are |grads.states|
        assert stepper.view.t == t
        assert "$" in stepper.equation.value


def test_widget_truncation_shows_the_cuts():
    stepper = BackwardStepper(t=0)
    stepper.truncate.value = 2
    bars, crosses = drawn(stepper)
    assert crosses == 2  # the arrows into s_2 and s_4 are cut
    grads, _ = reference_grads(truncate=2)
    assert np.allclose([bars[k] for k in range(T + 1)], np.linalg.norm(grads.states[:, 0], axis=-1))
    stepper.step.value = 2
    assert "cut" in stepper.equation.value  # the equation says that the recurrent share is dropped


def test_widget_shows_full_bptt_selected_and_comes_back_to_it():
    # full BPTT is a button of its own (value 0): selected at the start, and choosing it again undoes a truncation
    stepper = BackwardStepper(t=0)
    assert stepper.truncate.value == 0 and stepper.truncate.index == 0 and stepper.view.truncate is None
    stepper.truncate.value = 2
    stepper.truncate.value = 0
    assert stepper.view.truncate is None and drawn(stepper)[1] == 0  # no cut marks


def test_widget_has_a_text_fallback():
    assert "backward stepper" in BackwardStepper()._repr_mimebundle_()["text/plain"]


# ---- the delayed echo ---------------------------------------------------------


def test_echo_data():
    ids, targets, mask = echo_data(5, T=8, delay=3, K=4, seed=0)
    assert ids.shape == targets.shape == mask.shape == (8, 5)
    assert np.array_equal(targets[3:], ids[:-3]) and not mask[:3].any() and mask[3:].all()
    assert np.array_equal(ids, echo_data(5, T=8, delay=3, K=4, seed=0)[0])  # seeded
    with pytest.raises(ValueError, match="delay"):
        echo_data(5, T=3, delay=3)


def test_echo_full_bptt_learns_and_too_short_truncation_does_not():
    full = train_echo(delay=2, progress=False)
    short = train_echo(delay=2, truncate=2, progress=False)
    assert full.score >= 0.95 and full.passed  # the notebook's success level
    assert short.score < 0.5  # chunks of 2 never hold a pair two steps apart: no gradient, no learning
    assert full.baseline == 0.25
