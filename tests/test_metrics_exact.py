"""ExactAUC (streaming exact ROC AUC / AP over a buffer) against scikit-learn 1.9.1.

The registry laws (init type, no retrace, merge, weight 0, config) run in tests/test_common.py.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import sklearn.metrics as skm

import jmetrics.metrics as jm


def data(seed, n=40, levels=6):
    r = np.random.default_rng(seed)
    y = r.integers(0, 2, n)
    y[:2] = [0, 1]
    s = (r.integers(0, levels, n) / levels).astype(np.float32)
    return y, s, r.uniform(0, 2, n)


@pytest.mark.parametrize(("curve", "oracle"), [("ROC", skm.roc_auc_score), ("PR", skm.average_precision_score)])
def test_streamed_batches_equal_sklearn_on_all_rows(curve, oracle):
    y, s, w = data(0)
    m = jm.ExactAUC(capacity=64, curve=curve)
    step = jax.jit(m.update)
    for weights in (np.ones_like(w), w):  # one signature: one compile
        st = m.init()
        for i in range(0, 40, 8):  # (8, 1) columns, as Keras batches come
            st = step(st, y[i:i + 8, None], s[i:i + 8, None], weights[i:i + 8])
        np.testing.assert_allclose(float(m.compute(st)), oracle(y, s, sample_weight=weights), rtol=1e-6)


def test_constant_scores_single_class_and_empty():
    m = jm.ExactAUC(capacity=16)
    st = m.update(m.init(), jnp.array([0, 1, 1, 0]), jnp.full(4, 0.7))
    assert float(m.compute(st)) == 0.5
    st = m.update(m.init(), jnp.ones(4), jnp.arange(4.0))
    assert np.isnan(float(m.compute(st)))  # sklearn: NaN (with a warning) for one class
    assert np.isnan(float(m.compute(m.init())))
    pr = jm.ExactAUC(capacity=16, curve="PR")
    assert float(pr.compute(pr.update(pr.init(), jnp.zeros(4), jnp.arange(4.0)))) == 0.0  # sklearn: 0


def test_zero_weight_rows_use_no_capacity():
    m = jm.ExactAUC(capacity=4)
    st = m.update(m.init(), jnp.array([0, 1, 0, 1, 1, 0]), jnp.array([0.1, 0.9, 0.5, 0.2, 0.3, 0.4]),
                  sample_weight=jnp.array([1.0, 1.0, 0.0, 1.0, 0.0, 1.0]))
    assert int(st.size) == 4 and not bool(st.overflow)
    want = skm.roc_auc_score([0, 1, 1, 0], [0.1, 0.9, 0.2, 0.4])
    np.testing.assert_allclose(float(m.compute(st)), want, rtol=1e-6)


def test_capacity_exceeded_raises_eagerly_and_flags_under_jit():
    m = jm.ExactAUC(capacity=5)
    y, s = jnp.array([0, 1, 0, 1]), jnp.array([0.1, 0.2, 0.3, 0.4])
    st = m.update(m.init(), y, s)
    with pytest.raises(ValueError, match=r"exact_auc: capacity must hold every row.*8 rows for capacity=5"):
        m.update(st, y, s)
    full = jax.jit(m.update)(st, y, s)
    assert bool(full.overflow) and int(full.size) == 5
    assert np.isnan(float(jax.jit(m.compute)(full)))
    with pytest.raises(ValueError, match="Increase capacity"):
        m.compute(full)
    merged = m.merge(st, st)  # 8 rows do not fit either
    assert bool(merged.overflow)


def test_merge_is_concatenation_and_all_reduce_gathers():
    y, s, w = data(3, n=32)
    m = jm.ExactAUC(capacity=64)
    parts = [m.update(m.init(), y[i:i + 8], s[i:i + 8], sample_weight=w[i:i + 8]) for i in range(0, 32, 8)]
    want = skm.roc_auc_score(y, s, sample_weight=w)
    merged = m.merge(m.merge(parts[3], parts[0]), m.merge(parts[2], parts[1]))
    np.testing.assert_allclose(float(m.compute(merged)), want, rtol=1e-6)
    stacked = jax.tree.map(lambda *xs: jnp.stack(xs), *parts)
    reduced = jax.vmap(lambda st: m.all_reduce(st, "d"), axis_name="d")(stacked)
    np.testing.assert_allclose(np.asarray(jax.vmap(m.compute)(reduced)), [want] * 4, rtol=1e-6)


def test_options_are_checked():
    with pytest.raises(ValueError, match=r"ExactAUC: curve must be one of \['ROC', 'PR'\]"):
        jm.ExactAUC(curve="roc")
    with pytest.raises(ValueError, match="ExactAUC: capacity must be a positive int"):
        jm.ExactAUC(capacity=0)
    assert jm.ExactAUC(capacity=8).stat_key() == jm.ExactAUC(capacity=8, curve="PR").stat_key()


@pytest.mark.parametrize("cls", [jm.ExactAUC, jm.HistogramAUC])
def test_per_sample_weights_cover_each_samples_elements(cls):
    # (N,) weights against (N, 3, 2) scores weight every element of sample n (aligned from the
    # left). Here N == 2 == the last axis, where aligning from the right would silently weight
    # the wrong elements. Oracle: scikit-learn on the first sample's elements (weight 0 drops the
    # second).
    r = np.random.default_rng(3)
    t = r.integers(0, 2, (2, 3, 2)).astype(np.float32)
    t[0, 0] = [0, 1]
    p = (r.integers(0, 8, (2, 3, 2)) / 8).astype(np.float32)
    m = cls(**cls.example_args)
    got = float(m.compute(m.update(m.init(), t, p, sample_weight=np.array([1.0, 0.0], np.float32))))
    np.testing.assert_allclose(got, skm.roc_auc_score(t[0].ravel(), p[0].ravel()), rtol=1e-6)
