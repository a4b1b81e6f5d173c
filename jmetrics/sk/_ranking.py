"""Exact ROC AUC and average precision with scikit-learn semantics.

Ties are grouped exactly as scikit-learn groups them (one operating point per distinct score, so
constant scores give ROC AUC 0.5) and counts are exact (see ``jmetrics._floor._sort``): results equal
scikit-learn 1.9.1 to float32 rounding, also at 1e7 samples. Concrete inputs run on the host
(NumPy, one sort of packed integer keys, several times faster than scikit-learn); traced inputs
(inside ``jit``) run on the JAX path, where the problem type comes from shapes, classes from
``labels`` or the score columns, and undefined values are NaN instead of a warning. On the host,
checks, messages and result types are scikit-learn's (labels of any type, Python floats). The
curves have data-dependent lengths and are host-only (``jmetrics.sk._curves``).
"""
from __future__ import annotations

from itertools import combinations
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

from jmetrics._floor._checks import accum_dtype
from jmetrics._floor._groups_jax import jax_groups
from jmetrics._floor._options import check_choice
from jmetrics._floor._ratios import weighted_mean
from jmetrics._floor._sort import (
    curve_auc,
    group_ap,
    group_auc,
    host_groups,
    split_ap,
    split_auc,
)
from jmetrics.sk._common import check_consistent, host_result, is_traced, label_codes, poison, warn
from jmetrics.sk._score_checks import (
    any_bad,
    check_binary_scores,
    traced_binary01,
    traced_more_than_two,
)
from jmetrics.sk._score_inputs import (
    check_labels_param,
    host_scores,
    host_weights,
    is_label,
    not_in,
    pos_label_consistency,
    prepare,
    unique,
    unsupported_target,
)

__all__ = ["average_precision_score", "roc_auc_score"]


# ---- the binary scores on both paths ----------------------------------------------------------
def _binary(kind: str, metric: str, pos: Any, s: Any, w: Any, max_fpr: float | None = None) -> Any:
    """Binary ROC AUC (``kind='auc'``) or AP of one column; host warns where sklearn warns.

    Inside ``jit`` a tie group of negative total weight makes ROC AUC NaN (scikit-learn raises:
    the FPR is not monotone).
    """
    g: Any
    full = max_fpr is None or max_fpr == 1
    if isinstance(s, jax.Array):
        g = jax_groups(pos, s, w)
        if kind == "ap":
            return group_ap(g)
        res = group_auc(g, max_fpr)
        return res if w is None else jnp.where((g.total_n > 0) & (g.n < 0).any(), jnp.nan, res)
    if kind == "auc" and (pos.all() or not pos.any()):
        warn(metric, "Only one class is present in y_true. ROC AUC score is not defined in that case.")
        return np.nan
    if w is None and (kind == "ap" or full):
        return _binary_unweighted(kind, metric, pos, s)
    if kind == "auc" and w is not None and (w < 0).any():
        res, total_p, total_n = curve_auc(metric, pos, s, w, max_fpr)
        _warn_totals(metric, total_p, total_n)
        return res
    g = host_groups(pos, s, w, kind if full else "curve")
    if kind == "auc":
        _warn_totals(metric, g.total_p, g.total_n)
    if kind == "ap" and g.total_p == 0:
        warn(metric, "No positive class found in y_true, recall is set to one for all thresholds.")
    return float(group_auc(g, max_fpr) if kind == "auc" else group_ap(g))


def _warn_totals(metric: str, total_p: Any, total_n: Any) -> None:
    if total_p <= 0 or total_n <= 0:
        warn(metric, "no positive or no negative samples of positive total weight; ROC AUC is undefined.")


def _binary_unweighted(kind: str, metric: str, pos: np.ndarray, s: np.ndarray) -> float:
    """Exact unweighted ROC AUC / AP from two sorts, without n-sized temporaries (see ``split_auc``)."""
    if kind == "auc":
        area2, total_p, total_n = split_auc(pos, s)
        return area2 / (2 * total_p * total_n)
    acc, total_p = split_ap(pos, s)
    if total_p == 0:
        warn(metric, "No positive class found in y_true, recall is set to one for all thresholds.")
        return 0.0
    return acc / total_p


