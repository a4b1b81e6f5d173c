"""Mean, Sum and MeanMetricWrapper: the generic wrappers every per-sample function streams through.

Weights follow Keras 3's ``reduce_to_samplewise_values``: values and ``sample_weight`` are brought to
the same rank (``(N,)`` against ``(N, 1)`` never broadcasts to ``(N, N)``), values are averaged over
the axes the weight does not have, and every sample counts once. Two deliberate differences: a row
of weight 0 is removed, not multiplied, so a NaN in it does not poison the result (Keras 3 gives
NaN); and a batch with no samples changes nothing (Keras 3 counts the mean of an empty rank-1
batch, NaN, as one sample when its function reduces the last axis); see docs/keras-compat.md.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp

from jmetrics._floor._checks import accum_dtype, as_array, squeeze_or_expand
from jmetrics._floor._dtypes import at_least_float32
from jmetrics.metrics._base import Metric, snake_case
from jmetrics.metrics._state import KSum, batch_sum, ksum, ksum_add, ksum_value

__all__ = ["Mean", "MeanMetricWrapper", "MeanState", "Sum", "SumState", "fold_batch", "samplewise"]


class MeanState(NamedTuple):
    """State of a weighted mean."""

    total: KSum  # () accum dtype, sum of w * value
    weight: KSum  # () accum dtype, sum of w (the number of samples when unweighted)


class SumState(NamedTuple):
    """State of a weighted sum."""

    total: KSum  # () accum dtype, sum of w * value


def samplewise(
    metric: str, values: Any, sample_weight: Any, reduce: Callable[..., jax.Array]
) -> tuple[jax.Array, jax.Array]:
    """Per-sample weighted values and per-sample weights, as Keras 3 reduces them.

    Returns ``(weighted_values, weights)``, both of shape ``(N,)`` (or ``()`` for scalar input or
    a scalar weight). Rows of weight 0 contribute exactly 0, even when their value is NaN.
    """
    values = at_least_float32(as_array(values, "values", metric))
    if sample_weight is None:
        if values.ndim > 1:
            values = reduce(values, axis=tuple(range(1, values.ndim)))
        n = values.shape[0] if values.ndim else 1
        return values, jnp.ones((n,) if values.ndim else (), values.dtype)
    w = as_array(sample_weight, "sample_weight", metric).astype(values.dtype)
    values, w = squeeze_or_expand(values, w)
    if values.ndim > w.ndim:
        values = reduce(values, axis=tuple(range(w.ndim, values.ndim)))
    try:
        w = jnp.broadcast_to(w, values.shape)
    except ValueError:
        raise ValueError(
            f"{metric}: sample_weight must broadcast to the per-sample values; got sample_weight "
            f"shape {tuple(jnp.shape(sample_weight))} and values shape {tuple(values.shape)}."
        ) from None
    values = jnp.where(w != 0, values * w, 0)
    if w.ndim > 1:
        w = reduce(w, axis=tuple(range(1, w.ndim)))
    if values.ndim > 1:
        values = reduce(values, axis=tuple(range(1, values.ndim)))
    return values, w


@dataclasses.dataclass(frozen=True)
class Mean(Metric):
    """Weighted mean of values; ``update(state, values, sample_weight=None)``.

    Each sample (row) counts once, whatever its number of elements (Keras 3). The result of an
    empty state is 0 (Keras 3's ``divide_no_nan``).

    >>> import jax.numpy as jnp
    >>> m = Mean()
    >>> s = m.update(m.init(), jnp.array([1., 3., 5., 7.]), sample_weight=jnp.array([1., 1., 0., 0.]))
    >>> float(m.compute(s))
    2.0
    """

    default_name = "mean"
    input_kind = "values"

    def init(self) -> MeanState:
        return MeanState(ksum(), ksum())

    def update(self, state: MeanState, values: Any, sample_weight: Any = None) -> MeanState:  # type: ignore[override]
        v, w = samplewise(self.display_name, values, sample_weight, jnp.mean)
        return _fold(state, v, w)

    def compute(self, state: MeanState) -> jax.Array:
        total, weight = ksum_value(state.total), ksum_value(state.weight)
        return jnp.where(weight != 0, total / jnp.where(weight != 0, weight, 1), 0)


def fold_batch(
    state: MeanState, metric: str, values: Any, sample_weight: Any, *inputs: Any
) -> MeanState:
    """Fold one batch's per-sample ``values`` (of ``inputs``) into a mean's state.

    A batch whose inputs hold no element leaves the state as it is (its shapes are still checked):
    a function that reduces the last axis turns an empty rank-1 batch into one NaN value.
    """
    v, w = samplewise(metric, values, sample_weight, jnp.mean)
    if any(jnp.size(x) == 0 for x in inputs):
        return state
    return _fold(state, v, w)


def _fold(state: MeanState, v: jax.Array, w: jax.Array) -> MeanState:
    dt = accum_dtype()
    return MeanState(
        ksum_add(state.total, batch_sum(v.astype(dt))), ksum_add(state.weight, batch_sum(w.astype(dt)))
    )


@dataclasses.dataclass(frozen=True)
class Sum(Metric):
    """Weighted sum of values; ``update(state, values, sample_weight=None)``.

    >>> import jax.numpy as jnp
    >>> m = Sum()
    >>> float(m.compute(m.update(m.init(), jnp.array([1., 3., 5., 7.]))))
    16.0
    """

    default_name = "sum"
    input_kind = "values"

    def init(self) -> SumState:
        return SumState(ksum())

    def update(self, state: SumState, values: Any, sample_weight: Any = None) -> SumState:  # type: ignore[override]
        v, _ = samplewise(self.display_name, values, sample_weight, jnp.sum)
        return SumState(ksum_add(state.total, batch_sum(v.astype(accum_dtype()))))

    def compute(self, state: SumState) -> jax.Array:
        return ksum_value(state.total)


@dataclasses.dataclass(frozen=True, init=False)
class MeanMetricWrapper(Mean):
    """Streams any per-sample function ``fn(y_true, y_pred, **kwargs)`` as a weighted mean.

    ``MeanMetricWrapper(fn, name=None, dtype=None, **kwargs)`` as in Keras. The default name is the
    function's ``__name__`` in snake_case (Keras 3). ``fn`` must be hashable (functions are), and
    ``kwargs`` are kept as a sorted tuple so the metric stays hashable.

    >>> import jax.numpy as jnp
    >>> def rmse(y_true, y_pred):
    ...     return jnp.sqrt(jnp.mean((y_pred - y_true) ** 2, axis=-1))
    >>> m = MeanMetricWrapper(rmse)
    >>> m.display_name
    'rmse'
    >>> float(m.compute(m.update(m.init(), jnp.array([[0.], [0.]]), jnp.array([[3.], [1.]]))))
    2.0
    """

    input_kind = "regression"
    fn: Callable[..., Any] = dataclasses.field(default=None)  # type: ignore[assignment]
    fn_kwargs: tuple[tuple[str, Any], ...] = ()

    def __init__(
        self, fn: Callable[..., Any], name: str | None = None, dtype: str | None = None, **kwargs: Any
    ) -> None:
        if not callable(fn):
            raise TypeError(f"MeanMetricWrapper: fn must be callable; got {type(fn).__name__}.")
        object.__setattr__(self, "fn", fn)
        object.__setattr__(self, "fn_kwargs", tuple(sorted((k, _hashable(v)) for k, v in kwargs.items())))
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "dtype", dtype)

    def default_display_name(self) -> str:
        return snake_case(getattr(self.fn, "__name__", type(self.fn).__name__))

    def values_shape(self, y_true: Any, y_pred: Any) -> tuple[int, ...]:
        """The shape of ``fn(y_true, y_pred, **kwargs)`` (traced with ``jax.eval_shape``)."""
        return tuple(jax.eval_shape(lambda t, p: self.fn(t, p, **dict(self.fn_kwargs)),
                                    y_true, y_pred).shape)

    def update(  # type: ignore[override]
        self, state: MeanState, y_true: Any, y_pred: Any, sample_weight: Any = None
    ) -> MeanState:
        values = self.fn(at_least_float32(as_array(y_true, "y_true", self.display_name)),
                         at_least_float32(as_array(y_pred, "y_pred", self.display_name)),
                         **dict(self.fn_kwargs))
        return fold_batch(state, self.display_name, values, sample_weight, y_true, y_pred)

    def get_config(self) -> dict[str, Any]:
        return {"fn": getattr(self.fn, "__name__", repr(self.fn)), "name": self.name,
                "dtype": self.dtype, **dict(self.fn_kwargs)}


def _hashable(v: Any) -> Any:
    """A keyword option as the wrapper holds it: lists (a JSON config's) become tuples."""
    if isinstance(v, list):
        return tuple(_hashable(x) for x in v)
    return v
