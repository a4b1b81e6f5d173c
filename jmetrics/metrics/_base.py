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
import inspect
import re
import sys
import threading
from typing import Any, ClassVar

import jax
import numpy as np

from jmetrics._checks import is_concrete
from jmetrics.metrics._state import merge_states, reduce_over_axis

__all__ = ["ListOption", "ListView", "Metric", "snake_case"]


def snake_case(name: str) -> str:
    """Keras 3's ``to_snake_case``: ``"MeanIoU"`` -> ``"mean_io_u"``, ``"AUC"`` -> ``"auc"``."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    name = re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()
    return name


class _Name:
    """The ``name`` field: the given name, or the Keras 3 default name when none was given.

    A data descriptor, so an unnamed metric reports (and ``get_config`` writes) its default name
    as Keras does, and ``Mean()`` equals and hashes as ``Mean(name="mean")``.
    """

    def __get__(self, obj: Any, owner: Any = None) -> Any:
        if obj is None:
            return None  # the dataclass default
        given = obj.__dict__.get("_name")
        return obj.default_display_name() if given is None else given

    def __set__(self, obj: Any, value: Any) -> None:
        if value is not None and not isinstance(value, str):
            raise TypeError(f"{type(obj).__name__}: name must be a string or None; got "
                            f"{type(value).__name__}.")
        obj.__dict__["_name"] = value


class ListView(list):  # type: ignore[type-arg]
    """A fresh list copy of a tuple-valued option, hashable as that tuple.

    Keras reports list-valued options (``target_class_ids``, ``thresholds``) as lists; a metric
    keeps them as tuples so that it stays hashable. Changing the copy changes nothing in the metric.
    """

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(self))


class ListOption:
    """A dataclass field held as a tuple and read as a :class:`ListView` (a list, as in Keras).

    ``field: tuple[int, ...] = ListOption()`` (no default) or ``ListOption((0, 1))``. The metric's
    ``__post_init__`` stores the checked tuple; equality and hashing see the same values.
    """

    def __init__(self, default: Any = dataclasses.MISSING) -> None:
        self.default = default
        self.key = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.key = "_" + name

    def __get__(self, obj: Any, owner: Any = None) -> Any:
        if obj is None:
            return self.default  # the dataclass default (MISSING: a required field)
        value = obj.__dict__.get(self.key)
        return ListView(value) if isinstance(value, tuple) else value

    def __set__(self, obj: Any, value: Any) -> None:
        obj.__dict__[self.key] = value


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

    ``name`` is the given name or, when none is given, the Keras 3 default name
    (:meth:`default_display_name`), in the object and in ``get_config()``.
    """

    _: dataclasses.KW_ONLY
    name: str | None = _Name()  # type: ignore[assignment]
    dtype: str | None = dataclasses.field(default=None, compare=False)

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
        """Combine two states; associative and commutative, ``init()`` is its identity.

        The default merges leaf by leaf with each leaf's declared reduction (``merge_states``); a
        state with a leaf that declares none raises ``ValueError``: a subclass keeping such a
        state defines its own ``merge``.
        """
        return merge_states(a, b, who=self.display_name)

    def compute(self, state: Any) -> Any:
        """The metric value of a state (an array, or a dict of arrays)."""
        raise NotImplementedError

    def all_reduce(self, state: Any, axis_name: Any) -> Any:
        """Reduce a state across a named mapped axis (``shard_map``, ``pmap``, ``vmap``).

        A state whose leaves all declare their reduction: one collective per reduction kind. A
        state that declares nothing, of a subclass with its own ``merge``: gathered over the axis
        and folded with that ``merge`` in axis order (the result of one device that saw all the
        data). Neither: ``ValueError`` on an axis of more than one member, never a sum.
        """
        own = type(self).merge is not Metric.merge
        return reduce_over_axis(state, axis_name, merge=self.merge if own else None,
                                who=self.display_name)

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
    def default_display_name(self) -> str:
        """The name of an unnamed metric: ``default_name``, else snake_case of the class name."""
        return self.default_name or snake_case(type(self).__name__)

    @property
    def display_name(self) -> str:
        """The name Keras 3 would log: ``name`` (the default name when none was given)."""
        return self.name  # type: ignore[return-value]

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
    # The eagerly held state lives in ``__dict__["_eager_state"]`` (outside the hashed options);
    # a per-object lock makes each read-update-write of it atomic, so threads sharing one metric
    # object lose no update.
    def reset_state(self) -> None:
        """Forget the eagerly accumulated state."""
        with self._eager_lock():
            self.__dict__["_eager_state"] = None

    def update_state(self, *args: Any, sample_weight: Any = None, **kwargs: Any) -> None:
        """Eagerly fold a batch into the state held by this object (jitted under the hood).

        Takes what ``update`` takes after the state, as Keras' ``update_state`` does:
        ``(y_true, y_pred, sample_weight=None)``, or ``(values, sample_weight=None)`` for
        ``Mean``/``Sum``; ``sample_weight`` may be passed by position. Python lists, tuples and
        NumPy arrays are made arrays here, before the jitted update.
        """
        args, sample_weight = self._eager_inputs(args, sample_weight)
        kwargs = {k: self._eager_array(v) for k, v in kwargs.items()}
        if all(is_concrete(x) for x in (*args, sample_weight)):
            self.check_inputs(*args, sample_weight=sample_weight)
        with self._eager_lock():
            state = self.__dict__.get("_eager_state")
            if state is None:
                state = self._eager_init(*args)
            self.__dict__["_eager_state"] = _jit_update(self, state, kwargs, *args, sample_weight)

    def result(self) -> Any:
        """The value of the eagerly accumulated state."""
        return _jit_compute(self, self.state)

    def __call__(self, *args: Any, sample_weight: Any = None, **kwargs: Any) -> Any:
        """Update the held state with a batch and return the running result (as Keras does)."""
        if _called_by_keras_wrapper(self):
            raise TypeError(
                f"{self.display_name}: a jmetrics metric object cannot go to Keras' "
                "compile(metrics=[...]) as it is (Keras would call it as a per-sample function "
                "inside its jitted step); wrap it: jmetrics.integrations.keras.to_keras("
                f"{type(self).__name__}(...)).")
        self.update_state(*args, sample_weight=sample_weight, **kwargs)
        return self.result()

    @property
    def state(self) -> Any:
        """The eagerly held state (``init()`` if nothing was folded yet)."""
        with self._eager_lock():
            state = self.__dict__.get("_eager_state")
        return self.init() if state is None else state

    def _eager_init(self, *inputs: Any) -> Any:
        """The state the first eager batch is folded into (``init()``; see ``InferredWidth``)."""
        return self.init()

    def _eager_array(self, x: Any) -> Any:
        """A Python list or tuple becomes a NumPy array (jit would trace each element)."""
        if isinstance(x, (list, tuple)):
            return np.asarray(x)
        return x

    def _eager_inputs(self, args: tuple[Any, ...], sample_weight: Any) -> tuple[tuple[Any, ...], Any]:
        """``(inputs, sample_weight)`` of an eager call, the weight possibly given by position."""
        n = _num_inputs(type(self))  # type: ignore[arg-type]
        if n is not None and len(args) == n + 1:
            if sample_weight is not None:
                raise TypeError(f"{self.display_name}: update_state got sample_weight both by "
                                "position and by keyword.")
            args, sample_weight = args[:n], args[n]
        elif n is not None and len(args) != n:
            names = ", ".join(_INPUT_NAMES.get(n, ("inputs",) * n))
            raise TypeError(f"{self.display_name}: update_state takes ({names}, sample_weight=None); "
                            f"got {len(args)} positional arguments.")
        args = tuple(self._eager_array(x) for x in args)
        return args, self._eager_array(sample_weight)

    def _eager_lock(self) -> Any:
        lock = self.__dict__.get("_eager_mutex")
        if lock is None:
            with _LOCK_CREATION:
                lock = self.__dict__.setdefault("_eager_mutex", threading.RLock())
        return lock

    def __getstate__(self) -> dict[str, Any]:
        """Copies and pickles keep the options and the eager state, not the lock."""
        return {k: v for k, v in self.__dict__.items() if k != "_eager_mutex"}


