"""Label metrics from (multilabel) confusion counts, with scikit-learn names and semantics.

Host path (concrete inputs): the problem type (binary, multiclass, multilabel) and the classes
(sorted union of the labels in ``y_true`` and ``y_pred``, or ``labels``) are inferred as in
scikit-learn; unweighted counts are int64, weighted float64. JAX path (inside ``jit``): 2-D inputs
are multilabel indicators; 1-D inputs need ``labels`` (a tuple: the class set is static), except
for ``average='binary'`` which compares with ``pos_label``; counts are int32 (unweighted) or sums in
the accumulation dtype. Zero divisions follow ``zero_division`` ('warn' acts as 0 and warns on the
host, as scikit-learn 1.9.1).

Labels may be numbers, strings or objects on the host (``check_targets`` encodes them as codes
into the sorted classes; ``pos_label`` and ``labels`` are looked up by value). Host results are
Python floats and NumPy arrays, as scikit-learn's; inside ``jit`` they are float ``jax.Array``
(counts included), all NaN where the host raises on values (see ``_targets``). The
confusion-matrix family is in ``_confusion.py``.
"""

from __future__ import annotations

import warnings
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

from jmetrics._floor._checks import accum_dtype
from jmetrics._floor._options import check_choice
from jmetrics.sk._common import (
    check_targets,
    empty_targets,
    host_result,
    is_traced,
    jax_weight,
    label_codes,
    no_weight,
    nonfinite,
    poison,
    warn,
)
from jmetrics.sk._score_checks import any_bad, traced_not_integer

__all__ = [
    "accuracy_score",
    "f1_score",
    "fbeta_score",
    "hamming_loss",
    "jaccard_score",
    "precision_recall_fscore_support",
    "precision_score",
    "recall_score",
]

_AVERAGES = ("binary", "micro", "macro", "weighted", "samples", None)


class _T(NamedTuple):
    """Targets of one path: traced JAX arrays, or encoded host arrays (see ``check_targets``)."""

    traced: bool
    kind: str  # 'binary', 'multiclass' or 'multilabel'
    yt: Any  # host: int64 class codes (N,) or 0/1 indicators (N, L); jit: the values
    yp: Any
    w: Any  # (N,) weights or None
    classes: Any  # host: (K,) sorted labels present; jit: None
    bad: Any  # jit: traced flag, NaN/inf in labels or weights (the result becomes NaN); host: False


def _targets(metric: str, y_true: Any, y_pred: Any, sample_weight: Any,
             names: tuple[str, str] = ("y_true", "y_pred")) -> _T:
    """Checked targets; errors name the arguments ``names``. Host: scikit-learn's
    ``_check_targets`` with labels encoded as class codes. Jit: shapes decide (2-D is multilabel;
    no rows raises at trace time); what the host refuses by value (NaN, infinite or non-integral
    labels, which scikit-learn calls 'continuous'; NaN or infinite weights; all-zero weights)
    flags the result NaN."""
    if is_traced(y_true, y_pred, sample_weight):
        yt, yp = jnp.asarray(y_true), jnp.asarray(y_pred)
        if yt.shape != yp.shape:
            raise ValueError(f"{metric}: {names[0]} and {names[1]} must have the same shape; got "
                             f"{tuple(yt.shape)} and {tuple(yp.shape)}.")
        if yt.shape[:1] == (0,):
            raise empty_targets(metric, names)
        w = jax_weight(metric, sample_weight, yt.shape[0])
        kind = "multilabel" if yt.ndim == 2 else "multiclass"
        bad = any_bad(traced_not_integer(yt), traced_not_integer(yp), nonfinite(w), no_weight(w))
        return _T(True, kind, yt, yp, w, None, bad)
    t = check_targets(metric, y_true, y_pred, sample_weight, names)
    kind = "multilabel" if t.kind == "multilabel-indicator" else t.kind
    return _T(False, kind, t.y_true, t.y_pred, t.sample_weight, t.classes, False)


