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
    check_consistent,
    check_finite,
    host,
    host_weight,
    is_traced,
    jax_weight,
    out,
    warn,
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
        raise ValueError(f"{metric}: y_true contains only one label ({classes[0]!r}); pass the true labels "
                         "through the labels argument.")
    return np.searchsorted(classes, y), int(classes.shape[0])


def _proba_inputs(metric: str, y_true: Any, y_proba: Any, sample_weight: Any, labels: Any, pos_label: Any = None):
    """``(traced, onehot (N, K), proba (N, K), w)`` for log loss and Brier."""
    p: Any
    w: Any
    onehot: Any
    if is_traced(y_true, y_proba, sample_weight):
        p = jnp.asarray(y_proba)
        p = p.astype(jnp.promote_types(p.dtype, jnp.float32))
        w = jax_weight(metric, sample_weight, p.shape[0], p.dtype)
        if p.ndim == 1 or p.shape[1] == 1:
            p = p.reshape(-1)
            pos = jnp.asarray(y_true) == (1 if pos_label in (None, "largest") else pos_label)
            return True, jnp.stack([~pos, pos], 1).astype(p.dtype), jnp.stack([1 - p, p], 1), w
        enc, _ = _encode(metric, y_true, labels, True)
        return True, (enc[:, None] == jnp.arange(p.shape[1])[None, :]).astype(p.dtype), p, w
    y = host(y_true, metric, "y_true")
    p = host(y_proba, metric, "y_proba")
    p = p.astype(np.float64) if p.dtype.kind != "f" else p
    n = check_consistent(metric, y_true=y, y_proba=p)
    w = host_weight(metric, sample_weight, n)
    check_finite(metric, "y_proba", p)
    if p.max() > 1 or p.min() < 0:
        raise ValueError(f"{metric}: y_proba must be in [0, 1]; got values in [{p.min()}, {p.max()}].")
    if y.ndim == 2 and y.shape[1] > 1:  # a label indicator matrix
        onehot = y.astype(p.dtype)
    elif p.ndim == 1 or p.shape[1] == 1:
        p = p.reshape(-1)
        if pos_label == "largest":  # log_loss: LabelBinarizer's order, the larger label is positive
            _, k = _encode(metric, y.reshape(-1), labels, False)
            classes = np.unique(y) if labels is None else np.asarray(labels)
            if k != 2:
                raise ValueError(f"{metric}: y_proba must have one column per class; got {k} classes and "
                                 f"y_proba shape {tuple(np.shape(y_proba))}.")
            pos_label = classes[-1]
        elif pos_label is None:
            classes = np.unique(y)
            if not any(np.array_equal(classes, c) for c in ([0, 1], [-1, 1], [0], [1], [-1])):
                raise ValueError(f"{metric}: y_true takes values {classes.tolist()}; specify pos_label "
                                 "(labels other than {0, 1} or {-1, 1} need it).")
            pos_label = 1
        pos = y.reshape(-1) == pos_label
        onehot = np.stack([~pos, pos], 1).astype(p.dtype)
        p = np.stack([1 - p, p], 1)
    else:
        enc, k = _encode(metric, y.reshape(-1), labels, False)
        onehot = (enc[:, None] == np.arange(k or 0)[None, :]).astype(p.dtype)
        if k == 2 and p.shape[1] == 2:
            pass
        elif k != p.shape[1]:
            raise ValueError(f"{metric}: y_proba must have one column per class; got {k} classes and "
                             f"y_proba shape {tuple(p.shape)}.")
    if not np.allclose(p.sum(axis=1), 1, rtol=np.sqrt(np.finfo(p.dtype).eps), atol=0):
        warnings.warn(f"{metric}: the y_proba values do not sum to one. Make sure to pass probabilities.",
                      UserWarning, stacklevel=3)
    return False, onehot, p, w


def _average(xp: Any, v: Any, w: Any, normalize: bool = True) -> Any:
    if w is None:
        return v.mean() if normalize else v.sum()
    return (v * w).sum() / w.sum() if normalize else (v * w).sum()


