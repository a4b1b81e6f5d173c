"""jmetrics.sk.confusion_matrix_at_thresholds against scikit-learn 1.9.1 (the oracle).

Host only (the number of thresholds depends on the values): inside ``jit`` it raises ``TypeError``
at trace time, as the curves do. Counts and thresholds must equal scikit-learn's exactly (same
values, same dtypes) on clean data, ties, weights (zero and negative too), labels of any type,
and the edge cases (one class, NaN, empty, multiclass).
"""

from __future__ import annotations

import warnings

import jax
import numpy as np
import pytest
import sklearn.metrics as skm
from hypothesis import given, settings
from hypothesis import strategies as st

import jmetrics
import jmetrics.sk as sk

R = np.random.default_rng(0)
N = 50
Y = R.integers(0, 2, N)
S = R.random(N)
TIED = np.round(S, 1).astype(np.float32)
W = R.uniform(0, 3, N)


def same(*args, exact=True, **kw):
    """scikit-learn's five arrays and ours: equal values (bit for bit unless weighted) and dtypes."""
    want = skm.confusion_matrix_at_thresholds(*args, **kw)
    got = sk.confusion_matrix_at_thresholds(*args, **kw)
    assert len(got) == 5
    for name, g, w in zip(("tns", "fps", "fns", "tps", "thresholds"), got, want, strict=True):
        assert isinstance(g, np.ndarray) and g.dtype == w.dtype, (name, g.dtype, w.dtype)
        if exact:
            np.testing.assert_array_equal(g, w, err_msg=name)
        else:
            np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-12, err_msg=name)
    return got


@pytest.mark.parametrize("scores", [S, S.astype(np.float32), TIED, (S * 5).astype(int), S > 0.5],
                         ids=["float64", "float32", "ties", "int", "bool"])
def test_counts_and_thresholds_equal_sklearn(scores):
    same(Y, scores)
    same(Y * 2 - 1, scores)  # labels {-1, 1}
    same(Y, scores, sample_weight=W, exact=False)


def test_the_docstring_example_and_the_counts_add_up():
    tns, fps, fns, tps, thr = same(np.array([0.0, 0.0, 1.0, 1.0]), np.array([0.1, 0.4, 0.35, 0.8]))
    assert tns.tolist() == [2.0, 1.0, 1.0, 0.0] and tps.tolist() == [1.0, 1.0, 2.0, 2.0]
    np.testing.assert_array_equal(tns + fps, np.full(4, 2.0))
    np.testing.assert_array_equal(fns + tps, np.full(4, 2.0))
    assert thr.tolist() == [0.8, 0.4, 0.35, 0.1]


def test_labels_of_any_type_with_pos_label():
    names = np.array(["ham", "spam"])[Y]
    same(names, S, pos_label="spam")
    same(names.astype(object), TIED, pos_label="ham", sample_weight=W, exact=False)
    same(Y + 3, S, pos_label=4)
    same(R.integers(0, 3, N), S, pos_label=2)  # multiclass with pos_label: one class against the rest


def test_weights_zero_and_negative():
    w = W.copy()
    w[::4] = 0.0  # rows of weight 0 are dropped, as scikit-learn drops them
    same(Y, TIED, sample_weight=w, exact=False)
    w[1] = -0.5
    same(Y, TIED, sample_weight=w, exact=False)
    kept = w != 0
    for a, b in zip(sk.confusion_matrix_at_thresholds(Y, TIED, sample_weight=np.where(kept, w, 0)),
                    sk.confusion_matrix_at_thresholds(Y[kept], TIED[kept], sample_weight=w[kept]),
                    strict=True):
        np.testing.assert_array_equal(a, b)


def test_one_class_is_counted_as_sklearn_does():
    same(np.ones(5, int), S[:5])
    same(np.zeros(5, int), S[:5], pos_label=0)


@given(st.integers(0, 10_000))
@settings(max_examples=25, deadline=None)
def test_random_ties_and_weights(seed):
    r = np.random.default_rng(seed)
    n = int(r.integers(1, 40))
    y = r.integers(0, 2, n)
    s = r.integers(0, 6, n).astype(np.float32) / 5
    same(y, s)
    same(y, s, sample_weight=r.uniform(0.1, 2, n), exact=False)


@pytest.mark.parametrize(("y", "s", "kw", "match"), [
    ([0, 1, 2], [0.1, 0.2, 0.3], {}, "multiclass format is not supported"),
    ([[0, 1], [1, 0]], [[0.1, 0.2], [0.3, 0.4]], {}, "multilabel-indicator format is not supported"),
    (["a", "b"], [0.0, 1.0], {}, "y_true takes value in {'a', 'b'} and pos_label is not specified"),
    ([0, 1], [np.nan, 1.0], {}, "y_score contains NaN"),
    ([0, 1], [0.2, 0.4, 0.6], {}, "inconsistent numbers of samples"),
    ([0, 1], [0.2, 0.4], {"sample_weight": [0.0, 0.0]}, "sample_weight"),
    ([], [], {}, "y_true"),
])
def test_bad_input_raises_as_sklearn(y, s, kw, match):
    with pytest.raises(ValueError):  # the oracle refuses it too
        skm.confusion_matrix_at_thresholds(y, s, **kw)
    with pytest.raises(ValueError, match="^confusion_matrix_at_thresholds: ") as err:
        sk.confusion_matrix_at_thresholds(y, s, **kw)
    assert match in str(err.value)


def test_options_by_position_warn_as_sklearn():
    with pytest.warns(FutureWarning, match="Pass pos_label=None as keyword args"):
        want = skm.confusion_matrix_at_thresholds(Y, S, None)
    with pytest.warns(FutureWarning, match="^confusion_matrix_at_thresholds: Pass pos_label=None as keyword "
                                           "args. From version 1.11 passing these") as rec:
        got = sk.confusion_matrix_at_thresholds(Y, S, None)
    assert rec[0].filename == __file__  # the warning points at the caller
    for g, w in zip(got, want, strict=True):
        np.testing.assert_array_equal(g, w)
    with pytest.warns(FutureWarning, match="Pass pos_label=1, sample_weight="):
        got = sk.confusion_matrix_at_thresholds(Y, S, 1, W)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        want = skm.confusion_matrix_at_thresholds(Y, S, pos_label=1, sample_weight=W)
    for g, w in zip(got, want, strict=True):
        np.testing.assert_allclose(g, w, rtol=1e-12)
    with pytest.raises(TypeError, match="confusion_matrix_at_thresholds: takes at most 4 arguments"):
        sk.confusion_matrix_at_thresholds(Y, S, 1, W, 5)


def test_not_traceable_and_exported():
    with pytest.raises(TypeError, match="confusion_matrix_at_thresholds: the curve's length depends"):
        jax.jit(sk.confusion_matrix_at_thresholds)(Y, S)
    assert jmetrics.confusion_matrix_at_thresholds is sk.confusion_matrix_at_thresholds


def test_the_curves_are_built_from_the_same_counts():
    """roc_curve's points are the counts' rates (with drop_intermediate=False), as in scikit-learn."""
    tns, fps, fns, tps, thr = sk.confusion_matrix_at_thresholds(Y, TIED, sample_weight=W)
    fpr, tpr, roc_thr = sk.roc_curve(Y, TIED, sample_weight=W, drop_intermediate=False)
    np.testing.assert_allclose(fpr[1:], fps / (fps[-1] + tns[-1]), rtol=1e-12)
    np.testing.assert_allclose(tpr[1:], tps / (tps[-1] + fns[-1]), rtol=1e-12)
    np.testing.assert_array_equal(roc_thr[1:], thr)
