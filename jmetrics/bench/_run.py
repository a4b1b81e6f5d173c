"""The benchmark matrix: cases x sizes x backends, jmetrics against the read-reduce floor and peers.

For each (case, rows, backend): inputs are made once and copied to the device before any timing;
jmetrics' function is jitted and compiled apart (compile time reported alone); then jmetrics, the
plain jitted read-reduce of the same bytes, and every peer are timed A/B interleaved in the same
process. Host peers (NumPy, scikit-learn, torchmetrics) do not depend on the JAX backend and are
timed once per (case, rows).
"""

from __future__ import annotations

import dataclasses
import math
import platform
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from jmetrics.bench._cases import Case, Skip, jmetrics_function
from jmetrics.bench._data import InputCache, available_memory, memory_ok
from jmetrics.bench._peers import HOST_PEERS, PEERS, make_peer, peer_status, peer_versions
from jmetrics.bench._timing import (
    Timing,
    block,
    compile_jit,
    measure_interleaved,
    nbytes,
    read_reduce,
)

__all__ = ["ELEMENTWISE_TARGET", "READ_BOUND_SECONDS", "Result", "machine", "parse_size", "run", "run_case"]

ELEMENTWISE_TARGET = 0.7  # elementwise metrics: at least 70% of the read-reduce bandwidth at 1e7 rows
READ_BOUND_SECONDS = 5e-4
"""A read-reduce faster than this is dispatch-bound, not bandwidth-bound: a jitted call costs about
30 us on CPU, so below ~0.5 ms its time says little about the memory bandwidth (and jmetrics'
own dispatch, or a host path without one, can beat it)."""


@dataclasses.dataclass
class Result:
    """One (metric, rows, backend) measurement. Ratios are ``peer time / jmetrics time``."""

    metric: str
    family: str
    backend: str
    rows: int
    bytes: int
    jmetrics: Timing | None
    read_reduce: Timing | None
    peers: dict[str, Timing] = dataclasses.field(default_factory=dict)
    notes: list[str] = dataclasses.field(default_factory=list)
    elementwise: bool = False
    agrees: bool | None = None  # jmetrics == the NumPy reference (None: not compared)

    @property
    def gbps(self) -> float | None:
        """Input GB/s of jmetrics (bytes read once / median time)."""
        return None if self.jmetrics is None else self.bytes / self.jmetrics.median / 1e9

    @property
    def bandwidth_fraction(self) -> float | None:
        """Read-reduce time / jmetrics time: the fraction of this machine's memory bandwidth."""
        if self.jmetrics is None or self.read_reduce is None:
            return None
        return self.read_reduce.median / self.jmetrics.median

    @property
    def bandwidth_bound(self) -> bool | None:
        """Whether the read-reduce of these inputs measures bandwidth (it takes at least
        :data:`READ_BOUND_SECONDS`); ``False``: it is dispatch-bound and the fraction means little."""
        if self.read_reduce is None:
            return None
        return self.read_reduce.median >= READ_BOUND_SECONDS

    def ratio(self, peer: str) -> float | None:
        """How many times faster jmetrics is than ``peer`` (``None`` if either did not run)."""
        if self.jmetrics is None or peer not in self.peers:
            return None
        return self.peers[peer].median / self.jmetrics.median

    def as_dict(self) -> dict[str, Any]:
        """JSON-safe fields, with the derived GB/s, bandwidth fraction and ratios."""
        return {
            "metric": self.metric, "family": self.family, "backend": self.backend,
            "rows": self.rows, "bytes": self.bytes,
            "jmetrics": None if self.jmetrics is None else self.jmetrics.as_dict(),
            "read_reduce": None if self.read_reduce is None else self.read_reduce.as_dict(),
            "peers": {k: v.as_dict() for k, v in self.peers.items()},
            "gbps": self.gbps, "bandwidth_fraction": self.bandwidth_fraction,
            "bandwidth_bound": self.bandwidth_bound,
            "ratios": {k: self.ratio(k) for k in self.peers}, "notes": list(self.notes),
            "elementwise": self.elementwise, "agrees": self.agrees,
        }


def parse_size(text: str | int) -> int:
    """``"1e6"``, ``"1_000_000"``, ``"1M"`` or ``1000000`` as an int >= 1.

    >>> parse_size("1e6"), parse_size("10k"), parse_size(128)
    (1000000, 10000, 128)
    """
    if isinstance(text, int):
        value = text
    else:
        s = str(text).strip().lower().replace("_", "")
        mult = {"k": 10**3, "m": 10**6, "g": 10**9, "b": 10**9}.get(s[-1:], 1)
        if mult != 1:
            s = s[:-1]
        try:
            value = int(float(s) * mult)
        except ValueError:
            raise ValueError(f"jmetrics bench: sizes must be row counts such as 1e6; got {text!r}.") from None
    if value < 1:
        raise ValueError(f"jmetrics bench: sizes must be >= 1 row; got {text!r}.")
    return value


def machine() -> dict[str, Any]:
    """What this run measured on: CPU count, memory, platform, JAX devices, package versions."""
    import os

    from jmetrics.bench._timing import backends

    mem = available_memory()
    total = None
    try:
        import psutil

        total = int(psutil.virtual_memory().total)
    except ImportError:
        pass
    return {
        "cpus": os.cpu_count(), "memory_total_bytes": total, "memory_available_bytes": mem,
        "platform": platform.platform(), "python": platform.python_version(),
        "processor": platform.processor() or platform.machine(),
        "backends": backends(), "versions": peer_versions(),
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "cpu_dispatch": cpu_dispatch(),
    }


