"""Bad input in the curve, confusion, IoU, F-score, calibration and ranking metrics.

The rule (``jmetrics/metrics/_validate.py``; docs/keras-compat.md, "Curves and confusion metrics:
bad input"): eagerly a ``ValueError`` naming the metric, the argument and the offending values;
under ``jit`` the result is NaN, and stays NaN through ``merge`` and ``all_reduce``; an entry of
weight 0 is never bad. Oracles: scikit-learn 1.9.1 refuses the same inputs (where it checks them);
Keras 3.15.1 for what stays accepted (infinite scores, any nonzero finite label positive in the
Keras classes); scikit-learn for the values of clean and infinite-score input.
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import keras
import numpy as np
import pytest
from sklearn.metrics import average_precision_score, ndcg_score, roc_auc_score

import jmetrics.metrics as jm
from jmetrics.metrics._eager import _jit_compute, _jit_update
from tests.helpers import keras_result

NAN, INF = np.nan, np.inf
T = np.array([0, 0, 1, 1, 0, 1], np.float32)
P = np.array([0.1, 0.4, 0.35, 0.8, 0.6, 0.7], np.float32)
W = np.ones(6, np.float32)


def _set(a, i, v):
    a = np.array(a, np.float32)
    a[i] = v
    return a


# Bad variants shared by every binary-input metric: (argument, y_true, y_pred, sample_weight).
BINARY_BAD = {
    "label NaN": ("y_true", _set(T, 1, NAN), P, W),
    "label inf": ("y_true", _set(T, 2, INF), P, W),
    "score NaN": ("y_pred", T, _set(P, 3, NAN), W),
    "weight NaN": ("sample_weight", T, P, _set(W, 0, NAN)),
    "weight inf": ("sample_weight", T, P, _set(W, 0, INF)),
    "weight -1": ("sample_weight", T, P, _set(W, 4, -1.0)),
}
# Keras' threshold-count classes sum a negative weight as given, as Keras 3 does.
KERAS_BAD = {k: v for k, v in BINARY_BAD.items() if k != "weight -1"}
# sklearn-style classes refuse any label but 0/1 (HistogramAUC: any label outside [0, 1]).
STRICT_BAD = {
    **BINARY_BAD,
    "label 2": ("y_true", _set(T, 2, 2.0), P, W),
    "label -1": ("y_true", _set(T, 0, -1.0), P, W),
}

BIN = (T, P, W)
BINARY = [
    (jm.AUC(), BIN, KERAS_BAD),
    (jm.AUC(curve="PR", num_thresholds=50), BIN, KERAS_BAD),
    (jm.AUC(from_logits=True, label_weights=[2.0]), BIN, KERAS_BAD),
    (jm.Precision(), BIN, KERAS_BAD),
    (jm.Recall(thresholds=[0.3, 0.6]), BIN, KERAS_BAD),
    (jm.TruePositives(), BIN, KERAS_BAD),
    (jm.TrueNegatives(thresholds=[0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95]), BIN, KERAS_BAD),
    (jm.SensitivityAtSpecificity(0.5), BIN, KERAS_BAD),
    (jm.PrecisionAtRecall(0.5, num_thresholds=20), BIN, KERAS_BAD),
    (jm.ExactAUC(capacity=16), BIN, {**STRICT_BAD, "label 0.5": ("y_true", _set(T, 0, 0.5), P, W)}),
    (jm.ExactAUC(capacity=16, curve="PR"), BIN, STRICT_BAD),
    (jm.HistogramAUC(num_bins=8), BIN, STRICT_BAD),
    (jm.HistogramAUC(num_bins=8, curve="PR", space="logit"), BIN, STRICT_BAD),
    (jm.BinaryIoU(), BIN, BINARY_BAD),
]

IOU_T, IOU_P = np.array([0, 1, 2, 1, 0], np.float32), np.array([0, 1, 1, 1, 2], np.float32)
IOU_W = np.ones(5, np.float32)
IOU_BAD = {
    "class NaN": ("y_true", _set(IOU_T, 1, NAN), IOU_P, IOU_W),
    "class inf": ("y_true", _set(IOU_T, 1, INF), IOU_P, IOU_W),
    "predicted class NaN": ("y_pred", IOU_T, _set(IOU_P, 2, NAN), IOU_W),
    "weight NaN": ("sample_weight", IOU_T, IOU_P, _set(IOU_W, 0, NAN)),
    "weight -1": ("sample_weight", IOU_T, IOU_P, _set(IOU_W, 0, -1.0)),
}
ONE_HOT_T = np.eye(3, dtype=np.float32)[[0, 1, 2, 1]]
ONE_HOT_P = np.array([[.7, .2, .1], [.1, .8, .1], [.3, .3, .4], [.5, .4, .1]], np.float32)
ONE_HOT_BAD = {
    "NaN in a one-hot row": ("y_true", _set(ONE_HOT_T, (2, 0), NAN), ONE_HOT_P, np.ones(4, np.float32)),
    "NaN in a probability row": ("y_pred", ONE_HOT_T, _set(ONE_HOT_P, (3, 2), NAN),
                                 np.ones(4, np.float32)),
}

F_T = np.array([[1, 1, 1], [1, 0, 0], [1, 1, 0]], np.float32)
F_P = np.array([[.2, .6, .7], [.2, .6, .6], [.6, .8, .0]], np.float32)
F_W = np.ones(3, np.float32)
F_BAD = {
    "label NaN": ("y_true", _set(F_T, (0, 1), NAN), F_P, F_W),
    "label 2": ("y_true", _set(F_T, (1, 0), 2.0), F_P, F_W),
    "score NaN": ("y_pred", F_T, _set(F_P, (2, 1), NAN), F_W),
    "weight inf": ("sample_weight", F_T, F_P, _set(F_W, 1, INF)),
}

CAL_T, CAL_P = np.array([0, 1, 1, 1], np.float32), np.array([0.2, 0.6, 0.7, 0.9], np.float32)
CAL_W = np.ones(4, np.float32)
CAL_BAD = {
    "label NaN": ("y_true", _set(CAL_T, 1, NAN), CAL_P, CAL_W),
    "label 2": ("y_true", _set(CAL_T, 1, 2.0), CAL_P, CAL_W),
    "confidence NaN": ("y_pred", CAL_T, _set(CAL_P, 0, NAN), CAL_W),
    "confidence 1.5": ("y_pred", CAL_T, _set(CAL_P, 0, 1.5), CAL_W),
    "confidence inf": ("y_pred", CAL_T, _set(CAL_P, 0, INF), CAL_W),
    "weight -1": ("sample_weight", CAL_T, CAL_P, _set(CAL_W, 2, -1.0)),
}
MC_T = np.array([0, 1, 2, 1], np.float32)
MC_BAD = {
    "label 3": ("y_true", _set(MC_T, 1, 3.0), ONE_HOT_P, CAL_W),
    "label 1.5": ("y_true", _set(MC_T, 1, 1.5), ONE_HOT_P, CAL_W),
    "label NaN": ("y_true", _set(MC_T, 1, NAN), ONE_HOT_P, CAL_W),
    "NaN probability": ("y_pred", MC_T, _set(ONE_HOT_P, (0, 0), NAN), CAL_W),
}

R_T = np.array([[1, 0, 2], [0, 1, 1]], np.float32)
R_P = np.array([[.1, .1, .3], [.3, .2, .1]], np.float32)
R_W = np.ones(2, np.float32)
RANK_BAD = {
    "relevance NaN": ("y_true", _set(R_T, (0, 1), NAN), R_P, R_W),
    "relevance inf": ("y_true", _set(R_T, (1, 2), INF), R_P, R_W),
    "score NaN": ("y_pred", R_T, _set(R_P, (0, 0), NAN), R_W),
    "weight NaN": ("sample_weight", R_T, R_P, _set(R_W, 1, NAN)),
    "weight -1": ("sample_weight", R_T, R_P, _set(R_W, 1, -1.0)),
}

IOU, ONE_HOT, F, CAL = (IOU_T, IOU_P, IOU_W), (ONE_HOT_T, ONE_HOT_P, CAL_W), (F_T, F_P, F_W), (CAL_T, CAL_P, CAL_W)
CASES = [
    *BINARY,
    (jm.MeanIoU(num_classes=3), IOU, IOU_BAD),
    (jm.IoU(num_classes=3, target_class_ids=[1]), IOU, IOU_BAD),
    (jm.OneHotMeanIoU(num_classes=3), ONE_HOT, ONE_HOT_BAD),
    (jm.FBetaScore(beta=2.0, threshold=0.5, num_classes=3), F, F_BAD),
    (jm.F1Score(average="micro"), F, F_BAD),
    (jm.F1Score(average="macro", num_classes=3), F, F_BAD),
    (jm.ExpectedCalibrationError(num_bins=4), CAL, CAL_BAD),
    (jm.ExpectedCalibrationError(num_bins=2, strategy="quantile", resolution=16), CAL, CAL_BAD),
    (jm.MaxCalibrationError(num_bins=4), (MC_T, ONE_HOT_P, CAL_W), MC_BAD),
    (jm.NDCG(k=2, gain="linear"), (R_T, R_P, R_W), RANK_BAD),
    (jm.MeanReciprocalRank(k=(1, 3)), (R_T, R_P, R_W), RANK_BAD),
]
PARAMS = [(m, clean, name, *bad) for m, clean, variants in CASES for name, bad in variants.items()]
IDS = [f"{m.display_name}-{i}-{name}" for i, (m, _, name, *_) in enumerate(PARAMS)]
NOT_WEIGHT = [i for i, x in enumerate(PARAMS) if x[3] != "sample_weight"]


def all_nan(value):
    leaves = jax.tree.leaves(value)
    return bool(leaves) and all(np.all(np.isnan(np.asarray(x, np.float64))) for x in leaves)


def changed_rows(a, b):
    changed = ~((a == b) | (np.isnan(a) & np.isnan(b)))
    return np.any(changed.reshape(len(changed), -1), axis=1)


def jit_update(m, t, p, w):
    """``m.update(m.init(), t, p, sample_weight=w)`` under ``jax.jit``: the program of the eager
    face's ``update_state`` (one compile per metric config and batch shape)."""
    return _jit_update(m, m.init(), {}, t, p, w)


