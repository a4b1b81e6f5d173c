"""Accuracy kernels: one value per sample (the input shape less the last axis), Keras 3 semantics.

Keras 3's ``accuracy`` and ``binary_accuracy`` are elementwise and its ``Mean`` then averages each
sample over its remaining axes; here that per-sample mean over the last axis is taken in the
function. Streaming results are the same, and the shape is Keras 2.3.1's.

Sparse labels under ``jit``: JAX clamps out-of-range gather indices silently, so each sparse
kernel computes label validity itself, in the same pass. A sample whose label is not a class id
(NaN, inf, negative, ``>= C``) is NaN under ``jit``/``vmap``, the other samples unchanged; called
eagerly with concrete values, the kernels raise ``ValueError`` naming the function and the labels
instead.
"""

from __future__ import annotations

from functools import partial

import jax
import jax.numpy as jnp
from jax.typing import ArrayLike

from jmetrics._floor._checks import squeeze_or_expand
from jmetrics._floor._options import check_bool, check_k, check_number
from jmetrics.kernels._columns import per_sample_mean, take_last
from jmetrics.kernels._common import (
    arrays,
    check_label_range,
    int_labels,
    prepare,
    result_dtype,
    shape_error,
    sparse_inputs,
    valid_class_ids,
)

__all__ = [
    "accuracy",
    "binary_accuracy",
    "categorical_accuracy",
    "sparse_categorical_accuracy",
    "sparse_top_k_categorical_accuracy",
    "top_k_categorical_accuracy",
]

_UNROLL_MAX = 64  # argmax over at most this many classes is unrolled column by column
_UNROLL_COUNT_MAX = 128  # the top-k rank count likewise


def _pick(xj: jax.Array, best: jax.Array) -> jax.Array:
    """Whether ``xj`` replaces ``best`` in a first-index argmax (NaN counts as the maximum)."""
    return (xj > best) | (jnp.isnan(xj) & ~jnp.isnan(best))


def argmax_last(x: jax.Array) -> jax.Array:
    """``jnp.argmax(x, axis=-1)`` (first index on ties, NaN wins), as int32, fast on CPU.

    XLA's CPU argmax (a variadic reduce along the minor axis) is slow: about 6x slower than an
    elementwise scan at 40 classes. Up to ``_UNROLL_MAX`` classes the columns are scanned by an
    unrolled loop of elementwise ops over constant column indices, which fuses into one pass over
    the rows; wider inputs use ``jnp.argmax`` (the unrolled loop's compile time grows with C).
    """
    if x.shape[-1] > _UNROLL_MAX:
        return jnp.argmax(x, axis=-1).astype(jnp.int32)
    best = x[..., 0]
    arg = jnp.zeros(best.shape, jnp.int32)
    for j in range(1, x.shape[-1]):
        xj = x[..., j]
        take = _pick(xj, best)
        best = jnp.where(take, xj, best)
        arg = jnp.where(take, j, arg)
    return arg


def accuracy(y_true: ArrayLike, y_pred: ArrayLike) -> jax.Array:
    """Exact-equality accuracy per sample.

    .. math:: \\mathrm{acc}_i = \\frac{1}{d} \\sum_j [\\, y_{ij} = \\hat y_{ij} \\,]

    Args:
        y_true: labels, shape ``[..., d]``; cast to ``y_pred``'s dtype first (Keras 3), so a float
            label 1.5 against integer predictions compares as 1.
        y_pred: predicted labels (not scores), the same shape.

    Returns:
        Shape ``[...]``, in ``y_pred``'s float dtype (float32 for integer predictions). Higher is
        better; range [0, 1].

    ``keras.metrics.Accuracy`` (Keras 3) and Keras 2.3.1's ``metrics.accuracy`` are elementwise;
    their ``Mean`` averages the same values per sample, so streaming results agree. Averaged
    over samples with ``d = 1`` it equals ``sklearn.metrics.accuracy_score``.

    >>> import jax.numpy as jnp, jmetrics
    >>> jmetrics.accuracy(jnp.array([[1, 2], [3, 4]]), jnp.array([[1, 0], [3, 4]])).tolist()
    [0.5, 1.0]
    """
    return _accuracy(*arrays("accuracy", y_true, y_pred))


@jax.jit
def _accuracy(t: jax.Array, p: jax.Array) -> jax.Array:
    metric = "accuracy"
    out = result_dtype(p)
    t_shape, p_shape = tuple(t.shape), tuple(p.shape)
    t, p = squeeze_or_expand(t.astype(p.dtype), p)
    if t.shape != p.shape or p.ndim == 0:
        raise ValueError(
            shape_error(metric, t_shape, p_shape, "the same shape of rank >= 1 (up to a trailing 1)")
        )
    return per_sample_mean(lambda t, p: (t == p).astype(out), t, p)


