"""Probabilistic and top-k scores with scikit-learn names and semantics: log loss, Brier, top-k accuracy.

Host path: classes are ``labels`` or the sorted labels of ``y_true`` (scikit-learn's
``LabelBinarizer``); 1-D probabilities are the positive class of a binary problem. Inside ``jit``
``y_true`` holds class indices ``0..C-1`` of the ``C`` probability columns (or values of ``labels``,
a tuple), and 1-D probabilities go with 0/1 labels.
"""

from __future__ import annotations

import warnings
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

from jmetrics._checks import accum_dtype, check_choice
from jmetrics.sk._common import (
    check_finite,
    host,
    host_weight,
    is_traced,
    jax_weight,
    out,
    warn,
)
from jmetrics.sk._score_checks import (
    any_bad,
    check_labels,
    check_ndim,
    check_nonempty,
    check_same_length,
    check_weight,
    nan_if,
    traced_binary01,
    traced_not_finite,
    traced_not_integer,
)

__all__ = ["brier_score_loss", "d2_brier_score", "d2_log_loss_score", "log_loss", "top_k_accuracy_score"]


def _encode(metric: str, y: Any, labels: Any, traced: bool) -> tuple[Any, int | None]:
    """Class indices of ``y`` and the class count (host), as ``LabelBinarizer`` orders them."""
    if traced:
        if labels is None:
            return jnp.asarray(y).astype(jnp.int32), None
        lab = jnp.asarray(labels)
        return jnp.argmax(jnp.asarray(y)[:, None] == lab[None, :], axis=1), len(labels)
    classes = np.unique(y) if labels is None else np.asarray(labels)
    if labels is not None:
        if not np.array_equal(np.unique(classes), classes):
            raise ValueError(f"{metric}: labels must be sorted and unique; got {classes.tolist()}.")
        if not np.isin(y, classes).all():
            raise ValueError(f"{metric}: y_true contains values not in labels; got "
                             f"{np.setdiff1d(y, classes).tolist()}.")
    if classes.shape[0] == 1:
        raise ValueError(f"{metric}: y_true contains only one label ({classes[0].item()!r}); pass the true "
                         "labels through the labels argument.")
    return np.searchsorted(classes, y), int(classes.shape[0])


def _eps(dtype: Any) -> float:
    """scikit-learn's clipping epsilon: integer and bool probabilities are read as float64."""
    dt = np.dtype(dtype)
    return float(np.finfo(np.float64 if dt.kind in "biu" else dt).eps)


def _traced_labels_bad(y: Any, p: Any, labels: Any, pos_label: Any) -> Any:
    """Traced flag of what scikit-learn refuses in ``y_true`` (see :func:`_proba_inputs`)."""
    bad = traced_not_integer(y)
    if y.ndim == 2:  # label indicator matrix
        return any_bad(bad, ((y != 0) & (y != 1)).any())
    if labels is not None:
        return any_bad(bad, ~(y[:, None] == jnp.asarray(labels)[None, :]).any(axis=1).all())
    one_class = (y == y[0]).all()
    if p.ndim == 2:
        return any_bad(bad, ~((y >= 0) & (y < p.shape[1])).all(), one_class)
    if pos_label == "largest":
        return any_bad(bad, traced_binary01(y), one_class)
    if pos_label is None:
        return any_bad(bad, traced_binary01(y))
    lo, hi = y.min(), y.max()
    return any_bad(bad, ~((y == lo) | (y == hi)).all())


