"""Drawings for notebook 5: the backward stepper, and gradients that truncation cuts.

    draw_backward(view)      a rnnlib.lessons.backward.BackwardView: the chain with the gradient
                             flowing right to left, |dL/ds_k| so far, and the weight gradients so far
    plot_truncation(norms)   |dL/ds_t| of full and truncated BPTT, side by side

The chain is rnnlib.plotting.unrolling.draw_chain (box k at x = k - 1/2, the
label s_k at x = k), so the bar of |dL/ds_k| sits under the label s_k.
Artists a test may look for carry gids: "grad k" (the arrow carrying the
gradient from step k+1 back to s_k), "bar k" (the bar of |dL/ds_k|),
"so far <name>" and "final <name>" (the weight gradient bars).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from rnnlib.plotting.style import COLORS
from rnnlib.plotting.unrolling import chain_width, draw_chain, symbol

GRAD = COLORS["vermillion"]  # a gradient that has arrived
DONE = COLORS["blue"]  # the complete dL/ds_k of earlier positions
PENDING = COLORS["grey"]
NAMES = {"W_x": "dW_x", "W_s": "dW_s", "b": "db"}


def _figure(fig, size):
    """A new pyplot figure of `size`, or `fig` (e.g. a matplotlib.figure.Figure) cleared and resized."""
    if fig is None:
        return plt.figure(figsize=size)
    if not isinstance(fig, Figure):
        raise ValueError(f"fig must be a matplotlib Figure or None, got {type(fig).__name__}")
    fig.clear()
    fig.set_size_inches(*size)
    return fig


def _grad_arrow(ax, k: int, status: str) -> None:
    """The arrow carrying dz_{k+1} W_s^T from box k+1 back to s_k, under the chain."""
    y = -0.45
    style = {
        "current": {"color": GRAD, "linewidth": 3.0, "linestyle": "-"},
        "done": {"color": GRAD, "linewidth": 1.6, "linestyle": "-"},
        "future": {"color": PENDING, "linewidth": 1.0, "linestyle": ":"},
        "cut": {"color": PENDING, "linewidth": 1.0, "linestyle": "--"},
    }[status]
    ax.annotate(
        "",
        xy=(k - 0.3, y),
        xytext=(k + 0.3, y),
        gid=f"grad {k}",
        arrowprops={"arrowstyle": "-|>", "mutation_scale": 14, "shrinkA": 0, "shrinkB": 0, **style},
    )
    if status == "cut":
        ax.text(k, y, "\N{MULTIPLICATION X}", ha="center", va="center", fontsize=15, color="black", fontweight="bold")


def draw_backward(view, fig=None):
    """Draw a BackwardView: the chain with the gradient flowing back, |dL/ds_k| so far, the weight gradients so far."""
    T, t = view.T, view.t
    width = chain_width(T) + 3.2
    fig = _figure(fig, (width, 5.6))
    grid = fig.add_gridspec(2, 2, width_ratios=[T + 1, 2.6], height_ratios=[2.6, 2.2], hspace=0.25, wspace=0.12)
    fig.subplots_adjust(left=0.7 / width, right=1 - 0.3 / width, top=0.86, bottom=0.12)
    ax_chain = fig.add_subplot(grid[0, 0])
    ax_bars = fig.add_subplot(grid[1, 0], sharex=ax_chain)
    ax_w = fig.add_subplot(grid[:, 1])

    # the chain, the step whose backward has just run highlighted, and the gradient arrows under it
    draw_chain(ax_chain, view.tokens, current=view.current_step)
    for k in range(T):
        if k in view.cuts:
            status = "cut"
        elif k > t:
            status = "done"
        elif k == t:
            status = "current"
        else:
            status = "future"
        _grad_arrow(ax_chain, k, status)
    if t == T:
        where = f"start: {symbol('s', T)} gets its gradient from {symbol('y', T)} only"
    else:
        where = f"the backward of step {t + 1} has run: the gradient of {symbol('s', t)} is complete"
    ax_chain.set_title(f"position t = {t}: {where}\n(arrows under the chain: the gradient flowing back)", fontsize=12)

    # |dL/ds_k| for the complete ones, under their labels
    norms = view.norms
    top = float(np.nanmax(np.linalg.norm(view.d_states_final, axis=-1))) * 1.25
    for k in range(T + 1):
        if view.received[k]:
            ax_bars.bar(k, norms[k], width=0.55, color=GRAD if k == t else DONE, gid=f"bar {k}")
        else:
            ax_bars.text(k, top * 0.08, "not yet", ha="center", va="bottom", fontsize=9, color=PENDING, rotation=90)
    for k in view.cuts:
        ax_bars.axvline(k + 0.5, color="black", linestyle="--", linewidth=1.2)
        ax_bars.text(k + 0.5, top * 0.95, " cut", ha="left", va="top", fontsize=9)
    ax_bars.set_ylim(0, top)
    ax_bars.set_xlim(-0.5, T + 0.5)
    ax_bars.set_xticks(range(T + 1), [symbol("s", k) for k in range(T + 1)], fontsize=12, style="italic")
    ax_bars.tick_params(axis="x", labelbottom=True)
    ax_bars.set_ylabel("|dL/ds_k|")
    ax_bars.set_title("the size of each complete gradient dL/ds_k (orange-red: the one that just arrived)", fontsize=10)
    ax_bars.grid(axis="x", visible=False)

    # the shared weights' gradients: sums over the steps that have run so far
    names = list(NAMES)
    y = np.arange(len(names))[::-1]
    final = [view.param_norms_final[n] for n in names]
    so_far = [view.param_norms[n] for n in names]
    for yi, n, f, s in zip(y, names, final, so_far):
        ax_w.barh(yi, s, height=0.55, color=COLORS["green"], alpha=0.85, gid=f"so far {n}")
        ax_w.barh(yi, f, height=0.55, fill=False, edgecolor="black", linewidth=1.5, zorder=3, gid=f"final {n}")
    ax_w.set_yticks(y, [f"|{NAMES[n]}|" for n in names], fontsize=11)
    ax_w.set_xlim(0, max(max(final), max(so_far)) * 1.15)
    ax_w.set_xlabel("norm")
    done = T - t
    ax_w.set_title(f"weight gradients:\nsum of {done} of {T} steps\n(outline: all {T})", fontsize=10)
    ax_w.grid(axis="y", visible=False)
    return fig


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
