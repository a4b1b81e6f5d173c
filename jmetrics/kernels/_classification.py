"""Accuracy kernels: one value per sample (the input shape less the last axis), Keras 3 semantics.

Keras 3's ``accuracy`` and ``binary_accuracy`` are elementwise and its ``Mean`` then averages each
sample; here the per-sample mean over the last axis is taken in the function, which gives the same
streaming result for rectangular batches and the Keras 2.3.1 shape.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

from jmetrics._checks import as_array, is_concrete
from jmetrics.kernels._common import prepare

__all__ = [
    "accuracy",
    "binary_accuracy",
    "categorical_accuracy",
    "sparse_categorical_accuracy",
    "sparse_top_k_categorical_accuracy",
    "top_k_categorical_accuracy",
]


def accuracy(y_true: ArrayLike, y_pred: ArrayLike) -> jax.Array:
    """Exact-equality accuracy per sample: ``mean_-1(y_true == y_pred)``. Higher is better; [0, 1].

    ``keras.metrics.Accuracy`` (Keras 3) and ``keras.metrics.accuracy`` (2.3.1, elementwise).

    >>> import jax.numpy as jnp, jmetrics
    >>> jmetrics.accuracy(jnp.array([[1, 2], [3, 4]]), jnp.array([[1, 0], [3, 4]]))
    Array([0.5, 1. ], dtype=float32)
    """
    t, p = prepare("accuracy", y_true, y_pred)
    return jnp.mean((t == p).astype(p.dtype), axis=-1)


def binary_accuracy(y_true: ArrayLike, y_pred: ArrayLike, threshold: float = 0.5) -> jax.Array:
    """Binary accuracy per sample: ``mean_-1(y_true == (y_pred > threshold))``.

    Strict ``>`` as Keras 3: ``p == threshold`` predicts 0, ``p = 2.0`` predicts 1. Keras 2.3.1
    rounded half to even instead (``p = 2.0`` never matched label 1); see docs/keras-compat.md.
    Higher is better; range [0, 1].

    >>> import jax.numpy as jnp, jmetrics
    >>> jmetrics.binary_accuracy(jnp.array([[1.], [0.], [1.]]), jnp.array([[0.9], [0.5], [0.5]]))
    Array([1., 1., 0.], dtype=float32)
    """
    if not isinstance(threshold, (int, float)):
        raise TypeError(f"binary_accuracy: threshold must be a float; got {type(threshold).__name__}.")
    t, p = prepare("binary_accuracy", y_true, y_pred)
    pred = (p > threshold).astype(p.dtype)
    return jnp.mean((t == pred).astype(p.dtype), axis=-1)


def _argmax(x: jax.Array) -> jax.Array:
    """First index of the maximum of the last axis (NaN counts as the maximum, as jnp.argmax)."""
    return jnp.argmax(x, axis=-1)


def categorical_accuracy(y_true: ArrayLike, y_pred: ArrayLike) -> jax.Array:
    """``argmax(y_true) == argmax(y_pred)`` per sample; ties go to the first index.

    y_true is one-hot (or any scores) with the same shape as y_pred ``[..., C]``. Returns ``[...]``.
    Higher is better; range [0, 1]. Keras 3 and 2.3.1 agree except for NaN predictions (Keras 3's
    argmax picks the NaN, 2.3.1's skipped it).

    >>> import jax.numpy as jnp, jmetrics
    >>> jmetrics.categorical_accuracy(jnp.array([[0, 1], [1, 0]]), jnp.array([[.3, .7], [.4, .6]]))
    Array([1., 0.], dtype=float32)
    """
    t, p = prepare("categorical_accuracy", y_true, y_pred)
    return (_argmax(t) == _argmax(p)).astype(p.dtype)


def _sparse_labels(metric: str, y_true: ArrayLike, y_pred: ArrayLike) -> tuple[jax.Array, jax.Array]:
    """Sparse labels shaped like ``y_pred[..., 0]`` and float predictions ``[..., C]``."""
    t = as_array(y_true, "y_true", metric)
    p = as_array(y_pred, "y_pred", metric)
    if not jnp.issubdtype(p.dtype, jnp.floating):
        p = p.astype(jnp.float32)
    if p.ndim == 0:
        raise ValueError(f"{metric}: y_pred must have a class axis; got shape ().")
    if t.ndim == p.ndim and t.shape[-1] == 1:
        t = jnp.squeeze(t, -1)
    if t.shape != p.shape[:-1]:
        raise ValueError(
            f"{metric}: y_true must have shape y_pred.shape[:-1] (class ids); got y_true shape "
            f"{tuple(t.shape)} and y_pred shape {tuple(p.shape)}."
        )
    return t, p


def check_label_range(metric: str, labels: jax.Array, num_classes: int) -> None:
    """Raise ``ValueError`` if concrete labels fall outside ``[0, num_classes)`` (no-op under jit)."""
    if not is_concrete(labels) or labels.size == 0:
        return
    arr = np.asarray(labels)
    lo, hi = arr.min(), arr.max()
    if lo < 0 or hi >= num_classes or (np.issubdtype(arr.dtype, np.floating) and np.any(arr != np.floor(arr))):
        raise ValueError(
            f"{metric}: y_true must hold class ids in [0, {num_classes}); got values in "
            f"[{lo}, {hi}]."
        )


def sparse_categorical_accuracy(y_true: ArrayLike, y_pred: ArrayLike) -> jax.Array:
    """``y_true == argmax(y_pred)`` per sample, with integer (or float) class ids in y_true.

    y_true ``[...]`` or ``[..., 1]``, y_pred ``[..., C]``. Higher is better; range [0, 1].
    Keras 3 and 2.3.1 agree. Labels outside ``[0, C)`` never match (no clamping).

    >>> import jax.numpy as jnp, jmetrics
    >>> jmetrics.sparse_categorical_accuracy(jnp.array([1, 0]), jnp.array([[.3, .7], [.4, .6]]))
    Array([1., 0.], dtype=float32)
    """
    t, p = _sparse_labels("sparse_categorical_accuracy", y_true, y_pred)
    return (t.astype(p.dtype) == _argmax(p).astype(p.dtype)).astype(p.dtype)


def _in_top_k(p: jax.Array, label: jax.Array, k: int) -> jax.Array:
    """Keras 3 ``in_top_k``: rank = 1 + count(p > p_label) <= k; ties count in favour.

    Labels outside ``[0, C)`` are never in the top k (JAX would otherwise clamp the gather).
    """
    num_classes = p.shape[-1]
    valid = (label >= 0) & (label < num_classes)
    idx = jnp.clip(label, 0, num_classes - 1).astype(jnp.int32)
    p_label = jnp.take_along_axis(p, idx[..., None], axis=-1)
    p_label = jnp.where(jnp.isnan(p_label), -jnp.inf, p_label)
    above = jnp.sum((p > p_label).astype(jnp.int32), axis=-1)
    return (valid & (above < k)).astype(p.dtype)


def _check_k(metric: str, k: int) -> None:
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"{metric}: k must be a positive int; got {k!r}.")


def top_k_categorical_accuracy(y_true: ArrayLike, y_pred: ArrayLike, k: int = 5) -> jax.Array:
    """Whether ``argmax(y_true)`` is among the ``k`` highest predictions, per sample.

    Ties count in favour (Keras 3 ``in_top_k``); ``k >= C`` always gives 1. Higher is better; [0, 1].

    >>> import jax.numpy as jnp, jmetrics
    >>> jmetrics.top_k_categorical_accuracy(jnp.array([[0, 0, 1]]), jnp.array([[.5, .3, .2]]), k=2)
    Array([0.], dtype=float32)
    """
    _check_k("top_k_categorical_accuracy", k)
    t, p = prepare("top_k_categorical_accuracy", y_true, y_pred)
    return _in_top_k(p, _argmax(t), int(k))


def sparse_top_k_categorical_accuracy(
    y_true: ArrayLike, y_pred: ArrayLike, k: int = 5, from_sorted_ids: bool = False
) -> jax.Array:
    """Whether the class id ``y_true`` is among the ``k`` highest predictions, per sample.

    With ``from_sorted_ids=True`` y_pred holds class ids sorted by score (Keras 3): the test is
    ``any(y_pred[..., :k] == y_true)``. Labels must lie in ``[0, C)``: concrete inputs are checked
    and raise ``ValueError``; under jit an out-of-range label counts as a miss. Higher is better.

    >>> import jax.numpy as jnp, jmetrics
    >>> jmetrics.sparse_top_k_categorical_accuracy(jnp.array([2, 0]), jnp.array([[.5, .3, .2], [.5, .3, .2]]), k=2)
    Array([0., 1.], dtype=float32)
    """
    metric = "sparse_top_k_categorical_accuracy"
    _check_k(metric, k)
    t, p = _sparse_labels(metric, y_true, y_pred)
    if from_sorted_ids:
        hits = jnp.any(p[..., : int(k)] == t[..., None].astype(p.dtype), axis=-1)
        return hits.astype(jnp.float32)
    check_label_range(metric, t, p.shape[-1])
    return _in_top_k(p, t, int(k))
