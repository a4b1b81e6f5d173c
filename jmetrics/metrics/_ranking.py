"""Ranking metrics for retrieval and recommenders: NDCG@k, DCG@k, MRR, MAP@k, Precision@k, Recall@k,
HitRate@k.

Inputs: ``y_true`` relevance ``[..., L]`` (graded, >= 0; 0 is irrelevant), ``y_pred`` scores
``[..., L]``; each leading index is one query (a list of ``L`` items). Items are ranked by
decreasing score. Padding: items where ``mask`` is False, or whose relevance is negative
(TF-Ranking's convention, -1 for padding), are not items at all: they never take a rank.

With ``rank(i)`` starting at 1, ``g(r) = r`` (``gain='linear'``) or ``2**r - 1``
(``gain='exponential'``), ``rel = [r > 0]`` for the binary metrics, ``R`` the number of relevant
items and ``n`` the number of (unpadded) items of a query:

.. math::
    \\mathrm{DCG@k} = \\sum_{rank(i) \\le k} \\frac{g(r_i)}{\\log_2(rank(i) + 1)}, \\quad
    \\mathrm{NDCG@k} = \\frac{\\mathrm{DCG@k}}{\\mathrm{IDCG@k}}, \\quad
    \\mathrm{P@k} = \\frac{hits@k}{\\min(k, n)}, \\quad \\mathrm{R@k} = \\frac{hits@k}{R},

    \\mathrm{RR@k} = \\frac{1}{\\text{rank of the first relevant item}} \\; (\\le k), \\quad
    \\mathrm{AP@k} = \\frac{1}{\\min(k, R)} \\sum_{rank(i) \\le k} rel_i \\, \\mathrm{P@}rank(i), \\quad
    \\mathrm{Hit@k} = [hits@k > 0].

IDCG@k is the DCG@k of the ideal order. A query with no relevant item scores 0 in every metric
(scikit-learn's ``ndcg_score`` and TF-Ranking do the same for NDCG). ``k=None`` is the whole list;
``k`` larger than the list is the whole list.

Ties. ``ignore_ties=False`` (default) gives DCG, NDCG, Precision and Recall their expected value
over all orders of tied scores (McSherry and Najork 2008): each item of a tie group carries the
group's mean gain, exactly as ``sklearn.metrics.dcg_score``/``ndcg_score`` do. ``ignore_ties=True``
breaks ties by item position (the earlier item ranks higher). MRR, MAP and HitRate always break
ties by item position.

Several cutoffs in one pass: ``k=(1, 5, 10)`` shares one sort and returns a dict keyed
``'ndcg@1'``, ``'ndcg@5'``, ... (arrays per query for the functions, scalars for the streaming
classes). The streaming classes keep the weighted sum of the per-query values and the weight: the
result is the (``sample_weight``-weighted) mean over queries, 0 before any query. A query whose
items are all padding is not a query (weight 0).

Bad input: a NaN or +inf relevance (a negative one, -inf included, is padding), a NaN score of an
item (masked entries and padding exempt), a query weight that is NaN, infinite or negative
(queries of weight 0 exempt). With concrete inputs the functions and ``update`` raise
``ValueError``; under ``jit`` the query's values are NaN (the functions), and so is the streaming
mean. Infinite scores are ordered (scikit-learn's ``ndcg_score`` refuses them).
"""

from __future__ import annotations

import functools
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from jmetrics._floor._checks import as_array, is_concrete
from jmetrics._floor._options import check_choice
from jmetrics.metrics._validate import fail_if

__all__ = [
    "average_precision_at_k",
    "dcg_at_k",
    "hit_rate_at_k",
    "ndcg_at_k",
    "precision_at_k",
    "ranking_metrics",
    "recall_at_k",
    "reciprocal_rank",
]

METRICS = ("ndcg", "dcg", "mrr", "map", "precision", "recall", "hit_rate")
_GAINS = ("exponential", "linear")
_TIE_AWARE = ("ndcg", "dcg", "precision", "recall")

KSpec = Any  # None | int | tuple[int | None, ...]


def _normalize_k(who: str, k: KSpec) -> tuple[tuple[int | None, ...], bool]:
    """``(ks, many)``: the cutoffs as a tuple and whether the result is a dict."""
    many = isinstance(k, (tuple, list))
    ks = tuple(k) if many else (k,)
    for v in ks:
        if v is not None and (isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1):
            raise ValueError(f"{who}: k must be None, an int >= 1 or a tuple of them; got {k!r}.")
    if many and (not ks or len(set(ks)) != len(ks)):
        raise ValueError(f"{who}: k must list distinct cutoffs; got {k!r}.")
    return tuple(None if v is None else int(v) for v in ks), many


def _key(metric: str, k: int | None) -> str:
    return metric if k is None else f"{metric}@{k}"


