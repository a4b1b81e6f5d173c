"""Crossentropy kernels (binary, categorical, sparse, focal): Keras 3 formulas with the JAX backend.

Probabilities are clipped to ``[1e-7, 1 - 1e-7]`` exactly as Keras 3 does (no extra ``+eps`` inside
the log, unlike Keras 2.3.1 with TensorFlow); logits use numerically stable forms. One value per
sample: the input shape less ``axis``.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

from jmetrics._floor._options import (
    check_axis,
    check_axis_type,
    check_bool,
    check_fraction,
    check_number,
)
from jmetrics.kernels._columns import per_sample_mean, take_last
from jmetrics.kernels._common import (
    EPSILON,
    arrays,
    check_label_range,
    int_labels,
    prepare,
    sparse_inputs,
    valid_class_ids,
)

__all__ = [
    "binary_crossentropy",
    "binary_focal_crossentropy",
    "categorical_crossentropy",
    "categorical_focal_crossentropy",
    "sparse_categorical_crossentropy",
]


def _clip(p: jax.Array) -> jax.Array:
    return jnp.clip(p, EPSILON, 1.0 - EPSILON)


def _bce_probs(t: jax.Array, p: jax.Array) -> jax.Array:
    """Elementwise Keras 3 binary crossentropy of probabilities (clip only, no ``+eps``)."""
    p = _clip(p)
    return -(t * jnp.log(p) + (1.0 - t) * jnp.log(1.0 - p))


def _bce_logits(t: jax.Array, z: jax.Array) -> jax.Array:
    """Elementwise ``-(t log sigmoid(z) + (1-t) log sigmoid(-z))`` in the overflow-free form."""
    return jnp.maximum(z, 0.0) - t * z + jnp.log1p(jnp.exp(-jnp.abs(z)))  # nan-safe: t * z is NaN


def _check_gamma(metric: str, gamma: Any) -> float:
    g = check_number(metric, "gamma", gamma)
    if g < 0:
        raise ValueError(f"{metric}: gamma must be a float >= 0; got {gamma!r}.")
    return g


def binary_crossentropy(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> jax.Array:
    """Binary crossentropy, averaged over ``axis`` for each sample.

    .. math:: \\mathrm{bce}_i = -\\frac{1}{d}\\sum_j \\bigl(t_{ij}\\log p_{ij}
              + (1-t_{ij})\\log(1-p_{ij})\\bigr), \\quad
              p = \\mathrm{clip}(\\hat y, \\epsilon, 1-\\epsilon)\\ \\text{or}\\ \\sigma(\\hat y),
              \\quad t = y(1-s) + s/2

    Args:
        y_true: 0/1 (or soft) labels, shape ``[..., d]``.
        y_pred: probabilities, or logits with ``from_logits=True``; the same shape.
        from_logits: whether ``y_pred`` holds logits (computed without clipping, stably).
        label_smoothing: ``s`` in [0, 1]: labels are squeezed towards 0.5.
        axis: the axis the mean runs over.

    Returns:
        The input shape without ``axis``. Lower is better; best 0 (with hard labels). A
        saturated wrong probability costs ``-log(1e-7) = 16.118``.

    Keras 3 ``keras.metrics.binary_crossentropy``. Keras 2.3.1 with TensorFlow differs for
    probabilities: it also adds ``1e-7`` inside the log (``p = 0, t = 1`` costs 15.942 there,
    16.118 here) and, inside ``compile``, works from the logits of a sigmoid output. Averaged
    over samples with ``d = 1`` it equals ``sklearn.metrics.log_loss`` up to the clipping.

    >>> import jax.numpy as jnp, jmetrics, math
    >>> v = jmetrics.binary_crossentropy(jnp.array([[1., 0.]]), jnp.array([[.5, .5]]))
    >>> round(float(v[0]), 5) == round(math.log(2), 5)
    True
    """
    metric = "binary_crossentropy"
    logits = check_bool(metric, "from_logits", from_logits)
    ls = check_fraction(metric, "label_smoothing", label_smoothing)
    ax = check_axis_type(metric, axis)
    t, p = arrays(metric, y_true, y_pred)
    return _binary_crossentropy(t, p, from_logits=logits, label_smoothing=ls, axis=ax)


@partial(jax.jit, static_argnames=("from_logits", "label_smoothing", "axis"))
def _binary_crossentropy(
    y_true: jax.Array, y_pred: jax.Array, from_logits: bool, label_smoothing: float, axis: int
) -> jax.Array:
    logits, ls = from_logits, label_smoothing
    t, p, out = prepare("binary_crossentropy", y_true, y_pred)
    ax = check_axis("binary_crossentropy", axis, p.ndim)
    if ls:
        t = t * (1.0 - ls) + 0.5 * ls
    loss = _bce_logits if logits else _bce_probs
    if ax == p.ndim - 1:
        return per_sample_mean(loss, t, p).astype(out)
    return jnp.mean(loss(t, p), axis=ax).astype(out)


def categorical_crossentropy(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> jax.Array:
    """Categorical crossentropy per sample.

    .. math:: \\mathrm{cce}_i = -\\sum_c t_{ic} \\log q_{ic}, \\quad
              q = \\mathrm{clip}\\Bigl(\\frac{\\hat y}{\\sum_c \\hat y_c}, \\epsilon, 1-\\epsilon\\Bigr)
              \\ \\text{or}\\ \\mathrm{softmax}(\\hat y), \\quad t = y(1-s) + s/C

    Args:
        y_true: one-hot (or soft) labels, shape ``[..., C]``.
        y_pred: probabilities (renormalised to sum 1 first), or logits with ``from_logits=True``;
            the same shape.
        from_logits: whether ``y_pred`` holds logits (``log_softmax``, no clipping).
        label_smoothing: ``s`` in [0, 1].
        axis: the class axis.

    Returns:
        The input shape without ``axis``. Lower is better; best 0 (with hard labels).

    Keras 3 ``keras.metrics.categorical_crossentropy`` (Keras 3 takes ``C`` from the *last* axis
    even when ``axis`` differs; here ``C`` is the class axis size). Keras 2.3.1 took ``C`` from
    axis 1 and, inside ``compile``, worked from the logits of a softmax output. With one-hot
    labels, averaged over samples, it equals ``sklearn.metrics.log_loss`` up to the clipping.

    >>> import jax.numpy as jnp, jmetrics, math
    >>> v = jmetrics.categorical_crossentropy(jnp.array([[0., 1.]]), jnp.array([[.2, .6]]))
    >>> round(float(v[0]), 5) == round(-math.log(.75), 5)
    True
    """
    metric = "categorical_crossentropy"
    logits = check_bool(metric, "from_logits", from_logits)
    ls = check_fraction(metric, "label_smoothing", label_smoothing)
    ax = check_axis_type(metric, axis)
    t, p = arrays(metric, y_true, y_pred)
    return _categorical_crossentropy(t, p, from_logits=logits, label_smoothing=ls, axis=ax)


@partial(jax.jit, static_argnames=("from_logits", "label_smoothing", "axis"))
def _categorical_crossentropy(
    y_true: jax.Array, y_pred: jax.Array, from_logits: bool, label_smoothing: float, axis: int
) -> jax.Array:
    logits, ls = from_logits, label_smoothing
    t, p, out = prepare("categorical_crossentropy", y_true, y_pred)
    ax = check_axis("categorical_crossentropy", axis, p.ndim)
    if ls:
        t = t * (1.0 - ls) + ls / t.shape[ax]
    if logits:
        log_q = jax.nn.log_softmax(p, axis=ax)
    else:
        log_q = jnp.log(_clip(p / jnp.sum(p, axis=ax, keepdims=True)))
    return (-jnp.sum(t * log_q, axis=ax)).astype(out)


def sparse_categorical_crossentropy(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    from_logits: bool = False,
    axis: int = -1,
    ignore_class: int | None = None,
) -> jax.Array:
    """Categorical crossentropy with integer class ids, per sample.

    .. math:: \\mathrm{scce}_i = -\\log q_{i, y_i}, \\quad
              q = \\mathrm{clip}\\Bigl(\\frac{\\hat y}{\\sum_c \\hat y_c}, \\epsilon, 1-\\epsilon\\Bigr)
              \\ \\text{or}\\ \\mathrm{softmax}(\\hat y)

    Args:
        y_true: class ids, ``y_pred``'s shape without ``axis`` (or with size 1 there); floats are
            truncated to int (Keras 3).
        y_pred: probabilities, or logits with ``from_logits=True``.
        from_logits: whether ``y_pred`` holds logits.
        axis: the class axis of ``y_pred``.
        ignore_class: an int class id whose samples get loss 0 (or None).

    Returns:
        ``y_true``'s shape (without a trailing 1). Lower is better; best 0.

    Only the label's probability is gathered (no one-hot). Label range: called eagerly, labels
    outside ``[0, C)`` (NaN and inf included; ``ignore_class`` exempt) raise ``ValueError``; under
    ``jit`` their samples are NaN (Keras 3 gives a number: loss 0, its all-zero one-hot row, for
    an id out of range). Samples whose label equals ``ignore_class`` give 0; the streaming metric
    decides whether they count in the denominator (Keras 3 with the JAX backend counts them). Keras 2.3.1 clipped before renormalising; Keras 3 and this function renormalise
    first. Averaged over samples it equals ``sklearn.metrics.log_loss`` up to the clipping.

    >>> import jax.numpy as jnp, jmetrics, math
    >>> v = jmetrics.sparse_categorical_crossentropy(jnp.array([1]), jnp.array([[.2, .6]]))
    >>> round(float(v[0]), 5) == round(-math.log(.75), 5)
    True
    """
    metric = "sparse_categorical_crossentropy"
    logits = check_bool(metric, "from_logits", from_logits)
    if ignore_class is not None:
        if isinstance(ignore_class, bool) or not isinstance(ignore_class, (int, np.integer)):
            raise TypeError(f"{metric}: ignore_class must be an int or None; got {ignore_class!r}.")
        ignore_class = int(ignore_class)
    ax = check_axis_type(metric, axis)
    t, p = arrays(metric, y_true, y_pred)
    if p.ndim and -p.ndim <= ax < p.ndim:
        check_label_range(metric, t, p.shape[ax], ignore_class, truncate=True)
    return _sparse_categorical_crossentropy(
        t, p, from_logits=logits, axis=ax, ignore_class=ignore_class
    )


@partial(jax.jit, static_argnames=("from_logits", "axis", "ignore_class"))
def _sparse_categorical_crossentropy(
    y_true: jax.Array, y_pred: jax.Array, from_logits: bool, axis: int, ignore_class: int | None
) -> jax.Array:
    logits = from_logits
    t, p, out = sparse_inputs("sparse_categorical_crossentropy", y_true, y_pred, axis)
    num_classes = p.shape[-1]
    labels = int_labels(t)
    idx = jnp.clip(labels, 0, num_classes - 1)
    if logits:
        # nan-safe: a shift that cancels; a NaN in p reaches the loss through shifted
        top = jax.lax.stop_gradient(jnp.max(p, axis=-1, keepdims=True))
        shifted = p - top
        log_norm = jnp.log(jnp.sum(jnp.exp(shifted), axis=-1))
        loss = log_norm - take_last(shifted, idx)
    else:
        q = take_last(p, idx) / jnp.sum(p, axis=-1)
        loss = -jnp.log(_clip(q))
    loss = jnp.where(valid_class_ids(t, num_classes, truncate=True), loss, jnp.nan)
    if ignore_class is not None:
        loss = jnp.where(t == ignore_class, 0.0, loss)
    return loss.astype(out)


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
    """Binary focal crossentropy (Lin et al. 2018), averaged over ``axis`` for each sample.

    .. math:: \\frac{1}{d}\\sum_j w_{ij} (1 - p^t_{ij})^{\\gamma}\\, \\mathrm{bce}(t_{ij}, p_{ij}),
              \\quad p^t = t p + (1-t)(1-p), \\quad w = t\\alpha + (1-t)(1-\\alpha)
              \\text{ if balancing else } 1

    Args:
        y_true: 0/1 (or soft) labels, shape ``[..., d]``.
        y_pred: probabilities, or logits with ``from_logits=True`` (then ``p = sigmoid``).
        apply_class_balancing: whether to weight class 1 by ``alpha`` and class 0 by
            ``1 - alpha``.
        alpha: the class-1 weight, a float in [0, 1].
        gamma: the focusing exponent, a float >= 0 (0 gives plain binary crossentropy).
        from_logits: whether ``y_pred`` holds logits.
        label_smoothing: in [0, 1]: labels are squeezed towards 0.5.
        axis: the axis the mean runs over.

    Returns:
        The input shape without ``axis``. Lower is better; best 0.

    Keras 3 ``keras.metrics.binary_focal_crossentropy`` (the bce term is clipped; the focal
    factor uses the unclipped ``p``). Not in Keras 2.3.1.

    >>> import jax.numpy as jnp, jmetrics, math
    >>> v = jmetrics.binary_focal_crossentropy(jnp.array([[1.]]), jnp.array([[.5]]))
    >>> round(float(v[0]), 5) == round(0.25 * math.log(2), 5)
    True
    """
    metric = "binary_focal_crossentropy"
    options = dict(
        apply_class_balancing=check_bool(metric, "apply_class_balancing", apply_class_balancing),
        alpha=check_fraction(metric, "alpha", alpha),
        gamma=_check_gamma(metric, gamma),
        from_logits=check_bool(metric, "from_logits", from_logits),
        label_smoothing=check_fraction(metric, "label_smoothing", label_smoothing),
        axis=check_axis_type(metric, axis),
    )
    return _binary_focal_crossentropy(*arrays(metric, y_true, y_pred), **options)


@partial(
    jax.jit,
    static_argnames=(
        "apply_class_balancing", "alpha", "gamma", "from_logits", "label_smoothing", "axis",
    ),
)
def _binary_focal_crossentropy(
    y_true: jax.Array,
    y_pred: jax.Array,
    apply_class_balancing: bool,
    alpha: float,
    gamma: float,
    from_logits: bool,
    label_smoothing: float,
    axis: int,
) -> jax.Array:
    balance, a, g = apply_class_balancing, alpha, gamma
    logits, ls = from_logits, label_smoothing
    t, p, out = prepare("binary_focal_crossentropy", y_true, y_pred)
    ax = check_axis("binary_focal_crossentropy", axis, p.ndim)
    if ls:
        t = t * (1.0 - ls) + 0.5 * ls

    def loss(t: jax.Array, p: jax.Array) -> jax.Array:
        if logits:
            p = jax.nn.sigmoid(p)
        p_t = t * p + (1.0 - t) * (1.0 - p)
        value = jnp.power(1.0 - p_t, g) * _bce_probs(t, p)
        if balance:
            value = (t * a + (1.0 - t) * (1.0 - a)) * value
        return value

    if ax == p.ndim - 1:
        return per_sample_mean(loss, t, p).astype(out)
    return jnp.mean(loss(t, p), axis=ax).astype(out)



def _alpha(metric: str, alpha: float | Sequence[float]) -> Any:
    """``alpha`` as a float, or a tuple of floats (one weight per class, checked at trace time)."""
    if isinstance(alpha, (list, tuple)):
        return tuple(check_number(metric, "alpha", a) for a in alpha)
    return check_number(metric, "alpha", alpha)


def categorical_focal_crossentropy(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    alpha: float | Sequence[float] = 0.25,
    gamma: float = 2.0,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> jax.Array:
    """Categorical focal crossentropy per sample.

    .. math:: -\\sum_c \\alpha_c (1 - q_{ic})^{\\gamma}\\, t_{ic} \\log q_{ic}, \\quad
              q = \\mathrm{clip}\\Bigl(\\frac{p}{\\sum_c p_c}, \\epsilon, 1-\\epsilon\\Bigr),
              \\quad p = \\hat y\\ \\text{or}\\ \\mathrm{softmax}(\\hat y)

    Args:
        y_true: one-hot (or soft) labels, shape ``[..., C]``.
        y_pred: probabilities, or logits with ``from_logits=True``; the same shape.
        alpha: a float, or a sequence of ``C`` floats (one weight per class).
        gamma: the focusing exponent, a float >= 0.
        from_logits: whether ``y_pred`` holds logits.
        label_smoothing: ``s`` in [0, 1]: ``t = y(1-s) + s/C``.
        axis: the class axis.

    Returns:
        The input shape without ``axis``. Lower is better; best 0.

    Keras 3 ``keras.metrics.categorical_focal_crossentropy`` (``C`` for label smoothing is the
    class axis size here, Keras 3's last axis). Not in Keras 2.3.1.

    >>> import jax.numpy as jnp, jmetrics, math
    >>> v = jmetrics.categorical_focal_crossentropy(jnp.array([[0., 1.]]), jnp.array([[.5, .5]]))
    >>> round(float(v[0]), 5) == round(0.25 * 0.25 * math.log(2), 5)
    True
    """
    metric = "categorical_focal_crossentropy"
    options = dict(
        alpha=_alpha(metric, alpha),
        gamma=_check_gamma(metric, gamma),
        from_logits=check_bool(metric, "from_logits", from_logits),
        label_smoothing=check_fraction(metric, "label_smoothing", label_smoothing),
        axis=check_axis_type(metric, axis),
    )
    return _categorical_focal_crossentropy(*arrays(metric, y_true, y_pred), **options)


@partial(
    jax.jit, static_argnames=("alpha", "gamma", "from_logits", "label_smoothing", "axis")
)
def _categorical_focal_crossentropy(
    y_true: jax.Array,
    y_pred: jax.Array,
    alpha: float | tuple[float, ...],
    gamma: float,
    from_logits: bool,
    label_smoothing: float,
    axis: int,
) -> jax.Array:
    metric = "categorical_focal_crossentropy"
    a, g, logits, ls = alpha, gamma, from_logits, label_smoothing
    t, p, out = prepare(metric, y_true, y_pred)
    ax = check_axis(metric, axis, p.ndim)
    if isinstance(a, tuple) and len(a) != p.shape[ax]:
        raise ValueError(
            f"{metric}: alpha must be a float or a sequence of {p.shape[ax]} floats (one per "
            f"class); got {len(a)} values."
        )
    if ls:
        t = t * (1.0 - ls) + ls / t.shape[ax]
    if logits:
        p = jax.nn.softmax(p, axis=ax)
    q = _clip(p / jnp.sum(p, axis=ax, keepdims=True))
    weight = jnp.power(1.0 - q, g)
    if isinstance(a, tuple):
        shape = [1] * p.ndim
        shape[ax] = len(a)
        weight = weight * jnp.asarray(a, p.dtype).reshape(shape)
    else:
        weight = weight * a
    return jnp.sum(weight * (-t * jnp.log(q)), axis=ax).astype(out)
