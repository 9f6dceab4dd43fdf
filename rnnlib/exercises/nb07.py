"""Checkers for notebook 7, the LSTM.

check_lstm_step(fn)         fn(cell, s_prev, x) -> s_t = [c_t, h_t] (B, 2H), one LSTM step from the equations
check_memory_backward(fn)   fn(cell, s_prev, x, ds) -> dL/dc_{t-1} (B, H), through one step
check_step_backward(fn)     fn(ds, cache, params) -> (ds_prev, dx, dparams), the whole backward of one step
check_parameter_count(fn)   fn(D, H) -> the number of parameters of an LSTMCell(input_size=D, hidden_size=H)
solution(name)              prints rnnlib's own answer: "lstm_step", "memory_backward", "step_backward"
                            or "parameter_count"

check_step_backward compares the reader's backward pass with LSTMCell.step_backward
and with centred finite differences of L = sum(ds * s_t), and names the usual
mistakes: c_t reaching the loss only directly (not through h_t too), o_t missing
from that path, the sigmoid's derivative used for the candidate c~_t, a
transposed W_s or dW_s.
"""

from __future__ import annotations

import numpy as np

from rnnlib.core.activations import sigmoid
from rnnlib.core.cell import StepCache
from rnnlib.core.elman import ElmanCell
from rnnlib.core.gradcheck import numerical_gradient, rel_error
from rnnlib.core.lstm import LSTMCell, LSTMParts
from rnnlib.exercises import Report, array_problem, as_array, close, run_check, shape_problem, solution_printer
from rnnlib.lessons import lstm_gates


def _cases():
    """(description, cell, s_prev, x, ds) with random states, a forget bias other than 0, B = 1 and B = 3."""
    cases = []
    for k, (D, H, B) in enumerate(((3, 4, 1), (2, 5, 3), (4, 3, 2))):
        rng = np.random.default_rng(70 + k)
        cell = LSTMCell(input_size=D, hidden_size=H, forget_bias=1.0, seed=70 + k)
        cell.params["b"] += rng.normal(scale=0.5, size=4 * H)  # every gate's bias different from 0
        s_prev = rng.normal(size=(B, 2 * H))
        x = rng.normal(size=(B, D))
        ds = rng.normal(size=(B, 2 * H))
        cases.append((f"D = {D}, H = {H}, B = {B}", cell, s_prev, x, ds))
    return cases


def _backward_cases():
    """_cases() with each step's cache and rnnlib's own backward of it: (ds_prev, dx, dparams)."""
    for what, cell, s_prev, x, ds in _cases():
        _, cache = cell.step_forward(s_prev, x)
        yield what, cell, s_prev, x, ds, cache, cell.step_backward(ds, cache)


