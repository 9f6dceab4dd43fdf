"""What a trained GRU does with one adding-problem sequence: its inputs, its state and both gates, step by step.

    draw_gru_view(view)   a rnnlib.lessons.gru_gates.GRUAddingView, in four panels sharing the time axis

Top to bottom: the inputs (values v_t, the two marked ones highlighted), the
state h_t of the few units that move the answer most, their update
gates z_t (near 1: keep h_{t-1}) and their reset gates r_t. Dashed lines mark
the two marked steps in every panel.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from rnnlib.plotting.style import COLORS

UNIT_COLORS = [COLORS["blue"], COLORS["orange"], COLORS["green"], COLORS["purple"], COLORS["sky"]]
MARK = COLORS["vermillion"]


def draw_gru_view(view, fig=None):
    """Draw a GRUAddingView in four panels (inputs, h_t, z_t, r_t). Returns the Figure."""
    if fig is None:
        fig = plt.figure(figsize=(10.0, 8.2))
    ax_in, ax_h, ax_z, ax_r = fig.subplots(4, 1, sharex=True, height_ratios=[1.0, 1.5, 1.0, 1.0])
    T = len(view.values)
    steps = np.arange(1, T + 1)
    trace = view.trace

    ax_in.bar(steps, view.values, width=0.6, color=COLORS["grey"])
    ax_in.bar(view.marked, view.values[view.marked - 1], width=0.8, color=MARK)
    for t in view.marked:
        ax_in.annotate(
            f"{view.values[t - 1]:.2f}", (t, view.values[t - 1]), xytext=(0, 3), textcoords="offset points",
            ha="center", va="bottom", fontsize=10, color=MARK, fontweight="bold",
        )  # fmt: skip
    ax_in.set_ylim(0, 1.3)
    ax_in.set_ylabel("value $v_t$")
    ax_in.set_title(
        f"Sequence {view.index}: target {view.target:.2f} (the sum of the two marked values), "
        f"the GRU answers {view.prediction:.2f}",
        fontsize=12,
    )
    for k, unit in enumerate(view.units):
        color = UNIT_COLORS[k % len(UNIT_COLORS)]
        label = f"unit {unit + 1}"
        ax_h.plot(np.arange(T + 1), trace.h[:, unit], color=color, label=label)
        ax_z.plot(steps, trace.z[:, unit], color=color, label=label)
        ax_r.plot(steps, trace.r[:, unit], color=color, label=label)
    ax_h.axhline(0, color=COLORS["grey"], linewidth=0.8)
    ax_h.set_ylim(-1.05, 1.05)
    ax_h.set_ylabel("state $h_t$")
    ax_h.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=9, title="units that move\nthe answer most")
    for ax, name in ((ax_z, "update gate $z_t$"), (ax_r, "reset gate $r_t$")):
        ax.set_ylim(-0.05, 1.05)
        ax.set_ylabel(name)
    for ax in (ax_in, ax_h, ax_z, ax_r):
        for t in view.marked:
            ax.axvline(t, color=MARK, linestyle="--", linewidth=1, zorder=0)
    ax_r.set_xlim(0, T + 0.5)
    ax_r.set_xlabel("step t")
    fig.align_ylabels([ax_in, ax_h, ax_z, ax_r])
    return fig
