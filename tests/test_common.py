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
from tests.helpers import lowerings, tree_types

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


# The laws below feed every class batches of the sizes in LAW_SIZES (ragged: two non-empty sizes;
# empty: 0) through one jitted update per metric config (``compiled``): each class compiles its
# update once per batch signature, (6, weighted), (4, unweighted) and (0, unweighted), whatever
# the law. merge and compute run eagerly (op by op, their small programs shared by the classes).
LAW_SIZES = (6, 4, 0)


def signature(tree):
    """Tree structure, shapes and dtypes of a jitted call's inputs (a retrace key)."""
    return jax.tree.structure(tree), tuple(
        (tuple(np.shape(x)), np.dtype(x.dtype)) for x in jax.tree.leaves(tree))


class Compiled:
    """One metric config's jitted ``update`` (donating its state, as a training step does). It
    counts its traces and the distinct input signatures it was called with: one trace per
    signature, whatever the state it is given (init's or an updated one)."""

    def __init__(self, m) -> None:
        self.traces = 0
        self.signatures: set = set()

        def counted(state, *a):
            self.traces += 1
            return m.update(state, *a[:-1], sample_weight=a[-1])

        self._update = jax.jit(counted, donate_argnums=0)

    def update(self, state, *inputs_and_weight):
        self.signatures.add(signature(inputs_and_weight))
        return self._update(state, *inputs_and_weight)

    def run(self, m, bs, state=None):
        """``run`` through the jitted update (the state given is donated)."""
        state = m.init() if state is None else state
        for *inputs, w in bs:
            state = self.update(state, *inputs, w)
        return state


_COMPILED: dict = {}


def compiled(m) -> Compiled:
    """The :class:`Compiled` of ``m``'s config, built once per session (equal configs share it)."""
    if m not in _COMPILED:
        _COMPILED[m] = Compiled(m)
    return _COMPILED[m]


@pytest.fixture(params=CLASSES, ids=lambda c: c.__name__)
def cls(request):
    return request.param


def test_init_has_the_type_of_an_updated_state(cls):
    m = instance(cls)
    fns = compiled(m)
    assert tree_types(m.init()) == tree_types(fns.run(m, batches(cls, sizes=LAW_SIZES[1:2])))
    assert tree_types(jax.eval_shape(m.init)) == tree_types(m.init())


def test_jitted_update_traces_once_per_shape_and_equals_eager(cls):
    # The eager side runs update op by op; the jitted side is the shared update (fresh from
    # init, three batches of one shape).
    m = instance(cls)
    fns = compiled(m)
    bs = batches(cls, sizes=LAW_SIZES[:1] * 3, weighted=True)
    s_jit = m.init()
    for k, (*inputs, w) in enumerate(bs):
        before = fns.traces
        s_jit = fns.update(s_jit, *inputs, w)
        assert fns.traces - before <= (k == 0), "an updated state retraced"
    assert fns.traces == len(fns.signatures)
    unweighted = batches(cls, sizes=LAW_SIZES[:1] * 2)
    eager = run(m, bs[:1])
    mixed = run(m, unweighted[:1], eager)
    before = lowerings()
    eager = run(m, bs[1:], eager)  # shapes seen: nothing new to compile
    run(m, unweighted[1:], mixed)
    assert lowerings() == before, f"eager updates of seen shapes compiled {lowerings() - before} programs"
    assert tree_types(eager) == tree_types(s_jit)
    want = m.compute(eager)
    before = lowerings()
    close(m.compute(s_jit), want)  # a state of a type seen: nothing new to compile
    assert lowerings() == before, f"an eager compute compiled {lowerings() - before} programs again"


def test_merge_laws_and_split_invariance(cls):
    m = instance(cls)
    fns = compiled(m)
    merge, compute = m.merge, m.compute
    # ragged and weighted: batches of 6 weighted rows and of 4 unweighted ones
    bs = [(*b[:-1], None) if i in (1, 2) else b for i, b in
          enumerate(batches(cls, sizes=LAW_SIZES[:2] + LAW_SIZES[1::-1], weighted=True))]
    a, b, c = fns.run(m, bs[:1]), fns.run(m, bs[1:3]), fns.run(m, bs[3:])
    whole = fns.run(m, bs)
    close(compute(merge(m.init(), a)), compute(a))
    close(compute(merge(merge(a, b), c)), compute(merge(a, merge(b, c))))
    close(compute(merge(a, b)), compute(merge(b, a)))
    if getattr(cls, "split_invariant", True):
        close(compute(merge(merge(a, b), c)), compute(whole))
    else:
        # A class whose value depends on where the stream is cut (a window of updates) declares
        # split_invariant = False; its merge is then held to the lockstep law: two streams of
        # equally many updates merge into the stream whose every update joins both batches.
        split = compute(merge(merge(a, b), c))
        assert not np.allclose(np.asarray(split), np.asarray(compute(whole))), "not exempt"
        a, b = fns.run(m, bs[:2]), fns.run(m, bs[2:])
        joined = [tuple(join(x, y) for x, y in zip(with_weights(p), with_weights(q), strict=True))
                  for p, q in zip(bs[:2], bs[2:], strict=True)]
        close(compute(merge(a, b)), compute(fns.run(m, joined)))
    assert fns.traces == len(fns.signatures)


def with_weights(batch):
    """A batch whose absent weight is spelled out: ones, one per row."""
    *inputs, w = batch
    n = len(jax.tree.leaves(inputs[0])[0])
    return (*inputs, np.ones(n, np.float32) if w is None else w)


def join(x, y):
    """Two batches' inputs (or weights) as one batch."""
    if x is None:
        return None
    if isinstance(x, dict):
        return {k: np.concatenate([x[k], y[k]]) for k in x}
    return np.concatenate([x, y])


def test_weight_zero_equals_removing_rows_and_empty_batch_changes_nothing(cls):
    m = instance(cls)
    fns = compiled(m)
    n = LAW_SIZES[0]
    *inputs, _ = batches(cls, sizes=(n,))[0]
    w = np.ones(n, np.float32)
    w[[1, n - 1]] = 0
    keep = w > 0
    weighted = fns.update(m.init(), *inputs, w)
    removed = fns.update(m.init(), *(rows(x, lambda v: v[keep]) for x in inputs), None)
    expected = m.compute(removed)
    close(m.compute(weighted), expected)
    empty = fns.update(removed, *(rows(x, lambda v: v[:0]) for x in inputs), None)
    close(m.compute(empty), expected)
