"""The affine output layer that turns RNN outputs into predictions.

Sizes: input H, output K; any number of leading dimensions (T, B, ...).

    forward:   y = x W + b                        x (..., H), W (H, K), b (K,) -> y (..., K)
    backward:  dx = dy W^T,   dW = x^T dy,   db = sum of dy over all leading dimensions
"""

from __future__ import annotations

import numpy as np

from rnnlib.core import _validate


class Affine:
    """y = x W + b. Affine(in_size=H, out_size=K, seed=0, dtype=np.float64)."""

    def __init__(self, in_size: int, out_size: int, seed=None, dtype=np.float64):
        self.in_size = _validate.positive_int("in_size", in_size)
        self.out_size = _validate.positive_int("out_size", out_size)
        if np.dtype(dtype) not in (np.dtype(np.float32), np.dtype(np.float64)):
            raise ValueError(f"dtype must be float32 or float64, got {np.dtype(dtype)}")
        self.dtype = np.dtype(dtype)
        rng = np.random.default_rng(seed)
        k = 1.0 / np.sqrt(self.in_size)
        self.params = {
            "W": rng.uniform(-k, k, size=(self.in_size, self.out_size)).astype(self.dtype),
            "b": np.zeros(self.out_size, dtype=self.dtype),
        }

    def __repr__(self) -> str:
        return f"Affine(in_size={self.in_size}, out_size={self.out_size})"

    def forward(self, x) -> tuple[np.ndarray, np.ndarray]:
        """Returns (y, cache); the cache is the input x."""
        x = np.asarray(x, dtype=self.dtype)
        if x.ndim < 1 or x.shape[-1] != self.in_size:
            raise ValueError(f"x must have shape (..., {self.in_size}), got shape {x.shape}")
        _validate.finite("x", x)
        _validate.params_finite("Affine", self.params)
        return x @ self.params["W"] + self.params["b"], x

    def backward(self, dy, cache: np.ndarray) -> tuple[np.ndarray, dict]:
        """From dy = dL/dy (..., K), returns (dL/dx, {"W": dL/dW, "b": dL/db})."""
        x = cache
        dy = np.asarray(dy, dtype=self.dtype)
        if dy.shape != x.shape[:-1] + (self.out_size,):
            raise ValueError(f"dy must have shape {x.shape[:-1] + (self.out_size,)}, got shape {dy.shape}")
        _validate.finite("dy", dy)
        x_rows, dy_rows = x.reshape(-1, self.in_size), dy.reshape(-1, self.out_size)
        dparams = {"W": x_rows.T @ dy_rows, "b": dy_rows.sum(axis=0)}
        return dy @ self.params["W"].T, dparams
