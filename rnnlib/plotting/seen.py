"""What each state of a bidirectional RNN has read, at one position t.

    plot_seen(tokens, t)    three rows over the sentence: the inputs read by the forward state f_t,
                            by the backward state b_t, and by their concatenation [f_t; b_t]

The logic is rnnlib.lessons.seen.seen_inputs; this module only draws it.
Each row is an image whose cells are 1 where the word has been read (gid
"forward", "backward", "both"), so a test can read the drawn values back.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.patches import Rectangle

from rnnlib.lessons.seen import seen_inputs
from rnnlib.plotting.style import COLORS

_ROWS = [
    ("forward", "forward state $f_t$", COLORS["orange"]),
    ("backward", "backward state $b_t$", COLORS["purple"]),
    ("both", "$[f_t;\\ b_t]$", COLORS["green"]),
]


def plot_seen(tokens, t: int, fig=None):
    """Draw which of tokens[0..T-1] each state at position t (1..T) has read; returns the figure."""
    tokens = list(tokens)
    T = len(tokens)
    seen = seen_inputs(T, t)
    if fig is None:
        fig = plt.figure(figsize=(max(7.0, 1.15 * T + 2.6), 3.0))
    fig.clear()
    ax = fig.add_axes((0.2, 0.06, 0.78, 0.72))
    for row, (name, _, color) in enumerate(_ROWS):
        values = getattr(seen, name).astype(float)[None, :]
        ax.imshow(
            values,
            cmap=ListedColormap(["#F2F2F2", color]),
            vmin=0,
            vmax=1,
            aspect="auto",
            extent=(-0.5, T - 0.5, row + 0.5, row - 0.5),
            gid=name,
        )
        for j, word in enumerate(tokens):
            read = bool(values[0, j])
            ax.text(
                j,
                row,
                word,
                ha="center",
                va="center",
                fontsize=12,
                color="black" if read else "#9A9A9A",
                fontweight="bold" if read else "normal",
            )
    ax.add_patch(
        Rectangle((t - 1.5, -0.5), 1.0, 3.0, fill=False, edgecolor="black", linewidth=3.5, zorder=5, gid="position")
    )
    ax.set_xlim(-0.5, T - 0.5)
    ax.set_ylim(2.5, -0.5)
    ax.set_yticks(range(3), [label for _, label, _ in _ROWS], fontsize=12)
    ax.set_xticks(range(T), [f"$x_{{{j}}}$" for j in range(1, T + 1)], fontsize=11)
    ax.xaxis.tick_top()
    ax.tick_params(length=0)
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(False)
    for y in (0.5, 1.5):
        ax.axhline(y, color="white", linewidth=4)
    for x in np.arange(0.5, T - 0.5):
        ax.axvline(x, color="white", linewidth=2)
    fig.suptitle(
        f"At position t = {t} ({tokens[t - 1]!r}), the coloured words are those each state has read",
        x=0.02,
        ha="left",
        fontsize=12,
    )
    return fig