def _average(kind: str, metric: str, y: Any, s: Any, w: Any, average: str | None, max_fpr: Any = None) -> Any:
    """sklearn's ``_average_binary_score`` over the columns of 2-D ``y`` (bool) and ``s``."""
    traced = isinstance(s, jax.Array)
    xp = jnp if traced else np

    def score(col_y: Any, col_s: Any, col_w: Any) -> Any:
        return _binary(kind, metric, col_y, col_s, col_w, max_fpr)

    if average == "micro":
        ww = None if w is None else xp.repeat(w, y.shape[1])
        return score(y.reshape(-1), s.reshape(-1), ww)
    if average == "samples":
        if traced:
            scores = jax.vmap(lambda a, b: score(a, b, None))(y, s)
        else:
            scores = np.array([score(y[i], s[i], None) for i in range(y.shape[0])])
        return weighted_mean(scores, w)
    if traced:  # one batched sort over the columns (one compile whatever C)
        scores = jax.vmap(lambda a, b: score(a, b, w), in_axes=(1, 1))(y, s)
    else:
        scores = np.array([score(y[:, c], s[:, c], w) for c in range(y.shape[1])])
    if average is None:
        return scores
    if average == "weighted":
        ww = y.astype(accum_dtype() if traced else np.float64)
        aw = (ww if w is None else ww * w[:, None]).sum(axis=0)
        scores = xp.where(aw == 0, 0.0, scores)
        total = aw.sum()
        res = (scores * aw).sum() / xp.where(total == 0, 1, total)
        return xp.where(xp.isclose(total, 0), 0.0, res)
    return scores.mean()


def _shape_error(metric: str, s: Any) -> ValueError:
    return ValueError(f"{metric}: `y_score` needs to be of shape `(n_samples, n_classes)`, since `y_true` "
                      f"contains multiple classes. Got `y_score.shape={tuple(s.shape)}`.")


def _multiclass_checks(metric: str, s: Any, max_fpr: Any, multi_class: str, average: Any, traced: bool) -> None:
    """scikit-learn's checks of a multiclass ``roc_auc_score``, in its order (sums on the host)."""
    if max_fpr is not None and max_fpr != 1.0:
        raise ValueError(f"{metric}: Partial AUC computation not available in multiclass setting, "
                         f"'max_fpr' must be set to `None`, received `max_fpr={max_fpr}` instead")
    if multi_class == "raise":
        raise ValueError(f"{metric}: multi_class must be in ('ovo', 'ovr') to score a multiclass problem "
                         "(y_true with more than two classes, or y_score with more than two columns).")
    if s.ndim != 2:
        raise _shape_error(metric, s)
    if not traced and not np.allclose(1, s.sum(axis=1)):
        raise ValueError(f"{metric}: Target scores need to be probabilities for multiclass roc_auc, i.e. "
                         "they should sum up to 1.0 over classes")
    options = (("micro",) if multi_class == "ovr" else ()) + ("macro", "weighted", None)
    if average not in options:
        raise ValueError(f"{metric}: average must be one of {options} for multiclass problems")
    if average is None and multi_class == "ovo":
        raise NotImplementedError(f"{metric}: average=None is not implemented for multi_class='ovo'.")


