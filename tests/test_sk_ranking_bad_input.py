"""Bad input to roc_auc_score / average_precision_score: scikit-learn 1.9.1 is the oracle.

Host path: raise where scikit-learn raises (message naming the function), scikit-learn's value
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

pytestmark = pytest.mark.xdist_group("sk_ranking_jitted")  # its module-scoped fixture runs once

Y = np.array([0, 1, 0, 1, 0, 1])
S = np.array([0.1, 0.5, 0.3, 0.4, 0.9, 0.2], np.float32)
W = np.ones(6)
NAMES = ("roc_auc_score", "average_precision_score")


def _sk(name, *args, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return getattr(skm, name)(*args, **kw)


@pytest.fixture(scope="module")
def jitted():
    return {n: jax.jit(lambda y, s, w, f=getattr(sk, n): f(y, s, sample_weight=w)) for n in NAMES}


BAD = {  # what scikit-learn refuses: (y_true, y_score, sample_weight)
    "nan score": (Y, np.where(np.arange(6) == 1, np.nan, S), W),
    "inf score": (Y, np.where(np.arange(6) == 1, np.inf, S), W),
    "nan label": (np.where(np.arange(6) == 1, np.nan, Y), S, W),
    "label 2 (three classes, 1-D scores)": (np.array([0, 2, 0, 1, 0, 1]), S, W),
    "continuous labels": (np.array([0, 1, 0, 1, 0, 1.5]), S, W),
    "nan weight": (Y, S, np.where(np.arange(6) == 2, np.nan, W)),
    "inf weight": (Y, S, np.where(np.arange(6) == 2, np.inf, W)),
}


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("case", sorted(BAD))
def test_sklearn_raises_host_raises_jit_nan(name, case, jitted):
    y, s, w = BAD[case]
    with pytest.raises(ValueError):
        _sk(name, y, s, sample_weight=w)
    with pytest.raises(ValueError, match=name):
        getattr(sk, name)(y, s, sample_weight=w)
    assert np.isnan(float(jitted[name](y.astype(np.float32), s.astype(np.float32), w)))


def test_binary_labels_outside_0_1_are_nan_under_jit(jitted):
    """Inside jit the positive label is 1: {0, 2} would silently be 'no positives' otherwise."""
    y = np.array([0, 2, 0, 2, 0, 2], np.float32)
    assert np.isnan(float(jitted["roc_auc_score"](y, S, W)))
    # sklearn's AP refuses pos_label=1 with labels {0, 2}
    with pytest.raises(ValueError, match="pos_label"):
        _sk("average_precision_score", y, S)
    assert np.isnan(float(jitted["average_precision_score"](y, S, W)))
    # {-1, 1} is a valid binary target on both paths
    ym = np.where(Y == 0, -1, 1).astype(np.float32)
    np.testing.assert_allclose(float(jitted["roc_auc_score"](ym, S, W)), skm.roc_auc_score(ym, S), rtol=1e-6)


def test_negative_weights_follow_sklearn():
    y = np.array([0, 1, 0, 1, 0])
    s = np.array([0.1, 0.5, 0.3, 0.4, 0.9])
    w_neg_negative = np.array([1, 1, -1, 1, 1.0])  # FPR goes down: sklearn's auc() raises
    with pytest.raises(ValueError, match="neither increasing nor decreasing"):
        skm.roc_auc_score(y, s, sample_weight=w_neg_negative)
    with pytest.raises(ValueError, match="roc_auc_score: the false positive rate is not monotone"):
        sk.roc_auc_score(y, s, sample_weight=w_neg_negative)
    f = jax.jit(lambda a, b, c: sk.roc_auc_score(a, b, sample_weight=c))
    assert np.isnan(float(f(y, s.astype(np.float32), w_neg_negative)))
    # where sklearn returns a value, the host path returns the same value
    cases = [(w_neg_negative, {"max_fpr": 0.5}), (np.array([1, -0.5, 1, 1, 1.0]), {}),
             (np.array([1, -3, 1, 1, 1.0]), {})]
    for w, kw in cases:
        with warnings.catch_warnings(record=True) as theirs:
            warnings.simplefilter("always")
            want = skm.roc_auc_score(y, s, sample_weight=w, **kw)
        with warnings.catch_warnings(record=True) as ours:
            warnings.simplefilter("always")
            got = float(sk.roc_auc_score(y, s, sample_weight=w, **kw))
        np.testing.assert_allclose(got, want, rtol=1e-6)
        # undefined where scikit-learn says so (w = -3 leaves no positive weight): both warn
        assert (any(r.category is SkUndefinedMetricWarning for r in theirs)
                == any(r.category is UndefinedMetricWarning for r in ours))
    # average precision never raises: precision where TP + FP != 0, sum for P != 0, clipped at 0
    g = jax.jit(lambda a, b, c: sk.average_precision_score(a, b, sample_weight=c))
    for w in (w_neg_negative, np.array([1, -3, 1, 1, 1.0]), np.array([1, -1, 1, -1, 1.0]),
              np.array([-1, 1, -1, 1, -1.0])):
        want = _sk("average_precision_score", y, s, sample_weight=w)
        np.testing.assert_allclose(float(sk.average_precision_score(y, s, sample_weight=w)), want, rtol=1e-6)
        np.testing.assert_allclose(float(g(y, s.astype(np.float32), w)), want, rtol=1e-6)


def test_multiclass_and_multilabel_bad_labels():
    p = np.array([[.2, .3, .5], [.1, .1, .8], [.3, .3, .4], [.5, .2, .3]])
    f = jax.jit(lambda a, b: sk.roc_auc_score(a, b, multi_class="ovr"))
    for y in ([0, 1, 10, 2], [0, 1, -1, 2]):
        with pytest.raises(ValueError):
            skm.roc_auc_score(y, p, multi_class="ovr")
        with pytest.raises(ValueError, match="roc_auc_score"):
            sk.roc_auc_score(y, p, multi_class="ovr")
        assert np.isnan(float(f(np.array(y), p)))
    with pytest.raises(NotImplementedError, match="average=None"):
        skm.roc_auc_score([0, 1, 2, 2], p, multi_class="ovo", average=None)
    with pytest.raises(NotImplementedError, match="roc_auc_score: average=None"):
        sk.roc_auc_score([0, 1, 2, 2], p, multi_class="ovo", average=None)
    y2 = np.array([[1, 0], [0, 2], [1, 1], [1, 0]])  # multiclass-multioutput: refused by sklearn
    s2 = np.array([[.3, .1], [.2, .5], [.5, .5], [.1, .1]])
    for name in NAMES:
        with pytest.raises(ValueError, match="multiclass-multioutput format is not supported"):
            _sk(name, y2, s2)
        with pytest.raises(ValueError, match=f"{name}: y_true: multiclass-multioutput format is not supported"):
            getattr(sk, name)(y2, s2)
        assert np.isnan(float(jax.jit(getattr(sk, name))(y2, s2)))


@pytest.mark.parametrize("average", ["macro", "samples", "micro", "weighted"])
def test_column_vectors_are_binary(average):
    """(n, 1) y_true and y_score: scikit-learn's binary target (column_or_1d), whatever ``average``."""
    y = np.array([[1], [0], [1], [1], [0]])
    s = np.array([[.3], [.2], [.5], [.1], [.4]])
    for name in NAMES:
        want = _sk(name, y, s, average=average)
        np.testing.assert_allclose(float(getattr(sk, name)(y, s, average=average)), want, rtol=1e-6)
        np.testing.assert_allclose(float(jax.jit(lambda a, b, f=getattr(sk, name): f(a, b, average=average))(y, s)),
                                   want, rtol=1e-6)


