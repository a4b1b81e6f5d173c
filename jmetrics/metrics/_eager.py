"""The eager, Keras-3-style face of a metric: ``update_state`` / ``result`` / ``reset_state``.

A metric is an immutable, hashable config (a static ``jax.jit`` argument); the state it
accumulates eagerly is not part of it. It lives in a side table, :data:`_SLOTS`, keyed by the
object's identity (``id``): two equal configs never share a state, and an entry goes when its
object is garbage-collected (``weakref.finalize``), before its ``id`` can be reused. Each entry
(:class:`EagerSlot`) carries a re-entrant lock, so threads folding batches into one shared
metric object lose no update.

Copies (``copy.copy``, ``copy.deepcopy``) and pickles carry the held state into a slot of their
own, so the copy goes on from there independently; objects built from options
(``from_config``, ``dataclasses.replace``, ``clone_metric``) start empty.

Rejected: the state in the object's ``__dict__`` outside the hashed fields (what a frozen
dataclass forbids, written around it), and a ``WeakKeyDictionary`` (it looks keys up by ``==``
and ``hash``, so equal configs would share one state).

``metric(y_true, y_pred)`` updates and returns the running result, as in Keras. It refuses traced
inputs (inside ``jax.jit``, ``vmap`` or a framework's compiled step): a held state must be
concrete, and a caller tracing the object uses it as a per-sample function, which it is not.
Integrations add their own refusals with ``jmetrics._call_guards.add_call_guard`` (a guard sees the metric before
each call and may raise with a message that says how that framework takes a metric).
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import threading
import weakref
from typing import Any

import jax
import numpy as np

from jmetrics._call_guards import CALL_GUARDS
from jmetrics._floor._checks import is_concrete

__all__ = ["EagerFace", "EagerSlot"]


@dataclasses.dataclass(eq=False)
class EagerSlot:
    """What the eager face holds for one metric object."""

    lock: Any = dataclasses.field(default_factory=threading.RLock)  # guards the fields below
    state: Any = None  # the accumulated state; None: nothing folded yet (``init()``)
    width: int | None = None  # the width a first batch fixed (``InferredWidth``), else None


_SLOTS: dict[int, EagerSlot] = {}
_SLOTS_LOCK = threading.Lock()
_INPUT_NAMES = {1: ("values",), 2: ("y_true", "y_pred")}


def eager_slot(obj: Any) -> EagerSlot:
    """The slot of ``obj`` (made, with its cleanup, on first use)."""
    key = id(obj)
    slot = _SLOTS.get(key)
    if slot is None:
        with _SLOTS_LOCK:
            slot = _SLOTS.get(key)
            if slot is None:
                slot = _SLOTS[key] = EagerSlot()
                weakref.finalize(obj, _SLOTS.pop, key, None).atexit = False
    return slot


class EagerFace:
    """Mixin of :class:`~jmetrics.metrics.Metric`: the eager face over the pure protocol.

    Uses the metric's ``init``, ``update``, ``compute``, ``check_inputs`` and ``display_name``;
    holds nothing on the object itself (see the module docstring).
    """

    def reset_state(self) -> None:
        """Forget the eagerly accumulated state."""
        slot = self._eager_slot()
        with slot.lock:
            slot.state = None

    def update_state(self, *args: Any, sample_weight: Any = None, **kwargs: Any) -> None:
        """Eagerly fold a batch into the state held for this object (jitted under the hood).

        Takes what ``update`` takes after the state, as Keras' ``update_state`` does:
        ``(y_true, y_pred, sample_weight=None)``, or ``(values, sample_weight=None)`` for
        ``Mean``/``Sum``; ``sample_weight`` may be passed by position. Python lists, tuples and
        NumPy arrays are made arrays here, before the jitted update.
        """
        me: Any = self
        args, sample_weight = self._eager_inputs(args, sample_weight)
        kwargs = {k: self._eager_array(v) for k, v in kwargs.items()}
        if all(is_concrete(x) for x in (*args, sample_weight)):
            me.check_inputs(*args, sample_weight=sample_weight)
        slot = self._eager_slot()
        with slot.lock:
            state = slot.state
            if state is None:
                state = self._eager_init(*args)
            slot.state = _jit_update(self, state, kwargs, *args, sample_weight)

    def result(self) -> Any:
        """The value of the eagerly accumulated state."""
        return _jit_compute(self, self.state)

    def __call__(self, *args: Any, sample_weight: Any = None, **kwargs: Any) -> Any:
        """Update the held state with a batch and return the running result (as Keras does)."""
        for guard in tuple(CALL_GUARDS):
            guard(self)
        traced = [x for x in jax.tree.leaves((args, sample_weight, kwargs)) if not is_concrete(x)]
        if traced:
            raise TypeError(
                f"{self._who()}: metric(...) updates a state held between calls and cannot take "
                f"traced inputs (jax.jit, vmap, grad or a framework's compiled step); got a "
                f"{type(traced[0]).__name__}. Inside traced code use the pure init / update / "
                "compute; for a framework's compiled metrics use its wrapper in "
                "jmetrics.integrations.")
        self.update_state(*args, sample_weight=sample_weight, **kwargs)
        return self.result()

    @property
    def state(self) -> Any:
        """The eagerly held state (``init()`` if nothing was folded yet)."""
        slot = self._eager_slot()
        with slot.lock:
            state = slot.state
        return self.init() if state is None else state  # type: ignore[attr-defined]

    def _who(self) -> str:
        return self.display_name  # type: ignore[attr-defined,no-any-return]

    def _eager_slot(self) -> EagerSlot:
        return eager_slot(self)

    def _eager_init(self, *inputs: Any) -> Any:
        """The state the first eager batch is folded into (``init()``; see ``InferredWidth``)."""
        return self.init()  # type: ignore[attr-defined]

    def _eager_array(self, x: Any) -> Any:
        """A Python list or tuple becomes a NumPy array (jit would trace each element)."""
        if isinstance(x, (list, tuple)):
            return np.asarray(x)
        return x

    def _eager_inputs(self, args: tuple[Any, ...], sample_weight: Any) -> tuple[tuple[Any, ...], Any]:
        """``(inputs, sample_weight)`` of an eager call, the weight possibly given by position."""
        cls: Any = type(self)  # a class is hashable; mypy reads the mixin's __hash__ as None
        n = _num_inputs(cls)
        if n is not None and len(args) == n + 1:
            if sample_weight is not None:
                raise TypeError(f"{self._who()}: update_state got sample_weight both by "
                                "position and by keyword.")
            args, sample_weight = args[:n], args[n]
        elif n is not None and len(args) != n:
            names = ", ".join(_INPUT_NAMES.get(n, ("inputs",) * n))
            raise TypeError(f"{self._who()}: update_state takes ({names}, sample_weight=None); "
                            f"got {len(args)} positional arguments.")
        args = tuple(self._eager_array(x) for x in args)
        return args, self._eager_array(sample_weight)

    # -- copies and pickles: the options, plus the held state in a slot of the copy's own -------
    def __getstate__(self) -> dict[str, Any]:
        """The options (``__dict__``) and, when one is held, the eager state and width."""
        held = dict(self.__dict__)
        slot = _SLOTS.get(id(self))
        if slot is not None:
            with slot.lock:
                if slot.state is not None or slot.width is not None:
                    held["__eager__"] = (slot.state, slot.width)
        return held

    def __setstate__(self, held: dict[str, Any]) -> None:
        held = dict(held)
        eager = held.pop("__eager__", None)
        self.__dict__.update(held)
        if eager is not None:
            slot = self._eager_slot()
            slot.state, slot.width = eager


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
def _jit_update(metric: Any, state: Any, kwargs: dict[str, Any], *args: Any) -> Any:
    *inputs, sample_weight = args
    return metric.update(state, *inputs, sample_weight=sample_weight, **kwargs)


@functools.partial(jax.jit, static_argnums=0)
def _jit_compute(metric: Any, state: Any) -> Any:
    return metric.compute(state)
