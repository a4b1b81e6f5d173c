"""Packed: the wrapped metric's values, merges and reductions, with its state in a few flat buffers.

Oracles: Keras 3.15.1 (JAX backend) for the training collection's members fed the same batches,
and the wrapped metric itself for merges and cross-device reductions (under ``jax.vmap`` with an
axis name, which runs the same collectives as a mesh axis). The common laws
(tests/test_common.py) hold ``Packed``'s registry example; here every kind of state is packed.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import keras
import numpy as np
import pytest

import jmetrics
import jmetrics.metrics as jm
from jmetrics.testing import check_metric
from tests.helpers import keras_result, tree_types


def binary_batches(sizes=(12, 5, 12), width=10, seed=0, weighted=True):
    out = []
    for i, n in enumerate(sizes):
        r = np.random.default_rng(seed + i)
        t = r.integers(0, 2, (n, width)).astype(np.float32)
        p = r.uniform(size=(n, width)).astype(np.float32)
        w = r.uniform(0, 2, n).astype(np.float32) if weighted else None
        out.append((t, p, w))
    return out


def regression_batches(sizes=(6, 4, 5), width=3, seed=0):
    out = []
    for i, n in enumerate(sizes):
        r = np.random.default_rng(seed + i)
        t = r.normal(size=(n, width)).astype(np.float32)
        out.append((t, (t + r.normal(scale=0.5, size=(n, width))).astype(np.float32)))
    return out


def training_collection():
    return jmetrics.Collection(["binary_accuracy", "mse", jm.AUC()])


def close(a, b, rtol=1e-6, atol=1e-6):
    jax.tree.map(lambda x, y: np.testing.assert_allclose(x, y, rtol=rtol, atol=atol), a, b)


@pytest.mark.parametrize("weighted", [False, True])
def test_packed_training_collection_matches_keras3_in_a_donated_jitted_step(weighted):
    packed = jm.Packed(training_collection())
    step = jax.jit(packed.update, donate_argnums=0)
    bs = binary_batches(weighted=weighted)
    s = packed.init()
    for t, p, w in bs:
        s = step(s, t, p, w)
    got = jax.jit(packed.compute)(s)
    for key, cls in (("binary_accuracy", "BinaryAccuracy"), ("mse", "MeanSquaredError"),
                     ("auc", "AUC")):
        want = keras_result(getattr(keras.metrics, cls)(), bs)
        np.testing.assert_allclose(float(got[key]), want, rtol=1e-5, atol=1e-6, err_msg=key)


def test_packed_equals_the_wrapped_metric_and_holds_one_buffer():
    coll = training_collection()
    packed = jm.Packed(coll)
    assert len(jax.tree.leaves(coll.init())) == 12
    assert [(b.shape, b.dtype) for b in jax.tree.leaves(packed.init())] == [((812,), jnp.float32)]
    s, ps = coll.init(), packed.init()
    for t, p, w in binary_batches():
        s, ps = coll.update(s, t, p, sample_weight=w), packed.update(ps, t, p, sample_weight=w)
    close(packed.compute(ps), coll.compute(s), rtol=0, atol=0)  # the same arithmetic
    close(packed.unpack(ps), s, rtol=0, atol=0)
    assert packed.result() is not None and packed.display_name == coll.display_name


@pytest.mark.parametrize("metric, buffers", [
    (jm.MetricTracker(jm.MeanSquaredError(), max_epochs=3),
     {"sum": [(12, "float32")], "max": [(1, "int32")], "min": [], "own": []}),
    (jm.ExactAUC(capacity=8),  # undeclared leaves: its own merge and all_reduce
     {"sum": [], "max": [], "min": [], "own": [(16, "float32"), (9, "bool"), (1, "int32")]}),
    (jm.R2Score(num_outputs=3),  # Moments (weight, mean, m2) reduce together by Chan's formula
     {"sum": [(8, "float32")], "max": [], "min": [], "own": [(9, "float32")]}),
], ids=lambda x: type(x).__name__ if isinstance(x, jm.Metric) else "")
def test_leaves_are_grouped_by_reduction_kind_and_dtype(metric, buffers):
    s = jm.Packed(metric).init()
    got = {k: [(b.shape[0], b.dtype.name) for b in getattr(s.declared, k)] for k in
           ("sum", "max", "min")} | {"own": [(b.shape[0], b.dtype.name) for b in s.own]}
    assert got == buffers


WRAPPED = [
    training_collection(),
    jm.MetricTracker(jm.MeanSquaredError(), max_epochs=3),
    jm.ExactAUC(capacity=64),
    jm.R2Score(num_outputs=3),
]
# one size set for the laws: check_metric's eager updates (the batches, the kept rows 2 = the second
# batch, the joined stream 8 = the four devices' rows) compile each primitive once per shape
LAW_SIZES = (3, 2, 3)
IDS = ["Collection", "MetricTracker", "ExactAUC", "R2Score"]


def batches_for(metric):
    if metric.input_kind == "binary" or isinstance(metric, jmetrics.Collection):
        return [(t, p) for t, p, _ in binary_batches(sizes=LAW_SIZES, width=1)]
    return regression_batches(sizes=LAW_SIZES)


@pytest.mark.parametrize("metric", WRAPPED, ids=IDS)
def test_packed_obeys_the_streaming_laws_for_every_kind_of_state(metric):
    check_metric(jm.Packed(metric), batches_for(metric))


@pytest.mark.parametrize("metric", WRAPPED, ids=IDS)
def test_merge_and_all_reduce_equal_the_wrapped_metrics(metric):
    packed = jm.Packed(metric)
    bs = batches_for(metric)
    states = [metric.update(metric.init(), *b) for b in bs]
    packed_states = [packed.update(packed.init(), *b) for b in bs]
    close(packed.unpack(packed.merge(packed_states[0], packed_states[1])),
          metric.merge(states[0], states[1]))
    stacked = jax.tree.map(lambda *x: jnp.stack(x), *states)
    packed_stacked = jax.tree.map(lambda *x: jnp.stack(x), *packed_states)
    want = jax.vmap(lambda s: metric.all_reduce(s, "d"), axis_name="d")(stacked)
    got = jax.vmap(lambda s: packed.all_reduce(s, "d"), axis_name="d")(packed_stacked)
    assert tree_types(got) == tree_types(packed_stacked)
    close(jax.vmap(packed.unpack)(got), want, rtol=1e-6, atol=1e-5)
    close(jax.vmap(packed.compute)(got), jax.vmap(metric.compute)(want), rtol=1e-5, atol=1e-6)


def collectives(fn, *args):
    """``(primitive, number of operands)`` of every collective in ``fn``'s jaxpr."""
    eqns = jax.make_jaxpr(fn, axis_env=[("d", 2)])(*args).eqns
    return sorted((e.primitive.name, len(e.invars)) for e in eqns
                  if e.primitive.name in ("psum", "pmax", "pmin", "all_gather"))


