"""Streaming ranking metrics: NDCG, DCG, MRR, MAP, precision/recall/hit rate at k.

Each class keeps the weighted sum of its per-query values (the functions of
``jmetrics.metrics._ranking``) and the weight of the queries; see that module for the formulas.
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar, NamedTuple

import jax
import jax.numpy as jnp

from jmetrics._floor._checks import accum_dtype, as_array, is_concrete
from jmetrics._floor._options import check_choice
from jmetrics.metrics._base import Metric
from jmetrics.metrics._ranking import (
    _GAINS,
    KSpec,
    _check_items,
    _key,
    _normalize_k,
    _per_query,
    _prepare,
)
from jmetrics.metrics._state import KSum, ksum, ksum_add, ksum_value
from jmetrics.metrics._validate import bad_weight, check_weights

__all__ = [
    "DCG",
    "NDCG",
    "HitRateAtK",
    "MeanAveragePrecision",
    "MeanReciprocalRank",
    "PrecisionAtK",
    "RecallAtK",
]

class RankingState(NamedTuple):
    """Weighted sums of per-query values, one per cutoff."""

    total: KSum  # (len(k),) accum dtype, sum over queries of w * value
    weight: KSum  # () accum dtype, sum of the weights of the queries (padding-only queries: 0)


@dataclasses.dataclass(frozen=True)
class _RankingMetric(Metric):
    """Weighted mean over queries of one ranking metric at one or several cutoffs."""

    k: KSpec = None

    higher_is_better: ClassVar[bool | None] = True
    value_range: ClassVar[tuple[float | None, float | None]] = (0.0, 1.0)
    input_kind: ClassVar[str] = "multilabel"
    example_args: ClassVar[dict[str, Any]] = {"k": (1, 3)}
    _metric: ClassVar[str] = ""

    def __post_init__(self) -> None:
        if isinstance(self.k, list):
            object.__setattr__(self, "k", tuple(self.k))
        _normalize_k(self.display_name, self.k)
        if "gain" in self._options():
            check_choice(self.display_name, "gain", self._options()["gain"], _GAINS)

    def _options(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)
                if f.name in ("gain", "ignore_ties")}

    @property
    def keys(self) -> tuple[str, ...]:
        """The result keys, ``('ndcg@5', ...)``, in the order of ``k``."""
        ks, _ = _normalize_k(self.display_name, self.k)
        return tuple(_key(self._metric, v) for v in ks)

    def init(self) -> RankingState:
        return RankingState(ksum((len(self.keys),)), ksum())

    def _query_weights(self, lead: tuple[int, ...], sample_weight: Any) -> jax.Array:
        """One weight per query (``sample_weight`` broadcast to the leading shape)."""
        who = self.display_name
        dt = accum_dtype()
        if sample_weight is None:
            return jnp.ones(lead, dt)
        sw = as_array(sample_weight, "sample_weight", who).astype(dt)
        if sw.ndim == len(lead) + 1 and sw.shape[-1] == 1:
            sw = sw[..., 0]
        try:
            return jnp.broadcast_to(sw, lead)
        except ValueError:
            raise ValueError(f"{who}: sample_weight must broadcast to the queries {lead}; got "
                             f"shape {tuple(jnp.shape(sample_weight))}.") from None

    def check_inputs(self, *args: Any, sample_weight: Any = None, mask: Any = None) -> None:
        """Raise ``ValueError`` for a NaN or +inf relevance, a NaN score of an item, or a query
        weight that is NaN, infinite or negative. Under ``jit`` they make the result NaN."""
        who = self.display_name
        mask = args[2] if len(args) > 2 else mask  # update_state passes it positionally
        rel, score, _, bad = _prepare(who, args[0], args[1], mask)
        w = check_weights(who, self._query_weights(rel.shape[:-1], sample_weight))
        _check_items(who, rel, score, bad, w)

    def update(  # type: ignore[override]
        self, state: RankingState, y_true: Any, y_pred: Any, sample_weight: Any = None,
        mask: Any = None
    ) -> RankingState:
        """Add each query's value times its weight. A query holding bad input (see
        :meth:`check_inputs`; queries of weight 0 exempt) adds NaN."""
        who = self.display_name
        if all(is_concrete(x) for x in (y_true, y_pred, sample_weight, mask)):
            self.check_inputs(y_true, y_pred, sample_weight=sample_weight, mask=mask)
        ks, _ = _normalize_k(who, self.k)
        rel, score, valid, bad = _prepare(who, y_true, y_pred, mask)
        opts = self._options()
        values = _per_query(rel, score, valid, bad, metrics=(self._metric,), ks=ks,
                            gain=opts.get("gain", "linear"),
                            ignore_ties=bool(opts.get("ignore_ties", True)))
        dt = accum_dtype()
        lead = rel.shape[:-1]
        w = self._query_weights(lead, sample_weight)
        w = jnp.where(bad_weight(w), jnp.nan, w)
        w = jnp.where(jnp.any(valid | bad, axis=-1), w, 0)
        stacked = jnp.stack([values[key].astype(dt) for key in self.keys], axis=-1)
        total = jnp.sum(jnp.where((w != 0)[..., None], stacked * w[..., None], 0),
                        axis=tuple(range(len(lead))))
        return RankingState(ksum_add(state.total, total), ksum_add(state.weight, jnp.sum(w)))

    def compute(self, state: RankingState) -> Any:
        total, weight = ksum_value(state.total), ksum_value(state.weight)
        mean = jnp.where(weight != 0, total / jnp.where(weight != 0, weight, 1), 0)
        if isinstance(self.k, tuple):
            return {key: mean[i] for i, key in enumerate(self.keys)}
        return mean[0]


@dataclasses.dataclass(frozen=True)
class NDCG(_RankingMetric):
    """Mean NDCG@k over queries; ``update(state, y_true, y_pred, sample_weight=None, mask=None)``.

    ``NDCG(k=None, gain='exponential', ignore_ties=False)``; ``k`` a tuple gives a dict. Same
    name and default gain as ``keras_rs.metrics.NDCG``; with ``gain='linear'`` it equals
    ``sklearn.metrics.ndcg_score`` (which also averages ties).

    >>> import jax.numpy as jnp
    >>> m = NDCG(k=2, gain="linear")
    >>> s = m.update(m.init(), jnp.array([[1., 0, 2]]), jnp.array([[.1, .1, .3]]))
    >>> round(float(m.compute(s)), 6)
    0.880094
    """

    gain: str = "exponential"
    ignore_ties: bool = False
    _metric: ClassVar[str] = "ndcg"


@dataclasses.dataclass(frozen=True)
class DCG(_RankingMetric):
    """Mean DCG@k over queries (``gain``, ``ignore_ties`` as :class:`NDCG`); unbounded above.

    >>> import jax.numpy as jnp
    >>> m = DCG(k=2, gain="linear")
    >>> round(float(m.compute(m.update(m.init(), jnp.array([[1., 0, 2]]), jnp.array([[.1, .1, .3]])))), 6)
    2.315465
    """

    gain: str = "exponential"
    ignore_ties: bool = False
    value_range: ClassVar[tuple[float | None, float | None]] = (0.0, None)
    _metric: ClassVar[str] = "dcg"


@dataclasses.dataclass(frozen=True)
class MeanReciprocalRank(_RankingMetric):
    """Mean over queries of ``1 / rank`` of the first relevant item within ``k`` (MRR@k).

    >>> import jax.numpy as jnp
    >>> m = MeanReciprocalRank()
    >>> float(m.compute(m.update(m.init(), jnp.array([[0., 1, 0], [1, 0, 0]]), jnp.array([[.3, .2, .1]] * 2))))
    0.75
    """

    _metric: ClassVar[str] = "mrr"


@dataclasses.dataclass(frozen=True)
class MeanAveragePrecision(_RankingMetric):
    """Mean over queries of AP@k (``min(k, R)`` normalisation), MAP@k.

    >>> import jax.numpy as jnp
    >>> m = MeanAveragePrecision()
    >>> round(float(m.compute(m.update(m.init(), jnp.array([[1., 0, 1]]), jnp.array([[.3, .2, .1]])))), 6)
    0.833333
    """

    _metric: ClassVar[str] = "map"


@dataclasses.dataclass(frozen=True)
class PrecisionAtK(_RankingMetric):
    """Mean over queries of Precision@k (``hits / min(k, n)``; tie-averaged unless ``ignore_ties``).

    >>> import jax.numpy as jnp
    >>> m = PrecisionAtK(k=2)
    >>> float(m.compute(m.update(m.init(), jnp.array([[1., 0, 1]]), jnp.array([[.3, .2, .1]]))))
    0.5
    """

    ignore_ties: bool = False
    _metric: ClassVar[str] = "precision"


@dataclasses.dataclass(frozen=True)
class RecallAtK(_RankingMetric):
    """Mean over queries of Recall@k (``hits / R``, 0 without relevant items).

    >>> import jax.numpy as jnp
    >>> m = RecallAtK(k=2)
    >>> float(m.compute(m.update(m.init(), jnp.array([[1., 0, 1]]), jnp.array([[.3, .2, .1]]))))
    0.5
    """

    ignore_ties: bool = False
    _metric: ClassVar[str] = "recall"


@dataclasses.dataclass(frozen=True)
class HitRateAtK(_RankingMetric):
    """Fraction of queries with at least one relevant item in the top ``k``.

    >>> import jax.numpy as jnp
    >>> m = HitRateAtK(k=1)
    >>> float(m.compute(m.update(m.init(), jnp.array([[0., 1], [1, 0]]), jnp.array([[.3, .2]] * 2))))
    0.5
    """

    _metric: ClassVar[str] = "hit_rate"
