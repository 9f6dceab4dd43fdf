"""What a trained LSTM does with one adding-problem sequence: its inputs, memory and gates, step by step.

    draw_adding_view(view)   a rnnlib.lessons.lstm_gates.AddingView, in four panels sharing the time axis
    GatesFigure(fig)         the same figure, laid out once for a batch; .show(view) draws another sequence

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
from matplotlib.figure import Figure

from rnnlib.plotting.style import COLORS

UNIT_COLORS = [COLORS["blue"], COLORS["orange"], COLORS["green"], COLORS["purple"], COLORS["sky"]]
MARK = COLORS["vermillion"]
# inches: fits a projector's screen (1280x720, at 100 dpi) under the widget's slider
SIZE = (10.3, 5.3)
MARGINS = {"left": 0.95, "right": 1.75, "top": 0.42, "bottom": 0.55}


class GatesFigure:
    """The four panels of draw_adding_view, laid out once for a batch; `show(view)` draws one of its sequences.

    The layout depends on T, the units shown and the memory's y limit
    (`c_limit`, None: fitted to the sequence drawn). A new sequence sets the
    bars, the lines, the marks and the title: the artists in `moving`.
    """

    def __init__(self, fig=None, c_limit: float | None = None):
        self.fig = plt.figure(figsize=SIZE) if fig is None else fig
        if not isinstance(self.fig, Figure):
            raise ValueError(f"fig must be a matplotlib Figure or None, got {type(self.fig).__name__}")
        self.c_limit = c_limit
        self.layout_id = None
        self.moving: list = []

    def show(self, view):
        T = len(view.values)
        limit = self.c_limit or max(1.0, 1.15 * float(np.max(np.abs(view.trace.c[:, view.units]))))
        key = (T, tuple(int(u) for u in view.units), limit)
        if key != self.layout_id:
            self._lay_out(T, view.units, limit)
            self.layout_id = key
        trace, steps = view.trace, np.arange(1, T + 1)
        for bar, value in zip(self.values, view.values):
            bar.set_height(value)
        for bar, t in zip(self.marked, view.marked):
            bar.set_x(t - 0.4)
            bar.set_height(view.values[t - 1])
        for note, t in zip(self.notes, view.marked):
            note.xy = (t, view.values[t - 1])
            note.set_text(f"{view.values[t - 1]:.2f}")
        for k, unit in enumerate(view.units):
            self.memory[k].set_data(np.arange(T + 1), trace.c[:, unit])
            self.forget[k].set_data(steps, trace.f[:, unit])
            self.input[k].set_data(steps, trace.i[:, unit])
        for lines in self.mark_lines:
            for line, t in zip(lines, view.marked):
                line.set_xdata([t, t])
        self.title.set_text(
            f"Sequence {view.index}: target {view.target:.2f} (the sum of the two marked values), "
            f"the LSTM answers {view.prediction:.2f}"
        )
        return self.fig

    def _lay_out(self, T: int, units, limit: float) -> None:
        fig = self.fig
        fig.clear()
        fig.set_size_inches(*SIZE)
        width, height = SIZE
        m = MARGINS
        fig.subplots_adjust(left=m["left"] / width, right=1 - m["right"] / width, top=1 - m["top"] / height,
                            bottom=m["bottom"] / height, hspace=0.12)  # fmt: skip
        axes = fig.subplots(4, 1, sharex=True, height_ratios=[1.0, 1.5, 1.0, 1.0])
        ax_in, ax_c, ax_f, ax_i = axes
        steps = np.arange(1, T + 1)
        self.values = ax_in.bar(steps, np.zeros(T), width=0.6, color=COLORS["grey"], gid="values")
        self.marked = ax_in.bar([1, 2], [0, 0], width=0.8, color=MARK, gid="marked values")
        self.notes = [
            ax_in.annotate("", (t, 0), xytext=(0, 3), textcoords="offset points", ha="center", va="bottom",
                           fontsize=12, color=MARK, fontweight="bold", zorder=5,
                           bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none"})
            for t in (1, 2)
        ]  # fmt: skip
        ax_in.set_ylim(0, 1.35)
        ax_in.set_ylabel("value $v_t$", fontsize=12)
        self.memory, self.forget, self.input = [], [], []
        for k, unit in enumerate(units):
            color = UNIT_COLORS[k % len(UNIT_COLORS)]
            label = f"unit {unit + 1}"
            self.memory += ax_c.plot([], [], color=color, label=label, gid=f"memory unit {unit + 1}")
            self.forget += ax_f.plot([], [], color=color, label=label, gid=f"forget unit {unit + 1}")
            self.input += ax_i.plot([], [], color=color, label=label, gid=f"input unit {unit + 1}")
        ax_c.axhline(0, color=COLORS["grey"], linewidth=0.8)
        ax_c.set_ylabel("memory $c_t$", fontsize=12)
        ax_c.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=12,
                    title="units\nto watch", title_fontsize=12)  # fmt: skip
        ax_c.set_ylim(-limit, limit)
        for ax, name in ((ax_f, "forget $f_t$"), (ax_i, "input $i_t$")):
            ax.set_ylim(-0.05, 1.05)
            ax.set_yticks([0, 1])
            ax.set_ylabel(name, fontsize=12)
        self.mark_lines = [
            [ax.axvline(t, color=MARK, linestyle="--", linewidth=1, zorder=0) for t in (1, 2)] for ax in axes
        ]
        for ax in axes:
            ax.tick_params(labelsize=11)
        ax_i.set_xlim(0, T + 0.5)
        ax_i.set_xlabel("step t", fontsize=12)
        fig.align_ylabels(axes)
        self.title = fig.text(m["left"] / width, 1 - 0.1 / height, "", ha="left", va="top", fontsize=13)
        lines = [line for pair in self.mark_lines for line in pair]
        self.moving = [*lines, *self.values, *self.marked, *self.notes, *self.memory, *self.forget, *self.input,
                       self.title]  # fmt: skip


def draw_adding_view(view, fig=None):
    """Draw an AddingView in four panels (inputs, c_t, f_t, i_t). Returns the Figure.

    To draw many sequences of one batch into one figure quickly, keep a GatesFigure.
    """
    return GatesFigure(fig).show(view)
