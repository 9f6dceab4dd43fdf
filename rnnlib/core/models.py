"""The usage patterns of an RNN: what is read off the states, and what is trained.

The same recurrence s_t = R(s_{t-1}, x_t), y_t = O(s_t) serves several ways
of using it (the lecture's section 3; the names acceptor, encoder, transducer
and generator are those of Goldberg's primer on neural networks for NLP, 2016).
An affine head turns a vector into scores for K classes: logits = v W + b.

    acceptor          read x_1..x_T, decide once from y_T           Acceptor
                      (or answer one number from y_T)               Regressor
    encoder           y_T as a feature vector for another model     encode, PairClassifier
    transducer        one decision per input, from each y_t         Transducer
                      (bidirectional: from [f_t ; b_t])             BiTransducer
    encoder-decoder   encode x_1..x_T; a second RNN starts from     EncoderDecoder
                      that state and writes z_1..z_M
    generator         one input, many outputs: feed each output     sample
                      back in as the next input

Every model is a `Model`, with one interface, so `rnnlib.fit` trains them all:

    model.params                        list of parameter dicts (cells first, then heads)
    model.forward(inputs, mask=None)    -> (logits, cache)
    model.backward(dlogits, cache)      -> list of gradient dicts, matching model.params
    model.loss_and_grads(batch)         -> (loss, grads): softmax cross-entropy, for fit
    model.predict(inputs, mask=None)    -> the class of largest score

Every backward pass goes through rnnlib.bptt.

Sizes: T steps in, M steps out, batch B, input D, state S, output H of a
cell, K classes. Sequences are time-major: xs (T, B, D).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from rnnlib.core import _validate
from rnnlib.core.activations import softmax
from rnnlib.core.bidirectional import BiRun, bidirectional_bptt, bidirectional_unroll
from rnnlib.core.cell import Cell
from rnnlib.core.layers import Affine
from rnnlib.core.losses import mse, mse_backward, softmax_cross_entropy, softmax_cross_entropy_backward
from rnnlib.core.unroll import Run, bptt, last_output_only, unroll


def encode(cell: Cell, xs, s0=None) -> np.ndarray:
    """The encoder: the last output y_T = O(s_T) of a run over xs (T, B, D), a vector (B, H) per sequence."""
    return cell.output(unroll(cell, xs, s0).states[-1])


class Model:
    """What every model here shares: its parameters, the loss and its gradients, a prediction.

    A model lists its cells and heads in `modules`, in the order of `params`,
    and defines forward(inputs, mask) -> (logits, cache) and
    backward(dlogits, cache) -> a list of gradient dicts matching `params`.
    A batch is (inputs, targets) or (inputs, targets, mask).
    """

    modules: tuple = ()

    @property
    def params(self) -> list:
        return [m.params for m in self.modules]

    def loss_and_grads(self, batch) -> tuple[float, list]:
        """Softmax cross-entropy of the logits against the targets, and its gradients."""
        inputs, targets, mask = batch if len(batch) == 3 else (*batch, None)
        logits, cache = self.forward(inputs, mask)
        loss = softmax_cross_entropy(logits, targets, mask)
        return loss, self.backward(softmax_cross_entropy_backward(logits, targets, mask), cache)

    def predict(self, inputs, mask=None) -> np.ndarray:
        """The class of largest score."""
        return self.forward(inputs, mask)[0].argmax(axis=-1)


class CellWithHead(Model):
    """A model of one cell and an Affine head that reads the cell's outputs y_t (B or T, B, H) -> logits."""

    def __init__(self, cell: Cell, head: Affine):
        if head.in_size != cell.hidden_size:
            raise ValueError(f"head.in_size must be the cell's hidden_size {cell.hidden_size}, got {head.in_size}")
        self.cell, self.head = cell, head
        self.modules = (cell, head)


# ---------------------------------------------------------------------------
# acceptor


class AcceptorCache(NamedTuple):
    run: Run  # the cell's run over xs
    head: np.ndarray  # the head's cache: y_T (B, H)


