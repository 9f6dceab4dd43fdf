"""Input checks shared by every module.

Each check raises ValueError naming the argument, what it got and what was
expected, before anything is computed or changed, so a call that raises
leaves every array as it was.
"""

from __future__ import annotations

import numpy as np


def positive_int(name: str, value) -> int:
    """Return `value` as an int, or raise if it is not a whole number >= 1."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def array(name: str, value, ndim: int, dtype, shape: tuple = ()) -> np.ndarray:
    """Return `value` as an array of `dtype`, checking rank, sizes and finiteness.

    shape: the expected sizes, an int for a size that must match and a name
    for one that may be anything, e.g. ("T", "B", 8). An empty tuple checks
    the rank only.
    """
    try:
        arr = np.asarray(value, dtype=dtype)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name} must be an array of numbers, got {type(value).__name__}") from err
    expected = describe(shape) if shape else f"{ndim} dimensions"
    if arr.ndim != ndim:
        raise ValueError(f"{name} must have shape {expected}, got shape {arr.shape} ({arr.ndim} dimensions)")
    for got, want in zip(arr.shape, shape):
        if isinstance(want, int) and got != want:
            raise ValueError(f"{name} must have shape {expected}, got shape {arr.shape}")
    if 0 in arr.shape:
        raise ValueError(f"{name} must not be empty, got shape {arr.shape}")
    finite(name, arr)
    return arr


def finite(name: str, arr: np.ndarray) -> None:
    """Raise if `arr` holds NaN or inf."""
    if not np.all(np.isfinite(arr)):
        bad = np.argwhere(~np.isfinite(arr))[0]
        raise ValueError(f"{name} must be finite, got {arr[tuple(bad)]} at index {tuple(int(i) for i in bad)}")


def params_finite(owner: str, params: dict) -> None:
    """Raise if any parameter array of `owner` holds NaN or inf."""
    for key, value in params.items():
        finite(f"{owner}.params[{key!r}]", value)


def describe(shape: tuple) -> str:
    """Format an expected shape such as ("T", "B", 3) as '(T, B, 3)'."""
    inner = ", ".join(str(s) for s in shape)
    return f"({inner},)" if len(shape) == 1 else f"({inner})"
