"""The streaming protocol: ``init / update / merge / compute`` over pytree states.

A metric is a frozen, hashable dataclass of its options (numbers, strings, tuples; never arrays), so
it can be a static argument of ``jax.jit``. Its state is a pytree of arrays only (see
``jmetrics.metrics._state`` for how leaves reduce). Subclasses implement ``init``, ``update`` and
``compute``; ``merge`` and ``all_reduce`` are generic.

The same object also has an eager, Keras-3-style face for people who do not jit:
``update_state`` / ``result`` / ``reset_state`` (and ``metric(y_true, y_pred)``), which keep a
state on the object outside its hashed options.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from typing import Any, ClassVar

import jax

from jmetrics._checks import is_concrete
from jmetrics.metrics._state import all_reduce, merge_states

__all__ = ["Metric", "snake_case"]


def snake_case(name: str) -> str:
    """Keras 3's ``to_snake_case``: ``"MeanIoU"`` -> ``"mean_io_u"``, ``"AUC"`` -> ``"auc"``."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    name = re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()
    return name


@dataclasses.dataclass(frozen=True)
class Metric:
    """Base class of every streaming metric.

    Class attributes (metadata, read by the adapter table and the docs):

    - ``default_name``: the Keras 3 default name (History key), ``None`` for snake_case of the class.
    - ``higher_is_better``: direction; ``None`` when neither.
    - ``value_range``: ``(low, high)`` of the result, ``None`` ends for unbounded.
    - ``input_kind``: what ``update`` takes, for generic tests, docs and the engine's defaults:
      ``"values"`` (Mean, Sum: ``update(state, values)``), ``"regression"`` (real targets, same shape),
      ``"binary"`` (0/1 labels, probabilities, same shape), ``"categorical"`` (one-hot labels,
      probabilities ``[N, C]``), ``"sparse"`` (integer labels ``[N]``, probabilities ``[N, C]``),
      ``"multilabel"`` (0/1 labels ``[N, C]``, probabilities ``[N, C]``), ``"labels"`` (integer class
      ids in both, e.g. IoU).
    - ``example_args``: constructor arguments that make a typical instance (e.g. ``num_classes``).
    """

    name: str | None = dataclasses.field(default=None, kw_only=True)
    dtype: str | None = dataclasses.field(default=None, kw_only=True, compare=False)

    default_name: ClassVar[str | None] = None
    higher_is_better: ClassVar[bool | None] = None
    value_range: ClassVar[tuple[float | None, float | None]] = (None, None)
    input_kind: ClassVar[str] = "regression"
    example_args: ClassVar[dict[str, Any]] = {}

    # -- the pure protocol -------------------------------------------------------------------
    def init(self) -> Any:
        """The empty state: exactly the tree, shapes and dtypes of an updated state."""
        raise NotImplementedError

    def update(self, state: Any, y_true: Any, y_pred: Any, sample_weight: Any = None) -> Any:
        """Fold one batch into ``state``. Pure; shape errors raise at trace time."""
        raise NotImplementedError

    def merge(self, a: Any, b: Any) -> Any:
        """Combine two states; associative and commutative, ``init()`` is its identity."""
        return merge_states(a, b)

    def compute(self, state: Any) -> Any:
        """The metric value of a state (an array, or a dict of arrays)."""
        raise NotImplementedError

    def all_reduce(self, state: Any, axis_name: Any) -> Any:
        """Reduce a state across a named mapped axis (one collective per reduction kind)."""
        return all_reduce(state, axis_name)

    def check_inputs(self, *args: Any, sample_weight: Any = None) -> None:
        """Value checks on concrete inputs (label ranges, NaN labels...): raise ``ValueError``.

        The default checks nothing. The eager face (``update_state``) calls it before its jitted
        update, and an ``update`` called on concrete arrays may call it too. Under ``jit`` the
        inputs are tracers and nothing can be raised: ``update`` then makes the result the
        documented value (NaN) instead.
        """

    def stat_key(self) -> Any:
        """What the state holds, for sharing in a collection; ``None`` (the default) shares nothing.

        Two metrics whose ``stat_key()`` are equal and not ``None`` promise identical ``init`` and
        ``update`` (the same sufficient statistic, e.g. one set of threshold counts), so a collection
        keeps one state for both, updates it once per batch and calls each metric's ``compute`` on it.
        """
        return None

    # -- names and config --------------------------------------------------------------------
    @property
    def display_name(self) -> str:
        """The name Keras 3 would log: ``name`` if given, else the class's default name."""
        if self.name is not None:
            return self.name
        return self.default_name or snake_case(type(self).__name__)

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments, JSON-safe (tuples become lists)."""
        config: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            if f.init:
                config[f.name] = _jsonable(getattr(self, f.name))
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Metric:
        """Rebuild a metric from ``get_config()``."""
        return cls(**config)

    # -- eager, Keras-3-style face -----------------------------------------------------------
    def reset_state(self) -> None:
        """Forget the eagerly accumulated state."""
        object.__setattr__(self, "_eager_state", self.init())

    def update_state(self, *args: Any, sample_weight: Any = None) -> None:
        """Eagerly fold a batch into the state held by this object (jitted under the hood)."""
        if all(is_concrete(x) for x in (*args, sample_weight)):
            self.check_inputs(*args, sample_weight=sample_weight)
        state = self.__dict__.get("_eager_state")
        if state is None:
            state = self.init()
        object.__setattr__(self, "_eager_state", _jit_update(self, state, *args, sample_weight))

    def result(self) -> Any:
        """The value of the eagerly accumulated state."""
        state = self.__dict__.get("_eager_state")
        return _jit_compute(self, self.init() if state is None else state)

    def __call__(self, *args: Any, sample_weight: Any = None) -> Any:
        """Update the held state with a batch and return the running result (as Keras does)."""
        self.update_state(*args, sample_weight=sample_weight)
        return self.result()

    @property
    def state(self) -> Any:
        """The eagerly held state (``init()`` if nothing was folded yet)."""
        state = self.__dict__.get("_eager_state")
        return self.init() if state is None else state


@functools.partial(jax.jit, static_argnums=0)
def _jit_update(metric: Metric, state: Any, *args: Any) -> Any:
    *inputs, sample_weight = args
    update: Any = metric.update
    return update(state, *inputs, sample_weight=sample_weight)


@functools.partial(jax.jit, static_argnums=0)
def _jit_compute(metric: Metric, state: Any) -> Any:
    return metric.compute(state)


def _jsonable(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value
