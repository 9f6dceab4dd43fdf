"""The unrolling stepper widget, driven the way a reader drives it, without a kernel or a browser.

Setting a control's .value runs its observers at once, as a change in the
browser would; the Play button is linked to the slider in the kernel
(widgets.link), so setting play.value is what pressing Play does at each
tick. After each move the test reads what the widget shows: the view, the
figure it drew (cells, the highlighted one, the heatmap's data), the
equation and the message. The expected states come from rnnlib.unroll on a
cell built here with the same seed and sizes.
"""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from matplotlib.colors import to_rgba

import rnnlib
from rnnlib.lessons.text import tokenize, word_vectors
from rnnlib.lessons.unrolling import DEFAULT_SENTENCE, INPUT_SIZE, stepper_view
from rnnlib.plotting.unrolling import CURRENT
from rnnlib.widgets.unrolling import UnrollingStepper

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def stepper():
    return UnrollingStepper()


def expected_states(sentence, cell_kind, H, t, seed=0):
    """rnnlib.unroll(cell, xs).states[:t+1] for a cell built here: (t+1, S)."""
    cls = rnnlib.LSTMCell if cell_kind == "lstm" else rnnlib.ElmanCell
    cell = cls(input_size=INPUT_SIZE, hidden_size=H, seed=seed)
    xs = word_vectors(tokenize(sentence), INPUT_SIZE)[:, None, :]
    return rnnlib.unroll(cell, xs).states[: t + 1, 0, :]


def drawn(stepper):
    """What the last figure shows: (number of boxes, the highlighted box or None, the heatmap's data (t+1, S))."""
    chain, heat = stepper.figure.axes[:2]
    (boxes,) = [c for c in chain.collections if c.get_gid() == "cells"]  # box k at x = k - 1/2
    current = [round(x + 0.5) for x, face in zip(boxes.get_offsets()[:, 0], boxes.get_facecolor())
               if np.allclose(face, to_rgba(CURRENT))]  # fmt: skip
    assert len(current) <= 1
    (image,) = [im for im in heat.images if im.get_gid() == "states"]
    return len(boxes.get_offsets()), (current[0] if current else None), np.asarray(image.get_array()).T


def assert_shows(stepper, sentence, cell_kind, H, t):
    """The widget's view, figure, equation and image agree with an independent run at step t."""
    T = len(tokenize(sentence))
    view = stepper.view
    assert (view.sentence, view.cell_kind, view.hidden_size, view.t) == (sentence, cell_kind, H, t)
    assert stepper.step.value == stepper.play.value == t
    assert stepper.step.max == stepper.play.max == T
    n_boxes, current, data = drawn(stepper)
    assert n_boxes == T
    assert current == (t if t >= 1 else None)
    expect = expected_states(sentence, cell_kind, H, t)
    np.testing.assert_array_equal(view.states, expect)
    np.testing.assert_array_equal(data, expect)
    # the view's expression, with the words under x_k set at full size (\textstyle) to be read when projected
    full_size = view.expression.replace(r"\underset{\text{", r"\underset{\textstyle\text{")
    assert f"${full_size}$" in stepper.equation.value.replace("&amp;", "&")
    assert bytes(stepper.image.value).startswith(PNG_SIGNATURE)
    assert stepper.image.layout.display is None


def test_opens_on_the_default_view_which_the_static_twin_draws(stepper):
    assert_shows(stepper, DEFAULT_SENTENCE, "elman", 4, 3)
    twin = stepper_view("John lives in Salt Lake City", t=3, cell_kind="elman", hidden_size=4)
    np.testing.assert_array_equal(stepper.view.states, twin.states)
    assert stepper.view.expression == twin.expression
    assert "s_3 = R(R(R(s_0," in stepper.equation.value
    assert stepper.message.value == ""


def test_moving_the_slider(stepper):
    for t in (0, 1, 5, 6, 2):
        stepper.step.value = t
        assert_shows(stepper, DEFAULT_SENTENCE, "elman", 4, t)
    stepper.step.value = 0
    assert "initial state" in stepper.equation.value


