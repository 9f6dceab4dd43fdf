"""What a state has read: the logic of notebook 4's what-has-been-read widget.

In a bidirectional RNN (rnnlib.core.bidirectional), at position t the forward
state f_t has read x_1..x_t, the backward state b_t has read x_t..x_T, and
their concatenation y_t = [f_t ; b_t] has read the whole sequence.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from rnnlib.core import _validate


class Seen(NamedTuple):
    """Which inputs x_1..x_T a state at one position has read: boolean arrays (T,)."""

    forward: np.ndarray  # f_t: x_1..x_t
    backward: np.ndarray  # b_t: x_t..x_T
    both: np.ndarray  # y_t = [f_t ; b_t]: everything


def seen_inputs(T: int, t: int) -> Seen:
    """At position t (1..T), the inputs the forward state, the backward state and their concatenation have read.

    seen_inputs(5, 2).forward  -> [True, True, False, False, False]   (x_1, x_2)
    seen_inputs(5, 2).backward -> [False, True, True, True, True]     (x_2..x_5)
    """
    T = _validate.positive_int("T", T)
    if isinstance(t, bool) or not isinstance(t, (int, np.integer)) or not 1 <= t <= T:
        raise ValueError(f"t must be a position in 1..{T}, got {t!r}")
    positions = np.arange(1, T + 1)
    forward, backward = positions <= t, positions >= t
    return Seen(forward=forward, backward=backward, both=forward | backward)
