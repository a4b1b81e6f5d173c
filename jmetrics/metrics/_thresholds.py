"""Threshold confusion counts in O(N + T): the statistic behind TruePositives ... AUC.

Keras 3 (``metrics_utils.update_confusion_matrix_variables``) counts, for every threshold ``t``,
``tp(t) = sum w * [y_true != 0] * [y_pred > t]`` (and fp, tn, fn alike). Instead of comparing a
``T x N`` grid, each prediction goes into one bin, ``b = #{thresholds t : y_pred > t}``. The state
is the weighted histogram of the bins, positives and negatives apart (an update is one scatter-add
over cache-sized blocks); cumulative sums, taken when the counts are read, give every threshold's
counts:

.. math:: tp_j = \\sum_{b > j} h^+_b, \\quad fn_j = \\sum_{b \\le j} h^+_b, \\quad
          fp_j = \\sum_{b > j} h^-_b, \\quad tn_j = \\sum_{b \\le j} h^-_b

(thresholds sorted ascending; results are put back in the order given). Two ways to find ``b``,
chosen as Keras 3 chooses its two code paths, so the results agree even at the edges:

- **evenly spaced thresholds** (``allclose(t, linspace(0, 1, T))``; AUC's default grid and the
  ``*At*`` family): ``p`` is clipped to [0, 1] and ``b = ceil(p (T - 1))``, floored at 1 when the
  grid carries AUC's ``-eps``/``1 + eps`` endpoints, all in float32 arithmetic exactly as Keras;
- **any other thresholds**: ``b = searchsorted(sorted_thresholds, p, side='left')``, strict
  ``p > t`` without clipping (a NaN prediction is negative everywhere).

Counts are compensated sums (``KSum``) in the accumulation dtype, so they stay exact past 2**24
even with fractional weights.

Where this differs from Keras 3 (each a case where Keras' result is an artefact):

- tn and fn are cumulative sums, not ``total - tp`` / ``total - fp`` as on Keras' evenly spaced
  path, so with fractional weights they are exactly 0 (Keras: about -3e-6) and a recall of exactly
  1 stays 1 (Keras: 1 - 1e-7, so ``PrecisionAtRecall(recall=1.0)`` gives 0 there);
- a ``sample_weight`` of lower rank than a rank > 2 ``y_pred`` covers each sample's elements
  (aligned from the left); Keras aligns it from the right, which fails or mixes samples up;
- with ``class_id``, a full-shape ``sample_weight`` is sliced with the predictions (Keras fails).
"""

from __future__ import annotations

import functools
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from jmetrics._floor._checks import (
    accum_dtype,
    as_array,
    check_same_shape,
    element_weights,
    squeeze_or_expand,
)
from jmetrics.metrics import _blocks
from jmetrics.metrics._state import KSum, ksum, ksum_add, ksum_cumsum
from jmetrics.metrics._validate import (
    bad_weight,
    check_weights,
    fail_if,
    isnan,
    nonfinite,
    poison,
)

__all__ = [
    "Bins",
    "ConfusionCounts",
    "ConfusionSpec",
    "bins_for",
    "confusion_check",
    "confusion_init",
    "confusion_update",
    "confusion_update_segments",
    "divide_no_nan",
    "is_poisoned",
]

EPSILON = 1e-7  # keras.backend.epsilon()
NEG_INF = -1e10  # Keras 3 metrics_utils.NEG_INF, the threshold used with top_k


class ConfusionCounts(NamedTuple):
    """Weighted labels per prediction bin (and per label for multi-label AUC).

    Bin ``b`` holds the predictions above exactly ``b`` of the (sorted) thresholds, so
    ``tp_j = sum_{b > j} pos_b`` and so on: :func:`values` gives ``(tp, fp, tn, fn)``. Keeping
    the histogram instead of the four count vectors makes an update one scatter and two
    compensated adds; the cumulative sums run once, when the counts are read.
    """

    pos: KSum  # (T + 1,) or (T + 1, L) accum dtype, weight of y_true != 0 in each bin
    neg: KSum  # (T + 1,) or (T + 1, L) accum dtype, weight of y_true == 0 in each bin


