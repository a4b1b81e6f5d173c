"""The speed targets of the benchmark issue, each measured A/B interleaved and reported as ratios.

Every target returns a :class:`TargetResult` (checks met or missed, and by how much) and the
jmetrics callable it timed, so the pytest-benchmark suite can time the same thing. A target whose
jmetrics side has not landed yet returns a result with a note and no checks, never an error.
"""

from __future__ import annotations

import dataclasses
import importlib
import sys
from collections.abc import Callable
from typing import Any

import jax
import numpy as np

from jmetrics.bench._cases import Skip, case, jmetrics_function
from jmetrics.bench._data import make_inputs
from jmetrics.bench._peers import keras_module, peer_status
from jmetrics.bench._report import fmt_time
from jmetrics.bench._timing import (
    Timing,
    compile_jit,
    device_put,
    measure_interleaved,
    nbytes,
    read_reduce,
)

__all__ = ["TARGETS", "Check", "TargetResult", "run_all"]

REGRESSION8 = ("mse", "rmse", "mae", "mape", "msle", "logcosh", "huber", "cosine")


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
        body = "; ".join(c.text() for c in self.checks) or "not measured"
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


def _collection(metrics: list[Any]) -> Any:
    import jmetrics

    cls = getattr(jmetrics, "Collection", None)
    if cls is None:
        raise Skip("jmetrics.Collection is not there yet")
    return cls(metrics)


def _regression8() -> list[Any]:
    import jmetrics.metrics as jm
    from jmetrics.kernels._regression import huber

    names = ("MeanSquaredError", "RootMeanSquaredError", "MeanAbsoluteError",
             "MeanAbsolutePercentageError", "MeanSquaredLogarithmicError", "LogCoshError",
             "CosineSimilarity")
    out = [getattr(jm, n)() for n in names]
    out.insert(6, jm.MeanMetricWrapper(huber))
    return out


def _one_shot(metric: Any) -> Callable[..., Any]:
    return lambda t, p: metric.compute(metric.update(metric.init(), t, p))


def collection8(backend: str = "cpu", rows: int = 10**7, budget: float = 1.0) -> Timed:
    """8 regression metrics in one Collection vs NumPy one after another and 8 separate jits."""
    res = TargetResult("collection8", f"Collection of {', '.join(REGRESSION8)} at {rows:.0e} rows")
    host = make_inputs("regression", rows)
    dev = device_put(host, backend)
    fns: dict[str, Callable[[], Any]] = {}
    jm_fn: Callable[[], Any] | None = None
    try:
        coll = _collection(_regression8())
        compiled, res.times["compile"] = compile_jit(_one_shot(coll), *dev)
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
    if "collection" in res.times:
        res.extra["bandwidth_fraction"] = res.times["read-reduce"] / res.times["collection"]
    return res, jm_fn


def _train_metrics() -> tuple[list[Any], list[str]]:
    import jmetrics.metrics as jm

    notes = []
    metrics = [jm.BinaryAccuracy(), jm.MeanSquaredError()]
    if hasattr(jm, "AUC"):
        metrics.append(jm.AUC(num_thresholds=200))
    else:
        notes.append("jmetrics.metrics.AUC is not there yet: accuracy + mse only")
    return metrics, notes


