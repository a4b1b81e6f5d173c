"""Histogram AUC and average precision: a fixed-size, mergeable state with a known error bound.

The score axis (probability or logit) is cut into ``num_bins`` equal-width bins; the state holds the
weighted count of positives and of negatives in each bin. An update is one bucketize and two
scatter-adds (O(N), no sort); two states merge by adding them. ``compute`` walks the bins from the
highest score down with compensated cumulative sums and treats each bin as one group of tied scores
(the trapezoid inside a bin), exactly as scikit-learn treats tied scores.

Error bound. Bins are ordered like the scores, so a (positive, negative) pair in different bins is
ranked exactly; only pairs in the same bin are counted as ties (1/2). Hence

.. math:: |\\mathrm{AUC}_{hist} - \\mathrm{AUC}_{exact}| \\le
          \\frac{1}{2} \\sum_b \\frac{P_b}{P} \\frac{N_b}{N}

(half the fraction of pairs that share a bin), and for average precision, with ``TP_b``/``FP_b``
the weights above bin ``b``,

.. math:: |\\mathrm{AP}_{hist} - \\mathrm{AP}_{exact}| \\le \\sum_b \\frac{P_b}{P}
          \\left(\\frac{TP_b + P_b}{TP_b + FP_b + P_b} - \\frac{TP_b}{TP_b + FP_b + N_b}\\right).

Both are computed from the state by :meth:`HistogramAUC.error_bound`; both are 0 when every bin
holds at most one distinct score (then the result equals scikit-learn's up to float rounding).
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any, ClassVar, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from jmetrics._floor._checks import (
    accum_dtype,
    as_array,
    cond,
    element_weights,
    is_concrete,
    squeeze_or_expand,
)
from jmetrics._floor._dtypes import at_least_float32
from jmetrics._floor._options import check_choice
from jmetrics._floor._ratios import divide_where
from jmetrics.metrics._base import Metric
from jmetrics.metrics._blocks import exact_float, fold_blocks, scatter_add
from jmetrics.metrics._state import KSum, ksum, ksum_add, ksum_cumsum
from jmetrics.metrics._validate import (
    bad_weight,
    check_weights,
    fail_if,
    isnan,
    nonfinite,
    np_float,
    poison,
)

__all__ = ["HistogramAUC"]

_SPACES = ("probability", "logit")
_CURVES = ("ROC", "PR")


class HistogramAUCState(NamedTuple):
    """Weighted label counts per score bin (bins in increasing score order)."""

    pos: KSum  # (num_bins,) accum dtype, sum of w * y of the samples in each bin
    neg: KSum  # (num_bins,) accum dtype, sum of w * (1 - y) of the samples in each bin


def _comp_cumsum(x: jax.Array) -> jax.Array:
    """Inclusive cumulative sum of non-negative ``x`` with error ~ eps (not ~ len(x) * eps):
    :func:`~jmetrics.metrics._state.ksum_cumsum` of ``x``."""
    c = ksum_cumsum(KSum(x, jnp.zeros_like(x)))
    return c.hi + c.lo


def _comp_sum(x: jax.Array) -> jax.Array:
    """Compensated sum of a 1-D array."""
    return _comp_cumsum(x)[-1] if x.shape[0] else jnp.zeros((), x.dtype)


def _from_top(x: jax.Array) -> tuple[jax.Array, jax.Array]:
    """(weight strictly above bin b, weight in bin b and above) for bins in increasing order."""
    incl = _comp_cumsum(x[::-1])[::-1]
    above = jnp.concatenate([incl[1:], jnp.zeros((1,), x.dtype)])
    return above, incl


def _safe_div(a: jax.Array, b: jax.Array, fill: float = 0.0) -> jax.Array:
    """``a / b`` over positive totals ``b``; ``fill`` where ``b`` is 0 or NaN (bad input seen)."""
    return divide_where(a, b, b > 0, fill)


@dataclasses.dataclass(frozen=True)
class HistogramAUC(Metric):
    """ROC AUC or average precision from a fixed histogram of scores; O(N) update, no sort.

    ``HistogramAUC(num_bins=4096, space='probability', curve='ROC', from_logits=False,
    logit_max=16.0)``. ``update(state, y_true, y_pred, sample_weight=None)``: ``y_true`` holds
    labels in [0, 1] (a soft label ``y`` counts ``w * y`` as positive and ``w * (1 - y)`` as
    negative; Keras 3's AUC instead counts any ``y != 0`` as positive, sklearn rejects soft
    labels; 0/1 labels agree with both), ``y_pred`` scores of the same shape (every element is one
    sample, as Keras' ``AUC(multi_label=False)`` flattens), ``sample_weight`` broadcasts to it.

    - ``space='probability'``: bins of width ``1 / num_bins`` on [0, 1] (logits go through the
      sigmoid first). ``space='logit'``: bins of width ``2 * logit_max / num_bins`` on
      [-logit_max, logit_max] (probabilities go through ``log(p) - log1p(-p)``); scores beyond the
      range fall in the end bins. Logit space keeps resolution where confident models put their
      scores (near 0 and 1).
    - ``curve='ROC'``: area under the ROC curve with tied scores counted 1/2 (the Mann-Whitney
      statistic), i.e. ``sklearn.metrics.roc_auc_score`` when each bin holds one distinct score.
      ``curve='PR'``: average precision, the step sum ``sum_b (R_b - R_{b-1}) P_b`` of
      ``sklearn.metrics.average_precision_score`` (not Keras' interpolated PR-AUC).

    The result differs from the exact value by at most :meth:`error_bound` (see the module
    docstring). Degenerate input follows scikit-learn 1.9.1: ROC AUC with no positives or no
    negatives is NaN (sklearn: undefined, NaN with a warning); average precision is 1 without
    negatives and 0 without positives (sklearn warns and returns 0).
    Bad input (a label outside [0, 1], a NaN score, a weight that is NaN, infinite or negative;
    rows of weight 0 are exempt) raises ``ValueError`` eagerly and makes the result NaN under
    ``jit``; infinite scores are ordered (end bins). Counts are compensated sums: exact past ``2**24`` across
    batches; inside one batch a bin's total is a plain float sum (exact for integer weights while
    it stays below ``2**24``, e.g. for any batch of fewer than ``2**24`` unit-weight rows).

    >>> import jax.numpy as jnp
    >>> m = HistogramAUC(num_bins=4)
    >>> s = m.update(m.init(), jnp.array([0, 0, 1, 1]), jnp.array([0.1, 0.4, 0.35, 0.8]))
    >>> float(m.compute(s))  # 0.35 and 0.4 share bin [0.25, 0.5): one tie -> 0.875 (exact: 0.75)
    0.875
    >>> float(m.error_bound(s))
    0.125
    """

    num_bins: int = 4096
    space: str = "probability"
    curve: str = "ROC"
    from_logits: bool = False
    logit_max: float = 16.0

    default_name: ClassVar[str | None] = "histogram_auc"
    higher_is_better: ClassVar[bool | None] = True
    value_range: ClassVar[tuple[float | None, float | None]] = (0.0, 1.0)
    input_kind: ClassVar[str] = "binary"
    example_args: ClassVar[dict[str, Any]] = {"num_bins": 1024}

    def __post_init__(self) -> None:
        who = self.display_name
        if isinstance(self.num_bins, bool) or not isinstance(self.num_bins, (int, np.integer)) or not (
            2 <= self.num_bins <= 2**24
        ):
            raise ValueError(f"{who}: num_bins must be an int in [2, 2**24]; got {self.num_bins!r}.")
        check_choice(who, "space", self.space, _SPACES)
        check_choice(who, "curve", self.curve, _CURVES)
        if not isinstance(self.from_logits, bool):
            raise TypeError(f"{who}: from_logits must be a bool; got {self.from_logits!r}.")
        if not (isinstance(self.logit_max, (int, float)) and math.isfinite(self.logit_max)
                and self.logit_max > 0):
            raise ValueError(f"{who}: logit_max must be a finite number > 0; got {self.logit_max!r}.")

    def stat_key(self) -> Any:
        """ROC and PR forms with the same bins share one histogram."""
        return ("score_histogram", self.num_bins, self.space, self.from_logits, float(self.logit_max))

    def bin_edges(self) -> np.ndarray:
        """The ``num_bins + 1`` bin edges, in the binning space (probability or logit)."""
        lo, hi = (0.0, 1.0) if self.space == "probability" else (-self.logit_max, self.logit_max)
        return np.linspace(lo, hi, self.num_bins + 1)

    def init(self) -> HistogramAUCState:
        return HistogramAUCState(ksum((self.num_bins,)), ksum((self.num_bins,)))

    def bucketize(self, y_pred: Any) -> jax.Array:
        """Bin index of each score (int32, same shape), monotone non-decreasing in the score."""
        return self._bins(as_array(y_pred, "y_pred", self.display_name))

    def _bins(self, s: jax.Array, nan_bin: bool = True) -> jax.Array:
        """``floor(clip((z - lo) * num_bins / (hi - lo), 0, num_bins - 1))`` as one multiply and
        one float-to-int conversion (truncation is the floor of the non-negative clipped value).
        NaN goes to bin 0; with ``nan_bin=False`` its bin is unspecified (for callers that route
        NaN scores elsewhere, saving a select per element)."""
        s = at_least_float32(s)
        if self.space == "probability":
            z, lo, hi = (jax.nn.sigmoid(s) if self.from_logits else s), 0.0, 1.0
        else:
            if self.from_logits:
                z = s
            else:  # probabilities beyond [0, 1] go to the end bins, as in probability space
                c = jnp.clip(s, 0.0, 1.0)
                z = jnp.log(c) - jnp.log1p(-c)
            lo, hi = -self.logit_max, self.logit_max
        t = (z - lo if lo else z) * (self.num_bins / (hi - lo))
        t = jnp.clip(t, 0, self.num_bins - 1)
        return (jnp.where(jnp.isnan(t), 0, t) if nan_bin else t).astype(jnp.int32)

    def _rows(self, y_true: Any, y_pred: Any, sample_weight: Any) -> list[jax.Array]:
        """Flat ``[labels, scores]`` (and weights broadcast to the scores, when given)."""
        who = self.display_name
        y = as_array(y_true, "y_true", who)
        s = as_array(y_pred, "y_pred", who)
        y, s = squeeze_or_expand(y, s)
        if y.shape != s.shape:
            raise ValueError(f"{who}: y_true and y_pred must have the same shape; got "
                             f"{tuple(jnp.shape(y_true))} and {tuple(jnp.shape(y_pred))}.")
        cols = [y.reshape(-1), s.reshape(-1)]
        if sample_weight is not None:
            _, w = squeeze_or_expand(s, as_array(sample_weight, "sample_weight", who))
            cols.append(element_weights(who, w, s.shape, sample_weight).reshape(-1))
        return cols

    def check_inputs(self, *args: Any, sample_weight: Any = None) -> None:
        """Raise ``ValueError`` for a label outside [0, 1] (NaN, inf, 2, -1), a NaN score, or a
        weight that is NaN, infinite or negative (rows of weight 0 are exempt). Under ``jit`` the
        same rows make the result NaN."""
        who = self.display_name
        y, s, *w = self._rows(args[0], args[1], sample_weight)
        keep = check_weights(who, w[0]) != 0 if w else np.ones(y.shape, bool)
        yn = np_float(y)
        fail_if(who, "y_true", "in [0, 1]", yn, keep & ~((yn >= 0) & (yn <= 1)))
        fail_if(who, "y_pred", "a number, not NaN (inf is ordered)", s, keep & np.isnan(np_float(s)))

    def update(  # type: ignore[override]
        self, state: HistogramAUCState, y_true: Any, y_pred: Any, sample_weight: Any = None
    ) -> HistogramAUCState:
        """Fold a batch in: one pass over cache-sized blocks (``_blocks.fold_blocks``).

        A block's keys are ``2 * bin + label``. Unweighted, each block is one int32 scatter of
        ones (exact counts); a label neither 0 nor 1 is counted in an extra key, and if that count
        is not 0 the batch is folded again as floats (one ``lax.cond``). Weighted (or soft), each
        block scatters ``w * y`` and ``w * (1 - y)`` into float sums. Either enters the state's
        compensated sums once per batch. Bad rows (label outside [0, 1], NaN score, weight NaN,
        infinite or negative; weight 0 exempt) are counted in one more key instead; if any, every
        bin gets a NaN.
        """
        if all(is_concrete(x) for x in (y_true, y_pred, sample_weight)):
            self.check_inputs(y_true, y_pred, sample_weight=sample_weight)
        dt = accum_dtype()
        cols = self._rows(y_true, y_pred, sample_weight)
        n_keys = 2 * self.num_bins  # key 2b: negatives of bin b, 2b + 1: positives
        bad_key, soft_key = n_keys, n_keys + 1

        def invalid(yb: jax.Array, sb: jax.Array) -> jax.Array:
            return isnan(sb) | nonfinite(yb) | (yb < 0) | (yb > 1)

        def hard(c: jax.Array, yb: jax.Array, sb: jax.Array) -> jax.Array:  # int32 counts per key
            # any label but 0/1 (bad ones too) sends the batch to `soft`, which checks labels
            key = 2 * self._bins(sb, nan_bin=False) + (yb == 1).astype(jnp.int32)
            key = jnp.where((yb == 0) | (yb == 1), key, soft_key)
            return scatter_add(c, jnp.where(isnan(sb), bad_key, key), 1)

        def soft(c: jax.Array, yb: jax.Array, sb: jax.Array, wb: jax.Array | None = None
                 ) -> jax.Array:  # float sums per key; a bad row puts its (w != 0) in soft_key
            yf = yb.astype(dt)
            bad = invalid(yb, sb)
            if wb is None:
                nz, wp, wn = jnp.ones_like(yf), yf, 1 - yf
            else:
                wf = wb.astype(dt)
                bad = bad | bad_weight(wf)
                nz = (wf != 0).astype(dt)  # weight 0 removes the row, whatever its label
                wp, wn = jnp.where(nz != 0, wf * yf, 0), jnp.where(nz != 0, wf * (1 - yf), 0)
            k = jnp.where(bad, bad_key, 2 * self._bins(sb))
            wp, wn = jnp.where(bad, nz, wp), jnp.where(bad, 0, wn)
            return scatter_add(scatter_add(c, k + 1, wp), k, wn)

        size = n_keys + 2
        zeros_f = jnp.zeros((size,), dt)
        if len(cols) == 3:
            counts, sums = jnp.zeros((size,), jnp.int32), fold_blocks(soft, zeros_f, *cols)
        else:  # exact int counts; if a label was soft after all, the batch is redone as floats
            counts = fold_blocks(hard, jnp.zeros((size,), jnp.int32), *cols)
            # zeros from `counts`: under shard_map both branches then vary with the rows alike
            counts, sums = cond(
                counts[soft_key] > 0, lambda: (counts * 0, fold_blocks(soft, zeros_f, *cols)),
                lambda: (counts, counts.astype(dt) * 0))
        nan = poison((counts[bad_key] != 0) | (sums[soft_key] != 0), dt)
        pos, neg = state.pos, state.neg
        for part in (exact_float(counts[:n_keys], cols[0].size), sums[:n_keys] + nan):
            pos, neg = ksum_add(pos, part[1::2]), ksum_add(neg, part[0::2])
        return HistogramAUCState(pos, neg)

    @staticmethod
    def counts(state: HistogramAUCState) -> tuple[jax.Array, jax.Array]:
        """Weighted (positives, negatives) per bin, in increasing score order."""
        return state.pos.hi + state.pos.lo, state.neg.hi + state.neg.lo

    def _parts(self, state: HistogramAUCState) -> dict[str, jax.Array]:
        pos, neg = self.counts(state)
        p = _comp_sum(state.pos.hi) + jnp.sum(state.pos.lo)
        n = _comp_sum(state.neg.hi) + jnp.sum(state.neg.lo)
        tp_above, tp_incl = _from_top(pos)
        fp_above, fp_incl = _from_top(neg)
        return dict(pos=pos, neg=neg, p=p, n=n, tp_above=tp_above, tp_incl=tp_incl,
                    fp_above=fp_above, fp_incl=fp_incl)

    def compute(self, state: HistogramAUCState) -> jax.Array:
        q = self._parts(state)
        defined = (q["p"] > 0) & (q["n"] > 0)
        rp = _safe_div(q["pos"], q["p"])
        if self.curve == "ROC":
            terms = _safe_div(q["neg"], q["n"]) * (q["tp_above"] + 0.5 * q["pos"]) / jnp.where(
                q["p"] > 0, q["p"], 1)
        else:
            terms = rp * _safe_div(q["tp_incl"], q["tp_incl"] + q["fp_incl"])
            value = jnp.where(q["p"] > 0, _comp_sum(terms), 0.0)  # sklearn: 0 without positives
            return jnp.where(jnp.isnan(q["p"]), jnp.nan, value)  # NaN: bad input was seen
        return jnp.where(defined, _comp_sum(terms), jnp.nan)

    def error_bound(self, state: HistogramAUCState) -> jax.Array:
        """Upper bound of ``|compute(state) - exact|`` for the data folded into ``state``.

        ROC: half the fraction of (positive, negative) pairs that share a bin. PR: the spread of
        precision a bin can hide, weighted by its share of positives (module docstring).
        """
        q = self._parts(state)
        rp = _safe_div(q["pos"], q["p"])
        if self.curve == "ROC":
            terms = 0.5 * rp * _safe_div(q["neg"], q["n"])
        else:
            tp, fp = q["tp_above"], q["fp_above"]
            high = _safe_div(tp + q["pos"], tp + fp + q["pos"], 1.0)
            low = _safe_div(tp, tp + fp + q["neg"], 1.0)
            terms = rp * (high - low)
            value = jnp.where(q["p"] > 0, _comp_sum(terms), 0.0)
            return jnp.where(jnp.isnan(q["p"]), jnp.nan, value)
        defined = (q["p"] > 0) & (q["n"] > 0)
        return jnp.where(defined, _comp_sum(terms), jnp.nan)
