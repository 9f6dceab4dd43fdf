"""The unrolling stepper's logic: what an unrolled RNN looks like after t steps.

Reading a sentence of T words, a cell computes

    s_1 = R(s_0, x_1)
    s_2 = R(R(s_0, x_1), x_2)
    ...
    s_t = R(s_{t-1}, x_t) = R(R(...R(s_0, x_1)...), x_t)

`stepper_view(sentence, t, cell_kind, hidden_size, seed)` runs a real rnnlib
cell over the sentence and returns a `StepperView`: everything the stepper
shows at step t (the tokens, which cells are done and which one is current,
the nested expression for s_t in LaTeX, and the states s_0..s_t). The
drawing (rnnlib.plotting.unrolling) and the widget (rnnlib.widgets.unrolling)
only display a view; the decisions are made here, in numpy, so tests call
them directly.

Sizes: T tokens, input D (the word vectors), H units, state S (Elman: S = H;
LSTM: S = 2H, the state is [c_t, h_t]).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from rnnlib.core import _validate
from rnnlib.core.cell import Cell
from rnnlib.core.elman import ElmanCell
from rnnlib.core.lstm import LSTMCell
from rnnlib.core.unroll import unroll
from rnnlib.lessons.text import tokenize, word_vectors

DEFAULT_SENTENCE = "John lives in Salt Lake City"
DEFAULT_STEP = 3
DEFAULT_CELL = "elman"
DEFAULT_HIDDEN = 4
SEED = 0
INPUT_SIZE = 8  # D: the length of each word vector x_t
MAX_TOKENS = 12  # longer sentences are cut here, so the drawing stays readable
HIDDEN_RANGE = (2, 16)  # the sizes the widget offers
CELL_KINDS = {"elman": "Elman", "lstm": "LSTM"}


@dataclass(frozen=True)
class StepperView:
    """What the stepper shows at step t of a sentence.

    Cells are numbered 1..T, like the steps: cell k reads x_k and turns
    s_{k-1} into s_k. Cells 1..t are drawn in full, cells t+1..T faded.
    """

    sentence: str  # the sentence as typed
    tokens: tuple  # (T,) the words x_1..x_T stand for (at most MAX_TOKENS)
    t: int  # the current step, 0..T (0: nothing read yet, only s_0)
    cell_kind: str  # "elman" or "lstm"
    hidden_size: int  # H
    seed: int  # the seed of the cell's weights
    expression: str  # LaTeX: s_t as nested applications of R, x's annotated with words
    step_expression: str  # LaTeX: the one step that made s_t, s_t = R(s_{t-1}, x_t)
    states: np.ndarray  # (t+1, S): s_0..s_t of the one sentence (the batch axis squeezed)
    color_limit: float  # the heatmap's colours span [-color_limit, color_limit], the same at every t
    note: str = ""  # a remark for the reader, e.g. that a long sentence was cut

    @property
    def T(self) -> int:
        """The number of steps (tokens) in the sentence."""
        return len(self.tokens)

    @property
    def state_size(self) -> int:
        """S: H for Elman, 2H for the LSTM."""
        return self.states.shape[1]

    @property
    def cells_drawn(self) -> int:
        """How many cells are drawn in full: 1..t, one per step taken."""
        return self.t

    @property
    def highlighted(self) -> int | None:
        """The cell that just ran (cell t), or None at t = 0 when no cell has run."""
        return self.t if self.t >= 1 else None

    @property
    def cell_name(self) -> str:
        return CELL_KINDS[self.cell_kind]


def _sub(k: int) -> str:
    """A LaTeX subscript: _3, but _{12} (braces only where LaTeX needs them)."""
    return f"_{k}" if k < 10 else f"_{{{k}}}"


_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "#": r"\#",
    "%": r"\%",
    "_": r"\_",
    "^": r"\^{}",
    "~": r"\~{}",
}


def latex_text(word: str) -> str:
    """`word` as LaTeX text, its special characters escaped: 'a_b' -> 'a\\_b'."""
    return "".join(_LATEX_SPECIAL.get(ch, ch) for ch in word)


def input_symbol(k: int, words=None) -> str:
    """x_k in LaTeX; with words, the word it stands for written under it."""
    x = f"x{_sub(k)}"
    if words is None:
        return x
    return rf"\underset{{\text{{{latex_text(words[k - 1])}}}}}{{{x}}}"


def nested_expression(t: int, words=None) -> str:
    """The right-hand side of s_t written with R only, in LaTeX.

    nested_expression(0) == "s_0"
    nested_expression(3) == "R(R(R(s_0, x_1), x_2), x_3)"

    words: the tokens x_1.. stand for (at least t of them); each x_k is then
    annotated with its word.
    """
    t = _check_step(t)
    if words is not None and len(words) < t:
        raise ValueError(f"words must hold at least t = {t} tokens, got {len(words)}")
    expr = "s_0"
    for k in range(1, t + 1):
        expr = f"R({expr}, {input_symbol(k, words)})"
    return expr


def state_equation(t: int, words=None) -> str:
    """The equation the stepper shows for s_t: s_0 = 0 at t = 0, else s_t = R(R(...))."""
    t = _check_step(t)
    if t == 0:
        return r"s_0 = \mathbf{0}"
    return f"s{_sub(t)} = {nested_expression(t, words)}"


def step_equation(t: int, words=None) -> str:
    """The single step that made s_t: s_t = R(s_{t-1}, x_t) (s_0 = 0 at t = 0)."""
    t = _check_step(t)
    if t == 0:
        return r"s_0 = \mathbf{0}"
    return f"s{_sub(t)} = R(s{_sub(t - 1)}, {input_symbol(t, words)})"


def make_cell(cell_kind: str, hidden_size: int, input_size: int = INPUT_SIZE, seed: int = SEED) -> Cell:
    """The cell the stepper runs: ElmanCell (tanh) or LSTMCell, weights from `seed`."""
    if cell_kind == "elman":
        return ElmanCell(input_size=input_size, hidden_size=hidden_size, seed=seed)
    if cell_kind == "lstm":
        return LSTMCell(input_size=input_size, hidden_size=hidden_size, seed=seed)
    raise ValueError(f"cell_kind must be one of {sorted(CELL_KINDS)}, got {cell_kind!r}")


def sentence_tokens(sentence: str) -> tuple[tuple, str]:
    """The tokens the stepper reads, and a note when the sentence had to be cut.

    Raises ValueError, with a message for the reader, when there is no word.
    """
    if not isinstance(sentence, str):
        raise ValueError(f"sentence must be a string, got {type(sentence).__name__}")
    tokens = tokenize(sentence)
    if not tokens:
        raise ValueError("Type a sentence of at least one word: there is nothing to unroll yet.")
    note = ""
    if len(tokens) > MAX_TOKENS:
        note = f"Only the first {MAX_TOKENS} of the {len(tokens)} tokens are used, so the drawing stays readable."
        tokens = tokens[:MAX_TOKENS]
    return tuple(tokens), note


def clamp_step(t: int, T: int) -> int:
    """t moved into 0..T, for a slider that outlives a change of sentence."""
    return min(max(int(t), 0), T)


def stepper_view(
    sentence: str = DEFAULT_SENTENCE,
    t: int = DEFAULT_STEP,
    cell_kind: str = DEFAULT_CELL,
    hidden_size: int = DEFAULT_HIDDEN,
    seed: int = SEED,
) -> StepperView:
    """Run a cell over `sentence` and return what the stepper shows at step t.

    t is clamped into 0..T (T the number of tokens). The states are those of
    rnnlib.unroll(make_cell(cell_kind, hidden_size, seed=seed), xs) with
    xs = word_vectors(tokens, INPUT_SIZE) as a batch of one: (T, 1, D).
    Raises ValueError with a message for the reader when the sentence has
    no word, and naming the argument for any other bad value.
    """
    tokens, note = sentence_tokens(sentence)
    if isinstance(t, bool) or not isinstance(t, (int, np.integer)):
        raise ValueError(f"t must be an integer, got {t!r}")
    t = clamp_step(t, len(tokens))
    hidden_size = _validate.positive_int("hidden_size", hidden_size)
    states, color_limit = unrolled_states(tokens, cell_kind, hidden_size, seed)
    return StepperView(
        sentence=sentence,
        tokens=tokens,
        t=t,
        cell_kind=cell_kind,
        hidden_size=hidden_size,
        seed=seed,
        expression=state_equation(t, tokens),
        step_expression=step_equation(t, tokens),
        states=states[: t + 1].copy(),
        color_limit=color_limit,
        note=note,
    )


@lru_cache(maxsize=32)
def unrolled_states(tokens: tuple, cell_kind: str, hidden_size: int, seed: int = SEED) -> tuple[np.ndarray, float]:
    """s_0..s_T (T+1, S) of a cell reading `tokens`, and the colour scale of the stepper's heatmap.

    The states are rnnlib.unroll(make_cell(cell_kind, hidden_size, seed=seed),
    xs).states for xs = word_vectors(tokens, INPUT_SIZE) as a batch of one.
    Kept for the last sentences and cells asked for, since moving t does not
    change them (the array is read-only).
    """
    cell = make_cell(cell_kind, hidden_size, seed=seed)
    xs = word_vectors(list(tokens), INPUT_SIZE)[:, None, :]  # (T, D) -> (T, 1, D): a batch of one sentence
    states = unroll(cell, xs).states[:, 0, :]  # (T+1, 1, S) -> (T+1, S)
    states.flags.writeable = False
    # One colour scale for the whole sentence, so a colour means the same value at every t;
    # rounded up to a tenth, so the colour bar has round ends.
    color_limit = float(np.ceil(np.abs(states).max() * 10) / 10)
    return states, color_limit


def _check_step(t) -> int:
    if isinstance(t, bool) or not isinstance(t, (int, np.integer)) or t < 0:
        raise ValueError(f"t must be a whole number >= 0, got {t!r}")
    return int(t)