def _counts(traced: bool, kind: str, yt: Any, yp: Any, w: Any, labels: Any, samplewise: bool = False):
    """Per label ``(tp, pred, true, total)``: weighted counts; ``total`` the whole weight.

    ``labels``: multilabel column indices, or (host) class codes, -1 for a label that is not present
    (it counts nothing), or (jit) label values.
    """
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
        if not traced and kind != "multilabel" and not (yt == yp).any():
            # scikit-learn's counts are float64 when no row is right (its bincount's empty case)
            tp, pred, true = tp.astype(np.float64), pred.astype(np.float64), true.astype(np.float64)
    elif traced:
        dt = accum_dtype()
        tp = xp.where(a & b, w[:, None], 0).astype(dt).sum(axis)
        pred = xp.where(b, w[:, None], 0).astype(dt).sum(axis)
        true = xp.where(a, w[:, None], 0).astype(dt).sum(axis)
        total = w.sum() if not samplewise else w * a.shape[1]
    else:
        tp, pred, true = (_host_weighted(m, w, samplewise) for m in (a & b, b, a))
        total = w.sum() if not samplewise else w * a.shape[1]
    return tp, pred, true, total


def _host_weighted(m: np.ndarray, w: np.ndarray, samplewise: bool) -> np.ndarray:
    """float64 weighted counts summed as scikit-learn sums them, to the last bit: per label in row
    order (its ``bincount``; a cumulative sum adds the same numbers in the same order), per
    sample the count times the weight."""
    if samplewise:
        return m.sum(1) * w
    if m.shape[0] == 0:
        return np.zeros(m.shape[1])
    return np.cumsum(np.where(m, w[:, None], 0.0), axis=0)[-1]


def _labels(metric: str, t: _T, labels: Any) -> Any:
    """The labels to count: multilabel column indices (checked in range on the host), host class
    codes of ``labels`` (by value; -1 where absent), or static label values under jit."""
    if t.traced:
        if labels is not None:
            return tuple(np.asarray(labels).tolist())
        if t.kind == "multilabel":
            return None
        raise ValueError(f"{metric}: labels must be given inside jit for 1-D targets (the class set is "
                         "static); got labels=None.")
    if labels is None:
        return None if t.kind == "multilabel" else tuple(range(t.classes.shape[0]))
    if t.kind != "multilabel":
        return tuple(label_codes(t.classes, labels).tolist())
    labs = np.asarray(labels).reshape(-1)
    n = t.classes.shape[0]
    if labs.size and (labs.shape[0] != n or np.any(labs != np.arange(n))):
        # nan-safe: NumPy
        if labs.max() > n - 1:
            raise ValueError(f"{metric}: All labels must be in [0, n labels) for multilabel targets. "
                             f"Got {labs.max()} > {n - 1}")  # nan-safe: NumPy
        # nan-safe: NumPy
        if labs.min() < 0:
            raise ValueError(f"{metric}: All labels must be in [0, n labels) for multilabel targets. "
                             f"Got {labs.min()} < 0")  # nan-safe: NumPy
    return tuple(int(c) for c in labs)


def _set_wise_labels(metric: str, t: _T, average: Any, labels: Any, pos_label: Any) -> tuple[_T, Any]:
    """scikit-learn's ``_check_set_wise_labels``: the labels to count for an ``average`` (and the
    targets, flagged NaN under jit where the host refuses them)."""
    if average == "binary":
        if t.traced and t.kind != "multilabel":
            return _traced_binary(t, pos_label), (pos_label,)
        if t.kind != "binary":
            options = [None, "micro", "macro", "weighted"] + (["samples"] if t.kind == "multilabel" else [])
            kind = "multilabel-indicator" if t.kind == "multilabel" else t.kind
            found = (f"{t.yt.shape[1]} label columns" if t.kind == "multilabel" else
                     f"{t.classes.shape[0]} labels: {_show(t.classes)}")
            raise ValueError(f"{metric}: Target is {kind} but average='binary'. Please choose another "
                             f"average setting, one of {options}. y_true and y_pred hold {found}.")
        code = int(label_codes(t.classes, [pos_label])[0])
        if code < 0 and t.classes.shape[0] >= 2:
            raise ValueError(f"{metric}: pos_label={pos_label} is not a valid label. It should be one of "
                             f"{t.classes}")
        return t, (code,)
    if not t.traced and not (pos_label is None or (isinstance(pos_label, (int, float)) and pos_label == 1)):
        warnings.warn(f"{metric}: Note that pos_label (set to {pos_label!r}) is ignored when average != "
                      f"'binary' (got {average!r}). You may use labels=[pos_label] to specify a single "
                      "positive class.", UserWarning, stacklevel=4)
    if average == "samples" and t.kind != "multilabel":
        raise ValueError(f"{metric}: Samplewise metrics are not available outside of multilabel "
                         f"classification; got {t.kind} targets.")
    return t, _labels(metric, t, labels)


