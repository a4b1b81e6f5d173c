"""The ``elementwise`` speed target: every elementwise metric against the read-reduce floor.

At 1e7 rows each elementwise metric reaches >= 70% of the bandwidth of a plain jitted read-reduce
of the same bytes.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from jmetrics.bench._cases import CASES, jmetrics_function
from jmetrics.bench._data import InputCache
from jmetrics.bench._run import ELEMENTWISE_TARGET, run_case
from jmetrics.bench._target_common import Check, TargetResult, Timed
from jmetrics.bench._timing import compile_jit, device_put, measure_interleaved, read_reduce

__all__ = ["elementwise"]


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
