"""Calibration: expected and maximum calibration error, reliability-diagram data.

Every sample has a confidence ``c`` and an outcome ``a``:

- binary (``y_pred`` of shape ``[N]`` or ``[N, 1]``): ``c`` is the predicted probability of the
  positive class and ``a`` the label (a soft label is the fraction of positives), as
  torchmetrics' ``BinaryCalibrationError`` and ``sklearn.calibration.calibration_curve`` do;
- multiclass (``y_pred`` ``[N, C]``, ``C >= 2``; ``y_true`` integer labels ``[N]`` or one-hot
  ``[N, C]``): top-label calibration, ``c = max_j p_j`` and ``a = [argmax_j p_j == label]``
  (first maximum on ties), as torchmetrics' ``MulticlassCalibrationError``.

Samples are grouped into bins; with ``n_b`` the weight, ``\\bar a_b`` the weighted mean outcome
and ``\\bar c_b`` the weighted mean confidence of bin ``b``, and ``W = \\sum_b n_b``:

.. math:: \\mathrm{ECE} = \\sum_b \\frac{n_b}{W} |\\bar a_b - \\bar c_b|, \\quad
          \\mathrm{ECE}_{l2} = \\sqrt{\\sum_b \\frac{n_b}{W} (\\bar a_b - \\bar c_b)^2}, \\quad
          \\mathrm{MCE} = \\max_{b: n_b > 0} |\\bar a_b - \\bar c_b|.

Bins (``strategy``):

- ``'uniform'``: ``num_bins`` equal-width bins, bin ``min(floor(c * num_bins), num_bins - 1)``
  (torchmetrics' ``[lo, hi)`` bins with 1.0 in the last one).
- ``'quantile'`` (adaptive, equal mass): samples sorted by confidence; a sample whose group of tied
  confidences starts after weight ``S`` (of total ``W``) goes to bin ``floor(num_bins * S / W)``,
  so bins hold (nearly) equal weight and tied confidences are never split.

Streaming classes keep fixed bins, so they merge by addition. For ``'quantile'`` they keep
``resolution`` equal-width fine bins and form the equal-mass bins from them at ``compute``: a
fine bin plays the role of one tie group. This equals the exact adaptive ECE whenever each fine bin
holds at most one distinct confidence, and otherwise can only move a bin boundary to the nearest
fine-bin edge (at most ``1 / resolution`` in confidence). With nothing seen the errors are NaN.

Bad input (samples of weight 0 exempt): a confidence outside [0, 1] (NaN, inf, a logit); a
binary label outside [0, 1]; a multiclass label that is not a class id in ``[0, C)``, or a one-hot
row holding anything but 0 and 1 (NaN, inf, 2, -1, 0.5); a weight that is NaN, infinite or
negative. With concrete inputs the functions and ``update`` raise ``ValueError`` naming the
argument and values; under ``jit`` the errors (and every array of the diagram) are NaN.
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Any, ClassVar, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from jmetrics._floor._checks import accum_dtype, as_array, is_concrete, squeeze_or_expand
from jmetrics._floor._extrema import reduce_max
from jmetrics._floor._options import check_choice, check_int
from jmetrics.metrics._base import Metric
from jmetrics.metrics._histogram import _comp_cumsum
from jmetrics.metrics._state import KSum, ksum, ksum_add, ksum_value
from jmetrics.metrics._validate import bad_weight, check_weights, fail_if, np_float, poison

__all__ = [
    "ExpectedCalibrationError",
    "MaxCalibrationError",
    "expected_calibration_error",
    "max_calibration_error",
    "reliability_diagram",
]

_STRATEGIES = ("uniform", "quantile")
_NORMS = ("l1", "l2", "max")


class CalibrationSpec(NamedTuple):
    """The calibration metrics' statistic (hashable): equal specs share one set of bins (the norm,
    and for 'quantile' the number of reported bins, only shape the result)."""

    bins: int  # fixed equal-width bins of the state: num_bins ('uniform') or resolution ('quantile')


class CalibrationBins(NamedTuple):
    """Weighted sums per confidence bin (equal-width bins in increasing confidence)."""

    weight: KSum  # (bins,) accum dtype, sum of w
    confidence: KSum  # (bins,) accum dtype, sum of w * c
    accuracy: KSum  # (bins,) accum dtype, sum of w * a


class _Rows(NamedTuple):
    """Per-sample confidence, outcome and weight, and what is wrong with each sample."""

    conf: jax.Array  # [N] float, the confidence
    outcome: jax.Array  # [N] float, the outcome
    w: jax.Array  # [N] accum dtype, the weight
    label: jax.Array  # [N] float, the label as given (NaN for a one-hot row holding a NaN)
    bad_label: jax.Array  # [N] bool
    bad_conf: jax.Array  # [N] bool


def _not_zero_one(y: Any) -> Any:
    """True where a one-hot entry is neither 0 nor 1 (NaN included); NumPy or JAX arrays."""
    return ~((y == 0) | (y == 1))


def _rows(who: str, y_true: Any, y_pred: Any, sample_weight: Any) -> _Rows:
    """The samples as given, with the bad-input masks (shape checks at trace time)."""
    dt = accum_dtype()
    p = as_array(y_pred, "y_pred", who)
    y = as_array(y_true, "y_true", who)
    p = p.astype(jnp.float32) if p.dtype != dt and p.dtype != jnp.float32 else p
    if p.ndim == 1 or (p.ndim == 2 and p.shape[-1] == 1):
        y, p = squeeze_or_expand(y, p)
        if y.shape != p.shape:
            raise ValueError(f"{who}: y_true and y_pred must have the same shape; got "
                             f"{tuple(jnp.shape(y_true))} and {tuple(jnp.shape(y_pred))}.")
        conf, label = p.reshape(-1), y.reshape(-1).astype(p.dtype)
        bad_label = ~((label >= 0) & (label <= 1))  # soft labels: the fraction of positives
        outcome = label
    elif p.ndim == 2:
        if y.shape == p.shape:  # one-hot: 0/1 only (argmax of NaN, inf, 2, -1, 0.5 is no label)
            bad_label = jnp.any(_not_zero_one(y), axis=-1)
            label = jnp.where(bad_label, jnp.nan, 0).astype(p.dtype)
            index = jnp.argmax(y, axis=-1)
        elif y.shape in ((p.shape[0],), (p.shape[0], 1)):
            label = y.reshape(-1).astype(p.dtype)
            bad_label = ~((label >= 0) & (label < p.shape[-1]) & (label == jnp.floor(label)))
            index = jnp.where(bad_label, 0, label).astype(jnp.int32)
        else:
            raise ValueError(
                f"{who}: y_true must be integer labels of shape ({p.shape[0]},) or one-hot of "
                f"shape {tuple(p.shape)} for y_pred of shape {tuple(p.shape)}; got {tuple(y.shape)}.")
        conf = reduce_max(p, axis=-1)
        outcome = (jnp.argmax(p, axis=-1) == index).astype(p.dtype)
    else:
        raise ValueError(f"{who}: y_pred must have shape [N], [N, 1] (binary) or [N, C] "
                         f"(multiclass); got {tuple(p.shape)}.")
    n = conf.shape[0]
    if sample_weight is None:
        w = jnp.ones((n,), dt)
    else:
        w = as_array(sample_weight, "sample_weight", who).astype(dt)
        if w.ndim == 2 and w.shape[-1] == 1:
            w = w[:, 0]
        try:
            w = jnp.broadcast_to(w, (n,))
        except ValueError:
            raise ValueError(f"{who}: sample_weight must broadcast to ({n},); got shape "
                             f"{tuple(jnp.shape(sample_weight))}.") from None
    return _Rows(conf, outcome, w, label, bad_label, ~((conf >= 0) & (conf <= 1)))


def check_calibration_inputs(who: str, y_true: Any, y_pred: Any, sample_weight: Any = None
                             ) -> None:
    """Raise ``ValueError`` for bad concrete inputs (samples of weight 0 exempt): a weight that
    is NaN, infinite or negative; a binary label outside [0, 1]; a multiclass label that is not a
    class id in ``[0, C)``, or a one-hot row holding anything but 0 and 1; a confidence outside [0, 1] (NaN, inf,
    or a score that is not a probability)."""
    r = _rows(who, y_true, y_pred, sample_weight)
    keep = check_weights(who, r.w) != 0
    multiclass = np.ndim(y_pred) == 2 and np.shape(y_pred)[-1] > 1
    if multiclass and np.shape(y_true) == np.shape(y_pred):  # quote the offending entries
        y = np_float(y_true)
        fail_if(who, "y_true", "one-hot rows of 0/1 labels", y, keep[:, None] & _not_zero_one(y))
    expected = (f"class ids in [0, {np.shape(y_pred)[-1] - 1}] or one-hot rows of 0/1 labels"
                if multiclass else "in [0, 1]")
    fail_if(who, "y_true", expected, r.label, keep & np.asarray(r.bad_label))
    fail_if(who, "y_pred", "probabilities in [0, 1]" + (" (the top one is the confidence)"
            if multiclass else ""), r.conf, keep & np.asarray(r.bad_conf))


def confidence_and_outcome(who: str, y_true: Any, y_pred: Any, sample_weight: Any = None
                           ) -> tuple[jax.Array, jax.Array, jax.Array]:
    """``(confidence, outcome, weight)``, each ``[N]`` float; shape checks at trace time.

    A bad sample of nonzero weight (see :func:`check_calibration_inputs`) gets weight NaN (and
    confidence 0, so it still has a bin): every error computed from it is NaN.
    """
    dt = accum_dtype()
    r = _rows(who, y_true, y_pred, sample_weight)
    bad = r.bad_label | r.bad_conf | bad_weight(r.w)
    keep = r.w != 0
    w = jnp.where(bad & keep, jnp.nan, r.w)
    conf = jnp.where(keep & ~bad, r.conf, 0).astype(dt)
    outcome = jnp.where(keep & ~bad, r.outcome, 0).astype(dt)
    return conf, outcome, w


def _check_concrete(who: str, y_true: Any, y_pred: Any, sample_weight: Any) -> None:
    if all(is_concrete(x) for x in (y_true, y_pred, sample_weight)):
        check_calibration_inputs(who, y_true, y_pred, sample_weight)


def _uniform_bin(conf: jax.Array, bins: int) -> jax.Array:
    t = jnp.clip(conf.astype(jnp.float32) * bins, 0, bins - 1)
    return jnp.floor(t).astype(jnp.int32)


def _bin_sums(idx: jax.Array, conf: jax.Array, outcome: jax.Array, w: jax.Array, bins: int
              ) -> tuple[jax.Array, jax.Array, jax.Array]:
    z = jnp.zeros((bins,), w.dtype)
    add = functools.partial(z.at[idx].add, mode="promise_in_bounds")  # idx is clipped
    return add(w), add(w * conf), add(w * outcome)


def _equal_mass_groups(key_sorted_first: jax.Array, w_sorted: jax.Array, bins: int) -> jax.Array:
    """Bin of each sorted item: floor(bins * S / W), S = weight before the item's tie group."""
    before = _comp_cumsum(w_sorted) - w_sorted
    total = jnp.sum(w_sorted)
    # weight before the first member of each tie group, broadcast to the group's members
    start = jax.lax.cummax(jnp.where(key_sorted_first, jnp.arange(w_sorted.shape[0]), 0))
    bs = bins * before[start]
    t = jnp.floor(jnp.where(total > 0, bs / jnp.where(total > 0, total, 1), 0))
    # the division may round across an integer: fix floor(bins * S / W) by exact-ish products
    t = jnp.where((t + 1) * total <= bs, t + 1, t)
    t = jnp.where(t * total > bs, t - 1, t)
    t = jnp.where(jnp.isnan(t), 0, t)  # NaN weights (bad input): any bin, the result is NaN
    return jnp.clip(t, 0, bins - 1).astype(jnp.int32)


