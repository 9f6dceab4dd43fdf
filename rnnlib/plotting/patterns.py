"""Diagrams of the usage patterns: which inputs go in, which states are read, what comes out.

    draw_pattern(kind, ax=None, inputs=None, outputs=None)   one pattern, unrolled
    plot_patterns()                                          all six side by side (for figures/)

kind is one of PATTERNS: "acceptor", "encoder", "transducer",
"encoder-decoder", "generator", "bidirectional". inputs and outputs
override the example tokens drawn (lists of short strings).

Every diagram reads the same way: inputs x_t in blue boxes at the bottom,
states in orange (s_t = R(s_{t-1}, x_t), the arrow from left to right
carrying s_{t-1}), and what the model predicts in green at the top.
A decoder's states are purple; a dashed arrow is an output fed back as
the next input. Each artist a test may look for has a gid: "input k",
"state k", "output k" (k from 1), and "decoder k", "backward k" where they exist.
"""

from __future__ import annotations

import matplotlib.pyplot as plt

from rnnlib.plotting.style import COLORS, diagram_arrow, labelled_box

PATTERNS = ("acceptor", "encoder", "transducer", "encoder-decoder", "generator", "bidirectional")

_DX = 1.5  # distance between two steps
_W, _H = 1.1, 0.5  # box size
_INCH = 0.8  # inches per unit of the drawing

_EXAMPLES = {
    "acceptor": (list("cabcd"), ["yes: contains abc"]),
    "encoder": ((list("abab"), list("bbaa")), ["yes: as many a's"]),
    "transducer": (["John", "lives", "in", "Salt", "Lake", "City"], ["B-PER", "O", "O", "B-LOC", "I-LOC", "I-LOC"]),
    "encoder-decoder": (["3", "1", "4"], ["4", "1", "3"]),
    "generator": (["t"], list("he sea")),
    "bidirectional": (["Salt", "Lake", "City", "is", "cold"], ["B-LOC", "I-LOC", "I-LOC", "O", "O"]),
}
_TITLES = {
    "acceptor": "Acceptor: read everything, decide once from the last state",
    "encoder": "Encoder: the last state is a vector that another model uses",
    "transducer": "Transducer: one output for every input",
    "encoder-decoder": "Encoder-decoder: read one sequence, then write another",
    "generator": "Generator: one input, many outputs, each fed back in",
    "bidirectional": "Bidirectional: a state from the left and one from the right at every position",
}


def _sub(name: str, k) -> str:
    return f"${name}_{{{k}}}$"


def _box(ax, x, y, text, kind, gid=None, width=_W, fontsize=11):
    labelled_box(ax, x, y, width, _H, _visible(text), kind, fontsize=fontsize, gid=gid)


def _visible(text: str) -> str:
    """A character that would draw as nothing, made visible: a space as ␣, a line break as ↵."""
    return {" ": "\u2423", "\n": "\u21b5"}.get(text, text)


def _arrow(ax, start, end, dashed=False, rad=0.0, color="#333333"):
    diagram_arrow(ax, start, end, dashed=dashed, rad=rad, color=color)


def _chain(ax, x0, y_state, inputs, state_name="s", kind="state", gid="state", y_input=None, first=1, s0=True):
    """A row of states over `inputs` (None: no input at that step), left to right. Returns the x of each step."""
    xs = [x0 + _DX * k for k in range(len(inputs))]
    y_input = y_state - 1.2 if y_input is None else y_input
    if s0:
        ax.text(xs[0] - _DX * 0.95, y_state, _sub(state_name, first - 1), ha="center", va="center", fontsize=12)
        _arrow(ax, (xs[0] - _DX * 0.8, y_state), (xs[0] - _W / 2, y_state))
    for k, (x, token) in enumerate(zip(xs, inputs), start=first):
        _box(ax, x, y_state, _sub(state_name, k), kind, gid=f"{gid} {k}")
        if k > first:
            _arrow(ax, (x - _DX + _W / 2, y_state), (x - _W / 2, y_state))
        if token is not None:
            _box(ax, x, y_input, token, "input", gid=f"input {k}" if gid == "state" else f"{gid} input {k}")
            _arrow(ax, (x, y_input + _H / 2), (x, y_state - _H / 2))
    return xs


def _outputs(ax, xs, y_state, outputs, gid="output", first=1):
    for k, (x, text) in enumerate(zip(xs, outputs), start=first):
        if text is None:
            continue
        _box(ax, x, y_state + 1.2, text, "output", gid=f"{gid} {k}")
        _arrow(ax, (x, y_state + _H / 2), (x, y_state + 1.2 - _H / 2))


