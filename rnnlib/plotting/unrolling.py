"""Drawings of an unrolled RNN: the chain of cells, the loop, and the stepper's view.

The chain is laid out along x as in the lecture: the cell of step k, a box
"R, O" with x_k below and y_k above, sits at x = k - 1/2, and the arrow
that carries its state s_k to the next cell crosses x = k, where its label
is (s_0 enters from the left at x = 0). So in `draw_stepper` the column of
state values s_k in the heatmap sits exactly under the label s_k.

    draw_unrolled(tokens)           the unrolled network over a sentence
    draw_loop_vs_unrolled(tokens)   the network with a loop, beside the same network unrolled
    draw_stepper(view)              a rnnlib.lessons.unrolling.StepperView: the chain up to step t, and s_0..s_t
    Chain, StepperFigure            the same drawings kept and moved from step to step (the widgets use them)

The chain's labels, boxes and arrows are one artist each (rnnlib.plotting.
artists), found by their gids: "cells" (the boxes, box k at x = k - 1/2),
"cell labels", "inputs", "words", "outputs", "state labels", "input arrows",
"output arrows", "state arrows". The stepper's heatmap image is "states" and
the outline of column t "current column".
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import to_rgba
from matplotlib.ticker import MaxNLocator
from matplotlib.transforms import Bbox, TransformedBbox

from rnnlib.plotting.artists import Arrows, Boxes, Labels, fresh_figure, text_box
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


def _status(k: int, t: int, current: int | None) -> str:
    if k > t:
        return "future"
    return "current" if k == current else "done"


# Where the chain's pieces sit above (+) or below (-) the line of cells, in points.
Y_OUTPUT, Y_STATE, Y_INPUT, Y_WORD = 44.0, 5.0, -44.0, -62.0
GAP = 3.0  # points between an arrow and the box or label it meets


class Chain:
    """The unrolled chain over `tokens`, drawn once on `ax`; `show(t, current)` restyles it for a step.

        s_0 -> [R, O] -> s_1 -> [R, O] -> s_2 ... -> [R, O] -> s_T
                  ^                ^                   ^
                 x_1              x_2                 x_T     (y_k above each box)

    Box k sits at x = k - 1/2; the arrow that carries s_k crosses x = k, where
    its label is. Vertically the pieces are placed in points around the line of
    cells, so they keep their sizes and gaps in any figure; the axes needs to be
    about 125 points tall (outputs=False: 85). Labels, boxes and arrows are one
    artist each (rnnlib.plotting.artists), with gids "cells", "cell labels",
    "inputs", "words", "outputs", "state labels", "input arrows", "output arrows",
    "state arrows"; restyling for a new step draws in a few milliseconds.
    """

    def __init__(self, ax, tokens, outputs: bool = True, fontsize: float = 13):
        tokens = list(tokens)
        T = self.T = len(tokens)
        self.ax, self.outputs = ax, outputs
        _ylim_in_points(ax, (Y_OUTPUT + fontsize if outputs else Y_STATE + 2 * fontsize), Y_WORD - fontsize)
        ax.set_xlim(-0.5, T + 0.5)
        ax.axis("off")
        box_width, box_height, label_half = _box_size(fontsize)
        centres = [(k - 0.5, 0.0) for k in range(1, T + 1)]
        self.boxes = Boxes(ax, centres, box_width, box_height, gid="cells")
        self.box_labels = Labels(ax, centres, ["R, O"] * T, size=fontsize, style="italic", gid="cell labels", zorder=4)
        self.inputs = Labels(
            ax, [(x, Y_INPUT) for x, _ in centres], [symbol("x", k) for k in range(1, T + 1)],
            size=fontsize, style="italic", gid="inputs",
        )  # fmt: skip
        self.words = Labels(ax, [(x, Y_WORD) for x, _ in centres], [_short(w) for w in tokens], size=fontsize - 2,
                            gid="words")  # fmt: skip
        self.state_labels = Labels(
            ax, [(k, Y_STATE) for k in range(T + 1)], [symbol("s", k) for k in range(T + 1)],
            size=fontsize, style="italic", va="bottom", gid="state labels",
        )  # fmt: skip
        self.input_arrows = Arrows(
            ax, [(x, Y_INPUT) for x, _ in centres], centres,
            gap_start=label_half + GAP, gap_end=box_height / 2 + GAP, gid="input arrows",
        )  # fmt: skip
        starts = [(-0.42, 0.0)] + centres
        ends = centres + [(T + 0.42, 0.0)]
        self.state_arrows = Arrows(
            ax, starts, ends, gap_start=[0.0] + [box_width / 2 + GAP] * T, gap_end=[box_width / 2 + GAP] * T + [0.0],
            gid="state arrows",
        )  # fmt: skip
        self.output_labels = self.output_arrows = None
        if outputs:
            self.output_labels = Labels(
                ax, [(x, Y_OUTPUT) for x, _ in centres], [symbol("y", k) for k in range(1, T + 1)],
                size=fontsize, style="italic", gid="outputs",
            )  # fmt: skip
            self.output_arrows = Arrows(
                ax, centres, [(x, Y_OUTPUT) for x, _ in centres],
                gap_start=box_height / 2 + GAP, gap_end=label_half + GAP, gid="output arrows",
            )  # fmt: skip
        self.statuses: dict = {}
        self.show()

    @property
    def artists(self) -> list:
        """Every artist of the chain (all of them change with the step)."""
        parts = [self.boxes, self.box_labels, self.inputs, self.words, self.state_labels, self.output_labels]
        arrows = [self.input_arrows, self.state_arrows, self.output_arrows]
        return [p.collection for p in parts if p is not None] + [a for a in arrows if a is not None]

    def show(self, t: int | None = None, current: int | None = None) -> None:
        """Steps 1..t in full, t+1..T faded (None: all in full); `current` highlighted (None: none).

        The current step's box is filled, and its input, word, state and the
        arrows that carry them are drawn in red and bold (current = 0: s_0 only).
        """
        T = self.T
        t = T if t is None else t
        steps = [_status(k, t, current) for k in range(1, T + 1)]
        states = [_status(k, t, current) for k in range(T + 1)]
        self.statuses = dict(zip(range(1, T + 1), steps))

        def text_colors(statuses):
            return [_faded(COLORS["vermillion"] if s == "current" else "black", s) for s in statuses]

        def arrow_style(arrows, statuses):
            arrows.set_style(
                colors=text_colors(statuses), linewidths=[2.6 if s == "current" else 1.3 for s in statuses]
            )

        self.boxes.set_style(
            facecolors=[CURRENT if s == "current" else "white" for s in steps],
            edgecolors=["black" if s == "current" else _faded(LINE, s) for s in steps],
            linewidths=[2.5 if s == "current" else 1.6 for s in steps],
        )
        self.box_labels.set_colors([_faded("black", s) for s in steps])
        for labels, statuses in ((self.inputs, steps), (self.words, steps), (self.state_labels, states)):
            labels.set_colors(text_colors(statuses))
            labels.set_bold([s == "current" for s in statuses])
        arrow_style(self.input_arrows, steps)
        arrow_style(self.state_arrows, states)
        if self.outputs:
            plain = ["future" if s == "future" else "done" for s in steps]  # the outputs are never highlighted
            self.output_labels.set_colors(text_colors(plain))
            arrow_style(self.output_arrows, plain)


def _ylim_in_points(ax, top: float, bottom: float) -> None:
    """Make one unit of ax's y axis one point, with top..bottom (points) in the middle of the axes."""
    height = ax.get_position().height * ax.figure.get_figheight() * 72
    middle = (top + bottom) / 2
    ax.set_ylim(middle - height / 2, middle + height / 2)


