"""Checkers for notebook 8, beyond the lecture.

check_gru_parameter_count(fn)   fn(D, H) -> the number of parameters of a GRUCell(input_size=D, hidden_size=H)
check_gru_step(fn)              fn(cell, h_prev, x) -> h_t (B, H), one GRU step from the equations
check_bits_per_char(fn)         fn(probs, targets) -> mean -log2 probs[t, targets[t]], a float
check_bigram_bits(fn)           fn(train, test, V) -> the held-out bits per character of the add-one bigram model
solution(name)                  prints rnnlib's own answer: "gru_parameter_count", "gru_step",
                                "bits_per_char" or "bigram_bits"
"""

from __future__ import annotations

import numpy as np

from rnnlib.core.activations import sigmoid
from rnnlib.core.gru import GRUCell
from rnnlib.exercises import Report, as_array, close, run_check, shape_problem, solution_printer
from rnnlib.lessons import charlm
from rnnlib.lessons.gru_gates import gru_parameter_count
from rnnlib.lessons.lstm_gates import parameter_count


def _as_float(got):
    try:
        value = float(got)
    except (TypeError, ValueError):
        return None
    return value if np.isfinite(value) else None


# ---- the parameter count -------------------------------------------------------------


def check_gru_parameter_count(fn) -> Report:
    """Compare fn(D, H) with the number of parameters of a real GRUCell(D, H)."""
    report = Report("GRU parameter count")
    for D, H in ((2, 32), (96, 128), (1, 1), (300, 50)):
        expect = parameter_count(GRUCell(input_size=D, hidden_size=H, seed=0))

        def compare(got, expect, D=D, H=H):
            try:
                got = int(got)
            except (TypeError, ValueError):
                return f"expected a whole number, got {type(got).__name__}"
            if got == expect:
                return None
            if got == 3 * H * (D + H + 1):
                return "b_s is missing: the GRU has a second bias of 3H on the recurrent side"
            if got == 4 * H * (D + H + 1):
                return "that is an LSTM's count: the GRU has three blocks (r, z, n), not four"
            if got == H * (D + H + 1):
                return "that is an Elman cell's count: the GRU has three blocks (r, z, n), each an Elman cell's size"
            if got == 3 * H * (D + H):
                return "the biases are missing: b and b_s have 3H entries each"
            if got == 2 * H * (D + H + 2) or got == 2 * H * (D + H + 1):
                return "the candidate n_t has its own block of weights too: three blocks, r, z and n"
            return f"expected {expect}, got {got}"

        run_check(report, f"D = {D}, H = {H}", fn, D, H, expect=expect, compare=compare)
    return report


# ---- one GRU step ------------------------------------------------------------------


def _gru_cases():
    """(description, cell, h_prev, x) with every bias different from 0, B = 1 and B = 3."""
    cases = []
    for k, (D, H, B) in enumerate(((3, 4, 1), (2, 5, 3), (4, 3, 2))):
        rng = np.random.default_rng(80 + k)
        cell = GRUCell(input_size=D, hidden_size=H, seed=80 + k)
        cell.params["b"] += rng.normal(scale=0.5, size=3 * H)
        cell.params["b_s"] += rng.normal(scale=0.5, size=3 * H)
        cases.append((f"D = {D}, H = {H}, B = {B}", cell, rng.normal(size=(B, H)), rng.normal(size=(B, D))))
    return cases


