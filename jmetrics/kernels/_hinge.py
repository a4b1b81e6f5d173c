"""Hinge kernels (Keras 3 and 2.3.1 formulas): one value per sample."""

from __future__ import annotations

import jax
import jax.numpy as jnp
from jax.typing import ArrayLike

from jmetrics.kernels._common import prepare

__all__ = ["categorical_hinge", "hinge", "squared_hinge"]


def _signed_labels(t: jax.Array) -> jax.Array:
    """Keras' label conversion: if *every* element of y_true is 0 or 1, map to -1/1."""
    all_binary = jnp.all((t == 0) | (t == 1))
    return jnp.where(all_binary, 2.0 * t - 1.0, t)


def hinge(y_true: ArrayLike, y_pred: ArrayLike) -> jax.Array:
    """Hinge loss per sample: ``mean_-1(max(1 - t * p, 0))``.

    Labels are -1/1; when every element of y_true is 0 or 1 they are mapped to -1/1 first (the
    check covers the whole array, as Keras does). Lower is better; best 0.

    >>> import jax.numpy as jnp, jmetrics
    >>> jmetrics.hinge(jnp.array([[0., 1.], [0., 0.]]), jnp.array([[.6, .4], [.4, .6]]))
    Array([1.1, 1.5], dtype=float32)
    """
    t, p = prepare("hinge", y_true, y_pred)
    return jnp.mean(jnp.maximum(1.0 - _signed_labels(t) * p, 0.0), axis=-1)


def squared_hinge(y_true: ArrayLike, y_pred: ArrayLike) -> jax.Array:
    """Squared hinge loss per sample: ``mean_-1(max(1 - t * p, 0)**2)`` (labels as :func:`hinge`).

    >>> import jax.numpy as jnp, jmetrics
    >>> jmetrics.squared_hinge(jnp.array([[0., 1.]]), jnp.array([[.6, .4]]))
    Array([1.46], dtype=float32)
    """
    t, p = prepare("squared_hinge", y_true, y_pred)
    return jnp.mean(jnp.square(jnp.maximum(1.0 - _signed_labels(t) * p, 0.0)), axis=-1)


def categorical_hinge(y_true: ArrayLike, y_pred: ArrayLike) -> jax.Array:
    """Categorical hinge per sample: ``max(max_-1((1 - t) p) - sum_-1(t p) + 1, 0)``.

    No label conversion (Keras 3 and 2.3.1). Lower is better; best 0.

    >>> import jax.numpy as jnp, jmetrics
    >>> jmetrics.categorical_hinge(jnp.array([[0., 1., 1.]]), jnp.array([[1., 0., 1.]]))
    Array([1.], dtype=float32)
    """
    t, p = prepare("categorical_hinge", y_true, y_pred)
    pos = jnp.sum(t * p, axis=-1)
    neg = jnp.max((1.0 - t) * p, axis=-1)
    return jnp.maximum(neg - pos + 1.0, 0.0)
