"""Truncated BPTT chunk by chunk (notebook 5): the loop of rnnlib.lessons.echo.train_echo_chunked, and how it
relates to bptt(truncate=k).

What is checked: (1) with the updates held back, the chunks' gradients (unroll from the handed-on state, bptt
on the chunk alone) add up to bptt(truncate=k) on the whole sequence, for Elman and LSTM cells and a T that k
does not divide; (2) train_echo_chunked hands each chunk's last state to the next chunk, keeps k steps per
run and updates once per chunk; (3) it learns the echo with chunks of 3 and not with chunks of 2; (4)
train_echo(train_cell=False) leaves the cell at its starting weights.
"""

import numpy as np
import pytest

import rnnlib
from rnnlib.lessons import echo
from rnnlib.lessons.echo import train_echo, train_echo_chunked


@pytest.mark.parametrize("kind", ["elman", "lstm"])
@pytest.mark.parametrize("T, k", [(6, 2), (7, 3), (5, 1), (4, 4)])
def test_chunks_with_updates_held_back_sum_to_truncated_bptt(kind, T, k):
    rng = np.random.default_rng(T * 10 + k)
    B, D, H = 3, 2, 4
    make = rnnlib.LSTMCell if kind == "lstm" else rnnlib.ElmanCell
    cell = make(input_size=D, hidden_size=H, seed=1)
    xs = rng.normal(size=(T, B, D))
    d_outputs = rng.normal(size=(T, B, H))
    whole = rnnlib.bptt(cell, rnnlib.unroll(cell, xs), d_outputs, truncate=k)

    state = cell.initial_state(B)
    summed = {name: np.zeros_like(p) for name, p in cell.params.items()}
    for start in range(0, T, k):
        run = rnnlib.unroll(cell, xs[start : start + k], s0=state)
        for name, g in rnnlib.bptt(cell, run, d_outputs[start : start + k]).params.items():
            summed[name] += g
        state = run.states[-1]
    for name in cell.params:  # the same numbers, summed in another order
        assert rnnlib.rel_error(summed[name], whole.params[name]) < 1e-12, name


def test_chunked_training_carries_the_state_and_updates_after_every_chunk(monkeypatch):
    seen = []  # (s0 given to unroll, the run it returned), for every call
    real_unroll = echo.unroll

    def spy(cell, xs, s0=None):
        run = real_unroll(cell, xs, s0)
        seen.append((None if s0 is None else s0.copy(), run, len(xs)))
        return run

    monkeypatch.setattr(echo, "unroll", spy)
    k, length = 3, 30
    outcome = train_echo_chunked(k, length=length, batch_size=4, progress=False)
    warm_up, chunks = seen[0], seen[1 : 1 + length // k]  # the first delay steps fill the state; then the chunks
    assert warm_up[0] is None and warm_up[2] == 2
    assert all(n == k for _, _, n in chunks)  # each run holds k steps: k + 1 states
    previous = warm_up[1]
    for s0, run, _ in chunks:
        assert np.array_equal(s0, previous.states[-1])  # the state handed on from the chunk before
        previous = run
    assert outcome.details == {"chunk": k, "updates": length // k}
    assert len(outcome.history.losses) == length // k and np.all(np.isfinite(outcome.history.losses))


def test_chunks_of_3_learn_the_echo_and_chunks_of_2_do_not():
    learns, fails = train_echo_chunked(3, progress=False), train_echo_chunked(2, progress=False)
    assert learns.score >= 0.95 and learns.passed
    assert fails.score < 0.5  # no chunk of 2 holds a pair two steps apart
    assert learns.details["updates"] == 1200 and fails.details["updates"] == 1800


def test_training_the_head_alone_leaves_the_cell_untouched():
    frozen = train_echo(train_cell=False, steps=20, progress=False)
    fresh = rnnlib.ElmanCell(input_size=4, hidden_size=16, seed=0)
    for name, p in fresh.params.items():
        assert np.array_equal(frozen.model.cell.params[name], p)
    assert not np.array_equal(frozen.model.head.params["W"], rnnlib.Affine(16, 4, seed=1).params["W"])
