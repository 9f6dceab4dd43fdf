"""The shapes of sequence tasks, drawn as an RNN unrolled over time.

    draw_task(ax, shape)     one task: inputs x_t below, states in the middle, outputs y_t above
    plot_task_shapes()       the four shapes, one under another, with an example each:
                             many-to-one, many-to-many, one-to-many, and many-to-many of another length

Each step t is a column: x_t enters the state from below, the state before it
enters from the left (s_t = R(s_{t-1}, x_t)), and y_t = O(s_t) leaves it
upwards. A dashed arrow from y_{t-1} to x_t is an output read back in as the
next input, as a generator does (notebook 3). Where a second RNN takes over to
write the output (an encoder-decoder), its states d_1, d_2, ... are purple, as
in notebook 3's drawing of that pattern.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import matplotlib.pyplot as plt

from rnnlib.plotting.style import COLORS, diagram_arrow, labelled_box

# positions and box sizes, in data units: step t is centred at x = _DX * t
_Y = {"input": 0.0, "state": 1.2, "output": 2.4}
_DX = 1.6
_BOX_W, _BOX_H = 1.22, 0.5


class TaskShape(NamedTuple):
    """One task shape and its example, one entry per step t = 1..T.

    inputs, outputs: a label per step, None where the step has no input x_t or no output y_t.
    fed_back: per step, True where x_t is y_{t-1} read back in (None: never).
    decoder_from: the step at which a second RNN takes over to write (None: one RNN throughout).
    """

    title: str
    inputs: Sequence[str | None]
    outputs: Sequence[str | None]
    fed_back: Sequence[bool] | None = None
    decoder_from: int | None = None


# the four shapes, each with a small example
TASK_SHAPES = [
    TaskShape(
        "many-to-one: decide about the whole sequence (sentiment)",
        ["good", ",", "not", "bad"],
        [None, None, None, "positive"],
    ),
    TaskShape(
        "many-to-many: label every token (named entities)",
        ["John", "lives", "in", "Salt", "Lake", "City"],
        ["B-PER", "O", "O", "B-LOC", "I-LOC", "I-LOC"],
    ),
    TaskShape(
        "one-to-many: generate a sequence (a review of a given sentiment)",
        ["positive", "what", "a", "great", "film"],
        ["what", "a", "great", "film", "!"],
        fed_back=[False, True, True, True, True],
    ),
    TaskShape(
        "many-to-many of another length: read a sequence, then write another (translation)",
        ["il", "pleut", "<start>", "it", "is"],
        [None, None, "it", "is", "raining"],
        fed_back=[False, False, False, True, True],
        decoder_from=3,
    ),
]


def _box(ax, x: float, kind: str, text: str, fontsize: float) -> None:
    y = _Y["state" if kind == "decoder" else kind]
    labelled_box(ax, x, y, _BOX_W, _BOX_H, text, kind, fontsize=fontsize, linewidth=1.5)


def _arrow(ax, start: tuple, end: tuple, dashed: bool = False) -> None:
    color = COLORS["purple"] if dashed else "0.25"  # dashed, purple and curved: an output read back in
    diagram_arrow(ax, start, end, dashed=dashed, rad=-0.25 if dashed else 0.0, color=color, linewidth=1.3)


def draw_task(ax, shape: TaskShape, n_steps: int | None = None, fontsize: float = 11) -> None:
    """Draw one task shape as an unrolled RNN on `ax`.

    n_steps: the width of the drawing in steps (default T), so that several
    panels can share one scale.
    """
    title, inputs, outputs, fed_back, decoder_from = shape
    if len(inputs) != len(outputs) or not inputs:
        raise ValueError(f"inputs and outputs must have the same length T >= 1, got {len(inputs)} and {len(outputs)}")
    T = len(inputs)
    fed_back = [False] * T if fed_back is None else list(fed_back)
    if len(fed_back) != T or fed_back[0]:
        raise ValueError(f"fed_back must have one entry per step ({T}), and x_1 cannot be fed back: got {fed_back}")
    if decoder_from is not None and not 2 <= decoder_from <= T:
        raise ValueError(f"decoder_from must be a step in 2..{T}, got {decoder_from}")
    width = max(T, n_steps or T)
    half_w, half_h = _BOX_W / 2, _BOX_H / 2
    _arrow(ax, (0.35, _Y["state"]), (_DX - half_w, _Y["state"]))  # s_0 enters s_1
    ax.text(0.3, _Y["state"], "$s_0$", ha="right", va="center", fontsize=fontsize)
    for t in range(1, T + 1):
        x, x_in, y_out = _DX * t, inputs[t - 1], outputs[t - 1]
        if decoder_from is not None and t >= decoder_from:
            _box(ax, x, "decoder", f"$d_{{{t - decoder_from + 1}}}$", fontsize)
        else:
            _box(ax, x, "state", f"$s_{{{t}}}$", fontsize)
        if t > 1:
            _arrow(ax, (x - _DX + half_w, _Y["state"]), (x - half_w, _Y["state"]))  # the state before enters
        if x_in is not None:
            _box(ax, x, "input", x_in, fontsize)
            _arrow(ax, (x, _Y["input"] + half_h), (x, _Y["state"] - half_h))  # x_t enters the state
        if y_out is not None:
            _box(ax, x, "output", y_out, fontsize)
            _arrow(ax, (x, _Y["state"] + half_h), (x, _Y["output"] - half_h))  # y_t = O(state)
        if fed_back[t - 1]:  # y_{t-1} is read back in as x_t
            _arrow(ax, (x - _DX + half_w, _Y["output"]), (x - half_w, _Y["input"] + 0.1), dashed=True)
    right = _DX * width + half_w + 0.35
    state_label = "state $s_t$" if decoder_from is None else "state $s_t$, then $d_m$"
    for kind, label in (("input", "input $x_t$"), ("state", state_label), ("output", "output $y_t$")):
        ax.text(right, _Y[kind], label, ha="left", va="center", fontsize=fontsize, color="0.2")
    ax.set_xlim(-0.4, right + 1.9)
    ax.set_ylim(_Y["input"] - 0.4, _Y["output"] + 0.4)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title, loc="left", fontsize=fontsize + 1)


def plot_task_shapes(shapes: Sequence[TaskShape] | None = None, fontsize: float = 11):
    """The shapes of sequence task, one panel each, with an example: returns the Figure.

    shapes: a list of TaskShape; default TASK_SHAPES (many-to-one, many-to-many,
    one-to-many, many-to-many of another length).
    """
    shapes = TASK_SHAPES if shapes is None else shapes
    n_steps = max(len(shape.inputs) for shape in shapes)
    fig, axes = plt.subplots(len(shapes), 1, figsize=(1.25 * n_steps + 3.0, 2.3 * len(shapes)), squeeze=False)
    for ax, shape in zip(axes[:, 0], shapes):
        draw_task(ax, shape, n_steps=n_steps, fontsize=fontsize)
    fig.tight_layout()
    return fig
