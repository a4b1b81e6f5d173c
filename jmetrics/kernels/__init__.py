"""Per-sample metric functions with Keras signatures: ``fn(y_true, y_pred, **options)``.

Each returns one value per sample (the input shape less the last axis), compiles under ``jax.jit``,
maps under ``jax.vmap`` (any extra leading axes) and differentiates where Keras' function does.
"""

from jmetrics.kernels._classification import *  # noqa: F403
from jmetrics.kernels._classification import __all__ as _classification_all
from jmetrics.kernels._correlation import *  # noqa: F403
from jmetrics.kernels._correlation import __all__ as _correlation_all
from jmetrics.kernels._hinge import *  # noqa: F403
from jmetrics.kernels._hinge import __all__ as _hinge_all
from jmetrics.kernels._probabilistic import *  # noqa: F403
from jmetrics.kernels._probabilistic import __all__ as _probabilistic_all
from jmetrics.kernels._regression import *  # noqa: F403
from jmetrics.kernels._regression import __all__ as _regression_all

__all__ = sorted(
    set(_classification_all)
    | set(_correlation_all)
    | set(_hinge_all)
    | set(_probabilistic_all)
    | set(_regression_all)
)
