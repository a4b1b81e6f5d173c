"""The registry as lookups: strings to entries (every alias, and ``'<short>@<k>'``).

The entries hold the kernels and classes themselves, so nothing here looks a name up in a module.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Callable
from typing import Any

from jmetrics.adapter._table import AUTO, ENTRIES, AutoEntry, Entry, revision
from jmetrics.metrics._base import Metric
from jmetrics.metrics._reduction import MeanMetricWrapper

__all__ = ["metric_info"]

# name -> user function or Metric subclass, filled by register_metric
_REGISTRY: dict[str, Any] = {}


# -- the table as lookups ----------------------------------------------------------------------
def entry_strings(entry: Entry) -> tuple[str, ...]:
    """Every string that resolves to ``entry``, canonical name first, without repeats."""
    kernel = entry.kernel.__name__ if entry.kernel is not None else None
    keys = (entry.name, kernel, *entry.aliases, *entry.keras2, *entry.keras2_loss,
            *entry.keras3, *entry.keras3_loss)
    return tuple(dict.fromkeys(k for k in keys if k))


def _index() -> dict[str, Entry | AutoEntry]:
    """Every string of every entry (the first entry holding a string keeps it)."""
    return _index_at(revision())


@functools.lru_cache(maxsize=1)
def _index_at(rev: int) -> dict[str, Entry | AutoEntry]:
    index: dict[str, Entry | AutoEntry] = {}
    for entry in ENTRIES:
        for key in entry_strings(entry):
            index.setdefault(key, entry)
    for auto in AUTO:
        index[auto.name] = auto
    return index


def _at_index() -> dict[str, Entry]:
    return _at_index_at(revision())


@functools.lru_cache(maxsize=1)
def _at_index_at(rev: int) -> dict[str, Entry]:
    return {short: entry for entry in ENTRIES for short in entry.at}


def parse_at(identifier: str) -> tuple[Entry, int] | None:
    """``'<short>@<k>'`` (``'ndcg@5'``) -> (the entry, k); None for a string without ``@``.

    >>> entry, k = parse_at("ndcg@5")
    >>> entry.streaming.__name__, k
    ('NDCG', 5)
    """
    base, sep, k = identifier.rpartition("@")
    if not sep:
        return None
    entry = _at_index().get(base)
    if entry is None or not k.isdigit() or int(k) < 1:
        shorts = ", ".join(_at_index())
        raise ValueError(f'Unknown metric "{identifier}": "<name>@<k>" takes a name among '
                         f"{shorts} and a positive integer k, e.g. \"ndcg@5\".")
    return entry, int(k)


def _auto(identifier: str) -> AutoEntry | None:
    """The AUTO entry a string triggers ('acc', 'Accuracy', 'CE', ...; any case)."""
    low = identifier.lower()
    return next((a for a in AUTO if low in a.triggers), None)


def _unknown(identifier: str) -> ValueError:
    candidates = [*_index(), *_REGISTRY, *(t for a in AUTO for t in a.triggers)]
    close = difflib.get_close_matches(identifier, candidates, n=3, cutoff=0.6)
    if close:
        hint = f'; did you mean "{close[0]}"?'
        if len(close) > 1:
            hint += " Also close: " + ", ".join(f'"{c}"' for c in close[1:]) + "."
    else:
        hint = ". Run `jmetrics list` to see every name."
    return ValueError(f'Unknown metric "{identifier}"{hint}')


def metric_info(identifier: str) -> Entry | AutoEntry:
    """The alias-table entry of a metric string (any alias).

    >>> metric_info("MSE").name
    'mean_squared_error'
    >>> metric_info("acc").name
    'auto_accuracy'
    """
    if not isinstance(identifier, str):
        raise TypeError(f"metric_info: identifier must be a string; got {type(identifier).__name__}.")
    found = _auto(identifier) or _index().get(identifier)
    if found is None and identifier not in _REGISTRY:
        at = parse_at(identifier)
        found = at[0] if at else None
    if found is None:
        raise _unknown(identifier)
    return found


def _wrap(fn: Callable[..., Any], name: str | None = None) -> Metric:
    """``MeanMetricWrapper(fn, name=name)``."""
    return MeanMetricWrapper(fn, name=name)


def _instantiate(cls: Any, identifier: str, name: str | None = None, **options: Any) -> Metric:
    try:
        return cls(**options) if name is None else cls(name=name, **options)
    except TypeError as err:
        example = ", ".join(f"{k}={v!r}" for k, v in getattr(cls, "example_args", {}).items())
        raise TypeError(
            f'{identifier}: "{identifier}" names {cls.__name__}, which needs arguments ({err}); '
            f"construct it directly, e.g. jmetrics.metrics.{cls.__name__}({example})."
        ) from None
