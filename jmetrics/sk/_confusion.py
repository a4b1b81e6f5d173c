"""Confusion-matrix metrics with scikit-learn names and semantics: the matrices themselves,
balanced accuracy, Matthews correlation and Cohen's kappa.

Targets are checked and encoded as in ``_classification.py`` (host: scikit-learn's checks, any
label type, NumPy results; jit: static ``labels`` where the output shape depends on the classes).
``balanced_accuracy_score`` and ``matthews_corrcoef`` have no ``labels`` argument: inside ``jit``
their classes come from ``jnp.unique`` with a static size, so they need none.
"""

from __future__ import annotations

import warnings
from typing import Any

import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

from jmetrics._floor._checks import accum_dtype
from jmetrics._floor._options import check_choice
from jmetrics.sk._classification import _T, _counts, _labels, _result, _targets
from jmetrics.sk._common import warn

__all__ = [
    "balanced_accuracy_score",
    "cohen_kappa_score",
    "confusion_matrix",
    "matthews_corrcoef",
    "multilabel_confusion_matrix",
]


def _confusion(metric: str, t: _T, labs: Any) -> Any:
    """``C[i, j]``: weight of samples of label ``labs[i]`` predicted ``labs[j]`` (int counts unweighted)."""
    xp = jnp if t.traced else np
    lab = xp.asarray(labs)
    a, b = t.yt[:, None] == lab[None, :], t.yp[:, None] == lab[None, :]
    if t.w is None:
        dt = jnp.int32 if t.traced else np.int64
        return a.astype(dt).T @ b.astype(dt)
    dt = accum_dtype() if t.traced else np.float64
    return (xp.where(a, t.w[:, None], 0).astype(dt)).T @ b.astype(dt)


def confusion_matrix(y_true: ArrayLike, y_pred: ArrayLike, *, labels: Any = None,
                     sample_weight: ArrayLike | None = None, normalize: str | None = None) -> Any:
    """Confusion matrix ``C[i, j]`` = weight of samples of class ``labels[i]`` predicted ``labels[j]``.

    As ``sklearn.metrics.confusion_matrix``: classes are ``labels`` (looked up by value) or the
    sorted union of labels present (inside ``jit`` ``labels`` is required); rows whose label is not
    in ``labels`` are ignored. ``normalize`` in 'true', 'pred', 'all' divides by row, column or total
    sums (empty rows give 0, as sklearn). On the host the result is a NumPy array of int64 counts
    (unweighted or integer weights) or float64 sums, as sklearn's. Inside ``jit`` it is a float
    ``jax.Array`` in the accumulation dtype (float32, float64 under x64; unweighted counts are
    exact up to 2**24 in float32), so that it can hold NaN: where the host raises on values (a NaN,
    infinite or fractional label, a NaN or infinite weight, all weights zero) every entry is NaN.

    >>> import jmetrics.sk as sk
    >>> sk.confusion_matrix([2, 0, 2, 2, 0, 1], [0, 0, 2, 2, 0, 2]).tolist()
    [[2, 0, 0], [0, 0, 1], [1, 0, 2]]
    >>> sk.confusion_matrix(["b", "a", "b"], ["b", "b", "b"], labels=["b", "a"]).tolist()
    [[2, 0], [1, 0]]
    """
    metric = "confusion_matrix"
    check_choice(metric, "normalize", normalize, ("true", "pred", "all", None))
    t = _targets(metric, y_true, y_pred, sample_weight)
    if t.kind == "multilabel":
        raise ValueError(f"{metric}: multilabel-indicator is not supported; got y_true of shape "
                         f"{tuple(t.yt.shape)}.")
    if not t.traced and labels is not None and np.size(labels) == 0:
        raise ValueError(f"{metric}: 'labels' should contain at least one label.")
    labs = _labels(metric, t, labels)
    if not t.traced and labels is not None and not np.isin([c for c in labs if c >= 0], t.yt).any():
        raise ValueError(f"{metric}: At least one label specified must be in y_true; got labels "
                         f"{np.asarray(labels).tolist()}.")
    cm = _confusion(metric, t, labs)
    if not t.traced and cm.shape == (1, 1):
        warnings.warn(f"{metric}: A single label was found in 'y_true' and 'y_pred'. For the confusion "
                      "matrix to have the correct shape, use the 'labels' parameter to pass all known "
                      "labels.", UserWarning, stacklevel=2)
    xp = jnp if t.traced else np
    if normalize is not None:
        cm = cm.astype(accum_dtype() if t.traced else np.float64)
        den = {"true": cm.sum(axis=1, keepdims=True), "pred": cm.sum(axis=0, keepdims=True), "all": cm.sum()}[normalize]
        return _result(t, xp.where(den != 0, cm / xp.where(den != 0, den, 1), 0.0))
    if t.traced:
        return _result(t, cm.astype(accum_dtype()))
    weights = np.asarray(sample_weight) if sample_weight is not None else None
    if weights is not None and weights.dtype.kind in "biu":  # exact int64 sums, as scikit-learn
        cm = np.zeros(cm.shape, np.int64)
        where = np.full(t.classes.shape[0], -1)  # class code -> row of the matrix
        for row, code in enumerate(labs):
            if code >= 0:
                where[code] = row
        i, j = where[t.yt], where[t.yp]
        keep = (i >= 0) & (j >= 0)
        np.add.at(cm, (i[keep], j[keep]), np.broadcast_to(weights, t.yt.shape).astype(np.int64)[keep])
    return cm.astype(np.int64) if weights is None else cm


