"""Exact tied-score grouping of traced (jitted) inputs: the JAX path of ``_sort``.

``lax.sort`` of order-preserving keys; cumulative sums are double-float (a ``(hi, lo)`` pair
combined with an error-free two-sum in a two-level scan, :func:`df_cumsum`), so integer counts are
exact to 2**48 and weighted sums carry about twice the working precision. Without weights (or
with weights that are all 0 or 1) the label rides in the key instead of a payload (XLA:CPU sorts
keys with payloads several times slower than one integer operand): below the 32-bit score key in
one 64-bit sort, or, for float64 scores, in the key's last bit with three 64-bit sorts.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp

from jmetrics._floor._checks import accum_dtype, cond
from jmetrics._floor._sums import df_cumsum

__all__ = ["Groups", "count_groups", "count_groups_length", "jax_groups", "payload_groups"]

def _desc_keys(s: jax.Array) -> jax.Array:
    """Unsigned keys whose ascending order is the scores' descending order (-0.0 == 0.0)."""
    if s.dtype == jnp.float64:
        ut, sign = jnp.uint64, jnp.uint64(1 << 63)
    else:
        s = s.astype(jnp.float32)
        ut, sign = jnp.uint32, jnp.uint32(1 << 31)
    # -0.0 -> 0.0 by a select: XLA simplifies ``s + 0.0`` to ``s`` under jit, keeping -0.0 apart
    bits = jax.lax.bitcast_convert_type(jnp.where(s == 0, jnp.zeros((), s.dtype), s), ut)
    asc = jnp.where((bits & sign) != 0, ~bits, bits | sign)
    return ~asc


class Groups(NamedTuple):
    """Per-position group statistics after the descending sort; zero except at each group's end."""

    p: jax.Array  # (n,) accum float, positive weight of the tie group ending here
    n: jax.Array  # (n,) accum float, negative weight of the group ending here
    tpb: jax.Array  # (n,) accum float, positive weight strictly above the group (TP before it)
    fpb: jax.Array  # (n,) accum float, negative weight strictly above the group
    total_p: jax.Array  # () accum float, all positive weight
    total_n: jax.Array  # () accum float, all negative weight


def jax_groups(pos: jax.Array, s: jax.Array, w: jax.Array | None) -> Groups:
    """Tie groups of a traced binary problem (jittable; fixed shapes; weight 0 == row removed).

    Unweighted: :func:`count_groups`. Weighted: when every weight is 0 or 1 (one reduction, then
    ``lax.cond``) the same single-operand sorts with the rows of weight 0 masked out, else the sort
    with weight payloads (:func:`payload_groups`, its ``n`` groups padded to as many entries as
    :func:`count_groups` gives). Both branches give the same groups; only the order of the entries
    differs.
    """
    dt = accum_dtype()
    n = s.shape[0]
    if not jnp.issubdtype(s.dtype, jnp.floating):
        s = s.astype(dt)  # integer scores: exact below 2**24 (2**53 under x64)
    elif s.dtype != jnp.float64:
        s = s.astype(jnp.float32)
    if n == 0 or n >= 2**31:
        return payload_groups(pos, s, w)
    if w is None:
        return count_groups(pos, s)
    ww = jnp.broadcast_to(jnp.asarray(w, dt), (n,))
    unit = jnp.all((ww == 0) | (ww == 1))
    z = jnp.zeros((count_groups_length(s) - n,), dt)

    def padded() -> Groups:
        g = payload_groups(pos, s, ww)
        p, n_, tpb, fpb = (jnp.concatenate([x, z]) for x in g[:4])
        return Groups(p, n_, tpb, fpb, g.total_p, g.total_n)

    return cond(unit, lambda: count_groups(pos, s, ww != 0), padded)


