"""jmetrics.sk's shared input checks and label encoding (sk/_common.py) against scikit-learn 1.9.1:
the same inputs are refused with the same exception class (and warned with the same warning class),
labels of any type give scikit-learn's values, host results have scikit-learn's types, and under
``jit`` bad labels give NaN."""

from __future__ import annotations

import functools
import warnings

import jax
import numpy as np
import pytest
import scipy.sparse as sp
import sklearn.metrics as skm
from sklearn.exceptions import UndefinedMetricWarning as SkUndefined

import jmetrics.sk as sk
from jmetrics.adapter._table import SK_ENTRIES
from jmetrics.sk import UndefinedMetricWarning

NAN, INF = float("nan"), float("inf")
# The registry's functions of labels on both sides (with their options), and of reals.
LABEL_FUNCS = {s.fn.__name__: dict(s.options) for s in SK_ENTRIES if s.kind == "sklabels"}
REGRESSION_FUNCS = [s.fn.__name__ for s in SK_ENTRIES if s.kind == "skregression"]


def both(name, *args, **kw):
    """(scikit-learn's outcome, jmetrics' outcome): a value or the exception raised."""
    res = []
    for mod in (skm, sk):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                res.append(getattr(mod, name)(*args, **kw))
        except Exception as err:  # noqa: BLE001 - the class is compared below
            res.append(err)
    return res


def same_error(name, *args, **kw):
    want, got = both(name, *args, **kw)
    assert isinstance(want, Exception), f"oracle accepted {args}"
    assert type(got) is type(want) or isinstance(got, type(want)), f"{name}: {got!r} vs {want!r}"
    assert str(got).startswith(f"{name}: "), str(got)
    return got


@pytest.mark.parametrize("name", list(LABEL_FUNCS))
@pytest.mark.parametrize("y, p", [([0, 1], [NAN, 1]), ([0, 1], [INF, 1]), ([NAN, 1, 2], [1, 2, 3]),
                                  ([0.5, 1], [0, 1]), ([[1], [2], [0, 1]], [[1], [2], [0, 1]]),
                                  ([[]], [[]]), ([], [])])
def test_bad_labels_raise_as_sklearn(name, y, p):
    same_error(name, y, p, **LABEL_FUNCS[name])


@pytest.mark.parametrize("name", list(LABEL_FUNCS) + REGRESSION_FUNCS)
@pytest.mark.parametrize("w", [[NAN, 1, 1, 1], [INF, 1, 1, 1], [1 + 2j, 1, 1, 1], [0, 0, 0, 0],
                               [[1, 1], [1, 1], [1, 1], [1, 1]], [1, 1, 1]])
def test_bad_sample_weight_raises_as_sklearn(name, w):
    y, p = [0, 1, 1, 0], [0, 1, 0, 0]
    err = same_error(name, y, p, sample_weight=np.asarray(w), **LABEL_FUNCS.get(name, {}))
    if len(w) == 3:
        assert "Found input variables with inconsistent numbers of samples: [4, 4, 3]" in str(err)


@pytest.mark.parametrize("name", REGRESSION_FUNCS)
@pytest.mark.parametrize("y, p", [([1.0, 2.0], [NAN, 1.0]), ([INF, 2.0], [1.0, 1.0]), ([], []),
                                  (np.zeros((2, 2, 2)), np.zeros((2, 2, 2)))])
def test_bad_regression_inputs_raise_as_sklearn(name, y, p):
    err = same_error(name, y, p)
    if np.size(y) and np.ndim(y) == 1:
        assert "contains" in str(err) and ("NaN" in str(err) or "infinity" in str(err))


@pytest.mark.parametrize("kw", [{"labels": [0, 3]}, {"labels": [-1]}])
def test_multilabel_labels_out_of_range_raise(kw):
    y, p = np.array([[0, 1], [1, 1]]), np.array([[0, 1], [1, 0]])
    same_error("f1_score", y, p, average=None, **kw)
    same_error("multilabel_confusion_matrix", y, p, **kw)


STR_CASES = [
    ("accuracy_score", {}), ("f1_score", {"pos_label": "spam"}), ("f1_score", {"average": None}),
    ("precision_recall_fscore_support", {"labels": ["spam", "ham", "eggs"]}),
    ("recall_score", {"average": "macro", "labels": ["spam", "nope"]}),
    ("jaccard_score", {"average": "weighted"}), ("confusion_matrix", {"labels": ["spam", "eggs", "ham"]}),
    ("confusion_matrix", {"normalize": "true"}), ("multilabel_confusion_matrix", {"labels": ["spam", "eggs"]}),
    ("matthews_corrcoef", {}), ("cohen_kappa_score", {"weights": "linear"}), ("hamming_loss", {}),
    ("balanced_accuracy_score", {}),
]


