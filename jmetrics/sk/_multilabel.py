"""Multilabel ranking scores with scikit-learn names and semantics: DCG, NDCG, LRAP, coverage error.

Inputs are ``(n_samples, n_labels)``: relevance (or 0/1 indicators) in ``y_true``, scores in
``y_score``. Ties are handled per row with pairwise comparisons (``O(n_labels^2)`` per row, no
sort), which reproduces scikit-learn's tie averaging exactly and works the same on the host (float64)
and inside ``jit``. Bad input: on the host scikit-learn 1.9.1's checks in its order, its messages
after the function's name (bfloat16 scores are read as float32); inside ``jit`` ranks and empty
inputs raise at trace time, and what scikit-learn refuses by value (NaN or infinite values,
``y_true`` that is not an indicator matrix for LRAP and coverage, negative relevance for NDCG)
makes the result NaN.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

from jmetrics._floor._checks import accum_dtype
from jmetrics._floor._extrema import reduce_min
from jmetrics._floor._ratios import weighted_mean
from jmetrics.sk._common import (
    check_consistent,
    check_finite,
    host,
    host_labels,
    host_result,
    host_weight,
    is_traced,
    jax_weight,
    nonfinite,
    poison,
    type_of_target,
)
from jmetrics.sk._score_checks import (
    any_bad,
    check_ndim,
    check_nonempty,
    traced_more_than_two,
    traced_not_integer,
)
from jmetrics.sk._score_inputs import unsupported_target

__all__ = ["coverage_error", "dcg_score", "label_ranking_average_precision_score", "ndcg_score"]

_LRAP = "label_ranking_average_precision_score"
_INDICATORS = ("coverage_error", _LRAP)  # y_true must be a label indicator matrix


class _Inputs(NamedTuple):
    """Checked inputs of a multilabel ranking score, on either path."""

    xp: Any  # numpy (host path) or jax.numpy (inside jit)
    y: Any  # (N, L) relevance or 0/1 indicators, float64 on the host
    s: Any  # (N, L) scores
    w: Any  # (N,) weights or None
    bad: Any  # traced flag of what scikit-learn refuses by value (None on the host)


def _check_array(metric: str, arg: str, a: np.ndarray) -> None:
    """scikit-learn's ``check_array``: 2-D for ``coverage_error`` (``ensure_2d``), at most 2-D
    otherwise; not empty; finite."""
    if metric == "coverage_error" and a.ndim < 2:
        raise ValueError(f"{metric}: Expected 2D array, got {a.ndim}D array instead ({arg} of shape "
                         f"{a.shape}); y_true and y_score must have shape (n_samples, n_labels).")
    check_ndim(metric, arg, a)
    check_nonempty(metric, arg, a)
    check_finite(metric, arg, a)


def _host_inputs(metric: str, y_true: Any, y_score: Any, sample_weight: Any) -> _Inputs:
    """float64 host arrays checked in scikit-learn's order: numbers (a sparse ``y_true`` is made
    dense), ``check_array`` of each (LRAP checks the lengths first), lengths, the target type of
    ``y_true`` (a label indicator matrix for LRAP and ``coverage_error``), then the weights (all
    zero is NaN for LRAP, as scikit-learn's, refused by the others)."""
    y = host_labels(metric, y_true, "y_true")
    if y.dtype.kind not in "biuf":
        raise ValueError(f"{metric}: y_true must be label indicators or relevance numbers; got dtype {y.dtype}.")
    s = host(y_score, metric, "y_score")
    if metric == _LRAP:
        check_consistent(metric, y_true=y, y_score=s, sample_weight=sample_weight)
    _check_array(metric, "y_true", y)
    _check_array(metric, "y_score", s)
    n = check_consistent(metric, y_true=y, y_score=s, sample_weight=sample_weight)
    if metric in _INDICATORS:
        kind = type_of_target(metric, y, "y_true")
        if not (kind == "multilabel-indicator" or (metric == _LRAP and kind == "binary" and y.ndim == 2)):
            raise unsupported_target(metric, kind)
    w = host_weight(metric, sample_weight, n, allow_all_zero=metric == _LRAP)
    return _Inputs(np, y.astype(np.float64), s.astype(np.float64), w, None)


def _traced_inputs(metric: str, y_true: Any, y_score: Any, sample_weight: Any) -> _Inputs:
    """Traced arrays in the accumulation dtype: ranks and emptiness checked at trace time; NaN
    or infinite values, and for LRAP and ``coverage_error`` a ``y_true`` that is not a label
    indicator matrix (non-integer, or more than two values), flag the result NaN."""
    dt = accum_dtype()
    y, s = jnp.asarray(y_true, dt), jnp.asarray(y_score, dt)
    for a, arg in ((y, "y_true"), (s, "y_score")):
        check_ndim(metric, arg, a)
        check_nonempty(metric, arg, a)
    w = jax_weight(metric, sample_weight, s.shape[0], dt)
    bad = any_bad(nonfinite(y, s, w))
    if metric in _INDICATORS:
        bad = any_bad(bad, traced_not_integer(y), traced_more_than_two(y))
    return _Inputs(jnp, y, s, w, bad)


def _inputs(metric: str, y_true: Any, y_score: Any, sample_weight: Any) -> _Inputs:
    if is_traced(y_true, y_score, sample_weight):
        i = _traced_inputs(metric, y_true, y_score, sample_weight)
    else:
        i = _host_inputs(metric, y_true, y_score, sample_weight)
    if i.y.ndim != 2 or i.y.shape != i.s.shape:
        raise ValueError(f"{metric}: y_true and y_score must both have shape (n_samples, n_labels); got "
                         f"{tuple(np.shape(y_true))} and {tuple(np.shape(y_score))}.")
    return i


def _result(i: _Inputs, res: Any) -> Any:
    """NaN inside jit where the inputs are bad; a Python ``float`` on the host."""
    return host_result(res) if i.bad is None else poison(res, i.bad)


def _dcg(xp: Any, y: Any, s: Any, k: int | None, log_base: float, ignore_ties: bool) -> Any:
    """Per-row DCG as sklearn's ``_dcg_sample_scores`` (tie-averaged unless ``ignore_ties``)."""
    n_labels = y.shape[1]
    discount = 1 / (np.log(np.arange(n_labels) + 2) / np.log(log_base))
    if k is not None:
        discount[k:] = 0
    if ignore_ties:
        order = (xp.argsort(s, axis=1) if xp is np else jnp.argsort(s, axis=1))[:, ::-1]
        ranked = xp.take_along_axis(y, order, axis=1)
        return ranked @ xp.asarray(discount, ranked.dtype)
    d = np.concatenate([[0.0], np.cumsum(discount)])  # D[m] = discount of the first m positions
    greater = (s[:, None, :] > s[:, :, None]).sum(axis=2)  # items ranked strictly above item j
    equal = (s[:, None, :] == s[:, :, None]).sum(axis=2)  # its tie group size (>= 1)
    dd = xp.asarray(d, y.dtype)
    return (y * (dd[greater + equal] - dd[greater]) / equal).sum(axis=1)


def _check_k(metric: str, k: Any) -> None:
    if k is not None and (not isinstance(k, int) or k < 1):
        raise ValueError(f"{metric}: k must be a positive int or None; got {k!r}.")


def _check_documents(metric: str, y: Any) -> None:
    if y.shape[1] <= 1:
        what = "NDCG" if metric == "ndcg_score" else "DCG"
        raise ValueError(f"{metric}: Computing {what} is only meaningful when there is more than 1 document. "
                         f"Got {y.shape[1]} instead (y_true shape {tuple(y.shape)}).")


def dcg_score(y_true: ArrayLike, y_score: ArrayLike, *, k: int | None = None, log_base: float = 2,
              sample_weight: ArrayLike | None = None, ignore_ties: bool = False) -> jax.Array:
    """Discounted cumulative gain, as ``sklearn.metrics.dcg_score``.

    .. math:: \\mathrm{DCG@k} = \\sum_{r=1}^{k} \\frac{\\mathrm{rel}_{(r)}}{\\log_b(r + 1)}

    Tied scores share the average of their positions' discounts (sklearn's default); with
    ``ignore_ties=True`` the order is NumPy's ``argsort`` reversed (inside ``jit``: JAX's stable
    argsort reversed, which can differ from NumPy's on ties).

    >>> import jmetrics.sk as sk
    >>> sk.dcg_score([[10, 0, 0, 1, 5]], [[.1, .2, .3, 4, 70]])
    9.49945...
    """
    metric = "dcg_score"
    _check_k(metric, k)
    i = _inputs(metric, y_true, y_score, sample_weight)
    _check_documents(metric, i.y)
    return _result(i, weighted_mean(_dcg(i.xp, i.y, i.s, k, log_base, ignore_ties), i.w))


def ndcg_score(y_true: ArrayLike, y_score: ArrayLike, *, k: int | None = None,
               sample_weight: ArrayLike | None = None, ignore_ties: bool = False) -> jax.Array:
    """Normalised DCG (DCG over the ideal DCG), as ``sklearn.metrics.ndcg_score``.

    Rows without any relevant label score 0 (sklearn). Negative ``y_true`` raises ``ValueError`` on
    the host and gives NaN inside ``jit``.

    >>> import jmetrics.sk as sk
    >>> sk.ndcg_score([[10, 0, 0, 1, 5]], [[.1, .2, .3, 4, 70]])
    0.69569...
    """
    metric = "ndcg_score"
    _check_k(metric, k)
    i = _nonnegative(metric, _inputs(metric, y_true, y_score, sample_weight))
    xp, y = i.xp, i.y
    _check_documents(metric, y)
    gain = _dcg(xp, y, i.s, k, 2, ignore_ties)
    ideal = _dcg(xp, y, y, k, 2, True) if xp is np else _ideal(y, k)
    return _result(i, weighted_mean(xp.where(ideal == 0, 0.0, gain / xp.where(ideal == 0, 1, ideal)), i.w))


def _nonnegative(metric: str, i: _Inputs) -> _Inputs:
    """scikit-learn refuses negative relevance in ``ndcg_score``: ``ValueError`` on the host, a
    NaN result inside ``jit``."""
    if i.bad is not None:
        return i._replace(bad=any_bad(i.bad, i.y < 0))
    if (i.y < 0).any():
        raise ValueError(f"{metric}: ndcg_score should not be used on negative y_true values; got min "
                         f"{i.y.min()}.")  # nan-safe: a message of concrete values
    return i


def _ideal(y: Any, k: int | None) -> Any:
    """Ideal DCG inside jit: relevance sorted descending (ties do not matter)."""
    n_labels = y.shape[1]
    discount = 1 / (np.log(np.arange(n_labels) + 2) / np.log(2))
    if k is not None:
        discount[k:] = 0
    return -jnp.sort(-y, axis=1) @ jnp.asarray(discount, y.dtype)


def label_ranking_average_precision_score(y_true: ArrayLike, y_score: ArrayLike, *,
                                          sample_weight: ArrayLike | None = None) -> jax.Array:
    """Label ranking average precision, as ``sklearn.metrics.label_ranking_average_precision_score``.

    .. math:: \\mathrm{LRAP} = \\mathrm{mean}_w \\frac{1}{|Y_i|} \\sum_{j \\in Y_i}
       \\frac{|\\{k \\in Y_i: s_{ik} \\ge s_{ij}\\}|}{|\\{k: s_{ik} \\ge s_{ij}\\}|}

    Rows with no relevant label or only relevant labels score 1 (sklearn). ``y_true`` must be a
    label indicator matrix (two values at most: labels or fractions raise ``ValueError``, NaN
    inside ``jit``); weights that are all zero give NaN, as scikit-learn's.

    >>> import jmetrics.sk as sk
    >>> sk.label_ranking_average_precision_score([[1, 0, 0], [0, 0, 1]], [[0.75, 0.5, 1], [1, 0.2, 0.1]])
    0.41666...
    """
    metric = _LRAP
    i = _inputs(metric, y_true, y_score, sample_weight)
    xp, y, s = i.xp, i.y, i.s
    rel = y != 0
    ge = s[:, None, :] >= s[:, :, None]  # [i, j, k]: s_ik >= s_ij
    rank = ge.sum(axis=2)
    lrank = (ge & rel[:, None, :]).sum(axis=2)
    nrel = rel.sum(axis=1)
    # nan-safe: counts
    per = xp.where(rel, lrank / xp.maximum(rank, 1), 0).sum(axis=1) / xp.maximum(nrel, 1)
    per = xp.where((nrel == 0) | (nrel == y.shape[1]), 1.0, per)
    return _result(i, weighted_mean(per, i.w))


def coverage_error(y_true: ArrayLike, y_score: ArrayLike, *, sample_weight: ArrayLike | None = None) -> jax.Array:
    """How far down the ranking all relevant labels are covered, as ``sklearn.metrics.coverage_error``.

    Per row: the number of labels scored at least as high as the lowest-scored relevant label
    (ties count in full); rows without relevant labels count 0. ``y_true`` must be a label
    indicator matrix, as for :func:`label_ranking_average_precision_score`.

    >>> import jmetrics.sk as sk
    >>> sk.coverage_error([[1, 0, 0], [0, 1, 1]], [[1, 0, 0], [0, 1, 1]])
    1.5
    """
    metric = "coverage_error"
    i = _inputs(metric, y_true, y_score, sample_weight)
    xp, rel, s = i.xp, i.y != 0, i.s
    lowest = (reduce_min if xp is jnp else np.min)(xp.where(rel, s, xp.inf), axis=1, keepdims=True)
    cov = xp.where(rel.any(axis=1), (s >= lowest).sum(axis=1), 0)
    return _result(i, weighted_mean(cov.astype(i.y.dtype), i.w))
