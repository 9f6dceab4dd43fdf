"""Checkers for notebook 6, the vanishing gradient problem.

check_step_jacobian(fn)   fn(cell, s) -> J_t = ∂s_t/∂s_{t-1} (H, H) of an Elman step, from s = s_t (H,)
check_bound(fn)           fn(cell) -> gamma * sigma_max(W_s), the bound on the decay factor per step
check_baseline(fn)        fn(batch) -> the MSE of always answering 1 on an adding-problem batch
solution(name)            prints rnnlib's own answer: "step_jacobian", "bound" or "baseline"
"""

from __future__ import annotations

import numpy as np

from rnnlib.core.elman import ElmanCell
from rnnlib.exercises import Report, number_problem, run_check, shape_problem, solution_printer
from rnnlib.lessons import gradients, tasks


def _elman_cases():
    """(description, cell, s_t) for each nonlinearity, with s_t a state the cell really reaches."""
    cases = []
    for k, g in enumerate(("tanh", "relu", "identity", "sigmoid")):
        rng = np.random.default_rng(60 + k)
        cell = ElmanCell(input_size=3, hidden_size=5, nonlinearity=g, seed=60 + k)
        s_prev = rng.normal(size=(1, 5))
        x = rng.normal(size=(1, 3))
        cases.append((f"{g} cell, H = 5", cell, cell.step(s_prev, x)[0]))
    return cases


def _close(got, expect, tol=1e-8):
    return np.shape(got) == np.shape(expect) and np.allclose(got, expect, rtol=tol, atol=tol)


def check_step_jacobian(fn) -> Report:
    """Compare fn(cell, s_t) with diag(g'(z_t)) W_s^T, for tanh, relu, identity and sigmoid cells."""
    report = Report("step Jacobian J_t = ∂s_t/∂s_{t-1}")
    for what, cell, s in _elman_cases():
        W_s = cell.params["W_s"]
        dg = cell.dg(s)
        expect = gradients.elman_step_jacobian(cell, s)

        def compare(got, expect, W_s=W_s, dg=dg, s=s, g=cell.nonlinearity):
            got = np.asarray(got, dtype=np.float64) if got is not None else got
            if problem := shape_problem(got, expect, "(H, H)"):
                return problem
            if _close(got, expect):
                return None
            if _close(got, expect.T):
                return "rows and columns are swapped: entry [j, i] is ∂s_t[j] / ∂s_{t-1}[i], so J_t = diag(g') W_s^T"
            if _close(got, W_s.T) or _close(got, W_s):
                return "the factor g'(z_t) is missing: each row j of W_s^T is scaled by g'(z_t[j])"
            if _close(got, W_s.T * dg[None, :]):
                return "g' scales the rows of W_s^T (the outputs s_t[j]), not its columns: diag(g') W_s^T"
            if g == "tanh" and _close(got, (1 - np.tanh(s) ** 2)[:, None] * W_s.T):
                return "g'(z_t) is read off s_t itself: s_t is already tanh(z_t), so g'(z_t) = 1 - s_t^2"
            return f"largest difference from rnnlib's J_t: {np.max(np.abs(got - expect)):.3g}"

        run_check(report, what, fn, cell, s, expect=expect, compare=compare)
    return report


def check_bound(fn) -> Report:
    """Compare fn(cell) with gamma * sigma_max(W_s) for cells with several nonlinearities."""
    report = Report("bound gamma * sigma_max(W_s)")
    for what, cell, _ in _elman_cases():
        expect = gradients.gradient_bound(cell)
        W_s = cell.params["W_s"]
        gamma = gradients.GAMMA[cell.nonlinearity]

        slips = (
            (gamma * gradients.spectral_radius(W_s),
             "that is the spectral radius (largest |eigenvalue|); the bound needs the largest singular value"),
            (gamma * np.linalg.norm(W_s),
             "that is the Frobenius norm; the bound needs the largest singular value, np.linalg.norm(W_s, 2)"),
            (np.linalg.norm(W_s, 2), f"gamma, the largest |g'|, is missing: for this nonlinearity it is {gamma:g}"),
        )  # fmt: skip

        def compare(got, expect, slips=slips):
            return number_problem(got, expect, slips)

        run_check(report, what, fn, cell, expect=expect, compare=compare)
    return report


def check_baseline(fn) -> Report:
    """Compare fn(batch) with the MSE of always answering 1, on adding-problem batches of several sizes."""
    report = Report("adding-problem baseline")
    for T, n, seed in ((10, 50, 0), (50, 200, 1), (7, 1000, 2)):
        batch = tasks.adding_problem(T, n, seed=seed)
        expect = tasks.mean_predictor_mse(batch)
        y = batch.targets

        slips = (
            (np.var(y), "that predicts the batch's own mean; the baseline answers 1, the expected sum, every time"),
            (np.mean(np.abs(y - 1.0)), "that is the mean absolute error; square the errors"),
            (np.mean((y - 0.5) ** 2), "that predicts 0.5, the mean of one value; the target is a sum of two"),
        )

        def compare(got, expect, slips=slips):
            return number_problem(got, expect, slips)

        run_check(report, f"T = {T}, {n} sequences", fn, batch, expect=expect, compare=compare)
    return report


_SOLUTIONS = {
    "step_jacobian": gradients.elman_step_jacobian,
    "bound": gradients.gradient_bound,
    "baseline": tasks.mean_predictor_mse,
}


solution = solution_printer(_SOLUTIONS)
