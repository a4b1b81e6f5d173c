"""Probabilistic scores with scikit-learn names and semantics: log loss, Brier score and their D².

Host path: classes are ``labels`` (sorted, with scikit-learn's warning when they are not) or the
sorted labels of ``y_true`` (``LabelBinarizer``; numbers, strings or objects); 1-D probabilities are
the positive class of a binary problem. Checks, messages, warnings and result types (Python
``float``) are scikit-learn 1.9.1's (``jmetrics.sk._proba_inputs``). Inside ``jit`` ``y_true`` holds
class indices ``0..C-1`` of the ``C`` probability columns (or values of ``labels``), 1-D
probabilities go with 0/1 labels, and bad input gives NaN.
"""

from __future__ import annotations

import warnings
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

from jmetrics._floor._checks import accum_dtype
from jmetrics._floor._options import check_choice
from jmetrics._floor._ratios import weighted_mean
from jmetrics.sk._common import (
    check_consistent,
    host_result,
    is_traced,
    poison,
    user_stacklevel,
    warn,
)
from jmetrics.sk._proba_inputs import (
    binary_targets,
    eps_of,
    host_proba,
    multiclass_targets,
    traced_targets,
)
from jmetrics.sk._score_checks import check_ndim

__all__ = ["brier_score_loss", "d2_brier_score", "d2_log_loss_score", "log_loss"]


def _average(v: Any, w: Any, normalize: bool = True) -> Any:
    """The weighted mean of the rows' values, or their weighted sum (``normalize=False``)."""
    if normalize:
        return weighted_mean(v, w)
    return (v if w is None else v * w).sum()


def _renamed(metric: str, y_proba: Any, y_pred: Any) -> Any:
    """scikit-learn 1.9's rename of ``y_pred`` to ``y_proba`` (the old keyword warns ``FutureWarning``)."""
    if isinstance(y_pred, str) and y_pred == "deprecated":
        if y_proba is None:  # scikit-learn's classes: log_loss fails checking None, D² measuring it
            error = ValueError if metric == "log_loss" else TypeError
            raise error(f"{metric}: y_proba (the predicted probabilities) must be given; got None.")
        return y_proba
    if y_proba is not None:
        raise ValueError(f"{metric}: Cannot use both `y_pred` and `y_proba`. `y_pred` is deprecated, use "
                         "`y_proba` instead.")
    warnings.warn(f"{metric}: `y_pred` was renamed to `y_proba` in version 1.9 and will be removed in 1.11. "
                  "Use `y_proba` instead.", FutureWarning, stacklevel=user_stacklevel())
    return y_pred


def _log_loss_rows(xp: Any, onehot: Any, p: Any, eps: float) -> Any:
    """``-sum_k y_ik log clip(p_ik, eps, 1 - eps)`` per row (``xlogy``: 0 where ``y_ik == 0``)."""
    p = xp.clip(p, eps, 1 - eps)
    return -xp.where(onehot != 0, onehot * xp.log(p), 0).sum(axis=1)


def _brier_rows(xp: Any, onehot: Any, p: Any, eps: float) -> Any:
    return ((onehot - p) ** 2).sum(axis=1)


def _traced_eps(y_proba: Any) -> float:
    return eps_of(jnp.asarray(y_proba).dtype if is_traced(y_proba) else np.asarray(y_proba).dtype)


