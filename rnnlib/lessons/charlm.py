"""A character-level language model on real text: the source code of Python's own standard library.

The text needs no download: it is read from the reader's own Python
installation, the source files of the modules in STDLIB_MODULES (each of
them ships with every Python from 3.10 on). Their contents change a little
from one Python version to the next, so every number measured here does
too; what the notebook claims holds on every version.

The model reads one character at a time and predicts the next:

    x_t = onehot(c_t)              (V,)    the character at step t, V = len(VOCAB)
    s_t = R(s_{t-1}, x_t)                  an LSTM cell
    p_t = softmax(O(s_t) W + b)    (V,)    its guess at c_{t+1}

and is measured in bits per character on text it never trained on:

    bits per character = mean over t of -log2 p_t[c_{t+1}]

A model that ignores the past does no better than the unigram frequencies;
one that looks one character back, no better than the bigram frequencies.
Both baselines are counted on the training part only, with add-one
smoothing (every count starts at 1, so no character has probability 0).

    text = stdlib_text()                       the modules' source, joined
    corpus = make_corpus(text)                 ids, the first 90 % to train on, the last 10 % held out
    unigram_bits(train, test), bigram_bits(train, test)   the baselines, counted on train, measured on test
    outcome = train_char_lm(corpus, ...)       an LSTM trained on windows of the training part (an Outcome)
    held_out_bits(model, ids)                  a trained model's bits per character on any ids
    write(model, length, temperature, seed, prompt)   text it writes after reading a prompt

Sizes: V symbols, H units, B windows per batch, L characters per window.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rnnlib.core import _validate
from rnnlib.core.activations import log_softmax
from rnnlib.core.layers import Affine
from rnnlib.core.lstm import LSTMCell
from rnnlib.core.models import Transducer, temperature_probs
from rnnlib.core.optim import Adam
from rnnlib.core.train import fit
from rnnlib.lessons.outcome import Outcome

# The symbols: a newline and the 95 printable ASCII characters. Anything else
# (the rare tab or non-ASCII letter in a docstring) is read as "?".
VOCAB = "\n" + "".join(chr(code) for code in range(32, 127))
UNKNOWN = "?"
_INDEX = {c: i for i, c in enumerate(VOCAB)}

# Pure-Python modules of the standard library, found as source files in every
# CPython from 3.10 on (none of them frozen, none deprecated); about half a
# million characters of code, docstrings and comments in all.
STDLIB_MODULES = (
    "argparse",
    "dataclasses",
    "textwrap",
    "difflib",
    "calendar",
    "configparser",
    "shutil",
    "tempfile",
    "random",
    "contextlib",
    "functools",
)


def module_source(name: str) -> str:
    """The source code of the standard-library module `name`, read from this Python's installation."""
    spec = importlib.util.find_spec(name)
    origin = None if spec is None else spec.origin
    if origin is None or not origin.endswith(".py") or not Path(origin).is_file():
        raise ValueError(f"the module {name!r} has no source file in this Python installation (found {origin!r})")
    return Path(origin).read_text(encoding="utf-8")


def stdlib_text(modules=STDLIB_MODULES) -> str:
    """The source of `modules`, in that order, separated by blank lines."""
    modules = list(modules)
    if not modules:
        raise ValueError("modules must name at least one module")
    return "\n\n".join(module_source(name) for name in modules)


def encode(text: str) -> np.ndarray:
    """The ids of the characters of `text` in VOCAB, (N,) int; characters outside VOCAB become "?"."""
    unknown = _INDEX[UNKNOWN]
    return np.array([_INDEX.get(c, unknown) for c in text], dtype=np.int64)


def decode(ids) -> str:
    """The text of the ids."""
    return "".join(VOCAB[int(i)] for i in np.asarray(ids).ravel())


@dataclass
class Corpus:
    """A text as ids, cut in two: the model trains on `train` and is measured on `test`."""

    train: np.ndarray  # (N_train,) the first part
    test: np.ndarray  # (N_test,)  the last part, never read in training
    unknown: int  # how many characters of the whole text were outside VOCAB (read as "?")


def make_corpus(text: str, held_out: float = 0.1) -> Corpus:
    """Encode `text` and hold out its last `held_out` fraction."""
    if not 0.0 < held_out < 1.0:
        raise ValueError(f"held_out must be a fraction between 0 and 1, got {held_out!r}")
    ids = encode(text)
    cut = int(round(len(ids) * (1.0 - held_out)))
    if cut < 2 or len(ids) - cut < 2:
        raise ValueError(f"text must be long enough for two parts of at least 2 characters, got {len(ids)}")
    unknown = sum(1 for c in text if c not in _INDEX)
    return Corpus(train=ids[:cut], test=ids[cut:], unknown=unknown)


