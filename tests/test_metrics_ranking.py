"""Ranking metrics against scikit-learn 1.9.1 (ndcg_score, dcg_score, average_precision_score) and
float64 NumPy written from the formulas (module docstring of jmetrics.metrics._ranking)."""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sklearn.metrics import average_precision_score, dcg_score, ndcg_score

import jmetrics.metrics as jm
from jmetrics.metrics import (
    DCG,
    NDCG,
    HitRateAtK,
    MeanAveragePrecision,
    MeanReciprocalRank,
    PrecisionAtK,
    RecallAtK,
    average_precision_at_k,
    dcg_at_k,
    hit_rate_at_k,
    ndcg_at_k,
    precision_at_k,
    ranking_metrics,
    recall_at_k,
    reciprocal_rank,
)


# ---- float64 reference, one query at a time --------------------------------------------------------
def ref_query(rel, score, valid, k, gain="linear", ties=True):
    rel, score = np.asarray(rel, np.float64)[valid], np.asarray(score, np.float64)[valid]
    n = len(rel)
    kk = n if k is None else min(k, n)
    g = rel if gain == "linear" else 2.0**rel - 1
    disc = 1 / np.log2(np.arange(n) + 2)
    disc_k = np.where(np.arange(n) < kk, disc, 0)
    order = np.argsort(-score, kind="stable")
    hit = (rel > 0).astype(float)
    if ties:  # McSherry & Najork: a tie group's mean over the positions it occupies
        dcg, hits, start = 0.0, 0.0, 0
        for v in sorted(set(score), reverse=True):
            members = np.flatnonzero(score == v)
            span = slice(start, start + len(members))
            dcg += g[members].mean() * disc_k[span].sum()
            hits += hit[members].mean() * (np.arange(n)[span] < kk).sum()
            start += len(members)
    else:
        dcg = np.sum(g[order] * disc_k)
        hits = hit[order][:kk].sum()
    idcg = np.sum(np.sort(g)[::-1] * disc_k)
    R = hit.sum()
    hs = hit[order]
    first = np.flatnonzero(hs[:kk])
    prec_at = np.cumsum(hs) / (np.arange(n) + 1)
    return dict(
        dcg=dcg, ndcg=dcg / idcg if idcg > 0 else 0.0,
        precision=hits / min(kk, n) if n else 0.0, recall=hits / R if R else 0.0,
        hit_rate=float(hs[:kk].sum() > 0), mrr=1 / (first[0] + 1) if len(first) else 0.0,
        map=np.sum((prec_at * hs)[:kk]) / min(kk, R) if R else 0.0,
    )


def ref(y, s, valid, k, **kw):
    return {key: np.array([ref_query(y[i], s[i], valid[i], k, **kw)[key] for i in range(len(y))])
            for key in ("dcg", "ndcg", "precision", "recall", "hit_rate", "mrr", "map")}


def lists(seed, q=12, length=8, levels=4, tie_levels=None):
    r = np.random.default_rng(seed)
    y = r.integers(0, levels, (q, length)).astype(np.float32)
    s = (r.integers(0, tie_levels, (q, length)) / tie_levels if tie_levels
         else r.normal(size=(q, length))).astype(np.float32)
    return y, s


@functools.partial(jax.jit, static_argnums=0)
def _update(m, state, y, s, w, mask):
    return m.update(state, y, s, sample_weight=w, mask=mask)


