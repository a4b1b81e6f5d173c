"""jmetrics.sk DCG/NDCG/LRAP/coverage error against scikit-learn 1.9.1 (heavy ties, empty rows)."""

from __future__ import annotations

import warnings

import jax
import numpy as np
import pytest
import sklearn.metrics as skm
from hypothesis import given
from hypothesis import strategies as st

import jmetrics.sk as sk

R = np.random.default_rng(0)
N, L = 25, 6
REL = R.integers(0, 4, (N, L)).astype(float)
REL[0] = 0  # no relevant document: NDCG 0
S = np.round(R.random((N, L)), 1).astype(np.float32)  # heavy ties
IND = (R.random((N, L)) < 0.3).astype(int)
IND[1], IND[2] = 0, 1  # no relevant / all relevant labels
W = R.uniform(0, 2, N)


def check(name, *args, rtol=1e-6, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = getattr(skm, name)(*args, **kw)
    got = getattr(sk, name)(*args, **kw)
    np.testing.assert_allclose(np.asarray(got, np.float64), want, rtol=rtol, err_msg=f"{name} {kw}")


@pytest.mark.parametrize("k", [None, 1, 3])
@pytest.mark.parametrize("ignore_ties", [False, True])
@pytest.mark.parametrize("w", [None, W], ids=["unweighted", "weighted"])
def test_dcg_ndcg(k, ignore_ties, w):
    check("dcg_score", REL, S, k=k, sample_weight=w, ignore_ties=ignore_ties)
    check("ndcg_score", REL, S, k=k, sample_weight=w, ignore_ties=ignore_ties)
    check("dcg_score", REL, S, k=k, log_base=10, sample_weight=w, ignore_ties=ignore_ties)


@pytest.mark.parametrize("w", [None, W], ids=["unweighted", "weighted"])
def test_lrap_and_coverage(w):
    check("label_ranking_average_precision_score", IND, S, sample_weight=w)
    check("coverage_error", IND, S, sample_weight=w)
    check("label_ranking_average_precision_score", IND, np.zeros_like(S), sample_weight=w)  # all tied


def test_jit_paths():
    f = jax.jit(lambda y, b, s, w: (sk.dcg_score(y, s, k=3, sample_weight=w), sk.ndcg_score(y, s, sample_weight=w),
                                    sk.label_ranking_average_precision_score(b, s, sample_weight=w),
                                    sk.coverage_error(b, s, sample_weight=w)))
    for w in (None, W):
        got = f(REL, IND, S, w)
        want = (skm.dcg_score(REL, S, k=3, sample_weight=w), skm.ndcg_score(REL, S, sample_weight=w),
                skm.label_ranking_average_precision_score(IND, S, sample_weight=w),
                skm.coverage_error(IND, S, sample_weight=w))
        np.testing.assert_allclose(np.asarray(got, np.float64), want, rtol=1e-5)


def test_errors():
    with pytest.raises(ValueError, match="ndcg_score: ndcg_score should not be used on negative y_true values"):
        sk.ndcg_score(-REL, S)
    with pytest.raises(ValueError, match="dcg_score: Computing DCG is only meaningful when there is more than 1 document"):
        sk.dcg_score([[1.0]], [[0.5]])
    with pytest.raises(ValueError, match="coverage_error: y_true and y_score must both have shape"):
        sk.coverage_error(IND[:, :3], S)


@given(st.integers(0, 10_000))
def test_weight_zero_equals_removing_rows(seed):
    r = np.random.default_rng(seed)
    y, s, w = r.integers(0, 3, (10, 4)), np.round(r.random((10, 4)), 1), r.uniform(0.5, 2, 10)
    drop = r.random(10) < 0.3
    drop[0] = False
    b = (y > 0).astype(int)  # LRAP and coverage take label indicators (sklearn refuses 0/1/2)
    for name, t in (("dcg_score", y), ("ndcg_score", y), ("label_ranking_average_precision_score", b),
                    ("coverage_error", b)):
        fn = getattr(sk, name)
        np.testing.assert_allclose(float(fn(t, s, sample_weight=np.where(drop, 0, w))),
                                   float(fn(t[~drop], s[~drop], sample_weight=w[~drop])), rtol=1e-6)
