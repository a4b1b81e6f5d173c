"""Faces and bad inputs for the adversarial law (``tests/test_adversarial.py``); not tests themselves.

A :class:`Face` is how the law calls one public unit: eagerly, under ``jax.jit``, and through its
oracle (Keras 3 on the JAX backend, scikit-learn 1.9.1), on a *stream* of batches (a clean batch,
then the bad one; per-sample functions and scikit-learn functions see the bad batch alone). An
:class:`InputClass` turns a clean batch of an input kind into one bad batch.

Faces are built from the public API and the registry: ``jmetrics.ENTRIES`` gives each kernel's and
function form's input kind, ``SK_ENTRIES`` each ``jmetrics.sk`` function's kind and options; Keras 3
counterparts are found under the unit's own name.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import os
import tempfile
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

import jmetrics
import jmetrics.metrics as jm
from jmetrics.adapter._table import ENTRIES, SK_ENTRIES
from jmetrics.metrics._base import snake_case
from jmetrics.metrics._eager import EagerFace, _jit_compute, _jit_update

N = 6  # rows per batch
C = 4  # classes of categorical, sparse and multilabel inputs
Batch = tuple[Any, Any, Any]  # (y_true, y_pred, sample_weight); y_true is None for Mean/Sum


def clean(kind: str, seed: int = 0) -> Batch:
    """A small clean batch of an input kind (``Metric.input_kind`` vocabulary), weights of 1."""
    r = np.random.default_rng(seed)
    w = np.ones(N, np.float32)
    if kind == "values":
        return None, r.normal(size=(N, 3)).astype(np.float32), w
    if kind == "regression":
        t = r.uniform(0.5, 2, size=(N, 3)).astype(np.float32)
        return t, (t + r.normal(scale=0.3, size=(N, 3))).astype(np.float32), w
    if kind == "binary":
        t = np.array([0, 1, 1, 0, 1, 0], np.float32)[:, None]
        return t, r.uniform(0.05, 0.95, size=(N, 1)).astype(np.float32), w
    if kind == "labels":
        t = np.array([0, 1, 2, 0, 1, 2], np.float32)[:, None]
        return t, np.array([0, 1, 1, 0, 2, 2], np.float32)[:, None], w
    p = r.dirichlet(np.ones(C), size=N).astype(np.float32)
    ids = np.array([0, 1, 2, 3, 1, 2])
    if kind == "sparse":
        return ids.astype(np.int32), p, w
    if kind == "categorical":
        return np.eye(C, dtype=np.float32)[ids], p, w
    if kind == "multilabel":
        t = np.eye(C, dtype=np.float32)[ids]
        t[:, 0] = 1.0
        return t, p, w
    if kind == "sklabels":
        return np.array([0, 1, 1, 0, 1, 0]), np.array([0, 1, 0, 0, 1, 1]), w
    if kind == "skbinary":
        return np.array([0, 1, 1, 0, 1, 0]), r.uniform(0.05, 0.95, size=N).astype(np.float32), w
    if kind == "skregression":
        t = r.normal(size=N).astype(np.float32)
        return t, (t + r.normal(scale=0.3, size=N)).astype(np.float32), w
    if kind == "sksparse":
        return ids.astype(np.int64), p, w
    raise ValueError(kind)


LABEL_KINDS = {"binary": 2, "labels": 3, "sparse": C, "multilabel": 2, "sklabels": 2,
               "skbinary": 2, "sksparse": C, "categorical": 2}


# ---- faces -----------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True, eq=False)
class Face:
    """How the law calls one unit."""

    name: str  # the public name (test ids, messages)
    unit: Any  # the public object
    kind: str  # input kind of ``clean``
    eager: Callable[[list[Batch]], Any]
    jit: Callable[[list[Batch]], Any] | None
    oracle: Callable[[list[Batch]], Any] | None  # None: no oracle for this unit
    streaming: bool  # sees [clean, bad] (True) or [bad] (False)
    weighted: bool  # takes sample_weight
    arg_names: tuple[str, str, str]  # what the unit calls y_true, y_pred, sample_weight
    names: tuple[str, ...]  # any of these in a message names the unit
    logits: bool = False  # has a from_logits option
    shapes: bool = True  # held to the rank classes (1-D, 3-D batches)
    # 'members' outcome: the member faces by key, and how the unit arranges their results
    members: tuple[tuple[str, Face], ...] = ()
    assemble: Callable[[dict[str, Any]], Any] = dict


def _leaves(x: Any) -> Any:
    return jax.tree.map(lambda a: np.asarray(a, np.float64), x)


def _cast(x: Any) -> Any:
    return None if x is None else jnp.asarray(x)


# -- kernels (per-sample functions) ------------------------------------------------------------
def _kernel_kinds() -> dict[Any, str]:
    kinds: dict[Any, str] = {fn: e.kind for e in ENTRIES for fn in (e.kernel, *e.functions)
                             if fn is not None}
    # the shape-dispatching functions are held to their binary form
    kinds.update({jmetrics.auto_accuracy: "binary", jmetrics.auto_crossentropy: "binary"})
    return kinds


KIND_OF = _kernel_kinds()


@functools.cache
def _kernel_oracles() -> dict[Any, Callable[..., Any]]:
    """Each kernel's oracle from the kernel tests' cases: Keras 3 reduced to one value per sample
    where Keras has the function, else the float64 NumPy formula."""
    from tests import (
        test_kernels_classification,
        test_kernels_probabilistic,
        test_kernels_regression,
    )

    oracles: dict[Any, Callable[..., Any]] = {}
    for module in (test_kernels_classification, test_kernels_probabilistic,
                   test_kernels_regression):
        for case in module.CASES:
            if case.kw or case.fn in oracles:
                continue
            if case.keras is not None:
                oracles[case.fn] = case.keras
            else:
                oracles[case.fn] = functools.partial(_formula, case.ref)
    # the shape-dispatching functions pick the binary form for a binary batch
    oracles[jmetrics.auto_accuracy] = oracles[jmetrics.binary_accuracy]
    oracles[jmetrics.auto_crossentropy] = oracles[jmetrics.binary_crossentropy]
    return oracles


def _formula(ref: Callable[..., Any], t: Any, p: Any, **kw: Any) -> Any:
    return ref(np.asarray(t, np.float64), np.asarray(p, np.float64), np.float32, **kw)


@functools.cache
def _jitted(fn: Callable[..., Any], **kw: Any) -> Callable[..., Any]:
    return jax.jit(functools.partial(fn, **kw))


def kernel_face(name: str, fn: Callable[..., Any], **kw: Any) -> Face:
    params = inspect.signature(fn).parameters
    weighted = "sample_weight" in params
    jitted_fn = _jitted(fn, **kw)

    def call(f: Callable[..., Any], batches: list[Batch]) -> Any:
        t, p, w = batches[-1]
        if weighted:
            return f(_cast(t), _cast(p), sample_weight=_cast(w))
        return f(_cast(t), _cast(p))

    def oracle(batches: list[Batch]) -> Any:
        t, p, _ = batches[-1]
        return oracle_fn(np.asarray(t), np.asarray(p), **kw)

    oracle_fn = _kernel_oracles().get(fn)
    return Face(name, fn, KIND_OF[fn], functools.partial(call, functools.partial(fn, **kw)),
                functools.partial(call, jitted_fn), oracle if oracle_fn is not None else None,
                False, weighted, (*list(params)[:2], "sample_weight"), (fn.__name__,),
                logits="from_logits" in params, shapes=fn not in SHAPE_DISPATCH)


# Pick their form from the shapes (tested in tests/test_adapter.py): no fixed oracle on 1-D/3-D.
SHAPE_DISPATCH = (jmetrics.auto_accuracy, jmetrics.auto_crossentropy)


# -- streaming classes -------------------------------------------------------------------------
def _instance(cls: type) -> Any:
    if cls is jm.MeanMetricWrapper:
        return jm.MeanMetricWrapper(jmetrics.mean_squared_error)
    return cls(**cls.example_args)


def _keras_instance(cls: type) -> Any:
    import keras

    if cls is jm.MeanMetricWrapper:
        return keras.metrics.MeanMetricWrapper(keras.metrics.mean_squared_error)
    kc = getattr(keras.metrics, cls.__name__, None)
    if kc is None:
        return None
    args = {k: v for k, v in cls.example_args.items()
            if k not in getattr(cls, "jmetrics_only_options", ())}
    return kc(**args)


_JIT_STEPS: dict[Any, tuple[Callable[..., Any], Callable[..., Any]]] = {}


def _steps(metric: Any) -> tuple[Callable[..., Any], Callable[..., Any]]:
    """The jitted update and compute of a metric (or Collection). A metric's are the programs its
    eager face jits (``update_state``, ``result``): one compile per input shape serves both faces."""
    if isinstance(metric, EagerFace):
        return (lambda s, *a, w: _jit_update(metric, s, {}, *a, w),
                lambda s: _jit_compute(metric, s))
    if metric not in _JIT_STEPS:
        _JIT_STEPS[metric] = (jax.jit(lambda s, *a, w: metric.update(s, *a, sample_weight=w)),
                              jax.jit(metric.compute))
    return _JIT_STEPS[metric]


def _args(t: Any, p: Any) -> tuple[Any, ...]:
    return (p,) if t is None else (t, p)


def _metric_runs(make: Callable[[], Any], tasks: tuple[str, ...] = ()) -> tuple[Any, Any]:
    """The eager and jitted runs of a metric over a stream; with ``tasks``, each batch's arrays
    go to every task (``{task: array}``), the weight array is shared."""
    def inputs(t: Any, p: Any, cast: Any) -> tuple[Any, ...]:
        args = tuple(cast(a) for a in _args(t, p))
        return tuple(dict.fromkeys(tasks, a) for a in args) if tasks else args

    def eager(batches: list[Batch]) -> Any:
        m = make()
        for t, p, w in batches:
            m.update_state(*inputs(t, p, lambda a: a), sample_weight=w)
        return m.result()

    def jitted(batches: list[Batch]) -> Any:
        m = make()
        update, compute = _steps(m)
        s = m.init()
        for t, p, w in batches:
            s = update(s, *inputs(t, p, _cast), w=_cast(w))
        return compute(s)

    return eager, jitted


def _member_faces(metric: Any) -> tuple[tuple[str, Face], ...]:
    """A wrapper's members (``metric.members()``), each as a face of its own."""
    faces = []
    for key, member in metric.members().items():
        eager, jitted = _metric_runs(lambda m=member: type(m).from_config(m.get_config()))
        faces.append((key, Face(member.display_name, type(member), member.input_kind, eager, jitted,
                                None, True, True, ("y_true", "y_pred", "sample_weight"),
                                (member.display_name,))))
    return tuple(faces)


