"""rnnlib.lessons.long_range: the adding problem, the copy task, and training an RNN on the adding problem."""

import numpy as np
import pytest

import rnnlib
from rnnlib.core.models import Regressor
from rnnlib.lessons import long_range, tasks
from rnnlib.lessons.long_range import train_adding
from rnnlib.lessons.tasks import adding_problem, copy_baseline, copy_task

# ---- the adding problem -------------------------------------------------------------


def test_adding_problem_shapes_and_seeds():
    a = adding_problem(12, 5, seed=3)
    assert a.xs.shape == (12, 5, 2) and a.targets.shape == (5, 1)
    b = adding_problem(12, 5, seed=3)
    assert np.array_equal(a.xs, b.xs) and np.array_equal(a.targets, b.targets)  # same seed, same data
    c = adding_problem(12, 5, seed=4)
    assert not np.array_equal(a.xs, c.xs)


@pytest.mark.parametrize("T", [2, 3, 10, 51])
def test_adding_problem_has_one_marker_in_each_half_and_sums_them(T):
    batch = adding_problem(T, 400, seed=T)
    values, markers = batch.xs[..., 0], batch.xs[..., 1]
    assert np.all((values >= 0) & (values <= 1))
    assert np.all(markers.sum(axis=0) == 2)
    half = T // 2
    assert np.all(markers[:half].sum(axis=0) == 1) and np.all(markers[half:].sum(axis=0) == 1)
    assert np.allclose(batch.targets[:, 0], (values * markers).sum(axis=0))


def test_adding_problem_statistics():
    # the values are U[0, 1]; the markers fall uniformly within each half;
    # the target has mean 1 and variance 1/6, so always answering 1 scores MSE 1/6
    batch = adding_problem(20, 20000, seed=0)
    values, markers = batch.xs[..., 0], batch.xs[..., 1]
    assert values.mean() == pytest.approx(0.5, abs=0.005)
    assert values.var() == pytest.approx(1 / 12, abs=0.002)
    where = markers.mean(axis=1)  # how often each step is marked
    assert np.allclose(where[:10], 0.1, atol=0.01) and np.allclose(where[10:], 0.1, atol=0.01)
    assert batch.targets.mean() == pytest.approx(1.0, abs=0.01)
    # the standard error of the MSE estimate over 20000 sequences is about 0.0013
    assert tasks.mean_predictor_mse(batch) == pytest.approx(tasks.ADDING_BASELINE_MSE, abs=0.005)


def test_adding_problem_rejects_bad_sizes():
    with pytest.raises(ValueError, match="T must be at least 2"):
        adding_problem(1, 3)
    with pytest.raises(ValueError, match="n must be a positive integer"):
        adding_problem(5, 0)


# ---- the copy task -------------------------------------------------------------------


def test_copy_task_layout():
    L, delay, K = 4, 6, 5
    batch = copy_task(L, delay, 300, n_symbols=K, seed=1)
    T = 2 * L + delay
    assert batch.xs.shape == (T, 300, K + 2) and batch.targets.shape == (T, 300) and batch.mask.shape == (T, 300)
    inputs = batch.xs.argmax(axis=-1)
    assert np.all(batch.xs.sum(axis=-1) == 1)  # one-hot
    assert np.all((inputs[:L] >= 1) & (inputs[:L] <= K))  # the symbols come first
    assert np.all(inputs[L : L + delay - 1] == 0)  # then blanks
    assert np.all(inputs[L + delay - 1] == K + 1)  # then the signal to recall
    assert np.all(inputs[L + delay :] == 0)
    assert np.array_equal(batch.targets[L + delay :], inputs[:L])  # recall the symbols in order
    assert np.all(batch.targets[: L + delay] == 0)
    assert np.array_equal(batch.mask, batch.targets > 0)


def test_copy_task_statistics_and_seed():
    batch = copy_task(10, 5, 5000, n_symbols=8, seed=2)
    counts = np.bincount(batch.xs.argmax(axis=-1)[:10].ravel(), minlength=10)[1:9]
    assert np.allclose(counts / counts.sum(), 1 / 8, atol=0.01)  # symbols uniform over 1..K
    again = copy_task(10, 5, 5000, n_symbols=8, seed=2)
    assert np.array_equal(batch.xs, again.xs)
    assert copy_baseline(10, 5, 8) == pytest.approx(10 * np.log(8) / 25)


# ---- the model and its gradients --------------------------------------------------------


@pytest.mark.parametrize("kind", ["tanh", "lstm"])
def test_regressor_loss_and_grads_match_finite_differences(kind):
    cell, head = long_range.make_model(kind, 3, seed=0)
    batch = adding_problem(5, 4, seed=1)
    loss_and_grads = Regressor(cell, head).loss_and_grads
    loss, grads = loss_and_grads(batch)
    for params, g in zip([cell.params, head.params], grads):
        for key, value in params.items():
            numeric = rnnlib.numerical_gradient(lambda _: loss_and_grads(batch)[0], value)
            assert rnnlib.rel_error(g[key], numeric) < 1e-7, key


def test_train_adding_is_deterministic_and_reports_progress_never_outside_a_notebook(capsys):
    a = train_adding(4, hidden_size=4, steps=20, batch_size=8, n_test=50, seed=3)
    b = train_adding(4, hidden_size=4, steps=20, batch_size=8, n_test=50, seed=3)
    assert a.score == b.score and np.array_equal(a.history.losses, b.history.losses)
    assert a.history.losses.shape == (20,) and a.history.diverged_at is None
    assert a.metric == "test MSE" and a.baseline == pytest.approx(1 / 6) and not a.higher_is_better
    assert capsys.readouterr().out == ""


def test_train_adding_learns_something_at_T_5():
    # a short seeded smoke run (notebooks 6 and 7 run the full trainings under nbval):
    # 300 steps at T = 5 already take the test error well below the mean predictor's 1/6
    result = train_adding(5, steps=300, seed=0, progress=False)
    assert result.score < 0.5 * result.baseline


def test_clipping_rescues_a_run_that_diverges_without_it():
    # notebook 6's setting, shortened: W_s at spectral radius 1.5, plain SGD, same seed and data
    kwargs = dict(T=10, steps=800, batch_size=32, lr=0.1, optimizer="sgd", recurrent_radius=1.5, seed=0)
    wild = train_adding(clip_norm=None, progress=False, **kwargs)
    stop = wild.history.diverged_at
    assert stop is not None and wild.history.final_loss() == float("inf") and wild.score == float("inf")
    assert np.all(np.isfinite(wild.history.losses[:stop])) and np.all(np.isnan(wild.history.losses[stop:]))
    tame = train_adding(clip_norm=1.0, progress=False, **kwargs)
    assert tame.history.diverged_at is None and tame.history.final_loss() < tame.baseline


def test_train_adding_rejects_bad_arguments():
    with pytest.raises(ValueError, match="optimizer"):
        train_adding(5, optimizer="rmsprop")
    with pytest.raises(ValueError, match="recurrent_radius"):
        train_adding(5, kind="lstm", recurrent_radius=1.0)


def test_train_adding_can_stop_once_learned():
    # The same run as without stop_below, cut at the first step whose last 20 training losses average below it.
    full = train_adding(5, steps=300, seed=0, progress=False)
    early = train_adding(5, steps=300, seed=0, progress=False, stop_below=0.1)
    n = len(early.history.losses)
    assert 20 < n < 300 and np.array_equal(early.history.losses, full.history.losses[:n])
    assert early.history.losses[-20:].mean() < 0.1 <= full.history.losses[n - 21 : n - 1].mean()
