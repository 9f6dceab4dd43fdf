"""The vanishing gradient problem, measured: Jacobians of a step, their products, gradient norms.

Row vectors, as everywhere in rnnlib. One Elman step is

    z_t = x_t W_x + s_{t-1} W_s + b,    s_t = g(z_t)

and its Jacobian J_t = ∂s_t/∂s_{t-1} (S, S), with J_t[j, i] = ∂s_t[j] / ∂s_{t-1}[i], is

    J_t = diag(g'(z_t)) W_s^T

A gradient dL/ds_t is a row vector (1, S); the chain rule takes it one step back by

    dL/ds_{t-1} = dL/ds_t J_t = (dL/ds_t * g'(z_t)) W_s^T

which is the line `ds_prev = dz @ W_s.T` of the backward pass. When only the last
output reaches the loss, k = T - t such steps give

    dL/ds_t = dL/ds_T J_T J_{T-1} ... J_{t+1},      ds_T/ds_t = J_T J_{T-1} ... J_{t+1}

and, with gamma = max |g'| and sigma_max(W_s) the largest singular value,

    |dL/ds_t| <= (gamma sigma_max(W_s))^(T-t) |dL/ds_T|

(Bengio, Simard and Frasconi, 1994; Pascanu, Mikolov and Bengio, 2013). So if
gamma sigma_max(W_s) < 1 the gradient from far back vanishes geometrically. For
the LSTM, with s_t = [c_t, h_t], the direct block ∂c_t/∂c_{t-1} = diag(f_t) carries
no W_s and no g'; the paths through h_{t-1} and the gates add to it (lstm_step_jacobian).

Sizes: T steps, batch B, input D, hidden H, state S. Functions that look at one
sequence of a batch take its index `b`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnlib.core import _validate
from rnnlib.core.cell import Cell
from rnnlib.core.elman import ElmanCell
from rnnlib.core.lstm import LSTMCell
from rnnlib.core.unroll import Run, bptt, last_output_only, unroll

# gamma = max over z of |g'(z)|, the constant of the bound
GAMMA = {"tanh": 1.0, "relu": 1.0, "identity": 1.0, "sigmoid": 0.25}


# ---- the Jacobian of one step -----------------------------------------------


def elman_step_jacobian(cell: ElmanCell, s: np.ndarray) -> np.ndarray:
    """J_t = diag(g'(z_t)) W_s^T (H, H), from the new state s = s_t (H,).

    g'(z_t) is read off s_t = g(z_t), as in the backward pass.
    """
    s = np.asarray(s, dtype=cell.dtype)
    if s.shape != (cell.hidden_size,):
        raise ValueError(f"s must have shape ({cell.hidden_size},), got shape {s.shape}")
    return cell.dg(s)[:, None] * cell.params["W_s"].T  # diag(g') W_s^T: row j scaled by g'(z_t[j])


def lstm_step_jacobian(cell: LSTMCell, s_prev: np.ndarray, x: np.ndarray) -> np.ndarray:
    """J_t = ∂s_t/∂s_{t-1} (2H, 2H) of an LSTM step, for s = [c, h], s_prev (2H,), x (D,).

    With a = the four blocks' derivatives [i(1-i), f(1-f), 1-c~^2, o(1-o)] and
    d[i, f, c~, o]/dh_{t-1} = diag(a) W_s^T (4H, H), cut into blocks Di, Df, Dc~, Do:

        ∂c_t/∂c_{t-1} = diag(f_t)                          (the direct memory path)
        ∂c_t/∂h_{t-1} = diag(c~_t) Di + diag(c_{t-1}) Df + diag(i_t) Dc~
        ∂h_t/∂c_{t-1} = diag(o_t (1 - tanh(c_t)^2) f_t)
        ∂h_t/∂h_{t-1} = diag(tanh(c_t)) Do + diag(o_t (1 - tanh(c_t)^2)) ∂c_t/∂h_{t-1}
    """
    H = cell.hidden_size
    s_prev, x = cell.check_step(np.reshape(s_prev, (1, -1)), np.reshape(x, (1, -1)))
    _, p = cell.recur(s_prev, cell.project(x))  # the step's gates and memory (LSTMParts)
    c_prev, i, f, c_tilde, o, tanh_c = p.c_prev[0], p.i[0], p.f[0], p.c_tilde[0], p.o[0], p.tanh_c[0]
    a = np.concatenate([i * (1 - i), f * (1 - f), 1 - c_tilde**2, o * (1 - o)])
    D_blocks = a[:, None] * cell.params["W_s"].T  # d[i, f, c~, o]/dh_{t-1}: (4H,) x (4H, H) -> (4H, H)
    Di, Df, Dc_tilde, Do = D_blocks[:H], D_blocks[H : 2 * H], D_blocks[2 * H : 3 * H], D_blocks[3 * H :]

    dc_dc = np.diag(f)
    dc_dh = c_tilde[:, None] * Di + c_prev[:, None] * Df + i[:, None] * Dc_tilde
    dtanh_c = o * (1 - tanh_c * tanh_c)  # dh_t/dc_t, elementwise
    dh_dc = np.diag(dtanh_c * f)
    dh_dh = tanh_c[:, None] * Do + dtanh_c[:, None] * dc_dh
    return np.block([[dc_dc, dc_dh], [dh_dc, dh_dh]])


def step_jacobian(cell: Cell, s_prev: np.ndarray, x: np.ndarray) -> np.ndarray:
    """∂s_t/∂s_{t-1} (S, S) for one sequence: s_prev = s_{t-1} (S,), x = x_t (D,).

    Entry [j, i] is ∂s_t[j] / ∂s_{t-1}[i]. Elman: diag(g'(z_t)) W_s^T. LSTM: see lstm_step_jacobian.
    Any other cell (the GRU): row j is what the cell's own backward step sends to s_{t-1} from ds_t = e_j.
    """
    if not isinstance(cell, Cell):
        raise ValueError(f"cell must be an rnnlib cell (ElmanCell, LSTMCell, GRUCell), got {type(cell).__name__}")
    if isinstance(cell, LSTMCell):
        return lstm_step_jacobian(cell, s_prev, x)
    s_prev, x = cell.check_step(np.reshape(s_prev, (1, -1)), np.reshape(x, (1, -1)))
    if isinstance(cell, ElmanCell):
        return elman_step_jacobian(cell, cell.step(s_prev, x)[0])
    _, parts = cell.recur(s_prev, cell.project(x))
    eye = np.eye(cell.state_size, dtype=cell.dtype)
    return np.concatenate([cell.recur_backward(eye[[j]], parts)[0] for j in range(cell.state_size)])


def run_jacobians(cell: Cell, run: Run, b: int = 0) -> np.ndarray:
    """The Jacobians J_1 .. J_T of every step of sequence b of a run: (T, S, S), entry t-1 is J_t."""
    T, B = run.xs.shape[:2]
    if not 0 <= b < B:
        raise ValueError(f"b must be a batch index in 0..{B - 1}, got {b!r}")
    return np.stack([step_jacobian(cell, run.states[t - 1, b], run.xs[t - 1, b]) for t in range(1, T + 1)])


def jacobian_products(jacobians: np.ndarray) -> np.ndarray:
    """ds_T/ds_{T-k} = J_T J_{T-1} ... J_{T-k+1} for k = 0..T: (T+1, S, S), indexed by the distance k.

    jacobians (T, S, S) as from run_jacobians; entry 0 is the identity.
    """
    jacobians = _validate.array("jacobians", jacobians, 3, np.float64, ("T", "S", "S"))
    T, S, S2 = jacobians.shape
    if S != S2:
        raise ValueError(f"jacobians must be square, shape (T, S, S), got shape {jacobians.shape}")
    products = np.empty((T + 1, S, S))
    products[0] = np.eye(S)
    for k in range(1, T + 1):
        products[k] = products[k - 1] @ jacobians[T - k]  # one more step back: times J_{T-k+1}
    return products


# ---- gradient norms against distance ------------------------------------------


def gradient_norms(cell: Cell, run: Run, dy_T: np.ndarray) -> np.ndarray:
    """|dL/ds_t| when only the last output reaches the loss, with dL/dy_T = dy_T (B, H).

    Returns (T+1, B), indexed by the distance k = T - t: row 0 is |dL/ds_T|,
    row T is |dL/ds_0|. The gradients are bptt's grads.states.
    """
    T, B = run.xs.shape[:2]
    dy_T = _validate.array("dy_T", dy_T, 2, cell.dtype, (B, cell.hidden_size))
    grads = bptt(cell, run, last_output_only(run, dy_T))
    return np.linalg.norm(grads.states, axis=-1)[::-1]  # (T+1, B), reversed: t = T first


def decay_rate(norms: np.ndarray, skip: int = 0) -> float:
    """The factor r per step in |dL/ds_{T-k}| ~ C r^k, by a least-squares line through log norms.

    norms (K+1,) or (K+1, B), indexed by distance as from gradient_norms; a
    batch is averaged first. The first `skip` distances (a transient) are
    left out, and so are zeros (no log). r < 1: the gradient vanishes; r > 1: it explodes.
    """
    norms = np.asarray(norms, dtype=np.float64)
    if norms.ndim == 2:
        norms = norms.mean(axis=1)
    if norms.ndim != 1:
        raise ValueError(f"norms must have shape (K+1,) or (K+1, B), got shape {norms.shape}")
    k = np.arange(len(norms))[skip:]
    m = norms[skip:]
    keep = m > 0
    if keep.sum() < 2:
        raise ValueError("norms must hold at least two positive values after `skip`")
    slope = np.polyfit(k[keep], np.log(m[keep]), 1)[0]
    return float(np.exp(slope))


# ---- the recurrent matrix and the bound -----------------------------------------


def spectral_radius(W: np.ndarray) -> float:
    """max |eigenvalue| of a square matrix: the factor per step of W^k for large k."""
    W = np.asarray(W, dtype=np.float64)
    if W.ndim != 2 or W.shape[0] != W.shape[1]:
        raise ValueError(f"W must be a square matrix, got shape {W.shape}")
    return float(np.max(np.abs(np.linalg.eigvals(W))))


def scale_to_spectral_radius(W: np.ndarray, rho: float) -> np.ndarray:
    """W scaled so its spectral radius is rho: W * rho / spectral_radius(W). A new array."""
    if not (np.isfinite(rho) and rho >= 0):
        raise ValueError(f"rho must be a number >= 0, got {rho!r}")
    radius = spectral_radius(W)
    if radius == 0:
        raise ValueError("W has spectral radius 0 and cannot be scaled to another")
    return np.asarray(W) * (rho / radius)


def random_orthogonal(n: int, seed=None) -> np.ndarray:
    """An n x n orthogonal matrix Q (Q Q^T = I), from the QR factorisation of a Gaussian matrix."""
    n = _validate.positive_int("n", n)
    Q, R = np.linalg.qr(np.random.default_rng(seed).normal(size=(n, n)))
    return Q * np.sign(np.diag(R))  # fix the signs, so Q is uniform over orthogonal matrices


def gradient_bound(cell: ElmanCell) -> float:
    """gamma sigma_max(W_s): a bound on |J_t| for every step, so on the decay factor per step."""
    if not isinstance(cell, ElmanCell):
        raise ValueError(f"cell must be an ElmanCell, got {type(cell).__name__}")
    sigma_max = np.linalg.norm(cell.params["W_s"], ord=2)  # the largest singular value
    return float(GAMMA[cell.nonlinearity] * sigma_max)


# ---- how far the gradient reaches: any cell, and the Elman sweep of the widget -------


@dataclass
class GradientReach:
    """|dL/ds_t| against the distance T - t, from `gradient_reach`."""

    distance: np.ndarray  # (T+1,)    k = T - t, 0..T
    norms: np.ndarray  # (T+1, B)  |dL/ds_{T-k}| / |dL/ds_T|, one column per sequence
    rate: float  # the fitted factor per step (decay_rate)


def gradient_reach(cell, T: int = 100, batch_size: int = 16, xs=None, seed: int = 0) -> GradientReach:
    """Measure how much of dL/ds_T reaches each earlier state, when only y_T reaches the loss.

    xs: the inputs (T, B, D); None draws x_t ~ N(0, 1) (seeded). dL/dy_T is
    a random unit vector per sequence; the backward pass is linear in it,
    so the profile does not depend on which loss it came from.
    """
    rng = np.random.default_rng(seed)
    if xs is None:
        T = _validate.positive_int("T", T)
        xs = rng.normal(size=(T, batch_size, cell.input_size))
    xs = _validate.array("xs", xs, 3, cell.dtype, ("T", "B", cell.input_size))
    T, B = xs.shape[:2]
    dy_T = rng.normal(size=(B, cell.hidden_size))
    dy_T /= np.linalg.norm(dy_T, axis=1, keepdims=True)
    norms = gradient_norms(cell, unroll(cell, xs), dy_T)
    norms = norms / norms[0]
    return GradientReach(distance=np.arange(T + 1), norms=norms, rate=decay_rate(norms))


# ---- the experiment the notebook's widget runs ---------------------------------------


@dataclass
class GradientProfile:
    """|dL/ds_t| against the distance T - t for one setting, from `gradient_profile`."""

    rho: float  # the spectral radius of W_s
    nonlinearity: str
    distance: np.ndarray  # (T+1,)   k = T - t, 0..T
    norms: np.ndarray  # (T+1, B) |dL/ds_{T-k}| / |dL/ds_T|, one column per sequence
    rate: float  # the fitted factor per step (decay_rate)
    bound: float  # gamma sigma_max(W_s) (gradient_bound)


def gradient_profile(
    rho: float,
    nonlinearity: str = "tanh",
    T: int = 50,
    hidden_size: int = 32,
    input_size: int = 4,
    batch_size: int = 16,
    seed: int = 0,
) -> GradientProfile:
    """Measure how dL/ds_t shrinks or grows with T - t for an Elman RNN whose W_s has spectral radius rho.

    The cell starts from its usual random weights (seeded), W_s is rescaled to
    spectral radius rho, and `gradient_reach` measures it: inputs x_t ~ N(0, 1),
    a loss that reads only y_T, with dL/dy_T a random unit vector per sequence.
    """
    T = _validate.positive_int("T", T)
    cell = ElmanCell(input_size, hidden_size, nonlinearity=nonlinearity, seed=seed)
    cell.params["W_s"][...] = scale_to_spectral_radius(cell.params["W_s"], rho)
    reach = gradient_reach(cell, T=T, batch_size=batch_size, seed=seed)
    return GradientProfile(
        rho=float(rho),
        nonlinearity=nonlinearity,
        distance=reach.distance,
        norms=reach.norms,
        rate=reach.rate,
        bound=gradient_bound(cell),
    )
