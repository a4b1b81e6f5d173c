"""How ``Collection`` reads Keras ``compile``-style specs: per-output lists and the loss."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from jmetrics.adapter import deserialize, get_metric
from jmetrics.adapter._resolve import refuse_whole_set
from jmetrics.metrics._base import Metric
from jmetrics.metrics._reduction import Mean

__all__ = ["_as_list", "_is_per_output", "_loss_metric"]


def _is_per_output(metrics: Any) -> bool:
    return isinstance(metrics, Sequence) and not isinstance(metrics, str) and any(
        isinstance(m, (Mapping, list, tuple)) for m in metrics
    )


def _as_list(specs: Any) -> list[Any]:
    if specs is None:
        return []
    if isinstance(specs, (list, tuple)):
        return list(specs)
    return [specs]


def _loss_metric(spec: Any) -> Metric:
    """A streaming mean of the loss: a string, a function, a Metric or a Keras 3 loss object."""
    if (not isinstance(spec, (str, Metric, type)) and hasattr(spec, "get_config")
            and not hasattr(spec, "update_state")):
        try:  # keras.losses.BinaryCrossentropy(from_logits=True) -> jmetrics BinaryCrossentropy
            metric = deserialize({"class_name": type(spec).__name__, "config": spec.get_config(),
                                  "module": "keras.losses"})
        except (ValueError, TypeError):
            metric = None
        if isinstance(metric, Metric):
            return metric
    refuse_whole_set(spec, "Collection")
    metric = get_metric(spec)
    if not isinstance(metric, Mean):
        raise TypeError(
            f"Collection: loss must be a per-sample function, a loss name or a mean metric; got "
            f"{type(metric).__name__}."
        )
    return metric  # type: ignore[no-any-return]