def _coarsen(weight: jax.Array, conf: jax.Array, acc: jax.Array, bins: int
             ) -> tuple[jax.Array, jax.Array, jax.Array, jax.Array]:
    """Fine bins (each a tie group) -> ``bins`` equal-mass bins; also each fine bin's group."""
    first = jnp.ones(weight.shape, bool)
    group = _equal_mass_groups(first, weight, bins)
    seg = functools.partial(jax.ops.segment_sum, segment_ids=group, num_segments=bins)
    return seg(weight), seg(conf), seg(acc), group


def _errors(weight: jax.Array, conf: jax.Array, acc: jax.Array, norm: str) -> jax.Array:
    total = jnp.sum(weight)
    nonempty = weight > 0
    gap = jnp.abs(acc - conf) / jnp.where(nonempty, weight, 1)  # |mean acc - mean conf|
    if norm == "max":
        value = reduce_max(jnp.where(nonempty, gap, -jnp.inf)) if weight.shape[0] else jnp.nan
    else:
        share = weight / jnp.where(total > 0, total, 1)
        value = jnp.sum(share * gap) if norm == "l1" else jnp.sqrt(jnp.sum(share * gap * gap))
    return jnp.where(total > 0, value, jnp.nan)


def _binned(conf: jax.Array, outcome: jax.Array, w: jax.Array, *, bins: int, strategy: str
            ) -> tuple[jax.Array, jax.Array, jax.Array, jax.Array]:
    """Per-bin (weight, conf sum, outcome sum, lower edge) of one set of samples."""
    if strategy == "uniform":
        idx = _uniform_bin(conf, bins)
        lower = jnp.arange(bins, dtype=conf.dtype) / bins
        return (*_bin_sums(idx, conf, outcome, w, bins), lower)
    order = jnp.argsort(conf, stable=True)
    c, a, ws = conf[order], outcome[order], w[order]
    first = jnp.concatenate([jnp.ones((1,), bool), c[1:] != c[:-1]]) if c.shape[0] else c > 0
    idx = _equal_mass_groups(first, ws, bins)
    lower = jax.ops.segment_min(jnp.where(ws > 0, c, jnp.inf), idx, num_segments=bins)
    lower = jnp.where(jnp.isfinite(lower), lower, jnp.nan).at[0].set(0.0)
    return (*_bin_sums(idx, c, a, ws, bins), lower)


