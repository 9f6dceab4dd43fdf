"""The delayed echo: a short-range memory task for notebook 5, trained with full or truncated BPTT.

At every step the network reads a random symbol out of K and must output
the symbol it read `delay` steps earlier:

    x_1, x_2, ..., x_T        random symbols in 0..K-1, one-hot
    target at t = x_{t - delay}    for t > delay (no target for t <= delay)

An Elman tagger (ElmanCell, then an Affine head on every y_t, softmax
cross-entropy) can only do it by carrying x_{t-delay} in its state for
`delay` steps, and it learns to do so only if the gradient of the loss at
t reaches back to step t - delay. Chance is 1/K.

Two ways to train with truncated backpropagation through time:

    train_echo(truncate=k)      sequences of T steps: the whole forward pass, then
                                rnnlib.bptt(..., truncate=k), one update per batch
    train_echo_chunked(k)       long streams read k steps at a time: the state is
                                carried from chunk to chunk, bptt runs on each chunk
                                alone, and the weights change after every chunk

    ids, targets, mask = echo_data(n, T, delay, K, seed)      ids, targets (T, n) int; mask (T, n) bool
    outcome = train_echo(delay=2, truncate=None, ...)          an Outcome: model, history, test accuracy
"""

from __future__ import annotations

import numpy as np

from rnnlib.core import _validate
from rnnlib.core.elman import ElmanCell
from rnnlib.core.layers import Affine
from rnnlib.core.losses import softmax_cross_entropy, softmax_cross_entropy_backward
from rnnlib.core.models import Transducer
from rnnlib.core.optim import Adam
from rnnlib.core.train import fit
from rnnlib.core.unroll import bptt, unroll
from rnnlib.lessons.outcome import Outcome
from rnnlib.lessons.tasks import echo_data

CLIP_NORM = 5.0  # every echo run clips its gradients to this global norm


def echo_accuracy(model: Transducer, ids, targets, mask) -> float:
    """The fraction of positions with a target where the most likely symbol is the right one."""
    xs = np.eye(model.head.out_size, dtype=model.cell.dtype)[ids]  # (T, n) -> (T, n, K)
    return float(np.mean((model.predict(xs) == targets)[mask]))


def _echo_model(hidden_size: int, K: int, seed, truncate=None) -> Transducer:
    """An Elman cell of `hidden_size` units reading one-hot symbols, and an Affine head to K scores."""
    cell = ElmanCell(input_size=K, hidden_size=hidden_size, seed=seed)
    return Transducer(cell, Affine(hidden_size, K, seed=seed + 1), truncate=truncate)


def _test(model: Transducer, delay: int, K: int, n: int, T: int) -> float:
    """Test accuracy on n new sequences of T steps (seed 2), each read from s_0 = 0 to its end."""
    return echo_accuracy(model, *echo_data(n, T, delay, K, seed=2))


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
    train_cell: bool = True,
) -> Outcome:
    """Train an Elman tagger on the delayed echo with rnnlib.bptt(..., truncate) and Adam; test on new data.

    2000 training sequences (seed 1), 500 new test sequences (seed 2), batches
    drawn from `seed`, gradients clipped to a global norm of 5. Each step
    runs the whole sequence forward, then bptt with truncate=k back over it,
    and updates once. train_cell=False trains the head alone: the cell keeps
    its random starting weights (a control: what can be read off an untrained state).
    """
    ids, targets, mask = echo_data(2000, T, delay, K, seed=1)
    eye = np.eye(K)
    model = _echo_model(hidden_size, K, seed, truncate)
    rng = np.random.default_rng(seed)

    def next_batch(step: int):
        i = rng.integers(0, ids.shape[1], size=batch_size)
        return eye[ids[:, i]], targets[:, i], mask[:, i]  # xs (T, B, K) one-hot

    trained = model.params if train_cell else [model.head.params]

    def loss_and_grads(batch):
        loss, grads = model.loss_and_grads(batch)  # grads: [the cell's, the head's]
        return loss, grads if train_cell else grads[1:]

    label = label or ("full BPTT" if truncate is None else f"truncate = {truncate}")
    history = fit(loss_and_grads, trained, next_batch, steps, Adam(trained, lr=lr), CLIP_NORM, progress, label)
    return Outcome(model, history, "test accuracy", _test(model, delay, K, 500, T), "chance", 1.0 / K, 0.95)


def train_echo_chunked(
    k: int,
    delay: int = 2,
    hidden_size: int = 16,
    K: int = 4,
    length: int = 3600,
    batch_size: int = 32,
    lr: float = 0.02,
    seed=0,
    progress=True,
    label: str = "",
) -> Outcome:
    """Truncated BPTT as deep-learning frameworks run it: read long streams k steps at a time.

    The data are `batch_size` streams of `length` echo steps (seed 1), read
    side by side. Each chunk of k steps is one training step:

        run the cell over the chunk from the state the last chunk handed on,
        backpropagate through the chunk alone (bptt stops at the chunk's first state),
        update the weights,
        hand the chunk's last state on to the next chunk, and forget the rest of the run.

    So only k steps of the forward pass are ever kept, and the weights change
    length / k times. In PyTorch the hand-over is `state = state.detach()`:
    the state keeps its value and loses its path back. A numpy array has no
    path back to lose. The same model and clipping as train_echo; the test
    reads 50 new streams of 240 steps (seed 2), each from s_0 = 0 to its end.
    """
    k = _validate.positive_int("k", k)
    n_chunks = _validate.positive_int("length", length) // k
    ids, targets, _ = echo_data(batch_size, delay + n_chunks * k, delay, K, seed=1)  # (delay + n_chunks k, B)
    xs = np.eye(K)[ids]  # one-hot (steps, B, K)
    model = _echo_model(hidden_size, K, seed)
    cell, head = model.cell, model.head
    # The first `delay` symbols have nothing to echo yet: read them to fill the state, and start after them.
    state = unroll(cell, xs[:delay]).states[-1]  # (B, H)

    def next_chunk(step: int):
        chunk = slice(delay + step * k, delay + (step + 1) * k)  # the next k steps of every stream
        return xs[chunk], targets[chunk]

    def chunk_loss_and_grads(chunk):
        nonlocal state
        xs_chunk, targets_chunk = chunk
        run = unroll(cell, xs_chunk, s0=state)  # k steps forward from the handed-on state
        logits, head_cache = head.forward(run.outputs)  # (k, B, H) -> (k, B, K)
        loss = softmax_cross_entropy(logits, targets_chunk)
        d_outputs, dhead = head.backward(softmax_cross_entropy_backward(logits, targets_chunk), head_cache)
        grads = bptt(cell, run, d_outputs)  # back through these k steps, down to run.states[0]: no further
        state = run.states[-1]  # hand the last state on; nothing else of this run is kept
        return loss, [grads.params, dhead]

    label = label or f"chunks of {k}"
    history = fit(chunk_loss_and_grads, model.params, next_chunk, n_chunks, Adam(model.params, lr=lr), CLIP_NORM,
                  progress, label)  # fmt: skip
    return Outcome(model, history, "test accuracy", _test(model, delay, K, 50, 240), "chance", 1.0 / K, 0.95,
                   details={"chunk": k, "updates": n_chunks})  # fmt: skip
