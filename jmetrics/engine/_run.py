"""The run loop: chunks to the devices, one compiled step per chunk, per-device states reduced."""

from __future__ import annotations

import functools
import os
import sys
import time
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import jax
import numpy as np
from jax.sharding import NamedSharding, PartitionSpec

from jmetrics.distributed import merge_across_processes
from jmetrics.engine._checks import check_rows, reword_shape_error
from jmetrics.engine._chunks import _prefetch
from jmetrics.engine._inputs import _Source
from jmetrics.engine._step import (
    Checks,
    _compiled,
    _finisher,
    _no_checks,
    _over_leading,
    _Plan,
    _stack,
)
from jmetrics.metrics._state import merge_states

__all__ = ["_run"]


def _run(plan: _Plan, source: _Source, size: int, progress: bool | None, seed: int,
         slices: Any = None) -> tuple[Any, Checks]:
    """One pass over the source; with the default ``on_nonfinite='error'`` (no weights) the pass
    only flags blocks holding NaN/inf (``_step._poison``, nearly free), and a second pass, run only
    when one did, counts and locates the rows for the error message. An iterable of chunks
    cannot be read twice: its one pass locates the rows as it goes."""
    if source.iterable is not None:
        plan = plan._replace(locate=True)
    state, checks = _pass(plan, source, size, progress, seed, slices)
    if plan.nonfinite == "error" and not plan.weighted and not plan.locate and int(checks.bad_rows):
        state, checks = _pass(plan._replace(locate=True), source, size, progress, seed, slices)
    return state, checks


# Independent chains of steps on a one-device mesh (see _lanes). One until two lanes are
# measured faster on an idle machine and shown to give the serial results in every run.
_LANES = 1


def _pass(plan: _Plan, source: _Source, size: int, progress: bool | None, seed: int,
          slices: Any = None) -> tuple[Any, Checks]:
    """Every chunk folded into a state, the states reduced over the devices (and processes).

    On a one-device mesh the chunks alternate between :func:`_lanes` independent states, each
    stepped on its own thread: XLA:CPU runs one computation on one core, two independent ones
    on two. The lanes' states merge at the end (the statistics' own merge). Each lane has one
    step in flight: the reader thread keeps reading ahead (bounded by its queue), but dispatch
    must not run ahead of compute, or every dispatched chunk's host buffer stays alive and memory
    grows with the data.
    """
    d = plan.mesh.size
    lead = (d,) + ((source._models(),) if plan.models else ()) + (
        (plan.bootstrap + 1,) if plan.bootstrap else ()) + ((plan.slices,) if plan.slices else ())
    start = _first_row(source)
    shard = NamedSharding(plan.mesh, PartitionSpec("data"))
    pred_shard = NamedSharding(plan.mesh, PartitionSpec(None, "data")) if plan.models else shard
    fresh = (_stack(plan.collection.init(), *lead), _stack(_no_checks(), d))
    _check_reductions(plan, *fresh)
    lanes = _lanes(plan, source, size)
    states = [jax.device_put(fresh, shard, may_alias=False) for _ in range(lanes)]
    step = _compiled(plan, size)
    bar = _Progress(progress, source.rows)
    pool = ThreadPoolExecutor(lanes, thread_name_prefix="jmetrics-step")
    busy: list[Future[Any] | None] = [None] * lanes
    rows = 0
    done = False
    try:
        for chunk in _prefetch(source.chunks(size)):
            arrays = [jax.device_put(a, pred_shard if i == 1 else shard)
                      for i, a in enumerate(chunk.arrays)]
            args: tuple[Any, ...] = (arrays[0], arrays[1], arrays[2] if plan.weighted else None,
                                     np.int32(chunk.position), np.int32(chunk.valid),
                                     np.uint32(seed))
            if slices is not None:
                codes = slices.chunk(start, chunk.position, chunk.valid, size)
                args += (jax.device_put(codes, shard),)
            lane = chunk.position % lanes
            if busy[lane] is not None:
                states[lane] = busy[lane].result()  # type: ignore[union-attr]
            if chunk.position == 0:  # traced here: a shape error names the data's shapes
                states[0] = _first_step(step, states[0], args, source)
            else:
                busy[lane] = pool.submit(_advance, step, states[lane], args)
            rows += chunk.valid
            bar.advance(chunk.valid)
        for lane, future in enumerate(busy):
            if future is not None:
                states[lane] = future.result()
        if source.iterable is not None and jax.process_count() == 1:
            check_rows(rows, ["the chunk iterable"])
        state, checks = _merge_lanes(plan, states)
        state, checks = _finisher(plan)(state, checks)
        if jax.process_count() > 1:
            state, checks = _merge_processes(plan, state, checks)
        jax.block_until_ready(state)
        done = True
    finally:
        # Leaving on an exception (Ctrl-C above all) must not wait for the step in flight: the
        # interpreter joins the pool's thread at exit, so the runtime is not torn down under it.
        pool.shutdown(wait=done, cancel_futures=True)
        bar.close()
    return state, checks