def _proba_inputs(metric: str, y_true: Any, y_proba: Any, sample_weight: Any, labels: Any, pos_label: Any = None):
    """``(traced, onehot (N, K), proba (N, K), w, bad, eps)`` for log loss and Brier.

    Refused as scikit-learn 1.9.1 refuses (host: ``ValueError``; traced: ``bad`` set, the result
    NaN): probabilities outside [0, 1] or not finite, NaN/infinite weights, NaN or non-integer
    labels, a 2-D ``y_true`` that is not a 0/1 indicator, labels outside ``labels`` (or, traced
    without ``labels``, outside 0..K-1), one class without ``labels`` (log loss and the
    multiclass forms), and binary labels other than {0, 1} / {-1, 1} inside ``jit``.
    """
    dtype0 = np.asarray(y_proba).dtype if not is_traced(y_proba) else y_proba.dtype
    eps = _eps(dtype0)
    traced = is_traced(y_true, y_proba, sample_weight)
    y = jnp.asarray(y_true) if traced else host(y_true, metric, "y_true")
    p = jnp.asarray(y_proba) if traced else (np.asarray(y_proba) if dtype0 == np.float16
                                             else host(y_proba, metric, "y_proba"))
    check_ndim(metric, "y_true", y)
    check_ndim(metric, "y_proba", p)
    n = check_same_length(metric, y_true=y, y_proba=p)
    check_nonempty(metric, "y_proba", p)
    if p.ndim == 2 and y.ndim == 2 and y.shape[1] > 1 and y.shape != p.shape:
        raise ValueError(f"{metric}: a 2-D y_true must have the shape of y_proba; got {tuple(y.shape)} "
                         f"and {tuple(p.shape)}.")
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if traced:
        return _traced_proba(metric, y, p, sample_weight, labels, pos_label, n, eps)
    return _host_proba(metric, y, p, sample_weight, labels, pos_label, n, eps)


def _traced_proba(metric: str, y: Any, p: Any, sample_weight: Any, labels: Any, pos_label: Any, n: int, eps: float):
    p = p.astype(jnp.promote_types(p.dtype, jnp.float32))
    w = jax_weight(metric, sample_weight, n, p.dtype)
    bad = any_bad(traced_not_finite(p, w), ((p < 0) | (p > 1)).any(), _traced_labels_bad(y, p, labels, pos_label))
    if y.ndim == 2:
        return True, y.astype(p.dtype), p, w, bad, eps
    if p.ndim == 1 or p.shape[1] == 1:
        p = p.reshape(-1)
        if labels is not None and pos_label == "largest":
            pos = y == jnp.asarray(labels)[-1]
        else:
            pos = y == (1 if pos_label in (None, "largest") else pos_label)
        return True, jnp.stack([~pos, pos], 1).astype(p.dtype), jnp.stack([1 - p, p], 1), w, bad, eps
    enc, _ = _encode(metric, y, labels, True)
    return True, (enc[:, None] == jnp.arange(p.shape[1])[None, :]).astype(p.dtype), p, w, bad, eps


def _host_proba(metric: str, y: Any, p: Any, sample_weight: Any, labels: Any, pos_label: Any, n: int, eps: float):
    p = p.astype(np.float64) if p.dtype.kind != "f" else p
    check_weight(metric, sample_weight)
    w = host_weight(metric, sample_weight, n)
    check_finite(metric, "y_proba", p)
    check_finite(metric, "y_true", y)
    check_labels(metric, y)
    if p.max() > 1 or p.min() < 0:
        raise ValueError(f"{metric}: y_proba must be in [0, 1]; got values in [{p.min()}, {p.max()}].")
    if y.ndim == 2:  # a label indicator matrix
        if ((y != 0) & (y != 1)).any():
            raise ValueError(f"{metric}: a 2-D y_true must be a 0/1 label indicator matrix; got values "
                             f"{np.unique(y[(y != 0) & (y != 1)])[:5].tolist()} (multioutput targets are not "
                             "supported).")
        onehot = y.astype(p.dtype)
    elif p.ndim == 1 or p.shape[1] == 1:
        p = p.reshape(-1)
        pos = y == _host_pos_label(metric, y, labels, pos_label, p.shape)
        onehot = np.stack([~pos, pos], 1).astype(p.dtype)
        p = np.stack([1 - p, p], 1)
    else:
        enc, k = _encode(metric, y, labels, False)
        onehot = (enc[:, None] == np.arange(k or 0)[None, :]).astype(p.dtype)
        if k != p.shape[1]:
            raise ValueError(f"{metric}: y_proba must have one column per class; got {k} classes and "
                             f"y_proba shape {tuple(p.shape)}.")
    if not np.allclose(p.sum(axis=1), 1, rtol=np.sqrt(np.finfo(p.dtype).eps), atol=0):
        warnings.warn(f"{metric}: the y_proba values do not sum to one. Make sure to pass probabilities.",
                      UserWarning, stacklevel=4)
    return False, onehot, p, w, None, eps


