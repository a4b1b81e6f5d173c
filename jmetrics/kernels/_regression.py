"""Regression kernels: one value per sample (the input shape less the last axis), Keras 3 formulas."""

from __future__ import annotations

import jax
import jax.numpy as jnp
from jax.typing import ArrayLike

from jmetrics.kernels._common import EPSILON, check_axis, prepare

__all__ = [
    "cosine",
    "cosine_proximity",
    "cosine_similarity",
    "huber",
    "kl_divergence",
    "kld",
    "kullback_leibler_divergence",
    "log_cosh",
    "logcosh",
    "mae",
    "mape",
    "mean_absolute_error",
    "mean_absolute_percentage_error",
    "mean_squared_error",
    "mean_squared_logarithmic_error",
    "mse",
    "msle",
    "poisson",
    "root_mean_squared_error",
]


def mean_squared_error(y_true: ArrayLike, y_pred: ArrayLike) -> jax.Array:
    """Mean squared error per sample.

    .. math:: \\mathrm{mse}_i = \\frac{1}{d} \\sum_j (y_{ij} - \\hat y_{ij})^2

    Args: y_true, y_pred: arrays of shape ``[..., d]``. Returns: shape ``[...]``. Lower is better; best 0.
    Equivalent to ``keras.metrics.mean_squared_error`` (Keras 3 and 2.3.1); averaged over samples it
    equals ``sklearn.metrics.mean_squared_error`` with ``multioutput='uniform_average'``.

    >>> import jax.numpy as jnp, jmetrics
    >>> jmetrics.mean_squared_error(jnp.array([[1., 2.]]), jnp.array([[1., 4.]]))
    Array([2.], dtype=float32)
    """
    t, p = prepare("mean_squared_error", y_true, y_pred)
    return jnp.mean(jnp.square(p - t), axis=-1)


def root_mean_squared_error(y_true: ArrayLike, y_pred: ArrayLike) -> jax.Array:
    """Root mean squared error per sample: ``sqrt(mean_-1((y_pred - y_true)**2))``.

    Lower is better; best 0. The streaming ``RootMeanSquaredError`` is the square root of the mean
    squared error over all samples (Keras), not the mean of this per-sample value.

    >>> import jax.numpy as jnp, jmetrics
    >>> jmetrics.root_mean_squared_error(jnp.array([[0., 0.]]), jnp.array([[3., 4.]]))
    Array([3.535534], dtype=float32)
    """
    t, p = prepare("root_mean_squared_error", y_true, y_pred)
    return jnp.sqrt(jnp.mean(jnp.square(p - t), axis=-1))


def mean_absolute_error(y_true: ArrayLike, y_pred: ArrayLike) -> jax.Array:
    """Mean absolute error per sample: ``mean_-1(|y_true - y_pred|)``. Lower is better; best 0.

    Equivalent to ``keras.metrics.mean_absolute_error`` (Keras 3 and 2.3.1).

    >>> import jax.numpy as jnp, jmetrics
    >>> jmetrics.mean_absolute_error(jnp.array([[1., 2.]]), jnp.array([[2., 4.]]))
    Array([1.5], dtype=float32)
    """
    t, p = prepare("mean_absolute_error", y_true, y_pred)
    return jnp.mean(jnp.abs(p - t), axis=-1)


def mean_absolute_percentage_error(y_true: ArrayLike, y_pred: ArrayLike) -> jax.Array:
    """Mean absolute percentage error per sample.

    .. math:: 100 \\cdot \\frac{1}{d} \\sum_j \\frac{|y_{ij} - \\hat y_{ij}|}{\\max(|y_{ij}|, \\epsilon)}

    with :math:`\\epsilon = 10^{-7}`: a zero target gives ``|p| * 1e9`` (Keras 3 and 2.3.1 alike).
    Lower is better; best 0.

    >>> import jax.numpy as jnp, jmetrics
    >>> jmetrics.mean_absolute_percentage_error(jnp.array([[2., 4.]]), jnp.array([[1., 4.]]))
    Array([25.], dtype=float32)
    """
    t, p = prepare("mean_absolute_percentage_error", y_true, y_pred)
    diff = jnp.abs((t - p) / jnp.maximum(jnp.abs(t), EPSILON))
    return 100.0 * jnp.mean(diff, axis=-1)


def mean_squared_logarithmic_error(y_true: ArrayLike, y_pred: ArrayLike) -> jax.Array:
    """Mean squared logarithmic error per sample.

    .. math:: \\frac{1}{d} \\sum_j (\\log(\\max(\\hat y, \\epsilon) + 1) - \\log(\\max(y, \\epsilon) + 1))^2

    Negative values are clipped up to ``1e-7`` (Keras 3 and 2.3.1). Lower is better; best 0.

    >>> import jax.numpy as jnp, jmetrics
    >>> round(float(jmetrics.mean_squared_logarithmic_error(jnp.array([[0.]]), jnp.array([[1.]]))[0]), 6)
    0.480453
    """
    t, p = prepare("mean_squared_logarithmic_error", y_true, y_pred)
    first = jnp.log1p(jnp.maximum(p, EPSILON))
    second = jnp.log1p(jnp.maximum(t, EPSILON))
    return jnp.mean(jnp.square(first - second), axis=-1)