# ---- scikit-learn ---------------------------------------------------------------------------------
def test_ndcg_and_dcg_match_sklearn_with_ties_and_weights():
    y, s = lists(0, tie_levels=3)  # heavy ties
    y[3] = 0  # a query with no relevant item: sklearn scores its NDCG 0
    w = np.random.default_rng(1).uniform(0, 2, len(y))
    ks = (None, 1, 3, 8, 20)  # 20 > list size
    got = ranking_metrics(y, s, metrics=("ndcg", "dcg"), k=ks, gain="linear")
    for k in ks:
        np.testing.assert_allclose(np.average(got[f"ndcg@{k}" if k else "ndcg"], weights=w),
                                   ndcg_score(y, s, k=k, sample_weight=w), rtol=1e-6)
        np.testing.assert_allclose(np.mean(got[f"dcg@{k}" if k else "dcg"]), dcg_score(y, s, k=k),
                                   rtol=1e-6)
    for cls, f in ((NDCG, ndcg_score), (DCG, dcg_score)):
        m = cls(k=3, gain="linear")
        st_ = _update(m, m.init(), y[:6], s[:6], w[:6], None)
        st_ = _update(m, st_, y[6:], s[6:], w[6:], None)
        np.testing.assert_allclose(float(m.compute(st_)), f(y, s, k=3, sample_weight=w), rtol=1e-6)


def test_ignore_ties_is_sklearn_ignore_ties_on_distinct_scores_and_differs_on_ties():
    y, s = lists(2)  # continuous scores: no ties
    for k in (None, 4):
        np.testing.assert_allclose(float(jnp.mean(ndcg_at_k(y, s, k=k, gain="linear", ignore_ties=True))),
                                   ndcg_score(y, s, k=k, ignore_ties=True), rtol=1e-6)
    yt, st_ = lists(3, tie_levels=2)
    averaged = ndcg_at_k(yt, st_, k=3, gain="linear")
    stable = ndcg_at_k(yt, st_, k=3, gain="linear", ignore_ties=True)
    valid = np.ones(yt.shape, bool)
    np.testing.assert_allclose(stable, ref(yt, st_, valid, 3, ties=False)["ndcg"], rtol=1e-6)
    np.testing.assert_allclose(averaged, ref(yt, st_, valid, 3, ties=True)["ndcg"], rtol=1e-6)
    assert not np.allclose(averaged, stable)  # ties matter: position order is not sklearn's average


def test_average_precision_matches_sklearn_per_query():
    y, s = lists(4, levels=2)
    y[:, 0] = 1  # sklearn needs a positive in each query
    want = [average_precision_score(y[i], s[i]) for i in range(len(y))]
    np.testing.assert_allclose(average_precision_at_k(y, s), want, rtol=1e-6)


# ---- float64 references: every metric, k tuple, padding, exponential gain ---------------------------
@pytest.mark.parametrize("ties", [False, True])
def test_every_metric_matches_the_reference_with_padding_and_several_k(ties):
    y, s = lists(5, q=10, length=9, tie_levels=4 if ties else None)
    r = np.random.default_rng(6)
    mask = r.uniform(size=y.shape) > 0.3
    y[0, :4] = -1  # TF-Ranking padding convention
    mask[1] = False  # an all-padding query
    y[2] = 0  # no relevant item
    valid = mask & (y >= 0)
    ks = (1, 3, 5, 12)
    got = ranking_metrics(y, s, k=ks, gain="exponential", mask=mask)
    assert set(got) == {f"{m}@{k}" for m in jm._ranking.METRICS for k in ks}
    for k in ks:
        want = ref(y, s, valid, k, gain="exponential", ties=True)
        for metric in ("ndcg", "dcg", "precision", "recall"):
            np.testing.assert_allclose(got[f"{metric}@{k}"], want[metric], rtol=1e-5, atol=1e-7,
                                       err_msg=f"{metric}@{k}")
        want_stable = ref(y, s, valid, k, gain="exponential", ties=False)
        for metric in ("mrr", "map", "hit_rate"):
            np.testing.assert_allclose(got[f"{metric}@{k}"], want_stable[metric], rtol=1e-5,
                                       atol=1e-7, err_msg=f"{metric}@{k}")
    for metric in ("ndcg", "mrr", "map", "recall", "hit_rate"):
        assert got[f"{metric}@3"][1] == 0 and got[f"{metric}@3"][2] == 0


