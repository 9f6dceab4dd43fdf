"""What the README's figures show: each is drawn from the data it claims, with the labels a reader needs.

tools/make_figures.py draws every committed figure with rnnlib's plotting
functions; these tests call the same functions and read the Figure's
artists (texts, lines, images) instead of its pixels, so a figure that
drew the wrong numbers or lost a label fails here even if it has ink.
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import rnnlib  # noqa: E402
from rnnlib.lessons.gradients import gradient_profile  # noqa: E402
from rnnlib.plotting.artists import drawn_texts  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
import make_figures  # noqa: E402

SUB = "₀₁₂₃₄₅₆₇₈₉"


def texts(fig) -> list[str]:
    """Every string the figure shows: its Text artists (titles, axis labels, ...) and the labels that
    rnnlib's drawings set as one collection of outlines (rnnlib.plotting.artists.Labels)."""
    shown = [t.get_text() for t in fig.findobj(matplotlib.text.Text) if t.get_visible()]
    for ax in fig.axes:
        shown += [text for text in drawn_texts(ax) if text not in [t.get_text() for t in ax.texts]]
    return [text for text in shown if text.strip()]


@pytest.fixture
def draw():
    figs = []

    def _draw(name):
        fig = make_figures.FIGURES[name]()
        figs.append(fig)
        return fig

    yield _draw
    for fig in figs:
        plt.close(fig)


def test_unrolled_rnn_shows_the_sentence_unrolled_into_one_cell_per_word(draw):
    fig = draw("unrolled_rnn.png")
    words = make_figures.SENTENCE.split()
    shown = texts(fig)
    # one copy of the cell per word, and the folded cell with its loop: T + 1 boxes labelled R, O
    assert shown.count("R, O") == len(words) + 1
    # every word is read by its own x_t, and every step has its y_t and its state s_t, from s_0 to s_T
    for t, word in enumerate(words, start=1):
        assert word in shown and f"x{SUB[t]}" in shown and f"y{SUB[t]}" in shown
    assert all(f"s{SUB[t]}" in shown for t in range(len(words) + 1))
    assert any(f"T = {len(words)}" in s for s in shown)


def test_unrolling_stepper_heatmap_holds_the_states_of_the_run(draw):
    fig = draw("unrolling_stepper.png")
    # the figure is drawn at step t = 3 of an Elman cell with H = 4 over the six words
    assert any("t = 3 of 6" in s for s in texts(fig))
    (image,) = [im for ax in fig.axes for im in ax.get_images()]
    data = np.ma.filled(image.get_array(), np.nan)
    # the heatmap's columns are s_0 .. s_3 of the stepper's own run, units in rows
    from rnnlib.lessons.text import tokenize, word_vectors
    from rnnlib.lessons.unrolling import INPUT_SIZE, make_cell

    xs = word_vectors(tokenize(make_figures.SENTENCE), INPUT_SIZE)[:, None, :]  # (T, 1, D)
    states = rnnlib.unroll(make_cell("elman", 4), xs).states[:4, 0]  # s_0 .. s_3, (t+1, H)
    assert data.shape[0] == 4 and np.allclose(data[:, :4], states.T)


def test_task_shapes_names_the_four_shapes_of_the_course(draw):
    fig = draw("task_shapes.png")
    shown = " ".join(texts(fig))
    assert len(fig.axes) == 4
    for shape in ("many-to-one", "one-to-many", "many-to-many", "another length"):
        assert shape in shown, shape


@pytest.mark.parametrize("panel, rho", [(0, 0.9), (1, 1.5)])
def test_gradient_norms_figure_draws_the_measured_profiles(draw, panel, rho):
    fig = draw("gradient_norms.png")
    ax = fig.axes[panel]
    assert f"{rho:.2f}" in ax.get_title()
    for nonlinearity in ("tanh", "relu", "identity"):
        profile = gradient_profile(rho, nonlinearity, T=50, seed=0)
        (line,) = [line for line in ax.get_lines() if line.get_label().startswith(f"{nonlinearity}:")]
        # the line is the median over the batch of |dL/ds_t| / |dL/ds_T|, and its label gives the fitted rate
        assert np.allclose(line.get_ydata(), np.median(profile.norms, axis=1))
        assert f"r = {profile.rate:.2f}" in line.get_label()
    # the reference rho^k is drawn beside them
    assert any(line.get_label() == r"$\rho^k$" for line in ax.get_lines())
    assert ax.get_yscale() == "log"


def test_lstm_cell_drawing_names_every_equation(draw):
    fig = draw("lstm_cell.png")
    shown = " ".join(texts(fig))
    for symbol in ("c_{t-1}", "h_{t-1}", "x_t", "f_t", "i_t", "o_t", r"\tanh(c_t)"):
        assert symbol in shown, symbol
