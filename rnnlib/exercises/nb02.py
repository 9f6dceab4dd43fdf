"""Checkers for notebook 2's exercises: R of an Elman cell, the unroll loop, the nested expression.

    check_elman_step(elman_step)        elman_step(s_prev, x, params) -> s_t
    check_unroll_states(unroll_states)  unroll_states(cell, xs) -> states (T+1, B, S)
    check_nested(nested)                nested(t) -> "R(R(s_0, x_1), x_2)" for t = 2
    solution("elman_step")              prints a reference answer

Each checker runs the reader's function beside rnnlib's own (ElmanCell.step,
rnnlib.unroll, rnnlib.lessons.unrolling.nested_expression) and returns a Report.
"""

from __future__ import annotations

import re

import numpy as np

from rnnlib.core.elman import ElmanCell
from rnnlib.core.lstm import LSTMCell
from rnnlib.core.unroll import unroll
from rnnlib.exercises import Report, array_problem, run_check, solution_printer
from rnnlib.lessons.unrolling import nested_expression

# ---- reference answers (shown by `solution`, and checked by the tests) ----


def elman_step(s_prev, x, params):
    """s_t = R(s_{t-1}, x_t) = tanh(x_t W_x + s_{t-1} W_s + b). s_prev (B, H), x (B, D) -> (B, H)."""
    return np.tanh(x @ params["W_x"] + s_prev @ params["W_s"] + params["b"])


def unroll_states(cell, xs):
    """s_0, s_1 = R(s_0, x_1), ..., s_T = R(s_{T-1}, x_T), stacked: xs (T, B, D) -> (T+1, B, S)."""
    s = cell.initial_state(xs.shape[1])
    states = [s]
    for x in xs:  # x is x_t, one (B, D) slice per step
        s = cell.step(s, x)
        states.append(s)
    return np.stack(states)


def nested(t):
    """s_t written with R only: "s_0" for t = 0, else R(<the expression for s_{t-1}>, x_t)."""
    if t == 0:
        return "s_0"
    return f"R({nested(t - 1)}, x_{{{t}}})"


_SOLUTIONS = {"elman_step": elman_step, "unroll_states": unroll_states, "nested": nested}


solution = solution_printer(_SOLUTIONS)


# ---- checkers ---------------------------------------------------------------


def _arrays(expect_shape_note: str):
    """A compare(got, expect) for arrays: the shape first, then the values."""
    return lambda got, expect: array_problem(got, expect, expect_shape_note)


def _elman_hint(got, s_prev, x, params) -> str:
    """Name a usual mistake in one Elman step, when `got` matches it."""
    W_x, W_s, b = params["W_x"], params["W_s"], params["b"]
    z = x @ W_x + s_prev @ W_s + b
    mistakes = [
        (z, "the tanh is missing: s_t = tanh(z), z = x_t W_x + s_{t-1} W_s + b"),
        (np.tanh(x @ W_x + s_prev @ W_s), "the bias b is missing"),
        (np.tanh(x @ W_x + b), "the previous state is missing: add s_{t-1} W_s"),
        (np.tanh(s_prev @ W_s + b), "the input is missing: add x_t W_x"),
    ]
    if W_x.shape == W_s.shape:
        mistakes.append((np.tanh(x @ W_s + s_prev @ W_x + b), "W_x and W_s are swapped: x_t goes with W_x"))
    got = np.asarray(got, dtype=np.float64)
    for wrong, hint in mistakes:
        if got.shape == wrong.shape and np.allclose(got, wrong):
            return hint
    return ""


