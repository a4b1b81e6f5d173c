"""Exact ROC, precision-recall and DET curves with scikit-learn semantics (host only).

A curve has one point per distinct score, so its length depends on the values: the curves run on
the host (NumPy, one sort of packed integer keys, see ``jmetrics.sk._sort``) and raise
``TypeError`` inside ``jit``. Ties and counts are exactly scikit-learn 1.9.1's.
"""

from __future__ import annotations

from typing import Any

import jax
import numpy as np
from jax.typing import ArrayLike

from jmetrics.sk._common import is_traced, out, warn
from jmetrics.sk._score_inputs import host_classes, prepare
from jmetrics.sk._sort import host_curve

__all__ = ["det_curve", "precision_recall_curve", "roc_curve"]


def _pos_mask(metric: str, y: Any, pos_label: Any, traced: bool) -> Any:
    """Positive-class mask with sklearn's pos_label rule (None: labels must be {0,1} or {-1,1})."""
    if traced:
        return y == (1 if pos_label is None else pos_label)
    classes = host_classes(y)
    if pos_label is None:
        ok = any(np.array_equal(classes, c) for c in ([0, 1], [-1, 1], [0], [-1], [1]))
        if not ok:
            raise ValueError(f"{metric}: y_true takes values {classes.tolist()}; specify pos_label "
                             "(labels other than {0, 1} or {-1, 1} need it).")
        pos_label = 1
    elif classes.shape[0] == 2 and pos_label not in classes:
        raise ValueError(f"{metric}: pos_label={pos_label!r} is not a valid label; got labels {classes.tolist()}.")
    if classes.shape[0] > 2:
        raise ValueError(f"{metric}: y_true must be binary; got {classes.shape[0]} classes.")
    return y == pos_label


def _curve_inputs(metric: str, y_true: Any, y_score: Any, pos_label: Any, sample_weight: Any):
    if is_traced(y_true, y_score, sample_weight):
        raise TypeError(f"{metric}: the curve's length depends on the values, so it cannot be traced; "
                        "call it outside jit (roc_auc_score and average_precision_score are jittable).")
    _, y, s, w, _ = prepare(metric, y_true, y_score, sample_weight)
    if y.ndim != 1 or s.ndim != 1:
        raise ValueError(f"{metric}: y_true and y_score must be 1-D; got {tuple(y.shape)} and {tuple(s.shape)}.")
    pos = _pos_mask(metric, y, pos_label, False)
    tps, fps, thr = host_curve(pos, s, w)
    return tps.astype(np.float64), fps.astype(np.float64), thr, y


def roc_curve(
    y_true: ArrayLike,
    y_score: ArrayLike,
    *,
    pos_label: Any = None,
    sample_weight: ArrayLike | None = None,
    drop_intermediate: bool = True,
) -> tuple[jax.Array, jax.Array, jax.Array]:
    """``(fpr, tpr, thresholds)`` exactly as ``sklearn.metrics.roc_curve`` (host only, not jittable).

    One point per distinct score (highest first) plus the starting point ``(0, 0)`` at threshold
    ``inf``; ``drop_intermediate`` drops collinear points. No negatives (positives) of nonzero
    weight: ``fpr`` (``tpr``) is all NaN with a warning, as in scikit-learn 1.9.1.

    >>> import jmetrics.sk as sk
    >>> fpr, tpr, thr = sk.roc_curve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    >>> fpr.tolist(), tpr.tolist()
    ([0.0, 0.0, 0.5, 0.5, 1.0], [0.0, 0.5, 0.5, 1.0, 1.0])
    """
    metric = "roc_curve"
    tps, fps, thr, _ = _curve_inputs(metric, y_true, y_score, pos_label, sample_weight)
    if drop_intermediate and fps.shape[0] > 2:
        keep = np.concatenate([[True], np.logical_or(np.diff(fps, 2), np.diff(tps, 2)), [True]])
        tps, fps, thr = tps[keep], fps[keep], thr[keep]
    tps, fps = np.concatenate([[0.0], tps]), np.concatenate([[0.0], fps])
    thr = np.concatenate([[np.inf], thr])
    if fps[-1] <= 0:
        warn(metric, "No negative samples in y_true, false positive value should be meaningless")
        fpr = np.full(fps.shape, np.nan)
    else:
        fpr = fps / fps[-1]
    if tps[-1] <= 0:
        warn(metric, "No positive samples in y_true, true positive value should be meaningless")
        tpr = np.full(tps.shape, np.nan)
    else:
        tpr = tps / tps[-1]
    return out(fpr), out(tpr), out(thr)


