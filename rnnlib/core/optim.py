"""Optimizers that update parameter dicts in place, and gradient clipping.

A model is a list of parameter dicts (cell.params, an output layer's
params, ...); its gradients are a list of dicts with the same keys and
shapes, in the same order.

    SGD:   theta <- theta - lr * v,   v <- momentum * v + grad (v = grad when momentum = 0)
    Adam:  m <- b1 m + (1 - b1) grad,  v <- b2 v + (1 - b2) grad^2,
           theta <- theta - lr * m_hat / (sqrt(v_hat) + eps),
           m_hat = m / (1 - b1^t),  v_hat = v / (1 - b2^t)        (Kingma and Ba, 2015)

Clipping by global norm (Pascanu, Mikolov and Bengio, 2013): when the norm
of all gradients together exceeds max_norm, scale them all by max_norm / norm.
"""

from __future__ import annotations

import numpy as np

from rnnlib.core import _validate


def _as_list(dicts) -> list:
    return [dicts] if isinstance(dicts, dict) else list(dicts)


def _check_grads(params: list, grads) -> list:
    grads = _as_list(grads)
    if len(grads) != len(params):
        raise ValueError(f"grads must be {len(params)} dicts, one per parameter dict, got {len(grads)}")
    for k, (p, g) in enumerate(zip(params, grads)):
        if set(p) != set(g):
            raise ValueError(f"grads[{k}] must have the keys {sorted(p)}, got {sorted(g)}")
        for key in p:
            if np.shape(g[key]) != p[key].shape:
                raise ValueError(f"grads[{k}][{key!r}] must have shape {p[key].shape}, got shape {np.shape(g[key])}")
            _validate.finite(f"grads[{k}][{key!r}]", np.asarray(g[key]))
    return grads


def _positive(name, value):
    if not (np.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a positive number, got {value!r}")
    return float(value)


class SGD:
    """Stochastic gradient descent, with optional momentum. SGD(params, lr=0.1, momentum=0.0)."""

    def __init__(self, params, lr: float = 0.1, momentum: float = 0.0):
        self.params = _as_list(params)
        self.lr = _positive("lr", lr)
        if not 0.0 <= momentum < 1.0:
            raise ValueError(f"momentum must be in [0, 1), got {momentum!r}")
        self.momentum = float(momentum)
        self.velocity = [{k: np.zeros_like(v) for k, v in p.items()} for p in self.params]

    def step(self, grads) -> None:
        """Update every parameter in place from grads (a dict or a list of dicts)."""
        grads = _check_grads(self.params, grads)
        for p, g, vel in zip(self.params, grads, self.velocity):
            for key in p:
                vel[key] *= self.momentum
                vel[key] += g[key]
                p[key] -= self.lr * vel[key]


class Adam:
    """Adam. Adam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8)."""

    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8):
        self.params = _as_list(params)
        self.lr = _positive("lr", lr)
        self.b1, self.b2 = (float(b) for b in betas)
        if not (0.0 <= self.b1 < 1.0 and 0.0 <= self.b2 < 1.0):
            raise ValueError(f"betas must both be in [0, 1), got {tuple(betas)!r}")
        self.eps = _positive("eps", eps)
        self.t = 0
        self.m = [{k: np.zeros_like(v) for k, v in p.items()} for p in self.params]
        self.v = [{k: np.zeros_like(v) for k, v in p.items()} for p in self.params]

    def step(self, grads) -> None:
        """Update every parameter in place from grads (a dict or a list of dicts)."""
        grads = _check_grads(self.params, grads)
        self.t += 1
        c1, c2 = 1.0 - self.b1**self.t, 1.0 - self.b2**self.t
        for p, g, m, v in zip(self.params, grads, self.m, self.v):
            for key in p:
                m[key] *= self.b1
                m[key] += (1.0 - self.b1) * g[key]
                v[key] *= self.b2
                v[key] += (1.0 - self.b2) * g[key] ** 2
                p[key] -= self.lr * (m[key] / c1) / (np.sqrt(v[key] / c2) + self.eps)


def global_norm(grads) -> float:
    """sqrt of the sum of squares of every entry of every gradient.

    Computed in float64 as m * sqrt(sum((g / m)^2)) with m the largest |entry|,
    so that an exploding gradient, whose squares would overflow, still has a
    finite norm (and can be clipped instead of being zeroed by max_norm / inf).
    """
    arrays = [np.asarray(g, dtype=np.float64) for d in _as_list(grads) for g in d.values()]
    m = max((float(np.max(np.abs(a))) for a in arrays if a.size), default=0.0)
    if m == 0.0 or not np.isfinite(m):
        return m
    return m * float(np.sqrt(sum(float(np.sum(np.square(a / m))) for a in arrays)))


def clip_grad_norm(grads, max_norm: float) -> float:
    """Scale grads in place so their global norm is at most max_norm; return the norm before clipping."""
    max_norm = _positive("max_norm", max_norm)
    grads = _as_list(grads)
    for k, d in enumerate(grads):
        for key, g in d.items():
            _validate.finite(f"grads[{k}][{key!r}]", np.asarray(g))
    norm = global_norm(grads)
    if norm > max_norm:
        scale = max_norm / norm
        for d in grads:
            for g in d.values():
                g *= scale
    return norm
