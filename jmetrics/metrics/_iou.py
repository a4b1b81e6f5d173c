"""The IoU family: IoU, BinaryIoU, MeanIoU, OneHotIoU, OneHotMeanIoU over one confusion matrix.

Every class keeps one weighted ``num_classes x num_classes`` confusion matrix (rows ``y_true``,
columns ``y_pred``), accumulated per batch by one ``bincount`` of ``num_classes * y_true + y_pred``
(never a one-hot ``N x C x C`` tensor) and folded into a compensated sum. From it,

.. math:: \\mathrm{IoU}_c = \\frac{tp_c}{tp_c + fp_c + fn_c}
          = \\frac{M_{cc}}{\\sum_j M_{cj} + \\sum_i M_{ic} - M_{cc}},

averaged over the target classes whose denominator is positive (Keras 3 adds ``eps = 1e-7`` to both
denominators, and so do we, so results agree with Keras to float rounding).

Differences from Keras 3, on purpose (docs/keras-compat.md): Keras 3 accumulates in its default
dtype ``"int"`` and truncates float ``sample_weight`` to integers (0.3 counts as 0); jmetrics keeps
fractional weights exact and warns (``UserWarning``, where Keras warns of the cast) when float
weights hold a non-integer value. Class ids outside ``[0, num_classes)`` in ``y_true`` or
``y_pred`` are dropped, as Keras 3 drops them (eagerly and under ``jit``). Rows of weight 0 are
never checked: padding may hold any label. Bad input: a NaN, infinite or fractional class id
(Keras truncates 1.5 to 1), a one-hot ``y_true`` value outside [0, 1], a NaN in a probability
row (argmax would pick it), a NaN ``BinaryIoU`` score and a weight that is NaN, infinite or
negative: ``ValueError`` eagerly, a NaN result under ``jit``.
"""

from __future__ import annotations

import dataclasses
import warnings
from typing import Any, ClassVar, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from jmetrics._floor._checks import accum_dtype, as_array, is_concrete
from jmetrics._floor._options import check_bool, check_int
from jmetrics.metrics._base import ListOption, Metric
from jmetrics.metrics._blocks import bincount
from jmetrics.metrics._state import KSum, ksum, ksum_add, ksum_value
from jmetrics.metrics._validate import (
    check_weights,
    fail_if,
    isnan,
    nonfinite,
    np_float,
    poison,
)

__all__ = ["BinaryIoU", "IoU", "MeanIoU", "OneHotIoU", "OneHotMeanIoU"]

_EPS = 1e-7  # Keras 3 backend.epsilon()


class IoUSpec(NamedTuple):
    """The IoU family's statistic (hashable): metrics with equal specs share one confusion matrix.

    The target classes only shape the result (IoU over classes 0 and 2, MeanIoU over all), so
    they are not in it.
    """

    num_classes: int  # C of the (C, C) matrix
    ignore_class: int | None  # y_true class left out of the counts
    sparse_y_true: bool  # y_true holds class ids (else one-hot/scores: argmax over axis)
    sparse_y_pred: bool  # y_pred holds class ids (else scores: argmax over axis)
    axis: int | None  # the class axis of the dense inputs (None when both are sparse)
    threshold: float | None  # BinaryIoU: y_pred > threshold is class 1 (None: not binary scores)


class IoUState(NamedTuple):
    """State of every IoU-family metric: one weighted confusion matrix."""

    confusion: KSum  # (C, C) accum dtype, sum of w over samples with y_true = row, y_pred = column


def _warn_fractional_weights(metric: str, sample_weight: Any, w: np.ndarray) -> None:
    """Warn (``UserWarning``) when float ``sample_weight`` holds a non-integer value: Keras 3's IoU
    classes (dtype ``"int"``) would truncate it, jmetrics counts it exactly."""
    if jnp.issubdtype(np.asarray(sample_weight).dtype, jnp.inexact) and np.any(w != np.trunc(w)):
        warnings.warn(
            f"{metric}: sample_weight is float but Keras' IoU dtype is int; Keras would truncate "
            "these weights by casting, jmetrics counts them exactly; pass integer weights for "
            "identical results.", UserWarning, stacklevel=4)