def test_single_metric_functions_agree_with_the_combined_pass():
    y, s = lists(7, levels=3)
    both = ranking_metrics(y, s, k=(2, 5))
    for fn, key in ((ndcg_at_k, "ndcg"), (dcg_at_k, "dcg"), (reciprocal_rank, "mrr"),
                    (average_precision_at_k, "map"), (precision_at_k, "precision"),
                    (recall_at_k, "recall"), (hit_rate_at_k, "hit_rate")):
        many = fn(y, s, k=(2, 5))
        assert set(many) == {f"{key}@2", f"{key}@5"}
        for k in (2, 5):
            np.testing.assert_allclose(many[f"{key}@{k}"], both[f"{key}@{k}"], rtol=1e-6)
    np.testing.assert_allclose(ndcg_at_k(y, s, k=5), both["ndcg@5"], rtol=1e-6)  # int k: an array


def test_padding_anywhere_equals_the_unpadded_list():
    y, s = lists(8, q=1, length=6)
    order = np.random.default_rng(9).permutation(10)
    yp = np.concatenate([y, np.zeros((1, 4), np.float32)], 1)[:, order]
    sp = np.concatenate([s, np.full((1, 4), 99.0, np.float32)], 1)[:, order]  # pads score highest
    mask = np.concatenate([np.ones((1, 6), bool), np.zeros((1, 4), bool)], 1)[:, order]
    a = ranking_metrics(y, s, k=(2, None))
    b = ranking_metrics(yp, sp, k=(2, None), mask=mask)
    for key in a:
        np.testing.assert_allclose(a[key], b[key], rtol=1e-6, err_msg=key)


def test_vmapped_over_leading_axes_and_jit():
    y, s = lists(10, q=6, length=5)
    flat = ndcg_at_k(y, s, k=3)
    nested = ndcg_at_k(y.reshape(2, 3, 5), s.reshape(2, 3, 5), k=3)
    np.testing.assert_allclose(nested.reshape(-1), flat, rtol=1e-6)
    jitted = jax.jit(functools.partial(ndcg_at_k, k=3))(y, s)
    np.testing.assert_allclose(jitted, flat, rtol=1e-6)
    looped = np.concatenate([ndcg_at_k(y[i:i + 1], s[i:i + 1], k=3) for i in range(6)])
    np.testing.assert_allclose(looped, flat, rtol=1e-6)


def test_empty_batch_constant_scores_and_bf16():
    empty = ranking_metrics(np.zeros((0, 4)), np.zeros((0, 4)), k=2)
    assert all(v.shape == (0,) for v in empty.values())
    y = np.array([[1.0, 0, 0, 1]])
    const = np.zeros((1, 4), np.float32)
    # all tied: tie-averaged precision@2 = mean relevance 0.5; NDCG = mean gain at every position
    np.testing.assert_allclose(precision_at_k(y, const, k=2), [0.5])
    np.testing.assert_allclose(ndcg_at_k(y, const, gain="linear"), [ndcg_score(y, const)], rtol=1e-6)
    np.testing.assert_allclose(reciprocal_rank(y, const), [1.0])  # position order: first item
    yb, sb = lists(11, q=4, length=6)
    got = ndcg_at_k(jnp.asarray(yb, jnp.bfloat16), jnp.asarray(sb, jnp.bfloat16), k=3)
    want = ref(yb, np.asarray(jnp.asarray(sb, jnp.bfloat16), np.float64), np.ones(yb.shape, bool), 3,
               gain="exponential")["ndcg"]
    assert got.dtype == jnp.float32
    np.testing.assert_allclose(got, want, rtol=1e-5)