def _host_pos_label(metric: str, y: np.ndarray, labels: Any, pos_label: Any, shape: tuple) -> Any:
    """The positive label of 1-D probabilities (log loss: the larger class; Brier: sklearn's rule)."""
    if pos_label == "largest":  # log_loss: LabelBinarizer's order, the larger label is positive
        _, k = _encode(metric, y, labels, False)
        if k != 2:
            raise ValueError(f"{metric}: y_proba must have one column per class; got {k} classes and "
                             f"y_proba shape {shape}.")
        return (np.unique(y) if labels is None else np.asarray(labels))[-1]
    classes = np.unique(y)
    if classes.shape[0] > 2:
        raise ValueError(f"{metric}: y_true must be binary for 1-D y_proba; got {classes.shape[0]} classes "
                         f"{classes[:5].tolist()}.")
    if pos_label is not None:
        return pos_label
    if any(np.array_equal(classes, c) for c in ([0, 1], [-1, 1], [0], [1], [-1])):
        return 1
    return classes[-1]  # scikit-learn's fallback for numeric labels: the larger one


def _average(xp: Any, v: Any, w: Any, normalize: bool = True) -> Any:
    if w is None:
        return v.mean() if normalize else v.sum()
    return (v * w).sum() / w.sum() if normalize else (v * w).sum()


def _renamed(metric: str, y_proba: Any, y_pred: Any) -> Any:
    """scikit-learn 1.9's rename of ``y_pred`` to ``y_proba`` (the old keyword warns ``FutureWarning``)."""
    if isinstance(y_pred, str) and y_pred == "deprecated":
        if y_proba is None:
            raise TypeError(f"{metric}: missing the probabilities y_proba.")
        return y_proba
    if y_proba is not None:
        raise ValueError(f"{metric}: cannot use both y_pred and y_proba; y_pred is deprecated, use y_proba.")
    warnings.warn(f"{metric}: `y_pred` was renamed to `y_proba` in version 1.9 and will be removed in 1.11. "
                  "Use `y_proba` instead.", FutureWarning, stacklevel=3)
    return y_pred


def _log_loss_rows(xp: Any, onehot: Any, p: Any, eps: float) -> Any:
    """``-sum_k y_ik log clip(p_ik, eps, 1 - eps)`` per row (``xlogy``: 0 where ``y_ik == 0``)."""
    p = xp.clip(p, eps, 1 - eps)
    return -xp.where(onehot != 0, onehot * xp.log(p), 0).sum(axis=1)