def train_step(backend: str = "cpu", batch: tuple[int, int] = (128, 10), steps: int = 200,
               budget: float = 1.0) -> Timed:
    """accuracy + mse + binned AUC updated on one batch in a jitted, donated step, per step."""
    res = TargetResult("train_step", f"Collection(accuracy, mse, AUC) update on {batch}, "
                       "jitted and donated, per step")
    t, p = make_inputs("binary", batch[0] * batch[1])
    t, p = t.reshape(batch), p.reshape(batch)
    dt, dp = device_put((t, p), backend)
    metrics, notes = _train_metrics()
    res.notes += notes
    try:
        coll = _collection(metrics)
        update = coll.update
        init = coll.init
    except Skip as err:
        res.notes.append(f"{err}: a tuple of metrics updated in one jit instead")

        def update(states: Any, a: Any, b: Any) -> Any:
            return tuple(m.update(s, a, b) for m, s in zip(metrics, states, strict=True))

        def init() -> Any:
            return tuple(m.init() for m in metrics)

    dev = jax.devices(backend)[0]
    state0 = jax.device_put(init(), dev)
    step, res.times["compile"] = compile_jit(update, state0, dt, dp, donate_argnums=(0,))
    ident, _ = compile_jit(lambda s, a, b: s, jax.device_put(init(), dev), dt, dp,
                           donate_argnums=(0,))

    def looped(fn: Any) -> Callable[[], Any]:
        cell = [jax.device_put(init(), dev)]

        def run() -> Any:
            s = cell[0]
            for _ in range(steps):
                s = fn(s, dt, dp)
            cell[0] = s
            return s

        return run

    fns: dict[str, Callable[[], Any]] = {"jmetrics": looped(step), "identity": looped(ident)}
    fns.update(_train_peers(res, t, p, dt, dp, steps))
    _timings(res, fns, budget=budget, warmup=1)
    res.times = {k: (v / steps if k != "compile" else v) for k, v in res.times.items()}
    res.checks.append(Check("x identity step", res.times["jmetrics"] / res.times["identity"],
                            "<=", 1.5))
    _ratio_check(res, "x torchmetrics MetricCollection.update", "torchmetrics", "jmetrics", 6)
    _ratio_check(res, "x Keras 3 eager update_state", "keras", "jmetrics", 20)
    res.checks.append(Check("compile seconds", res.times["compile"], "<=", 2.0))
    return res, fns["jmetrics"]


def _train_peers(res: TargetResult, t: np.ndarray, p: np.ndarray, dt: Any, dp: Any, steps: int
                 ) -> dict[str, Callable[[], Any]]:
    out: dict[str, Callable[[], Any]] = {}
    note = peer_status("torchmetrics")
    if note is None:
        import torch
        import torchmetrics
        from torchmetrics.classification import BinaryAccuracy, BinaryAUROC

        coll = torchmetrics.MetricCollection({
            "acc": BinaryAccuracy(), "mse": torchmetrics.MeanSquaredError(),
            "auc": BinaryAUROC(thresholds=200)})
        tt, tp = torch.from_numpy(t).long(), torch.from_numpy(p)

        def torch_loop() -> None:
            for _ in range(steps):
                coll.update(tp, tt)

        out["torchmetrics"] = torch_loop
    else:
        res.notes.append(note)
    note = peer_status("keras")
    if note is None:
        keras = keras_module()
        kms = [keras.metrics.BinaryAccuracy(), keras.metrics.MeanSquaredError(),
               keras.metrics.AUC(num_thresholds=200)]

        def keras_loop() -> Any:
            for _ in range(steps):
                for m in kms:
                    m.update_state(dt, dp)
            return kms[-1].variables[0].value

        out["keras"] = keras_loop
    else:
        res.notes.append(note)
    return out


def _timed_once(fn: Callable[..., Any], dev: tuple[Any, ...]) -> Callable[[], Any]:
    return lambda: fn(*dev)


def roc_auc_exact(backend: str = "cpu", rows: int = 10**7, budget: float = 1.0) -> Timed:
    """Exact ``roc_auc_score`` vs scikit-learn's (and NumPy's one-sort reference)."""
    res = TargetResult("roc_auc_exact", f"exact roc_auc_score at {rows:.0e} rows")
    host = make_inputs("binary", rows)
    dev = device_put(host, backend)
    fns: dict[str, Callable[[], Any]] = {}
    jm_fn = None
    try:
        fn, _ = jmetrics_function(case("roc_auc_score"))
        jm_fn = fns["jmetrics"] = _timed_once(fn, dev)
    except Skip as err:
        res.notes.append(str(err))
        return res, None
    c = case("roc_auc_score")
    fns["numpy"] = lambda: c.numpy(*host)  # type: ignore[misc]
    if peer_status("sklearn") is None:
        skm = importlib.import_module("sklearn.metrics")
        fns["sklearn"] = lambda: skm.roc_auc_score(host[0].ravel(), host[1].ravel())
    else:
        res.notes.append(str(peer_status("sklearn")))
    _timings(res, fns, budget=budget, warmup=1, min_rounds=3)
    _ratio_check(res, "x sklearn", "sklearn", "jmetrics", 3)
    res.extra["x numpy"] = res.times["numpy"] / res.times["jmetrics"]
    return res, jm_fn


