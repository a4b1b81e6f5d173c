"""History keys: the names Keras logs for ``compile(metrics=..., weighted_metrics=...)``.

Three naming modes (keras-semantics.md §2.1, §2.2):

- ``"keras3"`` (default): a string as given; a function's ``__name__`` in snake_case
  (``myMetricFn`` -> ``my_metric_fn``, a lambda -> ``lambda``); a metric object's name. Duplicates
  get ``_1``, ``_2``...; a weighted metric that clashes becomes ``weighted_<name>`` (then
  ``weighted_<name>_1``...).
- ``"keras2"`` (Keras 2.3.1): a string as given; a function's raw ``__name__``. Entries of one
  list with the same name collapse into one metric (the last wins): they get the same key. A
  clash with an earlier list (or with ``loss``) gets ``_1``, ``_2``...
- ``"long"`` (Keras 2.2, the older tutorials): strings are replaced by the Keras function's name
  (``'mse'`` -> ``mean_squared_error``, ``'cosine'`` -> ``cosine_proximity``), 'acc'/'accuracy'
  -> ``acc`` and 'ce'/'crossentropy' -> ``ce``; weighted metrics get the ``weighted_`` prefix;
  clashes get ``_1``, ``_2``...

With several outputs every key is prefixed ``<output_name>_``; validation keys are ``val_<key>``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from jmetrics.adapter._lookup import _auto, _index
from jmetrics.adapter._table import Entry
from jmetrics.metrics._base import Metric, snake_case

__all__ = ["metric_name", "metric_names"]

NAMINGS = ("keras3", "keras2", "long")


def _check_naming(naming: str) -> None:
    if naming not in NAMINGS:
        raise ValueError(f"metric_names: naming must be one of {NAMINGS}; got {naming!r}.")


def _long_string(identifier: str) -> str:
    auto = _auto(identifier)
    if auto is not None:
        return auto.keras2_name
    found = _index().get(identifier)
    if isinstance(found, Entry):
        kernel = found.kernel.__name__ if found.kernel is not None else None
        return found.keras2_name or kernel or identifier
    return identifier


def metric_name(spec: Any, *, naming: str = "keras3") -> str:
    """The History key of one metric identifier, before de-duplication.

    >>> metric_name("mse"), metric_name("mse", naming="long"), metric_name("acc", naming="long")
    ('mse', 'mean_squared_error', 'acc')
    >>> def myMetricFn(y_true, y_pred): ...
    >>> metric_name(myMetricFn), metric_name(myMetricFn, naming="keras2")
    ('my_metric_fn', 'myMetricFn')
    """
    _check_naming(naming)
    if spec is None:
        raise ValueError("metric_name: metric must not be None; got None.")
    if isinstance(spec, str):
        return _long_string(spec) if naming == "long" else spec
    if isinstance(spec, Metric):
        return spec.display_name
    if isinstance(spec, type) and issubclass(spec, Metric):
        return spec.default_name or snake_case(spec.__name__)
    name = getattr(spec, "name", None)
    if isinstance(name, str) and not isinstance(spec, type):
        return name
    raw = getattr(spec, "__name__", None)
    if isinstance(raw, str):
        if raw == "<lambda>":
            return "lambda"
        return snake_case(raw) if naming == "keras3" else raw
    return snake_case(type(spec).__name__)


def _unique(name: str, taken: set[str]) -> str:
    """Keras 2's ``_add_unique_metric_name``: ``name``, else ``name_1``, ``name_2``..."""
    candidate, j = name, 1
    while candidate in taken:
        candidate, j = f"{name}_{j}", j + 1
    return candidate


def _keras3_keys(groups: list[list[Any]], prefix: str) -> list[str]:
    """Keras 3's ``CompileMetrics.result`` naming (counters shared by both lists)."""
    counters: dict[str, int] = {}
    keys: list[str] = []
    for weighted, group in enumerate(groups):
        for spec in group:
            base = metric_name(spec, naming="keras3")
            key = prefix + base
            if key in counters and weighted:
                key = f"{prefix}weighted_{base}"
            if key not in counters:
                counters[key] = 1
            else:
                counters[key] += 1
                key = f"{key}_{counters[key] - 1}"
            keys.append(key)
    return keys


def metric_names(
    metrics: Iterable[Any] = (),
    weighted_metrics: Iterable[Any] | None = None,
    *,
    naming: str = "keras3",
    output_name: str | None = None,
    validation: bool = False,
    reserved: Sequence[str] = ("loss",),
) -> list[str]:
    """The History keys of one output's ``metrics`` then ``weighted_metrics``, one per entry.

    ``output_name`` prefixes every key (models with several outputs); ``validation`` adds
    ``val_``. ``reserved`` are keys taken before the metrics (``loss``; ``<output_name>_loss`` is
    added with an output name), which only the Keras 2 modes de-duplicate against. In ``"keras2"``
    mode, entries of one list that share a name get the same key: a dict built from
    ``zip(keys, metrics)`` reproduces Keras 2.3.1's collapse (the last one wins). The keras3 mode
    reproduces Keras 3 exactly, including its one collision: a name that already ends in ``_1``
    (``["mse", "mse_1", "mse"]`` gives ``mse_1`` twice; Keras 3 keeps the last result).

    >>> metric_names(["mse", "mse"], ["mse", "mse"])
    ['mse', 'mse_1', 'weighted_mse', 'weighted_mse_1']
    >>> metric_names(["acc"], ["acc"], naming="keras2")
    ['acc', 'acc_1']
    >>> metric_names(["mse", "mae", "cosine"], naming="long", validation=True)
    ['val_mean_squared_error', 'val_mean_absolute_error', 'val_cosine_proximity']
    """
    _check_naming(naming)
    groups = [list(metrics), list(weighted_metrics or ())]
    prefix = f"{output_name}_" if output_name else ""
    if naming == "keras3":
        keys = _keras3_keys(groups, prefix)
    else:
        keys = []
        taken = set(reserved)
        if output_name:
            taken.add(f"{output_name}_loss")
        for weighted, group in enumerate(groups):
            bases = [("weighted_" if weighted and naming == "long" else "")
                     + metric_name(spec, naming=naming) for spec in group]
            if naming == "keras2":  # one list is a dict keyed by name: duplicates collapse
                assigned: dict[str, str] = {}
                for base in dict.fromkeys(bases):
                    assigned[base] = _unique(prefix + base, taken)
                    taken.add(assigned[base])
                keys.extend(assigned[base] for base in bases)
            else:
                for base in bases:
                    key = _unique(prefix + base, taken)
                    taken.add(key)
                    keys.append(key)
    return [f"val_{k}" for k in keys] if validation else keys
