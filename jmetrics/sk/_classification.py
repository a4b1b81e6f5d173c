"""Label metrics from (multilabel) confusion counts, with scikit-learn names and semantics.

Host path (concrete inputs): the problem type (binary, multiclass, multilabel) and the classes
(sorted union of the labels in ``y_true`` and ``y_pred``, or ``labels``) are inferred as in
scikit-learn; unweighted counts are int64, weighted float64. JAX path (inside ``jit``): 2-D inputs
are multilabel indicators; 1-D inputs need ``labels`` (a tuple: the class set is static), except
for ``average='binary'`` which compares with ``pos_label``; counts are int32 (unweighted) or sums in
the accumulation dtype. Zero divisions follow ``zero_division`` ('warn' acts as 0 and warns on the
host, as scikit-learn 1.9.1).
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

from jmetrics._checks import accum_dtype, check_choice
from jmetrics.sk._common import (
    check_consistent,
    host,
    host_weight,
    is_traced,
    jax_weight,
    out,
    warn,
)

__all__ = [
    "accuracy_score",
    "balanced_accuracy_score",
    "cohen_kappa_score",
    "confusion_matrix",
    "f1_score",
    "fbeta_score",
    "hamming_loss",
    "jaccard_score",
    "matthews_corrcoef",
    "multilabel_confusion_matrix",
    "precision_recall_fscore_support",
    "precision_score",
    "recall_score",
]

_AVERAGES = ("binary", "micro", "macro", "weighted", "samples", None)


def _targets(metric: str, y_true: Any, y_pred: Any, sample_weight: Any) -> tuple[bool, str, Any, Any, Any]:
    """``(traced, kind, y_true, y_pred, w)``; kind is 'binary', 'multiclass' or 'multilabel'."""
    yt: Any
    yp: Any
    w: Any
    if is_traced(y_true, y_pred, sample_weight):
        yt, yp = jnp.asarray(y_true), jnp.asarray(y_pred)
        if yt.shape != yp.shape:
            raise ValueError(f"{metric}: y_true and y_pred must have the same shape; got "
                             f"{tuple(yt.shape)} and {tuple(yp.shape)}.")
        w = jax_weight(metric, sample_weight, yt.shape[0])
        return True, "multilabel" if yt.ndim == 2 else "multiclass", yt, yp, w
    yt, yp = host(y_true, metric, "y_true"), host(y_pred, metric, "y_pred")
    if yt.ndim == 2 and yt.shape[1] == 1:
        yt = yt[:, 0]
    if yp.ndim == 2 and yp.shape[1] == 1:
        yp = yp[:, 0]
    n = check_consistent(metric, y_true=yt, y_pred=yp)
    if yt.shape != yp.shape:
        raise ValueError(f"{metric}: y_true and y_pred must have the same shape; got "
                         f"{tuple(yt.shape)} and {tuple(yp.shape)}.")
    w = host_weight(metric, sample_weight, n)
    if yt.ndim == 2:
        return False, "multilabel", yt, yp, w
    kind = "binary" if np.union1d(yt, yp).shape[0] <= 2 else "multiclass"
    return False, kind, yt, yp, w


def _counts(traced: bool, kind: str, yt: Any, yp: Any, w: Any, labels: Any, samplewise: bool = False):
    """Per label ``(tp, pred, true, total)``: weighted counts; ``total`` the whole weight."""
    xp = jnp if traced else np
    if kind == "multilabel":
        cols = list(range(yt.shape[1])) if labels is None else [int(c) for c in labels]
        a, b = yt[:, cols] != 0, yp[:, cols] != 0
    else:
        lab = xp.asarray(labels)
        a, b = yt[:, None] == lab[None, :], yp[:, None] == lab[None, :]
    axis = 1 if samplewise else 0
    if w is None:
        dt = jnp.int32 if traced else np.int64
        tp, pred, true = ((a & b).sum(axis, dtype=dt), b.sum(axis, dtype=dt), a.sum(axis, dtype=dt))
        total = a.shape[axis]
    else:
        ww = w[:, None] if not samplewise else w[:, None]
        dt = accum_dtype() if traced else np.float64
        tp = xp.where(a & b, ww, 0).astype(dt).sum(axis)
        pred = xp.where(b, ww, 0).astype(dt).sum(axis)
        true = xp.where(a, ww, 0).astype(dt).sum(axis)
        total = w.sum() if not samplewise else w * a.shape[1]
    return tp, pred, true, total


def _labels(metric: str, traced: bool, kind: str, yt: Any, yp: Any, labels: Any) -> Any:
    if labels is not None:
        return tuple(np.asarray(labels).tolist())
    if kind == "multilabel":
        return None
    if traced:
        raise ValueError(f"{metric}: labels must be given inside jit for 1-D targets (the class set is "
                         "static); got labels=None.")
    return tuple(np.union1d(yt, yp).tolist())


def _zero(zero_division: Any) -> float:
    return 0.0 if zero_division == "warn" else float(zero_division)


def _divide(num: Any, den: Any, zero_division: Any, metric: str, what: str, warn_on: bool) -> Any:
    xp = jnp if isinstance(num, jax.Array) or isinstance(den, jax.Array) else np
    num = xp.asarray(num, dtype=accum_dtype() if xp is jnp else np.float64)
    den = xp.asarray(den, dtype=num.dtype)
    if xp is np and warn_on and zero_division == "warn" and np.any(den == 0):
        warn(metric, f"{what} is ill-defined and being set to 0.0 in labels with no {_NOUN[what]} samples. "
                     "Use `zero_division` parameter to control this behavior.")
    return xp.where(den != 0, num / xp.where(den != 0, den, 1), _zero(zero_division))


_NOUN = {"Precision": "predicted", "Recall": "true", "F-score": "true nor predicted", "Jaccard": "true or predicted"}


def _nanaverage(xp: Any, a: Any, weights: Any) -> Any:
    mask = ~xp.isnan(a)
    if weights is None:
        return xp.where(mask.any(), xp.where(mask, a, 0).sum() / xp.maximum(mask.sum(), 1), xp.nan)
    wts = xp.where(mask, weights, 0).astype(a.dtype)
    tot = wts.sum()
    plain = xp.where(mask, a, 0).sum() / xp.maximum(mask.sum(), 1)
    return xp.where(mask.any(), xp.where(tot != 0, (xp.where(mask, a, 0) * wts).sum() / xp.where(tot != 0, tot, 1),
                                         plain), xp.nan)


def precision_recall_fscore_support(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    beta: float = 1.0,
    labels: Any = None,
    pos_label: Any = 1,
    average: str | None = None,
    warn_for: tuple[str, ...] = ("precision", "recall", "f-score"),
    sample_weight: ArrayLike | None = None,
    zero_division: Any = "warn",
) -> tuple[Any, Any, Any, Any]:
    """Precision, recall, F-beta and support, as ``sklearn.metrics.precision_recall_fscore_support``.

    .. math:: P = \\frac{tp}{tp + fp},\\quad R = \\frac{tp}{tp + fn},\\quad
       F_\\beta = \\frac{(1 + \\beta^2)\\, tp}{(1 + \\beta^2)\\, tp + \\beta^2 fn + fp}

    ``average``: 'binary' (the ``pos_label`` class), 'micro' (pooled counts), 'macro', 'weighted'
    (by support), 'samples' (multilabel, per row) or None (per label; support returned). A zero
    denominator gives ``zero_division`` (0 with a warning for 'warn'; NaN values are skipped by the
    averages, as sklearn's ``_nanaverage``).

    >>> import jmetrics.sk as sk
    >>> p, r, f, s = sk.precision_recall_fscore_support([0, 1, 2, 0, 1, 2], [0, 2, 1, 0, 0, 1], average="macro")
    >>> round(float(p), 4), round(float(r), 4), s
    (0.2222, 0.3333, None)
    """
    return _prfs("precision_recall_fscore_support", y_true, y_pred, beta=beta, labels=labels,
                 pos_label=pos_label, average=average, warn_for=warn_for,
                 sample_weight=sample_weight, zero_division=zero_division)


def _prfs(metric: str, y_true: ArrayLike, y_pred: ArrayLike, *, beta: float, labels: Any,
          pos_label: Any, average: str | None, warn_for: tuple[str, ...],
          sample_weight: ArrayLike | None, zero_division: Any) -> tuple[Any, Any, Any, Any]:
    """``precision_recall_fscore_support`` whose errors and warnings name ``metric``, the function
    the user called."""
    check_choice(metric, "average", average, _AVERAGES)
    if zero_division != "warn" and not (zero_division in (0, 1) or np.isnan(zero_division)):
        raise ValueError(f"{metric}: zero_division must be one of ['warn', 0.0, 1.0, nan]; got {zero_division!r}.")
    if beta < 0:
        raise ValueError(f"{metric}: beta must be >= 0; got {beta!r}.")
    traced, kind, yt, yp, w = _targets(metric, y_true, y_pred, sample_weight)
    xp = jnp if traced else np
    if average == "binary":
        if traced and kind != "multilabel":
            kind = "binary"
        if kind != "binary":
            raise ValueError(f"{metric}: average='binary' needs binary targets; got {kind} targets. Choose one of "
                             "None, 'micro', 'macro', 'weighted'" + (", 'samples'." if kind == "multilabel" else "."))
        if not traced:
            present = np.union1d(yt, yp)
            if pos_label not in present and present.shape[0] >= 2:
                raise ValueError(f"{metric}: pos_label={pos_label!r} is not a valid label; got labels {present.tolist()}.")
        labs: Any = (pos_label,)
    else:
        if average == "samples" and kind != "multilabel":
            raise ValueError(f"{metric}: average='samples' needs multilabel targets; got {kind} targets.")
        labs = _labels(metric, traced, kind, yt, yp, labels)
    samplewise = average == "samples"
    tp, pred, true, _ = _counts(traced, kind, yt, yp, w, labs, samplewise)
    if average == "micro":
        tp, pred, true = tp.sum(keepdims=True), pred.sum(keepdims=True), true.sum(keepdims=True)
    precision = _divide(tp, pred, zero_division, metric, "Precision", "precision" in warn_for)
    recall = _divide(tp, true, zero_division, metric, "Recall", "recall" in warn_for)
    if np.isposinf(beta):
        f = recall
    elif beta == 0:
        f = precision
    else:
        b2 = beta * beta
        f = _divide((1 + b2) * xp.asarray(tp, precision.dtype), b2 * xp.asarray(true, precision.dtype) + pred,
                    zero_division, metric, "F-score", "f-score" in warn_for)
    if average is None:
        if traced:
            return precision, recall, f, true
        return out(precision), out(recall), out(f), jnp.asarray(true)
    weights = true if average == "weighted" else (w if samplewise else None)
    avg = [_nanaverage(xp, v, weights) for v in (precision, recall, f)]
    if traced:
        return avg[0], avg[1], avg[2], None
    return out(avg[0]), out(avg[1]), out(avg[2]), None


def _prf_one(index: int, metric: str, y_true: Any, y_pred: Any, **kw: Any) -> Any:
    return _prfs(metric, y_true, y_pred, **{"beta": 1.0, **kw})[index]


def precision_score(y_true: ArrayLike, y_pred: ArrayLike, *, labels: Any = None, pos_label: Any = 1,
                    average: str | None = "binary", sample_weight: ArrayLike | None = None,
                    zero_division: Any = "warn") -> jax.Array:
    """Precision ``tp / (tp + fp)``, as ``sklearn.metrics.precision_score`` (see ``precision_recall_fscore_support``).

    >>> import jmetrics.sk as sk
    >>> sk.precision_score([0, 1, 1, 0], [1, 1, 1, 0])
    Array(0.6666667, dtype=float32)
    """
    return _prf_one(0, "precision_score", y_true, y_pred, labels=labels, pos_label=pos_label, average=average,
                    sample_weight=sample_weight, zero_division=zero_division, warn_for=("precision",))


def recall_score(y_true: ArrayLike, y_pred: ArrayLike, *, labels: Any = None, pos_label: Any = 1,
                 average: str | None = "binary", sample_weight: ArrayLike | None = None,
                 zero_division: Any = "warn") -> jax.Array:
    """Recall ``tp / (tp + fn)``, as ``sklearn.metrics.recall_score``.

    >>> import jmetrics.sk as sk
    >>> sk.recall_score([0, 1, 1, 0], [1, 1, 0, 0])
    Array(0.5, dtype=float32)
    """
    return _prf_one(1, "recall_score", y_true, y_pred, labels=labels, pos_label=pos_label, average=average,
                    sample_weight=sample_weight, zero_division=zero_division, warn_for=("recall",))


def fbeta_score(y_true: ArrayLike, y_pred: ArrayLike, *, beta: float, labels: Any = None, pos_label: Any = 1,
                average: str | None = "binary", sample_weight: ArrayLike | None = None,
                zero_division: Any = "warn") -> jax.Array:
    """F-beta ``(1 + b^2) tp / ((1 + b^2) tp + b^2 fn + fp)``, as ``sklearn.metrics.fbeta_score``.

    >>> import jmetrics.sk as sk
    >>> sk.fbeta_score([0, 1, 1, 0], [1, 1, 0, 0], beta=2.0)
    Array(0.5, dtype=float32)
    """
    return _prf_one(2, "fbeta_score", y_true, y_pred, beta=beta, labels=labels, pos_label=pos_label,
                    average=average, sample_weight=sample_weight, zero_division=zero_division,
                    warn_for=("f-score",))


def f1_score(y_true: ArrayLike, y_pred: ArrayLike, *, labels: Any = None, pos_label: Any = 1,
             average: str | None = "binary", sample_weight: ArrayLike | None = None,
             zero_division: Any = "warn") -> jax.Array:
    """F1 ``2 tp / (2 tp + fn + fp)``, as ``sklearn.metrics.f1_score``.

    >>> import jmetrics.sk as sk
    >>> sk.f1_score([0, 1, 1, 0], [1, 1, 0, 0])
    Array(0.5, dtype=float32)
    """
    return _prf_one(2, "f1_score", y_true, y_pred, beta=1.0, labels=labels, pos_label=pos_label,
                    average=average, sample_weight=sample_weight, zero_division=zero_division,
                    warn_for=("f-score",))


def _result(traced: bool, x: Any) -> Any:
    return x if traced else out(x)


def accuracy_score(y_true: ArrayLike, y_pred: ArrayLike, *, normalize: bool = True,
                   sample_weight: ArrayLike | None = None) -> jax.Array:
    """Fraction (or weighted count) of exact matches, as ``sklearn.metrics.accuracy_score``.

    Multilabel rows count only when every label matches (subset accuracy).

    >>> import jmetrics.sk as sk
    >>> sk.accuracy_score([0, 1, 2, 3], [0, 2, 1, 3])
    Array(0.5, dtype=float32)
    """
    traced, kind, yt, yp, w = _targets("accuracy_score", y_true, y_pred, sample_weight)
    xp = jnp if traced else np
    ok = (yt == yp).all(axis=1) if kind == "multilabel" else yt == yp
    dt = accum_dtype() if traced else np.float64
    if w is None:
        score = ok.sum(dtype=jnp.int32 if traced else np.int64)
        res = score / ok.shape[0] if normalize else score
    else:
        score = xp.where(ok, w, 0).astype(dt).sum()
        res = score / w.sum() if normalize else score
    return _result(traced, res)


def confusion_matrix(y_true: ArrayLike, y_pred: ArrayLike, *, labels: Any = None,
                     sample_weight: ArrayLike | None = None, normalize: str | None = None) -> jax.Array:
    """Confusion matrix ``C[i, j]`` = weight of samples of class ``labels[i]`` predicted ``labels[j]``.

    As ``sklearn.metrics.confusion_matrix``: classes are ``labels`` or the sorted union of labels
    present (inside ``jit`` ``labels`` is required); rows whose label is not in ``labels`` are
    ignored. ``normalize`` in 'true', 'pred', 'all' divides by row, column or total sums (empty
    rows give 0, as sklearn). Counts are int (unweighted) or float.

    >>> import jmetrics.sk as sk
    >>> sk.confusion_matrix([2, 0, 2, 2, 0, 1], [0, 0, 2, 2, 0, 2]).tolist()
    [[2, 0, 0], [0, 0, 1], [1, 0, 2]]
    """
    metric = "confusion_matrix"
    check_choice(metric, "normalize", normalize, ("true", "pred", "all", None))
    traced, kind, yt, yp, w = _targets(metric, y_true, y_pred, sample_weight)
    if kind == "multilabel":
        raise ValueError(f"{metric}: y_true must be 1-D labels; got multilabel shape {tuple(yt.shape)}.")
    labs = _labels(metric, traced, kind, yt, yp, labels)
    if not traced and labels is not None and not np.isin(labs, yt).any():
        raise ValueError(f"{metric}: at least one label in labels must be in y_true; got labels {list(labs)}.")
    xp = jnp if traced else np
    lab = xp.asarray(labs)
    a, b = yt[:, None] == lab[None, :], yp[:, None] == lab[None, :]
    if w is None:
        dt = jnp.int32 if traced else np.int64
        cm = a.astype(dt).T @ b.astype(dt)
    else:
        dt = accum_dtype() if traced else np.float64
        cm = (xp.where(a, w[:, None], 0).astype(dt)).T @ b.astype(dt)
    if normalize is not None:
        cm = cm.astype(accum_dtype() if traced else np.float64)
        den = {"true": cm.sum(axis=1, keepdims=True), "pred": cm.sum(axis=0, keepdims=True), "all": cm.sum()}[normalize]
        cm = xp.where(den != 0, cm / xp.where(den != 0, den, 1), 0.0)
        return _result(traced, cm)
    return cm if traced else jnp.asarray(cm)


def multilabel_confusion_matrix(y_true: ArrayLike, y_pred: ArrayLike, *, sample_weight: ArrayLike | None = None,
                                labels: Any = None, samplewise: bool = False) -> jax.Array:
    """Per-label 2x2 matrices ``[[tn, fp], [fn, tp]]``, as ``sklearn.metrics.multilabel_confusion_matrix``.

    >>> import jmetrics.sk as sk
    >>> sk.multilabel_confusion_matrix([0, 1, 1], [1, 1, 0]).tolist()
    [[[1, 1], [1, 0]], [[0, 1], [1, 1]]]
    """
    metric = "multilabel_confusion_matrix"
    traced, kind, yt, yp, w = _targets(metric, y_true, y_pred, sample_weight)
    if samplewise and kind != "multilabel":
        raise ValueError(f"{metric}: samplewise=True needs multilabel targets; got {kind} targets.")
    labs = _labels(metric, traced, kind, yt, yp, labels)
    tp, pred, true, total = _counts(traced, kind, yt, yp, w, labs, samplewise)
    xp = jnp if traced else np
    fp, fn = pred - tp, true - tp
    tn = total - tp - fp - fn
    m = xp.stack([xp.stack([tn, fp], -1), xp.stack([fn, tp], -1)], -2)
    return m if traced else jnp.asarray(m)


def balanced_accuracy_score(y_true: ArrayLike, y_pred: ArrayLike, *, sample_weight: ArrayLike | None = None,
                            adjusted: bool = False) -> jax.Array:
    """Mean per-class recall over the classes present in ``y_true``, as ``sklearn.metrics.balanced_accuracy_score``.

    ``adjusted=True`` rescales so chance is 0: ``(score - 1/K) / (1 - 1/K)``. Classes that are only
    predicted are ignored (sklearn warns "y_pred contains classes not in y_true").

    >>> import jmetrics.sk as sk
    >>> sk.balanced_accuracy_score([0, 1, 0, 0, 1, 0], [0, 1, 0, 0, 0, 1])
    Array(0.625, dtype=float32)
    """
    metric = "balanced_accuracy_score"
    cm: Any = confusion_matrix(y_true, y_pred, sample_weight=sample_weight)
    traced = is_traced(cm)
    xp = jnp if traced else np
    cm = cm if traced else np.asarray(cm, np.float64)
    true = cm.sum(axis=1)
    present = true != 0
    if not traced and not present.all():
        warn(metric, "y_pred contains classes not in y_true")
    per = xp.where(present, xp.diag(cm) / xp.where(present, true, 1), 0)
    score = per.sum() / present.sum()
    if adjusted:
        chance = 1 / present.sum()
        score = (score - chance) / (1 - chance)
    return _result(traced, score)


def jaccard_score(y_true: ArrayLike, y_pred: ArrayLike, *, labels: Any = None, pos_label: Any = 1,
                  average: str | None = "binary", sample_weight: ArrayLike | None = None,
                  zero_division: Any = "warn") -> jax.Array:
    """Jaccard index ``tp / (tp + fp + fn)``, as ``sklearn.metrics.jaccard_score`` (averages as precision_score).

    >>> import jmetrics.sk as sk
    >>> sk.jaccard_score([0, 1, 1, 1], [1, 1, 0, 1])
    Array(0.5, dtype=float32)
    """
    metric = "jaccard_score"
    check_choice(metric, "average", average, _AVERAGES)
    traced, kind, yt, yp, w = _targets(metric, y_true, y_pred, sample_weight)
    xp = jnp if traced else np
    if average == "binary":
        if kind == "multiclass" and not traced or kind == "multilabel":
            raise ValueError(f"{metric}: average='binary' needs binary targets; got {kind} targets.")
        if not traced:
            present = np.union1d(yt, yp)
            if pos_label not in present and present.shape[0] >= 2:
                raise ValueError(f"{metric}: pos_label={pos_label!r} is not a valid label; got labels {present.tolist()}.")
        labs: Any = (pos_label,)
        kind = "binary"
    else:
        if average == "samples" and kind != "multilabel":
            raise ValueError(f"{metric}: average='samples' needs multilabel targets; got {kind} targets.")
        labs = _labels(metric, traced, kind, yt, yp, labels)
    tp, pred, true, _ = _counts(traced, kind, yt, yp, w, labs, average == "samples")
    if average == "micro":
        tp, pred, true = tp.sum(keepdims=True), pred.sum(keepdims=True), true.sum(keepdims=True)
    j = _divide(tp, true + pred - tp, zero_division, metric, "Jaccard", True)
    if average is None:
        return _result(traced, j)
    if average == "weighted":
        weights = true
        if not traced and np.sum(weights) == 0:
            return out(_zero(zero_division))
    else:
        weights = w if average == "samples" else None
    if weights is None:
        return _result(traced, j.mean())
    wts = xp.asarray(weights, j.dtype)
    return _result(traced, (j * wts).sum() / wts.sum())


def matthews_corrcoef(y_true: ArrayLike, y_pred: ArrayLike, *, sample_weight: ArrayLike | None = None) -> jax.Array:
    """Matthews correlation coefficient (multiclass R_K), as ``sklearn.metrics.matthews_corrcoef``.

    .. math:: \\mathrm{MCC} = \\frac{c\\,s - \\sum_k p_k t_k}{\\sqrt{(s^2 - \\sum_k p_k^2)(s^2 - \\sum_k t_k^2)}}

    from the confusion matrix (``c`` correct, ``s`` total, ``p_k``/``t_k`` predicted/true counts).
    A zero denominator gives 0.0 (sklearn 1.9.1).

    >>> import jmetrics.sk as sk
    >>> sk.matthews_corrcoef([+1, +1, +1, -1], [+1, -1, +1, +1])
    Array(-0.33333334, dtype=float32)
    """
    cm: Any = confusion_matrix(y_true, y_pred, sample_weight=sample_weight)
    traced = is_traced(cm)
    xp = jnp if traced else np
    cm = cm.astype(accum_dtype()) if traced else np.asarray(cm, np.float64)
    t, p = cm.sum(axis=1), cm.sum(axis=0)
    c, s = xp.trace(cm), cm.sum()
    cov_ytyp = c * s - (t * p).sum()
    cov_ypyp = s * s - (p * p).sum()
    cov_ytyt = s * s - (t * t).sum()
    den = cov_ytyp * 0 + xp.sqrt(cov_ytyt * cov_ypyp)
    return _result(traced, xp.where(den != 0, cov_ytyp / xp.where(den != 0, den, 1), 0.0))


def cohen_kappa_score(y1: ArrayLike, y2: ArrayLike, *, labels: Any = None, weights: str | None = None,
                      sample_weight: ArrayLike | None = None, replace_undefined_by: float = np.nan) -> jax.Array:
    """Cohen's kappa ``1 - sum(W * O) / sum(W * E)``, as ``sklearn.metrics.cohen_kappa_score``.

    ``O`` is the confusion matrix, ``E`` the outer product of its marginals over the total, ``W``
    0/1 off-diagonal (``weights=None``), ``|i - j|`` ('linear') or ``(i - j)**2`` ('quadratic').
    An undefined kappa (zero denominator) gives ``replace_undefined_by`` (NaN by default).

    >>> import jmetrics.sk as sk
    >>> sk.cohen_kappa_score([0, 1, 1, 0], [0, 1, 0, 0])
    Array(0.5, dtype=float32)
    """
    metric = "cohen_kappa_score"
    check_choice(metric, "weights", weights, ("linear", "quadratic", None))
    cm: Any = confusion_matrix(y1, y2, labels=labels, sample_weight=sample_weight)
    traced = is_traced(cm)
    xp = jnp if traced else np
    cm = cm.astype(accum_dtype()) if traced else np.asarray(cm, np.float64)
    k = cm.shape[0]
    total = cm.sum()
    expected = xp.outer(cm.sum(axis=0), cm.sum(axis=1)) / xp.where(total != 0, total, 1)
    i, j = np.indices((k, k))
    wm = (i != j).astype(float) if weights is None else (np.abs(i - j) if weights == "linear" else (i - j) ** 2)
    wm = xp.asarray(wm, cm.dtype)
    num, den = (wm * cm).sum(), (wm * expected).sum()
    if not traced and den == 0:
        warn(metric, "the kappa is undefined (a zero denominator); returning replace_undefined_by.")
    return _result(traced, xp.where(den != 0, 1 - num / xp.where(den != 0, den, 1), replace_undefined_by))


def hamming_loss(y_true: ArrayLike, y_pred: ArrayLike, *, sample_weight: ArrayLike | None = None) -> jax.Array:
    """Fraction of wrong labels (over all entries for multilabel), as ``sklearn.metrics.hamming_loss``.

    >>> import jmetrics.sk as sk
    >>> sk.hamming_loss([[0, 1], [1, 1]], [[0, 0], [1, 1]])
    Array(0.25, dtype=float32)
    """
    traced, kind, yt, yp, w = _targets("hamming_loss", y_true, y_pred, sample_weight)
    wrong = (yt != yp)
    dt = accum_dtype() if traced else np.float64
    per = wrong.astype(dt).mean(axis=1) if kind == "multilabel" else wrong.astype(dt)
    if w is None:
        return _result(traced, per.mean())
    return _result(traced, (per * w).sum() / w.sum())
