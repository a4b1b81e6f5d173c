"""Confusion counts, Precision/Recall and the *At* family: Keras 3 and float64 NumPy as oracles.

Oracles: Keras 3.15.1 (JAX backend) fed the same ragged batches; a float64 NumPy count written
from the definition (label ``y != 0``, prediction ``p > t``, all elements pooled); scikit-learn
1.9.1 for precision/recall at one threshold.
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import keras
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import jmetrics
import jmetrics.metrics as jm
from jmetrics.metrics._thresholds import ConfusionCounts
from tests.helpers import TracedJit, keras_result

COUNTS = ["TruePositives", "FalsePositives", "TrueNegatives", "FalseNegatives"]
AT = {"SensitivityAtSpecificity": "specificity", "SpecificityAtSensitivity": "sensitivity",
      "PrecisionAtRecall": "recall", "RecallAtPrecision": "precision"}


def ragged(shape, sizes=(6, 3, 6), seed=0, weights="none", grid=None):
    """Ragged batches ``(y_true, y_pred, w)``; ``weights`` 'none', 'sample' (N,) or 'full'."""
    r = np.random.default_rng(seed)
    out = []
    for n in sizes:
        sh = (n, *shape)
        t = r.integers(0, 2, sh).astype(np.float32)
        p = r.uniform(size=sh).astype(np.float32)
        if grid:
            p = (np.round(p * grid) / grid).astype(np.float32)
        w = {"none": None, "sample": r.uniform(0, 2, n), "full": r.uniform(0, 2, sh[:-1] or sh)}[weights]
        out.append((t, p, None if w is None else w.astype(np.float32)))
    return out


@functools.partial(jax.jit, static_argnums=0)
def fold(metric, bs):
    """The state after the batches (one compile for the whole ragged stream)."""
    s = metric.init()
    for t, p, w in bs:
        s = metric.update(s, t, p, sample_weight=w)
    return s


_CANONICAL: dict = {}


def state(metric, bs):
    """The folded state, compiled once per statistic: metrics with equal ``stat_key`` promise
    identical updates (checked in test_equal_stat_keys_mean_identical_states)."""
    return fold(_CANONICAL.setdefault(metric.stat_key(), metric), bs)


def run(metric, bs):
    return metric.compute(state(metric, bs))


def exact_counts(state):
    """float64 (tp, fp, tn, fn) per sorted threshold from a state's per-bin label weights."""
    pos, neg = (np.asarray(k.hi, np.float64) + np.asarray(k.lo, np.float64) for k in state)
    above = [np.cumsum(x[::-1], axis=0)[::-1][1:] for x in (pos, neg)]
    below = [np.cumsum(x, axis=0)[:-1] for x in (pos, neg)]
    return above[0], above[1], below[1], below[0]


def exact_tp(state):
    return exact_counts(state)[0]


def ref_counts(bs, thresholds):
    """float64 NumPy: (tp, fp, tn, fn) per threshold, weights aligned from the left."""
    thr = np.asarray(thresholds, np.float32).astype(np.float64)
    acc = np.zeros((4, len(thr)))
    for t, p, w in bs:
        w = np.ones(p.shape) if w is None else np.asarray(w, np.float64).reshape(
            w.shape + (1,) * (p.ndim - w.ndim)) * np.ones(p.shape)
        pos = (t != 0).reshape(-1)
        above = p.reshape(-1, 1).astype(np.float64) > thr
        w = w.reshape(-1, 1)
        acc += [(w * (pos[:, None] & above)).sum(0), (w * (~pos[:, None] & above)).sum(0),
                (w * (~pos[:, None] & ~above)).sum(0), (w * (pos[:, None] & ~above)).sum(0)]
    return acc


def keras_of(name, kwargs, bs):
    return keras_result(getattr(keras.metrics, name)(**kwargs), bs)