def _gru_slip(cell, h_prev, x, order=(0, 1, 2), reset="after", keep="z", b_s=True, n_act=np.tanh, reset_on=True):
    """One GRU step with one slip switched on (the defaults give the right step)."""
    H = cell.hidden_size
    W_x, W_s, b = cell.params["W_x"], cell.params["W_s"], cell.params["b"]
    bs = cell.params["b_s"] if b_s else 0.0
    zx = x @ W_x + b
    a = h_prev @ W_s + bs
    blk = [slice(j * H, (j + 1) * H) for j in order]  # where the code reads r, z and n
    r = sigmoid(zx[:, blk[0]] + a[:, blk[0]]) if reset_on else 1.0
    z = sigmoid(zx[:, blk[1]] + a[:, blk[1]])
    if reset == "after":  # r_t * (h_{t-1} W_s^n + b_s^n), as in rnnlib and PyTorch
        n = n_act(zx[:, blk[2]] + r * a[:, blk[2]])
    else:  # (r_t * h_{t-1}) W_s^n + b_s^n, the other variant
        n = n_act(zx[:, blk[2]] + (r * h_prev) @ W_s[:, blk[2]] + (bs[blk[2]] if b_s else 0.0))
    return (1 - z) * n + z * h_prev if keep == "z" else z * n + (1 - z) * h_prev


_STEP_SLIPS = [
    (dict(keep="1-z"), "z_t multiplies h_{t-1} here (PyTorch's convention): h_t = (1 - z_t) * n_t + z_t * h_{t-1}"),
    (dict(reset="before"), "the reset gate multiplies the product h_{t-1} W_s^n + b_s^n, not h_{t-1} before it "
                           "(that is the other variant of the GRU; rnnlib and PyTorch use this one)"),
    (dict(order=(1, 0, 2)), "the blocks of W_x, W_s, b and b_s are r, z, n in that order (PyTorch's)"),
    (dict(order=(0, 2, 1)), "the blocks of W_x, W_s, b and b_s are r, z, n in that order (PyTorch's)"),
    (dict(b_s=False), "b_s is missing: h_{t-1} W_s + b_s is the recurrent share"),
    (dict(n_act=sigmoid), "the candidate n_t uses tanh, not the sigmoid: it may be negative"),
    (dict(reset_on=False), "the reset gate r_t is missing from the candidate"),
]


def check_gru_step(fn) -> Report:
    """Compare fn(cell, h_prev, x) with cell.step(h_prev, x) on three cells and batches."""
    report = Report("one GRU step h_t = R(h_{t-1}, x_t)")
    for what, cell, h_prev, x in _gru_cases():
        expect = cell.step(h_prev, x)

        def compare(got, expect, cell=cell, h_prev=h_prev, x=x):
            got = as_array(got)
            if problem := shape_problem(got, expect, "(B, H)"):
                return problem
            if close(got, expect):
                return None
            for slip, message in _STEP_SLIPS:
                if close(got, _gru_slip(cell, h_prev, x, **slip)):
                    return message
            return f"largest difference from cell.step: {np.max(np.abs(got - expect)):.3g}"

        run_check(report, what, fn, cell, h_prev.copy(), x.copy(), expect=expect, compare=compare)
    return report


# ---- bits per character --------------------------------------------------------------


def _bits_cases():
    cases = []
    for k, (N, V) in enumerate(((5, 4), (40, 96), (1, 3))):
        rng = np.random.default_rng(90 + k)
        logits = rng.normal(scale=2.0, size=(N, V))
        probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
        cases.append((f"N = {N}, V = {V}", probs, rng.integers(0, V, size=N)))
    return cases


def check_bits_per_char(fn) -> Report:
    """Compare fn(probs, targets) with rnnlib.lessons.charlm.bits_per_char."""
    report = Report("bits per character")
    for what, probs, targets in _bits_cases():
        expect = charlm.bits_per_char(probs, targets)
        p = probs[np.arange(len(targets)), targets]

        def compare(got, expect, p=p, probs=probs):
            value = _as_float(got)
            if value is None:
                return f"expected one finite number, got {got!r}"
            if abs(value - expect) < 1e-9:
                return None
            if abs(value - expect * np.log(2)) < 1e-9:
                return "that is in nats (natural log): bits use log2, or divide by ln 2"
            if abs(value + expect) < 1e-9:
                return "the sign: bits per character is -log2 p, a positive number"
            if abs(value - expect * len(p)) < 1e-9 and len(p) > 1:
                return "that is the sum over the characters: take the mean"
            if abs(value + np.mean(np.log2(probs.max(axis=1)))) < 1e-9:
                return "use the probability of the character that came next (targets), not the largest one"
            if abs(value - np.mean(-np.log2(probs))) < 1e-9:
                return "use only the probability of the character that came next, probs[t, targets[t]], not every entry"
            return f"expected {expect:.6f}, got {value:.6f}"

        run_check(report, what, fn, probs.copy(), targets.copy(), expect=expect, compare=compare)
    return report