def _one_query(rel: jax.Array, score: jax.Array, valid: jax.Array, *, metrics: tuple[str, ...],
               ks: tuple[int | None, ...], gain: str, ignore_ties: bool) -> dict[str, jax.Array]:
    """Every requested metric at every cutoff for one query (1-D inputs of length L)."""
    length = rel.shape[0]
    dt = score.dtype
    rel = jnp.where(valid, rel, 0).astype(dt)
    invalid = (~valid).astype(jnp.int32)
    neg = jnp.where(valid, -score, 0).astype(dt)
    inv_s, neg_s, rel_s = jax.lax.sort((invalid, neg, rel), num_keys=2, is_stable=True)
    pos = jnp.arange(length)
    n = jnp.sum(valid)
    gains = (rel_s if gain == "linear" else jnp.expm1(rel_s * jnp.log(2.0).astype(dt)))
    gains = jnp.where(inv_s == 0, gains, 0)
    hit = (rel_s > 0).astype(dt)
    n_rel = jnp.sum(hit)
    disc = 1.0 / jnp.log2(pos.astype(dt) + 2)
    if ignore_ties:
        t_gain, t_hit = gains, hit
    else:  # each tied item carries its group's mean (sklearn's _tie_averaged_dcg)
        first = jnp.concatenate([jnp.ones((1,), bool),
                                 (neg_s[1:] != neg_s[:-1]) | (inv_s[1:] != inv_s[:-1])])
        gid = jnp.cumsum(first) - 1
        seg = functools.partial(jax.ops.segment_sum, segment_ids=gid, num_segments=length)
        size = seg(jnp.ones((length,), dt))
        t_gain, t_hit = (seg(x)[gid] / size[gid] for x in (gains, hit))
    ideal = -jnp.sort(-jnp.where(valid, gains_of(rel, gain), 0))
    cum_hit = jnp.cumsum(hit)
    out: dict[str, jax.Array] = {}
    for k in ks:
        kk = length if k is None else min(k, length)
        top = pos < kk
        if "dcg" in metrics or "ndcg" in metrics:
            dcg = jnp.sum(jnp.where(top, t_gain * disc, 0))
            if "dcg" in metrics:
                out[_key("dcg", k)] = dcg
            if "ndcg" in metrics:
                idcg = jnp.sum(jnp.where(top, ideal * disc, 0))
                out[_key("ndcg", k)] = jnp.where(idcg > 0, dcg / jnp.where(idcg > 0, idcg, 1), 0)
        hits_tie = jnp.sum(jnp.where(top, t_hit, 0))
        if "precision" in metrics:
            den = jnp.minimum(kk, n).astype(dt)  # nan-safe: counts
            out[_key("precision", k)] = jnp.where(den > 0, hits_tie / jnp.maximum(den, 1), 0)  # nan-safe: counts
        if "recall" in metrics:
            out[_key("recall", k)] = jnp.where(n_rel > 0, hits_tie / jnp.maximum(n_rel, 1), 0)  # nan-safe: counts
        if "hit_rate" in metrics:
            out[_key("hit_rate", k)] = (jnp.sum(jnp.where(top, hit, 0)) > 0).astype(dt)
        if "mrr" in metrics:
            # nan-safe: hit is 0 or 1
            out[_key("mrr", k)] = jnp.max(jnp.where(top, hit / (pos + 1).astype(dt), 0))
        if "map" in metrics:
            prec = cum_hit / (pos + 1).astype(dt)
            den = jnp.minimum(kk, n_rel)  # nan-safe: counts
            ap = jnp.sum(jnp.where(top, prec * hit, 0))
            out[_key("map", k)] = jnp.where(den > 0, ap / jnp.maximum(den, 1), 0)  # nan-safe: counts
    return out


def gains_of(rel: jax.Array, gain: str) -> jax.Array:
    """``rel`` (linear) or ``2**rel - 1`` (exponential)."""
    return rel if gain == "linear" else jnp.expm1(rel * jnp.log(2.0).astype(rel.dtype))


def _prepare(who: str, y_true: Any, y_pred: Any, mask: Any
             ) -> tuple[jax.Array, jax.Array, jax.Array, jax.Array]:
    """``(rel, score, valid, bad)``: ``valid`` marks the items (relevance >= 0 and not masked),
    ``bad`` the entries that are bad input (a NaN or +inf relevance, a NaN score of an item)."""
    rel = as_array(y_true, "y_true", who)
    score = as_array(y_pred, "y_pred", who)
    if rel.shape != score.shape or score.ndim < 1:
        raise ValueError(f"{who}: y_true and y_pred must have the same shape [..., list_size]; got "
                         f"{tuple(rel.shape)} and {tuple(score.shape)}.")
    dt = score.dtype if score.dtype in (jnp.float32, jnp.float64) else jnp.float32
    score, rel = score.astype(dt), rel.astype(dt)
    listed = jnp.ones(rel.shape, bool)
    if mask is not None:
        m = as_array(mask, "mask", who)
        if m.shape != score.shape:
            raise ValueError(f"{who}: mask must have the shape of y_pred {tuple(score.shape)}; "
                             f"got {tuple(m.shape)}.")
        listed = m.astype(bool)
    valid = (rel >= 0) & listed
    bad = (listed & (jnp.isnan(rel) | (rel == jnp.inf))) | (valid & jnp.isnan(score))
    return rel, score, valid, bad


