"""One streaming class per per-sample function: Keras 3 class names, arguments and default names.

Each class is a weighted mean (:class:`~jmetrics.metrics.Mean`) of its kernel's per-sample values;
its option fields are passed to the kernel. Compose, don't copy: a class is its kernel's name, its
options and its metadata.

Keras 3 feeds its ``Mean`` what its function returns. Most functions reduce the last axis, as the
kernels do, but ``accuracy``, ``binary_accuracy`` and ``RootMeanSquaredError``'s squared error are
elementwise: ``Mean`` then averages each sample's elements, a rank-1 batch is N samples, and weights
may have the inputs' full shape. A class says so with ``elementwise = True``; its kernel is then
applied to each element (a trailing axis of 1), which gives Keras 3's elementwise values.
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

import jax
import jax.numpy as jnp
import numpy as np

import jmetrics.kernels as kernels
from jmetrics._checks import as_array, squeeze_or_expand
from jmetrics.kernels._common import valid_class_ids
from jmetrics.metrics._reduction import Mean, MeanState, fold_batch
from jmetrics.metrics._state import ksum_value
from jmetrics.metrics._validate import fail_if, np_float

__all__ = [
    "Accuracy",
    "BinaryAccuracy",
    "BinaryCrossentropy",
    "CategoricalAccuracy",
    "CategoricalCrossentropy",
    "CategoricalHinge",
    "ConcordanceCorrelation",
    "CosineSimilarity",
    "Hinge",
    "KLDivergence",
    "LogCoshError",
    "MeanAbsoluteError",
    "MeanAbsolutePercentageError",
    "MeanSquaredError",
    "MeanSquaredLogarithmicError",
    "PearsonCorrelation",
    "Poisson",
    "RootMeanSquaredError",
    "SparseCategoricalAccuracy",
    "SparseCategoricalCrossentropy",
    "SparseTopKCategoricalAccuracy",
    "SquaredHinge",
    "TopKCategoricalAccuracy",
]

_BASE_FIELDS = ("name", "dtype")


@dataclasses.dataclass(frozen=True)
class _FunctionMean(Mean):
    """Weighted mean of ``kernels.<kernel>(y_true, y_pred, **options)`` over samples."""

    kernel: ClassVar[str] = ""
    # True when Keras 3's function is elementwise (its Mean averages a sample's elements).
    elementwise: ClassVar[bool] = False

    def options(self) -> dict[str, Any]:
        """The kernel options: every field but name and dtype."""
        return {
            f.name: getattr(self, f.name)
            for f in dataclasses.fields(self)
            if f.name not in _BASE_FIELDS
        }

    def update(  # type: ignore[override]
        self, state: MeanState, y_true: Any, y_pred: Any, sample_weight: Any = None
    ) -> MeanState:
        t, p = _widen_half(y_true), _widen_half(y_pred)
        if self.elementwise:
            t, p = _per_element(self.display_name, t, p)
        values = getattr(kernels, self.kernel)(t, p, **self.options())
        return fold_batch(state, self.display_name, values, sample_weight, t, p)


@dataclasses.dataclass(frozen=True)
class _SparseMean(_FunctionMean):
    """A mean of a sparse kernel: labels are class ids of ``y_pred``'s last (or ``axis``) axis.

    Eagerly (:meth:`check_inputs`) a label that is not a class id (NaN, inf, negative, ``>= C``)
    in a sample of nonzero weight raises ``ValueError``; under ``jit`` the kernel makes that
    sample NaN, so the mean is NaN (a sample of weight 0 adds exactly 0, as when removed).
    """

    truncate_labels: ClassVar[bool] = True  # float ids truncated toward zero, as Keras 3 casts

    def check_inputs(self, *args: Any, sample_weight: Any = None) -> None:
        name = self.display_name
        t = np.asarray(as_array(args[0], "y_true", name))
        p_shape = np.shape(args[1])
        axis = getattr(self, "axis", -1)
        if not p_shape or not -len(p_shape) <= axis < len(p_shape) or t.size == 0:
            return  # no class axis: the update raises the shape error
        c = None if getattr(self, "from_sorted_ids", False) else p_shape[axis]
        bad = ~valid_class_ids(t, c, self.truncate_labels)
        if getattr(self, "ignore_class", None) is not None:
            bad &= t != self.ignore_class  # type: ignore[attr-defined]
        if bad.any():
            want = (f"class ids in [0, {c - 1}] (y_pred has {c} classes)" if c is not None
                    else "finite class ids")
            fail_if(name, "y_true", want, t, bad & _weighted(t, sample_weight, len(p_shape)))


def _weighted(t: np.ndarray, sample_weight: Any, p_ndim: int) -> np.ndarray:
    """Where labels ``t`` have a nonzero weight (all of them when the weights do not line up with
    the labels: the update then raises its shape error)."""
    if sample_weight is None:
        return np.ones(t.shape, bool)
    labels = t[..., 0] if t.ndim == p_ndim and t.shape[-1] == 1 else t
    a, w = squeeze_or_expand(jnp.asarray(labels), jnp.asarray(np_float(sample_weight)))
    try:
        nonzero = np.broadcast_to(np.asarray(w) != 0, a.shape)
    except ValueError:
        return np.ones(t.shape, bool)
    return nonzero.reshape(t.shape) if nonzero.size == t.size else np.ones(t.shape, bool)


def _per_element(metric: str, y_true: Any, y_pred: Any) -> tuple[Any, Any]:
    """Inputs with a trailing axis of 1, so a kernel's mean over the last axis covers one element.

    The ranks are first matched as Keras 3 does (``(N,)`` against ``(N, 1)`` is ``(N, 1)``); inputs
    whose shapes still differ are returned as given, for the kernel to raise its shape error.
    """
    t, p = squeeze_or_expand(as_array(y_true, "y_true", metric), as_array(y_pred, "y_pred", metric))
    if t.shape != p.shape or p.ndim == 0:
        return y_true, y_pred
    return t[..., None], p[..., None]


def _widen_half(x: Any) -> Any:
    """bf16/f16 inputs become float32, so the per-sample values are not rounded back to half.

    A Python list or tuple (under ``jax.jit``, a list of tracers) becomes one array first.
    """
    if isinstance(x, (list, tuple)):
        x = jnp.asarray(x)
    dtype = getattr(x, "dtype", None)
    if dtype is not None and jnp.dtype(dtype) in (jnp.dtype(jnp.bfloat16), jnp.dtype(jnp.float16)):
        return jnp.asarray(x, jnp.float32)
    return x


def _define(
    cls_name: str,
    kernel: str,
    default_name: str,
    higher: bool,
    value_range: tuple[float | None, float | None],
    input_kind: str,
    fields: tuple[tuple[str, type, Any], ...] = (),
    elementwise: bool = False,
    base: type = _FunctionMean,
    **class_vars: Any,
) -> Any:
    namespace = {
        **class_vars,
        "kernel": kernel,
        "elementwise": elementwise,
        "default_name": default_name,
        "higher_is_better": higher,
        "value_range": value_range,
        "input_kind": input_kind,
        "__doc__": (
            f"Streaming weighted mean of :func:`jmetrics.{kernel}` (``keras.metrics.{cls_name}``).\n\n"
            f"Default name ``{default_name!r}``; options "
            f"{', '.join(f'``{n}={d!r}``' for n, _, d in fields) or 'none'} (Keras 3 defaults)."
        ),
        "__module__": __name__,
    }
    cls = dataclasses.make_dataclass(
        cls_name,
        [(n, t, dataclasses.field(default=d)) for n, t, d in fields],
        bases=(base,),
        namespace=namespace,
        frozen=True,
    )
    return cls


INF = None
_REG = "regression"
MeanSquaredError = _define("MeanSquaredError", "mean_squared_error", "mean_squared_error", False, (0, INF), _REG)
MeanAbsoluteError = _define("MeanAbsoluteError", "mean_absolute_error", "mean_absolute_error", False, (0, INF), _REG)
MeanAbsolutePercentageError = _define(
    "MeanAbsolutePercentageError", "mean_absolute_percentage_error", "mean_absolute_percentage_error",
    False, (0, INF), _REG,
)
MeanSquaredLogarithmicError = _define(
    "MeanSquaredLogarithmicError", "mean_squared_logarithmic_error", "mean_squared_logarithmic_error",
    False, (0, INF), _REG,
)
LogCoshError = _define("LogCoshError", "log_cosh", "logcosh", False, (0, INF), _REG)
Poisson = _define("Poisson", "poisson", "poisson", False, (INF, INF), _REG)
KLDivergence = _define("KLDivergence", "kl_divergence", "kl_divergence", False, (INF, INF), "categorical")
CosineSimilarity = _define(
    "CosineSimilarity", "cosine_similarity", "cosine_similarity", True, (-1, 1), _REG, (("axis", int, -1),)
)
Hinge = _define("Hinge", "hinge", "hinge", False, (0, INF), "binary")
SquaredHinge = _define("SquaredHinge", "squared_hinge", "squared_hinge", False, (0, INF), "binary")
CategoricalHinge = _define("CategoricalHinge", "categorical_hinge", "categorical_hinge", False, (0, INF), "categorical")
Accuracy = _define("Accuracy", "accuracy", "accuracy", True, (0, 1), "labels", elementwise=True)
BinaryAccuracy = _define(
    "BinaryAccuracy", "binary_accuracy", "binary_accuracy", True, (0, 1), "binary", (("threshold", float, 0.5),),
    elementwise=True,
)
CategoricalAccuracy = _define(
    "CategoricalAccuracy", "categorical_accuracy", "categorical_accuracy", True, (0, 1), "categorical"
)
SparseCategoricalAccuracy = _define(
    "SparseCategoricalAccuracy", "sparse_categorical_accuracy", "sparse_categorical_accuracy", True, (0, 1), "sparse",
    base=_SparseMean, truncate_labels=False,
)
TopKCategoricalAccuracy = _define(
    "TopKCategoricalAccuracy", "top_k_categorical_accuracy", "top_k_categorical_accuracy", True, (0, 1),
    "categorical", (("k", int, 5),),
)
SparseTopKCategoricalAccuracy = _define(
    "SparseTopKCategoricalAccuracy", "sparse_top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy",
    True, (0, 1), "sparse", (("k", int, 5), ("from_sorted_ids", bool, False)), base=_SparseMean,
)
BinaryCrossentropy = _define(
    "BinaryCrossentropy", "binary_crossentropy", "binary_crossentropy", False, (0, INF), "binary",
    (("from_logits", bool, False), ("label_smoothing", float, 0.0)),
)
CategoricalCrossentropy = _define(
    "CategoricalCrossentropy", "categorical_crossentropy", "categorical_crossentropy", False, (0, INF),
    "categorical", (("from_logits", bool, False), ("label_smoothing", float, 0.0), ("axis", int, -1)),
)
PearsonCorrelation = _define(
    "PearsonCorrelation", "pearson_correlation", "pearson_correlation", True, (-1, 1), _REG, (("axis", int, -1),)
)
ConcordanceCorrelation = _define(
    "ConcordanceCorrelation", "concordance_correlation", "concordance_correlation", True, (-1, 1), _REG,
    (("axis", int, -1),),
)


@dataclasses.dataclass(frozen=True)
class SparseCategoricalCrossentropy(_SparseMean):
    """Streaming weighted mean of :func:`jmetrics.sparse_categorical_crossentropy`
    (``keras.metrics.SparseCategoricalCrossentropy``).

    .. math:: \\mathrm{scce} = \\frac{\\sum_i w_i m_i \\ell_i}{\\sum_i w_i m_i}, \\quad
              \\ell_i = -\\log q_{i, y_i}

    Options ``from_logits=False``, ``axis=-1``, ``ignore_class=None`` (Keras 3 defaults). A label
    equal to ``ignore_class`` has loss 0. As in Keras 3, how it counts depends on the weights:
    without ``sample_weight`` it still counts in the denominator (``m_i = 1``); with one, its
    weight is multiplied by 0 (``m_i = [y_i \\ne \\text{ignore\\_class}]``), so it is left out.
    With ``ignore_class``, ``sample_weight`` must be a scalar or have the labels' rank.

    >>> import jax.numpy as jnp
    >>> m = SparseCategoricalCrossentropy(ignore_class=2)
    >>> p = jnp.array([[0.05, 0.95, 0.0], [0.1, 0.8, 0.1]])
    >>> round(float(m.compute(m.update(m.init(), jnp.array([1, 2]), p))), 5)  # Keras 3: 0.025647
    0.02565
    >>> s = m.update(m.init(), jnp.array([1, 2]), p, sample_weight=jnp.array([1.0, 3.0]))
    >>> round(float(m.compute(s)), 5)  # Keras 3: 0.051293
    0.05129
    """

    from_logits: bool = False
    axis: int = -1
    ignore_class: int | None = None

    kernel = "sparse_categorical_crossentropy"
    default_name = "sparse_categorical_crossentropy"
    higher_is_better = False
    value_range = (0, None)
    input_kind = "sparse"

    def update(  # type: ignore[override]
        self, state: MeanState, y_true: Any, y_pred: Any, sample_weight: Any = None
    ) -> MeanState:
        if self.ignore_class is None or sample_weight is None:
            return super().update(state, y_true, y_pred, sample_weight)
        name = self.display_name
        t, p = as_array(y_true, "y_true", name), _widen_half(as_array(y_pred, "y_pred", name))
        values = kernels.sparse_categorical_crossentropy(t, p, **self.options())
        if t.ndim == p.ndim and t.ndim and t.shape[self.axis] == 1:
            t = jnp.squeeze(t, self.axis)
        weight = _kept_weight(name, t != self.ignore_class, sample_weight)
        return fold_batch(state, name, values, weight, t, p)


def _kept_weight(metric: str, kept: jax.Array, sample_weight: Any) -> jax.Array:
    """``sample_weight`` times the 0/1 mask ``kept`` (Keras 3's ``apply_mask``), of ``kept``'s shape.

    The weight is first brought to the mask's rank as Keras does; it must then be a scalar or
    have the mask's rank and broadcast to it (a lower rank would broadcast along the wrong axes).
    """
    w = as_array(sample_weight, "sample_weight", metric)
    w = w.astype(w.dtype if jnp.issubdtype(w.dtype, jnp.floating) else jnp.float32)
    mask, w = squeeze_or_expand(kept.astype(w.dtype), w)
    try:
        fits = w.ndim in (0, mask.ndim) and jnp.broadcast_shapes(w.shape, mask.shape) == mask.shape
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(
            f"{metric}: sample_weight must be a scalar or broadcast to the labels' shape "
            f"{tuple(kept.shape)} when ignore_class is set; got shape {tuple(w.shape)}."
        )
    return w * mask


@dataclasses.dataclass(frozen=True)
class RootMeanSquaredError(_FunctionMean):
    """Square root of the streaming mean of squared errors (``keras.metrics.RootMeanSquaredError``).

    .. math:: \\mathrm{rmse} = \\sqrt{\\textstyle\\sum_i w_i e_i / \\sum_i w_i}, \\quad
              e_i = \\tfrac{1}{d} \\textstyle\\sum_j (y_{ij} - \\hat y_{ij})^2

    Squared errors are elementwise, as in Keras 3: a rank-1 batch is N samples and
    ``sample_weight`` may have the inputs' full shape.

    >>> import jax.numpy as jnp
    >>> m = RootMeanSquaredError()
    >>> float(m.compute(m.update(m.init(), jnp.array([[0.], [0.]]), jnp.array([[3.], [4.]]))))
    3.535533905029297
    """

    kernel = "mean_squared_error"
    elementwise = True
    default_name = "root_mean_squared_error"
    higher_is_better = False
    value_range = (0, None)
    input_kind = "regression"

    def compute(self, state: MeanState) -> jax.Array:
        total, weight = ksum_value(state.total), ksum_value(state.weight)
        return jnp.sqrt(jnp.where(weight != 0, total / jnp.where(weight != 0, weight, 1), 0))
