"""The traced tie groups from single-operand sorts (``count_groups``: one 64-bit sort of the
packed float32 key and label, or three sorts for float64 scores under x64; also with rows masked
out: weights 0 and 1) against the sort with weight payloads (``payload_groups``) and scikit-learn
1.9.1: ties across the last bit of float32 and float64, +-0, +-inf, constant scores, one class,
N = 1, weights 0, 1 and fractional."""

from __future__ import annotations

import warnings

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from sklearn.metrics import average_precision_score, roc_auc_score

import jmetrics.sk as jsk
from jmetrics._floor._groups_jax import count_groups, jax_groups, payload_groups
from jmetrics._floor._sort import group_ap, group_auc
from jmetrics.metrics import ExactAUC

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


# Built once per module: every kind has N rows, so each program compiles once for all of them.
FAST = jax.jit(lambda p, x: (group_auc(count_groups(p, x)), group_ap(count_groups(p, x)),
                             group_auc(count_groups(p, x), 0.3)))
REF = jax.jit(lambda p, x: (group_auc(payload_groups(p, x, jnp.ones(x.shape))),
                            group_ap(payload_groups(p, x, jnp.ones(x.shape))),
                            group_auc(payload_groups(p, x, jnp.ones(x.shape)), 0.3)))


@pytest.mark.parametrize("kind", ["uniform", "few", "last_bit", "inf", "constant"])
def test_count_groups_equals_the_weighted_path_and_sklearn(kind):
    rng = np.random.default_rng(len(kind))
    s = _scores(kind, rng)
    y = (rng.random(N) < 0.4).astype(np.int32)
    y[:2] = (0, 1)
    pos = jnp.asarray(y == 1)
    got, old = FAST(pos, jnp.asarray(s)), REF(pos, jnp.asarray(s))
    np.testing.assert_allclose(np.array(got), np.array(old), rtol=1e-6, atol=1e-7)
    s64 = np.where(np.isinf(s), np.sign(s) * 1e30, s).astype(np.float64)  # sklearn refuses inf
    want = (roc_auc_score(y, s64), average_precision_score(y, s64), roc_auc_score(y, s64, max_fpr=0.3))
    np.testing.assert_allclose(np.array(got), want, rtol=1e-6, atol=1e-7)
    g = count_groups(pos, jnp.asarray(s))
    assert float(g.total_p) == y.sum() and float(g.total_n) == N - y.sum()
    assert float(g.p.sum()) == y.sum() and float(g.n.sum()) == N - y.sum()  # exact counts


def test_float32_scores_take_one_sort_of_packed_keys_without_turning_x64_on():
    pos, s = jnp.asarray(np.arange(N) % 3 == 0), jnp.asarray(np.linspace(0, 1, N, dtype=np.float32))
    text = jax.jit(jsk.roc_auc_score).lower(pos, s).as_text()
    assert text.count("stablehlo.sort") == 1 and "tensor<48xui64>" in text
    g = count_groups(pos, s)
    assert g.p.shape == (N,) and g.p.dtype == jnp.float32  # one entry per row, 32-bit outside
    assert not jax.config.jax_enable_x64


