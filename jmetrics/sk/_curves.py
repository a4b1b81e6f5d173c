"""Exact ROC, precision-recall and DET curves with scikit-learn semantics (host only).

A curve has one point per distinct score, so its length depends on the values: the curves run on
the host (NumPy, one sort of packed integer keys, see ``jmetrics._floor._sort``) and raise
``TypeError`` inside ``jit``. Ties and counts are exactly scikit-learn 1.9.1's, and so are the
checks (``confusion_matrix_at_thresholds``: binary targets, or multiclass with ``pos_label``;
``pos_label`` by value, needed unless the labels are {0, 1} or {-1, 1}; labels of any type), the
messages and the result types (float64 NumPy arrays; ``precision_recall_curve``'s thresholds keep
the scores' dtype, as scikit-learn's). ``confusion_matrix_at_thresholds`` gives the four counts
behind every curve (its thresholds keep the scores' dtype too).
"""

from __future__ import annotations

import functools
import inspect
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
from jax.typing import ArrayLike

from jmetrics._floor._sort import drop_collinear, host_curve
from jmetrics.sk._common import (
    check_consistent,
    check_finite,
    column_or_1d,
    host,
    host_labels,
    host_result,
    host_weight,
    is_traced,
    type_of_target,
    user_stacklevel,
    warn,
)
from jmetrics.sk._score_inputs import is_label, pos_label_consistency, unique, unsupported_target

__all__ = ["confusion_matrix_at_thresholds", "det_curve", "precision_recall_curve", "roc_curve"]


def _curve_inputs(metric: str, y_true: Any, y_score: Any, pos_label: Any, sample_weight: Any):
    """scikit-learn's ``confusion_matrix_at_thresholds`` checks, in its order: the target type
    (binary, or multiclass with ``pos_label``), ``pos_label`` (needed unless the labels are {0, 1}
    or {-1, 1}), lengths, 1-D, finite values, weights. Returns ``(tps, fps, thresholds, y, s)``."""
    if is_traced(y_true, y_score, sample_weight):
        raise TypeError(f"{metric}: the curve's length depends on the values, so it cannot be traced; "
                        "call it outside jit (roc_auc_score and average_precision_score are jittable).")
    y = host_labels(metric, y_true, "y_true")
    kind = type_of_target(metric, y, "y_true")
    if not (kind == "binary" or (kind == "multiclass" and pos_label is not None)):
        raise unsupported_target(metric, kind)
    pos_label = pos_label_consistency(metric, pos_label, y)
    s = host(y_score, metric, "y_score")
    n = check_consistent(metric, y_true=y, y_score=s, sample_weight=sample_weight)
    y, s = column_or_1d(metric, y), column_or_1d(metric, s)
    check_finite(metric, "y_true", y)
    check_finite(metric, "y_score", s)
    w = host_weight(metric, sample_weight, n)
    tps, fps, thr = host_curve(is_label(y, pos_label), s, w)
    return tps.astype(np.float64), fps.astype(np.float64), thr, y, s


