"""Every widget of the course carries a picture of itself, readable on a projector, with nothing cut off.

Without a kernel or a browser: each widget is built as its notebook builds it
and moved to the settings that stress its figure most (a 12-word sentence, an
LSTM with H = 16, T = 100, ...). Then

- the bundle it gives IPython (what a notebook stores as the cell's output)
  holds the live widget, its current picture as image/png and a short
  sentence as text/plain, never the raw repr of a box of widgets;
- every piece of text drawn in the figure is at least 14 px in the PNG the
  widget shows (one PNG pixel per screen pixel at 100 % zoom), and lies
  wholly inside the figure (nothing cut off at an edge);
- a change made in Python is drawn at once; changes from the browser (a drag)
  are drawn once, for the latest value.

The browser test (tests/test_browser.py) checks the same widgets on a real
1280x720 screen.
"""

import matplotlib

matplotlib.use("Agg")

import asyncio  # noqa: E402
import base64  # noqa: E402

import ipywidgets  # noqa: E402
import pytest  # noqa: E402
from matplotlib.transforms import Bbox  # noqa: E402

from rnnlib.lessons import long_range  # noqa: E402
from rnnlib.widgets.backward import BackwardStepper  # noqa: E402
from rnnlib.widgets.base import Coalesced  # noqa: E402
from rnnlib.widgets.gradients import gradient_explorer  # noqa: E402
from rnnlib.widgets.lstm_gates import gate_explorer  # noqa: E402
from rnnlib.widgets.seen import SeenWidget  # noqa: E402
from rnnlib.widgets.unrolling import UnrollingStepper  # noqa: E402

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MIN_TEXT_PX = 14
LONG = "one two three four five six seven eight nine ten eleven twelve"


def gates():
    cell, head = long_range.make_model("lstm", 32, seed=0)
    return gate_explorer(cell, head, long_range.adding_problem(50, 20, seed=3))


# name -> (how to build it, its box of widgets, the settings to try: (control, value) pairs applied in turn)
WIDGETS = {
    "unrolling stepper": (
        UnrollingStepper,
        lambda w: w.ui,
        lambda w: [(w.step, 0), (w.step, 6), (w.cell, "lstm"), (w.size, 16), (w.sentence, LONG), (w.step, 12),
                   (w.step, 0), (w.cell, "elman")],
    ),  # fmt: skip
    "what has been read": (
        lambda: SeenWidget("Salt Lake City has a busy airport .".split()),
        lambda w: w.ui,
        lambda w: [(w.position, 8), (w.position, 1)],
    ),
    "what has been read, 12 words": (
        lambda: SeenWidget(LONG.split()),
        lambda w: w.ui,
        lambda w: [(w.position, 12), (w.position, 5)],
    ),
    "backward stepper": (
        lambda: BackwardStepper(t=3),
        lambda w: w.ui,
        lambda w: [(w.step, 6), (w.step, 0), (w.truncate, 2), (w.step, 3), (w.truncate, 1), (w.truncate, 0)],
    ),
    "gradient explorer": (
        gradient_explorer,
        lambda w: w,
        lambda w: [(w.controls["rho"], 1.5), (w.controls["nonlinearity"], "identity"), (w.controls["T"], 100),
                   (w.controls["nonlinearity"], "relu"), (w.controls["rho"], 0.5), (w.controls["T"], 10)],
    ),  # fmt: skip
    "gate explorer": (gates, lambda w: w, lambda w: [(w.controls["sequence"], k) for k in (5, 19, 0)]),
}


def text_sizes(fig):
    """(text, size in points) of every visible piece of text in `fig`: Text artists and Labels."""
    sizes = [(t.get_text(), t.get_fontsize()) for t in fig.findobj(matplotlib.text.Text)
             if t.get_visible() and t.get_text().strip()]  # fmt: skip
    for labels in label_groups(fig):
        sizes += [(text, labels.size) for text, color in zip(labels.texts, labels.colors) if color[3] > 0]
    return sizes


def label_groups(fig):
    """The Labels (rnnlib.plotting.artists) drawn in `fig`."""
    return [c.labels for ax in fig.axes for c in ax.collections if hasattr(c, "labels") and c.get_visible()]


