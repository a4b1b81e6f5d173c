"""The ``elementwise`` speed target: every elementwise kernel against a hand-written reference and
the read-reduce floor.

For each per-sample kernel of ``jmetrics.kernels`` and each input layout, ``(n, 1)`` (one column,
a Keras model's usual output) and ``(n, C)``, three jitted computations run A/B interleaved in one
process on the same device arrays:

- ``jmetrics``: ``sum(kernel(y_true, y_pred))`` (the per-sample values folded as a metric does);
- ``reference``: the same formula hand-written in ``jax.numpy`` at its best (one column
  flattened behind ``optimization_barrier`` and squeezed, no reduction over a size-1 axis, no
  selects where a min/max does, no gathers where a compare does), summed. The same formula means
  the same values, NaN included: where XLA:CPU's vectorised ``maximum`` would drop a NaN, the
  reference keeps it by a select, as the kernels do; each kernel and its reference are also run
  with a NaN prediction, and a note says when only one of them gives NaN;
- ``read-reduce``: one plain sum per input array, the floor any metric pays for its bytes.

The references keep the forms that were the best known when they were written (a 1-D view of
one column, NaN kept by a select). The kernels' one-column path has since found a faster one
(a wide 2-D view and NaN kept by arithmetic, which XLA:CPU runs on YNNPACK's two-core loops):
there the kernels beat their references (ratios below 1), which the check allows.

Two checks per kernel and layout: ``jmetrics / reference <= 1.25`` and, for the memory-bound
kernels, ``read-reduce / jmetrics >= 0.7``. Kernels whose formula is bound by transcendentals
(a ``log`` or ``exp`` per element) or by a per-row scan over classes carry the bandwidth fraction
as information (a note gives both fractions): their hand-written reference misses the read
bandwidth as well, and the reference ratio is the requirement that holds them to the best jnp
form. Measure with ``jmetrics bench --only-targets --targets elementwise``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from jmetrics.bench._data import make_inputs
from jmetrics.bench._run import ELEMENTWISE_TARGET
from jmetrics.bench._target_common import Check, TargetResult, Timed
from jmetrics.bench._timing import device_put, measure_interleaved, nbytes, read_reduce
from jmetrics.kernels import _classification as cls
from jmetrics.kernels import _hinge as hin
from jmetrics.kernels import _probabilistic as prob
from jmetrics.kernels import _regression as reg

__all__ = ["KERNELS", "REFERENCE_TARGET", "KernelRef", "elementwise"]

REFERENCE_TARGET = 1.25  # jmetrics time / hand-written reference time
EPS = 1e-7
LOG2 = 0.6931471805599453


@dataclasses.dataclass(frozen=True)
class KernelRef:
    """A kernel, its input kind, options, the
    hand-written reference of its formula, and whether its speed is bounded by memory."""

    fn: Callable[..., jax.Array]  # the kernel
    kind: str  # see jmetrics.bench._data.KINDS
    reference: Callable[[jax.Array, jax.Array], jax.Array]  # per-sample values
    options: dict[str, Any] = dataclasses.field(default_factory=dict)
    memory_bound: bool = True  # False: the bandwidth fraction is reported, not required

    @property
    def name(self) -> str:
        return self.fn.__name__


def _ew(f: Callable[[jax.Array, jax.Array], jax.Array], total: bool = False) -> Callable[..., Any]:
    """The per-sample mean (or sum) of an elementwise formula ``f``, written at its best: one
    column is squeezed first (no arithmetic over ``(n, 1)`` arrays, no reduction of one term)."""
    def ref(t: jax.Array, p: jax.Array) -> jax.Array:
        if p.shape[-1] == 1:
            return f(t[..., 0], p[..., 0])
        return jnp.sum(f(t, p), -1) if total else jnp.mean(f(t, p), -1)
    return ref


def _flat_barrier(*xs: jax.Array) -> tuple[jax.Array, ...]:
    """``(n, 1)`` parameters flattened behind ``optimization_barrier`` and shaped back: XLA on
    CPU otherwise computes on the ``(n, 1)`` layout, several times slower (the best known form
    for one column, which the kernels use too)."""
    if any(x.ndim != 2 or x.shape[-1] != 1 for x in xs if x.ndim == 2):
        return xs
    flat = jax.lax.optimization_barrier(tuple(x.reshape(-1) for x in xs))
    return tuple(f.reshape(x.shape) for f, x in zip(flat, xs, strict=True))


def _clip(p: jax.Array) -> jax.Array:
    return jnp.clip(p, EPS, 1 - EPS)


def _at_least(x: jax.Array, low: float) -> jax.Array:
    """``max(x, low)`` keeping a NaN: XLA:CPU's vectorised ``maximum`` returns ``low`` for a NaN
    ``x`` (a reference that did so would not compute the same values)."""
    return jnp.where(x < low, low, x)


def _bce(t: jax.Array, p: jax.Array) -> jax.Array:
    q = _clip(p)
    return -(t * jnp.log(q) + (1 - t) * jnp.log(1 - q))


def _huber(t: jax.Array, p: jax.Array) -> jax.Array:
    a = jnp.abs(p - t)
    if a.ndim == 1:  # one column: select-free, 0.5 min(a, 1)^2 + (a - min(a, 1)) (faster there)
        m = jnp.minimum(a, 1.0)
        return 0.5 * jnp.square(m) + (a - m)
    return jnp.where(a <= 1.0, 0.5 * a * a, a - 0.5)


def _logcosh(t: jax.Array, p: jax.Array) -> jax.Array:
    """Keras' ``x + softplus(-2x) - log 2``: ``|x| + log1p(exp(-2|x|)) - log 2`` is the same
    function but not the same values (+inf, not NaN, at ``x = -inf``; finite, not +inf, where
    ``-2x`` overflows), and keeping Keras' values with it costs selects (slower)."""
    x = p - t
    return x + jnp.maximum(-2 * x, 0) + jnp.log1p(jnp.exp(-2 * jnp.abs(x))) - LOG2


