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
    outcome = train_echo(delay=2, truncate=None, ...)          an EchoOutcome: history, test accuracy
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnlib.core import _validate
from rnnlib.core.elman import ElmanCell
from rnnlib.core.layers import Affine
from rnnlib.core.losses import softmax_cross_entropy, softmax_cross_entropy_backward
from rnnlib.core.optim import Adam
from rnnlib.core.train import History, fit
from rnnlib.core.unroll import bptt, unroll


def echo_data(n: int, T: int = 12, delay: int = 2, K: int = 4, seed=0):
    """n sequences of T random symbols; the target at t is the symbol of t - delay.

    Returns (ids (T, n), targets (T, n), mask (T, n)): time-major as rnnlib's
    xs; mask is False for t <= delay, where there is nothing to echo yet.
    """
    n, T, K = (_validate.positive_int(name, v) for name, v in (("n", n), ("T", T), ("K", K)))
    delay = _validate.positive_int("delay", delay)
    if delay >= T:
        raise ValueError(f"delay must be below T = {T}, got {delay}")
    ids = np.random.default_rng(seed).integers(0, K, size=(T, n))
    targets = np.zeros_like(ids)
    targets[delay:] = ids[:-delay]
    mask = np.zeros((T, n), dtype=bool)
    mask[delay:] = True
    return ids, targets, mask


@dataclass
class EchoOutcome:
    """What train_echo returns."""

    cell: ElmanCell
    head: Affine
    history: History
    accuracy: float  # on 500 new test sequences, over the positions that have a target
    chance: float  # 1 / K


def _loss_and_grads(cell: ElmanCell, head: Affine, truncate):
    def loss_and_grads(batch):
        xs, targets, mask = batch
        run = unroll(cell, xs)
        logits, head_cache = head.forward(run.outputs)  # (T, B, H) -> (T, B, K)
        loss = softmax_cross_entropy(logits, targets, mask)
        d_outputs, d_head = head.backward(softmax_cross_entropy_backward(logits, targets, mask), head_cache)
        grads = bptt(cell, run, d_outputs, truncate=truncate)
        return loss, [grads.params, d_head]

    return loss_and_grads


def echo_accuracy(cell: ElmanCell, head: Affine, ids, targets, mask) -> float:
    """The fraction of positions with a target where the most likely symbol is the right one."""
    xs = np.eye(head.out_size, dtype=cell.dtype)[ids]  # (T, n) -> (T, n, K)
    logits, _ = head.forward(unroll(cell, xs).outputs)
    return float(np.mean((logits.argmax(axis=-1) == targets)[mask]))


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
) -> EchoOutcome:
    """Train an Elman tagger on the delayed echo with rnnlib.bptt(..., truncate) and Adam; test on new data.

    2000 training sequences (seed 1), 500 test sequences (seed 2), batches
    drawn from `seed`, gradients clipped to a global norm of 5.
    """
    ids, targets, mask = echo_data(2000, T, delay, K, seed=1)
    eye = np.eye(K)
    cell = ElmanCell(input_size=K, hidden_size=hidden_size, seed=seed)
    head = Affine(hidden_size, K, seed=seed + 1)
    rng = np.random.default_rng(seed)

    def next_batch(step: int):
        i = rng.integers(0, ids.shape[1], size=batch_size)
        return eye[ids[:, i]], targets[:, i], mask[:, i]  # xs (T, B, K) one-hot

    params = [cell.params, head.params]
    history = fit(
        _loss_and_grads(cell, head, truncate),
        params,
        next_batch,
        steps,
        Adam(params, lr=lr),
        clip_norm=5.0,
        progress=progress,
        label=label or ("full BPTT" if truncate is None else f"truncate = {truncate}"),
    )
    accuracy = echo_accuracy(cell, head, *echo_data(500, T, delay, K, seed=2))
    return EchoOutcome(cell, head, history, accuracy, 1.0 / K)