def _box_size(fontsize: float) -> tuple[float, float, float]:
    """The width and height of a cell's box "R, O" (points), and half the height of a line of text."""
    pad = 0.5 * fontsize
    width, bottom, top = text_box("R, O", fontsize, "italic")
    return width + 2 * pad, top - bottom + 2 * pad, (top - bottom) / 2


def draw_chain(ax, tokens, t: int | None = None, current: int | None = None, outputs: bool = True, fontsize=13):
    """Draw the unrolled chain over `tokens` on `ax` (the lecture's picture) and return it (a Chain).

    t: the steps 1..t are drawn in full and t+1..T faded (None: all in full).
    current: the step to highlight, its box and the state it made (0: s_0
    only; None: nothing highlighted). outputs: draw y_k = O(s_k) above each box.
    """
    chain = Chain(ax, tokens, outputs=outputs, fontsize=fontsize)
    chain.show(t, current)
    return chain


def chain_width(T: int) -> float:
    """A figure width (inches) that gives each step room for its word."""
    return min(max(1.05 * (T + 1) + 1.2, 7.0), 15.0)


def draw_unrolled(tokens, title: str | None = None, fig=None):
    """The unrolled RNN over `tokens`: s_0 -> R -> s_1 -> R -> ... -> s_T, x_k below, y_k above."""
    tokens = list(tokens)
    fig = fresh_figure(fig, (chain_width(len(tokens)), 3.0))
    ax = fig.add_subplot()
    draw_chain(ax, tokens)
    ax.set_title(title or f"The RNN unrolled over {len(tokens)} steps: every box is the same cell, same weights")
    return fig


