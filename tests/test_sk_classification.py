"""jmetrics.sk label metrics against scikit-learn 1.9.1 (host path, and jit with static labels)."""

from __future__ import annotations

import functools
import warnings

import jax
import numpy as np
import pytest
import sklearn.exceptions
import sklearn.metrics as skm
from hypothesis import given
from hypothesis import strategies as st

import jmetrics.sk as sk
from jmetrics.sk import UndefinedMetricWarning

R = np.random.default_rng(0)
YB, PB = R.integers(0, 2, 40), R.integers(0, 2, 40)
YM, PM = R.integers(0, 4, 40), R.integers(0, 4, 40)
PM[PM == 3] = 2  # class 3 is never predicted
YL, PL = R.integers(0, 2, (40, 3)), R.integers(0, 2, (40, 3))
YL[:, 2] = 0
PL[:, 2] = 0  # a label nobody has: zero divisions
W = R.uniform(0, 2, 40) * (R.random(40) < 0.9)
TARGETS = {"binary": (YB, PB), "multiclass": (YM, PM), "multilabel": (YL, PL)}
AVERAGES = {"binary": ("binary", "micro", "macro", "weighted", None),
            "multiclass": ("micro", "macro", "weighted", None),
            "multilabel": ("micro", "macro", "weighted", "samples", None)}


