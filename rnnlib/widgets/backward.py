"""The backward stepper: watch backpropagation through time run from t = T down to 0.

    stepper = BackwardStepper()      # then show it: put `stepper` last in a cell

Controls: the position t (IntSlider, 0..T; it starts at T, on the right like
s_T in the chain, and moves left as the gradient does) and the truncation
(none, or k = 1, 2, 3). At each setting it shows the equations of the step
that has just run (typeset by MathJax) and a figure: the chain with the
gradient arrows, |dL/ds_k| of the complete states, and the weight gradients
summed so far.

Everything shown comes from rnnlib.lessons.backward.backward_view (the logic) and
rnnlib.plotting.backward.draw_backward (the drawing); the callback only reads the
controls and displays the result. For tests: the controls (step, truncate),
the last view (`view`), its figure (`figure`) and the equations (`equation`).
"""

from __future__ import annotations

import html
import io

import ipywidgets as widgets
import matplotlib as mpl
from matplotlib.figure import Figure

from rnnlib.lessons.backward import EXAMPLE_TOKENS, TRUNCATIONS, BackwardView, backward_view, clamp_position
from rnnlib.plotting.backward import draw_backward


class BackwardStepper:
    """The backward stepper's controls, equations and figure, in one box (`ui`)."""

    def __init__(self, t: int | None = None, truncate: int | None = None, dpi: int = 100):
        T = len(EXAMPLE_TOKENS)
        self.dpi = dpi
        self.view: BackwardView | None = None
        self.figure = Figure()  # not pyplot's: it is shown only through `image`
        self.step = widgets.IntSlider(
            value=clamp_position(T if t is None else t, T), min=0, max=T, description="position t"
        )
        self.truncate = widgets.ToggleButtons(
            options=[("full BPTT" if k is None else f"truncate k = {k}", k) for k in TRUNCATIONS],
            value=truncate,
            description="backward",
            style={"button_width": "9em"},
        )
        self.equation = widgets.HTMLMath()
        self.image = widgets.Image(format="png", layout=widgets.Layout(max_width="100%", height="auto"))
        hint = widgets.HTML("<i>&nbsp;move left: the gradient flows from s<sub>T</sub> back to s<sub>0</sub></i>")
        self.ui = widgets.VBox([widgets.HBox([self.step, hint]), self.truncate, self.equation, self.image])
        for control in (self.step, self.truncate):
            control.observe(self.redraw, names="value")
        self.redraw()

    def redraw(self, change=None) -> None:
        """Compute the view for the current controls and show it."""
        view = backward_view(self.step.value, truncate=self.truncate.value)
        self.view = view
        draw_backward(view, fig=self.figure)
        buffer = io.BytesIO()
        with mpl.rc_context({"savefig.bbox": "standard"}):  # the figure sets its own margins
            self.figure.savefig(buffer, format="png", dpi=self.dpi)
        self.image.value = buffer.getvalue()
        self.equation.value = equation_html(view)

    def _repr_mimebundle_(self, **kwargs):
        data = self.ui._repr_mimebundle_(**kwargs) or {}
        data["text/plain"] = "The backward stepper (run the notebook to use it)"  # for a page without a kernel
        return data


def equation_html(view: BackwardView) -> str:
    """The equations of the current position, one per line, as HTML with LaTeX for MathJax."""
    lines = "<br>".join("$" + html.escape(line, quote=False) + "$" for line in view.equations)
    return f'<div style="font-size: 120%; line-height: 2.0">{lines}</div>'
