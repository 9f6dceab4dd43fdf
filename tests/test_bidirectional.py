"""rnnlib.core.bidirectional: the forward and backward pass of a bidirectional RNN.

Two independent references: centred finite differences written out here
(not rnnlib.core.gradcheck), and torch.nn.RNN / torch.nn.LSTM(bidirectional=True).
"""

import numpy as np
import pytest

import rnnlib
from rnnlib.core.bidirectional import bidirectional_bptt, bidirectional_unroll, reverse_time
from rnnlib.core.models import BiTransducer
from rnnlib.lessons.seen import seen_inputs

T, B, D, H = 5, 3, 4, 3
LENGTHS = np.array([5, 3, 1])


def make_cells(kind, seed=0):
    if kind == "lstm":
        return rnnlib.LSTMCell(D, H, seed=seed), rnnlib.LSTMCell(D, H + 1, seed=seed + 1)
    return rnnlib.ElmanCell(D, H, seed=seed), rnnlib.ElmanCell(D, H + 1, seed=seed + 1)


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


@pytest.mark.parametrize("kind", ["tanh", "lstm"])
@pytest.mark.parametrize("lengths", [None, LENGTHS], ids=["full", "padded"])
def test_backward_matches_finite_differences(kind, lengths):
    cell_f, cell_b = make_cells(kind)
    rng = np.random.default_rng(1)
    xs = rng.standard_normal((T, B, D))
    s0_f = 0.5 * rng.standard_normal((B, cell_f.state_size))
    s0_b = 0.5 * rng.standard_normal((B, cell_b.state_size))
    weights = rng.standard_normal((T, B, cell_f.hidden_size + cell_b.hidden_size))  # L = sum(weights * outputs)
    if lengths is not None:
        weights *= (np.arange(T)[:, None] < lengths)[..., None]  # padding does not reach the loss

    def loss():
        return float(np.sum(weights * bidirectional_unroll(cell_f, cell_b, xs, s0_f, s0_b, lengths).outputs))

    run = bidirectional_unroll(cell_f, cell_b, xs, s0_f, s0_b, lengths)
    grads = bidirectional_bptt(cell_f, cell_b, run, weights)
    checks = [(cell_f.params[k], grads.forward.params[k]) for k in cell_f.params]
    checks += [(cell_b.params[k], grads.backward.params[k]) for k in cell_b.params]
    checks += [(xs, grads.xs), (s0_f, grads.forward.states[0]), (s0_b, grads.backward.states[0])]
    for array, analytic in checks:
        # every parameter of both cells, every input and both initial states: the analytic gradient is right
        assert rel(analytic, finite_difference(loss, array)) <= 1e-7


def test_bitransducer_loss_gradient_matches_finite_differences():
    cell_f, cell_b = make_cells("tanh")
    model = BiTransducer(cell_f, cell_b, rnnlib.Affine(2 * H + 1, 4, seed=2))
    rng = np.random.default_rng(3)
    xs = rng.standard_normal((T, B, D))
    targets = rng.integers(0, 4, size=(T, B))
    mask = np.arange(T)[:, None] < LENGTHS
    _, grads = model.loss_and_grads((xs, targets, mask))
    for params, g in zip(model.params, grads):
        for key in params:
            numeric = finite_difference(lambda: model.loss_and_grads((xs, targets, mask))[0], params[key])
            # the tagger's whole chain (head, both directions, masked loss) is differentiated right
            assert rel(g[key], numeric) <= 1e-7


def test_padding_changes_nothing_on_the_real_steps():
    cell_f, cell_b = make_cells("lstm")
    rng = np.random.default_rng(4)
    xs = rng.standard_normal((T, B, D))
    padded = bidirectional_unroll(cell_f, cell_b, xs, lengths=LENGTHS)
    for b, L in enumerate(LENGTHS):
        alone = bidirectional_unroll(cell_f, cell_b, xs[:L, b : b + 1])
        # each sequence gives the outputs it gives alone: the backward cell starts at its own last step
        assert np.allclose(padded.outputs[:L, b], alone.outputs[:, 0], atol=1e-14)


def test_reverse_time():
    xs = np.arange(T * B).reshape(T, B)
    assert np.array_equal(reverse_time(xs), xs[::-1])  # no lengths: the whole block reversed
    r = reverse_time(xs, LENGTHS)
    assert np.array_equal(r[:3, 1], xs[:3, 1][::-1]) and np.array_equal(r[3:, 1], xs[3:, 1])  # padding stays
    assert np.array_equal(reverse_time(r, LENGTHS), xs)  # reversing twice gives the input back


