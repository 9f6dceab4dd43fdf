"""Backpropagation through time one step at a time: the logic of notebook 5's backward stepper.

An Elman RNN (rnnlib.core.elman) with a loss on its outputs, L = sum over t of L_t(y_t):

    z_t = x_t W_x + s_{t-1} W_s + b,    s_t = R(s_{t-1}, x_t) = g(z_t),    y_t = O(s_t) = s_t

The state s_t reaches L along two paths, through its own output y_t and
through the next state s_{t+1}, so its gradient is a total derivative:

    dL/ds_T     = dL/dy_T                                  (nothing comes after s_T)
    for t = T, T-1, ..., 1:                                (the backward of step t)
        dz_t        = dL/ds_t * g'(z_t)                    (elementwise)
        dL/ds_{t-1} = dL/dy_{t-1} + dz_t W_s^T             (dL/dy_0 = 0: s_0 has no output)
        dW_x += x_t^T dz_t,   dW_s += s_{t-1}^T dz_t,   db += dz_t summed over the batch

`backward_walk` runs this loop as written and keeps a record of every step;
rnnlib.bptt computes the same numbers (its weight gradients in one product).
`backward_view` says what the stepper shows when dL/ds_t has just become
complete, for the tagging example of the notebook (`tagging_example`).

Stepper position t, from T down to 0: the backward of steps T, ..., t+1 has
run, so dL/ds_T, ..., dL/ds_t are complete and the weight gradients hold the
terms of those steps; s_{t-1}, ..., s_0 have not received theirs yet.

Sizes: T steps, batch B, input D, H units (the state has S = H numbers).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from rnnlib.core import _validate
from rnnlib.core.elman import ElmanCell
from rnnlib.core.layers import Affine
from rnnlib.core.losses import softmax_cross_entropy, softmax_cross_entropy_backward
from rnnlib.core.unroll import Run, unroll
from rnnlib.lessons.tasks import TAGS
from rnnlib.lessons.text import word_vectors
from rnnlib.lessons.unrolling import clamp_step

PARAM_NAMES = ("W_x", "W_s", "b")


# ---------------------------------------------------------------------------
# the backward loop, as the lecture writes it


@dataclass
class BackwardStep:
    """What the backward of step t did (t = T, ..., 1)."""

    t: int
    ds: np.ndarray  # (B, H)  dL/ds_t, complete when this step runs
    dz: np.ndarray  # (B, H)  dz_t = dL/ds_t * g'(z_t)
    to_prev: np.ndarray  # (B, H)  dz_t W_s^T, the share this step sends back to s_{t-1}
    cut: bool  # True when truncation stops that share at s_{t-1}
    dparams: dict  # this step's terms: x_t^T dz_t, s_{t-1}^T dz_t, sum of dz_t


@dataclass
class Walk:
    """The result of `backward_walk`: the same gradients as rnnlib.bptt, and every step."""

    from_outputs: np.ndarray  # (T+1, B, H)  what reaches each s_t from its own output y_t (0 for s_0)
    d_states: np.ndarray  # (T+1, B, H)  dL/ds_t, the total derivative
    params: dict  # dL/dW_x, dL/dW_s, dL/db: the sums of the steps' terms
    steps: list  # BackwardStep for t = T, T-1, ..., 1, in the order they ran


def truncation_cuts(T: int, truncate: int | None) -> list[int]:
    """The states s_t at which truncate=k stops the gradient: t = k, 2k, ... below T (none without truncation).

    As in rnnlib.bptt: the sequence is cut into chunks of k steps, and the
    share dz_{t+1} W_s^T that step t+1 would send back to s_t is dropped.
    """
    if truncate is None:
        return []
    truncate = _validate.positive_int("truncate", truncate)
    return list(range(truncate, T, truncate))


def backward_walk(cell: ElmanCell, run: Run, d_outputs, truncate: int | None = None) -> Walk:
    """Backpropagation through time for an Elman cell, the loop written out, from d_outputs = dL/dy_t (T, B, H).

    Returns a Walk; walk.d_states and walk.params equal rnnlib.bptt(cell, run,
    d_outputs, truncate).states and .params. Neither cell nor run is changed.
    """
    if not isinstance(cell, ElmanCell):
        raise ValueError(f"cell must be an ElmanCell, got {type(cell).__name__}")
    T, B = run.xs.shape[:2]
    H = cell.hidden_size
    if run.states.shape != (T + 1, B, H):
        raise ValueError(
            f"run must come from unroll with this cell: states of shape {(T + 1, B, H)}, got {run.states.shape}"
        )
    d_outputs = _validate.array("d_outputs", d_outputs, 3, cell.dtype, (T, B, H))
    W_s = cell.params["W_s"]
    cuts = truncation_cuts(T, truncate)

    from_outputs = np.zeros((T + 1, B, H), dtype=cell.dtype)
    from_outputs[1:] = d_outputs  # y_t = s_t, so dL/dy_t arrives at s_t unchanged
    d_states = from_outputs.copy()  # every dL/ds_t starts with what comes from y_t
    params = {name: np.zeros_like(cell.params[name]) for name in PARAM_NAMES}
    steps = []
    for t in range(T, 0, -1):
        ds = d_states[t].copy()  # complete: step t+1 has already added its share
        s_prev, x, s = run.states[t - 1], run.xs[t - 1], run.states[t]
        dz = ds * cell.dg(s)  # dz_t = dL/ds_t * g'(z_t), g' read off s_t
        to_prev = dz @ W_s.T  # dz_t W_s^T: (B, H) @ (H, H) -> (B, H)
        cut = (t - 1) in cuts
        if not cut:
            d_states[t - 1] += to_prev  # dL/ds_{t-1} = dL/dy_{t-1} + dz_t W_s^T
        dparams = {"W_x": x.T @ dz, "W_s": s_prev.T @ dz, "b": dz.sum(axis=0)}
        for name in PARAM_NAMES:
            params[name] += dparams[name]  # shared weights: a sum over the steps
        steps.append(BackwardStep(t=t, ds=ds, dz=dz, to_prev=to_prev, cut=cut, dparams=dparams))
    return Walk(from_outputs=from_outputs, d_states=d_states, params=params, steps=steps)


# ---------------------------------------------------------------------------
# the notebook's example: tagging "John lives in Salt Lake City"

EXAMPLE_TOKENS = ("John", "lives", "in", "Salt", "Lake", "City")
EXAMPLE_TAGS = ("B-PER", "O", "O", "B-LOC", "I-LOC", "I-LOC")
INPUT_SIZE = 8  # D: the word vectors, as in notebook 2
DEFAULT_HIDDEN = 4
CELL_SEED, HEAD_SEED = 0, 1
TRUNCATIONS = (None, 1, 2, 3)  # what the stepper offers


@dataclass
class Example:
    """An Elman tagger on one sentence, run forward, with its loss and dL/dy_t."""

    tokens: tuple  # (T,) the words
    cell: ElmanCell  # R and O
    head: Affine  # logits_t = y_t W + b, K = len(TAGS) tags
    xs: np.ndarray  # (T, 1, D)  a batch of one sentence
    targets: np.ndarray  # (T, 1)  the tag of each word, an index into TAGS
    run: Run  # the forward pass of the cell
    logits: np.ndarray  # (T, 1, K)
    loss: float  # softmax cross-entropy, the mean over the T words
    d_outputs: np.ndarray  # (T, 1, H)  dL/dy_t, through the head and the loss


def tagging_example(hidden_size: int = DEFAULT_HIDDEN) -> Example:
    """The notebook's example: an untrained Elman tagger (D = 8, seeds 0 and 1) on EXAMPLE_TOKENS."""
    hidden_size = _validate.positive_int("hidden_size", hidden_size)
    cell = ElmanCell(input_size=INPUT_SIZE, hidden_size=hidden_size, seed=CELL_SEED)
    head = Affine(hidden_size, len(TAGS), seed=HEAD_SEED)
    xs = word_vectors(EXAMPLE_TOKENS, INPUT_SIZE)[:, None, :]  # (T, D) -> (T, 1, D)
    targets = np.array([[TAGS.index(tag)] for tag in EXAMPLE_TAGS])  # (T, 1)
    run = unroll(cell, xs)
    logits, head_cache = head.forward(run.outputs)  # (T, 1, H) -> (T, 1, K)
    loss = softmax_cross_entropy(logits, targets)
    d_outputs, _ = head.backward(softmax_cross_entropy_backward(logits, targets), head_cache)
    return Example(EXAMPLE_TOKENS, cell, head, xs, targets, run, logits, loss, d_outputs)


