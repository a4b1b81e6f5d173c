"""F1Score and FBetaScore: F-scores from streamed per-class tp, fp, fn and support.

Per class (or over all entries for ``average='micro'``), with weights ``w`` per row,

.. math:: tp = \\sum_i w_i \\hat y_i y_i, \\quad fp = \\sum_i w_i \\hat y_i (1 - y_i), \\quad
          fn = \\sum_i w_i (1 - \\hat y_i) y_i, \\quad s = \\sum_i w_i y_i

.. math:: P = \\frac{tp}{tp + fp + \\epsilon}, \\quad R = \\frac{tp}{tp + fn + \\epsilon}, \\quad
          F_\\beta = (1 + \\beta^2) \\frac{P R}{\\beta^2 P + R + \\epsilon}

with ``eps = 1e-7`` as in Keras 3, where ``\\hat y = [y_pred > threshold]``, or, with
``threshold=None``, ``\\hat y = [y_pred \\ge \\max_{row} y_pred] \\wedge [|y_pred| > 10^{-9}]``
(every tied maximum counts). ``average``: None gives the per-class vector, 'micro' pools every
entry, 'macro' is the plain mean over classes, 'weighted' the mean weighted by ``s / (sum s + eps)``.

Bad input: a label outside [0, 1] (NaN, inf, 2; soft labels in between count fractionally, as in
Keras), a NaN score, a weight that is NaN or infinite (entries of weight 0 are exempt; a negative
weight is summed as given, as Keras 3 sums it). Eagerly it raises ``ValueError``; under ``jit`` every count, hence every value, becomes NaN.
Infinite scores are ordered (``inf > threshold``; the row maximum).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, ClassVar, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from jmetrics._floor._checks import accum_dtype, as_array, column_weights, is_concrete
from jmetrics._floor._dtypes import at_least_float32
from jmetrics.metrics._base import Metric
from jmetrics.metrics._inferred_width import InferredWidth
from jmetrics.metrics._state import KSum, ksum, ksum_add, ksum_value
from jmetrics.metrics._validate import (
    bad_weight,
    check_weights,
    fail_if,
    isnan,
    np_float,
    poison,
)

__all__ = ["F1Score", "FBetaScore"]

_EPS = 1e-7  # Keras 3 backend.epsilon()
_AVERAGES = (None, "micro", "macro", "weighted")


class FBetaSpec(NamedTuple):
    """The F-score statistic (hashable): F1Score and FBetaScore with equal specs share one state.

    Beta and the averages other than 'micro' only shape the result, so they are not in it.
    """

    threshold: float | None  # y_pred > threshold, or None: the row's maxima
    micro: bool  # one pooled count per kind (shape ()) instead of one per class (shape (C,))
    num_classes: int | None  # C of a per-class state (None for micro, or: the first batch decides)


class FBetaState(NamedTuple):
    """State of F1Score / FBetaScore: weighted counts per class, or scalars for 'micro'."""

    true_positives: KSum  # (C,) or () accum dtype, sum of w * y_pred_bin * y_true
    false_positives: KSum  # (C,) or () accum dtype, sum of w * y_pred_bin * (1 - y_true)
    false_negatives: KSum  # (C,) or () accum dtype, sum of w * (1 - y_pred_bin) * y_true
    support: KSum  # (C,) or () accum dtype, sum of w * y_true (the weights of 'weighted')


@dataclasses.dataclass(frozen=True)
class _FScore(InferredWidth, Metric):
    """Shared update/compute of the F-scores."""

    higher_is_better = True
    value_range = (0.0, 1.0)
    input_kind = "multilabel"
    width_option = "num_classes"
    # jmetrics-only options that Keras' constructor does not take (left out of the Keras oracle).
    jmetrics_only_options: ClassVar[tuple[str, ...]] = ("num_classes",)
    # Weights Keras 3 refuses are accepted: a scalar or (N, 1) weight is one per sample, a (N, C)
    # weight weighs each entry (class c reads column c), as Keras would with them written out.
    sample_weight_from_left: ClassVar[bool] = True

    @property
    def f_beta(self) -> float:
        raise NotImplementedError

    def _check_options(self) -> None:
        metric = type(self).__name__
        average = self.average  # type: ignore[attr-defined]
        if not isinstance(average, (str, type(None))) or average not in _AVERAGES:
            raise ValueError(
                f"{metric}: Invalid `average` argument value. Expected one of: "
                f"{{None, 'micro', 'macro', 'weighted'}}. Received: average={average}."
            )
        threshold = self.threshold  # type: ignore[attr-defined]
        if threshold is not None:
            threshold = _float_option(metric, "threshold", threshold, "verify 0 < threshold <= 1",
                                      lambda t: 0.0 < t <= 1.0)
            object.__setattr__(self, "threshold", threshold)
        c = self.num_classes  # type: ignore[attr-defined]
        if c is not None and (isinstance(c, bool) or not isinstance(c, (int, np.integer)) or c < 1):
            raise ValueError(f"{metric}: num_classes must be None or an int >= 1; got {c!r}.")

    def needs_width(self) -> bool:
        return self.average != "micro" and self.num_classes is None  # type: ignore[attr-defined]

    def init_width(self, width: int) -> FBetaState:
        shape = () if self.average == "micro" else (width,)  # type: ignore[attr-defined]
        return FBetaState(ksum(shape), ksum(shape), ksum(shape), ksum(shape))

    def stat_key(self) -> FBetaSpec:
        micro = self.average == "micro"  # type: ignore[attr-defined]
        return FBetaSpec(self.threshold, micro,  # type: ignore[attr-defined]
                         None if micro else self.num_classes)  # type: ignore[attr-defined]

    def _inputs(self, y_true: Any, y_pred: Any, sample_weight: Any, width: int | None
                ) -> tuple[jax.Array, jax.Array, jax.Array | None]:
        """``(y_true, y_pred, w)``: 2-D, ``y_pred`` in float32 or wider, ``w`` of their shape."""
        name = self.display_name
        t = as_array(y_true, "y_true", name)
        p = as_array(y_pred, "y_pred", name)
        if t.ndim != 2 or p.ndim != 2 or t.shape != p.shape:
            raise ValueError(
                f"{name}: {type(self).__name__} expects 2D inputs with shape (batch_size, "
                f"num_classes), the same for y_true and y_pred. Received input shapes: "
                f"y_pred.shape={tuple(p.shape)} and y_true.shape={tuple(t.shape)}."
            )
        if width is not None and p.shape[-1] != width:
            raise ValueError(
                f"{name}: y_pred must have num_classes={width} columns (the state's); got shape "
                f"{tuple(p.shape)}."
            )
        p = at_least_float32(p)  # exact for half precision, as Keras' float32 cast
        return t, p, column_weights(name, sample_weight, t.shape, accum_dtype())

    def check_inputs(self, *args: Any, sample_weight: Any = None) -> None:
        """Raise ``ValueError`` for a label outside [0, 1] (NaN, inf, 2), a NaN score, or a
        weight that is NaN or infinite (entries of weight 0 are exempt; negative weights are
        summed as Keras 3 sums them). Under ``jit`` the same inputs make every value NaN."""
        name = self.display_name
        t, p, w = self._inputs(args[0], args[1], sample_weight, None)
        keep = np.ones(t.shape, bool) if w is None else check_weights(name, w, signed=True) != 0
        tn = np_float(t)
        fail_if(name, "y_true", "in [0, 1]", tn, keep & ~((tn >= 0) & (tn <= 1)))
        fail_if(name, "y_pred", "a number, not NaN (inf is ordered)", p, keep & np.isnan(np_float(p)))

    def update(self, state: FBetaState, y_true: Any, y_pred: Any, sample_weight: Any = None) -> FBetaState:
        """Add the batch's weighted tp, fp, fn and support. Bad entries (label outside [0, 1],
        NaN score, weight NaN or infinite; weight 0 exempt) add NaN to every count."""
        if all(is_concrete(x) for x in (y_true, y_pred, sample_weight)):
            self.check_inputs(y_true, y_pred, sample_weight=sample_weight)
        micro = self.average == "micro"  # type: ignore[attr-defined]
        width = None if micro else state.true_positives.hi.shape[0]
        t, p, w = self._inputs(y_true, y_pred, sample_weight, width)
        dt = accum_dtype()
        bad = isnan(p) | ~((t >= 0) & (t <= 1))
        if self.threshold is None:  # type: ignore[attr-defined]
            top = jnp.max(p, axis=-1, keepdims=True)  # nan-safe: rows with NaN are bad
            pred = (p >= top) & (jnp.abs(p) > 1e-9)
        else:
            pred = p > self.threshold  # type: ignore[attr-defined]
        pred = pred.astype(dt)
        t = t.astype(dt)
        axis = None if micro else 0
        if w is not None:
            bad = (bad | bad_weight(w, signed=True)) & (w != 0)
        nan = poison(jnp.any(bad), dt)

        def wsum(x: jax.Array) -> jax.Array:
            if w is None:
                return jnp.sum(x, axis=axis) + nan
            return jnp.sum(jnp.where(w != 0, x * w, 0), axis=axis) + nan

        return FBetaState(
            ksum_add(state.true_positives, wsum(pred * t)),
            ksum_add(state.false_positives, wsum(pred * (1 - t))),
            ksum_add(state.false_negatives, wsum((1 - pred) * t)),
            ksum_add(state.support, wsum(t)),
        )

    def compute(self, state: FBetaState) -> jax.Array:
        tp, fp = ksum_value(state.true_positives), ksum_value(state.false_positives)
        fn, support = ksum_value(state.false_negatives), ksum_value(state.support)
        b2 = self.f_beta**2
        precision = tp / (tp + fp + _EPS)
        recall = tp / (tp + fn + _EPS)
        f = (1 + b2) * (precision * recall) / (b2 * precision + recall + _EPS)
        if self.average == "weighted":  # type: ignore[attr-defined]
            return jnp.sum(f * support / (jnp.sum(support) + _EPS))
        if self.average is not None:  # type: ignore[attr-defined]
            return jnp.mean(f)
        return f


def _float_option(metric: str, name: str, value: Any, rule: str,
                  ok: Callable[[float], bool]) -> float:
    """``value`` as a float, or a ``ValueError`` in Keras 3's wording: a float option given
    another type (an int too, as Keras 3 refuses it), or one breaking ``rule`` (``ok`` false;
    NaN breaks every rule)."""
    if not isinstance(value, (float, np.floating)):
        raise ValueError(f"{metric}: Invalid `{name}` argument value. It should be a Python float. "
                         f"Received: {name}={value} of type '{type(value)}'.")
    if not ok(float(value)):
        raise ValueError(f"{metric}: Invalid `{name}` argument value. It should {rule}. "
                         f"Received: {name}={value}.")
    return float(value)


@dataclasses.dataclass(frozen=True)
class FBetaScore(_FScore):
    """F-beta score of multi-label or one-hot multi-class predictions, streamed.

    .. math:: F_\\beta = (1 + \\beta^2) \\frac{P R}{\\beta^2 P + R + \\epsilon},
              \\quad P = \\frac{tp}{tp + fp + \\epsilon}, \\quad R = \\frac{tp}{tp + fn + \\epsilon}

    per class from ``y_pred > threshold`` (``threshold=None``: the row's maximum, every tie
    counting), then averaged by ``average`` (None, 'micro', 'macro', 'weighted'); ``eps = 1e-7``.
    ``y_true`` and ``y_pred`` have shape ``(N, C)``; ``sample_weight`` is a scalar, ``(N,)`` or
    ``(N, C)``. Higher is better; range [0, 1]. A class with no positives scores 0.

    Equivalent to ``keras.metrics.FBetaScore(average, beta, threshold)`` (Keras 3) and, to within
    ``eps``, to ``sklearn.metrics.fbeta_score(y_true, y_pred_bin, beta=beta, average=average,
    sample_weight=w, zero_division=0)`` on the binarised predictions. ``num_classes`` (jmetrics
    only) fixes the state's width for ``init()``; without it only the eager ``update_state``
    works (the first batch decides, as in Keras). ``beta`` may be an int (Keras requires a float).

    State: :class:`FBetaState` (``true_positives``, ``false_positives``, ``false_negatives``,
    ``support``; compensated sums of shape ``(C,)``, ``()`` for 'micro'). F1Score and FBetaScore
    of any ``beta`` with the same threshold, width and micro/per-class layout share it
    (``stat_key``).

    >>> import jax.numpy as jnp
    >>> m = FBetaScore(beta=2.0, threshold=0.5, num_classes=3)
    >>> t = jnp.array([[1, 1, 1], [1, 0, 0], [1, 1, 0]])
    >>> p = jnp.array([[.2, .6, .7], [.2, .6, .6], [.6, .8, .0]])
    >>> [round(float(f), 4) for f in m.compute(m.update(m.init(), t, p))]  # as Keras 3's example
    [0.3846, 0.9091, 0.8333]
    """

    average: str | None = None
    beta: float = 1.0
    threshold: float | None = None
    num_classes: int | None = dataclasses.field(default=None, kw_only=True)

    default_name = "fbeta_score"
    example_args = {"num_classes": 4, "beta": 2.0}

    def __post_init__(self) -> None:
        beta = _float_option(type(self).__name__, "beta", self.beta, "be > 0", lambda b: b > 0)
        object.__setattr__(self, "beta", beta)
        self._check_options()

    @property
    def f_beta(self) -> float:
        return self.beta


@dataclasses.dataclass(frozen=True)
class F1Score(_FScore):
    """F1 score (harmonic mean of precision and recall) of multi-label or one-hot predictions.

    .. math:: F_1 = 2 \\frac{P R}{P + R + \\epsilon},
              \\quad P = \\frac{tp}{tp + fp + \\epsilon}, \\quad R = \\frac{tp}{tp + fn + \\epsilon}

    :class:`FBetaScore` with ``beta=1``: same inputs, ``average``, ``threshold`` (None: the row's
    argmax, ties counting) and state. Equivalent to ``keras.metrics.F1Score`` (Keras 3) and, to
    within ``eps``, to ``sklearn.metrics.f1_score(y_true, y_pred_bin, average=average,
    sample_weight=w, zero_division=0)``.

    >>> import jax.numpy as jnp
    >>> m = F1Score(threshold=0.5, num_classes=3)
    >>> t = jnp.array([[1, 1, 1], [1, 0, 0], [1, 1, 0]])
    >>> p = jnp.array([[.2, .6, .7], [.2, .6, .6], [.6, .8, .0]])
    >>> [round(float(f), 4) for f in m.compute(m.update(m.init(), t, p))]  # as Keras 3's example
    [0.5, 0.8, 0.6667]
    """

    average: str | None = None
    threshold: float | None = None
    num_classes: int | None = dataclasses.field(default=None, kw_only=True)

    default_name = "f1_score"
    example_args = {"num_classes": 4}

    def __post_init__(self) -> None:
        self._check_options()

    @property
    def f_beta(self) -> float:
        return 1.0
