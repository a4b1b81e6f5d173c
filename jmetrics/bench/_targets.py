"""The speed targets of the benchmark issue, each measured A/B interleaved and reported as ratios.

Every target returns a :class:`TargetResult` (checks met or missed, and by how much) and the
jmetrics callable it timed, so the pytest-benchmark suite can time the same thing. A target whose
jmetrics side has not landed yet returns a result with a note and no checks, never an error; so does
a peer that is not installed.

Targets (issue 7, plus the benchmark parts of issues 4, 5 and 6):

- ``elementwise``: every elementwise metric at 1e7 rows reaches >= 70% of the bandwidth of a plain
  jitted read-reduce of the same bytes.
- ``collection8``: ``Collection`` of 8 regression metrics >= 10x NumPy one after another and >= 2x
  8 separately jitted metrics.
- ``train_step``: ``Collection(accuracy, mse, AUC)`` on a 128 x 10 batch, jitted and donated: <= 1.5x
  an identity step, >= 6x cheaper than torchmetrics, >= 20x than Keras 3 eager; compile < 2 s.
- ``roc_auc_exact``: ``jmetrics.sk.roc_auc_score`` at 1e7 >= 3x faster than scikit-learn's.
- ``binned_auc``: ``AUC(num_thresholds=200).update`` at 1e7 >= 10x faster than Keras 3's
  ``AUC.update_state``, with XLA scratch memory far below thresholds x N.
- ``histogram_auc``: ``HistogramAUC.update`` at 1e7 within 3x of a plain jitted read.
- ``engine``: rows/s of a 10-metric ``evaluate`` from .npy files vs NumPy reading them, peak RSS.
"""

from __future__ import annotations

import dataclasses
import importlib
import sys
from collections.abc import Callable
from typing import Any

import jax
import numpy as np

from jmetrics.bench._cases import CASES, Skip, case, jmetrics_function
from jmetrics.bench._data import InputCache, make_inputs
from jmetrics.bench._peers import keras_module, peer_status
from jmetrics.bench._report import fmt_time
from jmetrics.bench._run import ELEMENTWISE_TARGET, cpu_dispatch, run_case
from jmetrics.bench._timing import (
    Timing,
    compile_jit,
    device_put,
    measure_interleaved,
    nbytes,
    paired_ratio,
    read_reduce,
)

__all__ = ["TARGETS", "Check", "TargetResult", "describe", "run_all"]

REGRESSION8 = ("mse", "rmse", "mae", "mape", "msle", "logcosh", "huber", "cosine")
AUC_THRESHOLDS = 200
HISTOGRAM_BINS = 4096


@dataclasses.dataclass
class Check:
    """One requirement: ``value`` (a ratio or seconds) ``>=`` or ``<=`` ``goal``."""

    label: str
    value: float
    op: str  # ">=" or "<="
    goal: float

    @property
    def met(self) -> bool:
        return self.value >= self.goal if self.op == ">=" else self.value <= self.goal

    @property
    def miss_factor(self) -> float:
        """How many times off the goal (1.0 when met)."""
        if self.met:
            return 1.0
        return self.goal / self.value if self.op == ">=" else self.value / self.goal

    def text(self) -> str:
        v = f"{self.value:.3g}"
        verdict = "met" if self.met else f"MISSED by {self.miss_factor:.2f}x"
        return f"{self.label} = {v} (target {self.op} {self.goal:g}: {verdict})"


