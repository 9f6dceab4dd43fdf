"""The unrolling stepper's logic (rnnlib.lessons.unrolling) and its drawings (rnnlib.plotting.unrolling).

The states a view holds are compared with rnnlib.unroll run on a cell built
here, independently, from the same seed and sizes; the expressions with
strings written out by hand.
"""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_rgba

import rnnlib
from rnnlib.lessons.text import tokenize, word_vectors
from rnnlib.lessons.unrolling import (
    DEFAULT_SENTENCE,
    INPUT_SIZE,
    MAX_TOKENS,
    latex_text,
    nested_expression,
    state_equation,
    step_equation,
    stepper_view,
)
from rnnlib.plotting.artists import drawn_texts
from rnnlib.plotting.unrolling import CURRENT, draw_loop_vs_unrolled, draw_stepper, draw_unrolled, symbol


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def reference_states(sentence, cell_kind, H, seed=0):
    """s_0..s_T of `sentence` from a cell built here, not by rnnlib.lessons.unrolling: (T+1, S)."""
    if cell_kind == "lstm":
        cell = rnnlib.LSTMCell(input_size=INPUT_SIZE, hidden_size=H, seed=seed)
    else:
        cell = rnnlib.ElmanCell(input_size=INPUT_SIZE, hidden_size=H, seed=seed)
    xs = word_vectors(tokenize(sentence)[:MAX_TOKENS], INPUT_SIZE)[:, None, :]
    return rnnlib.unroll(cell, xs).states[:, 0, :]


# ---- the expressions -------------------------------------------------------


def test_nested_expression_written_out():
    # the lecture's s_1, s_2, s_3, character for character
    assert nested_expression(0) == "s_0"
    assert nested_expression(1) == "R(s_0, x_1)"
    assert nested_expression(2) == "R(R(s_0, x_1), x_2)"
    assert nested_expression(3) == "R(R(R(s_0, x_1), x_2), x_3)"


def test_nested_expression_is_one_more_step_each_time():
    # s_t = R(s_{t-1}, x_t): the expression for t wraps the one for t-1; two-digit subscripts get braces
    for t in range(1, 15):
        sub = f"_{t}" if t < 10 else f"_{{{t}}}"
        assert nested_expression(t) == f"R({nested_expression(t - 1)}, x{sub})"
        assert nested_expression(t).count("R(") == t


def test_nested_expression_with_words():
    expr = nested_expression(2, ["John", "lives"])
    assert expr == r"R(R(s_0, \underset{\text{John}}{x_1}), \underset{\text{lives}}{x_2})"


def test_words_are_escaped_for_latex():
    # a typed sentence may hold any character; LaTeX's special ones must not break the expression
    assert latex_text("a_b") == r"a\_b"
    assert latex_text("50%") == r"50\%"
    assert latex_text("&$#{}") == r"\&\$\#\{\}"
    assert r"\text{x\_1}" in nested_expression(1, ["x_1"])


def test_equations_shown_at_step_t():
    words = ["John", "lives", "in"]
    assert state_equation(0) == r"s_0 = \mathbf{0}"
    assert state_equation(3) == "s_3 = R(R(R(s_0, x_1), x_2), x_3)"
    assert state_equation(10).startswith("s_{10} = R(")
    assert step_equation(3) == "s_3 = R(s_2, x_3)"
    assert step_equation(3, words) == r"s_3 = R(s_2, \underset{\text{in}}{x_3})"


@pytest.mark.parametrize("bad", [-1, 1.5, "3", True, None])
def test_nested_expression_rejects_a_bad_step(bad):
    with pytest.raises(ValueError, match="t must be"):
        nested_expression(bad)


def test_nested_expression_needs_a_word_per_step():
    with pytest.raises(ValueError, match="at least t = 3 tokens"):
        nested_expression(3, ["John"])


# ---- the view --------------------------------------------------------------


def test_default_view():
    view = stepper_view()
    assert view.tokens == ("John", "lives", "in", "Salt", "Lake", "City")
    assert (view.T, view.t, view.cells_drawn, view.highlighted) == (6, 3, 3, 3)
    assert view.cell_kind == "elman" and view.hidden_size == 4 and view.state_size == 4
    assert view.expression.startswith("s_3 = R(R(R(s_0, ")
    assert view.note == ""


@pytest.mark.parametrize("cell_kind", ["elman", "lstm"])
@pytest.mark.parametrize("H", [2, 5])
def test_view_states_are_the_unrolled_states(cell_kind, H):
    # the heatmap's data is exactly run.states[:t+1] of an independently built cell
    full = reference_states(DEFAULT_SENTENCE, cell_kind, H)
    S = 2 * H if cell_kind == "lstm" else H
    limits = set()
    for t in range(len(full)):
        view = stepper_view(DEFAULT_SENTENCE, t, cell_kind, H)
        assert view.states.shape == (t + 1, S)
        np.testing.assert_array_equal(view.states, full[: t + 1])
        assert view.color_limit >= np.abs(full).max()
        limits.add(view.color_limit)
    assert len(limits) == 1, "the colour scale must not change as t moves"


def test_view_at_zero_has_only_the_initial_state():
    view = stepper_view(t=0, cell_kind="lstm", hidden_size=3)
    assert view.cells_drawn == 0 and view.highlighted is None
    np.testing.assert_array_equal(view.states, np.zeros((1, 6)))
    assert view.expression == r"s_0 = \mathbf{0}"


def test_step_is_clamped_to_the_sentence():
    assert stepper_view("a b c", t=100).t == 3
    assert stepper_view("a b c", t=-4).t == 0