def _wrong_steps(cell, s_prev, x):
    """Typical slips in one step, each as (message, s_t it gives)."""
    H = cell.hidden_size
    W_x, W_s, b = cell.params["W_x"], cell.params["W_s"], cell.params["b"]
    c_prev, h_prev = s_prev[:, :H], s_prev[:, H:]
    sig = sigmoid

    def state(c, h):
        return np.concatenate([c, h], axis=1)

    slips = []
    z = x @ W_x + h_prev @ W_s + b
    i, f, c_tilde, o = sig(z[:, :H]), sig(z[:, H : 2 * H]), np.tanh(z[:, 2 * H : 3 * H]), sig(z[:, 3 * H :])
    c = f * c_prev + i * c_tilde
    slips.append(("the state is [c_t, h_t] in that order: memory first, then h", state(o * np.tanh(c), c)))
    slips.append(("h_t = o_t * tanh(c_t): the memory goes through tanh before the output gate", state(c, o * c)))
    # the blocks in another order (i, f, o, c~ as in some papers; f, i, c~, o)
    for order, name in (((0, 1, 3, 2), "i, f, o, c~"), ((1, 0, 2, 3), "f, i, c~, o")):
        blocks = [z[:, j * H : (j + 1) * H] for j in order]
        i2, f2, c_tilde2, o2 = sig(blocks[0]), sig(blocks[1]), np.tanh(blocks[2]), sig(blocks[3])
        c2 = f2 * c_prev + i2 * c_tilde2
        slips.append((f"the blocks of z_t are i, f, c~, o (PyTorch's order), not {name}", state(c2, o2 * np.tanh(c2))))
    z_c = x @ W_x + c_prev @ W_s + b  # the gates read c_{t-1} instead of h_{t-1}
    i3, f3, c_tilde3, o3 = sig(z_c[:, :H]), sig(z_c[:, H : 2 * H]), np.tanh(z_c[:, 2 * H : 3 * H]), sig(z_c[:, 3 * H :])
    c3 = f3 * c_prev + i3 * c_tilde3
    slips.append(("the gates read h_{t-1} (the second half of s_prev), not c_{t-1}", state(c3, o3 * np.tanh(c3))))
    c4 = f * c_prev + i * sig(z[:, 2 * H : 3 * H])
    slips.append(("c~_t, the candidate, uses tanh, not the sigmoid: it may be negative", state(c4, o * np.tanh(c4))))
    z5 = x @ W_x + h_prev @ W_s
    i5, f5, c_tilde5, o5 = sig(z5[:, :H]), sig(z5[:, H : 2 * H]), np.tanh(z5[:, 2 * H : 3 * H]), sig(z5[:, 3 * H :])
    c5 = f5 * c_prev + i5 * c_tilde5
    slips.append(("b is missing from z_t", state(c5, o5 * np.tanh(c5))))
    c6 = (1 - f) * c_prev + i * c_tilde
    keep = "f_t multiplies c_{t-1} itself (f_t near 1 keeps the memory), not 1 - f_t"
    slips.append((keep, state(c6, o * np.tanh(c6))))
    return slips


def check_lstm_step(fn) -> Report:
    """Compare fn(cell, s_prev, x) with cell.step(s_prev, x) on three cells and batches."""
    report = Report("one LSTM step s_t = R(s_{t-1}, x_t)")
    for what, cell, s_prev, x, _ in _cases():
        expect = cell.step(s_prev, x)

        def compare(got, expect, cell=cell, s_prev=s_prev, x=x):
            got = as_array(got)
            if problem := shape_problem(got, expect, "(B, 2H): s_t = [c_t, h_t]"):
                return problem
            if close(got, expect):
                return None
            for message, slip in _wrong_steps(cell, s_prev, x):
                if close(got, slip):
                    return message
            H = cell.hidden_size
            if close(got[:, :H], expect[:, :H]):
                return f"c_t is right, h_t is not (largest difference {np.max(np.abs(got[:, H:] - expect[:, H:])):.3g})"
            return f"largest difference from cell.step: {np.max(np.abs(got - expect)):.3g}"

        run_check(report, what, fn, cell, s_prev.copy(), x.copy(), expect=expect, compare=compare)
    return report


def check_memory_backward(fn) -> Report:
    """Compare fn(cell, s_prev, x, ds) with the memory half of cell.step_backward's dL/ds_{t-1}."""
    report = Report("memory path backward dL/dc_{t-1}")
    for what, cell, s_prev, x, ds, _cache, (ds_prev, _, _) in _backward_cases():
        H = cell.hidden_size
        expect = ds_prev[:, :H]
        parts = lstm_gates.lstm_step_parts(cell, s_prev, x)
        dc_t, dh_t = ds[:, :H], ds[:, H:]

        def compare(got, expect, parts=parts, dc_t=dc_t, dh_t=dh_t, H=H):
            got = as_array(got)
            if problem := shape_problem(got, expect, "(B, H)"):
                return problem
            if close(got, expect):
                return None
            if close(got, dc_t * parts.f):
                return (
                    "c_t also reaches L through h_t = o_t * tanh(c_t): add dh_t * o_t * (1 - tanh(c_t)^2) to dc_t first"
                )
            if close(got, dc_t + dh_t * parts.o * (1 - np.tanh(parts.c) ** 2)):
                return "that is dL/dc_t; one more step back: multiply by f_t (c_t = f_t * c_{t-1} + ...)"
            if close(got, (dc_t + dh_t * parts.o * (1 - parts.c**2)) * parts.f):
                return "the derivative of tanh(c_t) is 1 - tanh(c_t)^2, not 1 - c_t^2 (c_t itself is not squashed)"
            if close(got, (dc_t + dh_t * parts.o) * parts.f):
                return "the derivative of tanh(c_t) is missing from the path through h_t"
            return f"largest difference from rnnlib's dL/dc_(t-1): {np.max(np.abs(got - expect)):.3g}"

        run_check(report, what, fn, cell, s_prev.copy(), x.copy(), ds.copy(), expect=expect, compare=compare)
    return report


