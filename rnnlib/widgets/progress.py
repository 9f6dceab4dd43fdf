"""A progress bar for `rnnlib.core.train.fit` in a notebook: the step and the running loss.

The bar is displayed once, when training starts. What a notebook stores as
the cell's text output is a fixed line (the label and the number of steps),
so it is the same in every run; the moving parts (the bar, the step count,
the running loss) live in the widget's state, which a live notebook shows
and a static page and nbval leave out.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from IPython.display import display

from rnnlib.widgets.base import style


class _Shown:
    """What `display` shows: the widget's view, with our own fixed text in place of its repr."""

    def __init__(self, widget, text: str):
        self.widget, self.text = widget, text

    def _repr_mimebundle_(self, **kwargs):
        data = self.widget._repr_mimebundle_(**kwargs) or {}
        data["text/plain"] = self.text
        return data


class ProgressBar:
    """A bar and a readout: 'step 120/300  loss 0.4321'. Updated about 100 times per run at most."""

    def __init__(self, steps: int, label: str = ""):
        self.label = label or "training"
        self.every = max(1, steps // 100)
        self.bar = widgets.IntProgress(value=0, min=0, max=steps, description=self.label[:24])
        self.bar.style.description_width = "initial"
        self.readout = widgets.HTML(value=f"step 0/{steps}")
        self.box = widgets.HBox([style(), self.bar, self.readout])
        self.box.add_class("rnn-widget")  # the course's widget style: 15 px text, readable when projected
        display(_Shown(self.box, f"{self.label}: {steps} training steps"))

    def update(self, step: int, steps: int, loss: float) -> None:
        if step % self.every and step != steps:
            return
        self.bar.value = step
        self.readout.value = f"step {step}/{steps} &nbsp; loss {loss:.4f}"

    def close(self, history) -> None:
        done = int(np.isfinite(history.losses).sum())
        self.bar.value = done
        self.bar.bar_style = "success" if done == len(history.losses) else "danger"
