"""The unweighted traced tie groups (three single-operand sorts, ``count_groups``) against the
weighted path with unit weights (one sort with payloads) and scikit-learn 1.9.1: ties across the
last bit of float32, +-0, +-inf, constant scores, one class, N = 1."""

from __future__ import annotations

import warnings

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from sklearn.metrics import average_precision_score, roc_auc_score

import jmetrics.sk as jsk
from jmetrics._floor._sort import count_groups, group_ap, group_auc, jax_groups

N = 48


def _scores(kind: str, rng: np.random.Generator) -> np.ndarray:
    if kind == "uniform":
        return rng.random(N).astype(np.float32)
    if kind == "few":
        return rng.integers(0, 4, N).astype(np.float32)
    if kind == "last_bit":  # scores one ulp apart fall in the same coarse group
        b = np.float32(0.37)
        pool = [b, np.nextafter(b, np.float32(1)), np.nextafter(b, np.float32(0)), -b, 0.0, -0.0]
        return np.array(pool, np.float32)[rng.integers(0, len(pool), N)]
    if kind == "inf":
        return np.array([np.inf, -np.inf, 1.0, 0.0], np.float32)[rng.integers(0, 4, N)]
    return np.full(N, 0.25, np.float32)  # constant


@pytest.mark.parametrize("kind", ["uniform", "few", "last_bit", "inf", "constant"])
def test_count_groups_equals_the_weighted_path_and_sklearn(kind):
    rng = np.random.default_rng(len(kind))
    s = _scores(kind, rng)
    y = (rng.random(N) < 0.4).astype(np.int32)
    y[:2] = (0, 1)
    pos = jnp.asarray(y == 1)
    fast = jax.jit(lambda p, x: (group_auc(count_groups(p, x)), group_ap(count_groups(p, x)),
                                 group_auc(count_groups(p, x), 0.3)))
    ref = jax.jit(lambda p, x: (group_auc(jax_groups(p, x, jnp.ones(x.shape))),
                                group_ap(jax_groups(p, x, jnp.ones(x.shape))),
                                group_auc(jax_groups(p, x, jnp.ones(x.shape)), 0.3)))
    got, old = fast(pos, jnp.asarray(s)), ref(pos, jnp.asarray(s))
    np.testing.assert_allclose(np.array(got), np.array(old), rtol=1e-6, atol=1e-7)
    s64 = np.where(np.isinf(s), np.sign(s) * 1e30, s).astype(np.float64)  # sklearn refuses inf
    want = (roc_auc_score(y, s64), average_precision_score(y, s64), roc_auc_score(y, s64, max_fpr=0.3))
    np.testing.assert_allclose(np.array(got), want, rtol=1e-6, atol=1e-7)
    g = count_groups(pos, jnp.asarray(s))
    assert float(g.total_p) == y.sum() and float(g.total_n) == N - y.sum()
    assert float(g.p.sum()) == y.sum() and float(g.n.sum()) == N - y.sum()  # exact counts


def test_jitted_roc_auc_one_class_and_one_row_are_nan_as_sklearn_undefined():
    f = jax.jit(lambda y, s: jsk.roc_auc_score(y, s))
    assert np.isnan(float(f(jnp.array([1]), jnp.array([0.3]))))
    assert np.isnan(float(f(jnp.array([0, 0, 0]), jnp.array([0.1, 0.2, 0.3]))))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert np.isnan(roc_auc_score([0, 0, 0], [0.1, 0.2, 0.3]))
    assert float(f(jnp.array([0, 1]), jnp.array([0.3, 0.3]))) == 0.5
