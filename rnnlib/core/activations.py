"""Nonlinearities, each with its derivative written in terms of its output.

Writing g'(z) as a function of a = g(z) means a backward pass needs only the
activations it already stored:

    tanh:      a = tanh(z)                  g'(z) = 1 - a^2
    sigmoid:   a = 1 / (1 + exp(-z))        g'(z) = a (1 - a)
    relu:      a = max(z, 0)                g'(z) = 1 if a > 0 else 0
    identity:  a = z                        g'(z) = 1

The sigmoid is computed as (1 + tanh(z / 2)) / 2, the same function, which
never overflows: sigmoid(-1000) is 0.0 and sigmoid(1000) is 1.0, no warning.
"""

from __future__ import annotations

import numpy as np


def tanh(z: np.ndarray) -> np.ndarray:
    return np.tanh(z)


def sigmoid(z: np.ndarray) -> np.ndarray:
    return np.asarray(0.5 * (1.0 + np.tanh(0.5 * np.asarray(z))))  # = 1 / (1 + exp(-z)), and never overflows


def relu(z: np.ndarray) -> np.ndarray:
    return np.maximum(z, 0.0)


def identity(z: np.ndarray) -> np.ndarray:
    return np.array(z, copy=True)


def dtanh(a: np.ndarray) -> np.ndarray:
    return 1.0 - a * a


def dsigmoid(a: np.ndarray) -> np.ndarray:
    return a * (1.0 - a)


def drelu(a: np.ndarray) -> np.ndarray:
    return (a > 0).astype(a.dtype)


def didentity(a: np.ndarray) -> np.ndarray:
    return np.ones_like(a)


# name -> (g, g' as a function of g's output)
NONLINEARITIES = {
    "tanh": (tanh, dtanh),
    "sigmoid": (sigmoid, dsigmoid),
    "relu": (relu, drelu),
    "identity": (identity, didentity),
}


def softmax(z: np.ndarray, axis: int = -1) -> np.ndarray:
    """exp(z) / sum(exp(z)) along `axis`, shifted by the maximum so exp never overflows.

    A logit far below the maximum gets exp(...) = 0, its correct value to
    machine precision; that underflow is expected, so it is never reported.
    """
    with np.errstate(under="ignore"):
        e = np.exp(z - np.max(z, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def log_softmax(z: np.ndarray, axis: int = -1) -> np.ndarray:
    """log(softmax(z)), computed without forming the softmax (no log of 0)."""
    shifted = z - np.max(z, axis=axis, keepdims=True)
    with np.errstate(under="ignore"):  # as in softmax: exp of a very negative logit is 0
        total = np.sum(np.exp(shifted), axis=axis, keepdims=True)
    return shifted - np.log(total)