def _called_by_keras_wrapper(metric: Metric) -> bool:
    """Whether ``metric.__call__`` was called by a Keras ``MeanMetricWrapper`` wrapping it.

    Keras' ``compile`` wraps any callable that is not a ``keras.metrics.Metric`` in a
    ``MeanMetricWrapper``, whose ``update_state`` calls it (with tracers) as a per-sample function.
    """
    caller = sys._getframe(2).f_locals.get("self")
    return type(caller).__module__.startswith("keras") and getattr(caller, "_fn", None) is metric


_LOCK_CREATION = threading.Lock()
_INPUT_NAMES = {1: ("values",), 2: ("y_true", "y_pred")}


@functools.cache
def _num_inputs(cls: Any) -> int | None:
    """How many positional inputs ``cls.update`` takes after the state (``None``: any number)."""
    params = list(inspect.signature(cls.update).parameters.values())[2:]  # self, state
    n = 0
    for p in params:
        if p.kind is p.VAR_POSITIONAL:
            return None
        if p.name == "sample_weight" or p.kind not in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            break
        n += 1
    return n


@functools.partial(jax.jit, static_argnums=0)
def _jit_update(metric: Metric, state: Any, kwargs: dict[str, Any], *args: Any) -> Any:
    *inputs, sample_weight = args
    update: Any = metric.update
    return update(state, *inputs, sample_weight=sample_weight, **kwargs)


@functools.partial(jax.jit, static_argnums=0)
def _jit_compute(metric: Metric, state: Any) -> Any:
    return metric.compute(state)


def _jsonable(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value