def multilabel_confusion_matrix(y_true: ArrayLike, y_pred: ArrayLike, *, sample_weight: ArrayLike | None = None,
                                labels: Any = None, samplewise: bool = False) -> Any:
    """Per-label 2x2 matrices ``[[tn, fp], [fn, tp]]``, as ``sklearn.metrics.multilabel_confusion_matrix``.

    Host: NumPy int64 counts (float64 weighted), as sklearn's. Inside ``jit``: a float ``jax.Array``
    (the accumulation dtype), all NaN where the host raises on values, as :func:`confusion_matrix`.

    >>> import jmetrics.sk as sk
    >>> sk.multilabel_confusion_matrix([0, 1, 1], [1, 1, 0]).tolist()
    [[[1, 1], [1, 0]], [[0, 1], [1, 1]]]
    """
    metric = "multilabel_confusion_matrix"
    t = _targets(metric, y_true, y_pred, sample_weight)
    if samplewise and t.kind != "multilabel":
        raise ValueError(f"{metric}: Samplewise metrics are not available outside of multilabel "
                         f"classification; got {t.kind} targets.")
    labs = _labels(metric, t, labels)
    tp, pred, true, total = _counts(t.traced, t.kind, t.yt, t.yp, t.w, labs, samplewise)
    xp = jnp if t.traced else np
    fp, fn = pred - tp, true - tp
    tn = total - tp - fp - fn
    m = xp.stack([xp.stack([tn, fp], -1), xp.stack([fn, tp], -1)], -2)
    return _result(t, m.astype(accum_dtype())) if t.traced else m


def _class_sums(metric: str, t: _T) -> tuple[Any, Any, Any, Any]:
    """Per class ``(true, pred, correct)`` weights and the total, over the classes present.

    Host: from the class codes. Jit: the classes are ``jnp.unique`` of both inputs with a static
    size (``2 N``; padding classes count nothing), so no ``labels`` argument is needed.
    """
    if t.kind == "multilabel":
        raise ValueError(f"{metric}: multilabel-indicator is not supported; got targets of shape "
                         f"{tuple(t.yt.shape)}.")
    xp = jnp if t.traced else np
    dt = accum_dtype() if t.traced else np.float64
    w = xp.ones(t.yt.shape[0], dt) if t.w is None else t.w.astype(dt)
    if t.traced:
        n = t.yt.shape[0]
        _, inv = jnp.unique(jnp.concatenate([t.yt, t.yp]), return_inverse=True, size=2 * n)
        ct, cp, k = inv.reshape(-1)[:n], inv.reshape(-1)[n:], 2 * n
    else:
        ct, cp, k = t.yt, t.yp, t.classes.shape[0]
    true = xp.zeros(k, dt).at[ct].add(w) if t.traced else np.bincount(ct, w, k)
    pred = xp.zeros(k, dt).at[cp].add(w) if t.traced else np.bincount(cp, w, k)
    ok = xp.where(t.yt == t.yp, w, 0)
    correct = xp.zeros(k, dt).at[ct].add(ok) if t.traced else np.bincount(ct, ok, k)
    return true, pred, correct, w.sum()


def balanced_accuracy_score(y_true: ArrayLike, y_pred: ArrayLike, *, sample_weight: ArrayLike | None = None,
                            adjusted: bool = False) -> Any:
    """Mean per-class recall over the classes present in ``y_true``, as ``sklearn.metrics.balanced_accuracy_score``.

    ``adjusted=True`` rescales so chance is 0: ``(score - 1/K) / (1 - 1/K)``. Classes that are only
    predicted are ignored (with scikit-learn's ``UserWarning`` "y_pred contains classes not in
    y_true" on the host). Jittable without labels (the classes come from a sized ``jnp.unique``).

    >>> import jmetrics.sk as sk
    >>> sk.balanced_accuracy_score([0, 1, 0, 0, 1, 0], [0, 1, 0, 0, 0, 1])
    0.625
    """
    metric = "balanced_accuracy_score"
    t = _targets(metric, y_true, y_pred, sample_weight)
    true, pred, correct, _ = _class_sums(metric, t)
    xp = jnp if t.traced else np
    present = true != 0
    if not t.traced and not ((pred == 0) | present).all():
        warnings.warn(f"{metric}: y_pred contains classes not in y_true", UserWarning, stacklevel=2)
    per = xp.where(present, correct / xp.where(present, true, 1), 0)
    score = per.sum() / present.sum()
    if adjusted:
        chance = 1 / present.sum()
        score = (score - chance) / (1 - chance)
    return _result(t, score)