def roc_auc_score(
    y_true: ArrayLike,
    y_score: ArrayLike,
    *,
    average: str | None = "macro",
    sample_weight: ArrayLike | None = None,
    max_fpr: float | None = None,
    multi_class: str = "raise",
    labels: ArrayLike | None = None,
) -> Any:
    """Exact area under the ROC curve, as ``sklearn.metrics.roc_auc_score``.

    .. math:: \\mathrm{AUC} = \\frac{1}{PN} \\sum_g n_g \\left(\\mathrm{TP}_{>g} + \\tfrac{p_g}{2}\\right)

    over groups ``g`` of tied scores (``p_g``/``n_g`` positive/negative weight in the group,
    ``TP_{>g}`` the positive weight scored strictly higher): the trapezoid rule over sklearn's ROC
    points, so ties count one half and constant scores give 0.5.

    Problem types as in scikit-learn: binary (``y_true`` (N,), ``y_score`` (N,); the larger of the
    two labels is positive, inside ``jit`` the label 1), multilabel (both (N, C); ``average`` in
    'micro', 'macro', 'weighted', 'samples', None) and multiclass (``y_true`` (N,) labels,
    ``y_score`` (N, C) probabilities; ``multi_class='ovr'`` with 'micro'/'macro'/'weighted'/None
    or ``'ovo'`` (Hand & Till) with 'macro'/'weighted'; classes are ``labels`` or the sorted
    labels present, inside ``jit`` ``labels`` or 0..C-1). ``max_fpr`` (binary and multilabel only)
    gives the McClish-standardised partial AUC. On the host labels may be numbers, strings or
    objects and the result is a Python ``float`` (a NumPy array for ``average=None``).

    Degenerate input follows scikit-learn 1.9.1: a column with one class present warns
    (:class:`UndefinedMetricWarning`) and is NaN, so macro averages become NaN; 'weighted' zeroes
    classes without positives; no samples or all weights zero raise ``ValueError``. Inside ``jit``
    such values are NaN (the all-zero weighted average is 0, as sklearn's).

    >>> import jmetrics.sk as sk
    >>> sk.roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    0.75
    >>> sk.roc_auc_score(["no", "yes", "no", "yes"], [0.5, 0.5, 0.5, 0.5])
    0.5
    """
    metric = "roc_auc_score"
    check_choice(metric, "average", average, ("micro", "macro", "samples", "weighted", None))
    check_choice(metric, "multi_class", multi_class, ("raise", "ovr", "ovo"))
    if max_fpr is not None and not 0 < max_fpr <= 1:
        raise ValueError(f"{metric}: max_fpr must be in (0, 1]; got {max_fpr!r}.")
    if is_traced(y_true, y_score, sample_weight):
        return _roc_auc_traced(metric, y_true, y_score, average, sample_weight, max_fpr, multi_class, labels)
    return host_result(_roc_auc_host(metric, y_true, y_score, average, sample_weight, max_fpr, multi_class,
                                     labels))


def _roc_auc_host(metric: str, y_true: Any, y_score: Any, average: Any, sample_weight: Any, max_fpr: Any,
                  multi_class: str, labels: Any) -> Any:
    """scikit-learn's ``roc_auc_score`` on concrete inputs (its checks, order and messages)."""
    y, kind, s = host_scores(metric, y_true, y_score)
    if kind == "multiclass" or (kind == "binary" and s.ndim == 2 and s.shape[1] > 2):
        _multiclass_checks(metric, s, max_fpr, multi_class, average, False)
        return _multiclass_host(metric, y, s, sample_weight, multi_class, average, labels)
    if kind not in ("binary", "multilabel-indicator"):
        raise unsupported_target(metric, kind)
    w = host_weights(metric, y, s, sample_weight)
    if kind == "binary":
        check_binary_scores(metric, s)
        classes = unique(y)
        pos = is_label(y, classes[-1]) if classes.shape[0] == 2 else np.zeros(y.shape, bool)
        return _binary("auc", metric, pos, s, w, max_fpr)
    if y.shape != s.shape:
        raise ValueError(f"{metric}: y_true and y_score must have the same shape for multilabel; "
                         f"got {tuple(y.shape)} and {tuple(s.shape)}.")
    if not set(unique(y).tolist()) <= {0, 1}:  # each column is a binary target: {0, 1} or {-1, 1}
        for c in range(y.shape[1]):
            pos_label_consistency(metric, None, y[:, c])
    return _average("auc", metric, y == 1, s, w, average, max_fpr)


def _multiclass_host(metric: str, y: np.ndarray, s: np.ndarray, sample_weight: Any, multi_class: str,
                     average: Any, labels: Any) -> Any:
    """One-vs-rest or one-vs-one ROC AUC over ``labels`` or the sorted labels of ``y_true``."""
    c = s.shape[1]
    if labels is not None:
        classes = check_labels_param(metric, labels)
        if classes.shape[0] != c:
            raise ValueError(f"{metric}: Number of given labels, {classes.shape[0]}, not equal to the number "
                             f"of columns in 'y_score', {c}")
        if not_in(y, classes):
            raise ValueError(f"{metric}: 'y_true' contains labels not in parameter 'labels'")
    else:
        classes = unique(y)
        if classes.shape[0] != c:
            raise ValueError(f"{metric}: Number of classes in y_true not equal to the number of columns in "
                             f"'y_score' (got {classes.shape[0]} classes and {c} columns; pass labels).")
    enc = label_codes(classes, y)
    if multi_class == "ovo":
        if sample_weight is not None:
            raise ValueError(f"{metric}: sample_weight is not supported for multiclass one-vs-one ROC AUC, "
                             "'sample_weight' must be None in this case.")
        check_consistent(metric, y_true=y, y_score=s)
        return _ovo(metric, enc, s, c, average, False)
    w = host_weights(metric, y, s, sample_weight)
    return _average("auc", metric, enc[:, None] == np.arange(c)[None, :], s, w, average)


