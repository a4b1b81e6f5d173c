"""Laws every streaming metric obeys (driven by the registry, ``jmetrics.ENTRIES``): the registry,
the inputs, and the state laws (init type, no retrace, merge, weight 0).

Each class declares what it takes (``input_kind``) and how to build it (``example_args``); the
generators below make inputs of that kind. The other laws, one file each, use them:
``test_common_keras3.py`` (Keras 3 on the JAX backend as the oracle, fed the same batches),
``test_common_eager_face.py``, ``test_common_donation.py``, ``test_common_numerics.py``.
"""

from __future__ import annotations

import jax
import numpy as np
import pytest

import jmetrics.metrics as jm
from jmetrics.adapter import ENTRIES
from tests.helpers import TracedJit, tree_types

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
