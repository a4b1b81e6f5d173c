"""Exact tied-score grouping: the one sort behind every curve, AUC and average precision.

scikit-learn sorts scores in descending order and keeps one operating point per *distinct* score
(ties form one group). Both paths here produce the same groups, counted exactly:

Host path (NumPy, concrete inputs). Scores of 32 bits or fewer (float32/float16/bfloat16, and
float64 scores that are all exactly float32) are mapped to order-preserving unsigned keys and
packed with the label into one ``uint64`` (``key << 1 | label``) or, with weights, with the row
index (``key << 32 | row``); one ``np.sort`` of the packed keys replaces sklearn's stable argsort
(several times faster). Other float64 scores: for ROC AUC and AP without weights, two plain sorts
(positive and negative scores) and a merge by binary search; otherwise an argsort (groups are by
value, so the order inside a tie does not matter). Unweighted counts are int64 (exact); weighted
sums are float64 cumulative sums, as in scikit-learn.

JAX path (traced inputs): :mod:`jmetrics._floor._groups_jax` builds the same groups with
``lax.sort`` and double-float cumulative sums; :func:`group_auc` and :func:`group_ap` read either.
At 1e7 samples the results agree with scikit-learn's float64 to about 1e-7 in float32.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from jmetrics._floor._extrema import maximum
from jmetrics._floor._sums import exact_sum

__all__ = ["curve_auc", "drop_collinear", "group_ap", "group_auc", "host_curve", "host_groups",
           "split_ap", "split_auc"]

_SIGN32 = np.uint32(0x80000000)


def _float32_keys(s: np.ndarray) -> np.ndarray:
    """Order-preserving uint32 keys of float32 scores (-0.0 and 0.0 get the same key)."""
    bits = (s.astype(np.float32, copy=False) + np.float32(0.0)).view(np.int32)
    mask = bits >> 31  # -1 for negatives, 0 otherwise
    mask &= 0x7FFFFFFF
    bits ^= mask  # signed order of the floats
    return bits.view(np.uint32) ^ _SIGN32


def _float32_signed(s: np.ndarray) -> np.ndarray:
    """Order-preserving int32 keys of float32 scores (-0.0 and 0.0 get the same key)."""
    bits = (s.astype(np.float32, copy=False) + np.float32(0.0)).view(np.int32)
    mask = bits >> 31
    mask &= 0x7FFFFFFF
    bits ^= mask
    return bits


def _float32_from_signed(k: np.ndarray) -> np.ndarray:
    bits = k.astype(np.int32)
    return (bits ^ ((bits >> 31) & 0x7FFFFFFF)).view(np.float32)


def _float32_from_keys(k: np.ndarray) -> np.ndarray:
    bits = (k.astype(np.uint32) ^ _SIGN32).view(np.int32)
    mask = (bits >> 31) & 0x7FFFFFFF
    return (bits ^ mask).view(np.float32)


def _ends(keys: np.ndarray) -> np.ndarray:
    """Last index of each run of equal keys."""
    n = keys.shape[0]
    change = np.flatnonzero(keys[1:] != keys[:-1])
    ends = np.empty(change.shape[0] + 1, np.intp)
    ends[:-1] = change
    ends[-1] = n - 1
    return ends


def _from_ascending(pos_le: np.ndarray, ends: np.ndarray, n: int, vals: np.ndarray | None):
    """Descending ``(tps, fps, thresholds)`` from ascending group ends and positives at or below."""
    pos_le = pos_le.astype(np.int64)
    tps = (pos_le[-1] - np.concatenate([[0], pos_le[:-1]]))[::-1]
    all_ge = (n - np.concatenate([[0], ends[:-1] + 1]))[::-1]
    thr = None if vals is None else np.ascontiguousarray(vals[::-1])
    return np.ascontiguousarray(tps), np.ascontiguousarray(all_ge - tps), thr


def _packed_ascending(pos: np.ndarray, s: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One sort of int64 keys (signed float32 order << 1 | label), ascending.

    Returns the positives at or below each group's end, the group ends, and the sorted keys.
    """
    packed = _float32_signed(s).astype(np.int64)
    packed <<= 1
    packed |= pos
    packed.sort()
    cum = np.cumsum(packed & 1)  # positives at or below each position
    packed >>= 1
    ends = _ends(packed)
    return cum[ends], ends, packed


