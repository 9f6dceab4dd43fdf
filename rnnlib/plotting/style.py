"""The course's figure style: readable when projected, safe for colour-blind readers.

Colours are the Okabe-Ito palette (Okabe and Ito, 2008), distinguishable
under the common forms of colour blindness; heatmaps use "cividis"
(sequential) and "RdBu_r" (diverging, for values of either sign around 0),
which read in greyscale too. Call `use_course_style()` once at the top of a
notebook.
"""

from __future__ import annotations

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
    """Set matplotlib's defaults for every figure that follows."""
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