def draw_loop(ax, fontsize=13):
    """The network with a loop: x_t -> [R, O] -> y_t, its state s_t fed back as s_{t-1} at the next step."""
    top, left, right = Y_OUTPUT + 22, -0.75, 0.75  # the loop passes over y_t
    _ylim_in_points(ax, top + fontsize + 6, Y_WORD - fontsize)
    ax.set_xlim(-1.45, 1.45)
    ax.axis("off")
    box_width, box_height, label_half = _box_size(fontsize)
    Boxes(ax, [(0, 0)], box_width, box_height, gid="loop cell").set_style("white", LINE, 1.6)
    Labels(ax, [(0, 0)], ["R, O"], size=fontsize, style="italic", zorder=4)
    Labels(ax, [(0, Y_INPUT), (0, Y_OUTPUT)], [symbol("x", "t"), symbol("y", "t")], size=fontsize, style="italic")
    Arrows(
        ax, [(0, Y_INPUT), (0, 0)], [(0, 0), (0, Y_OUTPUT)],
        gap_start=[label_half + GAP, box_height / 2 + GAP], gap_end=[box_height / 2 + GAP, label_half + GAP],
    )  # fmt: skip
    # the loop: s_t leaves on the right, goes over the top, and comes back in on the left
    loop = COLORS["vermillion"]
    ax.plot([0, right, right, left, left], [0, 0, top, top, 0], color=loop, lw=1.8, solid_joinstyle="round", zorder=1)
    Arrows(ax, [(left, 0)], [(0, 0)], gap_end=box_width / 2 + GAP).set_style(colors=loop, linewidths=1.8)
    s_prev = symbol("s", "t") + "\N{SUBSCRIPT MINUS}\N{SUBSCRIPT ONE}"
    ax.text(right + 0.06, 16, symbol("s", "t"), ha="left", va="center", fontsize=fontsize, style="italic", color=loop)
    ax.text(left - 0.06, 16, s_prev, ha="right", va="center", fontsize=fontsize, style="italic", color=loop)
    ax.text(0, top + 3, "used at the next step", ha="center", va="bottom", fontsize=fontsize - 2, color=loop)


def draw_loop_vs_unrolled(tokens, fig=None):
    """Left: the RNN as a network with a loop. Right: the same network unrolled over `tokens`."""
    tokens = list(tokens)
    T = len(tokens)
    fig = fresh_figure(fig, (chain_width(T) + 3.0, 3.4))
    left, right = fig.subplots(1, 2, width_ratios=[2.9, T + 1])
    draw_loop(left)
    left.set_title("a network with a loop")
    draw_chain(right, tokens)
    right.set_title(f"the same network unrolled over T = {T} steps:\n{T} copies of one cell, one set of weights")
    x = (left.get_position().x1 + right.get_position().x0) / 2
    fig.text(x, 0.47, "=", fontsize=30, ha="center", va="center")
    return fig


# The stepper's figure, in inches: a fixed height whatever the cell and H, so that it fits a
# projector's screen (1280x720) with the widget's controls above it, and a width that gives each
# step at least 0.9 in (a longer sentence makes a wider picture, which scrolls inside the widget).
STEPPER_HEIGHT = 4.0
STEPPER_MARGINS = {"left": 1.25, "right": 1.12, "top": 0.42, "bottom": 0.63}
STEPPER_CHAIN, STEPPER_HEAT = 1.72, 1.18  # the heights of the chain and of the heatmap
STEPPER_MAX_WIDTH = 10.4  # what a projector's 1280 px show beside JupyterLab's prompts, at 100 dpi


def stepper_width(T: int) -> float:
    """The stepper figure's width (inches) for T steps: 1.05 in per step, less down to 0.9 to stay on screen."""
    margins = STEPPER_MARGINS["left"] + STEPPER_MARGINS["right"]
    return max(min(margins + 1.05 * (T + 1), STEPPER_MAX_WIDTH), margins + 0.9 * (T + 1), 7.0)