@dataclasses.dataclass
class TargetResult:
    """What a target measured: times (seconds), checks, notes."""

    name: str
    description: str
    times: dict[str, float] = dataclasses.field(default_factory=dict)
    checks: list[Check] = dataclasses.field(default_factory=list)
    notes: list[str] = dataclasses.field(default_factory=list)
    extra: dict[str, Any] = dataclasses.field(default_factory=dict)

    @property
    def met(self) -> bool | None:
        """All checks met (``None`` when nothing could be checked)."""
        return None if not self.checks else all(c.met for c in self.checks)

    def line(self) -> str:
        """One line for the terminal: every check, or why nothing was checked."""
        body = "; ".join(c.text() for c in self.checks)
        if not body and self.times:  # measured without a numeric goal (the engine): the ratios
            body = "; ".join(f"{k} = {v:.3g}" for k, v in self.extra.items()
                             if k.startswith("x ") or k.endswith(("rows/s", "peak RSS MB")))
        body = body or "not measured"
        notes = f" [{'; '.join(self.notes)}]" if self.notes else ""
        return f"{self.name}: {body}{notes}"

    def as_dict(self) -> dict[str, Any]:
        """JSON-safe fields (what goes into pytest-benchmark's ``extra_info``)."""
        return {"name": self.name, "description": self.description, "times": self.times,
                "checks": [dataclasses.asdict(c) | {"met": c.met} for c in self.checks],
                "notes": self.notes, "met": self.met, **self.extra}


Timed = tuple[TargetResult, Callable[[], Any] | None]


def _timings(result: TargetResult, fns: dict[str, Callable[[], Any]], **kw: Any) -> dict[str, Timing]:
    ts = measure_interleaved(fns, **kw)
    result.times.update({k: v.median for k, v in ts.items()})
    return ts


def _ratio_check(result: TargetResult, label: str, slow: str, fast: str, goal: float) -> None:
    if slow in result.times and fast in result.times:
        result.checks.append(Check(label, result.times[slow] / result.times[fast], ">=", goal))


def _info(result: TargetResult, label: str, slow: str, fast: str) -> None:
    """A ratio reported without a target (context)."""
    if slow in result.times and fast in result.times:
        result.extra[label] = result.times[slow] / result.times[fast]


def _collection(metrics: list[Any]) -> Any:
    import jmetrics

    cls = getattr(jmetrics, "Collection", None)
    if cls is None:
        raise Skip("jmetrics.Collection is not there yet")
    return cls(metrics)


def _one_shot(metric: Any) -> Callable[..., Any]:
    return lambda t, p: metric.compute(metric.update(metric.init(), t, p))


# -- elementwise metrics vs the read-reduce floor ----------------------------------------------------


def elementwise(backend: str = "cpu", rows: int = 10**7, budget: float = 1.0) -> Timed:
    """Every elementwise case (no peers) against the read-reduce of its own inputs, same run."""
    res = TargetResult("elementwise", f"elementwise metrics at {rows:.0e} rows vs a jitted "
                       f"read-reduce of the same bytes (>= {ELEMENTWISE_TARGET:.0%})")
    cache = InputCache()
    cases = sorted((c for c in CASES if c.elementwise), key=lambda c: (c.kind, c.classes))
    for c in cases:
        r = run_case(c, rows, backend, [], cache, budget=budget / 2)
        res.notes += [n for n in r.notes if n not in res.notes]
        if r.jmetrics is None or r.read_reduce is None:
            continue
        res.times[c.name] = r.jmetrics.median
        res.times[f"{c.name} read-reduce"] = r.read_reduce.median
        res.extra[f"{c.name} GB/s"] = r.gbps
        if r.jmetrics.compile is not None:
            res.extra[f"{c.name} compile s"] = r.jmetrics.compile
        res.checks.append(Check(f"{c.name} fraction of read-reduce bandwidth",
                                r.read_reduce.median / r.jmetrics.median, ">=", ELEMENTWISE_TARGET))
        if c.kind in ("regression", "binary") and c.jm[0] != "function":
            frac = _flat_fraction(c, cache.host(c.kind, rows, c.classes), backend, budget / 4)
            res.extra[f"{c.name} fraction with (n,) inputs"] = frac
    cache.clear()
    order = {c.name: i for i, c in enumerate(CASES)}
    res.checks.sort(key=lambda ch: order.get(ch.label.split()[0], 0))
    return res, None


