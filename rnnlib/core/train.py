"""Training a model by gradient descent: the loop every notebook shares.

A model is a list of parameter dicts (cell.params, an Affine head's params,
...). Training it needs three things from the caller:

    loss_and_grads(batch) -> (loss, grads)   grads: a list of dicts matching params
    next_batch(step)      -> batch           the data for step 0, 1, ..., steps - 1
    optimizer                                an rnnlib.core.optim.SGD or Adam built on params

and repeats, for step = 0 .. steps - 1:

    loss, grads = loss_and_grads(next_batch(step))
    norm = ||grads||                              (global norm, before any clipping)
    grads <- grads * min(1, clip_norm / norm)     (only when clip_norm is given)
    optimizer.step(grads)                         (the params change in place)

    history = fit(loss_and_grads, params, next_batch, steps=300, optimizer=Adam(params, lr=0.01))
    history.losses      (steps,)  the loss of each step's batch, before that step's update
    history.grad_norms  (steps,)  the global gradient norm of each step, before clipping
    history.diverged_at None, or the step at which the loss stopped being finite: training
                        stops there, and the steps not taken stay NaN

With stop_below=level, training also stops as soon as the mean loss of the
last `stop_window` steps is below that level (the task is learned: the rest
of the steps would be wasted); the History then holds only the steps taken.

In a notebook a progress bar shows the step and the running loss while it
trains (rnnlib.widgets.progress); anywhere else (a script, pytest) nothing
is shown. This module imports numpy only: the widget is imported when a
notebook kernel asks for it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from rnnlib.core import _validate
from rnnlib.core.optim import clip_grad_norm, global_norm


@dataclass
class History:
    """What `fit` saw at each step."""

    losses: np.ndarray  # (steps,)  the loss of each step's batch
    grad_norms: np.ndarray  # (steps,)  the global norm of each step's gradients, before clipping
    diverged_at: int | None = None  # the step whose loss was inf or NaN (training stopped there), or None

    def final_loss(self, window: int = 50) -> float:
        """The mean loss of the last `window` steps; inf if the run diverged."""
        if self.diverged_at is not None:
            return float("inf")
        return float(np.mean(self.losses[-_validate.positive_int("window", window) :]))

    def running_loss(self, window: int = 20) -> np.ndarray:
        """The mean of the last `window` losses at each step, (steps,): a smoother learning curve."""
        window = _validate.positive_int("window", window)
        c = np.cumsum(np.concatenate([[0.0], self.losses]))
        n = np.arange(1, len(self.losses) + 1)
        lo = np.maximum(n - window, 0)
        return (c[n] - c[lo]) / (n - lo)


def fit(
    loss_and_grads: Callable,
    params: list,
    next_batch: Callable,
    steps: int,
    optimizer,
    clip_norm: float | None = None,
    progress=True,
    label: str = "",
    stop_below: float | None = None,
    stop_window: int = 20,
) -> History:
    """Train `params` for `steps` steps; returns a History of losses and gradient norms.

    loss_and_grads(batch) -> (loss: float, grads: list of dicts, one per dict of params)
    params                   list of parameter dicts, in the order of grads
    next_batch(step) -> batch
    optimizer                SGD or Adam built on the same params; its step(grads) updates them in place
    clip_norm                when given, clip the gradients to this global norm before each update
    progress                 True: a progress bar in a notebook, nothing elsewhere; False: never.
                             (An object with update(step, steps, loss) and close(history) is used as is.)
    label                    a few words naming the run, shown beside the progress bar
    stop_below               when given, stop once the mean loss of the last stop_window steps is below it;
                             the History's arrays then end at the last step taken
    """
    params = [params] if isinstance(params, dict) else list(params)
    steps = _validate.positive_int("steps", steps)
    if clip_norm is not None and not (np.isfinite(clip_norm) and clip_norm > 0):
        raise ValueError(f"clip_norm must be a positive number or None, got {clip_norm!r}")
    if stop_below is not None and not (np.isfinite(stop_below) and stop_below > 0):
        raise ValueError(f"stop_below must be a positive number or None, got {stop_below!r}")
    stop_window = _validate.positive_int("stop_window", stop_window)
    opt_params = getattr(optimizer, "params", None)
    if opt_params is None or len(opt_params) != len(params) or any(a is not b for a, b in zip(opt_params, params)):
        raise ValueError("optimizer must be built on the same list of parameter dicts as params")

    reporter = _reporter(progress, steps, label)
    losses = np.full(steps, np.nan)  # NaN marks steps not reached if the loop stops early
    grad_norms = np.full(steps, np.nan)
    diverged_at = None
    taken = steps
    try:
        for step in range(steps):
            with np.errstate(over="ignore", invalid="ignore"):  # a diverging run overflows on its way to inf
                loss, grads = loss_and_grads(next_batch(step))
            grads = [grads] if isinstance(grads, dict) else list(grads)
            if len(grads) != len(params):
                raise ValueError(f"loss_and_grads must return {len(params)} gradient dicts, got {len(grads)}")
            loss = float(loss)
            if not np.isfinite(loss):
                diverged_at = step  # the run has diverged: stop, and say where in the History
                break
            if clip_norm is None:
                norm = global_norm(grads)
            else:
                norm = clip_grad_norm(grads, clip_norm)  # the norm before clipping
            optimizer.step(grads)
            losses[step], grad_norms[step] = loss, norm
            if reporter is not None:
                reporter.update(step + 1, steps, losses[max(0, step - 19) : step + 1].mean())
            if stop_below is not None and step + 1 >= stop_window:
                if losses[step + 1 - stop_window : step + 1].mean() < stop_below:
                    taken = step + 1  # learned: the remaining steps are not taken
                    break
    finally:
        history = History(losses=losses[:taken], grad_norms=grad_norms[:taken], diverged_at=diverged_at)
        if reporter is not None:
            reporter.close(history)
    return history


def _in_notebook_kernel() -> bool:
    """True inside a Jupyter kernel (a notebook, nbval); False in a script, a terminal IPython or pytest."""
    ipython = sys.modules.get("IPython")  # never imported here: if nobody imported it, this is no kernel
    if ipython is None:
        return False
    shell = ipython.get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def _reporter(progress, steps: int, label: str):
    if progress is False or progress is None:
        return None
    if progress is not True:
        return progress  # a reporter object given by the caller
    if not _in_notebook_kernel():
        return None
    try:
        from rnnlib.widgets.progress import ProgressBar  # ipywidgets, imported only here
    except ImportError:  # no ipywidgets: one fixed line of text, the same in every run
        return _TextProgress(steps, label)
    return ProgressBar(steps, label)


class _TextProgress:
    """Progress as plain text: a line when training starts and one when it ends, no numbers that vary."""

    def __init__(self, steps: int, label: str):
        print(f"{label or 'training'}: {steps} steps ...", flush=True)

    def update(self, step: int, steps: int, loss: float) -> None:
        pass

    def close(self, history: History) -> None:
        print("done" if history.diverged_at is None else f"stopped: the loss diverged at step {history.diverged_at}")