def binary_accuracy(y_true: ArrayLike, y_pred: ArrayLike, threshold: float = 0.5) -> jax.Array:
    """Binary accuracy per sample, with a strict threshold (Keras 3).

    .. math:: \\mathrm{acc}_i = \\frac{1}{d} \\sum_j [\\, y_{ij} = [\\hat y_{ij} > \\tau] \\,]

    Args:
        y_true: 0/1 labels (any dtype), shape ``[..., d]``. Soft labels such as 0.9 never match.
        y_pred: scores, the same shape.
        threshold: the float ``tau``; a score equal to it predicts 0.

    Returns:
        Shape ``[...]``. Higher is better; range [0, 1].

    Keras 3 ``binary_accuracy`` (elementwise; its ``Mean`` gives the same streaming value).
    Keras 2.3.1 rounded half to even when ``threshold == 0.5``: ``p = 0.5`` predicts 0 in both,
    but ``p = 2.0`` rounds to 2 and never matches label 1 in 2.3.1, while it predicts 1 here.
    Averaged over samples with ``d = 1`` it equals ``sklearn.metrics.accuracy_score(y_true,
    y_pred > threshold)``.

    >>> import jax.numpy as jnp, jmetrics
    >>> jmetrics.binary_accuracy(jnp.array([[1.], [0.], [1.]]), jnp.array([[.9], [.5], [.5]])).tolist()
    [1.0, 1.0, 0.0]
    """
    thr = check_number("binary_accuracy", "threshold", threshold)
    return _binary_accuracy(*arrays("binary_accuracy", y_true, y_pred), threshold=thr)


@partial(jax.jit, static_argnames=("threshold",))
def _binary_accuracy(t: jax.Array, p: jax.Array, threshold: float) -> jax.Array:
    metric, thr = "binary_accuracy", threshold
    out = result_dtype(p)
    t_shape, p_shape = tuple(t.shape), tuple(p.shape)
    t, p = squeeze_or_expand(t, p)
    if t.shape != p.shape or p.ndim == 0:
        raise ValueError(
            shape_error(metric, t_shape, p_shape, "the same shape of rank >= 1 (up to a trailing 1)")
        )
    if p.dtype in (jnp.bfloat16, jnp.float16):
        p = p.astype(jnp.float32)  # compare with the float32 threshold, as Keras 3 does
    return per_sample_mean(lambda t, p: (t == (p > thr).astype(t.dtype)).astype(out), t, p)


def categorical_accuracy(y_true: ArrayLike, y_pred: ArrayLike) -> jax.Array:
    """Whether ``argmax(y_true) == argmax(y_pred)``, per sample.

    .. math:: \\mathrm{acc}_i = [\\, \\arg\\max_c y_{ic} = \\arg\\max_c \\hat y_{ic} \\,]

    Args:
        y_true: one-hot labels (or any scores), shape ``[..., C]``.
        y_pred: scores, the same shape.

    Returns:
        Shape ``[...]``. Higher is better; range [0, 1]. Ties go to the first index, so
        ``[.5, .5]`` against label 1 is a miss.

    Keras 3 and 2.3.1 ``categorical_accuracy`` agree except for NaN scores: Keras 3 (and this
    function) treat NaN as the maximum, 2.3.1's ``tf.argmax`` skipped it. Averaged over samples it
    equals ``sklearn.metrics.accuracy_score(argmax(y_true), argmax(y_pred))``.

    >>> import jax.numpy as jnp, jmetrics
    >>> jmetrics.categorical_accuracy(jnp.array([[0, 1], [1, 0]]), jnp.array([[.3, .7], [.4, .6]])).tolist()
    [1.0, 0.0]
    """
    return _categorical_accuracy(*arrays("categorical_accuracy", y_true, y_pred))


@jax.jit
def _categorical_accuracy(y_true: jax.Array, y_pred: jax.Array) -> jax.Array:
    t, p, out = prepare("categorical_accuracy", y_true, y_pred)
    if p.shape[-1] == 1:  # one class: both argmaxes are 0 (NaN included), every sample matches
        return jnp.ones(p.shape[:-1], out)
    return (argmax_last(t) == argmax_last(p)).astype(out)


