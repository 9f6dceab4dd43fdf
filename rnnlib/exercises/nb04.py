"""Checkers for notebook 4's exercises: what each state has read, a bidirectional run, the left-to-right bound.

    check_seen(seen)                                   seen(T, t) -> (forward, backward, both), boolean (T,)
    check_bidirectional_outputs(bidirectional_outputs) bidirectional_outputs(cell_f, cell_b, xs) -> (T, B, H_f + H_b)
    check_first_word_bound(first_word_bound)           first_word_bound(sentences) -> float
    solution("seen")                                   prints a reference answer

Each checker runs the reader's function beside rnnlib's own
(rnnlib.lessons.seen.seen_inputs, rnnlib.core.bidirectional.bidirectional_unroll,
rnnlib.lessons.patterns.best_from_first_word) and returns a Report.
"""

from __future__ import annotations

from collections import Counter, defaultdict

import numpy as np

from rnnlib.core.bidirectional import bidirectional_unroll
from rnnlib.core.elman import ElmanCell
from rnnlib.core.lstm import LSTMCell
from rnnlib.core.unroll import unroll
from rnnlib.exercises import Report, run_check, solution_printer
from rnnlib.lessons import tasks
from rnnlib.lessons.patterns import best_from_first_word
from rnnlib.lessons.seen import seen_inputs

# ---- reference answers (shown by `solution`, and checked by the tests) ----


def seen(T, t):
    """At position t (1..T): which of x_1..x_T the states f_t, b_t and [f_t; b_t] have read, as boolean arrays (T,)."""
    positions = np.arange(1, T + 1)
    forward = positions <= t  # f_t has read x_1..x_t
    backward = positions >= t  # b_t has read x_t..x_T
    return forward, backward, forward | backward


def bidirectional_outputs(cell_f, cell_b, xs):
    """y_t = [O_f(f_t); O_b(b_t)] for xs (T, B, D): cell_f reads x_1..x_T, cell_b reads x_T..x_1."""
    forward = unroll(cell_f, xs).outputs  # forward[t-1] = O_f(f_t)
    backward = unroll(cell_b, xs[::-1]).outputs[::-1]  # read reversed, then put back in position order
    return np.concatenate([forward, backward], axis=-1)


def first_word_bound(sentences):
    """A bound: the best accuracy on the first word of `sentences` of a tagger that has read only that word.

    Per word, its most common tag among these very sentences: it reads their answers, so it is a bound, not a baseline.
    """
    counts = defaultdict(Counter)
    for tokens, tags in sentences:
        counts[tokens[0]][tags[0]] += 1
    right = sum(c.most_common(1)[0][1] for c in counts.values())
    return right / len(sentences)


_SOLUTIONS = {"seen": seen, "bidirectional_outputs": bidirectional_outputs, "first_word_bound": first_word_bound}


solution = solution_printer(_SOLUTIONS)


# ---- checkers ---------------------------------------------------------------


def _positions(mask) -> str:
    return "x_" + ", x_".join(str(j + 1) for j in np.flatnonzero(mask)) if np.any(mask) else "nothing"


def check_seen(fn) -> Report:
    """Check fn(T, t) against rnnlib.lessons.seen.seen_inputs for several lengths and positions."""
    report = Report("seen")
    for T, t in [(1, 1), (4, 1), (4, 2), (4, 4), (7, 3), (7, 7)]:
        expect = seen_inputs(T, t)

        def compare(got, expect, T=T, t=t):
            try:
                parts = [np.asarray(part, dtype=bool) for part in got]
            except TypeError:
                return f"expected three boolean arrays (forward, backward, both), got {type(got).__name__}"
            if len(parts) != 3 or any(p.shape != (T,) for p in parts):
                return f"expected three boolean arrays of shape ({T},), got shapes {[p.shape for p in parts]}"
            for name, got_part, want in zip(("forward", "backward", "both"), parts, expect):
                if not np.array_equal(got_part, want):
                    message = f"{name}: expected {_positions(want)}, got {_positions(got_part)}"
                    if name != "both" and got_part.sum() == want.sum() - 1:
                        message += f"; the state at t has read x_t itself too (t = {t})"
                    if name == "both" and not got_part.all():
                        message += "; [f_t; b_t] has read whatever either half has read"
                    return message
            return None

        run_check(report, f"T={T}, t={t}", fn, T, t, expect=expect, compare=compare)
        if not report.passed:
            return report
    return report