class Bins(NamedTuple):
    """How predictions are binned (static, hashable): Keras 3's two code paths."""

    thresholds: tuple[float, ...]  # as Keras holds them (given order; AUC: with endpoints)
    even: bool  # evenly spaced in [0, 1] (Keras' optimized path: clip, ceil arithmetic)
    with_eps: bool  # the grid carries AUC's -eps / 1+eps endpoints (bins floored at 1)


def is_evenly_distributed(thresholds: Any) -> bool:
    """Keras 3's ``is_evenly_distributed_thresholds``: at least 3, allclose to linspace(0, 1)."""
    t = np.asarray(thresholds, np.float64)
    n = len(t)
    if n < 3:
        return False
    even = np.arange(n, dtype=np.float32) / (n - 1)
    return bool(np.allclose(t, even, atol=EPSILON))


class ConfusionSpec(NamedTuple):
    """The threshold-count statistic: how a batch becomes :class:`ConfusionCounts` (hashable).

    A metric's ``stat_key()`` returns its spec; metrics with equal specs promise the same ``init``
    and ``update``, so a collection keeps one state for all of them (TruePositives, Precision and
    Recall at the same thresholds; AUC's ROC and PR forms on the same grid). The fields are the
    options of :func:`confusion_update`.
    """

    bins: Bins  # the thresholds and the Keras code path that bins them
    top_k: int | None = None  # keep the k largest entries of the last axis (others: -1e10)
    class_id: int | None = None  # count y[..., class_id] only
    multi_label: bool = False  # one column of counts per label of a (N, L) y_pred (AUC)
    num_labels: int | None = None  # L of a multi-label state; None: the first batch decides
    label_weights: tuple[float, ...] | None = None  # weights of the columns' pooled elements
    from_logits: bool = False  # a sigmoid on y_pred first


def bins_for(thresholds: tuple[float, ...]) -> Bins:
    """Binning of a confusion-count metric's thresholds (Keras chooses the path from the values)."""
    return Bins(tuple(thresholds), is_evenly_distributed(thresholds), False)


def confusion_init(spec: ConfusionSpec) -> ConfusionCounts:
    """Zero bins of shape ``(T + 1,)``, or ``(T + 1, num_labels)`` for a multi-label spec."""
    width = len(spec.bins.thresholds) + 1
    labels = spec.num_labels if spec.multi_label else None
    shape = (width,) if labels is None else (width, labels)
    return ConfusionCounts(ksum(shape), ksum(shape))


def divide_no_nan(a: jax.Array, b: jax.Array) -> jax.Array:
    """``divide_no_nan``: ``a / b``, 0 where ``b == 0``."""
    return jnp.where(b != 0, a / jnp.where(b != 0, b, 1), jnp.zeros_like(a))


def values(state: ConfusionCounts, bins: Bins) -> tuple[jax.Array, jax.Array, jax.Array, jax.Array]:
    """``(tp, fp, tn, fn)`` per threshold, in the order ``bins.thresholds`` gives them.

    One compensated cumulative sum of the bins per label kind
    (:func:`~jmetrics.metrics._state.ksum_cumsum`): ``below`` is it, ``above`` the total minus it
    (the ``hi`` parts subtract exactly), so each count keeps the precision of the compensated bins.
    """
    out = []
    for k in (state.pos, state.neg):
        c = ksum_cumsum(k)  # sum over b <= j; the total minus it is the sum over b > j
        below = c.hi[:-1] + c.lo[:-1]
        above = (c.hi[-1:] - c.hi[:-1]) + (c.lo[-1:] - c.lo[:-1])
        out.append((above, below))
    (tp, fn), (fp, tn) = out
    n_thr = len(bins.thresholds)
    if not bins.even:  # back from sorted to the given order
        rank = np.empty(n_thr, np.int64)
        rank[np.argsort(np.asarray(bins.thresholds, np.float32), kind="stable")] = np.arange(n_thr)
        if not np.array_equal(rank, np.arange(n_thr)):
            tp, fp, tn, fn = (x[rank] for x in (tp, fp, tn, fn))
    return tp, fp, tn, fn


