"""The speed targets, each a benchmark reporting its ratios (never a timed assertion).

Each test measures its comparison A/B interleaved (``jmetrics.bench._targets``), prints every ratio
and whether its target is met or by how much it is missed, stores the whole result in the
benchmark's ``extra_info``, then times the jmetrics side with pytest-benchmark. Targets are
measured on the first JAX backend present (the engine on the host).
"""

from __future__ import annotations

import pytest
from conftest import BACKENDS, BUDGET, run_pedantic

from jmetrics.bench import _targets
from jmetrics.bench._targets import describe

ROWS = 10**7


@pytest.mark.parametrize("name", list(_targets.TARGETS))
def test_target(benchmark, registry, name):
    benchmark.group = f"target {name}"
    kwargs = {"budget": max(BUDGET, 1.0)}
    if name != "train_step":
        kwargs["rows"] = ROWS
    if name != "engine":
        kwargs["backend"] = BACKENDS[0]
    result, jm_call = _targets.TARGETS[name](**kwargs)
    registry.targets.append(result)
    benchmark.extra_info.update(result.as_dict())
    print(describe(result))
    if name == "engine" and "jmetrics" in result.times:
        # the engine runs in subprocesses (own peak RSS): its one measurement is in extra_info
        benchmark.pedantic(lambda: None, rounds=1, iterations=1)
        return
    if jm_call is None:
        pytest.skip("; ".join(result.notes) or "jmetrics side not there yet")
    run_pedantic(benchmark, jm_call, budget=BUDGET)