def _flat_fraction(c: Any, host: tuple[np.ndarray, ...], backend: str, budget: float) -> float:
    """The bandwidth fraction when the same ``(n, 1)`` data reaches the jit as ``(n,)`` arrays
    (expanded back to ``(n, 1)`` inside, so the value is the same). XLA on CPU runs a fused
    elementwise reduction over an ``(n, 1)`` parameter several times slower than over ``(n,)``;
    this measures what flattening before the call would give."""
    fn, _ = jmetrics_function(c)
    flat = device_put([a.reshape(-1) for a in host], backend)
    compiled, _ = compile_jit(lambda t, p: fn(t[:, None], p[:, None]), *flat)
    rr = read_reduce.lower(*flat).compile()
    ts = measure_interleaved({"jmetrics": lambda: compiled(*flat), "read-reduce": lambda: rr(*flat)},
                             budget=budget, warmup=1)
    return ts["read-reduce"].median / ts["jmetrics"].median


# -- Collection of 8 regression metrics ------------------------------------------------------------


def _regression8() -> list[Any]:
    import jmetrics.metrics as jm
    from jmetrics.kernels._regression import huber

    names = ("MeanSquaredError", "RootMeanSquaredError", "MeanAbsoluteError",
             "MeanAbsolutePercentageError", "MeanSquaredLogarithmicError", "LogCoshError",
             "CosineSimilarity")
    out = [getattr(jm, n)() for n in names]
    out.insert(6, jm.MeanMetricWrapper(huber))
    return out


def collection8(backend: str = "cpu", rows: int = 10**7, budget: float = 1.0) -> Timed:
    """8 regression metrics in one Collection vs NumPy one after another and 8 separate jits."""
    res = TargetResult("collection8", f"Collection of {', '.join(REGRESSION8)} at {rows:.0e} rows")
    host = make_inputs("regression", rows)
    dev = device_put(host, backend)
    fns: dict[str, Callable[[], Any]] = {}
    jm_fn: Callable[[], Any] | None = None
    try:
        coll = _collection(_regression8())
        compiled, res.extra["compile s"] = compile_jit(_one_shot(coll), *dev)
        jm_fn = fns["collection"] = lambda: compiled(*dev)
    except Skip as err:
        res.notes.append(str(err))
    separate = [compile_jit(jmetrics_function(case(n))[0], *dev)[0] for n in REGRESSION8]
    fns["8 separate jits"] = lambda: [f(*dev) for f in separate]
    metrics8 = _regression8()
    together = compile_jit(lambda t, p: [_one_shot(m)(t, p) for m in metrics8], *dev)[0]
    fns["one plain jit of 8"] = lambda: together(*dev)
    refs = [case(n).numpy for n in REGRESSION8]
    fns["numpy sequential"] = lambda: [f(*host) for f in refs if f is not None]
    rr = read_reduce.lower(*dev).compile()
    fns["read-reduce"] = lambda: rr(*dev)
    _timings(res, fns, budget=budget, warmup=1)
    _ratio_check(res, "x numpy sequential", "numpy sequential", "collection", 10)
    _ratio_check(res, "x 8 separate jits", "8 separate jits", "collection", 2)
    _info(res, "x one plain jit of 8", "one plain jit of 8", "collection")
    _info(res, "fraction of read-reduce bandwidth", "read-reduce", "collection")
    return res, jm_fn


# -- the training step -----------------------------------------------------------------------------


def _train_metrics() -> list[Any]:
    import jmetrics.metrics as jm

    if not hasattr(jm, "AUC"):
        raise Skip("jmetrics.metrics.AUC is not there yet")
    return [jm.BinaryAccuracy(), jm.MeanSquaredError(), jm.AUC(num_thresholds=AUC_THRESHOLDS)]


