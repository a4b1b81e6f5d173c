"""Batch-shape semantics of the streaming mean classes, against Keras 3 (JAX backend).

Keras 3's ``accuracy``, ``binary_accuracy`` and ``RootMeanSquaredError`` are elementwise: its
``Mean`` averages every element of a sample, and a rank-1 batch is N samples (not one).
"""

from __future__ import annotations

import re

import jax
import jax.numpy as jnp
import keras
import numpy as np
import pytest

import jmetrics.metrics as jm


def _stream(metric, batches):
    state = metric.init()
    for t, p, w in batches:
        state = metric.update(state, t, p, sample_weight=w)
    return float(metric.compute(state))


def _keras(name, batches, **kwargs):
    km = getattr(keras.metrics, name)(**kwargs)
    for t, p, w in batches:
        km.update_state(t, p, sample_weight=w)
    return float(km.result())


def test_accuracy_weighs_every_sample_of_rank1_batches():
    bs = [(np.ones(3, np.float32), np.ones(3, np.float32), None),
          (np.ones(1, np.float32), np.zeros(1, np.float32), None)]
    assert _keras("Accuracy", bs) == 0.75  # Keras 3.15.1
    assert _stream(jm.Accuracy(), bs) == 0.75
    empty = bs + [(np.zeros(0, np.float32), np.zeros(0, np.float32), None)]
    assert _keras("Accuracy", empty) == 0.75
    assert _stream(jm.Accuracy(), empty) == 0.75


@pytest.mark.parametrize("name", ["Accuracy", "BinaryAccuracy", "RootMeanSquaredError"])
@pytest.mark.parametrize("weights", ["sample", "element"])
def test_elementwise_classes_take_per_sample_and_per_element_weights(name, weights):
    r = np.random.default_rng(0)
    bs = []
    for shape in ((4,), (3,), (2, 3), (5, 3)):
        t = r.integers(0, 2, shape).astype(np.float32)
        p = r.uniform(size=shape).astype(np.float32) if name != "Accuracy" else r.integers(0, 2, shape).astype(np.float32)
        w = r.uniform(0, 2, shape[:1] if weights == "sample" else shape).astype(np.float32)
        bs.append((t, p, w))
    for group in (bs[:2], bs[2:]):  # rank-1 batches, then rank-2 batches
        np.testing.assert_allclose(_stream(getattr(jm, name)(), group), _keras(name, group), rtol=1e-6)


def test_elementwise_update_traces_and_jits():
    m = jm.BinaryAccuracy()
    t, p = jnp.array([1.0, 0, 1]), jnp.array([0.9, 0.2, 0.1])
    s = jax.jit(m.update)(m.init(), t, p, jnp.array([1.0, 2, 3]))
    want = _keras("BinaryAccuracy", [(np.asarray(t), np.asarray(p), np.array([1.0, 2, 3], np.float32))])
    np.testing.assert_allclose(float(m.compute(s)), want, rtol=1e-6)


def _sparse_batches(seed, shape, weighted, ignore=2):
    r = np.random.default_rng(seed)
    t = r.integers(0, 4, shape).astype(np.int32)
    t.flat[0] = ignore  # at least one ignored label
    p = r.dirichlet(np.ones(4), size=shape).astype(np.float32)
    w = r.uniform(0.5, 2, shape).astype(np.float32) if weighted == "element" else (
        r.uniform(0.5, 2, shape[:1]).astype(np.float32) if weighted == "sample" else None)
    return t, p, w


@pytest.mark.parametrize("weighted", [None, "sample", "element"])
@pytest.mark.parametrize("from_logits", [False, True])
def test_sparse_categorical_crossentropy_ignore_class_matches_keras3(weighted, from_logits):
    # The ignored class has loss 0; unweighted it still counts in the denominator, weighted its
    # weight is masked to 0 (Keras 3.15.1).
    bs = [_sparse_batches(i, (n,), weighted) for i, n in enumerate((5, 3))]
    bs.append((np.zeros(0, np.int32), np.zeros((0, 4), np.float32), None if weighted is None else np.zeros(0, np.float32)))
    if from_logits:
        bs = [(t, np.log(p), w) for t, p, w in bs]
    m = jm.SparseCategoricalCrossentropy(ignore_class=2, from_logits=from_logits)
    want = _keras("SparseCategoricalCrossentropy", bs, ignore_class=2, from_logits=from_logits)
    np.testing.assert_allclose(_stream(m, bs), want, rtol=1e-5)
    assert m.get_config()["ignore_class"] == 2
    assert type(m).from_config(m.get_config()) == m


def test_sparse_categorical_crossentropy_ignore_class_rank2_labels():
    bs = [_sparse_batches(i, (n, 3), w) for i, (n, w) in enumerate(((4, "element"), (2, "element")))]
    m = jm.SparseCategoricalCrossentropy(ignore_class=2)
    want = _keras("SparseCategoricalCrossentropy", bs, ignore_class=2)
    np.testing.assert_allclose(_stream(m, bs), want, rtol=1e-5)
    unweighted = [(t, p, None) for t, p, _ in bs]
    np.testing.assert_allclose(_stream(m, unweighted), _keras("SparseCategoricalCrossentropy", unweighted, ignore_class=2), rtol=1e-5)
    t, p, _ = bs[0]
    with pytest.raises(ValueError, match=r"sparse_categorical_crossentropy: sample_weight must .*\(4, 3\).*\(4,\)"):
        m.update(m.init(), t, p, sample_weight=np.ones(4, np.float32))


@pytest.mark.parametrize("t_shape, p_shape", [((2, 1), (1, 2, 3)), ((3, 1), (3, 3)), ((3,), (1, 3)),
                                              ((2, 3), (2, 3, 4)), ((1, 2), (2, 1, 3))])
def test_sparse_categorical_accuracy_broadcasts_labels_as_keras3(t_shape, p_shape):
    r = np.random.default_rng(sum(t_shape) + sum(p_shape))
    t = r.integers(0, p_shape[-1], t_shape).astype(np.int32)
    p = r.uniform(size=p_shape).astype(np.float32)
    want = _keras("SparseCategoricalAccuracy", [(t, p, None)])
    assert _stream(jm.SparseCategoricalAccuracy(), [(t, p, None)]) == want


def test_sparse_categorical_accuracy_keras_suite_case():
    # keras/src/metrics/accuracy_metrics_test.py test_reshape_matches: Keras 3.15.1 gives 1.0.
    t = np.array([[0], [0]], np.int64)
    p = np.array([[[0.9, 0.1, 0.0], [0.8, 0.15, 0.05]]], np.float32)
    assert _keras("SparseCategoricalAccuracy", [(t, p, None)]) == 1.0
    assert _stream(jm.SparseCategoricalAccuracy(), [(t, p, None)]) == 1.0


@pytest.mark.parametrize("t_shape, p_shape", [((4,), (3, 3)), ((1, 1), (3, 3)), ((3, 2), (3, 3))])
def test_sparse_categorical_accuracy_refuses_what_keras3_refuses(t_shape, p_shape):
    t, p = np.zeros(t_shape, np.int32), np.full(p_shape, 1 / 3, np.float32)
    with pytest.raises(Exception):  # noqa: B017  (Keras raises its backend's own errors)
        _keras("SparseCategoricalAccuracy", [(t, p, None)])
    m = jm.SparseCategoricalAccuracy()
    with pytest.raises(ValueError, match=rf"sparse_categorical_accuracy: .*{re.escape(str(t_shape))}.*{re.escape(str(p_shape))}"):
        m.update(m.init(), t, p)
