"""The eager face's refusal inside Keras' compiled step, without importing Keras.

Keras' ``compile`` wraps a callable that is not a ``keras.metrics.Metric`` in its
``MeanMetricWrapper`` and calls it as a per-sample function inside the train/test step, where
Keras has a stateless scope open (jitted, or with ``run_eagerly=True``). A jmetrics metric object
called there would hand back its running result per batch and Keras would average those: a wrong
number. The guard refuses it and says to wrap the metric with ``to_keras``.

The user-facing ``jmetrics.metrics`` package and ``jmetrics.integrations.keras`` register it; it
looks at Keras only when a program has imported Keras already.
"""

from __future__ import annotations

import sys
from typing import Any

__all__ = ["refuse_in_keras_step"]


def refuse_in_keras_step(metric: Any) -> None:
    """Raise ``TypeError`` when ``metric(...)`` is called inside Keras' step (a stateless scope)."""
    keras = sys.modules.get("keras")
    if keras is None:
        return
    try:
        in_step = keras.src.backend.in_stateless_scope()
    except AttributeError:  # a Keras without the stateless scope (Keras 2) has no such step
        return
    if in_step:
        raise TypeError(
            f"{metric.display_name}: a jmetrics metric object cannot go to Keras' "
            "compile(metrics=[...]) as it is (Keras would call it as a per-sample function "
            "inside its jitted step); wrap it: jmetrics.integrations.keras.to_keras("
            f"{type(metric).__name__}(...)).")
