"""F1Score and FBetaScore.

Oracles: Keras 3.15.1 (JAX backend) fed the same ragged batches with and without weights;
scikit-learn 1.9.1 ``f1_score``/``fbeta_score`` (fractional weights, ``zero_division=0``) on the
binarised predictions; the Keras 3 docstring example.
"""

from __future__ import annotations

import re

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sklearn.metrics import f1_score, fbeta_score

import jmetrics.metrics as jm
from tests.helpers import TracedJit, keras_metric, keras_result, tree_types

C = 4
SIZES = (5, 1, 3)  # ragged: a new shape per batch


def make(seed, sizes=SIZES, weights=False, ties=False):
    r = np.random.default_rng(seed)
    out = []
    for n in sizes:
        t = (r.uniform(size=(n, C)) < 0.4).astype(np.float32)
        p = r.uniform(size=(n, C)).astype(np.float32)
        if ties:  # tied maxima, an all-zero row and exact threshold hits
            p = np.round(p * 2) / 2
            p[0] = 0.0
        w = r.uniform(0, 2, n).astype(np.float32) if weights else None
        out.append((t, p, w))
    return out


def run(m, bs):
    s = m.init()
    for t, p, w in bs:
        s = m.update(s, t, p, sample_weight=w)
    return s


def binarise(p, threshold):
    if threshold is None:
        return ((p >= p.max(-1, keepdims=True)) & (np.abs(p) > 1e-9)).astype(int)
    return (p > threshold).astype(int)


def concat(bs):
    t, p = np.concatenate([b[0] for b in bs]), np.concatenate([b[1] for b in bs])
    w = None if bs[0][2] is None else np.concatenate([b[2] for b in bs])
    return t, p, w


# ---- Keras 3 oracle ---------------------------------------------------------------------------
@pytest.mark.parametrize("weights", [False, True])
@pytest.mark.parametrize("cls,args", [
    ("F1Score", dict()),
    ("F1Score", dict(average="micro", threshold=0.5)),
    ("F1Score", dict(average="macro", threshold=0.5)),
    ("FBetaScore", dict(average="weighted", beta=2.0)),
    ("FBetaScore", dict(beta=0.5, threshold=0.5)),
])
def test_matches_keras3_on_ragged_batches(cls, args, weights):
    bs = make(1, weights=weights, ties=True)
    want = keras_result(keras_metric(cls, **args), bs)
    m = getattr(jm, cls)(**args, num_classes=C)
    np.testing.assert_allclose(m.compute(run(m, bs)), want, rtol=1e-5, atol=1e-7)


def test_keras_eager_face_without_num_classes():
    bs = make(2, weights=True)
    m, km = jm.F1Score(average="macro"), keras_metric("F1Score", average="macro")
    for t, p, w in bs:
        m.update_state(t, p, sample_weight=w)
        km.update_state(t, p, sample_weight=w)
    np.testing.assert_allclose(m.result(), km.result(), rtol=1e-5)
    m.reset_state()  # the width stays, as Keras keeps its built variables
    km.reset_state()
    np.testing.assert_allclose(m.result(), km.result())
    t, p, w = bs[0]
    np.testing.assert_allclose(m(t, p, w), km(t, p, w), rtol=1e-5)
    with pytest.raises(AttributeError):
        keras_metric("F1Score", average="macro").result()  # no batch yet: Keras has no variables
    with pytest.raises(ValueError, match="F1Score: num_classes must be given"):
        jm.F1Score(average="macro").result()


# ---- scikit-learn with fractional weights -----------------------------------------------------
@pytest.mark.parametrize("average", [None, "micro", "macro", "weighted"])
@pytest.mark.parametrize("threshold", [None, 0.5])
def test_matches_sklearn_with_fractional_weights(average, threshold):
    bs = make(3, weights=True, sizes=(6, 2, 4))
    t, p, w = concat(bs)
    pb = binarise(p, threshold)
    for beta in (0.5, 1.0, 3.0):
        m = jm.FBetaScore(average=average, beta=beta, threshold=threshold, num_classes=C)
        want = fbeta_score(t, pb, beta=beta, average=average, sample_weight=w, zero_division=0)
        np.testing.assert_allclose(m.compute(run(m, bs)), want, rtol=2e-5, atol=1e-6)
    m = jm.F1Score(average=average, threshold=threshold, num_classes=C)
    want = f1_score(t, pb, average=average, sample_weight=w, zero_division=0)
    np.testing.assert_allclose(m.compute(run(m, bs)), want, rtol=2e-5, atol=1e-6)


