"""Laws every streaming metric obeys (driven by the registry, ``jmetrics.ENTRIES``), and Keras 3
agreement.

Each class declares what it takes (``input_kind``) and how to build it (``example_args``); the
generators below make inputs of that kind. Oracle: Keras 3 (JAX backend) fed the same batches.
"""

from __future__ import annotations

import json

import jax
import jax.numpy as jnp
import keras
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import jmetrics
import jmetrics.metrics as jm
from jmetrics.adapter import ENTRIES
from tests.helpers import TracedJit, keras_result, tree_types

# MeanMetricWrapper needs a function argument; the classes built on it (MeanSquaredError...) are
# held to these laws.
CLASSES = sorted({e.streaming for e in ENTRIES
                  if e.streaming is not None and e.streaming is not jm.MeanMetricWrapper},
                 key=lambda c: c.__name__)
C = 4  # classes in categorical inputs


def make_inputs(kind: str, n: int, seed: int):
    r = np.random.default_rng(seed)
    if kind == "values":
        return (r.normal(size=(n, 3)).astype(np.float32),)
    if kind == "regression":
        t = r.normal(size=(n, 3)).astype(np.float32)
        return t, (t + r.normal(scale=0.5, size=(n, 3))).astype(np.float32)
    if kind == "binary":
        return r.integers(0, 2, (n, 1)).astype(np.float32), r.uniform(size=(n, 1)).astype(np.float32)
    if kind == "labels":
        return r.integers(0, 3, (n, 1)).astype(np.float32), r.integers(0, 3, (n, 1)).astype(np.float32)
    p = r.dirichlet(np.ones(C), size=n).astype(np.float32)
    labels = r.integers(0, C, n)
    if kind == "sparse":
        return labels.astype(np.int32), p
    if kind in ("categorical", "multilabel"):
        return np.eye(C, dtype=np.float32)[labels], p
    raise ValueError(kind)


def instance(cls):
    return cls(**cls.example_args)


def make_inputs_of(cls, n: int, seed: int):
    """Inputs of ``cls.input_kind``; ``"multitask"``: dicts ``{task: input}`` of each task's kind."""
    if cls.input_kind != "multitask":
        return make_inputs(cls.input_kind, n, seed)
    per_task = {t: make_inputs(m.input_kind, n, seed + k)
                for k, (t, m) in enumerate(instance(cls).task_metrics.items())}
    return tuple({t: x[i] for t, x in per_task.items()} for i in range(2))


def rows(x, f):
    """``f`` applied to every array of an input (a dict of arrays for multitask inputs)."""
    return {k: f(v) for k, v in x.items()} if isinstance(x, dict) else f(x)


def batches(cls, sizes=(7, 3, 1, 5), seed=0, weighted=False, integer_weights=False):
    out = []
    for i, n in enumerate(sizes):
        inputs = make_inputs_of(cls, n, seed + i)
        r = np.random.default_rng(100 + i)
        w = r.uniform(0, 2, n).astype(np.float32) if weighted else None
        if weighted and integer_weights:
            w = r.integers(0, 3, n).astype(np.int32)
        out.append((*inputs, w))
    return out


def run(metric, bs, state=None):
    state = metric.init() if state is None else state
    for *inputs, w in bs:
        state = metric.update(state, *inputs, sample_weight=w)
    return state


def close(a, b, rtol=1e-5, atol=1e-6):
    jax.tree.map(lambda x, y: np.testing.assert_allclose(x, y, rtol=rtol, atol=atol), a, b)


@pytest.fixture(params=CLASSES, ids=lambda c: c.__name__)
def cls(request):
    return request.param


def test_init_has_the_type_of_an_updated_state(cls):
    m = instance(cls)
    assert tree_types(m.init()) == tree_types(run(m, batches(cls)[:1]))
    assert tree_types(jax.eval_shape(m.init)) == tree_types(m.init())


def test_jitted_update_traces_once_per_shape_and_equals_eager(cls):
    m = instance(cls)
    step = TracedJit(lambda s, *a: m.update(s, *a[:-1], sample_weight=a[-1]))
    bs = batches(cls, sizes=(6, 6, 6), weighted=True)
    s_jit = m.init()
    for *inputs, w in bs:
        s_jit = step(s_jit, *inputs, w)
    assert step.traces == 1
    close(m.compute(s_jit), m.compute(run(m, bs)))


