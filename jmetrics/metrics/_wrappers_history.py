"""Wrappers over time: the value of every epoch (:class:`MetricTracker`) and over a window of updates
(:class:`Running`), as torchmetrics' wrappers of the same names.

Both keep several states of the wrapped metric stacked along a leading axis of fixed length
(``max_epochs``, ``window``), so the state has one type and a jitted step never retraces, plus a
counter reduced by ``max``. Their members and results are the wrapped metric's (see
``_wrappers_compose``).
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Any, ClassVar, NamedTuple

import jax
import jax.numpy as jnp

from jmetrics.metrics._means import MeanSquaredError
from jmetrics.metrics._wrappers_compose import (
    StepCount,
    _at,
    _FromWrapped,
    _put,
    _rows,
    _stack,
    _Wrapper,
)

__all__ = ["MetricTracker", "Running"]


class RunningState(NamedTuple):
    """State of :class:`Running`."""

    slots: Any  # the wrapped metric's state of each of the last updates: leaves [window, ...]
    updates: StepCount  # () int32, number of (non-empty) updates so far


class TrackerState(NamedTuple):
    """State of :class:`MetricTracker`."""

    history: Any  # the wrapped metric's state of each epoch, stacked: leaves [max_epochs, ...]
    epochs: StepCount  # () int32, number of increment() calls


@dataclasses.dataclass(frozen=True)
class MetricTracker(_Wrapper):
    """The wrapped metric's value at every epoch, and the best epoch (torchmetrics' MetricTracker).

    ``MetricTracker(metric, maximize=None, *, max_epochs=100)``. The state keeps one state of the
    wrapped metric per epoch (stacked: ``max_epochs`` of them, so the state has a fixed type and
    a jitted step never retraces) and the number of ``increment`` calls. ``increment`` starts a
    new epoch; updates before the first one go to epoch 0, so both a loop that calls
    ``increment()`` at the start of every epoch (as with torchmetrics) and one that calls it
    between epochs number the epochs from 0.

    - ``compute(state)``: the current epoch's value (torchmetrics' ``compute``);
    - ``compute_all(state)``: every epoch's value, stacked (NaN for epochs not started);
    - ``best_metric(state, return_step=False)``: the best value over the epochs so far (and its
      epoch), the highest if ``maximize`` (default: the metric's ``higher_is_better``), else the
      lowest; NaN values are skipped. A per-class result is compared element by element.

    Methods that take a state are pure (jit them); called without one (``increment()``,
    ``compute_all()``, ``best_metric()``), they use the state this object holds eagerly, as
    torchmetrics' do. Epochs past ``max_epochs``: ``increment()`` raises eagerly; under jit the
    updates of those epochs are dropped and ``compute`` is NaN.

    ``merge`` merges epoch by epoch (the epoch count is the larger one): states of devices or
    hosts that increment together merge into the tracker of all their data.

    >>> import jax.numpy as jnp
    >>> m = MetricTracker(MeanSquaredError(), max_epochs=4)
    >>> s = m.init()
    >>> for err in (3.0, 1.0, 2.0):
    ...     s = m.increment(s)
    ...     s = m.update(s, jnp.zeros((2, 1)), jnp.full((2, 1), err))
    >>> [float(v) for v in m.compute_all(s)[:3]]
    [9.0, 1.0, 4.0]
    >>> value, epoch = m.best_metric(s, return_step=True)
    >>> float(value), int(epoch)
    (1.0, 1)
    """

    maximize: bool | None = None
    _: dataclasses.KW_ONLY
    max_epochs: int = 100

    example_args: ClassVar[dict[str, Any]] = {"metric": MeanSquaredError(), "max_epochs": 3}
    higher_is_better = _FromWrapped(False)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        super().__post_init__()
        who = type(self).__name__
        if self.maximize is not None and not isinstance(self.maximize, bool):
            raise TypeError(f"{who}: maximize must be True, False or None; got {self.maximize!r}.")
        if self.maximize is None and self.metric.higher_is_better is None:
            raise ValueError(f"{who}: maximize must be given for {self.metric.display_name}, "
                             "which has no direction (higher_is_better is None); got None.")
        if isinstance(self.max_epochs, bool) or not isinstance(self.max_epochs, int) \
                or self.max_epochs < 1:
            raise ValueError(f"{who}: max_epochs must be a positive int; got {self.max_epochs!r}.")

    @property
    def higher(self) -> bool:
        """The direction of "best": ``maximize``, else the wrapped metric's."""
        return bool(self.metric.higher_is_better if self.maximize is None else self.maximize)

    def init(self) -> TrackerState:
        return self._from(self.metric.init())

    def _eager_init(self, *inputs: Any) -> TrackerState:
        return self._from(self.metric._eager_init(*inputs))

    def _from(self, empty: Any) -> TrackerState:
        return TrackerState(_stack(empty, self.max_epochs), StepCount(jnp.zeros((), jnp.int32)))

    def _current(self, state: TrackerState) -> tuple[Any, Any]:
        # nan-safe: integer epoch counts
        epoch = jnp.maximum(state.epochs.n - 1, 0)
        return jnp.minimum(epoch, self.max_epochs - 1), epoch < self.max_epochs  # nan-safe: ints

    def update(self, state: TrackerState, y_true: Any, y_pred: Any,
               sample_weight: Any = None) -> TrackerState:
        i, ok = self._current(state)
        new = self.metric.update(_at(state.history, i), y_true, y_pred, sample_weight=sample_weight)
        return TrackerState(_put(state.history, i, new, ok), state.epochs)

    def increment(self, state: TrackerState | None = None) -> TrackerState | None:
        """Start a new epoch: pure with a state; without one, on the eagerly held state."""
        if state is not None:
            return TrackerState(state.history, StepCount(state.epochs.n + 1))
        slot = self._eager_slot()
        with slot.lock:
            held = self.state
            if int(held.epochs.n) >= self.max_epochs:
                raise ValueError(f"{self.display_name}: increment() would start epoch "
                                 f"{int(held.epochs.n)}; max_epochs must be more; got "
                                 f"{self.max_epochs}.")
            slot.state = self.increment(held)
        return None

    def merge(self, a: TrackerState, b: TrackerState) -> TrackerState:
        history = jax.vmap(self.metric.merge)(a.history, b.history)
        return TrackerState(history, StepCount(jnp.maximum(a.epochs.n, b.epochs.n)))  # nan-safe: ints

    def compute(self, state: TrackerState) -> Any:
        i, ok = self._current(state)
        value = self.metric.compute(_at(state.history, i))
        return jax.tree.map(lambda v: jnp.where(ok, v, jnp.nan), value)

    def compute_all(self, state: TrackerState | None = None) -> Any:
        """Every epoch's value along a leading axis of ``max_epochs`` (NaN: not started)."""
        state = self.state if state is None else state
        values = jax.vmap(self.metric.compute)(state.history)
        started = jnp.arange(self.max_epochs) < jnp.maximum(state.epochs.n, 1)  # nan-safe: ints
        return jax.tree.map(
            lambda v: jnp.where(started.reshape(-1, *(1,) * (v.ndim - 1)), v, jnp.nan), values)

    def best_metric(self, state: TrackerState | None = None, return_step: bool = False) -> Any:
        """The best value over the epochs so far (``(value, epoch)`` with ``return_step``)."""
        values = self.compute_all(state)
        worst = -jnp.inf if self.higher else jnp.inf
        pick = jnp.argmax if self.higher else jnp.argmin
        steps = jax.tree.map(lambda v: pick(jnp.where(jnp.isnan(v), worst, v), axis=0), values)
        best = jax.tree.map(lambda v, i: jnp.take_along_axis(v, i[None], axis=0)[0], values, steps)
        return (best, steps) if return_step else best

    @property
    def n_steps(self) -> int:
        """The number of epochs of the eagerly held state (torchmetrics' ``n_steps``)."""
        return max(int(self.state.epochs.n), 1)


@dataclasses.dataclass(frozen=True)
class Running(_Wrapper):
    """The wrapped metric over the last ``window`` updates (torchmetrics' ``Running``).

    ``Running(metric, window=5)``. The state keeps the wrapped metric's state of each of the
    last ``window`` updates (a ring buffer, stacked along a leading axis) and the number of
    updates; ``compute`` merges the buffer and computes the wrapped metric on it:

    .. math:: \\mathrm{compute}(s) = m.\\mathrm{compute}(s_{u-w+1} \\oplus \\dots \\oplus s_u)

    where ``s_j`` is the state of update ``j`` alone. A batch of no rows is no update (the
    window stays); a batch whose weights are all 0 is one.

    The window counts updates, so where the stream is cut matters by design: ``merge`` merges
    the buffers slot by slot (the update count is the larger one), which is the state of one
    stream whose every update joins the two streams' batches of that step, as data-parallel
    devices that update together produce. Merging the states of consecutive parts of one
    stream does not give the whole stream's window (``split_invariant = False``).

    >>> import jax.numpy as jnp
    >>> m = Running(MeanSquaredError(), window=2)
    >>> s = m.init()
    >>> for err in (1.0, 2.0, 4.0):
    ...     s = m.update(s, jnp.zeros((1, 1)), jnp.full((1, 1), err))
    >>> float(m.compute(s))  # the last two updates: (2**2 + 4**2) / 2
    10.0
    """

    window: int = 5

    example_args: ClassVar[dict[str, Any]] = {"metric": MeanSquaredError(), "window": 3}
    higher_is_better = _FromWrapped(False)  # type: ignore[assignment]
    split_invariant: ClassVar[bool] = False

    def __post_init__(self) -> None:
        super().__post_init__()
        if isinstance(self.window, bool) or not isinstance(self.window, int) or self.window < 1:
            raise ValueError(f"{type(self).__name__}: window must be a positive int; got "
                             f"{self.window!r}.")

    def init(self) -> RunningState:
        return RunningState(_stack(self.metric.init(), self.window),
                            StepCount(jnp.zeros((), jnp.int32)))

    def update(self, state: RunningState, *inputs: Any, sample_weight: Any = None) -> RunningState:
        if _rows(inputs[-1]) == 0:
            # the wrapped update still checks the shapes (a trace-time error names it)
            self.metric.update(self.metric.init(), *inputs,
                               sample_weight=sample_weight)  # type: ignore[misc]
            return state
        new = self.metric.update(self.metric.init(), *inputs,
                                 sample_weight=sample_weight)  # type: ignore[misc]
        slot = state.updates.n % self.window
        return RunningState(_put(state.slots, slot, new), StepCount(state.updates.n + 1))

    def merge(self, a: RunningState, b: RunningState) -> RunningState:
        slots = jax.vmap(self.metric.merge)(a.slots, b.slots)
        return RunningState(slots, StepCount(jnp.maximum(a.updates.n, b.updates.n)))  # nan-safe: ints

    def compute(self, state: RunningState) -> Any:
        merged, _ = jax.lax.scan(_slot_fold(self.metric), _at(state.slots, 0),
                                 jax.tree.map(lambda x: x[1:], state.slots))
        return self.metric.compute(merged)


@functools.lru_cache(maxsize=256)
def _slot_fold(metric: Any) -> Any:
    """The scan body merging a window's slots: one function per metric config, so that an eager
    ``compute`` reuses its trace and compiled program instead of compiling a fresh closure."""

    def fold(acc: Any, s: Any) -> tuple[Any, None]:
        out = metric.merge(acc, s)
        return jax.tree.map(lambda o, x: jnp.asarray(o, x.dtype), out, acc), None

    return fold
