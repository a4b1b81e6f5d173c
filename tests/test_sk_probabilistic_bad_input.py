"""Bad input to log_loss, brier_score_loss, d2_*, top_k_accuracy_score: scikit-learn 1.9.1 is the oracle.

Host path: raise where scikit-learn raises (message naming the function), its value and warnings
where it returns one. Under ``jit``: NaN where scikit-learn raises; shape errors raise at trace time.
"""

from __future__ import annotations

import warnings

import jax
import numpy as np
import pytest
import sklearn.metrics as skm
from sklearn.exceptions import UndefinedMetricWarning as SkUndefinedMetricWarning

import jmetrics.sk as sk
from jmetrics.sk import UndefinedMetricWarning

YB = np.array([0, 1, 1, 0])
PB = np.array([0.1, 0.8, 0.3, 0.4])
P3 = np.array([[.2, .3, .5], [.1, .6, .3], [.3, .3, .4], [.5, .2, .3]])
Y3 = np.array([0, 1, 2, 2])


def _sk(name, *args, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return getattr(skm, name)(*args, **kw)


BAD = {  # (function, y_true, y_proba, sample_weight): scikit-learn raises ValueError on each
    "proba above 1": ("log_loss", YB, np.array([0.1, 1.2, 0.3, 0.4]), None),
    "proba below 0": ("brier_score_loss", YB, np.array([0.1, -0.2, 0.3, 0.4]), None),
    "inf proba": ("log_loss", YB, np.array([0.1, np.inf, 0.3, 0.4]), None),
    "one class without labels": ("log_loss", np.ones(4, int), PB, None),
    "one class, 2-D proba": ("log_loss", np.ones(4, int), np.stack([1 - PB, PB], 1), None),
    "label 2 in binary": ("log_loss", np.array([0, 2, 1, 0]), PB, None),
    "label 10 in multiclass": ("log_loss", np.array([0, 1, 10, 2]), P3, None),
    "label -1 in multiclass": ("log_loss", np.array([0, 1, -1, 2]), P3, None),
    "nan weight": ("log_loss", Y3, P3, np.array([1, np.nan, 1, 1])),
    "continuous labels": ("brier_score_loss", np.array([0, 1, 1.5, 0]), PB, None),
    "multioutput y_true": ("d2_brier_score", np.array([[0, 2], [1, 0], [1, 1], [0, 0]]),
                           np.array([[.3, .7], [.1, .9], [.5, .5], [.2, .2]]), None),
    "top-k: label outside classes": ("top_k_accuracy_score", np.array([0, 1, 5, 2]), P3, None),
    "top-k: 1-D scores, multiclass y_true": ("top_k_accuracy_score", Y3, PB, None),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_sklearn_raises_host_raises_jit_nan(case):
    name, y, p, w = BAD[case]
    with pytest.raises(ValueError):
        _sk(name, y, p, sample_weight=w)
    fn = getattr(sk, name)
    with pytest.raises(ValueError, match=name):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fn(y, p, sample_weight=w)
    got = jax.jit(lambda a, b, c: fn(a, b, sample_weight=c))(y, p.astype(np.float32), w)
    assert np.isnan(float(got)), case


def test_integer_predictions_use_float64_eps_as_sklearn():
    """0/1 integer predictions: sklearn reads them as float64 (eps 2.2e-16), also under jit."""
    y = np.array([0, 1, 1, 0, 1, 0, 1])
    p = np.array([0, 1, 0, 0, 0, 1, 1])
    want = skm.log_loss(y, p)
    np.testing.assert_allclose(float(sk.log_loss(y, p)), want, rtol=1e-6)
    np.testing.assert_allclose(float(jax.jit(sk.log_loss)(y, p)), want, rtol=1e-6)
    np.testing.assert_allclose(float(jax.jit(sk.log_loss)(y, p.astype(bool))), skm.log_loss(y, p.astype(bool)),
                               rtol=1e-6)
    p16 = np.stack([1 - p, p], 1).astype(np.float16)  # float16 keeps its own (large) eps
    np.testing.assert_allclose(float(sk.log_loss(y, p16)), skm.log_loss(y, p16), rtol=1e-6)


def test_y_pred_is_the_deprecated_name_of_y_proba():
    for name in ("log_loss", "d2_log_loss_score"):
        with pytest.warns(FutureWarning, match="renamed to `y_proba`"):
            want = getattr(skm, name)(Y3, y_pred=P3)
        with pytest.warns(FutureWarning, match=f"{name}: `y_pred` was renamed to `y_proba`"):
            got = getattr(sk, name)(Y3, y_pred=P3)
        np.testing.assert_allclose(float(got), want, rtol=1e-6)
        np.testing.assert_allclose(float(getattr(sk, name)(Y3, y_proba=P3)), want, rtol=1e-6)
        with pytest.raises(ValueError, match="Cannot use both"):
            getattr(skm, name)(Y3, P3, y_pred=P3)
        with pytest.raises(ValueError, match=f"{name}: Cannot use both `y_pred` and `y_proba`"):
            getattr(sk, name)(Y3, P3, y_pred=P3)
        with pytest.raises(ValueError, match=f"{name}: Cannot use both"):  # by keyword too
            getattr(sk, name)(Y3, y_proba=P3, y_pred=P3)
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # the new name warns nothing
            np.testing.assert_allclose(float(getattr(sk, name)(Y3, y_proba=P3)), want, rtol=1e-6)
        got = jax.jit(lambda y, p, f=getattr(sk, name): f(y, y_proba=p))(Y3, P3.astype(np.float32))
        np.testing.assert_allclose(float(got), want, rtol=1e-5)


@pytest.mark.parametrize("name", ["log_loss", "d2_log_loss_score"])
def test_no_probabilities_raise_the_class_sklearn_raises(name):
    with pytest.raises(Exception) as want:  # noqa: PT011 - the class is what is compared
        getattr(skm, name)(Y3)
    with pytest.raises(type(want.value), match=f"^{name}: y_proba \\(the predicted probabilities\\) must be "
                                              "given; got None."):
        getattr(sk, name)(Y3)


def test_values_where_sklearn_returns_one():
    cases = [
        ("brier_score_loss", np.array([1, 2, 2, 1]), np.array([.3, .2, .5, .1]), {}),  # larger label positive
        ("d2_brier_score", np.array([1, 2, 2, 1]), np.array([.3, .2, .5, .1]), {}),
        ("top_k_accuracy_score", np.array([[1], [0], [1], [1]]), np.array([[.3], [.2], [.5], [.1]]), {"k": 1}),
        ("top_k_accuracy_score", np.array([1, 0, 1, 1]), np.array([[.3], [.2], [.5], [.8]]), {"k": 1}),
        ("d2_brier_score", np.array([[0, 1], [1, 0], [1, 1], [0, 0]]),
         np.array([[.3, .7], [.1, .9], [.5, .5], [.2, .2]]), {}),
    ]
    for name, y, p, kw in cases:
        want = _sk(name, y, p, **kw)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            np.testing.assert_allclose(float(getattr(sk, name)(y, p, **kw)), want, rtol=1e-6, err_msg=name)
        if name != "brier_score_loss" and name != "d2_brier_score" or y.ndim == 2:  # jit: 0/1 labels only
            got = jax.jit(lambda a, b, f=getattr(sk, name), kw=kw: f(a, b, **kw))(y, p)
            np.testing.assert_allclose(float(got), want, rtol=1e-6, err_msg=f"{name} jit")


def test_warnings_as_sklearn():
    for name in ("d2_log_loss_score", "d2_brier_score"):  # < 2 samples: NaN and a warning, before any check
        for y, p in (([1], [0.3]), (np.zeros(0, int), np.zeros(0))):
            with pytest.warns(SkUndefinedMetricWarning, match="less than two samples"):
                assert np.isnan(getattr(skm, name)(y, p))
            with pytest.warns(UndefinedMetricWarning, match=f"{name}: D\\^2 score is not well-defined"):
                assert np.isnan(float(getattr(sk, name)(y, p)))
            assert np.isnan(float(jax.jit(getattr(sk, name))(np.asarray(y), np.asarray(p))))
    for y, p, k in ((Y3, P3, 3), (YB, PB, 2)):
        with pytest.warns(SkUndefinedMetricWarning, match="greater than or equal to 'n_classes'"):
            want = skm.top_k_accuracy_score(y, p, k=k)
        with pytest.warns(UndefinedMetricWarning, match="top_k_accuracy_score: 'k' .* 'n_classes'"):
            assert float(sk.top_k_accuracy_score(y, p, k=k)) == want


def test_shape_errors_name_the_function():
    for name in ("log_loss", "brier_score_loss", "d2_log_loss_score", "top_k_accuracy_score"):
        empty_ok = name == "d2_log_loss_score"  # fewer than two samples: NaN with a warning
        if empty_ok:
            assert np.isnan(_sk(name, [], []))
            assert np.isnan(float(jax.jit(getattr(sk, name))(np.zeros(0), np.zeros(0))))
        else:
            with pytest.raises(ValueError):
                _sk(name, [], [])
        with pytest.raises(ValueError, match="inconsistent numbers of samples") as want:
            _sk(name, Y3[:3], P3)
        for fn in (getattr(sk, name), jax.jit(getattr(sk, name))):
            if not empty_ok:
                with pytest.raises(ValueError, match=rf"{name}: Found array with 0 sample\(s\)"):
                    fn(np.zeros(0), np.zeros(0))
            with pytest.raises(ValueError, match=f"{name}: ") as got:
                fn(Y3[:3], P3)
            assert str(want.value) in str(got.value)  # the same lengths in scikit-learn's order
            with pytest.raises(ValueError, match=rf"{name}: y_\w+ must be 1-D or 2-D; got shape \(4, 3, 1\)"):
                fn(Y3, P3[:, :, None])


YS = np.array(["ham", "spam", "spam", "ham", "eggs", "ham"])
PS3 = np.array([[.2, .3, .5], [.1, .6, .3], [.3, .3, .4], [.5, .2, .3], [.6, .2, .2], [.1, .1, .8]])
PS = np.array([0.1, 0.8, 0.3, 0.4, 0.9, 0.2])
WS = np.array([1, 2, 1, 3, 1, 1.0])
LABEL_CASES = {  # (function, y_true, y_proba, options): scikit-learn 1.9.1 returns a value
    "log_loss multiclass": ("log_loss", YS, PS3, {"sample_weight": WS}),
    "log_loss binary 1-D": ("log_loss", np.where(YS == "eggs", "ham", YS), PS, {}),
    "log_loss labels": ("log_loss", YS, np.c_[PS3, np.zeros(6)] / 1, {"labels": ["eggs", "ham", "spam", "z"]}),
    "brier multiclass": ("brier_score_loss", YS, PS3, {}),
    "brier pos_label": ("brier_score_loss", np.where(YS == "eggs", "ham", YS), PS, {"pos_label": "ham"}),
    "d2 log loss": ("d2_log_loss_score", YS, PS3, {"sample_weight": WS}),
    "d2 brier": ("d2_brier_score", np.where(YS == "eggs", "ham", YS), PS, {"pos_label": "spam"}),
    "top-k": ("top_k_accuracy_score", YS, PS3, {"k": 1}),
    "top-k labels": ("top_k_accuracy_score", YS, np.c_[PS3, np.zeros(6)], {"labels": ["a", "eggs", "ham", "spam"]}),
}


@pytest.mark.parametrize("case", sorted(LABEL_CASES))
@pytest.mark.parametrize("dtype", [str, object])
def test_string_and_object_labels_equal_sklearn(case, dtype):
    """Labels of any type on the host: LabelBinarizer's sorted classes, pos_label by value, a float."""
    name, y, p, kw = LABEL_CASES[case]
    y = y.astype(dtype)
    want, got = _sk(name, y, p, **kw), getattr(sk, name)(y, p, **kw)
    assert type(got) is float
    np.testing.assert_allclose(got, want, rtol=1e-12)


@pytest.mark.parametrize("name", ["log_loss", "brier_score_loss", "d2_log_loss_score", "d2_brier_score"])
def test_unsorted_labels_warn_and_order_the_columns_as_sklearn(name):
    """Columns follow the sorted labels (scikit-learn warns when ``labels`` are not sorted), so the
    order in which ``labels`` are given does not change the value."""
    y, p = np.array([2, 0, 2, 0, 1]), np.array([[.6, .1, .3], [.2, .2, .6], [.5, .4, .1], [.3, .3, .4], [.1, .8, .1]])
    with pytest.warns(UserWarning, match=r"Labels passed were \[2, 0, 1\]") as want_rec:
        want = getattr(skm, name)(y, p, labels=[2, 0, 1])
    with pytest.warns(UserWarning, match=rf"{name}: Labels passed were \[2, 0, 1\]") as got_rec:
        got = getattr(sk, name)(y, p, labels=[2, 0, 1])
    assert str(want_rec[0].message) in str(got_rec[0].message)
    assert got_rec[0].filename == __file__
    np.testing.assert_allclose(got, want, rtol=1e-12)
    np.testing.assert_allclose(got, getattr(sk, name)(y, p, labels=[0, 1, 2]), rtol=1e-12)
    traced = jax.jit(lambda a, b: getattr(sk, name)(a, b, labels=(2, 0, 1)))(y, p)
    np.testing.assert_allclose(float(traced), want, rtol=1e-5)


MESSAGE_CASES = {  # (function, y_true, y_proba, options): scikit-learn's ValueError text is in ours
    "only one label": ("log_loss", np.array(["a", "a"]), np.array([[.2, .8], [.3, .7]]), {}),
    "labels need two": ("d2_log_loss_score", np.array([1, 1, 1]), np.full((3, 2), .5), {"labels": [1]}),
    "label not in labels": ("log_loss", ["a", "b", "c"], np.eye(3), {"labels": ["a", "c", "d"]}),
    "classes vs columns": ("brier_score_loss", np.array([0, 1, 2]), np.eye(3)[:, :2], {}),
    "labels vs columns": ("log_loss", np.array([0, 1, 2]), np.full((3, 2), .5), {"labels": [0, 1, 2]}),
    "multiclass y, 1-D proba": ("brier_score_loss", np.array([0, 1, 2, 0]), np.full(4, .5), {}),
    "strings need pos_label": ("d2_brier_score", np.array(["y", "n", "y", "n"]), np.full(4, .5), {}),
    "proba above 1": ("d2_brier_score", np.array([0, 1, 0, 1]), np.array([1.8, .6, .4, .2]), {}),
    "proba below 0": ("brier_score_loss", np.array([0, 1, 0, 1]), np.array([-.8, .6, .4, .2]), {}),
    "proba above 1, 2-D": ("log_loss", np.array([0, 1]), np.array([[.5, 1.5], [.5, .5]]), {}),
    "multioutput": ("d2_brier_score", np.array([[1, 0, 1, 0], [2, 3, 3, 2]]), np.full((2, 4), .25), {}),
    "top-k continuous": ("top_k_accuracy_score", np.array([0, .57, 1, 2]), np.full((4, 3), 1 / 3), {}),
    "top-k labels not unique": ("top_k_accuracy_score", np.array(["c", "a", "b"]), np.eye(3),
                                {"labels": ["a", "b", "c", "c"]}),
    "top-k binary, 3 columns": ("top_k_accuracy_score", np.array([0, 1]), np.full((2, 3), 1 / 3), {}),
}


@pytest.mark.parametrize("case", sorted(MESSAGE_CASES))
def test_messages_are_sklearns(case):
    name, y, p, kw = MESSAGE_CASES[case]
    with pytest.raises(ValueError) as want:
        _sk(name, y, p, **kw)
    with pytest.raises(ValueError, match=f"^{name}: ") as got:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            getattr(sk, name)(y, p, **kw)
    assert str(want.value) in str(got.value)
