"""The checkers of notebook 6: rnnlib's answers pass, typical wrong answers fail with a useful message."""

import numpy as np
import pytest

from rnnlib.exercises import nb06
from rnnlib.lessons import gradients, tasks


def first_fail(report):
    assert not report.passed
    return next(line for line in report.lines if "FAIL" in line)


# ---- the one-step Jacobian -------------------------------------------------------------


def test_step_jacobian_reference_passes():
    report = nb06.check_step_jacobian(gradients.elman_step_jacobian)
    assert report.passed, str(report)
    assert "all checks passed" in str(report)


@pytest.mark.parametrize(
    "wrong, message",
    [
        (lambda cell, s: (cell.dg(s)[:, None] * cell.params["W_s"].T).T, "swapped"),
        (lambda cell, s: cell.params["W_s"].T, "g'(z_t) is missing"),
        (lambda cell, s: cell.params["W_s"].T * cell.dg(s)[None, :], "not its columns"),
        (lambda cell, s: (1 - np.tanh(s) ** 2)[:, None] * cell.params["W_s"].T, "1 - s_t^2"),
        (lambda cell, s: np.zeros(3), "shape"),
    ],
)
def test_step_jacobian_wrong_answers_are_explained(wrong, message):
    assert message in first_fail(nb06.check_step_jacobian(wrong))


def test_a_checker_survives_an_answer_that_raises():
    def unfinished(cell, s):
        raise NotImplementedError("your turn")

    assert "NotImplementedError: your turn" in first_fail(nb06.check_step_jacobian(unfinished))


# ---- the bound -------------------------------------------------------------------------


def test_bound_reference_passes():
    assert nb06.check_bound(gradients.gradient_bound).passed


@pytest.mark.parametrize(
    "wrong, message",
    [
        (lambda cell: gradients.GAMMA[cell.nonlinearity] * gradients.spectral_radius(cell.params["W_s"]), "spectral"),
        (lambda cell: gradients.GAMMA[cell.nonlinearity] * np.linalg.norm(cell.params["W_s"]), "Frobenius"),
        (lambda cell: np.linalg.norm(cell.params["W_s"], 2), "gamma"),
        (lambda cell: "big", "a number"),
    ],
)
def test_bound_wrong_answers_are_explained(wrong, message):
    assert message in first_fail(nb06.check_bound(wrong))


# ---- the baseline ----------------------------------------------------------------------


def test_baseline_reference_passes():
    assert nb06.check_baseline(tasks.mean_predictor_mse).passed


@pytest.mark.parametrize(
    "wrong, message",
    [
        (lambda batch: np.var(batch.targets), "batch's own mean"),
        (lambda batch: np.mean(np.abs(batch.targets - 1)), "absolute"),
        (lambda batch: np.mean((batch.targets - 0.5) ** 2), "sum of two"),
        (lambda batch: 1 / 6, "expected"),
    ],
)
def test_baseline_wrong_answers_are_explained(wrong, message):
    assert message in first_fail(nb06.check_baseline(wrong))


def test_solution_prints_the_reference(capsys):
    nb06.solution("step_jacobian")
    assert "def elman_step_jacobian" in capsys.readouterr().out
    with pytest.raises(ValueError, match="one of"):
        nb06.solution("nope")
