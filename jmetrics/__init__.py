"""jmetrics: JAX-accelerated compiled metrics with Keras names and scikit-learn exactness.

Layers (imports point down): ``cli`` > ``engine`` > ``collection`` > ``adapter`` > ``metrics`` >
``kernels``. This module only re-exports.
"""

from jmetrics import metrics as metrics
from jmetrics.adapter import *  # noqa: F403
from jmetrics.adapter import __all__ as _adapter_all
from jmetrics.collection import *  # noqa: F403
from jmetrics.collection import __all__ as _collection_all
from jmetrics.distributed import *  # noqa: F403
from jmetrics.distributed import __all__ as _distributed_all
from jmetrics.engine import *  # noqa: F403
from jmetrics.engine import __all__ as _engine_all
from jmetrics.history import *  # noqa: F403
from jmetrics.history import __all__ as _history_all
from jmetrics.kernels import *  # noqa: F403
from jmetrics.kernels import __all__ as _kernels_all
from jmetrics.sk import *  # noqa: F403
from jmetrics.sk import __all__ as _sk_all

__version__ = "0.1.0"

__all__ = sorted(
    {"__version__", "metrics"}
    | set(_kernels_all)
    | set(_adapter_all)
    | set(_collection_all)
    | set(_history_all)
    | set(_distributed_all)
    | set(_engine_all)
    | set(_sk_all)
)
