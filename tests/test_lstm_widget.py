"""Notebook 7's gate explorer, driven without a kernel or a browser: set the slider, read what is drawn.

The expected memory and gates come from rnnlib.unroll on the same cell, an
independent path from the widget's (which goes through lstm_anatomy.adding_view).
"""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

import rnnlib
from rnnlib.lessons import long_range, tasks
from rnnlib.widgets.lstm_gates import gate_explorer


@pytest.fixture(scope="module")
def model():
    cell, head = long_range.make_model("lstm", 8, seed=0)
    return cell, head, tasks.adding_problem(20, 6, seed=5)


def line(fig, gid):
    (found,) = [ln for ax in fig.axes for ln in ax.lines if ln.get_gid() == gid]
    return np.asarray(found.get_ydata())


def test_slider_redraws_the_chosen_sequence(model):
    cell, head, batch = model
    widget = gate_explorer(cell, head, batch)
    slider = widget.controls["sequence"]
    assert (slider.min, slider.max, slider.value) == (0, 5, 0)
    units = widget.view.units
    for index in (0, 4, 2):
        slider.value = index
        fig, view = widget.figure, widget.view
        assert view.index == index
        run = rnnlib.unroll(cell, batch.xs[:, index : index + 1])
        for u in units:  # the same units at every index, drawn from this sequence's run
            assert np.allclose(line(fig, f"memory unit {u + 1}"), run.states[:, 0, u])
            assert np.allclose(line(fig, f"forget unit {u + 1}"), [p.f[0, u] for p in run.caches])
            assert np.allclose(line(fig, f"input unit {u + 1}"), [p.i[0, u] for p in run.caches])
        assert list(widget.view.units) == list(units)
        # The two marked values are drawn as the highlighted bars, at the marked steps.
        marked = [bar for bar in fig.axes[0].patches if bar.get_gid() == "marked values"]
        steps = sorted(round(bar.get_x() + bar.get_width() / 2) for bar in marked)
        assert steps == list(np.flatnonzero(batch.xs[:, index, 1]) + 1)
        assert any(f"Sequence {index}:" in text.get_text() for text in fig.texts)
