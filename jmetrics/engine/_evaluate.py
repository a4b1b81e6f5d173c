"""``jmetrics.evaluate``: one pass over a prediction set of any size, every metric at once.

The pass: a source is cut into fixed-size chunks (the last one padded and weighted 0, so the whole run
compiles once); a reader thread fetches the next chunk from disk while the devices work on the
current one; each chunk is moved to the devices once, sharded over a data-parallel mesh of all local
devices; each device folds its shard into its own state (no collective per chunk); at the end the
per-device states are reduced with the state's declared reductions (``all_reduce``), and across
processes when running under ``jax.distributed``.

Two optional vmapped axes ride along in the same pass: K models (``model_axis``) and B Poisson
bootstrap weightings (``bootstrap``), so K x (B + 1) results cost one read of the data.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import os
import queue
import sys
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax.sharding import Mesh, NamedSharding, PartitionSpec

from jmetrics.engine._sources import Column, aligned_empty, device_ready, open_column, rechunk
from jmetrics.metrics._state import merge_states

__all__ = ["evaluate"]

_WHO = "evaluate"
_NONFINITE = ("error", "ignore", "propagate")
_CHUNK_BYTES = 32 * 2**20  # input bytes per chunk by default: fits the cache hierarchy well
_BIG = np.iinfo(np.int32).max


class Checks(NamedTuple):
    """What the engine watches on the way (reduced like any state, see ``REDUCE`` below)."""

    bad_rows: jax.Array  # () int32, rows with NaN/inf in y_true or y_pred (weight > 0)
    first_bad: jax.Array  # () int32, the smallest such row index (int32 max if none)
    label_lo: jax.Array  # () float32, smallest sparse label seen (+inf if none)
    label_hi: jax.Array  # () float32, largest sparse label seen (-inf if none)
    fractional: jax.Array  # () int32, sparse labels that are not whole numbers


setattr(Checks, "REDUCE", {"first_bad": "min", "label_lo": "min", "label_hi": "max"})  # noqa: B010


def _no_checks() -> Checks:
    return Checks(jnp.int32(0), jnp.int32(_BIG), jnp.float32(jnp.inf), jnp.float32(-jnp.inf),
                  jnp.int32(0))


class _Plan(NamedTuple):
    """Everything static about one compiled step (hashable: a jit cache key)."""

    collection: Any
    mesh: Mesh
    models: bool  # y_pred has a leading model axis
    bootstrap: int  # B (0 for none)
    nonfinite: str
    sparse_classes: int  # C when y_true holds sparse labels for C classes, else 0
    weighted: bool


def _local_step(plan: _Plan, state: Any, checks: Checks, yt: jax.Array, yp: jax.Array,
                w: jax.Array | None, chunk: jax.Array, valid: jax.Array, seed: jax.Array,
                rows_per_chunk: int) -> tuple[Any, Checks]:
    """Fold one device's shard of a chunk into that device's state."""
    n = yt.shape[0]
    device = jax.lax.axis_index("data") if plan.mesh.size > 1 else 0
    local_row = jnp.arange(n, dtype=jnp.int32)
    real = local_row < valid - device * n
    weight = real.astype(jnp.float32)
    if w is not None:
        weight = jnp.where(real, w.reshape(n).astype(jnp.float32), 0.0)

    if plan.nonfinite != "propagate":  # 'propagate' never looks at NaN/inf: no pass for it
        finite = _finite_rows(yt, 0) & _finite_rows(yp, 1 if plan.models else 0)
        bad = ~finite & (weight != 0)
        row = chunk * rows_per_chunk + device * n + local_row
        checks = checks._replace(
            bad_rows=checks.bad_rows + jnp.sum(bad, dtype=jnp.int32),
            first_bad=jnp.minimum(checks.first_bad, jnp.min(jnp.where(bad, row, _BIG))),
        )
    if plan.sparse_classes:
        labels = yt.astype(jnp.float32).reshape(n, -1)
        seen = (weight != 0)[:, None] & jnp.isfinite(labels)
        checks = checks._replace(
            label_lo=jnp.minimum(checks.label_lo, jnp.min(jnp.where(seen, labels, jnp.inf))),
            label_hi=jnp.maximum(checks.label_hi, jnp.max(jnp.where(seen, labels, -jnp.inf))),
            fractional=checks.fractional + jnp.sum(seen & (labels != jnp.round(labels)),
                                                   dtype=jnp.int32),
        )
    if plan.nonfinite == "ignore":
        weight = jnp.where(finite, weight, 0.0)
        yt = jnp.where(_expand(finite, yt.ndim, 0), yt, jnp.zeros((), yt.dtype))
        yp = jnp.where(_expand(finite, yp.ndim, 1 if plan.models else 0), yp, jnp.zeros((), yp.dtype))

    if yp.ndim == (2 if plan.models else 1):  # one number per row: a column, as Keras fits
        yp = yp[..., None]
        yt = yt[:, None] if yt.ndim == 1 else yt

    def update(s: Any, y_pred: jax.Array, sw: jax.Array) -> Any:
        return plan.collection.update(s, yt, y_pred, sample_weight=sw)

    weights = weight
    if plan.bootstrap:
        key = jax.random.fold_in(jax.random.fold_in(jax.random.key(seed), chunk), device)
        draws = jax.random.poisson(key, 1.0, (plan.bootstrap, n)).astype(jnp.float32)
        weights = jnp.concatenate([weight[None], weight[None] * draws])
        update = jax.vmap(update, in_axes=(0, None, 0))
    if plan.models:
        update = jax.vmap(update, in_axes=(0, 0, None))
    return update(state, yp, weights), checks


def _finite_rows(x: jax.Array, row_axis: int) -> jax.Array:
    if not jnp.issubdtype(x.dtype, jnp.floating):
        return jnp.ones((x.shape[row_axis],), bool)
    ok = jnp.isfinite(x)
    axes = tuple(a for a in range(x.ndim) if a != row_axis)
    return jnp.all(ok, axis=axes) if axes else ok


def _expand(rows: jax.Array, ndim: int, row_axis: int) -> jax.Array:
    shape = [1] * ndim
    shape[row_axis] = rows.shape[0]
    return rows.reshape(shape)


@functools.lru_cache(maxsize=64)
def _compiled(plan: _Plan, rows_per_chunk: int) -> Any:
    """The jitted, donated chunk step: per-device states in, per-device states out."""
    spec = PartitionSpec("data")
    yp_spec = PartitionSpec(None, "data") if plan.models else spec

    def per_device(state: Any, checks: Checks, yt: jax.Array, yp: jax.Array, w: Any,
                   chunk: jax.Array, valid: jax.Array, seed: jax.Array) -> tuple[Any, Checks]:
        state, checks = jax.tree.map(lambda x: x[0], (state, checks))
        state, checks = _local_step(plan, state, checks, yt, yp, w, chunk, valid, seed,
                                    rows_per_chunk)
        return jax.tree.map(lambda x: x[None], (state, checks))

    mapped = jax.shard_map(
        per_device, mesh=plan.mesh,
        in_specs=(spec, spec, spec, yp_spec, spec if plan.weighted else None, PartitionSpec(),
                  PartitionSpec(), PartitionSpec()),
        out_specs=(spec, spec),
    )
    return jax.jit(mapped, donate_argnums=(0, 1))


@functools.lru_cache(maxsize=64)
def _finisher(plan: _Plan) -> Any:
    """Reduce the per-device states (one collective per reduction kind) and compute the results."""
    spec = PartitionSpec("data")

    def reduce(state: Any, checks: Checks) -> tuple[Any, Checks]:
        state, checks = jax.tree.map(lambda x: x[0], (state, checks))
        reduce_state = _over_leading(plan, lambda s: plan.collection.all_reduce(s, "data"))
        return reduce_state(state), _all_reduce(checks)

    # check_vma off: a buffer statistic (ExactAUC) reduces with all_gather, replicated by design
    return jax.jit(jax.shard_map(reduce, mesh=plan.mesh, in_specs=(spec, spec),
                                 out_specs=(PartitionSpec(), PartitionSpec()), check_vma=False))


def _all_reduce(checks: Checks) -> Checks:
    from jmetrics.metrics._state import all_reduce

    return all_reduce(checks, "data")  # type: ignore[no-any-return]


def _over_leading(plan: _Plan, fn: Any) -> Any:
    """``fn`` of one state, mapped over the state's model and bootstrap axes."""
    if plan.bootstrap:
        fn = jax.vmap(fn)
    if plan.models:
        fn = jax.vmap(fn)
    return fn


