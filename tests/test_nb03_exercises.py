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
    for name in ("final_vector", "temperature_probs"):
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

    for name in (
        "acceptor_loss_and_grads",
        "transducer_loss_and_grads",
        "final_vector",
        "temperature_probs",
        "bio_spans",
    ):
        assert "raised NotImplementedError: your turn" in first_fail(getattr(nb03, f"check_{name}")(not_yet))


def test_solution_prints_the_reference(capsys):
    nb03.solution("bio_spans")
    assert "def bio_spans(tags" in capsys.readouterr().out  # rnnlib.lessons.tasks.bio_spans itself


def test_loss_and_grads_references_pass_and_mistakes_are_named():
    from rnnlib.core.losses import softmax_cross_entropy, softmax_cross_entropy_backward
    from rnnlib.core.unroll import bptt, last_output_only

    assert nb03.check_acceptor_loss_and_grads(nb03.acceptor_loss_and_grads).passed
    assert nb03.check_transducer_loss_and_grads(nb03.transducer_loss_and_grads).passed

    def acceptor(where):
        def fn(cell, head, xs, labels):
            run = unroll(cell, xs)
            logits, cache = head.forward(run.outputs[-1])
            dy_T, dhead = head.backward(softmax_cross_entropy_backward(logits, labels), cache)
            d_outputs = np.zeros_like(run.outputs)
            if where == "first":
                d_outputs[0] = dy_T
            else:  # every step
                d_outputs[:] = dy_T
            return softmax_cross_entropy(logits, labels), [bptt(cell, run, d_outputs).params, dhead]

        return fn

    def transducer_last_only(cell, head, xs, targets):
        run = unroll(cell, xs)
        logits, cache = head.forward(run.outputs)
        d_outputs, dhead = head.backward(softmax_cross_entropy_backward(logits, targets), cache)
        d_last = last_output_only(run, d_outputs[-1])
        return softmax_cross_entropy(logits, targets), [bptt(cell, run, d_last).params, dhead]

    def swapped(cell, head, xs, labels):
        loss, (dcell, dhead) = nb03.acceptor_loss_and_grads(cell, head, xs, labels)
        return loss, [dhead, dcell]

    # each slip is named: where dL/dy_T went, or that a transducer reads every output
    assert "it belongs to y_T" in first_fail(nb03.check_acceptor_loss_and_grads(acceptor("first")))
    assert "reads y_T alone" in first_fail(nb03.check_acceptor_loss_and_grads(acceptor("every")))
    assert "reads every y_t" in first_fail(nb03.check_transducer_loss_and_grads(transducer_last_only))
    assert "must have the keys" in first_fail(nb03.check_acceptor_loss_and_grads(swapped))
    # the acceptor's answer is not the transducer's: the two differ exactly in where the loss reads
    assert not nb03.check_transducer_loss_and_grads(
        lambda c, h, xs, y: nb03.acceptor_loss_and_grads(c, h, xs, y[-1])
    ).passed