def _check_items(who: str, rel: jax.Array, score: jax.Array, bad: jax.Array,
                 query_weight: Any = None) -> None:
    """Raise ``ValueError`` for the bad entries of :func:`_prepare` (concrete inputs; queries of
    weight 0 exempt)."""
    b = np.asarray(bad)
    if query_weight is not None:
        b = b & (np.asarray(query_weight) != 0)[..., None]
    r = np.asarray(rel)
    fail_if(who, "y_true", "a relevance >= 0, or < 0 for padding (NaN and inf are neither)", r,
            b & (np.isnan(r) | (r == np.inf)), "of unmasked items")
    fail_if(who, "y_pred", "a number, not NaN (inf is ordered)", score, b & ~(np.isnan(r) | (r == np.inf)), "of unmasked items")


@functools.partial(jax.jit, static_argnames=("metrics", "ks", "gain", "ignore_ties"))
def _per_query(rel: jax.Array, score: jax.Array, valid: jax.Array, bad: jax.Array, *,
               metrics: tuple[str, ...], ks: tuple[int | None, ...], gain: str, ignore_ties: bool
               ) -> dict[str, jax.Array]:
    """Every metric per query; NaN for a query holding bad input."""
    lead, length = rel.shape[:-1], rel.shape[-1]
    fn = functools.partial(_one_query, metrics=metrics, ks=ks, gain=gain, ignore_ties=ignore_ties)
    flat = jax.vmap(fn)(rel.reshape(-1, length), score.reshape(-1, length),
                        valid.reshape(-1, length))
    bad_q = jnp.any(bad, axis=-1)
    return {key: jnp.where(bad_q, jnp.nan, v.reshape(lead)) for key, v in flat.items()}


def ranking_metrics(y_true: Any, y_pred: Any, *, metrics: tuple[str, ...] = METRICS, k: KSpec = None,
                    gain: str = "exponential", ignore_ties: bool = False, mask: Any = None
                    ) -> dict[str, jax.Array]:
    """Several ranking metrics at several cutoffs, per query, from one sort per query.

    ``metrics`` from ``('ndcg', 'dcg', 'mrr', 'map', 'precision', 'recall', 'hit_rate')``;
    returns ``{'ndcg@5': [...], 'mrr@5': [...], ...}`` (``'ndcg'`` for ``k=None``), each of the
    leading shape of the inputs (one value per query). Formulas in the module docstring.

    >>> import jax.numpy as jnp
    >>> r = ranking_metrics(jnp.array([[0., 1, 0, 2]]), jnp.array([[.9, .8, .1, .2]]),
    ...                     metrics=("mrr", "hit_rate"), k=(1, 2))
    >>> {key: float(v[0]) for key, v in sorted(r.items())}
    {'hit_rate@1': 0.0, 'hit_rate@2': 1.0, 'mrr@1': 0.0, 'mrr@2': 0.5}
    """
    who = "ranking_metrics"
    metrics = tuple(metrics)
    for name in metrics:
        check_choice(who, "metrics", name, METRICS)
    check_choice(who, "gain", gain, _GAINS)
    ks, _ = _normalize_k(who, k)
    rel, score, valid, bad = _prepare(who, y_true, y_pred, mask)
    if all(is_concrete(x) for x in (rel, score, bad)):
        _check_items(who, rel, score, bad)
    return _per_query(rel, score, valid, bad, metrics=metrics, ks=ks, gain=gain,
                      ignore_ties=bool(ignore_ties))


def _single(metric: str, who: str, y_true: Any, y_pred: Any, k: KSpec, mask: Any,
            gain: str = "linear", ignore_ties: bool = True) -> Any:
    check_choice(who, "gain", gain, _GAINS)
    ks, many = _normalize_k(who, k)
    rel, score, valid, bad = _prepare(who, y_true, y_pred, mask)
    if all(is_concrete(x) for x in (rel, score, bad)):
        _check_items(who, rel, score, bad)
    out = _per_query(rel, score, valid, bad, metrics=(metric,), ks=ks, gain=gain,
                     ignore_ties=bool(ignore_ties))
    return out if many else out[_key(metric, ks[0])]