def extents(fig):
    """(what, extent in display pixels) of everything drawn: each axes with its ticks and labels, each
    figure text, each label of a Labels group."""
    fig.canvas.draw()  # lay everything out (the widget's next picture is drawn over its kept background)
    renderer = fig.canvas.get_renderer()
    found = [(f"axes {k}", ax.get_tightbbox(renderer)) for k, ax in enumerate(fig.axes)]
    found += [(t.get_text(), t.get_window_extent(renderer)) for t in fig.texts if t.get_visible() and t.get_text()]
    scale = fig.dpi / 72
    for labels in label_groups(fig):
        collection = labels.collection
        offsets = collection.get_offset_transform().transform(collection.get_offsets())
        for text, path, xy, color in zip(labels.texts, collection.get_paths(), offsets, labels.colors):
            if color[3] > 0 and len(path.vertices):
                low, high = path.vertices.min(axis=0) * scale + xy, path.vertices.max(axis=0) * scale + xy
                found.append((text, Bbox([low, high])))
    return found


def check_picture(name, box):
    """The picture in the bundle is the widget's current one; its text is readable and inside the figure."""
    bundle = box._repr_mimebundle_()
    # the live widget for JupyterLab, the picture and a sentence for a page without a kernel
    assert "application/vnd.jupyter.widget-view+json" in bundle
    png = base64.b64decode(bundle["image/png"])
    assert png.startswith(PNG_SIGNATURE)
    assert png == bytes(box._picture.image.value), f"{name}: the bundle's picture is not the one shown"
    text = bundle["text/plain"]
    assert "(" in text and "run the notebook" in text and not text.startswith(("VBox", "HBox")), text
    fig = box._picture.drawing.fig
    assert fig.dpi == 100, "one PNG pixel per screen pixel at 100 % zoom"
    for text, size in text_sizes(fig):
        # readable when projected: 14 px or more in the PNG
        assert size * fig.dpi / 72 >= MIN_TEXT_PX - 0.01, f"{name}: {text!r} is {size * fig.dpi / 72:.1f} px"
    width, height = fig.canvas.get_width_height()
    inside = Bbox.from_extents(-1, -1, width + 1, height + 1)
    for what, extent in extents(fig):
        # nothing cut off at the figure's edges
        assert inside.contains(extent.x0, extent.y0) and inside.contains(extent.x1, extent.y1), (
            f"{name}: {what!r} at {extent.extents.round()} leaves the {width}x{height} figure"
        )


@pytest.mark.parametrize("name", list(WIDGETS))
def test_every_setting_has_a_readable_whole_picture_in_the_bundle(name):
    make, box_of, settings = WIDGETS[name]
    widget = make()
    box = box_of(widget)
    check_picture(name, box)
    for control, value in settings(widget):
        before = bytes(box._picture.image.value)
        control.value = value
        assert bytes(box._picture.image.value) != before, f"{name}: setting {value!r} did not redraw"
        check_picture(f"{name} at {value!r}", box)


def test_a_notebook_shows_the_stepper_with_its_sentence():
    # the sentence that nbval compares, and that a page without a kernel may show beside the picture
    bundle = UnrollingStepper()._repr_mimebundle_()
    assert bundle["text/plain"] == "The unrolling stepper (run the notebook to use it)"
    assert gradient_explorer()._repr_mimebundle_()["text/plain"].startswith("The gradient explorer")


def test_a_redrawn_picture_equals_a_fresh_one():
    # The widget draws only what moved over a kept image of the rest; the result must be the
    # picture a fresh widget draws at that setting, pixel for pixel.
    moved = UnrollingStepper()
    for t in (0, 5, 2, 6, 1):
        moved.step.value = t
    moved.size.value = 7
    moved.step.value = 4
    fresh = UnrollingStepper(t=4, hidden_size=7)
    assert bytes(moved.image.value) == bytes(fresh.image.value)
    moved_bw = BackwardStepper(t=6)
    for t in (0, 4, 2):
        moved_bw.step.value = t
    moved_bw.truncate.value = 3
    assert bytes(moved_bw.image.value) == bytes(BackwardStepper(t=2, truncate=3).image.value)


def test_changes_from_the_browser_are_drawn_once_for_the_latest_value():
    slider = ipywidgets.IntSlider(max=10)
    drawn = []
    slider.observe(Coalesced(lambda: drawn.append(slider.value), delay=0.02), names="value")

    async def drag():
        for value in (1, 2, 3, 4):  # a drag: the browser sends each value it passes
            slider.set_state({"value": value})
        assert drawn == []  # none drawn yet: the kernel is still reading the browser's messages
        await asyncio.sleep(0.1)
        assert drawn == [4]  # one picture, of where the drag ended
        slider.value = 7  # a change made in Python is drawn at once
        assert drawn == [4, 7]

    asyncio.run(drag())
    slider.set_state({"value": 9})  # no event loop running (plain Python): drawn at once
    assert drawn == [4, 7, 9]


def test_widgets_do_not_leave_pyplot_figures_behind():
    import matplotlib.pyplot as plt

    before = set(plt.get_fignums())
    for make, _, _ in WIDGETS.values():
        make()
    assert set(plt.get_fignums()) == before