def test_shape_errors_name_the_function():
    for name in NAMES:
        with pytest.raises((ValueError, IndexError)):  # AP: IndexError inside sklearn
            _sk(name, [], [])
        with pytest.raises(ValueError, match=r"inconsistent numbers of samples: \[6, 5\]"):
            _sk(name, Y, S[:5])
        for fn in (getattr(sk, name), jax.jit(getattr(sk, name))):
            with pytest.raises(ValueError, match=rf"{name}: Found array with 0 sample\(s\)"):
                fn(np.zeros(0), np.zeros(0))
            with pytest.raises(ValueError, match=rf"{name}: Found input variables with inconsistent numbers of "
                               r"samples: \[6, 5\]"):
                fn(Y, S[:5])
            with pytest.raises(ValueError, match=rf"{name}: y_score must be 1-D or 2-D; got shape \(6, 1, 1\)"):
                fn(Y, S.reshape(6, 1, 1))


STR_Y = np.array(["no", "yes", "no", "yes", "no", "yes"])
P3 = np.array([[.2, .3, .5], [.1, .6, .3], [.3, .3, .4], [.5, .2, .3], [.6, .2, .2], [.1, .1, .8]])
Y3 = np.array(["b", "a", "c", "c", "a", "b"])
LABEL_CASES = {  # name: (function, y_true, y_score, options): scikit-learn returns a value
    "auc binary": ("roc_auc_score", STR_Y, S, {}),
    "auc ovr": ("roc_auc_score", Y3, P3, {"multi_class": "ovr"}),
    "auc ovo labels": ("roc_auc_score", Y3, P3, {"multi_class": "ovo", "labels": ["a", "b", "c"]}),
    "auc ovr weighted": ("roc_auc_score", Y3, P3, {"multi_class": "ovr", "average": "weighted",
                                                   "sample_weight": W}),
    "ap binary": ("average_precision_score", STR_Y, S, {"pos_label": "yes"}),
    "ap multiclass": ("average_precision_score", Y3, P3, {"average": None}),
    "roc curve": ("roc_curve", STR_Y, S, {"pos_label": "no"}),
    "pr curve": ("precision_recall_curve", STR_Y, S, {"pos_label": "yes", "sample_weight": W}),
    "det curve": ("det_curve", STR_Y, S, {"pos_label": "yes"}),
    "roc curve multiclass with pos_label": ("roc_curve", Y3, S, {"pos_label": "c"}),
}


