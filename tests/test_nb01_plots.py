"""The figures of notebook 1: they draw what they claim to, and reject bad arguments.

The pictures themselves are looked at by people; these tests check the
content a reader relies on (labels, counts, which words are in a window).
"""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.patches import FancyArrowPatch

from rnnlib.lessons.text import Vocabulary, tokenize
from rnnlib.plotting.features import plot_bags, plot_windows
from rnnlib.plotting.task_shapes import TASK_SHAPES, TaskShape, draw_task, plot_task_shapes


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _texts(ax) -> list[str]:
    return [t.get_text() for t in ax.texts]


def test_task_shapes_has_a_panel_per_shape_with_its_labels():
    fig = plot_task_shapes()
    axes = fig.get_axes()
    assert len(axes) == 4
    for ax, shape in zip(axes, TASK_SHAPES):
        assert ax.get_title(loc="left") == shape.title
        texts = _texts(ax)
        for label in [*shape.inputs, *shape.outputs]:
            if label is not None:
                assert label in texts
        # one state box per step: s_t for the RNN that reads, d_m for a second one that writes
        T = len(shape.inputs)
        first_d = shape.decoder_from or T + 1
        expect = [f"$s_{{{t}}}$" for t in range(1, first_d)] + [f"$d_{{{m}}}$" for m in range(1, T - first_d + 2)]
        assert expect == [t for t in texts if t.startswith(("$s_{", "$d_{"))]
    titles = [ax.get_title(loc="left") for ax in axes]
    assert [t.split(":")[0] for t in titles] == [
        "many-to-one",
        "many-to-many",
        "one-to-many",
        "many-to-many of another length",
    ]


def _dashed_arrows(ax) -> int:
    return sum(1 for p in ax.patches if isinstance(p, FancyArrowPatch) and p.get_linestyle() != "-")


def test_a_generator_reads_back_what_it_wrote_as_in_notebook_3():
    # one-to-many: every input after the first is the previous output (as notebook 3's generator does)
    one_to_many = TASK_SHAPES[2]
    assert list(one_to_many.inputs[1:]) == list(one_to_many.outputs[:-1])
    # encoder-decoder: after <start>, the decoder reads the word it wrote before
    seq2seq = TASK_SHAPES[3]
    first = seq2seq.decoder_from - 1
    assert seq2seq.inputs[first] == "<start>" and list(seq2seq.inputs[first + 1 :]) == list(seq2seq.outputs[first:-1])
    fig = plot_task_shapes()
    # a dashed arrow for every input that is read back in, and none elsewhere
    assert [_dashed_arrows(ax) for ax in fig.get_axes()] == [0, 0, 4, 2]


def test_draw_task_rejects_bad_shapes():
    fig, ax = plt.subplots()
    with pytest.raises(ValueError, match="same length"):
        draw_task(ax, TaskShape("", ["a", "b"], ["y"]))
    with pytest.raises(ValueError, match="same length"):
        draw_task(ax, TaskShape("", [], []))
    with pytest.raises(ValueError, match="x_1 cannot be fed back"):
        draw_task(ax, TaskShape("", ["a", "b"], ["y", "z"], fed_back=[True, True]))
    with pytest.raises(ValueError, match="decoder_from"):
        draw_task(ax, TaskShape("", ["a", "b"], ["y", "z"], decoder_from=1))


def test_bags_show_the_rows_and_the_equal_sums():
    a, b = tokenize("man bites dog"), tokenize("dog bites man")
    vocab = Vocabulary(a + b)
    fig = plot_bags([a, b], vocab)
    axes = fig.get_axes()
    assert len(axes) == 2
    images = [ax.get_images()[0].get_array() for ax in axes]
    assert images[0].shape == (len(a) + 1, len(vocab))  # T one-hot rows and the bag
    assert not np.array_equal(images[0][:-1], images[1][:-1])  # the rows differ
    assert np.array_equal(images[0][-1], images[1][-1])  # the bags do not
    assert [t.get_text() for t in axes[0].get_yticklabels()][-1] == "bag (sum)"


def test_windows_mark_which_rows_see_the_cue():
    context = tokenize("The keys to the old cabinet")
    fig = plot_windows(context, ks=range(1, 7), cue=1, target="are / is")
    texts = _texts(fig.get_axes()[0])
    assert texts.count("blind to 'keys'") == 4  # k = 1..4
    assert texts.count("sees 'keys'") == 2  # k = 5, 6
    assert [t for t in texts if t.startswith("k = ")] == [f"k = {k}" for k in range(1, 7)]


def test_windows_reject_a_cue_outside_the_context():
    with pytest.raises(ValueError, match="cue must be an index"):
        plot_windows(["a", "b"], ks=[1], cue=2)