@pytest.mark.parametrize("dtype", [None, object])
@pytest.mark.parametrize("name, kw", STR_CASES)
def test_string_and_object_labels_match_sklearn(name, kw, dtype):
    r = np.random.default_rng(1)
    names = np.array(["eggs", "ham", "spam"], dtype=dtype)
    y, p = names[r.integers(0, 3, 30)], names[r.integers(0, 3, 30)]
    if kw.get("pos_label") == "spam":
        y, p = np.where(y == "ham", "eggs", y).astype(y.dtype), np.where(p == "ham", "eggs", p).astype(p.dtype)
    want, got = both(name, y, p, **kw)
    assert not isinstance(got, Exception), got
    for g, v in zip(got if isinstance(got, tuple) else (got,), want if isinstance(want, tuple) else (want,),
                    strict=True):
        assert type(g) is type(v)
        np.testing.assert_allclose(np.asarray(g, np.float64), np.asarray(v, np.float64), rtol=1e-12)


def test_mixed_string_and_number_labels_raise():
    err = same_error("accuracy_score", ["a", "b", "a"], [0, 1, 0])
    assert "Mix of label input types (string and number)" in str(err)
    same_error("f1_score", ["a", "b", "a"], ["a", "b", "b"])  # pos_label=1 is not a label
    same_error("accuracy_score", [b"a", b"b"], [b"a", b"a"])  # bytes: TypeError as scikit-learn


@pytest.mark.parametrize("name, kw", [("accuracy_score", {}), ("f1_score", {"average": "macro"}),
                                      ("f1_score", {"average": None}), ("precision_score", {"average": "samples"}),
                                      ("jaccard_score", {"average": "micro"}), ("hamming_loss", {}),
                                      ("multilabel_confusion_matrix", {})])
@pytest.mark.parametrize("fmt", [sp.csr_matrix, sp.csc_matrix, sp.coo_matrix, sp.lil_matrix])
def test_sparse_multilabel_indicators_accepted(name, kw, fmt):
    r = np.random.default_rng(2)
    y, p = r.integers(0, 2, (20, 4)), r.integers(0, 2, (20, 4))
    want, got = both(name, fmt(y), fmt(p), **kw)
    np.testing.assert_allclose(np.asarray(got, np.float64), np.asarray(want, np.float64), rtol=1e-12)


def test_unsorted_labels_follow_sklearn():
    y, p = [0, 1, 2, 2, 1], [0, 2, 2, 1, 1]
    for name, kw in (("f1_score", {"average": None}), ("confusion_matrix", {}),
                     ("multilabel_confusion_matrix", {}), ("cohen_kappa_score", {})):
        want, got = both(name, y, p, labels=[2, 0, 1], **kw)
        np.testing.assert_allclose(np.asarray(got, np.float64), np.asarray(want, np.float64), rtol=1e-12)


def _warned(name, *args, **kw):
    out = []
    for mod in (skm, sk):
        with warnings.catch_warnings(record=True) as rec:
            warnings.simplefilter("always")
            getattr(mod, name)(*args, **kw)
        out.append(sorted({("Undefined" if issubclass(w.category, (SkUndefined, UndefinedMetricWarning))
                            else w.category.__name__) for w in rec}))
    return out


@pytest.mark.parametrize("name, args, kw", [
    ("f1_score", ([0, 1, 2], [0, 2, 2]), {"average": "macro", "pos_label": 2}),
    ("confusion_matrix", ([1, 1], [1, 1]), {}),
    ("balanced_accuracy_score", ([0, 0, 1], [0, 2, 1]), {}),
    ("precision_score", ([1, 1], [0, 0]), {}),
    ("cohen_kappa_score", ([0, 0], [1, 1]), {"labels": [0, 2]}),
])
def test_warning_classes_match_sklearn(name, args, kw):
    want, got = _warned(name, *args, **kw)
    assert want and got == want