def precision_recall_curve(
    y_true: ArrayLike,
    y_score: ArrayLike,
    *,
    pos_label: Any = None,
    sample_weight: ArrayLike | None = None,
    drop_intermediate: bool = False,
) -> tuple[jax.Array, jax.Array, jax.Array]:
    """``(precision, recall, thresholds)`` as ``sklearn.metrics.precision_recall_curve`` (host only).

    Thresholds are the distinct scores in increasing order; ``precision`` and ``recall`` end with
    the point ``(1, 0)``. No positives: recall is 1 at every threshold, with a warning (sklearn).

    >>> import jmetrics.sk as sk
    >>> p, r, t = sk.precision_recall_curve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    >>> r.tolist(), t.tolist()
    ([1.0, 1.0, 0.5, 0.5, 0.0], [0.10000000149011612, 0.3499999940395355, 0.4000000059604645, 0.800000011920929])
    """
    metric = "precision_recall_curve"
    tps, fps, thr, _ = _curve_inputs(metric, y_true, y_score, pos_label, sample_weight)
    if drop_intermediate and fps.shape[0] > 2:
        keep = np.concatenate([[True], np.logical_or(np.diff(tps[:-1]), np.diff(tps[1:])), [True]])
        tps, fps, thr = tps[keep], fps[keep], thr[keep]
    ps = tps + fps
    precision = np.where(ps != 0, tps / np.where(ps != 0, ps, 1), 0.0)
    if tps[-1] == 0:
        warn(metric, "No positive class found in y_true, recall is set to one for all thresholds.")
        recall = np.ones(tps.shape)
    else:
        recall = tps / tps[-1]
    return (out(np.concatenate([precision[::-1], [1.0]])), out(np.concatenate([recall[::-1], [0.0]])),
            out(thr[::-1]))


def det_curve(
    y_true: ArrayLike,
    y_score: ArrayLike,
    pos_label: Any = None,
    sample_weight: ArrayLike | None = None,
    drop_intermediate: bool = False,
) -> tuple[jax.Array, jax.Array, jax.Array]:
    """``(fpr, fnr, thresholds)`` of the detection error tradeoff, as ``sklearn.metrics.det_curve``.

    Host only. One class present raises ``ValueError`` (as scikit-learn does).

    >>> import jmetrics.sk as sk
    >>> fpr, fnr, thr = sk.det_curve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    >>> fpr.tolist(), fnr.tolist()
    ([0.5, 0.5, 0.0], [0.0, 0.5, 0.5])
    """
    metric = "det_curve"
    tps, fps, thr, y = _curve_inputs(metric, y_true, y_score, pos_label, sample_weight)
    tps, fps = np.concatenate([[0.0], tps]), np.concatenate([[0.0], fps])
    thr = np.concatenate([[np.inf], thr])
    if drop_intermediate and fps.shape[0] > 2:
        keep = np.concatenate([[True], np.logical_or(np.diff(tps[:-1]), np.diff(tps[1:])), [True]])
        tps, fps, thr = tps[keep], fps[keep], thr[keep]
    if np.unique(y).shape[0] != 2:
        raise ValueError(f"{metric}: only one class is present in y_true; the DET curve is not defined.")
    fns = tps[-1] - tps
    p_count, n_count = tps[-1], fps[-1]
    right = np.searchsorted(fps, fps[0], side="right")
    first = right - 1 if right > 0 else None
    last = np.searchsorted(tps, tps[-1]) + 1
    sl = slice(first, last)
    return out(fps[sl][::-1] / n_count), out(fns[sl][::-1] / p_count), out(thr[sl][::-1])
