"""rnnlib.core.models: each usage pattern's backward pass, checked against finite differences."""

import numpy as np
import pytest

import rnnlib
from rnnlib.core.models import (
    Acceptor,
    EncoderDecoder,
    PairClassifier,
    Transducer,
    encode,
    sample,
    temperature_probs,
)
from rnnlib.core.unroll import bptt, unroll

T, B, D, H, K = 4, 3, 3, 4, 3


def finite_difference(f, x, h=1e-6):
    """dL/dx by centred differences, perturbing x in place one entry at a time."""
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        up = f()
        x[i] = old - h
        down = f()
        x[i] = old
        grad[i] = (up - down) / (2 * h)
    return grad


def rel(a, b):
    return np.max(np.abs(a - b)) / max(np.max(np.abs(a) + np.abs(b)), 1e-300)


def cell(kind, D_in=D, seed=0):
    return rnnlib.LSTMCell(D_in, H, seed=seed) if kind == "lstm" else rnnlib.ElmanCell(D_in, H, seed=seed)


def assert_model_gradients(model, batch):
    _, grads = model.loss_and_grads(batch)
    assert len(grads) == len(model.params)
    for params, g in zip(model.params, grads):
        assert set(g) == set(params)
        for key in params:
            numeric = finite_difference(lambda: model.loss_and_grads(batch)[0], params[key])
            # every parameter of every part of the model gets the gradient of the loss
            assert rel(g[key], numeric) <= 1e-7, key


rng = np.random.default_rng(0)
XS = rng.standard_normal((T, B, D))
LABELS = np.array([0, 2, 1])


@pytest.mark.parametrize("kind", ["tanh", "lstm"])
def test_acceptor_gradients(kind):
    assert_model_gradients(Acceptor(cell(kind), rnnlib.Affine(H, K, seed=1)), (XS, LABELS))


@pytest.mark.parametrize("kind", ["tanh", "lstm"])
def test_pair_classifier_gradients(kind):
    other = np.random.default_rng(1).standard_normal((T + 1, B, D))  # the two sequences may differ in length
    assert_model_gradients(PairClassifier(cell(kind), rnnlib.Affine(H, 2, seed=1)), ((XS, other), LABELS % 2))


@pytest.mark.parametrize("kind", ["tanh", "lstm"])
def test_transducer_gradients_with_mask(kind):
    targets = np.random.default_rng(2).integers(0, K, size=(T, B))
    mask = np.arange(T)[:, None] < np.array([4, 2, 3])
    assert_model_gradients(Transducer(cell(kind), rnnlib.Affine(H, K, seed=1)), (XS, targets, mask))


@pytest.mark.parametrize("kind", ["tanh", "lstm"])
def test_encoder_decoder_gradients(kind):
    model = EncoderDecoder(cell(kind), cell(kind, D_in=K + 1, seed=5), rnnlib.Affine(H, K, seed=1))
    targets = np.random.default_rng(3).integers(0, K, size=(T + 1, B))
    zs = model.start_inputs(targets)
    assert zs.shape == (T + 1, B, K + 1) and np.all(zs[0, :, K] == 1)  # the decoder starts from the start symbol
    assert np.array_equal(zs[1:].argmax(-1), targets[:-1])  # then reads the true previous symbol
    assert_model_gradients(model, ((XS, zs), targets))


@pytest.mark.parametrize("kind", ["tanh", "lstm"])
def test_bptt_with_gradients_on_the_states(kind):
    c = cell(kind)
    run = unroll(c, XS)
    r = np.random.default_rng(4)
    d_outputs = r.standard_normal((T, B, H))
    # the outputs' gradients given as gradients on the states give the same result
    same = bptt(c, run, d_states=c.output_backward(np.concatenate([np.zeros((1, B, H)), d_outputs])))
    ref = bptt(c, run, d_outputs)
    for key in c.params:
        assert np.allclose(same.params[key], ref.params[key], rtol=1e-12, atol=1e-14)
    assert np.allclose(same.xs, ref.xs, rtol=1e-12, atol=1e-14)
    # a gradient on the whole last state (an LSTM's memory c_T too) against finite differences
    d_states = np.zeros((T + 1, B, c.state_size))
    d_states[-1] = r.standard_normal((B, c.state_size))
    grads = bptt(c, run, d_states=d_states)
    loss = lambda: float(np.sum(d_states[-1] * unroll(c, XS).states[-1]))  # noqa: E731
    for key in c.params:
        assert rel(grads.params[key], finite_difference(loss, c.params[key])) <= 1e-7
    assert rel(grads.xs, finite_difference(loss, XS)) <= 1e-7


def test_encode_is_the_last_output():
    c = cell("lstm")
    assert np.array_equal(encode(c, XS), unroll(c, XS).outputs[-1])  # y_T = O(s_T), (B, H)


def test_temperature_probs():
    logits = np.array([2.0, 1.0, 0.0])
    p1 = temperature_probs(logits, 1.0)
    assert np.allclose(p1, np.exp(logits) / np.exp(logits).sum())  # temperature 1: the softmax itself
    cold, hot = temperature_probs(logits, 0.25), temperature_probs(logits, 4.0)
    assert cold[0] > p1[0] > hot[0]  # lower temperature, surer of the most likely class
    assert np.allclose(temperature_probs(np.array([1000.0, 0.0]), 0.1), [1.0, 0.0])  # no overflow
    with pytest.raises(ValueError, match="temperature"):
        temperature_probs(logits, 0.0)


def test_sample_is_seeded_and_feeds_back():
    c, head = rnnlib.ElmanCell(5, H, seed=0), rnnlib.Affine(H, 5, seed=1)
    a = sample(c, head, start=2, length=20, temperature=1.0, rng=7)
    b = sample(c, head, start=2, length=20, temperature=1.0, rng=np.random.default_rng(7))
    assert np.array_equal(a.ids, b.ids)  # the same seed writes the same symbols
    assert a.probs.shape == (20, 5) and np.allclose(a.probs.sum(axis=1), 1.0)
    # step t+1 read symbol t: rerunning the cell on [start, ids[:-1]] gives the same distributions
    xs = np.eye(5)[np.concatenate([[2], a.ids[:-1]])][:, None, :]
    logits, _ = head.forward(unroll(c, xs).outputs[:, 0])
    assert np.allclose(a.probs, temperature_probs(logits, 1.0))


def test_bad_arguments_raise():
    with pytest.raises(ValueError, match="head.in_size"):
        Acceptor(cell("tanh"), rnnlib.Affine(H + 1, 2))
    with pytest.raises(ValueError, match="state size"):
        EncoderDecoder(cell("tanh"), cell("lstm", D_in=K + 1), rnnlib.Affine(H, K))
    with pytest.raises(ValueError, match="start"):
        sample(rnnlib.ElmanCell(5, H), rnnlib.Affine(H, 5), start=5, length=3)