def payload_groups(pos: jax.Array, s: jax.Array, w: jax.Array | None) -> Groups:
    """Tie groups from one ``lax.sort`` of the descending keys with the positive and negative
    weights as payloads, summed with double-float cumulative sums (any weights; ``n`` entries)."""
    dt = accum_dtype()
    n = s.shape[0]
    ww = jnp.ones((n,), dt) if w is None else jnp.broadcast_to(jnp.asarray(w, dt), (n,))
    pw = jnp.where(pos, ww, 0).astype(dt)
    nw = jnp.where(pos, 0, ww).astype(dt)
    if n == 0:
        z = jnp.zeros((0,), dt)
        zz = jnp.zeros((), dt)
        return Groups(z, z, z, z, zz, zz)
    keys, pw, nw = jax.lax.sort((_desc_keys(s), pw, nw), num_keys=1)
    diff = keys[1:] != keys[:-1]
    is_end = jnp.concatenate([diff, jnp.ones((1,), bool)])
    is_start = jnp.concatenate([jnp.ones((1,), bool), diff])
    start = jax.lax.cummax(jnp.where(is_start, jnp.arange(n), 0))
    ph, pl = df_cumsum(pw)
    nh, nl = df_cumsum(nw)
    zero = jnp.zeros((1,), dt)
    # exclusive sums at every position, then read at the group's start
    peh, pel = jnp.concatenate([zero, ph[:-1]])[start], jnp.concatenate([zero, pl[:-1]])[start]
    neh, nel = jnp.concatenate([zero, nh[:-1]])[start], jnp.concatenate([zero, nl[:-1]])[start]
    p = jnp.where(is_end, (ph - peh) + (pl - pel), 0)
    ng = jnp.where(is_end, (nh - neh) + (nl - nel), 0)
    tpb = jnp.where(is_end, peh + pel, 0)
    fpb = jnp.where(is_end, neh + nel, 0)
    return Groups(p, ng, tpb, fpb, ph[-1] + pl[-1], nh[-1] + nl[-1])


def _start_value(is_start: jax.Array, before: jax.Array) -> jax.Array:
    """At each position, ``before`` (non-decreasing) read at the start of its group: a running max,
    no gather."""
    return jax.lax.cummax(jnp.where(is_start, before, 0))


def count_groups(pos: jax.Array, s: jax.Array, keep: jax.Array | None = None) -> Groups:
    """Unweighted tie groups from single-operand sorts of integer keys (jittable, exact).

    XLA:CPU sorts one integer array about ten times faster than keys with payloads (1e6 rows:
    0.37 s against 4.0 s), so the label is folded into the key instead of carried. For float32
    scores (32-bit keys) that is one sort of the 64-bit ``key << 1 | label``, with 64-bit integers
    enabled for those few operations only (:func:`_packed_groups`; ``n`` entries, one per row).
    For float64 scores (64-bit keys) no bit is free: :func:`_coarse_groups`, three sorts and
    ``2 n`` entries. :func:`group_auc` and :func:`group_ap` do not depend on the entries' order.

    ``keep`` (bool, optional): rows where it is False are removed. They get the largest key (the
    lowest place) and label 0, so they are counted only as negatives of the last group, and that
    count ``m`` is taken off there and off the negatives' total.
    """
    n = s.shape[0]
    k = _desc_keys(s)
    lab = pos.astype(k.dtype)
    m = jnp.zeros((), jnp.int32)
    if keep is not None:
        k, lab = jnp.where(keep, k, ~jnp.zeros((), k.dtype)), jnp.where(keep, lab, 0)
        m = n - jnp.sum(keep, dtype=jnp.int32)
    if count_groups_length(s) == n:  # 32-bit keys: a bit is free for the label
        return _packed_groups(k, lab, m)
    return _coarse_groups(k, lab, m)


def count_groups_length(s: jax.Array) -> int:
    """The number of entries :func:`count_groups` gives for scores ``s``: ``n`` where the keys
    are 32-bit (scores of any dtype but float64, which :func:`_desc_keys` makes float32), else
    ``2 n``."""
    n = s.shape[0]
    return 2 * n if s.dtype == jnp.float64 else n


def _group_counts(is_start: jax.Array, bit: jax.Array) -> tuple[jax.Array, jax.Array]:
    """(count of ``bit`` in the group, count before the group) at each position (int32)."""
    incl = jnp.cumsum(bit)
    before = _start_value(is_start, incl - bit)
    return incl - before, before