# ---- streaming --------------------------------------------------------------------------------------
CLASSES = [NDCG, DCG, MeanReciprocalRank, MeanAveragePrecision, PrecisionAtK, RecallAtK, HitRateAtK]


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_streaming_is_the_weighted_mean_over_real_queries(cls):
    y, s = lists(12, q=10, length=6)
    r = np.random.default_rng(13)
    w = r.uniform(0, 2, 10).astype(np.float32)
    mask = r.uniform(size=y.shape) > 0.2
    mask[4] = False  # all padding: not a query
    m = cls(k=(1, 4))
    state = _update(m, m.init(), y[:5], s[:5], w[:5], mask[:5])
    state = _update(m, state, y[5:], s[5:], w[5:], mask[5:])
    per_query = ranking_metrics(y, s, metrics=(m._metric,), k=(1, 4), mask=mask,
                                gain=getattr(m, "gain", "linear"),
                                ignore_ties=getattr(m, "ignore_ties", True))
    got = m.compute(state)
    keep = np.arange(10) != 4
    for key in m.keys:
        np.testing.assert_allclose(float(got[key]), np.average(per_query[key][keep], weights=w[keep]),
                                   rtol=1e-5)
    if cls is NDCG:  # an int k gives the scalar of the same state layout
        single = cls(k=4)
        state = _update(single, single.init(), y[:5], s[:5], w[:5], mask[:5])
        state = _update(single, state, y[5:], s[5:], w[5:], mask[5:])
        assert float(single.compute(state)) == pytest.approx(float(got["ndcg@4"]), rel=1e-6)
    assert float(cls().compute(cls().init())) == 0.0


@given(st.lists(st.integers(0, 4), min_size=1, max_size=4), st.integers(0, 10_000))
def test_any_split_of_queries_gives_the_same_mean(sizes, seed):
    r = np.random.default_rng(seed)
    n = sum(sizes)
    y = r.integers(0, 3, (n, 5)).astype(np.float32)
    s = r.integers(0, 3, (n, 5)).astype(np.float32)  # ties
    w = r.integers(0, 3, n).astype(np.float32)
    m = NDCG(k=(2, 5))
    pad = lambda x: np.concatenate([x, np.zeros((16 - len(x),) + x.shape[1:], x.dtype)])  # noqa: E731
    parts, i = [], 0
    for k in sizes:
        parts.append(_update(m, m.init(), pad(y[i:i + k]), pad(s[i:i + k]), pad(w[i:i + k]), None))
        i += k
    merged = m.init()
    for p in parts[::-1]:
        merged = m.merge(merged, p)
    whole = _update(m, m.init(), pad(y), pad(s), pad(w), None)
    a, b = m.compute(merged), m.compute(whole)
    for key in m.keys:
        np.testing.assert_allclose(float(a[key]), float(b[key]), rtol=1e-5, atol=1e-7)


def test_options_and_errors_name_the_metric():
    assert NDCG(k=[5, 10]) == NDCG(k=(5, 10)) and NDCG(k=[5, 10]).keys == ("ndcg@5", "ndcg@10")
    assert NDCG.from_config(NDCG(k=(1, 2)).get_config()) == NDCG(k=(1, 2))
    with pytest.raises(ValueError, match=r"ndcg: k must be None, an int >= 1 or a tuple of them; got 0"):
        NDCG(k=0)
    with pytest.raises(ValueError, match=r"mean_reciprocal_rank: k must list distinct cutoffs"):
        MeanReciprocalRank(k=(3, 3))
    with pytest.raises(ValueError, match=r"dcg: gain must be one of \['exponential', 'linear'\]; got 'log'"):
        DCG(gain="log")
    with pytest.raises(ValueError, match=r"ranking_metrics: metrics must be one of"):
        ranking_metrics(np.zeros((2, 3)), np.zeros((2, 3)), metrics=("auc",))
    with pytest.raises(ValueError, match=r"ndcg_at_k: y_true and y_pred must have the same shape \[..., list_size\]; got \(2, 3\) and \(2, 4\)"):
        ndcg_at_k(np.zeros((2, 3)), np.zeros((2, 4)))
    with pytest.raises(ValueError, match=r"recall_at_k: mask must have the shape of y_pred"):
        recall_at_k(np.zeros((2, 3)), np.zeros((2, 3)), mask=np.ones(3, bool))
    m = HitRateAtK(k=1)
    with pytest.raises(ValueError, match=r"hit_rate_at_k: sample_weight must broadcast to the queries"):
        m.update(m.init(), np.zeros((2, 3)), np.zeros((2, 3)), sample_weight=np.ones(3))