class KerasCounts:
    """Keras 3's count variables, read from the eagerly held state (read-only arrays).

    ``true_positives``, ``false_positives``, ``true_negatives``, ``false_negatives``: the weighted
    counts per threshold, shape ``(T,)`` (``(T, num_labels)`` for a multi-label ``AUC``), as the
    Keras variables of these names hold them after the same ``update_state`` calls. They read
    :attr:`~jmetrics.metrics.Metric.state`; the pure protocol reads ``values(state, bins)``.
    """

    @property
    def true_positives(self) -> jax.Array:
        return self._keras_counts()[0]

    @property
    def false_positives(self) -> jax.Array:
        return self._keras_counts()[1]

    @property
    def true_negatives(self) -> jax.Array:
        return self._keras_counts()[2]

    @property
    def false_negatives(self) -> jax.Array:
        return self._keras_counts()[3]

    def _keras_counts(self) -> tuple[jax.Array, jax.Array, jax.Array, jax.Array]:
        return _jit_values(self, self.state)  # type: ignore[attr-defined]


@functools.partial(jax.jit, static_argnums=0)
def _jit_values(metric: Any, state: ConfusionCounts) -> tuple[jax.Array, ...]:
    return values(state, metric.bins())


def _weights(metric: str, sample_weight: Any, y_true: jax.Array, y_pred: jax.Array) -> jax.Array:
    """Keras 3's weight rule: a trailing axis is added, squeezed back when it makes the rank one
    more than y_true's, then broadcast to y_pred. Lower ranks align from the left (Keras aligns
    from the right, which only fails or mixes samples up)."""
    dt = accum_dtype()
    sw = as_array(sample_weight, "sample_weight", metric).astype(dt)[..., None]
    if sw.ndim == y_true.ndim + 1 and sw.shape[-1] == 1:
        sw = jnp.squeeze(sw, -1)
    return element_weights(metric, sw, y_pred.shape, sample_weight)


def _top_k_filter(metric: str, y_pred: jax.Array, k: int) -> jax.Array:
    """Keep the top ``k`` of the last axis (ties to the lower index), set the rest to -1e10."""
    c = y_pred.shape[-1] if y_pred.ndim else 1
    if y_pred.ndim == 0 or k > c:
        raise ValueError(
            f"{metric}: top_k must be at most the size of y_pred's last axis; got top_k={k} and "
            f"y_pred shape {tuple(y_pred.shape)}."
        )
    _, idx = jax.lax.top_k(y_pred, k)
    classes = jnp.expand_dims(jnp.arange(c), tuple(range(idx.ndim)))  # (1, ..., 1, C)
    mask = jnp.any(idx[..., :, None] == classes, axis=-2)
    return jnp.where(mask, y_pred, jnp.asarray(NEG_INF, y_pred.dtype))


def _bin_index(p: jax.Array, bins: Bins) -> jax.Array:
    """``b`` in ``[0, T]``: the number of thresholds ``p`` exceeds (Keras' arithmetic)."""
    n = len(bins.thresholds)
    if bins.even:
        k = jnp.ceil(jnp.clip(p, 0.0, 1.0) * jnp.asarray(n - 1, p.dtype)) - 1
        if bins.with_eps:
            # nan-safe: NaN or 0 here, the int32 below is 0 either way (XLA converts NaN to 0)
            k = jnp.maximum(k, 0)
        return k.astype(jnp.int32) + 1
    thr = np.sort(np.asarray(bins.thresholds, np.float32)).astype(p.dtype)
    if n <= 8:
        b = sum((p > float(t)).astype(jnp.int32) for t in thr)
        return jnp.asarray(b, jnp.int32)
    b = jnp.searchsorted(jnp.asarray(thr), p, side="left").astype(jnp.int32)
    return jnp.where(jnp.isnan(p), 0, b)


