"""Dask: ``jmetrics.evaluate`` over a ``dask.dataframe.DataFrame``, one metric state per partition.

Each partition (a pandas DataFrame on a worker) is folded into a metric state with the collection's
jitted ``update``, in fixed-size blocks padded with weight-0 rows (so a worker compiles once per
block size, at most ``log2(batch_size)`` shapes). The states, converted to NumPy for the trip
between processes, are tree-merged with the collection's ``merge`` (``split_every`` states per
merge task), and the client computes the result once, with the engine's own result step: the keys,
order and Python floats of :func:`jmetrics.evaluate`.

.. math:: s = \\bigoplus_{p} \\mathrm{update}(\\mathrm{init}(), \\mathrm{rows}_p)

equals one update over every row (``merge`` is associative and commutative, ``init()`` its
identity), so the result equals ``jmetrics.evaluate`` over the concatenated columns to float
rounding. With ``slice_by``, each partition numbers the slice values it holds and folds its rows
into all their states at once, with the engine's segment-wise update (one pass per block whatever
the number of slices, see ``jmetrics.engine._sliced``); the states travel as a dict value -> state,
merged by key; the overall state is all the slice states merged.

The engine's value checks run on the workers too, in NumPy on each partition: rows with NaN or inf
(``on_nonfinite``), NaN, inf or negative weights, and sparse labels out of ``[0, C)`` for ``C``
class-score columns. They are reduced with the states and raised on the client before any result.

Importing this module does not import dask; :func:`evaluate` does.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from typing import Any, NamedTuple

import jax
import numpy as np

__all__ = ["evaluate"]

_WHO = "dask.evaluate"
_NONFINITE = ("error", "ignore", "propagate")
_MIN_BLOCK = 64
_EXACT = ("roc_auc_score", "average_precision_score")


class _Spec(NamedTuple):
    """What every partition task needs (small, picklable, hashable)."""

    collection: Any
    y_true: tuple[str, ...]
    y_pred: tuple[str, ...]
    true_list: bool  # y_true given as a list of columns: a [N, k] array
    pred_list: bool  # y_pred given as a list of columns: a [N, C] array
    weight: str | None
    slice_by: tuple[str, ...]
    batch_size: int
    nonfinite: str
    sparse_classes: int  # C when y_true holds class ids for C class-score columns, else 0


class _Part(NamedTuple):
    """A partition's (or a merge of partitions') result."""

    checks: dict[str, Any]  # the value checks, reduced by _CHECKS
    states: dict[Any, Any]  # slice value (or () without slices) -> collection state (NumPy)
    rows: dict[Any, int]  # slice value (or ()) -> its number of rows


def evaluate(
    frame: Any,
    metrics: Any,
    *,
    y_true: str | Sequence[str],
    y_pred: str | Sequence[str],
    sample_weight: str | None = None,
    slice_by: str | Sequence[str] | None = None,
    min_slice_size: int = 1,
    batch_size: int = 65536,
    on_nonfinite: str = "error",
    loss: Any = None,
    split_every: int = 8,
) -> dict[str, Any]:
    """Evaluate metrics over a Dask DataFrame: a state per partition, tree-merged, computed once.

    Args:
      frame: a ``dask.dataframe.DataFrame`` (e.g. ``dask.dataframe.read_parquet("preds/*.parquet")``);
        only the named columns are read.
      metrics: anything ``jmetrics.Collection`` takes (Keras strings, functions, metric objects).
      y_true: the label column, or a list of columns (one-hot or multi-label targets).
      y_pred: the prediction column, or a list of columns (class scores, ``[N, C]``).
      sample_weight: the weight column, optional.
      slice_by: a column, or a list of columns (crossed slices): every slice value is evaluated in
        the same pass.
      min_slice_size: slices with fewer rows are left out of ``"slices"`` (and counted).
      batch_size: rows per jitted update on a worker (partitions are cut into such blocks).
      on_nonfinite: rows with NaN or inf: ``"error"`` (a ValueError naming the partition and row),
        ``"ignore"`` (weight 0) or ``"propagate"``, as in :func:`jmetrics.evaluate`.
      loss: the training loss, only used to resolve ``'acc'`` as Keras' compile does.
      split_every: states merged per merge task of the tree reduction.

    Returns:
      What :func:`jmetrics.evaluate` returns: ``{name: value}`` keyed as Keras would log (Python
      floats, or NumPy arrays for per-class values). With ``slice_by``, also ``"slices"``:
      ``{slice value: {name: value, ..., "rows": n}}`` (a tuple of values for several columns) and
      ``"slices_dropped"``: the number of slices under ``min_slice_size``.

    The whole computation is one ``dask.compute`` on the current scheduler (a
    ``distributed.Client`` if one is active).
    """
    import dask

    _check_options(frame, on_nonfinite, min_slice_size, batch_size, split_every)
    spec = _spec(frame, metrics, y_true, y_pred, sample_weight, slice_by, batch_size,
                 on_nonfinite, loss)
    columns = list(dict.fromkeys(spec.y_true + spec.y_pred + spec.slice_by +
                                 ((spec.weight,) if spec.weight else ())))
    parts = frame[columns].to_delayed()
    nodes = [dask.delayed(_partition, pure=True)(p, spec, i) for i, p in enumerate(parts)]
    combine = dask.delayed(_combine, pure=True)
    while len(nodes) > 1:
        nodes = [combine(spec, *nodes[i:i + split_every]) if len(nodes[i:i + split_every]) > 1
                 else nodes[i] for i in range(0, len(nodes), split_every)]
    (part,) = dask.compute(nodes[0])
    return _finish(spec, part, min_slice_size)


# -- client: options and columns -----------------------------------------------------------------
def _check_options(frame: Any, on_nonfinite: str, min_slice_size: Any, batch_size: Any,
                   split_every: Any) -> None:
    if not (hasattr(frame, "to_delayed") and hasattr(frame, "columns")):
        raise TypeError(f"{_WHO}: frame must be a dask.dataframe.DataFrame; got "
                        f"{type(frame).__name__}.")
    if on_nonfinite not in _NONFINITE:
        raise ValueError(f"{_WHO}: on_nonfinite must be one of {', '.join(_NONFINITE)}; got "
                         f"{on_nonfinite!r}.")
    for name, value, low in (("min_slice_size", min_slice_size, 1), ("batch_size", batch_size, 1),
                             ("split_every", split_every, 2)):
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise ValueError(f"{_WHO}: {name} must be an integer >= {low}; got {value!r}.")


def _names(value: Any, label: str, columns: Sequence[Any]) -> tuple[str, ...]:
    """A column name or a list of them, each checked against the frame's columns."""
    names = (value,) if isinstance(value, str) else tuple(value)
    if not names:
        raise ValueError(f"{_WHO}: {label} must name at least one column; got an empty list.")
    for name in names:
        if name not in columns:
            raise ValueError(f"{_WHO}: {label} column {name!r} is not in the frame; columns: "
                             f"{', '.join(map(str, columns))}.")
    return names


