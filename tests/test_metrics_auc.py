"""Binned AUC: Keras 3, scikit-learn and a float64 NumPy reference as oracles.

Oracles: Keras 3.15.1 ``keras.metrics.AUC`` (JAX backend) fed the same ragged batches;
scikit-learn 1.9.1 ``roc_auc_score`` where binning is exact (scores strictly inside bins); a
float64 NumPy implementation of the curve sums written from the formulas (keras-semantics.md §4.3).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import keras
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import jmetrics
import jmetrics.metrics as jm
from tests.helpers import keras_result
from tests.test_metrics_confusion import fold, largest_intermediate, padded, ragged, ref_counts, run


def keras_auc(kwargs, bs):
    return keras_result(keras.metrics.AUC(**kwargs), bs)


def ref_auc(bs, n=200, curve="ROC", method="interpolation"):
    """float64 NumPy AUC on Keras' default grid (predictions clipped, strict >)."""
    eps = 1e-7
    thr = np.array([-eps] + [(i + 1) / (n - 1) for i in range(n - 2)] + [1 + eps])
    tp, fp, tn, fn = ref_counts([(t, np.clip(p, 0, 1), w) for t, p, w in bs], thr)

    def dnn(a, b):
        return np.where(b != 0, a / np.where(b != 0, b, 1), 0.0)

    if curve == "PR" and method == "interpolation":  # Davis & Goadrich, per interval
        p = tp + fp
        dtp, dp = tp[:-1] - tp[1:], p[:-1] - p[1:]
        slope = dnn(dtp, np.maximum(dp, 0))
        intercept = tp[1:] - slope * p[1:]
        ratio = np.where((p[:-1] > 0) & (p[1:] > 0), dnn(p[:-1], p[1:]), 1.0)
        return float(np.sum(dnn(slope * (dtp + intercept * np.log(ratio)), tp[1:] + fn[1:])))
    x, y = (dnn(fp, fp + tn), dnn(tp, tp + fn)) if curve == "ROC" else (dnn(tp, tp + fn), dnn(tp, tp + fp))
    h = {"interpolation": (y[:-1] + y[1:]) / 2, "minoring": np.minimum(y[:-1], y[1:]),
         "majoring": np.maximum(y[:-1], y[1:])}[method]
    return float(np.sum((x[:-1] - x[1:]) * h))


# ---- Keras 3 -----------------------------------------------------------------------------------
CONFIGS = [{}, {"curve": "PR"}, {"curve": "pr", "summation_method": "majoring"},
           {"summation_method": "Minoring"}, {"curve": "PRGAIN"}, {"num_thresholds": 7, "curve": "PR"},
           {"thresholds": [0.25, 0.5, 0.75]}, {"thresholds": [0.6, 0.1, 0.55], "curve": "PR"},
           {"from_logits": True}]


@pytest.mark.parametrize("kwargs,weights", [(c, ("none", "sample")[i % 2]) for i, c in enumerate(CONFIGS)]
                         + [({}, "sample")], ids=str)
