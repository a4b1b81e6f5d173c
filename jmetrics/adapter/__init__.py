"""The Keras-facing adapter: the alias table and identifier resolution."""

from jmetrics.adapter._resolve import deserialize, get, resolve_accuracy, serialize
from jmetrics.adapter._table import ENTRIES, Entry

__all__ = ["ENTRIES", "Entry", "deserialize", "get", "resolve_accuracy", "serialize"]