@functools.partial(jax.jit, static_argnames=("who", "bins", "strategy"))
def _binned_inputs(y_true: Any, y_pred: Any, sample_weight: Any, *, who: str, bins: int,
                   strategy: str) -> tuple[jax.Array, jax.Array, jax.Array, jax.Array]:
    conf, outcome, w = confidence_and_outcome(who, y_true, y_pred, sample_weight)
    return _binned(conf, outcome, w, bins=bins, strategy=strategy)


def _check_fn(who: str, num_bins: Any, strategy: Any) -> None:
    check_int(who, "num_bins", num_bins, 1)
    check_choice(who, "strategy", strategy, _STRATEGIES)


def expected_calibration_error(y_true: Any, y_pred: Any, *, num_bins: int = 15,
                               strategy: str = "uniform", norm: str = "l1",
                               sample_weight: Any = None) -> jax.Array:
    """Expected calibration error over a whole set of predictions (module docstring for the math).

    ``norm='l1'`` is the ECE of Guo et al. (2017) and torchmetrics' ``CalibrationError(norm='l1')``,
    ``'l2'`` the root-mean-square calibration error, ``'max'`` the maximum calibration error.
    ``strategy='quantile'`` is the adaptive (equal-mass) ECE, exact here (it sorts). Lower is
    better; 0 is perfect calibration. NaN when every weight is 0.

    >>> import jax.numpy as jnp
    >>> y = jnp.array([0, 1, 1, 1]); p = jnp.array([0.2, 0.6, 0.7, 0.9])
    >>> round(float(expected_calibration_error(y, p, num_bins=2)), 4)  # |0-.2|/4 + 3/4*|1-.7333|
    0.25
    """
    who = "expected_calibration_error"
    _check_fn(who, num_bins, strategy)
    _check_concrete(who, y_true, y_pred, sample_weight)
    check_choice(who, "norm", norm, _NORMS)
    weight, csum, asum, _ = _binned_inputs(y_true, y_pred, sample_weight, who=who, bins=num_bins,
                                           strategy=strategy)
    return _errors(weight, csum, asum, norm)