@functools.lru_cache(maxsize=64)
def _compute(plan: _Plan) -> Any:
    return jax.jit(_over_leading(plan, plan.collection.compute))


def _stack(tree: Any, *sizes: int) -> Any:
    return jax.tree.map(lambda x: jnp.broadcast_to(x, (*sizes, *jnp.shape(x))), tree)


# -- sources ----------------------------------------------------------------------------------
class _Chunk(NamedTuple):
    position: int
    valid: int
    arrays: tuple[np.ndarray, ...]  # y_true, y_pred[, w], padded to the chunk size


def _host_dtype(a: np.ndarray) -> np.ndarray:
    """What the device will hold: float64/int64 only under x64 (convert once, on the host)."""
    target: dict[np.dtype[Any], Any] = {np.dtype(np.bool_): np.float32}
    if not jax.config.read("jax_enable_x64"):
        target.update({np.dtype(np.float64): np.float32, np.dtype(np.int64): np.int32,
                       np.dtype(np.uint64): np.int32, np.dtype(np.uint32): np.int32})
    dtype = target.get(a.dtype)
    if dtype is None:
        return a
    out = aligned_empty(a.shape, dtype)
    np.copyto(out, a, casting="unsafe")
    return out


def _pad(a: np.ndarray, size: int, row_axis: int) -> np.ndarray:
    """``size`` rows along ``row_axis`` (zeros after the data), in a buffer ready for the device."""
    have = a.shape[row_axis]
    if have == size:
        return device_ready(a)
    shape = list(a.shape)
    shape[row_axis] = size
    out = aligned_empty(tuple(shape), a.dtype)
    index = (slice(None),) * row_axis
    out[index + (slice(0, have),)] = a
    out[index + (slice(have, None),)] = 0
    return out


