"""Checking a backward pass against centred finite differences.

    df/dx[i] ~ (f(x + h e_i) - f(x - h e_i)) / (2 h)

The error of this estimate is of order h^2 (plus rounding of order
eps / h), so in float64 with h = 1e-6 an analytic gradient that is right
agrees to about 1e-8 relative, and one that is wrong is off by far more.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def numerical_gradient(f: Callable[[np.ndarray], float], x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """The gradient of the scalar f(x) with respect to the array x, by centred differences.

    x is perturbed in place, one entry at a time, and restored exactly, so f
    may also ignore its argument and read x through a closure: to check
    dL/dW_s, perturb cell.params["W_s"] and let f rerun the whole forward pass.
    x must be a float64 array for the estimate to be accurate.
    """
    if not isinstance(x, np.ndarray) or not np.issubdtype(x.dtype, np.floating):
        raise ValueError(f"x must be a floating-point numpy array, got {type(x).__name__}")
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        old = x[i]
        x[i] = old + h
        f_plus = float(f(x))
        x[i] = old - h
        f_minus = float(f(x))
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad


def rel_error(a, b, floor: float = 1e-8) -> float:
    """max |a - b| / max(max |a|, max |b|, floor): how far apart two arrays are, relative to their size.

    Relative to the largest entry of the pair, so an entry that is tiny next
    to the others is not divided by itself; `floor` keeps two gradients that
    are zero up to round-off (a dead relu unit, say) from dividing by zero.
    """
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got {a.shape} and {b.shape}")
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(a)), np.max(np.abs(b)), floor))
