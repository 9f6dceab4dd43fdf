"""Slide along a sentence and see what the states of a bidirectional RNN have read.

    view = SeenWidget("Salt Lake City has a busy airport .".split())   # then put `view` last in a cell

A slider picks the position t; the figure (rnnlib.plotting.seen.plot_seen,
from the pure function rnnlib.lessons.seen.seen_inputs) colours the words
read by the forward state f_t, the backward state b_t and [f_t; b_t].
For tests: the slider is `position`, the last figure drawn `figure`.
"""

from __future__ import annotations

import io

import ipywidgets as widgets
from matplotlib.figure import Figure

from rnnlib.plotting.seen import plot_seen


class SeenWidget:
    """A slider for t and the figure of what each state at t has read, in one box (`ui`)."""

    def __init__(self, tokens, t: int = 1, dpi: int = 100):
        self.tokens = list(tokens)
        if not self.tokens:
            raise ValueError("tokens must hold at least one word")
        T = len(self.tokens)
        self.dpi = dpi
        self.figure = Figure(figsize=(max(7.0, 1.15 * T + 2.6), 3.0))
        self.position = widgets.IntSlider(value=min(max(t, 1), T), min=1, max=T, description="position t")
        self.image = widgets.Image(format="png", layout=widgets.Layout(max_width="100%", height="auto"))
        self.ui = widgets.VBox([self.position, self.image])
        self.position.observe(self.redraw, names="value")
        self.redraw()

    def redraw(self, change=None) -> None:
        plot_seen(self.tokens, self.position.value, fig=self.figure)
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", dpi=self.dpi)
        self.image.value = buffer.getvalue()

    def _repr_mimebundle_(self, **kwargs):
        data = self.ui._repr_mimebundle_(**kwargs) or {}
        data["text/plain"] = "What each state has read (run the notebook to move the slider)"
        return data