# ---- against float64 NumPy (any thresholds, any rank, weights) -------------------------------
@pytest.mark.parametrize("thresholds,shape,weights", [
    (None, (1,), "sample"), (0.3, (), "none"), ([0.7, 0.25, 0.5], (4,), "sample"),
    (list(np.linspace(0, 1, 11)), (3, 4), "full"), (list(np.linspace(0.05, 0.95, 19)), (3, 4), "sample"),
    (list(np.linspace(0, 1, 11)), (1,), "none")], ids=lambda x: str(np.round(x, 2).tolist())
    if isinstance(x, list) else str(x))
def test_counts_and_rates_match_float64_reference(thresholds, shape, weights):
    bs = ragged(shape, weights=weights, seed=len(shape))
    tp, fp, tn, fn = ref_counts(bs, [0.5] if thresholds is None else np.atleast_1d(thresholds))
    want = {"TruePositives": tp, "FalsePositives": fp, "TrueNegatives": tn, "FalseNegatives": fn,
            "Precision": tp / np.where(tp + fp > 0, tp + fp, 1), "Recall": tp / (tp + fn)}
    metrics = {name: getattr(jm, name)(thresholds=thresholds) for name in want}
    assert len({m.stat_key() for m in metrics.values()}) == 1  # one statistic for all six
    for name, value in want.items():
        got = np.atleast_1d(np.asarray(run(metrics[name], bs)))
        np.testing.assert_allclose(got, value, rtol=1e-5, atol=1e-5, err_msg=name)


def test_precision_recall_equal_sklearn_at_one_threshold():
    from sklearn.metrics import precision_score, recall_score

    bs = ragged((1,), weights="sample", seed=5)
    t, p, w = (np.concatenate(x) for x in zip(*bs, strict=True))
    for cls, fn in ((jm.Precision, precision_score), (jm.Recall, recall_score)):
        want = fn(t.ravel() != 0, p.ravel() > 0.4, sample_weight=w, zero_division=0)
        np.testing.assert_allclose(float(run(cls(thresholds=0.4), bs)), want, rtol=1e-5)


# ---- against Keras 3 ---------------------------------------------------------------------------
CONFIGS = [{}, {"thresholds": [0.0, 0.5, 1.0]}, {"thresholds": [0.7, 0.25, 0.5, 0.3]},
           {"thresholds": list(np.linspace(0, 1, 11))}]


@pytest.mark.parametrize("kwargs,weights", [(c, ("sample", "none")[i % 2]) for i, c in enumerate(CONFIGS)],
                         ids=str)
def test_matches_keras3(kwargs, weights):
    bs = ragged((4,), weights=weights, seed=1, grid=8)  # grid: many predictions on thresholds
    for name in [*COUNTS, "Precision", "Recall"]:
        got = np.asarray(run(getattr(jm, name)(**kwargs), bs))
        # Keras 3 gets tn and fn by subtraction on evenly spaced thresholds (-3e-6 instead of 0).
        np.testing.assert_allclose(got, keras_of(name, kwargs, bs), rtol=1e-5, atol=2e-5,
                                   err_msg=name)


@pytest.mark.parametrize("name,kwargs", [
    ("Precision", {"top_k": 2}), ("Precision", {"top_k": 2, "class_id": 3}),
    ("Recall", {"top_k": 1, "thresholds": [0.3, 0.6]}),
    ("Precision", {"class_id": 2, "thresholds": [0.0, 0.5, 1.0]})], ids=str)
