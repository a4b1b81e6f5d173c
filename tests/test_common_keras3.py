"""Keras 3 (JAX backend) as the oracle of every class with a Keras namesake: the same ragged
batches, with and without sample_weight, infinite inputs, the documented Mean semantics.
Registry and inputs: tests/test_common.py."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import keras
import numpy as np
import pytest

import jmetrics.metrics as jm
from jmetrics.adapter import ENTRIES
from tests.helpers import keras_result
from tests.test_common import CLASSES, batches, instance, make_inputs, run

KERAS_ORACLE = [c for c in CLASSES if hasattr(keras.metrics, c.__name__) and c.input_kind != "values"]


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("cls", KERAS_ORACLE, ids=lambda c: c.__name__)
def test_matches_keras3(cls, weighted):
    # A class may ask for integer weights (Keras 3's IoU family truncates float weights) and name
    # jmetrics-only options that Keras' constructor does not take.
    bs = batches(cls, sizes=(3, 1, 3, 3), weighted=weighted, seed=3,
                 integer_weights=getattr(cls, "keras_oracle_weights", "float") == "integer")
    keras_args = {k: v for k, v in cls.example_args.items()
                  if k not in getattr(cls, "jmetrics_only_options", ())}
    want = keras_result(getattr(keras.metrics, cls.__name__)(**keras_args), bs)
    got = np.asarray(instance(cls).compute(run(instance(cls), bs)), np.float64)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("weighted", [False, True])
def test_mean_and_sum_match_keras3(weighted):
    bs = [(x, w) for x, _, w in [(*make_inputs("values", n, i), None, None) for i, n in enumerate((4, 1, 3))]]
    ws = [np.random.default_rng(i).uniform(0, 2, len(x)).astype(np.float32) if weighted else None for i, (x, _) in enumerate(bs)]
    for name in ("Mean", "Sum"):
        km = getattr(keras.metrics, name)()
        m = getattr(jm, name)()
        s = m.init()
        for (x, _), w in zip(bs, ws, strict=True):
            km.update_state(x, sample_weight=w)
            s = m.update(s, x, sample_weight=w)
        np.testing.assert_allclose(m.compute(s), km.result(), rtol=1e-5)


_JITTED: dict = {}


def jitted(m, method: str):
    """``jax.jit(m.<method>)``, built once per metric config (metrics are hashable configs)."""
    if (m, method) not in _JITTED:
        _JITTED[m, method] = jax.jit(getattr(m, method))
    return _JITTED[m, method]


def _inf_propagates(cls):
    """The class's bad-input row says +-inf in y_true and y_pred propagates."""
    policy = next(e for e in ENTRIES if e.streaming is cls).policy_of(cls)
    return {policy.posinf_true.eager, policy.neginf_true.eager, policy.inf_pred.eager} == {
        "propagate"}


# The Keras 3 classes of (y_true, y_pred) whose row says inf propagates (Mean and Sum: below).
INF_CLASSES = [c.__name__ for c in KERAS_ORACLE if _inf_propagates(c)]


@pytest.mark.parametrize("value", [np.inf, -np.inf])
@pytest.mark.parametrize("arg", [0, 1])
@pytest.mark.parametrize("name", INF_CLASSES)
def test_infinite_inputs_give_keras3_values_eager_jit_and_merged(name, arg, value):
    # A clean batch, then one with +-inf in y_true or y_pred: Keras 3 gives the plain float sum's
    # +-inf (or NaN); the compensated sums must give the same, through merge in either order.
    cls = getattr(jm, name)
    clean = make_inputs(cls.input_kind, 3, 0)  # the bad batch's shape: one compile of each
    bad = [np.array(a) for a in make_inputs(cls.input_kind, 3, 1)]
    bad[arg][1, 0] = value
    want = keras_result(getattr(keras.metrics, name)(), [clean, tuple(bad)])
    m = instance(cls)
    for update in (m.update, jitted(m, "update")):
        a, b = update(m.init(), *clean), update(m.init(), *bad)
        for s in (update(a, *bad), m.merge(a, b), jitted(m, "merge")(b, a)):
            np.testing.assert_allclose(np.asarray(m.compute(s), np.float64), want, rtol=1e-5)


@pytest.mark.parametrize("name", ["Mean", "Sum"])
def test_mean_and_sum_of_infinite_values_match_keras3(name):
    batches_ = [np.array([1.0, 2.0], np.float32), np.array([3.0, np.inf], np.float32),
                np.array([-1.0, 5.0], np.float32), np.array([-np.inf, 1.0], np.float32)]
    m = getattr(jm, name)()
    for stream in (batches_[:3], batches_[2:], batches_):  # +inf, -inf, both (NaN)
        km = getattr(keras.metrics, name)()
        for x in stream:
            km.update_state(x)
        want = np.asarray(km.result(), np.float64)
        states = [m.update(m.init(), x) for x in stream]
        s = states[0]
        for t in states[1:]:
            s = m.merge(s, t)
        got = np.asarray(m.compute(s), np.float64)
        assert (np.isnan(got) and np.isnan(want)) or got == want, (stream, got, want)
        step = jitted(m, "update")
        s = m.init()
        for x in stream:
            s = step(s, x)
        np.testing.assert_allclose(np.asarray(m.compute(s), np.float64), want, rtol=1e-6)


def test_keras_documented_mean_semantics():
    # keras-semantics.md §3.2 [run]: [[1,2,3]] then [[10]] -> 6.0; scalar weights -> 1.5 then 2.75
    m = jm.Mean()
    s = m.update(m.update(m.init(), jnp.array([[1.0, 2, 3]])), jnp.array([[10.0]]))
    assert float(m.compute(s)) == 6.0
    s = m.update(m.init(), jnp.array([1.0, 2]), sample_weight=2.0)
    assert float(m.compute(s)) == 1.5
    s = m.update(s, jnp.array([3.0, 4, 5]), sample_weight=2.0)
    assert float(m.compute(s)) == 2.75
    assert float(m.compute(m.init())) == 0.0  # Keras 3: no updates -> 0


def test_nan_in_a_zero_weight_row_is_removed():
    m = jm.MeanSquaredError()
    s = m.update(m.init(), jnp.array([[1.0], [jnp.nan]]), jnp.array([[2.0], [0.0]]), sample_weight=jnp.array([1.0, 0.0]))
    assert float(m.compute(s)) == 1.0


def test_shape_errors_name_metric_and_shapes():
    m = jm.MeanSquaredError()
    with pytest.raises(ValueError, match=r"mean_squared_error: .*\(8,\).*\(8, 3\)"):
        m.update(m.init(), np.zeros(8), np.zeros((8, 3)))
    with pytest.raises(ValueError, match=r"mean_squared_error: sample_weight must broadcast"):
        m.update(m.init(), np.zeros((8, 1)), np.zeros((8, 1)), sample_weight=np.ones(3))
    # (N,) against (N, 1) is matched, never broadcast into (N, N)
    s = m.update(m.init(), jnp.arange(4.0), jnp.arange(4.0)[:, None] + 1)
    assert float(m.compute(s)) == 1.0
