"""jmetrics.sk log_loss, brier_score_loss, top_k_accuracy_score against scikit-learn 1.9.1."""

from __future__ import annotations

import re
import warnings

import jax
import numpy as np
import pytest
import sklearn.metrics as skm
from hypothesis import given
from hypothesis import strategies as st

import jmetrics.sk as sk

R = np.random.default_rng(0)
N, C = 30, 4
Y = R.integers(0, C, N)
P = R.dirichlet(np.ones(C), N)
P[0], Y[0] = [1, 0, 0, 0], 2  # probability 0 on the true class: clipped at eps
YB, PB = R.integers(0, 2, N), R.random(N)
PB[0], YB[0] = 0.0, 1
W = R.uniform(0, 2, N)


def check(name, *args, rtol=1e-6, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = getattr(skm, name)(*args, **kw)
        got = getattr(sk, name)(*args, **kw)
    np.testing.assert_allclose(np.asarray(got, np.float64), want, rtol=rtol, err_msg=f"{name} {kw}")


@pytest.mark.parametrize("w", [None, W], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("normalize", [True, False])
def test_log_loss(w, normalize):
    check("log_loss", Y, P, sample_weight=w, normalize=normalize)
    check("log_loss", Y, P.astype(np.float32), sample_weight=w, normalize=normalize)  # float32 eps
    check("log_loss", YB, PB, sample_weight=w, normalize=normalize)
    check("log_loss", YB * 2 + 3, PB, sample_weight=w, normalize=normalize)  # larger label is positive
    check("log_loss", np.where(Y == 3, 0, Y), P, labels=[0, 1, 2, 3], sample_weight=w, normalize=normalize)


@pytest.mark.parametrize("w", [None, W], ids=["unweighted", "weighted"])
def test_brier(w):
    check("brier_score_loss", Y, P, sample_weight=w)
    check("brier_score_loss", YB, PB, sample_weight=w)
    check("brier_score_loss", YB + 3, PB, sample_weight=w, pos_label=3)
    for scale_by_half in (True, False):
        check("brier_score_loss", Y, P, sample_weight=w, scale_by_half=scale_by_half)


@pytest.mark.parametrize("w", [None, W], ids=["unweighted", "weighted"])
def test_d2_log_loss_and_brier(w):
    for name in ("d2_log_loss_score", "d2_brier_score"):
        check(name, Y, P, sample_weight=w)
        check(name, YB, PB, sample_weight=w)
    f = jax.jit(lambda a, b, c: (sk.d2_log_loss_score(a, b, sample_weight=c), sk.d2_brier_score(a, b, sample_weight=c)))
    p32 = P.astype(np.float32)
    want = (skm.d2_log_loss_score(Y, p32, sample_weight=w), skm.d2_brier_score(Y, p32, sample_weight=w))
    np.testing.assert_allclose(np.asarray(f(Y, p32, w), np.float64), want, rtol=1e-5)
    with pytest.warns(UserWarning, match="d2_brier_score: D\\^2 score is not well-defined"):
        assert np.isnan(float(sk.d2_brier_score([1], [0.5])))


@pytest.mark.parametrize("k", [1, 2, 3])
@pytest.mark.parametrize("w", [None, W], ids=["unweighted", "weighted"])
def test_top_k_with_ties(k, w):
    tied = np.round(P, 1)  # many equal scores: sklearn's tie order must be reproduced
    for normalize in (True, False):
        check("top_k_accuracy_score", Y, tied, k=k, sample_weight=w, normalize=normalize)
        check("top_k_accuracy_score", YB, PB, k=k, sample_weight=w, normalize=normalize)
        check("top_k_accuracy_score", YB, PB - 0.3, k=k, sample_weight=w, normalize=normalize)  # decision values
    check("top_k_accuracy_score", np.where(Y == 3, 0, Y), tied, k=k, labels=[0, 1, 2, 3])


def test_jit_paths():
    p32, t32 = P.astype(np.float32), np.round(P, 1).astype(np.float32)
    f = jax.jit(lambda a, b, c, t: (sk.log_loss(a, b, sample_weight=c), sk.brier_score_loss(a, b, sample_weight=c),
                                    sk.top_k_accuracy_score(a, t, k=2, sample_weight=c)))
    for w in (None, W):
        got = f(Y, p32, w, t32)
        want = (skm.log_loss(Y, p32, sample_weight=w), skm.brier_score_loss(Y, p32, sample_weight=w),
                skm.top_k_accuracy_score(Y, t32, k=2, sample_weight=w))
        np.testing.assert_allclose(np.asarray(got, np.float64), want, rtol=1e-5)


def test_errors_follow_sklearn():
    with pytest.raises(ValueError, match="log_loss: y_true contains only one label"):
        sk.log_loss([1, 1], [[0.2, 0.8], [0.3, 0.7]])
    with pytest.raises(ValueError, match="y_prob contains values greater than 1: 1.5"):
        skm.brier_score_loss([0, 1], [0.2, 1.5])
    with pytest.raises(ValueError, match="brier_score_loss: y_prob contains values greater than 1: 1.5"):
        sk.brier_score_loss([0, 1], [0.2, 1.5])
    # labels {1, 2} without pos_label: scikit-learn 1.9.1 takes the larger label as positive
    np.testing.assert_allclose(float(sk.brier_score_loss([1, 2], [0.2, 0.5])),
                               skm.brier_score_loss([1, 2], [0.2, 0.5]), rtol=1e-6)
    msg = r"Number of classes in 'y_true' \(3\) not equal to the number of classes in 'y_score' \(4\)"
    with pytest.raises(ValueError, match=msg):
        skm.top_k_accuracy_score(np.where(Y == 3, 0, Y), P)
    with pytest.raises(ValueError, match=f"top_k_accuracy_score: {msg}"):
        sk.top_k_accuracy_score(np.where(Y == 3, 0, Y), P)
    with pytest.warns(UserWarning, match="do not sum to one"):
        sk.log_loss(Y, P * 0.5)


@given(st.integers(0, 10_000))
def test_weight_zero_equals_removing_rows(seed):
    r = np.random.default_rng(seed)
    y, p, w = r.integers(0, 3, 15), r.dirichlet(np.ones(3), 15), r.uniform(0.5, 2, 15)
    y[:3] = [0, 1, 2]
    drop = r.random(15) < 0.3
    drop[:3] = False
    for name in ("log_loss", "brier_score_loss", "top_k_accuracy_score"):
        fn = getattr(sk, name)
        np.testing.assert_allclose(float(fn(y, p, sample_weight=np.where(drop, 0, w))),
                                   float(fn(y[~drop], p[~drop], sample_weight=w[~drop])), rtol=1e-6)


# -- multiclass Brier score (scikit-learn 1.7+: 2-D y_proba, labels, scale_by_half) -------------
NAMES = np.array(["eggs", "ham", "spam", "yams"])


@pytest.mark.parametrize("w", [None, W], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("scale_by_half", ["auto", True, False])
def test_multiclass_brier_labels_and_scaling(w, scale_by_half):
    absent = np.where(Y == 3, 0, Y)  # class 3 absent from y_true: labels name it
    two = P[:, :2] / P[:, :2].sum(1, keepdims=True)  # two columns: binary, halved under 'auto'
    for y, p, kw in ((Y, P, {}), (NAMES[Y], P, {}), (NAMES[Y].astype(object), P, {"labels": list(NAMES)}),
                     (absent, P, {"labels": [0, 1, 2, 3]}), (np.eye(C, dtype=int)[Y], P, {}),
                     (YB, two, {}), (NAMES[YB], two, {}), (Y, P.astype(np.float32), {}),
                     (Y, P, {"pos_label": 2})):  # pos_label is for 1-D probabilities only
        check("brier_score_loss", y, p, rtol=1e-12, sample_weight=w, scale_by_half=scale_by_half, **kw)
    if scale_by_half == "auto":
        for y, p, kw in ((Y, P, {}), (NAMES[Y], P, {"labels": list(NAMES)}), (absent, P, {"labels": [0, 1, 2, 3]}),
                         (np.eye(C, dtype=int)[Y], P, {}), (YB, two, {})):
            check("d2_brier_score", y, p, rtol=1e-12, sample_weight=w, **kw)


def test_multiclass_brier_unsorted_labels_warn_as_sklearn():
    labels = ["spam", "eggs", "yams", "ham"]  # the columns still follow the sorted order
    with pytest.warns(UserWarning, match="Labels passed were"):
        want = skm.brier_score_loss(NAMES[Y], P, labels=labels)
    with pytest.warns(UserWarning, match=r"^brier_score_loss: Labels passed were \['spam', 'eggs', 'yams', "
                                         r"'ham'\]\. But this function assumes labels are ordered"):
        got = sk.brier_score_loss(NAMES[Y], P, labels=labels)
    assert got == want
    with pytest.warns(UserWarning, match="^d2_brier_score: Labels passed were"):
        got = sk.d2_brier_score(NAMES[Y], P, labels=labels)
    with pytest.warns(UserWarning, match="Labels passed were"):
        assert got == skm.d2_brier_score(NAMES[Y], P, labels=labels)


@pytest.mark.parametrize(("y", "p", "kw", "match"), [
    (np.zeros(N, int), P, {}, "y_true contains only one label (0)"),
    (np.where(Y == 3, 0, Y), P, {}, "y_true and y_prob contain different number of classes: 3 vs 4"),
    (Y, P, {"labels": [0, 1, 2, 3, 4]}, "The number of classes in labels is different from that in y_prob"),
    (Y, P, {"labels": [0, 1, 2]}, "not belonging to the passed labels"),
    (Y, P[:, :3] / P[:, :3].sum(1, keepdims=True), {}, "different number of classes: 4 vs 3"),
    (Y, P * 1.5, {}, "y_prob contains values greater than 1"),
])
def test_multiclass_brier_refuses_what_sklearn_refuses(y, p, kw, match):
    for name in ("brier_score_loss", "d2_brier_score"):
        with pytest.raises(ValueError, match=re.escape(match)):
            _quiet(getattr(skm, name), y, p, **kw)
        with pytest.raises(ValueError, match=f"^{name}: .*{re.escape(match)}"):
            _quiet(getattr(sk, name), y, p, **kw)


def _quiet(fn, *args, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kw)


@pytest.mark.parametrize("w", [None, W], ids=["unweighted", "weighted"])
def test_multiclass_brier_under_jit(w):
    """Inside jit: class indices (or values of a static ``labels`` tuple) and NaN for bad labels."""
    p32 = P.astype(np.float32)
    absent = np.where(Y == 3, 0, Y)
    for scale in ("auto", True, False):
        f = jax.jit(lambda y, p, w, s=scale: sk.brier_score_loss(y, p, sample_weight=w, scale_by_half=s))
        want = skm.brier_score_loss(Y, p32, sample_weight=w, scale_by_half=scale)
        np.testing.assert_allclose(float(f(Y, p32, w)), want, rtol=1e-5)
    f = jax.jit(lambda y, p, w: (sk.brier_score_loss(y, p, sample_weight=w, labels=(10, 11, 12, 13)),
                                 sk.d2_brier_score(y, p, sample_weight=w, labels=(10, 11, 12, 13))))
    got = f(absent + 10, p32, w)
    want = (skm.brier_score_loss(absent + 10, p32, sample_weight=w, labels=[10, 11, 12, 13]),
            skm.d2_brier_score(absent + 10, p32, sample_weight=w, labels=[10, 11, 12, 13]))
    np.testing.assert_allclose(np.asarray(got, np.float64), want, rtol=1e-5)
    bad = Y.copy()
    bad[3] = 7  # not a class: scikit-learn raises, jit gives NaN
    assert np.isnan(np.asarray(f(bad + 10, p32, w))).all()
    assert np.isnan(float(jax.jit(sk.brier_score_loss)(bad, p32)))
