"""The backward stepper: watch backpropagation through time run from t = T down to 0.

    stepper = BackwardStepper()      # then show it: put `stepper` last in a cell

Controls: the position t (IntSlider, 0..T; it starts at T, on the right like
s_T in the chain, and moves left as the gradient does) and the truncation
(ToggleButtons: 0 for full BPTT, or k = 1, 2, 3). At each setting it shows the equations of the step
that has just run (typeset by MathJax) and a figure: the chain with the
gradient arrows, |dL/ds_k| of the complete states, and the weight gradients
summed so far.

Everything shown comes from rnnlib.lessons.backward.backward_view (the logic) and
rnnlib.plotting.backward.BackwardFigure (the drawing); the callback only reads the
controls and displays the result. For tests: the controls (step, truncate),
the last view (`view`), its figure (`figure`) and the equations (`equation`).
"""

from __future__ import annotations

import html

import ipywidgets as widgets
from matplotlib.figure import Figure

from rnnlib.lessons.backward import (
    EXAMPLE_TOKENS,
    TRUNCATIONS,
    BackwardView,
    backward_view,
    step_equations,
)
from rnnlib.lessons.unrolling import clamp_step
from rnnlib.plotting.backward import BackwardFigure
from rnnlib.widgets.base import DPI, Coalesced, Picture, WidgetBox


class BackwardStepper:
    """The backward stepper's controls, equations and figure, in one box (`ui`)."""

    def __init__(self, t: int | None = None, truncate: int | None = None, dpi: int = DPI):
        T = len(EXAMPLE_TOKENS)
        self.dpi = dpi
        self.view: BackwardView | None = None
        self.drawing = BackwardFigure(Figure())  # not pyplot's: it is shown only through the picture
        self.picture = Picture(self.drawing, dpi)
        self.figure, self.image = self.drawing.fig, self.picture.image
        self.step = widgets.IntSlider(
            value=clamp_step(T if t is None else t, T), min=0, max=T, description="position t",
            layout=widgets.Layout(width="22em"),
        )  # fmt: skip
        # 0 stands for full BPTT: a ToggleButtons whose value is None shows no button selected
        self.truncate = widgets.ToggleButtons(
            options=[("full", 0) if k is None else (f"k = {k}", k) for k in TRUNCATIONS],
            value=truncate or 0,
            description="BPTT",
            style={"button_width": "4.5em"},
        )
        self.equation = widgets.HTMLMath()
        self.equation.add_class("rnn-equation")
        hint = widgets.HTML("<i>move left: the gradient flows back to s\N{SUBSCRIPT ZERO}</i>")
        self.ui = WidgetBox(
            [widgets.HBox([self.step, hint, self.truncate]), self.equation, self.picture.box],
            self.picture,
            "The backward stepper (run the notebook to use it)",
        )
        draw = Coalesced(self.redraw)
        for control in (self.step, self.truncate):
            control.observe(draw, names="value")
        self.redraw()

    def redraw(self, change=None) -> None:
        """Compute the view for the current controls and show it."""
        view = backward_view(self.step.value, truncate=self.truncate.value or None)
        self.view = view
        self.drawing.show(view)
        self.picture.show()
        self.equation.value = equation_html(view)

    def _repr_mimebundle_(self, **kwargs):
        # the live widget, its current picture and a sentence for a page without a kernel (see WidgetBox)
        return self.ui._repr_mimebundle_(**kwargs)


def equation_html(view: BackwardView) -> str:
    """The equations of the current position, one per line, as HTML with LaTeX for MathJax.

    dL/ds is written as an inline fraction, one line high, so that the equations
    and the figure fit a projector's screen together.
    """
    lines = step_equations(view.t, view.T, cut=view.t in view.cuts, compact=True)
    return "<br>".join("$" + html.escape(line, quote=False) + "$" for line in lines)
