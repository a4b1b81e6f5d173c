"""One streaming class per per-sample function: Keras 3 class names, arguments and default names.

Each class is a weighted mean (:class:`~jmetrics.metrics.Mean`) of its kernel's per-sample values;
its option fields are passed to the kernel. Compose, don't copy: a class is its kernel's name, its
options and its metadata.
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

import jax
import jax.numpy as jnp

from jmetrics import kernels
from jmetrics.metrics._reduction import Mean, MeanState, _fold, samplewise
from jmetrics.metrics._state import ksum_value

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
        y_true, y_pred = _widen_half(y_true), _widen_half(y_pred)
        values = getattr(kernels, self.kernel)(y_true, y_pred, **self.options())
        v, w = samplewise(self.display_name, values, sample_weight, jnp.mean)
        return _fold(state, v, w)


def _widen_half(x: Any) -> Any:
    """bf16/f16 inputs become float32, so the per-sample values are not rounded back to half."""
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
) -> Any:
    namespace = {
        "kernel": kernel,
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
        bases=(_FunctionMean,),
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
Accuracy = _define("Accuracy", "accuracy", "accuracy", True, (0, 1), "labels")
BinaryAccuracy = _define(
    "BinaryAccuracy", "binary_accuracy", "binary_accuracy", True, (0, 1), "binary", (("threshold", float, 0.5),)
)
CategoricalAccuracy = _define(
    "CategoricalAccuracy", "categorical_accuracy", "categorical_accuracy", True, (0, 1), "categorical"
)
SparseCategoricalAccuracy = _define(
    "SparseCategoricalAccuracy", "sparse_categorical_accuracy", "sparse_categorical_accuracy", True, (0, 1), "sparse"
)
TopKCategoricalAccuracy = _define(
    "TopKCategoricalAccuracy", "top_k_categorical_accuracy", "top_k_categorical_accuracy", True, (0, 1),
    "categorical", (("k", int, 5),),
)
SparseTopKCategoricalAccuracy = _define(
    "SparseTopKCategoricalAccuracy", "sparse_top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy",
    True, (0, 1), "sparse", (("k", int, 5), ("from_sorted_ids", bool, False)),
)
BinaryCrossentropy = _define(
    "BinaryCrossentropy", "binary_crossentropy", "binary_crossentropy", False, (0, INF), "binary",
    (("from_logits", bool, False), ("label_smoothing", float, 0.0)),
)
CategoricalCrossentropy = _define(
    "CategoricalCrossentropy", "categorical_crossentropy", "categorical_crossentropy", False, (0, INF),
    "categorical", (("from_logits", bool, False), ("label_smoothing", float, 0.0), ("axis", int, -1)),
)
SparseCategoricalCrossentropy = _define(
    "SparseCategoricalCrossentropy", "sparse_categorical_crossentropy", "sparse_categorical_crossentropy",
    False, (0, INF), "sparse", (("from_logits", bool, False), ("axis", int, -1)),
)
PearsonCorrelation = _define(
    "PearsonCorrelation", "pearson_correlation", "pearson_correlation", True, (-1, 1), _REG, (("axis", int, -1),)
)
ConcordanceCorrelation = _define(
    "ConcordanceCorrelation", "concordance_correlation", "concordance_correlation", True, (-1, 1), _REG,
    (("axis", int, -1),),
)


@dataclasses.dataclass(frozen=True)
class RootMeanSquaredError(Mean):
    """Square root of the streaming mean squared error (``keras.metrics.RootMeanSquaredError``).

    >>> import jax.numpy as jnp
    >>> m = RootMeanSquaredError()
    >>> float(m.compute(m.update(m.init(), jnp.array([[0.], [0.]]), jnp.array([[3.], [4.]]))))
    3.535533905029297
    """

    default_name = "root_mean_squared_error"
    higher_is_better = False
    value_range = (0, None)
    input_kind = "regression"

    def update(  # type: ignore[override]
        self, state: MeanState, y_true: Any, y_pred: Any, sample_weight: Any = None
    ) -> MeanState:
        values = kernels.mean_squared_error(_widen_half(y_true), _widen_half(y_pred))
        v, w = samplewise(self.display_name, values, sample_weight, jnp.mean)
        return _fold(state, v, w)

    def compute(self, state: MeanState) -> jax.Array:
        total, weight = ksum_value(state.total), ksum_value(state.weight)
        return jnp.sqrt(jnp.where(weight != 0, total / jnp.where(weight != 0, weight, 1), 0))
