"""The AUC speed targets: exact ``roc_auc_score``, binned ``AUC`` and ``HistogramAUC``.

- ``roc_auc_exact``: ``jmetrics.sk.roc_auc_score`` at 1e7 >= 3x faster than scikit-learn's.
- ``binned_auc``: ``AUC(num_thresholds=200).update`` at 1e7 >= 10x faster than Keras 3's
  ``AUC.update_state``, with XLA scratch memory far below thresholds x N.
- ``histogram_auc``: ``HistogramAUC.update`` at 1e7 within 3x of a plain jitted read.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import jax
import numpy as np

from jmetrics.bench._cases import case
from jmetrics.bench._data import make_inputs
from jmetrics.bench._peers import keras_module, peer_status
from jmetrics.bench._target_common import (
    AUC_THRESHOLDS,
    Check,
    TargetResult,
    Timed,
    ratio_check,
    ratio_info,
    record_timings,
)
from jmetrics.bench._timing import compile_jit, device_put, nbytes, read_reduce

__all__ = ["binned_auc", "histogram_auc", "roc_auc_exact"]

HISTOGRAM_BINS = 4096


# -- AUC: exact, binned, histogram -----------------------------------------------------------------


def roc_auc_exact(backend: str = "cpu", rows: int = 10**7, budget: float = 1.0) -> Timed:
    """``jmetrics.sk.roc_auc_score`` vs scikit-learn's (and NumPy's one-sort reference), all three
    given the same 1-D NumPy arrays (concrete inputs run on the host, exact); and the same
    function under ``jax.jit`` on device arrays (the sorts on the device)."""
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
    # the same function under jax.jit, given device arrays (compiled before timing)
    jitted, on_device = jax.jit(jm_auc), device_put((t, p), backend)
    fns["jmetrics jit"] = lambda: jitted(*on_device)
    # the floor of any sort-based exact AUC under jit: one XLA sort of the scores' 32-bit keys
    # alone (the jitted path runs one sort of 64-bit keys: the score key and the label)
    keys = device_put((np.ascontiguousarray(p, np.float32).view(np.uint32),), backend)[0]
    one_sort = compile_jit(jax.numpy.sort, keys)[0]
    fns["one XLA sort"] = lambda: one_sort(keys)
    ref = case("roc_auc_score").numpy
    assert ref is not None
    fns["numpy one-sort"] = lambda: ref(t, p)
    values = {"jmetrics": float(jm_auc(t, p)), "jmetrics jit": float(jitted(*on_device))}
    if peer_status("sklearn") is None:
        skm = importlib.import_module("sklearn.metrics")
        fns["sklearn"] = lambda: skm.roc_auc_score(t, p)
        values["sklearn"] = float(skm.roc_auc_score(t, p))
    else:
        res.notes.append(str(peer_status("sklearn")))
    res.extra["values"] = values
    record_timings(res, fns, budget=budget, warmup=1, min_rounds=3)
    ratio_check(res, "x sklearn", "sklearn", "jmetrics", 3)
    ratio_check(res, "jit x sklearn", "sklearn", "jmetrics jit", 3)
    ratio_info(res, "x numpy one-sort", "numpy one-sort", "jmetrics")
    ratio_info(res, "jit time / one XLA sort", "jmetrics jit", "one XLA sort")
    ratio_info(res, "x sklearn, one XLA sort alone", "sklearn", "one XLA sort")
    return res, fns["jmetrics"]


def _compiled_update(metric: Any, dev: tuple[Any, ...]) -> tuple[Any, float]:
    return compile_jit(metric.update, metric.init(), *dev)


def binned_auc(backend: str = "cpu", rows: int = 10**7, budget: float = 1.0) -> Timed:
    """Keras-compatible ``AUC(num_thresholds=200).update`` vs Keras 3 ``AUC.update_state`` (eager),
    and XLA's scratch memory for it (never a thresholds x N array)."""
    from jmetrics.metrics._auc import AUC

    res = TargetResult("binned_auc", f"AUC(num_thresholds={AUC_THRESHOLDS}).update at {rows:.0e} rows")
    host = make_inputs("binary", rows)
    dev = device_put(host, backend)
    m = AUC(num_thresholds=AUC_THRESHOLDS)
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
    record_timings(res, fns, budget=budget, warmup=1, min_rounds=3)
    ratio_check(res, "x Keras 3 AUC.update_state", "keras", "jmetrics", 10)
    ratio_info(res, "fraction of read-reduce bandwidth", "read-reduce", "jmetrics")
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