def _show(classes: np.ndarray, most: int = 10) -> str:
    """The first ``most`` labels, for a message."""
    shown = ", ".join(repr(c) for c in classes[:most].tolist())
    return f"[{shown}{', ...' if classes.shape[0] > most else ''}]"


def _traced_binary(t: _T, pos_label: Any) -> _T:
    """The jit twin of the host's binary checks: more than two distinct labels in ``y_true`` and
    ``y_pred`` (scikit-learn: 'multiclass'), or two of which none is ``pos_label``, flag NaN."""
    both = jnp.concatenate([t.yt.reshape(-1), t.yp.reshape(-1)])
    # nan-safe: a NaN label differs from lo and hi either way: multiclass
    lo, hi = both.min(), both.max()
    multiclass = ((both != lo) & (both != hi)).any()
    no_pos = (lo != hi) & (lo != pos_label) & (hi != pos_label)
    return t._replace(bad=t.bad | multiclass | no_pos)


def _zero(zero_division: Any) -> float:
    return 0.0 if zero_division == "warn" else float(zero_division)


_NOUN = {"Precision": "predicted", "Recall": "true", "F-score": "true nor predicted", "Jaccard": "true or predicted"}


def _divide(num: Any, den: Any, zero_division: Any, metric: str, what: str, warn_on: bool,
            average: Any = None) -> Any:
    """``num / den`` with ``zero_division`` where ``den == 0``, warning as scikit-learn's ``_prf_divide``."""
    xp = jnp if isinstance(num, jax.Array) or isinstance(den, jax.Array) else np
    num = xp.asarray(num, dtype=accum_dtype() if xp is jnp else np.float64)
    den = xp.asarray(den, dtype=num.dtype)
    if xp is np and warn_on and zero_division == "warn" and np.any(den == 0):
        axis0, axis1 = ("label", "sample") if average == "samples" else ("sample", "label")
        where = "due to" if den.shape[0] == 1 else f"in {axis1}s with"
        warn(metric, f"{what} is ill-defined and being set to 0.0 {where} no {_NOUN[what]} {axis0}s. "
                     "Use `zero_division` parameter to control this behavior.", named=False)
    return xp.where(den != 0, num / xp.where(den != 0, den, 1), _zero(zero_division))


