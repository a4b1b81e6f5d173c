"""Top-k accuracy with scikit-learn's name and semantics, on both paths.

Host path: scikit-learn 1.9.1's checks in its order and its messages after the function's name;
labels may be numbers, strings or objects; the result is a Python ``float``. Inside ``jit``
classes are 0..C-1 (0/1 for 1-D scores) or ``labels``; other labels, non-finite scores or weights
give NaN.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

from jmetrics._floor._extrema import reduce_max, reduce_min
from jmetrics.sk._common import (
    check_consistent,
    check_finite,
    host,
    host_labels,
    host_result,
    host_weight,
    is_traced,
    jax_weight,
    label_codes,
    nonfinite,
    poison,
    type_of_target,
    warn,
)
from jmetrics.sk._proba_inputs import traced_codes
from jmetrics.sk._score_checks import any_bad, check_ndim, check_nonempty, traced_not_integer
from jmetrics.sk._score_inputs import check_labels_param, not_in, unique

__all__ = ["top_k_accuracy_score"]


def top_k_accuracy_score(y_true: ArrayLike, y_score: ArrayLike, *, k: int = 2, normalize: bool = True,
                         sample_weight: ArrayLike | None = None, labels: Any = None) -> Any:
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
    0.75
    """
    metric = "top_k_accuracy_score"
    if not isinstance(k, int) or k < 1:
        raise ValueError(f"{metric}: k must be a positive int; got {k!r}.")
    if is_traced(y_true, y_score, sample_weight):
        return _traced(metric, y_true, y_score, k, normalize, sample_weight, labels)
    enc, s, w = _host_inputs(metric, y_true, y_score, sample_weight, labels, k)
    return host_result(_hits_total(np, _hits(np, enc, s, k), w, normalize))


def _host_inputs(metric: str, y_true: Any, y_score: Any, sample_weight: Any, labels: Any,
                 k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """scikit-learn's checks, in its order; ``(class codes (N,), scores (N,) or (N, C), weights)``."""
    y = host_labels(metric, y_true, "y_true")
    check_ndim(metric, "y_true", y)
    check_nonempty(metric, "y_true", y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1:
        raise ValueError(f"{metric}: y should be a 1d array, got an array of shape {y.shape} instead.")
    kind = type_of_target(metric, y, "y_true")
    if kind == "binary" and labels is not None and len(labels) > 2:
        kind = "multiclass"
    if kind not in ("binary", "multiclass"):
        raise ValueError(f"{metric}: y type must be 'binary' or 'multiclass', got '{kind}' instead. "
                         "y is the argument y_true.")
    check_finite(metric, "y_true", y)
    s = host(y_score, metric, "y_score")
    check_ndim(metric, "y_score", s)
    check_nonempty(metric, "y_score", s)
    check_finite(metric, "y_score", s)
    if kind == "binary":
        if s.ndim == 2 and s.shape[1] != 1:
            raise ValueError(f"{metric}: `y_true` is binary while y_score is 2d with {s.shape[1]} classes. If "
                             "`y_true` does not contain all the labels, `labels` must be provided.")
        s = s.reshape(-1)
    elif s.ndim != 2:
        raise ValueError(f"{metric}: `y_score` needs to be of shape `(n_samples, n_classes)`, since `y_true` "
                         f"contains multiple classes. Got `y_score.shape={s.shape}`.")
    n = check_consistent(metric, y_true=y, y_score=s, sample_weight=sample_weight)
    w = host_weight(metric, sample_weight, n)
    classes = _classes(metric, y, labels, s.shape[1] if s.ndim == 2 else 2)
    if k >= classes.shape[0]:
        warn(metric, f"'k' ({k}) greater than or equal to 'n_classes' ({classes.shape[0]}) will result in a "
             "perfect score and is therefore meaningless.")
    return label_codes(classes, y), s, w


def _classes(metric: str, y: np.ndarray, labels: Any, score_classes: int) -> np.ndarray:
    """The classes of the score columns: the sorted labels of ``y_true``, or ``labels`` (unique,
    sorted, one per column, holding every label of ``y_true``)."""
    if labels is None:
        classes = unique(y)
        if classes.shape[0] != score_classes:
            raise ValueError(f"{metric}: Number of classes in 'y_true' ({classes.shape[0]}) not equal to the "
                             f"number of classes in 'y_score' ({score_classes}).You can provide a list of all "
                             "known classes by assigning it to the `labels` parameter.")
        return classes
    classes = check_labels_param(metric, labels)
    if classes.shape[0] != score_classes:
        raise ValueError(f"{metric}: Number of given labels ({classes.shape[0]}) not equal to the number of "
                         f"classes in 'y_score' ({score_classes}).")
    if not_in(y, classes):
        raise ValueError(f"{metric}: 'y_true' contains labels not in parameter 'labels'.")
    return classes


def _hits(xp: Any, enc: Any, s: Any, k: int) -> Any:
    """Per sample: the true class is among the ``k`` best (ties: the larger class index first)."""
    if s.ndim == 1:
        if k > 1:
            return xp.ones(s.shape, bool)
        lo, hi = (reduce_min(s), reduce_max(s)) if xp is jnp else (s.min(), s.max())  # nan-safe: NumPy
        thr = xp.where((lo >= 0) & (hi <= 1), 0.5, 0.0)
        return (s > thr).astype(xp.int32) == enc
    true_score = xp.take_along_axis(s, enc[:, None], axis=1)
    idx = xp.arange(s.shape[1])[None, :]
    ahead = (s > true_score) | ((s == true_score) & (idx > enc[:, None]))
    return ahead.sum(axis=1) < k


def _hits_total(xp: Any, hits: Any, w: Any, normalize: bool) -> Any:
    if w is None:
        count = hits.sum()
        return count / hits.shape[0] if normalize else count
    total = (hits.astype(w.dtype) * w).sum()
    return total / w.sum() if normalize else total


def _traced(metric: str, y_true: Any, y_score: Any, k: int, normalize: bool, sample_weight: Any,
            labels: Any) -> jax.Array:
    """The JAX path: classes 0..C-1 (0/1 for 1-D scores) or ``labels``; NaN for other labels."""
    y, s = jnp.asarray(y_true), jnp.asarray(y_score)
    check_ndim(metric, "y_true", y)
    check_ndim(metric, "y_score", s)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim == 2:
        raise ValueError(f"{metric}: y should be a 1d array, got an array of shape {tuple(y.shape)} instead.")
    n = check_consistent(metric, y_true=y, y_score=s)
    check_nonempty(metric, "y_true", y)
    w = jax_weight(metric, sample_weight, n)
    n_classes = 2 if s.ndim == 1 or s.shape[1] == 1 else s.shape[1]
    lab = jnp.arange(n_classes) if labels is None else jnp.asarray(labels)
    bad = any_bad(nonfinite(s, w), traced_not_integer(y), ~(y[:, None] == lab[None, :]).any(axis=1).all())
    s = s.reshape(-1) if n_classes == 2 and (s.ndim == 1 or s.shape[1] == 1) else s
    res = _hits_total(jnp, _hits(jnp, traced_codes(y, labels), s, k), w, normalize)
    return poison(jnp.asarray(res, w.dtype if w is not None else jnp.result_type(float)), bad)
