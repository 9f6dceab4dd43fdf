"""What every recurrent cell shares: the lecture's R and O, one step at a time.

Sizes: input D, hidden H, state S (Elman, GRU: S = H; LSTM: S = 2H), batch B,
and G columns of pre-activations (Elman: G = H; LSTM: G = 4H; GRU: G = 3H).

A cell holds parameters and nothing about a run:

    params["W_x"]  (D, G)   input weights
    params["W_s"]  (H, G)   recurrent weights
    params["b"]    (G,)     bias

Every cell computes its pre-activations from two shares,

    z_t = (x_t W_x + b) + r(s_{t-1}) W_s        (B, G)

where r(s) is the part of the state that is fed back (Elman, GRU: all of s;
LSTM: h); the GRU also adds a recurrent bias b_s to its recurrent share.
The input's share x_t W_x + b does not depend on the previous state, so
`unroll` computes it for every step in one product (`project`), and the
cell's `recur` adds the recurrent share and applies its equations.

Each cell writes its equations twice, once in each direction, in two methods:

    recur(s_prev, zx)          -> (s_t, parts)              forward: s_t and every intermediate
    recur_backward(ds, parts)  -> (ds_prev, dzx, dzs)       backward: from ds = dL/ds_t

where dzx = dL/d(x_t W_x + b) and dzs = dL/d(r(s_{t-1}) W_s) (the same array
for a cell whose z_t is the plain sum of the two shares), and ds_prev is
what reaches s_{t-1} through this step. The weights' gradients follow from
these for every cell alike:

    dL/dW_x = x_t^T dzx,    dL/db = dzx summed over the batch,    dL/dW_s = r(s_{t-1})^T dzs

`step_forward` and `step_backward` do one whole step, with these products;
`unroll` and `bptt` (rnnlib.core.unroll) do a sequence.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from rnnlib.core import _validate

DTYPES = (np.float32, np.float64)


class StepCache(NamedTuple):
    """What `step_forward` keeps for `step_backward`."""

    x: np.ndarray  # (B, D)  the input x_t
    s_prev: np.ndarray  # (B, S)  the previous state s_{t-1}
    parts: Any  # the cell's intermediates from `recur` (its gates, ...)


class Cell:
    """Base class of the cells (ElmanCell, LSTMCell, GRUCell); not used on its own."""

    gates_per_unit = 1  # G = gates_per_unit * H
    state_per_unit = 1  # S = state_per_unit * H

    def __init__(self, input_size: int, hidden_size: int, seed=None, dtype=np.float64):
        self.input_size = _validate.positive_int("input_size", input_size)
        self.hidden_size = _validate.positive_int("hidden_size", hidden_size)
        if np.dtype(dtype) not in [np.dtype(d) for d in DTYPES]:
            raise ValueError(f"dtype must be float32 or float64, got {np.dtype(dtype)}")
        self.dtype = np.dtype(dtype)
        self.state_size = self.state_per_unit * self.hidden_size
        self.gate_size = self.gates_per_unit * self.hidden_size
        # PyTorch's initialisation: every weight from U(-k, k), k = 1/sqrt(H).
        # A private generator: the global numpy random state is never touched.
        rng = np.random.default_rng(seed)
        k = 1.0 / np.sqrt(self.hidden_size)
        D, H, G = self.input_size, self.hidden_size, self.gate_size
        self.params = {
            "W_x": rng.uniform(-k, k, size=(D, G)).astype(self.dtype),
            "W_s": rng.uniform(-k, k, size=(H, G)).astype(self.dtype),
            "b": np.zeros(G, dtype=self.dtype),
        }

    def __repr__(self) -> str:
        return f"{type(self).__name__}(input_size={self.input_size}, hidden_size={self.hidden_size})"

    # ---- the state -------------------------------------------------------

    def initial_state(self, batch_size: int) -> np.ndarray:
        """s_0 = 0, shape (B, S)."""
        B = _validate.positive_int("batch_size", batch_size)
        return np.zeros((B, self.state_size), dtype=self.dtype)

    def project(self, x: np.ndarray) -> np.ndarray:
        """The input's share of z: x W_x + b, for x of shape (..., D) -> (..., G)."""
        # All rows in one 2-D product: for a whole sequence (T, B, D) this is
        # one (T*B, D) @ (D, G) product instead of T small ones.
        zx = np.reshape(x, (-1, self.input_size)) @ self.params["W_x"] + self.params["b"]
        return zx.reshape(np.shape(x)[:-1] + (self.gate_size,))

    # ---- R: one step -----------------------------------------------------

    def step(self, s_prev: np.ndarray, x: np.ndarray) -> np.ndarray:
        """R: the next state s_t = R(s_{t-1}, x_t). s_prev (B, S), x (B, D) -> (B, S)."""
        s, _ = self.step_forward(s_prev, x)
        return s

    def step_forward(self, s_prev: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, StepCache]:
        """R with a cache for `step_backward`: returns (s_t, cache); cache.parts holds the step's intermediates."""
        s_prev, x = self.check_step(s_prev, x)
        s, parts = self.recur(s_prev, self.project(x))
        return s, StepCache(x, s_prev, parts)

    def step_backward(self, ds: np.ndarray, cache: StepCache) -> tuple[np.ndarray, np.ndarray, dict]:
        """Backward of one step, given ds = dL/ds_t (B, S).

        Returns (ds_prev, dx, dparams): what reaches s_{t-1} through this step (B, S),
        dL/dx_t (B, D), and a dict with the parameters' gradients through this step only.
        """
        ds = _validate.array("ds", ds, 2, self.dtype, (cache.s_prev.shape[0], self.state_size))
        ds_prev, dzx, dzs = self.recur_backward(ds, cache.parts)
        dparams = self.weight_gradients(cache.x, cache.s_prev, dzx, dzs)
        dx = dzx @ self.params["W_x"].T
        return ds_prev, dx, dparams

    def weight_gradients(self, x: np.ndarray, s_prev: np.ndarray, dzx: np.ndarray, dzs: np.ndarray) -> dict:
        """The parameters' gradients from the two shares' gradients, rows of x (N, D), s_prev (N, S), dz (N, G)."""
        return {
            "W_x": x.T @ dzx,  # (D, N) @ (N, G) -> (D, G)
            "W_s": self.recurrent_input(s_prev).T @ dzs,  # (H, N) @ (N, G) -> (H, G)
            "b": dzx.sum(axis=0),
        }

    def check_step(self, s_prev, x) -> tuple[np.ndarray, np.ndarray]:
        """Validate the arguments of one step; returns them as arrays of the cell's dtype."""
        x = _validate.array("x", x, 2, self.dtype, ("B", self.input_size))
        s_prev = _validate.array("s_prev", s_prev, 2, self.dtype, (x.shape[0], self.state_size))
        _validate.params_finite(type(self).__name__, self.params)
        return s_prev, x

    # ---- O: the output ---------------------------------------------------

    def output(self, s: np.ndarray) -> np.ndarray:
        """O: the output y_t = O(s_t), for s of shape (..., S) -> (..., H); a new array."""
        s = np.asarray(s)
        if s.ndim < 1 or s.shape[-1] != self.state_size:
            raise ValueError(f"s must have shape (..., {self.state_size}), got shape {s.shape}")
        return s[..., self.state_size - self.hidden_size :].copy()  # the last H numbers of the state

    def output_backward(self, dy: np.ndarray) -> np.ndarray:
        """dL/ds_t from dL/dy_t, (..., H) -> (..., S). O reads a part of the state, so it needs no cache."""
        dy = np.asarray(dy, dtype=self.dtype)
        if dy.ndim < 1 or dy.shape[-1] != self.hidden_size:
            raise ValueError(f"dy must have shape (..., {self.hidden_size}), got shape {dy.shape}")
        _validate.finite("dy", dy)
        ds = np.zeros(dy.shape[:-1] + (self.state_size,), dtype=self.dtype)
        ds[..., self.state_size - self.hidden_size :] = dy  # the state's other numbers do not reach y_t
        return ds

    # ---- what each cell defines ------------------------------------------

    def recurrent_input(self, s: np.ndarray) -> np.ndarray:
        """r(s): the part of the state that multiplies W_s, (..., S) -> (..., H)."""
        return s[..., self.state_size - self.hidden_size :]

    def recur(self, s_prev: np.ndarray, zx: np.ndarray):
        """The step's equations, given the input's share zx = x_t W_x + b (B, G): returns (s_t, parts)."""
        raise NotImplementedError

    def recur_backward(self, ds: np.ndarray, parts) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The same equations backward, from ds = dL/ds_t (B, S): returns (ds_prev, dzx, dzs)."""
        raise NotImplementedError