def test_a_state_depends_only_on_the_words_read():
    # s_3 has read "John lives in": the rest of the sentence cannot change it
    a = stepper_view("John lives in Salt Lake City", t=6)
    b = stepper_view("John lives in Paris", t=4)
    np.testing.assert_array_equal(a.states[:4], b.states[:4])
    assert not np.allclose(a.states[4], b.states[4])


def test_view_is_deterministic_and_follows_the_seed():
    np.testing.assert_array_equal(stepper_view(t=6).states, stepper_view(t=6).states)
    assert not np.allclose(stepper_view(t=6, seed=1).states, stepper_view(t=6).states)


@pytest.mark.parametrize("sentence", ["", "   ", "\n"])
def test_empty_sentence_says_what_to_do(sentence):
    with pytest.raises(ValueError, match="at least one word"):
        stepper_view(sentence)


def test_long_sentence_is_cut_with_a_note():
    words = " ".join(f"w{i}" for i in range(20))
    view = stepper_view(words, t=50)
    assert view.T == MAX_TOKENS and view.t == MAX_TOKENS
    assert f"first {MAX_TOKENS} of the 20" in view.note


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"cell_kind": "gru"}, "cell_kind"),
        ({"hidden_size": 0}, "hidden_size"),
        ({"t": 2.5}, "t must be an integer"),
        ({"sentence": None}, "sentence must be a string"),
    ],
)
def test_bad_arguments_are_named(kwargs, match):
    with pytest.raises(ValueError, match=match):
        stepper_view(**kwargs)


# ---- the drawings ----------------------------------------------------------


def cells(fig):
    """{k: "current" | "done" | "future"} for every cell box drawn in `fig`, read off the drawn boxes.

    The boxes are one collection (gid "cells"), box k at x = k - 1/2: the current one is filled
    with CURRENT, the steps not taken yet have a pale (transparent) edge.
    """
    found = {}
    for ax in fig.axes:
        for boxes in (c for c in ax.collections if c.get_gid() == "cells"):
            xs = boxes.get_offsets()[:, 0]
            for x, face, edge in zip(xs, boxes.get_facecolor(), boxes.get_edgecolor()):
                k = round(x + 0.5)
                if np.allclose(face, to_rgba(CURRENT)):
                    found[k] = "current"
                elif edge[3] < 1:
                    found[k] = "future"
                else:
                    found[k] = "done"
    return found


def heatmap(fig):
    images = [im for ax in fig.axes for im in ax.images if im.get_gid() == "states"]
    assert len(images) == 1
    return images[0]


@pytest.mark.parametrize("cell_kind", ["elman", "lstm"])
@pytest.mark.parametrize("t", [0, 3, 6])
def test_stepper_figure_shows_the_view(cell_kind, t):
    view = stepper_view(t=t, cell_kind=cell_kind)
    fig = draw_stepper(view)
    fig.canvas.draw()  # lay it out, as showing it would
    drawn = cells(fig)
    assert sorted(drawn) == list(range(1, 7)), "one box per word"
    assert [k for k, s in drawn.items() if s != "future"] == list(range(1, t + 1))
    assert [k for k, s in drawn.items() if s == "current"] == ([t] if t else [])
    # the heatmap holds s_0..s_t (time along x), its columns under the labels s_k of the chain
    image = heatmap(fig)
    np.testing.assert_array_equal(np.asarray(image.get_array()).T, view.states)
    assert image.get_extent()[:2] == [-0.5, t + 0.5]
    assert image.get_clim() == (-view.color_limit, view.color_limit)
    assert image.get_cmap().name == "RdBu_r"
    column = [p for p in fig.axes[1].patches if p.get_gid() == "current column"]
    assert column and column[0].get_x() == t - 0.5
    assert fig.axes[0].get_xlim() == fig.axes[1].get_xlim() == (-0.5, 6.5)


def test_stepper_figure_can_be_redrawn_in_one_figure():
    # the widget draws every step into the same Figure
    fig = draw_stepper(stepper_view(t=1))
    draw_stepper(stepper_view("a b", t=2, cell_kind="lstm", hidden_size=3), fig=fig)
    assert sorted(cells(fig)) == [1, 2]
    assert heatmap(fig).get_array().shape == (6, 3)


def test_unrolled_figure_draws_every_step_in_full():
    tokens = tokenize(DEFAULT_SENTENCE)
    fig = draw_unrolled(tokens)
    assert cells(fig) == {k: "done" for k in range(1, 7)}
    labels = set(drawn_texts(fig.axes[0]))
    assert {symbol("x", 1), symbol("s", 0), symbol("s", 6), symbol("y", 6), "Salt"} <= labels


def test_loop_versus_unrolled_figure():
    fig = draw_loop_vs_unrolled(["a", "b", "c"])
    loop, chain = fig.axes
    assert "loop" in loop.get_title()
    assert [c.get_gid() for c in loop.collections if c.get_gid()] == ["loop cell"]
    assert cells(fig) == {1: "done", 2: "done", 3: "done"}
    assert "T = 3" in chain.get_title()


def test_long_words_are_shortened_under_the_chain():
    fig = draw_unrolled(["internationalisation"])
    words = [text for text in drawn_texts(fig.axes[0]) if text.startswith("internat")]
    assert words == ["internati\N{HORIZONTAL ELLIPSIS}"]


def test_draw_stepper_rejects_something_that_is_not_a_figure():
    with pytest.raises(ValueError, match="fig must be a matplotlib Figure"):
        draw_stepper(stepper_view(), fig="figure")