def _keyword_options(version: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """scikit-learn's ``_deprecate_positional_args``: keyword-only options passed by position still
    work, with its ``FutureWarning`` (``Pass pos_label=None as keyword args. From version ...``)."""

    def wrap(f: Callable[..., Any]) -> Callable[..., Any]:
        params = inspect.signature(f).parameters.values()
        positional = [p.name for p in params if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD]
        options = [p.name for p in params if p.kind is inspect.Parameter.KEYWORD_ONLY]

        @functools.wraps(f)
        def inner(*args: Any, **kwargs: Any) -> Any:
            extra = len(args) - len(positional)
            if extra <= 0:
                return f(*args, **kwargs)
            if extra > len(options):
                raise TypeError(f"{f.__name__}: takes at most {len(positional) + len(options)} arguments; "
                                f"got {len(args)} positional arguments.")
            given = ", ".join(f"{n}={a}" for n, a in zip(options, args[len(positional):], strict=False))
            warnings.warn(f"{f.__name__}: Pass {given} as keyword args. From version {version} passing "
                          "these as positional arguments will result in an error", FutureWarning,
                          stacklevel=user_stacklevel())
            kwargs.update(zip(positional + options, args, strict=False))
            return f(**kwargs)

        return inner

    return wrap


@_keyword_options("1.11")
def confusion_matrix_at_thresholds(
    y_true: ArrayLike,
    y_score: ArrayLike,
    *,
    pos_label: Any = None,
    sample_weight: ArrayLike | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(tns, fps, fns, tps, thresholds)`` at each distinct score, as
    ``sklearn.metrics.confusion_matrix_at_thresholds`` (host only, not jittable).

    Thresholds are the distinct scores, highest first (in the scores' dtype); at threshold
    ``t_i`` a row is predicted positive when its score is ``>= t_i``:

    .. math:: tp_i = \\sum_{s_j \\ge t_i} w_j [y_j = pos],\\quad
       fp_i = \\sum_{s_j \\ge t_i} w_j [y_j \\ne pos],\\quad
       fn_i = tp_{last} - tp_i,\\quad tn_i = fp_{last} - fp_i

    float64 counts (exact integers without weights); rows of weight 0 are dropped. The same counts
    give :func:`roc_curve`, :func:`precision_recall_curve` and :func:`det_curve`. Options passed
    by position warn ``FutureWarning``, as in scikit-learn 1.9.1.

    >>> import jmetrics.sk as sk
    >>> tns, fps, fns, tps, thr = sk.confusion_matrix_at_thresholds([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    >>> tns.tolist(), fps.tolist(), fns.tolist(), tps.tolist(), thr.tolist()
    ([2.0, 1.0, 1.0, 0.0], [0.0, 1.0, 1.0, 2.0], [1.0, 1.0, 0.0, 0.0], [1.0, 1.0, 2.0, 2.0], [0.8, 0.4, 0.35, 0.1])
    """
    metric = "confusion_matrix_at_thresholds"
    tps, fps, thr, _, s = _curve_inputs(metric, y_true, y_score, pos_label, sample_weight)
    raw = np.asarray(y_score).dtype
    dtype = raw if raw.kind in "biuf" else s.dtype  # scikit-learn keeps the scores' own dtype
    tns, fns = fps[-1] - fps, tps[-1] - tps
    return (host_result(tns), host_result(fps), host_result(fns), host_result(tps),
            host_result(thr, dtype))


def roc_curve(
    y_true: ArrayLike,
    y_score: ArrayLike,
    *,
    pos_label: Any = None,
    sample_weight: ArrayLike | None = None,
    drop_intermediate: bool = True,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
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
    tps, fps, thr, _, _ = _curve_inputs(metric, y_true, y_score, pos_label, sample_weight)
    if drop_intermediate:
        fps, tps, thr = drop_collinear(fps, tps, thr)
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
    return host_result(fpr), host_result(tpr), host_result(thr)


def precision_recall_curve(
    y_true: ArrayLike,
    y_score: ArrayLike,
    *,
    pos_label: Any = None,
    sample_weight: ArrayLike | None = None,
    drop_intermediate: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(precision, recall, thresholds)`` as ``sklearn.metrics.precision_recall_curve`` (host only).

    Thresholds are the distinct scores in increasing order; ``precision`` and ``recall`` end with
    the point ``(1, 0)``. No positives: recall is 1 at every threshold, with a warning (sklearn).

    >>> import jmetrics.sk as sk
    >>> p, r, t = sk.precision_recall_curve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    >>> r.tolist(), t.tolist()
    ([1.0, 1.0, 0.5, 0.5, 0.0], [0.1, 0.35, 0.4, 0.8])
    """
    metric = "precision_recall_curve"
    tps, fps, thr, _, s = _curve_inputs(metric, y_true, y_score, pos_label, sample_weight)
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
    return (host_result(np.concatenate([precision[::-1], [1.0]])),
            host_result(np.concatenate([recall[::-1], [0.0]])), host_result(thr[::-1], s.dtype))


def det_curve(
    y_true: ArrayLike,
    y_score: ArrayLike,
    pos_label: Any = None,
    sample_weight: ArrayLike | None = None,
    drop_intermediate: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(fpr, fnr, thresholds)`` of the detection error tradeoff, as ``sklearn.metrics.det_curve``.

    Host only. One class present raises ``ValueError`` (as scikit-learn does).

    >>> import jmetrics.sk as sk
    >>> fpr, fnr, thr = sk.det_curve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    >>> fpr.tolist(), fnr.tolist()
    ([0.5, 0.5, 0.0], [0.0, 0.5, 0.5])
    """
    metric = "det_curve"
    tps, fps, thr, y, _ = _curve_inputs(metric, y_true, y_score, pos_label, sample_weight)
    tps, fps = np.concatenate([[0.0], tps]), np.concatenate([[0.0], fps])
    thr = np.concatenate([[np.inf], thr])
    if drop_intermediate and fps.shape[0] > 2:
        keep = np.concatenate([[True], np.logical_or(np.diff(tps[:-1]), np.diff(tps[1:])), [True]])
        tps, fps, thr = tps[keep], fps[keep], thr[keep]
    if unique(y).shape[0] != 2:
        raise ValueError(f"{metric}: Only one class is present in y_true. Detection error tradeoff curve is "
                         "not defined in that case.")
    fns = tps[-1] - tps
    p_count, n_count = tps[-1], fps[-1]
    right = np.searchsorted(fps, fps[0], side="right")
    first = right - 1 if right > 0 else None
    last = np.searchsorted(tps, tps[-1]) + 1
    sl = slice(first, last)
    return host_result(fps[sl][::-1] / n_count), host_result(fns[sl][::-1] / p_count), host_result(thr[sl][::-1])
