"""Regression scores with scikit-learn names and semantics: R², explained variance, pinball, D².

Inputs are ``(N,)`` or ``(N, outputs)``; ``multioutput`` is 'raw_values', 'uniform_average',
'variance_weighted' (R² and explained variance) or an array of output weights. Sums are two-pass
(weighted mean first, then centred squares), float64 on the host and the accumulation dtype inside
``jit``. The D² scores need a weighted quantile (a sort with data-dependent ties) and are host-only.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

from jmetrics._floor._checks import accum_dtype
from jmetrics._floor._ratios import weighted_mean, weighted_variance
from jmetrics.sk._common import (
    check_consistent,
    check_finite,
    host,
    host_result,
    host_weight,
    is_traced,
    jax_weight,
    nonfinite,
    poison,
    warn,
)

__all__ = [
    "d2_absolute_error_score",
    "d2_pinball_score",
    "explained_variance_score",
    "mean_pinball_loss",
    "r2_score",
]


def _host_array(metric: str, x: Any, arg: str) -> np.ndarray:
    """scikit-learn's ``check_array(ensure_2d=False)`` of a regression target: float64, 1-D or
    2-D, at least one sample and one output, finite."""
    a = host(x, metric, arg)
    if a.dtype.kind == "c":
        raise ValueError(f"{metric}: Complex data not supported; got {arg} of dtype {a.dtype}.")
    a = a.astype(np.float64)
    if a.ndim > 2:
        raise ValueError(f"{metric}: Found array with dim {a.ndim}. None expected <= 2 (in {arg}).")
    if a.ndim == 0 or a.shape[0] < 1:
        raise ValueError(f"{metric}: Found array with 0 sample(s) (shape={a.shape}) while a minimum of 1 "
                         f"is required (in {arg}).")
    if a.ndim == 2 and a.shape[1] < 1:
        raise ValueError(f"{metric}: Found array with 0 feature(s) (shape={a.shape}) while a minimum of 1 "
                         f"is required (in {arg}).")
    check_finite(metric, arg, a)
    return a


def _inputs(metric: str, y_true: Any, y_pred: Any, sample_weight: Any, multioutput: Any, allowed: tuple[str, ...]):
    """``(traced, xp, y (N, k), yhat (N, k), w (N,) or None)`` with scikit-learn's
    ``_check_reg_targets`` checks (host) or shape checks (jit). Under jit, where the host refuses
    NaN or infinity in any input, ``y`` becomes all NaN, so every score computed from it is NaN
    (an infinite prediction would otherwise give -inf or inf)."""
    if isinstance(multioutput, str) and multioutput not in allowed:
        raise ValueError(f"{metric}: Allowed 'multioutput' string values are {allowed}. You provided "
                         f"multioutput={multioutput!r}.")
    y: Any
    p: Any
    w: Any
    if is_traced(y_true, y_pred, sample_weight):
        dt = accum_dtype()
        y, p = jnp.asarray(y_true, dt), jnp.asarray(y_pred, dt)
        w = jax_weight(metric, sample_weight, y.shape[0], dt)
        y = poison(y, nonfinite(y, p, w))
        xp: Any = jnp
    else:
        check_consistent(metric, y_true=y_true, y_pred=y_pred, sample_weight=sample_weight)
        y = _host_array(metric, y_true, "y_true")
        p = _host_array(metric, y_pred, "y_pred")
        w = host_weight(metric, sample_weight, y.shape[0])
        xp = np
    y = y[:, None] if y.ndim == 1 else y
    p = p[:, None] if p.ndim == 1 else p
    if y.shape != p.shape:
        raise ValueError(f"{metric}: y_true and y_pred have different number of output "
                         f"({y.shape[1]}!={p.shape[1]}); got shapes {tuple(np.shape(y_true))} and "
                         f"{tuple(np.shape(y_pred))}.")
    if not isinstance(multioutput, str) and multioutput is not None:
        if y.shape[1] == 1:
            raise ValueError(f"{metric}: Custom weights are useful only in multi-output cases; got "
                             f"multioutput={multioutput!r} for one output.")
        if np.shape(multioutput) != (y.shape[1],):
            raise ValueError(f"{metric}: There must be equally many custom weights "
                             f"({np.shape(multioutput)[0] if np.ndim(multioutput) else 1}) as outputs "
                             f"({y.shape[1]}).")
    return xp is jnp, xp, y, p, w


def _assemble(xp: Any, num: Any, den: Any, multioutput: Any, force_finite: bool) -> Any:
    """sklearn's ``_assemble_r2_explained_variance``."""
    nz_den, nz_num = den != 0, num != 0
    if not force_finite:
        scores = 1 - num / den
    else:
        scores = xp.where(nz_den & nz_num, 1 - num / xp.where(nz_den, den, 1), xp.where(nz_num, 0.0, 1.0))
    if isinstance(multioutput, str):
        if multioutput == "raw_values":
            return scores
        if multioutput == "uniform_average":
            return scores.mean()
        wts = xp.where(nz_den.any(), den, 1.0)  # variance_weighted; all constant -> uniform
        return (scores * wts).sum() / wts.sum()
    wts = xp.asarray(multioutput, scores.dtype)
    return (scores * wts).sum() / wts.sum()