def _lanes(plan: _Plan, source: _Source, size: int) -> int:
    """How many independent states the chunks alternate between: :data:`_LANES` on a
    one-device mesh of a machine with more cores than one, when there is more than one chunk;
    one for a state that keeps every row (ExactAUC: a second buffer would double it)."""
    if plan.mesh.size > 1 or source.on_device or (os.cpu_count() or 1) < 2:
        return 1
    if source.rows is not None and source.rows <= size:
        return 1
    if any(hasattr(g, "capacity") for g in plan.collection.groups):
        return 1
    return _LANES


def _advance(step: Any, carry: tuple[Any, Checks], args: tuple[Any, ...]) -> tuple[Any, Checks]:
    """One chunk folded into one lane's state, waited for (on the lane's thread)."""
    return jax.block_until_ready(step(*carry, *args))  # type: ignore[no-any-return]


def _first_step(step: Any, carry: tuple[Any, Checks], args: tuple[Any, ...],
                source: _Source) -> tuple[Any, Checks]:
    """The first chunk's step, where the step is traced: its shape errors restated with the
    data's shapes."""
    try:
        return _advance(step, carry, args)
    except (ValueError, TypeError) as err:
        raise reword_shape_error(err, source.describe()) from err


def _merge_lanes(plan: _Plan, states: list[tuple[Any, Checks]]) -> tuple[Any, Checks]:
    """The lanes' per-device states merged into one, in lane order."""
    state, checks = states[0]
    for other in states[1:]:
        state, checks = _lane_merger(plan)(state, checks, *other)
    return state, checks


@functools.lru_cache(maxsize=64)
def _lane_merger(plan: _Plan) -> Any:
    merge = jax.vmap(_over_leading(plan, plan.collection.merge))  # over the device axis
    return jax.jit(lambda s, c, s2, c2: (merge(s, s2), jax.vmap(merge_states)(c, c2)))


def _first_row(source: _Source) -> int:
    """The row of the data where this process's first chunk starts."""
    if source.iterable is not None or source.on_device:
        return 0
    from jmetrics.engine._inputs import _process_rows

    return _process_rows(source.rows or 0)[0]


def _check_reductions(plan: _Plan, state: Any, checks: Checks) -> None:
    """Trace the end-of-pass reductions before any data is read: a state that cannot be reduced
    over the devices (or merged over processes) raises its ``ValueError`` now, not after the pass."""
    try:
        reduced, _ = jax.eval_shape(_finisher(plan), state, checks)
        if jax.process_count() > 1:
            jax.eval_shape(_over_leading(plan, plan.collection.merge), reduced, reduced)
    except ValueError as err:
        raise ValueError(f"evaluate on {plan.mesh.size} device(s), {jax.process_count()} "
                         f"process(es): {err}") from None


def _merge_processes(plan: _Plan, state: Any, checks: Checks) -> tuple[Any, Checks]:
    """Merge per-process states under jax.distributed (:func:`merge_across_processes`: gather,
    then each statistic's merge, in process order)."""
    merge = jax.jit(lambda a, b: (_over_leading(plan, plan.collection.merge)(a[0], b[0]),
                                  merge_states(a[1], b[1])))
    return merge_across_processes(None, (state, checks), merge=merge)  # type: ignore[no-any-return]



class _Progress:
    """A progress bar on stderr (tqdm, else rich), shown only for runs longer than two seconds."""

    def __init__(self, enabled: bool | None, total: int | None) -> None:
        if enabled is None:
            enabled = sys.stderr.isatty() and not os.environ.get("CI")
        self.enabled, self.total, self.done = enabled, total, 0
        self.start = time.monotonic()
        self.bar: Any = None

    def advance(self, rows: int) -> None:
        self.done += rows
        if not self.enabled:
            return
        if self.bar is None and time.monotonic() - self.start > 2.0:
            self.bar = _make_bar(self.total)
            if self.bar is None:
                self.enabled = False
                return
            self.bar.update(self.done - rows)
        if self.bar is not None:
            self.bar.update(rows)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _make_bar(total: int | None) -> Any:
    try:
        from tqdm import tqdm

        return tqdm(total=total, unit="rows", unit_scale=True, file=sys.stderr, desc="jmetrics")
    except ImportError:
        pass
    try:
        from rich.progress import Progress
    except ImportError:
        return None

    class _Rich:
        def __init__(self) -> None:
            self.p = Progress(transient=True)
            self.p.start()
            self.task = self.p.add_task("jmetrics", total=total)

        def update(self, n: int) -> None:
            self.p.advance(self.task, n)

        def close(self) -> None:
            self.p.stop()

    return _Rich()