def cpu_dispatch() -> str:
    """``'async'`` (JAX's default: XLA:CPU hands computations of 1000 flops or more to a worker
    thread) or ``'sync'`` (``jax_cpu_enable_async_dispatch=False``: all run inline)."""
    import jax

    return "async" if jax.config.read("jax_cpu_enable_async_dispatch") else "sync"


def _jm_timed(c: Case, dev: tuple[Any, ...]) -> tuple[Callable[[], Any], float | None]:
    fn, jit = jmetrics_function(c)
    if jit:
        compiled, seconds = compile_jit(fn, *dev)
        return (lambda: compiled(*dev)), seconds
    t0 = time.perf_counter()
    block(fn(*dev))  # first call: compiles whatever the function jits inside
    first = time.perf_counter() - t0
    return (lambda: fn(*dev)), first


def run_case(
    c: Case,
    rows: int,
    backend: str,
    peers: Sequence[str],
    cache: InputCache,
    *,
    budget: float = 0.5,
    host_timings: dict[tuple[str, int, str], Timing | str] | None = None,
) -> Result:
    """Measure one case at one size on one backend (see the module docstring)."""
    ok, why = memory_ok(c.kind, rows, c.classes)
    res = Result(c.name, c.family, backend, rows, 0, None, None, elementwise=c.elementwise)
    if not ok:
        res.notes.append(f"{c.name} at {rows:.0e} rows skipped: {why}")
        return res
    host = cache.host(c.kind, rows, c.classes)
    dev = cache.device(c.kind, rows, c.classes, backend)
    res.bytes = nbytes(host)
    fns: dict[str, Callable[[], Any]] = {}
    compile_s: float | None = None
    try:
        fns["jmetrics"], compile_s = _jm_timed(c, dev)
    except Skip as err:
        res.notes.append(f"jmetrics: {err} (peers not timed)")
        return res
    except Exception as err:  # noqa: BLE001 - reported, and the rest of the matrix still runs
        res.notes.append(f"jmetrics: failed to compile {c.name} at {rows} rows "
                         f"({type(err).__name__}: {str(err)[:120]})")
        return res
    rr = read_reduce.lower(*dev).compile()
    fns["read-reduce"] = lambda: rr(*dev)
    host_timings = {} if host_timings is None else host_timings
    for peer in peers:
        key = (c.name, rows, peer)
        if peer in HOST_PEERS and key in host_timings:
            cached = host_timings[key]
            if isinstance(cached, Timing):
                res.peers[peer] = cached
            continue
        try:
            fns[peer] = make_peer(peer, c, host, dev)
        except Skip as err:
            note = str(err) if str(err).startswith(peer) else f"{peer}: {err}"
            res.notes.append(note)
            if peer in HOST_PEERS:
                host_timings[key] = note
        except Exception as err:  # noqa: BLE001 - a peer failing to set up is a note, not our error
            res.notes.append(f"{peer}: failed to set up ({type(err).__name__}: {str(err)[:120]})")
    values: dict[str, Any] = {}
    for name, fn in list(fns.items()):
        try:  # one trial call per peer: a peer that raises on these inputs becomes a note
            if name != "read-reduce":
                values[name] = block(fn())
        except Exception as err:  # noqa: BLE001
            res.notes.append(f"{name}: failed on {c.name} at {rows} rows "
                             f"({type(err).__name__}: {str(err)[:120]})")
            if name == "jmetrics":
                return res
            del fns[name]
    res.agrees = _agrees(c, values, res.notes, rows)
    timings = measure_interleaved(fns, budget=budget, warmup=1)
    res.jmetrics = timings.get("jmetrics")
    if res.jmetrics is not None:
        res.jmetrics.compile = compile_s
    res.read_reduce = timings.get("read-reduce")
    for peer in peers:
        if peer in timings:
            res.peers[peer] = timings[peer]
            if peer in HOST_PEERS:
                host_timings[(c.name, rows, peer)] = timings[peer]
    return res


def _scalar(x: Any) -> float | None:
    try:
        a = np.asarray(x, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        return None
    return float(a[0]) if a.size == 1 else None


def _agrees(c: Case, values: dict[str, Any], notes: list[str], rows: int) -> bool | None:
    """Whether jmetrics and the NumPy reference computed the same number (``c.tol`` relative), so
    every row of the table compares like with like; a disagreement becomes a note."""
    if "jmetrics" not in values or "numpy" not in values:
        return None
    got, want = _scalar(values["jmetrics"]), _scalar(values["numpy"])
    if got is None or want is None:
        return None
    ok = math.isclose(got, want, rel_tol=c.tol, abs_tol=c.tol)
    if not ok:
        notes.append(f"{c.name} at {rows} rows: jmetrics {got:.6g} != numpy {want:.6g} "
                     f"(tolerance {c.tol:g})")
    return ok


def run(
    cases: Sequence[Case],
    sizes: Sequence[int],
    backends: Sequence[str],
    peers: Sequence[str] = PEERS,
    *,
    budget: float = 0.5,
    progress: Callable[[Result], None] | None = None,
) -> list[Result]:
    """The whole matrix, size-major (inputs are made once per size and kind)."""
    available = [p for p in peers if peer_status(p) is None]
    cache = InputCache()
    host_timings: dict[tuple[str, int, str], Timing | str] = {}
    results: list[Result] = []
    for rows in sizes:
        by_kind = sorted(cases, key=lambda c: (c.kind, c.classes))
        for c in by_kind:
            for backend in backends:
                res = run_case(c, rows, backend, available, cache, budget=budget,
                               host_timings=host_timings)
                results.append(res)
                if progress is not None:
                    progress(res)
        cache.clear()
    order = {c.name: i for i, c in enumerate(cases)}
    results.sort(key=lambda r: (order[r.metric], r.backend, r.rows))
    return results