def train_step(backend: str = "cpu", batch: tuple[int, int] = (128, 10), steps: int = 200,
               budget: float = 1.0) -> Timed:
    """accuracy + mse + binned AUC updated on one batch in a jitted, donated step, per step."""
    res = TargetResult("train_step", f"Collection(binary accuracy, mse, AUC({AUC_THRESHOLDS})) "
                       f"update on a {batch[0]}x{batch[1]} batch, jitted and donated, per step")
    t, p = make_inputs("binary", batch[0] * batch[1])
    t, p = t.reshape(batch), p.reshape(batch)
    dt, dp = device_put((t, p), backend)
    try:
        coll = _collection(_train_metrics())
    except Skip as err:
        res.notes.append(str(err))
        return res, None
    dev = jax.devices(backend)[0]
    step, res.times["compile"] = compile_jit(coll.update, jax.device_put(coll.init(), dev), dt, dp,
                                             donate_argnums=(0,))
    ident, _ = compile_jit(lambda s, a, b: s, jax.device_put(coll.init(), dev), dt, dp,
                           donate_argnums=(0,))

    def looped(fn: Any) -> Callable[[], Any]:
        cell = [jax.device_put(coll.init(), dev)]

        def run() -> Any:
            s = cell[0]
            for _ in range(steps):
                s = fn(s, dt, dp)
            cell[0] = s
            return s

        return run

    # The ratio's two sides are timed A/B on their own, round by round (each round's two ran back to
    # back): a shared machine's load swings the step time by +-30% between rounds, and the heavy
    # context runs (Keras eager, the model steps) would leave thread pools and caches unlike a
    # training loop's between the two. At least 200 rounds of a few ms each: a burst of load from
    # a neighbour lasts tens of rounds.
    fns: dict[str, Callable[[], Any]] = {"jmetrics": looped(step), "identity": looped(ident)}
    ts = _timings(res, fns, budget=budget, warmup=1, min_rounds=200, max_rounds=400)
    context = _model_steps(coll, dt, steps, dev) | _train_peers(res, t, p, dt, dp, steps)
    if context:
        _timings(res, context, budget=budget, warmup=1)
        fns.update(context)
    res.times = {k: (v / steps if k != "compile" else v) for k, v in res.times.items()}
    ratio, low, high = paired_ratio(ts["jmetrics"], ts["identity"])
    res.checks.append(Check("x identity step", ratio, "<=", 1.5))
    res.extra["x identity step, 25th percentile of rounds"] = low
    res.extra["x identity step, 75th percentile of rounds"] = high
    res.extra["CPU dispatch"] = cpu_dispatch()  # async: XLA hands the update to a worker thread
    _info(res, "x model step (metrics inside a small MLP's training step)", "model step + metrics",
          "model step")
    if "model step" in res.times:
        res.extra["metrics cost inside the model step, us"] = 1e6 * (
            res.times["model step + metrics"] - res.times["model step"])
    _ratio_check(res, "x torchmetrics MetricCollection.update", "torchmetrics", "jmetrics", 6)
    _ratio_check(res, "x Keras 3 eager update_state", "keras", "jmetrics", 20)
    res.checks.append(Check("compile seconds", res.times["compile"], "<=", 2.0))
    res.extra["steps per round"] = steps
    return res, fns["jmetrics"]


def _model_steps(coll: Any, y: Any, steps: int, dev: Any) -> dict[str, Callable[[], Any]]:
    """Context: a small MLP's SGD step (10 -> 64 -> 10 sigmoid outputs, binary crossentropy) on
    the same batch, jitted and donated, alone and with the collection updated inside the step."""
    import jax.numpy as jnp

    n, c = y.shape
    x = jax.device_put(make_inputs("regression", n * c)[1].reshape(n, c), dev)
    k1, k2 = jax.random.split(jax.random.key(0))
    params0 = (0.1 * jax.random.normal(k1, (c, 64)), 0.1 * jax.random.normal(k2, (64, c)))

    def forward(params: Any) -> Any:
        return jnp.tanh(x @ params[0]) @ params[1]

    def loss(params: Any) -> Any:
        z = forward(params)
        return jnp.mean(jnp.maximum(z, 0) - z * y + jnp.log1p(jnp.exp(-jnp.abs(z))))

    def sgd(params: Any) -> Any:
        grads = jax.grad(loss)(params)
        return jax.tree.map(lambda w, g: w - 0.1 * g, params, grads)

    def model_step(carry: Any) -> Any:
        return sgd(carry[0]), carry[1]

    def model_metrics_step(carry: Any) -> Any:
        params, state = carry
        return sgd(params), coll.update(state, y, jax.nn.sigmoid(forward(params)))

    out: dict[str, Callable[[], Any]] = {}
    def fresh() -> Any:  # donation deletes the carry: every user gets its own copy
        return jax.device_put(jax.tree.map(jnp.copy, (params0, coll.init())), dev)

    for name, fn in (("model step", model_step), ("model step + metrics", model_metrics_step)):
        compiled, _ = compile_jit(fn, fresh(), donate_argnums=(0,))
        cell = [fresh()]

        def run(compiled: Any = compiled, cell: list[Any] = cell) -> Any:
            carry = cell[0]
            for _ in range(steps):
                carry = compiled(carry)
            cell[0] = carry
            return carry

        out[name] = run
    return out


