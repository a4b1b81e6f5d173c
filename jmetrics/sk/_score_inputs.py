"""Inputs of the ranking functions and curves: ``y_true``, ``y_score`` and weights, on both paths.

Concrete inputs become checked NumPy arrays (scikit-learn 1.9.1's checks, raising with the
function's name); traced inputs stay JAX arrays with a traced flag of what scikit-learn refuses by
value (see ``jmetrics.sk._score_checks``).
"""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

from jmetrics.sk._common import (
    check_finite,
    host,
    host_weight,
    is_traced,
    jax_weight,
)
from jmetrics.sk._score_checks import (
    any_bad,
    check_labels,
    check_ndim,
    check_nonempty,
    check_same_length,
    check_weight,
    traced_not_finite,
    traced_not_integer,
)

__all__: list[str] = []


def prepare(metric: str, y_true: ArrayLike, y_score: ArrayLike, sample_weight: Any) -> tuple[bool, Any, Any, Any, Any]:
    """``(traced, y, s, w, bad)``: JAX arrays when anything is traced, else checked NumPy arrays.

    ``(n, 1)`` columns become vectors (scikit-learn's ``column_or_1d`` of a binary target).
    ``bad`` is the traced flag of what scikit-learn refuses by value (NaN or infinite scores or
    weights, non-integer labels); ``None`` on the host path, which raises instead.
    """
    y: Any
    s: Any
    w: Any
    traced = is_traced(y_true, y_score, sample_weight)
    if traced:
        y, s = jnp.asarray(y_true), jnp.asarray(y_score)
    else:
        y, s = host(y_true, metric, "y_true"), host(y_score, metric, "y_score")
    check_ndim(metric, "y_true", y)
    check_ndim(metric, "y_score", s)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if s.ndim == 2 and s.shape[1] == 1 and y.ndim == 1:
        s = s[:, 0]
    n = check_same_length(metric, y_true=y, y_score=s)
    check_nonempty(metric, "y_true", y)
    if traced:
        w = jax_weight(metric, sample_weight, n)
        return True, y, s, w, any_bad(traced_not_finite(s, w), traced_not_integer(y))
    check_finite(metric, "y_true", y)
    check_finite(metric, "y_score", s)
    check_labels(metric, y)
    check_weight(metric, sample_weight)
    w = host_weight(metric, sample_weight, n)
    if w is not None and not np.any(w != 0):
        raise ValueError(f"{metric}: sample_weight must contain at least one non-zero number; got all zeros.")
    return False, y, s, w, None


def host_classes(y: np.ndarray) -> np.ndarray:
    """Sorted distinct values of a host vector; cheap (min/max) when there are at most two."""
    if y.size == 0:
        return y[:0]
    lo, hi = y.min(), y.max()
    if lo == hi:
        return np.array([lo])
    if not np.any((y != lo) & (y != hi)):
        return np.array([lo, hi])
    return np.unique(y)
