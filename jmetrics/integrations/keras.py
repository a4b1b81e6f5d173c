"""Keras 3 (JAX backend): jmetrics metrics in ``model.compile(metrics=[...])``.

- **Functions** need nothing: jmetrics' per-sample functions (``jmetrics.mean_squared_error``,
  ``jmetrics.binary_accuracy``, ...) are JAX functions with Keras signatures, so with
  ``KERAS_BACKEND=jax`` Keras takes them as they are (it wraps them in its ``MeanMetricWrapper``
  and logs them under the function's name) and reports the same values as its own metrics.
- **Streaming metrics** go through :func:`to_keras`, which returns a ``keras.metrics.Metric``
  holding the jmetrics state in Keras variables (one non-trainable variable per state leaf, so
  Keras' stateless jitted ``fit``/``evaluate`` carries it like its own metrics' variables).
  A metric object passed to ``compile`` as it is raises a ``TypeError`` that says to wrap it
  (a call guard that ``import jmetrics`` adds to the metrics' eager face, so the refusal
  does not depend on importing this module).
- **Saving**: :class:`KerasMetric` is registered with Keras' serialization (as
  ``"jmetrics>KerasMetric"``) when this module is imported, so ``model.save("m.keras")`` and
  ``keras.models.load_model("m.keras")`` round-trip a model compiled with wrapped metrics or
  Collections, with no ``custom_objects``, in any process that imported this module.

Importing this module imports keras (``import jmetrics`` does not).

>>> import numpy as np, jmetrics
>>> auc = to_keras(jmetrics.metrics.AUC())
>>> auc.update_state(np.array([[0.0], [1.0], [1.0]]), np.array([[0.2], [0.9], [0.4]]))
>>> auc.name, round(float(auc.result()), 4)
('auc', 1.0)
"""

from __future__ import annotations

import sys
import weakref
from collections.abc import Mapping
from types import FrameType
from typing import Any

import jax
import keras
import numpy as np

__all__ = ["KerasMetric", "to_keras"]

_PACKAGE = "jmetrics"  # Keras registers the class as "jmetrics>KerasMetric"
_MODEL_FRAMES = 6  # how far up result() looks for the model merging the History keys


class _Key:
    """What a wrapped dict result holds for each key while its History keys are checked."""

    def __init__(self, owner: KerasMetric) -> None:
        self.owner = owner