def log_loss(y_true: ArrayLike, y_proba: ArrayLike | None = None, *, normalize: bool = True,
             sample_weight: ArrayLike | None = None, labels: Any = None, y_pred: Any = "deprecated") -> jax.Array:
    """Cross-entropy of probabilities, as ``sklearn.metrics.log_loss``.

    .. math:: L = -\\mathrm{mean}_w \\sum_k y_{ik} \\log \\mathrm{clip}(p_{ik}, \\epsilon, 1 - \\epsilon)

    with ``epsilon`` the machine epsilon of ``y_proba``'s dtype as scikit-learn 1.9.1 reads it
    (integer and bool probabilities are float64, so 0/1 predictions cost ``-log(2.2e-16) = 36.04``
    per miss, also inside ``jit``; float64 arrays passed to ``jit`` without x64 arrive as float32 and
    are clipped at float32's epsilon). Rows that do not sum to one are used as given (with a warning
    on the host). ``y_pred=`` is the deprecated name of ``y_proba`` (``FutureWarning``).

    Bad input (see :func:`_proba_inputs`) raises ``ValueError`` on the host, as scikit-learn;
    inside ``jit`` the result is NaN.

    >>> import jmetrics.sk as sk
    >>> sk.log_loss([1, 0, 0, 1], [[.1, .9], [.9, .1], [.8, .2], [.35, .65]])
    Array(0.21616..., dtype=float32)
    """
    metric = "log_loss"
    y_proba = _renamed(metric, y_proba, y_pred)
    traced, onehot, p, w, bad, eps = _proba_inputs(metric, y_true, y_proba, sample_weight, labels, "largest")
    xp = jnp if traced else np
    res = _average(xp, _log_loss_rows(xp, onehot, p, eps), w, normalize)
    return nan_if(bad, res) if traced else out(res)


def _d2(metric: str, y_true: Any, y_proba: Any, sample_weight: Any, labels: Any, pos_label: Any, rows: Any) -> jax.Array:
    """``1 - loss(p) / loss(prior)`` with the (weighted) class frequencies as the null model."""
    check_ndim(metric, "y_proba", y_proba)
    n = check_same_length(metric, y_true=y_true, y_proba=y_proba, sample_weight=sample_weight
                          if np.ndim(sample_weight) else None)
    if n < 2:  # scikit-learn checks this before anything else
        if not is_traced(y_true, y_proba, sample_weight):
            warn(metric, "D^2 score is not well-defined with less than two samples.")
        return jnp.asarray(jnp.nan, accum_dtype())
    traced, onehot, p, w, bad, eps = _proba_inputs(metric, y_true, y_proba, sample_weight, labels, pos_label)
    xp = jnp if traced else np
    prior = onehot.mean(axis=0) if w is None else (onehot * w[:, None]).sum(axis=0) / w.sum()
    null = xp.broadcast_to(prior.astype(p.dtype) if xp is jnp else prior, p.shape)
    res = 1 - _average(xp, rows(xp, onehot, p, eps), w) / _average(xp, rows(xp, onehot, null, eps), w)
    return nan_if(bad, res) if traced else out(res)


def d2_log_loss_score(y_true: ArrayLike, y_proba: ArrayLike | None = None, *,
                      sample_weight: ArrayLike | None = None, labels: Any = None,
                      y_pred: Any = "deprecated") -> jax.Array:
    """D² of the log loss, ``1 - log_loss(y, p) / log_loss(y, prior)``, as ``sklearn.metrics.d2_log_loss_score``.

    The null model predicts the (weighted) class frequencies of ``y_true`` for every row. Fewer
    than two samples: NaN with a warning (before any other check, as scikit-learn). Bad input as
    :func:`log_loss`. ``y_pred=`` is the deprecated name of ``y_proba``.

    >>> import jmetrics.sk as sk
    >>> sk.d2_log_loss_score([1, 0, 0, 1], [[.1, .9], [.9, .1], [.8, .2], [.35, .65]])
    Array(0.68815..., dtype=float32)
    """
    metric = "d2_log_loss_score"
    y_proba = _renamed(metric, y_proba, y_pred)
    return _d2(metric, y_true, y_proba, sample_weight, labels, "largest", _log_loss_rows)


def _brier_rows(xp: Any, onehot: Any, p: Any, eps: float) -> Any:
    return ((onehot - p) ** 2).sum(axis=1)


def d2_brier_score(y_true: ArrayLike, y_proba: ArrayLike, *, sample_weight: ArrayLike | None = None,
                   pos_label: Any = None, labels: Any = None) -> jax.Array:
    """D² of the Brier score against the class-frequency null model, as ``sklearn.metrics.d2_brier_score``.

    Fewer than two samples: NaN with a warning. Bad input as :func:`brier_score_loss`.

    >>> import jmetrics.sk as sk
    >>> sk.d2_brier_score([0, 1, 1, 0], [0.1, 0.9, 0.8, 0.3])
    Array(0.85, dtype=float32)
    """
    return _d2("d2_brier_score", y_true, y_proba, sample_weight, labels, pos_label, _brier_rows)