def matthews_corrcoef(y_true: ArrayLike, y_pred: ArrayLike, *, sample_weight: ArrayLike | None = None) -> Any:
    """Matthews correlation coefficient (multiclass R_K), as ``sklearn.metrics.matthews_corrcoef``.

    .. math:: \\mathrm{MCC} = \\frac{c\\,s - \\sum_k p_k t_k}{\\sqrt{(s^2 - \\sum_k p_k^2)(s^2 - \\sum_k t_k^2)}}

    from the per-class weights (``c`` correct, ``s`` total, ``p_k``/``t_k`` predicted/true). A
    zero denominator gives 0.0 (sklearn 1.9.1). Jittable without labels (the classes come from a
    sized ``jnp.unique``); NaN or infinite labels or weights give NaN there.

    >>> import jmetrics.sk as sk
    >>> round(sk.matthews_corrcoef([+1, +1, +1, -1], [+1, -1, +1, +1]), 6)
    -0.333333
    """
    metric = "matthews_corrcoef"
    t = _targets(metric, y_true, y_pred, sample_weight)
    true, pred, correct, s = _class_sums(metric, t)
    xp = jnp if t.traced else np
    c = correct.sum()
    cov_ytyp = c * s - (true * pred).sum()
    cov_ypyp = s * s - (pred * pred).sum()
    cov_ytyt = s * s - (true * true).sum()
    den = xp.sqrt(cov_ytyt * cov_ypyp)
    return _result(t, xp.where(den != 0, cov_ytyp / xp.where(den != 0, den, 1), 0.0))


def cohen_kappa_score(y1: ArrayLike, y2: ArrayLike, *, labels: Any = None, weights: str | None = None,
                      sample_weight: ArrayLike | None = None, replace_undefined_by: float = np.nan) -> Any:
    """Cohen's kappa ``1 - sum(W * O) / sum(W * E)``, as ``sklearn.metrics.cohen_kappa_score``.

    ``O`` is the confusion matrix, ``E`` the outer product of its marginals over the total, ``W``
    0/1 off-diagonal (``weights=None``), ``|i - j|`` ('linear') or ``(i - j)**2`` ('quadratic').
    An undefined kappa (zero denominator) gives ``replace_undefined_by`` (NaN by default).

    >>> import jmetrics.sk as sk
    >>> sk.cohen_kappa_score([0, 1, 1, 0], [0, 1, 0, 0])
    0.5
    """
    metric = "cohen_kappa_score"
    check_choice(metric, "weights", weights, ("linear", "quadratic", None))
    t = _targets(metric, y1, y2, sample_weight, ("y1", "y2"))
    if t.kind == "multilabel":
        raise ValueError(f"{metric}: multilabel-indicator is not supported; got y1 of shape {tuple(t.yt.shape)}.")
    if not t.traced and labels is not None and np.size(labels) == 0:
        raise ValueError(f"{metric}: 'labels' should contain at least one label.")
    labs = _labels(metric, t, labels)
    if not t.traced and labels is not None and not np.isin([c for c in labs if c >= 0], t.yt).any():
        raise ValueError(f"{metric}: At least one label in `labels` must be present in `y1` (even though "
                         "`cohen_kappa_score` is otherwise agnostic to the order of `y1` and `y2`).")
    xp = jnp if t.traced else np
    cm = _confusion(metric, t, labs)
    cm = cm.astype(accum_dtype()) if t.traced else np.asarray(cm, np.float64)
    k = cm.shape[0]
    total = cm.sum()
    expected = xp.outer(cm.sum(axis=0), cm.sum(axis=1)) / xp.where(total != 0, total, 1)
    i, j = np.indices((k, k))
    wm = (i != j).astype(float) if weights is None else (np.abs(i - j) if weights == "linear" else (i - j) ** 2)
    wm = xp.asarray(wm, cm.dtype)
    num, den = (wm * cm).sum(), (wm * expected).sum()
    if not t.traced and (total == 0 or den == 0):
        why = ("`y2` contains no labels that are present in both `y1` and `labels`." if total == 0 else
               "`y1`, `y2` and `labels` have only one label in common.")
        warn(metric, f"{why} `cohen_kappa_score` is undefined and set to the value defined by the "
                     f"`replace_undefined_by` param, which is set to {replace_undefined_by}.")
        return float(replace_undefined_by)
    return _result(t, xp.where(den != 0, 1 - num / xp.where(den != 0, den, 1), replace_undefined_by))