def max_calibration_error(y_true: Any, y_pred: Any, *, num_bins: int = 15,
                          strategy: str = "uniform", sample_weight: Any = None) -> jax.Array:
    """Maximum calibration error: the largest ``|mean outcome - mean confidence|`` of a non-empty bin.

    ``expected_calibration_error(..., norm='max')``; torchmetrics' ``CalibrationError(norm='max')``.

    >>> import jax.numpy as jnp
    >>> y = jnp.array([0, 1, 1, 1]); p = jnp.array([0.2, 0.6, 0.7, 0.9])
    >>> round(float(max_calibration_error(y, p, num_bins=2)), 4)
    0.2667
    """
    who = "max_calibration_error"
    _check_fn(who, num_bins, strategy)
    _check_concrete(who, y_true, y_pred, sample_weight)
    weight, csum, asum, _ = _binned_inputs(y_true, y_pred, sample_weight, who=who, bins=num_bins,
                                           strategy=strategy)
    return _errors(weight, csum, asum, "max")


def _diagram(weight: jax.Array, csum: jax.Array, asum: jax.Array, lower: jax.Array
             ) -> dict[str, jax.Array]:
    """The diagram's arrays; all NaN when bad input reached the bins (a NaN weight, jit only)."""
    nonempty = weight > 0
    safe = jnp.where(nonempty, weight, 1)
    edges = jnp.concatenate([lower, jnp.ones((1,), lower.dtype)])
    out = {"edges": edges, "accuracy": jnp.where(nonempty, asum / safe, jnp.nan),
           "confidence": jnp.where(nonempty, csum / safe, jnp.nan), "counts": weight}
    nan = poison(jnp.any(jnp.isnan(weight)), weight.dtype)
    return {k: v + nan.astype(v.dtype) for k, v in out.items()}


