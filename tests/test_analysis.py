"""rnnlib.lessons.gradients and rnnlib.lessons.cliff: Jacobians, gradient norms against distance, the bound, the cliff.

The references here are independent of the code under test: centred finite
differences of the forward pass, and the closed form rho^(T-t) of a linear
RNN with an orthogonal recurrent matrix.
"""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import rnnlib  # noqa: E402
from rnnlib.lessons import cliff, gradients  # noqa: E402


def make(kind, D=3, H=4, seed=0):
    if kind == "lstm":
        return rnnlib.LSTMCell(input_size=D, hidden_size=H, seed=seed)
    return rnnlib.ElmanCell(input_size=D, hidden_size=H, nonlinearity=kind, seed=seed)


def fd_jacobian(f, s, h=1e-6):
    """Centred differences: column i is (f(s + h e_i) - f(s - h e_i)) / 2h, so J[j, i] = d f_j / d s_i."""
    J = np.zeros((len(f(s)), len(s)))
    for i in range(len(s)):
        e = np.zeros_like(s)
        e[i] = h
        J[:, i] = (f(s + e) - f(s - e)) / (2 * h)
    return J


# ---- the exact case: a linear RNN with W_s = rho Q --------------------------------


@pytest.mark.parametrize("rho", [0.7, 1.0, 1.3])
def test_linear_orthogonal_rnn_decays_exactly_as_rho_to_the_distance(rho):
    # identity g and W_s = rho Q: each step back multiplies |dL/ds| by exactly rho,
    # since |v (rho Q)^T| = rho |v| for an orthogonal Q. So the ratio is rho^(T-t).
    T, H = 30, 8
    cell = rnnlib.ElmanCell(input_size=2, hidden_size=H, nonlinearity="identity", seed=1)
    cell.params["W_s"][...] = rho * gradients.random_orthogonal(H, seed=2)
    rng = np.random.default_rng(3)
    run = rnnlib.unroll(cell, rng.normal(size=(T, 5, 2)))
    norms = gradients.gradient_norms(cell, run, rng.normal(size=(5, H)))
    ratio = norms / norms[0]
    expect = rho ** np.arange(T + 1)[:, None]
    assert np.max(np.abs(ratio / expect - 1)) < 1e-6
    assert gradients.decay_rate(norms) == pytest.approx(rho, rel=1e-6)


def test_random_orthogonal_is_orthogonal_and_seeded():
    Q = gradients.random_orthogonal(6, seed=0)
    assert np.allclose(Q @ Q.T, np.eye(6), atol=1e-12)
    assert np.array_equal(Q, gradients.random_orthogonal(6, seed=0))


# ---- Jacobians against finite differences -----------------------------------------


@pytest.mark.parametrize("kind", ["tanh", "sigmoid", "identity", "relu", "lstm"])
def test_step_jacobian_matches_finite_differences(kind):
    cell = make(kind)
    rng = np.random.default_rng(4)
    s_prev = rng.normal(size=cell.state_size) * 0.5
    x = rng.normal(size=cell.input_size)
    J = gradients.step_jacobian(cell, s_prev, x)
    J_fd = fd_jacobian(lambda s: cell.step(s[None], x[None])[0], s_prev)
    assert J.shape == (cell.state_size, cell.state_size)
    assert np.max(np.abs(J - J_fd)) < 1e-8


@pytest.mark.parametrize("kind", ["tanh", "sigmoid", "identity", "lstm"])
def test_jacobian_products_match_finite_differences_of_the_run(kind):
    # ds_T/ds_t by perturbing s_t of one sequence and running the remaining steps again
    T, B, b = 7, 3, 1
    cell = make(kind)
    rng = np.random.default_rng(5)
    xs = rng.normal(size=(T, B, cell.input_size))
    run = rnnlib.unroll(cell, xs)
    products = gradients.jacobian_products(gradients.run_jacobians(cell, run, b=b))
    assert products.shape == (T + 1, cell.state_size, cell.state_size)
    for t in (0, 3, T - 1, T):

        def s_T_from(s_t, t=t):
            if t == T:
                return s_t
            return rnnlib.unroll(cell, xs[t:, b : b + 1], s0=s_t[None]).states[-1, 0]

        J_fd = fd_jacobian(s_T_from, run.states[t, b].copy())
        assert np.max(np.abs(products[T - t] - J_fd)) < 1e-7 * max(1.0, np.max(np.abs(J_fd)))


