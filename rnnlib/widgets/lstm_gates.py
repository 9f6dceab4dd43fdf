"""A widget for notebook 7: a trained LSTM reading adding-problem sequences, one at a time.

    gate_explorer(cell, head, batch)   a slider over the sequences of the batch, and the figure

The callback only reads the slider, computes the view with
rnnlib.lessons.lstm_gates.adding_view (the function the notebook's static
figure calls) and shows it with rnnlib.plotting.lstm_gates.GatesFigure.
"""

from __future__ import annotations

import ipywidgets as widgets
from matplotlib.figure import Figure

from rnnlib.lessons.lstm_gates import adding_view, memory_limit, memory_units
from rnnlib.plotting.lstm_gates import GatesFigure
from rnnlib.widgets.base import DPI, Coalesced, Picture, WidgetBox


def gate_explorer(cell, head, batch, index: int = 0, k: int = 3, dpi: int = DPI) -> WidgetBox:
    """A slider over the sequences of `batch`; the figure is drawn once and again at every move.

    Returns the widget's box, with `controls` ({"sequence"}, for tests and
    teachers), `view` (the last AddingView drawn) and `figure`.
    """
    n = batch.xs.shape[1]
    units = memory_units(cell, batch, k)  # the same units for every sequence, so colours keep their meaning
    drawing = GatesFigure(Figure(), c_limit=memory_limit(cell, batch, units))  # one scale for every sequence
    picture = Picture(drawing, dpi)
    # Drawn when the slider is let go (and at each key press): the sequences are separate examples, and a drag
    # across twenty of them, each drawn on the way, left the last picture up to half a second behind the release.
    slider = widgets.IntSlider(
        value=index, min=0, max=n - 1, step=1, description="sequence", continuous_update=False,
        layout=widgets.Layout(width="30em"),
    )  # fmt: skip
    box = WidgetBox(
        [slider, picture.box], picture, "The LSTM's gates, one test sequence at a time (run the notebook to move it)"
    )

    def redraw(_change=None):
        box.view = adding_view(cell, head, batch, slider.value, units=units)
        drawing.show(box.view)
        picture.show()

    slider.observe(Coalesced(redraw), names="value")
    box.controls = {"sequence": slider}  # for tests and teachers
    box.figure, box.picture = drawing.fig, picture
    redraw()
    return box
