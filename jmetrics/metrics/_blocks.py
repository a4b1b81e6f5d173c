"""Histograms over cache-sized row blocks: the O(N) statistic behind the binned and histogram AUCs.

Every binned statistic in jmetrics (Keras' threshold counts, the score histogram) is a weighted
bincount: each element gets an int32 bin key, and a scatter-add sums 1 (or its weight) per key.
Written over the whole batch, XLA on CPU runs it as separate passes that each write a full-size
key or update array to fresh memory, then a scatter that re-reads them: at 1e7 rows that cost about
four times the scatter itself. :func:`bincount` instead folds the batch in blocks of
:data:`BLOCK` elements (``lax.fori_loop`` over ``dynamic_slice``; the tail block is traced apart):
the keys of a block are computed and scattered while they are still in cache, and the carry is the
histogram itself (int32 counts, or a compensated float sum when weighted).

The scatter that remains runs at about one element per nanosecond on one core: on XLA:CPU it is the
floor of any histogram (docs/benchmarks.md).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
from jax import lax

from jmetrics._floor._checks import accum_dtype
from jmetrics.metrics._state import KSum, ksum, ksum_add
from jmetrics.metrics._validate import bad_weight, route_bad

__all__ = ["BLOCK", "bincount", "exact_float", "fold_blocks", "scatter_add"]

BLOCK = 2**15
"""Elements per block: keys, weights and inputs of a block stay in the L1/L2 cache."""

_DIMS = lax.ScatterDimensionNumbers(update_window_dims=(), inserted_window_dims=(0,),
                                    scatter_dims_to_operand_dims=(0,))


def scatter_add(hist: jax.Array, keys: jax.Array, updates: jax.Array | int) -> jax.Array:
    """``hist[keys] += updates`` for 1-D int32 ``keys`` that the caller guarantees in range."""
    upd = jnp.broadcast_to(jnp.asarray(updates, hist.dtype), keys.shape)
    return lax.scatter_add(hist, keys[:, None], upd, _DIMS,
                           mode=lax.GatherScatterMode.PROMISE_IN_BOUNDS)


def exact_float(counts: jax.Array, rows: int) -> jax.Array:
    """int32 ``counts`` of at most ``rows`` rows in the accumulation dtype when that is exact
    (``rows <= 2**24``: one compensated add instead of two), else unchanged (``ksum_add`` then
    splits them into two exact float parts)."""
    dt = accum_dtype()
    return counts.astype(dt) if rows <= 2 ** (jnp.finfo(dt).nmant + 1) else counts


def fold_blocks(fn: Callable[..., Any], carry: Any, *arrays: jax.Array, block: int | None = None
                ) -> Any:
    """``carry = fn(carry, *blocks)`` over consecutive blocks of ``block`` rows of ``arrays``.

    All arrays share their leading axis. The first block is one call, the other full blocks run
    in a ``lax.fori_loop`` from the carry it returns (under ``shard_map`` a carry built from
    constants, such as a fresh histogram, is typed as replicated while what ``fn`` returns varies
    with the device's rows; the loop needs both alike); the remainder is one more call with a
    shorter block. A batch of fewer than ``2 * block`` rows is a single call, with no loop.
    ``block`` defaults to :data:`BLOCK`.

    >>> import jax.numpy as jnp
    >>> float(fold_blocks(lambda c, x: c + x.sum(), 0.0, jnp.arange(10.0), block=4))
    45.0
    """
    block = block or BLOCK
    n = arrays[0].shape[0]
    nb, rem = divmod(n, block)
    if nb <= 1:  # one block (plus a tail): no loop
        return fn(carry, *arrays) if n else carry

    def body(i: Any, c: Any) -> Any:
        start = i * block
        return fn(c, *(lax.dynamic_slice_in_dim(a, start, block, 0) for a in arrays))

    carry = lax.fori_loop(1, nb, body, body(0, carry))
    if rem:
        carry = fn(carry, *(a[nb * block:] for a in arrays))
    return carry


def bincount(
    keys: Callable[..., jax.Array],
    size: int,
    arrays: tuple[jax.Array, ...],
    weights: jax.Array | None = None,
    *,
    block: int | None = None,
    invalid: Callable[..., jax.Array] | None = None,
    signed: bool = False,
) -> jax.Array:
    """Weighted counts of ``keys(*blocks)`` in ``[0, size)`` over the rows of ``arrays``.

    ``keys`` maps blocks of the (same-length, 1-D) ``arrays`` to int32 keys in range. Unweighted:
    exact counts (int32, as floats when :func:`exact_float` allows). Weighted (``weights`` 1-D
    like the arrays): each block's float sums are added to a compensated running sum, so long
    batches do not drift; the result is its value.
    ``block`` must keep every block's pattern the same when keys depend on the position (callers
    with a label axis pass a multiple of it).

    ``invalid`` (optional) maps the same blocks to a bool per row: such rows are not counted in
    their key but in one extra key ``size`` (the result then has ``size + 1`` entries), and so are
    rows whose weight is NaN, infinite or negative (with ``signed``: NaN or infinite; a negative
    weight is then summed as given). Rows of weight 0 count nowhere, so the extra entry is nonzero
    exactly when a row of nonzero weight was invalid (``_validate.route_bad``). It rides in the
    same scatter: no extra pass over the rows.

    >>> import jax.numpy as jnp
    >>> x = jnp.array([0, 2, 2, 1, 2])
    >>> bincount(lambda b: b, 3, (x,), block=2).tolist()
    [1.0, 1.0, 3.0]
    >>> bincount(lambda b: b, 3, (x,), jnp.array([1.0, 1, -1, 0, 1]), invalid=lambda b: b == 1).tolist()
    [1.0, 0.0, 2.0, 1.0]
    """
    if invalid is not None:
        plain = keys
        size += 1

        def keys(*xs: jax.Array) -> jax.Array:
            return jnp.where(invalid(*xs), size - 1, plain(*xs))

    if weights is None:
        def count(c: jax.Array, *xs: jax.Array) -> jax.Array:
            return scatter_add(c, keys(*xs), 1)

        return exact_float(fold_blocks(count, jnp.zeros((size,), jnp.int32), *arrays, block=block),
                           arrays[0].shape[0])

    dt = accum_dtype()
    block = max(block or BLOCK, 8 * size)  # the compensated add is O(size) per block: keep it rare

    def add(c: KSum, w: jax.Array, *xs: jax.Array) -> KSum:
        w = w.astype(dt)
        k = keys(*xs)
        if invalid is not None:  # a bad weight marks its row; the extra key counts 1 per bad row
            k, w = route_bad(k, w, (k == size - 1) | bad_weight(w, signed), size - 1)
        return ksum_add(c, scatter_add(jnp.zeros((size,), dt), k, w))

    total = fold_blocks(add, ksum((size,), dt), weights, *arrays, block=block)
    return total.hi + total.lo