def test_merge_laws_and_split_invariance(cls):
    m = instance(cls)
    bs = batches(cls, weighted=True)
    a, b, c = run(m, bs[:1]), run(m, bs[1:3]), run(m, bs[3:])
    whole = run(m, bs)
    close(m.compute(m.merge(m.init(), a)), m.compute(a))
    close(m.compute(m.merge(m.merge(a, b), c)), m.compute(m.merge(a, m.merge(b, c))))
    close(m.compute(m.merge(a, b)), m.compute(m.merge(b, a)))
    if getattr(cls, "split_invariant", True):
        close(m.compute(m.merge(m.merge(a, b), c)), m.compute(whole))
    else:
        # A class whose value depends on where the stream is cut (a window of updates) declares
        # split_invariant = False; its merge is then held to the lockstep law: two streams of
        # equally many updates merge into the stream whose every update joins both batches.
        split = m.compute(m.merge(m.merge(a, b), c))
        assert not np.allclose(np.asarray(split), np.asarray(m.compute(whole))), "not exempt"
        a, b = run(m, bs[:2]), run(m, bs[2:])
        joined = [tuple(join(x, y) for x, y in zip(p, q, strict=True))
                  for p, q in zip(bs[:2], bs[2:], strict=True)]
        close(m.compute(m.merge(a, b)), m.compute(run(m, joined)))


def join(x, y):
    """Two batches' inputs (or weights) as one batch."""
    if x is None:
        return None
    if isinstance(x, dict):
        return {k: np.concatenate([x[k], y[k]]) for k in x}
    return np.concatenate([x, y])


def test_weight_zero_equals_removing_rows_and_empty_batch_changes_nothing(cls):
    m = instance(cls)
    *inputs, _ = batches(cls, sizes=(8,))[0]
    w = np.ones(8, np.float32)
    w[[1, 5]] = 0
    keep = w > 0
    weighted = m.update(m.init(), *inputs, sample_weight=w)
    removed = m.update(m.init(), *(rows(x, lambda v: v[keep]) for x in inputs))
    close(m.compute(weighted), m.compute(removed))
    empty = m.update(removed, *(rows(x, lambda v: v[:0]) for x in inputs))
    close(m.compute(empty), m.compute(removed))


def test_a_state_from_init_can_be_donated(cls):
    # jax.jit(update, donate_argnums=0), as a training step carries its state: no two leaves of
    # init() may share a buffer, and donation changes no result.
    m = instance(cls)
    bs = batches(cls, sizes=(4, 4), weighted=True)
    step = jax.jit(lambda s, *a: m.update(s, *a[:-1], sample_weight=a[-1]), donate_argnums=0)
    s = m.init()
    for *inputs, w in bs:
        s = step(s, *inputs, w)
    close(m.compute(s), m.compute(run(m, bs)))


def test_a_collection_state_can_be_donated():
    coll = jmetrics.Collection([instance(c) for c in CLASSES if c.input_kind == "regression"])
    bs = batches(jm.MeanSquaredError, sizes=(4, 4), weighted=True)
    step = jax.jit(coll.update, donate_argnums=0)
    s = coll.init()
    for t, p, w in bs:
        s = step(s, t, p, w)
    close(coll.compute(s), coll.compute(run(coll, bs)))


def test_hash_config_and_eager_face(cls):
    m = instance(cls)
    assert hash(m) == hash(instance(cls)) and m == instance(cls)
    assert type(m).from_config(m.get_config()) == m
    bs = batches(cls, sizes=(5, 2))
    for *inputs, w in bs:
        m.update_state(*inputs, sample_weight=w)
    close(m.result(), m.compute(run(instance(cls), bs)))
    m.reset_state()
    close(m.result(), m.compute(m.init()))
    # A direction, or None declared by the class itself where its value has none (Mean, Sum, a
    # confusion matrix): never the base class's None inherited by omission.
    assert m.higher_is_better in (True, False) or (
        m.higher_is_better is None
        and (cls.input_kind == "values" or "higher_is_better" in vars(cls)))


def test_from_config_is_the_inverse_of_get_config(cls):
    # The config as given and as JSON gives it back (tuples as lists): the class's own option
    # normalisation, and nothing else, makes the rebuilt metric equal, hashable and re-serializable.
    m = instance(cls)
    config = m.get_config()
    for as_given in (config, json.loads(json.dumps(config))):
        back = type(m).from_config(as_given)
        assert back == m and hash(back) == hash(m)
        assert back.get_config() == config


