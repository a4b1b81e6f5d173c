"""Exact streaming ROC AUC and average precision over a fixed-capacity buffer.

Keras' ``AUC`` bins scores into thresholds; ``ExactAUC`` keeps every (score, label, weight) row it
is given in a buffer of ``capacity`` rows, so its ``compute`` is scikit-learn's exact
``roc_auc_score`` / ``average_precision_score`` of everything seen (ties grouped, constant scores
0.5). Its state has fixed shapes, so ``update`` is jittable and never retraces; rows of weight 0 are
not stored (they do not use capacity). Rows beyond ``capacity`` are dropped and the state's
``overflow`` flag is set: with concrete states ``update`` and ``compute`` raise ``ValueError``
naming the capacity, and inside ``jit`` ``compute`` returns NaN.

Bad input follows scikit-learn where it raises: labels must be 0 or 1, scores must not be NaN,
weights must be finite and >= 0. Eagerly such a row (of nonzero weight) raises ``ValueError``;
under ``jit`` it is stored with weight NaN and ``compute`` gives NaN. Infinite scores are ordered
(scikit-learn refuses them; the result is the one a score beyond every finite score would give).
"""

from __future__ import annotations

import dataclasses
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
    is_concrete,
    squeeze_or_expand,
)
from jmetrics._floor._groups_jax import jax_groups
from jmetrics._floor._options import check_choice
from jmetrics._floor._sort import group_ap, group_auc
from jmetrics.metrics._base import Metric
from jmetrics.metrics._validate import bad_weight, check_weights, fail_if, np_float

__all__ = ["ExactAUC"]


class ExactAUCState(NamedTuple):
    """Buffered rows of an :class:`ExactAUC`; entries at index >= ``size`` are unused."""

    scores: jax.Array  # (capacity,) accum float, the predicted scores
    positive: jax.Array  # (capacity,) bool, whether the label is positive
    weights: jax.Array  # (capacity,) accum float, sample weights (never 0 for stored rows)
    size: jax.Array  # () int32, rows stored (at most capacity)
    overflow: jax.Array  # () bool, whether rows were dropped because the buffer was full


