"""Losses, each a mean over every prediction, with its backward.

Sizes: N predictions in any leading shape (T, B, ...), K classes or values.

softmax cross-entropy, logits z (..., K) and integer targets k (...):
    L = mean over positions of -log softmax(z)[k]
    dL/dz = (softmax(z) - onehot(k)) / N

mean squared error, predictions p and targets y of the same shape:
    L = mean of (p - y)^2 over every entry
    dL/dp = 2 (p - y) / (number of entries)

A boolean `mask` of the leading shape (cross-entropy) or the full shape
(MSE) restricts the mean to the positions where it is True.
"""

from __future__ import annotations

import numpy as np

from rnnlib.core import _validate
from rnnlib.core.activations import log_softmax, softmax


def _ce_args(logits, targets, mask):
    logits = np.asarray(logits)
    if logits.ndim < 1 or not np.issubdtype(logits.dtype, np.floating):
        raise ValueError(f"logits must be a float array of shape (..., K), got {logits.dtype} of shape {logits.shape}")
    if logits.size == 0:
        raise ValueError(f"logits must hold at least one position and one class, got shape {logits.shape}")
    _validate.finite("logits", logits)
    targets = np.asarray(targets)
    K = logits.shape[-1]
    if targets.shape != logits.shape[:-1] or not np.issubdtype(targets.dtype, np.integer):
        raise ValueError(
            f"targets must be integers of shape {logits.shape[:-1]}, got {targets.dtype} of shape {targets.shape}"
        )
    if targets.size and (targets.min() < 0 or targets.max() >= K):
        raise ValueError(f"targets must lie in 0..{K - 1}, got values from {targets.min()} to {targets.max()}")
    mask = _mask("mask", mask, targets.shape)
    return logits, targets, mask


def _mask(name, mask, shape):
    if mask is None:
        return np.ones(shape, dtype=bool)
    mask = np.asarray(mask, dtype=bool)
    if mask.shape != shape:
        raise ValueError(f"{name} must have shape {shape}, got shape {mask.shape}")
    if not mask.any():
        raise ValueError(f"{name} must select at least one position")
    return mask


def softmax_cross_entropy(logits, targets, mask=None) -> float:
    """Mean of -log softmax(logits)[target] over the positions (where mask is True)."""
    logits, targets, mask = _ce_args(logits, targets, mask)
    logp = np.take_along_axis(log_softmax(logits), targets[..., None], axis=-1)[..., 0]
    return float(-np.sum(logp * mask) / mask.sum())


def softmax_cross_entropy_backward(logits, targets, mask=None) -> np.ndarray:
    """dL/dlogits = (softmax(logits) - onehot(targets)) / N, zero where mask is False."""
    logits, targets, mask = _ce_args(logits, targets, mask)
    d = softmax(logits)
    np.put_along_axis(d, targets[..., None], np.take_along_axis(d, targets[..., None], axis=-1) - 1.0, axis=-1)
    return d * mask[..., None] / int(mask.sum())


def _mse_args(pred, target, mask):
    pred = np.asarray(pred)
    if not np.issubdtype(pred.dtype, np.floating):
        pred = pred.astype(np.float64)  # integer predictions: compare in float, never round the targets
    target = np.asarray(target, dtype=pred.dtype)
    if pred.shape != target.shape:
        raise ValueError(f"target must have the shape of pred {pred.shape}, got shape {target.shape}")
    if pred.size == 0:
        raise ValueError(f"pred must hold at least one entry, got shape {pred.shape}")
    _validate.finite("pred", pred)
    _validate.finite("target", target)
    return pred, target, _mask("mask", mask, pred.shape)


def mse(pred, target, mask=None) -> float:
    """Mean of (pred - target)^2 over every entry (where mask is True)."""
    pred, target, mask = _mse_args(pred, target, mask)
    return float(np.sum((pred - target) ** 2 * mask) / mask.sum())


def mse_backward(pred, target, mask=None) -> np.ndarray:
    """dL/dpred = 2 (pred - target) / N, zero where mask is False."""
    pred, target, mask = _mse_args(pred, target, mask)
    return 2.0 * (pred - target) * mask / int(mask.sum())
