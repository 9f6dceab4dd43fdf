"""Drawings for notebook 5: the backward stepper, and gradients that truncation cuts.

    draw_backward(view)      a rnnlib.lessons.backward.BackwardView: the chain with the gradient
                             flowing right to left, |dL/ds_k| so far, and the weight gradients so far
    BackwardFigure(fig)      the same figure, laid out once; .show(view) moves it to another position
    plot_truncation(norms)   |dL/ds_t| of full and truncated BPTT, side by side

The chain is rnnlib.plotting.unrolling.Chain (box k at x = k - 1/2, the
label s_k at x = k), so the bar of |dL/ds_k| sits under the label s_k.
Artists a test may look for carry gids: "gradient arrows" (the arrows carrying
the gradient from step k+1 back to s_k, arrow k under s_k), "bar k" (the bar of
|dL/ds_k|, visible once it is complete), "so far <name>" and "final <name>"
(the weight gradient bars).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator

from rnnlib.plotting.artists import Arrows, Labels, fresh_figure
from rnnlib.plotting.style import COLORS
from rnnlib.plotting.unrolling import Chain, symbol

GRAD = COLORS["vermillion"]  # a gradient that has arrived
DONE = COLORS["blue"]  # the complete dL/ds_k of earlier positions
PENDING = COLORS["grey"]
NAMES = {"W_x": "dW_x", "W_s": "dW_s", "b": "db"}


# The figure's size (inches): it fits a projector's screen (1280x720, at 100 dpi) under the
# widget's controls and equations.
WIDTH, HEIGHT = 10.4, 4.15
Y_GRAD = -26.0  # the gradient arrows run under the line of cells, this many points below it
ARROW_STYLES = {  # how a gradient arrow looks: colour, width, line style
    "current": (GRAD, 3.0, "-"),
    "done": (GRAD, 1.6, "-"),
    "future": (PENDING, 1.0, ":"),
    "cut": (PENDING, 1.0, "--"),
}


class BackwardFigure:
    """The backward stepper's figure, laid out once; `show(view)` moves it to a position and truncation.

    Top left, the chain (rnnlib.plotting.unrolling.Chain) with the gradient
    arrows under it; bottom left, |dL/ds_k| for the complete gradients; right,
    the weight gradients summed so far. A new t or truncation restyles the chain
    and arrows, shows the cuts, sets the bars and the titles: the artists in
    `moving`. The axes keep the view's limits (the largest values over every
    position and truncation), so bars compare from one setting to the next.
    """

    def __init__(self, fig=None):
        self.fig = fresh_figure(fig, (WIDTH, HEIGHT))
        self.layout_id = None
        self.moving: list = []

    def show(self, view):
        key = (view.tokens, view.norm_limit, view.weight_limit)
        if key != self.layout_id:
            self._lay_out(view)
            self.layout_id = key
        self._step(view)
        return self.fig

    def _lay_out(self, view) -> None:
        fig, T = self.fig, view.T
        fig.clear()
        fig.set_size_inches(WIDTH, HEIGHT)
        grid = fig.add_gridspec(
            2, 2, width_ratios=[T + 1, 2.3], height_ratios=[1.78, 1.05], hspace=0.42, wspace=0.16,
            left=0.6 / WIDTH, right=1 - 0.25 / WIDTH, top=1 - 0.5 / HEIGHT, bottom=0.4 / HEIGHT,
        )  # fmt: skip
        ax_chain, ax_bars, ax_w = fig.add_subplot(grid[0, 0]), fig.add_subplot(grid[1, 0]), fig.add_subplot(grid[:, 1])
        x0, y0, w, h = ax_w.get_position().bounds
        ax_w.set_position((x0, y0 + 0.18 / HEIGHT, w, h - 0.52 / HEIGHT))  # room for its title and its x label
        self.ax_chain, self.ax_bars, self.ax_w = ax_chain, ax_bars, ax_w

        # the chain, and under it the arrows carrying dz_{k+1} W_s^T from box k+1 back to s_k
        self.chain = Chain(ax_chain, view.tokens)
        self.grads = Arrows(ax_chain, [(k + 0.3, Y_GRAD) for k in range(T)], [(k - 0.3, Y_GRAD) for k in range(T)],
                            head=(8.0, 7.0), gid="gradient arrows")  # fmt: skip
        # figure texts, not Axes titles (which are placed by measuring their axes at every full draw)
        x0, _, x1, _ = ax_chain.get_position().extents
        self.title = fig.text((x0 + x1) / 2, 1 - 0.06 / HEIGHT, "", ha="center", va="top", fontsize=12)
        # where a truncation may cut (after s_1 .. s_{T-1}): a cross on the arrow, a dashed line between the bars
        top = view.norm_limit * 1.25
        self.cuts = {
            k: [
                ax_chain.text(k, Y_GRAD, "\N{MULTIPLICATION X}", ha="center", va="center", fontsize=15,
                              color="black", fontweight="bold", zorder=5),
                ax_bars.axvline(k + 0.5, color="black", linestyle="--", linewidth=1.2),
                ax_bars.text(k + 0.5, top * 0.95, " cut", ha="left", va="top", fontsize=11),
            ]
            for k in range(1, T)
        }  # fmt: skip

        # |dL/ds_k| under the labels s_k; the bars that have not arrived are hidden
        self.bars = ax_bars.bar(range(T + 1), np.zeros(T + 1), width=0.55, color=DONE)
        for k, bar in enumerate(self.bars):
            bar.set_gid(f"bar {k}")
        self.not_yet = Labels(ax_bars, [(k, top * 0.06) for k in range(T + 1)], ["not yet"] * (T + 1), size=11,
                              colors=PENDING, ha="left", rotation=90)  # fmt: skip
        ax_bars.set_ylim(0, top)
        ax_bars.set_xlim(-0.5, T + 0.5)
        ax_bars.set_xticks(range(T + 1), [symbol("s", k) for k in range(T + 1)], fontsize=13, style="italic")
        ax_bars.tick_params(axis="y", labelsize=11)
        ax_bars.set_ylabel("|dL/ds_k|", fontsize=12)
        ax_bars.set_title("the size of each complete gradient dL/ds_k (red: the one that just arrived)", fontsize=12)
        ax_bars.grid(axis="x", visible=False)

        # the shared weights' gradients: sums over the steps that have run so far, and (outlined) when all have
        names = list(NAMES)
        y = np.arange(len(names))[::-1]
        self.so_far = ax_w.barh(y, np.zeros(len(y)), height=0.55, color=COLORS["green"], alpha=0.85)
        self.final = ax_w.barh(y, np.zeros(len(y)), height=0.55, fill=False, edgecolor="black", linewidth=1.5,
                               zorder=3)  # fmt: skip
        for n, so_far, final in zip(names, self.so_far, self.final):
            so_far.set_gid(f"so far {n}")
            final.set_gid(f"final {n}")
        ax_w.set_yticks(y, [f"|{NAMES[n]}|" for n in names], fontsize=13)
        ax_w.set_xlim(0, view.weight_limit * 1.1)
        ax_w.xaxis.set_major_locator(MaxNLocator(3))
        ax_w.tick_params(axis="x", labelsize=11)
        ax_w.set_xlabel("norm", fontsize=12)
        x0, _, x1, y1 = ax_w.get_position().extents
        self.w_title = fig.text((x0 + x1) / 2, y1 + 0.08 / HEIGHT, "", ha="center", va="bottom", fontsize=12)
        ax_w.grid(axis="y", visible=False)
        self.moving = [*self.chain.artists, self.grads, self.title, *self.bars, self.not_yet.collection,
                       *self.so_far, *self.final, self.w_title, *(a for parts in self.cuts.values() for a in parts),
                       *ax_bars.spines.values()]  # fmt: skip

    def _step(self, view) -> None:
        T, t = view.T, view.t
        self.chain.show(current=view.current_step)
        statuses = ["cut" if k in view.cuts else "done" if k > t else "current" if k == t else "future"
                    for k in range(T)]  # fmt: skip
        colors, widths, styles = zip(*(ARROW_STYLES[s] for s in statuses))
        self.grads.set_style(colors, widths, list(styles))
        for k, parts in self.cuts.items():
            for part in parts:
                part.set_visible(k in view.cuts)
        if t == T:
            where = f"start: {symbol('s', T)} gets its gradient from {symbol('y', T)} only"
        else:
            where = f"the backward of step {t + 1} has run: the gradient of {symbol('s', t)} is complete"
        self.title.set_text(f"position t = {t}: {where}\n(arrows under the chain: the gradient flowing back)")
        norms = view.norms
        for k, bar in enumerate(self.bars):
            bar.set_visible(bool(view.received[k]))
            bar.set_height(norms[k] if view.received[k] else 0.0)
            bar.set_color(GRAD if k == t else DONE)
        self.not_yet.set_colors([(0, 0, 0, 0) if view.received[k] else PENDING for k in range(T + 1)])
        for n, so_far, final in zip(NAMES, self.so_far, self.final):
            so_far.set_width(view.param_norms[n])
            final.set_width(view.param_norms_final[n])
        self.w_title.set_text(f"weight gradients:\nsum of {T - t} of {T} steps\n(outline: all {T})")


def draw_backward(view, fig=None):
    """Draw a BackwardView: the chain with the gradient flowing back, |dL/ds_k| so far, the weight gradients so far.

    To draw many positions into one figure quickly, keep a BackwardFigure.
    """
    return BackwardFigure(fig).show(view)


def plot_truncation(norms: dict, ax=None, title: str | None = None):
    """Bars of |dL/ds_t| for t = 0..T, one group per setting: norms maps a label to a (T+1,) array."""
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 3.6), layout="constrained")
    labels = list(norms)
    T = len(next(iter(norms.values()))) - 1
    width = 0.8 / len(labels)
    for i, label in enumerate(labels):
        ax.bar(np.arange(T + 1) + (i - (len(labels) - 1) / 2) * width, norms[label], width, label=label)
    ax.set_xticks(range(T + 1), [symbol("s", k) for k in range(T + 1)], fontsize=12, style="italic")
    ax.set_ylabel("|dL/ds_t|")
    ax.set_title(title or "The gradient each state receives, with and without truncation")
    ax.grid(axis="x", visible=False)
    ax.legend()
    return ax.figure
