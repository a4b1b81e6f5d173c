"""R2Score: the coefficient of determination, streamed with stable moment merges.

Per output column ``j``, with weights ``w``:

.. math:: R^2_j = 1 - \\frac{\\sum_i w_i (y_{ij} - \\hat y_{ij})^2}{\\sum_i w_i (y_{ij} - \\bar y_j)^2}

The denominator is the centred second moment of ``y_true``, kept as :class:`Moments` and merged
with Chan's formula (each batch's moments are computed about one of its own values, so a constant
column has exactly zero variance); never ``sum(y**2) - n * mean**2`` as Keras 3 does.
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from jmetrics._floor._checks import accum_dtype, as_array, column_weights, squeeze_or_expand
from jmetrics.metrics._base import Metric
from jmetrics.metrics._inferred_width import InferredWidth
from jmetrics.metrics._state import (
    KSum,
    Moments,
    ksum,
    ksum_add,
    ksum_value,
    merge_states,
    moments,
)

__all__ = ["R2Score"]

_AGGREGATIONS = (None, "uniform_average", "variance_weighted_average")


class R2Spec(NamedTuple):
    """R2Score's statistic (hashable): the aggregation and adjustment only shape the result."""

    num_outputs: int | None  # d of the state (None: the first batch decides)


class R2ScoreState(NamedTuple):
    """State of R2Score: per-column moments of y_true and residuals, and Keras' sample count."""

    y_true: Moments  # (d,) accum dtype: weight sum(w), weighted mean of y_true, m2 sum w (t - mean)**2
    residual: KSum  # (d,) accum dtype, sum of w * (y_true - y_pred)**2
    num_samples: KSum  # () accum dtype, elements of nonzero weight: the n of adjusted R2 (Keras 3)


