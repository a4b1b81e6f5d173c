"""Resolution of metric identifiers: strings, callables, serialized configs, None."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import Any

from jmetrics import kernels
from jmetrics.adapter._table import ENTRIES

__all__ = ["deserialize", "get", "resolve_accuracy", "serialize"]

_CE = ("ce", "crossentropy")
_ACC = ("acc", "accuracy")


def _lookup() -> dict[str, str]:
    table: dict[str, str] = {}
    for e in ENTRIES:
        for key in (e.name, *e.aliases):
            table[key] = e.name
    return table


LOOKUP = _lookup()


def resolve_accuracy(
    identifier: str,
    y_true_shape: tuple[int, ...],
    y_pred_shape: tuple[int, ...],
    *,
    loss: Any = None,
) -> str:
    """The function 'acc'/'accuracy'/'ce'/'crossentropy' stands for.

    Without ``loss``, by shapes as Keras 3 does: binary when ``y_pred``'s last axis is 1, sparse
    when ``y_true`` has a lower rank (or a last axis of 1 against more classes), else categorical.
    With a loss, by the Keras 2.3.1 rule: last axis 1 or binary crossentropy -> binary; sparse
    categorical crossentropy -> sparse; otherwise categorical.

    >>> resolve_accuracy("acc", (8, 1), (8, 1))
    'binary_accuracy'
    >>> resolve_accuracy("accuracy", (8,), (8, 3))
    'sparse_categorical_accuracy'
    >>> resolve_accuracy("ce", (8, 3), (8, 3), loss="binary_crossentropy")
    'binary_crossentropy'
    """
    key = identifier.lower()
    if key not in _ACC + _CE:
        raise ValueError(f"resolve_accuracy: identifier must be one of {list(_ACC + _CE)}; got {identifier!r}.")
    loss_name = getattr(loss, "__name__", loss)
    loss_name = LOOKUP.get(loss_name, loss_name) if isinstance(loss_name, str) else None
    last = y_pred_shape[-1] if y_pred_shape else 1
    if loss_name is not None:
        if last == 1 or loss_name == "binary_crossentropy":
            kind = "binary"
        elif loss_name == "sparse_categorical_crossentropy":
            kind = "sparse"
        else:
            kind = "categorical"
    elif last == 1:
        kind = "binary"
    elif len(y_true_shape) < len(y_pred_shape) or (y_true_shape and y_true_shape[-1] == 1):
        kind = "sparse"
    else:
        kind = "categorical"
    suffix = "accuracy" if key in _ACC else "crossentropy"
    return f"{kind}_{suffix}" if kind != "sparse" else f"sparse_categorical_{suffix}"


def get(identifier: Any) -> Callable[..., Any] | None:
    """The per-sample function for a metric identifier, as ``keras.metrics.get`` does.

    Accepts every metric string of Keras 2.3.1 and Keras 3 that names a function ('mse', 'MAE',
    'cosine', 'kld', 'logcosh', 'bce', full names...), a callable (returned as it is, e.g. a custom
    ``rmse``), a serialized config from :func:`serialize`, or None (-> None). 'acc'/'accuracy'
    without shapes give the exact-equality ``accuracy``; use :func:`resolve_accuracy` for Keras'
    shape rule. Anything else raises ``ValueError`` naming close matches.

    >>> get("mse").__name__
    'mean_squared_error'
    >>> get("msee")
    Traceback (most recent call last):
    ...
    ValueError: Unknown metric "msee"; did you mean "mse"? ...
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    if not isinstance(identifier, str):
        raise TypeError(
            f"get: identifier must be a string, a callable, a config dict or None; got {type(identifier).__name__}."
        )
    name = LOOKUP.get(identifier)
    if name is None:
        close = difflib.get_close_matches(identifier, list(LOOKUP), n=3, cutoff=0.6)
        if close:
            hint = f'; did you mean "{close[0]}"?'
            if len(close) > 1:
                hint += " (also close: " + ", ".join(f'"{c}"' for c in close[1:]) + ")"
        else:
            hint = ". `jmetrics list` shows every name."
        raise ValueError(f'Unknown metric "{identifier}"{hint}')
    fn: Callable[..., Any] = getattr(kernels, name)
    return fn


def serialize(fn: Callable[..., Any]) -> dict[str, Any]:
    """A JSON-safe config for a table function: ``{"class_name": "function", "config": name}``.

    >>> serialize(get("mae"))
    {'class_name': 'function', 'config': 'mean_absolute_error'}
    """
    name = getattr(fn, "__name__", None)
    if name not in LOOKUP or getattr(kernels, LOOKUP[name], None) is not fn:
        raise ValueError(
            f"serialize: only jmetrics' own metric functions can be serialized; got {fn!r}. "
            "Pass user functions by reference."
        )
    return {"class_name": "function", "config": LOOKUP[name]}


def deserialize(config: dict[str, Any]) -> Callable[..., Any]:
    """The function of a config made by :func:`serialize` (names only: nothing is evaluated)."""
    if config.get("class_name") != "function" or not isinstance(config.get("config"), str):
        raise ValueError(f"deserialize: config must be {{'class_name': 'function', 'config': name}}; got {config!r}.")
    fn = get(config["config"])
    assert fn is not None
    return fn
