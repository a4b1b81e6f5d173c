"""The weighted means of the regression functions, and the machinery every kernel mean shares.

Each class is a weighted mean (:class:`~jmetrics.metrics.Mean`) of its kernel's per-sample values
(Keras 3 class names, arguments and default names); its option fields are passed to the kernel.
Compose, don't copy: a class is its kernel (the function itself), its options and its metadata.
The classification means (accuracies, hinges, crossentropies) are in ``_means_classification``.

Keras 3 feeds its ``Mean`` what its function returns. Most functions reduce the last axis, as the
kernels do, but ``accuracy``, ``binary_accuracy`` and ``RootMeanSquaredError``'s squared error are
elementwise: ``Mean`` then averages each sample's elements, a rank-1 batch is N samples, and weights
may have the inputs' full shape. A class says so with ``elementwise = True``; its kernel is then
applied to each element (a trailing axis of 1), which gives Keras 3's elementwise values.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, ClassVar

import jax
import jax.numpy as jnp

from jmetrics._floor._checks import as_array, squeeze_or_expand
from jmetrics._floor._dtypes import widen_half
from jmetrics.kernels import _correlation as k_correlation
from jmetrics.kernels import _regression as k_regression
from jmetrics.metrics._reduction import Mean, MeanState, fold_batch
from jmetrics.metrics._state import ksum_value

__all__ = [
    "ConcordanceCorrelation",
    "CosineSimilarity",
    "KLDivergence",
    "LogCoshError",
    "MeanAbsoluteError",
    "MeanAbsolutePercentageError",
    "MeanSquaredError",
    "MeanSquaredLogarithmicError",
    "PearsonCorrelation",
    "Poisson",
    "RootMeanSquaredError",
]

_BASE_FIELDS = ("name", "dtype")


@dataclasses.dataclass(frozen=True)
class _KernelMean(Mean):
    """Weighted mean of ``kernel(y_true, y_pred, **options)`` over samples."""

    kernel: ClassVar[Callable[..., jax.Array]]  # the per-sample function (a staticmethod)
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
        t, p = widen_half(y_true), widen_half(y_pred)
        if self.elementwise:
            t, p = _per_element(self.display_name, t, p)
        values = self.kernel(t, p, **self.options())
        return fold_batch(state, self.display_name, values, sample_weight, t, p)


def _per_element(metric: str, y_true: Any, y_pred: Any) -> tuple[Any, Any]:
    """Inputs with a trailing axis of 1, so a kernel's mean over the last axis covers one element.

    The ranks are first matched as Keras 3 does (``(N,)`` against ``(N, 1)`` is ``(N, 1)``); inputs
    whose shapes still differ are returned as given, for the kernel to raise its shape error.
    """
    t, p = squeeze_or_expand(as_array(y_true, "y_true", metric), as_array(y_pred, "y_pred", metric))
    if t.shape != p.shape or p.ndim == 0:
        return y_true, y_pred
    return t[..., None], p[..., None]


# -- regression ---------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class MeanSquaredError(_KernelMean):
    """Streaming weighted mean of :func:`jmetrics.mean_squared_error`:
    ``keras.metrics.MeanSquaredError``.

    .. math:: \\mathrm{mse} = \\frac{\\sum_i w_i e_i}{\\sum_i w_i}, \\quad
              e_i = \\tfrac{1}{d} \\textstyle\\sum_j (y_{ij} - \\hat y_{ij})^2

    Equals Keras 3; unweighted, ``sklearn.metrics.mean_squared_error`` (``multioutput=
    'uniform_average'``). Default name ``'mean_squared_error'``. State: ``MeanState``.

    >>> import jax.numpy as jnp
    >>> m = MeanSquaredError()
    >>> s = m.update(m.init(), jnp.array([[0., 1.], [0., 0.]]), jnp.array([[1., 1.], [1., 0.]]))
    >>> float(m.compute(s))  # Keras 3: 0.5
    0.5
    """

    kernel = staticmethod(k_regression.mean_squared_error)
    default_name = "mean_squared_error"
    higher_is_better = False
    value_range = (0, None)
    input_kind = "regression"


@dataclasses.dataclass(frozen=True)
class MeanAbsoluteError(_KernelMean):
    """Streaming weighted mean of :func:`jmetrics.mean_absolute_error`:
    ``keras.metrics.MeanAbsoluteError``.

    .. math:: \\mathrm{mae} = \\frac{\\sum_i w_i e_i}{\\sum_i w_i}, \\quad
              e_i = \\tfrac{1}{d} \\textstyle\\sum_j |y_{ij} - \\hat y_{ij}|

    Equals Keras 3; unweighted, ``sklearn.metrics.mean_absolute_error``. Default name
    ``'mean_absolute_error'``. State: ``MeanState``.

    >>> import jax.numpy as jnp
    >>> m = MeanAbsoluteError()
    >>> s = m.update(m.init(), jnp.array([[0., 1.], [0., 0.]]), jnp.array([[1., 1.], [1., 0.]]))
    >>> float(m.compute(s))  # Keras 3: 0.5
    0.5
    """

    kernel = staticmethod(k_regression.mean_absolute_error)
    default_name = "mean_absolute_error"
    higher_is_better = False
    value_range = (0, None)
    input_kind = "regression"


@dataclasses.dataclass(frozen=True)
class MeanAbsolutePercentageError(_KernelMean):
    """Streaming weighted mean of :func:`jmetrics.mean_absolute_percentage_error`:
    ``keras.metrics.MeanAbsolutePercentageError``.

    .. math:: e_i = \\tfrac{100}{d} \\textstyle\\sum_j
              \\frac{|y_{ij} - \\hat y_{ij}|}{\\max(|y_{ij}|, \\epsilon)}

    averaged with weights over samples. Equals Keras 3; unweighted, 100 times
    ``sklearn.metrics.mean_absolute_percentage_error`` (whose floor is ``float64`` eps).
    Default name ``'mean_absolute_percentage_error'``. State: ``MeanState``.

    >>> import jax.numpy as jnp
    >>> m = MeanAbsolutePercentageError()
    >>> s = m.update(m.init(), jnp.array([[1., 2.], [3., 4.]]), jnp.array([[1., 3.], [2., 4.]]))
    >>> round(float(m.compute(s)), 4)  # Keras 3: 20.83333
    20.8333
    """

    kernel = staticmethod(k_regression.mean_absolute_percentage_error)
    default_name = "mean_absolute_percentage_error"
    higher_is_better = False
    value_range = (0, None)
    input_kind = "regression"


@dataclasses.dataclass(frozen=True)
class MeanSquaredLogarithmicError(_KernelMean):
    """Streaming weighted mean of :func:`jmetrics.mean_squared_logarithmic_error`:
    ``keras.metrics.MeanSquaredLogarithmicError``.

    .. math:: e_i = \\tfrac{1}{d} \\textstyle\\sum_j
              (\\log(1 + \\max(y_{ij}, \\epsilon)) - \\log(1 + \\max(\\hat y_{ij}, \\epsilon)))^2

    averaged with weights over samples. Equals Keras 3; unweighted, for non-negative inputs,
    ``sklearn.metrics.mean_squared_log_error``. Default name ``'mean_squared_logarithmic_error'``.
    State: ``MeanState``.

    >>> import jax.numpy as jnp
    >>> m = MeanSquaredLogarithmicError()
    >>> s = m.update(m.init(), jnp.array([[1., 2.], [3., 4.]]), jnp.array([[1., 3.], [2., 4.]]))
    >>> round(float(m.compute(s)), 4)  # Keras 3: 0.04138048
    0.0414
    """

    kernel = staticmethod(k_regression.mean_squared_logarithmic_error)
    default_name = "mean_squared_logarithmic_error"
    higher_is_better = False
    value_range = (0, None)
    input_kind = "regression"


@dataclasses.dataclass(frozen=True)
class LogCoshError(_KernelMean):
    """Streaming weighted mean of :func:`jmetrics.log_cosh`: ``keras.metrics.LogCoshError``.

    .. math:: e_i = \\tfrac{1}{d} \\textstyle\\sum_j \\log\\cosh(\\hat y_{ij} - y_{ij})

    averaged with weights over samples. Equals Keras 3 (scikit-learn has no log-cosh). Default
    name ``'logcosh'``. State: ``MeanState``.

    >>> import jax.numpy as jnp
    >>> m = LogCoshError()
    >>> s = m.update(m.init(), jnp.array([[0., 1.], [0., 0.]]), jnp.array([[1., 1.], [1., 0.]]))
    >>> round(float(m.compute(s)), 4)  # Keras 3: 0.2168904
    0.2169
    """

    kernel = staticmethod(k_regression.log_cosh)
    default_name = "logcosh"
    higher_is_better = False
    value_range = (0, None)
    input_kind = "regression"


@dataclasses.dataclass(frozen=True)
class Poisson(_KernelMean):
    """Streaming weighted mean of :func:`jmetrics.poisson`: ``keras.metrics.Poisson``.

    .. math:: e_i = \\tfrac{1}{d} \\textstyle\\sum_j
              (\\hat y_{ij} - y_{ij} \\log(\\hat y_{ij} + \\epsilon))

    averaged with weights over samples. Equals Keras 3; it is half of
    ``sklearn.metrics.mean_poisson_deviance`` minus a term of ``y_true`` alone. Default name
    ``'poisson'``. State: ``MeanState``.

    >>> import jax.numpy as jnp
    >>> m = Poisson()
    >>> s = m.update(m.init(), jnp.array([[1., 2.], [3., 4.]]), jnp.array([[1., 3.], [2., 4.]]))
    >>> round(float(m.compute(s)), 4)  # Keras 3: 0.04453906
    0.0445
    """

    kernel = staticmethod(k_regression.poisson)
    default_name = "poisson"
    higher_is_better = False
    value_range = (None, None)
    input_kind = "regression"


@dataclasses.dataclass(frozen=True)
class KLDivergence(_KernelMean):
    """Streaming weighted mean of :func:`jmetrics.kl_divergence`: ``keras.metrics.KLDivergence``.

    .. math:: e_i = \\textstyle\\sum_j y_{ij} \\log \\frac{y_{ij}}{\\hat y_{ij}}
              \\quad (y, \\hat y \\text{ clipped to } [\\epsilon, 1])

    averaged with weights over samples. Equals Keras 3 (``scipy.stats.entropy`` of each row
    without the clipping). Default name ``'kl_divergence'``. State: ``MeanState``.

    >>> import jax.numpy as jnp
    >>> m = KLDivergence()
    >>> t = jnp.array([[0., 1., 0.], [0., 0., 1.]])
    >>> s = m.update(m.init(), t, jnp.array([[0.05, 0.95, 0.], [0.1, 0.8, 0.1]]))
    >>> round(float(m.compute(s)), 4)  # Keras 3: 1.176937
    1.1769
    """

    kernel = staticmethod(k_regression.kl_divergence)
    default_name = "kl_divergence"
    higher_is_better = False
    value_range = (None, None)
    input_kind = "categorical"


@dataclasses.dataclass(frozen=True)
class CosineSimilarity(_KernelMean):
    """Streaming weighted mean of :func:`jmetrics.cosine_similarity`:
    ``keras.metrics.CosineSimilarity``.

    .. math:: e_i = \\frac{y_i \\cdot \\hat y_i}{\\lVert y_i \\rVert \\, \\lVert \\hat y_i \\rVert}

    along ``axis`` (default -1, Keras 3's), averaged with weights over samples. Equals Keras 3;
    unweighted, the mean of the diagonal of ``sklearn.metrics.pairwise.cosine_similarity(y_true,
    y_pred)``. Default name ``'cosine_similarity'``. State: ``MeanState``.

    >>> import jax.numpy as jnp
    >>> m = CosineSimilarity()
    >>> s = m.update(m.init(), jnp.array([[0., 1.], [1., 1.]]), jnp.array([[1., 0.], [1., 1.]]))
    >>> round(float(m.compute(s)), 4)  # Keras 3: 0.5
    0.5
    """

    axis: int = -1

    kernel = staticmethod(k_regression.cosine_similarity)
    default_name = "cosine_similarity"
    higher_is_better = True
    value_range = (-1, 1)
    input_kind = "regression"


@dataclasses.dataclass(frozen=True)
class PearsonCorrelation(_KernelMean):
    """Streaming weighted mean of :func:`jmetrics.pearson_correlation`:
    ``keras.metrics.PearsonCorrelation``.

    .. math:: e_i = \\frac{\\sum_j (y_{ij} - \\bar y_i)(\\hat y_{ij} - \\bar{\\hat y}_i)}
              {\\sqrt{\\sum_j (y_{ij} - \\bar y_i)^2 \\sum_j (\\hat y_{ij} - \\bar{\\hat y}_i)^2}}

    along ``axis`` (default -1), averaged with weights over samples. Equals Keras 3; each
    sample's value is ``scipy.stats.pearsonr`` of its row. Default name ``'pearson_correlation'``.
    State: ``MeanState``.

    >>> import jax.numpy as jnp
    >>> m = PearsonCorrelation()
    >>> t = jnp.array([[0., 1., 0.5], [1., 1., 0.2]])
    >>> s = m.update(m.init(), t, jnp.array([[0.1, 0.9, 0.5], [0.6, 0.8, 0.2]]))
    >>> round(float(m.compute(s)), 4)  # Keras 3: 0.9724556
    0.9725
    """

    axis: int = -1

    kernel = staticmethod(k_correlation.pearson_correlation)
    default_name = "pearson_correlation"
    higher_is_better = True
    value_range = (-1, 1)
    input_kind = "regression"


@dataclasses.dataclass(frozen=True)
class ConcordanceCorrelation(_KernelMean):
    """Streaming weighted mean of :func:`jmetrics.concordance_correlation`:
    ``keras.metrics.ConcordanceCorrelation``.

    .. math:: e_i = \\frac{2 \\operatorname{cov}(y_i, \\hat y_i)}
              {\\operatorname{var}(y_i) + \\operatorname{var}(\\hat y_i)
              + (\\bar y_i - \\bar{\\hat y}_i)^2}

    along ``axis`` (default -1; population moments), averaged with weights over samples. Equals
    Keras 3. Default name ``'concordance_correlation'``. State: ``MeanState``.

    >>> import jax.numpy as jnp
    >>> m = ConcordanceCorrelation()
    >>> t = jnp.array([[0., 1., 0.5], [1., 1., 0.2]])
    >>> s = m.update(m.init(), t, jnp.array([[0.1, 0.9, 0.5], [0.6, 0.8, 0.2]]))
    >>> round(float(m.compute(s)), 4)  # Keras 3: 0.8514408
    0.8514
    """

    axis: int = -1

    kernel = staticmethod(k_correlation.concordance_correlation)
    default_name = "concordance_correlation"
    higher_is_better = True
    value_range = (-1, 1)
    input_kind = "regression"


@dataclasses.dataclass(frozen=True)
class RootMeanSquaredError(_KernelMean):
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

    kernel = staticmethod(k_regression.mean_squared_error)
    elementwise = True
    default_name = "root_mean_squared_error"
    higher_is_better = False
    value_range = (0, None)
    input_kind = "regression"

    def compute(self, state: MeanState) -> jax.Array:
        total, weight = ksum_value(state.total), ksum_value(state.weight)
        return jnp.sqrt(jnp.where(weight != 0, total / jnp.where(weight != 0, weight, 1), 0))