def log_loss(y_true: ArrayLike, y_proba: ArrayLike, *, normalize: bool = True,
             sample_weight: ArrayLike | None = None, labels: Any = None) -> jax.Array:
    """Cross-entropy of probabilities, as ``sklearn.metrics.log_loss``.

    .. math:: L = -\\mathrm{mean}_w \\sum_k y_{ik} \\log \\mathrm{clip}(p_{ik}, \\epsilon, 1 - \\epsilon)

    with ``epsilon`` the machine epsilon of ``y_proba``'s dtype (sklearn 1.9.1). Rows that do not
    sum to one are used as given (with a warning on the host). One class in ``y_true`` without
    ``labels`` raises ``ValueError`` as in scikit-learn.

    >>> import jmetrics.sk as sk
    >>> sk.log_loss([1, 0, 0, 1], [[.1, .9], [.9, .1], [.8, .2], [.35, .65]])
    Array(0.21616..., dtype=float32)
    """
    metric = "log_loss"
    traced, onehot, p, w = _proba_inputs(metric, y_true, y_proba, sample_weight, labels, "largest")
    xp = jnp if traced else np
    eps = float(np.finfo(p.dtype).eps)
    p = xp.clip(p, eps, 1 - eps)
    loss = -xp.where(onehot != 0, onehot * xp.log(p), 0).sum(axis=1)
    res = _average(xp, loss, w, normalize)
    return res if traced else out(res)


def _log_loss_rows(xp: Any, onehot: Any, p: Any) -> Any:
    eps = float(np.finfo(p.dtype).eps)
    p = xp.clip(p, eps, 1 - eps)
    return -xp.where(onehot != 0, onehot * xp.log(p), 0).sum(axis=1)


def _d2(metric: str, traced: bool, xp: Any, onehot: Any, p: Any, w: Any, rows: Any) -> jax.Array:
    """``1 - loss(p) / loss(prior)`` with the (weighted) class frequencies as the null model."""
    if onehot.shape[0] < 2:
        if not traced:
            warn(metric, "D^2 score is not well-defined with less than two samples.")
        return jnp.asarray(jnp.nan, accum_dtype())
    prior = onehot.mean(axis=0) if w is None else (onehot * w[:, None]).sum(axis=0) / w.sum()
    null = xp.broadcast_to(prior.astype(p.dtype) if xp is jnp else prior, p.shape)
    res = 1 - _average(xp, rows(xp, onehot, p), w) / _average(xp, rows(xp, onehot, null), w)
    return res if traced else out(res)


def d2_log_loss_score(y_true: ArrayLike, y_proba: ArrayLike, *, sample_weight: ArrayLike | None = None,
                      labels: Any = None) -> jax.Array:
    """D² of the log loss, ``1 - log_loss(y, p) / log_loss(y, prior)``, as ``sklearn.metrics.d2_log_loss_score``.

    The null model predicts the (weighted) class frequencies of ``y_true`` for every row. Fewer
    than two samples: NaN with a warning.

    >>> import jmetrics.sk as sk
    >>> sk.d2_log_loss_score([1, 0, 0, 1], [[.1, .9], [.9, .1], [.8, .2], [.35, .65]])
    Array(0.68815..., dtype=float32)
    """
    metric = "d2_log_loss_score"
    traced, onehot, p, w = _proba_inputs(metric, y_true, y_proba, sample_weight, labels, "largest")
    return _d2(metric, traced, jnp if traced else np, onehot, p, w, _log_loss_rows)


def d2_brier_score(y_true: ArrayLike, y_proba: ArrayLike, *, sample_weight: ArrayLike | None = None,
                   pos_label: Any = None, labels: Any = None) -> jax.Array:
    """D² of the Brier score against the class-frequency null model, as ``sklearn.metrics.d2_brier_score``.

    >>> import jmetrics.sk as sk
    >>> sk.d2_brier_score([0, 1, 1, 0], [0.1, 0.9, 0.8, 0.3])
    Array(0.85, dtype=float32)
    """
    metric = "d2_brier_score"
    traced, onehot, p, w = _proba_inputs(metric, y_true, y_proba, sample_weight, labels, pos_label)
    return _d2(metric, traced, jnp if traced else np, onehot, p, w,
               lambda xp, o, q: ((o - q) ** 2).sum(axis=1))