def class_face(name: str, cls: type, **options: Any) -> Face:
    def make() -> Any:
        return cls(**{**cls.example_args, **options}) if options else _instance(cls)

    m = make()
    # A multitask metric takes dicts {task: array}: every task gets the same batch here, so its
    # tasks must share one input kind.
    tasks = tuple(m.task_metrics) if cls.input_kind == "multitask" else ()
    kind = cls.input_kind
    if tasks:
        (kind,) = {t.input_kind for t in m.task_metrics.values()}
    eager, jitted = _metric_runs(make, tasks)

    def oracle(batches: list[Batch]) -> Any:
        km = _keras_instance(cls)
        if options:
            km = type(km)(**{**km.get_config(), **options})
        for t, p, w in batches:
            km.update_state(*_args(t, p), sample_weight=w)
        return km.result()

    import keras

    has_oracle = cls is jm.MeanMetricWrapper or hasattr(keras.metrics, cls.__name__)
    fields = {f.name for f in dataclasses.fields(cls)}
    wrapper = hasattr(m, "members")
    return Face(name, cls, kind, eager, jitted, oracle if has_oracle else None, True, True,
                ("y_true", "values" if kind == "values" else "y_pred", "sample_weight"),
                (cls.__name__, snake_case(cls.__name__), m.display_name),
                logits="from_logits" in fields,
                members=_member_faces(m) if wrapper else (),
                assemble=m.assemble if wrapper else dict)