def sparse_categorical_accuracy(y_true: ArrayLike, y_pred: ArrayLike) -> jax.Array:
    """Whether the class id ``y_true`` equals ``argmax(y_pred)``, per sample.

    .. math:: \\mathrm{acc}_i = [\\, y_i = \\arg\\max_c \\hat y_{ic} \\,]

    Args:
        y_true: class ids (integer or float), shape ``[...]`` or ``[..., 1]``; as in Keras 3 it
            may also broadcast against ``y_pred.shape[:-1]`` (``(2, 1)`` against ``(1, 2, C)``
            compares every label with every prediction).
        y_pred: scores, shape ``[..., C]``.

    Returns:
        The broadcast shape ``[...]``. Higher is better; range [0, 1]. Ties go to the first index;
        NaN scores count as the maximum (Keras 3). A non-integer float label never matches.

    Label range: called eagerly, labels outside ``[0, C)`` (NaN and inf included) raise
    ``ValueError``; under ``jit`` their samples are NaN (Keras 3 counts them as misses, 0). On
    valid labels Keras 3 and 2.3.1 ``sparse_categorical_accuracy`` agree.

    >>> import jax.numpy as jnp, jmetrics
    >>> jmetrics.sparse_categorical_accuracy(jnp.array([1, 0]), jnp.array([[.3, .7], [.4, .6]])).tolist()
    [1.0, 0.0]
    """
    metric = "sparse_categorical_accuracy"
    t, p = arrays(metric, y_true, y_pred)
    if p.ndim:
        check_label_range(metric, t, p.shape[-1])
    return _sparse_categorical_accuracy(t, p)


def _broadcast_labels(y_true: jax.Array, y_pred: jax.Array) -> tuple[jax.Array, jax.Array]:
    """Keras 3's shape rule of ``sparse_categorical_accuracy``, as same-shaped labels and scores.

    ``y_true`` of ``y_pred``'s rank loses its trailing 1 (and may not grow by broadcasting, Keras
    reshapes the matches back to it); the labels then broadcast against ``argmax(y_pred)``'s shape,
    e.g. ``(2, 1)`` against ``(1, 2)``. Inputs that do not fit are returned unchanged, for
    :func:`sparse_inputs` to raise its shape error.
    """
    t, p = y_true, y_pred
    if p.ndim == 0:
        return y_true, y_pred
    squeezed = t.ndim == p.ndim and t.shape[-1] == 1
    if squeezed:
        t = jnp.squeeze(t, -1)
    try:
        shape = jnp.broadcast_shapes(t.shape, p.shape[:-1])
    except ValueError:
        return y_true, y_pred
    if squeezed and shape != t.shape:
        return y_true, y_pred
    return jnp.broadcast_to(t, shape), jnp.broadcast_to(p, shape + p.shape[-1:])


@jax.jit
def _sparse_categorical_accuracy(y_true: jax.Array, y_pred: jax.Array) -> jax.Array:
    t, p, out = sparse_inputs("sparse_categorical_accuracy", *_broadcast_labels(y_true, y_pred))
    pred = argmax_last(p)
    if jnp.issubdtype(t.dtype, jnp.floating):
        hit = t == pred.astype(t.dtype)
    else:
        hit = t.astype(jnp.int32) == pred
    return _nan_where_invalid(hit, valid_class_ids(t, p.shape[-1]), out)


def _nan_where_invalid(value: jax.Array, valid: jax.Array, out: jnp.dtype) -> jax.Array:
    """``value`` in ``out`` dtype, NaN where the sample's label is not a class id."""
    return jnp.where(valid, value.astype(out), jnp.asarray(jnp.nan, out))


def _in_top_k(p: jax.Array, label: jax.Array, k: int) -> jax.Array:
    """Keras 3 ``in_top_k``: ``1 + count(p > p_label) <= k``; ties count in favour.

    ``p_label`` is picked by :func:`take_last` (not ``lax.top_k``, which is very slow on CPU); the count runs
    column by column for up to ``_UNROLL_COUNT_MAX`` classes. A NaN at the label counts as
    ``-inf``. The index is clamped: callers mask labels outside ``[0, C)``.
    """
    num_classes = p.shape[-1]
    idx = jnp.clip(label, 0, num_classes - 1)
    p_label = take_last(p, idx)
    p_label = jnp.where(jnp.isnan(p_label), -jnp.inf, p_label)
    if num_classes > _UNROLL_COUNT_MAX:
        above = jnp.sum(p > p_label[..., None], axis=-1, dtype=jnp.int32)
    else:  # column by column: about 5x faster than a bool reduction along the minor axis
        above = jnp.zeros(p_label.shape, jnp.int32)
        for j in range(num_classes):
            above = above + (p[..., j] > p_label).astype(jnp.int32)
    return above < k


