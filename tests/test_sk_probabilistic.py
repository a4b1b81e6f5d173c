"""jmetrics.sk log_loss, brier_score_loss, top_k_accuracy_score against scikit-learn 1.9.1."""

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
