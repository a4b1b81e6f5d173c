"""Per-slice states on the devices: one state per slice along a leading axis, updated in one step.

Two ways, chosen once per run from the collection's state (:func:`slice_mode`):

- ``"segment"``, when every state leaf reduces by a sum (compensated sums included) and ``init()``
  is zero: by the streaming laws (merge is a sum, splitting a batch in any way gives the same
  state, a weight-0 row is a removed row) a batch's state is the sum of its rows' one-row states.
  The one-row states ``[n, ...]`` are computed by a vmapped update, summed per slice
  (``segment_sum``), and merged into the ``[S, ...]`` states. Each value is cut first into a multiple
  of a power of two ``u`` and a remainder below ``u / 2`` (``whole_part``, with ``u`` from the
  chunk's sum of magnitudes), so the sums of whole parts are exact in any order and only the tiny
  remainders round: float32 segment sums keep the precision of a compensated sum. Work and memory
  per chunk: ``n x state``; per run: ``S x state``.
- ``"mask"``, for every other state (moments, buffers, a metric with its own merge): the metric's
  update vmapped over the ``S`` slices, slice ``s`` seeing the weights ``w * (code == s)``. Exact for
  any metric (a weight-0 row is a removed row); work ``S x`` an unsliced update, memory ``S x n``
  weights per chunk and ``S x state`` per run.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from jmetrics._floor._sums import whole_part
from jmetrics.metrics._state import KSum, state_reductions

__all__ = ["SEGMENT_ROWS", "slice_mode", "sliced_update"]

SEGMENT_ROWS = 2**16  # rows per device and chunk at most in "segment" mode (whole_part's bound)


def slice_mode(collection: Any) -> str:
    """``"segment"`` when every leaf of the collection's state is a zero-initialised sum."""
    init = collection.init()
    kinds = jax.tree.leaves(state_reductions(init))
    zero = all(not np.any(np.asarray(x)) for x in jax.tree.leaves(init))
    return "segment" if zero and all(k == "sum" for k in kinds) else "mask"


def sliced_update(collection: Any, mode: str, slices: int, yt: jax.Array, codes: jax.Array) -> Any:
    """``update(states[S, ...], y_pred, sample_weight) -> states``: every slice's state updated
    with the rows whose code is its index."""
    if mode == "mask":
        def masked(states: Any, y_pred: jax.Array, sw: jax.Array) -> Any:
            mine = codes[None, :] == jnp.arange(slices, dtype=codes.dtype)[:, None]
            weights = jnp.where(mine, sw[None, :], jnp.zeros((), sw.dtype))
            return jax.vmap(lambda s, w: collection.update(s, yt, y_pred, sample_weight=w))(
                states, weights)

        return masked

    def segmented(states: Any, y_pred: jax.Array, sw: jax.Array) -> Any:
        init = collection.init()
        rows = jax.vmap(lambda t, p, w: collection.update(init, t[None], p[None],
                                                          sample_weight=w[None]))(yt, y_pred, sw)
        totals = jax.tree.map(lambda x: _segment_total(x, codes, slices), rows,
                              is_leaf=lambda x: isinstance(x, KSum))
        return jax.vmap(collection.merge)(states, totals)

    return segmented


def _segment_total(x: Any, codes: jax.Array, slices: int) -> Any:
    """Per-slice sums of the rows' values ``x[n, ...]`` (a leaf or a compensated sum)."""
    def seg(v: jax.Array) -> jax.Array:
        return jax.ops.segment_sum(v, codes, num_segments=slices)

    if isinstance(x, KSum):
        whole, rest = _split(x.hi)
        return KSum(seg(whole), seg(rest) + seg(x.lo))
    if not jnp.issubdtype(x.dtype, jnp.floating):
        return seg(x).astype(x.dtype)
    whole, rest = _split(x)
    return seg(whole) + seg(rest)


def _split(x: jax.Array) -> tuple[jax.Array, jax.Array]:
    """``x = whole + rest``: ``whole`` multiples of a power of two ``u`` whose partial sums are
    exact, ``rest`` below ``u / 2``; non-finite values stay whole."""
    finite = jnp.isfinite(x)
    total = jnp.sum(jnp.where(finite, jnp.abs(x), 0), axis=0)
    whole = whole_part(jnp.where(finite, x, 0), total)
    return jnp.where(finite, whole, x), jnp.where(finite, x - whole, 0)
