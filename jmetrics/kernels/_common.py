"""Input preparation and option checks shared by the per-sample kernels.

Dtype policy (every kernel): ``y_true`` is cast to ``y_pred``'s dtype as Keras 3 does (integer or
bool predictions count as float32). The result has that dtype. bfloat16 and float16 inputs are
computed in float32 internally, because Keras' ``1e-7`` clipping does not survive half precision
(``1 - 1e-7`` rounds to 1, so ``log(1 - p)`` would give ``-inf``); the result is cast back.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

from jmetrics._floor._checks import as_array, is_concrete, squeeze_or_expand
from jmetrics._floor._dtypes import compute_dtype
from jmetrics._floor._options import check_axis
from jmetrics.kernels._columns import flat_behind_barrier

EPSILON = 1e-7  # keras.backend.epsilon(), the same in Keras 2.3.1 and Keras 3

def result_dtype(x: jax.Array) -> jnp.dtype:
    """The dtype a kernel returns for predictions ``x``: its float dtype, float32 otherwise."""
    return jnp.dtype(x.dtype) if jnp.issubdtype(x.dtype, jnp.floating) else jnp.dtype(jnp.float32)


def shape_error(metric: str, t_shape: tuple[int, ...], p_shape: tuple[int, ...], need: str) -> str:
    """The message for incompatible ``y_true``/``y_pred`` shapes."""
    return (
        f"{metric}: y_true and y_pred must have {need}; got y_true shape {tuple(t_shape)} "
        f"and y_pred shape {tuple(p_shape)}."
    )


def arrays(metric: str, y_true: ArrayLike, y_pred: ArrayLike) -> tuple[jax.Array, jax.Array]:
    """Both inputs as arrays (lists and scalars converted), with errors naming ``metric``.

    Each public kernel converts here, then calls its jitted core: called eagerly, a kernel is one
    compiled dispatch (cached per shape, dtype and option values), not a run of small ops.
    """
    return as_array(y_true, "y_true", metric), as_array(y_pred, "y_pred", metric)


def prepare(
    metric: str, y_true: ArrayLike, y_pred: ArrayLike
) -> tuple[jax.Array, jax.Array, jnp.dtype]:
    """``(t, p, out_dtype)``: both inputs in the compute dtype, same shape, at least rank 1.

    ``y_true`` is first cast to ``y_pred``'s dtype (Keras 3), then both are brought to the same
    rank by :func:`jmetrics._floor._checks.squeeze_or_expand`, so ``(N,)`` against ``(N, 1)`` gives
    ``(N, 1)`` and ``(N, 1)``, never ``(N, N)``. Any other shape difference (which Keras would
    reject or silently broadcast) raises ``ValueError`` naming ``metric`` and both shapes.
    """
    t = as_array(y_true, "y_true", metric)
    p = as_array(y_pred, "y_pred", metric)
    t_shape, p_shape = tuple(t.shape), tuple(p.shape)
    out = result_dtype(p)
    comp = compute_dtype(out)
    t = t.astype(out).astype(comp)
    p = p.astype(out).astype(comp)
    t, p = squeeze_or_expand(t, p)
    if t.shape != p.shape:
        raise ValueError(
            shape_error(metric, t_shape, p_shape, "the same shape (up to a trailing axis of size 1)")
        )
    if p.ndim == 0:
        raise ValueError(
            f"{metric}: y_true and y_pred must have at least one axis (the last axis is reduced); "
            f"got shape (). Pass arrays of shape (batch, d)."
        )
    return (*_one_column_fast(t, p), out)


def _one_column_fast(t: jax.Array, p: jax.Array) -> tuple[jax.Array, jax.Array]:
    """``(N, 1)`` inputs (a Keras model's one score per row), flattened behind a barrier.

    XLA on CPU runs elementwise-then-reduce over an ``f32[N, 1]`` parameter several times slower
    than over ``f32[N]`` and moves a plain reshape back onto the parameter; flattening behind
    ``lax.optimization_barrier`` keeps the fast layout (msle at 1e7 rows: 456 ms -> 9 ms measured
    here). Values, shapes and gradients are unchanged.
    """
    if p.ndim < 2 or p.shape[-1] != 1:
        return t, p
    shape = p.shape
    t, p = flat_behind_barrier(t, p)
    return t.reshape(shape), p.reshape(shape)


def sparse_inputs(
    metric: str, y_true: ArrayLike, y_pred: ArrayLike, axis: int = -1
) -> tuple[jax.Array, jax.Array, jnp.dtype]:
    """``(labels, p, out_dtype)`` for sparse functions: class ids and scores with classes last.

    ``y_true`` must have ``y_pred``'s shape without the class ``axis`` (or with size 1 there);
    ``p`` is returned in the compute dtype with the class axis moved last, ``labels`` unchanged in
    dtype and shaped like ``p.shape[:-1]``.
    """
    t = as_array(y_true, "y_true", metric)
    p = as_array(y_pred, "y_pred", metric)
    t_shape, p_shape = tuple(t.shape), tuple(p.shape)
    if p.ndim == 0:
        raise ValueError(
            f"{metric}: y_pred must have a class axis; got shape (). Pass scores of shape (batch, C)."
        )
    ax = check_axis(metric, axis, p.ndim)
    if t.ndim == p.ndim and t.shape[ax] == 1:
        t = jnp.squeeze(t, ax)
    want = p_shape[:ax] + p_shape[ax + 1 :]
    if tuple(t.shape) != want:
        raise ValueError(
            shape_error(
                metric,
                t_shape,
                p_shape,
                f"shapes y_pred.shape without the class axis {ax} (class ids) and y_pred.shape",
            )
            + f" Expected y_true shape {want} or {want + (1,)}."
        )
    out = result_dtype(p)
    p = p.astype(out).astype(compute_dtype(out))
    if ax != p.ndim - 1:
        p = jnp.moveaxis(p, ax, -1)
    return t, p, out


def int_labels(labels: jax.Array) -> jax.Array:
    """Class ids as int32, truncating floats toward zero (Keras 3 casts sparse labels so)."""
    if labels.dtype == jnp.int32:
        return labels
    return labels.astype(jnp.int32)


def valid_class_ids(labels: Any, num_classes: int | None, truncate: bool = False) -> Any:
    """Where ``labels`` are class ids in ``[0, num_classes)``: NaN and inf never are.

    With ``truncate``, float labels count after truncation toward zero (as Keras 3 casts them):
    ``-1 < y < num_classes``. ``num_classes=None`` (ids compared, never gathered): any finite
    number. Comparisons only, so the same expression serves NumPy arrays (the eager checks) and
    traced arrays (fused into a kernel's pass under ``jit``).
    """
    if num_classes is None:
        return (labels > -np.inf) & (labels < np.inf)
    low = labels > -1 if truncate and jnp.issubdtype(labels.dtype, jnp.floating) else labels >= 0
    return low & (labels < num_classes)


def check_label_range(
    metric: str,
    labels: jax.Array,
    num_classes: int | None,
    ignore_class: int | None = None,
    truncate: bool = False,
) -> None:
    """Raise ``ValueError`` if concrete ``labels`` are not :func:`valid_class_ids`.

    A no-op on tracers (under ``jit``, ``vmap``, ``grad``), where the kernels give NaN for those
    samples instead. Entries equal to ``ignore_class`` are exempt (compared before truncation, as
    Keras 3 compares them).
    """
    if not is_concrete(labels) or labels.size == 0:
        return
    arr = np.asarray(labels)
    bad = ~valid_class_ids(arr, num_classes, truncate)
    if ignore_class is not None:
        bad &= arr != ignore_class
    if not bad.any():
        return
    values = np.asarray(arr[bad], np.float64)
    numbers = values[~np.isnan(values)]
    got = " and ".join(([f"labels in [{numbers.min():g}, {numbers.max():g}]"] if numbers.size else [])  # nan-safe: NumPy
                       + (["NaN labels"] if numbers.size < values.size else []))
    want = ("finite class ids" if num_classes is None else
            f"class ids in [0, {num_classes - 1}] (y_pred has {num_classes} classes)")
    raise ValueError(
        f"{metric}: y_true must hold {want}; got {got}. Under jit the samples holding them are "
        f"NaN instead."
    )