def _train_peers(res: TargetResult, t: np.ndarray, p: np.ndarray, dt: Any, dp: Any, steps: int
                 ) -> dict[str, Callable[[], Any]]:
    out: dict[str, Callable[[], Any]] = {}
    note = peer_status("torchmetrics")
    if note is None:  # pragma: no cover - torchmetrics is not installed on the project machine
        import torch
        import torchmetrics
        from torchmetrics.classification import BinaryAccuracy, BinaryAUROC

        coll = torchmetrics.MetricCollection({
            "acc": BinaryAccuracy(), "mse": torchmetrics.MeanSquaredError(),
            "auc": BinaryAUROC(thresholds=AUC_THRESHOLDS)})
        tt, tp = torch.from_numpy(t).long(), torch.from_numpy(p)

        def torch_loop() -> None:
            for _ in range(steps):
                coll.update(tp, tt)

        out["torchmetrics"] = torch_loop
    else:
        res.notes.append(f"{note}: the torchmetrics ratio is not measured")
    note = peer_status("keras")
    if note is None:
        keras = keras_module()
        kms = [keras.metrics.BinaryAccuracy(), keras.metrics.MeanSquaredError(),
               keras.metrics.AUC(num_thresholds=AUC_THRESHOLDS)]

        def keras_loop() -> Any:
            for _ in range(steps):
                for m in kms:
                    m.update_state(dt, dp)
            return kms[-1].variables[0].value

        out["keras"] = keras_loop
    else:
        res.notes.append(note)
    return out


# -- AUC: exact, binned, histogram -----------------------------------------------------------------


def roc_auc_exact(backend: str = "cpu", rows: int = 10**7, budget: float = 1.0) -> Timed:  # noqa: ARG001
    """``jmetrics.sk.roc_auc_score`` vs scikit-learn's (and NumPy's one-sort reference), all three
    given the same 1-D NumPy arrays (concrete inputs run on the host, exact)."""
    res = TargetResult("roc_auc_exact", f"exact roc_auc_score at {rows:.0e} rows (1-D NumPy inputs)")
    t, p = (a.reshape(-1) for a in make_inputs("binary", rows))
    try:
        import jmetrics.sk as sk
    except ImportError as err:  # pragma: no cover
        res.notes.append(f"jmetrics.sk cannot be imported ({err})")
        return res, None
    jm_auc = getattr(sk, "roc_auc_score", None)
    if jm_auc is None:
        res.notes.append("jmetrics.sk.roc_auc_score is not there yet")
        return res, None
    fns: dict[str, Callable[[], Any]] = {"jmetrics": lambda: jm_auc(t, p)}
    ref = case("roc_auc_score").numpy
    assert ref is not None
    fns["numpy one-sort"] = lambda: ref(t, p)
    values = {"jmetrics": float(jm_auc(t, p))}
    if peer_status("sklearn") is None:
        skm = importlib.import_module("sklearn.metrics")
        fns["sklearn"] = lambda: skm.roc_auc_score(t, p)
        values["sklearn"] = float(skm.roc_auc_score(t, p))
    else:
        res.notes.append(str(peer_status("sklearn")))
    res.extra["values"] = values
    _timings(res, fns, budget=budget, warmup=1, min_rounds=3)
    _ratio_check(res, "x sklearn", "sklearn", "jmetrics", 3)
    _info(res, "x numpy one-sort", "numpy one-sort", "jmetrics")
    return res, fns["jmetrics"]