@pytest.mark.parametrize("kind", ["tanh", "relu", "lstm"])
def test_bptt_gradient_is_the_last_gradient_times_the_jacobian_product(kind):
    # dL/ds_t = dL/ds_T (J_T ... J_{t+1}): the row-vector chain rule that bptt computes
    T, B = 9, 2
    cell = make(kind)
    rng = np.random.default_rng(6)
    run = rnnlib.unroll(cell, rng.normal(size=(T, B, cell.input_size)))
    dy_T = rng.normal(size=(B, cell.hidden_size))
    d_outputs = np.zeros_like(run.outputs)
    d_outputs[-1] = dy_T
    grads = rnnlib.bptt(cell, run, d_outputs)
    for b in range(B):
        products = gradients.jacobian_products(gradients.run_jacobians(cell, run, b=b))
        ds_T = grads.states[T, b]
        for t in range(T + 1):
            assert np.allclose(grads.states[t, b], ds_T @ products[T - t], rtol=1e-10, atol=1e-14)


def test_elman_step_jacobian_is_the_lectures_formula():
    cell = make("tanh")
    s = np.tanh(np.random.default_rng(7).normal(size=4))
    expect = np.diag(1 - s**2) @ cell.params["W_s"].T
    assert np.allclose(gradients.elman_step_jacobian(cell, s), expect)


def test_lstm_memory_block_is_the_forget_gate():
    # dc_t/dc_{t-1} = diag(f_t): the path through the memory has no W_s and no g'
    cell = make("lstm", H=3)
    rng = np.random.default_rng(8)
    s_prev, x = rng.normal(size=6), rng.normal(size=3)
    J = gradients.step_jacobian(cell, s_prev, x)
    z = x @ cell.params["W_x"] + s_prev[3:] @ cell.params["W_s"] + cell.params["b"]
    f = 1 / (1 + np.exp(-z[3:6]))
    assert np.allclose(J[:3, :3], np.diag(f))


# ---- the bound, the decay rate, the spectral radius ----------------------------------


def test_every_step_jacobian_obeys_the_bound():
    for kind in ("tanh", "sigmoid", "relu", "identity"):
        cell = make(kind, H=6, seed=9)
        run = rnnlib.unroll(cell, np.random.default_rng(9).normal(size=(12, 2, 3)))
        bound = gradients.gradient_bound(cell)
        for J in gradients.run_jacobians(cell, run, b=0):
            assert np.linalg.norm(J, 2) <= bound * (1 + 1e-12)


def test_gradient_bound_values():
    cell = make("sigmoid")
    assert gradients.gradient_bound(cell) == pytest.approx(0.25 * np.linalg.svd(cell.params["W_s"])[1][0])
    with pytest.raises(ValueError, match="ElmanCell"):
        gradients.gradient_bound(make("lstm"))


def test_measured_decay_rate_is_below_the_bound():
    for g in ("tanh", "relu", "identity"):
        for rho in (0.6, 0.9, 1.2):
            p = gradients.gradient_profile(rho, g, T=40, seed=1)
            assert p.rate <= p.bound
            assert p.norms.shape == (41, 16)
            assert np.allclose(p.norms[0], 1.0)


def test_gradient_profile_shows_the_three_regimes():
    # the claims the notebook makes of its figures, at its default settings
    tanh, ident = gradients.gradient_profile(0.9, "tanh"), gradients.gradient_profile(0.9, "identity")
    assert tanh.rate < ident.rate < 0.9 + 0.02  # tanh's g' <= 1 makes the decay faster
    assert gradients.gradient_profile(1.3, "identity").rate > 1.2  # no squashing: growth
    assert gradients.gradient_profile(1.3, "tanh").rate < 1.0  # tanh keeps it from growing


def test_decay_rate_of_a_geometric_sequence():
    k = np.arange(20)
    assert gradients.decay_rate(0.8**k) == pytest.approx(0.8)
    norms = np.stack([3 * 0.5**k, 5 * 0.5**k], axis=1)
    assert gradients.decay_rate(norms, skip=2) == pytest.approx(0.5)
    with pytest.raises(ValueError, match="two positive"):
        gradients.decay_rate(np.zeros(5))


def test_scale_to_spectral_radius():
    W = np.random.default_rng(10).normal(size=(7, 7))
    assert gradients.spectral_radius(gradients.scale_to_spectral_radius(W, 1.25)) == pytest.approx(1.25)
    with pytest.raises(ValueError, match="square"):
        gradients.spectral_radius(np.ones((2, 3)))
    with pytest.raises(ValueError, match="rho"):
        gradients.scale_to_spectral_radius(W, -1.0)


def test_bad_arguments_raise():
    cell = make("tanh")
    run = rnnlib.unroll(cell, np.zeros((3, 2, 3)))
    with pytest.raises(ValueError, match="b must be"):
        gradients.run_jacobians(cell, run, b=2)
    with pytest.raises(ValueError, match="square"):
        gradients.jacobian_products(np.ones((3, 2, 4)))
    with pytest.raises(ValueError, match="dy_T"):
        gradients.gradient_norms(cell, run, np.ones((3, 4)))
    with pytest.raises(ValueError, match="s must have shape"):
        gradients.elman_step_jacobian(cell, np.ones(5))
    with pytest.raises(ValueError, match="an rnnlib cell"):
        gradients.step_jacobian(object(), np.ones(4), np.ones(3))


