"""Checkers for notebook 3's exercises: where the loss reads the outputs, the encoder's vector,
sampling with a temperature, BIO spans.

    check_acceptor_loss_and_grads(fn)           fn(cell, head, xs, labels) -> (loss, [cell grads, head grads])
    check_transducer_loss_and_grads(fn)         fn(cell, head, xs, targets) -> (loss, [cell grads, head grads])
    check_final_vector(final_vector)            final_vector(cell, xs) -> O(s_T), (B, H)
    check_temperature_probs(temperature_probs)  temperature_probs(logits, temperature) -> (..., K)
    check_bio_spans(bio_spans)                  bio_spans(tags) -> [(start, end, kind), ...]
    solution("final_vector")                    prints a reference answer

Each checker runs the reader's function beside rnnlib's own
(rnnlib.core.models.Acceptor and Transducer's loss_and_grads, rnnlib.core.models.encode,
rnnlib.core.models.temperature_probs, rnnlib.lessons.tasks.bio_spans) and returns a Report.
"""

from __future__ import annotations

import numpy as np

from rnnlib.core import models
from rnnlib.core.elman import ElmanCell
from rnnlib.core.layers import Affine
from rnnlib.core.losses import softmax_cross_entropy, softmax_cross_entropy_backward
from rnnlib.core.lstm import LSTMCell
from rnnlib.core.unroll import bptt, last_output_only, unroll
from rnnlib.exercises import Report, array_problem, run_check, solution_printer
from rnnlib.lessons import tasks

# ---- reference answers (shown by `solution`, and checked by the tests) ----


def acceptor_loss_and_grads(cell, head, xs, labels):
    """The acceptor's loss and gradients for xs (T, B, D), labels (B,): the head reads y_T alone."""
    run = unroll(cell, xs)
    logits, head_cache = head.forward(run.outputs[-1])  # (B, H) -> (B, K): only y_T is read
    loss = softmax_cross_entropy(logits, labels)
    dy_T, dhead = head.backward(softmax_cross_entropy_backward(logits, labels), head_cache)
    d_outputs = last_output_only(run, dy_T)  # dL/dy_T = dy_T, and dL/dy_t = 0 for every t < T
    return loss, [bptt(cell, run, d_outputs).params, dhead]


def transducer_loss_and_grads(cell, head, xs, targets):
    """The transducer's loss and gradients for xs (T, B, D), targets (T, B): the head reads every y_t."""
    run = unroll(cell, xs)
    logits, head_cache = head.forward(run.outputs)  # (T, B, H) -> (T, B, K): every y_t is read
    loss = softmax_cross_entropy(logits, targets)
    d_outputs, dhead = head.backward(softmax_cross_entropy_backward(logits, targets), head_cache)  # (T, B, H)
    return loss, [bptt(cell, run, d_outputs).params, dhead]


def final_vector(cell, xs):
    """The encoder: y_T = O(s_T), the output read off the last state of a run over xs (T, B, D) -> (B, H)."""
    run = unroll(cell, xs)
    return cell.output(run.states[-1])


def temperature_probs(logits, temperature):
    """softmax(logits / temperature) along the last axis, shifted by the maximum so that exp never overflows."""
    z = np.asarray(logits, dtype=np.float64) / temperature
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


_SOLUTIONS = {
    "acceptor_loss_and_grads": acceptor_loss_and_grads,
    "transducer_loss_and_grads": transducer_loss_and_grads,
    "final_vector": final_vector,
    "temperature_probs": temperature_probs,
    "bio_spans": tasks.bio_spans,
}


solution = solution_printer(_SOLUTIONS)


# ---- checkers ---------------------------------------------------------------


def _cell_grads_with(cell, run, d_outputs) -> dict:
    return bptt(cell, run, d_outputs).params


def _grads_problem(got, expect_loss, expect_grads, wrong_cell_grads=()):
    """None when got == (loss, [cell grads, head grads]) as expected; else what differs.

    wrong_cell_grads: (cell grads of a typical slip, what to say) pairs.
    """
    try:
        loss, grads = got
        grads = list(grads)
    except (TypeError, ValueError):
        return "expected (loss, [cell grads, head grads]), a number and a list of two dicts"
    try:
        loss = float(loss)
    except (TypeError, ValueError):
        return f"the loss must be a number, got {type(loss).__name__}"
    if not np.isclose(loss, expect_loss, rtol=1e-9, atol=1e-12):
        return f"the loss: expected {expect_loss:.6f}, got {loss:.6f}"
    if len(grads) != 2 or not all(isinstance(g, dict) for g in grads):
        return "expected the gradients as a list of two dicts, [cell grads, head grads], in the order of model.params"
    for name, g, want in zip(("cell", "head"), grads, expect_grads):
        if set(g) != set(want):
            return f"the {name} grads must have the keys {sorted(want)}, got {sorted(g)}"
        for key in want:
            problem = array_problem(g[key], want[key], f"(the shape of the {name}'s {key})")
            if problem is None:
                continue
            if name == "cell":
                for wrong, hint in wrong_cell_grads:
                    if all(np.allclose(np.asarray(g[k], dtype=np.float64), wrong[k]) for k in want):
                        return f"the cell's {key}: {problem}; {hint}"
            return f"the {name}'s {key}: {problem}"
    return None


