"""Slide along a sentence and see what the states of a bidirectional RNN have read.

    view = SeenWidget("Salt Lake City has a busy airport .".split())   # then put `view` last in a cell

A slider picks the position t; the figure (rnnlib.plotting.seen.SeenFigure,
from the pure function rnnlib.lessons.seen.seen_inputs) colours the words
read by the forward state f_t, the backward state b_t and [f_t; b_t].
For tests: the slider is `position`, the figure `figure`, the picture `image`.
"""

from __future__ import annotations

import ipywidgets as widgets
from matplotlib.figure import Figure

from rnnlib.plotting.seen import SeenFigure
from rnnlib.widgets.base import DPI, Coalesced, Picture, WidgetBox


class SeenWidget:
    """A slider for t and the figure of what each state at t has read, in one box (`ui`)."""

    def __init__(self, tokens, t: int = 1, dpi: int = DPI):
        self.tokens = list(tokens)
        if not self.tokens:
            raise ValueError("tokens must hold at least one word")
        T = len(self.tokens)
        self.drawing = SeenFigure(Figure())
        self.picture = Picture(self.drawing, dpi)
        self.figure, self.image = self.drawing.fig, self.picture.image
        self.position = widgets.IntSlider(
            value=min(max(t, 1), T), min=1, max=T, description="position t", layout=widgets.Layout(width="28em")
        )
        self.ui = WidgetBox(
            [self.position, self.picture.box], self.picture,
            "What each state has read (run the notebook to move the slider)",
        )  # fmt: skip
        self.position.observe(Coalesced(self.redraw), names="value")
        self.redraw()

    def redraw(self, change=None) -> None:
        self.drawing.show(self.tokens, self.position.value)
        self.picture.show()

    def _repr_mimebundle_(self, **kwargs):
        return self.ui._repr_mimebundle_(**kwargs)