def test_matches_keras3(kwargs, weights):
    bs = ragged((4,), weights=weights, seed=21, grid=10)  # grid: predictions on thresholds too
    np.testing.assert_allclose(run(jm.AUC(**kwargs), bs), keras_auc(kwargs, bs), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("kwargs", [
    {"multi_label": True, "label_weights": [1, 2, 0, 3]}, {"label_weights": [1, 2, 0, 3]},
    {"multi_label": True, "num_labels": 4, "thresholds": [0.1, 0.5, 0.55], "curve": "PR"},
], ids=str)
def test_multi_label_and_label_weights_match_keras3(kwargs):
    bs = ragged((4,), weights="sample", seed=22)
    keras_kwargs = dict(kwargs)
    if "num_labels" not in kwargs and kwargs.get("multi_label"):
        keras_kwargs["num_labels"] = 4
    np.testing.assert_allclose(run(jm.AUC(**kwargs), bs), keras_auc(keras_kwargs, bs), rtol=1e-5, atol=1e-6)


def test_rank3_inputs_match_keras3():
    bs = ragged((3, 2), weights="full", seed=23)  # weights (N, 3); all elements pooled
    np.testing.assert_allclose(run(jm.AUC(curve="PR"), bs), keras_auc({"curve": "PR"}, bs), rtol=1e-5)


def test_keras3_documented_examples():
    # keras-semantics.md §4.3 [run, identical in 2.3.1 and Keras 3] for t=[0,0,1,1], p=[0,.5,.3,.9]
    t, p = np.array([0, 0, 1, 1.0]), np.array([0, 0.5, 0.3, 0.9])
    cases = [({}, 0.75), ({"curve": "PR"}, 0.797267), ({"curve": "PR", "summation_method": "majoring"},
                                                       0.833333),
             ({"curve": "PRGAIN"}, 0.25), ({"thresholds": [0.25, 0.5, 0.75]}, 0.875)]
    for kwargs, want in cases:
        m = jm.AUC(**kwargs)
        assert float(m.compute(m.update(m.init(), t, p))) == pytest.approx(want, abs=1e-6), kwargs
    m = jm.AUC()
    s = m.update(m.init(), t, p, sample_weight=np.array([1, 2, 3, 4.0]))
    assert float(m.compute(s)) == pytest.approx(0.714286, abs=1e-6)


# ---- float64 references ------------------------------------------------------------------------
@pytest.mark.parametrize("curve,method", [("ROC", "interpolation"), ("ROC", "majoring"),
                                          ("PR", "interpolation"), ("PR", "minoring")])
def test_matches_float64_reference(curve, method):
    # the batch shapes and grid of test_matches_keras3: its compiled update is reused
    bs = ragged((4,), weights="sample", seed=24)
    got = run(jm.AUC(curve=curve, summation_method=method), bs)
    np.testing.assert_allclose(got, ref_auc(bs, 200, curve, method), rtol=1e-5, atol=1e-6)


def test_roc_equals_sklearn_when_every_score_is_inside_a_bin():
    from sklearn.metrics import roc_auc_score

    r = np.random.default_rng(25)
    n = 21
    t = r.integers(0, 2, 300)
    p = ((r.integers(0, n - 1, 300) + 0.5) / (n - 1)).astype(np.float32)  # bin midpoints, many ties
    w = r.uniform(0, 2, 300)
    want = roc_auc_score(t, p, sample_weight=w)
    np.testing.assert_allclose(run(jm.AUC(num_thresholds=n), [(t, p, w.astype(np.float32))]), want, rtol=1e-5)


# ---- adversarial -------------------------------------------------------------------------------
def test_edges_follow_keras3():
    t = np.array([0, 1, 0, 1], np.float32)
    cases = {
        "constant scores": (t, np.full(4, 0.3, np.float32), {}),
        "all negative": (np.zeros(4, np.float32), np.array([0.1, 0.4, 0.6, 0.9], np.float32), {}),
        "all negative, PR": (np.zeros(4, np.float32), np.array([0.1, 0.4, 0.6, 0.9], np.float32),
                             {"curve": "PR"}),
        "all positive, PR": (np.ones(4, np.float32), np.array([0.1, 0.4, 0.6, 0.9], np.float32),
                             {"curve": "PR"}),
        "on the grid": (t, np.array([0.0, 0.5, 1.0, 0.5], np.float32), {"num_thresholds": 3}),
        "out of [0, 1]": (t, np.array([-1.0, 2.0, 0.5, 1.5], np.float32), {}),
        "extreme logits": (t, np.array([-1e4, 100.0, -100.0, 30.0], np.float32), {"from_logits": True}),
        "uneven thresholds, out of range": (t, np.array([-1.0, 2.0, 0.5, 1.5], np.float32),
                                            {"thresholds": [0.1, 0.5, 0.55]}),
    }
    for what, (yt, yp, kwargs) in cases.items():
        np.testing.assert_allclose(run(jm.AUC(**kwargs), [(yt, yp, None)]),
                                   keras_auc(kwargs, [(yt, yp, None)]), atol=1e-6, err_msg=what)
    assert float(run(jm.AUC(), [(t, np.full(4, 0.3, np.float32), None)])) == 0.5


def test_extreme_logits_equal_sklearn_on_the_sigmoid():
    from sklearn.metrics import roc_auc_score

    t = np.array([0, 1, 0, 1, 1, 0, 1], np.float32)
    z = np.array([-1e4, 80.0, -3.0, 2.0, -0.5, 1e4, -120.0], np.float32)
    # float32 sigmoid: 80 and 1e4 both give 1.0 (a tie), -1e4 and -120 give 0 or a denormal
    from scipy.special import expit

    s = expit(z.astype(np.float64)).astype(np.float32)
    got = run(jm.AUC(num_thresholds=1000, from_logits=True), [(t, z, None)])
    np.testing.assert_allclose(got, roc_auc_score(t, s), atol=1e-6)


def test_empty_state_empty_batch_and_zero_weights():
    m = jm.AUC()
    assert float(m.compute(m.init())) == 0.0  # Keras 3: no updates -> 0
    bs = ragged((1,), weights="sample", seed=26)
    s = fold(m, bs[:1])
    s2 = m.update(s, np.zeros((0, 1), np.float32), np.zeros((0, 1), np.float32))
    s3 = m.update(s2, *bs[1][:2], sample_weight=np.zeros(3, np.float32))
    jax.tree.map(np.testing.assert_array_equal, s, s3)
    assert float(m.compute(m.update(m.init(), *bs[1][:2], sample_weight=np.zeros(3)))) == 0.0


def test_bf16_inputs_and_counts_past_2_pow_24():
    r = np.random.default_rng(27)
    t, p = r.integers(0, 2, (64, 1)), r.uniform(size=(64, 1))
    pb = jnp.asarray(p, jnp.bfloat16)
    got = run(jm.AUC(), [(jnp.asarray(t, jnp.bfloat16), pb, None)])
    assert got.dtype == jnp.float32
    np.testing.assert_allclose(got, ref_auc([(t, np.asarray(pb, np.float32), None)]), rtol=1e-6)
    m = jm.AUC(num_thresholds=3)
    step = jax.jit(m.update)
    s = m.init()
    ones, w = jnp.ones((2**16, 1)), jnp.full(2**16, 16.0)
    for _ in range(17):
        s = step(s, ones, ones, w)
    s = step(s, ones[:1], ones[:1], 0.25)
    pos = np.asarray(s.pos.hi, np.float64) + np.asarray(s.pos.lo, np.float64)
    exact_tp = np.cumsum(pos[::-1])[::-1][1:]  # tp_j: the weight of positives above threshold j
    np.testing.assert_array_equal(exact_tp, [17 * 2**20 + 0.25] * 2 + [0])


def test_bad_options_and_inputs_name_the_metric():
    with pytest.raises(ValueError, match=r'auc: Invalid AUC curve value: "roc_curve". curve must be one of "ROC"'):
        jm.AUC(curve="roc_curve")
    with pytest.raises(ValueError, match=r'auc: Invalid AUC summation method value: "trapezoid". summation_method must be one of'):
        jm.AUC(summation_method="trapezoid")
    with pytest.raises(ValueError, match="auc: Argument `num_thresholds` must be an integer > 1. Received: num_thresholds=1"):
        jm.AUC(num_thresholds=1)
    with pytest.raises(ValueError, match=r"auc: num_labels must be given when multi_label=True "
                                         r"to build a state with init\(\); got num_labels=None"):
        jm.AUC(multi_label=True).init()
    with pytest.raises(ValueError, match="auc: num_labels is needed only when multi_label=True"):
        jm.AUC(num_labels=3)
    with pytest.raises(ValueError, match="my_auc: label_weights must be a list of non-negative"):
        jm.AUC(label_weights=[1, -1], name="my_auc")
    m = jm.AUC(multi_label=True, num_labels=3)
    with pytest.raises(ValueError, match=r"auc: y_pred must have shape \(N, num_labels=3\) .* \(4, 3, 1\)"):
        m.update(m.init(), np.zeros((4, 3, 1)), np.zeros((4, 3, 1)))


# ---- protocol ----------------------------------------------------------------------------------
def test_stat_key_shares_counts_between_curves_only():
    roc, pr = jm.AUC(), jm.AUC(curve="PR", summation_method="majoring", name="pr")
    assert roc.stat_key() == pr.stat_key() is not None
    bs = ragged((1,), sizes=(6,), weights="sample", seed=28)
    jax.tree.map(np.testing.assert_array_equal, fold(roc, bs), fold(pr, bs))
    others = [jm.AUC(from_logits=True), jm.AUC(num_thresholds=50), jm.AUC(label_weights=[2.0]),
              jm.AUC(multi_label=True, num_labels=1), jm.AUC(thresholds=[0.3])]
    assert len({roc.stat_key(), *(o.stat_key() for o in others)}) == 6
    # multi-label AUCs differ only in how they average: one state
    assert (jm.AUC(multi_label=True, num_labels=2).stat_key()
            == jm.AUC(multi_label=True, num_labels=2, label_weights=[1, 3]).stat_key())


def test_names_configs_and_keras_round_trip():
    assert jm.AUC().display_name == "auc"  # Keras 3 default name (History key)
    m = jm.AUC(curve="pr", summation_method="Majoring", thresholds=[0.5, 0.2], label_weights=[1, 2])
    assert m.curve == "PR" and m.summation_method == "majoring" and m.thresholds == [-1e-7, 0.2, 0.5, 1 + 1e-7]
    assert m.num_thresholds == 4 and m.get_config()["thresholds"] == [0.2, 0.5]
    assert jm.AUC.from_config(m.get_config()) == m and hash(m) == hash(jm.AUC.from_config(m.get_config()))
    k = keras.metrics.AUC(num_thresholds=17, curve="PR", multi_label=True, num_labels=3, from_logits=True)
    ours = jmetrics.deserialize(keras.metrics.serialize(k))
    assert ours == jm.AUC(num_thresholds=17, curve="PR", multi_label=True, num_labels=3,
                          from_logits=True, name=k.name)
    assert len(jm.AUC().init().pos.hi) == 201 and jm.AUC(thresholds=[0.5]).init().pos.hi.shape == (4,)
    ml = MultiLabelAUC(**MultiLabelAUC.example_args)
    assert ml.init().pos.hi.shape == (201, 4)
    assert jax.tree.structure(jax.eval_shape(ml.init)) == jax.tree.structure(ml.init())


def test_update_never_builds_a_thresholds_by_samples_array():
    n = 4096
    for m in (jm.AUC(), jm.AUC(thresholds=list(np.linspace(0.01, 0.9, 40)) + [0.95])):
        jaxpr = jax.make_jaxpr(m.update)(m.init(), jnp.zeros(n), jnp.zeros(n), jnp.ones(n))
        assert largest_intermediate(jaxpr.jaxpr) <= 2 * n  # O(N + T), never T x N
    m = jm.AUC(multi_label=True, num_labels=8)
    jaxpr = jax.make_jaxpr(m.update)(m.init(), jnp.zeros((n, 8)), jnp.zeros((n, 8)))
    assert largest_intermediate(jaxpr.jaxpr) <= 2 * n * 8


SPLIT = jm.AUC(num_thresholds=20, multi_label=True, num_labels=2, curve="PR")
SPLIT_STEP = jax.jit(lambda t, p, w: SPLIT.update(SPLIT.init(), t, p, sample_weight=w))
SPLIT_MERGE = jax.jit(SPLIT.merge)
SPLIT_COMPUTE = jax.jit(SPLIT.compute)


@given(st.lists(st.integers(0, 6), min_size=1, max_size=5), st.integers(0, 10_000))
def test_any_split_gives_the_same_multi_label_auc(sizes, seed):
    r = np.random.default_rng(seed)
    n = sum(sizes)
    t, p = r.integers(0, 2, (n, 2)).astype(np.float32), r.uniform(size=(n, 2)).astype(np.float32)
    w = r.uniform(0, 2, n).astype(np.float32)
    s, i = SPLIT.init(), 0
    for k in sizes:  # each part folded on its own (padded with weight 0), then merged
        s = SPLIT_MERGE(s, SPLIT_STEP(*(padded(x[i:i + k], k) for x in (t, p, w))))
        i += k
    want = np.mean([ref_auc([(t[:, j], p[:, j], w)], 20, "PR") for j in range(2)])
    np.testing.assert_allclose(SPLIT_COMPUTE(s), want, rtol=1e-5, atol=1e-6)


def test_vmap_equals_a_loop_over_models():
    # K models' predictions in one pass (the engine's leading model axis)
    r = np.random.default_rng(29)
    t = r.integers(0, 2, (3, 40, 2)).astype(np.float32)
    p = r.uniform(size=(3, 40, 2)).astype(np.float32)
    for m in (jm.AUC(curve="PR"), jm.AUC(multi_label=True, num_labels=2),
              jm.Precision(thresholds=[0.3, 0.6], top_k=1)):
        def one(a, b, m=m):
            return m.compute(m.update(m.init(), a, b))

        got = jax.jit(jax.vmap(one))(t, p)
        want = [jax.jit(one)(a, b) for a, b in zip(t, p, strict=True)]
        np.testing.assert_allclose(got, np.stack(want), rtol=1e-6)


class MultiLabelAUC(jm.AUC):
    """AUC(multi_label=True) through the registry laws of tests/test_common.py."""

    example_args = {"multi_label": True, "num_labels": 4}  # noqa: RUF012 - read-only
    input_kind = "multilabel"


@pytest.mark.parametrize("law", ["test_jitted_update_traces_once_per_shape_and_equals_eager",
                                 "test_merge_laws_and_split_invariance",
                                 "test_weight_zero_equals_removing_rows_and_empty_batch_changes_nothing"])
def test_multi_label_auc_obeys_the_common_laws(law):
    from tests import test_common

    getattr(test_common, law)(MultiLabelAUC)


def test_multi_label_auc_matches_keras3_on_the_common_batches():
    from tests import test_common

    bs = test_common.batches(MultiLabelAUC, sizes=(6, 3, 6), weighted=True, seed=3)  # as ragged
    want = keras_auc(MultiLabelAUC.example_args, bs)
    np.testing.assert_allclose(run(MultiLabelAUC(**MultiLabelAUC.example_args), bs), want, rtol=1e-5, atol=1e-6)


# ---- multi-label AUC without num_labels: the first eager batch fixes it (Keras 3) --------------
MULTI = [dict(num_thresholds=5), dict(num_thresholds=5, curve="PR"), dict(from_logits=True),
         dict(thresholds=[0.3, 0.6], curve="PR", summation_method="majoring")]


def multi_label_batches(seed, labels=3):
    r = np.random.default_rng(seed)
    return [(r.integers(0, 2, (n, labels)), r.random((n, labels), dtype=np.float32),
             r.random(n, dtype=np.float32)) for n in (6, 5)]


@pytest.mark.parametrize("kwargs", MULTI)
def test_multi_label_width_from_the_first_eager_batch_as_keras(kwargs):
    bs = multi_label_batches(3)
    m = jm.AUC(multi_label=True, **kwargs)
    for t, p, w in bs:
        m.update_state(t, p, w)
    np.testing.assert_allclose(m.result(), keras_auc(dict(multi_label=True, **kwargs), bs), rtol=1e-5)
    assert m.state.pos.hi.shape[1] == 3
    m.reset_state()  # the width stays, as Keras keeps its built variables
    km = keras.metrics.AUC(multi_label=True, **kwargs)
    km.update_state(*bs[0][:2])
    km.reset_state()
    np.testing.assert_array_equal(m.true_positives, km.true_positives)  # zeros of (T, 3)
    np.testing.assert_allclose(m.result(), km.result())
    t, p, w = multi_label_batches(4)[0]
    np.testing.assert_allclose(m(t, p), km(t, p), rtol=1e-5)
    with pytest.raises(ValueError, match=r"auc: y_pred must have shape \(N, num_labels=3\)"):
        m.update_state(*multi_label_batches(4, labels=2)[0][:2])


def test_multi_label_without_num_labels_in_a_collection_and_evaluate():
    bs = multi_label_batches(5)
    expected = keras_auc(dict(multi_label=True, curve="PR"), bs)
    coll = jmetrics.Collection([jm.AUC(multi_label=True, curve="PR", name="pr")])
    for t, p, w in bs:
        coll.update_state(t, p, sample_weight=w)
    np.testing.assert_allclose(coll.result()["pr"], expected, rtol=1e-5)
    t, p, w = (np.concatenate(x) for x in zip(*bs, strict=True))
    out = jmetrics.evaluate(t, p, [jm.AUC(multi_label=True, curve="PR", name="pr")],
                            sample_weight=w, progress=False)
    np.testing.assert_allclose(out["pr"], expected, rtol=1e-5)


def test_multi_label_first_batch_of_rank_other_than_2_raises_as_keras():
    with pytest.raises(ValueError, match="must have rank 2 when `multi_label=True`"):
        keras.metrics.AUC(multi_label=True).update_state(np.zeros(4), np.zeros(4))
    with pytest.raises(ValueError, match=r"^auc: `y_pred` must have rank 2 when `multi_label=True`. "
                                         r"Found rank 1. Full shape received for `y_pred`: \(4,\)"):
        jm.AUC(multi_label=True).update_state(np.zeros(4), np.zeros(4))