# ---- Keras 3 as the oracle: same ragged batches, with and without sample_weight --------------
KERAS_ORACLE = [c for c in CLASSES if hasattr(keras.metrics, c.__name__) and c.input_kind != "values"]


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("cls", KERAS_ORACLE, ids=lambda c: c.__name__)
def test_matches_keras3(cls, weighted):
    # A class may ask for integer weights (Keras 3's IoU family truncates float weights) and name
    # jmetrics-only options that Keras' constructor does not take.
    bs = batches(cls, weighted=weighted, seed=3,
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


INF_CLASSES = ["MeanSquaredError", "MeanAbsoluteError", "RootMeanSquaredError", "Hinge",
               "SquaredHinge", "LogCoshError", "MeanSquaredLogarithmicError",
               "MeanAbsolutePercentageError", "CategoricalCrossentropy", "CategoricalHinge"]


@pytest.mark.parametrize("value", [np.inf, -np.inf])
@pytest.mark.parametrize("arg", [0, 1])
@pytest.mark.parametrize("name", INF_CLASSES)
def test_infinite_inputs_give_keras3_values_eager_jit_and_merged(name, arg, value):
    # A clean batch, then one with +-inf in y_true or y_pred: Keras 3 gives the plain float sum's
    # +-inf (or NaN); the compensated sums must give the same, through merge in either order.
    cls = getattr(jm, name)
    clean = make_inputs(cls.input_kind, 4, 0)
    bad = [np.array(a) for a in make_inputs(cls.input_kind, 3, 1)]
    bad[arg][1, 0] = value
    want = keras_result(getattr(keras.metrics, name)(), [clean, tuple(bad)])
    m = instance(cls)
    for update in (m.update, jax.jit(m.update)):
        a, b = update(m.init(), *clean), update(m.init(), *bad)
        for s in (update(a, *bad), m.merge(a, b), jax.jit(m.merge)(b, a)):
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
        step = jax.jit(m.update)
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


# ---- numerics ---------------------------------------------------------------------------------
def test_counts_stay_exact_past_2_pow_24():
    m = jm.Mean()
    step = jax.jit(m.update)
    s = m.init()
    ones = jnp.ones(2**20, jnp.float32)
    for _ in range(17):  # 17 * 2**20 > 2**24 samples
        s = step(s, ones)
    s = step(s, jnp.ones(1, jnp.float32))
    count = float(s.weight.hi) + float(s.weight.lo)
    assert count == 17 * 2**20 + 1  # a plain float32 count would stop at 2**24


def test_long_stream_does_not_drift():
    # 2e7 float32 values with a large offset, in batches of 1e5: Mean within 1e-6 of float64.
    m = jm.Mean()
    r = np.random.default_rng(0)
    data = (1000.0 + r.normal(size=(200, 100_000))).astype(np.float32)

    def body(s, x):
        return m.update(s, x), None

    s, _ = jax.lax.scan(body, m.init(), jnp.asarray(data))
    want = data.astype(np.float64).mean()
    assert abs(float(m.compute(s)) - want) / want < 1e-6


def test_bf16_inputs_lose_nothing_beyond_their_rounding():
    r = np.random.default_rng(1)
    t, p = r.normal(size=(64, 3)), r.normal(size=(64, 3))
    tb, pb = jnp.asarray(t, jnp.bfloat16), jnp.asarray(p, jnp.bfloat16)
    m = jm.MeanSquaredError()
    got = m.compute(m.update(m.init(), tb, pb))
    want = np.mean((np.asarray(pb, np.float64) - np.asarray(tb, np.float64)) ** 2)
    assert got.dtype == jnp.float32
    np.testing.assert_allclose(float(got), want, rtol=1e-6)


@given(st.lists(st.integers(1, 6), min_size=1, max_size=5), st.integers(0, 10_000))
def test_any_split_gives_the_same_mean(sizes, seed):
    m = jm.MeanAbsoluteError()
    step = jax.jit(m.update)
    r = np.random.default_rng(seed)
    n = sum(sizes)
    t, p = r.normal(size=(n, 2)).astype(np.float32), r.normal(size=(n, 2)).astype(np.float32)
    s, i = m.init(), 0
    for k in sizes:
        s = step(s, t[i : i + k], p[i : i + k])
        i += k
    np.testing.assert_allclose(float(m.compute(s)), np.abs(p - t).mean(), rtol=1e-5)


def test_eager_face_takes_weight_by_position_and_python_lists(cls):
    """Keras' ``update_state(y_true, y_pred, sample_weight)`` (``(values, sample_weight)`` for
    Mean/Sum): the weight by position equals the weight by keyword, in ``update_state`` and
    ``__call__``; nested Python lists equal the arrays they spell."""
    (*inputs, w), = batches(cls, sizes=(6,), weighted=True, integer_weights=True)
    by_kw, by_pos, by_call, lists = (instance(cls) for _ in range(4))
    by_kw.update_state(*inputs, sample_weight=w)
    by_pos.update_state(*inputs, w)
    close(by_call(*inputs, w), by_kw.result())
    close(by_pos.result(), by_kw.result())
    lists.update_state(*(rows(x, lambda v: v.tolist()) for x in inputs), w.tolist())
    close(lists.result(), by_kw.result())
    m = instance(cls)  # under jit a list is a list of tracers: traced, never checked as values
    as_lists = [rows(x, lambda v: v.tolist()) for x in inputs]
    traced = jax.jit(m.update)(m.init(), *as_lists, sample_weight=w.tolist())
    close(m.compute(traced), m.compute(m.update(m.init(), *inputs, sample_weight=w)))
    with pytest.raises(TypeError, match=r"sample_weight both by position and by keyword"):
        instance(cls).update_state(*inputs, w, sample_weight=w)
