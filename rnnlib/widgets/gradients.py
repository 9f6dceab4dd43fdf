"""A widget for notebook 6: move the spectral radius, the nonlinearity and T, watch dL/ds_t.

    gradient_explorer()   sliders for rho and T, buttons for the nonlinearity, and the figure

The callback only reads the controls and calls
rnnlib.plotting.gradients.gradient_decay_figure, the same function the
notebook's static figure calls; the measurement is
rnnlib.lessons.gradients.gradient_profile.
"""

from __future__ import annotations

import ipywidgets as widgets
import matplotlib.pyplot as plt
from IPython.display import display

from rnnlib.plotting.gradients import gradient_decay_figure


def gradient_explorer(rho: float = 0.9, nonlinearity: str = "tanh", T: int = 50) -> widgets.VBox:
    """The controls and the figure, drawn once at the given setting and again at every change."""
    rho_slider = widgets.FloatSlider(
        value=rho, min=0.5, max=1.5, step=0.05, description="rho", readout_format=".2f", continuous_update=False
    )
    g_buttons = widgets.ToggleButtons(options=["tanh", "relu", "identity"], value=nonlinearity, description="g")
    T_slider = widgets.IntSlider(value=T, min=10, max=100, step=10, description="T", continuous_update=False)
    out = widgets.Output()

    def redraw(_change=None):
        with out:
            out.clear_output(wait=True)
            fig = gradient_decay_figure(rho_slider.value, g_buttons.value, T_slider.value)
            display(fig)
            plt.close(fig)

    for control in (rho_slider, g_buttons, T_slider):
        control.observe(redraw, names="value")
    redraw()
    box = widgets.VBox([widgets.HBox([rho_slider, T_slider]), g_buttons, out])
    box.controls = {"rho": rho_slider, "nonlinearity": g_buttons, "T": T_slider}  # for tests and teachers
    box.output = out
    return box
