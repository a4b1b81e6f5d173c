"""Exact ROC AUC and average precision at 1e7 samples against scikit-learn 1.9.1 (issue 5).

Drift-prone inputs: 10**7 rows, about 3% positives, float32 scores with 1000 tie levels, and
weights spanning six decades (1e-3 .. 1e3). scikit-learn's float64 values are the oracle (computed
once per input); jmetrics must agree to rtol 1e-6 on the host path (NumPy inputs), under jit and
in the streaming ``ExactAUC``. ``test_naive_float32_cumsums_drift_on_these_inputs`` shows, from
the formula in NumPy (not from jmetrics), that float32 running sums miss by far more than 1e-6
here, so the agreement is not an accident of easy inputs.

Cost (2 cores): each sklearn call about 3 s, each jmetrics host call about 1 s; one jitted
evaluation (and ``ExactAUC.compute``, the same sort-and-scan) about 4-5 s at this size, hence a
single jitted call and a single streaming run.
"""

from __future__ import annotations

import functools
import warnings

import jax
import numpy as np
import pytest
import sklearn.metrics as skm

import jmetrics.sk as sk
from jmetrics.metrics import ExactAUC

N = 10**7
RTOL = 1e-6

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("sk_1e7")]  # one worker: its module-scoped data is built once


@pytest.fixture(scope="module")
def data():
    r = np.random.default_rng(7)
    y = (r.random(N) < 0.03).astype(np.int32)
    s = ((r.integers(0, 1000, N) + 300 * y) / 1300).astype(np.float32)  # 1300 levels, ~1000 per class
    w = 10.0 ** r.uniform(-3, 3, N)
    assert 0.02 < y.mean() < 0.04
    return y, s, w


@pytest.fixture(scope="module")
def oracle(data):
    """scikit-learn's float64 value of (name, weighted), computed at most once per module."""
    y, s, w = data

    @functools.cache
    def value(name: str, weighted: bool) -> float:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return float(getattr(skm, name)(y, s, sample_weight=w if weighted else None))

    return value


def _rel(got, want):
    return abs(float(got) - want) / abs(want)


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("name", ["roc_auc_score", "average_precision_score"])
def test_host_exact_at_1e7(data, oracle, name, weighted):
    y, s, w = data
    want = oracle(name, weighted)
    got = getattr(sk, name)(y, s, sample_weight=w if weighted else None)
    np.testing.assert_allclose(float(got), want, rtol=RTOL, err_msg=f"{name} weighted={weighted} host")


def test_jit_roc_auc_weighted_at_1e7(data, oracle):
    # Inside jit (no x64) weights become float32; the double-float scans must still give sklearn's
    # float64 value to 1e-6 although plain float32 cumulative sums are off by ~1e-3 here.
    y, s, w = data
    fn = jax.jit(lambda y, s, w: sk.roc_auc_score(y, s, sample_weight=w))
    got = fn(y, s, w)
    np.testing.assert_allclose(float(got), oracle("roc_auc_score", True), rtol=RTOL, err_msg="jit")


def test_exact_auc_streaming_at_1e7(data, oracle):
    # Four batches of unequal size filling the buffer exactly (capacity == N).
    y, s, _ = data
    m = ExactAUC(capacity=N)
    state = m.init()
    cuts = [0, 1_234_567, 5_000_000, 7_777_777, N]
    for a, b in zip(cuts[:-1], cuts[1:], strict=True):
        state = m.update(state, y[a:b], s[a:b])
    assert int(state.size) == N and not bool(state.overflow)
    np.testing.assert_allclose(float(m.compute(state)), oracle("roc_auc_score", False), rtol=RTOL)


def test_naive_float32_cumsums_drift_on_these_inputs(data, oracle):
    """sklearn's algorithm with float32 running sums, in NumPy: far outside rtol 1e-6 at 1e7."""
    y, s, w = data
    order = np.argsort(-s, kind="stable")
    ys, ss = y[order], s[order]
    new = ss[1:] != ss[:-1]
    ends = np.r_[np.flatnonzero(new), N - 1]
    assert len(ends) == 1300  # tie groups

    # Weighted: float32 cumulative sums of the weights (sklearn's _binary_clf_curve in float32).
    ws = w[order].astype(np.float32)
    tps = np.r_[0.0, np.cumsum(ws * ys, dtype=np.float32)[ends].astype(np.float64)]
    fps = np.r_[0.0, np.cumsum(ws * (1 - ys), dtype=np.float32)[ends].astype(np.float64)]
    auc32 = np.trapezoid(tps, fps) / (tps[-1] * fps[-1])
    ap32 = np.sum(np.diff(tps) * tps[1:] / (tps[1:] + fps[1:])) / tps[-1]
    assert _rel(auc32, oracle("roc_auc_score", True)) > 100 * RTOL
    assert _rel(ap32, oracle("average_precision_score", True)) > 100 * RTOL

    # Unweighted: float32 counts of ones are still exact below 2**24, but the AUC's numerator
    # (sum over negatives of positives ranked above, ~3e12) accumulated in float32 is not.
    tp_incl = np.cumsum(ys, dtype=np.float32)  # positives at or above each position (exact)
    tp_above = np.r_[0.0, tp_incl[ends][:-1]]
    tied = tp_incl[ends] - tp_above
    group = np.r_[0, np.cumsum(new)]
    credit = (tp_above + tied / 2).astype(np.float32)[group]
    area32 = np.cumsum(np.where(ys == 0, credit, np.float32(0)), dtype=np.float32)[-1]
    p = int(ys.sum())
    assert _rel(float(area32) / (p * (N - p)), oracle("roc_auc_score", False)) > 100 * RTOL
