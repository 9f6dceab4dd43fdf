"""Pictures of what a feedforward model's features keep of a sentence (rnnlib.lessons.features).

plot_bags(sentences, vocab)          each sentence's one-hot rows x_1..x_T and, below them,
                                     their sum: the bag of words
plot_windows(context, ks, cue)       which of the words before a prediction a window of
                                     k words sees, one row per k
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import FancyBboxPatch

from rnnlib.lessons.features import bag_of_words
from rnnlib.lessons.text import Vocabulary, one_hot
from rnnlib.plotting.style import COLORS, SEQUENTIAL


def plot_bags(sentences: Sequence[Sequence[str]], vocab: Vocabulary, titles: Sequence[str] | None = None):
    """One panel per tokenized sentence: its one-hot rows x_1..x_T above a line, the bag below it.

    The bag row is the column sums of the rows above it, so two sentences
    with the same words in another order end with the same bottom row.
    Returns the Figure.
    """
    V = len(vocab)
    fig, axes = plt.subplots(1, len(sentences), figsize=(3.4 * len(sentences) + 0.6, 3.6), squeeze=False)
    vmax = max(bag_of_words(vocab.encode(tokens), V).max() for tokens in sentences)
    for n, (ax, tokens) in enumerate(zip(axes[0], sentences)):
        ids = vocab.encode(tokens)
        rows = np.vstack([one_hot(ids, V), bag_of_words(ids, V)])  # (T+1, V): x_1..x_T, then their sum
        T = len(tokens)
        ax.imshow(rows, cmap=SEQUENTIAL, vmin=0, vmax=vmax, aspect="equal")
        for (r, c), value in np.ndenumerate(rows):
            colour = "black" if value > vmax / 2 else "white"
            ax.text(c, r, f"{value:.0f}", ha="center", va="center", color=colour, fontsize=11)
        ax.axhline(T - 0.5, color=COLORS["vermillion"], linewidth=3)
        ax.set_yticks(range(T + 1), [f"$x_{{{t}}}$ {tok}" for t, tok in enumerate(tokens, start=1)] + ["bag (sum)"])
        ax.set_xticks(range(V), vocab.tokens, rotation=45, ha="right")
        ax.tick_params(length=0)
        ax.grid(False)
        ax.set_title(titles[n] if titles else '"' + " ".join(tokens) + '"')
    fig.tight_layout()
    return fig


def plot_windows(context: Sequence[str], ks: Sequence[int], cue: int, target: str = "?", fontsize: float = 11):
    """What a window of the last k words sees of `context`, one row for each k in `ks`.

    context: the tokens before the word to predict; the window of size k is
    context[-k:]. cue: the index in `context` of the word the prediction
    depends on; each row says whether its window reaches it. target: the
    label of the predicted word, drawn after the context. Returns the Figure.
    """
    n = len(context)
    if not 0 <= cue < n:
        raise ValueError(f"cue must be an index into context (0..{n - 1}), got {cue}")
    widths = [0.34 + 0.13 * len(tok) for tok in [*context, target]]  # box width per token, in data units
    lefts = np.concatenate([[0.0], np.cumsum(np.array(widths) + 0.12)])
    fig, ax = plt.subplots(figsize=(0.55 * lefts[-1] + 2.6, 0.62 * len(ks) + 0.9))
    for row, k in enumerate(ks):
        y = -row
        sees = k >= n - cue
        for i, tok in enumerate([*context, target]):
            in_window = n - k <= i < n
            face = "#D6E9F5" if in_window else "white"
            edge = COLORS["blue"] if in_window else "0.75"
            if i == n:  # the word to predict
                face, edge = "#FBEBC8", COLORS["orange"]
            ax.add_patch(
                FancyBboxPatch(
                    (lefts[i], y - 0.3),
                    widths[i],
                    0.6,
                    boxstyle="round,pad=0.0,rounding_size=0.08",
                    facecolor=face,
                    edgecolor=edge,
                    linewidth=1.8 if in_window or i == n else 1.0,
                )
            )
            weight = "bold" if i == cue else "normal"
            colour = "black" if in_window or i >= n else "0.55"
            ax.text(
                lefts[i] + widths[i] / 2,
                y,
                tok,
                ha="center",
                va="center",
                fontsize=fontsize,
                weight=weight,
                color=colour,
            )
        ax.text(-0.25, y, f"k = {k}", ha="right", va="center", fontsize=fontsize)
        verdict = f"sees '{context[cue]}'" if sees else f"blind to '{context[cue]}'"
        ax.text(
            lefts[-1] + 0.2,
            y,
            verdict,
            ha="left",
            va="center",
            fontsize=fontsize,
            color=COLORS["blue"] if sees else COLORS["vermillion"],
            weight="bold",
        )
    ax.set_xlim(-1.3, lefts[-1] + 2.6)
    ax.set_ylim(-len(ks) + 0.4, 0.6)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(
        f"What a window of the last k words reads (blue) to predict '{target}'", loc="left", fontsize=fontsize + 1
    )
    fig.tight_layout()
    return fig
