"""The unrolling stepper: step through an RNN reading a sentence you type.

    stepper = UnrollingStepper()      # then show it: put `stepper` last in a cell

Controls: a sentence (Text, applied on Enter), the step t (IntSlider, with
a Play button linked to it), the cell (Elman or LSTM) and the number of
units H. At each setting it shows the nested expression for s_t (typeset by
MathJax) and a figure: the chain unrolled up to step t over the state s_0..s_t
as a heatmap.

Everything shown comes from rnnlib.lessons.unrolling.stepper_view (the logic) and
rnnlib.plotting.unrolling.StepperFigure (the drawing); the callbacks here
only read the controls and display the result. For tests, the controls
are attributes (sentence, play, step, cell, size), and so are the last view
drawn (`view`), its figure (`figure`) and the text shown (`equation`, `message`).
"""

from __future__ import annotations

import html
from contextlib import contextmanager

import ipywidgets as widgets
from matplotlib.figure import Figure

from rnnlib.lessons.unrolling import (
    CELL_KINDS,
    DEFAULT_CELL,
    DEFAULT_HIDDEN,
    DEFAULT_SENTENCE,
    DEFAULT_STEP,
    HIDDEN_RANGE,
    SEED,
    StepperView,
    clamp_step,
    sentence_tokens,
    stepper_view,
)
from rnnlib.plotting.unrolling import StepperFigure
from rnnlib.widgets.base import DPI, Coalesced, Picture, WidgetBox

HINT = "<i>press Enter to apply</i>"


class UnrollingStepper:
    """The stepper's controls, its equation and its figure, in one box (`ui`)."""

    def __init__(
        self,
        sentence: str = DEFAULT_SENTENCE,
        t: int = DEFAULT_STEP,
        cell_kind: str = DEFAULT_CELL,
        hidden_size: int = DEFAULT_HIDDEN,
        seed: int = SEED,
        interval: int = 1000,
        dpi: int = DPI,
    ):
        self.seed, self.dpi = seed, dpi
        self.view: StepperView | None = None
        self.drawing = StepperFigure(Figure())  # not pyplot's: it is shown only through the picture
        self.picture = Picture(self.drawing, dpi)
        self.figure = self.drawing.fig
        self._holding = False
        try:
            T = len(sentence_tokens(sentence)[0])
        except ValueError:
            T = 0

        self.sentence = widgets.Text(
            value=sentence,
            description="sentence",
            placeholder="type a sentence, then press Enter",
            continuous_update=False,
            layout=widgets.Layout(width="34em", flex="0 1 auto"),
        )
        self.play = widgets.Play(
            value=clamp_step(t, T), min=0, max=T, interval=interval, description="play", show_repeat=False,
            layout=widgets.Layout(width="auto"),
        )  # fmt: skip
        self.step = widgets.IntSlider(
            value=clamp_step(t, T), min=0, max=T, description="step t", layout=widgets.Layout(width="24em")
        )
        widgets.link((self.play, "value"), (self.step, "value"))
        self.cell = widgets.ToggleButtons(
            options=[(name, kind) for kind, name in CELL_KINDS.items()],
            value=cell_kind,
            description="cell",
            style={"button_width": "5em"},
            layout=widgets.Layout(width="auto", flex="0 0 auto"),
        )
        low, high = HIDDEN_RANGE
        self.size = widgets.IntSlider(  # a new H lays the heatmap out again: drawn once, when the slider is let go
            value=min(max(hidden_size, low), high), min=low, max=high, description="units H", continuous_update=False,
            layout=widgets.Layout(width="24em"),
        )  # fmt: skip
        self.equation = widgets.HTMLMath()
        self.equation.add_class("rnn-equation")
        self.message = widgets.HTML()  # a note on the sentence, or what is wrong with it
        self.hint = widgets.HTML(HINT)
        self.image = self.picture.image

        equation_box = widgets.Box([self.equation])
        equation_box.add_class("rnn-scroll")  # a long sentence's equation scrolls sideways inside the widget
        self.ui = WidgetBox(
            [
                widgets.HBox([self.sentence, self.hint, self.message]),
                widgets.HBox([self.play, self.step, self.size, self.cell]),
                equation_box,
                self.picture.box,
            ],
            self.picture,
            "The unrolling stepper (run the notebook to use it)",
        )
        self._draw = Coalesced(self.redraw)
        self.sentence.observe(self._on_sentence, names="value")
        for control in (self.step, self.cell, self.size):
            control.observe(self._on_control, names="value")
        self._on_sentence()

    # ---- callbacks: read the controls, show the result -------------------

    def _on_sentence(self, change=None) -> None:
        """A new sentence: fit the step controls to its length, keeping t if it still fits."""
        try:
            T = len(sentence_tokens(self.sentence.value)[0])
        except ValueError as err:
            self._show_error(str(err))
            return
        with self._hold():
            for control in (self.play, self.step):  # the Play first: lowering its max moves the slider too
                control.max = T
                control.value = clamp_step(control.value, T)
        self.redraw()

    def _on_control(self, change=None) -> None:
        if not self._holding:
            self._draw(change)

    def redraw(self) -> None:
        """Compute the view for the current controls and show it."""
        try:
            view = stepper_view(self.sentence.value, self.step.value, self.cell.value, self.size.value, self.seed)
        except ValueError as err:
            self._show_error(str(err))
            return
        self.view = view
        self.drawing.show(view)
        self.picture.show()
        self.image.layout.display = None
        self.equation.value = equation_html(view)
        self._say(f"<i>{html.escape(view.note)}</i>" if view.note else "")

    def _show_error(self, text: str) -> None:
        """Say what is wrong where the figure was; the controls stay as they are."""
        self._say(f"<b>&#9888; {html.escape(text)}</b>")
        self.equation.value = ""
        self.image.layout.display = "none"

    def _say(self, message: str) -> None:
        """Show a message beside the sentence, in place of the hint (none: the hint)."""
        self.message.value = message
        self.message.layout.display = None if message else "none"
        self.hint.layout.display = "none" if message else None

    @contextmanager
    def _hold(self):
        """Change several controls with one redraw at the end, not one per control."""
        self._holding = True
        try:
            yield
        finally:
            self._holding = False

    # ---- showing it in a notebook ----------------------------------------

    def _repr_mimebundle_(self, **kwargs):
        # the live widget, its current picture and a sentence for a page without a kernel (see WidgetBox)
        return self.ui._repr_mimebundle_(**kwargs)


def equation_html(view: StepperView) -> str:
    """The two equations for s_t, as HTML with LaTeX for MathJax: the step that made it, and all of it nested."""

    def math(latex: str) -> str:
        # the words under x_k at full size (\textstyle), not in the small script size of \underset
        latex = latex.replace(r"\underset{\text{", r"\underset{\textstyle\text{")
        return "$" + html.escape(latex, quote=False) + "$"

    if view.t == 0:
        return f"<b>start:</b> {math(view.expression)}, the initial state, before any word is read"
    return f"<b>one step:</b> {math(view.step_expression)}<br><b>unrolled:</b> {math(view.expression)}"
