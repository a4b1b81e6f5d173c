"""pytest-benchmark set-up for the jmetrics benchmark suites (not part of the normal test run).

Run from the repository root (the one command, also in README.md and docs/benchmarks.md):

    pytest benchmarks --benchmark-only -p no:xdist -o addopts=""

Environment variables (all optional):

- ``JMETRICS_BENCH_SIZES``: comma-separated row counts (default ``1e4,1e6,1e7``).
- ``JMETRICS_BENCH_1E8=1``: add 1e8 rows where memory allows (each case checks its own need).
- ``JMETRICS_BENCH_PEERS``: comma-separated peers (default: every installed one; ``none`` for none).
- ``JMETRICS_BENCH_METRICS``: comma-separated metrics or families (default: all).
- ``JMETRICS_BENCH_BUDGET``: seconds of timing per benchmark (default 0.5).
- ``JMETRICS_BENCH_TARGET_ROWS``: rows for the speed targets (default ``1e7``).
- ``JMETRICS_BENCH_ENGINE_ROWS``: rows of the engine target's .npy files (default ``1e7``; the
  issue's 1e8 needs 800 MB of disk and a few minutes).

Every (metric, rows, backend) group holds jmetrics, the plain jitted read-reduce of the same bytes,
and each peer; ratios (peer time / jmetrics time) and the bandwidth fraction are stored in the
jmetrics benchmark's ``extra_info`` and printed in a table at the end, with the speed targets.
"""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import math  # noqa: E402
from typing import Any  # noqa: E402

import pytest  # noqa: E402

from jmetrics import bench  # noqa: E402

BUDGET = float(os.environ.get("JMETRICS_BENCH_BUDGET", "0.5"))


def _env_list(name: str, default: str) -> list[str]:
    return [s.strip() for s in os.environ.get(name, default).split(",") if s.strip()]


SIZES = [bench.parse_size(s) for s in _env_list("JMETRICS_BENCH_SIZES", "1e4,1e6,1e7")]
if os.environ.get("JMETRICS_BENCH_1E8") == "1" and 10**8 not in SIZES:
    SIZES.append(10**8)
_peers = _env_list("JMETRICS_BENCH_PEERS", ",".join(bench.PEERS))
PEERS = [] if _peers == ["none"] else _peers
CASES = bench.select(_env_list("JMETRICS_BENCH_METRICS", "all"))
BACKENDS = [b for b, note in bench.backends().items() if not note.startswith("absent")]


class Registry:
    """What the session measured: medians per group and the target results, for the summary."""

    def __init__(self) -> None:
        self.results: dict[tuple[str, int, str], bench.Result] = {}
        self.extra: dict[tuple[str, int, str], dict[str, Any]] = {}
        self.targets: list[Any] = []
        self.notes: list[str] = []

    def result(self, case: bench.Case, rows: int, backend: str) -> bench.Result:
        key = (case.name, rows, backend)
        if key not in self.results:
            self.results[key] = bench.Result(case.name, case.family, backend, rows, 0, None, None,
                                             elementwise=case.elementwise)
        return self.results[key]


REGISTRY = Registry()


@pytest.fixture(scope="session")
def registry() -> Registry:
    return REGISTRY


@pytest.fixture(scope="session")
def inputs() -> bench.InputCache:
    return bench.InputCache()


def run_pedantic(benchmark: Any, fn: Any, budget: float = BUDGET) -> bench.Timing:
    """Time ``fn`` (already compiled, inputs on the device) with pytest-benchmark: one warm-up
    round, rounds sized to ``budget``, ``block_until_ready()`` inside; returns the median."""
    def blocked() -> Any:
        return bench.block(fn())

    first = bench.measure(blocked, budget=0, warmup=1, min_rounds=1, max_rounds=1).median
    iterations = 1 if first >= 1e-3 else max(1, math.ceil(1e-3 / max(first, 1e-7)))
    rounds = max(3, min(50, int(budget / max(first * iterations, 1e-9))))
    benchmark.pedantic(blocked, rounds=rounds, warmup_rounds=1, iterations=iterations)
    st = benchmark.stats.stats
    return bench.Timing(st.median, st.min, st.max, rounds, iterations)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    results = [r for r in REGISTRY.results.values() if r.jmetrics is not None]
    tr = terminalreporter
    if results:
        peers = [p for p in bench.PEERS if any(p in r.peers for r in results)]
        order = {c.name: i for i, c in enumerate(bench.CASES)}
        results.sort(key=lambda r: (order.get(r.metric, 0), r.backend, r.rows))
        tr.write_sep("=", "jmetrics: ratios (peer time / jmetrics time) and bandwidth fraction")
        tr.write_line(bench.table(results, peers))
        for line in bench.target_lines(results):
            tr.write_line(line)
    if REGISTRY.targets:
        tr.write_sep("=", "jmetrics: speed targets")
        for t in REGISTRY.targets:
            tr.write_line(t.line())
    if REGISTRY.notes:
        tr.write_sep("-", "jmetrics: notes (skipped parts)")
        for note in dict.fromkeys(REGISTRY.notes):
            tr.write_line(note)