class StepperFigure:
    """The stepper's figure: laid out once for a sentence, cell and H, then moved from step to step.

        drawing = StepperFigure(fig)     # fig: a Figure to draw into, or None for a new pyplot figure
        drawing.show(view)               # a rnnlib.lessons.unrolling.StepperView

    `show` lays out again only what a change needs: a new number of steps T the
    whole figure (its width); other words of the same length, the words under
    the chain; another cell, H or colour scale, the heatmap's rows and scale.
    Then `layout_id` changes. A new t restyles the chain and moves the
    heatmap's data, which are the artists in `moving`.
    """

    def __init__(self, fig=None):
        self.fig = fresh_figure(fig, (stepper_width(6), STEPPER_HEIGHT))
        self.layout_id = None
        self.moving: list = []
        self._T = self._tokens = self._rows = None
        self._make()

    def show(self, view):
        if view.T != self._T:
            self._lay_out(view)
            self._T, self._tokens = view.T, view.tokens
        if view.tokens != self._tokens:
            self.chain.words.set_texts([_short(w) for w in view.tokens])
            self._tokens = view.tokens
        rows = (view.cell_kind, view.hidden_size, view.color_limit)
        if rows != self._rows:
            self._lay_out_rows(view)
            self._rows = rows
        self.layout_id = (id(self.chain), self._tokens, self._rows)
        self.moving = [*self.chain.artists, self.title, self.image, self.column, self.unread, self.divider,
                       *self.ax_heat.spines.values()]  # fmt: skip
        self._step(view)
        return self.fig

    def _make(self) -> None:
        """The artists every layout keeps (made once: new axes are slow to make), placed by _lay_out."""
        fig = self.fig
        # Two axes, x in steps for both (box k and column k at x = k - 1/2 and k), and the colour bar. No tick
        # objects, which are slow to make and draw: the step and unit numbers are Labels.
        self.ax_chain, self.ax_heat = fig.add_axes((0, 0.5, 1, 0.5)), fig.add_axes((0, 0, 1, 0.5))
        # the colour bar's axes belong to the heatmap's (so the figure has two axes, as notebook 2 says), 0.12 in
        # right of it and 0.16 in wide whatever the figure's width
        self.cax = self.ax_heat.inset_axes((1.02, 0, 0.02, 1))
        self.cax.set_axes_locator(_Beside(self.ax_heat, gap=0.12, width=0.16))
        self.chain = None
        self._columns = None
        # a figure text, not an Axes title (which is placed by measuring the axes at every full draw)
        self.title = fig.text(0.5, 1 - 0.08 / STEPPER_HEIGHT, "", va="top", fontsize=13)
        ax = self.ax_heat
        self.image = ax.imshow(np.zeros((1, 1)), cmap=DIVERGING, aspect="auto", interpolation="nearest", gid="states")
        self.column = ax.add_patch(
            plt.Rectangle((-0.5, -0.5), 1, 1, fill=False, edgecolor=CURRENT, linewidth=3, gid="current column")
        )
        self.unread = ax.text(0, 0, "not read yet", ha="center", va="center", fontsize=12, color=COLORS["grey"])
        ax.set_xticks([])
        ax.set_yticks([])
        ax.grid(False)
        bar = fig.colorbar(self.image, cax=self.cax)
        bar.set_label("value of the unit", fontsize=11)
        bar.ax.tick_params(labelsize=11)
        bar.ax.yaxis.set_major_locator(MaxNLocator(4, symmetric=True))
        self._row_artists: list = []
        self.divider = None

    def _lay_out(self, view) -> None:
        """What depends on T: the figure's width, where the axes are, the chain, the step numbers."""
        fig, T = self.fig, view.T
        width, height, m = stepper_width(T), STEPPER_HEIGHT, STEPPER_MARGINS
        fig.set_size_inches(width, height)
        left, bottom, inner = m["left"] / width, m["bottom"] / height, 1 - (m["left"] + m["right"]) / width
        heat = STEPPER_HEAT / height
        self.ax_heat.set_position((left, bottom, inner, heat))
        self.ax_chain.set_position((left, bottom + heat + 0.05 / height, inner, STEPPER_CHAIN / height))
        for artist in self.chain.artists if self.chain else []:
            artist.remove()
        self.chain = Chain(self.ax_chain, view.tokens)
        # on a figure wider than the screen (it scrolls inside the widget), the title at the left, seen first
        wide = width > STEPPER_MAX_WIDTH
        self.title.set_x(left if wide else 0.5)
        self.title.set_ha("left" if wide else "center")
        ax = self.ax_heat
        ax.set_xlim(-0.5, T + 0.5)
        if self._columns is not None:
            self._columns.remove()
        below = ax.get_xaxis_transform()  # x in data, y in axes fractions
        self._columns = Labels(ax, [(k, 0) for k in range(T + 1)], [symbol("s", k) for k in range(T + 1)], size=12,
                               style="italic", va="top", offset=(0, -5), transform=below,
                               gid="state columns").collection  # fmt: skip
        s_k, x_1, x_k = symbol("s", "k"), symbol("x", 1), symbol("x", "k")
        ax.set_xlabel(f"the state after each step: column k is {s_k}, which has read {x_1}, ..., {x_k}", fontsize=12,
                      labelpad=21, loc="left" if wide else "center")  # fmt: skip

    def _lay_out_rows(self, view) -> None:
        """What depends on the cell, H and the colour scale: the heatmap's rows, their numbers, its scale."""
        ax, H, S, limit = self.ax_heat, view.hidden_size, view.state_size, view.color_limit
        for artist in self._row_artists:
            artist.remove()
        self._row_artists = []
        self.image.set_clim(-limit, limit)  # the colour bar follows
        ax.set_ylim(S - 0.5, -0.5)
        self.column.set_height(S)
        self.unread.set_y((S - 1) / 2)
        # the unit numbers 1..H, every 1, 2, 4 or 8, so they do not crowd; for the LSTM, the halves [c, h]
        row = STEPPER_HEAT * 72 / S  # points per row
        step = next(n for n in (1, 2, 4, 8, 16) if n * row >= 14 or n >= H)
        units = list(range(0, H, step))
        lstm = view.cell_kind == "lstm"
        rows = units + [H + u for u in units] if lstm else units
        left = ax.get_yaxis_transform()  # x in axes fractions, y in data
        numbers = Labels(ax, [(0, r) for r in rows], [str(u + 1) for u in units] * (2 if lstm else 1), size=11,
                         ha="right", offset=(-5, 0), transform=left, gid="unit numbers")  # fmt: skip
        self._row_artists.append(numbers.collection)
        self.divider = None
        if lstm:
            halves = Labels(ax, [(0, (H - 1) / 2), (0, H + (H - 1) / 2)], ["c", "h"], size=14, style="italic",
                            ha="right", offset=(-26, 0), transform=left)  # fmt: skip
            halves.set_bold([True, True])
            (self.divider,) = ax.plot([-0.5, 0.5], [H - 0.5, H - 0.5], color="black", linewidth=1.5)
            self._row_artists += [halves.collection, self.divider]
        ax.set_ylabel("unit of the state [c, h]" if lstm else "unit of the state", fontsize=12,
                      labelpad=38 if lstm else 22)  # fmt: skip

    def _step(self, view) -> None:
        T, t, S = view.T, view.t, view.state_size
        self.chain.show(t, current=t)
        where = "nothing read yet" if t == 0 else symbol("s", t) + " has read " + _words_read(view.tokens, t)
        self.title.set_text(f"{view.cell_name} cell, H = {view.hidden_size}: step t = {t} of {T}, {where}")
        self.image.set_data(view.states.T)  # (t+1, S) -> (S, t+1): time along x, units along y
        self.image.set_extent((-0.5, t + 0.5, S - 0.5, -0.5))
        self.column.set_x(t - 0.5)
        self.unread.set_visible(t < T)
        self.unread.set_x((t + 1 + T) / 2)
        if self.divider is not None:
            self.divider.set_xdata([-0.5, t + 0.5])


