"""Compensated sums: error-free TwoSum, double-float cumulative sums, exact pairwise sums.

A float sum rounds at every addition; these keep the rounding errors. :func:`two_sum` returns the
rounded sum and its exact error (Knuth), :func:`df_cumsum` an inclusive cumulative sum as a
``(hi, lo)`` pair of about twice the working precision (integer counts exact to ``2**48`` in
float32), :func:`exact_sum` a compensated pairwise total, and :func:`whole_part` the split that
makes a plain float32 cumulative sum exact. The streaming state node built on them is
``jmetrics.metrics._state.KSum``.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from jmetrics._floor._extrema import maximum

__all__ = ["df_cumsum", "df_scan", "exact_sum", "two_sum", "whole_part"]


def two_sum(a: jax.Array, b: jax.Array) -> tuple[jax.Array, jax.Array]:
    """``s = fl(a + b)`` and its exact rounding error ``e`` (``a + b == s + e``, Knuth's TwoSum).

    Where ``s`` is not finite (an infinite input, or overflow) the error term is 0, not the NaN
    of ``inf - inf``: a compensated sum then has the plain sum's value (``+-inf`` or NaN), and its
    compensation stays finite, so later finite terms and merges cannot turn ``+-inf`` into NaN.

    >>> import jax.numpy as jnp
    >>> [float(v) for v in two_sum(jnp.float32(1.0), jnp.float32(jnp.inf))]
    [inf, 0.0]
    """
    s = a + b
    bp = s - a
    err = (a - (s - bp)) + (b - bp)
    return s, jnp.where(jnp.isfinite(err), err, jnp.zeros_like(err))


def _df_combine(x: tuple[jax.Array, jax.Array], y: tuple[jax.Array, jax.Array]
                ) -> tuple[jax.Array, jax.Array]:
    s, e = two_sum(x[0], y[0])
    return s, e + x[1] + y[1]


def df_cumsum(x: jax.Array) -> tuple[jax.Array, jax.Array]:
    """Inclusive double-float cumulative sum ``(hi, lo)`` of a float vector.

    >>> import jax.numpy as jnp
    >>> hi, lo = df_cumsum(jnp.array([2.0**24, 1.0, 1.0, 1.0], jnp.float32))
    >>> [int(h) + int(l) for h, l in zip(hi, lo)]  # float32 alone would stall at 2**24
    [16777216, 16777217, 16777218, 16777219]
    """
    return df_scan(x, jnp.zeros_like(x))


_SCAN_WIDTH = 64  # rows of the two-level scan


def df_scan(hi: jax.Array, lo: jax.Array) -> tuple[jax.Array, jax.Array]:
    """Inclusive double-float scan of the pairs ``(hi, lo)``.

    Short vectors: a Hillis-Steele scan (log2(n) rounds of shift-and-add with an error-free
    two-sum). Long ones, two levels: the vector is cut into ``W = 64``-long rows; a ``lax.scan``
    over the ``W`` columns adds a whole column of rows at a time (vectorised, one pass over the
    data), the rows' totals are scanned recursively, and each row gets its exclusive prefix added.
    Every addition is a two-sum, so the result carries about twice the working precision.
    """
    n = hi.shape[0]
    if n <= 4 * _SCAN_WIDTH:
        d = 1
        while d < n:
            zero = jnp.zeros((d,), hi.dtype)
            hi, lo = _df_combine((jnp.concatenate([zero, hi[:-d]]), jnp.concatenate([zero, lo[:-d]])),
                                 (hi, lo))
            d *= 2
        return hi, lo
    rows = -(-n // _SCAN_WIDTH)
    pad = rows * _SCAN_WIDTH - n
    cols_hi = jnp.pad(hi, (0, pad)).reshape(rows, _SCAN_WIDTH).T
    cols_lo = jnp.pad(lo, (0, pad)).reshape(rows, _SCAN_WIDTH).T

    def step(c: tuple[jax.Array, jax.Array], col: tuple[jax.Array, jax.Array]) -> tuple[Any, Any]:
        out = _df_combine(c, col)
        return out, out

    # the first column is the carry (not zeros): under shard_map a constant carry is typed as
    # replicated and the running sums as varying with the rows; the scan needs both alike
    _, (rest_hi, rest_lo) = jax.lax.scan(step, (cols_hi[0], cols_lo[0]), (cols_hi[1:], cols_lo[1:]))
    run_hi = jnp.concatenate([cols_hi[:1], rest_hi])  # (W, rows)
    run_lo = jnp.concatenate([cols_lo[:1], rest_lo])
    tot_hi, tot_lo = df_scan(run_hi[-1], run_lo[-1])  # inclusive prefix of the row totals
    first = jnp.zeros((1,), hi.dtype)
    before_hi = jnp.concatenate([first, tot_hi[:-1]])
    before_lo = jnp.concatenate([first, tot_lo[:-1]])
    out_hi, err = two_sum(before_hi[None, :], run_hi)
    out_lo = err + before_lo[None, :] + run_lo
    return out_hi.T.reshape(-1)[:n], out_lo.T.reshape(-1)[:n]


def whole_part(x: jax.Array, total: jax.Array) -> jax.Array:
    """``x`` rounded to a multiple of the power of two ``u = 2**(e - 22)``, ``2**e > 1.01 total``.

    Any partial sum of the result (of at most ``2**16`` terms whose magnitudes sum to ``total``)
    is an integer times ``u`` below ``2**24 u``, so a plain float32 cumsum of it is exact; the rest
    ``x - whole_part`` is exact too and below ``u / 2``. ``u`` is built from the exponent bits
    (``frexp``/``ldexp``), never ``exp2``, which XLA on CPU does not compute exactly.
    """
    tiny = jnp.finfo(x.dtype).tiny * 2.0**40
    _, e = jnp.frexp(maximum(total * 1.01, tiny))
    u = jnp.ldexp(jnp.ones_like(total), e - 22)
    return jnp.round(x / u) * u


def exact_sum(x: jax.Array) -> jax.Array:
    """Compensated pairwise sum of a vector (error about one rounding of the result)."""
    n = x.shape[0]
    if n == 0:
        return jnp.zeros((), x.dtype)
    size = 1 << (n - 1).bit_length()
    hi = jnp.pad(x, (0, size - n))
    lo = jnp.zeros_like(hi)
    while hi.shape[0] > 1:
        s, e = two_sum(hi[0::2], hi[1::2])
        hi, lo = s, lo[0::2] + lo[1::2] + e
    return hi[0] + lo[0]
