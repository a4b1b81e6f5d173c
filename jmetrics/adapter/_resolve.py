"""Identifier resolution: strings, callables, configs and metric objects to metrics.

``get`` gives what ``keras.metrics.get`` gives inside ``compile``: a per-sample function for a
function name, a streaming metric for a class-only name. ``get_metric`` (also
``jmetrics.metrics.get``) always gives a streaming metric. Both read the alias table
(``_table.py``) through ``_lookup.py``; strings resolve in ``_strings.py``, configs and Keras
metric objects in ``_serialize.py``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jmetrics.adapter._lookup import _instantiate, _wrap
from jmetrics.adapter._serialize import _from_foreign, _is_foreign_metric, deserialize
from jmetrics.adapter._strings import _resolve_string
from jmetrics.adapter._table import ENTRIES
from jmetrics.metrics._base import Metric

__all__ = ["get", "get_metric"]


# -- whole-set functions -------------------------------------------------------------------------
def is_whole_set(fn: Any) -> bool:
    """Whether ``fn`` (or the function a ``functools.partial`` wraps) carries ``whole_set = True``:
    it returns one value for all the rows it is given (every ``jmetrics.sk`` function does)."""
    return getattr(fn, "whole_set", False) is True or getattr(
        getattr(fn, "func", None), "whole_set", False) is True


def refuse_whole_set(fn: Any, who: str) -> None:
    """Raise ``ValueError`` if ``fn`` is a whole-set function offered as a per-sample metric.

    The hint names the streaming classes the alias table pairs with the same scikit-learn function
    (``r2_score`` -> ``R2Score``).

    >>> import jmetrics
    >>> refuse_whole_set(jmetrics.r2_score, "get")
    Traceback (most recent call last):
    ...
    ValueError: get: r2_score must be a per-sample function; got a whole-set function ...
    """
    if not is_whole_set(fn):
        return
    target = fn if getattr(fn, "whole_set", False) is True else fn.func
    name = target.__name__
    classes = [e.streaming.__name__ for e in ENTRIES if e.streaming and e.sk is target]
    whole = f"call jmetrics.{name} once on all the rows"
    hint = (f"Use its streaming counterpart jmetrics.metrics.{classes[0]}, or {whole}."
            if len(classes) == 1 else
            f"Use one of its streaming counterparts jmetrics.metrics.{{{', '.join(classes)}}}, "
            f"or {whole}." if classes else f"{whole[0].upper()}{whole[1:]} (it has no streaming "
            "counterpart).")
    raise ValueError(
        f"{who}: {name} must be a per-sample function; got a whole-set function (jmetrics.sk, "
        f"whole_set=True): it returns one value for all the rows it is given, and averaging that "
        f"over batches gives a wrong number. {hint}"
    )


# -- get / get_metric ----------------------------------------------------------------------------
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
        refuse_whole_set(identifier, caller)
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