def log_loss(y_true: ArrayLike, y_proba: ArrayLike | None = None, *, normalize: bool = True,
             sample_weight: ArrayLike | None = None, labels: Any = None, y_pred: Any = "deprecated") -> Any:
    """Cross-entropy of probabilities, as ``sklearn.metrics.log_loss``.

    .. math:: L = -\\mathrm{mean}_w \\sum_k y_{ik} \\log \\mathrm{clip}(p_{ik}, \\epsilon, 1 - \\epsilon)

    with ``epsilon`` the machine epsilon of ``y_proba``'s dtype as scikit-learn 1.9.1 reads it
    (integer and bool probabilities are float64, so 0/1 predictions cost ``-log(2.2e-16) = 36.04``
    per miss, also inside ``jit``; float64 arrays passed to ``jit`` without x64 arrive as float32 and
    are clipped at float32's epsilon). Rows that do not sum to one are used as given (with a warning
    on the host). ``y_pred=`` is the deprecated name of ``y_proba`` (``FutureWarning``).

    Bad input raises ``ValueError`` on the host, as scikit-learn; inside ``jit`` the result is NaN.

    >>> import jmetrics.sk as sk
    >>> round(sk.log_loss(["spam", "ham", "ham", "spam"], [[.1, .9], [.9, .1], [.8, .2], [.35, .65]]), 6)
    0.216162
    """
    metric = "log_loss"
    y_proba = _renamed(metric, y_proba, y_pred)
    if is_traced(y_true, y_proba, sample_weight):
        onehot, p, w, bad = traced_targets(metric, y_true, y_proba, sample_weight, labels, "largest")
        return poison(_average(_log_loss_rows(jnp, onehot, p, _traced_eps(y_proba)), w, normalize), bad)
    p = host_proba(metric, y_proba)
    onehot, p, w = multiclass_targets(metric, y_true, p, sample_weight, labels)
    return host_result(_average(_log_loss_rows(np, onehot.astype(p.dtype), p, eps_of(p.dtype)), w, normalize))


def brier_score_loss(y_true: ArrayLike, y_proba: ArrayLike, *, sample_weight: ArrayLike | None = None,
                     pos_label: Any = None, labels: Any = None, scale_by_half: Any = "auto") -> Any:
    """Brier score ``mean_w sum_k (y_ik - p_ik)^2``, as ``sklearn.metrics.brier_score_loss``.

    ``scale_by_half='auto'`` halves it for binary problems (1-D or two-column ``y_proba``), which
    gives the classic binary Brier score ``mean_w (y - p)^2``. With 1-D ``y_proba`` the positive
    class is ``pos_label``, else 1 for labels {0, 1} / {-1, 1}, else the larger numeric label
    (scikit-learn's rule; string labels need ``pos_label``; inside ``jit`` pass ``pos_label`` for
    labels other than {0, 1} / {-1, 1}, else NaN).

    >>> import jmetrics.sk as sk
    >>> round(sk.brier_score_loss([0, 1, 1, 0], [0.1, 0.9, 0.8, 0.3]), 6)
    0.0375
    """
    metric = "brier_score_loss"
    check_choice(metric, "scale_by_half", scale_by_half, ("auto", True, False))
    binary = np.ndim(y_proba) == 1 or np.shape(y_proba)[1] < 3
    half = scale_by_half is True or (scale_by_half == "auto" and binary)
    if is_traced(y_true, y_proba, sample_weight):
        onehot, p, w, bad = traced_targets(metric, y_true, y_proba, sample_weight, labels, pos_label)
        res = _average(_brier_rows(jnp, onehot, p, 0.0), w)
        return poison(res * 0.5 if half else res, bad)
    onehot, p, w = _host_targets(metric, y_true, y_proba, sample_weight, labels, pos_label)
    res = _average(_brier_rows(np, onehot.astype(p.dtype), p, 0.0), w)
    return host_result(res * 0.5 if half else res)


