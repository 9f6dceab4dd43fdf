"""The drawings and widgets of notebooks 3 and 4: they draw what the pure functions say."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from rnnlib.lessons.seen import seen_inputs  # noqa: E402
from rnnlib.plotting.patterns import PATTERNS, draw_pattern, plot_patterns  # noqa: E402
from rnnlib.plotting.seen import plot_seen  # noqa: E402


def gids(ax):
    return {p.get_gid() for p in ax.patches} | {im.get_gid() for im in ax.images}


@pytest.mark.parametrize("kind", PATTERNS)
def test_each_pattern_draws_its_parts(kind):
    ax = draw_pattern(kind)
    found = gids(ax)
    assert "input 1" in found  # every pattern reads an input
    if kind in ("acceptor", "transducer", "generator", "bidirectional"):
        assert "state 1" in found
    if kind == "transducer":
        assert {f"output {k}" for k in range(1, 7)} <= found  # an output at every step
    if kind == "acceptor":
        assert [g for g in found if g and g.startswith("output")] == ["output 5"]  # one output, at the last step
    if kind == "encoder-decoder":
        assert {"decoder 1", "decoder 3", "state 3"} <= found
    if kind == "bidirectional":
        assert {"backward 1", "backward 5"} <= found
    plt.close("all")


def test_inputs_and_outputs_can_be_replaced_and_bad_kind_raises():
    ax = draw_pattern("transducer", inputs=["a", "b"], outputs=["O", "O"])
    assert "input 2" in gids(ax) and "input 3" not in gids(ax)
    with pytest.raises(ValueError, match="kind must be one of"):
        draw_pattern("loop")
    fig = plot_patterns()
    assert len(fig.axes) == len(PATTERNS)
    plt.close("all")


@pytest.mark.parametrize("t", [1, 3, 5])
def test_plot_seen_colours_what_seen_inputs_says(t):
    tokens = "Salt Lake City is cold".split()
    fig = plot_seen(tokens, t)
    ax = fig.axes[0]
    drawn = {im.get_gid(): im.get_array()[0].astype(bool) for im in ax.images}
    expect = seen_inputs(5, t)
    for name in ("forward", "backward", "both"):
        # each row is coloured exactly where that state has read the word
        assert np.array_equal(drawn[name], getattr(expect, name))
    plt.close("all")


def test_seen_widget_redraws_on_the_slider():
    pytest.importorskip("ipywidgets")
    from rnnlib.widgets.seen import SeenWidget

    w = SeenWidget("Salt Lake City is cold".split())
    assert w.position.value == 1 and w.position.max == 5
    before = w.image.value
    w.position.value = 4
    assert w.image.value != before  # moving the slider redraws the figure
    ax = w.figure.axes[0]
    forward = next(im for im in ax.images if im.get_gid() == "forward").get_array()[0]
    assert forward.tolist() == [1, 1, 1, 1, 0]  # for t = 4
    assert "run the notebook" in w._repr_mimebundle_()["text/plain"]


def test_progress_bar_state():
    pytest.importorskip("ipywidgets")
    from rnnlib.core.train import History
    from rnnlib.widgets.progress import ProgressBar

    bar = ProgressBar(300, "demo")
    bar.update(150, 300, 0.25)
    assert bar.bar.value == 150 and "loss 0.2500" in bar.readout.value
    bar.update(151, 300, 0.2)  # between two redraws nothing changes (at most ~100 updates per run)
    assert bar.bar.value == 150
    bar.close(History(losses=np.zeros(300), grad_norms=np.zeros(300)))
    assert bar.bar.value == 300 and bar.bar.bar_style == "success"