def jit_compute(m, s):
    """``m.compute(s)`` under ``jax.jit`` (the eager face's ``result`` program)."""
    return _jit_compute(m, s)


@functools.partial(jax.jit, static_argnums=0)
def jit_merge(m, a, b):
    """``m.merge(a, b)`` under ``jax.jit``: one small program per metric config."""
    return m.merge(a, b)


@functools.partial(jax.jit, static_argnums=0)
def jit_all_reduce_second(m, a, b):
    """Device 1's state after ``m.all_reduce`` over two devices holding ``a`` and ``b``."""
    stacked = jax.tree.map(lambda x, y: jnp.stack([x, y]), a, b)
    reduced = jax.vmap(lambda s: m.all_reduce(s, "i"), axis_name="i")(stacked)
    return jax.tree.map(lambda x: x[1], reduced)


def through_merge_and_all_reduce(m, bad, ct, cp, cw):
    """What a bad state gives alone, merged with a clean one either way, after ``all_reduce``
    with a clean one, and with a clean batch folded in afterwards. Small programs: the update
    and compute are the eager face's (shared by every case of a config and batch shape)."""
    clean = jit_update(m, ct, cp, cw)
    return {"alone": jit_compute(m, bad), "merge(clean, bad)": jit_compute(m, jit_merge(m, clean, bad)),
            "merge(bad, clean)": jit_compute(m, jit_merge(m, bad, clean)),
            "all_reduce": jit_compute(m, jit_all_reduce_second(m, bad, clean)),
            "then a clean batch": jit_compute(m, _jit_update(m, bad, {}, ct, cp, cw))}