def _row_labels(ax, x, rows):
    for y, text in rows:
        ax.text(x, y, text, ha="left", va="center", fontsize=11, color="#444444")


def draw_pattern(kind: str, ax=None, inputs=None, outputs=None, title: str | None = None):
    """Draw one usage pattern unrolled over a short example; returns the axes."""
    if kind not in PATTERNS:
        raise ValueError(f"kind must be one of {PATTERNS}, got {kind!r}")
    ex_in, ex_out = _EXAMPLES[kind]
    inputs = ex_in if inputs is None else inputs
    outputs = ex_out if outputs is None else outputs
    new_figure = ax is None
    if new_figure:
        _, ax = plt.subplots()
    draw = {
        "acceptor": _acceptor,
        "encoder": _encoder,
        "transducer": _transducer,
        "encoder-decoder": _encoder_decoder,
        "generator": _generator,
        "bidirectional": _bidirectional,
    }[kind]
    right = draw(ax, list(inputs) if kind != "encoder" else inputs, list(outputs))
    ax.set_title(_TITLES[kind] if title is None else title, loc="left")
    ax.set_aspect("equal")
    ax.autoscale_view()
    ax.set_xlim(-1.6, right)
    ax.axis("off")
    if new_figure:  # a figure as wide as the drawing: the same size of box and text for every pattern
        bottom, top = ax.get_ylim()
        ax.figure.set_size_inches(_INCH * (right + 1.6), _INCH * (top - bottom) + 0.6)
    return ax


def _acceptor(ax, inputs, outputs):
    xs = _chain(ax, 0.0, 1.2, inputs)
    _box(ax, xs[-1], 2.4, outputs[0], "output", gid=f"output {len(xs)}", width=2.4)
    _arrow(ax, (xs[-1], 1.2 + _H / 2), (xs[-1], 2.4 - _H / 2))
    ax.text(xs[-1] - 0.15, 1.8, "$O(s_T)\\,W + b$", ha="right", va="center", fontsize=10)
    _row_labels(ax, xs[-1] + 1.5, [(0.0, "input $x_t$"), (1.2, "state $s_t$"), (2.4, "decision")])
    return xs[-1] + 3.5


def _encoder(ax, pair, outputs):
    first, second = pair
    xs = _chain(ax, 0.0, 4.0, list(first), y_input=2.8)
    _chain(ax, 0.0, 1.2, list(second), y_input=0.0, gid="state b")
    x_feat = xs[-1] + 2.6  # the left edge of the features box
    _arrow(ax, (xs[-1] + _W / 2, 4.0), (x_feat, 2.75))
    _arrow(ax, (xs[-1] + _W / 2, 1.2), (x_feat, 2.45))
    ax.text(xs[-1] + 0.75, 4.15, "$e_1 = O(s_T)$", ha="left", va="bottom", fontsize=10)
    ax.text(xs[-1] + 0.75, 1.05, "$e_2 = O(s_T)$", ha="left", va="top", fontsize=10)
    _box(ax, x_feat + 1.1, 2.6, "$(e_1 - e_2)^2$", "model", gid="features", width=2.2)
    _box(ax, x_feat + 4.0, 2.6, outputs[0], "output", gid="output 1", width=2.4)
    _arrow(ax, (x_feat + 2.2, 2.6), (x_feat + 2.8, 2.6))
    ax.text(x_feat + 2.5, 2.95, "$W, b$", ha="center", fontsize=10)
    ax.text(
        x_feat + 2.5,
        1.95,
        "another model: it sees only\nthe two vectors, never the strings",
        ha="center",
        va="top",
        fontsize=10,
        color="#444444",
    )
    ax.text(
        xs[0] - 0.6,
        2.0,
        "the same cell (the same weights) reads both strings",
        ha="left",
        va="center",
        fontsize=10,
        color="#444444",
    )
    return x_feat + 5.4


def _transducer(ax, inputs, outputs):
    xs = _chain(ax, 0.0, 1.2, inputs)
    _outputs(ax, xs, 1.2, outputs)
    _row_labels(ax, xs[-1] + 0.8, [(0.0, "input $x_t$"), (1.2, "state $s_t$"), (2.4, "tag, from $O(s_t)$")])
    return xs[-1] + 3.0


