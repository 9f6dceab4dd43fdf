"""Checkers for notebook 1, Modeling sequences.

    check_bag_of_words(fn)              fn(ids, vocab_size) -> (V,) counts
    check_window_features(fn)           fn(xs, k) -> (T, k D) windows [x_{t-k+1}, ..., x_t]
    check_window_mlp_num_params(fn)     fn(k, D, H, K) -> the number of parameters of a window MLP
    solution(name)                      print rnnlib's own version

Each checker compares the reader's function with rnnlib.lessons.features on a few
inputs, stops at the first mismatch and says what it expected, what came
back and, for the usual slips, what probably went wrong.
"""

from __future__ import annotations

import numpy as np

from rnnlib.core.layers import Affine
from rnnlib.exercises import Report, run_check, solution_printer
from rnnlib.lessons import features

SOLUTIONS = {
    "bag_of_words": features.bag_of_words,
    "window_features": features.window_features,
    "window_mlp_num_params": features.window_mlp_num_params,
}


solution = solution_printer(SOLUTIONS)


_INDENT = "\n        "  # continuation lines of a Report's detail
_RETURNED_NONE = "returned None: is the `return` line missing?"


def _fmt(a, prefix: str) -> str:
    """An array on as many lines as it needs, aligned after `prefix`, numbers as %g."""
    text = np.array2string(
        np.asarray(a), separator=", ", max_line_width=90, prefix=prefix, formatter={"float_kind": lambda v: f"{v:g}"}
    )
    return prefix + text.replace("\n", _INDENT)


def _mismatch(expect, got, hint: str | None = None) -> str:
    lines = ([hint] if hint else []) + [_fmt(expect, "expected "), _fmt(got, "got      ")]
    return _INDENT.join(lines)


def _array_problem(got, expect, hints=()) -> str | None:
    """None if `got` equals `expect`; otherwise what differs, with the hint of a typical slip that matches.

    hints: (array, message) pairs, the result of a typical slip and what to say when got equals it.
    """
    if got is None:
        return _RETURNED_NONE
    try:
        got_arr = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return f"expected a numpy array of shape {expect.shape}, got {type(got).__name__}"
    if got_arr.shape == expect.shape and np.allclose(got_arr, expect):
        return None
    for wrong, message in hints:
        if got_arr.shape == np.shape(wrong) and np.allclose(got_arr, wrong):
            return _mismatch(expect, got_arr, message)
    if got_arr.shape != expect.shape:
        return _mismatch(expect, got_arr, f"expected shape {expect.shape}, got shape {got_arr.shape}")
    return _mismatch(expect, got_arr)


# ---- exercise 1: the bag of words ---------------------------------------


def check_bag_of_words(fn) -> Report:
    """Check fn(ids, vocab_size) against rnnlib.lessons.features.bag_of_words."""
    report = Report("bag_of_words")
    # vocabulary: 0 <unk>, 1 bites, 2 dog, 3 man, 4 the, 5 saw, 6 cat
    cases = [
        ("'man bites dog'", [3, 1, 2], 7),
        ("'dog bites man', the same words in another order", [2, 1, 3], 7),
        ("'the dog saw the cat', where 'the' occurs twice", [4, 2, 5, 4, 6], 7),
        ("a sentence with an unknown word (id 0)", [0, 2, 0], 7),
        ("a vocabulary larger than the words used (V = 10)", [3, 1, 2], 10),
    ]
    for what, ids, V in cases:
        expect = features.bag_of_words(np.array(ids), V)
        onehots = np.eye(V)[ids]
        hints = [
            (onehots, "that is one one-hot row per word; the bag is their sum over t, one number per vocabulary word"),
            ((expect > 0).astype(float), "a word that occurs twice must count 2, not just 'present'"),
            (expect[: max(ids) + 1], "the bag has one entry per word of the vocabulary (length V), used or not"),
        ]
        if V > 1:
            hints.append((expect[1:], "entry 0 (the unknown word <unk>) belongs in the bag too: length V"))

        def compare(got, exp, hints=hints):
            return _array_problem(got, exp, hints)

        run_check(report, f"{what}: ids={ids}, V={V}", fn, np.array(ids), V, expect=expect, compare=compare)
        if not report.passed:
            return report
    return report


