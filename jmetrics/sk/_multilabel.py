"""Multilabel ranking scores with scikit-learn names and semantics: DCG, NDCG, LRAP, coverage error.

Inputs are ``(n_samples, n_labels)``: relevance (or 0/1 indicators) in ``y_true``, scores in
``y_score``. Ties are handled per row with pairwise comparisons (``O(n_labels^2)`` per row, no
sort), which reproduces scikit-learn's tie averaging exactly and works the same on the host (float64)
and inside ``jit``.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

from jmetrics._checks import accum_dtype
from jmetrics.sk._common import (
    check_consistent,
    check_finite,
    host,
    host_labels,
    host_result,
    host_weight,
    is_traced,
    jax_weight,
)

__all__ = ["coverage_error", "dcg_score", "label_ranking_average_precision_score", "ndcg_score"]


def _host_inputs(metric: str, y_true: Any, y_score: Any, ensure_2d_first: bool) -> tuple[np.ndarray, np.ndarray]:
    """float64 host arrays checked in scikit-learn's order: numbers (a sparse ``y_true`` is made
    dense), 2-D (first for ``coverage_error``, whose ``check_array`` asks for it), finite."""
    y = host_labels(metric, y_true, "y_true")
    if y.dtype.kind not in "biuf":
        raise ValueError(f"{metric}: y_true must be label indicators or relevance numbers; got dtype {y.dtype}.")
    y = y.astype(np.float64)
    s = host(y_score, metric, "y_score").astype(np.float64)
    pairs = ((y, "y_true"), (s, "y_score"))
    for a, arg in pairs if ensure_2d_first else ():
        if a.ndim != 2:
            raise ValueError(f"{metric}: Expected 2D array, got {a.ndim}D array instead ({arg} of shape "
                             f"{a.shape}); y_true and y_score must have shape (n_samples, n_labels).")
    for a, arg in pairs:
        check_finite(metric, arg, a)
    return y, s


def _inputs(metric: str, y_true: Any, y_score: Any, sample_weight: Any) -> tuple[bool, Any, Any, Any, Any]:
    y: Any
    s: Any
    w: Any
    if is_traced(y_true, y_score, sample_weight):
        dt = accum_dtype()
        y, s = jnp.asarray(y_true, dt), jnp.asarray(y_score, dt)
        w = jax_weight(metric, sample_weight, s.shape[0], dt)
        xp: Any = jnp
    else:
        y, s = _host_inputs(metric, y_true, y_score, ensure_2d_first=metric == "coverage_error")
        w = host_weight(metric, sample_weight, check_consistent(metric, y_true=y, y_score=s,
                                                                sample_weight=sample_weight))
        xp = np
    if y.ndim != 2 or y.shape != s.shape:
        raise ValueError(f"{metric}: y_true and y_score must both have shape (n_samples, n_labels); got "
                         f"{tuple(np.shape(y_true))} and {tuple(np.shape(y_score))}.")
    return xp is jnp, xp, y, s, w


def _avg(xp: Any, v: Any, w: Any) -> Any:
    return v.mean() if w is None else (v * w).sum() / w.sum()


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


def _check_dcg(metric: str, y: Any, traced: bool, k: Any) -> None:
    if k is not None and (not isinstance(k, int) or k < 1):
        raise ValueError(f"{metric}: k must be a positive int or None; got {k!r}.")
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
    traced, xp, y, s, w = _inputs(metric, y_true, y_score, sample_weight)
    _check_dcg(metric, y, traced, k)
    res = _avg(xp, _dcg(xp, y, s, k, log_base, ignore_ties), w)
    return res if traced else host_result(res)


def ndcg_score(y_true: ArrayLike, y_score: ArrayLike, *, k: int | None = None,
               sample_weight: ArrayLike | None = None, ignore_ties: bool = False) -> jax.Array:
    """Normalised DCG (DCG over the ideal DCG), as ``sklearn.metrics.ndcg_score``.

    Rows without any relevant label score 0 (sklearn). Negative ``y_true`` raises ``ValueError`` on
    the host.

    >>> import jmetrics.sk as sk
    >>> sk.ndcg_score([[10, 0, 0, 1, 5]], [[.1, .2, .3, 4, 70]])
    0.69569...
    """
    metric = "ndcg_score"
    traced, xp, y, s, w = _inputs(metric, y_true, y_score, sample_weight)
    _check_dcg(metric, y, traced, k)
    if not traced and (y < 0).any():
        raise ValueError(f"{metric}: ndcg_score should not be used on negative y_true values; got min "
                         f"{y.min()}.")
    gain = _dcg(xp, y, s, k, 2, ignore_ties)
    ideal = _dcg(xp, y, y, k, 2, True) if not traced else _ideal(y, k)
    res = _avg(xp, xp.where(ideal == 0, 0.0, gain / xp.where(ideal == 0, 1, ideal)), w)
    return res if traced else host_result(res)


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

    Rows with no relevant label or only relevant labels score 1 (sklearn).

    >>> import jmetrics.sk as sk
    >>> sk.label_ranking_average_precision_score([[1, 0, 0], [0, 0, 1]], [[0.75, 0.5, 1], [1, 0.2, 0.1]])
    0.41666...
    """
    metric = "label_ranking_average_precision_score"
    traced, xp, y, s, w = _inputs(metric, y_true, y_score, sample_weight)
    rel = y != 0
    ge = s[:, None, :] >= s[:, :, None]  # [i, j, k]: s_ik >= s_ij
    rank = ge.sum(axis=2)
    lrank = (ge & rel[:, None, :]).sum(axis=2)
    nrel = rel.sum(axis=1)
    per = xp.where(rel, lrank / xp.maximum(rank, 1), 0).sum(axis=1) / xp.maximum(nrel, 1)
    per = xp.where((nrel == 0) | (nrel == y.shape[1]), 1.0, per)
    res = _avg(xp, per, w)
    return res if traced else host_result(res)


def coverage_error(y_true: ArrayLike, y_score: ArrayLike, *, sample_weight: ArrayLike | None = None) -> jax.Array:
    """How far down the ranking all relevant labels are covered, as ``sklearn.metrics.coverage_error``.

    Per row: the number of labels scored at least as high as the lowest-scored relevant label
    (ties count in full); rows without relevant labels count 0.

    >>> import jmetrics.sk as sk
    >>> sk.coverage_error([[1, 0, 0], [0, 1, 1]], [[1, 0, 0], [0, 1, 1]])
    1.5
    """
    metric = "coverage_error"
    traced, xp, y, s, w = _inputs(metric, y_true, y_score, sample_weight)
    rel = y != 0
    lowest = xp.where(rel, s, xp.inf).min(axis=1, keepdims=True)
    cov = xp.where(rel.any(axis=1), (s >= lowest).sum(axis=1), 0)
    res = _avg(xp, cov.astype(accum_dtype() if traced else np.float64), w)
    return res if traced else host_result(res)
