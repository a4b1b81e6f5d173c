"""Per-sample metric kernels: pure ``jax.numpy`` functions with Keras signatures.

Each ``fn(y_true, y_pred, **options)`` returns one value per sample (the input shape less the
reduced axis, normally the last), follows the Keras 3 formula, and works under ``jit``, ``vmap``
(any extra leading axes) and, where the Keras function is differentiable, ``grad``. Short Keras 2
aliases (``mse``, ``mae``, ``mape``, ``msle``, ``kld``, ``cosine``, ``logcosh``,
``kullback_leibler_divergence``) are the same function objects, so their ``__name__`` is the full
name. This module only re-exports.
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