# ---- exercise 2: window features ----------------------------------------


def check_window_features(fn) -> Report:
    """Check fn(xs, k) against rnnlib.lessons.features.window_features, for xs of shape (T, D)."""
    report = Report("window_features")
    # entries 1, 2, 3, ... so that every misplaced block is visible, and none is 0 like the padding
    cases = [
        ("T=3, D=2, k=2", 3, 2, 2),
        ("T=4, D=1, k=3", 4, 1, 3),
        ("k=1: the window is x_t alone", 3, 2, 1),
        ("k=T: the last window holds the whole sequence", 3, 2, 3),
        ("k > T: windows reach before x_1 and are padded with zeros", 2, 2, 4),
    ]
    for what, T, D, k in cases:
        xs = np.arange(1.0, T * D + 1).reshape(T, D)
        expect = features.window_features(xs, k)
        blocks = [expect[:, j * D : (j + 1) * D] for j in range(k)]
        shifted = features.window_features(np.concatenate([np.zeros((1, D)), xs[:-1]]), k)
        hints = [
            (
                np.concatenate(blocks[::-1], axis=1),
                "the blocks are newest first; w_t is [x_{t-k+1}, ..., x_t], oldest first",
            ),
            (shifted, "w_t ends with x_{t-1}; the window at step t includes x_t itself"),
            (expect[k - 1 :], "no padding: row t-1 is w_t for every t = 1..T, with zero vectors where t-k+1 < 1"),
        ]

        def compare(got, exp, hints=hints, xs=xs):
            problem = _array_problem(got, exp, hints)
            return None if problem is None else _fmt(xs, "for xs   ") + _INDENT + problem

        run_check(report, f"{what}: xs of shape {xs.shape}", fn, xs.copy(), k, expect=expect, compare=compare)
        if not report.passed:
            return report
    return report


# ---- exercise 3: the parameters of a window MLP -------------------------


def _count_built(k: int, D: int, H: int, K: int) -> int:
    """The count from real layers: Affine(k D, H) and Affine(H, K), every number in their params."""
    layers = [Affine(k * D, H), Affine(H, K)]
    return sum(p.size for layer in layers for p in layer.params.values())


def check_window_mlp_num_params(fn) -> Report:
    """Check fn(k, D, H, K) against rnnlib.lessons.features.window_mlp_num_params and against built layers."""
    report = Report("window_mlp_num_params")
    for k, D, H, K in [(1, 2, 3, 2), (3, 2, 3, 2), (5, 50, 64, 2), (10, 300, 128, 5)]:
        expect = features.window_mlp_num_params(k, D, H, K)
        assert expect == _count_built(k, D, H, K)  # the formula and the layers agree
        slips = {
            k * D * H + H * K: "the biases b_1 (H,) and b_2 (K,) are parameters too",
            k * D * H + H: "the output layer W_2 (H, K), b_2 (K,) is part of the MLP",
            D * H + H + H * K + K: "W_1 reads the whole window, k D numbers, so it is (k D, H)",
            (k + D) * H + H + H * K + K: "the window has k D entries (k vectors of D), not k + D",
        }

        def compare(got, exp, slips=slips):
            if got is None:
                return _RETURNED_NONE
            if isinstance(got, bool) or not isinstance(got, (int, np.integer, float)):
                return f"expected a whole number, got {type(got).__name__}"
            if got == exp:
                return None
            hint = slips.get(got)
            return f"expected {exp}, got {got}" + (f": {hint}" if hint else "")

        run_check(report, f"k={k}, D={D}, H={H}, K={K}", fn, k, D, H, K, expect=expect, compare=compare)
        if not report.passed:
            return report
    return report