def _prepare(
    metric: str, y_true: Any, y_pred: Any, sample_weight: Any, spec: ConfusionSpec
) -> tuple[jax.Array, jax.Array, jax.Array | None]:
    """``(y_true, y_pred, w)`` as the counts see them: ranks matched, ``top_k`` filtered (a row
    holding a NaN stays NaN, so it is found bad), ``class_id`` sliced, label weights applied."""
    top_k, class_id, label_weights = spec.top_k, spec.class_id, spec.label_weights
    dt = accum_dtype()
    y_true = as_array(y_true, "y_true", metric)  # only compared with 0: any dtype
    y_pred = as_array(y_pred, "y_pred", metric)  # to float32 inside the block loop, unless top_k
    if top_k is not None:
        y_pred = y_pred.astype(dt)
        if spec.from_logits:
            y_pred = jax.nn.sigmoid(y_pred)
    y_pred, y_true = squeeze_or_expand(y_pred, y_true)
    check_same_shape(metric, y_true, y_pred)
    w = None if sample_weight is None else _weights(metric, sample_weight, y_true, y_pred)
    if top_k is not None:
        row_nan = jnp.any(jnp.isnan(y_pred), axis=-1, keepdims=True) if y_pred.ndim else False
        y_pred = jnp.where(row_nan, jnp.nan, _top_k_filter(metric, y_pred, top_k))
    if class_id is not None:
        _check_class_id(metric, class_id, y_pred.shape)
        y_true, y_pred = y_true[..., class_id, None], y_pred[..., class_id, None]
        w = None if w is None else w[..., class_id, None]
    if label_weights is not None and not spec.multi_label:
        lw = jnp.asarray(np.asarray(label_weights, np.float32), dt)
        try:
            lw = jnp.broadcast_to(lw, y_pred.shape)
        except ValueError:
            raise ValueError(
                f"{metric}: label_weights must match y_pred's last axis; got {len(label_weights)} "
                f"label weights and y_pred shape {tuple(y_pred.shape)}."
            ) from None
        w = lw if w is None else w * lw
    return y_true, y_pred, w


def _invalid(y_true: jax.Array, y_pred: jax.Array) -> jax.Array:
    """Entries no count can hold: a NaN or infinite label, a NaN prediction."""
    return nonfinite(y_true) | isnan(y_pred)


def confusion_check(
    metric: str, y_true: Any, y_pred: Any, sample_weight: Any, spec: ConfusionSpec
) -> None:
    """Eager face of the bad-input rule of :func:`confusion_update` (same ``spec``): raise
    ``ValueError`` for a NaN or infinite label, a NaN prediction or a weight that is NaN or
    infinite, in entries of nonzero weight. Negative weights are summed as given, as Keras 3
    sums them."""
    if sample_weight is not None:  # as given (label weights are checked at init)
        check_weights(metric, sample_weight, signed=True)
    t, p, w = _prepare(metric, y_true, y_pred, sample_weight, spec)
    keep = np.ones(t.shape, bool) if w is None else np.asarray(w) != 0
    fail_if(metric, "y_true", "finite (labels are 0 for negative, any other number for positive)",
            t, keep & np.asarray(nonfinite(t)))
    fail_if(metric, "y_pred", "a number, not NaN (inf is ordered)", p,
            keep & np.asarray(isnan(p)))


