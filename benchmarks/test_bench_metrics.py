"""Every metric family x sizes x JAX backends, jmetrics against the read-reduce floor and peers.

One pytest-benchmark group per (metric, rows, backend): ``jmetrics`` (a jitted ``update`` from
``init()`` then ``compute``, compiled outside the timed function, compile time in ``extra_info``),
``read-reduce`` (a plain jitted sum of each input: the bytes' floor on this machine) and each peer.
A peer or jmetrics part that is missing is skipped with the reason.
"""

from __future__ import annotations

import pytest
from conftest import BACKENDS, CASES, PEERS, SIZES, run_pedantic

from jmetrics import bench

IMPLS = ["jmetrics", "read-reduce", *PEERS]
PARAMS = [
    pytest.param(c, n, b, impl, id=f"{c.name}-{n:.0e}-{b}-{impl}")
    for n in SIZES
    for c in sorted(CASES, key=lambda c: (c.kind, c.classes))
    for b in BACKENDS
    for impl in IMPLS
]


@pytest.mark.parametrize("case, rows, backend, impl", PARAMS)
def test_metric(benchmark, registry, inputs, case, rows, backend, impl):
    benchmark.group = f"{case.name} rows={rows:.0e} {backend}"
    benchmark.extra_info.update(metric=case.name, family=case.family, rows=rows, backend=backend,
                                impl=impl)
    ok, why = bench.memory_ok(case.kind, rows, case.classes)
    if not ok:
        pytest.skip(f"{case.name} at {rows:.0e} rows: {why}")
    result = registry.result(case, rows, backend)
    if impl != "jmetrics" and result.jmetrics is None:
        pytest.skip(f"{impl}: jmetrics side of {case.name} did not run, nothing to compare")
    host = inputs.host(case.kind, rows, case.classes)
    dev = inputs.device(case.kind, rows, case.classes, backend)
    result.bytes = bench.nbytes(host)
    benchmark.extra_info["bytes"] = result.bytes
    try:
        if impl == "jmetrics":
            fn, jit = bench.jmetrics_function(case)
            if jit:
                compiled, seconds = bench.compile_jit(fn, *dev)
                call = lambda: compiled(*dev)  # noqa: E731
            else:
                import time

                t0 = time.perf_counter()
                bench.block(fn(*dev))
                seconds, call = time.perf_counter() - t0, (lambda: fn(*dev))
            benchmark.extra_info["compile_s"] = seconds
        elif impl == "read-reduce":
            rr = bench.read_reduce.lower(*dev).compile()
            call = lambda: rr(*dev)  # noqa: E731
        else:
            call = bench.make_peer(impl, case, host, dev)
            bench.block(call())
    except bench.Skip as err:
        registry.notes.append(f"{case.name}: {err}")
        pytest.skip(str(err))
    timing = run_pedantic(benchmark, call)
    if impl == "jmetrics":
        timing.compile = benchmark.extra_info["compile_s"]
        result.jmetrics = timing
        registry.extra[(case.name, rows, backend)] = benchmark.extra_info
        benchmark.extra_info["gbps"] = result.bytes / timing.median / 1e9
        return
    mine = registry.extra[(case.name, rows, backend)]
    if impl == "read-reduce":
        result.read_reduce = timing
        mine["bandwidth_fraction"] = result.bandwidth_fraction
        if case.elementwise and rows >= 10**7:
            mine["target_bandwidth_fraction"] = bench.ELEMENTWISE_TARGET
            for line in bench.target_lines([result]):
                print(line)
        return
    result.peers[impl] = timing
    ratio = result.ratio(impl)
    mine[f"x_{impl}"] = ratio
    benchmark.extra_info["jmetrics_faster_by"] = ratio
    print(f"{case.name} [{backend}, {rows:.0e}]: jmetrics is {ratio:.3g}x faster than {impl}")
