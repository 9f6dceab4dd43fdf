"""What a trained LSTM does with one adding-problem sequence: its inputs, memory and gates, step by step.

    draw_adding_view(view)   a rnnlib.lessons.lstm_gates.AddingView, in four panels sharing the time axis

Top to bottom: the inputs (values v_t, the two marked ones highlighted), the
memory c_t of the few units to watch (lstm_gates.memory_units), their
forget gates f_t and their input gates i_t. Dashed lines mark the two marked
steps in every panel. Artists a test may look for carry gids: "values",
"marked values", "memory unit k", "forget unit k", "input unit k" (k the
unit's number, from 1).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from rnnlib.plotting.style import COLORS

UNIT_COLORS = [COLORS["blue"], COLORS["orange"], COLORS["green"], COLORS["purple"], COLORS["sky"]]
MARK = COLORS["vermillion"]


def draw_adding_view(view, fig=None):
    """Draw an AddingView in four panels (inputs, c_t, f_t, i_t). Returns the Figure."""
    if fig is None:
        fig = plt.figure(figsize=(10.0, 8.2))
    else:
        fig.clear()
        fig.set_size_inches(10.0, 8.2)
    ax_in, ax_c, ax_f, ax_i = fig.subplots(4, 1, sharex=True, height_ratios=[1.0, 1.5, 1.0, 1.0])
    T = len(view.values)
    steps = np.arange(1, T + 1)
    trace = view.trace

    ax_in.bar(steps, view.values, width=0.6, color=COLORS["grey"], gid="values")
    ax_in.bar(view.marked, view.values[view.marked - 1], width=0.8, color=MARK, gid="marked values")
    for t in view.marked:
        ax_in.annotate(
            f"{view.values[t - 1]:.2f}", (t, view.values[t - 1]), xytext=(0, 3), textcoords="offset points",
            ha="center", va="bottom", fontsize=10, color=MARK, fontweight="bold",
        )  # fmt: skip
    ax_in.set_ylim(0, 1.3)
    ax_in.set_ylabel("value $v_t$")
    ax_in.set_title(
        f"Sequence {view.index}: target {view.target:.2f} (the sum of the two marked values), "
        f"the LSTM answers {view.prediction:.2f}",
        fontsize=12,
    )

    for k, unit in enumerate(view.units):
        color = UNIT_COLORS[k % len(UNIT_COLORS)]
        label = f"unit {unit + 1}"
        ax_c.plot(np.arange(T + 1), trace.c[:, unit], color=color, label=label, gid=f"memory unit {unit + 1}")
        ax_f.plot(steps, trace.f[:, unit], color=color, label=label, gid=f"forget unit {unit + 1}")
        ax_i.plot(steps, trace.i[:, unit], color=color, label=label, gid=f"input unit {unit + 1}")
    ax_c.axhline(0, color=COLORS["grey"], linewidth=0.8)
    ax_c.set_ylabel("memory $c_t$")
    ax_c.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=9, title="units to watch")
    limit = max(1.0, 1.15 * float(np.max(np.abs(trace.c[:, view.units]))))
    ax_c.set_ylim(-limit, limit)
    for ax, name in ((ax_f, "forget gate $f_t$"), (ax_i, "input gate $i_t$")):
        ax.set_ylim(-0.05, 1.05)
        ax.set_ylabel(name)
    for ax in (ax_in, ax_c, ax_f, ax_i):
        for t in view.marked:
            ax.axvline(t, color=MARK, linestyle="--", linewidth=1, zorder=0)
    ax_i.set_xlim(0, T + 0.5)
    ax_i.set_xlabel("step t")
    fig.align_ylabels([ax_in, ax_c, ax_f, ax_i])
    return fig
