"""The course's figure style: readable when projected, safe for colour-blind readers.

Colours are the Okabe-Ito palette (Okabe and Ito, 2008), distinguishable
under the common forms of colour blindness; heatmaps use "cividis"
(sequential) and "RdBu_r" (diverging, for values of either sign around 0),
which read in greyscale too. Call `use_course_style()` once at the top of a
notebook.
"""

from __future__ import annotations

import sys

import matplotlib as mpl

# Okabe-Ito, by name, in the order the cycle uses them
COLORS = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "vermillion": "#D55E00",
    "sky": "#56B4E9",
    "purple": "#CC79A7",
    "yellow": "#F0E442",
    "black": "#000000",
    "grey": "#999999",
}
CYCLE = [COLORS[k] for k in ("blue", "orange", "green", "vermillion", "sky", "purple", "black")]
SEQUENTIAL = "cividis"
DIVERGING = "RdBu_r"


def use_course_style() -> None:
    """Set matplotlib's defaults for every figure that follows; in a notebook, draw figures in it.

    Inside a Jupyter kernel, the figures go into the notebook's outputs (the
    inline backend) whatever backend the environment names: a kernel started
    with MPLBACKEND=Agg (a common setting in CI) would otherwise draw every
    figure nowhere, and the notebook's stored figures would be missing when it
    is run again. A backend that shows figures in the notebook itself (inline,
    ipympl's widget, nbagg) is kept. Outside a kernel nothing is switched.
    """
    use_notebook_backend()
    mpl.rcParams.update(
        {
            "figure.figsize": (7.0, 4.0),
            "figure.dpi": 100,
            "savefig.dpi": 150,
            "savefig.bbox": "tight",
            "font.size": 11,
            "axes.titlesize": 12,
            "axes.labelsize": 11,
            "axes.prop_cycle": mpl.cycler(color=CYCLE),
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "lines.linewidth": 2.0,
            "legend.frameon": False,
            "image.cmap": SEQUENTIAL,
        }
    )


# backends that put figures into the notebook itself
_NOTEBOOK_BACKENDS = ("inline", "ipympl", "widget", "nbagg")


def use_notebook_backend() -> bool:
    """In a Jupyter kernel whose matplotlib backend cannot show figures in the notebook, select the inline one.

    Returns True when it switched. Does nothing outside a kernel (a script, a
    test, a terminal IPython) or when the backend already shows figures inline.
    """
    shell = _kernel_shell()
    if shell is None:
        return False
    backend = str(mpl.rcParams._get("backend")).lower()  # as set, without resolving (or importing) it
    if any(name in backend for name in _NOTEBOOK_BACKENDS):
        return False
    shell.enable_matplotlib("inline")  # what %matplotlib inline does: the backend, and figures shown after each cell
    return True


def _kernel_shell():
    """The running IPython shell if it belongs to a Jupyter kernel, else None."""
    if "IPython" not in sys.modules:
        return None
    from IPython import get_ipython

    shell = get_ipython()
    return shell if shell is not None and getattr(shell, "kernel", None) is not None else None


# The roles of the boxes in the course's diagrams (notebooks 1 and 3): inputs, states, outputs,
# a decoder's states and a model that reads vectors; a light fill and a strong edge each.
ROLE_FILL = {"input": "#D6E9F5", "state": "#FBEBC8", "output": "#CCEDE3", "decoder": "#F3DDEA", "model": "#EEEEEE"}
ROLE_EDGE = {"input": COLORS["blue"], "state": COLORS["orange"], "output": COLORS["green"],
             "decoder": COLORS["purple"], "model": COLORS["grey"]}  # fmt: skip


def labelled_box(ax, x, y, width, height, text, role, fontsize=11, linewidth=1.6, gid=None) -> None:
    """A rounded box centred at (x, y) in the colours of its role, with text in it."""
    from matplotlib.patches import FancyBboxPatch

    corner, style = (x - width / 2, y - height / 2), "round,pad=0.02,rounding_size=0.08"
    box = FancyBboxPatch(corner, width, height, boxstyle=style, facecolor=ROLE_FILL[role],
                         edgecolor=ROLE_EDGE[role], linewidth=linewidth, gid=gid)  # fmt: skip
    ax.add_patch(box)
    ax.text(x, y, text, ha="center", va="center", fontsize=fontsize)


def diagram_arrow(ax, start, end, dashed=False, rad=0.0, color="#333333", linewidth=1.4) -> None:
    """An arrow from start to end of the course's diagrams; dashed for what is fed back, curved by rad."""
    from matplotlib.patches import FancyArrowPatch

    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=12, linewidth=linewidth, color=color,
                                 linestyle=(0, (4, 3)) if dashed else "-", connectionstyle=f"arc3,rad={rad}",
                                 shrinkA=0, shrinkB=0))  # fmt: skip

