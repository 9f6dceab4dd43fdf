"""Independent references shared by the tests.

Nothing here calls the rnnlib function it is used to check: the finite
differences, the error measure and the lecture's equations are written out
again, so a test that compares rnnlib with them compares two implementations.
"""

from __future__ import annotations

import numpy as np

import rnnlib

# The cells under test: the Elman RNN with each nonlinearity, the LSTM and the GRU.
KINDS = ("tanh", "relu", "sigmoid", "identity", "lstm", "gru")


def make_cell(kind: str, D: int, H: int, seed=0, dtype=np.float64):
    """An ElmanCell with nonlinearity `kind`, or an LSTMCell for kind "lstm", a GRUCell for "gru"."""
    if kind == "lstm":
        return rnnlib.LSTMCell(input_size=D, hidden_size=H, seed=seed, dtype=dtype)
    if kind == "gru":
        return rnnlib.GRUCell(input_size=D, hidden_size=H, seed=seed, dtype=dtype)
    return rnnlib.ElmanCell(input_size=D, hidden_size=H, nonlinearity=kind, seed=seed, dtype=dtype)


def state_size(kind: str, H: int) -> int:
    return 2 * H if kind == "lstm" else H


def output_of(kind: str, s: np.ndarray, H: int) -> np.ndarray:
    """The lecture's O, written independently: Elman and GRU y = s; LSTM s = [c, h] and y = h."""
    return s[..., H:] if kind == "lstm" else s


def centred_diff(f, x: np.ndarray, h: float = 1e-4) -> np.ndarray:
    """The gradient of the scalar f() with respect to x, by centred differences, entry by entry:

        df/dx_i ~ (8 (f(x + h e_i) - f(x - h e_i)) - (f(x + 2h e_i) - f(x - 2h e_i))) / 12h

    the centred five-point stencil. Its truncation error is of order h^4
    (1e-16 at h = 1e-4) and its rounding error of order eps |f| / h (1e-12),
    so the reference is good to about 1e-11 even for a gradient that is
    small next to the loss (the two-point formula's rounding error,
    eps |f| / h at h = 1e-6, is 1e-10, too close to a 1e-7 check of a
    gradient of size 1e-3). x is changed in place and restored exactly after
    each entry, so f reads x through a closure (a cell's parameter, an input).
    """
    assert x.dtype == np.float64, "finite differences need float64"
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        f_at = {}
        for k in (-2, -1, 1, 2):
            x[i] = old + k * h
            f_at[k] = float(f())
        x[i] = old
        grad[i] = (8.0 * (f_at[1] - f_at[-1]) - (f_at[2] - f_at[-2])) / (12.0 * h)
    return grad


def elman_reference(nonlinearity: str, params: dict, xs: np.ndarray, s0: np.ndarray) -> np.ndarray:
    """s_t = g(x_t W_x + s_{t-1} W_s + b) written from the lecture; returns states (T+1, B, H)."""
    g = {
        "tanh": np.tanh,
        "relu": lambda z: np.where(z > 0, z, 0.0),
        "sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z)),
        "identity": lambda z: z,
    }[nonlinearity]
    states = [s0]
    for x in xs:
        states.append(g(x @ params["W_x"] + states[-1] @ params["W_s"] + params["b"]))
    return np.stack(states)


def lstm_reference(params: dict, xs: np.ndarray, s0: np.ndarray) -> np.ndarray:
    """The LSTM equations with gates i, f, g, o; returns states [c, h] (T+1, B, 2H)."""
    H = params["W_s"].shape[0]
    sig = lambda z: 1.0 / (1.0 + np.exp(-z))  # noqa: E731
    c, h = s0[:, :H], s0[:, H:]
    states = [s0]
    for x in xs:
        z = x @ params["W_x"] + h @ params["W_s"] + params["b"]
        i, f, g, o = sig(z[:, :H]), sig(z[:, H : 2 * H]), np.tanh(z[:, 2 * H : 3 * H]), sig(z[:, 3 * H :])
        c = f * c + i * g
        h = o * np.tanh(c)
        states.append(np.concatenate([c, h], axis=1))
    return np.stack(states)


def gru_reference(params: dict, xs: np.ndarray, s0: np.ndarray) -> np.ndarray:
    """The GRU equations (blocks r, z, n as in torch.nn.GRU); returns states h (T+1, B, H)."""
    H = params["W_s"].shape[0]
    sig = lambda z: 1.0 / (1.0 + np.exp(-z))  # noqa: E731
    h = s0
    states = [s0]
    for x in xs:
        gx = x @ params["W_x"] + params["b"]
        gh = h @ params["W_s"] + params["b_s"]
        r = sig(gx[:, :H] + gh[:, :H])
        z = sig(gx[:, H : 2 * H] + gh[:, H : 2 * H])
        n = np.tanh(gx[:, 2 * H :] + r * gh[:, 2 * H :])
        h = (1 - z) * n + z * h
        states.append(h)
    return np.stack(states)


def pre_activations(cell, xs: np.ndarray, states: np.ndarray) -> np.ndarray:
    """z_t = x_t W_x + r(s_{t-1}) W_s + b for every step (T, B, G), from the stored states."""
    H = cell.hidden_size
    fed_back = states[:-1, :, H:] if isinstance(cell, rnnlib.LSTMCell) else states[:-1]
    return xs @ cell.params["W_x"] + fed_back @ cell.params["W_s"] + cell.params["b"]


def random_problem(kind: str, T: int, B: int, D: int, H: int, seed: int):
    """A cell and float64 data for a gradient check: (cell, xs, s0, W) with W the weights of L = sum(W * outputs)."""
    rng = np.random.default_rng(seed)
    cell = make_cell(kind, D, H, seed=seed)
    # biases start at 0 (or the forget bias); make them random so db is a real test
    for name in ("b", "b_s"):  # b_s: the GRU's recurrent bias
        if name in cell.params:
            cell.params[name][...] = rng.normal(0.0, 0.5, size=cell.params[name].shape)
    xs = rng.normal(size=(T, B, D))
    s0 = rng.normal(0.0, 0.5, size=(B, state_size(kind, H)))
    W = rng.normal(size=(T, B, H))
    return cell, xs, s0, W


def snapshot(*dicts) -> list:
    """Copies of the arrays in each dict, to check later that nothing changed."""
    return [{k: np.array(v, copy=True) for k, v in d.items()} for d in dicts]


def assert_unchanged(before: list, *dicts) -> None:
    """Every array in each dict is bitwise what `snapshot` saw (NaN equal to NaN)."""
    for old, new in zip(before, dicts, strict=True):
        assert old.keys() == new.keys()
        for k in old:
            assert old[k].dtype == np.asarray(new[k]).dtype and np.array_equal(old[k], new[k], equal_nan=True), k
