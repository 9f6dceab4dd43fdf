"""The checkers of notebook 5's exercises: the reference answers pass, typical wrong ones fail usefully."""

import numpy as np

from rnnlib.exercises import nb05


def first_fail(report):
    """The text of the first FAIL line and its detail."""
    text = str(report)
    assert not report.passed, text
    return text[text.index("FAIL") :]


# ---- exercise 1: the backward of one Elman step ------------------------------


def test_reference_step_backward_passes():
    report = nb05.check_step_backward(nb05.step_backward)
    assert report.passed, str(report)  # the reference equals ElmanCell.step_backward on every problem


def test_step_backward_mistakes_are_named():
    def no_g_prime(ds, s_prev, x, s, p):
        dz = ds
        return dz @ p["W_s"].T, dz @ p["W_x"].T, {"W_x": x.T @ dz, "W_s": s_prev.T @ dz, "b": dz.sum(axis=0)}

    def not_transposed(ds, s_prev, x, s, p):
        ds_prev, dx, dparams = nb05.step_backward(ds, s_prev, x, s, p)
        return (ds * (1 - s**2)) @ p["W_s"], dx, dparams

    def new_state_in_dW_s(ds, s_prev, x, s, p):
        ds_prev, dx, dparams = nb05.step_backward(ds, s_prev, x, s, p)
        return ds_prev, dx, {**dparams, "W_s": s.T @ (ds * (1 - s**2))}

    def dW_s_transposed(ds, s_prev, x, s, p):
        ds_prev, dx, dparams = nb05.step_backward(ds, s_prev, x, s, p)
        return ds_prev, dx, {**dparams, "W_s": (ds * (1 - s**2)).T @ s_prev}

    def db_not_summed(ds, s_prev, x, s, p):
        ds_prev, dx, dparams = nb05.step_backward(ds, s_prev, x, s, p)
        return ds_prev, dx, {**dparams, "b": ds * (1 - s**2)}

    assert "g' is missing" in first_fail(nb05.check_step_backward(no_g_prime))
    assert "W_s is not transposed" in first_fail(nb05.check_step_backward(not_transposed))
    assert "the new state s is used" in first_fail(nb05.check_step_backward(new_state_in_dW_s))
    assert "dW_s is transposed" in first_fail(nb05.check_step_backward(dW_s_transposed))
    # (B, H) instead of (H,): the shape is reported (on a batch of 2 the hint cannot match a different shape)
    assert "expected shape (3,)" in first_fail(nb05.check_step_backward(db_not_summed))


def test_step_backward_wrong_return_and_missing_key():
    def two_things(ds, s_prev, x, s, p):
        return nb05.step_backward(ds, s_prev, x, s, p)[:2]

    def no_bias(ds, s_prev, x, s, p):
        ds_prev, dx, dparams = nb05.step_backward(ds, s_prev, x, s, p)
        return ds_prev, dx, {"W_x": dparams["W_x"], "W_s": dparams["W_s"]}

    assert "expected (ds_prev, dx, dparams)" in first_fail(nb05.check_step_backward(two_things))
    assert "dparams has no entry" in first_fail(nb05.check_step_backward(no_bias))


def test_starting_points_are_reported_not_raised():
    def not_yet(*args):
        raise NotImplementedError("your turn")

    for check in (nb05.check_step_backward, nb05.check_total_derivatives, nb05.check_dW_s):
        assert "raised NotImplementedError: your turn" in first_fail(check(not_yet))


# ---- exercise 2: the total derivatives -----------------------------------------


def test_reference_total_derivatives_passes():
    report = nb05.check_total_derivatives(nb05.total_derivatives)
    assert report.passed, str(report)  # the reference equals rnnlib.bptt(...).states


def test_total_derivatives_mistakes_are_named():
    def outputs_only(cell, run, d_outputs):
        return np.concatenate([np.zeros_like(d_outputs[:1]), d_outputs])

    def no_g_prime(cell, run, d_outputs):
        d = outputs_only(cell, run, d_outputs)
        for t in range(len(d_outputs), 0, -1):
            d[t - 1] += d[t] @ cell.params["W_s"].T
        return d

    def not_transposed(cell, run, d_outputs):
        d = outputs_only(cell, run, d_outputs)
        for t in range(len(d_outputs), 0, -1):
            d[t - 1] += (d[t] * (1 - run.states[t] ** 2)) @ cell.params["W_s"]
        return d

    def forward_loop(cell, run, d_outputs):
        d = outputs_only(cell, run, d_outputs)
        for t in range(1, len(d_outputs) + 1):
            d[t - 1] += (d[t] * (1 - run.states[t] ** 2)) @ cell.params["W_s"].T
        return d

    assert "recurrent term is missing" in first_fail(nb05.check_total_derivatives(outputs_only))
    assert "g' is missing" in first_fail(nb05.check_total_derivatives(no_g_prime))
    assert "W_s is not transposed" in first_fail(nb05.check_total_derivatives(not_transposed))
    assert "the loop runs forward" in first_fail(nb05.check_total_derivatives(forward_loop))


def test_total_derivatives_without_s0_gets_the_shape_explained():
    def without_s0(cell, run, d_outputs):
        return nb05.total_derivatives(cell, run, d_outputs)[1:]

    assert "(T+1, B, H)" in first_fail(nb05.check_total_derivatives(without_s0))


# ---- exercise 3: dW_s as a sum over time ----------------------------------------


def test_reference_dW_s_passes():
    report = nb05.check_dW_s(nb05.dW_s_sum)
    assert report.passed, str(report)  # the reference equals rnnlib.bptt's dW_s


def test_dW_s_one_einsum_passes():
    report = nb05.check_dW_s(lambda states, dz: np.einsum("tbi,tbj->ij", states[:-1], dz))
    assert report.passed, str(report)  # any correct way of writing the sum passes


def test_dW_s_mistakes_are_named():
    assert "s_t is used" in first_fail(nb05.check_dW_s(lambda st, dz: np.einsum("tbi,tbj->ij", st[1:], dz)))
    transposed = first_fail(nb05.check_dW_s(lambda st, dz: np.einsum("tbi,tbj->ij", dz, st[:-1])))
    assert "transposed" in transposed
    assert "only the last step" in first_fail(nb05.check_dW_s(lambda st, dz: st[-2].T @ dz[-1]))


def test_solution_prints_the_reference(capsys):
    nb05.solution("total_derivatives")
    assert "def total_derivatives" in capsys.readouterr().out  # the reader sees the reference's source
