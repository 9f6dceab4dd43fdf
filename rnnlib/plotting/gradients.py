"""Plots of gradient norms against distance: how much of dL/ds_T reaches s_t, T - t steps back.

    plot_gradient_norms(ax, distance, norms)   one measured profile: median line, middle-80% band
    gradient_decay_figure(rho, nonlinearity, T) the notebook's figure for one setting
    GradientFigure(fig)                         the widget's: the same, redrawn in place for a new setting
    compare_nonlinearities(rhos, T)             tanh, relu and identity side by side, one panel per rho

The y axis is logarithmic, so geometric decay r^k is a straight line of slope log r.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.collections import PolyCollection
from matplotlib.colors import to_rgba
from matplotlib.ticker import FixedLocator, MaxNLocator, NullLocator

from rnnlib.lessons.gradients import GradientProfile, gradient_profile
from rnnlib.plotting.style import COLORS

# one colour per nonlinearity, the same in every figure
NONLINEARITY_COLORS = {"tanh": COLORS["blue"], "relu": COLORS["orange"], "identity": COLORS["green"]}

# fixed limits, so that moving a slider moves the curve and not the axis
YLIM = (1e-20, 1e20)


def plot_gradient_norms(ax, distance, norms, label: str | None = None, color=None, band: bool = True):
    """Draw |dL/ds_t| against T - t on a log scale: the median over the batch, and its middle 80%.

    distance (K+1,); norms (K+1,) or (K+1, B), indexed by distance. Zeros
    (a relu gradient that died) are left out by the log scale.
    """
    norms = np.asarray(norms, dtype=np.float64)
    if norms.ndim == 1:
        norms = norms[:, None]
    (line,) = ax.plot(distance, np.median(norms, axis=1), color=color, label=label)
    if band and norms.shape[1] > 1:
        lo, hi = np.percentile(norms, [10, 90], axis=1)
        ax.fill_between(distance, lo, hi, color=line.get_color(), alpha=0.2, linewidth=0)
    ax.set_yscale("log")
    ax.set_xlabel("distance T - t (steps back from the loss)")
    ax.set_ylabel("|dL/ds_t| / |dL/ds_T|")
    return line


def _reference(ax, distance, factor: float, color, style: str, label: str):
    # factor^k, drawn only where it stays within the axis (no overflow, no log of 0)
    with np.errstate(over="ignore", under="ignore"):
        values = factor ** np.asarray(distance, dtype=np.float64)
    values[(values < YLIM[0]) | (values > YLIM[1])] = np.nan
    ax.plot(distance, values, style, color=color, linewidth=1.5, label=label)


def draw_profile(ax, profile: GradientProfile, references: bool = True) -> None:
    """One setting: the measured profile, and the lines rho^k and (gamma sigma_max)^k beside it."""
    color = NONLINEARITY_COLORS.get(profile.nonlinearity, COLORS["blue"])
    plot_gradient_norms(
        ax, profile.distance, profile.norms, label=f"measured ({profile.nonlinearity}): r = {profile.rate:.3f} per step"
    )
    ax.lines[-1].set_color(color)
    ax.collections[-1].set_color(color)
    if references:
        _reference(ax, profile.distance, profile.rho, COLORS["black"], "--", rf"$\rho^k$, $\rho$ = {profile.rho:.2f}")
        bound_label = rf"bound $(\gamma\,\sigma_{{max}})^k$ = {profile.bound:.2f}$^k$"
        _reference(ax, profile.distance, profile.bound, COLORS["grey"], ":", bound_label)
    ax.axhline(1.0, color=COLORS["grey"], linewidth=0.8)
    ax.set_ylim(*YLIM)
    ax.set_xlim(0, profile.distance[-1])


def gradient_decay_figure(rho: float = 0.9, nonlinearity: str = "tanh", T: int = 50, seed: int = 0):
    """The figure for one setting of the spectral radius, the nonlinearity and T. Returns the Figure."""
    profile = gradient_profile(rho, nonlinearity, T=T, seed=seed)
    fig, ax = plt.subplots(figsize=(7.5, 4.5))
    draw_profile(ax, profile)
    ax.set_title(rf"Gradient reaching back: Elman RNN, {nonlinearity}, $\rho$ = {rho:.2f}, T = {T}")
    ax.legend(loc="lower left", fontsize=9)
    return fig


class GradientFigure:
    """The widget's figure: one measured profile and its reference lines, redrawn in place for a new setting.

        drawing = GradientFigure(fig)     # fig: a Figure to draw into, or None for a new pyplot figure
        drawing.show(profile)             # a rnnlib.lessons.gradients.GradientProfile

    The axes are laid out once per T (fixed y limits, so a new setting moves
    the curves and not the axis); a new rho or nonlinearity sets the curves'
    data, the legend and the title: the artists in `moving`. Sized to fit a
    projector's screen (1280x720) under the widget's controls, text >= 11 pt.
    """

    SIZE = (9.6, 4.7)

    def __init__(self, fig=None):
        self.fig = plt.figure(figsize=self.SIZE) if fig is None else fig
        self.layout_id = None
        self.moving: list = []
        self._lay_out()

    def show(self, profile: GradientProfile):
        T = int(profile.distance[-1])
        if T != self.layout_id:
            self.ax.set_xlim(0, T)  # the only change to the axes: a new T redraws the rest (ticks) once
            self.layout_id = T
        color = NONLINEARITY_COLORS.get(profile.nonlinearity, COLORS["blue"])
        norms = np.asarray(profile.norms, dtype=np.float64)
        distance = profile.distance
        self.median.set_data(distance, np.median(norms, axis=1))
        self.median.set_color(color)
        lo, hi = np.percentile(norms, [10, 90], axis=1)
        with np.errstate(divide="ignore"):
            lo, hi = np.maximum(lo, YLIM[0] / 10), np.maximum(hi, YLIM[0] / 10)  # a dead relu: 0 has no log
        self.band.set_verts([np.column_stack([np.r_[distance, distance[::-1]], np.r_[lo, hi[::-1]]])])
        self.band.set_facecolor(to_rgba(color, 0.2))
        self.rho_line.set_data(distance, _powers(profile.rho, distance))
        self.bound_line.set_data(distance, _powers(profile.bound, distance))
        labels = [
            f"measured ({profile.nonlinearity}): r = {profile.rate:.3f} per step",
            f"\N{GREEK SMALL LETTER RHO}\N{MODIFIER LETTER SMALL K}, \N{GREEK SMALL LETTER RHO} = {profile.rho:.2f}",
            f"bound (\N{GREEK SMALL LETTER GAMMA} \N{GREEK SMALL LETTER SIGMA}max)\N{MODIFIER LETTER SMALL K}"
            f" = {profile.bound:.2f}\N{MODIFIER LETTER SMALL K}",
        ]
        for text, label in zip(self.legend.get_texts(), labels):
            text.set_text(label)
        self.legend.get_lines()[0].set_color(color)
        rho = f"\N{GREEK SMALL LETTER RHO} = {profile.rho:.2f}"
        self.title.set_text(f"Gradient reaching back: Elman RNN, {profile.nonlinearity}, {rho}, T = {T}")
        return self.fig

    def _lay_out(self) -> None:
        fig = self.fig
        fig.clear()
        fig.set_size_inches(*self.SIZE)
        width, height = self.SIZE
        fig.subplots_adjust(left=0.95 / width, right=1 - 0.25 / width, top=1 - 0.45 / height, bottom=0.65 / height)
        ax = self.ax = fig.add_subplot()
        (self.median,) = ax.plot([], [], linewidth=2.2)
        self.band = PolyCollection([np.zeros((3, 2))], linewidth=0)
        ax.add_collection(self.band, autolim=False)
        (self.rho_line,) = ax.plot([], [], "--", color=COLORS["black"], linewidth=1.5)
        (self.bound_line,) = ax.plot([], [], ":", color=COLORS["grey"], linewidth=1.8)
        ax.axhline(1.0, color=COLORS["grey"], linewidth=0.8)
        ax.set_yscale("log")
        ax.set_ylim(*YLIM)
        ax.yaxis.set_major_locator(FixedLocator(10.0 ** np.arange(-20, 21, 5)))  # few ticks: quick to draw
        ax.yaxis.set_minor_locator(NullLocator())
        ax.xaxis.set_major_locator(MaxNLocator(nbins=6, integer=True))  # distances are whole steps
        ax.tick_params(labelsize=11)
        ax.set_xlabel("distance T - t (steps back from the loss)", fontsize=12)
        ax.set_ylabel("|dL/ds_t| / |dL/ds_T|", fontsize=12)
        self.legend = ax.legend([self.median, self.rho_line, self.bound_line], ["", "", ""], loc="lower left",
                                fontsize=12)  # fmt: skip
        self.title = fig.text(0.5, 1 - 0.12 / height, "", ha="center", va="top", fontsize=13)
        self.moving = [self.band, self.median, self.rho_line, self.bound_line, self.legend, self.title]


def _powers(factor: float, distance) -> np.ndarray:
    """factor^k for the distances k, NaN where it leaves the axis (no overflow, no log of 0)."""
    with np.errstate(over="ignore", under="ignore"):
        values = factor ** np.asarray(distance, dtype=np.float64)
    values[(values < YLIM[0]) | (values > YLIM[1])] = np.nan
    return values


def compare_nonlinearities(rhos=(0.9, 1.5), T: int = 50, seed: int = 0):
    """One panel per spectral radius, the three nonlinearities in each. Returns the Figure."""
    fig, axes = plt.subplots(1, len(rhos), figsize=(6.0 * len(rhos), 4.5), sharey=True, squeeze=False)
    for ax, rho in zip(axes[0], rhos):
        for nonlinearity, color in NONLINEARITY_COLORS.items():
            p = gradient_profile(rho, nonlinearity, T=T, seed=seed)
            plot_gradient_norms(ax, p.distance, p.norms, label=f"{nonlinearity}: r = {p.rate:.2f}", color=color)
        _reference(ax, np.arange(T + 1), rho, COLORS["black"], "--", r"$\rho^k$")
        ax.axhline(1.0, color=COLORS["grey"], linewidth=0.8)
        ax.set_ylim(*YLIM)
        ax.set_xlim(0, T)
        ax.set_title(rf"$\rho$ = {rho:.2f}")
        ax.legend(loc="lower left", fontsize=9)
    for ax in axes[0][1:]:
        ax.set_ylabel("")
    return fig
