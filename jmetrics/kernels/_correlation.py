"""Correlation kernels along an axis (Keras 3 ``pearson_correlation``, ``concordance_correlation``)."""

from __future__ import annotations

import jax
import jax.numpy as jnp
from jax.typing import ArrayLike

from jmetrics.kernels._common import EPSILON, check_axis, prepare

__all__ = ["concordance_correlation", "pearson_correlation"]


def pearson_correlation(y_true: ArrayLike, y_pred: ArrayLike, axis: int = -1) -> jax.Array:
    """Pearson correlation along ``axis``: ``mean_axis(z(t) * z(p))`` with population z-scores.

    A constant vector has no correlation: the result is NaN (as in Keras 3 and NumPy).
    Higher is better; range [-1, 1].

    >>> import jax.numpy as jnp, jmetrics
    >>> round(float(jmetrics.pearson_correlation(jnp.array([[1., 2., 3., 4.]]), jnp.array([[1., 3., 2., 5.]]))[0]), 6)
    0.831522
    """
    t, p = prepare("pearson_correlation", y_true, y_pred)
    ax = check_axis("pearson_correlation", axis, p.ndim)
    tn = t - jnp.mean(t, axis=ax, keepdims=True)
    pn = p - jnp.mean(p, axis=ax, keepdims=True)
    tn = tn / jnp.std(tn, axis=ax, keepdims=True)
    pn = pn / jnp.std(pn, axis=ax, keepdims=True)
    return jnp.mean(tn * pn, axis=ax)


def concordance_correlation(y_true: ArrayLike, y_pred: ArrayLike, axis: int = -1) -> jax.Array:
    """Lin's concordance correlation along ``axis``, exactly as Keras 3 computes it.

    .. math:: \\frac{2\\,\\overline{(t - \\bar p)(p - \\bar p)}}{\\sigma_t^2 + \\sigma_p^2 + (\\bar t - \\bar p)^2 + \\epsilon}

    Keras 3 centres ``t`` by the mean of ``p`` in the covariance term; this is reproduced for
    agreement (it differs from the textbook formula when the means differ). Higher is better.

    >>> import jax.numpy as jnp, jmetrics
    >>> round(float(jmetrics.concordance_correlation(jnp.array([[1., 2., 3., 4.]]), jnp.array([[1., 3., 2., 5.]]))[0]), 6)
    0.785714
    """
    t, p = prepare("concordance_correlation", y_true, y_pred)
    ax = check_axis("concordance_correlation", axis, p.ndim)
    mt = jnp.mean(t, axis=ax, keepdims=True)
    mp = jnp.mean(p, axis=ax, keepdims=True)
    var_t = jnp.var(t - mt, axis=ax, keepdims=True)
    var_p = jnp.var(p - mp, axis=ax, keepdims=True)
    covar = (t - mp) * (p - mp)
    norm = var_t + var_p + jnp.square(mt - mp)
    return jnp.mean(2.0 * covar / (norm + EPSILON), axis=ax)