@dataclasses.dataclass(frozen=True)
class R2Score(InferredWidth, Metric):
    """Coefficient of determination (R²), per output column, aggregated; streamed exactly.

    .. math:: R^2_j = 1 - \\frac{\\sum_i w_i (y_{ij} - \\hat y_{ij})^2}
                             {\\sum_i w_i (y_{ij} - \\bar y_j)^2}

    ``class_aggregation``: 'uniform_average' (mean over columns), 'variance_weighted_average'
    (weighted by each column's denominator) or None (the vector). With ``num_regressors = k > 0``
    the adjusted score :math:`1 - (1 - R^2) \\frac{n - 1}{n - k - 1}` is returned when
    ``k < n - 1``, else plain R² (Keras 3 warns); ``n`` counts *elements* (rows x columns), as
    Keras 3 does, but only those of nonzero weight (weight 0 is removing the element).

    Inputs are 2-D ``(N, d)`` (``(N,)`` against ``(N, 1)`` is matched); ``sample_weight`` is a scalar,
    ``(N,)``, ``(N, 1)`` or ``(N, d)``. Like Keras 3: a column whose ``y_true`` is constant scores 0
    when the prediction is imperfect (``±inf`` becomes 0) and NaN when it is perfect; an empty state
    is NaN. An infinite ``y_pred`` gives NaN (Keras 3 gives 0 there, as if the column were constant). scikit-learn's ``r2_score`` gives 1.0 for the perfect constant case and is otherwise
    equal (``multioutput`` 'uniform_average' / 'variance_weighted' / 'raw_values').

    Equivalent to ``keras.metrics.R2Score(class_aggregation, num_regressors)`` (Keras 3, to float
    rounding; Keras' ``sum(y**2) - sum(y) * mean`` loses digits for offset data, jmetrics does not).
    ``num_outputs`` (jmetrics only) fixes ``d`` for ``init()``; without it only the eager
    ``update_state`` works (the first batch decides, as in Keras).

    State: :class:`R2ScoreState` ``(y_true: Moments (d,), residual: KSum (d,), num_samples: KSum
    ())``. Shared by R2Score instances of equal ``num_outputs`` whatever their aggregation
    (``stat_key``).

    >>> import jax.numpy as jnp
    >>> m = R2Score(num_outputs=1)
    >>> s = m.update(m.init(), jnp.array([[1.], [2.], [3.], [4.]]), jnp.array([[1.], [2.], [3.], [5.]]))
    >>> float(m.compute(s))  # 1 - 1 / 5
    0.8
    """

    class_aggregation: str | None = "uniform_average"
    num_regressors: int = 0
    num_outputs: int | None = dataclasses.field(default=None, kw_only=True)

    default_name = "r2_score"
    higher_is_better = True
    value_range = (None, 1.0)
    input_kind = "regression"
    example_args = {"num_outputs": 3}
    width_option = "num_outputs"
    # jmetrics-only options that Keras' constructor does not take (left out of the Keras oracle).
    jmetrics_only_options: ClassVar[tuple[str, ...]] = ("num_outputs",)

    def __post_init__(self) -> None:
        agg = self.class_aggregation
        if not isinstance(agg, (str, type(None))) or agg not in _AGGREGATIONS:
            raise ValueError(f"R2Score: Invalid value for argument `class_aggregation`. Expected one "
                             f"of {list(_AGGREGATIONS)}. Received: class_aggregation={agg}.")
        k = self.num_regressors
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 0:
            raise ValueError(f"R2Score: Invalid value for argument `num_regressors`. Expected an "
                             f"integer >= 0. Received: num_regressors={k!r}.")
        d = self.num_outputs
        if d is not None and (isinstance(d, bool) or not isinstance(d, (int, np.integer)) or d < 1):
            raise ValueError(f"R2Score: num_outputs must be None or an int >= 1; got {d!r}.")

    def stat_key(self) -> R2Spec:
        return R2Spec(self.num_outputs)

    def init_width(self, width: int) -> R2ScoreState:
        return R2ScoreState(moments((width,)), ksum((width,)), ksum())

    def update(self, state: R2ScoreState, y_true: Any, y_pred: Any, sample_weight: Any = None) -> R2ScoreState:
        name = self.display_name
        t, p = squeeze_or_expand(as_array(y_true, "y_true", name), as_array(y_pred, "y_pred", name))
        if t.ndim != 2 or t.shape != p.shape:
            raise ValueError(
                f"{name}: R2Score expects 2D inputs with shape (batch_size, output_dim), the same "
                f"for y_true and y_pred. Received input shapes: y_pred.shape="
                f"{tuple(jnp.shape(y_pred))} and y_true.shape={tuple(jnp.shape(y_true))}."
            )
        if t.shape[1:] != state.residual.hi.shape:
            raise ValueError(
                f"{name}: inputs must have output_dim={state.residual.hi.shape[0]} columns (the "
                f"state's); got shape {tuple(t.shape)}."
            )
        dt = accum_dtype()
        t, p = t.astype(dt), p.astype(dt)
        w = column_weights(name, sample_weight, t.shape, dt)
        w = jnp.ones(t.shape, dt) if w is None else w
        if t.shape[0] == 0:
            return state
        nz = w != 0
        # Moments of this batch about one of its own values (the first of nonzero weight per
        # column): a constant column gives exactly mean = that value and m2 = 0.
        if sample_weight is None or jnp.ndim(as_array(sample_weight, "sample_weight", name)) == 0:
            # One weight for all: row 0 (no argmax over a constant mask, which XLA would fold
            # at compile time, slowly, for large batches).
            shift = jnp.where(nz[0], t[0], 0)
        else:
            first = jnp.argmax(nz, axis=0)
            shift = jnp.where(jnp.any(nz, axis=0), jnp.take_along_axis(t, first[None], axis=0)[0], 0)
        dx = jnp.where(nz, t - shift[None], 0)
        bw = jnp.sum(jnp.where(nz, w, 0), axis=0)
        dmean = jnp.sum(jnp.where(nz, w * dx, 0), axis=0) / jnp.where(bw > 0, bw, 1)
        bm2 = jnp.sum(jnp.where(nz, w * (dx - dmean[None]) ** 2, 0), axis=0)
        batch = Moments(bw, shift + dmean, bm2)
        residual = jnp.sum(jnp.where(nz, w * (t - p) ** 2, 0), axis=0)
        return R2ScoreState(
            merge_states(state.y_true, batch),
            ksum_add(state.residual, residual),
            ksum_add(state.num_samples, jnp.sum(nz.astype(dt))),
        )

    def compute(self, state: R2ScoreState) -> jax.Array:
        total = state.y_true.m2
        residual = ksum_value(state.residual)
        raw = 1 - residual / total
        # Keras' -inf -> 0 is the constant column; an infinite prediction (residual inf) is NaN.
        raw = jnp.where(jnp.isinf(raw), jnp.where(jnp.isfinite(residual), 0.0, jnp.nan), raw)
        if self.class_aggregation == "uniform_average":
            r2 = jnp.mean(raw)
        elif self.class_aggregation == "variance_weighted_average":
            r2 = jnp.sum(total * raw) / jnp.sum(total)
        else:
            r2 = raw
        if self.num_regressors == 0:
            return r2
        n, k = ksum_value(state.num_samples), self.num_regressors
        adjusted = 1 - (1 - r2) * (n - 1) / jnp.where(k < n - 1, n - k - 1, 1)
        return jnp.where(k < n - 1, adjusted, r2)