# ---- the bigram baseline -------------------------------------------------------------


def _bigram_cases():
    cases = []
    for k, (n_train, n_test, V) in enumerate(((200, 50, 5), (3000, 400, 12), (30, 10, 4))):
        rng = np.random.default_rng(100 + k)
        # a text with structure: the next symbol is often one after the current one
        ids = [int(rng.integers(V))]
        for _ in range(n_train + n_test - 1):
            ids.append((ids[-1] + 1) % V if rng.random() < 0.6 else int(rng.integers(V)))
        ids = np.array(ids)
        cases.append((f"{n_train} training and {n_test} held-out symbols, V = {V}", ids[:n_train], ids[n_train:], V))
    return cases


def check_bigram_bits(fn) -> Report:
    """Compare fn(train, test, V) with the add-one bigram model counted on train and measured on test."""
    report = Report("bigram baseline, bits per character")
    for what, train, test, V in _bigram_cases():
        expect = charlm.bigram_bits(train, test, V)

        def wrong(train=train, test=test, V=V):
            counts = np.ones((V, V))
            np.add.at(counts, (train[:-1], train[1:]), 1.0)
            pairs = (test[:-1], test[1:])
            joint = counts / counts.sum()
            transposed = counts / counts.sum(axis=0, keepdims=True)
            on_test = np.ones((V, V))
            np.add.at(on_test, pairs, 1.0)
            uni = (np.bincount(train, minlength=V) + 1.0) / (len(train) + V)
            raw = np.zeros((V, V))  # the counts without smoothing
            np.add.at(raw, (train[:-1], train[1:]), 1.0)
            raw = raw / raw.sum(axis=1, keepdims=True).clip(min=1.0)
            return [
                (-np.mean(np.log2(transposed[pairs])),
                 "count(a b) / count(. b) is p(a | b): divide each row a by its own total"),
                (-np.mean(np.log2(joint[pairs])),
                 "that is the joint p(a b): divide each row a by its own total, p(b | a)"),
                (-np.mean(np.log2((on_test / on_test.sum(axis=1, keepdims=True))[pairs])),
                 "the counts must come from the training text only: the held-out text is for measuring"),
                (-np.mean(np.log2(uni[test[1:]])), "that is the unigram model: count pairs, p(b | a)"),
                (-np.mean(np.log2(raw[pairs])) if np.all(raw[pairs] > 0) else np.inf,
                 "add one to every count (add-one smoothing)"),
            ]

        def compare(got, expect, wrong=wrong):
            try:
                value = float(got)
            except (TypeError, ValueError):
                return f"expected one number, got {got!r}"
            if not np.isfinite(value):
                return "the result is inf or nan: a pair unseen in training has probability 0; add one to each count"
            if abs(value - expect) < 1e-9:
                return None
            for other, message in wrong():
                if np.isfinite(other) and abs(value - other) < 1e-9:
                    return message
            return f"expected {expect:.6f}, got {value:.6f}"

        run_check(report, what, fn, train.copy(), test.copy(), V, expect=expect, compare=compare)
    return report


_SOLUTIONS = {
    "gru_parameter_count": gru_parameter_count,
    "gru_step": GRUCell.recur,
    "bits_per_char": charlm.bits_per_char,
    "bigram_bits": charlm.bigram_bits,
}


solution = solution_printer(_SOLUTIONS)
