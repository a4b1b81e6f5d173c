"""Wrappers that compose any streaming metric: per class, per task, per epoch, over a window.

Each wrapper is itself a streaming metric (a frozen, hashable dataclass with pure ``init /
update / merge / compute``), so it jits, donates, merges and reduces across devices like the
metric it wraps. Its state is made of the wrapped metrics' own states (stacked along a leading
axis for :class:`MetricTracker` and :class:`Running`), which keep their declared reductions;
the wrapper's own counters declare ``max``.

A wrapper is defined by its *members* (the metrics it runs, :meth:`members`) and by how it
arranges their results (:meth:`assemble`): on the same stream, ``compute`` equals
``assemble({key: member.compute(member_state)})``. Bad input gives each member's own outcome;
a wrapper raises where one of its members raises.

The names follow torchmetrics' wrappers; what differs is said in each class. The wrappers over
time (``MetricTracker``, ``Running``) are in ``_wrappers_history``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, ClassVar, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from jmetrics.metrics._base import ListOption, Metric
from jmetrics.metrics._fbeta import F1Score
from jmetrics.metrics._means import MeanAbsoluteError, MeanSquaredError

__all__ = ["ClasswiseWrapper", "MultitaskWrapper"]


class StepCount(NamedTuple):
    """A counter of epochs or updates, reduced by ``max`` (devices run in lockstep)."""

    n: jax.Array  # () int32, number of increments (MetricTracker) or updates (Running)


setattr(StepCount, "REDUCE", {"n": "max"})  # noqa: B010 - NamedTuple bodies take no class attrs


class _FromWrapped:
    """A class attribute read from the wrapped metric on an instance.

    On the class it is the value of the class's ``example_args`` instance (what the common laws
    read); on an instance, the wrapped metric's own value.
    """

    def __init__(self, default: Any) -> None:
        self.default = default
        self.attr = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.attr = name

    def __get__(self, obj: Any, owner: Any = None) -> Any:
        if obj is None:
            return self.default
        return getattr(obj.metric, self.attr)


def _check_metric(who: str, arg: str, metric: Any) -> None:
    if not isinstance(metric, Metric):
        raise TypeError(f"{who}: {arg} must be a jmetrics streaming metric (a Metric); got "
                        f"{type(metric).__name__}.")


def metric_config(metric: Metric) -> dict[str, Any]:
    """``{"class_name": ..., "config": ...}`` of a wrapped metric (JSON-safe when its config is)."""
    return {"class_name": type(metric).__name__, "config": metric.get_config()}


def _subclasses(cls: type) -> list[type]:
    out: list[type] = []
    sub: type
    for sub in cls.__subclasses__():
        out += [sub, *_subclasses(sub)]
    return out


def metric_from_config(who: str, config: Any) -> Metric:
    """The metric :func:`metric_config` describes (a Metric is returned as it is).

    The class is found by name among the Metric classes defined so far (jmetrics' and yours):
    nothing is imported or evaluated.
    """
    if isinstance(config, Metric):
        return config
    if not isinstance(config, Mapping) or not isinstance(config.get("class_name"), str):
        raise ValueError(f'{who}: a wrapped metric\'s config must be {{"class_name": ..., '
                         f'"config": ...}}; got {config!r}.')
    found = {c for c in _subclasses(Metric) if c.__name__ == config["class_name"]}
    if len(found) != 1:
        what = "no" if not found else "more than one"
        raise ValueError(f"{who}: {what} Metric class is named {config['class_name']!r}.")
    return found.pop().from_config(dict(config.get("config") or {}))  # type: ignore[attr-defined,no-any-return]


def _stack(state: Any, n: int) -> Any:
    """``n`` copies of ``state`` along a new leading axis (distinct buffers: donation-safe)."""
    return jax.tree.map(lambda x: jnp.repeat(jnp.asarray(x)[None], n, axis=0), state)


def _at(stacked: Any, i: Any) -> Any:
    return jax.tree.map(lambda x: x[i], stacked)


def _put(stacked: Any, i: Any, state: Any, keep: Any = True) -> Any:
    """``stacked`` with entry ``i`` replaced by ``state`` where ``keep`` (dtypes kept)."""
    return jax.tree.map(lambda h, s: h.at[i].set(jnp.where(keep, jnp.asarray(s, h.dtype), h[i])),
                        stacked, state)


def _rows(x: Any) -> int | None:
    """The number of rows of an input (its first leaf's leading axis), ``None`` for a scalar."""
    leaves = jax.tree.leaves(x)
    shape = np.shape(leaves[0]) if leaves else ()
    return int(shape[0]) if shape else None


@dataclasses.dataclass(frozen=True)
class _Wrapper(Metric):
    """A metric made of one wrapped metric ``metric`` (the base of the single-metric wrappers)."""

    metric: Metric

    higher_is_better = _FromWrapped(None)  # type: ignore[assignment]
    value_range = _FromWrapped((None, None))  # type: ignore[assignment]
    input_kind = _FromWrapped("regression")  # type: ignore[assignment]

    def __post_init__(self) -> None:
        _check_metric(type(self).__name__, "metric", self.metric)

    def default_display_name(self) -> str:
        """The wrapped metric's name: the wrapper reports its value."""
        return self.metric.display_name

    def members(self) -> dict[str, Metric]:
        """The metrics this wrapper runs, by key (one: the wrapped metric, key ``""``)."""
        return {"": self.metric}

    def assemble(self, values: Mapping[str, Any]) -> Any:
        """The wrapper's result from its members' results (here: the wrapped metric's)."""
        return values[""]

    def check_inputs(self, *args: Any, sample_weight: Any = None) -> None:
        self.metric.check_inputs(*args, sample_weight=sample_weight)

    def _eager_inputs(self, args: tuple[Any, ...], sample_weight: Any) -> tuple[tuple[Any, ...], Any]:
        return self.metric._eager_inputs(args, sample_weight)  # what the wrapped metric takes

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config["metric"] = metric_config(self.metric)
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Metric:
        config = dict(config)
        config["metric"] = metric_from_config(cls.__name__, config["metric"])
        return cls(**config)


@dataclasses.dataclass(frozen=True)
class ClasswiseWrapper(_Wrapper):
    """One value per class as a dict ``{f"{prefix}{label}{postfix}": value}`` (torchmetrics).

    ``ClasswiseWrapper(metric, labels=None, *, prefix=None, postfix=None)`` wraps a metric whose
    ``compute`` gives one value per class (a 1-D array of ``C`` values: ``F1Score(average=None)``,
    ``FBetaScore(average=None)``, ...). Keys are ``f"{name}_{label}"`` with the wrapper's name
    (by default the wrapped metric's, e.g. ``'f1_score'``) when neither ``prefix`` nor
    ``postfix`` is given, else ``f"{prefix or ''}{label}{postfix or ''}"``, as torchmetrics'
    ``ClasswiseWrapper`` (whose default prefix is the lower-cased class name). ``labels``:
    ``C`` names, default the class indices ``0 .. C-1``.

    .. math:: \\mathrm{compute}(s) = \\{k_c: m.\\mathrm{compute}(s)[c]\\}_{c < C}

    The state, ``update`` and ``merge`` are the wrapped metric's, so a collection shares one
    state between the wrapper and the metric.

    >>> import jax.numpy as jnp
    >>> m = ClasswiseWrapper(F1Score(average=None, num_classes=2), labels=["cat", "dog"])
    >>> s = m.update(m.init(), jnp.array([[1., 0.], [0., 1.]]), jnp.array([[.9, .1], [.8, .2]]))
    >>> {k: round(float(v), 3) for k, v in m.compute(s).items()}
    {'f1_score_cat': 0.667, 'f1_score_dog': 0.0}
    """

    labels: tuple[str, ...] | None = ListOption(None)  # type: ignore[assignment]
    _: dataclasses.KW_ONLY
    prefix: str | None = None
    postfix: str | None = None

    example_args: ClassVar[dict[str, Any]] = {"metric": F1Score(average=None, num_classes=4)}
    higher_is_better = _FromWrapped(True)  # type: ignore[assignment]
    value_range = _FromWrapped((0, 1))  # type: ignore[assignment]
    input_kind = _FromWrapped("categorical")  # type: ignore[assignment]

    def __post_init__(self) -> None:
        super().__post_init__()
        who, labels = type(self).__name__, self.__dict__.get("_labels")
        if labels is not None:
            if isinstance(labels, str) or not isinstance(labels, (list, tuple)):
                raise TypeError(f"{who}: labels must be a list of strings or None; got "
                                f"{type(labels).__name__}.")
            if not all(isinstance(x, str) for x in labels):
                raise TypeError(f"{who}: labels must be a list of strings; got {list(labels)!r}.")
            self.__dict__["_labels"] = tuple(labels)
        for arg in ("prefix", "postfix"):
            if getattr(self, arg) is not None and not isinstance(getattr(self, arg), str):
                raise TypeError(f"{who}: {arg} must be a string or None; got "
                                f"{type(getattr(self, arg)).__name__}.")

    def init(self) -> Any:
        return self.metric.init()

    def _eager_init(self, *inputs: Any) -> Any:
        return self.metric._eager_init(*inputs)

    def update(self, state: Any, y_true: Any, y_pred: Any, sample_weight: Any = None) -> Any:
        return self.metric.update(state, y_true, y_pred, sample_weight=sample_weight)

    def merge(self, a: Any, b: Any) -> Any:
        return self.metric.merge(a, b)

    def stat_key(self) -> Any:
        """The wrapped metric's spec: the wrapper keeps the wrapped metric's state as it is."""
        return self.metric.stat_key()

    def keys(self, num_classes: int) -> list[str]:
        """The result's keys for ``num_classes`` classes."""
        if self.prefix is None and self.postfix is None:
            prefix, postfix = f"{self.display_name}_", ""
        else:
            prefix, postfix = self.prefix or "", self.postfix or ""
        labels = self.labels if self.labels is not None else [str(i) for i in range(num_classes)]
        return [f"{prefix}{label}{postfix}" for label in labels]

    def assemble(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """``{key: value}`` of the wrapped metric's per-class values ``values[""]``."""
        v = values[""]
        shape = tuple(np.shape(v))
        if len(shape) != 1:
            raise ValueError(f"{self.display_name}: the wrapped metric's result must be one value "
                             f"per class (1-D); got shape {shape}. Wrap a per-class metric, e.g. "
                             "F1Score(average=None).")
        if self.labels is not None and len(self.labels) != shape[0]:
            raise ValueError(f"{self.display_name}: labels must name each of the {shape[0]} "
                             f"classes; got {len(self.labels)} labels.")
        return {k: v[i] for i, k in enumerate(self.keys(shape[0]))}

    def compute(self, state: Any) -> dict[str, Any]:
        return self.assemble({"": self.metric.compute(state)})


class _TaskMetrics:
    """The ``task_metrics`` field: given as a dict, held as a tuple of pairs, read as a dict."""

    def __get__(self, obj: Any, owner: Any = None) -> Any:
        if obj is None:
            return dataclasses.MISSING
        return _HashableDict(obj.__dict__["_task_metrics"])

    def __set__(self, obj: Any, value: Any) -> None:
        obj.__dict__["_task_metrics"] = value


class _HashableDict(dict):  # type: ignore[type-arg]
    """A fresh dict copy of a tuple of pairs, hashable as that tuple."""

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(self.items()))


@dataclasses.dataclass(frozen=True)
class MultitaskWrapper(Metric):
    """One metric (or :class:`~jmetrics.Collection`) per task: dict inputs, dict result.

    ``MultitaskWrapper(task_metrics, *, prefix=None, postfix=None)``, as torchmetrics':
    ``task_metrics`` maps each task name to a metric; ``update(state, y_true, y_pred,
    sample_weight=None)`` takes dicts ``{task: array}`` with exactly those keys, and
    ``sample_weight`` is ``None``, one array for every task, or a dict with a weight per task.
    ``compute`` gives ``{f"{prefix}{task}{postfix}": value}``, each value the task metric's own
    result (nested: a dict for a Collection, as torchmetrics nests a MetricCollection's).

    .. math:: \\mathrm{compute}(s) = \\{t: m_t.\\mathrm{compute}(s_t)\\}_t

    The state is the tuple of the task metrics' states (in the order given), each reduced by its
    own declarations. An error in one task names the wrapper and the task.
    ``higher_is_better`` is the tasks' common direction, ``None`` when they differ.

    >>> import jax.numpy as jnp
    >>> m = MultitaskWrapper({"price": MeanSquaredError(), "delay": MeanAbsoluteError()})
    >>> t = {"price": jnp.array([[1.], [2.]]), "delay": jnp.array([[0.], [4.]])}
    >>> p = {"price": jnp.array([[1.], [4.]]), "delay": jnp.array([[1.], [1.]])}
    >>> {k: float(v) for k, v in m.compute(m.update(m.init(), t, p)).items()}
    {'price': 2.0, 'delay': 2.0}
    """

    task_metrics: dict[str, Metric] = _TaskMetrics()  # type: ignore[assignment]
    _: dataclasses.KW_ONLY
    prefix: str | None = None
    postfix: str | None = None

    input_kind = "multitask"  # inputs are dicts {task: array} of each task's input kind
    example_args: ClassVar[dict[str, Any]] = {
        "task_metrics": {"price": MeanSquaredError(), "delay": MeanAbsoluteError()}}

    def __post_init__(self) -> None:
        who = type(self).__name__
        tasks = self.__dict__["_task_metrics"]
        if isinstance(tasks, tuple):
            tasks = dict(tasks)
        if not isinstance(tasks, Mapping) or not tasks:
            raise TypeError(f"{who}: task_metrics must be a non-empty dict {{task: metric}}; got "
                            f"{tasks!r}.")
        for task, metric in tasks.items():
            if not isinstance(task, str):
                raise TypeError(f"{who}: task names must be strings; got {task!r}.")
            _check_metric(who, f"task_metrics[{task!r}]", metric)
        self.__dict__["_task_metrics"] = tuple(tasks.items())
        for arg in ("prefix", "postfix"):
            if getattr(self, arg) is not None and not isinstance(getattr(self, arg), str):
                raise TypeError(f"{who}: {arg} must be a string or None; got "
                                f"{type(getattr(self, arg)).__name__}.")

    @property
    def higher_is_better(self) -> bool | None:  # type: ignore[override]
        """The tasks' common direction; ``None`` when they differ."""
        directions = {m.higher_is_better for m in self.task_metrics.values()}
        return directions.pop() if len(directions) == 1 else None

    def members(self) -> dict[str, Metric]:
        """The task metrics, by task."""
        return dict(self.task_metrics)

    def assemble(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """``{f"{prefix}{task}{postfix}": values[task]}`` in task order."""
        pre, post = self.prefix or "", self.postfix or ""
        return {f"{pre}{task}{post}": values[task] for task in self.task_metrics}

    def init(self) -> tuple[Any, ...]:
        return tuple(m.init() for m in self.task_metrics.values())

    def _eager_init(self, *inputs: Any) -> Any:
        y_true, y_pred = (self._by_task(x, arg) for x, arg in zip(inputs, _ARGS, strict=False))
        return tuple(m._eager_init(y_true[t], y_pred[t]) for t, m in self.task_metrics.items())

    def _eager_array(self, x: Any) -> Any:
        if isinstance(x, Mapping):
            return {k: super(MultitaskWrapper, self)._eager_array(v) for k, v in x.items()}
        return super()._eager_array(x)

    def _by_task(self, x: Any, arg: str, optional: bool = False) -> dict[str, Any]:
        tasks = list(self.task_metrics)
        if optional and not isinstance(x, Mapping):
            return dict.fromkeys(tasks, x)  # None or one weight array for every task
        if not isinstance(x, Mapping) or sorted(x) != sorted(tasks):
            got = sorted(map(str, x)) if isinstance(x, Mapping) else type(x).__name__
            raise ValueError(f"{self.display_name}: {arg} must be a dict with the task keys "
                             f"{tasks}; got {got}.")
        return dict(x)

    def _per_task(self, task: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except (ValueError, TypeError) as err:
            raise type(err)(f"{self.display_name}: task {task!r}: {err}") from None

    def check_inputs(self, *args: Any, sample_weight: Any = None) -> None:
        y_true, y_pred = (self._by_task(x, arg) for x, arg in zip(args, _ARGS, strict=True))
        weights = self._by_task(sample_weight, "sample_weight", optional=True)
        for task, m in self.task_metrics.items():
            self._per_task(task, m.check_inputs, y_true[task], y_pred[task],
                           sample_weight=weights[task])

    def update(self, state: tuple[Any, ...], y_true: Any, y_pred: Any,
               sample_weight: Any = None) -> tuple[Any, ...]:
        t, p = self._by_task(y_true, "y_true"), self._by_task(y_pred, "y_pred")
        w = self._by_task(sample_weight, "sample_weight", optional=True)
        return tuple(self._per_task(task, m.update, s, t[task], p[task], sample_weight=w[task])
                     for (task, m), s in zip(self.task_metrics.items(), state, strict=True))

    def merge(self, a: tuple[Any, ...], b: tuple[Any, ...]) -> tuple[Any, ...]:
        return tuple(m.merge(x, y) for m, x, y in zip(self.task_metrics.values(), a, b, strict=True))

    def compute(self, state: tuple[Any, ...]) -> dict[str, Any]:
        return self.assemble({task: m.compute(s) for (task, m), s in
                              zip(self.task_metrics.items(), state, strict=True)})

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config["task_metrics"] = {t: metric_config(m) for t, m in self.task_metrics.items()}
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Metric:
        config = dict(config)
        config["task_metrics"] = {t: metric_from_config(cls.__name__, m)
                                  for t, m in config["task_metrics"].items()}
        return cls(**config)


_ARGS = ("y_true", "y_pred")
