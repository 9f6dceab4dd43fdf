"""The output layer, the losses and the optimizers do what their docstrings say.

(Their backward passes are checked against finite differences in
test_gradients.py; here: the update rules, clipping, masks, softmax.)
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers import make_cell

import rnnlib


def a_model(seed=0):
    """The parameter dicts of an LSTM and its output layer, and gradients for them."""
    cell, head = make_cell("lstm", 3, 4, seed=seed), rnnlib.Affine(4, 2, seed=seed)
    rng = np.random.default_rng(seed)
    params = [cell.params, head.params]
    grads = [{k: rng.normal(size=v.shape) for k, v in p.items()} for p in params]
    return params, grads


def ids(params) -> list:
    return [id(v) for p in params for v in p.values()]


# ---- SGD --------------------------------------------------------------------------------------------------


def test_sgd_updates_in_place_by_the_rule():
    params, grads = a_model()
    old = [{k: v.copy() for k, v in p.items()} for p in params]
    before_ids = ids(params)
    opt = rnnlib.SGD(params, lr=0.05)
    opt.step(grads)
    # the same array objects are updated (a cell's live params dict sees the change)
    assert ids(params) == before_ids
    for p, o, g in zip(params, old, grads):
        for k in p:
            # theta <- theta - lr * grad
            np.testing.assert_allclose(p[k], o[k] - 0.05 * g[k], rtol=1e-15, atol=1e-17)


def test_sgd_momentum_accumulates_velocity():
    params, grads = a_model()
    W = params[0]["W_s"]
    w0 = W.copy()
    opt = rnnlib.SGD(params, lr=0.1, momentum=0.9)
    opt.step(grads)
    opt.step(grads)
    # v_1 = g, v_2 = 0.9 g + g: after two steps theta = theta_0 - 0.1 (g + 1.9 g)
    np.testing.assert_allclose(W, w0 - 0.1 * 2.9 * grads[0]["W_s"], rtol=1e-13)


def test_an_optimizer_takes_a_single_dict():
    cell = make_cell("tanh", 2, 3)
    W = cell.params["W_x"]
    g = {k: np.ones_like(v) for k, v in cell.params.items()}
    rnnlib.SGD(cell.params, lr=0.5).step(g)
    rnnlib.Adam(cell.params, lr=0.5).step(g)
    # a single dict is the same as a list of one dict, and the cell's own array is the one that moved
    assert cell.params["W_x"] is W
    # both steps moved b by -0.5 (SGD: lr g; Adam: lr g / (|g| + eps))
    np.testing.assert_allclose(cell.params["b"], -1.0, rtol=1e-7)


# ---- Adam -------------------------------------------------------------------------------------------------


def test_adam_first_step_is_lr_times_the_sign_of_the_gradient():
    params, grads = a_model()
    old = [{k: v.copy() for k, v in p.items()} for p in params]
    before_ids = ids(params)
    rnnlib.Adam(params, lr=0.01).step(grads)
    # Adam updates the same array objects
    assert ids(params) == before_ids
    for p, o, g in zip(params, old, grads):
        for k in p:
            step = p[k] - o[k]
            # after bias correction m_hat = g and v_hat = g^2, so the first step is -lr g / (|g| + eps):
            # against the gradient's sign ...
            np.testing.assert_array_equal(np.sign(step), -np.sign(g[k]))
            # ... and of size lr, short of it by no more than the relative share eps / |g| (rounding aside)
            assert np.all(np.abs(step) <= 0.01 * (1 + 1e-12))
            # ... and no shorter than lr (1 - eps / |g|)
            assert np.all(np.abs(step) >= 0.01 * (1 - 1e-8 / np.abs(g[k])) - 1e-15)


def test_adam_follows_its_update_rule_over_several_steps():
    params, _ = a_model()
    W = params[0]["W_x"]
    w, m, v = W.copy(), np.zeros_like(W), np.zeros_like(W)
    lr, b1, b2, eps = 0.02, 0.8, 0.95, 1e-6
    opt = rnnlib.Adam(params, lr=lr, betas=(b1, b2), eps=eps)
    rng = np.random.default_rng(1)
    for t in range(1, 5):
        grads = [{k: rng.normal(size=x.shape) for k, x in p.items()} for p in params]
        opt.step(grads)
        g = grads[0]["W_x"]
        m, v = b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g * g
        w = w - lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps)
        # the parameters follow Kingma and Ba's rule, written out here, step after step
        np.testing.assert_allclose(W, w, rtol=1e-12)
    # the step counter counts the steps
    assert opt.t == 4


# ---- clipping ---------------------------------------------------------------------------------------------


def own_norm(grads) -> float:
    return float(np.sqrt(sum(np.sum(np.asarray(g, dtype=np.float64) ** 2) for d in grads for g in d.values())))


def test_clip_grad_norm_scales_to_max_norm_and_returns_the_norm_before():
    _, grads = a_model()
    original = [{k: v.copy() for k, v in d.items()} for d in grads]
    before_ids = ids(grads)
    norm = own_norm(grads)
    # precondition: the gradients are above max_norm, so clipping must act
    assert norm > 1.0
    returned = rnnlib.clip_grad_norm(grads, 1.0)
    # it returns the global norm before clipping
    assert returned == pytest.approx(norm, rel=1e-14)
    # afterwards the global norm is max_norm
    assert own_norm(grads) == pytest.approx(1.0, rel=1e-14)
    # rnnlib's global_norm agrees
    assert rnnlib.global_norm(grads) == pytest.approx(1.0, rel=1e-14)
    # every gradient is scaled by the same factor (the direction is kept), in place
    assert ids(grads) == before_ids
    for d, o in zip(grads, original):
        for k in d:
            # each gradient is the original times max_norm / norm
            np.testing.assert_allclose(d[k], o[k] / norm, rtol=1e-14)


def test_clip_grad_norm_leaves_small_gradients_alone():
    _, grads = a_model()
    norm = own_norm(grads)
    original = [{k: v.copy() for k, v in d.items()} for d in grads]
    # below max_norm nothing changes, bitwise, and the norm is still returned
    assert rnnlib.clip_grad_norm(grads, norm * 1.5) == pytest.approx(norm, rel=1e-14)
    for d, o in zip(grads, original):
        for k in d:
            # the gradients are bitwise unchanged
            np.testing.assert_array_equal(d[k], o[k])


@pytest.mark.parametrize("dtype, size", [(np.float32, 1e20), (np.float64, 1e160)])
def test_clip_grad_norm_of_exploding_gradients(dtype, size):
    # gradients whose squares overflow (an exploding gradient) are still clipped to max_norm, not zeroed
    grads = [{"W": np.full((3, 4), size, dtype=dtype), "b": np.full(4, -size, dtype=dtype)}]
    norm = rnnlib.clip_grad_norm(grads, 5.0)
    # the norm before clipping is sqrt(16) size, finite
    assert norm == pytest.approx(4.0 * size, rel=1e-6)
    # after clipping the global norm is max_norm, and the gradients keep their dtype and signs
    assert rnnlib.global_norm(grads) == pytest.approx(5.0, rel=1e-6)
    # the clipped gradients keep their dtype and their signs (they were not zeroed)
    assert grads[0]["W"].dtype == dtype and np.all(grads[0]["W"] > 0) and np.all(grads[0]["b"] < 0)


def test_global_norm_of_zero_gradients_is_zero():
    # all-zero gradients have norm 0 (no 0/0) and clipping leaves them alone
    grads = [{"W": np.zeros((2, 2))}]
    # zero gradients have norm 0 and clipping returns 0 without a 0/0
    assert rnnlib.global_norm(grads) == 0.0 and rnnlib.clip_grad_norm(grads, 1.0) == 0.0


# ---- training works end to end -----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["tanh", "lstm"])
def test_a_few_adam_steps_lower_the_loss(kind):
    # the parts fit together: unroll -> Affine -> cross-entropy -> backward -> clip -> Adam lowers the loss
    T, B, D, H, K = 6, 8, 3, 8, 3
    rng = np.random.default_rng(50)
    xs = rng.normal(size=(T, B, D))
    targets = (xs[..., 0] > 0).astype(int) + (xs[..., 1] > 0).astype(int)  # a class read off the input
    cell, head = make_cell(kind, D, H, seed=50), rnnlib.Affine(H, K, seed=50)
    opt = rnnlib.Adam([cell.params, head.params], lr=0.05)
    losses = []
    for _ in range(30):
        run = rnnlib.unroll(cell, xs)
        logits, cache = head.forward(run.outputs)
        losses.append(rnnlib.softmax_cross_entropy(logits, targets))
        d_out, d_head = head.backward(rnnlib.softmax_cross_entropy_backward(logits, targets), cache)
        grads = [rnnlib.bptt(cell, run, d_out).params, d_head]
        rnnlib.clip_grad_norm(grads, 5.0)
        opt.step(grads)
    # 30 steps cut the loss by more than 40%
    assert losses[-1] < 0.6 * losses[0]


# ---- Affine, softmax and the masks ------------------------------------------------------------------------


def test_affine_backward_sums_over_every_leading_dimension():
    layer = rnnlib.Affine(3, 2, seed=0)
    x = np.random.default_rng(0).normal(size=(4, 5, 3))
    dy = np.ones((4, 5, 2))
    y, cache = layer.forward(x)
    dx, d = layer.backward(dy, cache)
    # y (T, B, K), dx the shape of x, dW (H, K) and db (K,) summed over T and B
    assert y.shape == (4, 5, 2) and dx.shape == x.shape and d["W"].shape == (3, 2)
    # db sums dy = 1 over the 4 x 5 leading positions
    np.testing.assert_allclose(d["b"], [20.0, 20.0])
    # dW = x^T dy sums over every leading position too
    np.testing.assert_allclose(d["W"], np.broadcast_to(x.sum(axis=(0, 1))[:, None], (3, 2)), rtol=1e-14)


@pytest.mark.parametrize("axis", [-1, 0, 1])
def test_softmax_is_a_distribution_along_its_axis(axis):
    z = np.random.default_rng(0).normal(0, 5, size=(3, 4, 5))
    p = rnnlib.softmax(z, axis=axis)
    # positive entries that sum to 1 along the axis, and invariant under adding a constant
    assert np.all(p > 0)
    # the probabilities sum to 1 along the axis
    np.testing.assert_allclose(p.sum(axis=axis), 1.0, rtol=1e-14)
    # adding a constant to every logit changes nothing
    np.testing.assert_allclose(rnnlib.softmax(z + 100.0, axis=axis), p, rtol=1e-12)


def test_masked_positions_do_not_count():
    rng = np.random.default_rng(1)
    logits, targets = rng.normal(size=(4, 3, 5)), rng.integers(0, 5, size=(4, 3))
    mask = rng.random((4, 3)) < 0.5
    mask[0, 0], mask[0, 1] = True, False
    other = logits.copy()
    other[~mask] = 99.0
    # changing a masked-out logit changes neither the loss nor its gradient, which is 0 there
    assert rnnlib.softmax_cross_entropy(other, targets, mask) == rnnlib.softmax_cross_entropy(logits, targets, mask)
    d = rnnlib.softmax_cross_entropy_backward(logits, targets, mask)
    # the gradient is exactly 0 at the masked-out positions
    assert not np.any(d[~mask])
    # the mean is over the selected positions only
    full = rnnlib.softmax_cross_entropy(logits[mask], targets[mask])
    # the masked mean equals the mean over the selected positions alone
    assert rnnlib.softmax_cross_entropy(logits, targets, mask) == pytest.approx(full, rel=1e-14)
    pred, target = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    # the same for MSE
    assert rnnlib.mse(pred, target, mask) == pytest.approx(rnnlib.mse(pred[mask], target[mask]), rel=1e-14)