def _compiled_update(metric: Any, dev: tuple[Any, ...]) -> tuple[Any, float]:
    return compile_jit(metric.update, metric.init(), *dev)


def binned_auc(backend: str = "cpu", rows: int = 10**7, budget: float = 1.0) -> Timed:
    """Keras-compatible ``AUC(num_thresholds=200).update`` vs Keras 3 ``AUC.update_state`` (eager),
    and XLA's scratch memory for it (never a thresholds x N array)."""
    import jmetrics.metrics as jm

    res = TargetResult("binned_auc", f"AUC(num_thresholds={AUC_THRESHOLDS}).update at {rows:.0e} rows")
    if not hasattr(jm, "AUC"):
        res.notes.append("jmetrics.metrics.AUC is not there yet")
        return res, None
    host = make_inputs("binary", rows)
    dev = device_put(host, backend)
    m = jm.AUC(num_thresholds=AUC_THRESHOLDS)
    state = m.init()
    compiled, res.extra["compile s"] = _compiled_update(m, dev)
    fns: dict[str, Callable[[], Any]] = {"jmetrics": lambda: compiled(state, *dev)}
    rr = read_reduce.lower(*dev).compile()
    fns["read-reduce"] = lambda: rr(*dev)
    if peer_status("keras") is None:
        km = keras_module().metrics.AUC(num_thresholds=AUC_THRESHOLDS)

        def keras_update() -> Any:
            km.update_state(*dev)
            return km.variables[0].value

        fns["keras"] = keras_update
    else:
        res.notes.append(str(peer_status("keras")))
    if peer_status("metrax") is not None:
        res.notes.append(f"{peer_status('metrax')} (its AUCROC builds thresholds x N)")
    _timings(res, fns, budget=budget, warmup=1, min_rounds=3)
    _ratio_check(res, "x Keras 3 AUC.update_state", "keras", "jmetrics", 10)
    _info(res, "fraction of read-reduce bandwidth", "read-reduce", "jmetrics")
    try:
        temp = compiled.memory_analysis().temp_size_in_bytes
    except Exception:  # noqa: BLE001 - memory analysis is backend-dependent
        temp = None
    if temp is not None:
        res.extra["XLA temp bytes"] = int(temp)
        # a thresholds x N array of bools is thresholds * N bytes; the update must stay far below
        res.checks.append(Check("XLA scratch / (thresholds x N bytes)",
                                temp / (AUC_THRESHOLDS * rows), "<=", 0.1))
    res.extra["GB/s"] = nbytes(host) / res.times["jmetrics"] / 1e9
    return res, fns["jmetrics"]


def _scatter_floor(rows: int, size: int, backend: str) -> Callable[[], Any]:
    """The scatter-add alone: ``rows`` precomputed int32 keys and their updates already in memory
    (no key computation, no input read). On XLA:CPU it runs on one core and bounds any histogram."""
    import jax.numpy as jnp

    from jmetrics.metrics._blocks import scatter_add

    keys = np.random.default_rng(0).integers(0, size, rows).astype(np.int32)
    dk, ones = device_put((keys, np.ones(rows, np.int32)), backend)
    compiled = jax.jit(lambda k, u: scatter_add(jnp.zeros((size,), jnp.int32), k, u)
                       ).lower(dk, ones).compile()
    return lambda: compiled(dk, ones)


