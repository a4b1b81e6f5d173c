"""Thresholded confusion counts and the rates built on them (Keras 3 ``confusion_metrics.py``).

TruePositives, FalsePositives, TrueNegatives, FalseNegatives, Precision, Recall and the
``*At*`` family (PrecisionAtRecall, RecallAtPrecision, SensitivityAtSpecificity,
SpecificityAtSensitivity). All keep one :class:`~jmetrics.metrics._thresholds.ConfusionCounts`
state (the label weights per threshold bin; tp, fp, tn, fn are its cumulative sums), updated in
O(N + T) (see ``_thresholds``), so metrics with
the same thresholds (and top_k, class_id) share it in a collection (``stat_key``).

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

from jmetrics._checks import is_concrete
from jmetrics.metrics._base import Metric
from jmetrics.metrics._thresholds import (
    NEG_INF,
    Bins,
    ConfusionCounts,
    KerasCounts,
    bins_for,
    check_int,
    check_unit,
    confusion_check,
    confusion_init,
    confusion_update,
    dnn,
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
    """Common machinery: resolved thresholds, binning, the shared ConfusionCounts state."""

    input_kind: ClassVar[str] = "binary"
    higher_is_better: ClassVar[bool | None] = True
    # Weights Keras 3 refuses are accepted when they broadcast from the left (a (N,) weight covers
    # every element of sample n): the same as Keras fed those weights written out in full.
    sample_weight_from_left: ClassVar[bool] = True

    def bins(self) -> Bins:
        """The thresholds as Keras holds them and the Keras code path they take."""
        raise NotImplementedError

    def _top_k(self) -> int | None:
        return None

    def _class_id(self) -> int | None:
        return None

    def stat_key(self) -> Any:
        return ("confusion_counts", self.bins(), self._top_k(), self._class_id(), False, None, None,
                False)

    def init(self) -> ConfusionCounts:
        return confusion_init(len(self.bins().thresholds))

    def _options(self) -> dict[str, Any]:
        return {"top_k": self._top_k(), "class_id": self._class_id(), "multi_label": False,
                "label_weights": None, "from_logits": False}

    def check_inputs(self, *args: Any, sample_weight: Any = None) -> None:
        """Raise ``ValueError`` for a NaN or infinite label, a NaN prediction, or a weight that
        is NaN or infinite (entries of weight 0 are exempt); under ``jit`` the same inputs make
        every count NaN. Negative weights are summed as given, as Keras 3 sums them."""
        confusion_check(self.display_name, args[0], args[1], sample_weight, **self._options())

    def update(
        self, state: ConfusionCounts, y_true: Any, y_pred: Any, sample_weight: Any = None
    ) -> ConfusionCounts:
        if all(is_concrete(x) for x in (y_true, y_pred, sample_weight)):
            self.check_inputs(y_true, y_pred, sample_weight=sample_weight)
        return confusion_update(
            self.display_name, state, y_true, y_pred, sample_weight, self.bins(), **self._options()
        )

    def _one(self, x: jax.Array) -> jax.Array:
        """A scalar for one threshold, else the vector (Keras 3)."""
        return x[0] if x.shape[0] == 1 else x


@dataclasses.dataclass(frozen=True)
class _Count(_Thresholded):
    """One cell of the confusion matrix, summed with weights, per threshold."""

    thresholds: Any = None
    value_range: ClassVar[tuple[float | None, float | None]] = (0, None)
    _field: ClassVar[str] = "tp"

    def __post_init__(self) -> None:
        object.__setattr__(self, "thresholds", parse_thresholds(self.display_name, self.thresholds))

    def bins(self) -> Bins:
        return bins_for(self.thresholds or (0.5,))

    def compute(self, state: ConfusionCounts) -> jax.Array:
        counts = dict(zip(("tp", "fp", "tn", "fn"), values(state, self.bins()), strict=True))
        return self._one(counts[self._field])


_COUNT_DOC = """Weighted number of {what}: ``keras.metrics.{cls}``.

.. math:: {formula}

One value per threshold (a scalar for one threshold; ``thresholds=None`` means 0.5, compared
strictly: ``y_pred > t``). All elements of any rank are pooled. Equals Keras 3's result; with one
threshold, ``sklearn.metrics.confusion_matrix(y_true != 0, y_pred > t, sample_weight=w)``{cell}.
Default name ``'{name}'``. State: ``ConfusionCounts`` (pos, neg: label weights per bin, (T + 1,) float32 each).

