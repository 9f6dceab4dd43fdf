"""The checkers of notebook 3's exercises: the reference answers pass, typical wrong ones fail usefully."""

import numpy as np

from rnnlib.core import models
from rnnlib.core.unroll import unroll
from rnnlib.exercises import nb03
from rnnlib.lessons import tasks


def first_fail(report):
    """The text of the first FAIL line and its detail."""
    text = str(report)
    assert not report.passed, text
    return text[text.index("FAIL") :]


def test_references_pass_and_agree_with_the_library():
    for name in ("final_vector", "temperature_probs", "bio_spans"):
        report = getattr(nb03, f"check_{name}")(getattr(nb03, name))
        assert report.passed, str(report)  # the reference answer passes its own checker
    assert nb03.check_temperature_probs(models.temperature_probs).passed  # and so does the library's function
    assert nb03.check_bio_spans(tasks.bio_spans).passed


def test_final_vector_mistakes():
    assert "whole state s_T" in first_fail(nb03.check_final_vector(lambda c, xs: unroll(c, xs).states[-1]))
    assert "every output" in first_fail(nb03.check_final_vector(lambda c, xs: unroll(c, xs).outputs))
    assert "y_1" in first_fail(nb03.check_final_vector(lambda c, xs: unroll(c, xs).outputs[0]))


def test_temperature_mistakes():
    def times(logits, temperature):
        z = np.asarray(logits) * temperature
        e = np.exp(z - z.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)

    def no_shift(logits, temperature):
        e = np.exp(np.asarray(logits) / temperature)
        return e / e.sum(axis=-1, keepdims=True)

    def whole_sum(logits, temperature):
        z = np.asarray(logits) / temperature
        e = np.exp(z - z.max())
        return e / e.sum()  # normalises over every entry, not each row

    assert "divide by the temperature" in first_fail(nb03.check_temperature_probs(times))
    assert "subtract the largest logit" in first_fail(nb03.check_temperature_probs(no_shift))
    assert "add up to 1 along the last axis" in first_fail(nb03.check_temperature_probs(whole_sum))


def test_bio_spans_mistakes():
    def never_closes_at_end(tags):
        spans, start = [], None
        for t, tag in enumerate(tags):
            if start is not None and not tag.startswith("I-"):
                spans.append((start, t, tags[start][2:]))
                start = None
            if tag.startswith("B-"):
                start = t
        return spans

    def inclusive_end(tags):
        return [(s, e - 1, k) for s, e, k in tasks.bio_spans(tags)]

    assert "last entity is missing" in first_fail(nb03.check_bio_spans(never_closes_at_end))
    assert "end is exclusive" in first_fail(nb03.check_bio_spans(inclusive_end))


def test_the_starting_point_is_reported_not_raised():
    def not_yet(*args):
        raise NotImplementedError("your turn")

    for name in ("final_vector", "temperature_probs", "bio_spans"):
        assert "raised NotImplementedError: your turn" in first_fail(getattr(nb03, f"check_{name}")(not_yet))


def test_solution_prints_the_reference(capsys):
    nb03.solution("bio_spans")
    assert "def bio_spans(tags):" in capsys.readouterr().out
