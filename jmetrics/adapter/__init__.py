"""The Keras-facing adapter: the alias table, identifier resolution, serialization and names.

- ``get`` / ``get_metric``: strings, callables, configs and metric objects to metrics, with
  'acc'/'accuracy'/'ce'/'crossentropy' resolved as Keras does (``resolve_accuracy``).
- ``serialize`` / ``deserialize`` / ``clone_metric`` / ``clone_metrics`` / ``register_metric``.
- ``metric_name`` / ``metric_names``: the History keys Keras would log.
- ``Collection``: Keras ``compile(metrics=..., loss=...)`` parsed into a collection.
- ``ENTRIES`` / ``metric_info``: the alias table itself (``jmetrics list`` prints it).
"""

from jmetrics.adapter._compile import Collection
from jmetrics.adapter._lookup import metric_info
from jmetrics.adapter._names import metric_name, metric_names
from jmetrics.adapter._resolve import get, get_metric
from jmetrics.adapter._serialize import (
    clone_metric,
    clone_metrics,
    deserialize,
    register_metric,
    serialize,
)
from jmetrics.adapter._strings import auto_accuracy, auto_crossentropy, resolve_accuracy
from jmetrics.adapter._table import ENTRIES, Entry

__all__ = [
    "Collection",
    "ENTRIES",
    "Entry",
    "auto_accuracy",
    "auto_crossentropy",
    "clone_metric",
    "clone_metrics",
    "deserialize",
    "get",
    "get_metric",
    "metric_info",
    "metric_name",
    "metric_names",
    "register_metric",
    "resolve_accuracy",
    "serialize",
]
