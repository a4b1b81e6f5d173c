"""Exact ROC AUC and average precision with scikit-learn semantics.

Ties are grouped exactly as scikit-learn groups them (one operating point per distinct score, so
constant scores give ROC AUC 0.5) and counts are exact (see ``jmetrics.sk._sort``): results equal
scikit-learn 1.9.1 to float32 rounding, also at 1e7 samples. Concrete inputs run on the host
(NumPy, one sort of packed integer keys, several times faster than scikit-learn); traced inputs
(inside ``jit``) run on the JAX path, where the problem type comes from shapes, classes from
``labels`` or the score columns, and undefined values are NaN instead of a warning. The curves
have data-dependent lengths and are host-only (``jmetrics.sk._curves``).
"""
from __future__ import annotations

from itertools import combinations
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

from jmetrics._checks import accum_dtype, check_choice
from jmetrics.sk._common import out, warn
from jmetrics.sk._score_checks import (
    any_bad,
    nan_if,
    traced_binary01,
)
from jmetrics.sk._score_inputs import host_classes, prepare
from jmetrics.sk._sort import (
    curve_auc,
    group_ap,
    group_auc,
    host_groups,
    jax_groups,
    split_ap,
    split_auc,
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
        return _weighted_mean(xp, scores, w)
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


def _weighted_mean(xp: Any, scores: Any, w: Any) -> Any:
    if w is None:
        return scores.mean()
    return (scores * w).sum() / w.sum()


def _finish(traced: bool, res: Any, bad: Any) -> jax.Array:
    """The host result as a ``jax.Array``; the traced one NaN where scikit-learn would raise."""
    return nan_if(bad, res) if traced else out(res)


def _encode_multiclass(metric: str, y: Any, c: int, labels: Any, traced: bool) -> Any:
    """Class indices 0..C-1 of multiclass labels (``labels`` or, on the host, sorted unique y)."""
    if traced:
        if labels is None:
            return y.astype(jnp.int32)
        lab = jnp.asarray(labels)
        return jnp.argmax(y[:, None] == lab[None, :], axis=1)
    if labels is not None:
        classes = np.asarray(labels)
        if np.unique(classes).shape[0] != classes.shape[0]:
            raise ValueError(f"{metric}: labels must be unique; got {classes.tolist()}.")
        if not np.array_equal(np.sort(classes), classes):
            raise ValueError(f"{metric}: labels must be ordered; got {classes.tolist()}.")
        if classes.shape[0] != c:
            raise ValueError(f"{metric}: the number of labels must equal the columns of y_score; "
                             f"got {classes.shape[0]} labels and {c} columns.")
        if np.setdiff1d(y, classes).size:
            raise ValueError(f"{metric}: y_true contains labels not in labels; got "
                             f"{np.setdiff1d(y, classes).tolist()}.")
    else:
        classes = np.unique(y)
        if classes.shape[0] != c:
            raise ValueError(f"{metric}: the number of classes in y_true must equal the columns of "
                             f"y_score (or pass labels); got {classes.shape[0]} classes and {c} columns.")
    return np.searchsorted(classes, y)


def roc_auc_score(
    y_true: ArrayLike,
    y_score: ArrayLike,
    *,
    average: str | None = "macro",
    sample_weight: ArrayLike | None = None,
    max_fpr: float | None = None,
    multi_class: str = "raise",
    labels: ArrayLike | None = None,
) -> jax.Array:
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
    gives the McClish-standardised partial AUC.

    Degenerate input follows scikit-learn 1.9.1: a column with one class present warns
    (:class:`UndefinedMetricWarning`) and is NaN, so macro averages become NaN; 'weighted' zeroes
    classes without positives; no samples or all weights zero raise ``ValueError``. Inside ``jit``
    such values are NaN (the all-zero weighted average is 0, as sklearn's).

    >>> import jmetrics.sk as sk
    >>> sk.roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    Array(0.75, dtype=float32)
    >>> sk.roc_auc_score([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5])
    Array(0.5, dtype=float32)
    """
    metric = "roc_auc_score"
    check_choice(metric, "average", average, ("micro", "macro", "samples", "weighted", None))
    check_choice(metric, "multi_class", multi_class, ("raise", "ovr", "ovo"))
    if max_fpr is not None and not 0 < max_fpr <= 1:
        raise ValueError(f"{metric}: max_fpr must be in (0, 1]; got {max_fpr!r}.")
    traced, y, s, w, bad = prepare(metric, y_true, y_score, sample_weight)
    xp = jnp if traced else np
    if y.ndim == 1 and s.ndim == 2 and s.shape[1] > 2 or (
            not traced and y.ndim == 1 and host_classes(y).shape[0] > 2):
        if s.ndim != 2:
            raise ValueError(f"{metric}: y_score must have shape (n_samples, n_classes) for multiclass "
                             f"y_true; got {tuple(s.shape)}.")
        if max_fpr is not None and max_fpr != 1.0:
            raise ValueError(f"{metric}: max_fpr is not available for multiclass; got max_fpr={max_fpr}.")
        if multi_class == "raise":
            raise ValueError(f"{metric}: multi_class must be 'ovr' or 'ovo' for multiclass y_true; got 'raise'.")
        if not traced and not np.allclose(1, s.sum(axis=1)):
            raise ValueError(f"{metric}: y_score rows must be probabilities summing to 1 for multiclass.")
        allowed = ("micro", "macro", "weighted", None) if multi_class == "ovr" else ("macro", "weighted", None)
        check_choice(metric, "average (multiclass)", average, allowed)
        if average is None and multi_class == "ovo":
            raise NotImplementedError(f"{metric}: average=None is not implemented for multi_class='ovo' "
                                      "(as in scikit-learn); use 'macro' or 'weighted'.")
        c = s.shape[1]
        enc = _encode_multiclass(metric, y, c, labels, traced)
        if traced:
            bad = any_bad(bad, _traced_not_in(y, c, labels))
        if multi_class == "ovr":
            onehot = enc[:, None] == xp.arange(c)[None, :]
            res = _average("auc", metric, onehot, s, w, average)
        else:
            if sample_weight is not None:
                raise ValueError(f"{metric}: sample_weight is not supported for multi_class='ovo'; got weights.")
            res = _ovo(metric, enc, s, c, average, traced)
        return _finish(traced, res, bad)
    if y.ndim == 1:
        if s.ndim != 1:
            raise ValueError(f"{metric}: y_score must have shape (n_samples,) for binary y_true; got {tuple(s.shape)}.")
        if traced:
            pos, bad = y == 1, any_bad(bad, traced_binary01(y))
        else:
            classes = host_classes(y)
            pos = y == classes[-1] if classes.shape[0] == 2 else np.zeros(y.shape, bool)
        return _finish(traced, _binary("auc", metric, pos, s, w, max_fpr), bad)
    if y.shape != s.shape:
        raise ValueError(f"{metric}: y_true and y_score must have the same shape for multilabel; "
                         f"got {tuple(y.shape)} and {tuple(s.shape)}.")
    bad = _multilabel_bad(metric, y, traced, bad)
    return _finish(traced, _average("auc", metric, y == 1, s, w, average, max_fpr), bad)


def _traced_not_in(y: Any, c: int, labels: Any) -> Any:
    """Traced flag: a multiclass label outside ``labels`` (or outside 0..c-1 without labels)."""
    if labels is None:
        return ~((y >= 0) & (y < c)).all()
    return ~(y[:, None] == jnp.asarray(labels)[None, :]).any(axis=1).all()


def _multilabel_bad(metric: str, y: Any, traced: bool, bad: Any) -> Any:
    """A multilabel indicator must hold 0 and 1 only (else sklearn: 'multiclass-multioutput')."""
    off = (y != 0) & (y != 1)
    if traced:
        return any_bad(bad, off.any())
    if off.any():
        raise ValueError(f"{metric}: a 2-D y_true must be a 0/1 label indicator matrix; got values "
                         f"{np.unique(y[off])[:5].tolist()} (multiclass-multioutput is not supported).")
    return None


def _ovo(metric: str, enc: Any, s: Any, c: int, average: str | None, traced: bool) -> Any:
    """Hand & Till one-vs-one over the pairs of classes present (an absent class's pairs drop out)."""
    pairs = list(combinations(range(c), 2))
    if not pairs:
        return jnp.nan if traced else np.nan
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
) -> jax.Array:
    """Average precision (uninterpolated step integral), as ``sklearn.metrics.average_precision_score``.

    .. math:: \\mathrm{AP} = \\sum_n (R_n - R_{n-1}) P_n

    over the distinct score thresholds (ties grouped). Binary (``pos_label``), multilabel and
    multiclass (``y_true`` labels with ``y_score`` (N, C): one-vs-rest over the classes present;
    inside ``jit`` over 0..C-1) with ``average`` in 'micro', 'macro', 'weighted', 'samples', None.
    No positive sample: AP is 0 with a warning (sklearn 1.9.1; inside ``jit`` 0 silently); no
    samples or all weights zero raise ``ValueError``.

    >>> import jmetrics.sk as sk
    >>> sk.average_precision_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    Array(0.8333333, dtype=float32)
    """
    metric = "average_precision_score"
    check_choice(metric, "average", average, ("micro", "macro", "samples", "weighted", None))
    traced, y, s, w, bad = prepare(metric, y_true, y_score, sample_weight)
    xp = jnp if traced else np
    if y.ndim == 1 and s.ndim == 1:
        if traced:  # binary (at most two values) and pos_label among them when there are two
            lo, hi = y.min(), y.max()
            bad = any_bad(bad, ~((y == lo) | (y == hi)).all(), (lo != hi) & ~(y == pos_label).any())
        else:
            classes = host_classes(y)
            if classes.shape[0] > 2:
                raise ValueError(f"{metric}: y_score must have shape (n_samples, n_classes) for multiclass "
                                 f"y_true; got {tuple(s.shape)}.")
            if classes.shape[0] == 2 and pos_label not in classes:
                raise ValueError(f"{metric}: pos_label={pos_label!r} is not a valid label; got labels "
                                 f"{classes.tolist()}.")
        return _finish(traced, _binary("ap", metric, y == pos_label, s, w), bad)
    if y.ndim == 1:
        if pos_label != 1:
            raise ValueError(f"{metric}: pos_label is fixed to 1 for multiclass y_true; got {pos_label!r}.")
        classes = xp.arange(s.shape[1]) if traced else np.unique(y)
        if classes.shape[0] != s.shape[1]:
            raise ValueError(f"{metric}: y_score must have one column per class present in y_true; got "
                             f"{classes.shape[0]} classes and y_score shape {tuple(s.shape)}.")
        if traced:
            bad = any_bad(bad, _traced_not_in(y, s.shape[1], None))
        y = y[:, None] == classes[None, :]
    elif pos_label != 1:
        raise ValueError(f"{metric}: pos_label is fixed to 1 for multilabel y_true; got {pos_label!r}.")
    else:
        bad = _multilabel_bad(metric, y, traced, bad)
    if y.shape != s.shape:
        raise ValueError(f"{metric}: y_true and y_score must have the same shape; got "
                         f"{tuple(y.shape)} and {tuple(s.shape)}.")
    return _finish(traced, _average("ap", metric, y == 1, s, w, average), bad)