def _scatter_floor(rows: int, size: int, backend: str) -> dict[str, Callable[[], Any]]:
    """The scatter-add alone: ``rows`` precomputed int32 keys and their updates already in memory
    (no key computation, no input read), the floor of any histogram. Beside it, the same keys in
    two halves: two scatters in one program (XLA:CPU runs them one after the other, on one core)
    and one program per half dispatched from two threads (two executions: both cores)."""
    import jax.numpy as jnp

    from jmetrics.metrics._blocks import scatter_add

    keys = np.random.default_rng(0).integers(0, size, rows).astype(np.int32)
    dk, ones = device_put((keys, np.ones(rows, np.int32)), backend)
    h = rows // 2
    halves = device_put((keys[:h], np.ones(h, np.int32), keys[h:], np.ones(rows - h, np.int32)), backend)

    def scatter(k: Any, u: Any) -> Any:
        return scatter_add(jnp.zeros((size,), jnp.int32), k, u)

    whole = jax.jit(scatter).lower(dk, ones).compile()
    both = jax.jit(lambda a, b, c, d: scatter(a, b) + scatter(c, d)).lower(*halves).compile()
    half = jax.jit(scatter).lower(*halves[:2]).compile()
    half_b = jax.jit(scatter).lower(*halves[2:]).compile()
    pool = ThreadPoolExecutor(2, thread_name_prefix="jmetrics-bench")

    def two_threads() -> Any:
        a = pool.submit(lambda: jax.block_until_ready(half(*halves[:2])))
        b = pool.submit(lambda: jax.block_until_ready(half_b(*halves[2:])))
        return a.result() + b.result()

    return {"scatter floor": lambda: whole(dk, ones),
            "scatter floor, 2 halves in one program": lambda: both(*halves),
            "scatter floor, 2 halves from 2 threads": two_threads}


def histogram_auc(backend: str = "cpu", rows: int = 10**7, budget: float = 1.0) -> Timed:
    """``HistogramAUC(num_bins=4096).update`` vs a plain jitted read of the same bytes (and the
    exact ``roc_auc_score`` of scikit-learn, for context)."""
    from jmetrics.metrics._histogram import HistogramAUC

    res = TargetResult("histogram_auc",
                       f"HistogramAUC(num_bins={HISTOGRAM_BINS}).update at {rows:.0e} rows")
    host = make_inputs("binary", rows)
    dev = device_put(host, backend)
    m = HistogramAUC(num_bins=HISTOGRAM_BINS)
    state = m.init()
    compiled, res.extra["compile s"] = _compiled_update(m, dev)
    fns: dict[str, Callable[[], Any]] = {"jmetrics": lambda: compiled(state, *dev)}
    rr = read_reduce.lower(*dev).compile()
    fns["read-reduce"] = lambda: rr(*dev)
    fns.update(_scatter_floor(rows, 2 * HISTOGRAM_BINS, backend))
    record_timings(res, fns, budget=budget, warmup=1, min_rounds=3)
    res.checks.append(Check("time / read-reduce time",
                            res.times["jmetrics"] / res.times["read-reduce"], "<=", 3))
    for floor in ("scatter floor", "scatter floor, 2 halves in one program",
                  "scatter floor, 2 halves from 2 threads"):
        ratio_info(res, f"{floor} / read-reduce time", floor, "read-reduce")
    res.extra["GB/s"] = nbytes(host) / res.times["jmetrics"] / 1e9
    s = compiled(state, *dev)
    res.extra["value"] = float(m.compute(s))
    res.extra["error bound"] = float(m.error_bound(s)) if hasattr(m, "error_bound") else None
    return res, fns["jmetrics"]