def _spec(frame: Any, metrics: Any, y_true: Any, y_pred: Any, sample_weight: Any,
          slice_by: Any, batch_size: int, on_nonfinite: str, loss: Any) -> _Spec:
    from jmetrics.adapter._compile import Collection
    from jmetrics.collection import MetricCollection
    from jmetrics.engine._evaluate import _bind_widths

    columns = list(frame.columns)
    yt, yp = _names(y_true, "y_true", columns), _names(y_pred, "y_pred", columns)
    weight = _names(sample_weight, "sample_weight", columns)[0] if sample_weight else None
    slices = _names(slice_by, "slice_by", columns) if slice_by is not None else ()
    true_list, pred_list = not isinstance(y_true, str), not isinstance(y_pred, str)
    if metrics is None:
        raise ValueError(f"{_WHO}: metrics must be given (a list of names, functions or metric "
                         "objects); got None.")
    exact = [m for m in (metrics if isinstance(metrics, (list, tuple)) else [metrics])
             if isinstance(m, str) and m in _EXACT]
    if exact:
        raise ValueError(f"{_WHO}: {', '.join(exact)} keep every row, and the number of rows of a "
                         "Dask frame is not known before the pass: pass "
                         "jmetrics.metrics.ExactAUC(capacity=ROWS, curve='ROC' or 'PR') sized "
                         "for every row, or the thresholded 'auc'.")
    if not isinstance(metrics, MetricCollection):
        width = len(yp) if pred_list else 1
        sample_true = np.zeros((1, len(yt)) if true_list else (1,), np.float32)
        metrics = _bind_widths(metrics, sample_true, np.zeros((1, width) if pred_list else (1,)))
    collection = (metrics if isinstance(metrics, MetricCollection)
                  else Collection(metrics, loss=loss))
    if slices and any(hasattr(g, "capacity") for g in collection.groups):
        raise ValueError(f"{_WHO}: metrics that keep every row (ExactAUC) need slices x rows of "
                         "memory with slice_by; use the thresholded 'auc' (or AUC(...)).")
    sparse = len(yp) if pred_list and len(yp) > 1 and not true_list else 0
    return _Spec(collection, yt, yp, true_list, pred_list, weight, slices, batch_size,
                 on_nonfinite, sparse)