def _roc_auc_traced(metric: str, y_true: Any, y_score: Any, average: Any, sample_weight: Any, max_fpr: Any,
                    multi_class: str, labels: Any) -> jax.Array:
    """The JAX path: the problem type from shapes, classes from ``labels`` or 0..C-1, NaN where
    scikit-learn raises on values."""
    y, s, w, bad = prepare(metric, y_true, y_score, sample_weight)
    if y.ndim == 1 and s.ndim == 2 and s.shape[1] > 2:
        _multiclass_checks(metric, s, max_fpr, multi_class, average, True)
        c = s.shape[1]
        enc = y.astype(jnp.int32) if labels is None else jnp.argmax(
            y[:, None] == jnp.asarray(labels)[None, :], axis=1)
        bad = any_bad(bad, _traced_not_in(y, c, labels))
        if multi_class == "ovr":
            return poison(_average("auc", metric, enc[:, None] == jnp.arange(c)[None, :], s, w, average), bad)
        if sample_weight is not None:
            raise ValueError(f"{metric}: sample_weight is not supported for multiclass one-vs-one ROC AUC, "
                             "'sample_weight' must be None in this case.")
        return poison(_ovo(metric, enc, s, c, average, True), bad)
    if y.ndim == 1:
        check_binary_scores(metric, s)
        return poison(_binary("auc", metric, y == 1, s, w, max_fpr), any_bad(bad, traced_binary01(y)))
    if y.shape != s.shape:
        raise ValueError(f"{metric}: y_true and y_score must have the same shape for multilabel; "
                         f"got {tuple(y.shape)} and {tuple(s.shape)}.")
    bad = any_bad(bad, (y != 0) & (y != 1))
    return poison(_average("auc", metric, y == 1, s, w, average, max_fpr), bad)


def _traced_not_in(y: Any, c: int, labels: Any) -> Any:
    """Traced flag: a multiclass label outside ``labels`` (or outside 0..c-1 without labels)."""
    if labels is None:
        return ~((y >= 0) & (y < c)).all()
    return ~(y[:, None] == jnp.asarray(labels)[None, :]).any(axis=1).all()


def _ovo(metric: str, enc: Any, s: Any, c: int, average: str | None, traced: bool) -> Any:
    """Hand & Till one-vs-one over the pairs of classes present (an absent class's pairs drop out)."""
    pairs = list(combinations(range(c), 2))
    if traced:
        counts = (enc[:, None] == jnp.arange(c)[None, :]).sum(axis=0)
        pa, pb = jnp.array([p[0] for p in pairs]), jnp.array([p[1] for p in pairs])

        def pair(a: Any, b: Any) -> Any:
            ab = (enc == a) | (enc == b)
            wab = ab.astype(accum_dtype())
            sa = _binary("auc", metric, enc == a, s[:, a], wab)
            sb = _binary("auc", metric, enc == b, s[:, b], wab)
            return (sa + sb) / 2, ab.mean()

        ps, pv = jax.vmap(pair)(pa, pb)
        ok = (counts[pa] > 0) & (counts[pb] > 0)
        wts = jnp.where(ok, pv if average == "weighted" else 1.0, 0.0)
        return (jnp.where(ok, ps, 0.0) * wts).sum() / wts.sum()
    counts = np.bincount(enc, minlength=c)
    scores, prevalence = [], []
    for a, b in pairs:
        if counts[a] == 0 or counts[b] == 0:
            continue
        ab = (enc == a) | (enc == b)
        sa = _binary("auc", metric, (enc == a)[ab], s[ab, a], None)
        sb = _binary("auc", metric, (enc == b)[ab], s[ab, b], None)
        scores.append((sa + sb) / 2)
        prevalence.append(ab.mean())
    if not scores:
        return np.nan
    return np.average(scores, weights=prevalence if average == "weighted" else None)


