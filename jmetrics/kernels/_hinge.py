"""Hinge kernels (hinge, squared hinge, categorical hinge): Keras 3 formulas, one value per sample."""

from __future__ import annotations

import jax
import jax.numpy as jnp
from jax.typing import ArrayLike

from jmetrics._floor._extrema import maximum, reduce_max
from jmetrics.kernels._columns import per_sample_mean, per_sample_sum
from jmetrics.kernels._common import arrays, prepare

__all__ = ["categorical_hinge", "hinge", "squared_hinge"]


def _signed_labels(t: jax.Array) -> jax.Array:
    """Keras' {0, 1} -> {-1, 1} rule: converted only if *every* element of ``t`` is 0 or 1.

    The test covers the whole array given to the function (under ``vmap``, each mapped slice).
    It is written as a float sum of ``|t (t - 1)|`` (zero exactly when every term is: the terms
    are never negative; NaN and inf fail it) and a scalar affine map: about 2.5x faster on CPU than
    ``all(...)`` with an elementwise select. (A max would do too, but XLA:CPU's fused max skips NaN
    at 4,096 elements or more: see :mod:`jmetrics._floor._extrema`.)
    """
    is_binary = jnp.sum(jnp.abs(t * (t - 1.0))) == 0
    scale = jnp.where(is_binary, 2.0, 1.0).astype(t.dtype)
    shift = jnp.where(is_binary, -1.0, 0.0).astype(t.dtype)
    return scale * t + shift


def hinge(y_true: ArrayLike, y_pred: ArrayLike) -> jax.Array:
    """Hinge loss per sample.

    .. math:: \\mathrm{hinge}_i = \\frac{1}{d}\\sum_j \\max(1 - t'_{ij} \\hat y_{ij}, 0)

    where ``t' = 2t - 1`` if every element of ``y_true`` (the whole array, not each sample) is 0
    or 1, else ``t' = t``.

    Args:
        y_true: labels in {-1, 1} or {0, 1}, shape ``[..., d]``.
        y_pred: decision values, the same shape.

    Returns:
        Shape ``[...]``. Lower is better; best 0.

    Keras 3 and 2.3.1 ``hinge`` (same formula and whole-array rule). Keras 3 does not match ranks
    here, so ``(N,)`` labels against ``(N, 1)`` predictions broadcast to ``(N, N)`` there; here they
    are compared sample by sample. With ``d = 1`` and {-1, 1} labels, averaged over samples, it
    equals ``sklearn.metrics.hinge_loss``.

    >>> import jax.numpy as jnp, jmetrics
    >>> jmetrics.hinge(jnp.array([[0., 1.], [0., 0.]]), jnp.array([[.6, .4], [.4, .6]])).tolist()
    [1.100000023841858, 1.5]
    """
    return _hinge(*arrays("hinge", y_true, y_pred))


@jax.jit
def _hinge(y_true: jax.Array, y_pred: jax.Array) -> jax.Array:
    t, p, out = prepare("hinge", y_true, y_pred)
    loss = per_sample_mean(lambda t, p: maximum(1.0 - _signed_labels(t) * p, 0.0), t, p)
    return loss.astype(out)


def squared_hinge(y_true: ArrayLike, y_pred: ArrayLike) -> jax.Array:
    """Squared hinge loss per sample.

    .. math:: \\frac{1}{d}\\sum_j \\max(1 - t'_{ij} \\hat y_{ij}, 0)^2

    with the same whole-array {0, 1} -> {-1, 1} rule as :func:`hinge`.

    Args:
        y_true: labels in {-1, 1} or {0, 1}, shape ``[..., d]``.
        y_pred: decision values, the same shape.

    Returns:
        Shape ``[...]``. Lower is better; best 0.

    Keras 3 and 2.3.1 ``squared_hinge``.

    >>> import jax.numpy as jnp, jmetrics
    >>> jmetrics.squared_hinge(jnp.array([[0., 1.]]), jnp.array([[.5, .5]])).tolist()
    [1.25]
    """
    return _squared_hinge(*arrays("squared_hinge", y_true, y_pred))


@jax.jit
def _squared_hinge(y_true: jax.Array, y_pred: jax.Array) -> jax.Array:
    t, p, out = prepare("squared_hinge", y_true, y_pred)
    def loss(t: jax.Array, p: jax.Array) -> jax.Array:
        return jnp.square(maximum(1.0 - _signed_labels(t) * p, 0.0))

    return per_sample_mean(loss, t, p).astype(out)


def categorical_hinge(y_true: ArrayLike, y_pred: ArrayLike) -> jax.Array:
    """Categorical (Crammer-Singer) hinge loss per sample.

    .. math:: \\max\\bigl(\\max_c (1 - t_{ic}) \\hat y_{ic} - \\sum_c t_{ic} \\hat y_{ic} + 1,\\ 0\\bigr)

    Args:
        y_true: one-hot labels, shape ``[..., C]`` (no label conversion).
        y_pred: scores, the same shape.

    Returns:
        Shape ``[...]``. Lower is better; best 0.

    Keras 3 and 2.3.1 ``categorical_hinge``. For one-hot labels it equals the per-sample term of
    ``sklearn.metrics.hinge_loss`` in the multiclass case.

    >>> import jax.numpy as jnp, jmetrics
    >>> jmetrics.categorical_hinge(jnp.array([[0., 1., 1.]]), jnp.array([[1., 0., 1.]])).tolist()
    [1.0]
    """
    return _categorical_hinge(*arrays("categorical_hinge", y_true, y_pred))


@jax.jit
def _categorical_hinge(y_true: jax.Array, y_pred: jax.Array) -> jax.Array:
    t, p, out = prepare("categorical_hinge", y_true, y_pred)
    if p.shape[-1] == 1:  # a sum and a max of one term: the flat columns (no reductions)
        return per_sample_sum(lambda t, p: maximum((1.0 - t) * p - t * p + 1.0, 0.0), t, p
                              ).astype(out)
    pos = jnp.sum(t * p, axis=-1)
    neg = reduce_max((1.0 - t) * p, axis=-1)
    return maximum(neg - pos + 1.0, 0.0).astype(out)
