"""Drawings of an unrolled RNN: the chain of cells, the loop, and the stepper's view.

The chain is laid out along x as in the lecture: the cell of step k, a box
"R, O" with x_k below and y_k above, sits at x = k - 1/2, and the arrow
that carries its state s_k to the next cell crosses x = k, where its label
is (s_0 enters from the left at x = 0). So in `draw_stepper` the column of
state values s_k in the heatmap sits exactly under the label s_k.

    draw_unrolled(tokens)           the unrolled network over a sentence
    draw_loop_vs_unrolled(tokens)   the network with a loop, beside the same network unrolled
    draw_stepper(view)              a rnnlib.lessons.unrolling.StepperView: the chain up to step t, and s_0..s_t

Every artist that a test may look for carries a gid: "cell k" (the box of
step k), "state k" (the arrow carrying s_k), "input k" (the label x_k), "states"
(the heatmap image) and "current column" (the outline of column t).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure

from rnnlib.plotting.style import COLORS, DIVERGING

FADED = 0.18  # the alpha of the steps not taken yet
CURRENT = COLORS["orange"]  # the step that just ran
LINE = COLORS["blue"]  # the cells and states already computed
MAX_WORD = 10  # longer words are shortened under the chain


def _short(word: str) -> str:
    return word if len(word) <= MAX_WORD else word[: MAX_WORD - 1] + "\N{HORIZONTAL ELLIPSIS}"


_SUBSCRIPT = str.maketrans(
    "0123456789kt",
    "\N{SUBSCRIPT ZERO}\N{SUBSCRIPT ONE}\N{SUBSCRIPT TWO}\N{SUBSCRIPT THREE}"
    "\N{SUBSCRIPT FOUR}\N{SUBSCRIPT FIVE}\N{SUBSCRIPT SIX}\N{SUBSCRIPT SEVEN}"
    "\N{SUBSCRIPT EIGHT}\N{SUBSCRIPT NINE}\N{LATIN SUBSCRIPT SMALL LETTER K}\N{LATIN SUBSCRIPT SMALL LETTER T}",
)


def symbol(name: str, k) -> str:
    """A symbol with a subscript as plain text, symbol("s", 12) == "s\u2081\u2082".

    Plain text with Unicode subscripts draws far faster than mathtext, and a
    chain has dozens of such labels.
    """
    return name + str(k).translate(_SUBSCRIPT)


def _faded(color, status: str):
    """`color`, made pale for a step not taken yet."""
    return to_rgba(color, FADED if status == "future" else 1.0)


def _box(ax, x, y, text, *, gid, status, fontsize):
    """A cell box as a text with a frame; status: "done", "current" or "future".

    The box is opaque white even when faded, so the arrows behind it never show through.
    """
    return ax.text(
        x,
        y,
        text,
        ha="center",
        va="center",
        fontsize=fontsize,
        style="italic",
        gid=gid,
        color=_faded("black", status),
        zorder=3,
        bbox={
            "boxstyle": "round,pad=0.5",
            "facecolor": CURRENT if status == "current" else "white",
            "edgecolor": "black" if status == "current" else _faded(LINE, status),
            "linewidth": 2.5 if status == "current" else 1.6,
        },
    )


def _arrow(ax, start, end, *, status, patchA=None, patchB=None, gid=None):
    """An arrow from `start` to `end` (data coordinates), cut where it meets patchA and patchB."""
    ax.annotate(
        "",
        xy=end,
        xytext=start,
        zorder=4,  # after the boxes: drawing a box places the frame that the arrow is cut at
        gid=gid,
        arrowprops={
            "arrowstyle": "-|>",
            "color": _faded(COLORS["vermillion"] if status == "current" else "black", status),
            "linewidth": 2.6 if status == "current" else 1.3,
            "mutation_scale": 15,
            "shrinkA": 3,
            "shrinkB": 3,
            "patchA": patchA,
            "patchB": patchB,
        },
    )


def _label(ax, x, y, text, *, status, fontsize, gid=None, va="center", style="italic"):
    """A label (x_k, s_k, y_k, or a word), pale or emphasised with its step; framed invisibly for arrows."""
    label = ax.text(
        x,
        y,
        text,
        ha="center",
        va=va,
        fontsize=fontsize,
        gid=gid,
        style=style,
        color=_faded(COLORS["vermillion"] if status == "current" else "black", status),
        fontweight="bold" if status == "current" else "normal",
    )
    label.set_bbox({"boxstyle": "square,pad=0.1", "facecolor": "none", "edgecolor": "none"})
    return label


def _status(k: int, t: int, current: int | None) -> str:
    if k > t:
        return "future"
    return "current" if k == current else "done"


def draw_chain(ax, tokens, t: int | None = None, current: int | None = None, outputs: bool = True, fontsize=13):
    """Draw the unrolled chain over `tokens` on `ax`, the lecture's picture:

        s_0 -> [R, O] -> s_1 -> [R, O] -> s_2 ... -> [R, O] -> s_T
                  ^                ^                   ^
                 x_1              x_2                 x_T     (y_k above each box)

    Box k sits at x = k - 1/2; the arrow that carries s_k crosses x = k,
    where its label is. t: the steps 1..t are drawn in full and t+1..T
    faded (None: all in full). current: the step to highlight, its box and
    the state it made (0: s_0 only; None: nothing highlighted). outputs:
    draw y_k = O(s_k) above each box. Artists carry gids ("cell k",
    "input k", "state k").
    """
    T = len(tokens)
    t = T if t is None else t
    small = fontsize - 2
    cells = []
    for k in range(1, T + 1):
        status = _status(k, t, current)
        cell = _box(ax, k - 0.5, 0, "R, O", gid=f"cell {k}", status=status, fontsize=fontsize)
        x_label = _label(ax, k - 0.5, -0.8, symbol("x", k), status=status, fontsize=fontsize, gid=f"input {k}")
        _arrow(
            ax,
            (k - 0.5, -0.8),
            (k - 0.5, 0),
            status=status,
            patchA=x_label.get_bbox_patch(),
            patchB=cell.get_bbox_patch(),
        )
        _label(ax, k - 0.5, -1.13, _short(tokens[k - 1]), status=status, fontsize=small, style="normal")
        if outputs:
            plain = "future" if status == "future" else "done"
            y_label = _label(ax, k - 0.5, 0.82, symbol("y", k), status=plain, fontsize=fontsize)
            _arrow(
                ax,
                (k - 0.5, 0),
                (k - 0.5, 0.82),
                status=plain,
                patchA=cell.get_bbox_patch(),
                patchB=y_label.get_bbox_patch(),
            )
        cells.append(cell)
    # the states, passed along the chain: s_k leaves box k (s_0 enters from the left)
    for k in range(T + 1):
        status = _status(k, t, current)
        start = (k - 0.5, 0) if k >= 1 else (-0.42, 0)
        end = (k + 0.5, 0) if k < T else (T + 0.42, 0)
        _arrow(
            ax,
            start,
            end,
            status=status,
            gid=f"state {k}",
            patchA=cells[k - 1].get_bbox_patch() if k >= 1 else None,
            patchB=cells[k].get_bbox_patch() if k < T else None,
        )
        _label(ax, k, 0.17, symbol("s", k), status=status, fontsize=fontsize, va="bottom")
    ax.set_xlim(-0.5, T + 0.5)
    ax.set_ylim(-1.35, 1.05 if outputs else 0.5)
    ax.axis("off")


def chain_width(T: int) -> float:
    """A figure width (inches) that gives each step room for its word."""
    return min(max(1.05 * (T + 1) + 1.2, 7.0), 15.0)


def draw_unrolled(tokens, title: str | None = None, fig=None):
    """The unrolled RNN over `tokens`: s_0 -> R -> s_1 -> R -> ... -> s_T, x_k below, y_k above."""
    tokens = list(tokens)
    fig = _figure(fig, (chain_width(len(tokens)), 3.0))
    ax = fig.add_subplot()
    draw_chain(ax, tokens)
    ax.set_title(title or f"The RNN unrolled over {len(tokens)} steps: every box is the same cell, same weights")
    return fig


def draw_loop(ax, fontsize=13):
    """The network with a loop: x_t -> [R, O] -> y_t, its state s_t fed back as s_{t-1} at the next step."""
    cell = _box(ax, 0, 0, "R, O", gid="loop cell", status="done", fontsize=fontsize)
    x_label = _label(ax, 0, -0.8, symbol("x", "t"), status="done", fontsize=fontsize)
    _arrow(ax, (0, -0.8), (0, 0), status="done", patchA=x_label.get_bbox_patch(), patchB=cell.get_bbox_patch())
    y_label = _label(ax, 0, 0.82, symbol("y", "t"), status="done", fontsize=fontsize)
    _arrow(ax, (0, 0), (0, 0.82), status="done", patchA=cell.get_bbox_patch(), patchB=y_label.get_bbox_patch())
    # the loop: s_t leaves on the right, goes over the top, and comes back in on the left
    top, left, right = 1.2, -0.75, 0.75
    loop = COLORS["vermillion"]
    ax.annotate(
        "",
        xy=(right, 0),
        xytext=(0, 0),
        arrowprops={"arrowstyle": "-", "color": loop, "linewidth": 1.8, "patchA": cell.get_bbox_patch(), "shrinkA": 3},
    )
    ax.plot([right, right, left, left], [0, top, top, 0], color=loop, lw=1.8, solid_joinstyle="round")
    ax.annotate(
        "",
        xy=(0, 0),
        xytext=(left, 0),
        arrowprops={
            "arrowstyle": "-|>",
            "color": loop,
            "linewidth": 1.8,
            "mutation_scale": 15,
            "patchB": cell.get_bbox_patch(),
            "shrinkB": 3,
            "shrinkA": 0,
        },
    )
    s_prev = symbol("s", "t") + "\N{SUBSCRIPT MINUS}\N{SUBSCRIPT ONE}"
    ax.text(right + 0.06, 0.35, symbol("s", "t"), ha="left", va="center", fontsize=fontsize, style="italic", color=loop)
    ax.text(left - 0.06, 0.35, s_prev, ha="right", va="center", fontsize=fontsize, style="italic", color=loop)
    ax.text(0, top + 0.07, "used at the next step", ha="center", va="bottom", fontsize=fontsize - 2, color=loop)
    ax.set_xlim(-1.45, 1.45)
    ax.set_ylim(-1.35, 1.6)
    ax.axis("off")


def draw_loop_vs_unrolled(tokens, fig=None):
    """Left: the RNN as a network with a loop. Right: the same network unrolled over `tokens`."""
    tokens = list(tokens)
    T = len(tokens)
    fig = _figure(fig, (chain_width(T) + 3.0, 3.4))
    left, right = fig.subplots(1, 2, width_ratios=[2.9, T + 1])
    draw_loop(left)
    left.set_title("a network with a loop")
    draw_chain(right, tokens)
    right.set_title(f"the same network unrolled over T = {T} steps:\n{T} copies of one cell, one set of weights")
    x = (left.get_position().x1 + right.get_position().x0) / 2
    fig.text(x, 0.47, "=", fontsize=30, ha="center", va="center")
    return fig


def draw_stepper(view, fig=None):
    """Draw a StepperView: the chain up to step t (t+1..T faded), and s_0..s_t as a heatmap below.

    The heatmap is view.states transposed: one column per step (x, aligned
    with the labels s_k above), one row per state unit, diverging colours
    (RdBu_r) centred at 0 on a scale fixed over the whole sentence.
    """
    T, t, S = view.T, view.t, view.state_size
    chain_height, heat_height = 2.7, min(max(0.24 * S + 0.5, 1.5), 5.0)
    width, height = chain_width(T), chain_height + heat_height + 1.3
    fig = _figure(fig, (width, height))
    # Fixed margins (inches) rather than a tight bounding box: the widget redraws this figure at
    # every step, and a tight box would lay it out twice.
    left = 1.25 if view.cell_kind == "lstm" else 0.85
    fig.subplots_adjust(
        left=left / width, right=1 - 0.95 / width, top=1 - 0.45 / height, bottom=0.75 / height, hspace=0.1
    )
    ax_chain, ax_heat = fig.subplots(2, 1, sharex=True, height_ratios=[chain_height, heat_height])

    draw_chain(ax_chain, view.tokens, t=t, current=t)
    where = "nothing read yet" if t == 0 else symbol("s", t) + " has read " + _words_read(view.tokens, t)
    ax_chain.set_title(f"{view.cell_name} cell, H = {view.hidden_size}: step t = {t} of {T}, {where}", fontsize=12)

    limit = view.color_limit
    image = ax_heat.imshow(
        view.states.T,  # (t+1, S) -> (S, t+1): time along x, units along y
        cmap=DIVERGING,
        vmin=-limit,
        vmax=limit,
        aspect="auto",
        interpolation="nearest",
        extent=(-0.5, t + 0.5, S - 0.5, -0.5),
        gid="states",
    )
    ax_heat.add_patch(
        plt.Rectangle((t - 0.5, -0.5), 1, S, fill=False, edgecolor=CURRENT, linewidth=3, gid="current column")
    )
    if t < T:
        ax_heat.text(
            (t + 1 + T) / 2, (S - 1) / 2, "not read yet", ha="center", va="center", fontsize=11, color=COLORS["grey"]
        )
    ax_heat.set_xlim(-0.5, T + 0.5)
    ax_heat.set_ylim(S - 0.5, -0.5)
    ax_heat.set_xticks(range(T + 1), [symbol("s", k) for k in range(T + 1)], fontsize=12, style="italic")
    _unit_ticks(ax_heat, view)
    ax_heat.grid(False)
    s_k, x_1, x_k = symbol("s", "k"), symbol("x", 1), symbol("x", "k")
    ax_heat.set_xlabel(f"the state after each step: column k is {s_k}, which has read {x_1}, ..., {x_k}")
    cax = ax_heat.inset_axes([1.015, 0.0, 0.018, 1.0])
    bar = fig.colorbar(image, cax=cax)
    bar.set_label("value of the unit", fontsize=10)
    bar.ax.tick_params(labelsize=9)
    return fig


def _unit_ticks(ax, view) -> None:
    """Number the state units 1..H; for the LSTM, mark the two halves of s = [c, h]."""
    H = view.hidden_size
    step = 1 if H <= 8 else 2
    units = list(range(0, H, step))
    if view.cell_kind == "lstm":
        ax.set_yticks(units + [H + u for u in units], [str(u + 1) for u in units] * 2, fontsize=9)
        ax.hlines(H - 0.5, -0.5, view.t + 0.5, color="black", linewidth=1.5)
        for middle, name in (((H - 1) / 2, "c"), (H + (H - 1) / 2, "h")):
            ax.annotate(
                name,
                (0, middle),
                xycoords=("axes fraction", "data"),
                xytext=(-30, 0),
                textcoords="offset points",
                ha="right",
                va="center",
                fontsize=14,
                style="italic",
                fontweight="bold",
            )
        ax.set_ylabel("unit of the state [c, h]", labelpad=28)
    else:
        ax.set_yticks(units, [str(u + 1) for u in units], fontsize=9 if H > 8 else 10)
        ax.set_ylabel("unit of the state")


def _words_read(tokens, t: int) -> str:
    words = list(tokens[:t])
    if len(words) > 4:
        words = words[:2] + ["\N{HORIZONTAL ELLIPSIS}"] + words[-1:]
    return "\N{LEFT DOUBLE QUOTATION MARK}" + " ".join(words) + "\N{RIGHT DOUBLE QUOTATION MARK}"


def _figure(fig, size):
    """A new pyplot figure of `size`, or `fig` (e.g. a matplotlib.figure.Figure) cleared and resized."""
    if fig is None:
        return plt.figure(figsize=size)
    if not isinstance(fig, Figure):
        raise ValueError(f"fig must be a matplotlib Figure or None, got {type(fig).__name__}")
    fig.clear()
    fig.set_size_inches(*size)
    return fig
