"""IoU, BinaryIoU, MeanIoU, OneHotIoU, OneHotMeanIoU.

Oracles: Keras 3.15.1 (JAX backend) fed the same ragged batches, with integer weights (Keras 3
truncates float weights in this family); scikit-learn 1.9.1 ``jaccard_score`` and a float64 NumPy
confusion matrix for fractional weights.
"""

from __future__ import annotations

import re
import warnings

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sklearn.metrics import jaccard_score

import jmetrics.metrics as jm
from tests.helpers import TracedJit, keras_metric, keras_result, tree_types

SIZES = (5, 1, 3)  # ragged: a new shape per batch


def run(m, bs, jit=False):
    step = jax.jit(lambda s, t, p, w: m.update(s, t, p, sample_weight=w)) if jit else None
    s = m.init()
    for t, p, w in bs:
        s = step(s, t, p, w) if jit else m.update(s, t, p, sample_weight=w)
    return s


def label_batches(c, weights, seed=0, shape=(), sizes=SIZES):
    r = np.random.default_rng(seed)
    out = []
    for n in sizes:
        t = r.integers(0, c, (n, *shape)).astype(np.int32)
        p = np.where(r.uniform(size=t.shape) < 0.6, t, r.integers(0, c, t.shape)).astype(np.int32)
        w = {None: None, "int": r.integers(0, 4, t.shape).astype(np.int32),
             "float": r.uniform(0, 2, t.shape).astype(np.float32)}[weights]
        out.append((t, p, w))
    return out


def onehot_batches(c, weights, seed=0):
    out = []
    for t, _, w in label_batches(c, weights, seed):
        r = np.random.default_rng(seed + len(t))
        scores = r.dirichlet(np.ones(c), size=len(t)).astype(np.float32)
        out.append((np.eye(c, dtype=np.float32)[t], scores, w))
    return out


def binary_batches(weights, seed=0):
    r = np.random.default_rng(seed)
    out = []
    for t, _, w in label_batches(2, weights, seed, shape=(1,)):
        out.append((t.astype(np.float32), r.uniform(size=t.shape).astype(np.float32), w))
    return out


def numpy_iou(t, p, w, c, targets, ignore=None):
    """float64 reference from the formula (Keras' eps included)."""
    t, p = np.asarray(t).reshape(-1), np.asarray(p).reshape(-1)
    w = np.ones(t.shape) if w is None else np.broadcast_to(np.asarray(w, np.float64).reshape(-1), t.shape)
    keep = (t >= 0) & (t < c) & (p >= 0) & (p < c)
    if ignore is not None:
        keep &= t != ignore
    cm = np.zeros((c, c))
    np.add.at(cm, (t[keep], p[keep]), w[keep])
    tp = np.diag(cm)
    den = (cm.sum(0) + cm.sum(1) - tp)[list(targets)]
    tp = tp[list(targets)]
    valid = den > 1e-9
    iou = np.where(valid, tp / (den + 1e-7), 0)
    return iou.sum() / (valid.sum() + 1e-7)


def concat(bs):
    return [np.concatenate([b[i] for b in bs]) if bs[0][i] is not None else None for i in range(3)]


# ---- Keras 3 oracle ---------------------------------------------------------------------------
CASES = [
    ("IoU", dict(num_classes=4, target_class_ids=(0, 3)), lambda w: label_batches(4, w)),
    ("IoU", dict(num_classes=4, target_class_ids=(1, 2), ignore_class=2), lambda w: label_batches(4, w, 1)),
    ("MeanIoU", dict(num_classes=5), lambda w: label_batches(5, w, 2, shape=(3, 2))),
    ("MeanIoU", dict(num_classes=3, ignore_class=0), lambda w: label_batches(3, w, 3, shape=(1,))),
    ("BinaryIoU", {}, binary_batches),
    ("BinaryIoU", dict(target_class_ids=(1,), threshold=0.3), lambda w: binary_batches(w, 4)),
    ("OneHotIoU", dict(num_classes=4, target_class_ids=(1, 2)), lambda w: onehot_batches(4, w, 5)),
    ("OneHotMeanIoU", dict(num_classes=4), lambda w: onehot_batches(4, w, 6)),
    ("OneHotMeanIoU", dict(num_classes=3, sparse_y_pred=True),
     lambda w: [(np.eye(3, dtype=np.float32)[t], p, w_) for t, p, w_ in label_batches(3, w, 7)]),
]