def check_elman_step(fn) -> Report:
    """Check fn(s_prev, x, params) against ElmanCell.step on several sizes and batches."""
    report = Report("elman_step")
    rng = np.random.default_rng(2)

    def shapes_explained(s_prev, x, params):
        try:
            return fn(s_prev, x, params)
        except ValueError as err:
            if "matmul" in str(err) or "shape" in str(err):
                raise ValueError(
                    f"{err}. The shapes: x (B, D), s_prev (B, H), W_x (D, H), W_s (H, H), b (H,); "
                    "the rows go on the left: x @ W_x is (B, D) @ (D, H) -> (B, H)"
                ) from err
            raise

    for D, H, B in [(3, 3, 2), (3, 4, 1), (5, 2, 3)]:
        cell = ElmanCell(input_size=D, hidden_size=H, seed=int(rng.integers(1000)))
        cell.params["b"][:] = rng.uniform(-0.5, 0.5, H)  # a bias that is not zero, so leaving it out shows
        s_prev, x = rng.normal(size=(B, H)), rng.normal(size=(B, D))
        kept = s_prev.copy(), x.copy(), {k: v.copy() for k, v in cell.params.items()}
        expect = cell.step(s_prev, x)
        compare = _arrays("(B, H)")

        def with_hint(got, expect, s_prev=s_prev, x=x, params=cell.params, compare=compare):
            problem = compare(got, expect)
            hint = _elman_hint(got, s_prev, x, params) if problem else ""
            return f"{problem}; it looks as if {hint}" if hint else problem

        what = f"D={D}, H={H}, B={B}: s_prev {s_prev.shape}, x {x.shape}"
        got = run_check(report, what, shapes_explained, s_prev, x, cell.params, expect=expect, compare=with_hint)
        if got is not None and not (
            np.array_equal(s_prev, kept[0])
            and np.array_equal(x, kept[1])
            and all(np.array_equal(cell.params[k], kept[2][k]) for k in kept[2])
        ):
            report.fail(what, "the function changed its arguments in place; R must leave them as they were")
        if not report.passed:
            break
    return report


def check_unroll_states(fn) -> Report:
    """Check fn(cell, xs) against rnnlib.unroll(cell, xs).states, for Elman and LSTM cells."""
    report = Report("unroll_states")
    rng = np.random.default_rng(3)
    cases = [
        (ElmanCell(input_size=3, hidden_size=4, seed=1), 5, 2),
        (ElmanCell(input_size=2, hidden_size=3, seed=2), 1, 1),
        (LSTMCell(input_size=2, hidden_size=3, seed=3), 4, 3),
    ]
    for cell, T, B in cases:
        xs = rng.normal(size=(T, B, cell.input_size))
        expect = unroll(cell, xs).states
        S = cell.state_size

        def compare(got, expect, xs=xs, cell=cell, T=T, B=B, S=S):
            problem = _arrays("(T+1, B, S)")(got, expect)
            if problem is None:
                return None
            got = np.asarray(got, dtype=np.float64)
            if got.shape == (T, B, S):
                return f"{problem}: s_0 is missing; states[0] is the initial state, so there are T + 1 states"
            if got.shape == expect.shape:
                restart = np.stack([cell.initial_state(B)] + [cell.step(cell.initial_state(B), x) for x in xs])
                if np.allclose(got, restart):
                    return f"{problem}: every step starts from s_0; step t must start from s_(t-1)"
            return problem

        name = type(cell).__name__
        run_check(report, f"{name}, T={T}, B={B}: xs {xs.shape}", fn, cell, xs, expect=expect, compare=compare)
        if not report.passed:
            break
    return report


def _normal_form(expr: str) -> str:
    """The expression without spaces, and with braces around one-character subscripts removed: x_{3} -> x_3."""
    return re.sub(r"_\{(\w)\}", r"_\1", re.sub(r"\s+", "", expr))


def check_nested(fn) -> Report:
    """Check fn(t) against rnnlib.lessons.unrolling.nested_expression(t) for t = 0, 1, 2, 3, 5, 12.

    Spaces do not matter, and x_{3} counts the same as x_3 (LaTeX draws both alike).
    """
    report = Report("nested")

    def compare(got, expect):
        if not isinstance(got, str):
            return f"expected a string, got {type(got).__name__}"
        if _normal_form(got) == _normal_form(expect):
            return None
        message = f"expected {expect!r}, got {got!r}"
        if "R(x_" in _normal_form(got):
            message += "; R takes the state first and the input second: R(s_(t-1), x_t)"
        return message

    for t in (0, 1, 2, 3, 5, 12):
        run_check(report, f"t = {t}", fn, t, expect=nested_expression(t), compare=compare)
        if not report.passed:
            break
    return report