def test_top_k_and_class_id_match_keras3(name, kwargs):
    bs = ragged((5,), weights="sample", seed=2)
    bs[0][1][0] = [0.5, 0.5, 0.5, 0.1, 0.5]  # ties in the top-k go to the lower index
    np.testing.assert_allclose(run(getattr(jm, name)(**kwargs), bs), keras_of(name, kwargs, bs),
                               rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("extra,weights", [({}, "sample"), ({}, "none"), ({"num_thresholds": 1}, "sample"),
                                           ({"num_thresholds": 2}, "none"), ({"num_thresholds": 7}, "sample"),
                                           ({"class_id": 2}, "sample")], ids=str)
def test_at_family_matches_keras3(extra, weights):
    shape = (3,) if "class_id" in extra else (1,)
    bs = ragged(shape, weights=weights, seed=4, grid=6)
    # Value 1.0 with float weights is left out: Keras 3 gets fn by subtraction (total - tp), so a
    # recall that is exactly 1 comes out 1 - 1e-7 and fails ">= 1"; see the float64 test below.
    values = (0.4, 0.8, 1.0) if weights == "none" else (0.4, 0.8)
    for name in AT:
        for value in values:
            kwargs = {AT[name]: value, **extra}
            np.testing.assert_allclose(run(getattr(jm, name)(**kwargs), bs),
                                       keras_of(name, kwargs, bs), rtol=1e-5, atol=1e-6,
                                       err_msg=f"{name} {kwargs}")


def test_at_family_matches_float64_reference_at_the_edges():
    bs = ragged((1,), weights="sample", seed=4, grid=6)
    thr = np.linspace(0, 1, 7)
    tp, fp, tn, fn = ref_counts([(t, np.clip(p, 0, 1), w) for t, p, w in bs], thr)
    sens, spec, prec = tp / (tp + fn), tn / (tn + fp), tp / np.where(tp + fp > 0, tp + fp, 1)
    pairs = {"SensitivityAtSpecificity": (spec, sens), "SpecificityAtSensitivity": (sens, spec),
             "PrecisionAtRecall": (sens, prec), "RecallAtPrecision": (prec, sens)}
    for name, (con, dep) in pairs.items():
        for value in (0.0, 1.0, float(con[3])):
            want = max([d for c, d in zip(con, dep, strict=True) if c >= value], default=0.0)
            got = run(getattr(jm, name)(value, num_thresholds=7), bs)
            np.testing.assert_allclose(got, want, rtol=1e-5, err_msg=f"{name} {value}")


def test_keras3_documented_examples():
    # keras-semantics.md §4.3 [run, Keras 3] on t=[0,0,0,1,1], p=[0,.3,.8,.3,.8]
    t, p = np.array([0, 0, 0, 1, 1.0]), np.array([0, 0.3, 0.8, 0.3, 0.8])
    want = {"SensitivityAtSpecificity": 0.5, "SpecificityAtSensitivity": 0.6667,
            "PrecisionAtRecall": 0.5}
    for name, value in want.items():
        m = getattr(jm, name)(0.5)
        assert float(run(m, [(t, p, None)])) == pytest.approx(value, abs=1e-4)
    m = jm.RecallAtPrecision(1.0)  # infeasible -> 0
    assert float(run(m, [(t, p, None)])) == 0.0


# ---- adversarial inputs ------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs", [{}, {"thresholds": [0.0, 0.25, 0.5, 0.75, 1.0]},
                                    {"thresholds": [0.25, 0.5]}], ids=str)
def test_predictions_exactly_at_thresholds_are_negative(kwargs):
    t = np.ones(5, np.float32)
    p = np.array([0.0, 0.25, 0.5, 0.75, 1.0], np.float32)
    thr = np.atleast_1d(kwargs.get("thresholds", 0.5))
    want = (p[:, None] > thr).sum(0)  # strict >: a prediction equal to t is negative
    got = np.atleast_1d(run(jm.TruePositives(**kwargs), [(t, p, None)]))
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(got, np.atleast_1d(keras_of("TruePositives", kwargs, [(t, p, None)])))