# -- workers: one partition ----------------------------------------------------------------------
def _partition(df: Any, spec: _Spec, index: int) -> _Part:
    """One partition's value checks and state(s), as NumPy."""
    yt = _column(df, spec.y_true, spec.true_list, "y_true")
    yp = _column(df, spec.y_pred, spec.pred_list, "y_pred")
    n = len(df)
    w = np.ones(n, np.float32)
    if spec.weight is not None:
        w = _column(df, (spec.weight,), False, "sample_weight").astype(np.float32)
    checks, yt, yp, w = _checked(spec, yt, yp, w, index)
    if n == 0:
        return _Part(checks, {}, {})
    if yp.ndim == 1:  # one number per row: a column, as Keras fits (and the engine does)
        yp = yp[:, None]
        yt = yt[:, None] if yt.ndim == 1 else yt
    if not spec.slice_by:
        return _Part(checks, {(): _fold(spec, yt, yp, w)}, {(): n})
    groups = _slice_rows(df, spec.slice_by)
    codes = np.empty(n, np.int32)
    for code, rows in enumerate(groups.values()):
        codes[rows] = code
    stacked = _fold_sliced(spec, yt, yp, w, codes, len(groups))
    states = {key: jax.tree.map(lambda x, i=i: x[i], stacked) for i, key in enumerate(groups)}
    return _Part(checks, states, {key: len(rows) for key, rows in groups.items()})


def _column(df: Any, names: tuple[str, ...], as_list: bool, label: str) -> np.ndarray:
    from jmetrics.engine._checks import as_numbers

    values = df[list(names)].to_numpy() if as_list else df[names[0]].to_numpy()
    return as_numbers(np.asarray(values), f"{label} ({', '.join(names)})")


def _slice_rows(df: Any, columns: tuple[str, ...]) -> dict[Any, np.ndarray]:
    """Row positions of every slice value of the partition (Python scalars; tuples when
    crossed)."""
    for col in columns:
        missing = int(df[col].isna().sum())
        if missing:
            raise ValueError(f"{_WHO}: slice_by column {col!r} must not hold missing values "
                             f"(NaN/None); got {missing} in a partition.")
    by = list(columns) if len(columns) > 1 else columns[0]
    groups = df.groupby(by, sort=False, observed=True).indices
    return {_py_key(k): np.asarray(v) for k, v in groups.items()}


def _py_key(key: Any) -> Any:
    if isinstance(key, tuple):
        return tuple(_py_key(k) for k in key)
    return key.item() if isinstance(key, np.generic) else key


@functools.lru_cache(maxsize=16)
def _jitted(collection: Any) -> tuple[Any, Any]:
    """The collection's jitted update (weights always given, as the engine does) and merge."""

    def update(state: Any, yt: Any, yp: Any, w: Any) -> Any:
        return collection.update(state, yt, yp, sample_weight=w)

    def merge(a: Any, b: Any) -> Any:
        return jax.tree.map(lambda m, x: m.astype(x.dtype), collection.merge(a, b), a)

    return jax.jit(update), jax.jit(merge)


def _fold(spec: _Spec, yt: np.ndarray, yp: np.ndarray, w: np.ndarray) -> Any:
    """The rows folded into a fresh state, ``batch_size`` rows per update, each block padded
    (weight 0) to a power of two unless a metric keeps every row."""
    from jmetrics.padding import pad_batch

    update, _ = _jitted(spec.collection)
    pad = not any(hasattr(g, "capacity") for g in spec.collection.groups)
    state = spec.collection.init()
    for lo in range(0, len(w), spec.batch_size):
        t, p, sw = yt[lo:lo + spec.batch_size], yp[lo:lo + spec.batch_size], \
            w[lo:lo + spec.batch_size]
        if pad:
            size = min(spec.batch_size, max(_MIN_BLOCK, 1 << math.ceil(math.log2(len(sw)))))
            (t, p), sw = pad_batch((t, p), size, sample_weight=sw)
        state = update(state, t, p, sw)
    return jax.tree.map(np.asarray, state)