def _nanaverage(xp: Any, a: Any, weights: Any) -> Any:
    mask = ~xp.isnan(a)
    if weights is None:
        # nan-safe: counts
        return xp.where(mask.any(), xp.where(mask, a, 0).sum() / xp.maximum(mask.sum(), 1), xp.nan)
    wts = xp.where(mask, weights, 0).astype(a.dtype)
    tot = wts.sum()
    plain = xp.where(mask, a, 0).sum() / xp.maximum(mask.sum(), 1)  # nan-safe: counts
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
    if zero_division != "warn" and not (isinstance(zero_division, (int, float, np.number))
                                        and (zero_division in (0, 1) or np.isnan(zero_division))):
        raise ValueError(f"{metric}: zero_division must be one of ['warn', 0.0, 1.0, nan]; got {zero_division!r}.")
    if beta < 0:
        raise ValueError(f"{metric}: beta must be >= 0; got {beta!r}.")
    t = _targets(metric, y_true, y_pred, sample_weight)
    t, labs = _set_wise_labels(metric, t, average, labels, pos_label)
    traced, xp = t.traced, (jnp if t.traced else np)
    kind = "binary" if average == "binary" and t.kind != "multilabel" else t.kind
    samplewise = average == "samples"
    tp, pred, true, _ = _counts(traced, kind, t.yt, t.yp, t.w, labs, samplewise)
    if average == "micro":
        tp, pred, true = tp.sum(keepdims=True), pred.sum(keepdims=True), true.sum(keepdims=True)
    precision = _divide(tp, pred, zero_division, metric, "Precision", "precision" in warn_for, average)
    recall = _divide(tp, true, zero_division, metric, "Recall", "recall" in warn_for, average)
    if np.isposinf(beta):
        f = recall
    elif beta == 0:
        f = precision
    else:
        b2 = beta * beta
        f = _divide((1 + b2) * xp.asarray(tp, precision.dtype), b2 * xp.asarray(true, precision.dtype) + pred,
                    zero_division, metric, "F-score", "f-score" in warn_for, average)
    if average is None:
        if traced:  # the support too becomes float, to hold NaN
            return (poison(precision, t.bad), poison(recall, t.bad), poison(f, t.bad),
                    poison(true.astype(precision.dtype), t.bad))
        return (host_result(precision), host_result(recall), host_result(f),
                np.asarray(true, np.float64 if t.w is not None else true.dtype))
    weights = true if average == "weighted" else (t.w if samplewise else None)
    avg = [_nanaverage(xp, v, weights) for v in (precision, recall, f)]
    if traced:
        return poison(avg[0], t.bad), poison(avg[1], t.bad), poison(avg[2], t.bad), None
    return host_result(avg[0]), host_result(avg[1]), host_result(avg[2]), None


def _prf_one(index: int, metric: str, y_true: Any, y_pred: Any, **kw: Any) -> Any:
    return _prfs(metric, y_true, y_pred, **{"beta": 1.0, **kw})[index]


def precision_score(y_true: ArrayLike, y_pred: ArrayLike, *, labels: Any = None, pos_label: Any = 1,
                    average: str | None = "binary", sample_weight: ArrayLike | None = None,
                    zero_division: Any = "warn") -> jax.Array:
    """Precision ``tp / (tp + fp)``, as ``sklearn.metrics.precision_score`` (see ``precision_recall_fscore_support``).

    >>> import jmetrics.sk as sk
    >>> sk.precision_score([0, 1, 1, 0], [1, 1, 1, 0])
    0.666...
    """
    return _prf_one(0, "precision_score", y_true, y_pred, labels=labels, pos_label=pos_label, average=average,
                    sample_weight=sample_weight, zero_division=zero_division, warn_for=("precision",))


def recall_score(y_true: ArrayLike, y_pred: ArrayLike, *, labels: Any = None, pos_label: Any = 1,
                 average: str | None = "binary", sample_weight: ArrayLike | None = None,
                 zero_division: Any = "warn") -> jax.Array:
    """Recall ``tp / (tp + fn)``, as ``sklearn.metrics.recall_score``.

    >>> import jmetrics.sk as sk
    >>> sk.recall_score([0, 1, 1, 0], [1, 1, 0, 0])
    0.5
    """
    return _prf_one(1, "recall_score", y_true, y_pred, labels=labels, pos_label=pos_label, average=average,
                    sample_weight=sample_weight, zero_division=zero_division, warn_for=("recall",))


def fbeta_score(y_true: ArrayLike, y_pred: ArrayLike, *, beta: float, labels: Any = None, pos_label: Any = 1,
                average: str | None = "binary", sample_weight: ArrayLike | None = None,
                zero_division: Any = "warn") -> jax.Array:
    """F-beta ``(1 + b^2) tp / ((1 + b^2) tp + b^2 fn + fp)``, as ``sklearn.metrics.fbeta_score``.

    >>> import jmetrics.sk as sk
    >>> sk.fbeta_score([0, 1, 1, 0], [1, 1, 0, 0], beta=2.0)
    0.5
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
    0.5
    """
    return _prf_one(2, "f1_score", y_true, y_pred, beta=1.0, labels=labels, pos_label=pos_label,
                    average=average, sample_weight=sample_weight, zero_division=zero_division,
                    warn_for=("f-score",))