def _loss_cases():
    rng = np.random.default_rng(7)
    for cell, T, B, K in [
        (ElmanCell(3, 4, seed=1), 5, 2, 3),
        (ElmanCell(2, 3, seed=2), 3, 4, 2),
        (LSTMCell(3, 2, seed=3), 4, 3, 3),
    ]:
        head = Affine(cell.hidden_size, K, seed=4)
        xs = rng.normal(size=(T, B, cell.input_size))
        yield cell, head, xs, rng, T, B, K


def check_acceptor_loss_and_grads(fn) -> Report:
    """Check fn(cell, head, xs, labels) against rnnlib.core.models.Acceptor(cell, head).loss_and_grads((xs, labels))."""
    report = Report("acceptor_loss_and_grads")
    for cell, head, xs, rng, T, B, K in _loss_cases():
        labels = rng.integers(0, K, size=B)
        expect_loss, expect_grads = models.Acceptor(cell, head).loss_and_grads((xs, labels))
        run = unroll(cell, xs)
        logits, cache = head.forward(run.outputs[-1])
        dy_T, _ = head.backward(softmax_cross_entropy_backward(logits, labels), cache)
        at_first = np.zeros_like(run.outputs)
        at_first[0] = dy_T
        everywhere = np.broadcast_to(dy_T, run.outputs.shape)
        wrong = [
            (
                _cell_grads_with(cell, run, at_first),
                "dL/dy_T went to y_1 (d_outputs[0]); it belongs to y_T, d_outputs[-1]",
            ),
            (
                _cell_grads_with(cell, run, everywhere),
                "every y_t got dL/dy_T; the acceptor's loss reads y_T alone, so dL/dy_t = 0 for t < T",
            ),
        ]

        def compare(got, _expect, expect_loss=expect_loss, expect_grads=expect_grads, wrong=wrong):
            return _grads_problem(got, expect_loss, expect_grads, wrong)

        what = f"{type(cell).__name__}, T={T}, B={B}, K={K}: xs {xs.shape}, labels {labels.shape}"
        run_check(report, what, fn, cell, head, xs, labels, compare=compare)
        if not report.passed:
            break
    return report


def check_transducer_loss_and_grads(fn) -> Report:
    """Check fn(cell, head, xs, targets) against rnnlib.core.models.Transducer(cell, head).loss_and_grads."""
    report = Report("transducer_loss_and_grads")
    for cell, head, xs, rng, T, B, K in _loss_cases():
        targets = rng.integers(0, K, size=(T, B))
        expect_loss, expect_grads = models.Transducer(cell, head).loss_and_grads((xs, targets))
        run = unroll(cell, xs)
        logits, cache = head.forward(run.outputs)
        d_outputs, _ = head.backward(softmax_cross_entropy_backward(logits, targets), cache)
        wrong = [
            (
                _cell_grads_with(cell, run, last_output_only(run, d_outputs[-1])),
                "only y_T got its gradient; a transducer's loss reads every y_t, so every d_outputs[t-1] is the head's",
            ),
        ]

        def compare(got, _expect, expect_loss=expect_loss, expect_grads=expect_grads, wrong=wrong):
            return _grads_problem(got, expect_loss, expect_grads, wrong)

        what = f"{type(cell).__name__}, T={T}, B={B}, K={K}: xs {xs.shape}, targets {targets.shape}"
        run_check(report, what, fn, cell, head, xs, targets, compare=compare)
        if not report.passed:
            break
    return report