def top_k_categorical_accuracy(y_true: ArrayLike, y_pred: ArrayLike, k: int = 5) -> jax.Array:
    """Whether ``argmax(y_true)`` is among the ``k`` highest scores, per sample.

    .. math:: \\mathrm{acc}_i = [\\, 1 + \\#\\{c : \\hat y_{ic} > \\hat y_{i,l_i}\\} \\le k \\,],
              \\quad l_i = \\arg\\max_c y_{ic}

    Args:
        y_true: one-hot labels, shape ``[..., C]``.
        y_pred: scores, the same shape.
        k: an int >= 1. ``k >= C`` always gives 1.

    Returns:
        Shape ``[...]``. Higher is better; range [0, 1]. Ties count in favour (``[.5, .5]`` with
        ``k = 1`` is a hit for either label), as Keras 3 and 2.3.1's TF ``in_top_k`` do.

    Equivalent to ``keras.metrics.top_k_categorical_accuracy`` (Keras 3 and 2.3.1); averaged over
    samples it equals ``sklearn.metrics.top_k_accuracy_score`` when there are no ties.

    >>> import jax.numpy as jnp, jmetrics
    >>> jmetrics.top_k_categorical_accuracy(jnp.array([[0, 0, 1]]), jnp.array([[.5, .3, .2]]), k=2).tolist()
    [0.0]
    """
    metric = "top_k_categorical_accuracy"
    kk = check_k(metric, k)
    return _top_k_categorical_accuracy(*arrays(metric, y_true, y_pred), k=kk)


@partial(jax.jit, static_argnames=("k",))
def _top_k_categorical_accuracy(y_true: jax.Array, y_pred: jax.Array, k: int) -> jax.Array:
    t, p, out = prepare("top_k_categorical_accuracy", y_true, y_pred)
    return _in_top_k(p, argmax_last(t), k).astype(out)


def sparse_top_k_categorical_accuracy(
    y_true: ArrayLike, y_pred: ArrayLike, k: int = 5, from_sorted_ids: bool = False
) -> jax.Array:
    """Whether the class id ``y_true`` is among the ``k`` highest scores, per sample.

    .. math:: \\mathrm{acc}_i = [\\, 1 + \\#\\{c : \\hat y_{ic} > \\hat y_{i,y_i}\\} \\le k \\,]

    Args:
        y_true: class ids, shape ``[...]`` or ``[..., 1]``; floats are truncated to int (Keras 3).
        y_pred: scores, shape ``[..., C]``; or, with ``from_sorted_ids=True``, class ids sorted by
            decreasing score, shape ``[..., N]`` (Keras 3): the test is then
            ``any(y_pred[..., :k] == y_true)``.
        k: an int >= 1. ``k >= C`` always gives 1 for valid labels.
        from_sorted_ids: see ``y_pred``.

    Returns:
        Shape ``[...]``. Higher is better; range [0, 1]. Ties count in favour.

    Label range: called eagerly, labels outside ``[0, C)`` (NaN and inf included; with
    ``from_sorted_ids``, NaN and inf) raise ``ValueError``; under ``jit`` their samples are NaN.
    Keras 3 gives numbers there: its gather wraps -1 to the last class and, for a label >= C,
    counts a hit whenever ``k > C``. Keras 2.3.1 (TF ``in_top_k``) agrees for valid labels.

    >>> import jax.numpy as jnp, jmetrics
    >>> s = jnp.array([[.5, .3, .2], [.5, .3, .2]])
    >>> jmetrics.sparse_top_k_categorical_accuracy(jnp.array([2, 0]), s, k=2).tolist()
    [0.0, 1.0]
    """
    metric = "sparse_top_k_categorical_accuracy"
    kk = check_k(metric, k)
    sorted_ids = check_bool(metric, "from_sorted_ids", from_sorted_ids)
    t, p = arrays(metric, y_true, y_pred)
    if p.ndim:
        check_label_range(metric, t, None if sorted_ids else p.shape[-1], truncate=True)
    return _sparse_top_k_categorical_accuracy(t, p, k=kk, from_sorted_ids=sorted_ids)


@partial(jax.jit, static_argnames=("k", "from_sorted_ids"))
def _sparse_top_k_categorical_accuracy(
    y_true: jax.Array, y_pred: jax.Array, k: int, from_sorted_ids: bool
) -> jax.Array:
    t, p, out = sparse_inputs("sparse_top_k_categorical_accuracy", y_true, y_pred)
    if from_sorted_ids:
        hits = jnp.any(y_pred[..., :k] == t[..., None].astype(y_pred.dtype), axis=-1)
        return _nan_where_invalid(hits, valid_class_ids(t, None), out)
    valid = valid_class_ids(t, p.shape[-1], truncate=True)
    return _nan_where_invalid(_in_top_k(p, int_labels(t), k), valid, out)
