"""jmetrics.sk ranking functions (ROC/PR curves, ROC AUC, AP) against scikit-learn 1.9.1 as the oracle.

Every case runs on the host path (NumPy inputs) and, where jittable, on the JAX path under jit.
Scores are float32 so that both libraries see the same ties (inside jit without x64 float64 scores
are rounded to float32, which may merge ties; that is documented).
"""

from __future__ import annotations

import functools
import warnings

import jax
import numpy as np
import pytest
import sklearn.metrics as skm
from hypothesis import given
from hypothesis import strategies as st

import jmetrics.sk as sk
from jmetrics.sk import UndefinedMetricWarning

RTOL = 1e-6


@functools.cache
def _jit_cached(name, items):
    fn, kw = getattr(sk, name), dict(items)
    return jax.jit(lambda y, s, w: fn(y, s, sample_weight=w, **kw))


def _jit(name, **kw):
    """One compiled function per (function, options); reused across tests (compiles are slow)."""
    return _jit_cached(name, tuple(sorted(kw.items(), key=str)))


def both(name, y, s, w=None, jit=False, **kw):
    """sklearn's value, and ours on the host path and (optionally) under jit; all must agree."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = getattr(skm, name)(y, s, sample_weight=w, **kw)
        got = getattr(sk, name)(y, s, sample_weight=w, **kw)
    np.testing.assert_allclose(np.asarray(got, np.float64), want, rtol=RTOL, atol=1e-7, err_msg=f"{name} {kw} host")
    if jit:
        got = _jit(name, **kw)(y, s, w)
        np.testing.assert_allclose(np.asarray(got, np.float64), want, rtol=RTOL, atol=1e-7, err_msg=f"{name} {kw} jit")
    return want


def tied_binary(seed, n=60, levels=5, weighted=False):
    r = np.random.default_rng(seed)
    y = r.integers(0, 2, n)
    y[:2] = [0, 1]
    s = (r.integers(0, levels, n) / levels).astype(np.float32)
    w = (r.uniform(0, 3, n) * (r.random(n) < 0.8)) if weighted else None
    if weighted:
        w[:2] = 1.0
    return y, s, w


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("seed", range(4))
def test_binary_auc_ap_with_heavy_ties(seed, weighted):
    y, s, w = tied_binary(seed, weighted=weighted)
    w = np.ones(len(y)) if w is None else w  # one jit signature for both cases
    both("roc_auc_score", y, s, w, jit=True)
    both("average_precision_score", y, s, w, jit=True)
    for max_fpr in (0.1, 0.37, 1.0):
        both("roc_auc_score", y, s, w, jit=max_fpr == 0.37, max_fpr=max_fpr)
    s64 = s.astype(np.float64) / 3  # not float32-exact: the float64 host paths (split sorts, argsort)
    for weight in (None, w):
        both("roc_auc_score", y, s64, weight)
        both("average_precision_score", y, s64, weight)
        both("roc_auc_score", y, s64, weight, max_fpr=0.37)
    both("roc_auc_score", np.zeros_like(y), s64)  # one class on the split path: NaN as sklearn
    both("average_precision_score", np.zeros_like(y), s64)


def test_constant_scores_give_half_and_extreme_weights():
    y = np.array([0, 1, 0, 1, 1, 0])
    s = np.full(6, 0.3, np.float32)
    assert both("roc_auc_score", y, s, jit=True) == 0.5
    both("average_precision_score", y, s)
    w = np.array([1e-30, 1e30, 1.0, 1e-8, 3.0, 1e20])
    y2, s2, _ = tied_binary(7, n=6)
    both("roc_auc_score", y2, s2, w)
    both("average_precision_score", y2, s2, w)


def test_labels_minus_one_and_bool_and_2d_column():
    y, s, _ = tied_binary(3)
    both("roc_auc_score", 2 * y - 1, s, jit=False)
    both("average_precision_score", y.astype(bool), s, jit=False)
    np.testing.assert_allclose(sk.roc_auc_score(y[:, None], s), skm.roc_auc_score(y, s), rtol=RTOL)


def test_single_class_and_degenerate_inputs_follow_sklearn():
    s = np.array([0.1, 0.4, 0.35, 0.8], np.float32)
    for y in (np.zeros(4, int), np.ones(4, int)):
        with pytest.warns(UndefinedMetricWarning, match="roc_auc_score: Only one class"):
            assert np.isnan(sk.roc_auc_score(y, s))
        assert np.isnan(_jit("roc_auc_score")(y, s, None))  # jit: NaN silently
    with pytest.warns(UserWarning, match="No positive class"):  # the oracle warns too
        want = skm.average_precision_score(np.zeros(4), s)
    with pytest.warns(UndefinedMetricWarning, match="No positive class"):
        assert float(sk.average_precision_score(np.zeros(4, int), s)) == want == 0.0
    assert float(_jit("average_precision_score")(np.zeros(4, int), s, None)) == 0.0
    # all weights zero / no samples: sklearn raises; so do we (host) and jit gives NaN
    with pytest.raises(ValueError, match="roc_auc_score: sample_weight must contain"):
        sk.roc_auc_score([0, 1, 0, 1], s, sample_weight=np.zeros(4))
    with pytest.raises(ValueError, match=r"average_precision_score: Found array with 0 sample\(s\)"):
        sk.average_precision_score(np.zeros(0), np.zeros(0))
    assert np.isnan(_jit("roc_auc_score")(np.array([0, 1, 0, 1]), s, np.zeros(4)))
    with pytest.raises(ValueError, match="y_score must not contain NaN"):
        sk.roc_auc_score([0, 1], [0.1, np.nan])
    with pytest.raises(ValueError, match="max_fpr must be in"):
        sk.roc_auc_score([0, 1], [0.1, 0.2], max_fpr=0.0)


@pytest.mark.parametrize("average", ["macro", "weighted", "micro", "samples", None])
@pytest.mark.parametrize("weighted", [False, True])
def test_multilabel_averages(average, weighted):
    r = np.random.default_rng(5)
    y = (r.random((50, 4)) < 0.4).astype(int)
    y[:, 3] = 0  # a label without positives: NaN column, zero weight in 'weighted'
    s = np.round(r.random((50, 4)), 1).astype(np.float32)
    w = r.uniform(0, 2, 50) if weighted else None
    jit = weighted and average in ("macro", "samples")  # compiles are slow: two of the five averages
    both("roc_auc_score", y, s, w, jit=jit, average=average)
    both("average_precision_score", y, s, w, jit=jit, average=average)
    y[:, 3] = r.integers(0, 2, 50)
    both("roc_auc_score", y, s, w, average=average, max_fpr=0.5)


def _probs(seed, n=70, c=4):
    r = np.random.default_rng(seed)
    p = np.round(r.dirichlet(np.ones(c), n), 1) + 1e-3
    return r.integers(0, c, n), (p / p.sum(1, keepdims=True)).astype(np.float32)


@pytest.mark.parametrize(("multi_class", "average"), [("ovr", "macro"), ("ovr", "weighted"), ("ovr", "micro"),
                                                      ("ovr", None), ("ovo", "macro"), ("ovo", "weighted")])
def test_multiclass_ovr_ovo(multi_class, average):
    y, p = _probs(11)
    both("roc_auc_score", y, p, jit=True, multi_class=multi_class, average=average)
    if multi_class == "ovr":
        both("roc_auc_score", y, p, np.random.default_rng(0).uniform(0, 2, len(y)),
             multi_class=multi_class, average=average)
    # string-free relabelling through `labels`
    both("roc_auc_score", y * 10 + 5, p, jit=False, multi_class=multi_class, average=average,
         labels=[5, 15, 25, 35])


@pytest.mark.parametrize("multi_class", ["ovr", "ovo"])
@pytest.mark.parametrize("average", ["macro", "weighted"])
def test_multiclass_with_an_absent_class(multi_class, average):
    y, p = _probs(12)
    y = np.where(y == 2, 0, y)
    labels = [0, 1, 2, 3]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = skm.roc_auc_score(y, p, multi_class=multi_class, average=average, labels=labels)
        got = sk.roc_auc_score(y, p, multi_class=multi_class, average=average, labels=labels)
    traced = jax.jit(lambda a, b: sk.roc_auc_score(a, b, multi_class=multi_class, average=average,
                                                   labels=tuple(labels)))(y, p)
    np.testing.assert_allclose([got, traced], [want, want], rtol=RTOL)
    msg = "Number of classes in y_true not equal to the number of columns in 'y_score'"
    with pytest.raises(ValueError, match=msg):  # classes inferred from y_true
        skm.roc_auc_score(y, p, multi_class=multi_class)
    with pytest.raises(ValueError, match=f"roc_auc_score: {msg}"):
        sk.roc_auc_score(y, p, multi_class=multi_class)


def test_multiclass_errors_name_the_function():
    """scikit-learn 1.9.1's messages after the function's name."""
    y, p = _probs(13)
    cases = [
        ({}, r"multi_class must be in \('ovo', 'ovr'\)"),
        ({"multi_class": "ovr", "scale": 2}, r"Target scores need to be probabilities .* sum up to 1.0"),
        ({"multi_class": "ovo", "sample_weight": np.ones(len(y))}, "sample_weight is not supported for "
         "multiclass one-vs-one ROC AUC"),
        ({"multi_class": "ovr", "max_fpr": 0.5}, "Partial AUC computation not available in multiclass"),
    ]
    for kw, msg in cases:
        scale = kw.pop("scale", 1)
        with pytest.raises(ValueError, match=msg):
            skm.roc_auc_score(y, p * scale, **kw)
        with pytest.raises(ValueError, match=f"roc_auc_score: {msg}"):
            sk.roc_auc_score(y, p * scale, **kw)


def test_multiclass_average_precision():
    y, p = _probs(14)
    for average in ("macro", "weighted", "micro", None):
        both("average_precision_score", y, p, jit=average == "macro", average=average)


@pytest.mark.parametrize("name", ["roc_curve", "precision_recall_curve", "det_curve"])
@pytest.mark.parametrize("drop_intermediate", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
def test_curves_equal_sklearn(name, drop_intermediate, weighted):
    for seed in range(3):
        y, s, w = tied_binary(seed, n=40, levels=7, weighted=weighted)
        s64 = s.astype(np.float64) / 3  # float64 scores take the other sort path
        for scores in (s, s64):
            want = getattr(skm, name)(y, scores, sample_weight=w, drop_intermediate=drop_intermediate)
            got = getattr(sk, name)(y, scores, sample_weight=w, drop_intermediate=drop_intermediate)
            for a, b in zip(got, want, strict=True):
                np.testing.assert_allclose(np.asarray(a, np.float64), b, rtol=RTOL)


def test_curve_degenerate_cases_and_jit_refusal():
    s = np.array([0.1, 0.4, 0.35, 0.8], np.float32)
    with pytest.warns(UndefinedMetricWarning, match="No negative samples"):
        fpr, tpr, _ = sk.roc_curve(np.ones(4, int), s)
    assert np.isnan(fpr).all() and not np.isnan(tpr).any()
    with pytest.warns(UndefinedMetricWarning, match="No positive class"):
        _, recall, _ = sk.precision_recall_curve(np.zeros(4, int), s)
    with pytest.warns(UserWarning, match="No positive class"):  # the oracle warns too
        want = skm.precision_recall_curve(np.zeros(4, int), s)[1]
    np.testing.assert_array_equal(recall, want)
    with pytest.raises(ValueError, match="Only one class is present in y_true"):
        skm.det_curve(np.zeros(4, int), s)
    with pytest.raises(ValueError, match="det_curve: Only one class is present in y_true"):
        sk.det_curve(np.zeros(4, int), s)
    msg = r"y_true takes value in \{1, 2\} and pos_label is not specified"
    with pytest.raises(ValueError, match=msg):
        skm.roc_curve([1, 2, 1, 2], s)
    with pytest.raises(ValueError, match=f"roc_curve: {msg}"):
        sk.roc_curve([1, 2, 1, 2], s)
    np.testing.assert_allclose(sk.roc_curve([1, 2, 1, 2], s, pos_label=2)[1],
                               skm.roc_curve([1, 2, 1, 2], s, pos_label=2)[1])
    with pytest.raises(TypeError, match="roc_curve: the curve's length depends on the values"):
        jax.jit(lambda y, s: sk.roc_curve(y, s))(np.array([0, 1]), np.array([0.1, 0.2]))


def test_negative_zero_ties_with_zero():
    y = np.array([0, 1, 0, 1])
    s = np.array([-0.0, 0.0, 0.0, -0.0], np.float32)
    both("roc_auc_score", y, s, jit=True)
    assert float(sk.roc_auc_score(y, s)) == 0.5


def test_exact_at_1e6_with_drift_prone_inputs():
    # 1e6 rows, 1000 tie levels, 3% positives; weights spanning 6 decades. float32 cumulative sums
    # would drift: counts must be exact (host) and double-float (jit).
    r = np.random.default_rng(0)
    n = 1_000_000
    y = (r.random(n) < 0.03).astype(np.int32)
    s = ((r.integers(0, 1000, n) + 300 * y) / 1300).astype(np.float32)
    w = 10.0 ** r.uniform(-3, 3, n)
    for weight in (None, w):
        both("roc_auc_score", y, s, weight, jit=weight is not None)
        both("average_precision_score", y, s, weight)
    both("roc_auc_score", y, s, w, max_fpr=0.2)
    s64 = s.astype(np.float64) + r.normal(scale=1e-9, size=n)  # float64 scores: split-sort path
    both("roc_auc_score", y, s64)
    both("average_precision_score", y, s64)


@given(st.integers(0, 10_000))
def test_order_and_weight_zero_invariance(seed):
    n = 60  # the shape of test_binary_auc_ap_with_heavy_ties: its compiled functions are reused
    r = np.random.default_rng(seed)
    y = r.integers(0, 2, n)
    y[:2] = [0, 1]
    s = (r.integers(0, 4, n) / 4).astype(np.float32)
    w = r.uniform(0.5, 2, n)
    perm = r.permutation(n)
    for name in ("roc_auc_score", "average_precision_score"):
        fn = getattr(sk, name)
        base = float(fn(y, s, sample_weight=w))
        np.testing.assert_allclose(float(fn(y[perm], s[perm], sample_weight=w[perm])), base, rtol=RTOL)
        # weight 0 == removing the row (host and jit)
        w0 = w.copy()
        drop = r.random(n) < 0.3
        drop[:2] = False
        w0[drop] = 0
        removed = float(fn(y[~drop], s[~drop], sample_weight=w[~drop]))
        np.testing.assert_allclose(float(fn(y, s, sample_weight=w0)), removed, rtol=RTOL)
        np.testing.assert_allclose(float(_jit(name)(y, s, w0)), removed, rtol=RTOL)


def test_traced_sample_weight_of_the_wrong_length_names_the_metric():
    f = jax.jit(lambda y, s, w: sk.roc_auc_score(y, s, sample_weight=w))
    with pytest.raises(ValueError, match=r"roc_auc_score: sample_weight must have shape \(3,\); got \(2,\)"):
        f(np.array([0, 1, 1]), np.array([0.1, 0.2, 0.3]), np.ones(2))
