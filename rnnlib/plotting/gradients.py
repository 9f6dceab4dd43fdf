"""Plots of gradient norms against distance: how much of dL/ds_T reaches s_t, T - t steps back.

    plot_gradient_norms(ax, distance, norms)   one measured profile: median line, middle-80% band
    gradient_decay_figure(rho, nonlinearity, T) the notebook's figure for one setting (and the widget's)
    compare_nonlinearities(rhos, T)             tanh, relu and identity side by side, one panel per rho

The y axis is logarithmic, so geometric decay r^k is a straight line of slope log r.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

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
