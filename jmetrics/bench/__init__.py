"""Benchmarks of jmetrics on every JAX backend present, against NumPy and the peers installed.

Used by ``jmetrics bench`` and by the pytest-benchmark suites under ``benchmarks/``. Peers
(scikit-learn, torchmetrics, Keras 3, metrax) are imported only when a benchmark needs them; a
missing one is skipped with a note. Times are medians of A/B-interleaved rounds, with JAX inputs
on the device before timing, compile time measured apart, and ``block_until_ready()`` inside the
timed region. Ratios are ``peer time / jmetrics time`` (higher: jmetrics faster); the bandwidth
fraction is a plain jitted read-reduce's time over jmetrics' time, measured in the same run.
"""

from jmetrics.bench._cases import CASES, FAMILIES, Case, Skip, case, jmetrics_function, select
from jmetrics.bench._data import KINDS, InputCache, input_bytes, make_inputs, memory_ok
from jmetrics.bench._dispatch import use_sync_cpu_dispatch
from jmetrics.bench._peers import PEERS, make_peer, peer_status, peer_versions
from jmetrics.bench._report import fmt_time, plot, table, target_lines, to_json
from jmetrics.bench._run import (
    ELEMENTWISE_TARGET,
    Result,
    cpu_dispatch,
    machine,
    parse_size,
    run,
    run_case,
)
from jmetrics.bench._timing import (
    Timing,
    backends,
    block,
    compile_jit,
    device_put,
    measure,
    measure_interleaved,
    nbytes,
    peak_rss_bytes,
    read_reduce,
)

__all__ = [
    "CASES", "ELEMENTWISE_TARGET", "FAMILIES", "KINDS", "PEERS", "Case", "InputCache", "Result",
    "Skip", "Timing", "backends", "block", "case", "compile_jit", "cpu_dispatch", "device_put",
    "fmt_time", "input_bytes", "jmetrics_function", "machine", "make_inputs", "make_peer", "measure",
    "measure_interleaved", "memory_ok", "nbytes", "parse_size", "peak_rss_bytes", "peer_status",
    "peer_versions", "plot", "read_reduce", "run", "run_case", "select", "table", "target_lines",
    "to_json", "use_sync_cpu_dispatch",
]
