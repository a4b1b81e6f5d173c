"""Register, serialize, deserialize and clone metrics; Keras 3 metric objects to jmetrics metrics.

Nothing is ever evaluated or unpickled: configs name classes and functions that are in the table
or were registered with ``register_metric``.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
from collections.abc import Callable, Mapping
from typing import Any

from jmetrics.adapter._lookup import _REGISTRY, _auto, _index, _unknown, entry_strings
from jmetrics.adapter._strings import _AUTO_FUNCTIONS, _resolve_string
from jmetrics.adapter._table import ENTRIES, AutoEntry, Entry, add_entry
from jmetrics.metrics._base import Metric

__all__ = ["clone_metric", "clone_metrics", "deserialize", "register_metric", "serialize"]


# -- register / serialize / deserialize / clone ------------------------------------------------
def register_metric(obj: Any = None, *, name: str | None = None) -> Any:
    """Register a user function or ``Metric`` subclass under a name (usable as a decorator), or
    a whole registry :class:`~jmetrics.adapter.Entry`.

    Registered names resolve in :func:`get` and :func:`deserialize`, and registered functions
    serialize by name. Built-in names cannot be taken. An ``Entry`` (its class and/or function, its
    facts and strings) joins the registry itself: ``jmetrics list``, ``jmetrics eval -m``, the
    reference pages, the policy table and the bench cases all read it.

    >>> @register_metric
    ... def my_error(y_true, y_pred):
    ...     return abs(y_pred - y_true).max(axis=-1)
    >>> serialize(my_error)
    'my_error'
    """
    if isinstance(obj, Entry):
        return _register_entry(obj)

    def register(target: Any) -> Any:
        key = name or getattr(target, "__name__", None)
        if not isinstance(key, str) or not key:
            raise ValueError(f"register_metric: name must be a non-empty string; got {key!r}.")
        if not callable(target):
            raise TypeError(f"register_metric: {key} must be a function or a Metric subclass; "
                            f"got {type(target).__name__}.")
        if key in _index() or _auto(key) is not None:
            raise ValueError(f'register_metric: name must not be a built-in metric name; got "{key}". '
                             "Pass name=... to register under another name.")
        _REGISTRY[key] = target
        return target

    return register if obj is None else register(obj)


def _register_entry(entry: Entry) -> Entry:
    """Add ``entry`` to the registry once its strings are checked free."""
    names = [*entry_strings(entry), *entry.at]
    if entry.streaming is not None:
        names.append(entry.streaming.__name__)
    taken = [n for n in names if n in _index() or n in _REGISTRY or _auto(n) is not None]
    if taken or entry in ENTRIES:
        raise ValueError(f"register_metric: the strings of entry {entry.name!r} must be new; got "
                         f"{', '.join(map(repr, taken)) or 'the same entry again'}, already "
                         "registered.")
    entry.rows  # noqa: B018 - its bad-input rows must exist (a family default or its own)
    add_entry(entry)
    return entry


def _function_name(fn: Any) -> str | None:
    """The string a known function serializes to, or None for an unknown function."""
    for key, obj in _REGISTRY.items():
        if obj is fn:
            return key
    name = getattr(fn, "__name__", None)
    if name in _AUTO_FUNCTIONS and _AUTO_FUNCTIONS[name] is fn:
        return str(name)
    return next((entry.name for entry in ENTRIES if entry.kernel is fn), None)


def _class_names() -> dict[str, type]:
    names: dict[str, type] = {e.streaming.__name__: e.streaming for e in ENTRIES
                               if e.streaming is not None}
    for key, obj in _REGISTRY.items():
        if isinstance(obj, type):
            names[key] = obj
    return names


def serialize(metric: Any) -> Any:
    """A JSON-safe description of a metric, from which :func:`deserialize` rebuilds it.

    - a streaming metric -> ``{"class_name": "AUC", "config": {...}}`` (its ``get_config()``; a
      ``MeanMetricWrapper``'s function is stored by name);
    - a jmetrics function or a registered user function -> its name string;
    - a metric string -> itself (checked); None -> None.

    User functions and Metric subclasses must be registered (:func:`register_metric`) first, or a
    ``ValueError`` says so. Nothing is pickled.

    >>> from jmetrics.adapter import get
    >>> serialize(get("mae"))
    'mean_absolute_error'
    """
    if metric is None:
        return None
    if isinstance(metric, str):
        _resolve_string(metric, None, None, None, None, streaming=False)
        return metric
    if isinstance(metric, Metric):
        cls_name = type(metric).__name__
        registered = next((k for k, v in _REGISTRY.items() if v is type(metric)), None)
        if registered is None and _class_names().get(cls_name) is not type(metric):
            raise ValueError(
                f"serialize: metric class must be a jmetrics class or registered; got {cls_name}. "
                "Register it with jmetrics.register_metric."
            )
        config = dict(metric.get_config())
        if hasattr(metric, "fn"):  # stored by its literal name ('accuracy' is exact accuracy)
            fn_name = _function_name(metric.fn)
            if fn_name is None:
                serialize(metric.fn)  # raises the "register it" error
            config["fn"] = fn_name
        out = {"class_name": registered or cls_name, "config": config}
        try:
            json.dumps(out)
        except (TypeError, ValueError) as err:
            raise ValueError(f"serialize: the config of {cls_name} must be JSON-safe; got {config!r} "
                             f"({err}).") from None
        return out
    if callable(metric):
        name = _function_name(metric)
        if name is not None and _auto(name) is not None and name not in _AUTO_FUNCTIONS:
            # 'accuracy' as a string means the compile-time choice: keep the exact function
            return {"class_name": "function", "config": name}
        if name is None:
            raise ValueError(
                f"serialize: function must be a jmetrics metric or registered; got "
                f"{getattr(metric, '__name__', metric)!r}. Register it with "
                "@jmetrics.register_metric so that it serializes by name."
            )
        return name
    raise TypeError(f"serialize: metric must be a Metric, a function, a string or None; got "
                    f"{type(metric).__name__}.")


def _function_by_name(name: str, caller: str) -> Callable[..., Any]:
    """The function a serialized name stands for, taken literally ('accuracy' is exact accuracy)."""
    if name in _REGISTRY and not isinstance(_REGISTRY[name], type):
        return _REGISTRY[name]  # type: ignore[no-any-return]
    found = _index().get(name)
    if isinstance(found, AutoEntry):
        return _AUTO_FUNCTIONS[found.name]
    if found is None:
        raise _unknown(name)
    if found.kernel is None:
        raise ValueError(f"{caller}: fn must name a function; got {name!r}, a class-only metric.")
    return found.kernel


def _resolve_fn(value: Any) -> Any:
    return _function_by_name(value, "deserialize") if isinstance(value, str) else value


def _build(cls: type[Metric], config: Mapping[str, Any], foreign: bool = False) -> Metric:
    config = dict(config)
    if "fn" in config:
        config["fn"] = _resolve_fn(config["fn"])
    if foreign and dataclasses.is_dataclass(cls):
        fields = {f.name for f in dataclasses.fields(cls) if f.init} - {"dtype"}
        config = {k: v for k, v in config.items() if k in fields}
    return cls.from_config(config)


def deserialize(config: Any) -> Any:
    """Rebuild a metric from :func:`serialize`'s output (or a Keras 3 serialized metric).

    Accepts a name string, ``{"class_name": ..., "config": {...}}`` naming a jmetrics or
    registered class, and Keras 3's ``{"class_name": "function", "config": name}``. Classes are
    only looked up by name among jmetrics' and registered ones: nothing is imported or evaluated.

    >>> deserialize("mse").__name__
    'mean_squared_error'
    >>> type(deserialize({"class_name": "MeanSquaredError", "config": {}})).__name__
    'MeanSquaredError'
    """
    if config is None:
        return None
    if isinstance(config, str):
        return _resolve_string(config, None, None, None, None, streaming=False)
    if not isinstance(config, Mapping) or not isinstance(config.get("class_name"), str):
        raise ValueError(f'deserialize: config must be a name or {{"class_name": ..., "config": '
                         f"...}}; got {config!r}.")
    cls_name, inner = config["class_name"], config.get("config")
    if cls_name == "function":
        if not isinstance(inner, str):
            raise ValueError(f"deserialize: a function config must hold its name; got {inner!r}.")
        return _function_by_name(inner, "deserialize")
    classes = _class_names()
    if cls_name not in classes:
        close = difflib.get_close_matches(cls_name, list(classes), n=1, cutoff=0.6)
        hint = f'; did you mean "{close[0]}"?' if close else "."
        raise ValueError(f'deserialize: unknown metric class "{cls_name}"{hint}')
    if inner is None:
        inner = {}
    if not isinstance(inner, Mapping):
        raise ValueError(f"deserialize: config of {cls_name} must be a dict; got {inner!r}.")
    foreign = str(config.get("module", "")).startswith("keras")
    return _build(classes[cls_name], inner, foreign=foreign)


def _is_foreign_metric(obj: Any) -> bool:
    """A Keras (or other) stateful metric object: it has update_state/result but is not ours."""
    return (not isinstance(obj, (Metric, type)) and hasattr(obj, "update_state")
            and hasattr(obj, "result") and hasattr(obj, "get_config"))


def _from_foreign(obj: Any) -> Metric:
    """The jmetrics metric of a Keras 3 metric object (same class name, same options)."""
    cls = _class_names().get(type(obj).__name__)
    if cls is None:
        raise TypeError(f"get: {type(obj).__name__} objects have no jmetrics equivalent; pass a "
                        "jmetrics metric or a function.")
    return _build(cls, obj.get_config(), foreign=True)


def clone_metric(metric: Any) -> Any:
    """A fresh copy of a stateful metric; functions (and None) are returned as they are.

    As Keras 2.3.1: a ``Metric`` becomes ``type(m).from_config(m.get_config())`` (options kept,
    no accumulated state).

    >>> from jmetrics.adapter import get_metric
    >>> m = get_metric("mse")
    >>> clone_metric(m) == m and clone_metric(m) is not m
    True
    """
    if isinstance(metric, Metric):
        config = dict(metric.get_config())
        if hasattr(metric, "fn"):
            config["fn"] = metric.fn
        return type(metric).from_config(config)
    if _is_foreign_metric(metric) and hasattr(type(metric), "from_config"):
        return type(metric).from_config(metric.get_config())
    return metric


def clone_metrics(metrics: Any) -> Any:
    """:func:`clone_metric` over a list or dict (None stays None), as Keras 2.3.1."""
    if metrics is None:
        return None
    if isinstance(metrics, Mapping):
        return {key: clone_metric(m) for key, m in metrics.items()}
    return [clone_metric(m) for m in metrics]
