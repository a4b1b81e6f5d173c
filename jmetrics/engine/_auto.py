"""Sensible default metrics from what the data looks like, and the built-in demo prediction sets.

``pick_metrics`` looks at a sample of rows (shapes, dtypes, value ranges) and names the task:

- ``multiclass``: integer labels ``[N]`` against scores ``[N, C]`` (sparse), or one-hot labels
  against scores of the same shape (categorical): accuracy, top-5 accuracy (C > 5) and
  crossentropy (from logits when the scores are not probabilities);
- ``binary``: 0/1 labels against scores of the same shape (one column): accuracy, AUC, precision,
  recall and crossentropy (thresholds at 0 and ``from_logits`` when the scores are logits);
- ``multilabel``: 0/1 labels, several columns, not one-hot: binary accuracy, multi-label AUC and
  crossentropy;
- ``regression``: anything else: MSE, RMSE, MAE and R2.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

__all__ = ["DEMO_TASKS", "Picked", "demo_data", "pick_metrics"]


class Picked(NamedTuple):
    """The task a sample looks like, why, and the metrics chosen for it."""

    task: str  # binary | multiclass | multilabel | regression
    reason: str  # what in the data decided it, for the CLI's message
    metrics: list[Any]  # Keras strings and metric objects, for jmetrics.Collection


def _is_probability(p: np.ndarray) -> bool:
    return bool(p.size == 0 or (np.nanmin(p) >= 0 and np.nanmax(p) <= 1))


def _integral(a: np.ndarray) -> bool:
    return bool(np.issubdtype(a.dtype, np.integer) or np.issubdtype(a.dtype, np.bool_) or
                (a.size and np.all(np.isfinite(a)) and np.all(a == np.round(a))))


def pick_metrics(y_true: Any, y_pred: Any) -> Picked:
    """Default metrics for a sample of ``(y_true, y_pred)`` rows.

    >>> import numpy as np
    >>> pick_metrics(np.array([0, 2, 1]), np.eye(3)).task
    'multiclass'
    >>> pick_metrics(np.array([1.5, 2.0]), np.array([1.0, 2.5])).metrics
    ['mse', 'root_mean_squared_error', 'mae', 'r2_score']
    """
    from jmetrics.metrics._auc import AUC
    from jmetrics.metrics._confusion import Precision, Recall
    from jmetrics.metrics._means_classification import (
        BinaryAccuracy,
        BinaryCrossentropy,
        CategoricalCrossentropy,
        SparseCategoricalCrossentropy,
    )

    yt, yp = np.asarray(y_true), np.asarray(y_pred)
    t_shape, p_shape = yt.shape[1:], yp.shape[1:]
    classes = p_shape[-1] if p_shape else 1
    probs = _is_probability(yp)
    scores = "probabilities" if probs else "logits"
    if classes > 1 and t_shape in (p_shape[:-1], (*p_shape[:-1], 1)) and _integral(yt):
        picked: list[Any] = ["sparse_categorical_accuracy"]
        if classes > 5:
            picked.append("sparse_top_k_categorical_accuracy")
        picked.append(SparseCategoricalCrossentropy(from_logits=not probs))
        return Picked("multiclass", f"integer labels and {classes} columns of {scores}", picked)
    zero_one = yt.size > 0 and _integral(yt) and np.isin(np.unique(yt), [0, 1]).all()
    if t_shape == p_shape and zero_one:
        one_hot = classes > 1 and bool(np.all(yt.sum(axis=-1) == 1))
        if one_hot:
            picked = ["categorical_accuracy"]
            if classes > 5:
                picked.append("top_k_categorical_accuracy")
            picked.append(CategoricalCrossentropy(from_logits=not probs))
            return Picked("multiclass", f"one-hot labels and {classes} columns of {scores}", picked)
        threshold = 0.5 if probs else 0.0
        if classes > 1:
            return Picked("multilabel", f"0/1 labels in {classes} columns, {scores}", [
                BinaryAccuracy(threshold=threshold),
                AUC(multi_label=True, num_labels=classes, from_logits=not probs),
                BinaryCrossentropy(from_logits=not probs),
            ])
        return Picked("binary", f"0/1 labels and {scores}", [
            BinaryAccuracy(threshold=threshold), AUC(from_logits=not probs),
            Precision(thresholds=threshold), Recall(thresholds=threshold),
            BinaryCrossentropy(from_logits=not probs),
        ])
    return Picked("regression", "real-valued targets",
                  ["mse", "root_mean_squared_error", "mae", "r2_score"])


DEMO_TASKS = ("binary", "multiclass", "regression")


def demo_data(task: str, rows: int = 1_000_000, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A deterministic synthetic prediction set: ``binary``, ``multiclass`` (10 classes) or
    ``regression`` (``[rows, 1]`` targets), as a decent model would predict it.

    >>> y, p = demo_data("multiclass", rows=4)
    >>> y.shape, p.shape, bool(np.allclose(p.sum(axis=1), 1))
    ((4,), (4, 10), True)
    """
    if task not in DEMO_TASKS:
        raise ValueError(f"demo_data: task must be one of {', '.join(DEMO_TASKS)}; got {task!r}.")
    r = np.random.default_rng([seed, DEMO_TASKS.index(task)])
    if task == "binary":
        y = (r.random(rows) < 0.3).astype(np.float32)
        logit = 1.6 * (2 * y - 1) + r.normal(scale=1.5, size=rows)
        return y[:, None], (1 / (1 + np.exp(-logit))).astype(np.float32)[:, None]
    if task == "multiclass":
        y = r.integers(0, 10, rows).astype(np.int32)
        logits = r.normal(size=(rows, 10)).astype(np.float32)
        logits[np.arange(rows), y] += 2.0
        e = np.exp(logits - logits.max(axis=1, keepdims=True))
        return y, (e / e.sum(axis=1, keepdims=True)).astype(np.float32)
    y = r.normal(loc=5.0, scale=3.0, size=(rows, 1)).astype(np.float32)
    return y, (0.9 * y + 0.5 + r.normal(scale=1.0, size=(rows, 1))).astype(np.float32)
