"""Inputs of log loss and the Brier scores: probabilities and one-hot targets, on both paths.

Host path: scikit-learn 1.9.1's ``_validate_multiclass_probabilistic_prediction`` (classes from
``LabelBinarizer``: the sorted labels of ``y_true`` or of ``labels``, any label type) and
``_validate_binary_probabilistic_prediction`` (1-D probabilities of ``pos_label``), with its checks
in its order and its messages after the function's name. JAX path: ``y_true`` holds class indices
``0..C-1`` of the ``C`` probability columns (or values of ``labels``), 1-D probabilities go with
0/1 labels, and what scikit-learn refuses by value makes the result NaN.
"""

from __future__ import annotations

import warnings
from typing import Any

import jax.numpy as jnp
import numpy as np

from jmetrics.sk._common import (
    check_consistent,
    check_finite,
    column_or_1d,
    host,
    host_labels,
    host_weight,
    is_traced,
    jax_weight,
    label_codes,
    nonfinite,
    type_of_target,
    user_stacklevel,
)
from jmetrics.sk._score_checks import (
    any_bad,
    check_ndim,
    check_nonempty,
    traced_binary01,
    traced_more_than_two,
    traced_not_integer,
)
from jmetrics.sk._score_inputs import is_label, not_in, pos_label_consistency, unique

__all__: list[str] = []


def eps_of(dtype: Any) -> float:
    """scikit-learn's clipping epsilon: integer and bool probabilities are read as float64."""
    dt = np.dtype(dtype)
    return float(np.finfo(np.float64 if dt.kind in "biu" else dt).eps)


def host_proba(metric: str, y_proba: Any) -> np.ndarray:
    """``check_array(y_proba, ensure_2d=False, dtype=floats)``: float64, float32 or float16 kept,
    other dtypes become float64; at most 2-D, not empty, finite."""
    raw = np.asarray(y_proba)
    p = raw if raw.dtype == np.float16 else host(y_proba, metric, "y_proba")
    if p.dtype.kind != "f":
        p = p.astype(np.float64)
    check_ndim(metric, "y_proba", p)
    check_nonempty(metric, "y_proba", p)
    check_finite(metric, "y_proba", p)
    return p


def _binarizer_classes(metric: str, a: np.ndarray, arg: str) -> np.ndarray:
    """``LabelBinarizer().fit(a).classes_``: sorted labels, or column indices of an indicator."""
    kind = type_of_target(metric, a, arg)
    if "multioutput" in kind:
        raise ValueError(f"{metric}: Multioutput target data is not supported with label binarization "
                         f"({arg} of shape {a.shape}).")
    if kind == "multilabel-indicator":
        return np.arange(a.shape[1])
    if kind not in ("binary", "multiclass"):
        raise ValueError(f"{metric}: Unknown label type: {kind} ({arg} must hold class labels).")
    return unique(a)


def _one_hot(metric: str, y: np.ndarray, labels: Any) -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's ``_one_hot_encoding_multiclass_target``: ``(onehot (N, K), classes (K,))``."""
    if labels is not None:
        lab = host_labels(metric, labels, "labels").reshape(-1)
        classes = _binarizer_classes(metric, lab, "labels")
        if classes.shape != lab.shape or not np.array_equal(classes, lab):
            warnings.warn(f"{metric}: Labels passed were {labels}. But this function assumes labels are "
                          f"ordered lexicographically. Pass the ordered labels={classes.tolist()} and ensure "
                          "that the columns of y_prob correspond to this ordering.", UserWarning,
                          stacklevel=user_stacklevel())
        if y.ndim == 1 and not_in(y, classes):
            undeclared = set(y.tolist()) - set(lab.tolist())
            raise ValueError(f"{metric}: y_true contains values {undeclared} not belonging to the passed labels "
                             f"{labels}.")
    else:
        classes = _binarizer_classes(metric, y, "y_true")
    if classes.shape[0] == 1:
        if labels is None:
            raise ValueError(f"{metric}: y_true contains only one label ({classes[0]}). Please provide the list "
                             "of all expected class labels explicitly through the labels argument.")
        raise ValueError(f"{metric}: The labels array needs to contain at least two labels, got {classes}.")
    if y.ndim == 2 and y.shape[1] > 1:
        return (y != 0).astype(np.int64), classes
    codes = label_codes(classes, y.reshape(-1))
    return (codes[:, None] == np.arange(classes.shape[0])[None, :]).astype(np.int64), classes