def confusion_update(
    metric: str,
    state: ConfusionCounts,
    y_true: Any,
    y_pred: Any,
    sample_weight: Any,
    spec: ConfusionSpec,
) -> ConfusionCounts:
    """Fold a batch into the counts (Keras 3 ``update_confusion_matrix_variables``), as ``spec``
    says: its bins, ``top_k``, ``class_id``, label weights, multi-label columns and logits.

    Bad entries of nonzero weight (a NaN or infinite label, a NaN prediction, a weight that is
    NaN or infinite) go to one extra histogram key; if it is not empty, every bin gets a NaN, so
    every count (and every rate, curve and AUC read from them) is NaN. A negative weight is
    summed as given, as Keras 3 sums it.
    """
    dt = accum_dtype()
    bins, multi_label = spec.bins, spec.multi_label
    y_true, y_pred, w = _prepare(metric, y_true, y_pred, sample_weight, spec)
    n_thr = len(bins.thresholds)
    if multi_label:
        num_labels = state.pos.hi.shape[1]
        if y_pred.ndim != 2 or y_pred.shape[1] != num_labels:
            raise ValueError(
                f"{metric}: y_pred must have shape (N, num_labels={num_labels}) when multi_label="
                f"True; got {tuple(y_pred.shape)}."
            )
    else:
        num_labels = 1
    width = n_thr + 1

    def keys(yt: jax.Array, yp: jax.Array) -> jax.Array:
        yp = yp.astype(dt)
        if spec.from_logits and spec.top_k is None:
            yp = jax.nn.sigmoid(yp)
        seg = _bin_index(yp, bins) + width * (yt == 0).astype(jnp.int32)
        if multi_label:  # blocks start on a row boundary: the label is the position mod L
            seg = seg + 2 * width * (jnp.arange(yt.shape[0], dtype=jnp.int32) % num_labels)
        return seg

    size = 2 * width * num_labels
    hist = _blocks.bincount(keys, size, (y_true.reshape(-1), y_pred.reshape(-1)),
                            None if w is None else w.reshape(-1),
                            block=max(1, _blocks.BLOCK // num_labels) * num_labels,
                            invalid=_invalid, signed=True)
    nan = poison(hist[size] != 0, dt)
    hist = hist[:size].reshape(num_labels, 2, width)
    pos, neg = hist[:, 0], hist[:, 1]  # (L, T + 1) each
    pos, neg = (pos.T, neg.T) if multi_label else (pos[0], neg[0])
    return ConfusionCounts(_add_poisoned(state.pos, pos, nan), _add_poisoned(state.neg, neg, nan))


def _add_poisoned(s: KSum, x: jax.Array, nan: jax.Array) -> KSum:
    """``s + x + nan`` (``nan`` is 0 or NaN); integer counts stay exact (two adds)."""
    if jnp.issubdtype(x.dtype, jnp.integer):
        return ksum_add(ksum_add(s, x), jnp.broadcast_to(nan, x.shape))
    return ksum_add(s, x + nan)


def is_poisoned(state: ConfusionCounts) -> jax.Array:
    """True when a bad entry reached the counts (every bin is then NaN)."""
    return jnp.isnan(state.pos.hi.reshape(-1)[0])


def _check_class_id(metric: str, class_id: int, shape: tuple[int, ...]) -> None:
    """Raise unless ``class_id`` indexes the last axis of a ``y_pred`` of rank >= 2 (Keras 3's
    wording for a rank-1 ``y_pred``)."""
    if len(shape) < 2:
        raise ValueError(
            f"{metric}: When class_id is provided, y_pred must be a 2D array with shape "
            f"(num_samples, num_classes), found shape: {tuple(shape)} (class_id={class_id}; any "
            f"rank >= 2 works, class_id indexing the last axis)."
        )
    if class_id >= shape[-1]:
        raise ValueError(
            f"{metric}: class_id must index the last axis of y_pred; got class_id={class_id} and "
            f"y_pred shape {tuple(shape)}."
        )


def parse_thresholds(metric: str, thresholds: Any) -> tuple[float, ...] | None:
    """A float or a list of floats in [0, 1] as a tuple (Keras' ``parse_init_thresholds`` check).

    The error has Keras 3's wording (``Threshold values must be in [0, 1]. Received: [-1, 2]``,
    the values at fault as given), after the metric's name and followed by the argument.
    """
    if thresholds is None:
        return None
    items = np.atleast_1d(np.asarray(thresholds, dtype=object)).tolist()
    if not items:
        raise ValueError(f"{metric}: thresholds must hold at least one value in [0, 1]; got "
                         f"{thresholds!r}.")
    bad = [t for t in items if t is None or _out_of_unit(t)]
    if bad:  # Keras 3: None is a ValueError, as an out-of-range value
        raise ValueError(f"{metric}: Threshold values must be in [0, 1]. Received: {bad} "
                         f"(thresholds={thresholds!r}).")
    try:
        return tuple(float(t) for t in items)
    except (TypeError, ValueError):
        raise TypeError(
            f"{metric}: thresholds must be a float or a list of floats; got {thresholds!r}."
        ) from None


def _out_of_unit(value: Any) -> bool:
    """True for a number outside [0, 1] or NaN; False for a number in it or a non-number."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return False  # reported as a TypeError by the caller
    return not 0.0 <= v <= 1.0


def confusion_update_segments(
    metric: str,
    state: ConfusionCounts,
    y_true: Any,
    y_pred: Any,
    sample_weight: Any,
    spec: ConfusionSpec,
    segments: jax.Array,
) -> ConfusionCounts:
    """:func:`confusion_update` of ``S`` states at once (bins ``[S, T + 1(, L)]``): row ``i``
    goes to state ``segments[i]``, so each state equals the update with that segment's rows alone.

    One weighted bincount over ``S x 2 (T + 1) L`` keys (the segment's offset added to each row's
    key) plus one bad-row key per segment: a bad entry makes its own segment's counts NaN only.
    """
    dt = accum_dtype()
    s_count = state.pos.hi.shape[0]
    n = segments.shape[0]
    bins, multi_label = spec.bins, spec.multi_label
    y_true, y_pred, w = _prepare(metric, y_true, y_pred, sample_weight, spec)
    num_labels = state.pos.hi.shape[2] if multi_label else 1
    width = len(bins.thresholds) + 1
    size = 2 * width * num_labels  # keys per segment
    per_row = max(1, y_pred.size // max(n, 1))
    seg = jnp.repeat(segments.astype(jnp.int32), per_row, total_repeat_length=n * per_row)
    w = jnp.ones((n * per_row,), dt) if w is None else w.reshape(-1).astype(dt)
    bad_w = bad_weight(w, signed=True)
    w = jnp.where(bad_w, (w != 0).astype(dt), w)

    def keys(s: jax.Array, yt: jax.Array, yp: jax.Array, bw: jax.Array, pos: jax.Array
             ) -> jax.Array:
        yp = yp.astype(dt)
        if spec.from_logits and spec.top_k is None:
            yp = jax.nn.sigmoid(yp)
        k = _bin_index(yp, bins) + width * (yt == 0).astype(jnp.int32)
        if multi_label:
            k = k + 2 * width * (pos % num_labels)
        return jnp.where(_invalid(yt, yp) | bw, s_count * size + s, s * size + k)

    position = jnp.arange(n * per_row, dtype=jnp.int32)
    hist = _blocks.bincount(keys, s_count * (size + 1),
                            (seg, y_true.reshape(-1), y_pred.reshape(-1), bad_w, position), w,
                            block=max(1, _blocks.BLOCK // num_labels) * num_labels)
    nan = poison(hist[s_count * size:] != 0, dt)  # (S,)
    hist = hist[:s_count * size].reshape(s_count, num_labels, 2, width)
    pos_h, neg_h = hist[:, :, 0], hist[:, :, 1]  # (S, L, T + 1)
    if multi_label:
        pos_h, neg_h, nan = pos_h.transpose(0, 2, 1), neg_h.transpose(0, 2, 1), nan[:, None, None]
    else:
        pos_h, neg_h, nan = pos_h[:, 0], neg_h[:, 0], nan[:, None]
    return ConfusionCounts(_add_poisoned(state.pos, pos_h, nan),
                           _add_poisoned(state.neg, neg_h, nan))
