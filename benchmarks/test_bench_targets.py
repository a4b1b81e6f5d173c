"""The speed targets, each a benchmark reporting its ratios (never a timed assertion).

Each test measures its comparison A/B interleaved (``jmetrics.bench._targets``), prints every ratio
and whether its target is met or by how much it is missed, stores the whole result in the
benchmark's ``extra_info``, then times the jmetrics side with pytest-benchmark. Targets are
measured on the first JAX backend present (the engine on the host).
"""

from __future__ import annotations

import os

import pytest
from conftest import BACKENDS, BUDGET, run_pedantic

from jmetrics import bench
from jmetrics.bench import _targets
from jmetrics.bench._targets import describe

ROWS = bench.parse_size(os.environ.get("JMETRICS_BENCH_TARGET_ROWS", "1e7"))
ENGINE_ROWS = bench.parse_size(os.environ.get("JMETRICS_BENCH_ENGINE_ROWS", "1e7"))


@pytest.mark.parametrize("name", list(_targets.TARGETS))
def test_target(benchmark, registry, name):
    benchmark.group = f"target {name}"
    kwargs = {"budget": max(BUDGET, 1.0)}
    if name != "train_step":
        kwargs["rows"] = ENGINE_ROWS if name == "engine" else ROWS
    if name != "engine":
        kwargs["backend"] = BACKENDS[0]
    result, jm_call = _targets.TARGETS[name](**kwargs)
    registry.targets.append(result)
    benchmark.extra_info.update(result.as_dict())
    print(describe(result))
    if name in ("engine", "elementwise", "import_time") and result.times:
        # the engine and the imports run in subprocesses (own peak RSS) and the elementwise
        # target times many metrics: their measurements are in extra_info, there is no single
        # call to time again
        benchmark.pedantic(lambda: None, rounds=1, iterations=1)
        return
    if jm_call is None:
        pytest.skip("; ".join(result.notes) or "jmetrics side not there yet")
    run_pedantic(benchmark, jm_call, budget=BUDGET)