@functools.lru_cache(maxsize=16)
def _jitted_sliced(collection: Any, slices: int) -> tuple[Any, int]:
    """The engine's segment-wise update of ``slices`` states (see ``jmetrics.engine._sliced``),
    jitted, and the rows per update that bound its memory as the engine bounds a chunk's."""
    from jmetrics.engine._evaluate import _SLICE_ELEMENTS
    from jmetrics.engine._sliced import SEGMENT_ROWS, slice_mode, sliced_update, step_width

    mode = slice_mode(collection)

    def update(states: Any, yt: Any, yp: Any, w: Any, codes: Any) -> Any:
        return sliced_update(collection, mode, slices, yt, codes)(states, yp, w)

    rows = max(_MIN_BLOCK, _SLICE_ELEMENTS // max(1, step_width(collection, mode, slices)))
    return jax.jit(update), min(rows, SEGMENT_ROWS) if "segment" in mode else rows


def _fold_sliced(spec: _Spec, yt: np.ndarray, yp: np.ndarray, w: np.ndarray, codes: np.ndarray,
                 count: int) -> Any:
    """The rows folded into ``count`` fresh states at once, row ``i`` into state ``codes[i]``:
    one segment-wise update per block, as the engine folds a chunk. The number of states is
    rounded up to a power of two (the extra ones stay empty) so partitions share compilations."""
    from jmetrics.engine._step import _stack
    from jmetrics.padding import pad_batch

    slices = 1 << math.ceil(math.log2(max(count, 1)))
    update, most = _jitted_sliced(spec.collection, slices)
    block = min(spec.batch_size, most)
    states = _stack(spec.collection.init(), slices)
    for lo in range(0, len(w), block):
        t, p, c, sw = (x[lo:lo + block] for x in (yt, yp, codes, w))
        size = min(block, max(_MIN_BLOCK, 1 << math.ceil(math.log2(len(sw)))))
        (t, p, c), sw = pad_batch((t, p, c), size, sample_weight=sw)
        states = update(states, t, p, sw, c)
    return jax.tree.map(lambda x: np.asarray(x[:count]), states)


# -- workers: value checks -----------------------------------------------------------------------
# how each check reduces across partitions
_CHECKS = {"rows": "sum", "bad_rows": "sum", "first_bad": "min", "bad_weights": "sum",
           "first_bad_weight": "min", "negative_weights": "sum", "first_negative": "min",
           "label_lo": "min", "label_hi": "max", "fractional": "sum"}
_NONE = (math.inf, math.inf)  # no row: above every (partition, row)


def _checked(spec: _Spec, yt: np.ndarray, yp: np.ndarray, w: np.ndarray, index: int
             ) -> tuple[dict[str, Any], np.ndarray, np.ndarray, np.ndarray]:
    """The engine's checks of one partition, in NumPy; with ``on_nonfinite='ignore'`` the bad rows
    get weight 0 and their values 0."""
    checks: dict[str, Any] = {"rows": len(w), "bad_rows": 0, "first_bad": _NONE,
                              "bad_weights": 0, "first_bad_weight": _NONE,
                              "negative_weights": 0, "first_negative": _NONE,
                              "label_lo": math.inf, "label_hi": -math.inf, "fractional": 0}
    if spec.nonfinite != "propagate":
        finite = _finite_rows(yt) & _finite_rows(yp)
        _count(checks, "bad_rows", "first_bad", ~finite & (w != 0), index)
        if spec.weight is not None:
            w_finite = np.isfinite(w)
            _count(checks, "bad_weights", "first_bad_weight", ~w_finite, index)
            _count(checks, "negative_weights", "first_negative", w_finite & (w < 0), index)
        if spec.nonfinite == "ignore":
            keep = finite & np.isfinite(w)
            w = np.where(keep, w, np.float32(0))
            yt = np.where(_expand(finite, yt.ndim), yt, np.zeros((), yt.dtype))
            yp = np.where(_expand(finite, yp.ndim), yp, np.zeros((), yp.dtype))
    if spec.sparse_classes and len(w):
        labels = yt.astype(np.float64).reshape(len(w), math.prod(yt.shape[1:]))
        seen = (w != 0)[:, None] & np.isfinite(labels)
        if seen.any():
            checks["label_lo"] = float(labels[seen].min())  # nan-safe: NumPy
            checks["label_hi"] = float(labels[seen].max())  # nan-safe: NumPy
            checks["fractional"] = int(np.sum(labels[seen] != np.round(labels[seen])))
    return checks, yt, yp, w


def _finite_rows(x: np.ndarray) -> np.ndarray:
    if not np.issubdtype(x.dtype, np.floating):
        return np.ones(len(x), bool)
    ok = np.isfinite(x)
    return ok.reshape(len(x), math.prod(x.shape[1:])).all(axis=1)


def _expand(rows: np.ndarray, ndim: int) -> np.ndarray:
    return rows.reshape((-1,) + (1,) * (ndim - 1))


def _count(checks: dict[str, Any], count: str, first: str, flags: np.ndarray, index: int) -> None:
    hits = np.flatnonzero(flags)
    if len(hits):
        checks[count] += len(hits)
        checks[first] = (index, int(hits[0]))


# -- merging -------------------------------------------------------------------------------------
def _combine(spec: _Spec, *parts: _Part) -> _Part:
    """Several partitions' results merged: checks by their reductions, states by key with the
    collection's ``merge``."""
    _, merge = _jitted(spec.collection)
    checks = dict(parts[0].checks)
    states, rows = dict(parts[0].states), dict(parts[0].rows)
    for part in parts[1:]:
        for key, how in _CHECKS.items():
            a, b = checks[key], part.checks[key]
            checks[key] = a + b if how == "sum" else (min(a, b) if how == "min" else max(a, b))
        for key, state in part.states.items():
            states[key] = (jax.tree.map(np.asarray, merge(states[key], state)) if key in states
                           else state)
            rows[key] = rows.get(key, 0) + part.rows[key]
    return _Part(checks, states, rows)


# -- client: errors and results ------------------------------------------------------------------
def _raise_on_checks(spec: _Spec, checks: dict[str, Any]) -> None:
    """The engine's errors, naming the partition and the row within it."""

    def where(first: tuple[Any, Any]) -> str:
        return f"first at partition {first[0]}, row {first[1]}"

    if checks["rows"] == 0:
        raise ValueError(f"{_WHO}: the frame must have at least one row; got 0 rows. There is "
                         "nothing to evaluate.")
    if checks["bad_rows"] and spec.nonfinite == "error":
        raise ValueError(f"{_WHO}: y_true/y_pred have {checks['bad_rows']} row(s) with NaN or inf "
                         f"({where(checks['first_bad'])}); pass on_nonfinite='ignore' to skip "
                         "them or 'propagate' to keep them.")
    if checks["bad_weights"] and spec.nonfinite == "error":
        raise ValueError(f"{_WHO}: sample_weight must be finite; got {checks['bad_weights']} NaN "
                         f"or inf weight(s) ({where(checks['first_bad_weight'])}). Pass "
                         "on_nonfinite='ignore' to skip those rows or 'propagate' to keep them.")
    if checks["negative_weights"] and spec.nonfinite != "propagate":
        raise ValueError(f"{_WHO}: sample_weight must be non-negative; got "
                         f"{checks['negative_weights']} negative weight(s) "
                         f"({where(checks['first_negative'])}). Pass on_nonfinite='propagate' to "
                         "let the metrics use them as Keras does.")
    c = spec.sparse_classes
    if c and checks["fractional"]:
        raise ValueError(f"{_WHO}: y_true must hold integer class ids for y_pred's {c} classes; "
                         f"got {checks['fractional']} fractional label(s).")
    if c and (checks["label_lo"] < 0 or checks["label_hi"] >= c):
        raise ValueError(f"{_WHO}: y_true labels must be in [0, {c}) for y_pred's {c} classes; "
                         f"got labels from {checks['label_lo']:g} to {checks['label_hi']:g}.")


def _finish(spec: _Spec, part: _Part, min_slice_size: int) -> dict[str, Any]:
    """The merged state(s) computed by the engine's result step."""
    from jax.sharding import Mesh

    from jmetrics.engine._results import _results
    from jmetrics.engine._step import _Plan

    _raise_on_checks(spec, part.checks)
    mesh = Mesh(np.array(jax.local_devices()[:1]), ("data",))
    plan = _Plan(spec.collection, mesh, False, 0, spec.nonfinite, spec.sparse_classes,
                 spec.weight is not None)
    _, merge = _jitted(spec.collection)
    states = list(part.states.values())
    total = functools.reduce(merge, states[1:], states[0])
    out = _results(plan, total, 0.95)
    if not spec.slice_by:
        return out
    out["slices"] = {}
    for key in _ordered(part.states):
        if part.rows[key] >= min_slice_size:
            out["slices"][key] = {**_results(plan, part.states[key], 0.95), "rows": part.rows[key]}
    out["slices_dropped"] = len(part.states) - len(out["slices"])
    return out


def _ordered(states: dict[Any, Any]) -> list[Any]:
    try:
        return sorted(states)
    except TypeError:
        return list(states)