def test_out_of_range_predictions_follow_keras_paths():
    # Uneven thresholds compare unclipped (p=2 > 0.5); evenly spaced ones clip p to [0, 1] first.
    # inf is ordered like any score (Keras 3 clips it on the even grid, compares it elsewhere).
    # (A NaN prediction is bad input: tests/test_metrics_validate.py.)
    t = np.array([1, 1, 1, 0, 1, 0], np.float32)
    p = np.array([-1.0, 2.0, 0.7, np.inf, -np.inf, 0.2], np.float32)
    for kwargs in ({}, {"thresholds": [0.0, 0.5, 1.0]}, {"thresholds": list(np.linspace(0.05, 0.95, 19))}):
        for name in ("TruePositives", "FalsePositives"):
            np.testing.assert_array_equal(run(getattr(jm, name)(**kwargs), [(t, p, None)]),
                                          keras_of(name, kwargs, [(t, p, None)]), err_msg=name)


def test_all_negative_batch_constant_scores_and_empty_state():
    t, p = np.zeros((6, 1), np.float32), np.full((6, 1), 0.7, np.float32)
    for name in ("Precision", "Recall", *COUNTS):
        kwargs = {"thresholds": [0.3, 0.7, 0.9]}
        np.testing.assert_allclose(run(getattr(jm, name)(**kwargs), [(t, p, None)]),
                                   keras_of(name, kwargs, [(t, p, None)]), atol=1e-6)
    assert float(jm.Precision().compute(jm.Precision().init())) == 0.0  # Keras 3: 0
    assert float(jm.SensitivityAtSpecificity(0.5).compute(jm.SensitivityAtSpecificity(0.5).init())) == 0.0


def test_empty_batch_and_all_zero_weights_change_nothing():
    m = jm.Recall(thresholds=[0.2, 0.6])
    step = jax.jit(m.update)  # one program per batch shape (eagerly: one per operation)
    bs = ragged((2,), weights="sample", seed=3)
    s = step(m.init(), *bs[0][:2], bs[0][2])
    s2 = step(s, np.zeros((0, 2), np.float32), np.zeros((0, 2), np.float32))
    s3 = step(s2, *bs[1][:2], np.zeros(3, np.float32))
    jax.tree.map(np.testing.assert_array_equal, s, s3)
    zero = step(m.init(), *bs[1][:2], np.zeros(3, np.float32))
    np.testing.assert_array_equal(m.compute(zero), [0.0, 0.0])


def test_bf16_inputs_count_their_own_values():
    r = np.random.default_rng(7)
    t, p = r.integers(0, 2, (64, 3)), r.uniform(size=(64, 3))
    pb = jnp.asarray(p, jnp.bfloat16)
    m = jm.Precision(thresholds=[0.25, 0.5])
    got = m.compute(m.update(m.init(), jnp.asarray(t, jnp.bfloat16), pb))
    tp, fp, _, _ = ref_counts([(t, np.asarray(pb, np.float32), None)], [0.25, 0.5])
    assert got.dtype == jnp.float32
    np.testing.assert_allclose(got, tp / (tp + fp), rtol=1e-6)


def test_rank3_inputs_match_keras3_and_per_sample_weights_align_left():
    bs = ragged((3, 4), weights="full", seed=8)  # weights (N, 3): Keras broadcasts them fine
    kwargs = {"thresholds": [0.2, 0.6]}
    np.testing.assert_allclose(run(jm.Precision(**kwargs), bs), keras_of("Precision", kwargs, bs), rtol=1e-5)
    tp, _, _, fn = ref_counts([(t[..., 1:2], p[..., 1:2], w) for t, p, w in bs], [0.5])
    np.testing.assert_allclose(run(jm.Recall(class_id=1), bs), tp[0] / (tp[0] + fn[0]), rtol=1e-5)
    # (N,) weights on rank 3: each sample's weight covers its elements (Keras 3 cannot broadcast).
    bs = ragged((3, 4), weights="sample", seed=9)
    tp, fp, _, _ = ref_counts(bs, [0.4])
    np.testing.assert_allclose(run(jm.Precision(thresholds=0.4), bs), tp[0] / (tp[0] + fp[0]), rtol=1e-5)