@pytest.mark.parametrize("weights", [None, "int"])
@pytest.mark.parametrize("name,args,make", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_matches_keras3_on_ragged_batches(name, args, make, weights):
    bs = make(weights)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = keras_result(keras_metric(name, **args), bs)
    m = getattr(jm, name)(**args)
    np.testing.assert_allclose(m.compute(run(m, bs)), want, rtol=1e-5, atol=1e-7)


def test_out_of_range_labels_are_dropped_under_jit_as_keras_drops_them():
    t = np.array([0, 1, 5, -1, 2, 1], np.int32)
    p = np.array([0, 7, 1, 1, 2, -3], np.int32)
    want = keras_result(keras_metric("MeanIoU", num_classes=3), [(t, p, None)])
    m = jm.MeanIoU(num_classes=3)
    got = jax.jit(m.update)(m.init(), t, p)
    np.testing.assert_allclose(m.compute(got), want, rtol=1e-6)
    assert float(m.compute(got)) == pytest.approx(numpy_iou(t, p, None, 3, range(3)))


def test_keras3_truncates_fractional_weights_and_we_do_not():
    # keras-semantics.md §4.5: float weights are cast to int32 in the IoU family (0.3 -> 0).
    t, p, w = np.array([0, 0, 1, 1]), np.array([0, 1, 0, 1]), np.array([0.3, 0.3, 0.3, 1.7], np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        keras_value = float(keras_result(keras_metric("MeanIoU", num_classes=2), [(t, p, w)]))
    m = jm.MeanIoU(num_classes=2)
    ours = float(m.compute(m.update(m.init(), t, p, sample_weight=w)))
    exact = jaccard_score(t, p, average="macro", sample_weight=w)  # sklearn 1.9.1
    assert ours == pytest.approx(exact, rel=1e-6)
    assert keras_value == pytest.approx(numpy_iou(t, p, np.trunc(w), 2, range(2)), rel=1e-6)
    assert abs(keras_value - exact) > 0.1


# ---- fractional weights: scikit-learn and float64 NumPy --------------------------------------
@pytest.mark.parametrize("shape", [(), (2, 3)])
def test_mean_iou_matches_sklearn_with_fractional_weights(shape):
    bs = label_batches(4, "float", seed=11, shape=shape)
    m = jm.MeanIoU(num_classes=4)
    t, p, w = (x.reshape(-1) for x in concat(bs))
    want = jaccard_score(t, p, average="macro", sample_weight=w)
    np.testing.assert_allclose(m.compute(run(m, bs, jit=True)), want, rtol=1e-5)


def test_iou_targets_and_binary_iou_match_sklearn_per_class():
    bs = label_batches(4, "float", seed=12)
    t, p, w = concat(bs)
    per_class = jaccard_score(t, p, average=None, labels=[0, 1, 2, 3], sample_weight=w)
    m = jm.IoU(num_classes=4, target_class_ids=[3, 1])
    np.testing.assert_allclose(m.compute(run(m, bs)), per_class[[3, 1]].mean(), rtol=1e-5)
    bb = binary_batches("float", seed=13)
    t, s, w = concat(bb)
    for targets, threshold in [((1,), 0.5), ((0, 1), 0.25)]:
        m = jm.BinaryIoU(target_class_ids=targets, threshold=threshold)
        per = jaccard_score(t.ravel(), (s.ravel() >= threshold), average=None, labels=[0, 1],
                            sample_weight=w.ravel())
        np.testing.assert_allclose(m.compute(run(m, bb)), per[list(targets)].mean(), rtol=1e-5)


def test_one_hot_forms_equal_sparse_forms_on_argmaxes():
    bs = onehot_batches(4, "float", seed=14)
    sparse = [(t.argmax(-1), p.argmax(-1), w) for t, p, w in bs]
    a, b = jm.OneHotMeanIoU(num_classes=4), jm.MeanIoU(num_classes=4)
    np.testing.assert_allclose(a.compute(run(a, bs)), b.compute(run(b, sparse)), rtol=1e-6)
    a, b = jm.OneHotIoU(4, (0, 2)), jm.IoU(4, (0, 2), sparse_y_true=False, sparse_y_pred=False)
    np.testing.assert_allclose(a.compute(run(a, bs)), b.compute(run(b, bs)), rtol=1e-6)
    assert a.stat_key() == b.stat_key()


# ---- adversarial ------------------------------------------------------------------------------
def test_absent_classes_are_left_out_and_single_class_is_one():
    m = jm.MeanIoU(num_classes=5)
    s = m.update(m.init(), np.array([0, 0, 1]), np.array([0, 0, 1]))
    assert float(m.compute(s)) == pytest.approx(1.0, rel=1e-6)  # classes 2..4 absent: not counted
    s = m.update(m.init(), np.zeros(6, np.int32), np.zeros(6, np.int32))
    assert float(m.compute(s)) == pytest.approx(1.0, rel=1e-6)
    iou = jm.IoU(num_classes=5, target_class_ids=[4])  # target never seen: Keras gives 0
    assert float(iou.compute(iou.update(iou.init(), np.array([0, 1]), np.array([1, 1])))) == 0.0


def test_all_weight_zero_empty_batch_and_empty_state_give_zero():
    m = jm.MeanIoU(num_classes=3)
    t, p = np.array([0, 1, 2]), np.array([0, 2, 2])
    assert float(m.compute(m.init())) == 0.0  # Keras 3: num_valid = 0 -> 0
    s = m.update(m.init(), t, p, sample_weight=np.zeros(3))
    assert float(m.compute(s)) == 0.0
    s = m.update(m.init(), t, p)
    s2 = m.update(s, t[:0], p[:0], sample_weight=np.ones(0))
    np.testing.assert_array_equal(s2.confusion.hi, s.confusion.hi)


def test_half_precision_one_hot_and_scores():
    bs = onehot_batches(4, None, seed=15)
    half = [(jnp.asarray(t, jnp.bfloat16), jnp.asarray(p, jnp.bfloat16), w) for t, p, w in bs]
    m = jm.OneHotMeanIoU(num_classes=4)
    ref = [(np.asarray(t, np.float32).argmax(-1), np.asarray(p, np.float32).argmax(-1)) for t, p, _ in half]
    want = numpy_iou(np.concatenate([r[0] for r in ref]), np.concatenate([r[1] for r in ref]), None,
                     4, range(4))
    np.testing.assert_allclose(m.compute(run(m, half)), want, rtol=1e-6)
    b = jm.BinaryIoU(threshold=0.5)
    s = b.update(b.init(), jnp.array([1, 0], jnp.bfloat16), jnp.array([0.5, 0.49], jnp.bfloat16))
    assert float(b.compute(s)) == pytest.approx(1.0, rel=1e-6)  # 0.5 >= 0.5 -> class 1


def test_counts_stay_exact_past_2_pow_24():
    m = jm.MeanIoU(num_classes=2)
    step = jax.jit(m.update)
    t = jnp.zeros(2**22, jnp.int32)
    s = m.init()
    for _ in range(5):
        s = step(s, t, t)
    s = step(s, jnp.array([0, 1], jnp.int32), jnp.array([0, 0], jnp.int32))
    cm = np.asarray(s.confusion.hi, np.float64) + np.asarray(s.confusion.lo, np.float64)
    assert cm[0, 0] == 5 * 2**22 + 1 and cm[1, 0] == 1
    a = 5 * 2**22 + 1  # class 0: a / (a + 1); class 1: 0 / 1; both valid
    assert float(m.compute(s)) == pytest.approx(a / (a + 1) / 2, rel=1e-6)


# ---- label checks and options -----------------------------------------------------------------
def test_out_of_range_class_ids_are_dropped_eagerly_as_keras_drops_them():
    # Keras 3.15.1 masks ids outside [0, num_classes) in y_true or y_pred (bounds_mask): the row
    # is dropped. Eager update, update_state and jit give Keras' number.
    t = np.array([0, 1, 3, 2, -1, 1, 2], np.int32)
    p = np.array([0, 1, 1, 7, 2, -4, 2], np.int32)
    w = np.array([1, 2, 1, 1, 3, 1, 2], np.int32)
    for cls, args in (("MeanIoU", dict(num_classes=3)),
                      ("IoU", dict(num_classes=3, target_class_ids=[1, 2])),
                      ("MeanIoU", dict(num_classes=3, ignore_class=0))):
        for weights in (None, w):
            want = keras_result(keras_metric(cls, **args), [(t, p, weights)])
            m = getattr(jm, cls)(**args)
            np.testing.assert_allclose(m.compute(m.update(m.init(), t, p, sample_weight=weights)),
                                       want, rtol=1e-6)
            np.testing.assert_allclose(m.compute(run(m, [(t, p, weights)], jit=True)), want,
                                       rtol=1e-6)
            m.update_state(t, p, sample_weight=weights)
            np.testing.assert_allclose(m.result(), want, rtol=1e-6)
    # BinaryIoU: a label 2 or -1 is outside [0, 2) too
    tb, sb = np.array([0, 1, 2, -1, 1], np.float32), np.array([.1, .8, .9, .2, .3], np.float32)
    want = keras_result(keras_metric("BinaryIoU"), [(tb, sb)])
    b = jm.BinaryIoU()
    np.testing.assert_allclose(b.compute(b.update(b.init(), tb, sb)), want, rtol=1e-6)
    np.testing.assert_allclose(b.compute(run(b, [(tb, sb, None)], jit=True)), want, rtol=1e-6)


def _one_hot(ids, row_1=None):
    """One-hot rows of ``ids``; row 1 replaced by ``row_1`` (the bad row)."""
    t = np.eye(3, dtype=np.float32)[ids]
    if row_1 is not None:
        t[1] = row_1
    return t


# (metric, argument at fault, y_true, y_pred, message): row 1 holds the bad entry
BAD_CLASS_IDS = [
    (jm.MeanIoU(num_classes=3), "y_true", [0, 1.5, 2, 1], [0, 1, 2, 1],
     r"whole-number class ids.*; got \[1\.5\]"),
    (jm.MeanIoU(num_classes=3), "y_pred", [0, 1, 2, 1], [0, 0.5, 2, 1],
     r"whole-number class ids.*; got \[0\.5\]"),
    (jm.IoU(num_classes=3, target_class_ids=[0]), "y_true", [0, np.inf, 2, 1], [0, 1, 2, 1],
     r"whole-number class ids.*; got \[inf\]"),
    (jm.BinaryIoU(), "y_true", [0, 0.5, 1, 1], [.2, .7, .9, .4],
     r"whole-number class ids.*; got \[0\.5\]"),
    (jm.OneHotMeanIoU(num_classes=3), "y_true", _one_hot([0, 1, 2, 1], [0, 2, 0]),
     _one_hot([0, 1, 1, 1]), r"one-hot or probability rows, with values in \[0, 1\]; got \[2\]"),
    (jm.OneHotIoU(num_classes=3, target_class_ids=[1]), "y_true", _one_hot([0, 1, 2, 1], [0, 1, -1]),
     _one_hot([0, 1, 1, 2]),
     r"one-hot or probability rows, with values in \[0, 1\]; got \[-1\]"),
    (jm.OneHotMeanIoU(num_classes=3), "y_true", _one_hot([0, 1, 2, 1], [-np.inf] * 3),
     _one_hot([0, 1, 1, 2]),
     r"one-hot or probability rows, with values in \[0, 1\]; got \[-inf\]"),
]


@pytest.mark.parametrize("m,arg,t,p,match", BAD_CLASS_IDS,
                         ids=[f"{c[0].display_name}-{i}" for i, c in enumerate(BAD_CLASS_IDS)])
def test_ids_that_name_no_class_raise_eagerly_and_give_nan_under_jit(m, arg, t, p, match):
    # Keras 3 truncates 1.5 to 1 and takes argmax of a one-hot row holding 2 or -inf: a number
    # from a wrong label encoding. Here: ValueError naming the metric and the argument eagerly,
    # NaN under jit; with weight 0 the row is removed (the value without it, which Keras 3 gives).
    t, p = np.asarray(t, np.float32), np.asarray(p, np.float32)
    with pytest.raises(ValueError, match=f"^{m.display_name}: {arg} must be " + match):
        m.update(m.init(), t, p)
    with pytest.raises(ValueError, match=f"{m.display_name}: {arg}"):
        m.update_state(t, p)
    assert np.isnan(float(m.compute(run(m, [(t, p, None)], jit=True))))
    w = np.array([1, 0, 1, 1], np.float32)
    keep = w != 0
    name = type(m).__name__
    kargs = {k: v for k, v in m.get_config().items() if k != "name"}
    want = keras_result(keras_metric(name, **kargs), [(t[keep], p[keep])])
    np.testing.assert_allclose(m.compute(m.update(m.init(), t, p, sample_weight=w)), want,
                               rtol=1e-6)
    np.testing.assert_allclose(m.compute(run(m, [(t, p, w)], jit=True)), want, rtol=1e-6)


def test_soft_one_hot_rows_are_accepted_as_keras_takes_their_argmax():
    t = np.array([[0.9, 0.05, 0.05], [0.2, 0.5, 0.3], [0, 0, 1]], np.float32)
    p = np.array([[.7, .2, .1], [.1, .1, .8], [.3, .3, .4]], np.float32)
    want = keras_result(keras_metric("OneHotMeanIoU", num_classes=3), [(t, p)])
    m = jm.OneHotMeanIoU(num_classes=3)
    np.testing.assert_allclose(m.compute(run(m, [(t, p, None)], jit=True)), want, rtol=1e-6)
    np.testing.assert_allclose(m.compute(m.update(m.init(), t, p)), want, rtol=1e-6)


def test_fractional_float_weights_warn_as_keras_does_and_say_what_differs():
    # Keras 3.15.1 warns "You are passing weight as `float`, but dtype is `int`..." and truncates;
    # jmetrics warns that Keras would truncate and counts exactly (sklearn's jaccard_score).
    t, p = np.array([0, 1, 1, 0]), np.array([0, 1, 1, 1])
    w = np.array([0.2, 0.3, 0.4, 0.1], np.float32)
    with pytest.warns(UserWarning, match=r"weight.*float.*int.*casting") as keras_warned:
        keras_metric("MeanIoU", num_classes=2).update_state(t, p, sample_weight=w)
    assert keras_warned
    m = jm.MeanIoU(num_classes=2)
    with pytest.warns(UserWarning, match=r"^mean_io_u: sample_weight is float but Keras' IoU dtype "
                                         r"is int; Keras would truncate.*counts them exactly") as rec:
        m.update_state(t, p, sample_weight=w)
    assert len(rec) == 1  # once per update call
    want = jaccard_score(t, p, average="macro", sample_weight=w)  # sklearn 1.9.1
    np.testing.assert_allclose(m.result(), want, rtol=1e-6)
    with pytest.warns(UserWarning, match="mean_io_u: sample_weight is float"):
        m.update(m.init(), t, p, sample_weight=w)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # integer-valued float weights, int weights, jit: silent
        m.update_state(t, p, sample_weight=np.array([1.0, 2.0, 0.0, 3.0], np.float32))
        m.update_state(t, p, sample_weight=np.array([1, 2, 0, 3]))
        run(m, [(t, p, w)], jit=True)


@pytest.mark.parametrize("cls,args,match", [
    (jm.IoU, dict(num_classes=3, target_class_ids=[3]), r"IoU: target_class_ids .*\[0, 2\]; got \[3\]"),
    (jm.IoU, dict(num_classes=3, target_class_ids=[]), "IoU: target_class_ids"),
    (jm.MeanIoU, dict(num_classes=0), "MeanIoU: num_classes must be an int >= 1; got 0"),
    (jm.MeanIoU, dict(num_classes=2.5), "MeanIoU: num_classes must be an int"),
    (jm.MeanIoU, dict(num_classes=3, sparse_y_true="no"), "MeanIoU: sparse_y_true must be True or False"),
    (jm.BinaryIoU, dict(target_class_ids=[2]), r"BinaryIoU: target_class_ids .*\[0, 1\]"),
    (jm.BinaryIoU, dict(threshold="high"), "BinaryIoU: threshold must be a number"),
])
def test_bad_options_raise_listing_what_is_allowed(cls, args, match):
    with pytest.raises(ValueError, match=match):
        cls(**args)


def test_shape_errors_name_metric_and_shapes():
    m = jm.MeanIoU(num_classes=3)
    with pytest.raises(ValueError, match=r"mean_io_u: y_true and y_pred .*\(4,\) and \(3,\)"):
        m.update(m.init(), np.zeros(4, np.int32), np.zeros(3, np.int32))
    with pytest.raises(ValueError, match=r"mean_io_u: sample_weight .*\(2,\).*\(4,\)"):
        m.update(m.init(), np.zeros(4, np.int32), np.zeros(4, np.int32), sample_weight=np.ones(2))
    # per-sample weights broadcast over a segmentation map
    t = np.array([[0, 1], [1, 1]])
    s = m.update(m.init(), t, t, sample_weight=np.array([1.0, 0.0]))
    assert np.asarray(s.confusion.hi).tolist() == [[1, 0, 0], [0, 1, 0], [0, 0, 0]]


# ---- protocol ---------------------------------------------------------------------------------
def test_names_configs_and_shared_statistics_follow_keras():
    objs = [jm.IoU(3, (0,)), jm.MeanIoU(3), jm.BinaryIoU(), jm.OneHotIoU(3, (0,)), jm.OneHotMeanIoU(3)]
    for m in objs:
        km = keras_metric(type(m).__name__, **{k: v for k, v in m.get_config().items()
                                               if k not in ("name", "dtype")})
        assert m.display_name == re.sub(r"_\d+$", "", km.name)  # Keras numbers repeats
        assert set(m.get_config()) == set(km.get_config())
        assert type(m).from_config(m.get_config()) == m
    assert jm.IoU(3, (0,)).stat_key() == jm.MeanIoU(3).stat_key()
    assert jm.IoU(3, (0,)).stat_key() != jm.MeanIoU(3, ignore_class=0).stat_key()
    assert jm.BinaryIoU().stat_key() != jm.BinaryIoU(threshold=0.3).stat_key()
    assert jm.BinaryIoU().stat_key() != jm.MeanIoU(2).stat_key()


def test_jit_traces_once_and_vmap_equals_a_loop():
    m = jm.MeanIoU(num_classes=4)
    step = TracedJit(lambda s, t, p, w: m.update(s, t, p, sample_weight=w))
    s = m.init()
    for t, p, w in label_batches(4, "float", seed=16, sizes=(6, 6, 6)):
        s = step(s, t, p, w)
    assert step.traces == 1 and tree_types(s) == tree_types(m.init())
    t, p, w = label_batches(4, "float", seed=17, sizes=(3 * 8,))[0]
    t, p, w = t.reshape(3, 8), p.reshape(3, 8), w.reshape(3, 8)
    def one(t, p, w):
        return m.compute(m.update(m.init(), t, p, sample_weight=w))

    # one program for the vmapped pass and one for the loop's calls (not every primitive eagerly)
    stacked = jax.jit(jax.vmap(one))(t, p, w)
    one_jit = jax.jit(one)
    loop = [one_jit(t[k], p[k], w[k]) for k in range(3)]
    np.testing.assert_allclose(stacked, loop, rtol=1e-6)


SPLIT_METRIC = jm.IoU(num_classes=3, target_class_ids=(0, 2))
SPLIT_STEP = jax.jit(lambda s, t, p, w: SPLIT_METRIC.update(s, t, p, sample_weight=w))


@given(st.lists(st.integers(0, 4), min_size=1, max_size=5), st.integers(0, 10_000))
def test_any_split_gives_the_whole_confusion_matrix(sizes, seed):
    m, step = SPLIT_METRIC, SPLIT_STEP
    r = np.random.default_rng(seed)
    n = sum(sizes)
    t, p = r.integers(0, 3, n), r.integers(0, 3, n)
    w = r.uniform(0, 2, n).round(2)
    w[r.uniform(size=n) < 0.2] = 0
    s, i = m.init(), 0
    for k in sizes:
        s = m.merge(s, step(m.init(), t[i:i + k], p[i:i + k], w[i:i + k]))
        i += k
    np.testing.assert_allclose(m.compute(s), numpy_iou(t, p, w, 3, (0, 2)), rtol=1e-5, atol=1e-7)