# ---- the whole backward of one step ------------------------------------------------------


def lstm_step_backward(ds, cache, params):
    """The backward of one LSTM step, from ds = dL/ds_t = [dL/dc_t, dL/dh_t] (B, 2H).

    cache is what cell.step_forward(s_prev, x) returned: cache.x (B, D), cache.s_prev (B, 2H)
    and cache.parts, the step's c_prev, i, f, c_tilde, o, c, tanh_c, h (each (B, H)).
    Returns (ds_prev (B, 2H), dx (B, D), {"W_x": (D, 4H), "W_s": (H, 4H), "b": (4H,)}).
    """
    p = cache.parts
    H = p.c.shape[1]
    dc_t, dh_t = ds[:, :H], ds[:, H:]
    h_prev = cache.s_prev[:, H:]  # W_s multiplies h_{t-1} only
    dc = dc_t + dh_t * p.o * (1 - p.tanh_c**2)  # δc_t: c_t reaches L directly and through h_t
    do = dh_t * p.tanh_c
    di, df, dc_tilde = dc * p.c_tilde, dc * p.c_prev, dc * p.i
    dz = np.concatenate(  # (B, 4H), blocks i, f, c~, o: each times its nonlinearity's derivative
        [di * p.i * (1 - p.i), df * p.f * (1 - p.f), dc_tilde * (1 - p.c_tilde**2), do * p.o * (1 - p.o)], axis=1
    )
    ds_prev = np.concatenate([dc * p.f, dz @ params["W_s"].T], axis=1)  # [dL/dc_{t-1}, dL/dh_{t-1}] (step t)
    dx = dz @ params["W_x"].T  # (B, 4H) @ (4H, D) -> (B, D)
    dparams = {"W_x": cache.x.T @ dz, "W_s": h_prev.T @ dz, "b": dz.sum(axis=0)}
    return ds_prev, dx, dparams


def _slipped_backward(ds, cache, params, slip):
    """lstm_step_backward with one usual mistake switched on: what a reader who made it returns."""
    p = cache.parts
    H = p.c.shape[1]
    dc_t, dh_t = ds[:, :H], ds[:, H:]
    through_h = {
        "no path through h": 0.0,
        "o missing": dh_t * (1 - p.tanh_c**2),
        "1 - c^2": dh_t * p.o * (1 - p.c**2),
    }.get(slip, dh_t * p.o * (1 - p.tanh_c**2))
    dc = dc_t + through_h
    do = dh_t * (p.c if slip == "c for tanh(c)" else p.tanh_c)
    di, df, dc_tilde = dc * p.c_tilde, dc * p.c_prev, dc * p.i
    d_candidate = p.c_tilde * (1 - p.c_tilde) if slip == "sigmoid for the candidate" else 1 - p.c_tilde**2
    dz = np.concatenate([di * p.i * (1 - p.i), df * p.f * (1 - p.f), dc_tilde * d_candidate, do * p.o * (1 - p.o)], 1)
    dc_prev = dc if slip == "f missing" else dc * p.f
    ds_prev = np.concatenate([dc_prev, dz @ params["W_s"].T], axis=1)
    dx = dz @ params["W_x"].T
    h_prev = cache.s_prev[:, H:]
    dW_s = {"dW_s transposed": dz.T @ h_prev, "whole s_prev": cache.s_prev.T @ dz}.get(slip, h_prev.T @ dz)
    db = dz if slip == "b not summed" else dz.sum(axis=0)
    return ds_prev, dx, {"W_x": cache.x.T @ dz, "W_s": dW_s, "b": db}