def test_counts_stay_exact_past_2_pow_24():
    m = jm.TruePositives(thresholds=[0.5, 0.6])
    step = jax.jit(m.update)
    s = m.init()
    ones, w = jnp.ones((2**16, 1), jnp.float32), jnp.full(2**16, 16.0)
    for _ in range(17):  # 17 * 2**20 > 2**24 in total weight
        s = step(s, ones, ones, w)
    s = step(s, ones[:1], ones[:1], 0.25)  # below float32's spacing (2.0) at this size
    np.testing.assert_array_equal(exact_tp(s), 17 * 2**20 + 0.25)


def test_bad_options_and_inputs_name_the_metric():
    with pytest.raises(ValueError, match=r"precision: Threshold values must be in \[0, 1\]. Received: \[1.5\] \(thresholds=\[0.5, 1.5\]\)"):
        jm.Precision(thresholds=[0.5, 1.5])
    with pytest.raises(ValueError, match="recall: Argument `top_k` must be an integer > 0 or None. Received: top_k=0"):
        jm.Recall(top_k=0)
    with pytest.raises(ValueError, match=r"sensitivity_at_specificity: Argument `specificity` must be in the range \[0, 1\]. Received: specificity=1.5"):
        jm.SensitivityAtSpecificity(1.5)
    with pytest.raises(ValueError, match="precision_at_recall: Argument `num_thresholds` must be an integer > 0. Received: num_thresholds=0"):
        jm.PrecisionAtRecall(0.5, num_thresholds=0)
    with pytest.raises(ValueError, match=r"precision: class_id must index .* \(4, 3\)"):
        jm.Precision(class_id=3).update(jm.Precision(class_id=3).init(), np.zeros((4, 3)), np.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"precision: top_k must be at most .* \(4, 3\)"):
        jm.Precision(top_k=4).update(jm.Precision(top_k=4).init(), np.zeros((4, 3)), np.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"true_positives: y_true and y_pred .* \(4, 2\) and \(4, 3\)"):
        jm.TruePositives().update(jm.TruePositives().init(), np.zeros((4, 2)), np.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"true_positives: sample_weight must broadcast .* \(3,\)"):
        jm.TruePositives().update(jm.TruePositives().init(), np.zeros((4, 2)), np.zeros((4, 2)),
                                  sample_weight=np.ones(3))


# ---- protocol: sharing, configs, names, no T x N, jit ---------------------------------------
def test_equal_stat_keys_mean_identical_states():
    bs = ragged((3,), sizes=(6,), weights="sample", seed=11)
    groups = [[jm.Precision(thresholds=[0.2, 0.7]), jm.Recall(thresholds=(0.2, 0.7), name="r"),
               jm.FalseNegatives(thresholds=[0.2, 0.7])],
              [jm.TruePositives(thresholds=[0.0, 0.5, 1.0]), jm.SensitivityAtSpecificity(0.5, 3)],
              [jm.Precision(top_k=2), jm.Recall(top_k=2)]]
    for group in groups:
        assert len({m.stat_key() for m in group}) == 1 and group[0].stat_key() is not None
        states = [fold(m, bs) for m in group]
        for s in states[1:]:
            jax.tree.map(np.testing.assert_array_equal, states[0], s)
    keys = {g[0].stat_key() for g in groups} | {jm.Precision(class_id=1).stat_key(),
                                                 jm.Precision(thresholds=0.7).stat_key()}
    assert len(keys) == 5