class Acceptor(CellWithHead):
    """Read the whole sequence, then decide once: logits = O(s_T) W + b, (B, K).

    Acceptor(cell, head) with head = Affine(cell.hidden_size, K).
    A batch for `loss_and_grads` is (xs (T, B, D), labels (B,) int).
    """

    def forward(self, xs, mask=None) -> tuple[np.ndarray, AcceptorCache]:
        run = unroll(self.cell, xs)
        logits, head_cache = self.head.forward(run.outputs[-1])  # only y_T is read
        return logits, AcceptorCache(run, head_cache)

    def backward(self, dlogits, cache: AcceptorCache) -> list:
        dy_T, dhead = self.head.backward(dlogits, cache.head)
        d_outputs = last_output_only(cache.run, dy_T)  # the loss reaches the run through y_T alone
        return [bptt(self.cell, cache.run, d_outputs).params, dhead]




class Regressor(Acceptor):
    """Read the whole sequence, then answer one number: p = O(s_T) W + b, (B, 1), trained on squared error.

    The acceptor with one output and a squared-error loss: the adding problem
    of notebooks 6 and 7. Regressor(cell, head) with head = Affine(cell.hidden_size, 1).
    A batch for `loss_and_grads` is (xs (T, B, D), targets (B, 1)).
    """

    def __init__(self, cell: Cell, head: Affine):
        if head.out_size != 1:
            raise ValueError(f"head must give one number, Affine({cell.hidden_size}, 1), got out_size {head.out_size}")
        super().__init__(cell, head)

    def loss_and_grads(self, batch) -> tuple[float, list]:
        """The mean squared error of p against the targets, and its gradients."""
        xs, targets = batch[:2]
        p, cache = self.forward(xs)
        return mse(p, targets), self.backward(mse_backward(p, targets), cache)

    def predict(self, xs, mask=None) -> np.ndarray:
        """The answer p = y_T W + b, (B, 1)."""
        return self.forward(xs)[0]


# ---------------------------------------------------------------------------
# encoder: the final vector, used by another model


class PairCache(NamedTuple):
    runs: tuple  # the runs over the two sequences
    diff: np.ndarray  # e_1 - e_2 (B, H)
    head: np.ndarray  # the head's cache: the features (B, H)


class PairClassifier(CellWithHead):
    """Two sequences, one encoder, and a classifier that sees only their vectors.

    e_1 = encode(cell, xs_1), e_2 = encode(cell, xs_2)   (the same cell reads both)
    features f = (e_1 - e_2)^2  (elementwise, B, H),     logits = f W + b  (B, K)

    The classifier never sees a sequence: only the two vectors the encoder
    made. A batch for `loss_and_grads` is ((xs_1, xs_2), labels (B,) int).
    """

    def forward(self, pair, mask=None) -> tuple[np.ndarray, PairCache]:
        xs_1, xs_2 = pair
        runs = (unroll(self.cell, xs_1), unroll(self.cell, xs_2))
        diff = runs[0].outputs[-1] - runs[1].outputs[-1]  # e_1 - e_2
        logits, head_cache = self.head.forward(diff**2)
        return logits, PairCache(runs, diff, head_cache)

    def backward(self, dlogits, cache: PairCache) -> list:
        dfeatures, dhead = self.head.backward(dlogits, cache.head)
        de_1 = 2.0 * cache.diff * dfeatures  # d(e_1 - e_2)^2 / de_1
        dcell = {key: np.zeros_like(value) for key, value in self.cell.params.items()}
        for run, de in zip(cache.runs, (de_1, -de_1)):
            for key, g in bptt(self.cell, run, last_output_only(run, de)).params.items():
                dcell[key] += g  # one cell read both sequences: its gradient is the sum
        return [dcell, dhead]




# ---------------------------------------------------------------------------
# transducer


class TransducerCache(NamedTuple):
    run: Run
    head: np.ndarray  # the head's cache: the outputs (T, B, H)


class Transducer(CellWithHead):
    """One decision per input: logits_t = O(s_t) W + b, (T, B, K).

    Transducer(cell, head) with head = Affine(cell.hidden_size, K). A batch
    for `loss_and_grads` is (xs (T, B, D), targets (T, B) int, mask (T, B)
    bool or None); the mask leaves out the padding after shorter sequences.
    Padding comes after a sequence's end, so it never changes y_1..y_L.
    truncate=k trains with truncated backpropagation through time (see bptt).
    """

    def __init__(self, cell: Cell, head: Affine, truncate: int | None = None):
        super().__init__(cell, head)
        self.truncate = truncate  # bptt's truncate= (notebook 5): None backpropagates through the whole sequence

    def forward(self, xs, mask=None) -> tuple[np.ndarray, TransducerCache]:
        # mask is accepted for the same interface as BiTransducer; padding at the end changes no earlier y_t
        run = unroll(self.cell, xs)
        logits, head_cache = self.head.forward(run.outputs)  # (T, B, H) @ (H, K) -> (T, B, K)
        return logits, TransducerCache(run, head_cache)

    def backward(self, dlogits, cache: TransducerCache) -> list:
        d_outputs, dhead = self.head.backward(dlogits, cache.head)
        return [bptt(self.cell, cache.run, d_outputs, truncate=self.truncate).params, dhead]