def test_host_results_have_sklearn_types():
    y, p, w = [0, 1, 1, 0, 2], [0, 1, 0, 0, 2], np.array([1, 2, 1, 1, 3])
    for name, kw in [("accuracy_score", {}), ("f1_score", {"average": "macro"}), ("f1_score", {"average": None}),
                     ("confusion_matrix", {}), ("confusion_matrix", {"sample_weight": w}),
                     ("confusion_matrix", {"sample_weight": w * 1.0}), ("multilabel_confusion_matrix", {}),
                     ("precision_recall_fscore_support", {}), ("precision_recall_fscore_support", {"sample_weight": w}),
                     ("matthews_corrcoef", {}), ("cohen_kappa_score", {}), ("r2_score", {}),
                     ("r2_score", {"multioutput": "raw_values"})]:
        want, got = both(name, y, p, **kw)
        for g, v in zip(got if isinstance(got, tuple) else (got,), want if isinstance(want, tuple) else (want,),
                        strict=True):
            assert type(g) is type(v), (name, kw, type(g), type(v))
            if isinstance(v, np.ndarray):
                assert g.dtype == v.dtype, (name, kw, g.dtype, v.dtype)
                np.testing.assert_allclose(g, v, rtol=1e-12)


def test_matthews_corrcoef_eager_edge_cases():
    for y, p, w in (([0, 1], [0, NAN], None), ([0, 1], [0, INF], None), ([], [], None), ([0, 1], [0, 1], [0, 0])):
        same_error("matthews_corrcoef", y, p, sample_weight=w)
    want, got = both("matthews_corrcoef", [1, 1, 1], [1, 1, 1])  # constant: 0.0
    assert got == want == 0.0


@functools.cache
def _jit(name, items=()):
    kw = dict(items)
    return jax.jit(lambda y, p, w: getattr(sk, name)(y, p, sample_weight=w, **kw))


@pytest.mark.parametrize("name", ["matthews_corrcoef", "balanced_accuracy_score"])
@pytest.mark.parametrize("weighted", [False, True])
def test_jit_without_labels_matches_sklearn(name, weighted):
    r = np.random.default_rng(3)
    y, p = r.integers(0, 5, 60) * 3 - 2, r.integers(0, 5, 60) * 3 - 2
    w = r.uniform(0, 2, 60) if weighted else None
    want = getattr(skm, name)(y, p, sample_weight=w)
    np.testing.assert_allclose(float(_jit(name)(y, p, w)), want, rtol=1e-5)


JIT_LABEL_CASES = [
    ("accuracy_score", ()), ("hamming_loss", ()), ("matthews_corrcoef", ()), ("balanced_accuracy_score", ()),
    ("f1_score", (("average", "macro"), ("labels", (0, 1, 2)))),
    ("precision_recall_fscore_support", (("average", None), ("labels", (0, 1, 2)))),
    ("jaccard_score", (("average", None), ("labels", (0, 1, 2)))),
    ("cohen_kappa_score", (("labels", (0, 1, 2)),)),
    ("confusion_matrix", (("labels", (0, 1, 2)), ("normalize", "true"))),
    ("confusion_matrix", (("labels", (0, 1, 2)),)),
    ("multilabel_confusion_matrix", (("labels", (0, 1, 2)),)),
]


@pytest.mark.parametrize("name, items", JIT_LABEL_CASES)
@pytest.mark.parametrize("bad", ["y_nan", "p_inf", "w_nan", "y_fractional", "p_fractional", "w_zero"])
def test_jit_bad_labels_or_weights_give_nan(name, items, bad):
    """Where scikit-learn refuses the values, the whole jitted result is NaN (the support and the
    confusion counts too: they are float inside jit)."""
    y, p, w = np.array([0.0, 1, 2, 1]), np.array([0.0, 2, 2, 1]), None
    if bad == "y_nan":
        y[1] = NAN
    elif bad == "p_inf":
        p[1] = INF
    elif bad == "y_fractional":
        y[1] = 1.5
    elif bad == "p_fractional":
        p[1] = 0.5
    else:
        w = np.array([1.0, NAN, 1, 1]) if bad == "w_nan" else np.zeros(4)
    same_error(name, y, p, sample_weight=w, **dict(items))  # the host path refuses them
    assert np.isnan(np.asarray(_jit(name, items)(y, p, w))).all()


@pytest.mark.parametrize("name, items", JIT_LABEL_CASES)
@pytest.mark.parametrize("weighted", [False, True])
def test_jit_clean_labels_match_sklearn(name, items, weighted):
    """Clean labels under jit: sklearn's values; the confusion counts as floats of the same value."""
    y, p = np.array([0, 1, 2, 1, 0, 2]), np.array([0, 2, 2, 1, 1, 2])
    w = np.array([1.0, 2, 0.5, 1, 0, 3]) if weighted else None
    want = getattr(skm, name)(y, p, sample_weight=w, **dict(items))
    got = _jit(name, items)(y, p, w)
    np.testing.assert_allclose(np.asarray(got, np.float64), np.asarray(want, np.float64), rtol=1e-6)
    if name.endswith("confusion_matrix"):
        assert np.asarray(got).dtype.kind == "f"


