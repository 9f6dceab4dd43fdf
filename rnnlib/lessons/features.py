"""Fixed-size features of a sequence for a feedforward network, and what each one loses.

Sizes: T tokens, vocabulary V, word vectors D, window k, hidden H, K classes.
The sequence is x_1, ..., x_T; in code xs[t-1] is x_t (row vectors).

    bag_of_words(ids, V)      sum_{t=1}^{T} x_t of one-hot x_t: ids (T,) -> (V,)
                              how often each word occurs; the order is gone
    window_features(xs, k)    w_t = [x_{t-k+1}, ..., x_t] at every step t: (T, D) -> (T, k D)
                              the order of the last k words; nothing before them
    window_mlp_num_params(k, D, H, K)
                              the parameters of an MLP that reads w_t: k D H + H + H K + K,
                              a number that grows with k

A recurrent network (notebook 2) has neither limit: it reads any T, keeps
the order, and has the same parameters for every T.
"""

from __future__ import annotations

import numpy as np

from rnnlib.core import _validate


def bag_of_words(ids, vocab_size: int, dtype=np.float64) -> np.ndarray:
    """The bag of words of a sentence: how often each word of the vocabulary occurs.

    With x_t the one-hot vector of the t-th word,

        BOW(x_1, ..., x_T) = x_1 + x_2 + ... + x_T        (V,)

    so entry v counts the occurrences of word v. A sum does not depend on the
    order of its terms: every reordering of the sentence has the same bag.

    ids: (T,) integer word ids in 0..V-1 (Vocabulary.encode gives them);
    vocab_size: V. Returns (V,) counts as `dtype`.
    """
    V = _validate.positive_int("vocab_size", vocab_size)
    ids = np.asarray(ids)
    if ids.ndim != 1:
        raise ValueError(f"ids must have shape (T,), got shape {ids.shape}")
    if ids.size == 0:
        raise ValueError("ids must hold at least one word id, got an empty sequence")
    if not np.issubdtype(ids.dtype, np.integer):
        raise ValueError(f"ids must be integers, got dtype {ids.dtype}")
    if ids.min() < 0 or ids.max() >= V:
        raise ValueError(f"ids must lie in 0..{V - 1} (vocab_size={V}), got values from {ids.min()} to {ids.max()}")
    return np.bincount(ids, minlength=V).astype(dtype)  # the sum of the one-hot rows, without building them


def window_features(xs, k: int) -> np.ndarray:
    """The last k inputs at every step, side by side: what a window model reads.

    At step t the window is the concatenation

        w_t = [x_{t-k+1}, x_{t-k+2}, ..., x_t]            (k D,)

    oldest first, with x_j = 0 for j < 1 (the window at the start of the
    sequence reaches before x_1 and is padded with zero vectors). A model
    that reads w_t sees nothing of x_1, ..., x_{t-k}.

    xs: (T, D), or (T, B, D) for a batch (time-major); k: the window size, any
    k >= 1 (k > T is allowed: the windows are mostly padding). Returns
    (T, k D), or (T, B, k D); row t-1 is w_t. k = 1 returns a copy of xs.
    """
    k = _validate.positive_int("k", k)
    ndim = np.ndim(xs)
    if ndim not in (2, 3):
        raise ValueError(f"xs must have shape (T, D) or (T, B, D), got {ndim} dimensions")
    raw = np.asarray(xs)
    dtype = raw.dtype if np.issubdtype(raw.dtype, np.floating) else np.float64  # keeps float32 as float32
    xs = _validate.array("xs", raw, ndim, dtype)
    T = xs.shape[0]
    padded = np.concatenate([np.zeros((k - 1,) + xs.shape[1:], dtype=xs.dtype), xs])  # (k-1+T, ..., D)
    # padded[j + t - 1] is x_{t-k+1+j}: block j of w_t, for j = 0 (oldest) .. k-1 (x_t itself)
    return np.concatenate([padded[j : j + T] for j in range(k)], axis=-1)  # (T, ..., k D)


def window_mlp_num_params(k: int, D: int, H: int, K: int) -> int:
    """How many numbers an MLP over a window of k word vectors learns.

    The MLP reads the window w (k D,) and computes, with row vectors,

        h = tanh(w W_1 + b_1)     W_1 (k D, H),  b_1 (H,)
        y = h W_2 + b_2           W_2 (H, K),    b_2 (K,)

    so it has k D H + H + H K + K parameters: W_1 alone grows with k, and
    an MLP trained for one k has no weights for the words a larger k adds.
    """
    k, D, H, K = (_validate.positive_int(name, v) for name, v in (("k", k), ("D", D), ("H", H), ("K", K)))
    return k * D * H + H + H * K + K