def _result(t: _T, x: Any) -> Any:
    """Jit: ``x`` (NaN when the inputs were bad); host: a Python float or NumPy array."""
    return poison(x, t.bad) if t.traced else host_result(x)


def accuracy_score(y_true: ArrayLike, y_pred: ArrayLike, *, normalize: bool = True,
                   sample_weight: ArrayLike | None = None) -> Any:
    """Fraction (or weighted count) of exact matches, as ``sklearn.metrics.accuracy_score``.

    Multilabel rows count only when every label matches (subset accuracy).

    >>> import jmetrics.sk as sk
    >>> sk.accuracy_score([0, 1, 2, 3], [0, 2, 1, 3])
    0.5
    >>> sk.accuracy_score(["cat", "dog", "dog"], ["cat", "cat", "dog"], normalize=False)
    2.0
    """
    t = _targets("accuracy_score", y_true, y_pred, sample_weight)
    xp = jnp if t.traced else np
    ok = (t.yt == t.yp).all(axis=1) if t.kind == "multilabel" else t.yt == t.yp
    dt = accum_dtype() if t.traced else np.float64
    if t.w is None:
        score = ok.sum(dtype=jnp.int32 if t.traced else np.int64)
        res = score / ok.shape[0] if normalize else score
    else:
        score = xp.where(ok, t.w, 0).astype(dt).sum()
        res = score / t.w.sum() if normalize else score
    return _result(t, res)


def jaccard_score(y_true: ArrayLike, y_pred: ArrayLike, *, labels: Any = None, pos_label: Any = 1,
                  average: str | None = "binary", sample_weight: ArrayLike | None = None,
                  zero_division: Any = "warn") -> Any:
    """Jaccard index ``tp / (tp + fp + fn)``, as ``sklearn.metrics.jaccard_score`` (averages as precision_score).

    >>> import jmetrics.sk as sk
    >>> sk.jaccard_score([0, 1, 1, 1], [1, 1, 0, 1])
    0.5
    """
    metric = "jaccard_score"
    check_choice(metric, "average", average, _AVERAGES)
    t = _targets(metric, y_true, y_pred, sample_weight)
    xp = jnp if t.traced else np
    t, labs = _set_wise_labels(metric, t, average, labels, pos_label)
    kind = "binary" if average == "binary" and t.kind != "multilabel" else t.kind
    tp, pred, true, _ = _counts(t.traced, kind, t.yt, t.yp, t.w, labs, average == "samples")
    if average == "micro":
        tp, pred, true = tp.sum(keepdims=True), pred.sum(keepdims=True), true.sum(keepdims=True)
    j = _divide(tp, true + pred - tp, zero_division, metric, "Jaccard", True, average)
    if average is None:
        return _result(t, j)
    weights = true if average == "weighted" else (t.w if average == "samples" else None)
    if weights is None:
        return _result(t, j.mean())
    wts = xp.asarray(weights, j.dtype)
    if t.traced:
        return _result(t, xp.where(wts.sum() != 0, (j * wts).sum() / xp.where(wts.sum() != 0, wts.sum(), 1),
                                   j.mean()))
    return _result(t, (j * wts).sum() / wts.sum() if wts.any() else j.mean())


def hamming_loss(y_true: ArrayLike, y_pred: ArrayLike, *, sample_weight: ArrayLike | None = None) -> Any:
    """Fraction of wrong labels (over all entries for multilabel), as ``sklearn.metrics.hamming_loss``.

    >>> import jmetrics.sk as sk
    >>> sk.hamming_loss([[0, 1], [1, 1]], [[0, 0], [1, 1]])
    0.25
    """
    t = _targets("hamming_loss", y_true, y_pred, sample_weight)
    wrong = t.yt != t.yp
    dt = accum_dtype() if t.traced else np.float64
    per = wrong.astype(dt).mean(axis=1) if t.kind == "multilabel" else wrong.astype(dt)
    if t.w is None:
        return _result(t, per.mean())
    return _result(t, (per * t.w).sum() / t.w.sum())
