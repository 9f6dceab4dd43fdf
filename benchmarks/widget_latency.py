"""How long each widget of the course takes to answer a control, inside a Jupyter kernel.

    python benchmarks/widget_latency.py             # every widget, every control
    python benchmarks/widget_latency.py --rounds 2  # fewer moves per control
    python benchmarks/widget_latency.py --json out.json

A fresh IPython kernel (the one JupyterLab would start, with rnnlib from this
repository and one BLAS thread) builds each widget as its notebook does,
shows it, and then sets each control's value the way a reader's move does,
one value after another. Each move is timed inside the kernel, from setting
`.value` until the observers have returned: the view computed, the figure
drawn and encoded, and the picture handed to the kernel's messaging to be
sent to the browser. What the browser then needs to show it is measured by
tests/test_browser.py.

The table gives, for every control, the number of moves, the median and the
worst time, and PASS when the median is at most 100 ms (a reader notices
more than about 100 ms as lag), MISS otherwise. The exit status is 0 either
way; the table is the result.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_MS = 100.0

# Runs in the kernel: build the widgets as the notebooks do, and a helper that times moves.
SETUP = """
import json, statistics, time
import numpy as np
from IPython.display import display
from rnnlib.plotting import use_course_style
use_course_style()

def _moves(control, values, rounds):
    times = []
    for _ in range(rounds):
        for value in values:
            if control.value == value:
                continue
            start = time.perf_counter()
            control.value = value
            times.append(time.perf_counter() - start)
    return times

_results = []
"""

# One entry per widget: what it needs, how the notebook builds it, then (label, control expression, values) per control.
WIDGETS = [
    (
        "unrolling stepper (nb 2)",
        "from rnnlib.widgets.unrolling import UnrollingStepper",
        "w = UnrollingStepper()",
        [
            ("step t", "w.step", [0, 1, 2, 3, 4, 5, 6, 5, 4, 3, 2, 1]),
            ("cell", "w.cell", ["lstm", "elman"]),
            ("units H", "w.size", [8, 16, 2, 4]),
            (
                "sentence",
                "w.sentence",
                [
                    "the cat sat on the mat",
                    "one two three four five six seven eight nine ten eleven twelve",
                    "John lives in Salt Lake City",
                ],
            ),
        ],
    ),
    (
        "unrolling stepper, 12 words, LSTM, H = 16",
        "",
        "w = UnrollingStepper('one two three four five six seven eight nine ten eleven twelve', t=6,"
        " cell_kind='lstm', hidden_size=16)",
        [("step t", "w.step", list(range(0, 13)) + list(range(11, 0, -1)))],
    ),
    (
        "what has been read (nb 4)",
        "from rnnlib.widgets.seen import SeenWidget",
        "w = SeenWidget('Salt Lake City has a busy airport .'.split())",
        [("position t", "w.position", [1, 2, 3, 4, 5, 6, 7, 8, 7, 6, 5, 4, 3, 2])],
    ),
    (
        "backward stepper (nb 5)",
        "from rnnlib.widgets.backward import BackwardStepper",
        "w = BackwardStepper(t=3)",
        [
            ("position t", "w.step", [6, 5, 4, 3, 2, 1, 0, 1, 2, 3, 4, 5]),
            ("truncation", "w.truncate", [1, 2, 3, None]),
        ],
    ),
    (
        "gradient explorer (nb 6)",
        "from rnnlib.widgets.gradients import gradient_explorer",
        "w = gradient_explorer(rho=0.9, nonlinearity='tanh', T=50)",
        [
            ("rho", "w.controls['rho']", [0.95, 1.0, 1.05, 1.1, 1.2, 1.5, 1.0, 0.8, 0.5, 0.7]),
            ("g", "w.controls['nonlinearity']", ["relu", "identity", "tanh"]),
            ("T", "w.controls['T']", [60, 80, 100, 10, 30, 50]),
        ],
    ),
    (
        "gate explorer (nb 7)",
        "from rnnlib.lessons import long_range\n"
        "from rnnlib.widgets.lstm_gates import gate_explorer\n"
        "_run = long_range.train_adding(50, kind='lstm', hidden_size=32, steps=800, seed=0, progress=False)",
        "w = gate_explorer(_run.cell, _run.head, long_range.adding_problem(50, 20, seed=3), index=0)",
        [("sequence", "w.controls['sequence']", [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 0])],
    ),
]

PROGRESS = """
from rnnlib.widgets.progress import ProgressBar
_bar = ProgressBar(10_000, "benchmark")
_times = []
for _step in range(0, 10_001, 100):
    _start = time.perf_counter()
    _bar.update(_step, 10_000, 0.5)
    _times.append(time.perf_counter() - _start)