@dataclasses.dataclass(frozen=True)
class ExactAUC(Metric):
    """Exact (scikit-learn) ROC AUC or average precision, streaming over a fixed-capacity buffer.

    ``ExactAUC(capacity=65536, curve='ROC')``: ``curve='ROC'`` gives
    ``sklearn.metrics.roc_auc_score`` (binary), ``curve='PR'`` gives
    ``sklearn.metrics.average_precision_score`` of all rows folded in so far.

    .. math:: \\mathrm{AUC} = \\frac{1}{PN} \\sum_g n_g \\left(\\mathrm{TP}_{>g} + \\tfrac{p_g}{2}\\right),
       \\qquad \\mathrm{AP} = \\sum_g \\frac{p_g}{P} \\frac{\\mathrm{TP}_{\\ge g}}{\\mathrm{TP}_{\\ge g} + \\mathrm{FP}_{\\ge g}}

    over groups ``g`` of tied scores. ``update(state, y_true, y_pred, sample_weight=None)`` takes
    0/1 labels (bool, int or float; any other label is bad input, see the module docstring) and
    scores of any shape (flattened, as Keras' AUC does); ``sample_weight`` broadcasts to ``y_pred``. Merging concatenates the buffers (a merge
    that does not fit sets ``overflow``); ``all_reduce`` gathers the buffers of a mapped axis.
    Undefined values follow scikit-learn: ROC AUC with one class present is NaN, AP without
    positives is 0. Memory: ``capacity`` x (score + weight + flag); compute sorts the buffer once.

    >>> import jax.numpy as jnp
    >>> m = ExactAUC(capacity=8)
    >>> s = m.update(m.init(), jnp.array([0, 0, 1, 1]), jnp.array([0.1, 0.4, 0.35, 0.8]))
    >>> float(m.compute(s))
    0.75
    >>> float(ExactAUC(capacity=8, curve="PR").compute(s))
    0.8333333...
    """

    capacity: int = 65536
    curve: str = "ROC"

    default_name = "exact_auc"
    higher_is_better = True
    value_range = (0.0, 1.0)
    input_kind = "binary"
    example_args = {"capacity": 64}

    def __post_init__(self) -> None:
        check_choice(type(self).__name__, "curve", self.curve, ("ROC", "PR"))
        if not isinstance(self.capacity, int) or isinstance(self.capacity, bool) or self.capacity < 1:
            raise ValueError(f"{type(self).__name__}: capacity must be a positive int; got {self.capacity!r}.")

    def stat_key(self) -> Any:
        """ROC and PR forms of the same capacity keep the same buffer."""
        return ("exact_buffer", self.capacity)

    def init(self) -> ExactAUCState:
        dt = accum_dtype()
        c = self.capacity
        return ExactAUCState(jnp.zeros((c,), dt), jnp.zeros((c,), bool), jnp.zeros((c,), dt),
                             jnp.zeros((), jnp.int32), jnp.zeros((), bool))

    def _rows(self, y_true: Any, y_pred: Any, sample_weight: Any
              ) -> tuple[jax.Array, jax.Array, jax.Array]:
        """Flat ``(labels, scores, weights)``: one row per element, weights broadcast."""
        name = self.display_name
        t = as_array(y_true, "y_true", name)
        p = as_array(y_pred, "y_pred", name)
        t, p = squeeze_or_expand(t, p)
        check_same_shape(name, t, p)
        dt = accum_dtype()
        if sample_weight is None:
            w = jnp.ones(p.shape, dt)
        else:
            _, w = squeeze_or_expand(p, as_array(sample_weight, "sample_weight", name).astype(dt))
            w = element_weights(name, w, p.shape, sample_weight)
        return t.reshape(-1), p.reshape(-1).astype(dt), w.reshape(-1)

    def check_inputs(self, *args: Any, sample_weight: Any = None) -> None:
        """Raise ``ValueError`` for a label other than 0 or 1 (NaN, inf, 2, 0.5...: scikit-learn
        refuses them too), a NaN score, or a weight that is NaN, infinite or negative (rows of
        weight 0 are exempt). Under ``jit`` the same rows make the result NaN."""
        name = self.display_name
        t, p, w = self._rows(args[0], args[1], sample_weight)
        keep = check_weights(name, w) != 0
        tn = np_float(t)
        fail_if(name, "y_true", "0 or 1", tn, keep & (tn != 0) & (tn != 1))
        fail_if(name, "y_pred", "a number, not NaN (inf is ordered)", p, keep & np.isnan(np_float(p)))

    def update(self, state: ExactAUCState, y_true: Any, y_pred: Any, sample_weight: Any = None) -> ExactAUCState:
        """Store the rows of nonzero weight. A bad row (label not 0 or 1, NaN score, weight NaN,
        infinite or negative) is stored with weight NaN, which makes ``compute`` NaN."""
        name = self.display_name
        if all(is_concrete(x) for x in (y_true, y_pred, sample_weight)):
            self.check_inputs(y_true, y_pred, sample_weight=sample_weight)
        t, p, w = self._rows(y_true, y_pred, sample_weight)
        if is_concrete(state.size) and is_concrete(w):
            needed = int(state.size) + int(jnp.sum(w != 0))
            if needed > self.capacity:
                raise ValueError(f"{name}: capacity must hold every row of nonzero weight; got "
                                 f"{needed} rows for capacity={self.capacity}. Increase capacity.")
        dt = accum_dtype()
        bad = ((t != 0) & (t != 1)) | jnp.isnan(p) | bad_weight(w)
        keep = w != 0
        w = jnp.where(keep & bad, jnp.nan, w)
        slot = state.size + jnp.cumsum(keep.astype(jnp.int32)) - 1
        slot = jnp.where(keep, slot, self.capacity)  # out of range: dropped
        total = state.size + jnp.sum(keep, dtype=jnp.int32)
        return ExactAUCState(
            state.scores.at[slot].set(p, mode="drop"),
            state.positive.at[slot].set(t.astype(dt) == 1, mode="drop"),
            state.weights.at[slot].set(w, mode="drop"),
            jnp.minimum(total, self.capacity).astype(jnp.int32),  # nan-safe: integer counts
            state.overflow | (total > self.capacity),
        )

    def merge(self, a: ExactAUCState, b: ExactAUCState) -> ExactAUCState:
        """Append ``b``'s rows after ``a``'s (order does not change the value)."""
        j = jnp.arange(self.capacity)
        slot = jnp.where(j < b.size, a.size + j, self.capacity)
        total = a.size + b.size
        return ExactAUCState(
            a.scores.at[slot].set(b.scores, mode="drop"),
            a.positive.at[slot].set(b.positive, mode="drop"),
            a.weights.at[slot].set(b.weights, mode="drop"),
            jnp.minimum(total, self.capacity).astype(jnp.int32),  # nan-safe: integer counts
            a.overflow | b.overflow | (total > self.capacity),
        )

    def all_reduce(self, state: ExactAUCState, axis_name: Any) -> ExactAUCState:
        """Gather every member's buffer over ``axis_name`` and merge them in order."""
        gathered = jax.lax.all_gather(state, axis_name)

        def body(acc: ExactAUCState, s: ExactAUCState) -> tuple[ExactAUCState, None]:
            return self.merge(acc, s), None

        out, _ = jax.lax.scan(body, self.init(), gathered)
        return out

    def compute(self, state: ExactAUCState) -> jax.Array:
        if is_concrete(state.overflow) and bool(state.overflow):
            raise ValueError(f"{self.display_name}: capacity must hold every row; got more rows than "
                             f"capacity={self.capacity}. Increase capacity.")
        return _compute(self, state)


@functools.partial(jax.jit, static_argnums=0)
def _compute(metric: ExactAUC, state: ExactAUCState) -> jax.Array:
    """The sort-and-sum of ``compute``, compiled once per configuration (also when called eagerly)."""
    valid = jnp.arange(metric.capacity) < state.size
    g = jax_groups(state.positive, state.scores, jnp.where(valid, state.weights, 0))
    value = group_auc(g) if metric.curve == "ROC" else group_ap(g)
    bad = jnp.isnan(jnp.sum(jnp.where(valid, state.weights, 0)))  # a bad row was stored
    return jnp.where(state.overflow | bad, jnp.nan, value)