@pytest.mark.parametrize("name, items", JIT_LABEL_CASES)
def test_jit_empty_targets_raise_at_trace_time(name, items):
    """No rows is a shape: scikit-learn's error at trace time, naming the arguments."""
    want, _ = both(name, np.zeros(0), np.zeros(0), **dict(items))
    names = "y1 and y2" if name == "cohen_kappa_score" else "y_true and y_pred"
    with pytest.raises(ValueError, match=f"^{name}: ") as got:
        _jit(name, items)(np.zeros(0), np.zeros(0), None)
    assert type(want) is ValueError and str(want) in str(got.value) and names in str(got.value)


BINARY_AVERAGE = ["precision_score", "recall_score", "f1_score", "jaccard_score",
                  "precision_recall_fscore_support"]


@pytest.mark.parametrize("name", BINARY_AVERAGE)
@pytest.mark.parametrize("y, p", [([0, 1, 2, 1], [0, 1, 1, 1]), ([0, 1, 1, 0], [0, -1, 1, 0]),
                                  ([0, 2, 2, 0], [0, 2, 0, 0])])
def test_binary_average_refuses_other_labels(name, y, p):
    """average='binary' with three labels, or two of which none is pos_label: scikit-learn's error
    eagerly (naming y_true and the labels), NaN under jit."""
    y, p = np.asarray(y, float), np.asarray(p, float)
    kw = {"average": "binary"} if name == "precision_recall_fscore_support" else {}
    err = same_error(name, y, p, **kw)
    if len(np.union1d(y, p)) > 2:
        assert "y_true and y_pred hold 3 labels: [" in str(err)
    got = _jit(name, tuple(kw.items()))(y, p, None)
    assert np.isnan(np.asarray([np.nan if v is None else v for v in np.atleast_1d(got)], float)).all()


@pytest.mark.parametrize("name", BINARY_AVERAGE)
@pytest.mark.parametrize("y, p", [([0, 1, 1, 0], [0, 1, 0, 0]), ([-1, 1, 1, -1], [1, 1, -1, -1]),
                                  ([1, 1, 1, 1], [1, 1, 1, 1])])
def test_binary_average_jit_matches_sklearn(name, y, p):
    y, p = np.asarray(y, float), np.asarray(p, float)
    kw = {"average": "binary"} if name == "precision_recall_fscore_support" else {}
    want, _ = both(name, y, p, **kw)
    got = _jit(name, tuple(kw.items()))(y, p, None)
    for g, v in zip(np.atleast_1d(got), np.atleast_1d(want), strict=True):
        assert (g is None) == (v is None)
        if v is not None:
            np.testing.assert_allclose(float(g), v, rtol=1e-6)


@pytest.mark.parametrize("y1, y2, arg", [([0, NAN, 1], [0, 1, 1], "y1"), ([0, 1, 1], [0, 1, INF], "y2"),
                                         ([0, 0.5, 1], [0, 1, 1], "y1"), ([0, 1, 1], [0, 1, 1.5], "y2")])
def test_cohen_kappa_messages_name_y1_and_y2(y1, y2, arg):
    """scikit-learn's error class and words (its own tests match "Input y_true contains NaN"),
    naming cohen_kappa_score's arguments y1 and y2."""
    want, got = both("cohen_kappa_score", np.asarray(y1), np.asarray(y2))
    same_error("cohen_kappa_score", np.asarray(y1), np.asarray(y2))
    words = str(want).split(" for dtype")[0].rstrip(".")
    assert words in str(got) and f"{arg} " in str(got)


@pytest.mark.parametrize("name", list(LABEL_FUNCS))
def test_type_mix_message_names_the_arguments(name):
    """scikit-learn's words, then which argument holds which target type."""
    want, got = both(name, np.array([0, 0.5, 1]), np.array([0, 1, 1]), **LABEL_FUNCS[name])
    assert str(want) in str(got)
    first = "y1" if name == "cohen_kappa_score" else "y_true"
    assert f"({first} is continuous," in str(got)


def test_top_k_continuous_names_y_true():
    err = same_error("top_k_accuracy_score", np.array([0, 1.5, 2]), np.eye(3))
    assert "y_true" in str(err)


@pytest.mark.parametrize("w", [None, np.zeros(3)])
def test_d2_absolute_error_score_names_itself(w):
    y, p = np.array([1.0, 2, NAN]), np.array([1.0, 2, 3])
    same_error("d2_absolute_error_score", y if w is None else np.array([1.0, 2, 3]), p, sample_weight=w)
    with pytest.raises(TypeError, match="^d2_absolute_error_score: .*cannot be traced"):
        jax.jit(sk.d2_absolute_error_score)(p, p)