def _finish(traced: bool, metric: str, value: Any, n: int, what: str = "R^2") -> Any:
    """The score, or NaN (with scikit-learn's warning on the host) for fewer than two samples.
    Host: a Python float or a NumPy array; jit: a ``jax.Array``."""
    if n < 2:
        if not traced:
            warn(metric, f"{what} score is not well-defined with less than two samples.")
            return float("nan")
        return jnp.full_like(value, jnp.nan)
    return value if traced else host_result(value)


def r2_score(y_true: ArrayLike, y_pred: ArrayLike, *, sample_weight: ArrayLike | None = None,
             multioutput: Any = "uniform_average", force_finite: bool = True) -> jax.Array:
    """Coefficient of determination, as ``sklearn.metrics.r2_score``.

    .. math:: R^2 = 1 - \\frac{\\sum_i w_i (y_i - \\hat y_i)^2}{\\sum_i w_i (y_i - \\bar y_w)^2}

    Constant ``y_true``: 1.0 for a perfect prediction, else 0.0 with ``force_finite`` (else NaN or
    -inf). Fewer than two samples: NaN with a warning (sklearn 1.9.1). The Keras-named streaming
    form is ``jmetrics.metrics.R2Score``.

    >>> import jmetrics.sk as sk
    >>> sk.r2_score([3, -0.5, 2, 7], [2.5, 0.0, 2, 8])
    0.94860...
    """
    metric = "r2_score"
    traced, xp, y, p, w = _inputs(metric, y_true, y_pred, sample_weight, multioutput,
                                  ("raw_values", "uniform_average", "variance_weighted"))
    num = weighted_mean((y - p) ** 2, w)
    den = weighted_variance(y, w)
    return _finish(traced, metric, _assemble(xp, num, den, multioutput, force_finite), y.shape[0])


def explained_variance_score(y_true: ArrayLike, y_pred: ArrayLike, *, sample_weight: ArrayLike | None = None,
                             multioutput: Any = "uniform_average", force_finite: bool = True) -> jax.Array:
    """Explained variance ``1 - Var_w(y - yhat) / Var_w(y)``, as ``sklearn.metrics.explained_variance_score``.

    Constant ``y_true`` is handled as in :func:`r2_score` (``force_finite``).

    >>> import jmetrics.sk as sk
    >>> sk.explained_variance_score([3, -0.5, 2, 7], [2.5, 0.0, 2, 8])
    0.95717...
    """
    metric = "explained_variance_score"
    traced, xp, y, p, w = _inputs(metric, y_true, y_pred, sample_weight, multioutput,
                                  ("raw_values", "uniform_average", "variance_weighted"))
    d = y - p
    num = weighted_variance(d, w)
    den = weighted_variance(y, w)
    res = _assemble(xp, num, den, multioutput, force_finite)
    return res if traced else host_result(res)


def _pinball(xp: Any, y: Any, p: Any, w: Any, alpha: float) -> Any:
    d = y - p
    loss = xp.where(d >= 0, alpha * d, (alpha - 1) * d)
    return weighted_mean(loss, w)


def _average_outputs(xp: Any, errors: Any, multioutput: Any) -> Any:
    if isinstance(multioutput, str):
        return errors if multioutput == "raw_values" else errors.mean()
    wts = xp.asarray(multioutput, errors.dtype)
    return (errors * wts).sum() / wts.sum()