# ---- measures and baselines -------------------------------------------------------


def bits_per_char(probs, targets) -> float:
    """Mean of -log2 probs[t, targets[t]]: probs (N, V) rows of probabilities, targets (N,) int."""
    probs = _validate.array("probs", probs, 2, np.float64, ("N", "V"))
    targets = np.asarray(targets)
    if targets.shape != probs.shape[:1] or not np.issubdtype(targets.dtype, np.integer):
        raise ValueError(f"targets must be integers of shape {probs.shape[:1]}, got {targets.dtype} {targets.shape}")
    p = probs[np.arange(len(targets)), targets]
    return float(-np.mean(np.log2(p)))


def unigram_probs(train, V: int = len(VOCAB)) -> np.ndarray:
    """p(c) = (count(c) + 1) / (N + V), counted on `train` (ids in 0..V-1): (V,)."""
    counts = np.bincount(np.asarray(train), minlength=V) + 1.0
    return counts / counts.sum()


def bigram_probs(train, V: int = len(VOCAB)) -> np.ndarray:
    """p(b | a) = (count(a b) + 1) / (count(a .) + V), counted on `train`: (V, V), row a sums to 1."""
    train = np.asarray(train)
    counts = np.ones((V, V))
    np.add.at(counts, (train[:-1], train[1:]), 1.0)  # count(a b): a followed by b in the training text
    return counts / counts.sum(axis=1, keepdims=True)  # each row a is p(. | a)


def unigram_bits(train, test, V: int = len(VOCAB)) -> float:
    """Bits per character of the unigram model counted on `train`, on every character of `test` after its first."""
    test = np.asarray(test)
    return float(-np.mean(np.log2(unigram_probs(train, V)[test[1:]])))


def bigram_bits(train, test, V: int = len(VOCAB)) -> float:
    """Bits per character of the bigram model counted on `train`, on every character of `test` after its first."""
    test = np.asarray(test)
    return float(-np.mean(np.log2(bigram_probs(train, V)[test[:-1], test[1:]])))


# ---- the model -------------------------------------------------------------------


def make_char_lm(hidden_size: int = 128, seed=0, dtype=np.float32) -> Transducer:
    """An LSTM over one-hot characters and an Affine head with one score per character (a Transducer)."""
    V = len(VOCAB)
    cell = LSTMCell(input_size=V, hidden_size=hidden_size, seed=seed, dtype=dtype)
    head = Affine(hidden_size, V, seed=None if seed is None else seed + 1, dtype=dtype)
    return Transducer(cell, head)


def _layers(model) -> list:
    """The cells a model reads its input with, bottom first: a Transducer's cell, a StackedTransducer's cells."""
    layers = list(getattr(model, "cells", None) or [model.cell])
    V = len(VOCAB)
    if layers[0].input_size != V or model.head.out_size != V:
        raise ValueError(f"the model must read and predict the {V} symbols of VOCAB, got input size "
                         f"{layers[0].input_size} and {model.head.out_size} scores")  # fmt: skip
    return layers


def _step(layers, states, x):
    """One step of every layer, bottom first; returns the new states and the top layer's output."""
    new_states = []
    for cell, s in zip(layers, states):
        s = cell.step(s, x)  # s_t = R(s_{t-1}, x_t); the layer above reads this layer's output
        new_states.append(s)
        x = cell.output(s)
    return new_states, x


def held_out_bits(model, ids, columns: int = 64) -> float:
    """The model's bits per character on ids (N,): every character after the first, predicted from all before it.

    The text is read in `columns` pieces side by side (a batch), each from a
    zero state; the pieces are consecutive, so the last one simply reads on
    to the end. Forward only: nothing is kept for a backward pass.
    """
    ids = np.asarray(ids)
    columns = _validate.positive_int("columns", columns)
    n_pairs = len(ids) - 1
    m = n_pairs // columns
    if m < 1:
        raise ValueError(f"ids must hold more than {columns} characters to read in {columns} columns, got {len(ids)}")
    layers, head = _layers(model), model.head
    eye = np.eye(len(VOCAB), dtype=layers[0].dtype)
    inputs = ids[: m * columns].reshape(columns, m).T  # (m, columns): column j reads ids[j m : (j + 1) m]
    targets = ids[1 : m * columns + 1].reshape(columns, m).T
    total = 0.0
    states = [cell.initial_state(columns) for cell in layers]
    for t in range(m):
        states, y = _step(layers, states, eye[inputs[t]])
        logp = log_softmax(head.forward(y)[0].astype(np.float64))  # (columns, V)
        total -= logp[np.arange(columns), targets[t]].sum()
    states = [s[-1:] for s in states]  # the last column reads on over what is left
    for k in range(m * columns, n_pairs):
        states, y = _step(layers, states, eye[ids[[k]]])
        total -= log_softmax(head.forward(y)[0].astype(np.float64))[0, ids[k + 1]]
    return float(total / n_pairs / np.log(2))