def _auc_update(dev: tuple[Any, ...]) -> tuple[Callable[[], Any], float]:
    import jmetrics.metrics as jm

    if not hasattr(jm, "AUC"):
        raise Skip("jmetrics.metrics.AUC is not there yet")
    m = jm.AUC(num_thresholds=200)
    state = m.init()
    compiled, seconds = compile_jit(m.update, state, *dev)
    return (lambda: compiled(state, *dev)), seconds


def binned_auc(backend: str = "cpu", rows: int = 10**7, budget: float = 1.0) -> Timed:
    """Keras-compatible binned AUC update vs Keras 3 ``AUC.update_state`` (eager), and the
    histogram AUC against a plain jitted read of the same bytes."""
    res = TargetResult("binned_auc", f"AUC(num_thresholds=200).update at {rows:.0e} rows")
    host = make_inputs("binary", rows)
    dev = device_put(host, backend)
    fns: dict[str, Callable[[], Any]] = {}
    try:
        fns["jmetrics"], res.times["compile"] = _auc_update(dev)
    except Skip as err:
        res.notes.append(str(err))
        return res, None
    rr = read_reduce.lower(*dev).compile()
    fns["read-reduce"] = lambda: rr(*dev)
    if peer_status("keras") is None:
        km = keras_module().metrics.AUC(num_thresholds=200)

        def keras_update() -> Any:
            km.update_state(*dev)
            return km.variables[0].value

        fns["keras"] = keras_update
    else:
        res.notes.append(str(peer_status("keras")))
    _timings(res, fns, budget=budget, warmup=1, min_rounds=3)
    _ratio_check(res, "x Keras 3 AUC.update_state", "keras", "jmetrics", 10)
    res.checks.append(Check("histogram AUC time / read-reduce time",
                            res.times["jmetrics"] / res.times["read-reduce"], "<=", 3))
    res.extra["gbps"] = nbytes(host) / res.times["jmetrics"] / 1e9
    return res, fns["jmetrics"]


def engine(rows: int = 10**7, budget: float = 1.0) -> Timed:  # noqa: ARG001 - same signature
    """Rows/s of a 10-metric ``jmetrics.evaluate`` from .npy files vs NumPy reading the files, each
    in a fresh subprocess (so peak RSS is its own)."""
    from jmetrics.bench import _engine

    return _engine.engine_target(rows)


TARGETS: dict[str, Callable[..., Timed]] = {
    "collection8": collection8, "train_step": train_step, "roc_auc_exact": roc_auc_exact,
    "binned_auc": binned_auc, "engine": engine,
}


def run_all(backend: str = "cpu", *, budget: float = 1.0, quiet: bool = False,
            rows: int = 10**7) -> list[TargetResult]:
    """Every target (engine on the host); progress on stderr unless ``quiet``."""
    out = []
    for name, fn in TARGETS.items():
        kw: dict[str, Any] = {"budget": budget}
        if name != "train_step":
            kw["rows"] = rows
        if name != "engine":
            kw["backend"] = backend
        result, _ = fn(**kw)
        if not quiet:
            print(f"  target {result.line()}", file=sys.stderr, flush=True)
        out.append(result)
    return out


def describe(result: TargetResult) -> str:
    """Times and checks, several lines (what the pytest suite prints)."""
    lines = [f"{result.name}: {result.description}"]
    lines += [f"  {k}: {fmt_time(v)}" for k, v in result.times.items()]
    lines += [f"  {c.text()}" for c in result.checks]
    lines += [f"  note: {n}" for n in result.notes]
    return "\n".join(lines)

