"""The checkers of notebook 4's exercises: the reference answers pass, typical wrong ones fail usefully."""

import numpy as np
import pytest

from rnnlib.core.unroll import unroll
from rnnlib.exercises import nb04
from rnnlib.lessons import tasks


def first_fail(report):
    """The text of the first FAIL line and its detail."""
    text = str(report)
    assert not report.passed, text
    return text[text.index("FAIL") :]


def test_references_pass():
    for name in ("seen", "bidirectional_outputs", "first_word_bound"):
        report = getattr(nb04, f"check_{name}")(getattr(nb04, name))
        assert report.passed, str(report)  # the reference answer passes its own checker


def test_seen_mistakes():
    def strictly_before(T, t):
        p = np.arange(1, T + 1)
        return p < t, p >= t, np.ones(T, bool)

    def both_is_and(T, t):
        p = np.arange(1, T + 1)
        return p <= t, p >= t, (p <= t) & (p >= t)

    assert "has read x_t itself too" in first_fail(nb04.check_seen(strictly_before))
    assert "whatever either half has read" in first_fail(nb04.check_seen(both_is_and))


def test_bidirectional_outputs_mistakes():
    def not_put_back(cf, cb, xs):
        return np.concatenate([unroll(cf, xs).outputs, unroll(cb, xs[::-1]).outputs], axis=-1)

    def not_reversed(cf, cb, xs):
        return np.concatenate([unroll(cf, xs).outputs, unroll(cb, xs).outputs], axis=-1)

    def swapped(cf, cb, xs):
        return np.concatenate([unroll(cb, xs[::-1]).outputs[::-1], unroll(cf, xs).outputs], axis=-1)

    assert "still in reading order" in first_fail(nb04.check_bidirectional_outputs(not_put_back))
    assert "must read the sequence reversed" in first_fail(nb04.check_bidirectional_outputs(not_reversed))
    assert "forward half comes first" in first_fail(nb04.check_bidirectional_outputs(swapped))


def test_first_word_bound_mistakes():
    def one_tag_for_all(sentences):
        tags = [t[0] for _, t in sentences]
        return max(tags.count(k) for k in set(tags)) / len(sentences)

    assert "one tag for every first word" in first_fail(nb04.check_first_word_bound(one_tag_for_all))


def test_the_starting_point_is_reported_not_raised():
    def not_yet(*args):
        raise NotImplementedError("your turn")

    for name in ("seen", "bidirectional_outputs", "first_word_bound"):
        assert "raised NotImplementedError: your turn" in first_fail(getattr(nb04, f"check_{name}")(not_yet))


def test_solution():
    with pytest.raises(ValueError, match="name must be one of"):
        nb04.solution("nope")
    assert nb04.first_word_bound(tasks.right_context_tagging(300, seed=1)) < 0.7  # the bound is far from 1