_results.append({"widget": "progress bar (training)", "control": "one update", "times": _times})
"""


def kernel_code(rounds: int, only: str = "") -> list[str]:
    """The code the kernel runs, one cell per widget (those whose name holds `only`)."""
    cells = [SETUP]
    for name, prepare, make, controls in WIDGETS:
        if only not in name:
            continue
        # the widget is built twice: the first time imports and warms up, the second is timed
        body = f"{prepare}\n{make}\n_start = time.perf_counter()\n{make}\ndisplay(w)\n"
        body += f"_results.append({{'widget': {name!r}, 'control': 'first drawing', "
        body += "'times': [time.perf_counter() - _start]})\n"
        for label, control, values in controls:
            body += (
                f"_results.append({{'widget': {name!r}, 'control': {label!r}, "
                f"'times': _moves({control}, {values!r}, {rounds})}})\n"
            )
        cells.append(body)
    if only in "progress bar (training)":
        cells.append(PROGRESS)
    cells.append("print(json.dumps(_results))")
    return cells


def run_in_kernel(cells: list[str], timeout: float) -> list[dict]:
    from jupyter_client.manager import start_new_kernel

    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT)] + [p for p in [env.get("PYTHONPATH")] if p])
    env.pop("MPLBACKEND", None)  # as JupyterLab starts a kernel: the kernel picks its inline backend
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "VECLIB_MAXIMUM_THREADS"):
        env.setdefault(name, "1")
    km, kc = start_new_kernel(kernel_name="python3", env=env, cwd=str(ROOT / "notebooks"))
    printed, errors = [], []

    def hook(msg):
        kind, content = msg["msg_type"], msg["content"]
        if kind == "stream" and content["name"] == "stdout":
            printed.append(content["text"])
        elif kind == "error":
            errors.append("\n".join(content["traceback"]))

    try:
        for cell in cells:
            reply = kc.execute_interactive(cell, output_hook=hook, timeout=timeout)
            if reply["content"]["status"] != "ok" or errors:
                raise RuntimeError("the kernel failed:\n" + "\n".join(errors) + "\nin:\n" + cell)
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    return json.loads("".join(printed).strip().splitlines()[-1])


def table(results: list[dict]) -> str:
    rows = [("widget", "control", "moves", "median ms", "worst ms", f"<= {TARGET_MS:.0f} ms")]
    for r in results:
        ms = sorted(1000 * t for t in r["times"])
        median = ms[len(ms) // 2] if len(ms) % 2 else (ms[len(ms) // 2 - 1] + ms[len(ms) // 2]) / 2
        r["median_ms"], r["worst_ms"] = median, ms[-1]
        verdict = "" if r["control"] == "first drawing" else ("PASS" if median <= TARGET_MS else "MISS")
        rows.append((r["widget"], r["control"], str(len(ms)), f"{median:.1f}", f"{ms[-1]:.1f}", verdict))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for k, row in enumerate(rows):
        lines.append(
            "  ".join(cell.ljust(w) if i < 2 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths)))
        )
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="times each control goes through its values")
    parser.add_argument("--timeout", type=float, default=600, help="seconds allowed per widget")
    parser.add_argument("--json", type=Path, help="also write the raw times here")
    parser.add_argument("--only", default="", help="only the widgets whose name holds this text, e.g. 'nb 2'")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    results = run_in_kernel(kernel_code(args.rounds, args.only), args.timeout)
    print(table(results))
    print(
        f"\nInside the kernel, from setting a control's value to the new picture handed to the kernel's messaging;"
        f" {args.rounds} rounds of moves per control, {time.perf_counter() - start:.0f} s in all. 'first drawing'"
        " is building the widget, not a move (no target)."
    )
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
