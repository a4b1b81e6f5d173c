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

import math
from typing import Any

import jax
import numpy as np
from jax.sharding import Mesh

from jmetrics.engine._inputs import _Source
from jmetrics.engine._results import _raise_on_checks, _results
from jmetrics.engine._run import _run
from jmetrics.engine._step import _Plan

__all__ = ["evaluate"]

_WHO = "evaluate"
_NONFINITE = ("error", "ignore", "propagate")


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
    slice_by: Any = None,
    min_slice_size: int = 1,
    baseline: int | None = None,
) -> dict[str, Any]:
    """Evaluate metrics over a prediction set of any size in one pass.

    Args:
      y_true, y_pred: arrays (NumPy, memory-mapped, JAX), paths (``.npy``, ``.npz:member``,
        ``.parquet:column``, ``.arrow:column``, ``.csv:column``), many files as one source (a
        list of paths, or a glob such as ``"preds/*.parquet:label"``), or ``y_true`` an iterable of
        ``(y_true, y_pred[, sample_weight])`` chunks with ``y_pred=None``.
      metrics: anything ``jmetrics.Collection`` takes (Keras strings, functions, metric objects, a
        list); ``None`` picks metrics from the shapes and values (see ``pick_metrics``).
      sample_weight: per-row weights (array, path, list of paths or glob), optional.
      batch_size: rows per chunk (default: about 32 MB of input per chunk); rounded up to a
        multiple of the number of devices. Memory stays bounded by it whatever the data size.
      model_axis: the axis of ``y_pred`` that holds K models (``[K, N, ...]`` for 0); every result
        gains a leading K axis, computed in the same pass.
      bootstrap: B Poisson(1) bootstrap weightings in the same pass; each result ``name`` then comes
        with ``name.stderr``, ``name.ci_low`` and ``name.ci_high`` (percentile interval at
        ``confidence``). Replicates depend on ``seed`` and the rows only: the same for any
        ``batch_size`` and device count.
      devices: the devices of the data-parallel mesh (default: every local device), or a count.
      progress: a progress bar on stderr (tqdm or rich); default: on when stderr is a terminal,
        not under CI, and the run lasts more than two seconds.
      on_nonfinite: rows with NaN or inf: ``"error"`` (default, a ValueError naming the first such
        row, raised before any result is returned), ``"ignore"`` (the rows get weight 0) or
        ``"propagate"`` (the metrics see them).
      loss: the training loss, reported under ``'loss'`` (``'acc'`` follows Keras 3's shape
        rule, as its ``compile`` does, whatever the loss).
      slice_by: slice keys, one per row: an array (ints, bools or strings), a column
        (``"preds.parquet:country"``, ``"keys.npy"``, ``"t.csv:region"``), or a list of them for
        crossed slices. Every slice is evaluated in the same pass (see ``"slices"`` below).
      min_slice_size: slices with fewer rows are left out of ``"slices"`` (and counted).
      baseline: with ``model_axis``, the index of the model the others are compared with
        (``"compare"`` below); with ``bootstrap``, each difference gets a paired interval.

    Returns:
      ``{name: value}`` keyed as Keras would log (floats, or NumPy arrays for per-class or
      per-model values). With ``slice_by``, also ``"slices"``: ``{slice value: {name: value,
      ..., "rows": n}}`` (a tuple of values for crossed keys) and ``"slices_dropped"``: the number
      of slices under ``min_slice_size``. With ``baseline``, also ``"compare"``:
      ``{"model_k": {name: {"diff", "stderr", "ci_low", "ci_high"}}}`` (also in each slice).

    Sparse integer labels are checked against the number of classes of ``y_pred`` (a label out of
    range would otherwise be silently dropped under jit): out-of-range or fractional labels raise
    ``ValueError``.

    >>> import numpy as np, jmetrics
    >>> y = np.array([0., 1., 1., 0.]); p = np.array([0.1, 0.8, 0.4, 0.3])
    >>> jmetrics.evaluate(y, p, ["binary_accuracy", "mse"])
    {'binary_accuracy': 0.75, 'mse': 0.125}
    """
    from jmetrics.adapter._compile import Collection  # compile-style specs, below the engine
    from jmetrics.collection import MetricCollection

    if on_nonfinite not in _NONFINITE:
        raise ValueError(f"{_WHO}: on_nonfinite must be one of {', '.join(_NONFINITE)}; got "
                         f"{on_nonfinite!r}.")
    if bootstrap is not None and (not isinstance(bootstrap, int) or bootstrap < 2):
        raise ValueError(f"{_WHO}: bootstrap must be an integer >= 2; got {bootstrap!r}.")
    if not 0 < confidence < 1:
        raise ValueError(f"{_WHO}: confidence must be in (0, 1); got {confidence!r}.")
    if batch_size is not None and (not isinstance(batch_size, int) or batch_size < 1):
        raise ValueError(f"{_WHO}: batch_size must be a positive integer; got {batch_size!r}.")
    _check_slice_options(min_slice_size, baseline, model_axis)
    mesh = _mesh(devices)
    source = _Source(y_true, y_pred, sample_weight, model_axis)
    slices = _slices(slice_by, source)
    if baseline is not None and not baseline < source._models():
        raise ValueError(f"{_WHO}: baseline must be the index of one of y_pred's "
                         f"{source._models()} models; got {baseline}.")
    if metrics is None:
        from jmetrics.engine._auto import pick_metrics

        metrics = pick_metrics(*source.sample()).metrics
    if not isinstance(metrics, MetricCollection):
        metrics = _bind_widths(metrics, *source.sample(1))
        metrics = _bind_exact(metrics, source.rows, batch_size, mesh.size, source)
    collection = (metrics if isinstance(metrics, MetricCollection)
                  else Collection(metrics, loss=loss))
    size = source.chunk_rows(batch_size, mesh.size)
    plan = _Plan(collection, mesh, model_axis is not None, bootstrap or 0, on_nonfinite,
                 source.sparse_classes(), source.weighted)
    if slices is not None:
        plan, size = _sliced_plan(plan, slices, source, size)
    state, checks = _run(plan, source, size, progress, seed, slices)
    _raise_on_checks(plan, checks, source)
    return _results(plan, state, confidence, slices, min_slice_size, baseline)


