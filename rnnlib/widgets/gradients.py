"""A widget for notebook 6: move the spectral radius, the nonlinearity and T, watch dL/ds_t.

    gradient_explorer()   sliders for rho and T, buttons for the nonlinearity, and the figure

The callback only reads the controls, measures the profile with
rnnlib.lessons.gradients.gradient_profile (the measurement the notebook's
static figure makes) and shows it with rnnlib.plotting.gradients.GradientFigure.
"""

from __future__ import annotations

import ipywidgets as widgets
from matplotlib.figure import Figure

from rnnlib.lessons.gradients import gradient_profile
from rnnlib.plotting.gradients import GradientFigure
from rnnlib.widgets.base import DPI, Coalesced, Picture, WidgetBox


def gradient_explorer(rho: float = 0.9, nonlinearity: str = "tanh", T: int = 50, dpi: int = DPI) -> WidgetBox:
    """The controls and the figure, drawn at the given setting and again at every change.

    Returns the widget's box, with `controls` ({"rho", "nonlinearity", "T"}, for
    tests and teachers), `profile` (the last measurement) and `figure`.
    """
    rho_slider = widgets.FloatSlider(
        value=rho, min=0.5, max=1.5, step=0.05, description="\N{GREEK SMALL LETTER RHO}", readout_format=".2f",
        layout=widgets.Layout(width="24em"),
    )  # fmt: skip
    T_slider = widgets.IntSlider(  # a new T lays the axes out again: drawn once, when the slider is let go
        value=T, min=10, max=100, step=10, description="T", continuous_update=False, layout=widgets.Layout(width="24em")
    )
    g_buttons = widgets.ToggleButtons(
        options=["tanh", "relu", "identity"], value=nonlinearity, description="g", style={"button_width": "5.5em"}
    )
    drawing = GradientFigure(Figure())
    picture = Picture(drawing, dpi)
    box = WidgetBox(
        [widgets.HBox([rho_slider, T_slider, g_buttons]), picture.box], picture,
        "The gradient explorer (run the notebook to move its controls)",
    )  # fmt: skip

    def redraw(_change=None):
        box.profile = gradient_profile(rho_slider.value, g_buttons.value, T=T_slider.value)
        drawing.show(box.profile)
        picture.show()

    draw = Coalesced(redraw)
    for control in (rho_slider, g_buttons, T_slider):
        control.observe(draw, names="value")
    box.controls = {"rho": rho_slider, "nonlinearity": g_buttons, "T": T_slider}  # for tests and teachers
    box.figure, box.picture = drawing.fig, picture
    redraw()
    return box