# ---------------------------------------------------------------------------
# what the stepper shows


@dataclass(frozen=True)
class BackwardView:
    """The backward stepper at position t: dL/ds_T, ..., dL/ds_t complete, the rest still to come."""

    tokens: tuple  # (T,)
    t: int  # 0..T: the state whose gradient has just become complete
    truncate: int | None  # None, or the k of truncated BPTT
    cuts: tuple  # the states where truncation stops the gradient
    d_states: np.ndarray  # (T+1, H)  dL/ds_k of the one sentence, NaN for k < t (not complete yet)
    d_states_final: np.ndarray  # (T+1, H)  dL/ds_k once the walk is over (= rnnlib.bptt's grads.states)
    from_output: np.ndarray  # (H,)  the share of dL/ds_t that comes from y_t
    from_next: np.ndarray  # (H,)  the share that comes back from s_{t+1} (0 at t = T or at a cut)
    param_norms: dict  # name -> |dL/dW| so far, the terms of steps t+1..T
    param_norms_final: dict  # name -> |dL/dW| when all T steps have run
    equations: tuple  # LaTeX lines for what happened at this position
    norm_limit: float = 0.0  # the largest |dL/ds_k| at any position and truncation (display_limits)
    weight_limit: float = 0.0  # the largest |dL/dW| so far at any position and truncation

    @property
    def T(self) -> int:
        return len(self.tokens)

    @property
    def received(self) -> np.ndarray:
        """(T+1,) bool: which dL/ds_k are complete (k >= t)."""
        return np.arange(self.T + 1) >= self.t

    @property
    def norms(self) -> np.ndarray:
        """(T+1,) |dL/ds_k| for the complete ones, NaN for the others."""
        return np.linalg.norm(self.d_states, axis=-1)

    @property
    def current_step(self) -> int | None:
        """The step whose backward has just run (t+1), or None at t = T, before any has."""
        return self.t + 1 if self.t < self.T else None


