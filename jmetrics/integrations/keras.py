"""Keras 3 (JAX backend): jmetrics metrics in ``model.compile(metrics=[...])``.

- **Functions** need nothing: jmetrics' per-sample functions (``jmetrics.mean_squared_error``,
  ``jmetrics.binary_accuracy``, ...) are JAX functions with Keras signatures, so with
  ``KERAS_BACKEND=jax`` Keras takes them as they are (it wraps them in its ``MeanMetricWrapper``
  and logs them under the function's name) and reports the same values as its own metrics.
- **Streaming metrics** go through :func:`to_keras`, which returns a ``keras.metrics.Metric``
  holding the jmetrics state in Keras variables (one non-trainable variable per state leaf, so
  Keras' stateless jitted ``fit``/``evaluate`` carries it like its own metrics' variables).

Importing this module imports keras (``import jmetrics`` does not).

>>> import numpy as np, jmetrics
>>> auc = to_keras(jmetrics.metrics.AUC())
>>> auc.update_state(np.array([[0.0], [1.0], [1.0]]), np.array([[0.2], [0.9], [0.4]]))
>>> auc.name, round(float(auc.result()), 4)
('auc', 1.0)
"""

from __future__ import annotations

from typing import Any

import jax
import keras
import numpy as np

__all__ = ["KerasMetric", "to_keras"]


class KerasMetric(keras.metrics.Metric):
    """A ``keras.metrics.Metric`` whose state is a jmetrics metric's state (see :func:`to_keras`).

    ``update_state(y_true, y_pred, sample_weight=None)`` runs ``metric.update`` on the state read
    from the variables and assigns the new leaves; ``result()`` is ``metric.compute``;
    ``reset_state()`` assigns ``metric.init()`` (which need not be zeros). ``jmetrics_metric`` is
    the wrapped metric and ``jmetrics_state()`` the current state as a jmetrics pytree.
    """

    def __init__(self, metric: Any, name: str | None = None, dtype: Any = None) -> None:
        from jmetrics.metrics import Metric

        if not isinstance(metric, Metric):
            raise TypeError(f"to_keras: metric must be a jmetrics streaming metric; got "
                            f"{type(metric).__name__}. Pass jmetrics functions to compile as they "
                            "are.")
        if keras.backend.backend() != "jax":
            raise ValueError(f"to_keras: the Keras backend must be 'jax' (KERAS_BACKEND=jax); got "
                             f"{keras.backend.backend()!r}.")
        super().__init__(name=name or metric.display_name, dtype=dtype)
        self.jmetrics_metric = metric
        init = metric.init()
        leaves, self._treedef = jax.tree.flatten(init)
        # host copies: Keras' jitted steps donate variable buffers, so no device array is shared
        self._init_leaves = [np.array(leaf) for leaf in leaves]
        leaves = self._init_leaves
        self._state_vars = [
            self.add_variable(shape=tuple(leaf.shape), dtype=str(leaf.dtype),
                              initializer=_constant(leaf), name=f"state_{i}")
            for i, leaf in enumerate(leaves)
        ]

    def jmetrics_state(self) -> Any:
        """The current state as the jmetrics pytree (``metric.init()``'s structure)."""
        return jax.tree.unflatten(self._treedef, [v.value for v in self._state_vars])

    def update_state(self, *inputs: Any, sample_weight: Any = None) -> None:
        """Fold one batch: ``metric.update(state, *inputs, sample_weight=...)``."""
        update: Any = self.jmetrics_metric.update  # Mean/Sum take one input, the others two
        new = update(self.jmetrics_state(), *inputs, sample_weight=sample_weight)
        for var, leaf in zip(self._state_vars, jax.tree.leaves(new), strict=True):
            var.assign(leaf)

    def result(self) -> Any:
        """``metric.compute(state)``."""
        return self.jmetrics_metric.compute(self.jmetrics_state())

    def reset_state(self) -> None:
        """Back to ``metric.init()``."""
        for var, leaf in zip(self._state_vars, self._init_leaves, strict=True):
            var.assign(np.array(leaf))

    def get_config(self) -> dict[str, Any]:
        """Keras config: name, dtype and the jmetrics metric (``jmetrics.serialize``)."""
        from jmetrics.adapter import serialize

        return {"name": self.name, "dtype": self.dtype, "metric": serialize(self.jmetrics_metric)}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> KerasMetric:
        """Rebuild from :meth:`get_config`."""
        from jmetrics.adapter import deserialize

        config = dict(config)
        return cls(deserialize(config.pop("metric")), **config)


def _constant(value: np.ndarray) -> Any:
    def initializer(shape: Any, dtype: Any = None) -> Any:
        return keras.ops.convert_to_tensor(np.broadcast_to(value, shape).astype(dtype or value.dtype))

    return initializer


def to_keras(metric: Any, *, name: str | None = None) -> KerasMetric:
    """A ``keras.metrics.Metric`` instance computing the jmetrics ``metric`` (JAX backend).

    Pass it to ``model.compile(metrics=[...])`` (or ``weighted_metrics``); it is logged under
    ``name`` (default: the metric's Keras 3 name, e.g. ``'auc'``). A ``jmetrics.Collection``
    works too: its ``compute`` dict is logged key by key (Keras flattens dict results). Values equal the jmetrics
    metric's on the same batches (its exact weighting and compensated sums included).
    """
    return KerasMetric(metric, name=name)