>>> import jax.numpy as jnp
>>> m = {cls}()
>>> float(m.compute(m.update(m.init(), jnp.array({t}), jnp.array({p}))))
{out}
"""


def _count(cls_name: str, field: str, name: str, higher: bool, what: str, formula: str, cell: str,
           t: str, p: str, out: str) -> type[_Count]:
    doc = _COUNT_DOC.format(what=what, cls=cls_name, formula=formula, cell=cell, name=name, t=t,
                            p=p, out=out)
    cls = dataclasses.make_dataclass(
        cls_name, [], bases=(_Count,), frozen=True,
        namespace={"_field": field, "default_name": name, "higher_is_better": higher,
                   "__doc__": doc, "__module__": __name__},
    )
    return cls


TruePositives = _count(
    "TruePositives", "tp", "true_positives", True, "true positives",
    "tp_t = \\sum_i w_i [y_i \\ne 0][p_i > t]", "[1, 1]",
    "[0, 1, 1, 1]", "[1, 0, 1, 1]", "2.0")
FalsePositives = _count(
    "FalsePositives", "fp", "false_positives", False, "false positives",
    "fp_t = \\sum_i w_i [y_i = 0][p_i > t]", "[0, 1]",
    "[0, 1, 0, 0]", "[0, 0, 1, 1]", "2.0")
TrueNegatives = _count(
    "TrueNegatives", "tn", "true_negatives", True, "true negatives",
    "tn_t = \\sum_i w_i [y_i = 0][p_i \\le t]", "[0, 0]",
    "[0, 1, 0, 0]", "[1, 1, 0, 0]", "2.0")
FalseNegatives = _count(
    "FalseNegatives", "fn", "false_negatives", False, "false negatives",
    "fn_t = \\sum_i w_i [y_i \\ne 0][p_i \\le t]", "[1, 0]",
    "[0, 1, 1, 1]", "[0, 1, 0, 0]", "2.0")


@dataclasses.dataclass(frozen=True)
class _PrecisionRecall(KerasCounts, _Thresholded):
    thresholds: Any = None
    top_k: int | None = None
    class_id: int | None = None
    value_range: ClassVar[tuple[float | None, float | None]] = (0, 1)

    def __post_init__(self) -> None:
        name = self.display_name
        object.__setattr__(self, "thresholds", parse_thresholds(name, self.thresholds))
        check_int(name, "top_k", self.top_k, 1)
        check_int(name, "class_id", self.class_id, 0)

    def bins(self) -> Bins:
        default = 0.5 if self.top_k is None else NEG_INF
        return bins_for(self.thresholds or (default,))

    def _top_k(self) -> int | None:
        return self.top_k

    def _class_id(self) -> int | None:
        return self.class_id


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
        return self._one(dnn(tp, tp + fp))


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
        return self._one(dnn(tp, tp + fn))


@dataclasses.dataclass(frozen=True)
class _AtValue(KerasCounts, _Thresholded):
    """Max of one rate over the thresholds where another rate is >= a target (Keras 3)."""

    if TYPE_CHECKING:  # fields made per class, in Keras' order: (target, num_thresholds, class_id)
        num_thresholds: int
        class_id: int | None
    value_range: ClassVar[tuple[float | None, float | None]] = (0, 1)
    _target: ClassVar[str] = ""

    def __post_init__(self) -> None:
        name = self.display_name
        object.__setattr__(self, self._target, check_unit(name, self._target, getattr(self, self._target)))
        check_int(name, "num_thresholds", self.num_thresholds, 1, allow_none=False)
        check_int(name, "class_id", self.class_id, 0)

    def bins(self) -> Bins:
        n = self.num_thresholds
        if n == 1:
            return Bins((0.5,), False, False)
        inner = tuple((i + 1) * 1.0 / (n - 1) for i in range(n - 2))
        return Bins((0.0, *inner, 1.0), True, False)

    def _class_id(self) -> int | None:
        return self.class_id

    def _rates(self, state: ConfusionCounts) -> tuple[jax.Array, jax.Array]:
        raise NotImplementedError

    def compute(self, state: ConfusionCounts) -> jax.Array:
        constrained, dependent = self._rates(state)
        feasible = constrained >= getattr(self, self._target)
        best = jnp.max(jnp.where(feasible, dependent, 0), initial=0)
        return jnp.where(is_poisoned(state), jnp.nan, best)


_AT_DOC = """Best {dep} where {con} >= ``{target}``: ``keras.metrics.{cls}``.

