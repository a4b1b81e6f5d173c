"""The alias table and the registry as lookups: strings to entries, names to kernels and classes.

Kernels and streaming classes are looked up by name when asked for, so this module imports
whatever state the lower layers are in.
"""

from __future__ import annotations

import difflib
import functools
import importlib
from collections.abc import Callable
from typing import Any

from jmetrics.adapter._table import AUTO, ENTRIES, AutoEntry, Entry
from jmetrics.metrics._base import Metric

__all__ = ["metric_info"]

# name -> user function or Metric subclass, filled by register_metric
_REGISTRY: dict[str, Any] = {}


# -- the table as lookups ----------------------------------------------------------------------
def entry_strings(entry: Entry) -> tuple[str, ...]:
    """Every string that resolves to ``entry``, canonical name first, without repeats."""
    keys = (entry.name, entry.kernel, *entry.aliases, *entry.keras2, *entry.keras2_loss,
            *entry.keras3, *entry.keras3_loss)
    return tuple(dict.fromkeys(k for k in keys if k))


@functools.cache
def _index() -> dict[str, Entry | AutoEntry]:
    index: dict[str, Entry | AutoEntry] = {}
    for entry in ENTRIES:
        for key in entry_strings(entry):
            index.setdefault(key, entry)
    for auto in AUTO:
        index[auto.name] = auto
    return index


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
    if found is None:
        raise _unknown(identifier)
    return found


def _kernel(name: str) -> Callable[..., Any]:
    from jmetrics import kernels

    fn = getattr(kernels, name, None)
    if fn is None:
        raise ValueError(f"{name}: the kernel jmetrics.kernels.{name} is not available in this build.")
    return fn  # type: ignore[no-any-return]


def _class(name: str) -> type[Metric]:
    metrics = importlib.import_module("jmetrics.metrics")
    cls = getattr(metrics, name, None)
    if cls is None:
        raise ValueError(f"{name}: the class jmetrics.metrics.{name} is not available in this build.")
    return cls  # type: ignore[no-any-return]


def _wrap(fn: Callable[..., Any], name: str | None = None) -> Metric:
    """``MeanMetricWrapper(fn, name=name)``."""
    wrapper: Any = _class("MeanMetricWrapper")
    return wrapper(fn, name=name)  # type: ignore[no-any-return]


def _instantiate(cls: type[Metric], identifier: str, name: str | None = None) -> Metric:
    try:
        return cls() if name is None else cls(name=name)
    except TypeError as err:
        example = ", ".join(f"{k}={v!r}" for k, v in getattr(cls, "example_args", {}).items())
        raise TypeError(
            f'{identifier}: "{identifier}" names {cls.__name__}, which needs arguments ({err}); '
            f"construct it directly, e.g. jmetrics.metrics.{cls.__name__}({example})."
        ) from None
