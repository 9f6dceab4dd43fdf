"""A drawing of one LSTM step: the memory line across the top, the three gates and the candidate, and h.

    draw_lstm_cell()   the figure of notebook 7 and of figures/lstm_cell.png

The picture follows rnnlib.core.lstm's equations, in PyTorch's block order i, f, c~, o:

    z_t = x_t W_x + h_{t-1} W_s + b           one product, cut into four blocks
    c_t = f_t * c_{t-1} + i_t * c~_t          the memory line: a product and a sum, elementwise
    h_t = o_t * tanh(c_t)

The gates i, f, o are sigmoids; the candidate c~ (a tanh, what may be written) is not a gate.

The memory line c_{t-1} -> c_t is drawn thick, in one colour, so a reader sees
that nothing on it multiplies by a matrix or squashes. Artists carry gids:
"memory line", "gate i", "gate f", "candidate", "gate o", "z box", "h out".
"""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.patches import Circle, FancyBboxPatch

from rnnlib.plotting.style import COLORS

MEMORY = COLORS["vermillion"]
GATE_COLORS = {"i": COLORS["orange"], "f": COLORS["blue"], "c~": COLORS["green"], "o": COLORS["purple"]}
SYMBOLS = {"i": "i", "f": "f", "c~": r"\tilde{c}", "o": "o"}  # how each block is written in the figure

# where things sit (data coordinates; the memory line is at y = Y_MEM, the gates at y = Y_GATE)
Y_MEM, Y_GATE, Y_Z = 4.0, 2.15, 0.85
X_F, X_I, X_C, X_O = 2.45, 3.85, 5.45, 7.05  # the three gates and the candidate
X_PLUS = 4.65  # where i_t * c~_t joins the memory line
X_TANH = 8.4  # where the memory branches off to make h_t


def _line(ax, points, color, lw=2.0, arrow=False, gid=None, zorder=1):
    """A polyline through `points`; with an arrow head at its end when arrow=True."""
    xs, ys = zip(*points)
    if not arrow:
        ax.plot(xs, ys, color=color, lw=lw, solid_capstyle="round", zorder=zorder, gid=gid)
        return
    if len(points) > 2:
        ax.plot(xs[:-1], ys[:-1], color=color, lw=lw, solid_capstyle="round", zorder=zorder, gid=gid)
    ax.annotate(
        "",
        xy=points[-1],
        xytext=points[-2],
        zorder=zorder,
        arrowprops={"arrowstyle": "-|>", "color": color, "lw": lw, "mutation_scale": 16, "shrinkA": 0, "shrinkB": 0},
    )


def _op(ax, x, y, symbol, color, gid=None, r=0.24):
    """A round operation node (x or +) on a line."""
    ax.add_patch(Circle((x, y), r, facecolor="white", edgecolor=color, lw=2.0, zorder=4, gid=gid))
    ax.text(x, y, symbol, ha="center", va="center", fontsize=17, color=color, zorder=5, fontweight="bold")


def _gate(ax, x, name, nonlinearity, width=1.32, gid=None):
    """A box "name_t = nonlinearity(z^name)" (a gate, or the candidate), fed from its block z^name of z_t."""
    color = GATE_COLORS[name]
    symbol = SYMBOLS[name]
    box = FancyBboxPatch(
        (x - width / 2, Y_GATE - 0.32),
        width,
        0.64,
        boxstyle="round,pad=0.04",
        facecolor=color,
        edgecolor="black",
        lw=1.2,
        alpha=0.9,
        zorder=3,
        gid=gid or f"gate {name}",
    )
    ax.add_patch(box)
    text = rf"${symbol}_t = {nonlinearity}(z^{{{symbol}}})$"
    ax.text(x, Y_GATE, text, ha="center", va="center", fontsize=12, zorder=4)
    _line(ax, [(x, Y_Z + 0.34), (x, Y_GATE - 0.36)], "black", lw=1.3, arrow=True)  # z^name -> gate


