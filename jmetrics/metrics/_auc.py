"""Binned area under the ROC or PR curve (Keras 3 ``keras.metrics.AUC``), updated in O(N + T)."""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

import jax
import jax.numpy as jnp
import numpy as np

from jmetrics._floor._checks import accum_dtype, is_concrete
from jmetrics._floor._extrema import maximum, minimum
from jmetrics._floor._options import check_int_as_keras
from jmetrics.metrics._base import ListView, Metric
from jmetrics.metrics._inferred_width import InferredWidth
from jmetrics.metrics._thresholds import (
    EPSILON,
    Bins,
    ConfusionCounts,
    ConfusionSpec,
    KerasCounts,
    confusion_check,
    confusion_init,
    confusion_update,
    divide_no_nan,
    is_evenly_distributed,
    parse_thresholds,
    values,
)

__all__ = ["AUC"]

_CURVES = {"ROC": "ROC", "roc": "ROC", "PR": "PR", "pr": "PR", "PRGAIN": "PRGAIN", "prgain": "PRGAIN"}
_METHODS = {m: m.lower() for m in ("interpolation", "Interpolation", "majoring", "Majoring",
                                   "minoring", "Minoring")}


def _is_key(value: Any, table: dict[str, str]) -> bool:
    """True when ``value`` is one of ``table``'s spellings (an unhashable value is not)."""
    return isinstance(value, str) and value in table


class _BuiltThresholds:
    """AUC's ``thresholds`` field: given as the inner thresholds (or None), read as the built grid.

    Keras 3 reports ``AUC(num_thresholds=3).thresholds`` as ``[-eps, 0.5, 1 + eps]`` and
    ``get_config()`` gives back the thresholds passed (without the endpoints), or no
    ``thresholds`` key when none were. Equal grids (and options) make equal metrics.
    """

    def __get__(self, obj: Any, owner: Any = None) -> Any:
        if obj is None:
            return None  # the dataclass default
        return ListView(obj.bins().thresholds)

    def __set__(self, obj: Any, value: Any) -> None:
        obj.__dict__["_given_thresholds"] = value