def ndcg_at_k(y_true: Any, y_pred: Any, *, k: KSpec = None, gain: str = "exponential",
              ignore_ties: bool = False, mask: Any = None) -> Any:
    """Normalized discounted cumulative gain per query, ``DCG@k / IDCG@k`` (0 without relevant items).

    With ``gain='linear'`` the mean over queries equals ``sklearn.metrics.ndcg_score(y_true,
    y_pred, k=k, ignore_ties=ignore_ties)`` (sklearn's gain is the relevance itself). ``k`` a
    tuple gives a dict keyed ``'ndcg@k'``.

    >>> import jax.numpy as jnp
    >>> round(float(ndcg_at_k(jnp.array([[1., 0, 2]]), jnp.array([[.1, .1, .3]]), k=2,
    ...                       gain="linear")[0]), 6)  # sklearn.metrics.ndcg_score: 0.880094
    0.880094
    """
    return _single("ndcg", "ndcg_at_k", y_true, y_pred, k, mask, gain, ignore_ties)


def dcg_at_k(y_true: Any, y_pred: Any, *, k: KSpec = None, gain: str = "exponential",
             ignore_ties: bool = False, mask: Any = None) -> Any:
    """Discounted cumulative gain per query, ``sum_{rank <= k} g(r) / log2(rank + 1)``.

    With ``gain='linear'`` it equals ``sklearn.metrics.dcg_score`` per query (``log_base=2``).

    >>> import jax.numpy as jnp
    >>> round(float(dcg_at_k(jnp.array([[1., 0, 2]]), jnp.array([[.1, .1, .3]]), k=2,
    ...                      gain="linear")[0]), 6)  # sklearn.metrics.dcg_score: 2.315465
    2.315465
    """
    return _single("dcg", "dcg_at_k", y_true, y_pred, k, mask, gain, ignore_ties)


def reciprocal_rank(y_true: Any, y_pred: Any, *, k: KSpec = None, mask: Any = None) -> Any:
    """``1 / rank`` of the first relevant item per query (0 if none within ``k``); MRR is its mean.

    >>> import jax.numpy as jnp
    >>> reciprocal_rank(jnp.array([[0., 0, 1], [1, 0, 0]]), jnp.array([[.3, .2, .1], [.3, .2, .1]]))
    Array([0.33333334, 1.        ], dtype=float32)
    """
    return _single("mrr", "reciprocal_rank", y_true, y_pred, k, mask)


def average_precision_at_k(y_true: Any, y_pred: Any, *, k: KSpec = None, mask: Any = None) -> Any:
    """Average precision per query, ``sum_{rank <= k} rel * P@rank / min(k, R)``; MAP is its mean.

    With ``k=None`` and no tied scores it equals ``sklearn.metrics.average_precision_score`` on
    each query's binarised relevance.

    >>> import jax.numpy as jnp
    >>> average_precision_at_k(jnp.array([[1., 0, 1]]), jnp.array([[.3, .2, .1]]))  # (1 + 2/3) / 2
    Array([0.8333334], dtype=float32)
    """
    return _single("map", "average_precision_at_k", y_true, y_pred, k, mask)


def precision_at_k(y_true: Any, y_pred: Any, *, k: KSpec = None, ignore_ties: bool = False,
                   mask: Any = None) -> Any:
    """Fraction of relevant items among the top ``min(k, n)`` per query (tie-averaged by default).

    >>> import jax.numpy as jnp
    >>> precision_at_k(jnp.array([[1., 0, 1]]), jnp.array([[.3, .2, .1]]), k=2)
    Array([0.5], dtype=float32)
    """
    return _single("precision", "precision_at_k", y_true, y_pred, k, mask, "linear", ignore_ties)


def recall_at_k(y_true: Any, y_pred: Any, *, k: KSpec = None, ignore_ties: bool = False,
                mask: Any = None) -> Any:
    """Fraction of a query's relevant items found in its top ``k`` (0 without relevant items).

    >>> import jax.numpy as jnp
    >>> recall_at_k(jnp.array([[1., 0, 1]]), jnp.array([[.3, .2, .1]]), k=2)
    Array([0.5], dtype=float32)
    """
    return _single("recall", "recall_at_k", y_true, y_pred, k, mask, "linear", ignore_ties)


def hit_rate_at_k(y_true: Any, y_pred: Any, *, k: KSpec = None, mask: Any = None) -> Any:
    """1 if any relevant item is in the top ``k`` of the query, else 0.

    >>> import jax.numpy as jnp
    >>> hit_rate_at_k(jnp.array([[0., 0, 1]]), jnp.array([[.3, .2, .1]]), k=(2, 3))
    {'hit_rate@2': Array([0.], dtype=float32), 'hit_rate@3': Array([1.], dtype=float32)}
    """
    return _single("hit_rate", "hit_rate_at_k", y_true, y_pred, k, mask)
