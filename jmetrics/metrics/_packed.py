"""A metric's state packed into a few flat buffers, for cheap jitted training steps.

A jitted, donated step pays per buffer of its state, whatever the buffer's size: measured on the
project's 2-core CPU, a donated jitted identity over ``K`` buffers cost 6.4 us for one, 8.4 for
two, 34 for four, 41 for eight and 70 for sixteen. ``Collection(["binary_accuracy", "mse",
AUC()])`` keeps twelve (eight compensated-sum scalars and four arrays of 201 thresholds), so its
state, not its arithmetic, set the price of its update. :class:`Packed` keeps the same leaves in
one 1-D buffer per (reduction kind, dtype): one buffer for that collection.

The layout (which leaf lies where) comes from the wrapped metric's ``init()`` at trace time
(``jax.eval_shape``, cached per metric) and is never stored in the state. ``update`` unpacks by
static slices, runs the wrapped ``update`` and packs again by one concatenation; XLA fuses the
slices into the kernels that read them and writes the concatenation into the donated buffer.
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Any, ClassVar, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from jmetrics.metrics._eager import _num_inputs
from jmetrics.metrics._means import MeanSquaredError
from jmetrics.metrics._state import Moments, all_reduce, state_reductions
from jmetrics.metrics._wrappers_compose import _FromWrapped, _Wrapper
from jmetrics.metrics._wrappers_history import MetricTracker

__all__ = ["Packed"]

_KINDS = ("sum", "max", "min")


class PackedBuffers(NamedTuple):
    """The leaves that reduce by a declared kind, one 1-D buffer per dtype for each kind."""

    sum: tuple[jax.Array, ...]  # [n_d] per dtype d: the leaves that reduce by sum, flattened
    max: tuple[jax.Array, ...]  # [n_d] per dtype d: the leaves that reduce by max, flattened
    min: tuple[jax.Array, ...]  # [n_d] per dtype d: the leaves that reduce by min, flattened


setattr(PackedBuffers, "REDUCE", {k: k for k in _KINDS})  # noqa: B010 - NamedTuple bodies take no class attrs


class PackedState(NamedTuple):
    """State of :class:`Packed` (declares nothing itself: ``declared`` does, ``own`` must not)."""

    declared: PackedBuffers  # leaves reduced by sum / max / min, grouped by kind and dtype
    own: tuple[jax.Array, ...]  # [n_d] per dtype: the other leaves (Moments, undeclared)


class _Slot(NamedTuple):
    """Where one leaf of the wrapped state lies: buffer, offset, shape and dtype."""

    group: tuple[str, str]  # (kind or "own", dtype name)
    start: int
    shape: tuple[int, ...]
    dtype: Any


class Layout(NamedTuple):
    """How a wrapped state maps onto the packed buffers (static: from ``init()``'s shapes)."""

    treedef: Any  # the wrapped state's tree structure
    slots: tuple[_Slot, ...]  # one per leaf, in tree order
    sizes: dict[tuple[str, str], int]  # elements of each buffer, in buffer order


@functools.lru_cache(maxsize=256)
def layout(metric: Any) -> Layout:
    """The packing of ``metric``'s state, from the shapes and reductions of ``metric.init()``.

    A leaf whose declared kind is ``sum``, ``max`` or ``min`` goes to the buffer of its kind and
    dtype; the leaves of ``Moments`` and undeclared leaves go to ``own`` buffers (by dtype),
    which only the wrapped metric's ``merge`` and ``all_reduce`` know how to reduce.
    """
    try:
        shapes = jax.eval_shape(metric.init)
    except (TypeError, ValueError) as err:
        raise ValueError(f"Packed: the wrapped metric's state must follow from its options "
                         f"(init()); got {metric.display_name}, whose init() fails: {err}") from None
    kinds = state_reductions(shapes)
    leaves, treedef = jax.tree.flatten(shapes)
    treedef_: Any = treedef  # flatten_up_to is missing from jaxlib's type stubs
    kind_leaves = treedef_.flatten_up_to(kinds)
    in_moments = treedef_.flatten_up_to(_moment_flags(kinds))
    sizes: dict[tuple[str, str], int] = {}
    slots = []
    for leaf, kind, flagged in zip(leaves, kind_leaves, in_moments, strict=True):
        dtype = np.dtype(leaf.dtype)
        group = (kind if kind in _KINDS and not flagged else "own", dtype.name)
        start = sizes.get(group, 0)
        sizes[group] = start + int(np.prod(leaf.shape, dtype=np.int64))
        slots.append(_Slot(group, start, tuple(leaf.shape), dtype))
    order = [g for kind in (*_KINDS, "own") for g in sizes if g[0] == kind]
    return Layout(treedef, tuple(slots), {g: sizes[g] for g in order})


def _moment_flags(kinds: Any) -> Any:
    """True at every leaf of a ``Moments`` node (its weight too: the three reduce together)."""

    def flag(node: Any) -> Any:
        if isinstance(node, Moments):
            return Moments(True, True, True)  # type: ignore[arg-type]
        return False

    return jax.tree.map(flag, kinds, is_leaf=lambda x: isinstance(x, (Moments, str)))


def pack(lay: Layout, state: Any) -> PackedState:
    """The wrapped ``state`` as packed buffers (one concatenation per buffer)."""
    leaves = lay.treedef.flatten_up_to(state)
    parts: dict[tuple[str, str], list[jax.Array]] = {g: [] for g in lay.sizes}
    for slot, x in zip(lay.slots, leaves, strict=True):
        parts[slot.group].append(jnp.asarray(x, slot.dtype).reshape(-1))
    buffers = {g: p[0] if len(p) == 1 else jnp.concatenate(p) for g, p in parts.items()}
    by_kind = {k: tuple(b for g, b in buffers.items() if g[0] == k) for k in (*_KINDS, "own")}
    return PackedState(PackedBuffers(by_kind["sum"], by_kind["max"], by_kind["min"]), by_kind["own"])


def unpack(lay: Layout, state: PackedState) -> Any:
    """The wrapped metric's state from packed buffers (static slices, fused by XLA)."""
    flat = [*state.declared.sum, *state.declared.max, *state.declared.min, *state.own]
    buffers = dict(zip(lay.sizes, flat, strict=True))
    leaves = [buffers[s.group][s.start:s.start + int(np.prod(s.shape, dtype=np.int64))]
              .reshape(s.shape) for s in lay.slots]
    return lay.treedef.unflatten(leaves)


@dataclasses.dataclass(frozen=True)
class Packed(_Wrapper):
    """The wrapped metric with its state packed into one flat buffer per reduction kind and dtype.

    ``Packed(metric)``: the same values, merges and reductions as ``metric`` (any streaming metric
    or :class:`~jmetrics.Collection`), with a state of a few 1-D buffers instead of one array per
    leaf, which a donated, jitted training step passes at a fraction of the cost (see the module
    docstring). For a state of leaves :math:`x_1, \\dots, x_L` with reduction kinds :math:`k_i`
    and dtypes :math:`d_i`:

    .. math:: b_{k,d} = \\mathrm{concat}(\\mathrm{ravel}(x_i) : k_i = k, d_i = d), \\qquad
              \\mathrm{compute}(b) = m.\\mathrm{compute}(\\mathrm{unpack}(b))

    ``update``, ``merge`` and ``compute`` unpack, call the wrapped metric's, and pack again.
    ``all_reduce``: when every leaf declares ``sum``, ``max`` or ``min``, one collective per
    buffer group (``psum`` over the sum buffers, ``pmax``, ``pmin``), each buffer holding leaves
    of one kind only; a state with ``Moments`` or undeclared leaves (``ExactAUC``'s buffer) is
    unpacked, reduced by the wrapped metric's own ``all_reduce`` and packed again.

    The layout is derived from ``metric.init()`` (never stored in the state), so a metric whose
    width is inferred from the first batch (``F1Score()`` without ``num_classes``) must be given
    its width.

    >>> import jax, jax.numpy as jnp
    >>> from jmetrics.metrics import AUC
    >>> auc = AUC(num_thresholds=3)
    >>> len(jax.tree.leaves(auc.init())), len(jax.tree.leaves(Packed(auc).init()))
    (4, 1)
    >>> t, p = jnp.array([0., 1., 1.]), jnp.array([.2, .7, .4])
    >>> m = Packed(auc)
    >>> float(m.compute(m.update(m.init(), t, p))), float(auc.compute(auc.update(auc.init(), t, p)))
    (0.75, 0.75)
    """

    # Two dtypes and two reduction kinds (float32 sums, an int32 max): two buffers.
    example_args: ClassVar[dict[str, Any]] = {
        "metric": MetricTracker(MeanSquaredError(), max_epochs=3)}
    higher_is_better = _FromWrapped(False)  # type: ignore[assignment]

    @property
    def layout(self) -> Layout:
        """Where each leaf of the wrapped state lies in the buffers."""
        return layout(self.metric)

    def pack(self, state: Any) -> PackedState:
        """A state of the wrapped metric, packed."""
        return pack(self.layout, state)

    def unpack(self, state: PackedState) -> Any:
        """The wrapped metric's state held in a packed ``state``."""
        return unpack(self.layout, state)

    def init(self) -> PackedState:
        """The packed empty state; no two buffers share memory, so it can be donated."""
        seen: set[int] = set()

        def own(x: Any) -> Any:
            fresh = id(x) not in seen
            seen.add(id(x))
            return x if fresh else jnp.array(x, copy=True)

        lay = self.layout  # first: a metric without a static state is refused by name
        return jax.tree.map(own, pack(lay, self.metric.init()))

    def update(self, state: PackedState, *inputs: Any, sample_weight: Any = None) -> PackedState:
        """The wrapped ``update`` on the unpacked state; it takes what the wrapped metric takes
        (``sample_weight`` by keyword, or by position after the inputs)."""
        cls: Any = type(self.metric)  # a class is hashable; mypy reads Metric's __hash__ as None
        n = _num_inputs(cls)
        if n is not None and len(inputs) == n + 1 and sample_weight is None:
            *inputs, sample_weight = inputs  # type: ignore[assignment]
        new = self.metric.update(self.unpack(state), *inputs,  # type: ignore[misc]
                                 sample_weight=sample_weight)
        return self.pack(new)

    def merge(self, a: PackedState, b: PackedState) -> PackedState:
        return self.pack(self.metric.merge(self.unpack(a), self.unpack(b)))

    def all_reduce(self, state: PackedState, axis_name: Any) -> PackedState:
        """One collective per buffer group when every leaf declares its kind, else the wrapped
        metric's own ``all_reduce`` on the unpacked state."""
        if not state.own:
            return PackedState(all_reduce(state.declared, axis_name, who=self.display_name), ())
        return self.pack(self.metric.all_reduce(self.unpack(state), axis_name))

    def compute(self, state: PackedState) -> Any:
        return self.metric.compute(self.unpack(state))

    def values_shape(self, y_true: Any, y_pred: Any) -> tuple[int, ...] | None:
        return self.metric.values_shape(y_true, y_pred)