def test_state_layout_names_and_configs():
    m = jm.Precision(thresholds=[0.3, 0.6])
    s = m.init()
    assert isinstance(s, ConfusionCounts) and s.pos.hi.shape == (3,) and s.pos.hi.dtype == jnp.float32
    # Keras 3 default names (History keys), confusion_metrics.py: snake_case of the class name
    for c in [*COUNTS, "Precision", "Recall", *AT]:
        want = "".join("_" + ch.lower() if ch.isupper() else ch for ch in c).lstrip("_")
        assert getattr(jm, c)(**({AT[c]: 0.5} if c in AT else {})).display_name == want
    k = keras.metrics.Precision(thresholds=[0.3, 0.6], top_k=2, class_id=1, name="p")
    ours = jmetrics.deserialize(keras.metrics.serialize(k))
    assert ours == jm.Precision(thresholds=(0.3, 0.6), top_k=2, class_id=1, name="p")
    k = keras.metrics.SpecificityAtSensitivity(0.4, num_thresholds=9, class_id=2)
    ours = jmetrics.deserialize(keras.metrics.serialize(k))
    assert ours == jm.SpecificityAtSensitivity(0.4, 9, 2, name=k.name)
    assert jm.TruePositives.from_config(jm.TruePositives(0.3).get_config()) == jm.TruePositives(0.3)


def largest_intermediate(jaxpr) -> int:
    """The largest array any equation of a jaxpr (and its sub-jaxprs) produces."""
    best = 0
    for e in jaxpr.eqns:
        best = max([best, *(int(np.prod(v.aval.shape)) for v in e.outvars)])
        for param in e.params.values():
            for sub in param if isinstance(param, (list, tuple)) else [param]:
                inner = getattr(sub, "jaxpr", sub)
                if hasattr(inner, "eqns"):
                    best = max(best, largest_intermediate(inner))
    return best


def test_update_never_builds_a_thresholds_by_samples_array():
    n, m = 4096, jm.SensitivityAtSpecificity(0.5, num_thresholds=200)
    for metric in (m, jm.Precision(thresholds=list(np.linspace(0.01, 0.9, 50)))):
        jaxpr = jax.make_jaxpr(metric.update)(metric.init(), jnp.zeros(n), jnp.zeros(n), jnp.ones(n))
        assert largest_intermediate(jaxpr.jaxpr) <= 2 * n  # O(N + T), never T x N


def test_eager_face_and_jit_trace_once():
    m = jm.Recall(thresholds=[0.2, 0.6])
    bs = ragged((2,), sizes=(4, 4, 4), weights="sample", seed=12)
    for t, p, w in bs:
        m.update_state(t, p, sample_weight=w)
    np.testing.assert_allclose(m.result(), keras_of("Recall", {"thresholds": [0.2, 0.6]}, bs), rtol=1e-5)
    step = TracedJit(lambda s, t, p, w: m.update(s, t, p, sample_weight=w))
    s = m.init()
    for t, p, w in bs:
        s = step(s, t, p, w)
    assert step.traces == 1


SPLIT = jm.Precision(thresholds=[0.1, 0.5, 0.9], class_id=1)
SPLIT_STEP = jax.jit(lambda t, p, w: SPLIT.update(SPLIT.init(), t, p, sample_weight=w))
SPLIT_MERGE = jax.jit(SPLIT.merge)


def padded(x, k, size=6):
    """Rows padded to ``size`` (weight 0, as the engine pads), so one compile serves every split."""
    return np.concatenate([x, np.zeros((size - k, *x.shape[1:]), x.dtype)])


@given(st.lists(st.integers(0, 6), min_size=1, max_size=5), st.integers(0, 10_000))
def test_any_split_gives_the_same_counts(sizes, seed):
    r = np.random.default_rng(seed)
    n = sum(sizes)
    t, p = r.integers(0, 2, (n, 3)).astype(np.float32), r.uniform(size=(n, 3)).astype(np.float32)
    w = r.uniform(0, 2, n).astype(np.float32)
    s, i = SPLIT.init(), 0
    for k in sizes:  # each part folded on its own, then merged
        part = (padded(x[i:i + k], k) for x in (t, p, w))
        s = SPLIT_MERGE(s, SPLIT_STEP(*part))
        i += k
    tp, fp, _, _ = ref_counts([(t[:, 1:2], p[:, 1:2], w)], [0.1, 0.5, 0.9])
    want = tp / np.where(tp + fp > 0, tp + fp, 1)
    np.testing.assert_allclose(SPLIT.compute(s), want, rtol=1e-5, atol=1e-6)


