"""Per-sample reductions over the last axis that special-case one column statically.

XLA on CPU runs elementwise arithmetic over ``f32[n, 1]`` arrays far slower than over ``f32[n]``
(an ``(n, 1)`` ``log`` is about 20x slower at 1e7 rows than the same ``log`` over ``(n,)``). A
mean or sum over a size-1 last axis is the column itself, so with one column the formula is
applied to the squeezed ``(n,)`` columns and no reduction is emitted: the values are identical
(a sum of one term, a mean divided by one) and gradients the same.
"""

from __future__ import annotations

from collections.abc import Callable

import jax
import jax.numpy as jnp

__all__ = ["columns", "per_sample_mean", "per_sample_sum", "take_last"]

Formula = Callable[[jax.Array, jax.Array], jax.Array]


def columns(t: jax.Array, p: jax.Array) -> tuple[jax.Array, jax.Array]:
    """Same-shaped ``(..., 1)`` inputs as their ``(...)`` columns, flattened behind
    ``lax.optimization_barrier`` (XLA otherwise moves the reshape back onto an ``(n, 1)``
    parameter and computes on that layout)."""
    shape = p.shape[:-1]
    t, p = jax.lax.optimization_barrier((t.reshape(-1), p.reshape(-1)))
    return t.reshape(shape), p.reshape(shape)


def per_sample_mean(f: Formula, t: jax.Array, p: jax.Array) -> jax.Array:
    """``mean(f(t, p), axis=-1)``; with one column, ``f`` of the squeezed :func:`columns`."""
    if p.shape[-1] == 1 and t.shape == p.shape:
        return f(*columns(t, p))
    return jnp.mean(f(t, p), axis=-1)


def per_sample_sum(f: Formula, t: jax.Array, p: jax.Array) -> jax.Array:
    """``sum(f(t, p), axis=-1)``; with one column, ``f`` of the squeezed :func:`columns`."""
    if p.shape[-1] == 1 and t.shape == p.shape:
        return f(*columns(t, p))
    return jnp.sum(f(t, p), axis=-1)


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
