"""jmetrics.sk regression scores against scikit-learn 1.9.1 (host float64; jit float32)."""

from __future__ import annotations

import warnings

import jax
import numpy as np
import pytest
import sklearn.metrics as skm
from hypothesis import given
from hypothesis import strategies as st

import jmetrics.sk as sk
from jmetrics.sk import UndefinedMetricWarning

R = np.random.default_rng(0)
Y = R.normal(size=(30, 3)) * 100 + 1000  # a large offset: naive sum-of-squares would cancel
P = Y + R.normal(size=(30, 3)) * 10
Y[:, 2], P[:, 2] = 5.0, 5.0  # a constant, perfectly predicted output (force_finite: 1.0)
W = R.uniform(0, 2, 30)
MULTI = ["raw_values", "uniform_average", "variance_weighted", np.array([1.0, 2.0, 3.0])]


def check(name, y, p, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = getattr(skm, name)(y, p, **kw)
        got = getattr(sk, name)(y, p, **kw)
    np.testing.assert_allclose(np.asarray(got, np.float64), want, rtol=1e-6, equal_nan=True, err_msg=f"{name} {kw}")
    return want


@pytest.mark.parametrize("name", ["r2_score", "explained_variance_score"])
@pytest.mark.parametrize("multioutput", MULTI, ids=str)
@pytest.mark.parametrize("force_finite", [True, False])
def test_r2_and_explained_variance(name, multioutput, force_finite):
    for w in (None, W):
        check(name, Y, P, sample_weight=w, multioutput=multioutput, force_finite=force_finite)
        check(name, Y[:, 0], P[:, 0], sample_weight=w, force_finite=force_finite)
    Pbad = P.copy()
    Pbad[0, 2] = 6.0  # constant y_true, imperfect prediction: 0.0 (force_finite) or -inf
    check(name, Y, Pbad, multioutput=multioutput, force_finite=force_finite)


@pytest.mark.parametrize("name", ["mean_pinball_loss", "d2_pinball_score"])
@pytest.mark.parametrize("alpha", [0.1, 0.5, 0.9])
def test_pinball_and_d2(name, alpha):
    for w in (None, W):
        for multioutput in ("raw_values", "uniform_average", np.array([1.0, 2.0, 3.0])):
            check(name, Y, P, sample_weight=w, alpha=alpha, multioutput=multioutput)
    # ties and zero weights in the weighted quantile
    y, p, w = np.array([1, 1, 2, 2, 3, 3.0]), np.array([1, 2, 2, 3, 3, 1.0]), np.array([1, 0, 2, 0, 1, 1.0])
    check(name, y, p, sample_weight=w, alpha=alpha)
    check(name, y, p, alpha=alpha)


def test_d2_absolute_error():
    for w in (None, W):
        check("d2_absolute_error_score", Y, P, sample_weight=w, multioutput="raw_values")


def test_jit_equals_sklearn_in_float32():
    y, p = Y.astype(np.float32), P.astype(np.float32)
    f = jax.jit(lambda a, b, w: (sk.r2_score(a, b, sample_weight=w, multioutput="raw_values"),
                                 sk.explained_variance_score(a, b, sample_weight=w),
                                 sk.mean_pinball_loss(a, b, sample_weight=w, alpha=0.3)))
    for w in (None, W):
        got = f(y, p, w)
        want = (skm.r2_score(y, p, sample_weight=w, multioutput="raw_values"),
                skm.explained_variance_score(y, p, sample_weight=w),
                skm.mean_pinball_loss(y, p, sample_weight=w, alpha=0.3))
        for g, v in zip(got, want, strict=True):
            np.testing.assert_allclose(np.asarray(g, np.float64), v, rtol=1e-5)
    with pytest.raises(TypeError, match="d2_pinball_score: needs a data-dependent quantile"):
        jax.jit(sk.d2_pinball_score)(y, p)


def test_degenerate_and_errors():
    with pytest.warns(UndefinedMetricWarning, match="r2_score: R\\^2 score is not well-defined"):
        assert np.isnan(float(sk.r2_score([1.0], [2.0])))
    with pytest.warns(UndefinedMetricWarning, match="not well-defined"):
        assert np.isnan(float(sk.d2_pinball_score([1.0], [2.0])))
    with pytest.raises(ValueError, match="r2_score: Allowed 'multioutput' string values are .+ You provided multioutput='mean'"):
        sk.r2_score(Y, P, multioutput="mean")
    with pytest.raises(ValueError, match="mean_pinball_loss: alpha must be in"):
        sk.mean_pinball_loss(Y, P, alpha=1.5)
    with pytest.raises(ValueError, match=r"r2_score: y_true and y_pred have different number of output \(3!=2\)"):
        sk.r2_score(Y, P[:, :2])


@given(st.integers(0, 10_000))
def test_weight_zero_equals_removing_rows(seed):
    r = np.random.default_rng(seed)
    y, p, w = r.normal(size=12), r.normal(size=12), r.uniform(0.5, 2, 12)
    drop = r.random(12) < 0.3
    drop[:3] = False
    for name in ("r2_score", "explained_variance_score", "mean_pinball_loss", "d2_pinball_score"):
        fn = getattr(sk, name)
        np.testing.assert_allclose(float(fn(y, p, sample_weight=np.where(drop, 0, w))),
                                   float(fn(y[~drop], p[~drop], sample_weight=w[~drop])), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("name", ["r2_score", "explained_variance_score", "mean_pinball_loss"])
@pytest.mark.parametrize("where", ["y_true", "y_pred", "sample_weight"])
@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_jit_nonfinite_input_gives_nan(name, where, value):
    """scikit-learn 1.9.1 refuses NaN and infinity in any input; under jit every output is NaN
    (an infinite prediction gave -inf for R^2 and inf for the pinball loss)."""
    y, p, w = Y[:6].copy(), P[:6].copy(), W[:6].copy()
    {"y_true": y, "y_pred": p, "sample_weight": w}[where][1] = value
    with pytest.raises(ValueError, match="Input .*contains"):
        getattr(skm, name)(y, p, sample_weight=w)  # the oracle refuses it
    with pytest.raises(ValueError, match=f"^{name}: Input {where} contains"):
        getattr(sk, name)(y, p, sample_weight=w)
    got = jax.jit(lambda a, b, c: getattr(sk, name)(a, b, sample_weight=c, multioutput="raw_values"))(y, p, w)
    assert np.isnan(np.asarray(got)).all()
