"""The checkers of notebook 8: right answers pass, typical wrong answers fail with a useful message."""

import numpy as np
import pytest

from rnnlib import sigmoid
from rnnlib.exercises import nb08
from rnnlib.lessons import charlm, gru_gates


def first_fail(report):
    assert not report.passed
    return next(line for line in report.lines if "FAIL" in line)


# ---- the parameter count ---------------------------------------------------------------


def test_gru_parameter_count_reference_passes():
    assert nb08.check_gru_parameter_count(lambda D, H: 3 * H * (D + H + 2)).passed
    assert nb08.check_gru_parameter_count(gru_gates.gru_parameter_count).passed


@pytest.mark.parametrize(
    "wrong, message",
    [
        (lambda D, H: 3 * H * (D + H + 1), "b_s is missing"),
        (lambda D, H: 4 * H * (D + H + 1), "LSTM's count"),
        (lambda D, H: H * (D + H + 1), "Elman cell's count"),
        (lambda D, H: 3 * H * (D + H), "biases are missing"),
        (lambda D, H: 2 * H * (D + H + 2), "three blocks, r, z and n"),
        (lambda D, H: "many", "whole number"),
        (lambda D, H: 7, "expected"),
    ],
)
def test_gru_parameter_count_wrong_answers_are_explained(wrong, message):
    assert message in first_fail(nb08.check_gru_parameter_count(wrong))


# ---- one GRU step ------------------------------------------------------------------------


def step_with(cell, h, x, order=(0, 1, 2), reset="after", keep="z", b_s=True, n_act=np.tanh, reset_on=True):
    """One GRU step written here, independently of the checker, with one slip switched on at a time."""
    H = cell.hidden_size
    W_x, W_s = cell.params["W_x"], cell.params["W_s"]
    b, bs = cell.params["b"], (cell.params["b_s"] if b_s else np.zeros(3 * H))
    cols = [np.arange(j * H, (j + 1) * H) for j in order]
    pre_r = x @ W_x[:, cols[0]] + b[cols[0]] + h @ W_s[:, cols[0]] + bs[cols[0]]
    pre_z = x @ W_x[:, cols[1]] + b[cols[1]] + h @ W_s[:, cols[1]] + bs[cols[1]]
    r = sigmoid(pre_r) if reset_on else np.ones_like(pre_r)
    z = sigmoid(pre_z)
    if reset == "after":
        n = n_act(x @ W_x[:, cols[2]] + b[cols[2]] + r * (h @ W_s[:, cols[2]] + bs[cols[2]]))
    else:
        n = n_act(x @ W_x[:, cols[2]] + b[cols[2]] + (r * h) @ W_s[:, cols[2]] + bs[cols[2]])
    return (1 - z) * n + z * h if keep == "z" else z * n + (1 - z) * h


def test_gru_step_reference_passes():
    report = nb08.check_gru_step(step_with)
    assert report.passed and "all checks passed" in str(report)
    assert nb08.check_gru_step(lambda cell, h, x: cell.step(h, x)).passed


@pytest.mark.parametrize(
    "wrong, message",
    [
        (lambda c, h, x: step_with(c, h, x, keep="1-z"), "z_t multiplies h_{t-1}"),
        (lambda c, h, x: step_with(c, h, x, reset="before"), "other variant"),
        (lambda c, h, x: step_with(c, h, x, order=(1, 0, 2)), "r, z, n in that order"),
        (lambda c, h, x: step_with(c, h, x, order=(0, 2, 1)), "r, z, n in that order"),
        (lambda c, h, x: step_with(c, h, x, b_s=False), "b_s is missing"),
        (lambda c, h, x: step_with(c, h, x, n_act=sigmoid), "uses tanh"),
        (lambda c, h, x: step_with(c, h, x, reset_on=False), "reset gate r_t is missing"),
        (lambda c, h, x: -step_with(c, h, x), "largest difference"),
        (lambda c, h, x: np.zeros(3), "shape"),
    ],
)
def test_gru_step_wrong_answers_are_explained(wrong, message):
    assert message in first_fail(nb08.check_gru_step(wrong))


def test_a_checker_survives_an_answer_that_raises():
    def unfinished(cell, h, x):
        raise NotImplementedError("your turn")

    assert "NotImplementedError: your turn" in first_fail(nb08.check_gru_step(unfinished))


def test_checker_does_not_let_the_answer_change_its_inputs():
    def in_place(cell, h, x):
        out = step_with(cell, h, x)
        h[...] = 0
        return out

    assert nb08.check_gru_step(in_place).passed


# ---- bits per character ----------------------------------------------------------------------


def bits(probs, targets):
    return float(np.mean([-np.log2(probs[t, k]) for t, k in enumerate(targets)]))


def test_bits_per_char_reference_passes():
    assert nb08.check_bits_per_char(bits).passed
    assert nb08.check_bits_per_char(charlm.bits_per_char).passed


@pytest.mark.parametrize(
    "wrong, message",
    [
        (lambda p, t: bits(p, t) * np.log(2), "nats"),
        (lambda p, t: -bits(p, t), "the sign"),
        (lambda p, t: bits(p, t) * len(t), "take the mean"),
        (lambda p, t: float(np.mean(-np.log2(p.max(axis=1)))), "not the largest one"),
        (lambda p, t: float(np.mean(-np.log2(p))), "not every entry"),
        (lambda p, t: [1.0, 2.0], "one finite number"),
        (lambda p, t: 0.5, "expected"),
    ],
)
def test_bits_per_char_wrong_answers_are_explained(wrong, message):
    assert message in first_fail(nb08.check_bits_per_char(wrong))


# ---- the bigram baseline ------------------------------------------------------------------------


def bigram(train, test, V, smooth=1.0, norm="row", counted_on="train"):
    """The add-one bigram model written with loops, and its slips."""
    source = train if counted_on == "train" else test
    counts = np.full((V, V), smooth)
    for a, b in zip(source[:-1], source[1:]):
        counts[a, b] += 1
    if norm == "row":
        p = counts / counts.sum(axis=1, keepdims=True)
    elif norm == "column":
        p = counts / counts.sum(axis=0, keepdims=True)
    else:
        p = counts / counts.sum()
    with np.errstate(divide="ignore"):
        return float(np.mean([-np.log2(p[a, b]) for a, b in zip(test[:-1], test[1:])]))


def test_bigram_reference_passes():
    assert nb08.check_bigram_bits(bigram).passed
    assert nb08.check_bigram_bits(charlm.bigram_bits).passed


@pytest.mark.parametrize(
    "wrong, message",
    [
        (lambda tr, te, V: bigram(tr, te, V, norm="column"), "p(a | b)"),
        (lambda tr, te, V: bigram(tr, te, V, norm="all"), "joint"),
        (lambda tr, te, V: bigram(tr, te, V, counted_on="test"), "training text only"),
        (lambda tr, te, V: charlm.unigram_bits(tr, te, V), "unigram"),
        (lambda tr, te, V: bigram(tr, te, V, smooth=0.0), "add one"),
        (lambda tr, te, V: "low", "one number"),
        (lambda tr, te, V: 1.0, "expected"),
    ],
)
def test_bigram_wrong_answers_are_explained(wrong, message):
    assert message in first_fail(nb08.check_bigram_bits(wrong))


def test_solution_prints_the_reference(capsys):
    for name in ("gru_parameter_count", "gru_step", "bits_per_char", "bigram_bits"):
        nb08.solution(name)
        assert "def " in capsys.readouterr().out
    with pytest.raises(ValueError, match="must be one of"):
        nb08.solution("nope")
