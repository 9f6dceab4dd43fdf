"""Checkers for notebook 5's exercises: the backward of one Elman step, the BPTT loop, dW_s as a sum over time.

    check_step_backward(step_backward)   step_backward(ds, s_prev, x, s, params) -> (ds_prev, dx, dparams)
    check_total_derivatives(total)       total(cell, run, d_outputs) -> d_states (T+1, B, H), dL/ds_t
    check_dW_s(dW_s_sum)                 dW_s_sum(states, dz) -> dW_s (H, H)
    solution("step_backward")            prints a reference answer

Each checker runs the reader's function beside rnnlib's own (ElmanCell.step_backward,
rnnlib.bptt) on a few problems, and returns a Report that names the usual
mistakes: a forgotten g', a forgotten recurrent term, a transpose.
"""

from __future__ import annotations

import numpy as np

from rnnlib.core.elman import ElmanCell
from rnnlib.core.unroll import bptt, unroll
from rnnlib.exercises import Report, array_problem, run_check, solution_printer

# ---- reference answers (shown by `solution`, and checked by the tests) ----


def step_backward(ds, s_prev, x, s, params):
    """The backward of s = tanh(x W_x + s_prev W_s + b), given ds = dL/ds (B, H).

    Returns (ds_prev (B, H), dx (B, D), {"W_x": (D, H), "W_s": (H, H), "b": (H,)}).
    """
    dz = ds * (1.0 - s**2)  # dz = ds * g'(z), tanh' read off s
    ds_prev = dz @ params["W_s"].T
    dx = dz @ params["W_x"].T
    dparams = {"W_x": x.T @ dz, "W_s": s_prev.T @ dz, "b": dz.sum(axis=0)}
    return ds_prev, dx, dparams


def total_derivatives(cell, run, d_outputs):
    """dL/ds_t for t = 0..T (T+1, B, H): what comes from y_t plus what comes back from s_{t+1}."""
    T = d_outputs.shape[0]
    d_states = np.zeros(run.states.shape)
    d_states[1:] = d_outputs  # y_t = s_t: dL/dy_t arrives at s_t (s_0 has no output)
    for t in range(T, 0, -1):  # d_states[t] is complete when step t runs
        dz = d_states[t] * (1.0 - run.states[t] ** 2)  # dz_t = dL/ds_t * g'(z_t)
        d_states[t - 1] += dz @ cell.params["W_s"].T  # + dz_t W_s^T
    return d_states


def dW_s_sum(states, dz):
    """dW_s = sum over t = 1..T of s_{t-1}^T dz_t, from states (T+1, B, H) and dz (T, B, H)."""
    total = np.zeros((states.shape[-1], dz.shape[-1]))
    for t in range(1, dz.shape[0] + 1):
        total += states[t - 1].T @ dz[t - 1]  # dz[t-1] is dz_t
    return total


_SOLUTIONS = {"step_backward": step_backward, "total_derivatives": total_derivatives, "dW_s_sum": dW_s_sum}


solution = solution_printer(_SOLUTIONS)


# ---- helpers ----------------------------------------------------------------


def _compare(what_shape: str, hints=()):
    """compare(got, expect) for arrays: the shape, then the values; `hints` are (wrong array, message) pairs."""
    return lambda got, expect: array_problem(got, expect, what_shape, hints, rtol=1e-7, atol=1e-10)


def _problem(D, H, B, seed):
    """An Elman cell with a non-zero bias and one step's arrays: (cell, s_prev, x, s, ds)."""
    rng = np.random.default_rng(seed)
    cell = ElmanCell(input_size=D, hidden_size=H, seed=seed)
    cell.params["b"][:] = rng.uniform(-0.5, 0.5, H)
    s_prev, x, ds = rng.normal(0, 0.5, size=(B, H)), rng.normal(size=(B, D)), rng.normal(size=(B, H))
    return cell, s_prev, x, cell.step(s_prev, x), ds


# ---- exercise 1: the backward of one step -----------------------------------


