"""Per-slice states on the devices: one state per slice along a leading axis, updated in one step.

Each statistic of the collection is folded the way its state allows, chosen once per run
(:func:`slice_mode`); every way is segment-wise: one pass over the chunk's rows whatever the number
``S`` of slices, never a loop over slices.

- ``"hist"``, for the threshold confusion counts (``auc``, ``precision``, ``recall``, the ``*At*``
  family): their state is a weighted histogram of bins, so one bincount whose keys carry the row's
  slice (``slice x bins + bin``) fills every slice's histogram at once. Work per chunk: one scatter
  of the rows (as unsliced) plus ``S x 2 (T + 1)`` zeros; memory per run ``S x 4 (T + 1)`` numbers.
- ``"segment"``, for every other state whose leaves declare their reduction (sums, compensated
  sums, ``Moments``, max, min) with sums starting at zero: by the streaming laws (merge is the
  declared reduction, splitting a batch in any way gives the same state, a weight-0 row is a
  removed row) a batch's state is the reduction of its rows' one-row states. The one-row states
  ``[n, ...]`` are computed by a vmapped update and reduced per slice with one segment operation
  per leaf (:func:`segment_reduce`, the per-slice counterpart of ``all_reduce``), then merged into
  the ``[S, ...]`` states. Sums are exact in any order for their whole parts (each value is cut
  into a multiple of a power of two ``u`` and a remainder below ``u / 2``, ``whole_part``), so
  float32 segment sums keep the precision of a compensated sum; ``Moments`` are reduced in two
  passes (the slice's mean, then its centred squares), as Chan's merge would. Work and memory per
  chunk: ``n x state``; per run: ``S x state``.
- ``"mask"``, for a state with undeclared leaves (a metric with its own merge): the metric's update
  vmapped over the ``S`` slices, slice ``s`` seeing the weights ``w * (code == s)``. Exact for any
  metric; work ``S x`` an unsliced update, memory ``S x n`` weights per chunk.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from jmetrics._floor._sums import whole_part
from jmetrics.metrics._state import KSum, Moments, state_reductions

__all__ = ["SEGMENT_ROWS", "segment_reduce", "slice_mode", "sliced_update", "step_width"]

SEGMENT_ROWS = 2**16  # rows per device and chunk at most in "segment" mode (whole_part's bound)
_DECLARED = ("sum", "max", "min")


def _hist_metric(metric: Any) -> bool:
    """A metric whose statistic is threshold confusion counts (its spec a ``ConfusionSpec``): its
    update is :func:`~jmetrics.metrics._thresholds.confusion_update` of that spec."""
    from jmetrics.metrics._thresholds import ConfusionSpec

    return isinstance(metric.stat_key(), ConfusionSpec)


def _group_mode(metric: Any) -> str:
    if _hist_metric(metric):
        return "hist"
    return _state_mode(metric.init())


def _state_mode(init: Any) -> str:
    """``"segment"`` when every leaf declares its reduction and every summed leaf starts at 0."""
    kinds = jax.tree.leaves(state_reductions(init))
    if not all(k in _DECLARED or k == "mean" or k == "m2" for k in kinds):
        return "mask"
    summed = [x for x, k in zip(jax.tree.leaves(init), kinds, strict=True) if k != "max" and
              k != "min"]
    return "segment" if not any(np.any(np.asarray(x)) for x in summed) else "mask"


def slice_mode(collection: Any) -> str:
    """The way of each statistic (comma-separated, in ``collection.groups`` order), or one way
    for the whole collection (``"all:segment"``, ``"all:mask"``) when it has several outputs."""
    if getattr(collection, "structure", "single") != "single":
        return "all:" + _state_mode(collection.init())
    return ",".join(_group_mode(m) for m in collection.groups)


def step_width(collection: Any, mode: str, slices: int) -> int:
    """Numbers per row that a chunk step holds at once: the one-row states (``"segment"``), the
    slice weights (``"mask"``) or a few keys (``"hist"``)."""
    if mode.startswith("all:"):
        modes, states = [mode[4:]], [collection.init()]
    else:
        modes, states = mode.split(","), [g.init() for g in collection.groups]
    width = 0
    for m, state in zip(modes, states, strict=True):
        if m == "segment":
            width += sum(int(np.size(x)) for x in jax.tree.leaves(state))
        else:
            width += slices if m == "mask" else 8
    return width


def sliced_update(collection: Any, mode: str, slices: int, yt: jax.Array, codes: jax.Array) -> Any:
    """``update(states[S, ...], y_pred, sample_weight) -> states``: every slice's state updated
    with the rows whose code is its index."""
    if mode.startswith("all:"):
        return _one_way(collection, mode[4:], slices, yt, codes)
    from jmetrics.collection import CollectionState

    ways = [_one_way(m, g, slices, yt, codes) for m, g in zip(collection.groups, mode.split(","),
                                                              strict=True)]

    def update(states: Any, y_pred: jax.Array, sw: jax.Array) -> Any:
        return CollectionState(tuple(way(s, y_pred, sw) for way, s in zip(ways, states.stats,
                                                                           strict=True)))

    return update


def _one_way(unit: Any, mode: str, slices: int, yt: jax.Array, codes: jax.Array) -> Any:
    """The sliced update of one statistic (or of a whole collection) in the given way."""
    if mode == "hist":
        from jmetrics.metrics._thresholds import confusion_update_segments

        def hist(states: Any, y_pred: jax.Array, sw: jax.Array) -> Any:
            return confusion_update_segments(unit.display_name, states, yt, y_pred, sw,
                                             unit.stat_key(), codes)

        return hist
    if mode == "mask":
        def masked(states: Any, y_pred: jax.Array, sw: jax.Array) -> Any:
            mine = codes[None, :] == jnp.arange(slices, dtype=codes.dtype)[:, None]
            weights = jnp.where(mine, sw[None, :], jnp.zeros((), sw.dtype))
            return jax.vmap(lambda s, w: unit.update(s, yt, y_pred, sample_weight=w))(
                states, weights)

        return masked

    def segmented(states: Any, y_pred: jax.Array, sw: jax.Array) -> Any:
        init = unit.init()
        rows = jax.vmap(lambda t, p, w: unit.update(init, t[None], p[None],
                                                    sample_weight=w[None]))(yt, y_pred, sw)
        return jax.vmap(unit.merge)(states, segment_reduce(rows, codes, slices))

    return segmented


def segment_reduce(rows: Any, codes: jax.Array, slices: int) -> Any:
    """Per-slice reductions of states stacked along a leading row axis ``[n, ...]``: slice ``s``
    gets the merge of the rows whose code is ``s`` (an empty slice: the reduction's identity),
    each leaf by its declared reduction (see ``jmetrics.metrics._state``)."""
    def reduce(kind: Any, x: Any) -> Any:
        if isinstance(x, KSum):
            whole, rest = _split(x.hi)
            return KSum(jax.ops.segment_sum(whole, codes, num_segments=slices),
                        _seg_sum(rest + x.lo, codes, slices))
        if isinstance(x, Moments):
            return _seg_moments(x, codes, slices)
        if kind == "max":
            return jax.ops.segment_max(x, codes, num_segments=slices)
        if kind == "min":
            return jax.ops.segment_min(x, codes, num_segments=slices)
        return _seg_sum(x, codes, slices)

    special = (KSum, Moments)
    return jax.tree.map(reduce, state_reductions(rows), rows,
                        is_leaf=lambda x: isinstance(x, special))


def _seg_sum(v: jax.Array, codes: jax.Array, slices: int) -> jax.Array:
    """Per-slice sums; float sums split into exact whole parts and small remainders."""
    if not jnp.issubdtype(v.dtype, jnp.floating):
        return jax.ops.segment_sum(v, codes, num_segments=slices).astype(v.dtype)
    whole, rest = _split(v)
    return (jax.ops.segment_sum(whole, codes, num_segments=slices)
            + jax.ops.segment_sum(rest, codes, num_segments=slices))


def _seg_moments(m: Moments, codes: jax.Array, slices: int) -> Moments:
    """The slices' moments from the rows': total weight, weighted mean, then the centred squares
    about the slice's mean (Chan's merge of many parts in one step)."""
    weight = _seg_sum(m.weight, codes, slices)
    safe = jnp.where(weight > 0, weight, 1)
    mean = _seg_sum(m.weight * m.mean, codes, slices) / safe
    dev = m.mean - mean[codes]
    m2 = _seg_sum(m.m2 + jnp.where(m.weight != 0, m.weight * dev * dev, 0), codes, slices)
    return Moments(weight, jnp.where(weight > 0, mean, 0), m2)


def _split(x: jax.Array) -> tuple[jax.Array, jax.Array]:
    """``x = whole + rest``: ``whole`` multiples of a power of two ``u`` whose partial sums are
    exact, ``rest`` below ``u / 2``; non-finite values stay whole."""
    finite = jnp.isfinite(x)
    total = jnp.sum(jnp.where(finite, jnp.abs(x), 0), axis=0, keepdims=True)
    whole = whole_part(jnp.where(finite, x, 0), total)
    return jnp.where(finite, whole, x), jnp.where(finite, x - whole, 0)