def _encoder_decoder(ax, inputs, outputs):
    M = len(outputs)
    xs = _chain(ax, 0.0, 1.2, inputs)
    dec_inputs = ["<start>"] + outputs[:-1]
    x0 = xs[-1] + _DX * 1.3
    dxs = [x0 + _DX * m for m in range(M)]
    _arrow(ax, (xs[-1] + _W / 2, 1.2), (dxs[0] - _W / 2, 1.2))
    ax.text((xs[-1] + dxs[0]) / 2, 1.4, "$s_T$", ha="center", va="bottom", fontsize=11)
    for m, (x, z) in enumerate(zip(dxs, dec_inputs), start=1):
        _box(ax, x, 1.2, _sub("d", m), "decoder", gid=f"decoder {m}")
        if m > 1:
            _arrow(ax, (x - _DX + _W / 2, 1.2), (x - _W / 2, 1.2))
        _box(ax, x, 0.0, z, "input", gid=f"decoder input {m}")
        _arrow(ax, (x, _H / 2), (x, 1.2 - _H / 2))
    _outputs(ax, dxs, 1.2, outputs)
    for m in range(1, M):  # output m is the decoder's input at step m + 1
        _arrow(ax, (dxs[m - 1] + _W / 2, 2.4), (dxs[m] - _W / 2, 0.1), dashed=True, rad=-0.25, color=COLORS["purple"])
    ax.text(xs[0] - 0.6, -0.65, "encoder: reads the input", fontsize=10, color="#444444")
    ax.text(dxs[0] - 0.6, -0.65, "decoder: writes the output", fontsize=10, color="#444444")
    return dxs[-1] + 1.2


def _generator(ax, inputs, outputs):
    M = len(outputs)
    fed = [inputs[0]] + outputs[:-1]
    xs = _chain(ax, 0.0, 1.2, fed)
    _outputs(ax, xs, 1.2, outputs)
    for k in range(1, M):  # the character written at step k is the input of step k + 1
        _arrow(ax, (xs[k - 1] + _W / 2, 2.4), (xs[k] - _W / 2, 0.1), dashed=True, rad=-0.25, color=COLORS["purple"])
    ax.text(
        xs[0] - 0.6,
        -0.65,
        "one given input; every later input is the previous output (dashed)",
        fontsize=10,
        color="#444444",
    )
    return xs[-1] + 1.2


def _bidirectional(ax, inputs, outputs):
    T = len(inputs)
    xs = [_DX * 1.3 * k for k in range(T)]
    y_in, y_f, y_b, y_out = 0.0, 1.3, 2.6, 3.9
    off, w = 0.35, 0.8
    for k, (x, token) in enumerate(zip(xs, inputs), start=1):
        _box(ax, x, y_in, token, "input", gid=f"input {k}")
        _box(ax, x - off, y_f, _sub("f", k), "state", gid=f"state {k}", width=w)
        _box(ax, x + off, y_b, _sub("b", k), "decoder", gid=f"backward {k}", width=w)
        _arrow(ax, (x - 0.15, y_in + _H / 2), (x - off, y_f - _H / 2))
        _arrow(ax, (x + 0.15, y_in + _H / 2), (x + off, y_b - _H / 2))
        _box(ax, x, y_out, outputs[k - 1], "output", gid=f"output {k}")
        _arrow(ax, (x - off, y_f + _H / 2), (x - 0.2, y_out - _H / 2))
        _arrow(ax, (x + off, y_b + _H / 2), (x + 0.1, y_out - _H / 2))
        if k > 1:
            _arrow(ax, (xs[k - 2] - off + w / 2, y_f), (x - off - w / 2, y_f))
            _arrow(ax, (x + off - w / 2, y_b), (xs[k - 2] + off + w / 2, y_b))
    _arrow(ax, (xs[0] - off - 1.0, y_f), (xs[0] - off - w / 2, y_f))
    ax.text(xs[0] - off - 1.15, y_f, "$f_0$", ha="right", va="center", fontsize=12)
    _arrow(ax, (xs[-1] + off + 1.0, y_b), (xs[-1] + off + w / 2, y_b))
    ax.text(xs[-1] + off + 1.15, y_b, "$b_{T+1}$", ha="left", va="center", fontsize=12)
    _row_labels(
        ax,
        xs[-1] + off + 2.6,
        [
            (y_in, "input $x_t$"),
            (y_f, "forward $f_t$: read $x_1..x_t$"),
            (y_b, "backward $b_t$: read $x_t..x_T$"),
            (y_out, "tag, from $[f_t; b_t]$"),
        ],
    )
    return xs[-1] + 7.2


def plot_patterns(fig=None):
    """All six patterns, one under another, each with its example. Returns the figure."""
    heights = [5.6 if k == "encoder" else 4.6 if k == "bidirectional" else 3.4 for k in PATTERNS]
    fig = fig or plt.figure(figsize=(12, sum(heights) * 0.85))
    axes = fig.subplots(len(PATTERNS), 1, gridspec_kw={"height_ratios": heights})
    for ax, kind in zip(axes, PATTERNS):
        draw_pattern(kind, ax=ax)
    return fig