def brier_score_loss(y_true: ArrayLike, y_proba: ArrayLike, *, sample_weight: ArrayLike | None = None,
                     pos_label: Any = None, labels: Any = None, scale_by_half: Any = "auto") -> jax.Array:
    """Brier score ``mean_w sum_k (y_ik - p_ik)^2``, as ``sklearn.metrics.brier_score_loss``.

    ``scale_by_half='auto'`` halves it for binary problems (1-D or two-column ``y_proba``), which
    gives the classic binary Brier score ``mean_w (y - p)^2``.

    >>> import jmetrics.sk as sk
    >>> sk.brier_score_loss([0, 1, 1, 0], [0.1, 0.9, 0.8, 0.3])
    Array(0.0375, dtype=float32)
    """
    metric = "brier_score_loss"
    check_choice(metric, "scale_by_half", scale_by_half, ("auto", True, False))
    ndim = np.ndim(y_proba)
    cols = 1 if ndim == 1 else np.shape(y_proba)[1]
    traced, onehot, p, w = _proba_inputs(metric, y_true, y_proba, sample_weight, labels, pos_label)
    xp = jnp if traced else np
    res = _average(xp, ((onehot - p) ** 2).sum(axis=1), w)
    if scale_by_half is True or (scale_by_half == "auto" and (ndim == 1 or cols < 3)):
        res = res * 0.5
    return res if traced else out(res)


def top_k_accuracy_score(y_true: ArrayLike, y_score: ArrayLike, *, k: int = 2, normalize: bool = True,
                         sample_weight: ArrayLike | None = None, labels: Any = None) -> jax.Array:
    """Fraction of samples whose true class is among the ``k`` highest scores, as ``sklearn.metrics.top_k_accuracy_score``.

    Ties are broken as scikit-learn's reversed stable sort does: among equal scores the class with
    the larger index ranks first. Binary 1-D scores: with ``k=1`` a prediction is the score above
    0.5 (probabilities) or 0 (decision values); ``k >= 2`` is always a hit.

    >>> import jmetrics.sk as sk
    >>> sk.top_k_accuracy_score([0, 1, 2, 2], [[.5, .2, .2], [.3, .4, .2], [.2, .4, .3], [.7, .2, .1]], k=2)
    Array(0.75, dtype=float32)
    """
    metric = "top_k_accuracy_score"
    if not isinstance(k, int) or k < 1:
        raise ValueError(f"{metric}: k must be a positive int; got {k!r}.")
    traced = is_traced(y_true, y_score, sample_weight)
    xp: Any = jnp if traced else np
    s: Any
    w: Any
    if traced:
        s = jnp.asarray(y_score)
        w = jax_weight(metric, sample_weight, s.shape[0])
    else:
        s = host(y_score, metric, "y_score")
        n = check_consistent(metric, y_true=np.asarray(y_true), y_score=s)
        w = host_weight(metric, sample_weight, n)
        check_finite(metric, "y_score", s)
    if s.ndim == 1:
        enc, _ = _encode(metric, y_true, labels, traced)
        if k == 1:
            thr = xp.where((s.min() >= 0) & (s.max() <= 1), 0.5, 0.0)
            hits = (s > thr).astype(xp.int32) == enc
        else:
            hits = xp.ones(s.shape, bool)
    else:
        enc, c = _encode(metric, y_true, labels, traced)
        if not traced and c != s.shape[1]:
            raise ValueError(f"{metric}: y_score must have one column per class; got {c} classes and "
                             f"y_score shape {tuple(s.shape)}" + ("" if labels is not None else
                                                                  "; pass labels if some class is absent") + ".")
        if not traced and k >= s.shape[1]:
            warnings.warn(f"{metric}: k ({k}) greater than or equal to n_classes ({s.shape[1]}) will result in a "
                          "perfect score and is therefore meaningless.", UserWarning, stacklevel=2)
        true_score = xp.take_along_axis(s, enc[:, None], axis=1)
        idx = xp.arange(s.shape[1])[None, :]
        ahead = (s > true_score) | ((s == true_score) & (idx > enc[:, None]))
        hits = ahead.sum(axis=1) < k
    if w is None:
        count = hits.sum()
        res = count / hits.shape[0] if normalize else count
    else:
        res = _average(xp, hits.astype(w.dtype), w, normalize)
    return res if traced else out(res)
