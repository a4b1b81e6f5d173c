"""R2Score.

Oracles: Keras 3.15.1 (JAX backend) fed the same ragged batches with and without weights;
scikit-learn 1.9.1 ``r2_score`` (fractional weights, every ``multioutput``); float64 NumPy from the
formula (adjusted R², offset data).
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
from sklearn.metrics import r2_score

import jmetrics.metrics as jm
from tests.helpers import TracedJit, keras_metric, keras_result, tree_types

D = 3
SIZES = (5, 1, 3)  # ragged: a new shape per batch


def make(seed, sizes=SIZES, d=D, weights=False, offset=0.0):
    r = np.random.default_rng(seed)
    out = []
    for n in sizes:
        t = (offset + r.normal(size=(n, d)) * np.arange(1, d + 1)).astype(np.float32)
        p = (t + r.normal(scale=0.7, size=(n, d))).astype(np.float32)
        w = r.uniform(0.1, 2, n).astype(np.float32) if weights else None
        out.append((t, p, w))
    return out


def run(m, bs):
    s = m.init()
    for t, p, w in bs:
        s = m.update(s, t, p, sample_weight=w)
    return s


def concat(bs):
    t, p = np.concatenate([b[0] for b in bs]), np.concatenate([b[1] for b in bs])
    w = None if bs[0][2] is None else np.concatenate([b[2] for b in bs])
    return t, p, w


def keras_r2(bs, **args):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Keras warns when it falls back from adjusted R2
        return keras_result(keras_metric("R2Score", **args), bs)


# ---- Keras 3 oracle ---------------------------------------------------------------------------
@pytest.mark.parametrize("weights", [False, True])
@pytest.mark.parametrize("args", [
    dict(),
    dict(class_aggregation="variance_weighted_average"),
    dict(class_aggregation=None, num_regressors=2),
    dict(num_regressors=5),
])
def test_matches_keras3_on_ragged_batches(args, weights):
    bs = make(1, weights=weights)
    m = jm.R2Score(**args, num_outputs=D)
    np.testing.assert_allclose(m.compute(run(m, bs)), keras_r2(bs, **args), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("k,n", [(4, 5), (5, 5), (9, 5), (3, 5)])
def test_adjusted_r2_edge_cases_follow_keras(k, n):
    # Keras 3: adjusted only when k < n - 1 (n = elements); k == n - 1 or k > n - 1 -> plain R2.
    bs = make(2, sizes=(n,), d=1)
    m = jm.R2Score(num_regressors=k, num_outputs=1)
    got = float(m.compute(run(m, bs)))
    assert got == pytest.approx(float(keras_r2(bs, num_regressors=k)), rel=1e-5)
    t, p, _ = concat(bs)
    r2 = r2_score(t, p)
    want = 1 - (1 - r2) * (n - 1) / (n - k - 1) if k < n - 1 else r2
    assert got == pytest.approx(want, rel=1e-5)


def test_keras_eager_face_without_num_outputs():
    bs = make(3, weights=True)
    m, km = jm.R2Score(), keras_metric("R2Score")
    for t, p, w in bs:
        m.update_state(t, p, sample_weight=w)
        km.update_state(t, p, sample_weight=w)
    np.testing.assert_allclose(m.result(), km.result(), rtol=1e-5)


# ---- scikit-learn with fractional weights -----------------------------------------------------
@pytest.mark.parametrize("ours,theirs", [("uniform_average", "uniform_average"),
                                         ("variance_weighted_average", "variance_weighted"),
                                         (None, "raw_values")])
def test_matches_sklearn_with_fractional_weights(ours, theirs):
    bs = make(4, sizes=(6, 2, 4), weights=True)
    t, p, w = concat(bs)
    m = jm.R2Score(class_aggregation=ours, num_outputs=D)
    want = r2_score(t, p, sample_weight=w, multioutput=theirs)
    np.testing.assert_allclose(m.compute(run(m, bs)), want, rtol=1e-5, atol=1e-6)


def test_offset_data_keeps_its_digits():
    # y = 1e4 + noise in float32: sum(y**2) - sum(y) * mean cancels ~8 digits; moments do not.
    bs = make(5, sizes=(64, 64, 64), d=1, offset=1e4)
    t, p, _ = concat(bs)
    want = r2_score(t.astype(np.float64), p.astype(np.float64))  # float64 reference
    m = jm.R2Score(num_outputs=1)
    np.testing.assert_allclose(m.compute(run(m, bs)), want, rtol=3e-5)


# ---- adversarial ------------------------------------------------------------------------------
def test_constant_y_true_follows_keras():
    t = np.full((4, 1), 0.1, np.float32)  # 0.1 is inexact in binary: the variance must still be 0
    imperfect = [(t[:3], t[:3] + 0.5, None), (t[3:], t[3:], None)]
    perfect = [(t[:3], t[:3], None), (t[3:], t[3:], None)]
    m = jm.R2Score(num_outputs=1)
    assert float(m.compute(run(m, imperfect))) == 0.0  # Keras 3: -inf -> 0 (sklearn: 0.0 too)
    assert np.isnan(float(m.compute(run(m, perfect))))  # Keras 3: 0/0 = NaN (sklearn: 1.0)
    t2 = np.array([[1.0], [1.0], [1.0]], np.float32)
    assert float(keras_r2([(t2, t2 + 0.5, None)])) == 0.0 and np.isnan(keras_r2([(t2, t2, None)]))


@pytest.mark.parametrize("value", [np.inf, -np.inf])
def test_an_infinite_prediction_gives_nan_in_its_column(value):
    # Keras 3 gives 0 for that column (its constant-column rule); scikit-learn refuses inf. The
    # other columns keep Keras' values; eagerly, under jit and through merge alike.
    bs = make(7)
    t, p, w = bs[1]
    p = p.copy()
    p[0, 0] = value
    bs[1] = (t, p, w)
    want = keras_r2(bs, class_aggregation=None)
    assert want[0] == 0.0
    with pytest.raises(ValueError, match="Input contains infinity"):
        r2_score(*concat(bs)[:2])
    m = jm.R2Score(class_aggregation=None, num_outputs=D)
    mean = jm.R2Score(num_outputs=D)
    halves = (run(m, bs[:2]), run(m, bs[2:]))
    for s in (run(m, bs), jax.jit(lambda bs: run(m, bs))(bs), m.merge(*halves)):
        got = np.asarray(m.compute(s), np.float64)
        assert np.isnan(got[0]) and np.isnan(float(mean.compute(s)))
        np.testing.assert_allclose(got[1:], want[1:], rtol=1e-5)


def test_zero_weights_empty_batches_and_empty_state():
    bs = make(6, sizes=(6,), weights=True)
    t, p, w = bs[0]
    m = jm.R2Score(class_aggregation=None, num_regressors=1, num_outputs=D)
    assert np.all(np.isnan(m.compute(m.init())))  # no data: 0/0, as Keras after an empty batch
    assert np.all(np.isnan(m.compute(m.update(m.init(), t, p, sample_weight=np.zeros(6)))))
    w0 = w.copy()
    w0[[1, 4]] = 0
    t_nan = t.copy()
    t_nan[1] = np.nan  # a NaN in a row of weight 0 is removed with the row
    weighted = m.compute(m.update(m.init(), t_nan, p, sample_weight=w0))
    keep = w0 > 0
    removed = m.compute(m.update(m.init(), t[keep], p[keep], sample_weight=w0[keep]))
    np.testing.assert_allclose(weighted, removed, rtol=1e-6)  # n of adjusted R2 excludes them too
    s = m.update(m.init(), t, p)
    jax.tree.map(np.testing.assert_array_equal, m.update(s, t[:0], p[:0]), s)


def test_bf16_inputs_lose_nothing_beyond_their_rounding():
    bs = make(7)
    half = [(jnp.asarray(t, jnp.bfloat16), jnp.asarray(p, jnp.bfloat16), None) for t, p, _ in bs]
    t, p, _ = concat([(np.asarray(t, np.float64), np.asarray(p, np.float64), None) for t, p, _ in half])
    m = jm.R2Score(num_outputs=D)
    got = m.compute(run(m, half))
    assert got.dtype == jnp.float32
    np.testing.assert_allclose(got, r2_score(t, p), rtol=1e-5)


def test_sample_count_stays_exact_past_2_pow_24():
    m = jm.R2Score(num_regressors=3, num_outputs=1)
    step = jax.jit(m.update)
    x = jnp.linspace(0.0, 1.0, 2**22, dtype=jnp.float32)[:, None]
    s = m.init()
    for _ in range(5):
        s = step(s, x, x * 0.9)
    s = step(s, jnp.ones((1, 1)), jnp.ones((1, 1)))
    n = 5 * 2**22 + 1
    assert float(s.num_samples.hi) + float(s.num_samples.lo) == n  # a float32 count stops at 2**24
    xs = np.concatenate([np.tile(np.asarray(x, np.float64)[:, 0], 5), [1.0]])
    ps = np.concatenate([0.9 * np.tile(np.asarray(x, np.float64)[:, 0], 5), [1.0]])
    r2 = 1 - np.sum((xs - ps) ** 2) / np.sum((xs - xs.mean()) ** 2)  # float64 reference
    assert float(m.compute(s)) == pytest.approx(1 - (1 - r2) * (n - 1) / (n - 3 - 1), rel=1e-4)


# ---- options, shapes, protocol ----------------------------------------------------------------
@pytest.mark.parametrize("args,match", [
    (dict(class_aggregation="variance_weighted"),
     r"R2Score: Invalid value for argument `class_aggregation`. Expected one of \[None, 'uniform_average', 'variance_weighted_average'\]. Received: class_aggregation=variance_weighted"),
    (dict(num_regressors=-1), "R2Score: Invalid value for argument `num_regressors`. Expected an integer >= 0. Received: num_regressors=-1"),
    (dict(num_outputs=0), "R2Score: num_outputs must be None or an int >= 1; got 0"),
])
def test_bad_options_raise(args, match):
    with pytest.raises(ValueError, match=match):
        jm.R2Score(**args)


def test_shape_errors_and_missing_width():
    m = jm.R2Score(num_outputs=2)
    with pytest.raises(ValueError, match=r"r2_score: R2Score expects 2D inputs .* y_true and y_pred.* y_pred.shape=\(4,\) and y_true.shape=\(4,\)"):
        m.update(m.init(), np.zeros(4), np.zeros(4))
    with pytest.raises(ValueError, match=r"r2_score: inputs must have output_dim=2 .*\(4, 3\)"):
        m.update(m.init(), np.zeros((4, 3)), np.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"r2_score: sample_weight .*\(3,\)"):
        m.update(m.init(), np.zeros((4, 2)), np.zeros((4, 2)), sample_weight=np.ones(3))
    with pytest.raises(ValueError, match="R2Score: num_outputs must be given to build a state"):
        jm.R2Score().init()
    one = jm.R2Score(num_outputs=1)  # (N,) against (N, 1) is matched, never (N, N)
    s = one.update(one.init(), np.arange(4.0), np.arange(4.0)[:, None])
    assert float(one.compute(s)) == 1.0


def test_names_configs_and_shared_statistics():
    m = jm.R2Score(class_aggregation=None, num_regressors=2)
    km = keras_metric("R2Score", class_aggregation=None, num_regressors=2)
    assert m.display_name == re.sub(r"_\d+$", "", km.name)
    assert set(km.get_config()) == set(m.get_config()) - set(jm.R2Score.jmetrics_only_options)
    assert jm.R2Score.from_config(m.get_config()) == m
    assert jm.R2Score(num_outputs=2).stat_key() == jm.R2Score(None, 3, num_outputs=2).stat_key()
    assert jm.R2Score(num_outputs=2).stat_key() != jm.R2Score(num_outputs=3).stat_key()


def test_jit_traces_once_and_vmap_equals_a_loop():
    m = jm.R2Score(class_aggregation="variance_weighted_average", num_outputs=D)
    step = TracedJit(lambda s, t, p, w: m.update(s, t, p, sample_weight=w))
    s = m.init()
    for t, p, w in make(8, sizes=(4, 4, 4), weights=True):
        s = step(s, t, p, w)
    assert step.traces == 1 and tree_types(s) == tree_types(m.init())
    t, p, w = (np.stack(x) for x in zip(*make(9, sizes=(4, 4, 4), weights=True), strict=True))
    stacked = jax.vmap(lambda t, p, w: m.compute(m.update(m.init(), t, p, sample_weight=w)))(t, p, w)
    loop = [m.compute(m.update(m.init(), t[k], p[k], sample_weight=w[k])) for k in range(3)]
    np.testing.assert_allclose(stacked, loop, rtol=1e-5)


SPLIT_METRIC = jm.R2Score(class_aggregation=None, num_outputs=2)
SPLIT_STEP = jax.jit(lambda s, t, p, w: SPLIT_METRIC.update(s, t, p, sample_weight=w))


@given(st.lists(st.integers(0, 4), min_size=1, max_size=6).filter(lambda s: sum(s) >= 2),
       st.integers(0, 10_000))
def test_any_split_and_merge_order_give_the_same_r2(sizes, seed):
    m, step = SPLIT_METRIC, SPLIT_STEP
    bs = make(seed, sizes=tuple(sizes), d=2, weights=True, offset=50.0)
    parts = [step(m.init(), t, p, w) for t, p, w in bs]
    forward, backward = m.init(), m.init()
    for s in parts:
        forward = m.merge(forward, s)
    for s in reversed(parts):
        backward = m.merge(s, backward)
    t, p, w = concat(bs)
    want = r2_score(t.astype(np.float64), p.astype(np.float64), sample_weight=w, multioutput="raw_values")
    np.testing.assert_allclose(m.compute(forward), want, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(m.compute(backward), m.compute(forward), rtol=1e-4, atol=1e-5)


def test_reset_keeps_the_width_of_the_first_batch_as_keras():
    r = np.random.default_rng(11)
    t, p = r.normal(size=(6, 3)).astype(np.float32), r.normal(size=(6, 3)).astype(np.float32)
    m, km = jm.R2Score(class_aggregation=None), keras_metric("R2Score", class_aggregation=None)
    m.update_state(t, p)
    km.update_state(t, p)
    m.reset_state()
    km.reset_state()
    np.testing.assert_allclose(m.result(), km.result())  # an empty state of 3 outputs
    np.testing.assert_allclose(m(t[:4], p[:4]), km(t[:4], p[:4]), rtol=1e-5)
    with pytest.raises(ValueError, match=r"r2_score: inputs must have output_dim=3 .*\(4, 2\)"):
        m.update_state(t[:4, :2], p[:4, :2])
