"""Shared test utilities (not tests themselves)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import numpy as np


class TracedJit:
    """``jax.jit(fn)`` that counts how many times ``fn`` is traced (each trace is a compile)."""

    def __init__(self, fn: Callable[..., Any], **jit_kwargs: Any) -> None:
        self.traces = 0

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.traces += 1
            return fn(*args, **kwargs)

        self._jitted = jax.jit(counted, **jit_kwargs)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._jitted(*args, **kwargs)


class _Lowerings:
    """How many programs JAX has lowered in this process (one per trace that reaches XLA)."""

    count = 0

    @classmethod
    def listen(cls, event: str, duration: float, **_: Any) -> None:
        if event == "/jax/core/compile/jaxpr_to_mlir_module_duration":
            cls.count += 1


jax.monitoring.register_event_duration_secs_listener(_Lowerings.listen)


def lowerings() -> int:
    """Programs lowered so far in this process: the difference over a call is what it compiled
    (eager operations included)."""
    return _Lowerings.count


def tree_types(tree: Any) -> tuple[Any, list[tuple[tuple[int, ...], Any]]]:
    """Tree structure, shapes and dtypes of a pytree (for "init() has an updated state's type")."""
    return jax.tree.structure(tree), [(tuple(np.shape(x)), np.dtype(x.dtype)) for x in jax.tree.leaves(tree)]


def keras_metric(name: str, *args: Any, **kwargs: Any) -> Any:
    """A Keras 3 metric instance (JAX backend) by class name: the oracle."""
    import keras

    return getattr(keras.metrics, name)(*args, **kwargs)


def keras_result(metric: Any, batches: list[tuple[Any, ...]]) -> np.ndarray:
    """Feed ``(y_true, y_pred[, sample_weight])`` batches to a Keras 3 metric; its float64 result."""
    for batch in batches:
        if len(batch) == 3 and batch[2] is not None:
            metric.update_state(batch[0], batch[1], sample_weight=batch[2])
        else:
            metric.update_state(batch[0], batch[1])
    return np.asarray(metric.result(), dtype=np.float64)


class EveryClass:
    """Many metrics as one protocol object (``inputs``: one tuple of arguments per metric), so each
    path compiles one program for all of them."""

    def __init__(self, metrics):
        self.metrics = metrics

    def init(self):
        return tuple(m.init() for m in self.metrics)

    def update(self, state, inputs, sample_weight=None):
        return tuple(m.update(s, *x, sample_weight=sample_weight)
                     for m, s, x in zip(self.metrics, state, inputs, strict=True))

    def merge(self, a, b):
        return tuple(m.merge(x, y) for m, x, y in zip(self.metrics, a, b, strict=True))

    def all_reduce(self, state, axis_name):
        return tuple(m.all_reduce(s, axis_name) for m, s in zip(self.metrics, state, strict=True))
