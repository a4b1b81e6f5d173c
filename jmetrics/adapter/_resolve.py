"""Identifier resolution: strings, callables, configs and metric objects to metrics.

``get`` gives what ``keras.metrics.get`` gives inside ``compile``: a per-sample function for a
function name, a streaming metric for a class-only name. ``get_metric`` (also
``jmetrics.metrics.get``) always gives a streaming metric. Both read the alias table
(``_table.py``); kernels and streaming classes are looked up by name when asked for, so this module
imports whatever state the lower layers are in. Nothing is ever evaluated or unpickled: configs
name classes and functions that are in the table or were registered with ``register_metric``.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import importlib
import json
from collections.abc import Callable, Mapping
from typing import Any

import jax.numpy as jnp

from jmetrics.adapter._table import AUTO, ENTRIES, AutoEntry, Entry
from jmetrics.metrics._base import Metric

__all__ = [
    "auto_accuracy",
    "auto_crossentropy",
    "clone_metric",
    "clone_metrics",
    "deserialize",
    "get",
    "get_metric",
    "metric_info",
    "register_metric",
    "resolve_accuracy",
    "serialize",
]

RULES = ("keras3", "keras2")

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


# -- 'acc' / 'accuracy' / 'ce' / 'crossentropy' --------------------------------------------------
def _shape(x: Any) -> tuple[int, ...] | None:
    if x is None:
        return None
    if hasattr(x, "shape"):
        return tuple(x.shape)
    return tuple(x)


def _loss_kind(loss: Any) -> str | None:
    """'binary' for a binary crossentropy loss, 'sparse' for sparse categorical, else None."""
    kinds = {"binary_crossentropy": "binary", "BinaryCrossentropy": "binary",
             "sparse_categorical_crossentropy": "sparse",
             "SparseCategoricalCrossentropy": "sparse"}
    if isinstance(loss, str):
        found = _index().get(loss)
        return kinds.get(found.name) if isinstance(found, Entry) else None
    inner = getattr(loss, "fn", None)  # Keras LossFunctionWrapper, jmetrics MeanMetricWrapper
    for obj in (loss, inner):
        if obj is None:
            continue
        for key in (getattr(obj, "__name__", None), type(obj).__name__):
            if isinstance(key, str) and key in kinds:
                return kinds[key]
    return None


def resolve_accuracy(
    identifier: str,
    y_true_shape: Any = None,
    y_pred_shape: Any = None,
    loss: Any = None,
    rule: str | None = None,
) -> str:
    """The metric 'acc'/'accuracy' (or 'ce'/'crossentropy') stands for, as Keras decides it.

    ``rule="keras3"`` (the default without a loss) uses the shapes only, as Keras 3 ``compile``:
    binary when ``y_pred``'s last axis is 1; sparse when ``y_true`` has a lower rank than
    ``y_pred``, or a last axis of 1 against more than one class; categorical otherwise.
    ``rule="keras2"`` (the default when ``loss`` is given) is Keras 2.3.1's: binary when the output's
    last axis is 1 or the loss is binary crossentropy; sparse when the loss is sparse categorical
    crossentropy; categorical otherwise. Triggers match in any case ('ACC' too); 'ce' and
    'crossentropy' choose among the crossentropies the same way. Shapes may be tuples or arrays.
    Other identifiers are returned unchanged, so any string can be passed through.

    Returns the canonical table name, e.g. ``'sparse_categorical_accuracy'``.

    >>> resolve_accuracy("acc", (8, 1), (8, 1))
    'binary_accuracy'
    >>> resolve_accuracy("Accuracy", (8,), (8, 3))
    'sparse_categorical_accuracy'
    >>> resolve_accuracy("acc", (8, 3), (8, 3), loss="binary_crossentropy")
    'binary_accuracy'
    >>> resolve_accuracy("mse", (8,), (8,))
    'mse'
    """
    auto = _auto(identifier) if isinstance(identifier, str) else None
    if auto is None:
        return identifier
    if rule is None:
        rule = "keras2" if loss is not None else "keras3"
    if rule not in RULES:
        raise ValueError(f"resolve_accuracy: rule must be one of {RULES}; got {rule!r}.")
    t, p = _shape(y_true_shape), _shape(y_pred_shape)
    p_last = p[-1] if p else None
    if rule == "keras2":
        kind = _loss_kind(loss)
        if p_last == 1 or kind == "binary":
            return auto.binary
        if kind == "sparse":
            return auto.sparse
        return auto.categorical
    if p is None:
        raise ValueError(
            "resolve_accuracy: y_pred_shape must be given for the keras3 rule; got None. Pass "
            "the shapes, or a loss for the Keras 2.3.1 rule."
        )
    if p_last == 1:
        return auto.binary
    if t is not None:
        t_last = t[-1] if t else None
        if len(t) < len(p) or (t_last == 1 and p_last is not None and p_last > 1):
            return auto.sparse
    return auto.categorical


def auto_accuracy(y_true: Any, y_pred: Any, **options: Any) -> Any:
    """Accuracy in the form Keras 3's shape rule picks, decided at trace time from static shapes.

    What ``jmetrics.get('acc')`` returns when no shapes are known: binary, sparse categorical or
    categorical accuracy (see :func:`resolve_accuracy`). Options go to the chosen kernel.

    >>> import jax.numpy as jnp
    >>> auto_accuracy(jnp.array([[1.], [0.]]), jnp.array([[0.9], [0.8]])).tolist()
    [1.0, 0.0]
    >>> auto_accuracy(jnp.array([2, 0]), jnp.array([[.1, .2, .7], [.3, .6, .1]])).tolist()
    [1.0, 0.0]
    """
    name = resolve_accuracy("accuracy", jnp.shape(y_true), jnp.shape(y_pred))
    return _kernel(name)(y_true, y_pred, **options)


def auto_crossentropy(y_true: Any, y_pred: Any, **options: Any) -> Any:
    """Crossentropy in the form Keras 3's shape rule picks (as :func:`auto_accuracy`).

    >>> import jax.numpy as jnp
    >>> round(float(auto_crossentropy(jnp.array([1]), jnp.array([[.5, .5]]))[0]), 4)
    0.6931
    """
    name = resolve_accuracy("crossentropy", jnp.shape(y_true), jnp.shape(y_pred))
    return _kernel(name)(y_true, y_pred, **options)


_AUTO_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "auto_accuracy": auto_accuracy, "auto_crossentropy": auto_crossentropy,
}


# -- get / get_metric ----------------------------------------------------------------------------
def _is_foreign_metric(obj: Any) -> bool:
    """A Keras (or other) stateful metric object: it has update_state/result but is not ours."""
    return (not isinstance(obj, (Metric, type)) and hasattr(obj, "update_state")
            and hasattr(obj, "result") and hasattr(obj, "get_config"))


def _resolve_string(identifier: str, y_true: Any, y_pred: Any, loss: Any, rule: str | None,
                    streaming: bool) -> Any:
    auto = _auto(identifier)
    if auto is not None:
        if y_pred is not None or _loss_kind(loss) is not None:
            entry = _index()[resolve_accuracy(identifier, y_true, y_pred, loss=loss, rule=rule)]
            assert isinstance(entry, Entry)
            if streaming:
                return _instantiate(_class(entry.streaming or ""), identifier, name=identifier)
            return _kernel(entry.kernel or "")
        fn = _AUTO_FUNCTIONS[auto.name]
        if streaming:
            return _wrap(fn, name=identifier)
        return fn
    if identifier in _REGISTRY:
        obj = _REGISTRY[identifier]
        if isinstance(obj, type):
            return _instantiate(obj, identifier)
        return _wrap(obj) if streaming else obj
    found = _index().get(identifier)
    if found is None:
        raise _unknown(identifier)
    if isinstance(found, AutoEntry):  # 'auto_accuracy' as written by serialize
        fn = _AUTO_FUNCTIONS[found.name]
        return _wrap(fn) if streaming else fn
    if streaming and found.streaming is not None:
        return _instantiate(_class(found.streaming), identifier)
    if found.kernel is not None:
        fn = _kernel(found.kernel)
        return _wrap(fn) if streaming else fn
    return _instantiate(_class(found.streaming or ""), identifier)


def _resolve(identifier: Any, y_true: Any, y_pred: Any, loss: Any, rule: str | None,
             streaming: bool, caller: str) -> Any:
    if identifier is None:
        return None
    if isinstance(identifier, str):
        return _resolve_string(identifier, y_true, y_pred, loss, rule, streaming)
    if isinstance(identifier, Mapping):
        obj = deserialize(identifier)
        if streaming and not isinstance(obj, Metric):
            return _wrap(obj)
        return obj
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, Metric):
        return _instantiate(identifier, identifier.__name__)
    if _is_foreign_metric(identifier):
        return _from_foreign(identifier)
    if isinstance(identifier, type) and hasattr(identifier, "update_state"):
        return _from_foreign(identifier())  # a Keras 3 metric class: instantiated, as Keras does
    if callable(identifier):
        return _wrap(identifier) if streaming else identifier
    raise TypeError(
        f"{caller}: identifier must be a string, a callable, a config dict, a Metric or None; "
        f"got {type(identifier).__name__}."
    )


def get(
    identifier: Any,
    *,
    y_true: Any = None,
    y_pred: Any = None,
    loss: Any = None,
    rule: str | None = None,
) -> Any:
    """The metric an identifier names, as Keras resolves ``compile(metrics=[...])`` entries.

    - a string naming a function ('mse', 'MAE', 'cosine', 'kld', 'logcosh', 'bce', full names,
      Keras 3 class names whose metric has a kernel...) -> the per-sample function;
    - a string naming a class-only metric ('auc', 'precision', 'f1_score', 'mean_io_u'...) -> a
      streaming metric object with default arguments (classes that need arguments raise
      ``TypeError`` saying which, as Keras 3 does);
    - 'acc'/'accuracy'/'ce'/'crossentropy' (any case) -> the binary, sparse or categorical form
      chosen by :func:`resolve_accuracy` from ``y_true``/``y_pred`` (arrays or shapes) or
      ``loss`` (a loss that decides alone, binary or sparse crossentropy, needs no shapes); with
      neither, :func:`auto_accuracy`/:func:`auto_crossentropy`, which choose by Keras 3's shape
      rule when called (traced);
    - a callable -> returned as it is (a custom ``rmse``); a ``Metric`` -> as it is; a ``Metric``
      subclass -> an instance; a Keras 3 metric object -> the jmetrics metric of the same class
      and config; a config dict -> :func:`deserialize`; None -> None.

    Unknown strings raise ``ValueError`` naming close matches.

    >>> get("mse").__name__
    'mean_squared_error'
    >>> get("acc", y_true=(8,), y_pred=(8, 3)).__name__
    'sparse_categorical_accuracy'
    >>> get("msee")
    Traceback (most recent call last):
    ...
    ValueError: Unknown metric "msee"; did you mean "mse"? ...
    """
    return _resolve(identifier, y_true, y_pred, loss, rule, streaming=False, caller="get")


def get_metric(
    identifier: Any,
    *,
    y_true: Any = None,
    y_pred: Any = None,
    loss: Any = None,
    rule: str | None = None,
) -> Any:
    """A streaming metric for any identifier (also ``jmetrics.metrics.get``).

    A string gives an instance of its streaming class with default arguments ('mse' ->
    ``MeanSquaredError()``, 'auc' -> ``AUC()``); a function-only string ('huber') or any function
    gives ``MeanMetricWrapper(fn)``; 'acc'/'accuracy'/'ce'/'crossentropy' give the class
    :func:`resolve_accuracy` chooses, named by the string as given (``BinaryAccuracy(name='acc')``),
    or, without shapes or loss, ``MeanMetricWrapper(auto_accuracy, name='acc')``. A ``Metric`` is
    returned as it is; config dicts are deserialized; None gives None.

    >>> type(get_metric("mse")).__name__
    'MeanSquaredError'
    >>> get_metric("acc", y_true=(4, 1), y_pred=(4, 1)).display_name
    'acc'
    """
    return _resolve(identifier, y_true, y_pred, loss, rule, streaming=True, caller="get_metric")


# -- register / serialize / deserialize / clone ------------------------------------------------
def register_metric(obj: Any = None, *, name: str | None = None) -> Any:
    """Register a user function or ``Metric`` subclass under a name (usable as a decorator).

    Registered names resolve in :func:`get` and :func:`deserialize`, and registered functions
    serialize by name. Built-in names cannot be taken.

    >>> @register_metric
    ... def my_error(y_true, y_pred):
    ...     return abs(y_pred - y_true).max(axis=-1)
    >>> serialize(my_error)
    'my_error'
    """
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


def _function_name(fn: Any) -> str | None:
    """The string a known function serializes to, or None for an unknown function."""
    for key, obj in _REGISTRY.items():
        if obj is fn:
            return key
    name = getattr(fn, "__name__", None)
    if name in _AUTO_FUNCTIONS and _AUTO_FUNCTIONS[name] is fn:
        return str(name)
    kernels = importlib.import_module("jmetrics.kernels")
    for entry in ENTRIES:
        if entry.kernel is not None and getattr(kernels, entry.kernel, None) is fn:
            return entry.name
    return None


def _class_names() -> dict[str, type]:
    names: dict[str, type] = {}
    metrics = importlib.import_module("jmetrics.metrics")
    for entry in ENTRIES:
        cls = getattr(metrics, entry.streaming or "", None)
        if isinstance(cls, type):
            names[entry.streaming or ""] = cls
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

    >>> serialize(get("mae"))
    'mean_absolute_error'
    """
    if metric is None:
        return None
    if isinstance(metric, str):
        get(metric)
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


def _freeze(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value


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
    return _kernel(found.kernel)


def _resolve_fn(value: Any) -> Any:
    return _function_by_name(value, "deserialize") if isinstance(value, str) else value


def _build(cls: type[Metric], config: Mapping[str, Any], foreign: bool = False) -> Metric:
    config = {k: _freeze(v) for k, v in config.items()}
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
        return get(config)
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

    >>> m = get_metric("mse")
    >>> clone_metric(m) == m and clone_metric(m) is not m
    True
    """
    if isinstance(metric, Metric):
        config = dict(metric.get_config())
        if hasattr(metric, "fn"):
            config["fn"] = metric.fn
        return type(metric).from_config({k: _freeze(v) for k, v in config.items()})
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