def _column_chunks(columns: Sequence[Column], start: int, stop: int, size: int,
                   model_axis: int | None) -> Iterator[_Chunk]:
    for index, lo in enumerate(range(start, stop, size)):
        hi = min(lo + size, stop)
        arrays = []
        for c in columns:
            a = _host_dtype(c.read(lo, hi))
            if c.name == "y_pred" and model_axis is not None:
                a = np.moveaxis(a, model_axis, 0)
            arrays.append(_pad(a, size, 1 if (c.name == "y_pred" and model_axis is not None) else 0))
        yield _Chunk(index, hi - lo, tuple(arrays))


def _device_chunk(columns: Sequence[Column], size: int, model_axis: int | None) -> _Chunk:
    """JAX arrays stay on their devices: padded there, one chunk for the whole set."""
    arrays = []
    for c in columns:
        a = c.data
        if c.name == "y_pred" and model_axis is not None:
            a = jnp.moveaxis(a, model_axis, 0)
        row_axis = 1 if (c.name == "y_pred" and model_axis is not None) else 0
        if a.shape[row_axis] != size:
            widths = [(0, 0)] * a.ndim
            widths[row_axis] = (0, size - a.shape[row_axis])
            a = jnp.pad(a, widths)
        arrays.append(a)
    return _Chunk(0, columns[0].rows, tuple(arrays))


def _iterable_chunks(chunks: Iterable[Any], size: int, model_axis: int | None) -> Iterator[_Chunk]:
    for index, arrays in enumerate(rechunk(chunks, size)):
        valid = arrays[0].shape[0]
        out = []
        for i, a in enumerate(arrays):
            a = _host_dtype(a)
            if i == 1 and model_axis is not None:
                a = np.moveaxis(a, model_axis, 0)
            out.append(_pad(a, size, 1 if (i == 1 and model_axis is not None) else 0))
        yield _Chunk(index, valid, tuple(out))


def _prefetch(chunks: Iterator[_Chunk], depth: int = 2) -> Iterator[_Chunk]:
    """Read ahead on a thread, so reading from disk overlaps compute on the devices."""
    q: queue.Queue[Any] = queue.Queue(maxsize=depth)
    stop = threading.Event()
    done = object()

    def work() -> None:
        try:
            for c in chunks:
                if stop.is_set():
                    return
                q.put(c)
            q.put(done)
        except BaseException as err:  # re-raised in the consumer
            q.put(err)

    t = threading.Thread(target=work, daemon=True, name="jmetrics-reader")
    t.start()
    try:
        while True:
            item = q.get()
            if item is done:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while t.is_alive():
            try:
                q.get_nowait()
            except queue.Empty:
                t.join(0.01)