def check_bidirectional_outputs(fn) -> Report:
    """Check fn(cell_f, cell_b, xs) against rnnlib.core.bidirectional.bidirectional_unroll(...).outputs."""
    report = Report("bidirectional_outputs")
    rng = np.random.default_rng(6)
    cases = [
        (ElmanCell(3, 2, seed=1), ElmanCell(3, 2, seed=2), 4, 2),
        (ElmanCell(2, 3, seed=3), ElmanCell(2, 2, seed=4), 5, 1),
        (LSTMCell(3, 2, seed=5), LSTMCell(3, 3, seed=6), 3, 3),
    ]
    for cell_f, cell_b, T, B in cases:
        xs = rng.normal(size=(T, B, cell_f.input_size))
        expect = bidirectional_unroll(cell_f, cell_b, xs).outputs
        H_f = cell_f.hidden_size

        def compare(got, expect, xs=xs, cell_f=cell_f, cell_b=cell_b, H_f=H_f):
            try:
                got = np.asarray(got, dtype=np.float64)
            except (TypeError, ValueError):
                return f"expected an array, got {type(got).__name__}"
            if got.shape != expect.shape:
                return f"expected shape {expect.shape} (T, B, H_f + H_b), got shape {got.shape}"
            if np.allclose(got, expect, rtol=1e-9, atol=1e-12):
                return None
            f_out, b_rev = unroll(cell_f, xs).outputs, unroll(cell_b, xs[::-1]).outputs
            message = "values differ"
            if not np.allclose(got[..., :H_f], f_out) and np.allclose(got[..., -H_f:], f_out):
                return message + ": the forward half comes first: y_t = [O_f(f_t); O_b(b_t)]"
            if np.allclose(got[..., H_f:], b_rev):
                return message + (
                    ": the backward outputs are still in reading order (its first output is b_T); "
                    "reverse them back so that position t holds b_t"
                )
            if np.allclose(got[..., H_f:], unroll(cell_b, xs).outputs):
                return message + ": the backward cell read x_1..x_T; it must read the sequence reversed, x_T..x_1"
            if not np.allclose(got[..., :H_f], f_out):
                return message + ": the forward half is not unroll(cell_f, xs).outputs"
            return message + " in the backward half"

        name = type(cell_f).__name__
        run_check(
            report, f"{name}, T={T}, B={B}: xs {xs.shape}", fn, cell_f, cell_b, xs, expect=expect, compare=compare
        )
        if not report.passed:
            break
    return report


def check_first_word_bound(fn) -> Report:
    """Check fn(sentences) against rnnlib.lessons.patterns.best_from_first_word on a few data sets."""
    report = Report("first_word_bound")
    cases = [
        [(["Salt", "Lake"], ["B-LOC", "I-LOC"]), (["Salt", "the"], ["O", "O"]), (["Salt", "Lake"], ["B-LOC", "I-LOC"])],
        [(["Nice", "to"], ["O", "O"]), (["Paris", "is"], ["B-LOC", "O"]), (["Paris", "smiled"], ["B-PER", "O"])],
        tasks.right_context_tagging(200, seed=7),
    ]
    for sentences in cases:
        expect = best_from_first_word(sentences)

        def compare(got, expect, sentences=sentences):
            try:
                got = float(got)
            except (TypeError, ValueError):
                return f"expected a number, got {type(got).__name__}"
            if abs(got - expect) < 1e-12:
                return None
            message = f"expected {expect:.4f}, got {got:.4f}"
            overall = Counter(tags[0] for _, tags in sentences).most_common(1)[0][1] / len(sentences)
            if abs(got - overall) < 1e-12:
                return message + ": that is one tag for every first word; the tagger may pick a tag per word"
            if got > 1 or got < 0:
                return message + ": an accuracy is a fraction of the sentences, between 0 and 1"
            return message

        run_check(report, f"{len(sentences)} sentences", fn, sentences, expect=expect, compare=compare)
        if not report.passed:
            break
    return report
