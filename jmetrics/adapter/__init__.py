"""The Keras-facing adapter: the alias table and identifier resolution."""

from jmetrics.adapter._resolve import deserialize, get, resolve_accuracy, serialize
from jmetrics.adapter._table import ENTRIES as ENTRIES
from jmetrics.adapter._table import Entry as Entry

__all__ = ["deserialize", "get", "resolve_accuracy", "serialize"]