def test_a_declared_state_reduces_with_one_collective_per_buffer():
    coll = training_collection()
    assert collectives(lambda s: coll.all_reduce(s, "d"), coll.init()) == [("psum", 1)] * 12
    packed = jm.Packed(coll)
    assert collectives(lambda s: packed.all_reduce(s, "d"), packed.init()) == [("psum", 1)]
    tracker = jm.Packed(jm.MetricTracker(jm.MeanSquaredError(), max_epochs=3))
    assert collectives(lambda s: tracker.all_reduce(s, "d"), tracker.init()) == [
        ("pmax", 1), ("psum", 1)]


def test_config_round_trips():
    import json

    packed = jm.Packed(training_collection())
    config = json.loads(json.dumps(packed.get_config()))
    back = jm.Packed.from_config(config)
    assert back == packed and hash(back) == hash(packed)
    assert jm.deserialize(jm.serialize(packed)) == packed


def test_a_metric_without_a_static_state_or_not_a_metric_is_refused_by_name():
    with pytest.raises(ValueError, match=r"Packed: the wrapped metric's state must follow .*F1Score: num_classes must"):
        jm.Packed(jm.F1Score()).init()
    with pytest.raises(TypeError, match=r"Packed: metric must be a jmetrics streaming metric"):
        jm.Packed("mse")  # type: ignore[arg-type]