@pytest.mark.parametrize("m,clean,name,arg,t,p,w", PARAMS, ids=IDS)
def test_bad_input_raises_eagerly_naming_metric_argument_and_values(m, clean, name, arg, t, p, w):
    value = name.split()[-1].lower()  # the offending value: "nan", "inf", "-1", "2", "1.5"...
    with pytest.raises(ValueError, match=rf"^{m.display_name}: {arg} must .*got \[") as err:
        m.update(m.init(), t, p, sample_weight=w)
    if value.lstrip("-").replace(".", "").isdigit() or value in ("nan", "inf"):
        assert f"[{value}]" in str(err.value).lower()
    with pytest.raises(ValueError, match=rf"^{m.display_name}: {arg} must"):  # the eager face
        m.update_state(t, p, sample_weight=w)


@pytest.mark.parametrize("m,clean,name,arg,t,p,w", PARAMS, ids=IDS)
def test_bad_input_under_jit_is_nan_through_merge_and_all_reduce(m, clean, name, arg, t, p, w):
    bad = jit_update(m, t, p, w)
    ct, cp, cw = clean
    for how, value in through_merge_and_all_reduce(m, bad, ct, cp, cw).items():
        assert all_nan(value), f"{m.display_name} on {name}: {how} gives {value}"


@pytest.mark.parametrize("m,clean,name,arg,t,p,w", [PARAMS[i] for i in NOT_WEIGHT],
                         ids=[IDS[i] for i in NOT_WEIGHT])