def _cosine(t: jax.Array, p: jax.Array) -> jax.Array:
    """sum(t p) min(rsqrt(|t|^2), 1/eps) min(rsqrt(|p|^2), 1/eps) (Keras' normalisation)."""
    def inv(sq: jax.Array) -> jax.Array:
        return jnp.minimum(jax.lax.rsqrt(sq), 1 / EPS)
    if t.shape[-1] == 1:
        t, p = t[..., 0], p[..., 0]
        return t * p * inv(t * t) * inv(p * p)
    return jnp.sum(t * p, -1) * inv(jnp.sum(t * t, -1)) * inv(jnp.sum(p * p, -1))


def _signed(t: jax.Array) -> jax.Array:
    """Keras' whole-array rule: 2t - 1 when every label is 0 or 1, else t."""
    binary = jnp.all((t == 0) | (t == 1))
    return jnp.where(binary, 2 * t - 1, t)


def _cat_hinge(t: jax.Array, p: jax.Array) -> jax.Array:
    """The row max keeps a NaN (XLA:CPU's drops it): a label 1 against a score inf makes
    ``(1 - t) p`` NaN while ``sum(t p)`` is inf, and Keras' value is then NaN."""
    neg = (1 - t) * p
    top = jnp.where(jnp.any(jnp.isnan(neg), -1), jnp.nan, jnp.max(neg, -1))
    return _at_least(top - jnp.sum(t * p, -1) + 1, 0)


def _cce(t: jax.Array, p: jax.Array) -> jax.Array:
    return -jnp.sum(t * jnp.log(_clip(p / jnp.sum(p, -1, keepdims=True))), -1)


def _scce(t: jax.Array, p: jax.Array) -> jax.Array:
    hit = jnp.arange(p.shape[-1]) == t[..., None]
    q = jnp.sum(jnp.where(hit, p, 0), -1) / jnp.sum(p, -1)
    # a label outside [0, C) is NaN, as in the kernel (not the loss of an all-zero one-hot row)
    return jnp.where((t >= 0) & (t < p.shape[-1]), -jnp.log(_clip(q)), jnp.nan)


def _bfocal(t: jax.Array, p: jax.Array) -> jax.Array:
    pt = t * p + (1 - t) * (1 - p)
    return jnp.square(1 - pt) * _bce(t, p)


def _cfocal(t: jax.Array, p: jax.Array) -> jax.Array:
    q = _clip(p / jnp.sum(p, -1, keepdims=True))
    return jnp.sum(0.25 * jnp.square(1 - q) * -t * jnp.log(q), -1)


def _argmax(x: jax.Array) -> jax.Array:
    return jnp.argmax(x, -1)


def _topk(label: jax.Array, p: jax.Array, k: int = 5) -> jax.Array:
    hit = jnp.arange(p.shape[-1]) == label[..., None]
    p_label = jnp.sum(jnp.where(hit, p, 0), -1, keepdims=True)
    return (jnp.sum(p > p_label, -1) < k).astype(jnp.float32)