@pytest.mark.parametrize("case", sorted(LABEL_CASES))
@pytest.mark.parametrize("dtype", [str, object])
def test_string_and_object_labels_equal_sklearn(case, dtype):
    """Labels of any type on the host: sklearn 1.9.1's classes (sorted labels), pos_label by value,
    and its result types (Python float; float64 NumPy arrays)."""
    name, y, s, kw = LABEL_CASES[case]
    y = y.astype(dtype)
    want, got = _sk(name, y, s, **kw), getattr(sk, name)(y, s, **kw)
    if isinstance(want, tuple):
        for a, b in zip(got, want, strict=True):
            assert isinstance(a, np.ndarray) and a.dtype == b.dtype
            np.testing.assert_allclose(a, b, rtol=1e-12)
    else:  # a Python float (scikit-learn's one-vs-one gives np.float64, a float subclass)
        assert type(got) is (np.ndarray if isinstance(want, np.ndarray) else float)
        np.testing.assert_allclose(got, want, rtol=1e-12)


@pytest.mark.parametrize("classes", [(False, True), (0, 1), (0.0, 1.0), ("zero", "one")])
def test_pos_label_of_any_type(classes):
    y = np.array(classes)[np.array([0, 1, 1, 0, 1, 0])]
    for name in ("average_precision_score", "roc_curve", "precision_recall_curve", "det_curve"):
        want, got = _sk(name, y, S, pos_label=classes[1]), getattr(sk, name)(y, S, pos_label=classes[1])
        np.testing.assert_allclose(np.concatenate([np.ravel(g) for g in got]) if isinstance(got, tuple) else got,
                                   np.concatenate([np.ravel(w) for w in want]) if isinstance(want, tuple) else want,
                                   rtol=1e-12)


