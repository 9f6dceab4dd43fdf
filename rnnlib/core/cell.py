"""What every recurrent cell shares: the lecture's R and O, one step at a time.

Sizes: input D, hidden H, state S (Elman: S = H; LSTM: S = 2H), batch B,
and G columns of pre-activations (Elman: G = H; LSTM: G = 4H).

A cell holds parameters and nothing about a run:

    params["W_x"]  (D, G)   input weights
    params["W_s"]  (H, G)   recurrent weights
    params["b"]    (G,)     bias

Every cell computes the pre-activation

    z_t = x_t W_x + r(s_{t-1}) W_s + b        (B, G)

where r(s) is the part of the state that is fed back (Elman: all of s;
LSTM: h), and then its own nonlinear update from z_t. The input's share,
x_t W_x + b, does not depend on the previous state, so `unroll` computes it
for all steps in one product (`project`) and each step adds the recurrent
share (`recur`). `step` does both for a single step.

Forward methods return a cache; backward methods take it. Subclasses define
`recur`, `recur_backward`, `recurrent_input` and `output`.
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
    recur: Any  # the cell's own cache from `recur`


class Cell:
    """Base class of ElmanCell and LSTMCell; not used on its own."""

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
        # All rows in one 2-D product (numpy would loop over a leading T axis),
        # and b added in place: no second (T, B, G) array.
        zx = np.reshape(x, (-1, self.input_size)) @ self.params["W_x"]  # (T*B, D) @ (D, G) -> (T*B, G)
        zx += self.params["b"]
        return zx.reshape(np.shape(x)[:-1] + (self.gate_size,))

    # ---- R: one step -----------------------------------------------------

    def step(self, s_prev: np.ndarray, x: np.ndarray) -> np.ndarray:
        """R: the next state s_t = R(s_{t-1}, x_t). s_prev (B, S), x (B, D) -> (B, S)."""
        s, _ = self.step_forward(s_prev, x)
        return s

    def step_forward(self, s_prev: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, StepCache]:
        """R with a cache for `step_backward`: returns (s_t, cache)."""
        s_prev, x = self.check_step(s_prev, x)
        s, cache = self.recur(s_prev, self.project(x), overwrite_zx=True)
        return s, StepCache(x, s_prev, cache)

    def step_backward(self, ds: np.ndarray, cache: StepCache) -> tuple[np.ndarray, np.ndarray, dict]:
        """Backward of one step, given ds = dL/ds_t (B, S).

        Returns (ds_prev, dx, dparams): dL/ds_{t-1} (B, S), dL/dx_t (B, D), and
        a dict with dL/dW_x, dL/dW_s, dL/db through this step only.
        """
        ds = _validate.array("ds", ds, 2, self.dtype, (cache.s_prev.shape[0], self.state_size))
        ds_prev, dz = self.recur_backward(ds, cache.recur)
        dparams = {
            "W_x": cache.x.T @ dz,
            "W_s": self.recurrent_input(cache.s_prev).T @ dz,
            "b": dz.sum(axis=0),
        }
        dx = dz @ self.params["W_x"].T
        return ds_prev, dx, dparams

    def check_step(self, s_prev, x) -> tuple[np.ndarray, np.ndarray]:
        """Validate the arguments of one step; returns them as arrays of the cell's dtype."""
        x = _validate.array("x", x, 2, self.dtype, ("B", self.input_size))
        s_prev = _validate.array("s_prev", s_prev, 2, self.dtype, (x.shape[0], self.state_size))
        _validate.params_finite(type(self).__name__, self.params)
        return s_prev, x

    # ---- O: the output ---------------------------------------------------

    def output(self, s: np.ndarray) -> np.ndarray:
        """O: the output y_t = O(s_t), for s of shape (..., S) -> (..., H)."""
        s = np.asarray(s)
        if s.ndim < 1 or s.shape[-1] != self.state_size:
            raise ValueError(f"s must have shape (..., {self.state_size}), got shape {s.shape}")
        return self._output(s)

    def output_backward(self, dy: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """dL/ds_t from dL/dy_t, (..., H) -> (..., S); written into `out` when it is given.

        O reads a part of the state, so it needs no cache.
        """
        dy = np.asarray(dy, dtype=self.dtype)
        if dy.ndim < 1 or dy.shape[-1] != self.hidden_size:
            raise ValueError(f"dy must have shape (..., {self.hidden_size}), got shape {dy.shape}")
        _validate.finite("dy", dy)
        return self._output_backward(dy, out)

    # ---- what each cell defines ------------------------------------------

    def _output(self, s: np.ndarray) -> np.ndarray:
        """O without checks."""
        raise NotImplementedError

    def _output_backward(self, dy: np.ndarray, out: np.ndarray | None) -> np.ndarray:
        """The backward of O without checks."""
        raise NotImplementedError

    def recur(self, s_prev: np.ndarray, zx: np.ndarray, out: np.ndarray | None = None, overwrite_zx: bool = False):
        """The recurrence given the input's share zx = x_t W_x + b (B, G).

        Returns (s_t, cache); writes s_t into `out` when it is given.
        overwrite_zx=True lets the cell build z_t in zx's memory (and keep it
        in the cache) instead of a new array; zx is then changed.
        """
        raise NotImplementedError

    def recur_backward(self, ds: np.ndarray, cache, W_s_T: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """From ds = dL/ds_t, return (dL/ds_{t-1} through this step, dz = dL/dz_t).

        W_s_T: W_s transposed as a contiguous array, when the caller has one
        (bptt makes it once for all steps); by default the transposed view of W_s.
        """
        raise NotImplementedError

    def recurrent_input(self, s: np.ndarray) -> np.ndarray:
        """r(s): the part of the state that multiplies W_s, (..., S) -> (..., H)."""
        raise NotImplementedError