@keras.saving.register_keras_serializable(package=_PACKAGE)
class KerasMetric(keras.metrics.Metric):
    """A ``keras.metrics.Metric`` whose state is a jmetrics metric's state (see :func:`to_keras`).

    ``update_state(y_true, y_pred, sample_weight=None)`` runs ``metric.update`` on the state read
    from the variables and assigns the new leaves; ``result()`` is ``metric.compute``;
    ``reset_state()`` assigns ``metric.init()`` (which need not be zeros). ``jmetrics_metric`` is
    the wrapped metric and ``jmetrics_state()`` the current state as a jmetrics pytree.

    A metric whose result is a dict (a ``Collection``) is logged key by key, each key preceded by
    ``prefix`` (default: ``name + "_"`` when ``name`` is given, else nothing). A key equal to
    another History key of the model (Keras' ``'loss'``, a compiled metric's name) raises a
    ``ValueError`` naming it, instead of Keras keeping one of the two values: ``'loss'`` when the
    wrapper is built, the others at the first ``result()`` of ``fit`` / ``evaluate`` (of the
    ``model`` given, else of the model found among the callers' frames: Keras tells a metric
    nothing of its model), or when :meth:`check_history_keys` is called.
    """

    def __init__(self, metric: Any, name: str | None = None, dtype: Any = None,
                 prefix: str | None = None, model: Any = None) -> None:
        from jmetrics.metrics._base import Metric

        if not isinstance(metric, Metric):
            raise TypeError(f"to_keras: metric must be a jmetrics streaming metric; got "
                            f"{type(metric).__name__}. Pass jmetrics functions to compile as they "
                            "are.")
        if keras.backend.backend() != "jax":
            raise ValueError(f"to_keras: the Keras backend must be 'jax' (KERAS_BACKEND=jax); got "
                             f"{keras.backend.backend()!r}.")
        if prefix is not None and not isinstance(prefix, str):
            raise TypeError(f"to_keras: prefix must be a string or None; got {type(prefix).__name__}.")
        if model is not None and not isinstance(model, keras.Model):
            raise TypeError(f"to_keras: model must be a keras.Model or None; got "
                            f"{type(model).__name__}.")
        super().__init__(name=name or metric.display_name, dtype=dtype)
        self.jmetrics_metric = metric
        init = metric.init()
        leaves, self._treedef = jax.tree.flatten(init)
        # host copies: Keras' jitted steps donate variable buffers, so no device array is shared
        self._init_leaves = [np.array(leaf) for leaf in leaves]
        self._state_vars = [
            self.add_variable(shape=tuple(leaf.shape), dtype=str(leaf.dtype),
                              initializer=_constant(leaf), name=f"state_{i}")
            for i, leaf in enumerate(self._init_leaves)
        ]
        keys = _result_keys(metric, init)
        if prefix is None:
            prefix = f"{name}_" if name and keys is not None else ""
        self.prefix = prefix
        self.history_keys = None if keys is None else tuple(prefix + k for k in keys)
        self._checked: set[tuple[int, ...]] = set()
        self._checking = False
        # a weak reference: the model holds this metric, and Keras tracks no plain attribute
        self._model = None if model is None else weakref.ref(model)
        if self.history_keys is not None and "loss" in self.history_keys:
            raise ValueError(_clash_message(self.name, "loss", self.prefix))

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
        """``metric.compute(state)``; a dict result with its keys prefixed (flat, one level)."""
        if self.history_keys is None:
            return self.jmetrics_metric.compute(self.jmetrics_state())
        if self._checking:  # our own call from check_history_keys: placeholders only
            return dict.fromkeys(self.history_keys, _Key(self))
        model = self._model() if self._model is not None else _calling_model()
        if model is not None:
            self.check_history_keys(model)
        return _flat(self.jmetrics_metric.compute(self.jmetrics_state()), self.prefix)

    def reset_state(self) -> None:
        """Back to ``metric.init()``."""
        for var, leaf in zip(self._state_vars, self._init_leaves, strict=True):
            var.assign(np.array(leaf))

    def get_config(self) -> dict[str, Any]:
        """Keras config: name, dtype, key prefix and the jmetrics metric (JSON-safe).

        A metric is stored as ``jmetrics.serialize`` writes it, a ``Collection`` as
        ``{"class_name": "Collection", "config": collection.get_config()}``.
        """
        return {"name": self.name, "dtype": self.dtype, "prefix": self.prefix,
                "metric": _serialize(self.jmetrics_metric)}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> KerasMetric:
        """Rebuild from :meth:`get_config` (what ``keras.models.load_model`` calls)."""
        config = dict(config)
        return cls(_deserialize(config.pop("metric")), **config)

    def check_history_keys(self, model: Any) -> None:
        """Raise ``ValueError`` if one of our History keys is also another key of ``model``'s
        logs (``model`` compiled with this wrapper, and built: after a first step or ``build``).

        Keras merges every metric's result into one dict (``Trainer.get_metrics_result``; dict
        results are spread into it), so a key that appears twice keeps one value. The check asks
        each of the model's metrics for its result once per compiled set of metrics, ours
        answering with placeholders, and counts who logs each key.
        """
        if model is None:
            return
        metrics = list(model.metrics)
        seen = tuple(id(m) for m in metrics)
        if seen in self._checked:
            return
        self._checking = True
        try:
            owners: dict[str, list[bool]] = {}
            for m in metrics:
                _owners(m.name, m.result(), self, owners)
        finally:
            self._checking = False
        for key in self.history_keys or ():
            if len(owners.get(key, ())) > 1:
                raise ValueError(_clash_message(self.name, key, self.prefix))
        self._checked.add(seen)


def _clash_message(name: str, key: str, prefix: str) -> str:
    raw = key[len(prefix):]
    return (f"to_keras: the History key {key!r} of {name!r} is also another History key of this "
            "model (Keras' 'loss', a compiled metric or another wrapper); Keras would keep only "
            f"one of the two values. Pass name= to prefix the keys (name='jm' logs 'jm_{raw}') "
            "or rename the metric.")