def log_cosh(y_true: ArrayLike, y_pred: ArrayLike) -> jax.Array:
    """Logarithm of the hyperbolic cosine of the error, per sample.

    .. math:: \\frac{1}{d} \\sum_j x_j + \\mathrm{softplus}(-2 x_j) - \\log 2, \\quad x = \\hat y - y

    (a form that never overflows). Keras 3 ``keras.losses.log_cosh``; Keras 2.3.1 ``logcosh``.
    Lower is better; best 0.

    >>> import jax.numpy as jnp, jmetrics
    >>> round(float(jmetrics.log_cosh(jnp.array([[0.]]), jnp.array([[1.]]))[0]), 6)
    0.433781
    """
    t, p = prepare("log_cosh", y_true, y_pred)
    x = p - t
    return jnp.mean(x + jax.nn.softplus(-2.0 * x) - jnp.log(jnp.asarray(2.0, x.dtype)), axis=-1)


def huber(y_true: ArrayLike, y_pred: ArrayLike, delta: float = 1.0) -> jax.Array:
    """Huber loss per sample (``keras.metrics.huber``, Keras 3).

    .. math:: \\frac{1}{d}\\sum_j \\begin{cases} e_j^2/2 & |e_j| \\le \\delta \\\\
              \\delta |e_j| - \\delta^2/2 & \\text{otherwise} \\end{cases}

    Keras 2.3.1's ``huber_loss`` was elementwise (no mean over the last axis) and not a metric
    string. Lower is better; best 0.

    >>> import jax.numpy as jnp, jmetrics
    >>> jmetrics.huber(jnp.array([[0., 0.]]), jnp.array([[0.5, 3.]]))
    Array([1.3125], dtype=float32)
    """
    if not isinstance(delta, (int, float)) or delta <= 0:
        raise ValueError(f"huber: delta must be a positive number; got {delta!r}.")
    t, p = prepare("huber", y_true, y_pred)
    err = jnp.abs(p - t)
    d = jnp.asarray(delta, p.dtype)
    return jnp.mean(jnp.where(err <= d, 0.5 * err * err, d * err - 0.5 * d * d), axis=-1)


def poisson(y_true: ArrayLike, y_pred: ArrayLike) -> jax.Array:
    """Poisson deviance term per sample: ``mean_-1(p - t * log(p + 1e-7))``. Lower is better.

    >>> import jax.numpy as jnp, jmetrics
    >>> round(float(jmetrics.poisson(jnp.array([[1.]]), jnp.array([[0.]]))[0]), 3)
    16.118
    """
    t, p = prepare("poisson", y_true, y_pred)
    return jnp.mean(p - t * jnp.log(p + EPSILON), axis=-1)


def kl_divergence(y_true: ArrayLike, y_pred: ArrayLike) -> jax.Array:
    """Kullback-Leibler divergence per sample, both inputs clipped to ``[1e-7, 1]``.

    .. math:: \\sum_j t_j \\log(t_j / p_j)

    Keras 3 ``kl_divergence``, Keras 2.3.1 ``kullback_leibler_divergence`` (the same formula; an
    all-zero ``y_true`` gives a tiny negative value in both). Lower is better; best 0.

    >>> import jax.numpy as jnp, jmetrics
    >>> round(float(jmetrics.kl_divergence(jnp.array([[0.5, 0.5]]), jnp.array([[0.25, 0.75]]))[0]), 6)
    0.143841
    """
    t, p = prepare("kl_divergence", y_true, y_pred)
    t = jnp.clip(t, EPSILON, 1.0)
    p = jnp.clip(p, EPSILON, 1.0)
    return jnp.sum(t * jnp.log(t / p), axis=-1)


def cosine_similarity(y_true: ArrayLike, y_pred: ArrayLike, axis: int = -1) -> jax.Array:
    """Cosine similarity along ``axis`` (positive, as the Keras metric; the Keras loss is negative).

    .. math:: \\sum_j \\frac{t_j}{\\max(\\|t\\|, 10^{-7})} \\cdot \\frac{p_j}{\\max(\\|p\\|, 10^{-7})}

    A zero vector gives 0. Higher is better; range [-1, 1]. Keras 2.3.1's ``cosine_proximity``
    *metric* is the same (positive); its *loss* of that name was negative.

    >>> import jax.numpy as jnp, jmetrics
    >>> jmetrics.cosine_similarity(jnp.array([[0., 1., 1.]]), jnp.array([[1., 0., 1.]]))
    Array([0.5], dtype=float32)
    """
    t, p = prepare("cosine_similarity", y_true, y_pred)
    ax = check_axis("cosine_similarity", axis, p.ndim)

    def unit(x: jax.Array) -> jax.Array:
        sq = jnp.sum(x * x, axis=ax, keepdims=True)
        return x * jnp.minimum(jax.lax.rsqrt(sq), 1.0 / EPSILON)

    return jnp.sum(unit(t) * unit(p), axis=ax)


def cosine_proximity(y_true: ArrayLike, y_pred: ArrayLike, axis: int = -1) -> jax.Array:
    """Keras 2.3.1's metric name for :func:`cosine_similarity` (positive similarity).

    >>> import jax.numpy as jnp, jmetrics
    >>> jmetrics.cosine_proximity(jnp.array([[0., 1., 1.]]), jnp.array([[1., 0., 1.]]))
    Array([0.5], dtype=float32)
    """
    return cosine_similarity(y_true, y_pred, axis=axis)


# Keras 2 module-level short aliases: the same function objects, so __name__ is the full name
# (``metrics.mse.__name__ == "mean_squared_error"``, as the older tutorials' History keys show).
mse = mean_squared_error
mae = mean_absolute_error
mape = mean_absolute_percentage_error
msle = mean_squared_logarithmic_error
kld = kl_divergence
kullback_leibler_divergence = kl_divergence
logcosh = log_cosh
cosine = cosine_proximity