# -- the public entry point ----------------------------------------------------------------
def evaluate(
    y_true: Any,
    y_pred: Any = None,
    metrics: Any = None,
    *,
    sample_weight: Any = None,
    batch_size: int | None = None,
    model_axis: int | None = None,
    bootstrap: int | None = None,
    confidence: float = 0.95,
    seed: int = 0,
    devices: Any = None,
    progress: bool | None = None,
    on_nonfinite: str = "error",
    loss: Any = None,
) -> dict[str, Any]:
    """Evaluate metrics over a prediction set of any size in one pass.

    Args:
      y_true, y_pred: arrays (NumPy, memory-mapped, JAX), paths (``.npy``, ``.npz:member``,
        ``.parquet:column``, ``.arrow:column``, ``.csv:column``), or ``y_true`` an iterable of
        ``(y_true, y_pred[, sample_weight])`` chunks with ``y_pred=None``.
      metrics: anything ``jmetrics.Collection`` takes (Keras strings, functions, metric objects, a
        list); ``None`` picks metrics from the shapes and values (see ``pick_metrics``).
      sample_weight: per-row weights (array or path), optional.
      batch_size: rows per chunk (default: about 32 MB of input per chunk); rounded up to a
        multiple of the number of devices. Memory stays bounded by it whatever the data size.
      model_axis: the axis of ``y_pred`` that holds K models (``[K, N, ...]`` for 0); every result
        gains a leading K axis, computed in the same pass.
      bootstrap: B Poisson(1) bootstrap weightings in the same pass; each result ``name`` then comes
        with ``name.stderr``, ``name.ci_low`` and ``name.ci_high`` (percentile interval at
        ``confidence``). Replicates are reproducible for a given ``seed``, ``batch_size`` and
        device count.
      devices: the devices of the data-parallel mesh (default: every local device), or a count.
      progress: a progress bar on stderr (tqdm or rich); default: on when stderr is a terminal,
        not under CI, and the run lasts more than two seconds.
      on_nonfinite: rows with NaN or inf: ``"error"`` (default, a ValueError naming the first such
        row, raised before any result is returned), ``"ignore"`` (the rows get weight 0) or
        ``"propagate"`` (the metrics see them).
      loss: the training loss, only used to resolve ``'acc'`` as Keras' compile does.

    Returns:
      ``{name: value}`` keyed as Keras would log (floats, or NumPy arrays for per-class or
      per-model values).

    Sparse integer labels are checked against the number of classes of ``y_pred`` (a label out of
    range would otherwise be silently dropped under jit): out-of-range or fractional labels raise
    ``ValueError``.

    >>> import numpy as np, jmetrics
    >>> y = np.array([0., 1., 1., 0.]); p = np.array([0.1, 0.8, 0.4, 0.3])
    >>> jmetrics.evaluate(y, p, ["binary_accuracy", "mse"])
    {'binary_accuracy': 0.75, 'mse': 0.125}
    """
    from jmetrics.collection import Collection  # the layer below the engine

    if on_nonfinite not in _NONFINITE:
        raise ValueError(f"{_WHO}: on_nonfinite must be one of {', '.join(_NONFINITE)}; got "
                         f"{on_nonfinite!r}.")
    if bootstrap is not None and (not isinstance(bootstrap, int) or bootstrap < 2):
        raise ValueError(f"{_WHO}: bootstrap must be an integer >= 2; got {bootstrap!r}.")
    if not 0 < confidence < 1:
        raise ValueError(f"{_WHO}: confidence must be in (0, 1); got {confidence!r}.")
    if batch_size is not None and (not isinstance(batch_size, int) or batch_size < 1):
        raise ValueError(f"{_WHO}: batch_size must be a positive integer; got {batch_size!r}.")
    mesh = _mesh(devices)
    source = _Source(y_true, y_pred, sample_weight, model_axis)
    if metrics is None:
        from jmetrics.engine._auto import pick_metrics

        metrics = pick_metrics(*source.sample()).metrics
    if not isinstance(metrics, Collection):
        metrics = _bind_widths(metrics, *source.sample(1))
        metrics = _bind_exact(metrics, source.rows, batch_size, mesh.size, source)
    collection = metrics if isinstance(metrics, Collection) else Collection(metrics, loss=loss)
    size = source.chunk_rows(batch_size, mesh.size)
    plan = _Plan(collection, mesh, model_axis is not None, bootstrap or 0, on_nonfinite,
                 source.sparse_classes(), source.weighted)
    state, checks = _run(plan, source, size, progress, seed)
    _raise_on_checks(plan, checks, source)
    return _results(plan, state, confidence)