def test_keras_docstring_example():
    # keras.metrics.FBetaScore docstring (Keras 3.15.1): [0.3846154, 0.90909094, 0.8333334]
    t = np.array([[1, 1, 1], [1, 0, 0], [1, 1, 0]], np.int32)
    p = np.array([[0.2, 0.6, 0.7], [0.2, 0.6, 0.6], [0.6, 0.8, 0.0]], np.float32)
    m = jm.FBetaScore(beta=2.0, threshold=0.5, num_classes=3)
    np.testing.assert_allclose(m.compute(m.update(m.init(), t, p)), [0.3846154, 0.90909094, 0.8333334],
                               rtol=1e-6)


# ---- adversarial ------------------------------------------------------------------------------
def test_absent_class_single_class_zero_weights_and_empty_batches():
    t = np.array([[1, 0, 0], [1, 0, 0]], np.float32)
    p = np.array([[0.9, 0.1, 0.0], [0.8, 0.0, 0.3]], np.float32)
    m = jm.F1Score(num_classes=3)
    got = np.asarray(m.compute(m.update(m.init(), t, p)))
    assert got[0] == pytest.approx(1.0, rel=1e-6) and got[1] == 0.0 and got[2] == 0.0  # no positives
    one = jm.F1Score(num_classes=1)  # a single column: argmax always predicts it (if nonzero)
    s = one.update(one.init(), np.array([[1.0], [0.0]]), np.array([[0.3], [0.2]]))
    assert float(one.compute(s)[0]) == pytest.approx(2 / 3, rel=1e-5)
    for average in (None, "micro", "macro", "weighted"):
        m = jm.FBetaScore(average=average, beta=2.0, num_classes=3)
        zero = m.update(m.init(), t, p, sample_weight=np.zeros(2))
        np.testing.assert_array_equal(m.compute(zero), m.compute(m.init()))
        assert np.all(np.asarray(m.compute(m.init())) == 0)  # Keras 3: eps guards, never NaN
        s = m.update(m.init(), t, p)
        np.testing.assert_array_equal(m.compute(m.update(s, t[:0], p[:0])), m.compute(s))


def test_nan_in_a_zero_weight_row_is_removed():
    t = np.array([[1, 0], [0, 1]], np.float32)
    p = np.array([[0.9, 0.1], [np.nan, np.nan]], np.float32)
    m = jm.F1Score(average="macro", threshold=0.5, num_classes=2)
    got = m.compute(m.update(m.init(), t, p, sample_weight=np.array([1.0, 0.0])))
    want = m.compute(m.update(m.init(), t[:1], p[:1]))
    np.testing.assert_allclose(got, want)


def test_bf16_inputs_and_soft_labels():
    bs = make(4)
    half = [(jnp.asarray(t, jnp.bfloat16), jnp.asarray(p, jnp.bfloat16), w) for t, p, w in bs]
    m = jm.F1Score(average="macro", num_classes=C)
    got = m.compute(run(m, half))
    t, p, _ = concat([(np.asarray(t, np.float32), np.asarray(p, np.float32), None) for t, p, _ in half])
    assert got.dtype == jnp.float32
    np.testing.assert_allclose(got, f1_score(t, binarise(p, None), average="macro", zero_division=0),
                               rtol=1e-5)
    soft = [(t * 0.5 + 0.25, p, w) for t, p, w in bs]  # Keras multiplies soft labels in
    want = keras_result(keras_metric("F1Score", average="micro", threshold=0.5), soft)
    m = jm.F1Score(average="micro", threshold=0.5)
    np.testing.assert_allclose(m.compute(run(m, soft)), want, rtol=1e-5)


def test_counts_stay_exact_past_2_pow_24():
    m = jm.F1Score(average="micro", threshold=0.5)
    step = jax.jit(m.update)
    t = jnp.ones((2**21, 2), jnp.float32)
    s = m.init()
    for _ in range(5):
        s = step(s, t, t)
    s = step(s, jnp.array([[1.0, 0.0]]), jnp.array([[0.0, 1.0]]))
    tp = float(s.true_positives.hi) + float(s.true_positives.lo)
    fp = float(s.false_positives.hi) + float(s.false_positives.lo)
    assert tp == 5 * 2**22 and fp == 1


# ---- options, shapes, protocol ----------------------------------------------------------------
@pytest.mark.parametrize("cls,args,match", [
    (jm.F1Score, dict(average="samples"), r"F1Score: Invalid `average` argument value. Expected one of: \{None, 'micro', 'macro', 'weighted'\}. Received: average=samples"),
    (jm.FBetaScore, dict(beta=0.0), "FBetaScore: Invalid `beta` argument value. It should be > 0. Received: beta=0.0"),
    (jm.FBetaScore, dict(beta="2"), "FBetaScore: Invalid `beta` argument value. It should be a Python float"),
    (jm.F1Score, dict(threshold=1.5), r"F1Score: Invalid `threshold` argument value. It should verify 0 < threshold <= 1. Received: threshold=1.5"),
    (jm.F1Score, dict(threshold=0.0), "F1Score: Invalid `threshold` argument value. .* Received: threshold=0.0"),
    (jm.F1Score, dict(num_classes=0), "F1Score: num_classes must be None or an int >= 1"),
])
def test_bad_options_raise(cls, args, match):
    with pytest.raises(ValueError, match=match):
        cls(**args)