def _packed_groups(k: jax.Array, lab: jax.Array, m: jax.Array) -> Groups:
    """Groups from one sort of ``k << 1 | label`` (``k``: 32-bit keys); ``n`` entries."""
    dt = accum_dtype()
    n = k.shape[0]
    with jax.enable_x64(True):  # a 64-bit key inside the program, whatever the global setting
        packed = jax.lax.sort((k.astype(jnp.uint64) << 1) | lab.astype(jnp.uint64))
        bit = (packed & 1).astype(jnp.int32)
        key = (packed >> 1).astype(jnp.uint32)
    diff = key[1:] != key[:-1]
    is_end = jnp.concatenate([diff, jnp.ones((1,), bool)])
    is_start = jnp.concatenate([jnp.ones((1,), bool), diff])
    idx = jnp.arange(n, dtype=jnp.int32)
    p, tp_before = _group_counts(is_start, bit)
    start = _start_value(is_start, idx)
    ng = idx + 1 - start - p - jnp.where(idx == n - 1, m, 0)  # the removed rows: the last group
    total_p = tp_before[-1] + p[-1]

    def ends(x: jax.Array) -> jax.Array:
        return jnp.where(is_end, x, 0).astype(dt)

    return Groups(ends(p), ends(ng), ends(tp_before), ends(start - tp_before),
                  total_p.astype(dt), (n - m - total_p).astype(dt))


def _coarse_groups(k: jax.Array, lab: jax.Array, m: jax.Array) -> Groups:
    """Groups from three single-operand sorts of 64-bit keys, the label in the key's last bit.

    The descending key ``k`` of each score loses its last bit to make room. With ``h = k & ~1``
    the three sorts are of ``h | label``, ``h | (k & 1) ^ label`` and ``k``. A *coarse* group
    (same ``h``) holds at most two distinct scores (last bit 0: the higher one, 1: the lower); all
    three sorted arrays have the same coarse groups at the same positions, and the running counts
    of their low bits give, per coarse group, ``L = p0 + p1`` (labels), ``X = n1 + p0`` (last bit
    != label) and ``S = n1 + p1`` (last bits), hence ``p1 = (L + S - X) / 2`` and the rest: exact
    int32 counts. The result has ``2 n`` entries (the higher sub-group, then the lower one, of
    every coarse group ending at that position).
    """
    dt = accum_dtype()
    n = k.shape[0]
    one = jnp.ones((), k.dtype)
    high = k & ~one
    a = jax.lax.sort(high | lab)
    b = jax.lax.sort(high | ((k & one) ^ lab))
    c = jax.lax.sort(k)
    coarse = a >> 1
    diff = coarse[1:] != coarse[:-1]
    is_end = jnp.concatenate([diff, jnp.ones((1,), bool)])
    is_start = jnp.concatenate([jnp.ones((1,), bool), diff])
    idx = jnp.arange(n, dtype=jnp.int32)

    def group_total(x: jax.Array) -> tuple[jax.Array, jax.Array]:
        return _group_counts(is_start, (x & one).astype(jnp.int32))

    big_l, tp_before = group_total(a)
    big_x, _ = group_total(b)
    big_s, _ = group_total(c)
    start = _start_value(is_start, idx)
    size = idx + 1 - start
    p1 = (big_l + big_s - big_x) // 2
    p0, n1 = big_l - p1, big_s - p1
    n0 = size - big_l - n1
    n1 = n1 - jnp.where(idx == n - 1, m, 0)  # the removed rows, all in the last sub-group
    fp_before = start - tp_before
    total_p = tp_before[-1] + big_l[-1]

    def ends(*xs: jax.Array) -> jax.Array:
        return jnp.concatenate([jnp.where(is_end, x, 0).astype(dt) for x in xs])

    return Groups(ends(p0, p1), ends(n0, n1), ends(tp_before, tp_before + p0),
                  ends(fp_before, fp_before + n0), total_p.astype(dt), (n - m - total_p).astype(dt))
