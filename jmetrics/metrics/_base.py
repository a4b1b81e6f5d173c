"""The streaming protocol: ``init / update / merge / compute`` over pytree states.

A metric is a frozen, hashable dataclass of its options (numbers, strings, tuples; never arrays), so
it can be a static argument of ``jax.jit``. Its state is a pytree of arrays only (see
``jmetrics.metrics._state`` for how leaves reduce). Subclasses implement ``init``, ``update`` and
``compute``; ``merge`` and ``all_reduce`` are generic.

The same object also has an eager, Keras-3-style face for people who do not jit:
``update_state`` / ``result`` / ``reset_state`` (and ``metric(y_true, y_pred)``), inherited from
``jmetrics.metrics._eager.EagerFace``, which holds that state apart from the object.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any, ClassVar

from jmetrics.metrics._eager import EagerFace
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
class Metric(EagerFace):
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

    def values_shape(self, y_true: Any, y_pred: Any) -> tuple[int, ...] | None:
        """The shape of the values ``update`` averages for a batch like ``y_true, y_pred``, when a
        user's function decides it; ``None`` (the default) when the metric's own code does.

        A collection checks that such values hold one value per sample (leading axis: the
        batch's rows) before it cuts a batch into blocks. The inputs may be arrays or
        ``jax.ShapeDtypeStruct``; nothing is computed.
        """
        del y_true, y_pred
        return None

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


def _jsonable(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value