MESSAGE_CASES = {  # (function, y_true, y_score, options): scikit-learn's ValueError text is in ours
    "auc labels not unique": ("roc_auc_score", Y3, P3, {"multi_class": "ovr", "labels": ["a", "a", "b"]}),
    "auc labels not ordered": ("roc_auc_score", Y3, P3, {"multi_class": "ovo", "labels": ["a", "c", "b"]}),
    "auc labels count": ("roc_auc_score", Y3, P3, {"multi_class": "ovr", "labels": ["a", "b"]}),
    "auc label not in labels": ("roc_auc_score", np.where(Y3 == "c", "d", Y3), P3,
                                {"multi_class": "ovr", "labels": ["a", "b", "c"]}),
    "auc average samples": ("roc_auc_score", Y3, P3, {"multi_class": "ovo", "average": "samples"}),
    "auc continuous": ("roc_auc_score", np.array([0, .5, 1, 0, 1, 1]), S, {}),
    "ap pos_label not a label": ("average_precision_score", STR_Y, S, {}),
    "ap multiclass pos_label": ("average_precision_score", Y3, P3, {"pos_label": "a"}),
    "ap multiclass 1-D scores": ("average_precision_score", Y3, S, {}),
    "curve needs pos_label": ("precision_recall_curve", STR_Y, S, {}),
    "curve multiclass": ("roc_curve", Y3, S, {}),
    "det one class": ("det_curve", np.ones(6), S, {}),
}


@pytest.mark.parametrize("case", sorted(MESSAGE_CASES))
def test_messages_are_sklearns(case):
    name, y, s, kw = MESSAGE_CASES[case]
    with pytest.raises(ValueError) as want:
        _sk(name, y, s, **kw)
    with pytest.raises(ValueError, match=f"^{name}: ") as got:
        getattr(sk, name)(y, s, **kw)
    assert str(want.value) in str(got.value)


def test_host_results_are_python_floats_jit_results_jax_arrays():
    yb = Y.astype(np.float32)
    for name in NAMES:
        got = getattr(sk, name)(Y, S)
        assert type(got) is float and got == _sk(name, Y, S)
        assert isinstance(jax.jit(getattr(sk, name))(yb, S), jax.Array)
    per_class = sk.roc_auc_score(Y3, P3, multi_class="ovr", average=None)
    assert isinstance(per_class, np.ndarray) and per_class.dtype == np.float64


def test_warnings_point_at_the_callers_line():
    with pytest.warns(UndefinedMetricWarning) as rec:
        sk.roc_auc_score(np.zeros(6), S)
    assert rec[0].filename == __file__


# ---- what scikit-learn refuses in y_true: the message names the function and y_true ----------
TARGET_CASES = {  # (y_true, y_score, options): scikit-learn raises ValueError on each
    "three labels": (np.array([0, 2, 0, 1, 0, 1]), S, {}),
    "label -1 among 0/1": (np.array([0, -1, 0, 1, 0, 1]), S, {}),
    "fractional label": (np.array([0, 0.5, 0, 1, 0, 1]), S, {}),
}
TARGET_NAMES = NAMES + ("roc_curve", "precision_recall_curve", "det_curve")


@pytest.mark.parametrize("name", TARGET_NAMES)
@pytest.mark.parametrize("case", sorted(TARGET_CASES))
def test_refused_targets_name_y_true_with_sklearns_words(name, case):
    y, s, kw = TARGET_CASES[case]
    with pytest.raises(ValueError) as want:
        _sk(name, y, s, **kw)
    with pytest.raises(ValueError) as got:
        getattr(sk, name)(y, s, **kw)
    message = str(got.value)
    assert message.startswith(f"{name}: ") and "y_true" in message, message
    assert str(want.value) in message, (message, str(want.value))


@pytest.mark.parametrize("name", NAMES)
def test_all_zero_weights_are_nan_under_jit(name, jitted):
    with pytest.raises(ValueError, match="Sample weights must contain at least one non-zero number"):
        _sk(name, Y, S, sample_weight=np.zeros(6))
    with pytest.raises(ValueError, match=f"{name}: sample_weight must contain at least one non-zero"):
        getattr(sk, name)(Y, S, sample_weight=np.zeros(6))
    assert np.isnan(float(jitted[name](Y.astype(np.float32), S, np.zeros(6, np.float32))))


# ---- DCG, NDCG, LRAP, coverage error ----------------------------------------------------------
ML = ("coverage_error", "label_ranking_average_precision_score", "dcg_score", "ndcg_score")
IND = np.array([[1, 0, 0, 1], [0, 1, 0, 0], [1, 1, 0, 0], [0, 0, 1, 1]])
SC = np.array([[.1, .4, .3, .2], [.5, .2, .2, .1], [.3, .3, .6, .1], [.2, .1, .4, .9]], np.float32)


