"""What a metric string stands for: Keras' rule for 'acc'/'accuracy'/'ce'/'crossentropy', then
registered names, then the alias table.

``resolve_accuracy`` picks the binary, sparse or categorical form from the shapes (Keras 3) or the
loss (Keras 2.3.1); ``auto_accuracy``/``auto_crossentropy`` pick it when called, from static shapes.
``_resolve_string`` turns any metric string into a function or a streaming metric.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax.numpy as jnp

from jmetrics.adapter._lookup import (
    _REGISTRY,
    _auto,
    _index,
    _instantiate,
    _unknown,
    _wrap,
    parse_at,
)
from jmetrics.adapter._table import AutoEntry, Entry

__all__ = ["auto_accuracy", "auto_crossentropy", "resolve_accuracy"]

RULES = ("keras3", "keras2")


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


def _kernel(name: str) -> Callable[..., Any]:
    """The per-sample function of a canonical entry name (the forms 'acc' resolves to)."""
    entry = _index()[name]
    assert isinstance(entry, Entry) and entry.kernel is not None, name
    return entry.kernel


_AUTO_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "auto_accuracy": auto_accuracy, "auto_crossentropy": auto_crossentropy,
}


# -- a string to a metric --------------------------------------------------------------------
def _resolve_string(identifier: str, y_true: Any, y_pred: Any, loss: Any, rule: str | None,
                    streaming: bool) -> Any:
    auto = _auto(identifier)
    if auto is not None:
        if y_pred is not None or _loss_kind(loss) is not None:
            entry = _index()[resolve_accuracy(identifier, y_true, y_pred, loss=loss, rule=rule)]
            assert isinstance(entry, Entry)
            if streaming:
                return _instantiate(entry.streaming, identifier, name=identifier)
            return entry.kernel
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
        at = parse_at(identifier)
        if at is None:
            raise _unknown(identifier)
        entry, k = at  # 'ndcg@5': the class with k=5, named as written
        return _instantiate(entry.streaming, identifier, name=identifier, k=k)
    if isinstance(found, AutoEntry):  # 'auto_accuracy' as written by serialize
        fn = _AUTO_FUNCTIONS[found.name]
        return _wrap(fn) if streaming else fn
    if streaming and found.streaming is not None:
        return _instantiate(found.streaming, identifier)
    if found.kernel is not None:
        return _wrap(found.kernel) if streaming else found.kernel
    return _instantiate(found.streaming, identifier)
