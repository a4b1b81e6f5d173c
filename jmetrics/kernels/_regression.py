"""Regression kernels: one value per sample (the input shape less the last axis), Keras 3 formulas.

Every function casts ``y_true`` to ``y_pred``'s dtype, matches ranks as Keras 3 does (``(N,)``
against ``(N, 1)`` never broadcasts to ``(N, N)``) and raises ``ValueError`` for other shape
mismatches. bfloat16/float16 inputs are computed in float32 and the result cast back.
"""

from __future__ import annotations

from functools import partial

import jax
import jax.numpy as jnp
from jax.typing import ArrayLike

from jmetrics._floor._extrema import maximum
from jmetrics._floor._options import check_axis, check_axis_type, check_positive
from jmetrics.kernels._columns import per_sample_mean, per_sample_sum
from jmetrics.kernels._common import EPSILON, arrays, prepare

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

    Args:
        y_true: targets, shape ``[..., d]`` (or ``[...]`` against ``[..., 1]``).
        y_pred: predictions, the same shape.

    Returns:
        Shape ``[...]``. Lower is better; best 0.

    Equivalent to ``keras.metrics.mean_squared_error`` (Keras 3 and 2.3.1, alias ``mse``);
    averaged over samples it equals ``sklearn.metrics.mean_squared_error`` with
    ``multioutput='uniform_average'``.

    >>> import jax.numpy as jnp, jmetrics
    >>> jmetrics.mean_squared_error(jnp.array([[1., 2.]]), jnp.array([[1., 4.]])).tolist()
    [2.0]
    """
    return _mean_squared_error(*arrays("mean_squared_error", y_true, y_pred))


@jax.jit
def _mean_squared_error(y_true: jax.Array, y_pred: jax.Array) -> jax.Array:
    t, p, out = prepare("mean_squared_error", y_true, y_pred)
    return per_sample_mean(lambda t, p: jnp.square(p - t), t, p).astype(out)


def root_mean_squared_error(y_true: ArrayLike, y_pred: ArrayLike) -> jax.Array:
    """Root mean squared error per sample.

    .. math:: \\mathrm{rmse}_i = \\sqrt{\\frac{1}{d} \\sum_j (\\hat y_{ij} - y_{ij})^2}

    Args:
        y_true: targets, shape ``[..., d]``.
        y_pred: predictions, the same shape.

    Returns:
        Shape ``[...]``. Lower is better; best 0.

    Keras has no such function (only the ``RootMeanSquaredError`` class, which is the square root
    of the mean squared error over *all* samples, not the mean of this per-sample value). With
    ``d = 1`` it is ``|y_pred - y_true|``.

    >>> import jax.numpy as jnp, jmetrics
    >>> jmetrics.root_mean_squared_error(jnp.array([[0., 0.]]), jnp.array([[1., 1.]])).tolist()
    [1.0]
    """
    return _root_mean_squared_error(*arrays("root_mean_squared_error", y_true, y_pred))


@jax.jit
def _root_mean_squared_error(y_true: jax.Array, y_pred: jax.Array) -> jax.Array:
    t, p, out = prepare("root_mean_squared_error", y_true, y_pred)
    return jnp.sqrt(per_sample_mean(lambda t, p: jnp.square(p - t), t, p)).astype(out)


def mean_absolute_error(y_true: ArrayLike, y_pred: ArrayLike) -> jax.Array:
    """Mean absolute error per sample.

    .. math:: \\mathrm{mae}_i = \\frac{1}{d} \\sum_j |y_{ij} - \\hat y_{ij}|

    Args:
        y_true: targets, shape ``[..., d]``.
        y_pred: predictions, the same shape.

    Returns:
        Shape ``[...]``. Lower is better; best 0.

    Equivalent to ``keras.metrics.mean_absolute_error`` (Keras 3 and 2.3.1, alias ``mae``);
    averaged over samples it equals ``sklearn.metrics.mean_absolute_error``.

    >>> import jax.numpy as jnp, jmetrics
    >>> jmetrics.mean_absolute_error(jnp.array([[1., 2.]]), jnp.array([[2., 4.]])).tolist()
    [1.5]
    """
    return _mean_absolute_error(*arrays("mean_absolute_error", y_true, y_pred))


@jax.jit
def _mean_absolute_error(y_true: jax.Array, y_pred: jax.Array) -> jax.Array:
    t, p, out = prepare("mean_absolute_error", y_true, y_pred)
    return per_sample_mean(lambda t, p: jnp.abs(p - t), t, p).astype(out)


def mean_absolute_percentage_error(y_true: ArrayLike, y_pred: ArrayLike) -> jax.Array:
    """Mean absolute percentage error per sample.

    .. math:: \\mathrm{mape}_i = \\frac{100}{d} \\sum_j
              \\frac{|y_{ij} - \\hat y_{ij}|}{\\max(|y_{ij}|, \\epsilon)}, \\quad \\epsilon = 10^{-7}

    Args:
        y_true: targets, shape ``[..., d]``.
        y_pred: predictions, the same shape.

    Returns:
        Shape ``[...]``, in percent. Lower is better; best 0. A zero target contributes
        ``|y_pred| * 1e9`` (Keras 3 and 2.3.1 alike).

    Equivalent to ``keras.metrics.mean_absolute_percentage_error`` (alias ``mape``). sklearn's
    ``mean_absolute_percentage_error`` is a fraction (not percent) and uses float64 machine
    epsilon: ``100 * sklearn`` agrees whenever no ``|y_true| < 1e-7``.

    >>> import jax.numpy as jnp, jmetrics
    >>> jmetrics.mean_absolute_percentage_error(jnp.array([[2., 4.]]), jnp.array([[1., 4.]])).tolist()
    [25.0]
    """
    return _mean_absolute_percentage_error(*arrays("mean_absolute_percentage_error", y_true, y_pred))


@jax.jit
def _mean_absolute_percentage_error(y_true: jax.Array, y_pred: jax.Array) -> jax.Array:
    t, p, out = prepare("mean_absolute_percentage_error", y_true, y_pred)
    def diff(t: jax.Array, p: jax.Array) -> jax.Array:
        return jnp.abs(t - p) / jnp.maximum(jnp.abs(t), EPSILON)  # nan-safe: |t - p| is NaN

    return (100.0 * per_sample_mean(diff, t, p)).astype(out)


def mean_squared_logarithmic_error(y_true: ArrayLike, y_pred: ArrayLike) -> jax.Array:
    """Mean squared logarithmic error per sample.

    .. math:: \\mathrm{msle}_i = \\frac{1}{d} \\sum_j \\bigl(\\log(1 + \\max(\\hat y_{ij}, \\epsilon))
              - \\log(1 + \\max(y_{ij}, \\epsilon))\\bigr)^2, \\quad \\epsilon = 10^{-7}

    Args:
        y_true: targets, shape ``[..., d]``.
        y_pred: predictions, the same shape.

    Returns:
        Shape ``[...]``. Lower is better; best 0. Negative values are clipped up to ``1e-7``.

    Equivalent to ``keras.metrics.mean_squared_logarithmic_error`` (Keras 3 and 2.3.1, alias
    ``msle``); for non-negative inputs, averaged over samples, it equals
    ``sklearn.metrics.mean_squared_log_error`` (which raises on negative values instead).

    >>> import jax.numpy as jnp, jmetrics, math
    >>> v = jmetrics.mean_squared_logarithmic_error(jnp.array([[0.]]), jnp.array([[1.]]))
    >>> round(float(v[0]), 5) == round(math.log(2) ** 2, 5)
    True
    """
    return _mean_squared_logarithmic_error(*arrays("mean_squared_logarithmic_error", y_true, y_pred))


@jax.jit
def _mean_squared_logarithmic_error(y_true: jax.Array, y_pred: jax.Array) -> jax.Array:
    t, p, out = prepare("mean_squared_logarithmic_error", y_true, y_pred)
    def sq(t: jax.Array, p: jax.Array) -> jax.Array:
        return jnp.square(jnp.log1p(maximum(p, EPSILON)) - jnp.log1p(maximum(t, EPSILON)))

    return per_sample_mean(sq, t, p).astype(out)


def log_cosh(y_true: ArrayLike, y_pred: ArrayLike) -> jax.Array:
    """Logarithm of the hyperbolic cosine of the prediction error, per sample.

    .. math:: \\frac{1}{d} \\sum_j \\log\\cosh(x_j) = \\frac{1}{d} \\sum_j
              \\bigl(x_j + \\mathrm{softplus}(-2 x_j) - \\log 2\\bigr), \\quad x = \\hat y - y

    (the second form never overflows; it is the one Keras uses).

    Args:
        y_true: targets, shape ``[..., d]``.
        y_pred: predictions, the same shape.

    Returns:
        Shape ``[...]``. Lower is better; best 0.

    Keras 3 ``keras.metrics.log_cosh`` (class ``LogCoshError``); Keras 2.3.1 ``logcosh`` (the same
    formula). Alias ``logcosh``.

    >>> import jax.numpy as jnp, jmetrics, math
    >>> v = jmetrics.log_cosh(jnp.array([[0.]]), jnp.array([[1.]]))
    >>> round(float(v[0]), 5) == round(math.log(math.cosh(1.0)), 5)
    True
    """
    return _log_cosh(*arrays("log_cosh", y_true, y_pred))


@jax.jit
def _log_cosh(y_true: jax.Array, y_pred: jax.Array) -> jax.Array:
    t, p, out = prepare("log_cosh", y_true, y_pred)
    return per_sample_mean(_log_cosh_terms, t, p).astype(out)


def _log_cosh_terms(t: jax.Array, p: jax.Array) -> jax.Array:
    """``x + softplus(-2x) - log 2`` with ``softplus(z) = max(z, 0) + log1p(exp(-|z|))`` written
    out (``jax.nn.softplus`` adds a NaN select and a subtraction per element): the same values,
    ``+inf`` for ``x = +inf`` and below ``-max / 2`` (where ``-2x`` overflows), and NaN for
    ``x = -inf`` (``-inf + inf``) as Keras 3."""
    x = p - t
    log2 = jnp.asarray(0.6931471805599453, x.dtype)
    # nan-safe: the leading x keeps a NaN
    return x + jnp.maximum(-2.0 * x, 0.0) + jnp.log1p(jnp.exp(-2.0 * jnp.abs(x))) - log2


def huber(y_true: ArrayLike, y_pred: ArrayLike, delta: float = 1.0) -> jax.Array:
    """Huber loss per sample (``keras.metrics.huber``, Keras 3).

    .. math:: \\frac{1}{d}\\sum_j \\begin{cases} \\tfrac12 e_j^2 & |e_j| \\le \\delta \\\\
              \\delta |e_j| - \\tfrac12\\delta^2 & \\text{otherwise} \\end{cases},
              \\quad e = \\hat y - y

    Args:
        y_true: targets, shape ``[..., d]``.
        y_pred: predictions, the same shape.
        delta: where the loss turns from quadratic to linear; a float > 0.

    Returns:
        Shape ``[...]``. Lower is better; best 0.

    Keras 2.3.1's ``losses.huber_loss`` was elementwise (no mean over the last axis) and was not a
    metric string; Keras 3's ``keras.metrics.huber`` takes the per-sample mean, as here.

    >>> import jax.numpy as jnp, jmetrics
    >>> jmetrics.huber(jnp.array([[0., 0.]]), jnp.array([[0.5, 3.]])).tolist()
    [1.3125]
    """
    d = check_positive("huber", "delta", delta)
    return _huber(*arrays("huber", y_true, y_pred), delta=d)


@partial(jax.jit, static_argnames=("delta",))
def _huber(y_true: jax.Array, y_pred: jax.Array, delta: float) -> jax.Array:
    d = delta
    t, p, out = prepare("huber", y_true, y_pred)
    if p.shape[-1] == 1:
        return per_sample_mean(partial(_huber_terms, delta=d), t, p).astype(out)
    # over (n, C) the select is about 2x faster on CPU than the select-free terms
    abs_err = jnp.abs(p - t)
    loss = jnp.where(abs_err <= d, 0.5 * jnp.square(p - t), d * abs_err - 0.5 * d * d)
    return jnp.mean(loss, axis=-1).astype(out)


def _huber_terms(t: jax.Array, p: jax.Array, delta: float) -> jax.Array:
    """``0.5 m**2 + delta (|e| - m)`` with ``m = min(|e|, delta)``: ``0.5 e**2`` up to ``delta``
    (``|e| - m`` is exactly 0 there), ``delta |e| - delta**2 / 2`` above, without a select
    (over one column about 3x faster on CPU than ``where``). ``jnp.minimum`` may drop a NaN on
    CPU; ``|e| - m`` keeps it."""
    abs_err = jnp.abs(p - t)
    m = jnp.minimum(abs_err, delta)  # nan-safe: abs_err - m below keeps a NaN
    return 0.5 * jnp.square(m) + delta * (abs_err - m)  # nan-safe: abs_err carries a NaN


def poisson(y_true: ArrayLike, y_pred: ArrayLike) -> jax.Array:
    """Poisson loss per sample.

    .. math:: \\frac{1}{d} \\sum_j \\bigl(\\hat y_{ij} - y_{ij} \\log(\\hat y_{ij} + \\epsilon)\\bigr),
              \\quad \\epsilon = 10^{-7}

    Args:
        y_true: observed counts, shape ``[..., d]``.
        y_pred: predicted rates (non-negative), the same shape.

    Returns:
        Shape ``[...]``. Lower is better (it can be negative; the minimum over ``y_pred`` is at
        ``y_pred = y_true``). Negative ``y_pred`` gives NaN, as in Keras.

    Equivalent to ``keras.metrics.poisson`` (Keras 3 and 2.3.1). sklearn's
    ``mean_poisson_deviance`` is ``2 * (this - (y log y - y))`` averaged, i.e. differs by a term
    that does not depend on ``y_pred``.

    >>> import jax.numpy as jnp, jmetrics
    >>> round(float(jmetrics.poisson(jnp.array([[1.]]), jnp.array([[0.]]))[0]), 3)
    16.118
    """
    return _poisson(*arrays("poisson", y_true, y_pred))


@jax.jit
def _poisson(y_true: jax.Array, y_pred: jax.Array) -> jax.Array:
    t, p, out = prepare("poisson", y_true, y_pred)
    return per_sample_mean(lambda t, p: p - t * jnp.log(p + EPSILON), t, p).astype(out)


def kl_divergence(y_true: ArrayLike, y_pred: ArrayLike) -> jax.Array:
    """Kullback-Leibler divergence per sample, both inputs clipped to ``[1e-7, 1]``.

    .. math:: \\mathrm{KL}_i = \\sum_j t_{ij} \\log\\frac{t_{ij}}{p_{ij}}, \\quad
              t = \\mathrm{clip}(y, \\epsilon, 1),\\ p = \\mathrm{clip}(\\hat y, \\epsilon, 1)

    Args:
        y_true: target distributions, shape ``[..., C]``.
        y_pred: predicted distributions, the same shape.

    Returns:
        Shape ``[...]``. Lower is better; best 0. An all-zero ``y_true`` gives a tiny negative
        value (about ``-3e-6`` for ``p = [.4, .6]``), as in both Keras versions.

    Keras 3 ``kl_divergence`` (class ``KLDivergence``, name ``kl_divergence``); Keras 2.3.1
    ``kullback_leibler_divergence`` (the same formula). Aliases ``kld``,
    ``kullback_leibler_divergence``.

    >>> import jax.numpy as jnp, jmetrics, math
    >>> v = jmetrics.kl_divergence(jnp.array([[0.5, 0.5]]), jnp.array([[0.25, 0.75]]))
    >>> round(float(v[0]), 5) == round(0.5 * math.log(2) + 0.5 * math.log(2 / 3), 5)
    True
    """
    return _kl_divergence(*arrays("kl_divergence", y_true, y_pred))


@jax.jit
def _kl_divergence(y_true: jax.Array, y_pred: jax.Array) -> jax.Array:
    t, p, out = prepare("kl_divergence", y_true, y_pred)

    def terms(t: jax.Array, p: jax.Array) -> jax.Array:
        t = jnp.clip(t, EPSILON, 1.0)
        return t * jnp.log(t / jnp.clip(p, EPSILON, 1.0))

    return per_sample_sum(terms, t, p).astype(out)


def _unit(x: jax.Array, axis: int | None) -> jax.Array:
    """``x * min(rsqrt(sum x^2), 1/eps)`` (Keras 3 ``normalize``), with a finite gradient at 0;
    ``axis=None``: ``x`` holds single elements (the sum is the square itself)."""
    sq = jnp.square(x) if axis is None else jnp.sum(jnp.square(x), axis=axis, keepdims=True)
    # the floor eps^2 under the rsqrt keeps the gradient finite at 0 without a select (selects
    # cost about 4x on CPU); min(., 1/eps) then gives exactly 1/eps for every sq <= eps^2
    # nan-safe: sq is NaN only where x holds the NaN, and the product x * ... keeps it
    return x * jnp.minimum(jax.lax.rsqrt(jnp.maximum(sq, EPSILON * EPSILON)), 1.0 / EPSILON)


@partial(jax.jit, static_argnames=("axis", "metric"))
def _cosine(y_true: jax.Array, y_pred: jax.Array, axis: int, metric: str) -> jax.Array:
    t, p, out = prepare(metric, y_true, y_pred)
    ax = check_axis(metric, axis, p.ndim)
    if ax == p.ndim - 1 and p.shape[-1] == 1:  # one column: no reductions over a size-1 axis
        return per_sample_sum(lambda t, p: _unit(t, None) * _unit(p, None), t, p).astype(out)
    return jnp.sum(_unit(t, ax) * _unit(p, ax), axis=ax).astype(out)


def cosine_similarity(y_true: ArrayLike, y_pred: ArrayLike, axis: int = -1) -> jax.Array:
    """Cosine similarity along ``axis``, positive (the Keras *metric* sign).

    .. math:: \\cos_i = \\sum_j \\frac{t_{ij}}{\\max(\\|t_i\\|, \\epsilon)}
              \\cdot \\frac{p_{ij}}{\\max(\\|p_i\\|, \\epsilon)}, \\quad \\epsilon = 10^{-7}

    Args:
        y_true: targets, shape ``[..., d]``.
        y_pred: predictions, the same shape.
        axis: the axis along which the vectors lie (an int).

    Returns:
        The input shape without ``axis``. Higher is better; range [-1, 1]. A zero vector gives 0.

    Equivalent to ``keras.metrics.CosineSimilarity`` (Keras 3 and 2.3.1) and to Keras 2.3.1's
    metric function ``cosine_proximity``. The Keras *loss* functions of these names
    (``keras.losses.cosine_similarity``, 2.3.1's ``losses.cosine_proximity``) are the negative.
    Equals ``sklearn.metrics.pairwise.cosine_similarity`` on matching rows.

    >>> import jax.numpy as jnp, jmetrics
    >>> jmetrics.cosine_similarity(jnp.array([[0., 1., 1.]]), jnp.array([[1., 0., 1.]])).tolist()
    [0.5]
    """
    ax = check_axis_type("cosine_similarity", axis)
    return _cosine(*arrays("cosine_similarity", y_true, y_pred), axis=ax, metric="cosine_similarity")


def cosine_proximity(y_true: ArrayLike, y_pred: ArrayLike, axis: int = -1) -> jax.Array:
    """Keras 2.3.1's metric name for :func:`cosine_similarity`: the same positive similarity.

    .. math:: \\sum_j \\frac{t_{ij}}{\\max(\\|t_i\\|, \\epsilon)} \\cdot
              \\frac{p_{ij}}{\\max(\\|p_i\\|, \\epsilon)}

    Args:
        y_true: targets, shape ``[..., d]``.
        y_pred: predictions, the same shape.
        axis: the axis along which the vectors lie.

    Returns:
        The input shape without ``axis``. Higher is better; range [-1, 1].

    Keras 2.3.1 ``metrics.cosine_proximity`` (and its alias ``cosine``) is positive; Keras 2.2.5's
    was the (negative) loss. Alias ``cosine``; the ``__name__`` is ``cosine_proximity``.

    >>> import jax.numpy as jnp, jmetrics
    >>> jmetrics.cosine_proximity(jnp.array([[0., 1., 1.]]), jnp.array([[1., 0., 1.]])).tolist()
    [0.5]
    """
    ax = check_axis_type("cosine_proximity", axis)
    return _cosine(*arrays("cosine_proximity", y_true, y_pred), axis=ax, metric="cosine_proximity")


# Keras 2 module-level short aliases: the same function objects, so ``__name__`` is the full name
# (``keras.metrics.mse.__name__ == "mean_squared_error"``, which older History keys show).
mse = mean_squared_error
mae = mean_absolute_error
mape = mean_absolute_percentage_error
msle = mean_squared_logarithmic_error
kld = kl_divergence
kullback_leibler_divergence = kl_divergence
logcosh = log_cosh
cosine = cosine_proximity