def _bind_widths(metrics: Any, y_true: np.ndarray, y_pred: np.ndarray) -> Any:
    """Give metrics whose state width Keras infers from the first batch (F1Score, R2Score...)
    that width from the data's shape, keeping the History key they would have had."""
    if isinstance(metrics, (str, dict)) or not isinstance(metrics, (list, tuple)):
        return metrics
    from jmetrics.adapter import get_metric, metric_name
    from jmetrics.metrics._lazy import InferredWidth

    width = int(y_pred.shape[-1]) if y_pred.ndim > 1 else 1
    out = []
    for spec in metrics:
        try:
            metric = get_metric(spec) if isinstance(spec, str) else spec
        except ValueError:
            metric = None  # 'acc'-like strings resolve later, in the collection
        if isinstance(metric, InferredWidth) and metric.needs_width():
            spec = dataclasses.replace(metric, name=metric_name(spec),  # type: ignore[type-var]
                                       **{metric.width_option: width})
        out.append(spec)
    return out


# scikit-learn names with an exact streaming form: a buffer holding every row (ExactAUC)
_EXACT = {"roc_auc_score": "ROC", "average_precision_score": "PR"}


def _bind_exact(metrics: Any, rows: int | None, batch_size: int | None, devices: int,
                source: Any) -> Any:
    """``'roc_auc_score'`` / ``'average_precision_score'``: exact (scikit-learn) values from an
    :class:`~jmetrics.metrics.ExactAUC` buffer sized for every row this process reads."""
    if isinstance(metrics, (str, dict)) or not isinstance(metrics, (list, tuple)):
        return metrics
    if not any(isinstance(m, str) and m in _EXACT for m in metrics):
        return metrics
    from jmetrics.metrics import ExactAUC

    if rows is None:
        raise ValueError(f"{_WHO}: {', '.join(m for m in metrics if m in _EXACT)} keep every row and "
                         "need the number of rows: pass arrays or files, or pass "
                         "jmetrics.metrics.ExactAUC(capacity=...) yourself.")
    # every device's buffer can hold every row: per-device buffers, then per-process states, are
    # merged into one buffer of the same capacity
    size = source.chunk_rows(batch_size, devices)
    capacity = max(size, size * math.ceil(rows / size))
    return [ExactAUC(capacity=capacity, curve=_EXACT[m], name=m) if isinstance(m, str) and m in _EXACT
            else m for m in metrics]


def _mesh(devices: Any) -> Mesh:
    local = jax.local_devices()
    if devices is None:
        chosen = local
    elif isinstance(devices, int):
        if not 1 <= devices <= len(local):
            raise ValueError(f"{_WHO}: devices must be between 1 and {len(local)} (local devices); "
                             f"got {devices}.")
        chosen = local[:devices]
    else:
        chosen = list(devices)
        if not chosen:
            raise ValueError(f"{_WHO}: devices must not be empty.")
    return Mesh(np.array(chosen), ("data",))