def _sub(k) -> str:
    k = str(k)
    return f"_{k}" if len(k) == 1 else f"_{{{k}}}"


def step_equations(t: int, T: int, cut: bool = False, compact: bool = False) -> tuple:
    """The lecture's equations for stepper position t, in LaTeX (one string per line).

    dL/ds_t is the total derivative (all paths), ∂L/∂y_t the local one.
    compact: write the fractions inline, one line high (the widget's form, so that
    the equations and the figure fit a projector's screen together).
    """
    if compact:
        total, local = r"dL / d%s", r"\partial L / \partial %s"
    else:
        total, local = r"\frac{dL}{d%s}", r"\frac{\partial L}{\partial %s}"
    ds_t, dy_t = total % f"s{_sub(t)}", local % f"y{_sub(t)}"
    if t == T:
        return (ds_t + " = " + dy_t + r" \quad\text{(nothing comes after } s" + _sub(T) + r"\text{)}",)
    n = t + 1
    ds_n = total % f"s{_sub(n)}"
    lines = [rf"dz{_sub(n)} = {ds_n} \odot g'(z{_sub(n)})"]
    from_output = dy_t if t > 0 else r"\mathbf{0}"
    if cut:
        lines.append(rf"{ds_t} = {from_output} \quad\text{{(cut: }} dz{_sub(n)} W_s^\top \text{{ is dropped)}}")
    else:
        lines.append(rf"{ds_t} = {from_output} + dz{_sub(n)} W_s^\top")
    lines.append(
        rf"dW_x \mathrel{{+}}= x{_sub(n)}^\top dz{_sub(n)}, \quad dW_s \mathrel{{+}}= s{_sub(t)}^\top dz{_sub(n)},"
        rf" \quad db \mathrel{{+}}= dz{_sub(n)}"
    )
    return tuple(lines)


def backward_view(t: int | None = None, truncate: int | None = None, hidden_size: int = DEFAULT_HIDDEN) -> BackwardView:
    """What the stepper shows at position t (default T, before any step) for the tagging example.

    The gradients are those of backward_walk (equal to rnnlib.bptt's) on
    tagging_example(hidden_size), with the batch axis squeezed.
    """
    example = tagging_example(hidden_size)
    T = len(example.tokens)
    if t is None:
        t = T
    if isinstance(t, bool) or not isinstance(t, (int, np.integer)):
        raise ValueError(f"t must be an integer, got {t!r}")
    t = clamp_step(t, T)
    walk = backward_walk(example.cell, example.run, example.d_outputs, truncate=truncate)
    final = walk.d_states[:, 0, :]  # (T+1, 1, H) -> (T+1, H)
    shown = final.copy()
    shown[:t] = np.nan  # not complete yet
    done = [step for step in walk.steps if step.t > t]  # the steps T..t+1 have run
    so_far = {
        name: float(np.linalg.norm(sum(step.dparams[name] for step in done))) if done else 0.0 for name in PARAM_NAMES
    }
    cuts = tuple(truncation_cuts(T, truncate))
    from_output = walk.from_outputs[t, 0].copy()
    sender = [step for step in walk.steps if step.t == t + 1]  # the step that sends s_t its share, if any
    from_next = np.zeros_like(from_output)
    if sender and not sender[0].cut:
        from_next = sender[0].to_prev[0].copy()
    return BackwardView(
        tokens=example.tokens,
        t=t,
        truncate=truncate,
        cuts=cuts,
        d_states=shown,
        d_states_final=final,
        from_output=from_output,
        from_next=from_next,
        param_norms=so_far,
        param_norms_final={name: float(np.linalg.norm(walk.params[name])) for name in PARAM_NAMES},
        equations=step_equations(t, T, cut=t in cuts),
        norm_limit=display_limits(hidden_size)[0],
        weight_limit=display_limits(hidden_size)[1],
    )


@lru_cache(maxsize=8)
def display_limits(hidden_size: int = DEFAULT_HIDDEN) -> tuple[float, float]:
    """The largest |dL/ds_k|, and the largest |dL/dW| summed so far, over every position and truncation offered.

    The stepper's axes keep these limits whatever the reader picks, so its bars
    can be compared from one setting to the next.
    """
    example = tagging_example(hidden_size)
    norm_limit = weight_limit = 0.0
    for truncate in TRUNCATIONS:
        walk = backward_walk(example.cell, example.run, example.d_outputs, truncate=truncate)
        norm_limit = max(norm_limit, float(np.linalg.norm(walk.d_states, axis=-1).max()))
        for name in PARAM_NAMES:
            total = np.zeros_like(walk.params[name])
            for step in walk.steps:  # the sums so far, in the order the steps run
                total = total + step.dparams[name]
                weight_limit = max(weight_limit, float(np.linalg.norm(total)))
    return norm_limit, weight_limit