# ---------------------------------------------------------------------------
# bidirectional transducer (notebook 4)


class BiTransducerCache(NamedTuple):
    run: BiRun
    head: np.ndarray  # the head's cache: the outputs (T, B, H_f + H_b)


class BiTransducer(Model):
    """A tagger on a bidirectional RNN: logits_t = [O_f(f_t) ; O_b(b_t)] W + b, (T, B, K).

    BiTransducer(cell_f, cell_b, head) with head = Affine(H_f + H_b, K); the
    same interface as rnnlib.core.models.Transducer. A batch for
    `loss_and_grads` is (xs (T, B, D), targets (T, B) int, mask (T, B) bool
    or None), the mask True on each sequence's first L steps: the backward
    cell starts at step L, not in the padding.
    """

    def __init__(self, cell_f: Cell, cell_b: Cell, head: Affine):
        if head.in_size != cell_f.hidden_size + cell_b.hidden_size:
            raise ValueError(
                f"head.in_size must be H_f + H_b = {cell_f.hidden_size + cell_b.hidden_size}, got {head.in_size}"
            )
        self.cell_f, self.cell_b, self.head = cell_f, cell_b, head
        self.modules = (cell_f, cell_b, head)

    def forward(self, xs, mask=None) -> tuple[np.ndarray, BiTransducerCache]:
        lengths = None if mask is None else np.asarray(mask, dtype=bool).sum(axis=0)
        run = bidirectional_unroll(self.cell_f, self.cell_b, xs, lengths=lengths)
        logits, head_cache = self.head.forward(run.outputs)  # (T, B, H_f + H_b) @ (H_f + H_b, K) -> (T, B, K)
        return logits, BiTransducerCache(run, head_cache)

    def backward(self, dlogits, cache: BiTransducerCache) -> list:
        d_outputs, dhead = self.head.backward(dlogits, cache.head)
        grads = bidirectional_bptt(self.cell_f, self.cell_b, cache.run, d_outputs)
        return [grads.forward.params, grads.backward.params, dhead]




# ---------------------------------------------------------------------------
# encoder-decoder


class EncoderDecoderCache(NamedTuple):
    encoder: Run
    decoder: Run
    head: np.ndarray  # the head's cache: the decoder's outputs (M, B, H)