def test_weight_zero_exempts_the_bad_entry(m, clean, name, arg, t, p, w):
    ct, cp, cw = clean
    rows = np.nonzero(changed_rows(t, ct) | changed_rows(p, cp))[0]
    w0 = np.array(cw, np.float32)
    w0[rows] = 0
    want = jit_compute(m, jit_update(m, ct, cp, w0))
    got_eager = jit_compute(m, m.update(m.init(), t, p, sample_weight=w0))  # the eager update
    got_jit = jit_compute(m, jit_update(m, t, p, w0))
    jax.tree.map(lambda a, b: np.testing.assert_allclose(a, b, rtol=1e-6), got_eager, want)
    jax.tree.map(lambda a, b: np.testing.assert_allclose(a, b, rtol=1e-6), got_jit, want)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_scikit_learn_refuses_the_same_inputs():
    # the oracle behind the rule for the AUC family (sklearn 1.9.1)
    for _, t, p, w in BINARY_BAD.values():
        with pytest.raises(ValueError):
            roc_auc_score(t, p, sample_weight=w)
    for label in (2.0, 0.5):
        with pytest.raises(ValueError):
            average_precision_score(_set(T, 2, label), P)
    with pytest.raises(ValueError):
        ndcg_score(_set(R_T, (0, 1), NAN), R_P)


def test_nan_score_no_longer_ranks_on_top_in_exact_auc():
    # Before: the NaN score sorted above every score, the row ranked first (0.9 here, not NaN).
    m = jm.ExactAUC(capacity=8)
    t, p = np.array([0, 1, 0, 1.0]), np.array([NAN, 0.2, 0.1, 0.8])
    assert np.isnan(float(m.compute(jit_update(m, t, p, None))))


def test_infinite_scores_are_ordered_like_any_score():
    # sklearn refuses inf; the rank statistic is the one a score beyond every finite one gives.
    t = np.array([0, 1, 0, 1, 1, 0], np.float32)
    p = np.array([-INF, INF, 0.3, 0.6, INF, 0.7], np.float32)
    big = np.where(np.isinf(p), np.sign(p) * 1e6, p)
    for curve, oracle in (("ROC", roc_auc_score), ("PR", average_precision_score)):
        m = jm.ExactAUC(capacity=8, curve=curve)
        np.testing.assert_allclose(float(m.compute(m.update(m.init(), t, p))), oracle(t, big),
                                   rtol=1e-6)
    r, s = np.array([[1, 0, 2, 0]], np.float32), np.array([[INF, 0.1, 0.3, -INF]], np.float32)
    m = jm.NDCG(gain="linear")
    np.testing.assert_allclose(float(m.compute(m.update(m.init(), r, s))),
                               ndcg_score(r, np.where(np.isinf(s), np.sign(s) * 1e6, s)), rtol=1e-6)
    # Keras 3 classes: inf is clipped (even grid) or compared, as Keras does
    for cls, args in ((jm.AUC, {}), (jm.Precision, {}), (jm.Recall, {"thresholds": [0.2, 0.9]})):
        m = cls(**args)
        want = keras_result(getattr(keras.metrics, cls.__name__)(**args), [(t, p, None)])
        np.testing.assert_allclose(m.compute(m.update(m.init(), t, p)), want, rtol=1e-6)


KERAS_COUNTS = [
    (jm.AUC, {}), (jm.AUC, {"curve": "PR", "num_thresholds": 50}),
    (jm.AUC, {"from_logits": True}),
    (jm.AUC, {"curve": "PR", "summation_method": "majoring", "thresholds": [0.3, 0.5, 0.7]}),
    (jm.Precision, {}), (jm.Recall, {"thresholds": [0.3, 0.6]}), (jm.TruePositives, {}),
    (jm.FalsePositives, {"thresholds": [0.2, 0.5]}), (jm.TrueNegatives, {}),
    (jm.FalseNegatives, {}), (jm.Precision, {"top_k": 2}),
    (jm.SensitivityAtSpecificity, {"specificity": 0.5}),
    (jm.SpecificityAtSensitivity, {"sensitivity": 0.5}),
    (jm.PrecisionAtRecall, {"recall": 0.5, "num_thresholds": 20}),
    (jm.RecallAtPrecision, {"precision": 0.5}),
]