KERNELS: tuple[KernelRef, ...] = (
    KernelRef(reg.mean_squared_error, "regression", _ew(lambda t, p: jnp.square(p - t))),
    KernelRef(reg.root_mean_squared_error, "regression",
              lambda t, p: jnp.sqrt(_ew(lambda t, p: jnp.square(p - t))(t, p))),
    KernelRef(reg.mean_absolute_error, "regression", _ew(lambda t, p: jnp.abs(p - t))),
    KernelRef(reg.mean_absolute_percentage_error, "regression",
              lambda t, p: 100 * _ew(lambda t, p: jnp.abs(t - p) / jnp.maximum(jnp.abs(t), EPS))(t, p)),
    KernelRef(reg.mean_squared_logarithmic_error, "regression", _ew(lambda t, p: jnp.square(
        jnp.log1p(_at_least(p, EPS)) - jnp.log1p(_at_least(t, EPS)))), memory_bound=False),
    KernelRef(reg.log_cosh, "regression", _ew(_logcosh), memory_bound=False),
    KernelRef(reg.huber, "regression", _ew(_huber)),
    KernelRef(reg.poisson, "regression", _ew(lambda t, p: p - t * jnp.log(p + EPS)),
              memory_bound=False),
    KernelRef(reg.kl_divergence, "distribution", _ew(lambda t, p: _clip1(t) * jnp.log(
        _clip1(t) / _clip1(p)), total=True), memory_bound=False),
    KernelRef(reg.cosine_similarity, "regression", _cosine),
    KernelRef(hin.hinge, "binary", _ew(lambda t, p: _at_least(1 - _signed(t) * p, 0))),
    KernelRef(hin.squared_hinge, "binary",
              _ew(lambda t, p: jnp.square(_at_least(1 - _signed(t) * p, 0)))),
    KernelRef(hin.categorical_hinge, "categorical", _cat_hinge),
    KernelRef(prob.binary_crossentropy, "binary", _ew(_bce), memory_bound=False),
    KernelRef(prob.categorical_crossentropy, "categorical", _cce, memory_bound=False),
    KernelRef(prob.sparse_categorical_crossentropy, "sparse", _scce, memory_bound=False),
    KernelRef(prob.binary_focal_crossentropy, "binary", _ew(_bfocal), memory_bound=False),
    KernelRef(prob.categorical_focal_crossentropy, "categorical", _cfocal, memory_bound=False),
    KernelRef(cls.accuracy, "labels", _ew(lambda t, p: (t == p).astype(jnp.float32))),
    KernelRef(cls.binary_accuracy, "binary",
              _ew(lambda t, p: (t == (p > 0.5)).astype(jnp.float32))),
    KernelRef(cls.categorical_accuracy, "categorical",
              lambda t, p: (_argmax(t) == _argmax(p)).astype(jnp.float32)),
    KernelRef(cls.sparse_categorical_accuracy, "sparse",
              lambda t, p: (t == _argmax(p)).astype(jnp.float32)),
    KernelRef(cls.top_k_categorical_accuracy, "categorical", lambda t, p: _topk(_argmax(t), p)),
    KernelRef(cls.sparse_top_k_categorical_accuracy, "sparse", _topk),
)


def _clip1(x: jax.Array) -> jax.Array:
    return jnp.clip(x, EPS, 1.0)


def _inputs(kind: str, rows: int, columns: int) -> tuple[np.ndarray, ...]:
    """Host inputs of ``kind`` with ``columns`` columns (classes); labels kinds as int32."""
    if kind in ("regression", "binary", "labels"):
        t, p = make_inputs(kind, rows * columns)
        return t.reshape(rows, columns), p.reshape(rows, columns)
    if columns == 1 and kind in ("categorical", "sparse", "distribution"):
        t, p = make_inputs(kind, rows, classes=1)
        return t, p
    return make_inputs(kind, rows, classes=columns)


def _programs(k: KernelRef, dev: tuple[jax.Array, ...]
              ) -> tuple[dict[str, Callable[..., Any]], dict[str, bool]]:
    """The three compiled programs (called with no arguments: on ``dev``), and whether each
    compiled program reads its inputs (XLA may fold a kernel whose value ignores the data)."""
    fn = k.fn

    def jm(t: jax.Array, p: jax.Array) -> jax.Array:
        return jnp.sum(fn(t, p, **k.options))

    def ref(t: jax.Array, p: jax.Array) -> jax.Array:
        return jnp.sum(k.reference(*_flat_barrier(t, p)))

    progs = {name: jax.jit(f).lower(*dev).compile() for name, f in
             (("jmetrics", jm), ("reference", ref), ("read-reduce", read_reduce))}
    def runner(compiled: Any) -> Callable[..., Any]:
        return lambda *args: compiled(*(args or dev))

    return {name: runner(c) for name, c in progs.items()}, {
        name: " parameter(" in (c.as_text() or "").split("ENTRY", 1)[-1]
        for name, c in progs.items()}