@dataclasses.dataclass(frozen=True)
class AUC(KerasCounts, InferredWidth, Metric):
    """Area under the ROC or precision-recall curve, binned: ``keras.metrics.AUC``.

    Predictions are binned at ``T = num_thresholds`` thresholds ``[-eps, 1/(T-1), ..., (T-2)/(T-1),
    1+eps]`` (or the sorted ``thresholds`` given, plus the two endpoints), giving confusion counts
    per threshold (tp, fp, tn, fn). With TPR = tp/(tp+fn), FPR = fp/(fp+tn), precision =
    tp/(tp+fp) (each 0 when its denominator is 0) and ``(x, y)`` = (FPR, TPR) for ``curve='ROC'``,
    (recall, precision) for ``'PR'``:

    .. math:: \\mathrm{AUC} = \\sum_{i=0}^{T-2} (x_i - x_{i+1})\\, h_i, \\quad
              h_i = \\tfrac{1}{2}(y_i + y_{i+1}) \\text{ (interpolation)},\\ \\min \\text{ (minoring)},
              \\ \\max \\text{ (majoring)}

    except ``curve='PR'`` with interpolation, which integrates precision with the Davis-Goadrich
    rule (tp and tp+fp interpolated linearly between thresholds; Keras 3's ``interpolate_pr_auc``).
    ``curve='PRGAIN'`` is Keras 3's precision-recall-gain curve. ``multi_label=True`` keeps one
    curve per column of a rank-2 ``y_pred`` and averages the AUCs (weighted by ``label_weights``);
    otherwise all elements are pooled and ``label_weights`` weigh each column's elements.
    ``from_logits`` applies a sigmoid first.

    Equals Keras 3 (same bins, same float32 bin arithmetic: predictions are clipped to [0, 1] on
    an evenly spaced grid). As the bins get finer it approaches
    ``sklearn.metrics.roc_auc_score`` (and, for PR, ``average_precision_score``); see
    docs/exact-vs-binned-auc.md. Default name ``'auc'``. With ``multi_label=True`` the state has
    one column per label: the pure ``init()`` needs ``num_labels`` (or ``label_weights``); the
    eager face (``update_state``, ``metric(...)``), a ``Collection`` and ``evaluate`` take it from
    the first batch's ``y_pred.shape[-1]`` when neither is given, as Keras 3 does.

    State: ``ConfusionCounts`` (pos, neg: label weights per bin; (T + 1,) float32 each, or
    (T + 1, num_labels)).
    An empty state gives 0 (Keras 3).

    >>> import jax.numpy as jnp
    >>> m = AUC(num_thresholds=3)
    >>> float(m.compute(m.update(m.init(), jnp.array([0, 0, 1, 1]), jnp.array([0, 0.5, 0.3, 0.9]))))
    0.75
    """

    num_thresholds: int = 200
    curve: str = "ROC"
    summation_method: str = "interpolation"
    thresholds: Any = _BuiltThresholds()
    multi_label: bool = False
    num_labels: int | None = None
    label_weights: Any = None
    from_logits: bool = False

    default_name = "auc"
    higher_is_better = True
    value_range = (0, 1)
    input_kind = "binary"
    # Weights Keras 3 refuses are accepted when they broadcast from the left (a (N,) weight covers
    # every element of sample n): the same as Keras fed those weights written out in full.
    sample_weight_from_left: ClassVar[bool] = True
    width_option = "num_labels"

    def __post_init__(self) -> None:
        name = self.display_name
        if not _is_key(self.curve, _CURVES):
            raise ValueError(f'{name}: Invalid AUC curve value: "{self.curve}". curve must be one '
                             'of "ROC", "PR", "PRGAIN" (or in lower case).')
        if not _is_key(self.summation_method, _METHODS):
            raise ValueError(f'{name}: Invalid AUC summation method value: '
                             f'"{self.summation_method}". summation_method must be one of '
                             '"interpolation", "majoring", "minoring" (or capitalized).')
        object.__setattr__(self, "curve", _CURVES[self.curve])
        object.__setattr__(self, "summation_method", _METHODS[self.summation_method])
        given = parse_thresholds(name, self._given())
        if given is None:
            check_int_as_keras(name, "num_thresholds", self.num_thresholds, 2, allow_none=False)
        else:  # Keras 3: the given thresholds and the two endpoints
            given = tuple(sorted(given))
            object.__setattr__(self, "num_thresholds", len(given) + 2)
        object.__setattr__(self, "thresholds", given)
        for opt in ("multi_label", "from_logits"):
            if not isinstance(getattr(self, opt), (bool, np.bool_)):
                raise TypeError(f"{name}: {opt} must be a bool; got {getattr(self, opt)!r}.")
        check_int_as_keras(name, "num_labels", self.num_labels, 1)
        if self.label_weights is not None:
            lw = np.atleast_1d(np.asarray(self.label_weights, np.float64))
            if lw.ndim != 1 or not np.all(np.isfinite(lw)) or np.any(lw < 0):
                raise ValueError(f"{name}: label_weights must be a list of non-negative numbers; "
                                 f"got {self.label_weights!r}.")
            object.__setattr__(self, "label_weights", tuple(float(x) for x in lw))
        if not self.multi_label and self.num_labels:
            raise ValueError(f"{name}: num_labels is needed only when multi_label=True; got "
                             f"num_labels={self.num_labels}.")
        if self.multi_label:
            n = self._labels()
            if n is not None and self.label_weights is not None and len(self.label_weights) != n:
                raise ValueError(f"{name}: label_weights must have num_labels={n} entries; got "
                                 f"{len(self.label_weights)}.")

    def _labels(self) -> int | None:
        if not self.multi_label:
            return None
        if self.num_labels:
            return int(self.num_labels)
        return None if self.label_weights is None else len(self.label_weights)

    def _given(self) -> Any:
        """The ``thresholds`` passed (sorted tuple after ``__post_init__``), or None."""
        return self.__dict__.get("_given_thresholds")

    def get_config(self) -> dict[str, Any]:
        """As Keras 3: ``thresholds`` only when given, as given (sorted, no endpoints)."""
        config = super().get_config()
        given = self._given()
        if given is None:
            del config["thresholds"]
        else:
            config["thresholds"] = list(given)
        return config

    def bins(self) -> Bins:
        """Keras 3's thresholds (with the -eps / 1+eps endpoints) and its code path."""
        if self._given() is not None:
            inner = tuple(self._given())
            even = is_evenly_distributed((0.0, *inner, 1.0))
        else:
            n = self.num_thresholds
            inner = tuple((i + 1) * 1.0 / (n - 1) for i in range(n - 2))
            even = True
        return Bins((0.0 - EPSILON, *inner, 1.0 + EPSILON), even, True)

    def stat_key(self) -> ConfusionSpec:
        """The counts on this grid; label weights of a multi-label AUC weigh only the result."""
        lw = None if self.multi_label else self.label_weights
        return ConfusionSpec(self.bins(), multi_label=self.multi_label, num_labels=self._labels(),
                             label_weights=lw, from_logits=self.from_logits)

    def width(self) -> int | None:
        """The number of labels of a multi-label state (``num_labels`` or ``len(label_weights)``)."""
        return self._labels()

    def needs_width(self) -> bool:
        return bool(self.multi_label) and self._labels() is None

    def init(self) -> ConfusionCounts:
        if self.needs_width():
            raise ValueError(
                f"{self.display_name}: num_labels must be given when multi_label=True to build a "
                "state with init(); got num_labels=None. Pass num_labels=y_pred.shape[-1] (or "
                "label_weights); update_state infers it from the first batch, as Keras does."
            )
        return confusion_init(self.stat_key())

    def init_width(self, width: int) -> ConfusionCounts:
        return confusion_init(self.stat_key()._replace(num_labels=width))

    def _eager_init(self, *inputs: Any) -> ConfusionCounts:
        """Keras 3's check: a multi-label ``y_pred`` whose labels fix the width has rank 2."""
        shape = np.shape(inputs[-1])
        if self.needs_width() and len(shape) != 2:
            raise ValueError(
                f"{self.display_name}: `y_pred` must have rank 2 when `multi_label=True`. Found "
                f"rank {len(shape)}. Full shape received for `y_pred`: {tuple(shape)}."
            )
        return super()._eager_init(*inputs)

    def check_inputs(self, *args: Any, sample_weight: Any = None) -> None:
        """Raise ``ValueError`` for a NaN or infinite label, a NaN score, or a weight that is NaN
        or infinite (entries of weight 0 are exempt); under ``jit`` the same inputs make the
        result NaN. Negative weights are summed as given, as Keras 3 sums them."""
        confusion_check(self.display_name, args[0], args[1], sample_weight, self.stat_key())

    def update(
        self, state: ConfusionCounts, y_true: Any, y_pred: Any, sample_weight: Any = None
    ) -> ConfusionCounts:
        if all(is_concrete(x) for x in (y_true, y_pred, sample_weight)):
            self.check_inputs(y_true, y_pred, sample_weight=sample_weight)
        return confusion_update(
            self.display_name, state, y_true, y_pred, sample_weight, self.stat_key()
        )

    def _average(self, by_threshold: jax.Array) -> jax.Array:
        per_label = jnp.sum(by_threshold, axis=0)
        if not self.multi_label:
            return per_label
        if self.label_weights is None:
            return jnp.mean(per_label)
        lw = jnp.asarray(np.asarray(self.label_weights, np.float32), accum_dtype())
        return divide_no_nan(jnp.sum(per_label * lw), jnp.sum(lw))

    def _interpolate_pr(self, tp: jax.Array, fp: jax.Array, fn: jax.Array) -> jax.Array:
        dtp = tp[:-1] - tp[1:]
        p = tp + fp
        dp = p[:-1] - p[1:]
        slope = divide_no_nan(dtp, maximum(dp, 0))
        intercept = tp[1:] - slope * p[1:]
        ratio = jnp.where((p[:-1] > 0) & (p[1:] > 0),
                          divide_no_nan(p[:-1], maximum(p[1:], 0)), 1.0)
        inc = divide_no_nan(slope * (dtp + intercept * jnp.log(ratio)),
                            maximum(tp[1:] + fn[1:], 0))
        return self._average(inc)

    def compute(self, state: ConfusionCounts) -> jax.Array:
        tp, fp, tn, fn = values(state, self.bins())
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self._interpolate_pr(tp, fp, fn)
        recall = divide_no_nan(tp, tp + fn)
        if self.curve == "ROC":
            x, y = divide_no_nan(fp, fp + tn), recall
        elif self.curve == "PR":
            x, y = recall, divide_no_nan(tp, tp + fp)
        else:  # PRGAIN (Keras 3)
            scale = divide_no_nan(tp + fn, tn + fp)
            x = jnp.where(tp == 0, 0.0, 1.0 - scale * divide_no_nan(fn, tp))
            y = jnp.where(tp == 0, 1.0, 1.0 - scale * divide_no_nan(fp, tp))
            x = maximum(x, 0.0)
        if self.summation_method == "interpolation":
            h = (y[:-1] + y[1:]) / 2.0
        elif self.summation_method == "minoring":
            h = minimum(y[:-1], y[1:])
        else:
            h = maximum(y[:-1], y[1:])
        return self._average((x[:-1] - x[1:]) * h)