@pytest.mark.parametrize("cls,args", KERAS_COUNTS,
                         ids=[f"{c.__name__}-{i}" for i, (c, _) in enumerate(KERAS_COUNTS)])
@pytest.mark.parametrize("weights", [_set(W, 4, -1.0), np.array([-1, -2, 3, -0.5, 1, 2], np.float32)])
def test_negative_weights_are_summed_as_keras_sums_them(cls, args, weights):
    # Keras 3.15.1 sums negative sample weights in its threshold counts (no check), as
    # scikit-learn does; the result is Keras' number, eagerly and under jit.
    t, p = T, P
    if args.get("top_k"):
        t, p = np.stack([T, 1 - T], 1), np.stack([P, 1 - P], 1)
        weights = weights[:, None]
    m = cls(**args)
    want = keras_result(getattr(keras.metrics, cls.__name__)(**args), [(t, p, weights)])
    np.testing.assert_allclose(jit_compute(m, m.update(m.init(), t, p, sample_weight=weights)),
                               want, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(jit_compute(m, jit_update(m, t, p, weights)), want, rtol=1e-5,
                               atol=1e-6)
    m.update_state(t, p, sample_weight=weights)
    np.testing.assert_allclose(m.result(), want, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("cls,args", [(jm.F1Score, {"average": "micro"}),
                                      (jm.F1Score, {"average": "macro", "threshold": 0.5}),
                                      (jm.FBetaScore, {"beta": 2.0, "average": "weighted"}),
                                      (jm.FBetaScore, {"beta": 0.5, "threshold": 0.5})])
def test_f_scores_sum_negative_weights_as_keras_does(cls, args):
    # Keras 3.15.1's FBetaScore multiplies the counts by the weight as given (no check).
    w = np.array([1.0, -1.0, 2.0], np.float32)
    m = cls(**args, **({} if args.get("average") == "micro" else {"num_classes": 3}))
    want = keras_result(getattr(keras.metrics, cls.__name__)(**args), [(F_T, F_P, w)])
    np.testing.assert_allclose(jit_compute(m, m.update(m.init(), F_T, F_P, sample_weight=w)),
                               want, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(jit_compute(m, jit_update(m, F_T, F_P, w)), want, rtol=1e-5,
                               atol=1e-6)


@pytest.mark.parametrize("label", [2.0, 0.3, -1.0])
def test_keras_classes_keep_keras_bool_cast_of_finite_labels(label):
    # Keras 3 casts labels to bool: 2, 0.3 and -1 are positives (keras-semantics.md §4.3).
    t = _set(T, 2, label)
    t[5] = label
    for cls, args in ((jm.AUC, {}), (jm.AUC, {"curve": "PR"}), (jm.Precision, {}),
                      (jm.SensitivityAtSpecificity, {"specificity": 0.5})):
        m = cls(**args)
        want = keras_result(getattr(keras.metrics, cls.__name__)(**args), [(t, P, None)])
        np.testing.assert_allclose(m.compute(m.update(m.init(), t, P)), want, rtol=1e-6)


def test_functions_follow_the_rule_too():
    ece, ndcg = jm.expected_calibration_error, jm.ndcg_at_k
    with pytest.raises(ValueError, match=r"^expected_calibration_error: y_pred must be probabilities"):
        ece(CAL_T, _set(CAL_P, 0, NAN))
    assert np.isnan(float(jax.jit(ece)(CAL_T, _set(CAL_P, 0, NAN))))
    with pytest.raises(ValueError, match=r"^ndcg_at_k: y_true must be a relevance"):
        ndcg(_set(R_T, (0, 1), NAN), R_P)
    per_query = np.asarray(jax.jit(ndcg)(_set(R_T, (0, 1), NAN), R_P))
    assert np.isnan(per_query[0]) and per_query[1] == pytest.approx(ndcg_score(R_T[1:], R_P[1:]))
