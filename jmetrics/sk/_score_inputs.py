"""Inputs of the ranking functions and curves: ``y_true``, ``y_score`` and weights, on both paths.

Host path (concrete inputs): scikit-learn 1.9.1's checks in its order, raising its messages after
the function's name. ``y_true`` keeps its labels (numbers, strings, objects; sparse indicators
made dense) and its ``type_of_target``; ``pos_label`` and ``labels`` are looked up by value.
JAX path (traced inputs): JAX arrays with a traced flag of what scikit-learn refuses by value
(see ``jmetrics.sk._score_checks``); shapes are checked at trace time.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

from jmetrics.sk._common import (
    check_consistent,
    check_finite,
    host,
    host_labels,
    host_weight,
    jax_weight,
    label_codes,
    nonfinite,
    type_of_target,
)
from jmetrics.sk._score_checks import (
    any_bad,
    check_ndim,
    check_nonempty,
    traced_not_integer,
    traced_zero_total,
)

__all__: list[str] = []


def _vectors(y: Any, s: Any) -> tuple[Any, Any]:
    """``(n, 1)`` labels become ``(n,)`` (``column_or_1d``), and so do ``(n, 1)`` scores of them."""
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if s.ndim == 2 and s.shape[1] == 1 and y.ndim == 1:
        s = s[:, 0]
    return y, s


def prepare(metric: str, y_true: ArrayLike, y_score: ArrayLike, sample_weight: Any) -> tuple[Any, Any, Any, Any]:
    """Traced ``(y, s, w, bad)``: ``(n, 1)`` columns become vectors (``column_or_1d``).

    ``bad`` is the traced flag of what scikit-learn refuses by value (NaN or infinite scores or
    weights, weights that are all zero, non-integer labels); the result becomes NaN where it is set.
    """
    y, s = jnp.asarray(y_true), jnp.asarray(y_score)
    check_ndim(metric, "y_true", y)
    check_ndim(metric, "y_score", s)
    y, s = _vectors(y, s)
    n = check_consistent(metric, y_true=y, y_score=s)
    check_nonempty(metric, "y_true", y)
    w = jax_weight(metric, sample_weight, n)
    return y, s, w, any_bad(nonfinite(s, w), traced_zero_total(w), traced_not_integer(y))


class HostScores(NamedTuple):
    """Checked host inputs of a ranking function."""

    y: np.ndarray  # (N,) labels as given (numbers, strings, objects) or (N, K) indicators
    kind: str  # scikit-learn's type_of_target of y_true
    s: np.ndarray  # (N,) or (N, C) finite float scores


def host_scores(metric: str, y_true: Any, y_score: Any) -> HostScores:
    """scikit-learn's ``type_of_target(y_true)``, then ``check_array`` of ``y_true`` and ``y_score``
    (at most 2-D, not empty, finite). ``(n, 1)`` columns become vectors (``column_or_1d``)."""
    y = host_labels(metric, y_true, "y_true")
    kind = type_of_target(metric, y, "y_true")
    check_ndim(metric, "y_true", y)
    check_nonempty(metric, "y_true", y)
    check_finite(metric, "y_true", y)
    s = host(y_score, metric, "y_score")
    check_ndim(metric, "y_score", s)
    check_nonempty(metric, "y_score", s)
    check_finite(metric, "y_score", s)
    y, s = _vectors(y, s)
    return HostScores(y, kind, s)


def unsupported_target(metric: str, kind: str) -> ValueError:
    """scikit-learn's refusal of a ``y_true`` of the wrong ``type_of_target``, naming ``y_true``:
    ``"{metric}: y_true: {kind} format is not supported"``."""
    return ValueError(f"{metric}: y_true: {kind} format is not supported")


def host_weights(metric: str, y: np.ndarray, s: np.ndarray, sample_weight: Any) -> np.ndarray | None:
    """Equal lengths of ``y_true``, ``y_score`` and ``sample_weight``, then the checked weights
    (float64; finite, not all zero: scikit-learn's ``_check_sample_weight``)."""
    n = check_consistent(metric, y_true=y, y_score=s, sample_weight=sample_weight)
    return host_weight(metric, sample_weight, n)


def unique(a: np.ndarray) -> np.ndarray:
    """Sorted distinct labels (numbers, strings or objects), as scikit-learn's ``_unique``."""
    if a.dtype == object:
        return np.asarray(sorted(set(a.reshape(-1).tolist())), dtype=object)
    return np.unique(a)


def pos_label_consistency(metric: str, pos_label: Any, y: np.ndarray) -> Any:
    """scikit-learn's ``_check_pos_label_consistency``: ``pos_label=None`` is 1 when ``y_true``
    takes values in {0, 1}, {-1, 1} or one of them; other labels (strings always) must name it."""
    if pos_label is not None:
        return pos_label
    classes = unique(y)
    ok = classes.dtype.kind not in "OUS" and classes.shape[0] <= 2 and any(
        classes.shape == np.shape(c) and bool(np.all(classes == np.asarray(c)))
        for c in ([0, 1], [-1, 1], [0], [-1], [1]))
    if not ok:
        shown = ", ".join(repr(c) for c in classes.tolist())
        raise ValueError(f"{metric}: y_true takes value in {{{shown}}} and pos_label is not specified: "
                         "either make y_true take value in {0, 1} or {-1, 1} or pass pos_label "
                         "explicitly.")
    return 1


def is_label(y: np.ndarray, label: Any) -> np.ndarray:
    """Boolean mask of ``y == label``, comparing by value (``1 == 1.0 == True``); a label of
    another kind (a string among numbers) matches nothing."""
    classes = unique(y)
    code = int(label_codes(classes, np.asarray([label], dtype=object))[0])
    if code < 0:
        return np.zeros(y.shape, bool)
    return label_codes(classes, y).reshape(y.shape) == code


def check_labels_param(metric: str, labels: Any) -> np.ndarray:
    """``labels`` as scikit-learn's ``column_or_1d``: unique and sorted, else ``ValueError``."""
    lab = np.asarray(labels).reshape(-1)
    classes = unique(lab)
    if classes.shape[0] != lab.shape[0]:
        raise ValueError(f"{metric}: Parameter 'labels' must be unique.")
    if not np.array_equal(classes, lab):
        raise ValueError(f"{metric}: Parameter 'labels' must be ordered.")
    return classes


def not_in(y: np.ndarray, classes: np.ndarray) -> bool:
    """True when some label of ``y`` is not one of ``classes`` (by value)."""
    return bool((label_codes(classes, y) < 0).any())
