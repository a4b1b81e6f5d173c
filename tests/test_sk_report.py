"""jmetrics.sk.classification_report against scikit-learn 1.9.1 (the oracle): the same text, to the
character, and the same dict (keys in order, values to the last bit), with the same warnings.

Host only (it returns text or a dict): inside ``jit`` it raises ``TypeError`` at trace time.
"""

from __future__ import annotations

import math
import warnings

import jax
import numpy as np
import pytest
import scipy.sparse as sparse
import sklearn.metrics as skm

import jmetrics
import jmetrics.sk as sk

R = np.random.default_rng(0)
N = 40
Y = R.integers(0, 4, N)
P = np.where(R.random(N) < 0.6, Y, R.integers(0, 4, N))
W = R.uniform(0, 2, N)
NAMES = np.array(["ant", "bee", "cat", "a rather long class name"])
ML_T, ML_P = R.integers(0, 2, (20, 3)), R.integers(0, 2, (20, 3))


def _run(fn, *args, **kw):
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        out = fn(*args, **kw)
    return out, [(issubclass(r.category, UserWarning), str(r.message)) for r in rec]


def _same_value(got, want, where):
    if isinstance(want, dict):
        assert isinstance(got, dict) and list(got) == list(want), (where, list(got), list(want))
        for key in want:
            _same_value(got[key], want[key], f"{where}[{key!r}]")
    elif isinstance(want, float):
        assert isinstance(got, float), (where, type(got))
        assert got == want or (math.isnan(got) and math.isnan(want)), (where, got, want)
    else:
        assert got == want, f"{where}:\n{got}\n!=\n{want}"


def same(*args, **kw):
    """The text and the dict equal scikit-learn's, and the warnings carry its messages."""
    for output_dict in (False, True):
        want, want_warns = _run(skm.classification_report, *args, output_dict=output_dict, **kw)
        got, got_warns = _run(sk.classification_report, *args, output_dict=output_dict, **kw)
        _same_value(got, want, f"output_dict={output_dict}")
        strip = [(c, m.removeprefix("classification_report: ")) for c, m in got_warns]
        assert strip == want_warns, (strip, want_warns)
    return got


def test_multiclass_text_and_dict():
    same(Y, P)
    same(NAMES[Y], NAMES[P])  # strings, a long name widens the first column
    same(NAMES[Y].astype(object), NAMES[P].astype(object))
    same(Y.astype(float), P.astype(float))  # float labels print as 0.0, 1.0, ...
    same(Y % 2, P % 2)  # binary: every class gets a line


@pytest.mark.parametrize("digits", [0, 1, 4, 15])
def test_digits(digits):
    same(Y, P, digits=digits)


def test_weighted_support_prints_as_sklearn():
    """The support column of a weighted report is the weight sum's full repr: same sum, same order."""
    same(Y, P, sample_weight=W)
    text = sk.classification_report(Y, P, sample_weight=W)
    assert text.splitlines()[2].split()[-1] == repr(float(W[Y == 0].sum()))
    same(ML_T, ML_P, sample_weight=W[:20])


@pytest.mark.parametrize("labels", [[0, 1, 5], [3, 1, 0, 2], [0, 1], [7, 8], [2]])
def test_labels_subset_superset_and_order(labels):
    same(Y, P, labels=labels)  # 'micro avg' replaces 'accuracy' unless the labels cover all present


def test_target_names():
    same(Y, P, target_names=["w", "x", "y", "z"])
    same(Y, P, labels=[0, 1], target_names=["x", "y", "z"])  # warns about the sizes, as scikit-learn
    same(Y, P, labels=[0, 1, 2], target_names=["x", "y"])
    with pytest.raises(ValueError, match="Number of classes, 4, does not match size of target_names, 3"):
        skm.classification_report(Y, P, target_names=["a", "b", "c"])
    with pytest.raises(ValueError, match="^classification_report: Number of classes, 4, does not match "
                                         "size of target_names, 3. Try specifying the labels parameter"):
        sk.classification_report(Y, P, target_names=["a", "b", "c"])


@pytest.mark.parametrize("zero_division", ["warn", 0, 1, 0.0, 1.0, np.nan])
def test_zero_division(zero_division):
    never_2 = np.where(P == 2, 0, P)  # class 2 never predicted: its precision is a zero division
    same(Y, never_2, zero_division=zero_division)
    same(Y, never_2, labels=[0, 1, 2, 3, 9], zero_division=zero_division)
    same(ML_T, ML_P, zero_division=zero_division)


def test_multilabel_dense_and_sparse():
    same(ML_T, ML_P)
    same(ML_T, ML_P, labels=[0, 2])
    same(sparse.csr_matrix(ML_T), sparse.csr_matrix(ML_P), target_names=["a", "b", "c"])


def test_one_class_and_one_sample():
    same(np.ones(5), np.ones(5))
    same([3], [3])
    same(np.ones(5, int), np.zeros(5, int))  # no row right: scikit-learn's support is float (5.0)
    same(np.array([0, 1, 2, 0]), np.array([1, 2, 0, 2]))


def test_no_label_names():
    """labels=[]: scikit-learn returns the dict of averages; its text fails on max() of no names,
    ours names the function and the argument."""
    want, _ = _run(skm.classification_report, Y, P, labels=[], output_dict=True)
    got, _ = _run(sk.classification_report, Y, P, labels=[], output_dict=True)
    _same_value(got, want, "labels=[]")
    with pytest.raises(ValueError):
        skm.classification_report(Y, P, labels=[])
    with pytest.raises(ValueError, match="^classification_report: the text report needs at least one "
                                         "label name; got labels=\\[\\]"):
        sk.classification_report(Y, P, labels=[])


@pytest.mark.parametrize(("y", "p", "kw", "match"), [
    ([], [], {}, "Found empty input array"),
    ([0, 1, np.nan], [0, 1, 1], {}, "y_true contains NaN"),
    ([0, 1, 2], [0.5, 1, 2], {}, "can't handle a mix of multiclass and continuous"),
    ([0, 1, 2], [0, 1], {}, "inconsistent numbers of samples"),
    ([0, 1], [0, 1], {"sample_weight": [0.0, 0.0]}, "sample_weight"),
    ([0, 1], [0, 1], {"digits": -1}, "digits must be an int >= 0; got -1"),
    ([0, 1], [0, 1], {"zero_division": "x"}, "zero_division must be one of"),
    (["a", "b"], [1, 2], {}, "Mix of label input types"),
])
@pytest.mark.filterwarnings("ignore:invalid value encountered in cast:RuntimeWarning")  # the oracle's
def test_bad_input_raises_as_sklearn(y, p, kw, match):
    with pytest.raises(ValueError):  # the oracle refuses it too (InvalidParameterError is one)
        skm.classification_report(y, p, **kw)
    with pytest.raises(ValueError, match="^classification_report: ") as err:
        sk.classification_report(y, p, **kw)
    assert match in str(err.value)


def test_not_traceable_and_exported():
    with pytest.raises(TypeError, match="classification_report: returns text or a dict"):
        jax.jit(sk.classification_report)(Y, P)
    assert jmetrics.classification_report is sk.classification_report
