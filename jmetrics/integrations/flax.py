"""Flax NNX: any jmetrics metric or Collection as an ``nnx.Metric``, one generic adapter.

``NNXMetric(metric)`` holds the metric's state (any pytree) in one ``nnx.metrics.MetricState``
variable and speaks NNX's metric protocol: ``update(**kwargs)`` (in place), ``compute()``,
``reset()``. It goes inside ``nnx.MultiMetric`` next to NNX's own metrics and runs under
``nnx.jit``; the computation is the metric's pure ``update``/``compute``, so results are exactly
those of the plain protocol. Importing this module imports flax (``import jmetrics`` does not).

>>> import jax.numpy as jnp
>>> from flax import nnx
>>> import jmetrics
>>> metrics = nnx.MultiMetric(
...     auc=NNXMetric(jmetrics.metrics.AUC()),
...     mse=NNXMetric(jmetrics.metrics.MeanSquaredError()),
...     loss=nnx.metrics.Average("loss"),
... )
>>> labels, probs = jnp.array([[0.0], [1.0], [1.0]]), jnp.array([[0.2], [0.9], [0.4]])
>>> metrics.update(labels=labels, logits=probs, loss=jnp.array([0.5]))
>>> {k: round(float(v), 4) for k, v in metrics.compute().items()}
{'auc': 1.0, 'mse': 0.1367, 'loss': 0.5}
"""

from __future__ import annotations

from typing import Any

from flax import nnx

__all__ = ["NNXMetric"]


class NNXMetric(nnx.Metric):
    """An ``nnx.Metric`` around a jmetrics metric or ``jmetrics.Collection``.

    Args:
      metric: any object with the streaming protocol (``init/update/merge/compute``).
      argnames: the ``update`` keyword names passed, in order, as the metric's positional inputs.
        Default ``("labels", "logits")`` (NNX's names: ``nnx.MultiMetric.update`` passes every
        keyword to every metric), ``("values",)`` for ``Mean``/``Sum``-like metrics
        (``input_kind == "values"``). jmetrics metrics take probabilities unless built with
        ``from_logits=True``: map your own names, e.g. ``argnames=("labels", "probs")``.
      sample_weight: the keyword read as ``sample_weight`` if present (default
        ``"sample_weight"``); a missing keyword means no weights.

    ``update(**kwargs)`` folds a batch into the held state, ``compute()`` returns the metric's
    value (a dict for a Collection), ``reset()`` goes back to ``metric.init()``. ``state`` (an
    ``nnx.metrics.MetricState``) holds the pytree: ``jmetrics.reduce_state(m.state.get_value(),
    axis)`` reduces it across devices and ``jmetrics.save_state`` saves it.
    """

    def __init__(self, metric: Any, *, argnames: tuple[str, ...] | None = None,
                 sample_weight: str | None = "sample_weight") -> None:
        for method in ("init", "update", "compute"):
            if not callable(getattr(metric, method, None)):
                raise TypeError(f"NNXMetric: metric must have init/update/compute; got "
                                f"{type(metric).__name__} without {method}.")
        if argnames is None:
            kind = getattr(metric, "input_kind", "regression")
            argnames = ("values",) if kind == "values" else ("labels", "logits")
        if isinstance(argnames, str) or not all(isinstance(a, str) for a in argnames):
            raise TypeError(f"NNXMetric: argnames must be a tuple of keyword names; got {argnames!r}.")
        self.metric = metric
        self.argnames = tuple(argnames)
        self.weight_name = sample_weight
        self.state = nnx.metrics.MetricState(metric.init())

    def reset(self) -> None:
        """Back to the empty state (``metric.init()``); same tree and shapes, so no retrace."""
        self.state.set_value(self.metric.init())

    def update(self, **kwargs: Any) -> None:
        """Fold one batch, given by keyword (``argnames``, optional ``sample_weight``), in place."""
        missing = [a for a in self.argnames if a not in kwargs]
        if missing:
            raise TypeError(f"NNXMetric({type(self.metric).__name__}): update needs the keyword "
                            f"arguments {list(self.argnames)}; got {sorted(kwargs)}, missing "
                            f"{missing}.")
        weight = kwargs.get(self.weight_name) if self.weight_name is not None else None
        inputs = [kwargs[a] for a in self.argnames]
        self.state.set_value(self.metric.update(self.state.get_value(), *inputs,
                                                sample_weight=weight))

    def compute(self) -> Any:
        """The metric's value on everything folded in since the last reset."""
        return self.metric.compute(self.state.get_value())