def _put(a, row, col, value):
    a = np.array(a, np.float64)
    a[row, col] = value
    return a


ML_BAD = {  # (functions, y_true, y_score): scikit-learn raises ValueError; the argument at fault
    "nan y_true": (ML, _put(IND, 1, 2, np.nan), SC, "y_true"),
    "inf y_true": (ML, _put(IND, 1, 2, np.inf), SC, "y_true"),
    "nan y_score": (ML, IND, _put(SC, 1, 2, np.nan), "y_score"),
    "-inf y_score": (ML, IND, _put(SC, 1, 2, -np.inf), "y_score"),
    "label 2": (ML[:2], _put(IND, 1, 2, 2), SC, "y_true"),
    "label -1": (ML[:2], _put(IND, 1, 2, -1), SC, "y_true"),
    "label 0.5": (ML[:2], _put(IND, 1, 2, 0.5), SC, "y_true"),
    "negative relevance": (("ndcg_score",), _put(IND, 1, 2, -1), SC, "y_true"),
}


@pytest.mark.parametrize("case", sorted(ML_BAD))
def test_multilabel_scores_refuse_what_sklearn_refuses(case):
    names, y, s, arg = ML_BAD[case]
    for name in names:
        with pytest.raises(ValueError):
            _sk(name, y, s)
        fn = getattr(sk, name)
        with pytest.raises(ValueError) as got:
            fn(y, s)
        assert str(got.value).startswith(f"{name}: ") and arg in str(got.value), str(got.value)
        assert np.isnan(float(jax.jit(fn)(y.astype(np.float32), s))), name


@pytest.mark.parametrize("name", ML)
def test_multilabel_scores_empty_and_3d_raise_naming_the_argument(name):
    fn = getattr(sk, name)
    with pytest.raises(ValueError, match=r"Found array with 0 sample\(s\)"):
        _sk(name, IND[:0], SC[:0])
    with pytest.raises(ValueError, match=r"Found array with dim 3"):
        _sk(name, IND.reshape(2, 2, 4), SC.reshape(2, 2, 4), sample_weight=np.ones((2, 2)))
    for f in (fn, jax.jit(fn)):
        with pytest.raises(ValueError, match=rf"{name}: Found array with 0 sample\(s\).*y_true"):
            f(IND[:0], SC[:0])
        with pytest.raises(ValueError, match=rf"{name}: y_true must be 1-D or 2-D; got shape \(2, 2, 4\)"):
            f(IND.reshape(2, 2, 4), SC.reshape(2, 2, 4), sample_weight=np.ones((2, 2)))


@pytest.mark.parametrize("name", ML)
def test_multilabel_scores_read_bfloat16_as_float32(name):
    s16 = jax.numpy.asarray(SC * 3, jax.numpy.bfloat16)
    want = _sk(name, IND, np.asarray(s16.astype(jax.numpy.float32)))
    np.testing.assert_allclose(getattr(sk, name)(IND, s16), want, rtol=1e-6)
    np.testing.assert_allclose(float(jax.jit(getattr(sk, name))(IND, s16)), want, rtol=1e-6)


def test_lrap_all_zero_weights_are_nan_as_sklearn():
    want = _sk("label_ranking_average_precision_score", IND, SC, sample_weight=np.zeros(4))
    assert np.isnan(want)
    for fn in (sk.label_ranking_average_precision_score,
               jax.jit(sk.label_ranking_average_precision_score)):
        assert np.isnan(float(fn(IND, SC, sample_weight=np.zeros(4))))
    for name in ("coverage_error", "dcg_score", "ndcg_score"):  # numpy's average refuses them
        with pytest.raises(ZeroDivisionError):
            _sk(name, IND, SC, sample_weight=np.zeros(4))
        with pytest.raises(ValueError, match=f"{name}: sample_weight must contain at least one non-zero"):
            getattr(sk, name)(IND, SC, sample_weight=np.zeros(4))