# ---- the cliff of a one-unit RNN ---------------------------------------------------------


@pytest.mark.parametrize("w, b", [(0.5, 0.1), (1.4, -0.2), (2.0, -0.45), (-1.5, 0.3)])
def test_one_unit_loss_is_the_elman_cell_with_one_unit(w, b):
    T, s0, target = 20, 0.5, -0.7
    out = cliff.one_unit_loss(np.array([w]), np.array([b]), T=T, s0=s0, target=target)
    cell = cliff.one_unit_cell(w, b)
    run = rnnlib.unroll(cell, np.zeros((T, 1, 1)), s0=np.array([[s0]]))
    s_T = run.outputs[-1, 0, 0]
    d_outputs = np.zeros_like(run.outputs)
    d_outputs[-1] = 2 * (s_T - target)
    grads = rnnlib.bptt(cell, run, d_outputs)
    assert out.loss[0] == pytest.approx((s_T - target) ** 2, rel=1e-12)
    assert out.dw[0] == pytest.approx(grads.params["W_s"][0, 0], rel=1e-9, abs=1e-14)
    assert out.db[0] == pytest.approx(grads.params["b"][0], rel=1e-9, abs=1e-14)


def test_one_unit_loss_has_a_wall_with_huge_gradients():
    # across the line b = artanh(s0) - w s0 the final state jumps from one fixed point to the other
    w = np.array([2.0, 2.0])
    b_wall = cliff.wall_bias(2.0)
    out = cliff.one_unit_loss(w, np.array([b_wall - 1e-3, b_wall + 1e-3]), T=50)
    assert out.loss[0] < 0.1 and out.loss[1] > 2.0
    # on the wall s_t stays at the unstable fixed point, where each step multiplies the
    # gradient by w (1 - s0^2) = 1.5: over 50 steps that is 1.5^50, about 6e8
    on = cliff.one_unit_loss(2.0, b_wall, T=50)
    off = cliff.one_unit_loss(2.0, b_wall - 0.5, T=50)
    assert abs(on.db) > 1e8 and abs(off.db) < 1.0


# ---- the notebook's figure and widget ---------------------------------------------------


def test_gradient_decay_figure_and_comparison_draw():
    from rnnlib.plotting.gradients import compare_nonlinearities, gradient_decay_figure

    fig = gradient_decay_figure(1.2, "identity", T=20)
    assert len(fig.axes) == 1 and fig.axes[0].get_yscale() == "log"
    plt.close(fig)
    fig = compare_nonlinearities(rhos=(0.9, 1.5), T=20)
    assert len(fig.axes) == 2
    plt.close(fig)


def test_widget_redraws_with_the_controls_values(monkeypatch):
    # the callback is thin: it measures gradient_profile at the controls' values and draws that profile
    pytest.importorskip("ipywidgets")
    from rnnlib.lessons.gradients import gradient_profile
    from rnnlib.widgets import gradients as widget

    calls = []

    def spy(rho, nonlinearity, T):
        calls.append((rho, nonlinearity, T))
        return gradient_profile(rho, nonlinearity, T=T)

    monkeypatch.setattr(widget, "gradient_profile", spy)
    box = widget.gradient_explorer(rho=0.9, nonlinearity="tanh", T=20)
    assert calls == [(0.9, "tanh", 20)]
    box.controls["rho"].value = 1.3
    box.controls["nonlinearity"].value = "identity"
    box.controls["T"].value = 30
    assert calls[1:] == [(1.3, "tanh", 20), (1.3, "identity", 20), (1.3, "identity", 30)]
    # what is drawn is the last profile: its median line over distances 0..30, and the setting in the title
    (ax,) = box.figure.axes
    x, y = ax.lines[0].get_data()
    assert list(x) == list(range(31)) and np.allclose(y, np.median(box.profile.norms, axis=1))
    assert any("identity" in t.get_text() and "T = 30" in t.get_text() for t in box.figure.texts)
    plt.close("all")


def test_step_jacobian_of_a_gru_is_the_finite_difference_jacobian():
    # any cell without a written-out Jacobian (the GRU) gets it from its own backward step, row by row
    cell = rnnlib.GRUCell(3, 4, seed=0)
    rng = np.random.default_rng(1)
    cell.params["b_s"][...] = rng.normal(size=12)
    s_prev, x = rng.normal(size=4), rng.normal(size=3)
    J = gradients.step_jacobian(cell, s_prev, x)
    h = 1e-6
    fd = np.stack(
        [
            (cell.step((s_prev + h * e)[None], x[None]) - cell.step((s_prev - h * e)[None], x[None]))[0] / (2 * h)
            for e in np.eye(4)
        ],
        axis=1,
    )  # column i: d s_t / d s_{t-1}[i]
    assert J.shape == (4, 4) and np.allclose(J, fd, rtol=0, atol=1e-8)