@pytest.mark.parametrize("kind", ["uniform", "last_bit", "masked"])
def test_float64_scores_under_x64_take_the_three_sorts_and_equal_sklearn(kind):
    rng = np.random.default_rng(11)
    if kind == "last_bit":  # float64 scores one ulp apart: the lost bit is recovered per group
        b = 0.37
        pool = np.array([b, np.nextafter(b, 1.0), np.nextafter(b, 0.0), -b, 0.0, -0.0, np.inf])
        s = pool[rng.integers(0, len(pool), N)]
    else:
        s = rng.random(N)
    y = (rng.random(N) < 0.4).astype(np.int32)
    y[:2] = (0, 1)
    keep = rng.random(N) < (0.7 if kind == "masked" else 2.0)
    keep[:4] = True
    with jax.enable_x64(True):
        args = (jnp.asarray(y == 1), jnp.asarray(s), jnp.asarray(keep.astype(np.float64)))
        assert args[1].dtype == jnp.float64
        g = count_groups(args[0], args[1], args[2] != 0)
        assert g.p.shape == (2 * N,)
        got = np.array(jax.jit(_three(lambda p, x, k: count_groups(p, x, k != 0)))(*args))
        old = np.array(jax.jit(_three(payload_groups))(*args))
    np.testing.assert_allclose(got, old, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(got, _sklearn_three(y, s, keep.astype(np.float64)), rtol=1e-12, atol=1e-14)
    assert np.asarray(g.p).sum() == (y * keep).sum() and np.asarray(g.n).sum() == ((1 - y) * keep).sum()


def test_jitted_roc_auc_one_class_and_one_row_are_nan_as_sklearn_undefined():
    f = jax.jit(lambda y, s: jsk.roc_auc_score(y, s))
    assert np.isnan(float(f(jnp.array([1]), jnp.array([0.3]))))
    assert np.isnan(float(f(jnp.array([0, 0, 0]), jnp.array([0.1, 0.2, 0.3]))))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert np.isnan(roc_auc_score([0, 0, 0], [0.1, 0.2, 0.3]))
    assert float(f(jnp.array([0, 1]), jnp.array([0.3, 0.3]))) == 0.5


def _three(groups):
    def f(p, x, w):
        g = groups(p, x, w)
        return group_auc(g), group_ap(g), group_auc(g, 0.3)

    return f


THREE_GROUPS = jax.jit(_three(jax_groups))
THREE_PAYLOAD = jax.jit(_three(payload_groups))
THREE_MASKED = jax.jit(_three(lambda p, x, k: count_groups(p, x, k != 0)))


def _sklearn_three(y, s, w):
    s64 = np.where(np.isinf(s), np.sign(s) * 1e30, s).astype(np.float64)  # sklearn refuses inf
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return (roc_auc_score(y, s64, sample_weight=w), average_precision_score(y, s64, sample_weight=w),
                roc_auc_score(y, s64, sample_weight=w, max_fpr=0.3))


@pytest.mark.parametrize("kind", ["uniform", "few", "last_bit", "inf", "constant"])
@pytest.mark.parametrize("weights", ["zero_one", "fractional"])
def test_weighted_groups_equal_the_payload_sort_and_sklearn(kind, weights):
    rng = np.random.default_rng(len(kind) + 7)
    s = _scores(kind, rng)
    y = (rng.random(N) < 0.4).astype(np.int32)
    y[:4] = (0, 1, 0, 1)
    w = (rng.random(N) < 0.7).astype(np.float32)
    w[:4] = (1, 1, 0, 0)
    if weights == "fractional":
        w = w * np.array([0.5, 1.0, 2.0], np.float32)[rng.integers(0, 3, N)]
    args = (jnp.asarray(y == 1), jnp.asarray(s), jnp.asarray(w))
    got = THREE_GROUPS(*args)
    old = THREE_PAYLOAD(*args)
    np.testing.assert_allclose(np.array(got), np.array(old), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(np.array(got), _sklearn_three(y, s, w), rtol=1e-6, atol=1e-7)
    if weights == "zero_one":  # the masked single-operand sorts themselves, exact counts
        g = count_groups(args[0], args[1], args[2] != 0)
        kept = w != 0
        assert float(g.total_p) == (y * kept).sum() and float(g.total_n) == ((1 - y) * kept).sum()
        assert float(g.p.sum()) == (y * kept).sum() and float(g.n.sum()) == ((1 - y) * kept).sum()
        got_mask = THREE_MASKED(*args)
        np.testing.assert_allclose(np.array(got_mask), np.array(old), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("cls", ["one_positive_kept", "no_row_kept"])
def test_masked_groups_one_class_or_empty_are_undefined_as_sklearn(cls):
    y = np.array([1, 0, 0, 1], np.int32)
    w = np.array([1, 0, 0, 0] if cls == "one_positive_kept" else [0, 0, 0, 0], np.float32)
    s = np.array([0.3, 0.3, -0.0, 0.0], np.float32)
    got = THREE_GROUPS(jnp.asarray(y == 1), jnp.asarray(s), jnp.asarray(w))
    old = THREE_PAYLOAD(jnp.asarray(y == 1), jnp.asarray(s), jnp.asarray(w))
    np.testing.assert_array_equal(np.isnan(np.array(got)), np.isnan(np.array(old)))
    assert np.isnan(float(got[0])) and np.isnan(float(got[2]))  # ROC AUC undefined, as sklearn
    want_ap = average_precision_score(y[w != 0], s[w != 0]) if w.any() else 0.0
    assert float(got[1]) == pytest.approx(want_ap)


@pytest.mark.parametrize("curve", ["ROC", "PR"])
def test_exact_auc_compute_unit_and_fractional_weights_match_sklearn(curve):
    rng = np.random.default_rng(3)
    s = np.array([0.37, 0.5, -0.0, 0.0, np.inf, -np.inf, 0.5, 0.37], np.float32)[rng.integers(0, 8, 40)]
    y = (rng.random(40) < 0.5).astype(np.int32)
    y[:2] = (0, 1)
    m = ExactAUC(capacity=64, curve=curve)
    fn = roc_auc_score if curve == "ROC" else average_precision_score
    s64 = np.where(np.isinf(s), np.sign(s) * 1e30, s).astype(np.float64)
    update, compute = jax.jit(m.update), jax.jit(m.compute)  # one compile each, reused per w
    for w in (None, np.where(rng.random(40) < 0.3, 0.0, 1.0), rng.random(40) + 0.25):
        st = update(m.init(), jnp.asarray(y), jnp.asarray(s),
                    None if w is None else jnp.asarray(w, jnp.float32))
        want = fn(y, s64, sample_weight=w)
        assert float(compute(st)) == pytest.approx(want, rel=1e-6)
        assert float(m.compute(st)) == pytest.approx(want, rel=1e-6)


def test_weighted_jitted_auc_and_ap_under_shard_map_equal_sklearn():
    """The double-float cumulative sums scan a long batch under shard_map (JAX's varying-axis
    typing on): its carry starts from the data, as the scan requires."""
    from jax.sharding import NamedSharding, PartitionSpec

    mesh = jax.make_mesh((1,), ("data",))
    spec = PartitionSpec("data")
    rng = np.random.default_rng(9)
    n = 5_000
    y = (rng.random(n) < 0.3).astype(np.int32)
    s = rng.random(n).astype(np.float32)
    w = rng.uniform(0.1, 2.0, n).astype(np.float32)
    put = jax.device_put((y, s, w), NamedSharding(mesh, spec))
    both = jax.jit(jax.shard_map(
        lambda a, b, c: jnp.stack([jsk.roc_auc_score(a, b, sample_weight=c),
                                   jsk.average_precision_score(a, b, sample_weight=c)])[None],
        mesh=mesh, in_specs=(spec,) * 3, out_specs=spec))
    got = np.asarray(both(*put))[0]
    want = [roc_auc_score(y, s, sample_weight=w), average_precision_score(y, s, sample_weight=w)]
    np.testing.assert_allclose(got, want, rtol=1e-6)
