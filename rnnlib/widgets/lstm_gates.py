"""A widget for notebook 7: a trained LSTM reading adding-problem sequences, one at a time.

    gate_explorer(cell, head, batch)   a slider over the sequences of the batch, and the figure

The callback only reads the slider and calls
rnnlib.lessons.lstm_gates.adding_view (the numbers) and
rnnlib.plotting.lstm_gates.draw_adding_view (the drawing), the same
functions the notebook's static figure calls.
"""

from __future__ import annotations

import ipywidgets as widgets
import matplotlib.pyplot as plt
from IPython.display import display

from rnnlib.lessons.lstm_gates import adding_view, memory_units
from rnnlib.plotting.lstm_gates import draw_adding_view


def gate_explorer(cell, head, batch, index: int = 0, k: int = 3) -> widgets.VBox:
    """A slider over the sequences of `batch`; the figure is drawn once and again at every move."""
    n = batch.xs.shape[1]
    units = memory_units(cell, batch, k)  # the same units for every sequence, so colours keep their meaning
    slider = widgets.IntSlider(value=index, min=0, max=n - 1, step=1, description="sequence", continuous_update=False)
    out = widgets.Output()
    box = widgets.VBox([slider, out])

    def redraw(_change=None):
        box.view = adding_view(cell, head, batch, slider.value, units=units)
        with out:
            out.clear_output(wait=True)
            fig = draw_adding_view(box.view)
            box.figure = fig
            display(fig)
            plt.close(fig)

    slider.observe(redraw, names="value")
    redraw()
    box.controls = {"sequence": slider}  # for tests and teachers
    box.output = out
    return box