def test_seen_inputs():
    seen = seen_inputs(5, 2)
    assert seen.forward.tolist() == [True, True, False, False, False]  # f_2 has read x_1, x_2
    assert seen.backward.tolist() == [False, True, True, True, True]  # b_2 has read x_2..x_5
    assert seen.both.all()  # [f_t; b_t] has read everything, at every t
    assert seen_inputs(3, 3).backward.tolist() == [False, False, True]
    for bad in (0, 6, 2.0, True):
        with pytest.raises(ValueError, match="t must be"):
            seen_inputs(5, bad)


def test_bad_arguments_raise():
    cell_f, cell_b = make_cells("tanh")
    xs = np.zeros((T, B, D))
    with pytest.raises(ValueError, match="lengths"):
        bidirectional_unroll(cell_f, cell_b, xs, lengths=[5, 6, 1])
    with pytest.raises(ValueError, match="cell_b"):
        bidirectional_unroll(cell_f, rnnlib.ElmanCell(D + 1, H), xs)
    with pytest.raises(ValueError, match="head.in_size"):
        BiTransducer(cell_f, cell_b, rnnlib.Affine(2 * H, 3))


# ---- torch ------------------------------------------------------------------


def _copy_from_torch(module, cell, suffix):
    g = lambda name: getattr(module, name + suffix).detach().numpy()  # noqa: E731
    cell.params["W_x"][:] = g("weight_ih_l0").T
    cell.params["W_s"][:] = g("weight_hh_l0").T
    cell.params["b"][:] = g("bias_ih_l0") + g("bias_hh_l0")


@pytest.mark.parametrize("kind", ["rnn", "lstm"])
def test_equal_to_torch_forward_and_backward(kind):
    torch = pytest.importorskip("torch", reason="torch is not installed: the PyTorch comparison is skipped")
    torch.manual_seed(0)
    if kind == "rnn":
        module = torch.nn.RNN(D, H, bidirectional=True, dtype=torch.float64)
        cell_f, cell_b = rnnlib.ElmanCell(D, H), rnnlib.ElmanCell(D, H)
    else:
        module = torch.nn.LSTM(D, H, bidirectional=True, dtype=torch.float64)
        cell_f, cell_b = rnnlib.LSTMCell(D, H), rnnlib.LSTMCell(D, H)
    _copy_from_torch(module, cell_f, "")
    _copy_from_torch(module, cell_b, "_reverse")
    rng = np.random.default_rng(5)
    xs = rng.standard_normal((T, B, D))
    weights = rng.standard_normal((T, B, 2 * H))

    x_t = torch.tensor(xs, requires_grad=True)
    out, _ = module(x_t)
    (out * torch.tensor(weights)).sum().backward()

    run = bidirectional_unroll(cell_f, cell_b, xs)
    grads = bidirectional_bptt(cell_f, cell_b, run, weights)
    # the same outputs, forward half then backward half, as PyTorch
    assert np.max(np.abs(run.outputs - out.detach().numpy())) <= 1e-10
    # and the same gradients for the input and for every weight of both directions
    assert np.max(np.abs(grads.xs - x_t.grad.numpy())) <= 1e-10
    for cell_grads, suffix in ((grads.forward, ""), (grads.backward, "_reverse")):

        def g(name, suffix=suffix):
            return getattr(module, name + suffix).grad.numpy()

        assert np.max(np.abs(cell_grads.params["W_x"] - g("weight_ih_l0").T)) <= 1e-10
        assert np.max(np.abs(cell_grads.params["W_s"] - g("weight_hh_l0").T)) <= 1e-10
        assert np.max(np.abs(cell_grads.params["b"] - g("bias_ih_l0"))) <= 1e-10


def test_lengths_equal_to_torch_packed_sequences():
    torch = pytest.importorskip("torch", reason="torch is not installed: the PyTorch comparison is skipped")
    torch.manual_seed(1)
    module = torch.nn.LSTM(D, H, bidirectional=True, dtype=torch.float64)
    cell_f, cell_b = rnnlib.LSTMCell(D, H), rnnlib.LSTMCell(D, H)
    _copy_from_torch(module, cell_f, "")
    _copy_from_torch(module, cell_b, "_reverse")
    xs = np.random.default_rng(6).standard_normal((T, B, D))
    packed = torch.nn.utils.rnn.pack_padded_sequence(torch.tensor(xs), torch.tensor(LENGTHS), enforce_sorted=False)
    out, _ = module(packed)
    out, _ = torch.nn.utils.rnn.pad_packed_sequence(out)
    run = bidirectional_unroll(cell_f, cell_b, xs, lengths=LENGTHS)
    for b, L in enumerate(LENGTHS):
        # padded sequences give PyTorch's packed-sequence outputs on their real steps
        assert np.max(np.abs(run.outputs[:L, b] - out[:L, b].detach().numpy())) <= 1e-10
