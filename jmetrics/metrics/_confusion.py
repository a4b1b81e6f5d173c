"""Thresholded confusion counts and the rates built on them (Keras 3 ``confusion_metrics.py``).

TruePositives, FalsePositives, TrueNegatives, FalseNegatives, Precision, Recall and the
``*At*`` family (PrecisionAtRecall, RecallAtPrecision, SensitivityAtSpecificity,
SpecificityAtSensitivity). All keep one :class:`~jmetrics.metrics._thresholds.ConfusionCounts`
state (the label weights per threshold bin; tp, fp, tn, fn are its cumulative sums), updated in
O(N + T) (see ``_thresholds``). ``stat_key()`` returns the metric's
:class:`~jmetrics.metrics._thresholds.ConfusionSpec` (thresholds, top_k, class_id): metrics with
equal specs share one state in a collection.

Counting follows Keras 3: a label is positive when ``y_true != 0``, a prediction when
``y_pred > threshold`` (strict); all elements are pooled (any rank); ``class_id`` selects
``[..., class_id]``; ``top_k`` keeps the k largest entries of the last axis (ties to the lower
index). Rates use ``divide_no_nan`` (0 when the denominator is 0); an empty state gives 0.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any, ClassVar

import jax
import jax.numpy as jnp

from jmetrics._floor._checks import is_concrete
from jmetrics._floor._extrema import reduce_max
from jmetrics._floor._options import check_int_as_keras, check_unit_as_keras
from jmetrics.metrics._base import Metric
from jmetrics.metrics._thresholds import (
    NEG_INF,
    Bins,
    ConfusionCounts,
    ConfusionSpec,
    KerasCounts,
    bins_for,
    confusion_check,
    confusion_init,
    confusion_update,
    divide_no_nan,
    is_poisoned,
    parse_thresholds,
    values,
)

__all__ = [
    "FalseNegatives",
    "FalsePositives",
    "Precision",
    "PrecisionAtRecall",
    "Recall",
    "RecallAtPrecision",
    "SensitivityAtSpecificity",
    "SpecificityAtSensitivity",
    "TrueNegatives",
    "TruePositives",
]


@dataclasses.dataclass(frozen=True)
class _Thresholded(Metric):
    """Common machinery: the statistic (a ConfusionSpec), its shared ConfusionCounts state."""

    input_kind: ClassVar[str] = "binary"
    higher_is_better: ClassVar[bool | None] = True
    # Weights Keras 3 refuses are accepted when they broadcast from the left (a (N,) weight covers
    # every element of sample n): the same as Keras fed those weights written out in full.
    sample_weight_from_left: ClassVar[bool] = True

    def stat_key(self) -> ConfusionSpec:
        """The counts this metric reads (thresholds as Keras holds them, top_k, class_id)."""
        raise NotImplementedError

    def bins(self) -> Bins:
        """The thresholds as Keras holds them and the Keras code path they take."""
        return self.stat_key().bins

    def init(self) -> ConfusionCounts:
        return confusion_init(self.stat_key())

    def check_inputs(self, *args: Any, sample_weight: Any = None) -> None:
        """Raise ``ValueError`` for a NaN or infinite label, a NaN prediction, or a weight that
        is NaN or infinite (entries of weight 0 are exempt); under ``jit`` the same inputs make
        every count NaN. Negative weights are summed as given, as Keras 3 sums them."""
        confusion_check(self.display_name, args[0], args[1], sample_weight, self.stat_key())

    def update(
        self, state: ConfusionCounts, y_true: Any, y_pred: Any, sample_weight: Any = None
    ) -> ConfusionCounts:
        if all(is_concrete(x) for x in (y_true, y_pred, sample_weight)):
            self.check_inputs(y_true, y_pred, sample_weight=sample_weight)
        return confusion_update(
            self.display_name, state, y_true, y_pred, sample_weight, self.stat_key()
        )

    def _one(self, x: jax.Array) -> jax.Array:
        """A scalar for one threshold, else the vector (Keras 3)."""
        return x[0] if x.shape[0] == 1 else x


@dataclasses.dataclass(frozen=True)
class _Count(_Thresholded):
    """One cell of the confusion matrix, summed with weights, per threshold."""

    thresholds: Any = None
    value_range: ClassVar[tuple[float | None, float | None]] = (0, None)
    _cell: ClassVar[int] = 0  # index in values(): tp, fp, tn, fn

    def __post_init__(self) -> None:
        object.__setattr__(self, "thresholds", parse_thresholds(self.display_name, self.thresholds))

    def stat_key(self) -> ConfusionSpec:
        return ConfusionSpec(bins_for(self.thresholds or (0.5,)))

    def compute(self, state: ConfusionCounts) -> jax.Array:
        return self._one(values(state, self.bins())[self._cell])


@dataclasses.dataclass(frozen=True)
class TruePositives(_Count):
    """Weighted number of true positives: ``keras.metrics.TruePositives``.

    .. math:: tp_t = \\sum_i w_i [y_i \\ne 0][p_i > t]

    One value per threshold (a scalar for one threshold; ``thresholds=None`` means 0.5, compared
    strictly: ``y_pred > t``). All elements of any rank are pooled. Equals Keras 3's result; with
    one threshold, ``sklearn.metrics.confusion_matrix(y_true != 0, y_pred > t,
    sample_weight=w)[1, 1]``. Default name ``'true_positives'``. State: ``ConfusionCounts`` (pos,
    neg: label weights per bin, (T + 1,) float32 each).

    >>> import jax.numpy as jnp
    >>> m = TruePositives()
    >>> float(m.compute(m.update(m.init(), jnp.array([0, 1, 1, 1]), jnp.array([1, 0, 1, 1]))))
    2.0
    """

    default_name = "true_positives"
    higher_is_better = True
    _cell = 0


@dataclasses.dataclass(frozen=True)
class FalsePositives(_Count):
    """Weighted number of false positives: ``keras.metrics.FalsePositives``.

    .. math:: fp_t = \\sum_i w_i [y_i = 0][p_i > t]

    Options and pooling as :class:`TruePositives`. Equals Keras 3's result; with one threshold,
    ``sklearn.metrics.confusion_matrix(y_true != 0, y_pred > t, sample_weight=w)[0, 1]``.
    Default name ``'false_positives'``. State: ``ConfusionCounts``.

    >>> import jax.numpy as jnp
    >>> m = FalsePositives()
    >>> float(m.compute(m.update(m.init(), jnp.array([0, 1, 0, 0]), jnp.array([0, 0, 1, 1]))))
    2.0
    """

    default_name = "false_positives"
    higher_is_better = False
    _cell = 1


@dataclasses.dataclass(frozen=True)
class TrueNegatives(_Count):
    """Weighted number of true negatives: ``keras.metrics.TrueNegatives``.

    .. math:: tn_t = \\sum_i w_i [y_i = 0][p_i \\le t]

    Options and pooling as :class:`TruePositives`. Equals Keras 3's result; with one threshold,
    ``sklearn.metrics.confusion_matrix(y_true != 0, y_pred > t, sample_weight=w)[0, 0]``.
    Default name ``'true_negatives'``. State: ``ConfusionCounts``.

    >>> import jax.numpy as jnp
    >>> m = TrueNegatives()
    >>> float(m.compute(m.update(m.init(), jnp.array([0, 1, 0, 0]), jnp.array([1, 1, 0, 0]))))
    2.0
    """

    default_name = "true_negatives"
    higher_is_better = True
    _cell = 2


@dataclasses.dataclass(frozen=True)
class FalseNegatives(_Count):
    """Weighted number of false negatives: ``keras.metrics.FalseNegatives``.

    .. math:: fn_t = \\sum_i w_i [y_i \\ne 0][p_i \\le t]

    Options and pooling as :class:`TruePositives`. Equals Keras 3's result; with one threshold,
    ``sklearn.metrics.confusion_matrix(y_true != 0, y_pred > t, sample_weight=w)[1, 0]``.
    Default name ``'false_negatives'``. State: ``ConfusionCounts``.

    >>> import jax.numpy as jnp
    >>> m = FalseNegatives()
    >>> float(m.compute(m.update(m.init(), jnp.array([0, 1, 1, 1]), jnp.array([0, 1, 0, 0]))))
    2.0
    """

    default_name = "false_negatives"
    higher_is_better = False
    _cell = 3


@dataclasses.dataclass(frozen=True)
class _PrecisionRecall(KerasCounts, _Thresholded):
    thresholds: Any = None
    top_k: int | None = None
    class_id: int | None = None
    value_range: ClassVar[tuple[float | None, float | None]] = (0, 1)

    def __post_init__(self) -> None:
        name = self.display_name
        object.__setattr__(self, "thresholds", parse_thresholds(name, self.thresholds))
        check_int_as_keras(name, "top_k", self.top_k, 1)
        check_int_as_keras(name, "class_id", self.class_id, 0)

    def stat_key(self) -> ConfusionSpec:
        default = 0.5 if self.top_k is None else NEG_INF
        return ConfusionSpec(bins_for(self.thresholds or (default,)), self.top_k, self.class_id)


@dataclasses.dataclass(frozen=True)
class Precision(_PrecisionRecall):
    """Precision ``tp / (tp + fp)`` per threshold: ``keras.metrics.Precision``.

    .. math:: \\mathrm{precision}_t = \\frac{\\sum_i w_i [y_i \\ne 0][p_i > t]}
              {\\sum_i w_i [p_i > t]}, \\quad 0 \\text{ when no predicted positives}

    ``thresholds=None`` means 0.5, or -1e10 with ``top_k`` (every top-k entry is positive);
    ``top_k`` keeps the k largest entries of the last axis, ``class_id`` selects one column.
    A scalar for one threshold, else a vector. Equals Keras 3; with one threshold it equals
    ``sklearn.metrics.precision_score(y_true != 0, y_pred > t, sample_weight=w, zero_division=0)``
    on the pooled elements. Default name ``'precision'``. State: ``ConfusionCounts``.

    >>> import jax.numpy as jnp
    >>> m = Precision()
    >>> float(m.compute(m.update(m.init(), jnp.array([0, 1, 1, 1]), jnp.array([1, 0, 1, 1]))))
    0.6666666865348816
    """

    default_name = "precision"

    def compute(self, state: ConfusionCounts) -> jax.Array:
        tp, fp, _, _ = values(state, self.bins())
        return self._one(divide_no_nan(tp, tp + fp))


@dataclasses.dataclass(frozen=True)
class Recall(_PrecisionRecall):
    """Recall ``tp / (tp + fn)`` per threshold: ``keras.metrics.Recall``.

    .. math:: \\mathrm{recall}_t = \\frac{\\sum_i w_i [y_i \\ne 0][p_i > t]}
              {\\sum_i w_i [y_i \\ne 0]}, \\quad 0 \\text{ when no positives}

    Options as :class:`Precision`. Equals Keras 3; with one threshold it equals
    ``sklearn.metrics.recall_score(y_true != 0, y_pred > t, sample_weight=w, zero_division=0)``.
    Default name ``'recall'``. State: ``ConfusionCounts`` (shared with Precision).

    >>> import jax.numpy as jnp
    >>> m = Recall()
    >>> float(m.compute(m.update(m.init(), jnp.array([0, 1, 1, 1]), jnp.array([1, 0, 1, 1]))))
    0.6666666865348816
    """

    default_name = "recall"

    def compute(self, state: ConfusionCounts) -> jax.Array:
        tp, _, _, fn = values(state, self.bins())
        return self._one(divide_no_nan(tp, tp + fn))


@dataclasses.dataclass(frozen=True)
class _AtValue(KerasCounts, _Thresholded):
    """Max of one rate over the thresholds where another rate is >= a target (Keras 3)."""

    if TYPE_CHECKING:  # fields of each class, in Keras' order: (target, num_thresholds, class_id)
        @property
        def num_thresholds(self) -> int: ...

        @property
        def class_id(self) -> int | None: ...

    value_range: ClassVar[tuple[float | None, float | None]] = (0, 1)
    _target: ClassVar[str] = ""  # the field holding the target of the constrained rate

    def __post_init__(self) -> None:
        name = self.display_name
        target = check_unit_as_keras(name, self._target, getattr(self, self._target))
        object.__setattr__(self, self._target, target)
        check_int_as_keras(name, "num_thresholds", self.num_thresholds, 1, allow_none=False)
        check_int_as_keras(name, "class_id", self.class_id, 0)

    def stat_key(self) -> ConfusionSpec:
        n = self.num_thresholds
        if n == 1:
            return ConfusionSpec(Bins((0.5,), False, False), class_id=self.class_id)
        inner = tuple((i + 1) * 1.0 / (n - 1) for i in range(n - 2))
        return ConfusionSpec(Bins((0.0, *inner, 1.0), True, False), class_id=self.class_id)

    def _rates(self, counts: Counts) -> tuple[jax.Array, jax.Array]:
        """``(constrained, dependent)`` rates per threshold."""
        raise NotImplementedError

    def compute(self, state: ConfusionCounts) -> jax.Array:
        constrained, dependent = self._rates(values(state, self.bins()))
        feasible = constrained >= getattr(self, self._target)
        best = reduce_max(jnp.where(feasible, dependent, 0), initial=0)
        return jnp.where(is_poisoned(state), jnp.nan, best)


Counts = tuple[jax.Array, jax.Array, jax.Array, jax.Array]  # (tp, fp, tn, fn), from values()


def _sensitivity(counts: Counts) -> jax.Array:
    """Recall, the true positive rate: tp / (tp + fn)."""
    tp, _, _, fn = counts
    return divide_no_nan(tp, tp + fn)


def _specificity(counts: Counts) -> jax.Array:
    """The true negative rate: tn / (tn + fp)."""
    _, fp, tn, _ = counts
    return divide_no_nan(tn, tn + fp)


def _precision(counts: Counts) -> jax.Array:
    """tp / (tp + fp)."""
    tp, fp, _, _ = counts
    return divide_no_nan(tp, tp + fp)


@dataclasses.dataclass(frozen=True)
class SensitivityAtSpecificity(_AtValue):
    """Best sensitivity where specificity >= ``specificity``:
    ``keras.metrics.SensitivityAtSpecificity``.

    .. math:: \\max \\{ \\mathrm{sensitivity}_t : \\mathrm{specificity}_t \\ge
              \\mathrm{specificity} \\} \\quad (0 \\text{ if none})

    over ``num_thresholds`` thresholds ``[0, 1/(n-1), ..., 1]`` (``[0.5]`` for n=1), predictions
    clipped to [0, 1] and binned exactly as Keras 3 bins them; sensitivity = recall =
    tp/(tp+fn), specificity = tn/(tn+fp), each 0 when its denominator is 0. ``class_id`` selects
    one column. Equals Keras 3; the exact (unbinned) value follows from
    ``sklearn.metrics.roc_curve``. Default name ``'sensitivity_at_specificity'``. State:
    ``ConfusionCounts`` (label weights per bin, (T + 1,) each).

    >>> import jax.numpy as jnp
    >>> m = SensitivityAtSpecificity(specificity=0.5)
    >>> s = m.update(m.init(), jnp.array([0, 0, 0, 1, 1]), jnp.array([0.0, 0.3, 0.8, 0.3, 0.8]))
    >>> round(float(m.compute(s)), 4)
    0.5
    """

    specificity: float
    num_thresholds: int = 200
    class_id: int | None = None

    default_name = "sensitivity_at_specificity"
    example_args = {"specificity": 0.5}
    _target = "specificity"

    def _rates(self, counts: Counts) -> tuple[jax.Array, jax.Array]:
        return _specificity(counts), _sensitivity(counts)


@dataclasses.dataclass(frozen=True)
class SpecificityAtSensitivity(_AtValue):
    """Best specificity where sensitivity >= ``sensitivity``:
    ``keras.metrics.SpecificityAtSensitivity``.

    .. math:: \\max \\{ \\mathrm{specificity}_t : \\mathrm{sensitivity}_t \\ge
              \\mathrm{sensitivity} \\} \\quad (0 \\text{ if none})

    Thresholds, binning, rates and ``class_id`` as :class:`SensitivityAtSpecificity`. Equals
    Keras 3; the exact (unbinned) value follows from ``sklearn.metrics.roc_curve``. Default name
    ``'specificity_at_sensitivity'``. State: ``ConfusionCounts``.

    >>> import jax.numpy as jnp
    >>> m = SpecificityAtSensitivity(sensitivity=0.5)
    >>> s = m.update(m.init(), jnp.array([0, 0, 0, 1, 1]), jnp.array([0.0, 0.3, 0.8, 0.3, 0.8]))
    >>> round(float(m.compute(s)), 4)
    0.6667
    """

    sensitivity: float
    num_thresholds: int = 200
    class_id: int | None = None

    default_name = "specificity_at_sensitivity"
    example_args = {"sensitivity": 0.5}
    _target = "sensitivity"

    def _rates(self, counts: Counts) -> tuple[jax.Array, jax.Array]:
        return _sensitivity(counts), _specificity(counts)


@dataclasses.dataclass(frozen=True)
class PrecisionAtRecall(_AtValue):
    """Best precision where recall >= ``recall``: ``keras.metrics.PrecisionAtRecall``.

    .. math:: \\max \\{ \\mathrm{precision}_t : \\mathrm{recall}_t \\ge \\mathrm{recall} \\}
              \\quad (0 \\text{ if none})

    Thresholds, binning and ``class_id`` as :class:`SensitivityAtSpecificity`; precision =
    tp/(tp+fp), 0 when no predicted positives. Equals Keras 3; the exact (unbinned) value follows
    from ``sklearn.metrics.precision_recall_curve``. Default name ``'precision_at_recall'``.
    State: ``ConfusionCounts``.

    >>> import jax.numpy as jnp
    >>> m = PrecisionAtRecall(recall=0.5)
    >>> s = m.update(m.init(), jnp.array([0, 0, 0, 1, 1]), jnp.array([0.0, 0.3, 0.8, 0.3, 0.8]))
    >>> round(float(m.compute(s)), 4)
    0.5
    """

    recall: float
    num_thresholds: int = 200
    class_id: int | None = None

    default_name = "precision_at_recall"
    example_args = {"recall": 0.5}
    _target = "recall"

    def _rates(self, counts: Counts) -> tuple[jax.Array, jax.Array]:
        return _sensitivity(counts), _precision(counts)


@dataclasses.dataclass(frozen=True)
class RecallAtPrecision(_AtValue):
    """Best recall where precision >= ``precision``: ``keras.metrics.RecallAtPrecision``.

    .. math:: \\max \\{ \\mathrm{recall}_t : \\mathrm{precision}_t \\ge \\mathrm{precision} \\}
              \\quad (0 \\text{ if none})

    Thresholds, binning and ``class_id`` as :class:`SensitivityAtSpecificity`. Equals Keras 3;
    the exact (unbinned) value follows from ``sklearn.metrics.precision_recall_curve``. Default
    name ``'recall_at_precision'``. State: ``ConfusionCounts``.

    >>> import jax.numpy as jnp
    >>> m = RecallAtPrecision(precision=0.5)
    >>> s = m.update(m.init(), jnp.array([0, 0, 0, 1, 1]), jnp.array([0.0, 0.3, 0.8, 0.3, 0.8]))
    >>> round(float(m.compute(s)), 4)
    1.0
    """

    precision: float
    num_thresholds: int = 200
    class_id: int | None = None

    default_name = "recall_at_precision"
    example_args = {"precision": 0.5}
    _target = "precision"

    def _rates(self, counts: Counts) -> tuple[jax.Array, jax.Array]:
        return _precision(counts), _sensitivity(counts)