def test_one_huge_batch_keeps_its_counts(monkeypatch):
    from jmetrics.metrics._state import ksum_add

    # Unweighted counts are int32 in a batch and enter the state as two exact float parts.
    k = ksum_add(jm.TruePositives(thresholds=[0.5, 0.6]).init().pos, jnp.array([2**24 + 1, 3, 0], jnp.int32))
    np.testing.assert_array_equal(np.asarray(k.hi, np.float64) + np.asarray(k.lo, np.float64), [2**24 + 1, 3, 0])
    # Bins are counted over row blocks (tiny blocks here, so every path runs: the block loop and
    # the tail block, int32 counts unweighted and compensated float sums weighted).
    from jmetrics.metrics import _blocks

    monkeypatch.setattr(_blocks, "BLOCK", 4)
    for weights in ("none", "sample"):
        bs = ragged((1,), sizes=(150,), weights=weights, seed=13)
        ref = ref_counts(bs, [0.2, 0.5])
        for cls, want in zip((jm.TruePositives, jm.FalsePositives, jm.TrueNegatives,
                              jm.FalseNegatives), ref, strict=True):
            m = cls(thresholds=[0.2, 0.5])
            s = m.update(m.init(), *bs[0][:2], sample_weight=bs[0][2])
            np.testing.assert_allclose(m.compute(s), want, rtol=1e-6)
    # multi-label: blocks hold whole rows, so the label of an element is its position mod L
    bs = ragged((3,), sizes=(41,), seed=14)
    m = jm.AUC(num_thresholds=5, multi_label=True, num_labels=3)
    s = m.update(m.init(), bs[0][0], bs[0][1])
    t, p, _ = bs[0]
    for j in range(3):
        want = ref_counts([(t[:, j:j + 1], p[:, j:j + 1], None)], [-1e-7, 0.25, 0.5, 0.75, 1 + 1e-7])
        got = [np.asarray(c)[:, j] for c in exact_counts(s)]
        np.testing.assert_array_equal(got, want)


# ---- Keras' count variables on the eager face ---------------------------------------------------
KERAS_COUNTS = {"Precision": ("true_positives", "false_positives"),
                "Recall": ("true_positives", "false_negatives")}
FOUR = ("true_positives", "false_positives", "true_negatives", "false_negatives")


@pytest.mark.parametrize("name,args", [
    ("Precision", dict(thresholds=[0.3, 0.7])), ("Recall", dict(top_k=2, thresholds=0.4)),
    ("Precision", dict(class_id=1)), ("SensitivityAtSpecificity", dict(specificity=0.5)),
    ("RecallAtPrecision", dict(precision=0.6, num_thresholds=7)),
    ("AUC", dict(num_thresholds=9)), ("AUC", dict(multi_label=True, thresholds=[0.2, 0.5])),
])
def test_count_attributes_hold_what_keras_variables_hold(name, args):
    bs = ragged((4,), weights="sample")
    m, km = getattr(jm, name)(**args), getattr(keras.metrics, name)(**args)
    for t, p, w in bs:
        m.update_state(t, p, sample_weight=w)
        km.update_state(t, p, sample_weight=w)
    for attr in KERAS_COUNTS.get(name, FOUR):
        # atol: Keras sums in float32 without compensation (1.7e-6 where the exact count is 0)
        np.testing.assert_allclose(getattr(m, attr), getattr(km, attr), rtol=1e-5, atol=1e-5)
    m.reset_state()
    km.reset_state()
    np.testing.assert_array_equal(m.true_positives, km.true_positives)