def train_char_lm(
    corpus: Corpus,
    model=None,
    hidden_size: int = 128,
    steps: int = 1500,
    batch_size: int = 32,
    length: int = 64,
    lr: float = 0.01,
    clip_norm: float = 1.0,
    seed: int = 0,
    eval_every: int = 100,
    margin: float = 0.75,
    dtype=np.float32,
    progress=True,
) -> Outcome:
    """Train a language model on windows of corpus.train; measure it on corpus.test.

    model: None builds make_char_lm(hidden_size, seed, dtype), an LSTM; any
    Transducer or rnnlib.lessons.stacked.StackedTransducer over VOCAB may be given instead.

    Each step reads `batch_size` windows of `length` + 1 characters at random
    places of the training part (seeded by seed and the step) and predicts
    every next character (softmax cross-entropy; Adam; clipping). Every
    `eval_every` steps, before that step's update, it is also measured on the
    first 64 * 100 characters of the held-out part, for the learning curve;
    nothing is chosen by it.

    The Outcome's score is the held-out bits per character; its baseline is
    the bigram model, and success means at least `margin` bits below it.
    details: "unigram bits", "train curve" (steps,) the training loss in
    bits, "held-out curve" (steps, bits) pairs.
    """
    for name, value in (("hidden_size", hidden_size), ("steps", steps), ("batch_size", batch_size),
                        ("length", length), ("eval_every", eval_every)):  # fmt: skip
        _validate.positive_int(name, value)
    if len(corpus.train) < length + 2:
        raise ValueError(f"corpus.train must be longer than length + 1 = {length + 1}, got {len(corpus.train)}")
    label = "your model"
    if model is None:
        model = make_char_lm(hidden_size, seed=seed, dtype=dtype)
        label = f"LSTM, {hidden_size} units"
    eye = np.eye(len(VOCAB), dtype=_layers(model)[0].dtype)
    probe = corpus.test[: 64 * 100 + 1]
    curve = []

    def next_batch(step):
        if step % eval_every == 0:  # the held-out bits so far, before this step's update
            curve.append((step, held_out_bits(model, probe)))
        starts = np.random.default_rng([seed, step]).integers(0, len(corpus.train) - length, size=batch_size)
        windows = np.stack([corpus.train[a : a + length + 1] for a in starts])  # (B, L + 1)
        return eye[windows[:, :-1].T], windows[:, 1:].T  # one-hot inputs (L, B, V), next characters (L, B)

    opt = Adam(model.params, lr=lr)
    label += ", on Python's source"
    history = fit(model.loss_and_grads, model.params, next_batch, steps, opt, clip_norm, progress, label)
    curve.append((steps, held_out_bits(model, probe)))
    bigram = bigram_bits(corpus.train, corpus.test)
    details = {
        "unigram bits": unigram_bits(corpus.train, corpus.test),
        "train curve": history.losses / np.log(2),
        "held-out curve": np.array(curve),
    }
    return Outcome(model, history, "held-out bits per character", held_out_bits(model, corpus.test),
                   "bigram model", bigram, bigram - margin, higher_is_better=False, details=details)  # fmt: skip


def write(model, length: int = 400, temperature: float = 1.0, seed=0, prompt: str = "\n") -> str:
    """The model reads `prompt`, then writes `length` characters (seeded); returns what it wrote.

    The generator of rnnlib.core.models.sample, started from a prompt: each
    character is drawn from softmax(logits / temperature) and fed back in as
    the next input. temperature < 1 sharpens the model's distribution, > 1 flattens it.
    """
    length = _validate.positive_int("length", length)
    if not prompt or any(c not in _INDEX for c in prompt):
        raise ValueError(f"prompt must be a non-empty string of characters of VOCAB, got {prompt!r}")
    layers, head = _layers(model), model.head
    rng = np.random.default_rng(seed)
    eye = np.eye(len(VOCAB), dtype=layers[0].dtype)
    ids = encode(prompt)
    states = [cell.initial_state(1) for cell in layers]
    for i in ids[:-1]:  # read the prompt
        states, _ = _step(layers, states, eye[[i]])
    symbol = int(ids[-1])
    written = []
    for _ in range(length):
        states, y = _step(layers, states, eye[[symbol]])
        logits, _ = head.forward(y)
        symbol = int(rng.choice(len(VOCAB), p=temperature_probs(logits[0], temperature)))
        written.append(symbol)
    return decode(written)
