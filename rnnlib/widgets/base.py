"""What the course's widgets share: a picture that redraws fast, a look that fits a projector, a static twin.

    picture = Picture(drawing)        # drawing: a figure class of rnnlib.plotting (StepperFigure, ...)
    picture.show()                    # render its figure and put the PNG into picture.image
    box = WidgetBox([...controls..., picture.box], picture, "a sentence for a page without a kernel")

The picture. Each drawing keeps one matplotlib Figure (never pyplot's) and
moves its artists when a control changes; `Picture.show` renders only the
artists that moved over a kept image of the rest (rnnlib.plotting.artists.
Redrawer), at 100 dpi so that one pixel of the PNG is one pixel of the screen
at 100 % zoom, and encodes the PNG at a low compression (fast; the picture
travels to a browser on the same machine or network).

The look. Text in the controls is 15 px (JupyterLab's default is 13 px),
readable when projected; a figure wider than the notebook scrolls sideways
inside the widget rather than shrinking, so its text keeps its size.

The static twin. `WidgetBox` is the widget's outer box; the bundle it gives
IPython holds the live widget for JupyterLab, and also the figure's current
picture as image/png and a short sentence as text/plain for a page without a
kernel (GitHub, nbviewer, an HTML export), which shows the picture.

Drags. A slider dragged in the browser sends a value at every step of the
drag. A change that comes from the browser is drawn a moment later, once for
the latest value (`Coalesced`), so a fast drag never queues up redraws of
values the reader has left behind; a change made in Python (a test, a teacher's
cell) is drawn at once.
"""

from __future__ import annotations

import asyncio
import base64
import io

import ipywidgets as widgets
import numpy as np
from PIL import Image

from rnnlib.plotting.artists import Redrawer

DPI = 100  # one pixel of the PNG per pixel of the screen at 100 % zoom (matplotlib's 1 pt = 100/72 px)
PNG_COMPRESSION = 1  # zlib level: level 1 encodes several times faster than the default 6, for a few % more bytes
COALESCE_SECONDS = 0.03  # how long a change from the browser waits for the next one before it is drawn

# Scoped to the widgets of the course (class rnn-widget): 15 px text in the controls, room for it,
# sliders that keep their length, and boxes that scroll sideways instead of widening the output.
STYLE = """
.rnn-widget { --jp-widgets-font-size: 15px; --jp-widgets-inline-height: 30px;
              --jp-widgets-inline-label-width: 84px; max-width: 100%; }
.rnn-widget .widget-readout { min-width: 2.5em; }
.rnn-widget .rnn-scroll { overflow-x: auto; overflow-y: hidden; max-width: 100%; justify-content: flex-start; }
.rnn-widget .rnn-scroll > * { flex: 0 0 auto; margin-left: 0; margin-right: 0; }
.rnn-widget img.rnn-picture { max-width: none; margin: 0; }
.rnn-widget .widget-play { height: var(--jp-widgets-inline-height); align-self: center; width: 5.5em; }
.rnn-widget .widget-toggle-buttons { display: flex; align-items: center; flex: 0 0 auto; margin-left: 1em; }
.rnn-widget .widget-toggle-buttons > .widget-label { width: auto; padding-right: 8px; }
.rnn-widget .rnn-equation { font-size: 18px; line-height: 1.5; white-space: nowrap; }
.rnn-widget .rnn-equation mjx-container { margin: 0 !important; }
"""


def style() -> widgets.HTML:
    """The course's widget style, as an (invisible) element of a widget: its rules apply to .rnn-widget."""
    return widgets.HTML(f"<style>{STYLE}</style>", layout=widgets.Layout(display="none"))


def encode_png(rgba: np.ndarray, dpi: int = DPI) -> bytes:
    """An (H, W, 4) uint8 image as PNG bytes (RGB, no alpha: the figures are opaque)."""
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(rgba[..., :3])).save(
        buffer, format="png", compress_level=PNG_COMPRESSION, dpi=(dpi, dpi)
    )
    return buffer.getvalue()


class Picture:
    """A drawing's figure shown as a PNG in an Image widget, redrawn by `show()`.

    drawing: an object with `fig` (a matplotlib Figure), `moving` (the artists
    that a step changes) and `layout_id` (changes when anything else changes),
    like rnnlib.plotting.unrolling.StepperFigure. The Image sits in a box that
    scrolls sideways when the figure is wider than the notebook (`box`).
    """

    def __init__(self, drawing, dpi: int = DPI):
        self.drawing, self.dpi = drawing, dpi
        drawing.fig.set_dpi(dpi)
        self.redrawer = Redrawer(drawing)
        self.png = b""
        self.image = widgets.Image(format="png")
        self.image.add_class("rnn-picture")
        self.box = widgets.Box([self.image])
        self.box.add_class("rnn-scroll")

    def show(self) -> None:
        self.png = encode_png(self.redrawer.rgba(), self.dpi)
        self.image.value = self.png


class WidgetBox(widgets.VBox):
    """A widget's outer box; shown by IPython as the live widget, with its picture and a sentence for static pages.

    In a notebook's output the bundle holds the widget view (JupyterLab shows the
    live widget), the current picture as image/png and `text` as text/plain
    (a page without a kernel shows the picture; nbval compares the sentence).
    """

    def __init__(self, children, picture: Picture, text: str, **kwargs):
        super().__init__([style(), *children], **kwargs)
        self.add_class("rnn-widget")
        self._picture, self._text = picture, text

    def _repr_mimebundle_(self, **kwargs):
        data = super()._repr_mimebundle_(**kwargs) or {}
        if self._picture.png:
            data["image/png"] = base64.b64encode(self._picture.png).decode("ascii")
        data["text/plain"] = self._text
        return data


class Coalesced:
    """Call `redraw` after a control changes: at once for a change made in Python, a moment later for the browser's.

    A change from the browser (a slider dragged, a key pressed) schedules one
    redraw COALESCE_SECONDS later on the kernel's event loop; the changes that
    arrive meanwhile (the rest of a drag) are drawn by that same redraw, with the
    controls' latest values. Without a running event loop (plain Python, tests)
    every change is drawn at once.
    """

    def __init__(self, redraw, delay: float = COALESCE_SECONDS):
        self.redraw, self.delay = redraw, delay
        self._pending = None

    def __call__(self, change=None) -> None:
        owner = getattr(change, "owner", None) if change is not None else None
        from_browser = bool(getattr(owner, "_property_lock", None))  # set while ipywidgets applies a browser's state
        loop = _running_loop() if from_browser else None
        if loop is None:
            self.redraw()
        elif self._pending is None:
            self._pending = loop.call_later(self.delay, self._flush)

    def _flush(self) -> None:
        self._pending = None
        self.redraw()


def _running_loop():
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None
