"""Streaming metrics under their Keras 3 class names, plus the Keras function metrics.

Like ``keras.metrics``, this namespace holds both the streaming classes (``MeanSquaredError``, ``AUC``,
...) and the per-sample functions with their Keras 2 short aliases (``mse``, ``mae``, ...), so
``from jmetrics import metrics; metrics.mae`` works as in the Keras tutorials.
"""

from jmetrics.kernels import *  # noqa: F403
from jmetrics.kernels import __all__ as _kernels_all
from jmetrics.metrics._agreement import *  # noqa: F403
from jmetrics.metrics._agreement import __all__ as _agreement_all
from jmetrics.metrics._auc import *  # noqa: F403
from jmetrics.metrics._auc import __all__ as _auc_all
from jmetrics.metrics._base import Metric as Metric
from jmetrics.metrics._calibration import *  # noqa: F403
from jmetrics.metrics._calibration import __all__ as _calibration_all
from jmetrics.metrics._confusion import *  # noqa: F403
from jmetrics.metrics._confusion import __all__ as _confusion_all
from jmetrics.metrics._exact import *  # noqa: F403
from jmetrics.metrics._exact import __all__ as _exact_all
from jmetrics.metrics._fbeta import *  # noqa: F403
from jmetrics.metrics._fbeta import __all__ as _fbeta_all
from jmetrics.metrics._histogram import *  # noqa: F403
from jmetrics.metrics._histogram import __all__ as _histogram_all
from jmetrics.metrics._iou import *  # noqa: F403
from jmetrics.metrics._iou import __all__ as _iou_all
from jmetrics.metrics._means import *  # noqa: F403
from jmetrics.metrics._means import __all__ as _means_all
from jmetrics.metrics._means_classification import *  # noqa: F403
from jmetrics.metrics._means_classification import __all__ as _means_classification_all
from jmetrics.metrics._packed import Packed as Packed
from jmetrics.metrics._r2 import *  # noqa: F403
from jmetrics.metrics._r2 import __all__ as _r2_all
from jmetrics.metrics._ranking import *  # noqa: F403
from jmetrics.metrics._ranking import __all__ as _ranking_all
from jmetrics.metrics._ranking_classes import *  # noqa: F403
from jmetrics.metrics._ranking_classes import __all__ as _ranking_classes_all
from jmetrics.metrics._reduction import Mean as Mean
from jmetrics.metrics._reduction import MeanMetricWrapper as MeanMetricWrapper
from jmetrics.metrics._reduction import Sum as Sum
from jmetrics.metrics._wrappers_compose import *  # noqa: F403
from jmetrics.metrics._wrappers_compose import __all__ as _compose_all
from jmetrics.metrics._wrappers_history import *  # noqa: F403
from jmetrics.metrics._wrappers_history import __all__ as _history_all

__all__ = sorted(
    {"Mean", "MeanMetricWrapper", "Metric", "Packed", "Sum"}
    | set(_kernels_all)
    | set(_agreement_all)
    | set(_means_all)
    | set(_means_classification_all)
    | set(_compose_all)
    | set(_history_all)
    | set(_r2_all)
    | set(_confusion_all)
    | set(_exact_all)
    | set(_auc_all)
    | set(_fbeta_all)
    | set(_iou_all)
    | set(_histogram_all)
    | set(_calibration_all)
    | set(_ranking_all)
    | set(_ranking_classes_all)
)

# keras.metrics.get / serialize / deserialize belong to the adapter, a layer above this package:
# imported on first use (PEP 562), so importing the metrics imports no adapter. ``get`` always
# returns a streaming metric.
__all__ += ["deserialize", "get", "serialize"]  # noqa: F405 - defined by __getattr__


def __getattr__(name: str) -> object:
    """``get`` / ``serialize`` / ``deserialize`` from the adapter, on first use."""
    if name not in ("get", "serialize", "deserialize"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from jmetrics.adapter._resolve import get_metric
    from jmetrics.adapter._serialize import deserialize, serialize

    globals().update(get=get_metric, serialize=serialize, deserialize=deserialize)
    return globals()[name]


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