def brier_score_loss(y_true: ArrayLike, y_proba: ArrayLike, *, sample_weight: ArrayLike | None = None,
                     pos_label: Any = None, labels: Any = None, scale_by_half: Any = "auto") -> jax.Array:
    """Brier score ``mean_w sum_k (y_ik - p_ik)^2``, as ``sklearn.metrics.brier_score_loss``.

    ``scale_by_half='auto'`` halves it for binary problems (1-D or two-column ``y_proba``), which
    gives the classic binary Brier score ``mean_w (y - p)^2``. With 1-D ``y_proba`` the positive
    class is ``pos_label``, else 1 for labels {0, 1} / {-1, 1}, else the larger label
    (scikit-learn's rule; inside ``jit`` pass ``pos_label`` for other labels, else NaN).

    >>> import jmetrics.sk as sk
    >>> sk.brier_score_loss([0, 1, 1, 0], [0.1, 0.9, 0.8, 0.3])
    Array(0.0375, dtype=float32)
    """
    metric = "brier_score_loss"
    check_choice(metric, "scale_by_half", scale_by_half, ("auto", True, False))
    ndim = np.ndim(y_proba)
    cols = 1 if ndim == 1 else np.shape(y_proba)[1]
    traced, onehot, p, w, bad, eps = _proba_inputs(metric, y_true, y_proba, sample_weight, labels, pos_label)
    xp = jnp if traced else np
    res = _average(xp, _brier_rows(xp, onehot, p, eps), w)
    if scale_by_half is True or (scale_by_half == "auto" and (ndim == 1 or cols < 3)):
        res = res * 0.5
    return nan_if(bad, res) if traced else out(res)


def top_k_accuracy_score(y_true: ArrayLike, y_score: ArrayLike, *, k: int = 2, normalize: bool = True,
                         sample_weight: ArrayLike | None = None, labels: Any = None) -> jax.Array:
    """Fraction of samples whose true class is among the ``k`` highest scores, as ``sklearn.metrics.top_k_accuracy_score``.

    Ties are broken as scikit-learn's reversed stable sort does: among equal scores the class with
    the larger index ranks first. Binary 1-D (or ``(n, 1)``) scores: with ``k=1`` a prediction is
    the score above 0.5 (probabilities) or 0 (decision values); ``k >= 2`` is always a hit. As
    scikit-learn, the classes present in ``y_true`` (or ``labels``) must match the score columns
    (two for 1-D scores), 1-D scores with more than two classes raise, and ``k >= n_classes`` warns
    (:class:`UndefinedMetricWarning`). Inside ``jit`` classes are 0..C-1 (0/1 for 1-D scores) or
    ``labels``; other labels, non-finite scores or weights give NaN.

    >>> import jmetrics.sk as sk
    >>> sk.top_k_accuracy_score([0, 1, 2, 2], [[.5, .2, .2], [.3, .4, .2], [.2, .4, .3], [.7, .2, .1]], k=2)
    Array(0.75, dtype=float32)
    """
    metric = "top_k_accuracy_score"
    if not isinstance(k, int) or k < 1:
        raise ValueError(f"{metric}: k must be a positive int; got {k!r}.")
    traced = is_traced(y_true, y_score, sample_weight)
    xp: Any = jnp if traced else np
    y: Any = jnp.asarray(y_true) if traced else host(y_true, metric, "y_true")
    s: Any = jnp.asarray(y_score) if traced else host(y_score, metric, "y_score")
    check_ndim(metric, "y_true", y)
    check_ndim(metric, "y_score", s)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim == 2:
        raise ValueError(f"{metric}: y_true must be binary or multiclass labels (1-D); got shape {tuple(y.shape)}.")
    n = check_same_length(metric, y_true=y, y_score=s)
    check_nonempty(metric, "y_true", y)
    w: Any = jax_weight(metric, sample_weight, n) if traced else _top_k_host_checks(metric, y, s, sample_weight, n)
    binary = s.ndim == 1 or s.shape[1] == 1
    n_classes = 2 if binary else s.shape[1]
    if not traced:
        n_classes = _top_k_classes(metric, y, s, labels, binary)
        if k >= n_classes:
            warn(metric, f"'k' ({k}) greater than or equal to 'n_classes' ({n_classes}) will result in a "
                 "perfect score and is therefore meaningless.")
    enc, _ = _encode(metric, y, labels, traced) if traced or labels is not None else (
        np.searchsorted(np.unique(y), y), None)
    bad = None
    if traced:
        lab = jnp.arange(n_classes) if labels is None else jnp.asarray(labels)
        bad = any_bad(traced_not_finite(s, w), traced_not_integer(y),
                      ~(y[:, None] == lab[None, :]).any(axis=1).all())
    if binary:
        s = s.reshape(-1)
        if k == 1:
            thr = xp.where((s.min() >= 0) & (s.max() <= 1), 0.5, 0.0)
            hits = (s > thr).astype(xp.int32) == enc
        else:
            hits = xp.ones(s.shape, bool)
    else:
        true_score = xp.take_along_axis(s, enc[:, None], axis=1)
        idx = xp.arange(s.shape[1])[None, :]
        ahead = (s > true_score) | ((s == true_score) & (idx > enc[:, None]))
        hits = ahead.sum(axis=1) < k
    if w is None:
        count = hits.sum()
        res = count / hits.shape[0] if normalize else count
    else:
        res = _average(xp, hits.astype(w.dtype), w, normalize)
    return nan_if(bad, res) if traced else out(res)


