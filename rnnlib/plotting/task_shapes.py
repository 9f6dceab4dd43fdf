"""The shapes of sequence tasks, drawn as an RNN unrolled over time.

    draw_task(ax, inputs, outputs, title)   one task: inputs x_t below, states s_t in the middle,
                                            outputs y_t above; None where a step has no input or output
    plot_task_shapes()                      the three shapes side by side, with an example each:
                                            many-to-one, many-to-many, one-to-many

Each step t is a column: x_t enters s_t from below, s_{t-1} enters it from
the left (s_t = R(s_{t-1}, x_t)), and y_t = O(s_t) leaves it upwards.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
from matplotlib.patches import FancyBboxPatch

from rnnlib.plotting.style import COLORS

# positions and box sizes, in data units: step t is centred at x = _DX * t
_Y = {"input": 0.0, "state": 1.2, "output": 2.4}
_DX = 1.6
_BOX_W, _BOX_H = 1.22, 0.5
_FILL = {"input": "#D6E9F5", "state": "#FBEBC8", "output": "#CCEDE3"}  # light blue, orange, green
_EDGE = {"input": COLORS["blue"], "state": COLORS["orange"], "output": COLORS["green"]}

# the three shapes of the lecture, each with a small example
TASK_SHAPES = [
    (
        "many-to-one: decide about the whole sequence (sentiment)",
        ["good", ",", "not", "bad"],
        [None, None, None, "positive"],
    ),
    (
        "many-to-many: label every token (named entities)",
        ["John", "lives", "in", "Salt", "Lake", "City"],
        ["B-PER", "O", "O", "B-LOC", "I-LOC", "I-LOC"],
    ),
    (
        "one-to-many: generate a sequence (a review of a given sentiment)",
        ["positive", None, None, None, None],
        ["what", "a", "great", "film", "!"],
    ),
]


def _box(ax, x: float, kind: str, text: str, fontsize: float) -> None:
    y = _Y[kind]
    ax.add_patch(
        FancyBboxPatch(
            (x - _BOX_W / 2, y - _BOX_H / 2),
            _BOX_W,
            _BOX_H,
            boxstyle="round,pad=0.02,rounding_size=0.08",
            facecolor=_FILL[kind],
            edgecolor=_EDGE[kind],
            linewidth=1.5,
        )
    )
    ax.text(x, y, text, ha="center", va="center", fontsize=fontsize)


def _arrow(ax, start: tuple, end: tuple) -> None:
    ax.annotate(
        "",
        xy=end,
        xytext=start,
        arrowprops={"arrowstyle": "-|>", "color": "0.25", "lw": 1.3, "shrinkA": 0, "shrinkB": 0},
    )


def draw_task(
    ax,
    inputs: Sequence[str | None],
    outputs: Sequence[str | None],
    title: str | None = None,
    n_steps: int | None = None,
    fontsize: float = 11,
) -> None:
    """Draw one task as an unrolled RNN on `ax`.

    inputs, outputs: one label per step t = 1..T (the same length T), None
    for a step without an input x_t or without an output y_t. n_steps: the
    width of the drawing in steps (default T), so that several panels can
    share one scale.
    """
    if len(inputs) != len(outputs) or not inputs:
        raise ValueError(f"inputs and outputs must have the same length T >= 1, got {len(inputs)} and {len(outputs)}")
    T = len(inputs)
    width = max(T, n_steps or T)
    half_w, half_h = _BOX_W / 2, _BOX_H / 2
    _arrow(ax, (0.35, _Y["state"]), (_DX - half_w, _Y["state"]))  # s_0 enters s_1
    ax.text(0.3, _Y["state"], "$s_0$", ha="right", va="center", fontsize=fontsize)
    for t in range(1, T + 1):
        x, x_in, y_out = _DX * t, inputs[t - 1], outputs[t - 1]
        _box(ax, x, "state", f"$s_{{{t}}}$", fontsize)
        if t > 1:
            _arrow(ax, (x - _DX + half_w, _Y["state"]), (x - half_w, _Y["state"]))  # s_{t-1} enters s_t
        if x_in is not None:
            _box(ax, x, "input", x_in, fontsize)
            _arrow(ax, (x, _Y["input"] + half_h), (x, _Y["state"] - half_h))  # x_t enters s_t
        if y_out is not None:
            _box(ax, x, "output", y_out, fontsize)
            _arrow(ax, (x, _Y["state"] + half_h), (x, _Y["output"] - half_h))  # y_t = O(s_t)
    right = _DX * width + half_w + 0.35
    for kind, label in (("input", "input $x_t$"), ("state", "state $s_t$"), ("output", "output $y_t$")):
        ax.text(right, _Y[kind], label, ha="left", va="center", fontsize=fontsize, color="0.2")
    ax.set_xlim(-0.4, right + 1.9)
    ax.set_ylim(_Y["input"] - 0.4, _Y["output"] + 0.4)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title, loc="left", fontsize=fontsize + 1)


def plot_task_shapes(tasks=None, fontsize: float = 11):
    """The three shapes of sequence task, one panel each, with an example: returns the Figure.

    tasks: a list of (title, inputs, outputs) as draw_task takes them;
    default TASK_SHAPES (many-to-one, many-to-many, one-to-many).
    """
    tasks = TASK_SHAPES if tasks is None else tasks
    n_steps = max(len(inputs) for _, inputs, _ in tasks)
    fig, axes = plt.subplots(len(tasks), 1, figsize=(1.25 * n_steps + 3.0, 2.3 * len(tasks)), squeeze=False)
    for ax, (title, inputs, outputs) in zip(axes[:, 0], tasks):
        draw_task(ax, inputs, outputs, title=title, n_steps=n_steps, fontsize=fontsize)
    fig.tight_layout()
    return fig