_SLIPS = {
    "no path through h": "c_t also reaches L through h_t = o_t * tanh(c_t): "
    "δc_t = dL/dc_t + dL/dh_t * o_t * (1 - tanh(c_t)^2), not dL/dc_t alone",
    "o missing": "o_t is missing on the way from h_t to c_t: dh_t/dc_t = o_t * (1 - tanh(c_t)^2)",
    "1 - c^2": "the derivative of tanh(c_t) is 1 - tanh(c_t)^2 (cache.parts.tanh_c), not 1 - c_t^2",
    "sigmoid for the candidate": "the candidate is c~_t = tanh(z^c~): its derivative is 1 - c~_t^2, "
    "not c~_t (1 - c~_t), which is the sigmoid's (the gates' derivative)",
    "c for tanh(c)": "h_t = o_t * tanh(c_t), so dL/do_t = dL/dh_t * tanh(c_t), not dL/dh_t * c_t",
    "f missing": "the memory goes back through f_t: dL/dc_{t-1} = δc_t * f_t",
    "dW_s transposed": "dW_s is transposed: h_{t-1}^T dz_t has the shape of W_s, (H, 4H)",
    "whole s_prev": "W_s multiplies h_{t-1} only (the second half of s_prev): dW_s = h_{t-1}^T dz_t",
    "b not summed": "db is dz_t summed over the batch (axis 0)",
}

_SHAPE_HINT = (
    "; is W_s (or W_x) used without its transpose? dL/dh_{t-1} = dz_t W_s^T is (B, 4H) @ (4H, H), "
    "dL/dx_t = dz_t W_x^T is (B, 4H) @ (4H, D), dW_s = h_{t-1}^T dz_t is (H, B) @ (B, 4H)"
)


def _copy_cache(cache):
    """A copy the reader's function may change without spoiling the checks that follow."""
    return StepCache(cache.x.copy(), cache.s_prev.copy(), LSTMParts(*(a.copy() for a in cache.parts)))


def _finite_differences(cell, s_prev, x, ds):
    """Centred finite differences of L = sum(ds * s_t) with respect to s_prev, x and each parameter."""

    def loss(_=None):
        return float(np.sum(ds * cell.step(s_prev, x)))

    s_prev, x = s_prev.copy(), x.copy()  # perturbed in place, one entry at a time, and restored
    grads = {"ds_prev": numerical_gradient(loss, s_prev), "dx": numerical_gradient(loss, x)}
    for name in ("W_x", "W_s", "b"):
        grads[f"d{name}"] = numerical_gradient(loss, cell.params[name])
    return grads


