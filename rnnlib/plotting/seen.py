"""What each state of a bidirectional RNN has read, at one position t.

    plot_seen(tokens, t)    three rows over the sentence: the inputs read by the forward state f_t,
                            by the backward state b_t, and by their concatenation [f_t; b_t]
    SeenFigure(fig)         the same figure, laid out once for a sentence; .show(tokens, t) moves it to t

The logic is rnnlib.lessons.seen.seen_inputs; this module only draws it.
Each row is an image whose cells are 1 where the word has been read (gid
"forward", "backward", "both"), so a test can read the drawn values back.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from rnnlib.lessons.seen import seen_inputs
from rnnlib.plotting.artists import Labels
from rnnlib.plotting.style import COLORS

_ROWS = [
    ("forward", "forward state $f_t$", COLORS["orange"]),
    ("backward", "backward state $b_t$", COLORS["purple"]),
    ("both", "$[f_t;\\ b_t]$", COLORS["green"]),
]
UNREAD = "#9A9A9A"
HEIGHT = 2.9  # inches: three rows of words, the step numbers above them and a title
LEFT, RIGHT = 2.3, 0.2  # inches beside the rows: their names on the left


def seen_width(T: int) -> float:
    """The figure's width (inches): 0.95 in per word, down to 0.8 to stay within a projector's screen."""
    return max(min(LEFT + RIGHT + 0.95 * T, 10.4), LEFT + RIGHT + 0.8 * T, 6.0)


class SeenFigure:
    """The figure of plot_seen, laid out once for a sentence; `show(tokens, t)` colours it for position t.

    A new t changes the rows' images, the words' colours, the frame around
    column t and the title: the artists in `moving`. `layout_id` changes with the sentence.
    """

    def __init__(self, fig=None):
        self.fig = plt.figure(figsize=(seen_width(8), HEIGHT)) if fig is None else fig
        if not isinstance(self.fig, Figure):
            raise ValueError(f"fig must be a matplotlib Figure or None, got {type(self.fig).__name__}")
        self.layout_id = None
        self.moving: list = []

    def show(self, tokens, t: int):
        tokens = tuple(tokens)
        seen = seen_inputs(len(tokens), t)  # checks t
        if tokens != self.layout_id:
            self._lay_out(tokens)
            self.layout_id = tokens
        read = []
        for image, (name, _, _) in zip(self.images, _ROWS):
            values = getattr(seen, name).astype(float)[None, :]
            image.set_data(values)
            read += list(values[0] > 0)
        self.words.set_colors(["black" if r else UNREAD for r in read])
        self.words.set_bold(read)
        self.position.set_x(t - 1.5)
        word = tokens[t - 1]
        self.title.set_text(f"At position t = {t} ({word!r}), the coloured words are those each state has read")
        return self.fig

    def _lay_out(self, tokens) -> None:
        fig, T = self.fig, len(tokens)
        width = seen_width(T)
        fig.clear()
        fig.set_size_inches(width, HEIGHT)
        ax = fig.add_axes((LEFT / width, 0.05, 1 - (LEFT + RIGHT) / width, 0.7))
        self.images = []
        for row, (name, _, color) in enumerate(_ROWS):
            self.images.append(
                ax.imshow(
                    np.zeros((1, T)), cmap=ListedColormap(["#F2F2F2", color]), vmin=0, vmax=1, aspect="auto",
                    extent=(-0.5, T - 0.5, row + 0.5, row - 0.5), gid=name,
                )
            )  # fmt: skip
        self.words = Labels(ax, [(j, row) for row in range(3) for j in range(T)], list(tokens) * 3, size=13)
        self.position = ax.add_patch(
            Rectangle((-0.5, -0.5), 1.0, 3.0, fill=False, edgecolor="black", linewidth=3.5, zorder=5, gid="position")
        )
        ax.set_xlim(-0.5, T - 0.5)
        ax.set_ylim(2.5, -0.5)
        ax.set_yticks(range(3), [label for _, label, _ in _ROWS], fontsize=13)
        ax.set_xticks(range(T), [f"$x_{{{j}}}$" for j in range(1, T + 1)], fontsize=13)
        ax.xaxis.tick_top()
        ax.tick_params(length=0)
        ax.grid(False)
        for spine in ax.spines.values():
            spine.set_visible(False)
        lines = [ax.axhline(y, color="white", linewidth=4) for y in (0.5, 1.5)]
        lines += [ax.axvline(x, color="white", linewidth=2) for x in np.arange(0.5, T - 0.5)]
        self.title = fig.text(0.2 / width, 1 - 0.12 / HEIGHT, "", ha="left", va="top", fontsize=13)
        self.moving = [*self.images, self.words.collection, self.position, *lines, self.title]


def plot_seen(tokens, t: int, fig=None):
    """Draw which of tokens[0..T-1] each state at position t (1..T) has read; returns the figure."""
    return SeenFigure(fig).show(tokens, t)