def multiclass_targets(metric: str, y_true: Any, p: np.ndarray, sample_weight: Any,
                       labels: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """``(onehot (N, K), proba (N, K), weights)``: scikit-learn's checks of probabilities with
    classes (1-D probabilities are the second of two classes)."""
    # nan-safe: NumPy
    if p.max() > 1:
        raise ValueError(f"{metric}: y_prob contains values greater than 1: {p.max()}")  # nan-safe: NumPy
    # nan-safe: NumPy
    if p.min() < 0:
        raise ValueError(f"{metric}: y_prob contains values lower than 0: {p.min()}")  # nan-safe: NumPy
    y = host_labels(metric, y_true, "y_true")
    n = check_consistent(metric, y_proba=p, y_true=y, sample_weight=sample_weight)
    w = host_weight(metric, sample_weight, n)
    onehot, classes = _one_hot(metric, y, labels)
    if p.ndim == 1:
        p = p[:, None]
    if p.shape[1] == 1:
        p = np.concatenate([1 - p, p], axis=1)
    if not np.allclose(p.sum(axis=1), 1, rtol=np.sqrt(np.finfo(p.dtype).eps), atol=0):
        warnings.warn(f"{metric}: The y_prob values do not sum to one. Make sure to pass probabilities.",
                      UserWarning, stacklevel=user_stacklevel())
    if classes.shape[0] != p.shape[1]:
        if labels is None:
            raise ValueError(f"{metric}: y_true and y_prob contain different number of classes: "
                             f"{onehot.shape[1]} vs {p.shape[1]}. Please provide the true labels explicitly "
                             f"through the labels argument. Classes found in y_true: {classes}")
        raise ValueError(f"{metric}: The number of classes in labels is different from that in y_prob. "
                         f"Classes found in labels: {classes}")
    return onehot, p, w


def binary_targets(metric: str, y_true: Any, p: np.ndarray, sample_weight: Any,
                   pos_label: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """``(onehot (N, 2), proba (N, 2), weights)`` of 1-D probabilities of ``pos_label``: given,
    else 1 for labels {0, 1} / {-1, 1}, else the larger of two numeric labels (scikit-learn)."""
    y = column_or_1d(metric, host_labels(metric, y_true, "y_true"))
    p = column_or_1d(metric, p)
    check_finite(metric, "y_true", y)
    n = check_consistent(metric, y_proba=p, y_true=y, sample_weight=sample_weight)
    w = host_weight(metric, sample_weight, n)
    kind = type_of_target(metric, y, "y_true")
    if kind != "binary":
        raise ValueError(f"{metric}: The type of the target inferred from y_true is {kind} but should be "
                         "binary according to the shape of y_prob.")
    # nan-safe: NumPy
    if p.max() > 1:
        raise ValueError(f"{metric}: y_prob contains values greater than 1: {p.max()}")  # nan-safe: NumPy
    # nan-safe: NumPy
    if p.min() < 0:
        raise ValueError(f"{metric}: y_prob contains values less than 0: {p.min()}")  # nan-safe: NumPy
    try:
        pos_label = pos_label_consistency(metric, pos_label, y)
    except ValueError:
        classes = unique(y)
        if classes.dtype.kind in "OUS":
            raise
        pos_label = classes[-1]
    pos = is_label(y, pos_label).astype(np.int64)
    return np.stack([1 - pos, pos], axis=1), np.stack([1 - p, p], axis=1), w


# ---- JAX path ---------------------------------------------------------------------------------
def traced_targets(metric: str, y_true: Any, y_proba: Any, sample_weight: Any, labels: Any,
                   pos_label: Any) -> tuple[Any, Any, Any, Any]:
    """Traced ``(onehot (N, K), proba (N, K), w, bad)``; ``pos_label='largest'`` is log loss's rule
    for 1-D probabilities (the largest of ``labels``, else 1). Columns follow the sorted ``labels``."""
    y, p = jnp.asarray(y_true), jnp.asarray(y_proba)
    check_ndim(metric, "y_true", y)
    check_ndim(metric, "y_proba", p)
    n = check_consistent(metric, y_proba=p, y_true=y)
    check_nonempty(metric, "y_proba", p)
    if p.ndim == 2 and y.ndim == 2 and y.shape[1] > 1 and y.shape != p.shape:
        raise ValueError(f"{metric}: a 2-D y_true must have the shape of y_proba; got {tuple(y.shape)} "
                         f"and {tuple(p.shape)}.")
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if labels is not None and not is_traced(labels):  # scikit-learn orders the columns by sorted labels
        labels = np.unique(np.asarray(labels))
    p = p.astype(jnp.promote_types(p.dtype, jnp.float32))
    w = jax_weight(metric, sample_weight, n, p.dtype)
    bad = any_bad(nonfinite(p, w), (p < 0) | (p > 1), _traced_labels_bad(y, p, labels, pos_label))
    if y.ndim == 2:
        return y.astype(p.dtype), p, w, bad
    if p.ndim == 1 or p.shape[1] == 1:
        p = p.reshape(-1)
        if labels is not None and pos_label == "largest":
            pos = y == jnp.asarray(labels)[-1]
        else:
            pos = y == (1 if pos_label in (None, "largest") else pos_label)
        return jnp.stack([~pos, pos], 1).astype(p.dtype), jnp.stack([1 - p, p], 1), w, bad
    enc = traced_codes(y, labels)
    return (enc[:, None] == jnp.arange(p.shape[1])[None, :]).astype(p.dtype), p, w, bad


def traced_codes(y: Any, labels: Any) -> Any:
    """Class indices of traced labels: the labels themselves, or their positions in ``labels``."""
    if labels is None:
        return jnp.asarray(y).astype(jnp.int32)
    return jnp.argmax(jnp.asarray(y)[:, None] == jnp.asarray(labels)[None, :], axis=1)


def _traced_labels_bad(y: Any, p: Any, labels: Any, pos_label: Any) -> Any:
    """Traced flag of what scikit-learn refuses in ``y_true`` (see :func:`traced_targets`)."""
    bad = traced_not_integer(y)
    if y.ndim == 2:  # label indicator matrix
        return any_bad(bad, (y != 0) & (y != 1))
    if labels is not None:
        return any_bad(bad, ~(y[:, None] == jnp.asarray(labels)[None, :]).any(axis=1).all())
    one_class = (y == y[0]).all()
    if p.ndim == 2:
        return any_bad(bad, ~((y >= 0) & (y < p.shape[1])).all(), one_class)
    if pos_label == "largest":
        return any_bad(bad, traced_binary01(y), one_class)
    if pos_label is None:
        return any_bad(bad, traced_binary01(y))
    return any_bad(bad, traced_more_than_two(y))