def mean_pinball_loss(y_true: ArrayLike, y_pred: ArrayLike, *, sample_weight: ArrayLike | None = None,
                      alpha: float = 0.5, multioutput: Any = "uniform_average") -> jax.Array:
    """Pinball (quantile) loss, as ``sklearn.metrics.mean_pinball_loss``.

    .. math:: L = \\mathrm{mean}_w\\big(\\alpha \\max(y - \\hat y, 0) + (1 - \\alpha) \\max(\\hat y - y, 0)\\big)

    >>> import jmetrics.sk as sk
    >>> sk.mean_pinball_loss([1, 2, 3], [0, 2, 3], alpha=0.1)
    0.03333...
    """
    metric = "mean_pinball_loss"
    if not 0 <= alpha <= 1:
        raise ValueError(f"{metric}: alpha must be in [0, 1]; got {alpha!r}.")
    traced, xp, y, p, w = _inputs(metric, y_true, y_pred, sample_weight, multioutput, ("raw_values", "uniform_average"))
    res = _average_outputs(xp, _pinball(xp, y, p, w, alpha), multioutput)
    return res if traced else host_result(res)


def _weighted_quantile(y: np.ndarray, w: np.ndarray, alpha: float) -> np.ndarray:
    """sklearn's ``_weighted_percentile(..., average=True)`` per column (host)."""
    res = np.empty(y.shape[1])
    for c in range(y.shape[1]):
        idx = np.argsort(y[:, c], kind="stable")
        sw = w[idx]
        cdf = np.cumsum(sw)
        rank = alpha * cdf[-1]
        if rank == 0:
            rank = np.nextafter(rank, rank + 1)
        i = min(int(np.searchsorted(cdf, rank)), len(idx) - 1)
        value = y[idx[i], c]
        if cdf[i] - rank > np.finfo(np.float64).eps:
            res[c] = value
            continue
        j = min(i + 1, len(idx) - 1)
        if w[idx[j]] == 0:
            nxt = int(np.searchsorted(cdf, cdf[i], side="right"))
            j = i if nxt > len(idx) - 1 else nxt
        res[c] = (value + y[idx[j], c]) / 2
    return res


def d2_pinball_score(y_true: ArrayLike, y_pred: ArrayLike, *, sample_weight: ArrayLike | None = None,
                     alpha: float = 0.5, multioutput: Any = "uniform_average") -> jax.Array:
    """D² pinball: ``1 - pinball(y, yhat) / pinball(y, q_alpha(y))``, as ``sklearn.metrics.d2_pinball_score``.

    ``q_alpha`` is sklearn's weighted averaged-inverted-CDF quantile. Host only. Fewer than two
    samples: NaN with a warning; a zero denominator follows ``force_finite`` (1.0 or 0.0).

    >>> import jmetrics.sk as sk
    >>> sk.d2_pinball_score([1, 2, 3], [1, 3, 3])
    0.5
    """
    return _d2_pinball("d2_pinball_score", y_true, y_pred, sample_weight, alpha, multioutput)


def _d2_pinball(metric: str, y_true: Any, y_pred: Any, sample_weight: Any, alpha: float,
                multioutput: Any) -> Any:
    """:func:`d2_pinball_score` whose errors and warnings name ``metric``, the function called."""
    if is_traced(y_true, y_pred, sample_weight):
        raise TypeError(f"{metric}: needs a data-dependent quantile, so it cannot be traced; call it outside jit.")
    if not 0 <= alpha <= 1:
        raise ValueError(f"{metric}: alpha must be in [0, 1]; got {alpha!r}.")
    _, xp, y, p, w = _inputs(metric, y_true, y_pred, sample_weight, multioutput, ("raw_values", "uniform_average"))
    if y.shape[0] < 2:
        return _finish(False, metric, np.nan, y.shape[0], "D^2")
    q = _weighted_quantile(y, np.ones(y.shape[0]) if w is None else w, alpha)
    num = _pinball(xp, y, p, w, alpha)
    den = _pinball(xp, y, np.broadcast_to(q, y.shape), w, alpha)
    return host_result(_assemble(xp, num, den, multioutput, True))


def d2_absolute_error_score(y_true: ArrayLike, y_pred: ArrayLike, *, sample_weight: ArrayLike | None = None,
                            multioutput: Any = "uniform_average") -> jax.Array:
    """D² absolute error: :func:`d2_pinball_score` with ``alpha=0.5`` (median baseline). Host only.

    >>> import jmetrics.sk as sk
    >>> sk.d2_absolute_error_score([3, -0.5, 2, 7], [2.5, 0.0, 2, 8])
    0.76470...
    """
    return _d2_pinball("d2_absolute_error_score", y_true, y_pred, sample_weight, 0.5, multioutput)