# -- scikit-learn functions --------------------------------------------------------------------
SK_SPECS = {s.fn: s for s in SK_ENTRIES}  # kind and options (for jmetrics and sklearn alike)


def sk_face(name: str, fn: Callable[..., Any], traceable: bool) -> Face:
    spec = SK_SPECS[fn]
    kw = dict(spec.options)
    params = list(inspect.signature(fn).parameters)
    jitted_fn = jax.jit(lambda t, p, w: fn(t, p, sample_weight=w, **kw))

    def eager(batches: list[Batch]) -> Any:
        t, p, w = batches[-1]
        return fn(t, p, sample_weight=w, **kw)

    def jitted(batches: list[Batch]) -> Any:
        t, p, w = batches[-1]
        return jitted_fn(_cast(t), _cast(p), _cast(w))

    def oracle(batches: list[Batch]) -> Any:
        import sklearn.metrics

        t, p, w = batches[-1]
        return getattr(sklearn.metrics, fn.__name__)(t, p, sample_weight=w, **kw)

    return Face(name, fn, spec.kind, eager, jitted if traceable else None, oracle, False, True,
                (params[0], params[1], "sample_weight"), (fn.__name__,))


# -- Collection, evaluate, jmetrics eval -------------------------------------------------------
def _system_members(kind: str) -> tuple[type, ...]:
    """Two members for a system face of ``kind``: among the registry's classes of that kind that
    Keras 3 names and that need no arguments, the first of each distinct bad-input row (a mean and
    a count, where the kind has both), then the next ones in registry order."""
    found = {e.streaming: e.policy_of(e.streaming) for e in ENTRIES
             if e.streaming is not None and e.streaming.__name__ in e.keras3
             and e.streaming.input_kind == kind and not e.streaming.example_args}
    rows: dict[Any, type] = {}
    for cls, policy in found.items():
        rows.setdefault(policy, cls)
    return tuple(dict.fromkeys([*rows.values(), *found]))[:2]