def _with_nan(host: tuple[np.ndarray, ...]) -> tuple[np.ndarray, ...]:
    """The inputs with y_pred's middle row set to NaN (integer predictions as given)."""
    t, p = host
    if p.dtype.kind != "f":
        return host
    p = p.copy()
    p[p.shape[0] // 2] = np.nan
    return t, p


def measure_kernel(k: KernelRef, rows: int, columns: int, backend: str = "cpu",
                   budget: float = 1.0) -> dict[str, Any]:
    """Median seconds of ``jmetrics``, ``reference`` and ``read-reduce`` for one kernel and
    layout, interleaved, with the two values (which must agree) and the input bytes."""
    host = _inputs(k.kind, rows, columns)
    dev = device_put(host, backend)
    progs, reads = _programs(k, dev)
    values = {n: float(progs[n]()) for n in ("jmetrics", "reference")}
    bad = device_put(_with_nan(host), backend)
    with_nan = {n: float(progs[n](*bad)) for n in ("jmetrics", "reference")}
    ts = measure_interleaved(progs, budget=budget, warmup=1)
    return {"times": {n: t.median for n, t in ts.items()}, "values": values,
            "values with a NaN": with_nan, "bytes": nbytes(host),
            "constant": not reads["jmetrics"]}


def elementwise(backend: str = "cpu", rows: int = 10**7, budget: float = 1.0,
                columns: int = 10, kernels: tuple[KernelRef, ...] | None = None) -> Timed:
    """Every kernel of :data:`KERNELS` at ``(rows, 1)`` and ``(rows, columns)``, same run."""
    res = TargetResult("elementwise", f"elementwise kernels at {rows:.0e} rows, (n, 1) and "
                       f"(n, {columns}): jmetrics / hand-written jnp reference (<= "
                       f"{REFERENCE_TARGET:g}) and fraction of a jitted read-reduce of the same "
                       f"bytes (>= {ELEMENTWISE_TARGET:.0%}, memory-bound kernels)")
    for k in KERNELS if kernels is None else kernels:
        for cols in (1, columns):
            label = f"{k.name} (n,{cols})"
            try:
                m = measure_kernel(k, rows, cols, backend, budget / 4)
            except Exception as err:  # noqa: BLE001 - a note, and the other kernels still run
                res.notes.append(f"{label}: failed ({type(err).__name__}: {str(err)[:120]})")
                continue
            t = m["times"]
            res.times.update({f"{label} {n}": v for n, v in t.items()})
            a, b = m["values"]["jmetrics"], m["values"]["reference"]
            if not np.isclose(a, b, rtol=1e-3, atol=1e-3 * rows):
                res.notes.append(f"{label}: jmetrics {a:.6g} != reference {b:.6g}")
            a, b = m["values with a NaN"]["jmetrics"], m["values with a NaN"]["reference"]
            if np.isnan(a) != np.isnan(b):  # the reference must compute the same values
                res.notes.append(f"{label}: with a NaN prediction jmetrics gives {a:.6g}, the "
                                 f"reference {b:.6g}")
            res.extra[f"{label} GB/s"] = m["bytes"] / t["jmetrics"] / 1e9
            if m["constant"]:
                # e.g. categorical accuracy over one class: 1 for every row whatever the data
                res.notes.append(
                    f"{label}: a constant (jmetrics' compiled program reads no input: "
                    f"{t['jmetrics'] * 1e6:.0f} us, reference {t['reference'] * 1e6:.0f} us, a "
                    f"read {t['read-reduce'] * 1e6:.0f} us); no check")
                continue
            res.checks.append(Check(f"{label} jmetrics / reference",
                                    t["jmetrics"] / t["reference"], "<=", REFERENCE_TARGET))
            frac = t["read-reduce"] / t["jmetrics"]
            res.extra[f"{label} reference fraction of read-reduce"] = t["read-reduce"] / t["reference"]
            if k.memory_bound:
                res.checks.append(Check(f"{label} fraction of read-reduce bandwidth", frac, ">=",
                                        ELEMENTWISE_TARGET))
            else:
                res.extra[f"{label} fraction of read-reduce bandwidth"] = frac
                res.notes.append(
                    f"{label} is bound by its transcendentals or per-row scans, not memory: "
                    f"{frac:.2f} of the read bandwidth, the hand-written reference "
                    f"{t['read-reduce'] / t['reference']:.2f}")
    return res, None
