"""The checkers of notebook 2's exercises: the reference answers pass, typical wrong ones fail usefully."""

import numpy as np

from rnnlib.exercises import nb02


def first_fail(report):
    """The text of the first FAIL line and its detail."""
    text = str(report)
    assert not report.passed, text
    return text[text.index("FAIL") :]


# ---- R of an Elman cell ------------------------------------------------------


def test_reference_elman_step_passes():
    report = nb02.check_elman_step(nb02.elman_step)
    assert report.passed, str(report)
    assert str(report).startswith("elman_step: all checks passed")


def test_elman_step_mistakes_are_named():
    def no_tanh(s, x, p):
        return x @ p["W_x"] + s @ p["W_s"] + p["b"]

    def no_bias(s, x, p):
        return np.tanh(x @ p["W_x"] + s @ p["W_s"])

    def swapped(s, x, p):
        return np.tanh(x @ p["W_s"] + s @ p["W_x"] + p["b"])

    def no_state(s, x, p):
        return np.tanh(x @ p["W_x"] + p["b"])

    assert "tanh is missing" in first_fail(nb02.check_elman_step(no_tanh))
    assert "bias b is missing" in first_fail(nb02.check_elman_step(no_bias))
    assert "W_x and W_s are swapped" in first_fail(nb02.check_elman_step(swapped))
    assert "previous state is missing" in first_fail(nb02.check_elman_step(no_state))


def test_elman_step_column_vectors_get_the_shapes_explained():
    def columns(s, x, p):
        return np.tanh(p["W_x"] @ x + p["W_s"] @ s + p["b"])

    assert "x @ W_x is (B, D) @ (D, H) -> (B, H)" in first_fail(nb02.check_elman_step(columns))


def test_elman_step_that_changes_its_arguments_fails():
    def in_place(s, x, p):
        s += 1.0
        return np.tanh(x @ p["W_x"] + (s - 1.0) @ p["W_s"] + p["b"])

    assert "changed its arguments in place" in first_fail(nb02.check_elman_step(in_place))


def test_the_starting_point_of_an_exercise_is_reported_not_raised():
    def not_yet(s_prev, x, params):
        raise NotImplementedError("your turn")

    assert "raised NotImplementedError: your turn" in first_fail(nb02.check_elman_step(not_yet))
    assert "raised NotImplementedError" in first_fail(nb02.check_unroll_states(lambda cell, xs: not_yet(0, 0, 0)))
    assert "raised NotImplementedError" in first_fail(nb02.check_nested(lambda t: not_yet(0, 0, 0)))


# ---- the unroll loop -------------------------------------------------------


def test_reference_unroll_states_passes():
    report = nb02.check_unroll_states(nb02.unroll_states)
    assert report.passed, str(report)
    assert "LSTMCell" in str(report), "the checker also runs an LSTM"


def test_unroll_states_mistakes_are_named():
    def without_s0(cell, xs):
        return nb02.unroll_states(cell, xs)[1:]

    def always_from_s0(cell, xs):
        s0 = cell.initial_state(xs.shape[1])
        return np.stack([s0] + [cell.step(s0, x) for x in xs])

    def as_a_list(cell, xs):  # a list of (B, S) arrays is fine too
        return list(nb02.unroll_states(cell, xs))

    assert "s_0 is missing" in first_fail(nb02.check_unroll_states(without_s0))
    assert "every step starts from s_0" in first_fail(nb02.check_unroll_states(always_from_s0))
    assert nb02.check_unroll_states(as_a_list).passed


# ---- the nested expression -------------------------------------------------


def test_reference_nested_passes_with_either_subscript_style():
    assert nb02.check_nested(nb02.nested).passed
    # x_{3} and x_3 typeset alike; spaces do not matter

    def plain(t):
        expr = "s_0"
        for k in range(1, t + 1):
            expr = f"R({expr},x_{k})" if k < 10 else f"R({expr},x_{{{k}}})"
        return expr

    assert nb02.check_nested(plain).passed


def test_nested_mistakes_fail_with_the_expected_string():
    def swapped(t):
        return "s_0" if t == 0 else f"R(x_{t}, {swapped(t - 1)})"

    def off_by_one(t):
        return nb02.nested(t + 1)

    def two_digits_without_braces(t):
        return nb02.nested(t).replace("{", "").replace("}", "")

    assert "R takes the state first" in first_fail(nb02.check_nested(swapped))
    assert "expected 's_0', got 'R(s_0, x_{1})'" in first_fail(nb02.check_nested(off_by_one))
    assert "t = 12" in first_fail(nb02.check_nested(two_digits_without_braces))
    assert "expected a string" in first_fail(nb02.check_nested(lambda t: t))


def test_solution_prints_the_reference(capsys):
    nb02.solution("unroll_states")
    printed = capsys.readouterr().out
    assert printed.startswith("def unroll_states(cell, xs):") and "cell.step(s, x)" in printed


def test_solution_names_the_exercises():
    try:
        nb02.solution("nope")
    except ValueError as err:
        assert "elman_step" in str(err)
    else:
        raise AssertionError("solution('nope') should raise")