SYSTEM_MEMBERS = {kind: _system_members(kind) for kind in ("regression", "binary")}


def collection_face(name: str, kind: str) -> Face:
    members = SYSTEM_MEMBERS[kind]
    coll = jmetrics.Collection([cls() for cls in members])
    update, compute = _steps(coll)

    def eager(batches: list[Batch]) -> Any:
        c = jmetrics.Collection([cls() for cls in members])
        for t, p, w in batches:
            c.update_state(t, p, sample_weight=w)
        return c.result()

    def jitted(batches: list[Batch]) -> Any:
        s = coll.init()
        for t, p, w in batches:
            s = update(s, _cast(t), _cast(p), w=_cast(w))
        return compute(s)

    return Face(f"{name}[{kind}]", jmetrics.Collection, kind, eager, jitted, None, True, True,
                ("y_true", "y_pred", "sample_weight"), ("Collection",) + tuple(
                    snake_case(m.__name__) for m in members) + tuple(m.__name__ for m in members),
                members=tuple((cls().display_name, class_face(cls.__name__, cls))
                              for cls in members))


def evaluate_face(name: str, kind: str) -> Face:
    members = SYSTEM_MEMBERS[kind]

    def eager(batches: list[Batch]) -> Any:
        t, p, w = batches[-1]
        return jmetrics.evaluate(t, p, [cls() for cls in members], sample_weight=w,
                                 progress=False)

    return Face(f"{name}[{kind}]", jmetrics.evaluate, kind, eager, None, _members_oracle(members),
                False, True, ("y_true", "y_pred", "sample_weight"), ("evaluate",))


def _members_oracle(members: tuple[type, ...]) -> Callable[[list[Batch]], Any]:
    def oracle(batches: list[Batch]) -> Any:
        out = {}
        for cls in members:
            km = _keras_instance(cls)
            for t, p, w in batches:
                km.update_state(t, p, sample_weight=w)
            out[cls().display_name] = km.result()
        return out

    return oracle


def cli_face(name: str, kind: str) -> Face:
    members = SYSTEM_MEMBERS[kind]

    def eager(batches: list[Batch]) -> Any:
        import contextlib
        import io
        import json

        from jmetrics.cli import main

        t, p, w = batches[-1]
        out, err = io.StringIO(), io.StringIO()
        with tempfile.TemporaryDirectory() as d:
            paths = []
            for arg, a in (("true", t), ("pred", p), ("w", w)):
                path = os.path.join(d, f"{arg}.npy")
                np.save(path, np.asarray(a))
                paths.append(path)
            argv = ["eval", "--y-true", paths[0], "--y-pred", paths[1], "--weights", paths[2],
                    "-m", *(cls().display_name for cls in members), "--format", "json", "-q"]
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = main(argv)
        if code == 2:
            raise ValueError(err.getvalue().strip())
        assert code == 0, err.getvalue()
        return json.loads(out.getvalue())

    return Face(f"{name}[{kind}]", name, kind, eager, None, _members_oracle(members), False, True,
                ("y_true", "y_pred", "weight"), ("eval", "evaluate"))


# ---- bad inputs ------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class InputClass:
    """One class of bad (or unusual) input."""

    name: str
    field: str | None  # the Policy field that says the outcome; None: the oracle's number
    arg: int  # index of the argument at fault (0 y_true, 1 y_pred, 2 sample_weight)
    make: Callable[[str, Batch], Batch | None]  # (kind, clean batch) -> bad batch, None: n/a


def _put(a: Any, value: float, row: int = 1) -> np.ndarray:
    a = np.array(a, dtype=np.float32 if np.asarray(a).dtype.kind in "iub" else None)
    a[row] = value
    return a


def _nan_true(kind: str, b: Batch) -> Batch | None:
    return None if b[0] is None else (_put(b[0], np.nan), b[1], b[2])


def _value_in_pred(value: float) -> Callable[[str, Batch], Batch | None]:
    def make(kind: str, b: Batch) -> Batch | None:
        return b[0], _put(b[1], value), b[2]
    return make


def _value_in_true(value: float) -> Callable[[str, Batch], Batch | None]:
    def make(kind: str, b: Batch) -> Batch | None:
        return None if b[0] is None else (_put(b[0], value), b[1], b[2])
    return make