def reliability_diagram(y_true: Any, y_pred: Any, *, num_bins: int = 10, strategy: str = "uniform",
                        sample_weight: Any = None) -> dict[str, jax.Array]:
    """The data of a reliability diagram: per bin, mean outcome against mean confidence.

    Returns ``{'edges': [num_bins + 1], 'accuracy': [num_bins], 'confidence': [num_bins],
    'counts': [num_bins]}``: ``accuracy`` and ``confidence`` are weighted means (NaN in empty bins),
    ``counts`` the bin weights. ``edges`` are ``linspace(0, 1, num_bins + 1)`` for
    ``'uniform'``; for ``'quantile'`` ``edges[b]`` is the smallest confidence in bin ``b`` (NaN if
    empty), with ``edges[0] = 0`` and ``edges[-1] = 1``. ``accuracy`` equals the fraction of
    positives of ``sklearn.calibration.calibration_curve`` in its non-empty bins (binary case).
    Bad input (module docstring) raises ``ValueError`` eagerly; under ``jit`` every array is NaN.

    >>> import jax.numpy as jnp
    >>> d = reliability_diagram(jnp.array([0, 1, 1, 1]), jnp.array([0.2, 0.6, 0.7, 0.9]), num_bins=2)
    >>> d["accuracy"], d["counts"]
    (Array([0., 1.], dtype=float32), Array([1., 3.], dtype=float32))
    """
    who = "reliability_diagram"
    _check_fn(who, num_bins, strategy)
    _check_concrete(who, y_true, y_pred, sample_weight)
    return _diagram(*_binned_inputs(y_true, y_pred, sample_weight, who=who, bins=num_bins,
                                    strategy=strategy))


