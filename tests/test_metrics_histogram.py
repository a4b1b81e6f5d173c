"""HistogramAUC against scikit-learn 1.9.1 (roc_auc_score, average_precision_score).

Two kinds of checks: with one distinct score per bin the histogram *is* the exact computation
(equal to sklearn to float rounding); with arbitrary scores the difference stays within the
documented bound ``error_bound(state)``.
"""

from __future__ import annotations

import dataclasses
import functools
import warnings

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sklearn.metrics import average_precision_score, roc_auc_score

import jmetrics
from jmetrics.metrics import HistogramAUC
from tests.helpers import TracedJit


def sk(curve, y, s, w=None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        f = roc_auc_score if curve == "ROC" else average_precision_score
        return float(f(y, s, sample_weight=w))


@functools.partial(jax.jit, static_argnums=0)
def _update(m, state, y, s, w):
    return m.update(state, y, s, sample_weight=w)


@functools.partial(jax.jit, static_argnums=0)
def _results(m, state):
    return m.compute(state), m.error_bound(state)


def run(m, y, s, w=None, pad_to=None):
    """Jitted update from init; ``pad_to`` pads with weight-0 rows so shapes (and traces) repeat."""
    y, s = np.asarray(y), np.asarray(s)
    w = np.ones(len(s), np.float32) if w is None else np.asarray(w, np.float32)
    if pad_to is not None:
        k = pad_to - len(s)
        y, s, w = np.pad(y, (0, k)), np.pad(s, (0, k)), np.pad(w, (0, k))
    return _update(m, m.init(), y, s, w)


def results(m, state):
    c, b = _results(m, state)
    return float(c), float(b)


def centers(m, idx):
    """Scores at bin centres (in the metric's input space) for bin indices ``idx``."""
    e = m.bin_edges()
    c = (e[idx] + e[idx + 1]) / 2
    if m.space == "logit" and not m.from_logits:
        return 1 / (1 + np.exp(-c))
    if m.space == "probability" and m.from_logits:
        return np.log(c) - np.log1p(-c)
    return c


CONFIGS = [
    dict(space="probability", from_logits=False),
    dict(space="probability", from_logits=True),
    dict(space="logit", from_logits=True),
    dict(space="logit", from_logits=False, logit_max=8.0),
]


@pytest.mark.parametrize("cfg", CONFIGS, ids=lambda c: f"{c['space']}-{c['from_logits']}")
def test_one_score_per_bin_equals_sklearn_with_ties_and_weights(cfg):
    m = HistogramAUC(num_bins=64, **cfg)
    r = np.random.default_rng(0)
    idx = r.integers(0, 64, 500)  # 500 samples on 64 distinct scores: heavy ties
    y = (r.uniform(size=500) < 0.2 + 0.6 * idx / 64).astype(np.float32)
    s = centers(m, idx)
    w = r.uniform(0, 3, 500)
    w[::7] = 0
    for weights in (None, w):
        state = run(m, y, s.astype(np.float32), weights)  # one state for both curves
        for curve in ("ROC", "PR"):
            got, bound = results(dataclasses.replace(m, curve=curve), state)
            np.testing.assert_allclose(got, sk(curve, y, s, weights), rtol=2e-6)
            assert bound >= 0  # the bound cannot see that a bin holds one score: it stays > 0



@pytest.mark.parametrize("curve", ["ROC", "PR"])
@given(st.integers(0, 10_000), st.sampled_from([2, 16, 4096]), st.booleans())
def test_difference_from_exact_is_within_the_documented_bound(curve, seed, num_bins, weighted):
    r = np.random.default_rng(seed)
    n = int(r.integers(2, 300))
    y = r.integers(0, 2, n)
    y[:2] = [0, 1]
    s = np.clip(r.normal(0.5 + 0.2 * (y - 0.5), 0.3, n), 0, 1).astype(np.float32)
    s[r.uniform(size=n) < 0.3] = 0.5  # ties across classes
    w = r.uniform(0, 2, n).astype(np.float32) if weighted else None
    m = HistogramAUC(num_bins=num_bins)  # the curve is read in compute only: one update per size
    got, bound = results(dataclasses.replace(m, curve=curve), run(m, y, s, w, pad_to=300))
    assert abs(got - sk(curve, y, s, w)) <= bound + 2e-6


def test_bound_is_tight_enough_to_be_useful_at_2_pow_16_bins():
    r = np.random.default_rng(1)
    y = r.integers(0, 2, 20_000)
    s = r.beta(2 + y, 3 - y).astype(np.float32)
    m = HistogramAUC(num_bins=2**16)
    state = run(m, y, s)  # one state for both curves
    for curve in ("ROC", "PR"):
        got, bound = results(dataclasses.replace(m, curve=curve), state)
        assert bound < 1e-3
        assert abs(got - sk(curve, y, s)) <= bound + 2e-6


def test_constant_scores_and_single_class_follow_sklearn():
    y = np.array([0, 1, 1, 0, 1.0])
    s = np.full(5, 0.3, np.float32)
    roc, pr = HistogramAUC(curve="ROC"), HistogramAUC(curve="PR")
    assert results(roc, run(roc, y, s))[0] == 0.5 == sk("ROC", y, s)
    np.testing.assert_allclose(results(pr, run(pr, y, s))[0], sk("PR", y, s), rtol=1e-6)  # 0.6
    ones, zeros = np.ones(4), np.zeros(4)
    sc = np.array([0.1, 0.5, 0.2, 0.9], np.float32)
    assert np.isnan(results(roc, run(roc, ones, sc))[0]) and np.isnan(sk("ROC", ones, sc))
    assert np.isnan(results(roc, run(roc, zeros, sc))[0])
    assert results(pr, run(pr, ones, sc))[0] == sk("PR", ones, sc) == 1.0
    assert results(pr, run(pr, zeros, sc))[0] == sk("PR", zeros, sc) == 0.0
    assert np.isnan(results(roc, roc.init())[0])  # nothing seen: undefined
    # all weights zero: nothing seen either
    assert np.isnan(results(roc, run(roc, y, s, np.zeros(5)))[0])


def test_extreme_logits():
    # (NaN scores are bad input: tests/test_metrics_validate.py.)
    m = HistogramAUC(num_bins=256, space="logit", from_logits=True)
    y = np.array([0, 1, 0, 1.0])
    z = np.array([-1e30, 1e30, -50.0, 50.0], np.float32)
    state = run(m, y, z)
    assert results(m, state)[0] == 1.0  # the extremes separate
    pos, neg = m.counts(state)
    assert float(pos.sum()) == 2 and float(neg.sum()) == 2
    assert float(pos[-1]) == 2 and float(neg[0]) == 2
    # probabilities 0 and 1 map to the end bins of logit space (log(0) = -inf is clipped)
    m2 = HistogramAUC(num_bins=8, space="logit")
    np.testing.assert_array_equal(m2.bucketize(jnp.array([0.0, 0.5, 1.0])), [0, 4, 7])
    # probabilities beyond [0, 1] go to the end bins there too (as in probability space)
    np.testing.assert_array_equal(m2.bucketize(jnp.array([-0.5, 1.5, -np.inf, np.inf])), [0, 7, 0, 7])


def test_soft_labels_count_fractionally_like_duplicated_rows():
    m = HistogramAUC(num_bins=32)
    s = np.array([0.1, 0.6, 0.9], np.float32)
    soft = run(m, np.array([0.25, 1.0, 0.5]), s)
    dup = run(m, np.array([1, 0, 1, 1, 0.0]), np.array([0.1, 0.1, 0.6, 0.9, 0.9], np.float32),
              np.array([0.25, 0.75, 1.0, 0.5, 0.5]))
    jax.tree.map(np.testing.assert_array_equal, soft, dup)


def test_bf16_scores_bin_like_their_float32_values():
    r = np.random.default_rng(2)
    y, s = r.integers(0, 2, 200), r.uniform(size=200)
    m = HistogramAUC(num_bins=512)
    sb = jnp.asarray(s, jnp.bfloat16)
    a = run(m, jnp.asarray(y, jnp.bfloat16), sb)
    b = run(m, y, np.asarray(sb, np.float32))
    jax.tree.map(np.testing.assert_array_equal, a, b)
    assert a.pos.hi.dtype == jnp.float32


def test_counts_stay_exact_past_2_pow_24():
    m = HistogramAUC(num_bins=16)
    step = TracedJit(lambda st_, y, s, w: m.update(st_, y, s, sample_weight=w))
    state = m.init()
    for w in (2.0**24, 1.0, 1.0, 3.0):
        state = step(state, jnp.ones(1), jnp.full(1, 0.5), jnp.full(1, w, jnp.float32))
    assert step.traces == 1
    total = np.float64(np.asarray(state.pos.hi)[8]) + np.float64(np.asarray(state.pos.lo)[8])
    assert total == 2**24 + 5  # a plain float32 sum would stop at 2**24
    # unit weights: a batch of 2**20 rows is counted exactly in one scatter
    big = _update(m, m.init(), jnp.zeros(2**20), jnp.full(2**20, 0.01), None)
    assert float(big.neg.hi[0]) == 2**20


_merge = jax.jit(lambda m, a, b: m.merge(a, b), static_argnums=0)


@given(st.lists(st.integers(0, 12), min_size=1, max_size=6), st.integers(0, 10_000))
def test_any_split_or_merge_order_gives_identical_counts(sizes, seed):
    r = np.random.default_rng(seed)
    n = sum(sizes)
    y, s = r.integers(0, 2, n), r.uniform(size=n).astype(np.float32)
    w = r.integers(0, 4, n).astype(np.float32)  # integer weights: sums are exact in any order
    m = HistogramAUC(num_bins=64, curve="PR")
    parts, i = [], 0
    for k in sizes:
        parts.append(run(m, y[i:i + k], s[i:i + k], w[i:i + k], pad_to=12))
        i += k
    merged = m.init()
    for p in reversed(parts):
        merged = _merge(m, p, merged)
    whole = run(m, y, s, w, pad_to=72)
    for a, b in zip(m.counts(merged), m.counts(whole), strict=True):
        np.testing.assert_array_equal(a, b)
    keep = w > 0
    removed = run(m, y[keep], s[keep], pad_to=72)
    np.testing.assert_array_equal(m.counts(removed)[0], m.counts(run(m, y, s, keep * 1.0, pad_to=72))[0])


def test_weights_broadcast_over_columns_and_multilabel_is_flattened():
    r = np.random.default_rng(3)
    y, s, w = r.integers(0, 2, (30, 3)), r.uniform(size=(30, 3)).astype(np.float32), r.uniform(size=30)
    m = HistogramAUC(num_bins=2**12)
    got = results(m, run(m, y, s, w))[0]
    want = sk("ROC", y.ravel(), s.ravel(), np.repeat(w, 3))
    assert abs(got - want) <= results(m, run(m, y, s, w))[1] + 1e-6


def test_roc_and_pr_share_the_statistic():
    assert HistogramAUC(curve="ROC").stat_key() == HistogramAUC(curve="PR").stat_key()
    assert HistogramAUC(num_bins=8).stat_key() != HistogramAUC(num_bins=16).stat_key()
    assert HistogramAUC(space="logit").stat_key() != HistogramAUC().stat_key()
    c = jmetrics.Collection([HistogramAUC(num_bins=64), HistogramAUC(num_bins=64, curve="PR", name="ap")])
    y, s = np.array([0, 1, 1, 0.0]), np.array([0.1, 0.7, 0.4, 0.5], np.float32)
    state = jax.jit(c.update)(c.init(), y, s)  # one program (eagerly: one per operation)
    assert len(state.stats) == 1  # one histogram for both
    out = jax.jit(c.compute)(state)
    assert float(out["histogram_auc"]) == sk("ROC", y, s) and float(out["ap"]) == pytest.approx(sk("PR", y, s))


def test_bad_options_and_shapes_name_metric_and_argument():
    with pytest.raises(ValueError, match=r"histogram_auc: num_bins must be an int in \[2, 2\*\*24\]; got 1"):
        HistogramAUC(num_bins=1)
    with pytest.raises(ValueError, match=r"histogram_auc: curve must be one of \['ROC', 'PR'\]; got 'roc'"):
        HistogramAUC(curve="roc")
    with pytest.raises(ValueError, match=r"histogram_auc: space must be one of"):
        HistogramAUC(space="rank")
    with pytest.raises(ValueError, match="logit_max"):
        HistogramAUC(logit_max=0)
    m = HistogramAUC()
    with pytest.raises(ValueError, match=r"histogram_auc: y_true and y_pred must have the same shape; got \(4,\) and \(5,\)"):
        m.update(m.init(), np.zeros(4), np.zeros(5))
    with pytest.raises(ValueError, match=r"histogram_auc: sample_weight must broadcast"):
        m.update(m.init(), np.zeros(4), np.zeros(4), sample_weight=np.ones(3))


def _ref_counts(num_bins, y, s, w):
    """float64 NumPy histogram of positives/negatives by floor(s * num_bins)."""
    y, s, w = (np.asarray(a, np.float64) for a in (y, s, w))
    keep = w != 0
    b = np.clip(np.floor(np.clip(s[keep], 0, 1) * num_bins), 0, num_bins - 1).astype(int)
    pos = np.bincount(b, weights=(w * y)[keep], minlength=num_bins)
    neg = np.bincount(b, weights=(w * (1 - y))[keep], minlength=num_bins)
    return pos, neg


@pytest.mark.parametrize("case", ["hard", "soft_in_last_block", "nan_scores", "weighted", "bool",
                                  "int"])
def test_block_paths_count_like_numpy(monkeypatch, case):
    # Tiny blocks so a 101-row batch runs the block loop, the tail block and (for a soft label
    # seen only in the last block) the refold as floats.
    from jmetrics.metrics import _blocks

    monkeypatch.setattr(_blocks, "BLOCK", 8)
    r = np.random.default_rng(7)
    n, m = 101, HistogramAUC(num_bins=16)
    y = r.integers(0, 2, n).astype(np.float32)
    s = r.uniform(-0.1, 1.1, n).astype(np.float32)  # some beyond [0, 1]: end bins
    w = None
    if case == "soft_in_last_block":
        y[-1] = 0.25
    elif case == "nan_scores":
        s[[3, 50, 100]] = np.nan
    elif case == "weighted":
        w = r.uniform(0, 3, n).astype(np.float32)
        w[[5, 6]] = 0
        y[5] = np.nan  # weight 0 removes the row, whatever its label
    got_y = y.astype({"bool": bool, "int": np.int32}[case]) if case in ("bool", "int") else y
    if case == "nan_scores":  # bad input in the loop and in the tail block: all NaN (under jit)
        pos, neg = HistogramAUC.counts(jax.jit(m.update)(m.init(), y, s))
        assert np.isnan(np.asarray(pos)).all() and np.isnan(np.asarray(neg)).all()
        return
    st_ = m.update(m.init(), got_y, s, sample_weight=w)
    pos, neg = HistogramAUC.counts(st_)
    want_pos, want_neg = _ref_counts(16, y, s, np.ones(n) if w is None else w)
    np.testing.assert_allclose(np.asarray(pos, np.float64), want_pos, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(np.asarray(neg, np.float64), want_neg, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("space", ["probability", "logit"])
def test_bins_at_the_edges_equal_the_numpy_floor_formula(space):
    """The update's unweighted keys (multiply, clip, float-to-int) against NumPy's
    ``floor(clip(z * nb / (hi - lo) - lo * ..., 0, nb - 1))`` in float32, on scores at, just
    below and just above every bin edge, +-0, +-inf and out of range."""
    nb, lm = 16, 4.0
    m = HistogramAUC(num_bins=nb, space=space, from_logits=space == "logit", logit_max=lm)
    lo, hi = (0.0, 1.0) if space == "probability" else (-lm, lm)
    edges = np.linspace(lo, hi, nb + 1).astype(np.float32)
    s = np.concatenate([edges, np.nextafter(edges, np.float32(-np.inf)),
                        np.nextafter(edges, np.float32(np.inf)),
                        np.array([-0.0, 0.0, -np.inf, np.inf, lo - 1, hi + 1], np.float32)])
    y = np.arange(s.shape[0]) % 2
    pos, neg = m.counts(_update(m, m.init(), jnp.asarray(y), jnp.asarray(s), None))
    z = s - np.float32(lo) if lo else s
    t = np.clip(z * np.float32(nb / (hi - lo)), 0, nb - 1)
    want = np.floor(t).astype(np.int64)
    np.testing.assert_array_equal(np.asarray(pos), np.bincount(want[y == 1], minlength=nb))
    np.testing.assert_array_equal(np.asarray(neg), np.bincount(want[y == 0], minlength=nb))
    np.testing.assert_array_equal(np.asarray(m.bucketize(jnp.asarray(s))), want)
    assert int(m.bucketize(jnp.array([np.nan]))[0]) == 0  # NaN: bin 0 (update counts it as bad)