def test_shape_errors_and_missing_width():
    m = jm.F1Score(num_classes=3)
    with pytest.raises(ValueError, match=r"f1_score: F1Score expects 2D inputs .* y_true and y_pred.* y_pred.shape=\(4,\) and y_true.shape=\(4,\)"):
        m.update(m.init(), np.zeros(4), np.zeros(4))
    with pytest.raises(ValueError, match=r"f1_score: y_pred must have num_classes=3 .*\(2, 4\)"):
        m.update(m.init(), np.zeros((2, 4)), np.zeros((2, 4)))
    with pytest.raises(ValueError, match=r"f1_score: sample_weight .*\(3,\)"):
        m.update(m.init(), np.zeros((2, 3)), np.zeros((2, 3)), sample_weight=np.ones(3))
    with pytest.raises(ValueError, match="FBetaScore: num_classes must be given to build a state"):
        jm.FBetaScore().init()
    assert jm.FBetaScore(average="micro").init().support.hi.shape == ()  # micro needs no width


def test_names_configs_and_shared_statistics():
    for m in (jm.F1Score(average="macro"), jm.FBetaScore(beta=2.0, threshold=0.3)):
        keras_args = {k: v for k, v in m.get_config().items() if k not in ("name", "dtype", "num_classes")}
        km = keras_metric(type(m).__name__, **keras_args)
        assert m.display_name == re.sub(r"_\d+$", "", km.name)
        assert set(km.get_config()) == set(m.get_config()) - set(type(m).jmetrics_only_options)
        assert type(m).from_config(m.get_config()) == m
    assert jm.F1Score(num_classes=3).stat_key() == jm.FBetaScore(beta=2.0, average="weighted",
                                                                 num_classes=3).stat_key()
    assert jm.F1Score(num_classes=3).stat_key() != jm.F1Score(num_classes=3, threshold=0.5).stat_key()
    assert jm.F1Score(num_classes=3).stat_key() != jm.F1Score(average="micro").stat_key()
    for bad in (dict(beta=2), dict(beta=2.0, threshold=1)):  # Keras 3 wants Python floats
        with pytest.raises(ValueError):
            keras_metric("FBetaScore", **bad)
        with pytest.raises(ValueError, match=r"FBetaScore: Invalid `(beta|threshold)` argument value. It should be a Python float. Received: (beta=2|threshold=1) of type '<class 'int'>'"):
            jm.FBetaScore(**bad)
    with pytest.raises(ValueError, match=r"F1Score: Invalid `threshold` .* Received: threshold=1 of type '<class 'int'>'"):
        jm.F1Score(threshold=1)


def test_jit_traces_once_and_vmap_equals_a_loop():
    m = jm.FBetaScore(average="weighted", beta=2.0, num_classes=C)
    step = TracedJit(lambda s, t, p, w: m.update(s, t, p, sample_weight=w))
    s = m.init()
    for t, p, w in make(5, sizes=(4, 4, 4), weights=True):
        s = step(s, t, p, w)
    assert step.traces == 1 and tree_types(s) == tree_types(m.init())
    t, p, w = (np.stack(x) for x in zip(*make(6, sizes=(4, 4, 4), weights=True), strict=True))
    stacked = jax.vmap(lambda t, p, w: m.compute(m.update(m.init(), t, p, sample_weight=w)))(t, p, w)
    loop = [m.compute(m.update(m.init(), t[k], p[k], sample_weight=w[k])) for k in range(3)]
    np.testing.assert_allclose(stacked, loop, rtol=1e-6)


SPLIT_METRIC = jm.F1Score(average=None, threshold=0.5, num_classes=C)
SPLIT_STEP = jax.jit(lambda s, t, p, w: SPLIT_METRIC.update(s, t, p, sample_weight=w))


@given(st.lists(st.integers(0, 4), min_size=1, max_size=5).filter(lambda s: sum(s) > 0),
       st.integers(0, 10_000))
def test_any_split_gives_the_same_scores(sizes, seed):
    m, step = SPLIT_METRIC, SPLIT_STEP
    bs = make(seed, sizes=tuple(sizes), weights=True)
    s = m.init()
    for t, p, w in bs:
        s = m.merge(s, step(m.init(), t, p, w))
    t, p, w = concat(bs)
    want = f1_score(t, binarise(p, 0.5), average=None, sample_weight=w, zero_division=0)
    np.testing.assert_allclose(m.compute(s), want, rtol=2e-5, atol=2e-6)