def draw_lstm_cell(fig=None):
    """One LSTM step, drawn as the equations of rnnlib.core.lstm. Returns the Figure."""
    if fig is None:
        fig = plt.figure(figsize=(11.0, 6.2))
    ax = fig.add_subplot()
    ax.set_xlim(-0.6, 10.6)
    ax.set_ylim(-1.45, 5.35)
    ax.set_aspect("equal")
    ax.axis("off")

    # the cell's outline
    ax.add_patch(
        FancyBboxPatch(
            (1.2, -0.15),
            8.3,
            4.6,
            boxstyle="round,pad=0.1",
            facecolor="#F4F4F4",
            edgecolor=COLORS["grey"],
            lw=1.5,
            zorder=0,
        )
    )

    # the memory line: c_{t-1} -> x f_t -> + i_t c~_t -> c_t
    _line(ax, [(0.2, Y_MEM), (10.0, Y_MEM)], MEMORY, lw=4.5, arrow=True, gid="memory line", zorder=2)
    ax.text(0.1, Y_MEM + 0.12, r"$c_{t-1}$", ha="left", va="bottom", fontsize=16, color=MEMORY)
    ax.text(10.1, Y_MEM + 0.12, r"$c_t$", ha="right", va="bottom", fontsize=16, color=MEMORY)
    _op(ax, X_F, Y_MEM, "\N{MULTIPLICATION SIGN}", MEMORY, gid="times f")
    _op(ax, X_PLUS, Y_MEM, "+", MEMORY, gid="plus")
    ax.text(
        (X_F + X_PLUS) / 2 + 0.4,
        Y_MEM + 0.55,
        r"memory line: $c_t = f_t \odot c_{t-1} + i_t \odot \tilde{c}_t$"
        "\n(elementwise only: no $W_s$, no squashing)",
        ha="center",
        va="bottom",
        fontsize=11,
        color=MEMORY,
    )

    # the pre-activations: one product for all four gates
    ax.add_patch(
        FancyBboxPatch(
            (1.9, Y_Z - 0.3),
            6.0,
            0.6,
            boxstyle="round,pad=0.04",
            facecolor="white",
            edgecolor="black",
            lw=1.3,
            zorder=3,
            gid="z box",
        )
    )
    ax.text(
        4.9,
        Y_Z,
        r"$z_t = x_t W_x + h_{t-1} W_s + b$   $\rightarrow$   $[z^i, z^f, z^{\tilde{c}}, z^o]$",
        ha="center",
        va="center",
        fontsize=12,
        zorder=4,
    )
    # h_{t-1} comes in on the left, x_t from below
    _line(ax, [(0.2, Y_Z), (1.85, Y_Z)], COLORS["black"], lw=2.0, arrow=True)
    ax.text(0.1, Y_Z + 0.12, r"$h_{t-1}$", ha="left", va="bottom", fontsize=16)
    _line(ax, [(4.9, -0.75), (4.9, Y_Z - 0.35)], COLORS["black"], lw=2.0, arrow=True)
    ax.text(5.05, -0.7, r"$x_t$", ha="left", va="bottom", fontsize=16)

    # the blocks in PyTorch's order i, f, c~, o (drawn where their products are): three gates, one candidate
    _gate(ax, X_F, "f", r"\sigma")
    _gate(ax, X_I, "i", r"\sigma")
    _gate(ax, X_C, "c~", r"\tanh", width=1.6, gid="candidate")
    _gate(ax, X_O, "o", r"\sigma")
    roles = (
        r"gates: $f_t$ how much of the memory to keep,  $i_t$ how much to write,  $o_t$ how much to show;"
        "\n"
        r"candidate: $\tilde{c}_t$ what to write"
    )
    ax.text(4.9, -0.95, roles, ha="center", va="top", fontsize=11)

    # f_t multiplies the memory
    _line(ax, [(X_F, Y_GATE + 0.34), (X_F, Y_MEM - 0.26)], GATE_COLORS["f"], lw=2.2, arrow=True)
    # i_t * c~_t, added to the memory
    x_ig, y_ig = X_PLUS, 3.1
    _line(ax, [(X_I, Y_GATE + 0.34), (X_I, y_ig), (x_ig - 0.24, y_ig)], GATE_COLORS["i"], lw=2.2, arrow=True)
    _line(ax, [(X_C, Y_GATE + 0.34), (X_C, y_ig), (x_ig + 0.24, y_ig)], GATE_COLORS["c~"], lw=2.2, arrow=True)
    _op(ax, x_ig, y_ig, "\N{MULTIPLICATION SIGN}", "black")
    _line(ax, [(x_ig, y_ig + 0.24), (X_PLUS, Y_MEM - 0.26)], "black", lw=2.2, arrow=True)

    # h_t = o_t * tanh(c_t): a branch off the memory line
    y_tanh, y_oh = 3.2, Y_GATE
    _line(ax, [(X_TANH, Y_MEM), (X_TANH, y_tanh + 0.22)], MEMORY, lw=2.2, arrow=True)
    ax.add_patch(
        FancyBboxPatch(
            (X_TANH - 0.38, y_tanh - 0.2), 0.76, 0.4, boxstyle="round,pad=0.04", facecolor="white", edgecolor="black"
        )
    )
    ax.text(X_TANH, y_tanh, r"$\tanh$", ha="center", va="center", fontsize=12, zorder=4)
    _line(ax, [(X_TANH, y_tanh - 0.22), (X_TANH, y_oh + 0.26)], "black", lw=2.0, arrow=True)
    _line(ax, [(X_O + 0.7, y_oh), (X_TANH - 0.26, y_oh)], GATE_COLORS["o"], lw=2.2, arrow=True)
    _op(ax, X_TANH, y_oh, "\N{MULTIPLICATION SIGN}", "black")
    # h_t leaves to the right (the next step's h_{t-1}) and up as the output y_t
    _line(ax, [(X_TANH, y_oh - 0.24), (X_TANH, Y_Z), (10.0, Y_Z)], "black", lw=2.0, arrow=True, gid="h out")
    ax.text(10.1, Y_Z + 0.12, r"$h_t$", ha="right", va="bottom", fontsize=16)
    _line(ax, [(X_TANH + 0.24, y_oh), (9.75, y_oh), (9.75, 2.95)], "black", lw=1.6, arrow=True)
    ax.text(9.75, 3.0, r"$y_t = h_t$", ha="center", va="bottom", fontsize=13)
    ax.text(X_TANH + 0.12, 1.62, r"$h_t = o_t \odot \tanh(c_t)$", ha="left", va="center", fontsize=11)

    ax.set_title(
        r"One LSTM step: $s_{t-1} = [c_{t-1}, h_{t-1}]$ and $x_t$ in, $s_t = [c_t, h_t]$ out",
        fontsize=14,
    )
    return fig
