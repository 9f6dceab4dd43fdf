"""The delayed echo: a short-range memory task for notebook 5, trained with full or truncated BPTT.

At every step the network reads a random symbol out of K and must output
the symbol it read `delay` steps earlier:

    x_1, x_2, ..., x_T        random symbols in 0..K-1, one-hot
    target at t = x_{t - delay}    for t > delay (no target for t <= delay)

An Elman tagger (ElmanCell, then an Affine head on every y_t, softmax
cross-entropy) can only do it by carrying x_{t-delay} in its state for
`delay` steps, and it learns to do so only if the gradient of the loss at
t reaches back to step t - delay. Chance is 1/K.

    ids, targets, mask = echo_data(n, T, delay, K, seed)      ids, targets (T, n) int; mask (T, n) bool
    outcome = train_echo(delay=2, truncate=None, ...)          an Outcome: model, history, test accuracy
"""

from __future__ import annotations

import numpy as np

from rnnlib.core.elman import ElmanCell
from rnnlib.core.layers import Affine
from rnnlib.core.models import Transducer
from rnnlib.core.optim import Adam
from rnnlib.core.train import fit
from rnnlib.lessons.outcome import Outcome
from rnnlib.lessons.tasks import echo_data


def echo_accuracy(model: Transducer, ids, targets, mask) -> float:
    """The fraction of positions with a target where the most likely symbol is the right one."""
    xs = np.eye(model.head.out_size, dtype=model.cell.dtype)[ids]  # (T, n) -> (T, n, K)
    return float(np.mean((model.predict(xs) == targets)[mask]))


def train_echo(
    delay: int = 2,
    truncate: int | None = None,
    hidden_size: int = 16,
    K: int = 4,
    T: int = 12,
    steps: int = 300,
    batch_size: int = 32,
    lr: float = 0.02,
    seed=0,
    progress=True,
    label: str = "",
) -> Outcome:
    """Train an Elman tagger on the delayed echo with rnnlib.bptt(..., truncate) and Adam; test on new data.

    2000 training sequences (seed 1), 500 test sequences (seed 2), batches
    drawn from `seed`, gradients clipped to a global norm of 5.
    """
    ids, targets, mask = echo_data(2000, T, delay, K, seed=1)
    eye = np.eye(K)
    cell = ElmanCell(input_size=K, hidden_size=hidden_size, seed=seed)
    model = Transducer(cell, Affine(hidden_size, K, seed=seed + 1), truncate=truncate)
    rng = np.random.default_rng(seed)

    def next_batch(step: int):
        i = rng.integers(0, ids.shape[1], size=batch_size)
        return eye[ids[:, i]], targets[:, i], mask[:, i]  # xs (T, B, K) one-hot

    label = label or ("full BPTT" if truncate is None else f"truncate = {truncate}")
    opt = Adam(model.params, lr=lr)
    history = fit(model.loss_and_grads, model.params, next_batch, steps, opt, 5.0, progress, label)  # clip at 5
    accuracy = echo_accuracy(model, *echo_data(500, T, delay, K, seed=2))
    return Outcome(model, history, "test accuracy", accuracy, "chance", 1.0 / K, 0.95)