class _Beside:
    """An axes locator: `gap` inches right of `parent`, `width` inches wide, as tall as `parent` (a colour bar)."""

    def __init__(self, parent, gap: float, width: float):
        self.parent, self.gap, self.width = parent, gap, width

    def __call__(self, ax, renderer):
        box, dpi = self.parent.bbox, self.parent.figure.dpi  # display units, as the figure is drawn (or saved)
        x0 = box.x1 + self.gap * dpi
        beside = Bbox([[x0, box.y0], [x0 + self.width * dpi, box.y1]])
        return TransformedBbox(beside, self.parent.figure.transSubfigure.inverted())


def draw_stepper(view, fig=None):
    """Draw a StepperView: the chain up to step t (t+1..T faded), and s_0..s_t as a heatmap below.

    The heatmap is view.states transposed: one column per step (x, aligned
    with the labels s_k above), one row per state unit, diverging colours
    (RdBu_r) centred at 0 on a scale fixed over the whole sentence. To draw
    many steps into one figure quickly, keep a StepperFigure.
    """
    return StepperFigure(fig).show(view)


def _words_read(tokens, t: int) -> str:
    words = list(tokens[:t])
    if len(words) > 4:
        words = words[:2] + ["\N{HORIZONTAL ELLIPSIS}"] + words[-1:]
    return "\N{LEFT DOUBLE QUOTATION MARK}" + " ".join(words) + "\N{RIGHT DOUBLE QUOTATION MARK}"