def test_pressing_play_steps_through_the_sentence(stepper):
    # Play sets its own value 0, 1, ..., T; the link carries each one to the slider and the figure
    for t in range(0, 7):
        stepper.play.value = t
        assert_shows(stepper, DEFAULT_SENTENCE, "elman", 4, t)


def test_the_slider_moves_the_play_button(stepper):
    # the link goes both ways, so Play starts from where the reader left the slider
    stepper.step.value = 5
    assert stepper.play.value == 5


def test_typing_a_shorter_sentence_clamps_t(stepper):
    stepper.step.value = 6
    stepper.sentence.value = "the cat sat"
    assert_shows(stepper, "the cat sat", "elman", 4, 3)
    stepper.sentence.value = "a longer sentence than the one before it"
    assert_shows(stepper, "a longer sentence than the one before it", "elman", 4, 3)


def test_an_empty_sentence_shows_a_message_not_a_traceback(stepper):
    stepper.step.value = 2
    stepper.sentence.value = ""
    assert "at least one word" in stepper.message.value
    assert stepper.image.layout.display == "none"
    assert stepper.equation.value == ""
    # the controls still work, and a new sentence brings the figure back
    stepper.cell.value = "lstm"
    assert "at least one word" in stepper.message.value
    stepper.sentence.value = "hello world"
    assert stepper.message.value == ""
    assert_shows(stepper, "hello world", "lstm", 4, 2)


def test_switching_the_cell(stepper):
    stepper.cell.value = "lstm"
    assert_shows(stepper, DEFAULT_SENTENCE, "lstm", 4, 3)
    assert stepper.view.states.shape == (4, 8), "the LSTM's state is [c, h]: S = 2H"
    stepper.cell.value = "elman"
    assert_shows(stepper, DEFAULT_SENTENCE, "elman", 4, 3)


def test_changing_the_size(stepper):
    for H in (2, 16, 7):
        stepper.size.value = H
        assert_shows(stepper, DEFAULT_SENTENCE, "elman", H, 3)
    stepper.cell.value = "lstm"
    assert_shows(stepper, DEFAULT_SENTENCE, "lstm", 7, 3)
    assert stepper.view.states.shape == (4, 14)


def test_a_reader_session(stepper):
    # everything at once, in the order a student might try it
    stepper.sentence.value = "Paris is the capital of France"
    stepper.play.value = 0
    stepper.cell.value = "lstm"
    stepper.size.value = 3
    for t in range(0, 7):
        stepper.play.value = t
    assert_shows(stepper, "Paris is the capital of France", "lstm", 3, 6)
    stepper.sentence.value = "Hi !"
    assert_shows(stepper, "Hi !", "lstm", 3, 2)


def test_a_long_sentence_is_cut_and_says_so(stepper):
    sentence = " ".join(["word"] * 15)
    stepper.sentence.value = sentence
    assert stepper.step.max == 12
    assert "first 12 of the 15" in stepper.message.value


def test_special_characters_reach_mathjax_escaped(stepper):
    stepper.sentence.value = "x < y & z"
    stepper.step.value = 5
    assert r"\text{&lt;}" in stepper.equation.value and r"\text{\&amp;}" in stepper.equation.value


def test_shown_in_a_notebook_as_a_widget_with_a_fixed_text():
    bundle = UnrollingStepper()._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["text/plain"] == "The unrolling stepper (run the notebook to use it)"


def test_other_seed_and_starting_point():
    stepper = UnrollingStepper("one two three four", t=9, cell_kind="lstm", hidden_size=40, seed=5)
    assert stepper.size.value == 16, "the size is kept within the slider's range"
    assert stepper.view.t == 4
    cell = rnnlib.LSTMCell(input_size=INPUT_SIZE, hidden_size=16, seed=5)
    xs = word_vectors(tokenize("one two three four"), INPUT_SIZE)[:, None, :]
    np.testing.assert_array_equal(stepper.view.states, rnnlib.unroll(cell, xs).states[:, 0, :])


def test_opening_on_an_empty_sentence():
    stepper = UnrollingStepper("")
    assert "at least one word" in stepper.message.value and stepper.view is None
    stepper.sentence.value = "now there are words"
    assert_shows(stepper, "now there are words", "elman", 4, 0)