def _host_targets(metric: str, y_true: Any, y_proba: Any, sample_weight: Any, labels: Any,
                  pos_label: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Brier's inputs: 1-D (or one-column) probabilities are binary, others multiclass."""
    p = host_proba(metric, y_proba)
    if p.ndim == 1 or p.shape[1] == 1:
        return binary_targets(metric, y_true, p, sample_weight, pos_label)
    return multiclass_targets(metric, y_true, p, sample_weight, labels)


def _few_samples(metric: str, y_true: Any, y_proba: Any, sample_weight: Any) -> bool:
    """scikit-learn's first check of the D² scores: lengths, then fewer than two samples warns
    (:class:`UndefinedMetricWarning`; silent inside ``jit``) and the score is NaN."""
    if is_traced(y_true, y_proba, sample_weight):
        check_ndim(metric, "y_proba", y_proba)
        n = check_consistent(metric, y_proba=y_proba, y_true=y_true)
        return n < 2
    n = check_consistent(metric, y_proba=y_proba, y_true=y_true, sample_weight=sample_weight)
    if n < 2:
        warn(metric, "D^2 score is not well-defined with less than two samples.")
    return n < 2


def _d2_traced(metric: str, y_true: Any, y_proba: Any, sample_weight: Any, labels: Any, pos_label: Any,
               rows: Any) -> jax.Array:
    onehot, p, w, bad = traced_targets(metric, y_true, y_proba, sample_weight, labels, pos_label)
    eps = _traced_eps(y_proba)
    prior = weighted_mean(onehot, w)
    null = jnp.broadcast_to(prior.astype(p.dtype), p.shape)
    return poison(1 - _average(rows(jnp, onehot, p, eps), w) / _average(rows(jnp, onehot, null, eps), w), bad)


def d2_log_loss_score(y_true: ArrayLike, y_proba: ArrayLike | None = None, *,
                      sample_weight: ArrayLike | None = None, labels: Any = None,
                      y_pred: Any = "deprecated") -> Any:
    """D² of the log loss, ``1 - log_loss(y, p) / log_loss(y, prior)``, as ``sklearn.metrics.d2_log_loss_score``.

    The null model predicts the (weighted) class frequencies of ``y_true`` for every row. Fewer
    than two samples: NaN with a warning (after the length check, before any other, as
    scikit-learn). Bad input as :func:`log_loss`. ``y_pred=`` is the deprecated name of ``y_proba``.

    >>> import jmetrics.sk as sk
    >>> round(sk.d2_log_loss_score([1, 0, 0, 1], [[.1, .9], [.9, .1], [.8, .2], [.35, .65]]), 6)
    0.688144
    """
    metric = "d2_log_loss_score"
    y_proba = _renamed(metric, y_proba, y_pred)
    if _few_samples(metric, y_true, y_proba, sample_weight):
        return jnp.asarray(jnp.nan, accum_dtype()) if is_traced(y_true, y_proba, sample_weight) else float("nan")
    if is_traced(y_true, y_proba, sample_weight):
        return _d2_traced(metric, y_true, y_proba, sample_weight, labels, "largest", _log_loss_rows)
    p = host_proba(metric, y_proba)
    onehot, p, w = multiclass_targets(metric, y_true, p, sample_weight, labels)
    null = np.broadcast_to(np.average(onehot, axis=0, weights=w), p.shape)  # float64, as scikit-learn's
    loss = _average(_log_loss_rows(np, onehot.astype(p.dtype), p, eps_of(p.dtype)), w, False)
    return host_result(1 - loss / _average(_log_loss_rows(np, onehot, null, eps_of(null.dtype)), w, False))


def d2_brier_score(y_true: ArrayLike, y_proba: ArrayLike, *, sample_weight: ArrayLike | None = None,
                   pos_label: Any = None, labels: Any = None) -> Any:
    """D² of the Brier score against the class-frequency null model, as ``sklearn.metrics.d2_brier_score``.

    Fewer than two samples: NaN with a warning. Bad input as :func:`brier_score_loss`.

    >>> import jmetrics.sk as sk
    >>> round(sk.d2_brier_score([0, 1, 1, 0], [0.1, 0.9, 0.8, 0.3]), 6)
    0.85
    """
    metric = "d2_brier_score"
    if _few_samples(metric, y_true, y_proba, sample_weight):
        return jnp.asarray(jnp.nan, accum_dtype()) if is_traced(y_true, y_proba, sample_weight) else float("nan")
    if is_traced(y_true, y_proba, sample_weight):
        return _d2_traced(metric, y_true, y_proba, sample_weight, labels, pos_label, _brier_rows)
    onehot, p, w = _host_targets(metric, y_true, y_proba, sample_weight, labels, pos_label)
    onehot = onehot.astype(p.dtype)
    null = np.broadcast_to(np.average(onehot, axis=0, weights=w), p.shape)
    loss = _average(_brier_rows(np, onehot, p, 0.0), w)
    return host_result(1 - loss / _average(_brier_rows(np, onehot, null, 0.0), w))