def average_precision_score(
    y_true: ArrayLike,
    y_score: ArrayLike,
    *,
    average: str | None = "macro",
    pos_label: Any = 1,
    sample_weight: ArrayLike | None = None,
) -> Any:
    """Average precision (uninterpolated step integral), as ``sklearn.metrics.average_precision_score``.

    .. math:: \\mathrm{AP} = \\sum_n (R_n - R_{n-1}) P_n

    over the distinct score thresholds (ties grouped). Binary (``pos_label``, by value: numbers,
    strings or objects on the host), multilabel and multiclass (``y_true`` labels with ``y_score``
    (N, C): one-vs-rest over the classes present; inside ``jit`` over 0..C-1) with ``average`` in
    'micro', 'macro', 'weighted', 'samples', None. No positive sample: AP is 0 with a warning
    (sklearn 1.9.1; inside ``jit`` 0 silently); no samples or all weights zero raise
    ``ValueError``. On the host the result is a Python ``float`` (NumPy array for ``average=None``).

    >>> import jmetrics.sk as sk
    >>> sk.average_precision_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    0.8333333333333333
    """
    metric = "average_precision_score"
    check_choice(metric, "average", average, ("micro", "macro", "samples", "weighted", None))
    if is_traced(y_true, y_score, sample_weight):
        return _ap_traced(metric, y_true, y_score, average, pos_label, sample_weight)
    return host_result(_ap_host(metric, y_true, y_score, average, pos_label, sample_weight))


def _ap_host(metric: str, y_true: Any, y_score: Any, average: Any, pos_label: Any, sample_weight: Any) -> Any:
    """scikit-learn's ``average_precision_score`` on concrete inputs (its checks, order and messages)."""
    y, kind, s = host_scores(metric, y_true, y_score)
    present = unique(y)
    if kind == "binary":
        if present.shape[0] == 2 and not is_label(present, pos_label).any():
            raise ValueError(f"{metric}: pos_label={pos_label} is not a valid label. It should be one of "
                             f"{present}")
    elif kind == "multilabel-indicator" and pos_label != 1:
        raise ValueError(f"{metric}: Parameter pos_label is fixed to 1 for multilabel-indicator y_true. Do "
                         "not set pos_label or set pos_label to 1.")
    elif kind == "multiclass":
        if pos_label != 1:
            raise ValueError(f"{metric}: Parameter pos_label is fixed to 1 for multiclass y_true. Do not set "
                             "pos_label or set pos_label to 1.")
        y = label_codes(present, y)[:, None] == np.arange(present.shape[0])[None, :]
        if s.shape != y.shape:
            raise _shape_error(metric, s)
        kind = "multilabel-indicator"
    if kind not in ("binary", "multilabel-indicator"):
        raise unsupported_target(metric, kind)
    w = host_weights(metric, y, s, sample_weight)
    if kind == "binary":
        check_binary_scores(metric, s)
        return _binary("ap", metric, is_label(y, pos_label), s, w)
    if y.shape != s.shape:
        raise ValueError(f"{metric}: y_true and y_score must have the same shape; got {tuple(y.shape)} and "
                         f"{tuple(s.shape)}.")
    return _average("ap", metric, y == 1, s, w, average)


def _ap_traced(metric: str, y_true: Any, y_score: Any, average: Any, pos_label: Any, sample_weight: Any) -> Any:
    """The JAX path: binary with ``pos_label`` (a number), multiclass over 0..C-1, multilabel."""
    y, s, w, bad = prepare(metric, y_true, y_score, sample_weight)
    if y.ndim == 1 and s.ndim == 1:  # binary (at most two values) and pos_label among them when there are two
        # nan-safe: a NaN label makes traced_more_than_two true
        bad = any_bad(bad, traced_more_than_two(y), (y.min() != y.max()) & ~(y == pos_label).any())
        return poison(_binary("ap", metric, y == pos_label, s, w), bad)
    if pos_label != 1:
        kind = "multiclass" if y.ndim == 1 else "multilabel-indicator"
        raise ValueError(f"{metric}: Parameter pos_label is fixed to 1 for {kind} y_true. Do not set "
                         "pos_label or set pos_label to 1.")
    if y.ndim == 1:
        bad = any_bad(bad, _traced_not_in(y, s.shape[1], None))
        y = y[:, None] == jnp.arange(s.shape[1])[None, :]
    else:
        bad = any_bad(bad, (y != 0) & (y != 1))
    if y.shape != s.shape:
        raise ValueError(f"{metric}: y_true and y_score must have the same shape; got {tuple(y.shape)} and "
                         f"{tuple(s.shape)}.")
    return poison(_average("ap", metric, y == 1, s, w, average), bad)