def _weights(value: float, everywhere: bool = False) -> Callable[[str, Batch], Batch | None]:
    def make(kind: str, b: Batch) -> Batch | None:
        w = np.full(N, value, np.float32) if everywhere else _put(b[2], value)
        return b[0], b[1], w
    return make


def _empty(kind: str, b: Batch) -> Batch:
    return tuple(None if a is None else np.asarray(a)[:0] for a in b)  # type: ignore[return-value]


def _label(high: bool) -> Callable[[str, Batch], Batch | None]:
    def make(kind: str, b: Batch) -> Batch | None:
        if kind not in LABEL_KINDS:
            return None
        t = np.array(b[0])
        value = LABEL_KINDS[kind] if high else -1
        if t.ndim == 2 and kind in ("categorical", "multilabel"):
            t[1, 1] = value
        else:
            t[1] = value
        return t, b[1], b[2]
    return make


def _fractional(kind: str, b: Batch) -> Batch | None:
    if kind not in LABEL_KINDS:
        return None
    t = np.array(b[0], np.float32)
    if t.ndim == 2 and kind in ("categorical", "multilabel"):
        t[1, 1] = 0.5
    else:
        t[1] = 1.5 if kind in ("sparse", "labels", "sksparse") else 0.5
    return t, b[1], b[2]


def _rank(ndim: int) -> Callable[[str, Batch], Batch | None]:
    """The batch as 1-D rows (kinds with one column) or with an extra leading axis (3-D)."""
    def make(kind: str, b: Batch) -> Batch | None:
        t, p, w = b
        if ndim == 1:
            if kind not in ("binary", "labels", "regression") or kind.startswith("sk"):
                return None
            return (None if t is None else np.asarray(t)[:, 0]), np.asarray(p)[:, 0], w
        if kind.startswith("sk") or kind == "values":
            return None
        return (np.asarray(t).reshape(2, N // 2, *np.shape(t)[1:]),
                np.asarray(p).reshape(2, N // 2, *np.shape(p)[1:]), w.reshape(2, N // 2))
    return make


def _bf16(kind: str, b: Batch) -> Batch | None:
    if kind.startswith("sk"):
        return None
    t, p, w = b
    def cast(a: Any) -> Any:
        return a if a is None or np.asarray(a).dtype.kind != "f" else jnp.asarray(a, jnp.bfloat16)
    return cast(t), cast(p), w


def _extreme_logits(kind: str, b: Batch) -> Batch | None:
    t, p, w = b
    p = np.where(np.arange(np.size(p)).reshape(np.shape(p)) % 2 == 0, 1e4, -1e4).astype(np.float32)
    return t, p, w


INPUT_CLASSES: tuple[InputClass, ...] = (
    InputClass("nan_true", "nan_true", 0, _nan_true),
    InputClass("nan_pred", "nan_pred", 1, _value_in_pred(np.nan)),
    InputClass("posinf_true", "posinf_true", 0, _value_in_true(np.inf)),
    InputClass("neginf_true", "neginf_true", 0, _value_in_true(-np.inf)),
    InputClass("posinf_pred", "inf_pred", 1, _value_in_pred(np.inf)),
    InputClass("neginf_pred", "inf_pred", 1, _value_in_pred(-np.inf)),
    InputClass("nan_weight", "nan_weight", 2, _weights(np.nan)),
    InputClass("empty", "empty", 0, _empty),
    InputClass("zero_weights", "zero_weights", 2, _weights(0.0, everywhere=True)),
    InputClass("negative_weight", "negative_weights", 2, _weights(-1.0)),
    InputClass("label_too_high", "bad_labels", 0, _label(True)),
    InputClass("label_negative", "bad_labels", 0, _label(False)),
    InputClass("label_fractional", "fractional_labels", 0, _fractional),
    InputClass("rows_1d", None, 1, _rank(1)),
    InputClass("rows_3d", None, 1, _rank(3)),
    InputClass("bf16", None, 1, _bf16),
    InputClass("extreme_logits", None, 1, _extreme_logits),
)


def as_float32(b: Batch) -> Batch:
    """A bf16 batch with its values rounded and widened to float32 (what its oracle sees)."""
    return tuple(None if a is None else np.asarray(jnp.asarray(a).astype(jnp.float32))
                 if jnp.asarray(a).dtype == jnp.bfloat16 else a for a in b)  # type: ignore[return-value]


def result_tree(x: Any) -> Any:
    """A result as float64 NumPy leaves (dicts stay dicts; tuples of arrays stay tuples)."""
    return _leaves(x)