.. math:: \\max \\{{ {dep_f}_t : {con_f}_t \\ge \\mathrm{{{target}}} \\}} \\quad (0 \\text{{ if none}})

over ``num_thresholds`` thresholds ``[0, 1/(n-1), ..., 1]`` (``[0.5]`` for n=1), predictions
clipped to [0, 1] and binned exactly as Keras 3 bins them; sensitivity = recall = tp/(tp+fn),
specificity = tn/(tn+fp), precision = tp/(tp+fp), each 0 when its denominator is 0. ``class_id``
selects one column. Equals Keras 3; the exact (unbinned) value follows from
``sklearn.metrics.{sk}``. Default name ``'{name}'``. State: ``ConfusionCounts`` (label weights per bin, (T + 1,) each).

>>> import jax.numpy as jnp
>>> m = {cls}({target}=0.5)
>>> s = m.update(m.init(), jnp.array([0, 0, 0, 1, 1]), jnp.array([0.0, 0.3, 0.8, 0.3, 0.8]))
>>> round(float(m.compute(s)), 4)
{out}
"""


Counts = tuple[jax.Array, jax.Array, jax.Array, jax.Array]  # (tp, fp, tn, fn), from values()


def _sens(counts: Counts) -> jax.Array:
    tp, _, _, fn = counts
    return dnn(tp, tp + fn)


def _spec(counts: Counts) -> jax.Array:
    _, fp, tn, _ = counts
    return dnn(tn, tn + fp)


def _prec(counts: Counts) -> jax.Array:
    tp, fp, _, _ = counts
    return dnn(tp, tp + fp)


def _at(cls_name: str, target: str, name: str, con: Any, dep: Any, words: tuple[str, str],
        sk: str, out: str) -> type[_AtValue]:
    doc = _AT_DOC.format(dep=words[1], con=words[0], target=target, cls=cls_name,
                         dep_f=f"\\mathrm{{{words[1]}}}", con_f=f"\\mathrm{{{words[0]}}}", sk=sk,
                         name=name, out=out)

    def _rates(self: _AtValue, state: ConfusionCounts) -> tuple[jax.Array, jax.Array]:
        counts = values(state, self.bins())
        return con(counts), dep(counts)

    return dataclasses.make_dataclass(
        cls_name,
        [(target, float), ("num_thresholds", int, dataclasses.field(default=200)),
         ("class_id", int | None, dataclasses.field(default=None))],  # type: ignore[list-item]
        bases=(_AtValue,), frozen=True,
        namespace={"_target": target, "default_name": name, "_rates": _rates, "__doc__": doc,
                   "__module__": __name__},
    )


# The field order puts the target first, as Keras: SensitivityAtSpecificity(specificity, ...).
SensitivityAtSpecificity = _at(
    "SensitivityAtSpecificity", "specificity", "sensitivity_at_specificity", _spec, _sens,
    ("specificity", "sensitivity"), "roc_curve", "0.5")
SpecificityAtSensitivity = _at(
    "SpecificityAtSensitivity", "sensitivity", "specificity_at_sensitivity", _sens, _spec,
    ("sensitivity", "specificity"), "roc_curve", "0.6667")
PrecisionAtRecall = _at(
    "PrecisionAtRecall", "recall", "precision_at_recall", _sens, _prec,
    ("recall", "precision"), "precision_recall_curve", "0.5")
RecallAtPrecision = _at(
    "RecallAtPrecision", "precision", "recall_at_precision", _prec, _sens,
    ("precision", "recall"), "precision_recall_curve", "1.0")

for _cls in (SensitivityAtSpecificity, SpecificityAtSensitivity, PrecisionAtRecall,
             RecallAtPrecision):
    _cls.example_args = {_cls._target: 0.5}  # type: ignore[attr-defined]
