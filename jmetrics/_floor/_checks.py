"""Input conversion and trace-time checks shared by every layer.

Errors follow one format: ``"{metric}: {what} must be {expected}; got {actual}. {hint}"``.
Every check here looks at static facts only (shapes, dtypes, option values), so it runs at trace
time and never on traced values.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

__all__ = [
    "column_weights",
    "element_weights",
    "accum_dtype",
    "as_float",
    "as_array",
    "check_same_shape",
    "float_dtype",
    "squeeze_or_expand",
]


def accum_dtype() -> jnp.dtype:
    """The accumulation dtype: float32, or float64 when ``jax_enable_x64`` is on."""
    return jnp.dtype(jax.dtypes.canonicalize_dtype(jnp.float64))


def as_array(x: ArrayLike, name: str, metric: str) -> jax.Array:
    """``jnp.asarray`` with an error that names the metric and argument."""
    if isinstance(x, jax.Array):
        return x
    try:
        return jnp.asarray(x)
    except (TypeError, ValueError) as err:
        raise TypeError(
            f"{metric}: {name} must be an array of numbers; got {type(x).__name__}. {err}"
        ) from None


def float_dtype(*xs: jax.Array) -> jnp.dtype:
    """The floating dtype to compute in: the inputs' float dtype, float32 for ints and bools."""
    dtypes = [x.dtype for x in xs if jnp.issubdtype(x.dtype, jnp.floating)]
    if not dtypes:
        return jnp.dtype(jnp.float32)
    return jnp.dtype(jnp.result_type(*dtypes))


def as_float(x: ArrayLike, name: str, metric: str, dtype: Any = None) -> jax.Array:
    """Convert to a floating array (``dtype``, or the input's own float dtype, or float32)."""
    arr = as_array(x, name, metric)
    if dtype is None:
        dtype = arr.dtype if jnp.issubdtype(arr.dtype, jnp.floating) else jnp.float32
    return arr.astype(dtype)


def squeeze_or_expand(a: jax.Array, b: jax.Array) -> tuple[jax.Array, jax.Array]:
    """Bring two arrays to the same rank as Keras 3's ``squeeze_or_expand_to_same_rank`` does.

    When the ranks differ by one and the larger array's last axis has size 1, a rank-1 smaller
    array gains a trailing axis; otherwise the size-1 axis is squeezed. ``(N,)`` against ``(N, 1)``
    therefore becomes ``(N, 1)`` against ``(N, 1)``, never ``(N, N)``.
    """
    ra, rb = a.ndim, b.ndim
    if ra == rb + 1 and a.shape[-1] == 1:
        if rb == 1:
            b = b[..., None]
        else:
            a = jnp.squeeze(a, -1)
    elif rb == ra + 1 and b.shape[-1] == 1:
        if ra == 1:
            a = a[..., None]
        else:
            b = jnp.squeeze(b, -1)
    return a, b


def check_same_shape(
    metric: str, a: jax.Array, b: jax.Array, names: tuple[str, str] = ("y_true", "y_pred")
) -> None:
    """Raise ``ValueError`` unless ``a`` and ``b`` have the same shape."""
    if a.shape != b.shape:
        raise ValueError(
            f"{metric}: {names[0]} and {names[1]} must have the same shape; "
            f"got {tuple(a.shape)} and {tuple(b.shape)}."
        )


def is_concrete(x: Any) -> bool:
    """True when ``x`` holds values (not a tracer), so value checks may run on it.

    A Python list or tuple given to ``jax.jit`` arrives as a list of tracers: it is traced too.
    """
    if isinstance(x, (list, tuple)):
        return all(is_concrete(item) for item in x)
    return not isinstance(x, jax.core.Tracer)


def cond(pred: Any, true_fn: Callable[..., Any], false_fn: Callable[..., Any], *operands: Any) -> Any:
    """``lax.cond``, with the branch chosen in Python when ``pred`` holds a value: called eagerly,
    a ``lax.cond`` of fresh closures is traced and compiled again at every call."""
    if is_concrete(pred):
        return true_fn(*operands) if bool(pred) else false_fn(*operands)
    return jax.lax.cond(pred, true_fn, false_fn, *operands)


def to_numpy(x: ArrayLike) -> np.ndarray:
    """A NumPy view of a concrete array."""
    return np.asarray(x)


def element_weights(metric: str, w: jax.Array, shape: tuple[int, ...], sample_weight: Any) -> jax.Array:
    """Weights ``w`` (from ``sample_weight``, already converted) broadcast to ``y_pred``'s ``shape``,
    aligned from the left: a lower-rank weight covers each sample's elements (``(N,)`` weights
    every element of row ``n``), never the trailing axes of other samples.

    >>> import jax.numpy as jnp
    >>> w = jnp.array([1.0, 2.0])
    >>> element_weights("m", w, (2, 3), w).tolist()
    [[1.0, 1.0, 1.0], [2.0, 2.0, 2.0]]
    """
    if w.ndim < len(shape):
        w = w.reshape(w.shape + (1,) * (len(shape) - w.ndim))
    try:
        return jnp.broadcast_to(w, shape)
    except ValueError:
        raise ValueError(
            f"{metric}: sample_weight must broadcast to y_pred; got sample_weight shape "
            f"{tuple(jnp.shape(sample_weight))} and y_pred shape {tuple(shape)}."
        ) from None


def column_weights(metric: str, sample_weight: Any, shape: tuple[int, ...], dtype: Any) -> jax.Array | None:
    """``sample_weight`` broadcast to 2-D ``shape`` ``(N, d)``: a scalar, ``(N,)``, ``(N, 1)`` or
    ``(N, d)`` (Keras 3's F-score and R2 rule); ``None`` stays ``None``."""
    if sample_weight is None:
        return None
    w = as_array(sample_weight, "sample_weight", metric).astype(dtype)
    if w.ndim == 1:
        w = w[:, None]
    try:
        if w.ndim > 2:
            raise ValueError
        return jnp.broadcast_to(w, shape)
    except ValueError:
        raise ValueError(
            f"{metric}: sample_weight must be a scalar or have shape (N,), (N, 1) or (N, d) for "
            f"inputs of shape {shape}; got {tuple(jnp.shape(sample_weight))}."
        ) from None