def host_curve(
    pos: np.ndarray, s: np.ndarray, w: np.ndarray | None, thresholds: bool = True
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """``(tps, fps, thresholds)`` at each distinct score, highest score first (sklearn's order).

    ``pos``: bool (n,); ``s``: finite scores (n,); ``w``: float64 weights or ``None``. Rows of
    weight 0 are dropped first (as scikit-learn does). ``tps``/``fps`` are int64 without weights,
    float64 with them; ``thresholds`` (float64) only when asked for.
    """
    if w is not None:
        keep = w != 0
        if not keep.all():
            pos, s, w = pos[keep], s[keep], w[keep]
    n = s.shape[0]
    if n == 0:
        z = np.zeros(0, np.int64 if w is None else np.float64)
        return z, z, np.zeros(0, np.float64)
    if s.dtype != np.float32 and s.dtype.kind in "fiub":
        s32 = s.astype(np.float32)
        if np.array_equal(s32, s):
            s = s32
    if s.dtype != np.float32 and w is None:
        # two plain sorts (all scores, positive scores) and a merge by binary search
        s = s.astype(np.float64) + 0.0
        all_sorted = np.sort(s)
        ends = _ends(all_sorted)
        vals = all_sorted[ends]
        pos_le = np.searchsorted(np.sort(s[pos]), vals, side="right")
        return _from_ascending(pos_le, ends, n, vals if thresholds else None)
    if s.dtype == np.float32 and w is None:
        pos_le, ends, packed = _packed_ascending(pos, s)
        vals = _float32_from_signed(packed[ends]).astype(np.float64) if thresholds else None
        return _from_ascending(pos_le, ends, n, vals)
    # with weights: sort into descending order (as scikit-learn) so that the float64 cumulative
    # sums accumulate from the top scores (a tiny weight above a huge one keeps its precision)
    if s.dtype == np.float32 and n < 2**31:
        # one sort of int64 keys (reversed float order << 32 | row)
        packed = (~_float32_signed(s)).astype(np.int64)
        packed <<= 32
        packed |= np.arange(n, dtype=np.int64)
        packed.sort()
        idx = packed & 0xFFFFFFFF
        packed >>= 32
        ends = _ends(packed)
        vals = _float32_from_signed(~packed[ends]).astype(np.float64) if thresholds else None
    else:  # float64 scores: an argsort (groups are by value: the order inside a tie does not matter)
        s = s.astype(np.float64) + 0.0
        idx = np.argsort(-s)
        ss = s[idx]
        ends = _ends(ss)
        vals = ss[ends] if thresholds else None
    ww = np.ones(n) if w is None else w[idx]
    lab = pos[idx]
    tps = np.cumsum(np.where(lab, ww, 0.0))[ends]
    fps = np.cumsum(np.where(lab, 0.0, ww))[ends]
    return tps, fps, vals


# ---- unweighted ROC AUC and AP without group arrays (host) --------------------------------------
# Temporaries stay below glibc's mmap threshold (128 KiB): larger ones are mapped and unmapped on
# every call, and the page faults of their first touch cost more than the arithmetic (at 1e5 rows
# about 1,700 faults a call, 20-40 ms on a VM where a fault costs ~20 us).
_BLOCK = 8192


def _split_sorted(pos: np.ndarray, s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted positive scores and sorted negative scores (native dtype; -0.0 compares equal to 0.0)."""
    if s.dtype.kind == "b":
        s = s.view(np.uint8)
    elif s.dtype.kind == "f" and s.dtype.itemsize < 4:
        s = s.astype(np.float32)
    ps, ns = s[pos], s[~pos]
    ps.sort()
    ns.sort()
    return ps, ns


def split_auc(pos: np.ndarray, s: np.ndarray) -> tuple[int, int, int]:
    """``(2 * area, P, N)`` of the unweighted ROC: ``area = sum over negatives of (#pos above + #pos tied / 2)``.

    Equal to :func:`group_auc`'s numerator (the Mann-Whitney U with tied pairs counted one half),
    in exact int64; queries run in blocks so that no temporary has more than ``_BLOCK`` rows.
    """
    ps, ns = _split_sorted(pos, s)
    total_p, total_n = ps.shape[0], ns.shape[0]
    area2 = 0
    for i in range(0, total_n, _BLOCK):
        v = ns[i:i + _BLOCK]
        lo = np.searchsorted(ps, v, side="left")
        hi = np.searchsorted(ps, v, side="right")
        area2 += 2 * total_p * v.shape[0] - int(lo.sum()) - int(hi.sum())
    return area2, total_p, total_n


def split_ap(pos: np.ndarray, s: np.ndarray) -> tuple[float, int]:
    """``(sum over positives of precision at their score, P)`` of the unweighted PR curve.

    AP is the first divided by the second: each positive adds ``TP / (TP + FP)`` at its own
    threshold (scores at or above it), which is :func:`group_ap`'s ``sum_g p_g * prec_g``.
    """
    ps, ns = _split_sorted(pos, s)
    total_p, total_n = ps.shape[0], ns.shape[0]
    acc = 0.0
    for i in range(0, total_p, _BLOCK):
        v = ps[i:i + _BLOCK]
        tp = total_p - np.searchsorted(ps, v, side="left")
        fp = total_n - np.searchsorted(ns, v, side="left")
        acc += float((tp / (tp + fp)).sum())
    return acc, total_p


def drop_collinear(fps: np.ndarray, tps: np.ndarray, *more: np.ndarray) -> tuple[np.ndarray, ...]:
    """scikit-learn's ``roc_curve(drop_intermediate=True)``: keep the first and last points and
    those where the ROC curve bends (a nonzero second difference of ``fps`` or ``tps``); ``more``
    (the thresholds) is cut alike. Returns ``(fps, tps, *more)``."""
    if fps.shape[0] <= 2:
        return (fps, tps, *more)
    keep = np.concatenate([[True], np.logical_or(np.diff(fps, 2), np.diff(tps, 2)), [True]])
    return tuple(a[keep] for a in (fps, tps, *more))


def curve_auc(metric: str, pos: np.ndarray, s: np.ndarray, w: np.ndarray,
              max_fpr: float | None) -> tuple[float, float, float]:
    """ROC AUC the way scikit-learn computes it: ``roc_curve`` then the trapezoid of ``auc``.

    Used for negative weights, where the curve need not be monotone: as in scikit-learn 1.9.1 an
    FPR that goes down and up raises ``ValueError``, an undefined rate (total weight <= 0) is NaN.
    Returns ``(auc, total positive weight, total negative weight)``.
    """
    tps, fps, _ = host_curve(pos, s, w, thresholds=False)
    fps, tps = drop_collinear(fps, tps)
    tps, fps = np.concatenate([[0.0], tps]), np.concatenate([[0.0], fps])
    fpr = fps / fps[-1] if fps[-1] > 0 else np.full(fps.shape, np.nan)
    tpr = tps / tps[-1] if tps[-1] > 0 else np.full(tps.shape, np.nan)
    if max_fpr is not None and max_fpr != 1:
        stop = int(np.searchsorted(fpr, max_fpr, "right"))
        if stop >= len(fpr):
            raise ValueError(f"{metric}: the ROC curve never reaches max_fpr={max_fpr} (negative "
                             "sample_weight); scikit-learn fails here too.")
        y_end = np.interp(max_fpr, [fpr[stop - 1], fpr[stop]], [tpr[stop - 1], tpr[stop]])
        fpr, tpr = np.append(fpr[:stop], max_fpr), np.append(tpr[:stop], y_end)
    dx = np.diff(fpr)
    direction = 1.0
    if np.any(dx < 0):
        if not np.all(dx <= 0):
            raise ValueError(f"{metric}: the false positive rate is not monotone (negative sample_weight "
                             f"on negatives); got FPR {fpr[:6].round(4).tolist()}....")
        direction = -1.0
    area = direction * float(np.sum(dx * (tpr[1:] + tpr[:-1]) / 2))
    if max_fpr is not None and max_fpr != 1:
        min_area, max_area = 0.5 * max_fpr**2, max_fpr
        area = 0.5 * (1 + (area - min_area) / (max_area - min_area))
    return area, float(tps[-1]), float(fps[-1])


def group_auc(g: Any, max_fpr: float | None = None) -> Any:
    """Trapezoidal ROC AUC of tie groups (host arrays or :class:`Groups`); NaN without both classes.

    Unnormalised area = sum_g n_g (TPb_g + p_g / 2); AUC = area / (P N). With ``max_fpr`` the
    curve is cut at FPR = max_fpr (linear interpolation) and McClish-corrected as sklearn does.
    """
    xp = jnp if isinstance(g.p, jax.Array) else np
    total = exact_sum if xp is jnp else np.sum
    P, N = g.total_p, g.total_n
    if max_fpr is None or max_fpr == 1:
        area = total(g.n * (2 * g.tpb + g.p))
        return xp.where((P > 0) & (N > 0), area / (2 * xp.where(P > 0, P, 1) * xp.where(N > 0, N, 1)), xp.nan)
    Ps, Ns = xp.where(P > 0, P, 1), xp.where(N > 0, N, 1)
    x0, x1 = g.fpb / Ns, (g.fpb + g.n) / Ns
    y0, y1 = g.tpb / Ps, (g.tpb + g.p) / Ps
    frac = xp.clip(xp.where(x1 > x0, (max_fpr - x0) / xp.where(x1 > x0, x1 - x0, 1), 1.0), 0.0, 1.0)
    xm = x0 + (x1 - x0) * frac
    ym = y0 + (y1 - y0) * frac
    part = total(xp.where(x0 < max_fpr, (xm - x0) * (y0 + ym), 0.0)) / 2
    min_area, max_area = 0.5 * max_fpr**2, max_fpr
    res = 0.5 * (1 + (part - min_area) / (max_area - min_area))
    return xp.where((P > 0) & (N > 0), res, xp.nan)


def group_ap(g: Any) -> Any:
    """Average precision sum_g (p_g / P) * TP_g / (TP_g + FP_g); 0 without positives (sklearn).

    As scikit-learn 1.9.1 (which matters for negative weights only): precision is 0 where
    TP + FP == 0, the sum is taken whenever P != 0, and the result is clipped at 0.
    """
    xp = jnp if isinstance(g.p, jax.Array) else np
    total = exact_sum if xp is jnp else np.sum
    tp, pp = g.tpb + g.p, g.tpb + g.p + g.fpb + g.n
    prec = xp.where(pp != 0, tp / xp.where(pp != 0, pp, 1), 0)
    P = g.total_p
    clamp = maximum if xp is jnp else np.maximum
    return clamp(xp.where(P != 0, total(g.p * prec) / xp.where(P != 0, P, 1), 0.0), 0.0)


class HostGroups(NamedTuple):
    """Host tie groups (compact: one entry per distinct score, highest first)."""

    p: np.ndarray
    n: np.ndarray
    tpb: np.ndarray
    fpb: np.ndarray
    total_p: Any
    total_n: Any


def _split_groups(pos: np.ndarray, s: np.ndarray, purpose: str) -> HostGroups:
    """Unweighted groups from two plain sorts (positive scores, negative scores), for float64 scores.

    Only the groups that can contribute are built: for ROC AUC the distinct negative scores (a group
    without negatives adds no area), for AP the distinct positive scores (a group without positives
    adds no precision term). Group order is irrelevant to both sums.
    """
    s = s.astype(np.float64) + 0.0
    ps, ns = np.sort(s[pos]), np.sort(s[~pos])
    total_p, total_n = int(ps.shape[0]), int(ns.shape[0])
    mine, other = (ns, ps) if purpose == "auc" else (ps, ns)
    if mine.shape[0] == 0:
        z = np.zeros(0, np.int64)
        return HostGroups(z, z, z, z, total_p, total_n)
    ends = _ends(mine)
    starts = np.concatenate([[0], ends[:-1] + 1])
    vals = mine[ends]
    left = np.searchsorted(other, vals, side="left")
    right = np.searchsorted(other, vals, side="right")
    own, own_above = ends - starts + 1, mine.shape[0] - (ends + 1)
    cnt, above = right - left, other.shape[0] - right
    if purpose == "auc":
        return HostGroups(cnt, own, above, own_above, total_p, total_n)
    return HostGroups(own, cnt, own_above, above, total_p, total_n)


def host_groups(pos: np.ndarray, s: np.ndarray, w: np.ndarray | None, purpose: str = "curve") -> HostGroups:
    """:class:`HostGroups` (counts stay int64 / float64); ``purpose`` 'auc'/'ap' allows shortcuts."""
    if w is None and purpose in ("auc", "ap") and s.dtype != np.float32 and s.shape[0] > 0:
        s32 = s.astype(np.float32)
        if not np.array_equal(s32, s):
            return _split_groups(pos, s, purpose)
        s = s32
    if w is None and purpose in ("auc", "ap") and s.dtype.kind in "fiub" and s.shape[0] > 0:
        # ascending groups straight from the packed sort (the sums do not depend on group order)
        pos_le, ends, _ = _packed_ascending(pos, s.astype(np.float32))
        size = np.diff(ends, prepend=-1)
        p = np.diff(pos_le, prepend=0)
        total_p, n = int(pos_le[-1]), s.shape[0]
        tpb = total_p - pos_le
        fpb = (n - total_p) - ((ends + 1) - pos_le)
        return HostGroups(p, size - p, tpb, fpb, total_p, n - total_p)
    tps, fps, _ = host_curve(pos, s, w, thresholds=False)
    if tps.shape[0] == 0:
        z = np.zeros(0, np.float64)
        return HostGroups(z, z, z, z, 0.0, 0.0)
    tpb = np.concatenate([[0], tps[:-1]])
    fpb = np.concatenate([[0], fps[:-1]])
    p, n = tps - tpb, fps - fpb
    if tps.dtype == np.int64:  # exact integer products, one rounding at the end
        return HostGroups(p, n, tpb, fpb, int(tps[-1]), int(fps[-1]))
    return HostGroups(p, n, tpb, fpb, float(tps[-1]), float(fps[-1]))
