"""Per-sample reductions over the last axis that special-case one column statically.

XLA on CPU runs elementwise arithmetic over ``f32[n, 1]`` arrays far slower than over ``f32[n]``
(an ``(n, 1)`` ``log`` is about 20x slower at 1e7 rows than the same ``log`` over ``(n,)``). A
mean or sum over a size-1 last axis is the column itself, so with one column the formula is
applied to the flattened columns (:func:`flat_behind_barrier`) and no reduction is emitted: the
values are identical (a sum of one term, a mean divided by one) and gradients the same.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import jax
import jax.numpy as jnp

from jmetrics._floor._extrema import select_free

__all__ = ["flat_behind_barrier", "per_sample_mean", "per_sample_sum", "take_last"]

Formula = Callable[[jax.Array, jax.Array], jax.Array]


_WIDTHS = (1024, 512, 256, 128)  # minor widths of the 2-D view of flattened columns


def flat_behind_barrier(t: jax.Array, p: jax.Array) -> tuple[jax.Array, jax.Array]:
    """``t`` and ``p`` (``n`` elements each) flattened behind ``lax.optimization_barrier``.

    XLA otherwise moves a reshape back onto an ``(n, 1)`` parameter and computes on that layout,
    several times slower on CPU. The flat view is ``(n / w, w)`` for the widest ``w`` of 1024,
    512, 256 and 128 that divides ``n`` (else ``(n,)``): XLA:CPU's YNNPACK fusion runs a fused
    elementwise-and-sum over a wide 2-D array on both cores near the read bandwidth, over a 1-D
    one up to 1.7x slower, and over a computation that changes shape midway up to 4x slower;
    so an elementwise formula is best applied to this view as it is, and its result reshaped
    once at the end (measured at 1e7 rows, squared log error: 9.4 ms against 17.0 in 1-D).
    """
    n = math.prod(p.shape)
    view = next(((-1, w) for w in _WIDTHS if n % w == 0 and n >= w), (-1,))
    return jax.lax.optimization_barrier((t.reshape(view), p.reshape(view)))


def per_sample_mean(f: Formula, t: jax.Array, p: jax.Array) -> jax.Array:
    """``mean(f(t, p), axis=-1)``; with one column, :func:`_on_flat_view`."""
    if p.shape[-1] == 1 and t.shape == p.shape:
        return _on_flat_view(f, t, p)
    return jnp.mean(f(t, p), axis=-1)


def per_sample_sum(f: Formula, t: jax.Array, p: jax.Array) -> jax.Array:
    """``sum(f(t, p), axis=-1)``; with one column, :func:`_on_flat_view`."""
    if p.shape[-1] == 1 and t.shape == p.shape:
        return _on_flat_view(f, t, p)
    return jnp.sum(f(t, p), axis=-1)


def _on_flat_view(f: Formula, t: jax.Array, p: jax.Array) -> jax.Array:
    """``f`` of one column's flat view (:func:`flat_behind_barrier`), shaped as the column, with
    the floor's NaN-keeping ``maximum``/``minimum`` in their select-free form (the same values; a
    select would keep the fused loop off YNNPACK's path)."""
    with select_free():
        return f(*flat_behind_barrier(t, p)).reshape(p.shape[:-1])


_UNROLL_TAKE_MAX = 128  # columns picked by an unrolled select up to this many classes


def take_last(x: jax.Array, idx: jax.Array) -> jax.Array:
    """``take_along_axis(x, idx[..., None], axis=-1)[..., 0]`` for ``idx`` in ``[0, C)``.

    Up to ``_UNROLL_TAKE_MAX`` classes the column is picked by an unrolled chain of selects
    over the columns, which fuses into the caller's pass over the rows; XLA's CPU gather along
    the minor axis is a separate, slower loop (and constant-folds huge index arrays at compile
    time). The same values (an exact pick); ``idx`` must already be clamped.
    """
    num_classes = x.shape[-1]
    if num_classes > _UNROLL_TAKE_MAX:
        return jnp.take_along_axis(x, idx[..., None], axis=-1)[..., 0]
    picked = x[..., 0]
    for j in range(1, num_classes):
        picked = jnp.where(idx == j, x[..., j], picked)
    return picked
