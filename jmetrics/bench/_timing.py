"""Timing primitives: compile apart from steady state, ``block_until_ready`` inside, warm-up rounds.

Everything here times a zero-argument callable that returns its result (a JAX array, a pytree of
them, a NumPy value or a torch tensor). JAX results are blocked on before the clock stops, so
asynchronous dispatch never hides work. Rounds adapt to a time budget: slow peers run a few times,
fast kernels many times, and the median is reported (the machine is shared and noisy).
"""

from __future__ import annotations

import dataclasses
import math
import statistics
import time
from collections.abc import Callable, Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

__all__ = [
    "Timing",
    "backends",
    "block",
    "compile_jit",
    "device_put",
    "measure",
    "measure_interleaved",
    "nbytes",
    "paired_ratio",
    "peak_rss_bytes",
    "read_reduce",
]


@dataclasses.dataclass
class Timing:
    """Wall times of one implementation, in seconds (per call)."""

    median: float  # the reported time
    min: float
    max: float
    rounds: int  # timed rounds (each of ``inner`` calls)
    inner: int = 1  # calls per round (the round time is divided by it)
    compile: float | None = None  # trace + lower + compile, measured apart (JAX only)
    samples: list[float] = dataclasses.field(default_factory=list, repr=False)  # per-round times

    def as_dict(self) -> dict[str, Any]:
        """JSON-safe fields (the per-round samples left out)."""
        out = dataclasses.asdict(self)
        del out["samples"]
        return out


def block(out: Any) -> Any:
    """Wait until every JAX array in ``out`` is computed (other leaves are already done)."""
    for leaf in jax.tree_util.tree_leaves(out):
        wait = getattr(leaf, "block_until_ready", None)
        if wait is not None:
            wait()
    return out


def backends(wanted: Sequence[str] | None = None) -> dict[str, str]:
    """The JAX backends present, ``{name: note}``; a wanted but absent backend maps to why not.

    ``jax.devices(name)`` raises for a platform that is not there; that is the whole test.
    """
    found: dict[str, str] = {}
    for name in wanted or ("cpu", "gpu", "tpu"):
        try:
            devs = jax.devices(name)
        except RuntimeError as err:
            found[name] = f"absent ({str(err).splitlines()[0][:80]})"
            continue
        found[name] = f"{len(devs)} x {devs[0].device_kind}"
    return found


def present(name: str) -> bool:
    """Whether JAX backend ``name`` has devices."""
    return not backends([name])[name].startswith("absent")


def device_put(arrays: Sequence[np.ndarray], backend: str) -> tuple[jax.Array, ...]:
    """Copy host arrays to the first device of ``backend`` once, and wait for the copies."""
    dev = jax.devices(backend)[0]
    return tuple(block(jax.device_put(a, dev)) for a in arrays)


def nbytes(arrays: Sequence[Any]) -> int:
    """Total bytes of the inputs (what a metric must read at least once)."""
    return int(sum(np.dtype(a.dtype).itemsize * math.prod(a.shape) for a in arrays))


def _read_reduce(*xs: jax.Array) -> tuple[jax.Array, ...]:
    return tuple(jnp.sum(x) for x in xs)


read_reduce = jax.jit(_read_reduce)
"""A plain jitted read-reduce: one sum per input array, the floor any metric pays for its bytes."""


def compile_jit(fn: Callable[..., Any], *args: Any, donate_argnums: tuple[int, ...] = ()) -> tuple[Any, float]:
    """``(compiled, seconds)``: ``jax.jit(fn)`` traced, lowered and compiled for ``args``, timed."""
    t0 = time.perf_counter()
    compiled = jax.jit(fn, donate_argnums=donate_argnums).lower(*args).compile()
    return compiled, time.perf_counter() - t0


def _round(fn: Callable[[], Any], inner: int, sync_each: bool) -> float:
    t0 = time.perf_counter()
    out = None
    for _ in range(inner):
        out = fn()
        if sync_each:
            block(out)
    block(out)
    return (time.perf_counter() - t0) / inner


def _plan(first: float, budget: float, min_rounds: int, max_rounds: int, min_round_s: float) -> tuple[int, int]:
    inner = 1 if first >= min_round_s else max(1, math.ceil(min_round_s / max(first, 1e-7)))
    rounds = int(budget / max(first * inner, 1e-9))
    return inner, max(min_rounds, min(max_rounds, rounds))


def measure(
    fn: Callable[[], Any],
    *,
    budget: float = 1.0,
    warmup: int = 2,
    min_rounds: int = 3,
    max_rounds: int = 50,
    min_round_s: float = 0.0,
    sync_each: bool = True,
) -> Timing:
    """Time ``fn()`` after ``warmup`` calls: about ``budget`` seconds, median per call.

    ``min_round_s > 0`` groups fast calls into rounds of at least that long (``inner`` calls each);
    with ``sync_each=False`` only the last call of a round is blocked on, which measures throughput
    as a training loop sees it (dispatch overlapped with compute).
    """
    for _ in range(warmup):
        block(fn())
    first = _round(fn, 1, True)
    inner, rounds = _plan(first, budget, min_rounds, max_rounds, min_round_s)
    times = [_round(fn, inner, sync_each) for _ in range(rounds)]
    return Timing(statistics.median(times), min(times), max(times), rounds, inner)


def measure_interleaved(
    fns: dict[str, Callable[[], Any]],
    *,
    budget: float = 1.0,
    warmup: int = 2,
    min_rounds: int = 3,
    max_rounds: int = 50,
    min_round_s: float = 0.0,
    sync_each: bool = True,
) -> dict[str, Timing]:
    """Time several callables A/B interleaved (round r calls each one still due), so drifting load
    on a shared machine hits them alike. Each gets about ``budget`` seconds."""
    plans: dict[str, tuple[int, int]] = {}
    for name, fn in fns.items():
        for _ in range(warmup):
            block(fn())
        plans[name] = _plan(_round(fn, 1, True), budget, min_rounds, max_rounds, min_round_s)
    times: dict[str, list[float]] = {name: [] for name in fns}
    for r in range(max(rounds for _, rounds in plans.values())):
        for name, fn in fns.items():
            inner, rounds = plans[name]
            if r < rounds:
                times[name].append(_round(fn, inner, sync_each))
    return {
        name: Timing(statistics.median(ts), min(ts), max(ts), len(ts), plans[name][0], samples=ts)
        for name, ts in times.items()
    }


def paired_ratio(slow: Timing, fast: Timing) -> tuple[float, float, float]:
    """Median, 25th and 75th percentiles of ``slow / fast`` taken round by round.

    For two :func:`measure_interleaved` timings: round ``r`` of each ran back to back, so drifting
    load on a shared machine cancels in each round's ratio, where a ratio of the two medians would
    mix rounds run under different load.
    """
    ratios = sorted(a / b for a, b in zip(slow.samples, fast.samples, strict=False))
    if not ratios:
        raise ValueError("paired_ratio: the timings have no per-round samples in common.")
    q = statistics.quantiles(ratios, n=4, method="inclusive") if len(ratios) > 1 else ratios * 3
    return statistics.median(ratios), q[0], q[-1]


def peak_rss_bytes() -> int | None:
    """This process's peak resident set size in bytes (``None`` where unknown)."""
    try:
        import resource
    except ImportError:  # pragma: no cover - not on Windows
        return None
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    import sys

    return int(kb if sys.platform == "darwin" else kb * 1024)
