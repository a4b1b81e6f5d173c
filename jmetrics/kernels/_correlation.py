"""Correlation kernels (Pearson, concordance) along an axis: Keras 3 formulas, one value per sample.

These are the Keras 3 *functions*: each row is one set of paired observations. (A correlation over
a whole dataset is not a mean of per-sample values; that needs moments, not these kernels.)
"""

from __future__ import annotations

from functools import partial

import jax
import jax.numpy as jnp
from jax.typing import ArrayLike

from jmetrics._floor._options import check_axis, check_axis_type
from jmetrics.kernels._common import EPSILON, arrays, prepare

__all__ = ["concordance_correlation", "pearson_correlation"]


def pearson_correlation(y_true: ArrayLike, y_pred: ArrayLike, axis: int = -1) -> jax.Array:
    """Pearson correlation coefficient along ``axis``, per sample.

    .. math:: r_i = \\frac{1}{d}\\sum_j \\frac{(t_{ij} - \\bar t_i)(p_{ij} - \\bar p_i)}
              {\\sigma(t_i)\\,\\sigma(p_i)}

    with population standard deviations.

    Args:
        y_true: targets, shape ``[..., d]``.
        y_pred: predictions, the same shape.
        axis: the axis holding the paired observations.

    Returns:
        The input shape without ``axis``. Higher is better; range [-1, 1]. A constant row gives
        NaN (0/0), as in Keras 3.

    Keras 3 ``keras.metrics.pearson_correlation`` (not in Keras 2.3.1). Equals
    ``scipy.stats.pearsonr`` (or ``numpy.corrcoef``) on each row.

    >>> import jax.numpy as jnp, jmetrics
    >>> v = jmetrics.pearson_correlation(jnp.array([[1., 2., 3., 4.]]), jnp.array([[1., 3., 2., 5.]]))
    >>> round(float(v[0]), 6)
    0.831522
    """
    ax = check_axis_type("pearson_correlation", axis)
    return _pearson_correlation(*arrays("pearson_correlation", y_true, y_pred), axis=ax)


@partial(jax.jit, static_argnames=("axis",))
def _pearson_correlation(y_true: jax.Array, y_pred: jax.Array, axis: int) -> jax.Array:
    t, p, out = prepare("pearson_correlation", y_true, y_pred)
    ax = check_axis("pearson_correlation", axis, p.ndim)
    tc = t - jnp.mean(t, axis=ax, keepdims=True)
    pc = p - jnp.mean(p, axis=ax, keepdims=True)
    tn = tc / jnp.std(tc, axis=ax, keepdims=True)
    pn = pc / jnp.std(pc, axis=ax, keepdims=True)
    return jnp.mean(tn * pn, axis=ax).astype(out)


def concordance_correlation(y_true: ArrayLike, y_pred: ArrayLike, axis: int = -1) -> jax.Array:
    """Lin's concordance correlation coefficient along ``axis``, per sample, as Keras 3 computes it.

    .. math:: \\rho_i = \\frac{1}{d}\\sum_j \\frac{2 (t_{ij} - \\bar p_i)(p_{ij} - \\bar p_i)}
              {\\sigma^2(t_i) + \\sigma^2(p_i) + (\\bar t_i - \\bar p_i)^2 + \\epsilon}

    Note ``t - mean(p)`` in the numerator: Keras 3.15 centres ``y_true`` by the *prediction* mean.
    It is reproduced for agreement to the last bit; since ``mean(p - mean(p)) = 0`` the value is
    still Lin's coefficient ``2 cov / (var_t + var_p + (mean_t - mean_p)^2 + eps)`` up to rounding.

    Args:
        y_true: targets, shape ``[..., d]``.
        y_pred: predictions, the same shape.
        axis: the axis holding the paired observations.

    Returns:
        The input shape without ``axis``. Higher is better; 1 for perfect agreement.

    Keras 3 ``keras.metrics.concordance_correlation`` (not in Keras 2.3.1).

    >>> import jax.numpy as jnp, jmetrics
    >>> v = jmetrics.concordance_correlation(jnp.array([[1., 2., 3., 4.]]), jnp.array([[1., 3., 2., 5.]]))
    >>> round(float(v[0]), 6)
    0.785714
    """
    ax = check_axis_type("concordance_correlation", axis)
    return _concordance_correlation(*arrays("concordance_correlation", y_true, y_pred), axis=ax)


@partial(jax.jit, static_argnames=("axis",))
def _concordance_correlation(y_true: jax.Array, y_pred: jax.Array, axis: int) -> jax.Array:
    t, p, out = prepare("concordance_correlation", y_true, y_pred)
    ax = check_axis("concordance_correlation", axis, p.ndim)
    t_mean = jnp.mean(t, axis=ax, keepdims=True)
    p_mean = jnp.mean(p, axis=ax, keepdims=True)
    t_var = jnp.var(t - t_mean, axis=ax, keepdims=True)
    p_var = jnp.var(p - p_mean, axis=ax, keepdims=True)
    covar = (t - p_mean) * (p - p_mean)
    norm = t_var + p_var + jnp.square(t_mean - p_mean)
    return jnp.mean(2.0 * covar / (norm + EPSILON), axis=ax).astype(out)