def check_step_backward(fn) -> Report:
    """Check fn(ds, cache, params) -> (ds_prev, dx, dparams) against LSTMCell.step_backward and finite differences."""
    report = Report("one LSTM step backward")
    for what, cell, s_prev, x, ds, cache, (ds_prev, dx, dparams) in _backward_cases():
        expected = {"ds_prev": ds_prev, "dx": dx, "dW_x": dparams["W_x"], "dW_s": dparams["W_s"], "db": dparams["b"]}
        numeric = _finite_differences(cell, s_prev, x, ds)
        slipped = {slip: _slipped_backward(ds, cache, cell.params, slip) for slip in _SLIPS}
        try:
            got = fn(ds.copy(), _copy_cache(cache), {k: v.copy() for k, v in cell.params.items()})
        except Exception as err:  # the reader's code may raise anything; report it, don't crash
            hint = _SHAPE_HINT if isinstance(err, ValueError) and "matmul" in str(err) else ""
            report.fail(what, f"raised {type(err).__name__}: {err}{hint}")
            break
        if not (isinstance(got, tuple) and len(got) == 3 and isinstance(got[2], dict)):
            report.fail(what, f"expected (ds_prev, dx, dparams) with dparams a dict, got {type(got).__name__}")
            break
        answers = {"ds_prev": got[0], "dx": got[1], **{f"d{k}": got[2].get(k) for k in ("W_x", "W_s", "b")}}
        shapes = {"ds_prev": "(B, 2H)", "dx": "(B, D)", "dW_x": "(D, 4H)", "dW_s": "(H, 4H)", "db": "(4H,)"}
        position = {"ds_prev": 0, "dx": 1, "dW_x": ("W_x",), "dW_s": ("W_s",), "db": ("b",)}
        for name, expect in expected.items():
            answer = answers[name]
            if answer is None:
                report.fail(f"{what}: {name}", "dparams has no entry for it (keys 'W_x', 'W_s', 'b')")
                break
            where = position[name]
            hints = [
                (wrong[where] if isinstance(where, int) else wrong[2][where[0]], _SLIPS[slip])
                for slip, wrong in slipped.items()
            ]
            problem = array_problem(answer, expect, shapes[name], hints, rtol=1e-7, atol=1e-10)
            if problem is None:
                error = rel_error(answer, numeric[name])
                report.ok(f"{what}: {name} (as rnnlib; finite differences agree to {error:.0e})")
                continue
            if np.shape(answer) != expect.shape:  # array_problem names the shape only: look for the slip too
                slip = next((hint for wrong, hint in hints if close(answer, wrong, 1e-7)), None)
                if slip is not None:
                    problem += f"; it looks as if {slip}"
                report.fail(f"{what}: {name}", problem)
                break
            if name == "ds_prev" and close(np.asarray(answer)[:, : cell.hidden_size], expect[:, : cell.hidden_size]):
                problem += " (the memory half dL/dc_{t-1} is right; the h half dz_t W_s^T is not)"
            error = rel_error(answer, numeric[name])
            report.fail(f"{what}: {name}", f"{problem} (relative error to finite differences: {error:.2g})")
            break
        if not report.passed:
            break
    return report


def check_parameter_count(fn) -> Report:
    """Compare fn(D, H) with the number of parameters of a real LSTMCell(D, H)."""
    report = Report("LSTM parameter count")
    for D, H in ((2, 32), (10, 128), (1, 1), (300, 50)):
        expect = lstm_gates.parameter_count(LSTMCell(input_size=D, hidden_size=H, seed=0))
        elman = lstm_gates.parameter_count(ElmanCell(input_size=D, hidden_size=H, seed=0))

        def compare(got, expect, D=D, H=H, elman=elman):
            try:
                got = int(got)
            except (TypeError, ValueError):
                return f"expected a whole number, got {type(got).__name__}"
            if got == expect:
                return None
            if got == elman:
                return "that is an Elman cell's count: an LSTM has four blocks (i, f, c~, o), each an Elman cell's size"
            if got == 4 * H * (D + H):
                return "the biases are missing: b has 4H entries"
            if got == 4 * H * (D + H + 2):
                return "that counts two biases per gate, as torch.nn.LSTM stores them; here b is one vector of 4H"
            if got == 4 * H * (D + 2 * H + 1):
                return "W_s multiplies h_{t-1} (H numbers), not the whole state [c, h] (2H numbers)"
            return f"expected {expect}, got {got}"

        run_check(report, f"D = {D}, H = {H}", fn, D, H, expect=expect, compare=compare)
    return report


def _parameter_count_formula(D: int, H: int) -> int:
    """W_x (D, 4H) + W_s (H, 4H) + b (4H,): four blocks of an Elman cell's size."""
    return 4 * H * (D + H + 1)


_SOLUTIONS = {
    "lstm_step": LSTMCell.recur,
    "memory_backward": lstm_gates.memory_backward,
    "step_backward": lstm_step_backward,
    "parameter_count": _parameter_count_formula,
}


solution = solution_printer(_SOLUTIONS)
