"""Tasks that need a long memory, and the experiment that trains an RNN on one.

The adding problem (Hochreiter and Schmidhuber, 1997; in the form of Le,
Jaitly and Hinton, 2015). Each sequence has T steps of two numbers,
x_t = (v_t, m_t):

    v_t ~ U[0, 1]                 a value at every step
    m_t = 1 at exactly two steps, one in each half (t <= T/2 and t > T/2), else 0
    target = the sum of the two marked values

The network reads the whole sequence and answers once, from its last state:
p = y_T W + b. A model that ignores the inputs does best by always saying
E[target] = 1, and then its mean squared error is the variance of the sum of
two independent U[0, 1] values, 2 * 1/12 = 1/6 (ADDING_BASELINE_MSE). To beat
it, the state must carry the first marked value across at least T/2 steps.

The copy task (Hochreiter and Schmidhuber, 1997; in the form of Arjovsky,
Shah and Bengio, 2016): show `length` symbols, wait `delay` steps, then
reproduce the symbols. Sizes: T = length + delay + length steps, K symbols
1..K, with 0 the blank and K + 1 the signal to start recalling.

    inputs   a_1 .. a_L   0 .. 0 (delay - 1 steps)   K+1   0 .. 0 (L steps)
    targets  0 ..................................... 0    a_1 .. a_L

A model without memory predicts blanks and then guesses, for a mean
cross-entropy of L log(K) / T per step (copy_baseline).

Both generators take a seed and draw from np.random.default_rng(seed) only:
the same seed gives the same sequences on every machine. Sequences are
time-major, (T, n, D), like every sequence in rnnlib.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from rnnlib.core import _validate
from rnnlib.core.elman import ElmanCell
from rnnlib.core.layers import Affine
from rnnlib.core.losses import mse, mse_backward
from rnnlib.core.lstm import LSTMCell
from rnnlib.core.optim import SGD, Adam
from rnnlib.core.train import History, _reporter, fit
from rnnlib.core.unroll import bptt, unroll
from rnnlib.lessons.gradients import scale_to_spectral_radius

ADDING_BASELINE_MSE = 1.0 / 6.0  # the MSE of always predicting the mean, 1


class AddingBatch(NamedTuple):
    xs: np.ndarray  # (T, n, 2)  x_t = (v_t, m_t): a value and a marker
    targets: np.ndarray  # (n, 1)     the sum of the two marked values


def adding_problem(T: int, n: int, seed=None, dtype=np.float64) -> AddingBatch:
    """n sequences of the adding problem, T steps each (T >= 2). Returns an AddingBatch.

    The first marker is at a step drawn uniformly from the first half
    (steps 1..T//2), the second from the second half (steps T//2+1..T).
    """
    T = _validate.positive_int("T", T)
    n = _validate.positive_int("n", n)
    if T < 2:
        raise ValueError(f"T must be at least 2 (one marker in each half), got {T}")
    rng = np.random.default_rng(seed)
    half = T // 2
    values = rng.uniform(0.0, 1.0, size=(T, n))
    first = rng.integers(0, half, size=n)  # 0-based index t-1 of the marked steps
    second = rng.integers(half, T, size=n)
    markers = np.zeros((T, n))
    rows = np.arange(n)
    markers[first, rows] = 1.0
    markers[second, rows] = 1.0
    xs = np.stack([values, markers], axis=-1).astype(dtype)  # (T, n, 2)
    targets = (values[first, rows] + values[second, rows]).reshape(n, 1).astype(dtype)
    return AddingBatch(xs, targets)


def mean_predictor_mse(batch: AddingBatch) -> float:
    """The MSE of the model that ignores its input and always answers E[target] = 1: about 1/6."""
    return float(np.mean((batch.targets - 1.0) ** 2))


class CopyBatch(NamedTuple):
    xs: np.ndarray  # (T, n, K+2)  one-hot inputs: 0 blank, 1..K symbols, K+1 "recall now"
    targets: np.ndarray  # (T, n)   integer targets: 0 (blank) except the last `length` steps
    mask: np.ndarray  # (T, n)   True at the last `length` steps, where the symbols are recalled


def copy_task(length: int, delay: int, n: int, n_symbols: int = 8, seed=None, dtype=np.float64) -> CopyBatch:
    """n sequences of the copy task: T = 2 * length + delay steps, symbols 1..n_symbols.

    Returns a CopyBatch; the recall signal (symbol n_symbols + 1) is the
    input at step length + delay, the last step before the recall begins.
    """
    L = _validate.positive_int("length", length)
    delay = _validate.positive_int("delay", delay)
    n = _validate.positive_int("n", n)
    K = _validate.positive_int("n_symbols", n_symbols)
    rng = np.random.default_rng(seed)
    T = 2 * L + delay
    symbols = rng.integers(1, K + 1, size=(L, n))
    inputs = np.zeros((T, n), dtype=np.int64)
    inputs[:L] = symbols
    inputs[L + delay - 1] = K + 1
    targets = np.zeros((T, n), dtype=np.int64)
    targets[L + delay :] = symbols
    mask = np.zeros((T, n), dtype=bool)
    mask[L + delay :] = True
    xs = np.eye(K + 2, dtype=dtype)[inputs]  # (T, n) -> (T, n, K+2)
    return CopyBatch(xs, targets, mask)


def copy_baseline(length: int, delay: int, n_symbols: int = 8) -> float:
    """The mean cross-entropy per step of the best model without memory: L log(K) / T."""
    T = 2 * length + delay
    return float(length * np.log(n_symbols) / T)


# ---- the experiment: train an RNN on the adding problem ---------------------


def make_model(kind: str, hidden_size: int, seed=0):
    """An RNN cell reading x_t = (v_t, m_t) and an Affine head p = y_T W + b.

    kind: "tanh", "relu", "identity" (an Elman RNN with that nonlinearity) or "lstm".
    """
    if kind == "lstm":
        cell = LSTMCell(input_size=2, hidden_size=hidden_size, seed=seed)
    else:
        cell = ElmanCell(input_size=2, hidden_size=hidden_size, nonlinearity=kind, seed=seed)
    head = Affine(hidden_size, 1, seed=None if seed is None else seed + 1)
    return cell, head


def predict_last(cell, head: Affine, xs: np.ndarray) -> np.ndarray:
    """The answer read off the last output: p = y_T W + b, (n, 1)."""
    run = unroll(cell, xs)
    p, _ = head.forward(run.outputs[-1])
    return p


def last_output_loss_and_grads(cell, head: Affine):
    """loss_and_grads for `fit`: the MSE of p = y_T W + b on an AddingBatch, and its gradients.

    Only the last output reaches the loss, so dL/dy_t = 0 for t < T and
    every gradient a weight gets from an early step has come back through
    the whole chain of states.
    """

    def loss_and_grads(batch: AddingBatch):
        run = unroll(cell, batch.xs)
        p, cache = head.forward(run.outputs[-1])  # (n, H) @ (H, 1) -> (n, 1)
        loss = mse(p, batch.targets)
        dy_T, dhead = head.backward(mse_backward(p, batch.targets), cache)
        d_outputs = np.zeros_like(run.outputs)
        d_outputs[-1] = dy_T
        grads = bptt(cell, run, d_outputs)
        return loss, [grads.params, dhead]

    return loss_and_grads


class _KeepHistory:
    """A progress reporter for `fit` that keeps the History fit hands it at the end.

    fit passes its History to the reporter's close() even when it stops
    early on a non-finite loss, so a diverging run can still be shown.
    Everything else goes to the usual display, if there is one.
    """

    def __init__(self, display):
        self.display = display
        self.history = None

    def update(self, step: int, steps: int, loss: float) -> None:
        if self.display is not None:
            self.display.update(step, steps, loss)

    def close(self, history: History) -> None:
        self.history = history
        if self.display is not None:
            self.display.close(history)


@dataclass
class AddingResult:
    """What `train_adding` returns."""

    T: int
    test_mse: float  # on n_test fresh sequences (inf after divergence); ADDING_BASELINE_MSE is 1/6
    history: History  # the training losses and gradient norms (NaN after a divergence)
    diverged_at: int | None  # the step at which the loss overflowed, or None
    cell: object  # the trained cell and head, for a closer look
    head: Affine

    @property
    def final_loss(self) -> float:
        """The mean training loss of the last 50 steps; inf if the run diverged."""
        if self.diverged_at is not None:
            return float("inf")
        return float(np.mean(self.history.losses[-50:]))


def train_adding(
    T: int,
    kind: str = "tanh",
    hidden_size: int = 32,
    steps: int = 2000,
    batch_size: int = 64,
    lr: float = 0.01,
    optimizer: str = "adam",
    clip_norm: float | None = 1.0,
    recurrent_radius: float | None = None,
    seed: int = 0,
    n_test: int = 1000,
    progress=True,
) -> AddingResult:
    """Train an RNN (kind: "tanh", "relu", "identity" or "lstm") on the adding problem with T steps.

    Every training step sees a fresh batch (seeded by seed and the step);
    the test set is n_test further sequences that training never sees, so
    the same arguments give the same numbers on every run. recurrent_radius
    rescales an Elman cell's W_s to that spectral radius before training.
    If the loss overflows (no clipping, too large a step), training stops
    there and the result says at which step.
    """
    T = _validate.positive_int("T", T)
    if optimizer not in ("adam", "sgd"):
        raise ValueError(f"optimizer must be 'adam' or 'sgd', got {optimizer!r}")
    cell, head = make_model(kind, hidden_size, seed=seed)
    if recurrent_radius is not None:
        if kind == "lstm":
            raise ValueError("recurrent_radius applies to an Elman cell (a square W_s), not to kind='lstm'")
        cell.params["W_s"][...] = scale_to_spectral_radius(cell.params["W_s"], recurrent_radius)
    params = [cell.params, head.params]
    opt = Adam(params, lr=lr) if optimizer == "adam" else SGD(params, lr=lr)

    def next_batch(step):
        return adding_problem(T, batch_size, seed=[seed, 0, step])

    label = f"{kind} RNN, T = {T}" + ("" if clip_norm is None else f", clipped at {clip_norm:g}")
    keep = _KeepHistory(_reporter(progress, steps, label))
    loss_and_grads = last_output_loss_and_grads(cell, head)
    diverged_at = None
    try:
        with np.errstate(over="ignore", invalid="ignore"):  # a diverging run overflows on its way to inf
            fit(loss_and_grads, params, next_batch, steps=steps, optimizer=opt, clip_norm=clip_norm, progress=keep)
    except ValueError:
        if keep.history is None or np.all(np.isfinite(keep.history.losses)):
            raise  # not a divergence: a real error
        diverged_at = int(np.argmax(~np.isfinite(keep.history.losses)))
    if diverged_at is None:
        test = adding_problem(T, n_test, seed=[seed, 1])
        test_mse = mse(predict_last(cell, head, test.xs), test.targets)
    else:
        test_mse = float("inf")
    return AddingResult(T=T, test_mse=test_mse, history=keep.history, diverged_at=diverged_at, cell=cell, head=head)