def check_step_backward(fn) -> Report:
    """Check fn(ds, s_prev, x, s, params) -> (ds_prev, dx, dparams) against ElmanCell.step_backward."""
    report = Report("step_backward")
    for D, H, B, seed in [(3, 3, 2, 11), (4, 3, 1, 12), (2, 5, 3, 13)]:
        cell, s_prev, x, s, ds = _problem(D, H, B, seed)
        _, cache = cell.step_forward(s_prev, x)
        ds_prev, dx, dparams = cell.step_backward(ds, cache)
        W_x, W_s = cell.params["W_x"], cell.params["W_s"]
        gp = 1.0 - s**2
        dz, dz_no_g = ds * gp, ds
        what = f"D={D}, H={H}, B={B}"
        try:
            got = fn(ds, s_prev, x, s, cell.params)
        except Exception as err:  # the reader's code may raise anything; report it, don't crash
            report.fail(what, f"raised {type(err).__name__}: {err}")
            break
        if not (isinstance(got, tuple) and len(got) == 3 and isinstance(got[2], dict)):
            report.fail(what, f"expected (ds_prev, dx, dparams) with dparams a dict, got {type(got).__name__}")
            break
        g_prev, g_dx, g_params = got
        checks = [
            (
                "ds_prev = dz W_s^T",
                g_prev,
                ds_prev,
                "(B, H)",
                [
                    (dz_no_g @ W_s.T, "g' is missing: dz = ds * g'(z), with tanh'(z) = 1 - s^2"),
                    (dz @ W_s, "W_s is not transposed: ds_prev = dz W_s^T"),
                ],
            ),
            ("dx = dz W_x^T", g_dx, dx, "(B, D)", [(dz_no_g @ W_x.T, "g' is missing: dz = ds * g'(z)")]),
            (
                "dW_x = x^T dz",
                g_params.get("W_x"),
                dparams["W_x"],
                "(D, H)",
                [(x.T @ dz_no_g, "g' is missing: dz = ds * g'(z)")],
            ),
            (
                "dW_s = s_prev^T dz",
                g_params.get("W_s"),
                dparams["W_s"],
                "(H, H)",
                [
                    (s.T @ dz, "the new state s is used; dW_s needs the state that W_s multiplied, s_prev"),
                    (dz.T @ s_prev, "dW_s is transposed: s_prev^T dz is (H, H) with rows for s_prev's units"),
                    (s_prev.T @ dz_no_g, "g' is missing: dz = ds * g'(z)"),
                ],
            ),
            (
                "db = dz summed over the batch",
                g_params.get("b"),
                dparams["b"],
                "(H,)",
                [(dz, "db is not summed over the batch (axis 0)"), (ds.sum(axis=0), "g' is missing")],
            ),
        ]
        for name, got_array, expect, shape, hints in checks:
            if got_array is None:
                report.fail(f"{what}: {name}", "dparams has no entry for it (keys 'W_x', 'W_s', 'b')")
                break
            problem = _compare(shape, hints)(got_array, expect)
            if problem is None:
                report.ok(f"{what}: {name}")
            else:
                report.fail(f"{what}: {name}", problem)
                break
        if not report.passed:
            break
    return report


# ---- exercise 2: the total derivatives ---------------------------------------


def _bptt_problem(T, B, D, H, seed):
    rng = np.random.default_rng(seed)
    cell = ElmanCell(input_size=D, hidden_size=H, seed=seed)
    cell.params["b"][:] = rng.uniform(-0.5, 0.5, H)
    run = unroll(cell, rng.normal(size=(T, B, D)))
    return cell, run, rng.normal(size=(T, B, H))


def check_total_derivatives(fn) -> Report:
    """Check fn(cell, run, d_outputs) against rnnlib.bptt(cell, run, d_outputs).states."""
    report = Report("total_derivatives")
    for T, B, D, H, seed in [(4, 2, 3, 3, 21), (1, 1, 2, 4, 22), (7, 3, 2, 5, 23)]:
        cell, run, d_outputs = _bptt_problem(T, B, D, H, seed)
        expect = bptt(cell, run, d_outputs).states
        only_outputs = np.concatenate([np.zeros((1, B, H)), d_outputs])
        hints = [(only_outputs, "the recurrent term is missing: dL/ds_{t-1} also gets dz_t W_s^T from step t")]
        W_s = cell.params["W_s"]
        for wrong_step, hint in [
            (lambda ds, s, W_s=W_s: ds @ W_s.T, "g' is missing: dz_t = dL/ds_t * g'(z_t), tanh' = 1 - s_t^2"),
            (lambda ds, s, W_s=W_s: (ds * (1 - s**2)) @ W_s, "W_s is not transposed: dz_t W_s^T"),
        ]:
            wrong = only_outputs.copy()
            for t in range(T, 0, -1):
                wrong[t - 1] += wrong_step(wrong[t], run.states[t])
            hints.append((wrong, hint))
        forward = only_outputs.copy()
        for t in range(1, T + 1):  # the loop run in the wrong direction: d_states[t] is not complete yet
            forward[t - 1] += (forward[t] * (1 - run.states[t] ** 2)) @ cell.params["W_s"].T
        hints.append((forward, "the loop runs forward; run it from t = T down to 1, so dL/ds_t is complete when used"))
        what = f"T={T}, B={B}, D={D}, H={H}"
        run_check(report, what, fn, cell, run, d_outputs, expect=expect, compare=_compare("(T+1, B, H)", hints))
        if not report.passed:
            break
    return report


# ---- exercise 3: dW_s as a sum over time ------------------------------------


def check_dW_s(fn) -> Report:
    """Check fn(states, dz) against the dW_s of rnnlib.bptt."""
    report = Report("dW_s_sum")
    for T, B, D, H, seed in [(3, 2, 2, 3, 31), (1, 1, 3, 2, 32), (6, 4, 2, 4, 33)]:
        cell, run, d_outputs = _bptt_problem(T, B, D, H, seed)
        grads = bptt(cell, run, d_outputs)
        dz = grads.states[1:] * (1.0 - run.states[1:] ** 2)  # dz_t = dL/ds_t * g'(z_t), (T, B, H)
        states = run.states
        expect = grads.params["W_s"]
        hints = [
            (np.einsum("tbi,tbj->ij", states[1:], dz), "s_t is used; step t's term is s_{t-1}^T dz_t"),
            (
                np.einsum("tbi,tbj->ij", dz, states[:-1]),
                "the product is transposed: s_{t-1}^T dz_t, not dz_t^T s_(t-1)",
            ),
            (states[-2].T @ dz[-1], "only the last step is counted: W_s is used at every step, so sum over t"),
            (states[0].T @ dz[0], "only the first step is counted: sum over t = 1..T"),
        ]
        what = f"T={T}, B={B}, H={H}: states {states.shape}, dz {dz.shape}"
        run_check(report, what, fn, states.copy(), dz.copy(), expect=expect, compare=_compare("(H, H)", hints))
        if not report.passed:
            break
    return report