@dataclasses.dataclass(frozen=True)
class _CalibrationMetric(Metric):
    """Shared state and binning of the streaming calibration errors."""

    num_bins: int = 15
    strategy: str = "uniform"
    resolution: int = 4096

    higher_is_better: ClassVar[bool | None] = False
    value_range: ClassVar[tuple[float | None, float | None]] = (0.0, 1.0)
    input_kind: ClassVar[str] = "categorical"
    example_args: ClassVar[dict[str, Any]] = {"num_bins": 10}
    _norm: ClassVar[str] = "l1"

    def __post_init__(self) -> None:
        who = self.display_name
        check_int(who, "num_bins", self.num_bins, 1)
        check_choice(who, "strategy", self.strategy, _STRATEGIES)
        check_int(who, "resolution", self.resolution, self.num_bins)

    @property
    def state_bins(self) -> int:
        """Number of fixed bins in the state: ``num_bins`` (uniform) or ``resolution`` (quantile)."""
        return self.num_bins if self.strategy == "uniform" else self.resolution

    def stat_key(self) -> CalibrationSpec:
        """Any calibration metrics with the same fixed bins share one state."""
        return CalibrationSpec(self.state_bins)

    def init(self) -> CalibrationBins:
        b = self.state_bins
        return CalibrationBins(ksum((b,)), ksum((b,)), ksum((b,)))

    def update(  # type: ignore[override]
        self, state: CalibrationBins, y_true: Any, y_pred: Any, sample_weight: Any = None
    ) -> CalibrationBins:
        _check_concrete(self.display_name, y_true, y_pred, sample_weight)
        conf, outcome, w = confidence_and_outcome(self.display_name, y_true, y_pred, sample_weight)
        sums = _bin_sums(_uniform_bin(conf, self.state_bins), conf, outcome, w, self.state_bins)
        return CalibrationBins(*(ksum_add(k, s) for k, s in zip(state, sums, strict=True)))

    def check_inputs(self, *args: Any, sample_weight: Any = None) -> None:
        check_calibration_inputs(self.display_name, args[0], args[1], sample_weight)

    def _bins(self, state: CalibrationBins) -> tuple[jax.Array, jax.Array, jax.Array, jax.Array]:
        weight, csum, asum = (ksum_value(k) for k in state)
        fine_lower = jnp.arange(self.state_bins, dtype=weight.dtype) / self.state_bins
        if self.strategy == "uniform":
            return weight, csum, asum, fine_lower
        weight_c, csum_c, asum_c, group = _coarsen(weight, csum, asum, self.num_bins)
        lower = jax.ops.segment_min(jnp.where(weight > 0, fine_lower, jnp.inf), group,
                                    num_segments=self.num_bins)
        lower = jnp.where(jnp.isfinite(lower), lower, jnp.nan).at[0].set(0.0)
        return weight_c, csum_c, asum_c, lower

    def compute(self, state: CalibrationBins) -> jax.Array:
        weight, csum, asum, _ = self._bins(state)
        return _errors(weight, csum, asum, self._norm)

    def diagram(self, state: CalibrationBins) -> dict[str, jax.Array]:
        """Reliability-diagram data of the state (as :func:`reliability_diagram`; for
        ``'quantile'`` the edges are fine-bin edges)."""
        return _diagram(*self._bins(state))


@dataclasses.dataclass(frozen=True)
class ExpectedCalibrationError(_CalibrationMetric):
    """Streaming expected calibration error; ``update(state, y_true, y_pred, sample_weight=None)``.

    ``ExpectedCalibrationError(num_bins=15, strategy='uniform', resolution=4096, norm='l1')``;
    binary or multiclass (top-label) inputs and the bins as in :func:`expected_calibration_error`.
    ``'uniform'`` is exact; ``'quantile'`` forms equal-mass bins from ``resolution`` fine bins
    (module docstring). ``diagram(state)`` gives reliability-diagram data. Lower is better.

    >>> import jax.numpy as jnp
    >>> m = ExpectedCalibrationError(num_bins=2)
    >>> s = m.update(m.init(), jnp.array([0, 1]), jnp.array([0.2, 0.6]))
    >>> s = m.update(s, jnp.array([1, 1]), jnp.array([0.7, 0.9]))
    >>> round(float(m.compute(s)), 4)
    0.25
    """

    norm: str = "l1"

    default_name: ClassVar[str | None] = "expected_calibration_error"

    def __post_init__(self) -> None:
        super().__post_init__()
        check_choice(self.display_name, "norm", self.norm, _NORMS)

    def compute(self, state: CalibrationBins) -> jax.Array:
        weight, csum, asum, _ = self._bins(state)
        return _errors(weight, csum, asum, self.norm)


@dataclasses.dataclass(frozen=True)
class MaxCalibrationError(_CalibrationMetric):
    """Streaming maximum calibration error (``ExpectedCalibrationError`` with ``norm='max'``).

    >>> import jax.numpy as jnp
    >>> m = MaxCalibrationError(num_bins=2)
    >>> s = m.update(m.init(), jnp.array([0, 1, 1, 1]), jnp.array([0.2, 0.6, 0.7, 0.9]))
    >>> round(float(m.compute(s)), 4)
    0.2667
    """

    default_name: ClassVar[str | None] = "max_calibration_error"
    _norm: ClassVar[str] = "max"