def histogram_auc(backend: str = "cpu", rows: int = 10**7, budget: float = 1.0) -> Timed:
    """``HistogramAUC(num_bins=4096).update`` vs a plain jitted read of the same bytes (and the
    exact ``roc_auc_score`` of scikit-learn, for context)."""
    import jmetrics.metrics as jm

    res = TargetResult("histogram_auc",
                       f"HistogramAUC(num_bins={HISTOGRAM_BINS}).update at {rows:.0e} rows")
    cls = getattr(jm, "HistogramAUC", None)
    if cls is None:
        res.notes.append("jmetrics.metrics.HistogramAUC is not there yet")
        return res, None
    host = make_inputs("binary", rows)
    dev = device_put(host, backend)
    m = cls(num_bins=HISTOGRAM_BINS)
    state = m.init()
    compiled, res.extra["compile s"] = _compiled_update(m, dev)
    fns: dict[str, Callable[[], Any]] = {"jmetrics": lambda: compiled(state, *dev)}
    rr = read_reduce.lower(*dev).compile()
    fns["read-reduce"] = lambda: rr(*dev)
    fns["scatter floor"] = _scatter_floor(rows, 2 * HISTOGRAM_BINS, backend)
    _timings(res, fns, budget=budget, warmup=1, min_rounds=3)
    res.checks.append(Check("time / read-reduce time",
                            res.times["jmetrics"] / res.times["read-reduce"], "<=", 3))
    _info(res, "scatter floor / read-reduce time", "scatter floor", "read-reduce")
    res.extra["GB/s"] = nbytes(host) / res.times["jmetrics"] / 1e9
    s = compiled(state, *dev)
    res.extra["value"] = float(m.compute(s))
    res.extra["error bound"] = float(m.error_bound(s)) if hasattr(m, "error_bound") else None
    return res, fns["jmetrics"]


# -- the engine --------------------------------------------------------------------------------------


def engine(rows: int = 10**7, budget: float = 1.0) -> Timed:  # noqa: ARG001 - same signature
    """Rows/s of a 10-metric ``jmetrics.evaluate`` from .npy files vs NumPy reading the files, each
    in a fresh subprocess (so peak RSS is its own)."""
    from jmetrics.bench import _engine

    return _engine.engine_target(rows)


TARGETS: dict[str, Callable[..., Timed]] = {
    "elementwise": elementwise, "collection8": collection8, "train_step": train_step,
    "roc_auc_exact": roc_auc_exact, "binned_auc": binned_auc, "histogram_auc": histogram_auc,
    "engine": engine,
}


def run_all(backend: str = "cpu", *, budget: float = 1.0, quiet: bool = False,
            rows: int = 10**7, engine_rows: int | None = None,
            names: list[str] | None = None) -> list[TargetResult]:
    """The targets ``names`` (default: all) at ``rows`` (the engine at ``engine_rows``, default
    ``rows``; the training step at its batch); progress on stderr unless ``quiet``."""
    out = []
    for name in names or list(TARGETS):
        if name not in TARGETS:
            raise ValueError(f"jmetrics bench: targets must be among {list(TARGETS)}; got {name!r}.")
        fn = TARGETS[name]
        kw: dict[str, Any] = {"budget": budget}
        if name == "engine":
            kw["rows"] = engine_rows or rows
        elif name != "train_step":
            kw["rows"] = rows
        if name != "engine":
            kw["backend"] = backend
        try:
            result, _ = fn(**kw)
        except Exception as err:  # noqa: BLE001 - one broken target must not hide the others
            result = TargetResult(name, "failed")
            result.notes.append(f"failed: {type(err).__name__}: {str(err)[:200]}")
        if not quiet:
            print(f"  target {result.line()}", file=sys.stderr, flush=True)
        out.append(result)
    return out


def describe(result: TargetResult) -> str:
    """Times and checks, several lines (what the pytest suite and the CLI print)."""
    lines = [f"{result.name}: {result.description}"]
    lines += [f"  {k}: {fmt_time(v)}" for k, v in result.times.items()]
    lines += [f"  {k}: {v:.3g}" if isinstance(v, float) else f"  {k}: {v}"
              for k, v in result.extra.items()]
    lines += [f"  {c.text()}" for c in result.checks]
    lines += [f"  note: {n}" for n in result.notes]
    return "\n".join(lines)