def _check_slice_options(min_slice_size: Any, baseline: Any, model_axis: int | None) -> None:
    if isinstance(min_slice_size, bool) or not isinstance(min_slice_size, int) or \
            min_slice_size < 1:
        raise ValueError(f"{_WHO}: min_slice_size must be a positive integer; got "
                         f"{min_slice_size!r}.")
    if baseline is None:
        return
    if model_axis is None:
        raise ValueError(f"{_WHO}: baseline compares models: it needs model_axis (y_pred holding "
                         f"K models); got baseline={baseline!r} and no model_axis.")
    if isinstance(baseline, bool) or not isinstance(baseline, int) or baseline < 0:
        raise ValueError(f"{_WHO}: baseline must be a model index (a non-negative integer); got "
                         f"{baseline!r}.")


def _slices(slice_by: Any, source: _Source) -> Any:
    if slice_by is None:
        return None
    from jmetrics.engine._slices import _Slices

    slices = _Slices(slice_by)
    slices.check_rows(source.rows)
    return slices


_SLICE_ELEMENTS = 2**24  # per-chunk work elements (rows x slices, or rows x state) per device


def _sliced_plan(plan: _Plan, slices: Any, source: _Source, size: int) -> tuple[_Plan, int]:
    """The plan with one state per slice, and the chunk size that bounds a step's memory:
    ``rows x S`` weights (``"mask"``) or ``rows x state`` one-row states (``"segment"``) per
    device, times the models and replicates."""
    from jmetrics.engine._sliced import SEGMENT_ROWS, slice_mode, step_width

    if any(hasattr(g, "capacity") for g in plan.collection.groups):
        names = ", ".join(str(g.display_name) for g in plan.collection.groups
                          if hasattr(g, "capacity"))
        raise ValueError(f"{_WHO}: {names} keep every row; per slice that is slices x rows of "
                         "memory. With slice_by, use the thresholded 'auc' (or AUC(...)).")
    mode = slice_mode(plan.collection)
    plan = plan._replace(slices=slices.count, slice_mode=mode)
    if source.on_device:
        return plan, size
    width = step_width(plan.collection, mode, slices.count)
    copies = (source._models() if plan.models else 1) * (plan.bootstrap + 1)
    rows = max(64, _SLICE_ELEMENTS // max(1, width * copies))
    if "segment" in mode:
        rows = min(rows, SEGMENT_ROWS)
    d = plan.mesh.size
    return plan, min(size, source.chunk_rows(rows * d, d))


def _bind_widths(metrics: Any, y_true: np.ndarray, y_pred: np.ndarray) -> Any:
    """Give metrics whose state width Keras infers from the first batch (F1Score, R2Score,
    multi-label AUC...) that width from the data's shape, keeping the History key they would have
    had."""
    if isinstance(metrics, (str, dict)) or not isinstance(metrics, (list, tuple)):
        return metrics
    from jmetrics.adapter import get_metric, metric_name
    from jmetrics.metrics._inferred_width import InferredWidth

    width = int(y_pred.shape[-1]) if y_pred.ndim > 1 else 1
    out = []
    for spec in metrics:
        try:
            metric = get_metric(spec) if isinstance(spec, str) else spec
        except ValueError:
            metric = None  # 'acc'-like strings resolve later, in the collection
        if isinstance(metric, InferredWidth) and metric.needs_width():
            spec = metric.with_width(width, name=metric_name(spec))
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
    from jmetrics.metrics._exact import ExactAUC

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