def check_final_vector(fn) -> Report:
    """Check fn(cell, xs) against rnnlib.core.models.encode for Elman and LSTM cells."""
    report = Report("final_vector")
    rng = np.random.default_rng(3)
    cases = [(ElmanCell(3, 4, seed=1), 5, 2), (ElmanCell(2, 3, seed=2), 1, 1), (LSTMCell(3, 2, seed=3), 4, 3)]
    for cell, T, B in cases:
        xs = rng.normal(size=(T, B, cell.input_size))
        expect = models.encode(cell, xs)
        run = unroll(cell, xs)

        def compare(got, expect, run=run, cell=cell):
            problem = array_problem(got, expect, "(B, H)")
            if problem is None:
                return None
            got_arr = np.asarray(got, dtype=np.float64) if not isinstance(got, str) else None
            if got_arr is not None and got_arr.shape == run.states[-1].shape and np.allclose(got_arr, run.states[-1]):
                return f"{problem}: that is the whole state s_T; an LSTM's state is [c_T, h_T], O reads h_T off it"
            if got_arr is not None and got_arr.shape == run.outputs.shape:
                return f"{problem}: that is every output y_1..y_T; the encoder keeps only the last one, y_T"
            if got_arr is not None and got_arr.shape == expect.shape and np.allclose(got_arr, run.outputs[0]):
                return f"{problem}: that is y_1, after the first input; the encoder reads y_T, after all of them"
            return problem

        name = type(cell).__name__
        run_check(report, f"{name}, T={T}, B={B}: xs {xs.shape}", fn, cell, xs, expect=expect, compare=compare)
        if not report.passed:
            break
    return report


def check_temperature_probs(fn) -> Report:
    """Check fn(logits, temperature) against rnnlib.core.models.temperature_probs, also at large logits."""
    report = Report("temperature_probs")
    rng = np.random.default_rng(4)
    cases = [
        (rng.normal(size=5), 1.0),
        (rng.normal(size=5), 0.5),
        (rng.normal(size=(3, 4)), 2.0),
        (np.array([1000.0, 999.0, 0.0]), 1.0),
        (np.array([3.0, 1.0, -2.0]), 0.1),
    ]
    for logits, temperature in cases:
        expect = models.temperature_probs(logits, temperature)

        def compare(got, expect, logits=logits, temperature=temperature):
            problem = array_problem(got, expect, "(the shape of logits)")
            if problem is None:
                return None
            if "nan or inf" in problem:
                return f"{problem}: exp overflowed; subtract the largest logit before exp (the result does not change)"
            with np.errstate(all="ignore"):
                got_arr = np.asarray(got, dtype=np.float64)
                times = models.temperature_probs(logits * temperature**2, temperature)  # softmax(logits * T)
                if got_arr.shape == expect.shape and np.allclose(got_arr, times):
                    return f"{problem}: it looks like softmax(logits * temperature); divide by the temperature"
                if got_arr.shape == expect.shape and not np.allclose(got_arr.sum(axis=-1), 1.0):
                    return f"{problem}: the probabilities must add up to 1 along the last axis"
            return problem

        what = f"logits {logits.shape} (largest {logits.max():.1f}), temperature {temperature}"
        with np.errstate(over="ignore", invalid="ignore"):
            run_check(report, what, fn, logits.copy(), temperature, expect=expect, compare=compare)
        if not report.passed:
            break
    return report


def check_bio_spans(fn) -> Report:
    """Check fn(tags) against rnnlib.lessons.tasks.bio_spans on the transducer task's sentences and edge cases."""
    report = Report("bio_spans")
    cases = [
        ["B-PER", "O", "O", "B-LOC", "I-LOC", "I-LOC"],
        ["O", "O", "B-LOC", "I-LOC"],
        ["B-PER", "I-PER", "B-PER", "O"],
        ["O", "O", "O"],
        ["B-LOC", "I-PER"],
        ["O", "I-LOC", "I-LOC", "O"],
    ]
    cases += [tags for _, tags in tasks.names_and_places(4, seed=5)]

    def compare(got, expect):
        try:
            got = [tuple(span) for span in got]
        except TypeError:
            return f"expected a list of (start, end, kind), got {type(got).__name__}"
        if got == expect:
            return None
        message = f"expected {expect}, got {got}"
        if len(got) == len(expect) - 1 and got == expect[:-1]:
            return message + ": the last entity is missing; an entity that runs to the end must be closed too"
        if [(s, e + 1, k) for s, e, k in got] == expect:
            return message + ": end is exclusive, one past the entity's last word (as in tokens[start:end])"
        if len(got) < len(expect):
            return message + ": B- always starts a new entity, and an I- that follows O (or another kind) does too"
        return message

    for tags in cases:
        run_check(report, f"tags {tags}", fn, list(tags), expect=tasks.bio_spans(tags), compare=compare)
        if not report.passed:
            break
    return report
