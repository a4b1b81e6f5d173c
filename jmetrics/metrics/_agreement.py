"""ConfusionMatrix, MatthewsCorrCoef and CohenKappa: scikit-learn's whole-set scores, streamed.

All three keep one weighted ``num_classes x num_classes`` confusion matrix ``M`` (rows ``y_true``,
columns ``y_pred``), accumulated per batch by one block scatter of ``num_classes * t + p``
(:func:`~jmetrics.metrics._blocks.bincount`): exact int32 counts without weights, compensated
float sums with them, folded into a compensated sum across batches. From ``M`` (row sums
``t_k``, column sums ``p_k``, total ``s``, trace ``c``):

.. math:: \\mathrm{MCC} = \\frac{c\\,s - \\sum_k p_k t_k}
          {\\sqrt{\\sum_k p_k (s - p_k)\\,\\sum_k t_k (s - t_k)}},
          \\qquad \\kappa = 1 - \\frac{\\sum_{ij} W_{ij} M_{ij}}{\\sum_{ij} W_{ij} p_i t_j / s}

(``s^2 - \\sum_k p_k^2`` written as ``\\sum_k p_k (s - p_k)``: no cancellation for a dominant
class). Any split of the stream into batches, devices or hosts gives the same matrix.

Inputs: ``y_true`` class ids of shape ``(N,)`` or ``(N, 1)``; ``y_pred`` class ids of the same
shape, or scores of shape ``(N, num_classes)`` (their argmax, first index on ties), or with
``threshold`` (``num_classes=2``) scores of shape ``(N,)`` or ``(N, 1)`` (class 1 where
``y_pred > threshold``); ``sample_weight`` a scalar or one weight per row.

Bad input: a class id that is NaN, infinite, fractional or outside ``[0, num_classes)`` (in
``y_true`` or ``y_pred``), a NaN score, a weight that is NaN, infinite or negative. Eagerly
(``update_state``, or ``update`` on concrete arrays) it raises ``ValueError`` naming the metric and
the argument; under ``jit`` the whole matrix becomes NaN, so every result is NaN (never a count
clamped into another class, as JAX clamps out-of-range scatter indices). Rows of weight 0 are
never checked: padding may hold anything. Infinite scores are ordered (argmax and the threshold
take them).
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from jmetrics._floor._checks import accum_dtype, as_array, column_weights, is_concrete
from jmetrics._floor._options import check_choice, check_int
from jmetrics._floor._ratios import divide_no_nan
from jmetrics.kernels._common import valid_class_ids
from jmetrics.metrics._base import Metric
from jmetrics.metrics._blocks import bincount
from jmetrics.metrics._state import KSum, ksum, ksum_add, ksum_value
from jmetrics.metrics._validate import check_weights, fail_if, isnan, poison

__all__ = ["CohenKappa", "ConfusionMatrix", "MatthewsCorrCoef"]


class ConfusionMatrixSpec(NamedTuple):
    """The statistic of ConfusionMatrix, MatthewsCorrCoef and CohenKappa (hashable): equal specs
    share one matrix (the kappa's weighting and the labels only shape the result)."""

    num_classes: int  # C of the (C, C) matrix
    threshold: float | None  # binary scores: y_pred > threshold is class 1 (None: ids or argmax)


class ConfusionState(NamedTuple):
    """State of ConfusionMatrix, MatthewsCorrCoef and CohenKappa: one weighted confusion matrix."""

    confusion: KSum  # (C, C) accum dtype, sum of w over rows with y_true = row, y_pred = column


class _Rows(NamedTuple):
    """One batch as flat rows: class ids (0 where bad), where each is bad, the weights."""

    t: jax.Array  # (N,) int32
    p: jax.Array  # (N,) int32
    bad_t: jax.Array  # (N,) bool: y_true is not a class id
    bad_p: jax.Array  # (N,) bool: y_pred is not a class id, or its score (row) holds NaN
    w: jax.Array | None  # (N,) accum dtype, None without sample_weight


def _not_class_id(x: jax.Array, num_classes: int) -> jax.Array:
    """Where ``x`` is not a class id: NaN, inf, fractional or outside ``[0, num_classes)``."""
    if x.dtype == jnp.bool_:
        x = x.astype(jnp.int32)
    return ~valid_class_ids(x, num_classes) | (x % 1 != 0)


def _as_ids(x: jax.Array, bad: jax.Array) -> jax.Array:
    """int32 class ids, 0 where ``bad`` (never cast a NaN or a huge float)."""
    return jnp.where(bad, 0, x).astype(jnp.int32)


@dataclasses.dataclass(frozen=True)
class _ConfusionBase(Metric):
    """The shared confusion matrix: options, state, input checks and update."""

    num_classes: int
    threshold: float | None = dataclasses.field(default=None, kw_only=True)

    input_kind: ClassVar[str] = "labels"
    example_args: ClassVar[dict[str, Any]] = {"num_classes": 3}

    def __post_init__(self) -> None:
        who = type(self).__name__
        c = check_int(who, "num_classes", self.num_classes, low=2)
        object.__setattr__(self, "num_classes", c)
        t = self.threshold
        if t is not None:
            if isinstance(t, bool) or not isinstance(t, (int, float, np.floating, np.integer)) \
                    or not np.isfinite(t):
                raise ValueError(f"{who}: threshold must be a finite number or None; got {t!r}.")
            if c != 2:
                raise ValueError(f"{who}: threshold needs num_classes=2 (binary scores); got "
                                 f"num_classes={c}.")
            object.__setattr__(self, "threshold", float(t))

    def stat_key(self) -> ConfusionMatrixSpec:
        return ConfusionMatrixSpec(self.num_classes, self.threshold)

    def init(self) -> ConfusionState:
        c = self.num_classes
        return ConfusionState(ksum((c, c)))

    # -- inputs ----------------------------------------------------------------------------------
    def _column(self, x: Any, arg: str, what: str) -> jax.Array:
        """``x`` of shape ``(N,)`` or ``(N, 1)`` as ``(N,)``, else ``ValueError``."""
        if x.ndim == 1 or (x.ndim == 2 and x.shape[1] == 1):
            return x.reshape(-1)
        raise ValueError(f"{self.display_name}: {arg} must be {what} of shape (N,) or (N, 1); "
                         f"got shape {tuple(x.shape)}.")

    def _pred(self, y_pred: Any) -> tuple[jax.Array, jax.Array]:
        """Class ids of ``y_pred`` and where they are bad (before the id check for ids)."""
        name, c = self.display_name, self.num_classes
        p = as_array(y_pred, "y_pred", name)
        if self.threshold is not None:
            p = self._column(p, "y_pred", f"scores (threshold={self.threshold})")
            return (p > self.threshold).astype(jnp.int32), isnan(p)
        if p.ndim == 2 and p.shape[1] == c:
            return jnp.argmax(p, axis=1).astype(jnp.int32), jnp.any(isnan(p), axis=1)
        if p.ndim == 1 or (p.ndim == 2 and p.shape[1] == 1):
            p = p.reshape(-1)
            bad = _not_class_id(p, c)
            return _as_ids(p, bad), bad
        raise ValueError(f"{name}: y_pred must be class ids of shape (N,) or (N, 1), or scores of "
                         f"shape (N, {c}) (num_classes={c}); got shape {tuple(p.shape)}.")

    def _rows(self, y_true: Any, y_pred: Any, sample_weight: Any) -> _Rows:
        name = self.display_name
        t = self._column(as_array(y_true, "y_true", name), "y_true", "class ids")
        p, bad_p = self._pred(y_pred)
        if t.shape[0] != p.shape[0]:
            raise ValueError(f"{name}: y_true and y_pred must have the same number of rows; got "
                             f"shapes {tuple(jnp.shape(y_true))} and {tuple(jnp.shape(y_pred))}.")
        bad_t = _not_class_id(t, self.num_classes)
        w = column_weights(name, sample_weight, (t.shape[0], 1), accum_dtype())
        return _Rows(_as_ids(t, bad_t), p, bad_t, bad_p, None if w is None else w.reshape(-1))

    def check_inputs(self, *args: Any, sample_weight: Any = None) -> None:
        """Raise ``ValueError`` for bad concrete inputs (module docstring); rows of weight 0 are
        exempt. A no-op on tracers: under ``jit`` the same inputs make the result NaN."""
        name, c = self.display_name, self.num_classes
        y_true, y_pred = as_array(args[0], "y_true", name), as_array(args[1], "y_pred", name)
        if sample_weight is not None:
            sample_weight = as_array(sample_weight, "sample_weight", name)
        if not all(is_concrete(x) for x in (y_true, y_pred, sample_weight)):
            return  # (a list of tracers is a tracer once it is an array)
        rows = self._rows(y_true, y_pred, sample_weight)
        keep = np.ones(rows.t.shape, bool) if rows.w is None else check_weights(name, rows.w) != 0
        ids = f"class ids: integers in [0, {c - 1}] (num_classes={c})"
        fail_if(name, "y_true", ids, np.asarray(y_true).reshape(-1), keep & np.asarray(rows.bad_t))
        bad_p = keep & np.asarray(rows.bad_p)
        if self.threshold is not None:
            fail_if(name, "y_pred", "a score, not NaN", np.nan, bad_p)
        elif np.ndim(y_pred) == 2 and np.shape(y_pred)[1] == c:
            fail_if(name, "y_pred", "rows of scores without NaN (argmax would pick it)", np.nan,
                    bad_p)
        else:
            fail_if(name, "y_pred", ids, np.asarray(y_pred).reshape(-1), bad_p)

    # -- the pure protocol -----------------------------------------------------------------------
    def update(self, state: ConfusionState, y_true: Any, y_pred: Any,
               sample_weight: Any = None) -> ConfusionState:
        """One block scatter of ``num_classes * t + p``; a row of nonzero weight with a bad id,
        a NaN score or a bad weight goes to one extra key, which makes the matrix NaN."""
        self.check_inputs(y_true, y_pred, sample_weight=sample_weight)
        c = self.num_classes
        rows = self._rows(y_true, y_pred, sample_weight)
        counts = bincount(lambda t, p, bad: t * c + p, c * c,
                          (rows.t, rows.p, rows.bad_t | rows.bad_p), rows.w,
                          invalid=lambda t, p, bad: bad)
        bad = poison(counts[c * c] != 0, accum_dtype())  # NaN where a bad row was counted
        cm = counts[: c * c].reshape(c, c)
        if jnp.issubdtype(cm.dtype, jnp.floating):
            return ConfusionState(ksum_add(state.confusion, cm + bad))
        # past 2**24 rows: exact int32 counts, which ksum_add adds in two exact float parts
        confusion = ksum_add(state.confusion, cm)
        return ConfusionState(ksum_add(confusion, jnp.broadcast_to(bad, cm.shape)))

    def matrix(self, state: ConfusionState) -> jax.Array:
        """The accumulated (unnormalized) confusion matrix of ``state``, ``(C, C)``."""
        return ksum_value(state.confusion)


_STATE_DOC = (" State: :class:`ConfusionState` ``(confusion: KSum (C, C))``; ConfusionMatrix, "
              "MatthewsCorrCoef and CohenKappa with the same ``num_classes`` and ``threshold`` "
              "share it in a collection (``stat_key``).")


@dataclasses.dataclass(frozen=True)
class ConfusionMatrix(_ConfusionBase):
    """The weighted confusion matrix of a stream, ``M[i, j]`` = weight of rows of class ``i``
    predicted ``j``.

    .. math:: M_{ij} = \\sum_n w_n [t_n = i][p_n = j]

    ``normalize``: None (the sums), ``'true'`` (each row divided by its sum), ``'pred'`` (each
    column), ``'all'`` (the total); an empty row, column or matrix gives 0. Equivalent to
    ``sklearn.metrics.confusion_matrix(y_true, y_pred, labels=range(num_classes),
    sample_weight=w, normalize=normalize)`` on the whole stream, as floats in the accumulation
    dtype (float32; unweighted counts are exact). ``y_pred`` may be scores (argmax), or with
    ``threshold`` binary scores (module docstring).

    Args:
        normalize: None (the weighted counts), 'true' (each row divided by its sum), 'pred'
            (each column by its sum) or 'all' (by the total), as scikit-learn's.

    >>> import jax.numpy as jnp
    >>> m = ConfusionMatrix(num_classes=3)
    >>> s = m.update(m.init(), jnp.array([0, 1, 2, 2, 1, 0]), jnp.array([0, 2, 2, 2, 1, 1]))
    >>> m.compute(s).tolist()
    [[1.0, 1.0, 0.0], [0.0, 1.0, 1.0], [0.0, 0.0, 2.0]]
    >>> ConfusionMatrix(num_classes=3, normalize="true").compute(s).tolist()[0]
    [0.5, 0.5, 0.0]
    """

    normalize: str | None = dataclasses.field(default=None, kw_only=True)

    higher_is_better: ClassVar[bool | None] = None  # a matrix, not a score
    value_range: ClassVar[tuple[float | None, float | None]] = (0.0, None)

    def __post_init__(self) -> None:
        super().__post_init__()
        check_choice(type(self).__name__, "normalize", self.normalize,
                     ("true", "pred", "all", None))

    def compute(self, state: ConfusionState) -> jax.Array:
        cm = self.matrix(state)
        if self.normalize is None:
            return cm
        den = {"true": cm.sum(axis=1, keepdims=True), "pred": cm.sum(axis=0, keepdims=True),
               "all": cm.sum()}[self.normalize]
        return divide_no_nan(cm, den, 0.0)


@dataclasses.dataclass(frozen=True)
class MatthewsCorrCoef(_ConfusionBase):
    """Matthews correlation coefficient of a stream (multiclass :math:`R_K`), from its confusion
    matrix ``M`` (row sums ``t``, column sums ``p``, total ``s``, trace ``c``):

    .. math:: \\mathrm{MCC} = \\frac{c\\,s - \\sum_k p_k t_k}
              {\\sqrt{\\sum_k p_k (s - p_k)}\\,\\sqrt{\\sum_k t_k (s - t_k)}}

    0 when a denominator is 0 (one class only, or no rows), as scikit-learn. Higher is better;
    range [-1, 1]. Equivalent to ``sklearn.metrics.matthews_corrcoef(y_true, y_pred,
    sample_weight=w)`` on the whole stream (classes that never occur change nothing).

    >>> import jax.numpy as jnp
    >>> m = MatthewsCorrCoef(num_classes=2)
    >>> s = m.update(m.init(), jnp.array([0, 1, 1, 0]), jnp.array([0, 1, 0, 0]))
    >>> round(float(m.compute(s)), 6)  # sklearn: 0.57735
    0.57735
    """

    higher_is_better: ClassVar[bool | None] = True
    value_range: ClassVar[tuple[float | None, float | None]] = (-1.0, 1.0)

    def compute(self, state: ConfusionState) -> jax.Array:
        cm = self.matrix(state)
        t, p = cm.sum(axis=1), cm.sum(axis=0)
        s = jnp.sum(t)
        cov = jnp.trace(cm) * s - jnp.dot(t, p)
        return divide_no_nan(cov, jnp.sqrt(jnp.dot(p, s - p)) * jnp.sqrt(jnp.dot(t, s - t)), 0.0)


@dataclasses.dataclass(frozen=True)
class CohenKappa(_ConfusionBase):
    """Cohen's kappa of a stream: agreement of ``y_true`` and ``y_pred`` beyond chance.

    .. math:: \\kappa = 1 - \\frac{s \\sum_{ij} W_{ij} M_{ij}}{\\sum_{ij} W_{ij}\\, p_i t_j}

    from the confusion matrix ``M`` (row sums ``t``, column sums ``p``, total ``s``); ``W`` is
    ``[i != j]`` (``weights=None``), ``|i - j|`` (``'linear'``) or ``(i - j)**2``
    (``'quadratic'``), by class id. NaN when undefined (no rows, or chance agreement is total),
    as scikit-learn's default ``replace_undefined_by``. Higher is better; range [-1, 1].
    Equivalent to ``sklearn.metrics.cohen_kappa_score(y_true, y_pred,
    labels=range(num_classes), weights=weights, sample_weight=w)`` on the whole stream (without
    ``labels`` scikit-learn numbers only the classes present, which changes the weighted forms
    when a class never occurs).

    Args:
        weights: the disagreement weight of cell (i, j): None (1 off the diagonal), 'linear'
            (``|i - j|``) or 'quadratic' (``(i - j)**2``), by class id.

    >>> import jax.numpy as jnp
    >>> m = CohenKappa(num_classes=3, weights="quadratic")
    >>> s = m.update(m.init(), jnp.array([0, 1, 2, 2, 1, 0]), jnp.array([0, 2, 2, 2, 1, 1]))
    >>> round(float(m.compute(s)), 6)  # sklearn: 0.75
    0.75
    """

    weights: str | None = dataclasses.field(default=None, kw_only=True)

    higher_is_better: ClassVar[bool | None] = True
    value_range: ClassVar[tuple[float | None, float | None]] = (-1.0, 1.0)

    def __post_init__(self) -> None:
        super().__post_init__()
        check_choice(type(self).__name__, "weights", self.weights, ("linear", "quadratic", None))

    def compute(self, state: ConfusionState) -> jax.Array:
        cm = self.matrix(state)
        i, j = np.indices(cm.shape)
        w = {None: i != j, "linear": np.abs(i - j), "quadratic": (i - j) ** 2}[self.weights]
        w = jnp.asarray(w, cm.dtype)
        t, p = cm.sum(axis=1), cm.sum(axis=0)
        chance = jnp.sum(w * jnp.outer(p, t))  # s times scikit-learn's sum(W * expected)
        return 1 - divide_no_nan(jnp.sum(t) * jnp.sum(w * cm), chance, jnp.nan)
