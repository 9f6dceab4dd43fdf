"""rnnlib.core.train.fit: the training loop every notebook uses."""

import numpy as np
import pytest

import rnnlib
from rnnlib.core.train import History, fit


def _quadratic():
    # L(w) = |w - target|^2, gradient 2 (w - target): fit must drive w to target
    params = {"w": np.zeros(3)}
    target = np.array([1.0, -2.0, 0.5])

    def loss_and_grads(batch):
        d = params["w"] - target
        return float(d @ d), [{"w": 2 * d}]

    return params, target, loss_and_grads


def test_fit_minimises_and_records_every_step():
    params, target, lg = _quadratic()
    opt = rnnlib.SGD([params], lr=0.1)
    hist = fit(lg, [params], lambda step: None, steps=50, optimizer=opt, progress=False)
    assert hist.losses.shape == (50,) and hist.grad_norms.shape == (50,)
    assert np.allclose(params["w"], target, atol=1e-4)  # the optimizer changed params in place
    assert np.all(np.diff(hist.losses) <= 0)  # plain gradient descent on a convex bowl never goes up
    assert hist.losses[0] == pytest.approx(np.sum(target**2))  # loss recorded before the update


def test_grad_norms_are_before_clipping_and_clipping_limits_the_step():
    params, target, lg = _quadratic()
    opt = rnnlib.SGD([params], lr=1.0)
    hist = fit(lg, [params], lambda step: None, steps=1, optimizer=opt, clip_norm=0.5, progress=False)
    full = 2 * np.linalg.norm(target)
    assert hist.grad_norms[0] == pytest.approx(full)  # the norm before clipping
    assert np.linalg.norm(params["w"]) == pytest.approx(0.5)  # the step had norm 0.5 (lr = 1)


def test_next_batch_gets_the_step_and_batches_reach_the_loss():
    params = {"w": np.zeros(1)}
    seen = []

    def lg(batch):
        seen.append(batch)
        return 0.0, [{"w": np.zeros(1)}]

    fit(lg, [params], lambda step: step * 10, steps=4, optimizer=rnnlib.SGD([params]), progress=False)
    assert seen == [0, 10, 20, 30]


def test_progress_reporter_object_is_called_and_default_is_silent(capsys):
    params, _, lg = _quadratic()

    class Rec:
        def __init__(self):
            self.updates, self.closed = [], None

        def update(self, step, steps, loss):
            self.updates.append((step, steps))

        def close(self, history):
            self.closed = history

    rec = Rec()
    hist = fit(lg, [params], lambda s: None, 5, rnnlib.SGD([params], lr=0.1), progress=rec)
    assert rec.updates == [(k, 5) for k in range(1, 6)] and rec.closed is hist
    fit(lg, [params], lambda s: None, 5, rnnlib.SGD([params], lr=0.1))  # progress=True outside a kernel
    assert capsys.readouterr().out == ""  # shows nothing under pytest


def test_bad_arguments_raise():
    params, _, lg = _quadratic()
    other = {"w": np.zeros(3)}
    with pytest.raises(ValueError, match="optimizer"):
        fit(lg, [params], lambda s: None, 3, rnnlib.SGD([other]), progress=False)
    with pytest.raises(ValueError, match="steps"):
        fit(lg, [params], lambda s: None, 0, rnnlib.SGD([params]), progress=False)
    with pytest.raises(ValueError, match="clip_norm"):
        fit(lg, [params], lambda s: None, 3, rnnlib.SGD([params]), clip_norm=-1.0, progress=False)



def test_divergence_stops_training_and_is_recorded():
    # the loss becomes inf at step 2: fit takes no update from it, stops, and says where in the History
    params = {"w": np.ones(2)}

    def loss_and_grads(batch):
        return (float("inf") if batch == 2 else 1.0), [{"w": np.ones(2)}]

    hist = fit(loss_and_grads, [params], lambda step: step, 5, rnnlib.SGD([params], lr=0.1), progress=False)
    assert hist.diverged_at == 2 and hist.final_loss() == float("inf")
    assert np.array_equal(hist.losses[:2], [1.0, 1.0]) and np.all(np.isnan(hist.losses[2:]))
    assert np.allclose(params["w"], 1 - 2 * 0.1)  # exactly the two finite steps were taken
    assert fit(loss_and_grads, [params], lambda step: 0, 3, rnnlib.SGD([params]), progress=False).diverged_at is None


def test_running_loss():
    hist = History(losses=np.array([4.0, 2.0, 0.0, 2.0]), grad_norms=np.zeros(4))
    assert np.allclose(hist.running_loss(2), [4.0, 3.0, 1.0, 1.0])


def test_fit_stops_once_the_running_loss_is_below_stop_below():
    params, target, lg = _quadratic()
    opt = rnnlib.SGD([params], lr=0.1)
    hist = fit(lg, [params], lambda s: None, 200, opt, progress=False, stop_below=1e-3, stop_window=5)
    n = len(hist.losses)
    # It stopped early, at the first step whose last 5 losses average below 1e-3, and keeps only the steps taken.
    assert 5 < n < 200 and hist.grad_norms.shape == (n,) and np.all(np.isfinite(hist.losses))
    assert hist.losses[-5:].mean() < 1e-3 <= hist.losses[-6:-1].mean()
    assert hist.diverged_at is None
    for bad in (0.0, -1.0, np.inf):
        with pytest.raises(ValueError, match="stop_below"):
            fit(lg, [params], lambda s: None, 3, opt, progress=False, stop_below=bad)