def _top_k_host_checks(metric: str, y: np.ndarray, s: np.ndarray, sample_weight: Any, n: int) -> Any:
    check_finite(metric, "y_score", s)
    check_finite(metric, "y_true", y)
    check_labels(metric, y)
    check_weight(metric, sample_weight)
    return host_weight(metric, sample_weight, n)


def _top_k_classes(metric: str, y: np.ndarray, s: np.ndarray, labels: Any, binary: bool) -> int:
    """scikit-learn's class checks of ``top_k_accuracy_score``; returns ``n_classes``."""
    classes = np.unique(y) if labels is None else np.asarray(labels)
    multiclass = classes.shape[0] > 2 if labels is None else (np.unique(y).shape[0] > 2 or len(classes) > 2)
    if multiclass and s.ndim == 1:
        raise ValueError(f"{metric}: y_score must have shape (n_samples, n_classes) since y_true contains "
                         f"multiple classes; got {tuple(s.shape)}.")
    if not multiclass and not binary:
        raise ValueError(f"{metric}: y_true is binary while y_score is 2-D with {s.shape[1]} classes; pass "
                         "labels if y_true does not contain all the labels.")
    score_classes = 2 if binary else s.shape[1]
    if labels is not None:
        if np.unique(classes).shape[0] != classes.shape[0]:
            raise ValueError(f"{metric}: labels must be unique; got {classes.tolist()}.")
        if not np.array_equal(np.sort(classes), classes):
            raise ValueError(f"{metric}: labels must be ordered; got {classes.tolist()}.")
        if np.setdiff1d(y, classes).size:
            raise ValueError(f"{metric}: y_true contains labels not in labels; got {np.setdiff1d(y, classes).tolist()}.")
    if classes.shape[0] != score_classes:
        raise ValueError(f"{metric}: y_score must have one column per class; got {classes.shape[0]} classes "
                         f"and {score_classes} score classes (y_score shape {tuple(s.shape)})"
                         + ("" if labels is not None else "; pass labels if some class is absent") + ".")
    return int(classes.shape[0])