def check(name, y, p, jit_labels=False, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = getattr(skm, name)(y, p, **kw)
        got = getattr(sk, name)(y, p, **kw)
    np.testing.assert_allclose(np.asarray(got, np.float64), want, rtol=1e-6, equal_nan=True, err_msg=f"{name} {kw}")
    if jit_labels:
        if y.ndim == 1 and kw.get("average") != "binary":
            kw = {**kw, "labels": tuple(np.union1d(y, p).tolist())}
        w = kw.pop("sample_weight", None)
        got = _jitted(name, tuple(sorted(kw.items(), key=str)))(y, p, w)
        np.testing.assert_allclose(np.asarray(got, np.float64), want, rtol=1e-6, equal_nan=True,
                                   err_msg=f"{name} {kw} jit")


@functools.cache
def _jitted(name, items):
    kw = dict(items)
    return jax.jit(lambda y, p, w: getattr(sk, name)(y, p, sample_weight=w, **kw))


@pytest.mark.parametrize("kind", list(TARGETS))
@pytest.mark.parametrize("name", ["precision_score", "recall_score", "f1_score", "jaccard_score"])
def test_prf_and_jaccard_every_average(name, kind):
    y, p = TARGETS[kind]
    for average in AVERAGES[kind]:
        for zero_division in ("warn", 1.0) + ((np.nan,) if name != "jaccard_score" else ()):
            check(name, y, p, average=average, zero_division=zero_division)
        check(name, y, p, jit_labels=average == "macro", average=average, sample_weight=W)


@pytest.mark.parametrize("beta", [0.0, 0.5, 2.0, np.inf])
@pytest.mark.filterwarnings("ignore:Precision is ill-defined:UserWarning")  # both warn alike
def test_fbeta_and_support(beta):
    check("fbeta_score", YM, PM, beta=beta, average="macro")
    got = sk.precision_recall_fscore_support(YM, PM, beta=beta, sample_weight=W)
    want = skm.precision_recall_fscore_support(YM, PM, beta=beta, sample_weight=W, zero_division=0.0)
    for g, w in zip(got, want, strict=True):
        np.testing.assert_allclose(np.asarray(g, np.float64), w, rtol=1e-6)


def test_zero_division_warns_like_sklearn():
    """The whole warning text is scikit-learn 1.9.1's (its tests compare it with ``==``)."""
    with pytest.warns(sklearn.exceptions.UndefinedMetricWarning) as want:
        skm.precision_score([1, 1], [0, 0])
    with pytest.warns(UndefinedMetricWarning) as got:
        assert float(sk.precision_score([1, 1], [0, 0])) == 0.0
    assert [str(r.message) for r in got] == [str(r.message) for r in want]
    assert float(sk.precision_score([1, 1], [0, 0], zero_division=1.0)) == 1.0


@pytest.mark.parametrize("kind", ["binary", "multiclass"])
@pytest.mark.parametrize("weighted", [False, True])
def test_confusion_family(kind, weighted):
    y, p = TARGETS[kind]
    w = W if weighted else None
    for normalize in (None, "true", "pred", "all"):
        check("confusion_matrix", y, p, sample_weight=w, normalize=normalize)
    check("multilabel_confusion_matrix", y, p, sample_weight=w)
    check("accuracy_score", y, p, sample_weight=w)
    check("accuracy_score", y, p, sample_weight=w, normalize=False)
    check("balanced_accuracy_score", y, p, sample_weight=w)
    check("balanced_accuracy_score", y, p, sample_weight=w, adjusted=True)
    check("matthews_corrcoef", y, p, sample_weight=w)
    for weights in (None, "linear", "quadratic"):
        check("cohen_kappa_score", y, p, sample_weight=w, weights=weights)
    check("hamming_loss", y, p, sample_weight=w)


def test_multilabel_and_label_subsets():
    for w in (None, W):
        check("accuracy_score", YL, PL, sample_weight=w)
        check("hamming_loss", YL, PL, sample_weight=w)
        check("multilabel_confusion_matrix", YL, PL, sample_weight=w)
        check("multilabel_confusion_matrix", YL, PL, sample_weight=w, samplewise=True)
    check("confusion_matrix", YM, PM, labels=[3, 1])  # subset and order of labels
    check("cohen_kappa_score", YM, PM, labels=[0, 1, 2, 3, 4])  # a label nobody uses


def test_jit_with_static_labels():
    labs = (0, 1, 2, 3)
    f = jax.jit(lambda a, b, w: (sk.accuracy_score(a, b, sample_weight=w),
                                 sk.confusion_matrix(a, b, labels=labs, sample_weight=w),
                                 sk.cohen_kappa_score(a, b, labels=labs, weights="quadratic", sample_weight=w),
                                 sk.hamming_loss(a, b, sample_weight=w),
                                 sk.multilabel_confusion_matrix(a, b, labels=labs, sample_weight=w)))
    for w in (None, W):
        got = f(YM, PM, w)
        want = (skm.accuracy_score(YM, PM, sample_weight=w), skm.confusion_matrix(YM, PM, labels=labs, sample_weight=w),
                skm.cohen_kappa_score(YM, PM, labels=labs, weights="quadratic", sample_weight=w),
                skm.hamming_loss(YM, PM, sample_weight=w),
                skm.multilabel_confusion_matrix(YM, PM, labels=labs, sample_weight=w))
        for g, v in zip(got, want, strict=True):
            np.testing.assert_allclose(np.asarray(g, np.float64), v, rtol=1e-5, atol=1e-6)  # kappa cancels in f32
    with pytest.raises(ValueError, match="confusion_matrix: labels must be given inside jit"):
        jax.jit(sk.confusion_matrix)(YM, PM)


def test_degenerate_values_follow_sklearn():
    z = np.zeros(5, int)
    check("matthews_corrcoef", z, z)  # 0.0
    check("cohen_kappa_score", z, z)  # NaN (undefined), with a warning
    with pytest.raises(ValueError, match="f1_score: Target is multiclass but average='binary'"):
        sk.f1_score(YM, PM)
    with pytest.raises(ValueError, match=r"pos_label=7 is not a valid label"):
        sk.precision_score(YB, PB, pos_label=7)
    with pytest.raises(ValueError, match=r"average must be one of"):
        sk.recall_score(YB, PB, average="mean")


@given(st.integers(0, 10_000))
def test_weight_zero_equals_removing_rows_and_order_invariance(seed):
    r = np.random.default_rng(seed)
    y, p, w = r.integers(0, 3, 20), r.integers(0, 3, 20), r.uniform(0.5, 2, 20)
    drop = r.random(20) < 0.3
    w0 = np.where(drop, 0.0, w)
    perm = r.permutation(20)
    for name, kw in (("f1_score", {"average": "macro", "labels": [0, 1, 2]}), ("cohen_kappa_score", {"labels": [0, 1, 2]}),
                     ("matthews_corrcoef", {}), ("accuracy_score", {})):
        fn = getattr(sk, name)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            a = fn(y, p, sample_weight=w0, **kw)
            b = fn(y[~drop], p[~drop], sample_weight=w[~drop], **kw)
            c = fn(y[perm], p[perm], sample_weight=w0[perm], **kw)
        np.testing.assert_allclose([float(a), float(c)], [float(b), float(b)], rtol=1e-6, equal_nan=True)


@pytest.mark.parametrize("name", ["precision_score", "recall_score", "f1_score",
                                  "precision_recall_fscore_support"])
def test_errors_name_the_function_called(name):
    with pytest.raises(ValueError, match=f"^{name}: average must be one of"):
        getattr(sk, name)([0, 1, 1], [0, 1, 0], average="bogus")
    with pytest.raises(ValueError, match=f"^{name}: Found input variables with inconsistent numbers of samples: \\[3, 2\\]"):
        getattr(sk, name)([0, 1, 1], [0, 1])


def test_counts_have_sklearn_dtype_and_bits():
    """Unweighted 1-D targets with no row right: scikit-learn's per-label counts are float64 (its
    empty-bincount case), so is the support; weighted counts are summed in row order (its bincount),
    so the sums agree to the last bit (the classification report prints them whole)."""
    y, p = np.array([1, 1, 0, 2]), np.array([0, 2, 1, 1])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for kw in ({}, {"labels": [0, 1]}):
            for name in ("multilabel_confusion_matrix", "precision_recall_fscore_support"):
                want, got = getattr(skm, name)(y, p, **kw), getattr(sk, name)(y, p, **kw)
                want, got = (want[3], got[3]) if isinstance(want, tuple) else (want, got)
                assert got.dtype == want.dtype == np.float64, name
                np.testing.assert_array_equal(got, want)
        assert sk.multilabel_confusion_matrix(YM, PM).dtype == np.int64  # rows right: int64 stays
        for y, p in ((YM, PM), (YL, PL)):
            want = skm.precision_recall_fscore_support(y, p, sample_weight=W)
            got = sk.precision_recall_fscore_support(y, p, sample_weight=W)
            np.testing.assert_array_equal(got[3], want[3])
            np.testing.assert_array_equal(sk.multilabel_confusion_matrix(y, p, sample_weight=W),
                                          skm.multilabel_confusion_matrix(y, p, sample_weight=W))