class _Source:
    """The three inputs as columns (or a chunk iterable), with the checks that need no data pass."""

    def __init__(self, y_true: Any, y_pred: Any, sample_weight: Any, model_axis: int | None):
        self.model_axis = model_axis
        self.on_device = False
        self.iterable = None
        self.columns: list[Column] = []
        if y_pred is None:
            if isinstance(y_true, (str, os.PathLike)) or hasattr(y_true, "shape"):
                raise TypeError(f"{_WHO}: y_pred is missing; pass y_pred, or pass y_true as an "
                                "iterable of (y_true, y_pred[, sample_weight]) chunks.")
            self.iterable = iter(y_true)
            first = next(self.iterable, None)
            if first is None:
                raise ValueError(f"{_WHO}: the chunk iterable is empty.")
            self._first = tuple(np.asarray(a) for a in first)
            self.weighted = len(self._first) == 3
            return
        self.on_device = isinstance(y_true, jax.Array) and isinstance(y_pred, jax.Array)
        pred_rows = 1 if model_axis == 0 else 0
        if model_axis is not None:
            ndim = len(np.shape(y_pred)) if not isinstance(y_pred, (str, os.PathLike)) else None
            if not isinstance(model_axis, int) or model_axis < 0 or (ndim is not None and
                                                                     model_axis >= ndim):
                raise ValueError(f"{_WHO}: model_axis must be an axis of y_pred; got {model_axis!r}"
                                 f" for y_pred of {ndim} dimensions.")
        yt = open_column(y_true, "y_true")
        yp = open_column(y_pred, "y_pred", pred_rows)
        self.columns = [yt, yp]
        if sample_weight is not None:
            w = open_column(sample_weight, "sample_weight")
            if len(w.shape) != 1 and not (len(w.shape) == 2 and w.shape[1] == 1):
                raise ValueError(f"{_WHO}: sample_weight must have one value per row, shape "
                                 f"({yt.rows},); got {w.shape}.")
            self.columns.append(w)
        rows = [c.rows for c in self.columns]
        if len(set(rows)) != 1:
            raise ValueError(f"{_WHO}: y_true, y_pred{', sample_weight' if sample_weight is not None else ''}"
                             f" must have the same number of rows; got "
                             f"{', '.join(map(str, rows))} (shapes "
                             f"{', '.join(str(c.shape) for c in self.columns)}).")
        self.weighted = sample_weight is not None

    @property
    def rows(self) -> int | None:
        return self.columns[0].rows if self.columns else None

    def sample(self, n: int = 65536) -> tuple[np.ndarray, np.ndarray]:
        """A few rows of y_true and y_pred (model axis removed) to look at."""
        if self.iterable is not None:
            yt, yp = self._first[0][:n], self._first[1]
        else:
            yt, yp = self.columns[0].read(0, n), self.columns[1].read(0, n)
        if self.model_axis is not None:
            yp = np.take(yp, 0, axis=self.model_axis)
        return yt, yp[:n]

    def sparse_classes(self) -> int:
        """C when y_true holds integer class ids for y_pred's C classes (checked during the pass)."""
        yt, yp = self.sample(1)
        t_shape, p_shape = yt.shape[1:], yp.shape[1:]
        if len(p_shape) >= 1 and p_shape[-1] > 1 and (t_shape == p_shape[:-1] or
                                                      t_shape == (*p_shape[:-1], 1)):
            return int(p_shape[-1])
        return 0

    def chunk_rows(self, batch_size: int | None, n_devices: int) -> int:
        if self.on_device:  # already in device memory: one chunk, as the arrays are
            batch_size = max(self.rows or 0, 1)
        elif batch_size is None:
            yt, yp = self.sample(1)
            per_row = max(1, yt[:1].nbytes + yp[:1].nbytes * (1 if self.model_axis is None else
                                                              self._models()))
            batch_size = max(1024, _CHUNK_BYTES // per_row)
            if self.rows is not None:
                batch_size = min(batch_size, max(self.rows, 1))
        return n_devices * math.ceil(batch_size / n_devices)

    def _models(self) -> int:
        if self.iterable is not None:
            return int(self._first[1].shape[self.model_axis or 0])
        return int(self.columns[1].shape[self.model_axis or 0])

    def chunks(self, size: int) -> Iterator[_Chunk]:
        if self.iterable is not None:
            import itertools

            return _iterable_chunks(itertools.chain([self._first], self.iterable), size,
                                    self.model_axis)
        if self.on_device:
            return iter([_device_chunk(self.columns, size, self.model_axis)])
        start, stop = _process_rows(self.rows or 0)
        return _column_chunks(self.columns, start, stop, size, self.model_axis)


def _process_rows(rows: int) -> tuple[int, int]:
    """This process's row range under jax.distributed (all rows in a single process)."""
    p, count = jax.process_index(), jax.process_count()
    return rows * p // count, rows * (p + 1) // count


def _run(plan: _Plan, source: _Source, size: int, progress: bool | None, seed: int
         ) -> tuple[Any, Checks]:
    d = plan.mesh.size
    lead = (d,) + ((source._models(),) if plan.models else ()) + (
        (plan.bootstrap + 1,) if plan.bootstrap else ())
    shard = NamedSharding(plan.mesh, PartitionSpec("data"))
    pred_shard = NamedSharding(plan.mesh, PartitionSpec(None, "data")) if plan.models else shard
    state = jax.device_put(_stack(plan.collection.init(), *lead), shard)
    checks = jax.device_put(_stack(_no_checks(), d), shard)
    step = _compiled(plan, size)
    bar = _Progress(progress, source.rows)
    try:
        for chunk in _prefetch(source.chunks(size)):
            arrays = [jax.device_put(a, pred_shard if i == 1 else shard)
                      for i, a in enumerate(chunk.arrays)]
            w = arrays[2] if plan.weighted else None
            state, checks = step(state, checks, arrays[0], arrays[1], w, np.int32(chunk.position),
                                 np.int32(chunk.valid), np.uint32(seed))
            # one chunk in flight: the reader thread keeps reading ahead (bounded by its queue),
            # but dispatch must not run ahead of compute, or every dispatched chunk's host
            # buffer stays alive and memory grows with the data
            jax.block_until_ready(checks)
            bar.advance(chunk.valid)
        state, checks = _finisher(plan)(state, checks)
        if jax.process_count() > 1:
            state, checks = _merge_processes(plan, state, checks)
        jax.block_until_ready(state)
    finally:
        bar.close()
    return state, checks


def _merge_processes(plan: _Plan, state: Any, checks: Checks) -> tuple[Any, Checks]:
    """Merge per-process states under jax.distributed: gather, then each statistic's merge."""
    from jax.experimental import multihost_utils

    gathered = multihost_utils.process_allgather((state, checks))
    merge = jax.jit(lambda a, b: (_over_leading(plan, plan.collection.merge)(a[0], b[0]),
                                  merge_states(a[1], b[1])))
    merged = jax.tree.map(lambda x: x[0], gathered)
    for p in range(1, jax.process_count()):
        merged = merge(merged, jax.tree.map(lambda x, p=p: x[p], gathered))
    return merged


def _raise_on_checks(plan: _Plan, checks: Checks, source: _Source) -> None:
    bad, first = int(checks.bad_rows), int(checks.first_bad)
    if bad and plan.nonfinite == "error":
        raise ValueError(f"{_WHO}: y_true/y_pred have {bad} row(s) with NaN or inf (first at row "
                         f"{first}); pass on_nonfinite='ignore' (CLI: --nonfinite ignore) to skip "
                         "them or 'propagate' to keep them.")
    c = plan.sparse_classes
    if c:
        lo, hi = float(checks.label_lo), float(checks.label_hi)
        if int(checks.fractional):
            raise ValueError(f"{_WHO}: y_true must hold integer class ids for y_pred's {c} "
                             f"classes; got {int(checks.fractional)} fractional label(s).")
        if lo < 0 or hi >= c:
            raise ValueError(f"{_WHO}: y_true labels must be in [0, {c}) for y_pred's {c} classes; "
                             f"got labels from {lo:g} to {hi:g}.")


def _raise_on_overflow(plan: _Plan, state: Any) -> None:
    """A buffer statistic (ExactAUC) that ran out of capacity must not give a number."""
    for metric, stat in zip(plan.collection.groups, state.stats, strict=True):
        flag = getattr(stat, "overflow", None)
        if flag is not None and bool(np.any(np.asarray(flag))):
            raise ValueError(f"{_WHO}: {metric.display_name}: capacity must hold every row; got "
                             f"more rows than capacity={getattr(metric, 'capacity', '?')}. "
                             "Increase capacity.")


def _results(plan: _Plan, state: Any, confidence: float) -> dict[str, Any]:
    _raise_on_overflow(plan, state)
    computed = _compute(plan)(state)
    order = [k for k in plan.collection.keys if k in computed] or list(computed)
    values = {k: np.asarray(computed[k]) for k in order if k in computed}
    out: dict[str, Any] = {}
    for name, v in values.items():
        if not plan.bootstrap:
            out[name] = _py(v)
            continue
        axis = 1 if plan.models else 0
        point, reps = np.take(v, 0, axis=axis), np.delete(v, 0, axis=axis)
        alpha = (1 - confidence) / 2
        out[name] = _py(point)
        out[f"{name}.stderr"] = _py(np.std(reps, axis=axis, ddof=1))
        out[f"{name}.ci_low"] = _py(np.quantile(reps, alpha, axis=axis))
        out[f"{name}.ci_high"] = _py(np.quantile(reps, 1 - alpha, axis=axis))
    return out


def _py(v: np.ndarray) -> Any:
    return float(v) if np.ndim(v) == 0 else v


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
