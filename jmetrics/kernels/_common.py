"""Input preparation shared by the per-sample kernels."""

from __future__ import annotations

import jax
import jax.numpy as jnp
from jax.typing import ArrayLike

from jmetrics._checks import as_array, check_same_shape, squeeze_or_expand

EPSILON = 1e-7  # keras.backend.epsilon(), the same in Keras 2.3.1 and Keras 3


def prepare(
    metric: str, y_true: ArrayLike, y_pred: ArrayLike, *, same_shape: bool = True
) -> tuple[jax.Array, jax.Array]:
    """Both inputs as arrays of y_pred's float dtype (float32 for ints), at the same rank as Keras 3.

    ``(N,)`` against ``(N, 1)`` becomes ``(N, 1)`` and ``(N, 1)``; with ``same_shape`` any remaining
    difference raises ``ValueError`` naming ``metric`` and both shapes.
    """
    t = as_array(y_true, "y_true", metric)
    p = as_array(y_pred, "y_pred", metric)
    dtype = p.dtype if jnp.issubdtype(p.dtype, jnp.floating) else jnp.float32
    t, p = squeeze_or_expand(t.astype(dtype), p.astype(dtype))
    if same_shape:
        check_same_shape(metric, t, p)
    if p.ndim == 0:
        raise ValueError(f"{metric}: y_pred must have at least one axis; got shape ().")
    return t, p


def check_axis(metric: str, axis: int, ndim: int) -> int:
    """Normalise ``axis`` for an array of rank ``ndim`` or raise ``ValueError``."""
    if not isinstance(axis, int) or not -ndim <= axis < ndim:
        raise ValueError(f"{metric}: axis must be an int in [{-ndim}, {ndim}); got {axis!r}.")
    return axis % ndim


def check_fraction(metric: str, name: str, value: float) -> None:
    """Raise ``ValueError`` unless ``0 <= value <= 1``."""
    if not isinstance(value, (int, float)) or not 0.0 <= float(value) <= 1.0:
        raise ValueError(f"{metric}: {name} must be a number in [0, 1]; got {value!r}.")