def _result_keys(metric: Any, init: Any) -> tuple[str, ...] | None:
    """The flat keys of a dict result (``None`` for a single value), from its shape."""
    shapes = jax.eval_shape(metric.compute, init)
    if not isinstance(shapes, Mapping):
        return None
    return tuple(_flat(shapes, ""))


def _flat(values: Mapping[str, Any], prefix: str) -> dict[str, Any]:
    """``{prefix + key: value}``, nested dicts joined with ``'_'`` (Keras drops inner keys)."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        if isinstance(value, Mapping):
            out.update(_flat(value, f"{prefix}{key}_"))
        else:
            out[f"{prefix}{key}"] = value
    return out


def _owners(name: str, value: Any, me: KerasMetric, owners: dict[str, list[bool]]) -> None:
    """Record who logs each key of ``value`` (Keras' flattening of nested results)."""
    if isinstance(value, Mapping):
        for key, inner in value.items():
            _owners(str(key), inner, me, owners)
    else:
        owners.setdefault(name, []).append(isinstance(value, _Key) and value.owner is me)


def _calling_model() -> Any:
    """The Keras model whose ``get_metrics_result`` asked for this result, if any.

    The fallback when ``to_keras`` got no ``model``: Keras gives a metric no reference to its
    model, and has no public hook in ``compile`` or ``fit`` that would; the model's
    ``get_metrics_result`` (through its ``CompileMetrics.result``) is a few frames up when
    ``fit``, ``evaluate`` or ``train_on_batch`` ask for the logs. ``None`` when called otherwise
    (``metric.result()``), or when a Keras version moves it further up: then only the explicit
    ``model=`` checks.
    """
    frame: FrameType | None = sys._getframe(2)
    for _ in range(_MODEL_FRAMES):
        if frame is None:
            return None
        obj = frame.f_locals.get("self")
        if isinstance(obj, keras.Model):
            return obj
        frame = frame.f_back
    return None


def _serialize(metric: Any) -> Any:
    from jmetrics.adapter import serialize
    from jmetrics.adapter._compile import Collection

    if isinstance(metric, Collection):
        return {"class_name": "Collection", "config": metric.get_config()}
    return serialize(metric)


def _deserialize(config: Any) -> Any:
    from jmetrics.adapter import deserialize
    from jmetrics.adapter._compile import Collection

    if isinstance(config, Mapping) and config.get("class_name") == "Collection":
        return Collection.from_config(dict(config["config"]))
    return deserialize(config)


def _constant(value: np.ndarray) -> Any:
    def initializer(shape: Any, dtype: Any = None) -> Any:
        return keras.ops.convert_to_tensor(np.broadcast_to(value, shape).astype(dtype or value.dtype))

    return initializer




def to_keras(metric: Any, *, name: str | None = None, prefix: str | None = None,
             model: Any = None) -> KerasMetric:
    """A ``keras.metrics.Metric`` instance computing the jmetrics ``metric`` (JAX backend).

    Pass it to ``model.compile(metrics=[...])`` (or ``weighted_metrics``); it is logged under
    ``name`` (default: the metric's Keras 3 name, e.g. ``'auc'``). A ``jmetrics.Collection``
    works too: its ``compute`` dict is logged key by key, each key prefixed by ``prefix``
    (default: ``name + '_'`` when ``name`` is given, else no prefix: ``to_keras(c, name='jm')``
    logs ``'jm_loss'``, ``'jm_acc'``, ...). A key that would clash with another History key of
    the model raises a ``ValueError`` that names it: ``'loss'`` at once, any other key at the
    first step of ``fit`` / ``evaluate``. Give ``model`` (the model whose ``compile`` gets the
    wrapper: ``model.compile(metrics=[to_keras(c, model=model)])``) to make that check exact;
    without it the wrapper finds the model among its callers' frames, as Keras tells a metric
    nothing of its model.
    Values equal the jmetrics metric's on the same batches (its exact weighting and compensated
    sums included). The wrapper saves and loads with the model (``model.save`` /
    ``keras.models.load_model``, no ``custom_objects``).
    """
    return KerasMetric(metric, name=name, prefix=prefix, model=model)
