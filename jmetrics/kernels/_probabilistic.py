"""Crossentropy and focal kernels, Keras 3 formulas (JAX backend): one value per sample."""

from __future__ import annotations

import jax
import jax.numpy as jnp
from jax.typing import ArrayLike

from jmetrics._checks import as_array
from jmetrics.kernels._classification import _sparse_labels, check_label_range
from jmetrics.kernels._common import EPSILON, check_axis, check_fraction, prepare

__all__ = [
    "binary_crossentropy",
    "binary_focal_crossentropy",
    "categorical_crossentropy",
    "categorical_focal_crossentropy",
    "sparse_categorical_crossentropy",
]


def _bce_elementwise(t: jax.Array, p: jax.Array, from_logits: bool) -> jax.Array:
    if from_logits:
        return -(t * jax.nn.log_sigmoid(p) + (1.0 - t) * jax.nn.log_sigmoid(-p))
    p = jnp.clip(p, EPSILON, 1.0 - EPSILON)
    return -(t * jnp.log(p) + (1.0 - t) * jnp.log1p(-p))


def binary_crossentropy(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> jax.Array:
    """Binary crossentropy averaged over ``axis``.

    .. math:: -\\frac{1}{d}\\sum_j t_j \\log p_j + (1 - t_j) \\log(1 - p_j)

    Probabilities are clipped to ``[1e-7, 1 - 1e-7]`` (Keras 3; Keras 2.3.1 also added ``1e-7``
    inside the log, so ``t=0, p=1`` gives 16.118 here and 15.379 there). With ``from_logits`` the
    stable ``log_sigmoid`` form is used. ``label_smoothing`` maps ``t`` to ``t(1-ls) + ls/2``.
    Lower is better; best 0.

    >>> import jax.numpy as jnp, jmetrics
    >>> round(float(jmetrics.binary_crossentropy(jnp.array([[0., 1.]]), jnp.array([[0.4, 0.6]]))[0]), 6)
    0.510826
    """
    metric = "binary_crossentropy"
    check_fraction(metric, "label_smoothing", label_smoothing)
    t, p = prepare(metric, y_true, y_pred)
    ax = check_axis(metric, axis, p.ndim)
    if label_smoothing:
        t = t * (1.0 - label_smoothing) + 0.5 * label_smoothing
    return jnp.mean(_bce_elementwise(t, p, from_logits), axis=ax)


def _log_probs(p: jax.Array, from_logits: bool, axis: int) -> jax.Array:
    if from_logits:
        return jax.nn.log_softmax(p, axis=axis)
    p = p / jnp.sum(p, axis=axis, keepdims=True)
    return jnp.log(jnp.clip(p, EPSILON, 1.0 - EPSILON))


def categorical_crossentropy(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> jax.Array:
    """Categorical crossentropy ``-sum_axis(t * log p)`` per sample.

    Probabilities are first renormalised to sum to 1 along ``axis``, then clipped to
    ``[1e-7, 1 - 1e-7]`` (Keras 3 and 2.3.1); logits use ``log_softmax``. ``label_smoothing`` maps
    ``t`` to ``t(1-ls) + ls/C`` with ``C = y_true.shape[-1]``. Lower is better; best 0.

    >>> import jax.numpy as jnp, jmetrics
    >>> round(float(jmetrics.categorical_crossentropy(jnp.array([[0., 1., 0.]]), jnp.array([[.1, .2, .2]]))[0]), 5)
    0.91629
    """
    metric = "categorical_crossentropy"
    check_fraction(metric, "label_smoothing", label_smoothing)
    t, p = prepare(metric, y_true, y_pred)
    ax = check_axis(metric, axis, p.ndim)
    if label_smoothing:
        t = t * (1.0 - label_smoothing) + label_smoothing / t.shape[-1]
    return -jnp.sum(t * _log_probs(p, from_logits, ax), axis=ax)


def sparse_categorical_crossentropy(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    from_logits: bool = False,
    axis: int = -1,
    ignore_class: int | None = None,
) -> jax.Array:
    """Crossentropy with integer class ids in y_true: ``-log p[y_true]`` per sample.

    y_true ``[...]`` or ``[..., 1]``, y_pred ``[..., C]`` (class axis last). Probabilities are
    renormalised and clipped as in :func:`categorical_crossentropy` (Keras 3). Entries equal to
    ``ignore_class`` give 0 (and still count in a mean, as Keras 3 on JAX). Labels must lie in
    ``[0, C)``: concrete inputs are checked and raise ``ValueError``; under jit an out-of-range label
    gives 0 as in Keras 3 (its one-hot row is all zero). Lower is better; best 0.

    >>> import jax.numpy as jnp, jmetrics
    >>> jmetrics.sparse_categorical_crossentropy(jnp.array([1]), jnp.array([[0.5, 0.5]]))
    Array([0.6931472], dtype=float32)
    """
    metric = "sparse_categorical_crossentropy"
    if axis not in (-1, as_array(y_pred, "y_pred", metric).ndim - 1):
        raise ValueError(f"{metric}: axis must be the last axis (-1); got {axis!r}.")
    t, p = _sparse_labels(metric, y_true, y_pred)
    num_classes = p.shape[-1]
    valid = jnp.ones(t.shape, bool) if ignore_class is None else t != ignore_class
    if ignore_class is None:
        check_label_range(metric, t, num_classes)
    else:
        check_label_range(metric, jnp.where(valid, t, 0), num_classes)
    labels = jnp.where(valid, t, 0).astype(jnp.int32)
    in_range = (labels >= 0) & (labels < num_classes)
    log_p = _log_probs(p, from_logits, p.ndim - 1)
    picked = jnp.take_along_axis(log_p, jnp.clip(labels, 0, num_classes - 1)[..., None], axis=-1)[..., 0]
    return jnp.where(valid & in_range, -picked, 0.0).astype(p.dtype)


def binary_focal_crossentropy(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    apply_class_balancing: bool = False,
    alpha: float = 0.25,
    gamma: float = 2.0,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> jax.Array:
    """Binary focal crossentropy (Lin et al. 2017) averaged over ``axis``, Keras 3 formula.

    .. math:: \\mathrm{bce} \\cdot (1 - p_t)^\\gamma, \\quad p_t = t p + (1 - t)(1 - p)

    times ``alpha t + (1 - alpha)(1 - t)`` with ``apply_class_balancing``. Lower is better; best 0.

    >>> import jax.numpy as jnp, jmetrics
    >>> round(float(jmetrics.binary_focal_crossentropy(jnp.array([[1.]]), jnp.array([[0.5]]))[0]), 6)
    0.173287
    """
    metric = "binary_focal_crossentropy"
    check_fraction(metric, "label_smoothing", label_smoothing)
    t, p = prepare(metric, y_true, y_pred)
    ax = check_axis(metric, axis, p.ndim)
    if label_smoothing:
        t = t * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        p = jax.nn.sigmoid(p)
    bce = _bce_elementwise(t, p, from_logits=False)
    p_t = t * p + (1.0 - t) * (1.0 - p)
    focal = jnp.power(1.0 - p_t, gamma) * bce
    if apply_class_balancing:
        focal = (t * alpha + (1.0 - t) * (1.0 - alpha)) * focal
    return jnp.mean(focal, axis=ax)


def categorical_focal_crossentropy(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    alpha: float = 0.25,
    gamma: float = 2.0,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> jax.Array:
    """Categorical focal crossentropy, Keras 3 formula.

    .. math:: -\\sum_j \\alpha (1 - p_j)^\\gamma t_j \\log p_j

    with p renormalised and clipped as in :func:`categorical_crossentropy` (softmax first when
    ``from_logits``). Lower is better; best 0.

    >>> import jax.numpy as jnp, jmetrics
    >>> round(float(jmetrics.categorical_focal_crossentropy(jnp.array([[0., 1.]]), jnp.array([[.5, .5]]))[0]), 6)
    0.043322
    """
    metric = "categorical_focal_crossentropy"
    check_fraction(metric, "label_smoothing", label_smoothing)
    t, p = prepare(metric, y_true, y_pred)
    ax = check_axis(metric, axis, p.ndim)
    if label_smoothing:
        t = t * (1.0 - label_smoothing) + label_smoothing / t.shape[-1]
    if from_logits:
        p = jax.nn.softmax(p, axis=ax)
    p = p / jnp.sum(p, axis=ax, keepdims=True)
    p = jnp.clip(p, EPSILON, 1.0 - EPSILON)
    cce = -t * jnp.log(p)
    return jnp.sum(alpha * jnp.power(1.0 - p, gamma) * cce, axis=ax)