class EncoderDecoder(Model):
    """Read one sequence, then write another.

    The encoder reads x_1..x_T; its last state s_T becomes the decoder's
    first state. The decoder then reads z_0..z_{M-1}, where z_0 is a start
    symbol and z_m is the m-th symbol of the output, and predicts the next
    symbol at every step: logits_m = O(d_m) W + b, (M, B, K).

    In training z_m is the true m-th symbol (teacher forcing); `generate`
    feeds back the model's own choice instead. Symbols are one-hot: the
    decoder's input size is K + 1, the last index being the start symbol.

    EncoderDecoder(encoder_cell, decoder_cell, head); both cells must have
    the same state size. A batch for `loss_and_grads` is
    ((xs (T, B, D), zs (M, B, K + 1)), targets (M, B) int).
    """

    def __init__(self, encoder: Cell, decoder: Cell, head: Affine):
        if encoder.state_size != decoder.state_size:
            raise ValueError(
                f"the decoder's state size must be the encoder's {encoder.state_size}, got {decoder.state_size}"
            )
        if head.in_size != decoder.hidden_size or decoder.input_size != head.out_size + 1:
            raise ValueError(
                f"head must be Affine({decoder.hidden_size}, K) and the decoder's input size K + 1, "
                f"got head {head.in_size} -> {head.out_size} and decoder input {decoder.input_size}"
            )
        self.encoder, self.decoder, self.head = encoder, decoder, head
        self.modules = (encoder, decoder, head)
        self.n_symbols = head.out_size

    def start_inputs(self, targets) -> np.ndarray:
        """The decoder's inputs for teacher forcing: the start symbol, then targets[:-1], one-hot (M, B, K + 1)."""
        targets = np.asarray(targets)
        M, B = targets.shape
        K = self.n_symbols
        ids = np.concatenate([np.full((1, B), K), targets[:-1]])  # z_0 = start, z_m = target m
        return np.eye(K + 1, dtype=self.decoder.dtype)[ids]

    def forward(self, inputs, mask=None) -> tuple[np.ndarray, EncoderDecoderCache]:
        xs, zs = inputs
        enc = unroll(self.encoder, xs)
        dec = unroll(self.decoder, zs, s0=enc.states[-1])  # the decoder starts from s_T
        logits, head_cache = self.head.forward(dec.outputs)
        return logits, EncoderDecoderCache(enc, dec, head_cache)

    def backward(self, dlogits, cache: EncoderDecoderCache) -> list:
        d_outputs, dhead = self.head.backward(dlogits, cache.head)
        ddec = bptt(self.decoder, cache.decoder, d_outputs)
        d_states = np.zeros_like(cache.encoder.states)
        d_states[-1] = ddec.states[0]  # what reaches the decoder's s_0 reaches the encoder's s_T
        denc = bptt(self.encoder, cache.encoder, d_states=d_states)
        return [denc.params, ddec.params, dhead]

    def generate(self, xs, length: int) -> np.ndarray:
        """Encode xs (T, B, D), then write `length` symbols, each the most likely one; returns (length, B) int."""
        length = _validate.positive_int("length", length)
        s = unroll(self.encoder, xs).states[-1]
        B, K = s.shape[0], self.n_symbols
        z = np.eye(K + 1, dtype=self.decoder.dtype)[np.full(B, K)]  # the start symbol
        out = np.empty((length, B), dtype=np.int64)
        for m in range(length):
            s = self.decoder.step(s, z)
            logits, _ = self.head.forward(self.decoder.output(s))
            out[m] = logits.argmax(axis=-1)
            z = np.eye(K + 1, dtype=self.decoder.dtype)[out[m]]  # feed back its own choice
        return out

    def predict(self, inputs, mask=None) -> np.ndarray:
        return self.generate(inputs[0], inputs[1].shape[0])


# ---------------------------------------------------------------------------
# generator


def temperature_probs(logits, temperature: float) -> np.ndarray:
    """softmax(logits / temperature) along the last axis.

    temperature < 1 sharpens the distribution towards the most likely class,
    1 leaves the model's own probabilities, > 1 flattens it towards uniform.
    """
    if not (np.isfinite(temperature) and temperature > 0):
        raise ValueError(f"temperature must be a positive number, got {temperature!r}")
    return softmax(np.asarray(logits, dtype=np.float64) / temperature)


@dataclass
class Sample:
    """What `sample` wrote."""

    ids: np.ndarray  # (length,) the symbols written, after the start symbol
    probs: np.ndarray  # (length, K) the distribution each was drawn from


def sample(cell: Cell, head: Affine, start: int, length: int, temperature: float = 1.0, rng=None) -> Sample:
    """The generator: from one input symbol, write `length` symbols, each fed back as the next input.

    x_1 = onehot(start); at each step y_t = O(s_t), p_t = softmax((y_t W + b) / temperature),
    the symbol c_t is drawn from p_t, and x_{t+1} = onehot(c_t). The cell's
    input size is the number of symbols K. rng: a np.random.Generator.
    """
    length = _validate.positive_int("length", length)
    rng = np.random.default_rng(rng)
    K = cell.input_size
    if head.out_size != K:
        raise ValueError(f"head.out_size must be the cell's input size {K} (one score per symbol), got {head.out_size}")
    if not 0 <= int(start) < K:
        raise ValueError(f"start must be a symbol in 0..{K - 1}, got {start!r}")
    eye = np.eye(K, dtype=cell.dtype)
    s = cell.initial_state(1)
    symbol = int(start)
    ids = np.empty(length, dtype=np.int64)
    probs = np.empty((length, K))
    for t in range(length):
        s = cell.step(s, eye[[symbol]])  # s_t = R(s_{t-1}, x_t)
        logits, _ = head.forward(cell.output(s))
        probs[t] = temperature_probs(logits[0], temperature)
        symbol = int(rng.choice(K, p=probs[t]))
        ids[t] = symbol
    return Sample(ids=ids, probs=probs)