def _target_ids(metric: str, ids: Any, num_classes: int) -> tuple[int, ...]:
    if isinstance(ids, (str, bytes)) or not hasattr(ids, "__iter__"):
        raise ValueError(
            f"{metric}: target_class_ids must be a sequence of class ids in "
            f"[0, {num_classes - 1}]; got {ids!r}."
        )
    out = tuple(check_int(metric, "target_class_ids", i) for i in ids)
    if not out or min(out) < 0 or max(out) >= num_classes:
        raise ValueError(
            f"{metric}: target_class_ids must be a non-empty sequence of class ids in "
            f"[0, {num_classes - 1}]; got {list(out)}."
        )
    return out


@dataclasses.dataclass(frozen=True)
class _IoUBase(Metric):
    """Shared update/compute; subclasses say which options they expose as fields."""

    higher_is_better = True
    value_range = (0.0, 1.0)
    input_kind = "labels"
    # Keras 3 truncates float sample weights in this family: the common Keras oracle test feeds it
    # integer weights (fractional weights are tested against scikit-learn instead).
    keras_oracle_weights: ClassVar[str] = "integer"
    # Weights Keras 3 refuses are accepted when they broadcast from the left (a (N,) weight covers
    # every element of sample n): the same as Keras fed those weights written out in full.
    sample_weight_from_left: ClassVar[bool] = True

    # The confusion-matrix options; fields in subclasses, fixed values otherwise.
    def _cm_options(self) -> tuple[int, int | None, bool, bool, int, float | None]:
        """(num_classes, ignore_class, sparse_y_true, sparse_y_pred, axis, threshold)."""
        raise NotImplementedError

    def _targets(self) -> tuple[int, ...]:
        raise NotImplementedError

    def _check_common(self) -> None:
        metric = type(self).__name__
        c = check_int(metric, "num_classes", getattr(self, "num_classes", 2), low=1)
        if getattr(self, "ignore_class", None) is not None:
            check_int(metric, "ignore_class", self.ignore_class)  # type: ignore[attr-defined]
        for flag in ("sparse_y_true", "sparse_y_pred"):
            if hasattr(self, flag):
                object.__setattr__(self, flag, check_bool(metric, flag, getattr(self, flag), ValueError))
        if hasattr(self, "axis"):
            check_int(metric, "axis", self.axis)  # type: ignore[attr-defined]
        if hasattr(self, "target_class_ids"):
            object.__setattr__(self, "target_class_ids", _target_ids(metric, self.target_class_ids, c))

    def stat_key(self) -> IoUSpec:
        c, ignore, st, sp, axis, threshold = self._cm_options()
        return IoUSpec(c, ignore, st, sp, None if (st and sp) else axis, threshold)

    def init(self) -> IoUState:
        c = self._cm_options()[0]
        return IoUState(ksum((c, c)))

    def _bad_entries(self, x: jax.Array, arg: str) -> tuple[jax.Array, str]:
        """Where ``x`` (y_true or y_pred, as given) is bad, entry by entry, and what it must be.

        Class ids must be whole numbers (NaN, inf and fractions name no class; an id outside
        ``[0, num_classes)`` is not bad, it is dropped as Keras 3 drops it). One-hot ``y_true``
        rows must hold values in [0, 1] (one-hot or probabilities). A probability row of
        ``y_pred``, or a ``BinaryIoU`` score, must not hold NaN (argmax would pick it; inf is
        ordered).
        """
        c, _, sparse_t, sparse_p, _, threshold = self._cm_options()
        if arg == "y_pred" and (threshold is not None or not sparse_p):
            what = "a number, not NaN (inf is ordered)" if threshold is not None else (
                "rows without NaN (argmax would pick it)")
            return isnan(x), what
        if sparse_t if arg == "y_true" else sparse_p:
            frac = isnan(x) | (x != jnp.trunc(x)) if jnp.issubdtype(x.dtype, jnp.inexact) else (
                jnp.zeros(x.shape, bool))
            return nonfinite(x) | frac, (
                "whole-number class ids (NaN, inf and fractions name no class; ids outside "
                f"[0, {c - 1}] are dropped, as Keras 3 drops them)")
        return ~((x >= 0) & (x <= 1)), "one-hot or probability rows, with values in [0, 1]"

    def _labels(self, y_true: Any, y_pred: Any
                ) -> tuple[jax.Array, jax.Array, tuple[jax.Array, jax.Array]]:
        """Integer class ids of y_true and y_pred, as Keras 3 derives them (not yet flattened),
        and where each is bad (flat, one flag per class id: :meth:`_bad_entries`, any entry of a
        one-hot row)."""
        name = self.display_name
        _, _, sparse_t, sparse_p, axis, threshold = self._cm_options()
        t = as_array(y_true, "y_true", name)
        p = as_array(y_pred, "y_pred", name)
        for arr, sparse, arg in ((t, sparse_t, "y_true"), (p, sparse_p, "y_pred")):
            if not sparse and arr.ndim < 2:
                raise ValueError(
                    f"{name}: one-hot {arg} must have a batch axis and a class axis (rank >= 2, "
                    f"as Keras 3 requires); got {arg} of shape {tuple(arr.shape)}."
                )
            if not sparse and not -arr.ndim <= axis < arr.ndim:
                raise ValueError(
                    f"{name}: axis must index the one-hot axis of {arg}; got axis={axis} for "
                    f"{arg} of shape {tuple(arr.shape)}."
                )
        bad = []
        for arr, sparse, arg in ((t, sparse_t, "y_true"), (p, sparse_p, "y_pred")):
            b = self._bad_entries(arr, arg)[0]
            bad.append(b if sparse else jnp.any(b, axis=axis))
        if threshold is not None:
            p = (p.astype(jnp.float32) >= threshold).astype(jnp.int32)
        t = t if sparse_t else jnp.argmax(t, axis=axis)
        p = p if sparse_p else jnp.argmax(p, axis=axis)
        if t.size != p.size:
            raise ValueError(
                f"{name}: y_true and y_pred must hold the same number of class ids; got shapes "
                f"{tuple(t.shape)} and {tuple(p.shape)} (after argmax of one-hot inputs)."
            )
        return t.astype(jnp.int32), p.astype(jnp.int32), (bad[0].reshape(-1), bad[1].reshape(-1))

    def _weights(self, t: jax.Array, sample_weight: Any) -> jax.Array:
        """Flat float weights, one per class id (Keras 3 flattens; per-sample weights broadcast)."""
        name = self.display_name
        dt = accum_dtype()
        if sample_weight is None:
            return jnp.ones((t.size,), dt)
        w = as_array(sample_weight, "sample_weight", name).astype(dt)
        if w.ndim == 0:
            return jnp.broadcast_to(w, (t.size,))
        if w.size == t.size:
            return w.reshape(-1)
        if w.ndim < t.ndim:
            w = w.reshape(w.shape + (1,) * (t.ndim - w.ndim))
        try:
            return jnp.broadcast_to(w, t.shape).reshape(-1)
        except ValueError:
            raise ValueError(
                f"{name}: sample_weight must have one weight per class id or per sample; got "
                f"sample_weight shape {tuple(jnp.shape(sample_weight))} and class ids of shape "
                f"{tuple(t.shape)}."
            ) from None

    def check_labels(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Raise ``ValueError`` for bad concrete inputs: a weight that is NaN, infinite or
        negative; a class id that is NaN, infinite or fractional; a one-hot ``y_true`` value
        outside [0, 1]; a NaN in a probability row or a score (:meth:`_bad_entries`).

        Entries equal to ``ignore_class`` (in ``y_true``) and entries of weight 0 are exempt.
        Class ids outside ``[0, num_classes)`` are dropped, as Keras 3 drops them. Fractional
        float weights warn (:func:`_warn_fractional_weights`). A no-op on tracers: under ``jit``
        the bad cases make the result NaN.
        """
        if not all(is_concrete(x) for x in (y_true, y_pred, sample_weight)):
            return
        name = self.display_name
        tj, _, (bad_t, _) = self._labels(y_true, y_pred)
        keep = np.ones(tj.size, bool)
        if sample_weight is not None:
            w = check_weights(name, self._weights(tj, sample_weight))
            _warn_fractional_weights(name, sample_weight, w)
            keep = w != 0
        _, ignore, sparse_t, sparse_p, axis, _ = self._cm_options()
        if ignore is not None:
            keep &= ~((np.asarray(tj).reshape(-1) == ignore) & ~np.asarray(bad_t))
        for raw, sparse, arg in ((y_true, sparse_t, "y_true"), (y_pred, sparse_p, "y_pred")):
            x = as_array(raw, arg, name)
            bad, expected = self._bad_entries(x, arg)
            rows = keep.reshape(tj.shape)
            rows = rows if sparse else np.expand_dims(rows, axis)
            fail_if(name, arg, expected, np_float(x), np.asarray(bad) & rows)

    def update(self, state: IoUState, y_true: Any, y_pred: Any, sample_weight: Any = None) -> IoUState:
        """One blocked ``bincount`` (``_blocks.bincount``) of ``num_classes * t + p``, with one
        key for the dropped entries (a class id outside ``[0, num_classes)``, ``ignore_class``,
        as Keras 3 drops them) and one for bad entries (:meth:`_bad_entries`; a weight NaN,
        infinite or negative; weight 0 and ``ignore_class`` exempt): if that key is not empty,
        the whole matrix becomes NaN."""
        self.check_labels(y_true, y_pred, sample_weight)
        c, ignore = self._cm_options()[:2]
        t, p, (bad_t, bad_p) = self._labels(y_true, y_pred)
        w = None if sample_weight is None else self._weights(t, sample_weight)
        t, p = t.reshape(-1), p.reshape(-1)
        drop = ~((t >= 0) & (t < c) & (p >= 0) & (p < c))
        bad = bad_t | bad_p
        if ignore is not None:
            skip = (t == ignore) & ~bad_t
            drop, bad = drop | skip, bad & ~skip
        keys = jnp.where(drop, c * c, t * c + jnp.where(drop, 0, p))
        counts = bincount(lambda k, b: k, c * c + 1, (keys, bad), w, invalid=lambda k, b: b)
        cm = counts[: c * c].reshape(c, c)
        nan = poison(counts[c * c + 1] != 0, accum_dtype())
        return IoUState(ksum_add(ksum_add(state.confusion, cm), jnp.broadcast_to(nan, cm.shape)))

    def check_inputs(self, *args: Any, sample_weight: Any = None) -> None:
        self.check_labels(args[0], args[1], sample_weight)

    def compute(self, state: IoUState) -> jax.Array:
        cm = ksum_value(state.confusion)
        tp = jnp.diagonal(cm)
        denominator = jnp.sum(cm, axis=0) + jnp.sum(cm, axis=1) - tp
        ids = jnp.asarray(self._targets(), jnp.int32)
        tp, denominator = tp[ids], denominator[ids]
        valid = denominator > 1e-9
        iou = jnp.where(valid, tp / (denominator + _EPS), 0)
        value = jnp.sum(iou) / (jnp.sum(valid.astype(cm.dtype)) + _EPS)
        return jnp.where(jnp.isnan(cm[0, 0]), jnp.nan, value)  # NaN: bad input was seen


@dataclasses.dataclass(frozen=True)
class IoU(_IoUBase):
    """Intersection over union of the ``target_class_ids``, averaged.

    .. math:: \\mathrm{IoU} = \\frac{1}{|T|} \\sum_{c \\in T} \\frac{tp_c}{tp_c + fp_c + fn_c}

    over the target classes ``T`` seen in ``y_true`` or ``y_pred``. ``y_true`` and ``y_pred`` are
    integer class ids of any (equal) size, or one-hot/probabilities along ``axis`` when
    ``sparse_y_true``/``sparse_y_pred`` is False (then argmax). ``ignore_class`` in ``y_true`` is
    skipped. Equivalent to ``keras.metrics.IoU`` (Keras 3) with integer weights, and to
    ``sklearn.metrics.jaccard_score(t, p, labels=T, average='macro', sample_weight=w)`` when every
    target class occurs (to within Keras' ``eps``).

    State: :class:`IoUState` ``(confusion: KSum (C, C))``; metrics of this family with the same
    ``num_classes``, ``ignore_class``, sparse flags and ``axis`` share it in a collection
    (``stat_key``).

    >>> import jax.numpy as jnp
    >>> m = IoU(num_classes=2, target_class_ids=[0])
    >>> s = m.update(m.init(), jnp.array([0, 0, 1, 1]), jnp.array([0, 1, 0, 1]),
    ...              sample_weight=jnp.array([0.3, 0.3, 0.3, 0.1]))
    >>> round(float(m.compute(s)), 4)  # 0.3 / (0.6 + 0.6 - 0.3); Keras 3 truncates 0.3 to 0
    0.3333
    """

    num_classes: int
    target_class_ids: tuple[int, ...] = ListOption()  # type: ignore[assignment]
    ignore_class: int | None = dataclasses.field(default=None, kw_only=True)
    sparse_y_true: bool = dataclasses.field(default=True, kw_only=True)
    sparse_y_pred: bool = dataclasses.field(default=True, kw_only=True)
    axis: int = dataclasses.field(default=-1, kw_only=True)

    example_args = {"num_classes": 3, "target_class_ids": (0, 2)}

    def __post_init__(self) -> None:
        self._check_common()

    def _cm_options(self) -> tuple[int, int | None, bool, bool, int, float | None]:
        return (self.num_classes, self.ignore_class, self.sparse_y_true, self.sparse_y_pred,
                self.axis, None)

    def _targets(self) -> tuple[int, ...]:
        return tuple(self.target_class_ids)


@dataclasses.dataclass(frozen=True)
class MeanIoU(_IoUBase):
    """Mean intersection over union over all ``num_classes`` classes.

    .. math:: \\mathrm{MeanIoU} = \\frac{1}{|V|} \\sum_{c \\in V} \\frac{tp_c}{tp_c + fp_c + fn_c}

    over the classes ``V`` seen in ``y_true`` or ``y_pred`` (the others are left out, not counted
    as 0). Inputs as :class:`IoU`. Equivalent to ``keras.metrics.MeanIoU`` (Keras 3) with integer
    weights, and to ``sklearn.metrics.jaccard_score(t, p, average='macro', sample_weight=w)``
    (sklearn's ``labels`` are the classes present, to within Keras' ``eps``).

    State: :class:`IoUState` ``(confusion: KSum (C, C))``; metrics of this family with the same
    ``num_classes``, ``ignore_class``, sparse flags and ``axis`` share it in a collection
    (``stat_key``).

    >>> import jax.numpy as jnp
    >>> m = MeanIoU(num_classes=3)
    >>> s = m.update(m.init(), jnp.array([0, 0, 1, 1]), jnp.array([0, 1, 0, 1]))
    >>> round(float(m.compute(s)), 4)  # classes 0 and 1: 1/3 each; class 2 absent
    0.3333
    """

    num_classes: int
    ignore_class: int | None = dataclasses.field(default=None, kw_only=True)
    sparse_y_true: bool = dataclasses.field(default=True, kw_only=True)
    sparse_y_pred: bool = dataclasses.field(default=True, kw_only=True)
    axis: int = dataclasses.field(default=-1, kw_only=True)

    example_args = {"num_classes": 3}

    def __post_init__(self) -> None:
        self._check_common()

    def _cm_options(self) -> tuple[int, int | None, bool, bool, int, float | None]:
        return (self.num_classes, self.ignore_class, self.sparse_y_true, self.sparse_y_pred,
                self.axis, None)

    def _targets(self) -> tuple[int, ...]:
        return tuple(range(self.num_classes))


@dataclasses.dataclass(frozen=True)
class BinaryIoU(_IoUBase):
    """IoU of binary labels, with ``y_pred >= threshold`` predicting class 1.

    .. math:: \\hat c_i = [\\hat y_i \\ge \\theta], \\quad
              \\mathrm{BinaryIoU} = \\frac{1}{|T|} \\sum_{c \\in T} \\frac{tp_c}{tp_c + fp_c + fn_c}

    with ``T = target_class_ids`` (default ``(0, 1)``: the mean of both classes' IoU; ``[1]``: the
    positive class's IoU, sklearn's ``jaccard_score`` default). ``y_true`` holds 0/1 labels, ``y_pred``
    scores. Equivalent to ``keras.metrics.BinaryIoU`` (Keras 3) with integer weights, and to
    ``sklearn.metrics.jaccard_score(t, p >= threshold, average=None)[T].mean()``.

    State: :class:`IoUState` ``(confusion: KSum (C, C))``; metrics of this family with the same
    ``num_classes``, ``ignore_class``, sparse flags and ``axis`` share it in a collection
    (``stat_key``).

    >>> import jax.numpy as jnp
    >>> m = BinaryIoU(target_class_ids=[1], threshold=0.3)
    >>> s = m.update(m.init(), jnp.array([0, 1, 0, 1]), jnp.array([0.1, 0.2, 0.4, 0.6]))
    >>> round(float(m.compute(s)), 4)  # tp=1, fp=1, fn=1
    0.3333
    """

    target_class_ids: tuple[int, ...] = ListOption((0, 1))  # type: ignore[assignment]
    threshold: float = 0.5

    input_kind = "binary"
    example_args: ClassVar[dict[str, Any]] = {}

    def __post_init__(self) -> None:
        metric = type(self).__name__
        object.__setattr__(self, "target_class_ids", _target_ids(metric, self.target_class_ids, 2))
        if isinstance(self.threshold, bool) or not isinstance(self.threshold, (int, float)):
            raise ValueError(f"{metric}: threshold must be a number; got {self.threshold!r}.")
        object.__setattr__(self, "threshold", float(self.threshold))

    def _cm_options(self) -> tuple[int, int | None, bool, bool, int, float | None]:
        return (2, None, True, True, -1, self.threshold)

    def _targets(self) -> tuple[int, ...]:
        return tuple(self.target_class_ids)


@dataclasses.dataclass(frozen=True)
class OneHotIoU(_IoUBase):
    """:class:`IoU` of one-hot ``y_true`` (argmax along ``axis``) against scores ``y_pred``.

    .. math:: \\mathrm{IoU} = \\frac{1}{|T|} \\sum_{c \\in T} \\frac{tp_c}{tp_c + fp_c + fn_c},
              \\quad t_i = \\arg\\max_c y_{ic}, \\; p_i = \\arg\\max_c \\hat y_{ic}

    (``sparse_y_pred=True`` takes ``y_pred`` as class ids). Equivalent to
    ``keras.metrics.OneHotIoU`` (Keras 3) with integer weights.

    State: :class:`IoUState` ``(confusion: KSum (C, C))``; metrics of this family with the same
    ``num_classes``, ``ignore_class``, sparse flags and ``axis`` share it in a collection
    (``stat_key``).

    >>> import jax.numpy as jnp
    >>> m = OneHotIoU(num_classes=3, target_class_ids=[0, 2])
    >>> t = jnp.array([[0, 0, 1], [1, 0, 0], [0, 1, 0], [1, 0, 0]])
    >>> p = jnp.array([[.2, .3, .5], [.1, .2, .7], [.5, .3, .1], [.1, .4, .5]])
    >>> round(float(m.compute(m.update(m.init(), t, p))), 4)  # (0 + 1/3) / 2
    0.1667
    """

    num_classes: int
    target_class_ids: tuple[int, ...] = ListOption()  # type: ignore[assignment]
    ignore_class: int | None = dataclasses.field(default=None, kw_only=True)
    sparse_y_pred: bool = dataclasses.field(default=False, kw_only=True)
    axis: int = dataclasses.field(default=-1, kw_only=True)

    input_kind = "categorical"
    example_args = {"num_classes": 4, "target_class_ids": (0, 2)}

    def __post_init__(self) -> None:
        self._check_common()

    def _cm_options(self) -> tuple[int, int | None, bool, bool, int, float | None]:
        return (self.num_classes, self.ignore_class, False, self.sparse_y_pred, self.axis, None)

    def _targets(self) -> tuple[int, ...]:
        return tuple(self.target_class_ids)


@dataclasses.dataclass(frozen=True)
class OneHotMeanIoU(_IoUBase):
    """:class:`MeanIoU` of one-hot ``y_true`` (argmax along ``axis``) against scores ``y_pred``.

    .. math:: \\mathrm{MeanIoU} = \\frac{1}{|V|} \\sum_{c \\in V} \\frac{tp_c}{tp_c + fp_c + fn_c},
              \\quad t_i = \\arg\\max_c y_{ic}, \\; p_i = \\arg\\max_c \\hat y_{ic}

    Equivalent to ``keras.metrics.OneHotMeanIoU`` (Keras 3) with integer weights, and to
    ``sklearn.metrics.jaccard_score(t, p, average='macro', sample_weight=w)`` on the argmaxes.

    State: :class:`IoUState` ``(confusion: KSum (C, C))``; metrics of this family with the same
    ``num_classes``, ``ignore_class``, sparse flags and ``axis`` share it in a collection
    (``stat_key``).

    >>> import jax.numpy as jnp
    >>> m = OneHotMeanIoU(num_classes=3)
    >>> t = jnp.array([[0, 0, 1], [1, 0, 0], [0, 1, 0], [1, 0, 0]])
    >>> p = jnp.array([[.2, .3, .5], [.1, .2, .7], [.5, .3, .1], [.1, .4, .5]])
    >>> round(float(m.compute(m.update(m.init(), t, p))), 4)  # (0 + 0 + 1/3) / 3
    0.1111
    """

    num_classes: int
    ignore_class: int | None = dataclasses.field(default=None, kw_only=True)
    sparse_y_pred: bool = dataclasses.field(default=False, kw_only=True)
    axis: int = dataclasses.field(default=-1, kw_only=True)

    input_kind = "categorical"
    example_args = {"num_classes": 4}

    def __post_init__(self) -> None:
        self._check_common()

    def _cm_options(self) -> tuple[int, int | None, bool, bool, int, float | None]:
        return (self.num_classes, self.ignore_class, False, self.sparse_y_pred, self.axis, None)

    def _targets(self) -> tuple[int, ...]:
        return tuple(range(self.num_classes))
