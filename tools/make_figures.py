"""Make every image in figures/ from rnnlib's own plotting functions.

    python tools/make_figures.py              # write into figures/
    python tools/make_figures.py --out DIR    # write somewhere else (the test does this)

Each figure keeps the size its plotting function gives it, is saved at a
fixed DPI and cropped to what is drawn, so a re-made figure has the
committed figure's size in pixels (to a pixel or two, as text extents
may differ between matplotlib versions).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from rnnlib.plotting import use_course_style  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DPI = 100
SENTENCE = "John lives in Salt Lake City"


def unrolled_rnn():
    from rnnlib.lessons.text import tokenize
    from rnnlib.plotting.unrolling import draw_loop_vs_unrolled

    return draw_loop_vs_unrolled(tokenize(SENTENCE))


def unrolling_stepper():
    from rnnlib.lessons.unrolling import stepper_view
    from rnnlib.plotting.unrolling import draw_stepper

    return draw_stepper(stepper_view(SENTENCE, t=3, cell_kind="elman", hidden_size=4))


def task_shapes():
    from rnnlib.plotting.task_shapes import plot_task_shapes

    return plot_task_shapes()


def usage_patterns():
    from rnnlib.plotting.patterns import plot_patterns

    return plot_patterns()


def gradient_norms():
    from rnnlib.plotting.gradients import compare_nonlinearities

    return compare_nonlinearities(rhos=(0.9, 1.5), T=50, seed=0)


def lstm_cell():
    from rnnlib.plotting.lstm_cell import draw_lstm_cell

    return draw_lstm_cell()


# file name -> the function that returns the Figure (drawn at its own size)
FIGURES = {
    "unrolled_rnn.png": unrolled_rnn,
    "unrolling_stepper.png": unrolling_stepper,
    "task_shapes.png": task_shapes,
    "usage_patterns.png": usage_patterns,
    "gradient_norms.png": gradient_norms,
    "lstm_cell.png": lstm_cell,
}


def make(name: str, out: Path) -> Path:
    use_course_style()
    fig = FIGURES[name]()
    path = out / name
    fig.savefig(path, dpi=DPI, bbox_inches="tight", pad_inches=0.15, facecolor="white")
    plt.close(fig)
    return path


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "figures", help="folder to write into (default: figures/)")
    parser.add_argument("names", nargs="*", help=f"figures to make (default: all of {', '.join(FIGURES)})")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for name in args.names or FIGURES:
        print(make(name, args.out).name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
