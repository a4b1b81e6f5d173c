"""Collections: many metrics, one compiled update, each statistic kept once.

:class:`MetricCollection` is the primitive: metric objects under the keys they are logged as (which
output each reads, which are the loss), with the streaming protocol of a single metric (``init /
update / merge / compute / all_reduce``, plus the eager ``update_state / result / reset_state``).
It knows nothing of strings: the public ``jmetrics.Collection``, which takes what Keras
``compile(metrics=..., loss=...)`` takes and names the keys as Keras would log the epoch
(``'loss'``, ``'mse'``, ``'out1_mae'``...), is the adapter's subclass that parses that and builds
this (``jmetrics.adapter._compile``).

How one update stays one pass over the batch:

1. **Shared statistics.** Every member has a statistic spec (:func:`statistic`): what its
   :meth:`~jmetrics.metrics.Metric.stat_key` returns (a hashable spec such as ``ConfusionSpec``,
   ``FBetaSpec``), or, when it declares none, its class and options (``'mse'`` twice, or
   ``'binary_crossentropy'`` as a metric and as the loss). Members of one output with equal specs
   promise the same ``init``/``update``: the group keeps one state, updated once, and every
   member's ``compute`` reads it. The decision is the specs' alone, never a table of classes.
2. **One fused pass.** Every state is updated inside one traced function. For a large batch the
   rows are cut into cache-sized blocks and one loop updates *all* states block by block, so
   the batch is read once from memory (XLA on CPU does not fuse separate reductions over the
   same input by itself), and each block is large enough for each metric's loop to run on both
   cores (:data:`CHUNK_ELEMENTS`). Splitting rows cannot change a result: that is the merge law
   every metric obeys.
   Blocks are only used when every input has the batch as leading axis and every custom function
   returns one value per row (checked at trace time from shapes).

   Within a block each metric keeps its own ``jnp.sum`` (XLA's CPU reduction is tree-like: about
   1e-8 relative error at 4M float32 rows). Measured and rejected: one variadic ``lax.reduce`` for
   all the means is one loop but sums sequentially (4e-3 relative error at 4M rows), and splitting
   it into lanes to recover accuracy made it slower than separate sums.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Hashable, Mapping, Sequence
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from jmetrics._floor._checks import is_concrete
from jmetrics.metrics._base import Metric
from jmetrics.metrics._blocks import fold_blocks
from jmetrics.padding import pad_batch

__all__ = ["CollectionState", "pad_batch"]

# Rows per block in the chunked pass: about CHUNK_ELEMENTS elements of the widest input per block.
# Blocks of 2**18 elements (1 MiB of float32 per input, cache-resident) are large enough for
# XLA:CPU to run each metric's fused loop on YNNPACK's two-core path: the 8 regression metrics of
# docs/benchmarks.md at 1e7 rows took 80 ms in 2**14-element blocks, 60 in 2**17, 52 in 2**18 and
# 56 in 2**20. The engine folds its chunks in blocks of its own (jmetrics.engine._step).
CHUNK_ELEMENTS = 1 << 18
MIN_CHUNK_ROWS = 1024


class CollectionState(NamedTuple):
    """State of a :class:`MetricCollection`."""

    stats: tuple[Any, ...]  # one state per distinct statistic, in MetricCollection.groups order


class Member(NamedTuple):
    """One logged value of a :class:`MetricCollection`: its key, output, metric, and whether it is
    a loss (with several outputs, ``'loss'`` is the sum of the loss members)."""

    key: str
    output: int  # index into MetricCollection.outputs (0 for a single output)
    loss: bool
    metric: Metric


class _Item(NamedTuple):
    """One logged value: its History key, the output it reads, its metric and statistic group."""

    key: str
    output: int  # index into MetricCollection.outputs (0 for a single output)
    metric: Metric
    group: int  # index into CollectionState.stats
    loss: bool  # True for the loss tracker(s)


class SameOptions(NamedTuple):
    """The statistic of a metric that declares none (``stat_key()`` is ``None``): its class and
    options, so equal metrics (``'mse'`` as a metric and as the loss) keep one state."""

    cls: type
    options: tuple[tuple[str, Any], ...]  # (field, value) of every field but the name


def statistic(metric: Metric) -> Hashable:
    """The spec of the state ``metric`` keeps: its ``stat_key()`` (a hashable spec such as
    ``ConfusionSpec``), else :class:`SameOptions`. Equal specs on one output share one state."""
    spec = metric.stat_key()
    if spec is not None:
        return spec
    return SameOptions(type(metric), tuple(
        (f.name, getattr(metric, f.name)) for f in dataclasses.fields(metric) if f.name != "name"))


@dataclasses.dataclass(frozen=True, init=False)
class MetricCollection(Metric):
    """Metric objects under their keys, with one ``init / update / merge / compute``.

    ``MetricCollection(members, *, outputs=("",), structure="single", chunk_elements=..., name=None)``

    - ``members``: :class:`Member` rows ``(key, output, loss, metric)``, in logging order; every
      ``metric`` a :class:`~jmetrics.metrics.Metric`.
    - ``outputs``: the output names; ``structure``: ``"single"`` (arrays in), ``"dict"``
      (``y_true``/``y_pred`` dicts keyed by ``outputs``) or ``"list"`` (sequences, one per output).

    ``update(state, y_true, y_pred, sample_weight=None)`` applies ``sample_weight`` to every member
    (a dict/list of weights gives one per output); weight-0 rows are ignored, which is what
    :func:`pad_batch` relies on. The collection is frozen and hashable (a static ``jax.jit``
    argument); its state is a pytree of arrays whose ``init()`` has exactly an updated state's
    type, so a loop never retraces.

    .. math:: \\mathrm{compute}(s)[k] = m_k.\\mathrm{compute}(s_{g(k)})

    where ``g(k)`` is the shared statistic of the metric logged as ``k``.

    >>> import jax.numpy as jnp
    >>> from jmetrics.metrics._means import MeanAbsoluteError, MeanSquaredError
    >>> c = MetricCollection([Member("loss", 0, True, MeanSquaredError()),
    ...                       Member("mse", 0, False, MeanSquaredError()),
    ...                       Member("mae", 0, False, MeanAbsoluteError())])
    >>> s = c.update(c.init(), jnp.array([[0.], [1.]]), jnp.array([[1.], [3.]]))
    >>> {k: float(v) for k, v in c.compute(s).items()}
    {'loss': 2.5, 'mse': 2.5, 'mae': 1.5}
    >>> len(s.stats)  # 'mse' and the loss keep one state
    2
    """

    items: tuple[_Item, ...] = ()
    groups: tuple[Metric, ...] = ()
    outputs: tuple[str, ...] = ()
    structure: str = "single"  # "single", "dict" or "list"
    chunk_elements: int = CHUNK_ELEMENTS

    default_name = "collection"
    input_kind = "regression"

    def __init__(
        self,
        members: Sequence[Member] = (),
        *,
        outputs: Sequence[str] = ("",),
        structure: str = "single",
        chunk_elements: int = CHUNK_ELEMENTS,
        name: str | None = None,
    ) -> None:
        self._build(members, tuple(outputs), structure, chunk_elements, name)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(keys={list(self.keys)}, statistics={len(self.groups)})"

    @property
    def members(self) -> tuple[Member, ...]:
        """The :class:`Member` rows this collection was built from."""
        return tuple(Member(i.key, i.output, i.loss, i.metric) for i in self.items)

    def _build(self, members: Sequence[Member], outputs: tuple[str, ...], structure: str,
               chunk_elements: int, name: str | None) -> None:
        who = type(self).__name__
        if structure not in ("single", "dict", "list"):
            raise ValueError(f"{who}: structure must be one of ('single', 'dict', 'list'); got "
                             f"{structure!r}.")
        if not isinstance(chunk_elements, int) or chunk_elements < 1:
            raise ValueError(f"{who}: chunk_elements must be a positive int; got {chunk_elements!r}.")
        groups: list[Metric] = []
        index: dict[Any, int] = {}
        items = []
        for key, output, is_loss, metric in members:
            if not isinstance(metric, Metric):
                raise TypeError(f"{who}: the metric of {key!r} must be a Metric; got "
                                f"{type(metric).__name__}.")
            if not 0 <= output < len(outputs):
                raise ValueError(f"{who}: the output of {key!r} must index outputs {list(outputs)}; "
                                 f"got {output!r}.")
            spec = statistic(metric)
            share = (output, type(spec), spec)  # specs are tuples: R2Spec(3) == CalibrationSpec(3)
            if share not in index:
                index[share] = len(groups)
                groups.append(metric)
            items.append(_Item(key, output, metric, index[share], is_loss))
        object.__setattr__(self, "items", tuple(items))
        object.__setattr__(self, "groups", tuple(groups))
        object.__setattr__(self, "outputs", outputs)
        object.__setattr__(self, "structure", structure)
        object.__setattr__(self, "chunk_elements", chunk_elements)
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "dtype", None)

    # -- introspection ------------------------------------------------------------------------
    @property
    def keys(self) -> tuple[str, ...]:
        """The keys ``compute`` returns, in order (Keras' ``metrics_names``)."""
        return tuple(self._order())

    @property
    def metrics(self) -> dict[str, Metric]:
        """The metric behind each key (the loss trackers included)."""
        return {item.key: item.metric for item in self.items}

    def result(self) -> dict[str, jax.Array]:
        """The eagerly accumulated values, in :attr:`keys` order."""
        return self.logs(super().result(), as_float=False)

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:  # type: ignore[override]
        """Eagerly fold a batch into the state held by this object (jitted under the hood).

        Metrics whose width Keras infers from the first batch (``F1Score()``, ``R2Score()``
        without ``num_classes``/``num_outputs``) get it from this first ``y_pred``, as in Keras;
        the pure ``init()`` needs it given.
        """
        super().update_state(y_true, y_pred, sample_weight=sample_weight)

    def check_inputs(self, *args: Any, sample_weight: Any = None) -> None:
        """Each statistic's metric runs its own eager value checks on its output's inputs, so the
        collection raises where a member alone would (nothing is checked on tracers)."""
        if not all(is_concrete(x) for x in jax.tree.leaves((args, sample_weight))):
            return
        ys_true, ys_pred = self._per_output(args[0], "y_true"), self._per_output(args[1], "y_pred")
        weights = self._weights(sample_weight)
        for o, metric in {i.group: (i.output, i.metric) for i in self.items}.values():
            metric.check_inputs(ys_true[o], ys_pred[o], sample_weight=weights[o])

    def _eager_array(self, x: Any) -> Any:
        return x  # a list or tuple holds one array per output

    def _eager_init(self, y_true: Any, y_pred: Any) -> CollectionState:  # type: ignore[override]
        return self._init_like(y_pred)

    def _init_like(self, y_pred: Any) -> CollectionState:
        preds = self._per_output(y_pred, "y_pred")
        outputs = {item.group: item.output for item in self.items}
        stats = []
        for g, metric in enumerate(self.groups):
            needs = getattr(metric, "needs_width", None)
            if needs is not None and needs():
                shape = np.shape(preds[outputs[g]])
                stats.append(metric.init_width(int(shape[-1]) if shape else 1))  # type: ignore[attr-defined]
            else:
                stats.append(metric.init())
        return CollectionState(tuple(stats))

    def logs(self, values: Mapping[str, Any], *, as_float: bool = True) -> dict[str, Any]:
        """``values`` (e.g. ``compute``'s output returned through ``jax.jit``, which sorts dict
        keys) in :attr:`keys` order, as Python floats unless ``as_float=False``.

        >>> import jmetrics
        >>> c = jmetrics.Collection(["mse", "acc"], loss="mse")
        >>> c.logs({"acc": 0.5, "loss": 1.0, "mse": 1.0})
        {'loss': 1.0, 'mse': 1.0, 'acc': 0.5}
        """
        order = self._order()
        ordered = {k: values[k] for k in order if k in values}
        ordered |= {k: v for k, v in values.items() if k not in ordered}
        if as_float:
            return {k: float(np.asarray(v)) for k, v in ordered.items()}
        return ordered

    def _order(self) -> list[str]:
        out = []
        if self.structure != "single" and any(i.loss for i in self.items):
            out.append("loss")
        out.extend(item.key for item in self.items)
        return list(dict.fromkeys(out))

    # -- the pure protocol ----------------------------------------------------------------------
    def merge(self, a: CollectionState, b: CollectionState) -> CollectionState:
        """Each statistic merged by its own metric (a buffer, e.g. ExactAUC's, is not a sum)."""
        return CollectionState(tuple(m.merge(x, y) for m, x, y in zip(self.groups, a.stats, b.stats,
                                                                        strict=True)))

    def all_reduce(self, state: CollectionState, axis_name: Any) -> CollectionState:
        """Each statistic reduced across ``axis_name`` by its own metric."""
        return CollectionState(tuple(m.all_reduce(x, axis_name)
                                     for m, x in zip(self.groups, state.stats, strict=True)))

    def init(self) -> CollectionState:
        """One empty state per distinct statistic; no two leaves share a buffer, so the state can
        be donated to a jitted step (``donate_argnums``) even if a metric's ``init`` repeats one."""
        seen: set[int] = set()

        def own(x: Any) -> Any:
            fresh = id(x) not in seen
            seen.add(id(x))
            return x if fresh else jnp.array(x, copy=True)

        return jax.tree.map(own, CollectionState(tuple(m.init() for m in self.groups)))

    def update(  # type: ignore[override]
        self, state: CollectionState, y_true: Any, y_pred: Any, sample_weight: Any = None
    ) -> CollectionState:
        """Fold one batch into every statistic in one pass (see the module docstring)."""
        ys_true = self._per_output(y_true, "y_true")
        ys_pred = self._per_output(y_pred, "y_pred")
        weights = self._weights(sample_weight)
        per_batch = self._check_per_sample(ys_true, ys_pred, weights)
        inputs = (ys_true, ys_pred, weights)
        rows = None if per_batch else self._chunk_rows(inputs)
        if rows is None:
            return self._update_direct(state, inputs)  # concrete inputs: each member checks them
        self.check_inputs(y_true, y_pred, sample_weight=sample_weight)  # the loop traces them
        leaves, treedef = jax.tree.flatten(inputs)

        def block(s: CollectionState, *chunk: jax.Array) -> CollectionState:
            return self._update_direct(s, jax.tree.unflatten(treedef, list(chunk)))

        return fold_blocks(block, state, *leaves, block=rows)

    def compute(self, state: CollectionState) -> dict[str, jax.Array]:  # type: ignore[override]
        """The value of every key, as Keras would log it (``'loss'`` first)."""
        out: dict[str, jax.Array] = {}
        owner: dict[str, str] = {}
        losses = []
        for item in self.items:
            value = item.metric.compute(state.stats[item.group])
            # Keras 3 spreads dict results into the logs; a key given twice would hide a value
            spread = value if isinstance(value, Mapping) else {item.key: value}
            for key, v in spread.items():
                if key in owner:
                    raise ValueError(
                        f"Collection: every result key must be unique; got {key!r} from both "
                        f"{owner[key]} and {item.key}. Rename one of them (name=...).")
                owner[key], out[key] = item.key, v
            if item.loss:
                losses.append(value)
        if self.structure != "single" and losses:
            out["loss"] = functools.reduce(jnp.add, losses)
        return self.logs(out, as_float=False)

    # -- internals ------------------------------------------------------------------------------
    def _per_output(self, y: Any, arg: str) -> tuple[Any, ...]:
        if self.structure == "single":
            return (y,)
        if self.structure == "dict":
            if not isinstance(y, Mapping) or any(o not in y for o in self.outputs):
                got = sorted(map(str, y)) if isinstance(y, Mapping) else type(y).__name__
                raise ValueError(f"Collection: {arg} must be a dict with the output keys "
                                 f"{list(self.outputs)}; got {got}.")
            return tuple(y[o] for o in self.outputs)
        if not isinstance(y, (list, tuple)) or len(y) != len(self.outputs):
            got = f"{len(y)} arrays" if isinstance(y, (list, tuple)) else type(y).__name__
            raise ValueError(f"Collection: {arg} must be a list of {len(self.outputs)} arrays (one "
                             f"per output); got {got}.")
        return tuple(y)

    def _weights(self, sample_weight: Any) -> tuple[Any, ...]:
        if self.structure != "single" and isinstance(sample_weight, (Mapping, list, tuple)):
            return self._per_output(sample_weight, "sample_weight")
        return (sample_weight,) * len(self.outputs)

    def _update_direct(self, state: CollectionState, inputs: Any) -> CollectionState:
        ys_true, ys_pred, weights = inputs
        outputs = {item.group: item.output for item in self.items}
        stats = []
        for g, metric in enumerate(self.groups):
            o = outputs[g]
            update: Any = metric.update
            stats.append(update(state.stats[g], ys_true[o], ys_pred[o], sample_weight=weights[o]))
        return CollectionState(tuple(stats))

    def _chunk_rows(self, inputs: Any) -> int | None:
        """Rows per block for the chunked pass, or None to update the whole batch at once."""
        leaves = [jnp.asarray(x) if not hasattr(x, "shape") else x for x in jax.tree.leaves(inputs)]
        if not leaves or any(x.ndim == 0 for x in leaves):
            return None
        n = leaves[0].shape[0]
        if any(x.shape[0] != n for x in leaves):
            return None
        width = max(math.prod(x.shape[1:]) for x in leaves)
        rows = max(MIN_CHUNK_ROWS, self.chunk_elements // max(width, 1))
        return None if n < 2 * rows else rows

    def _check_per_sample(self, ys_true: tuple[Any, ...], ys_pred: tuple[Any, ...],
                          weights: tuple[Any, ...]) -> bool:
        """Every function metric returns one value per sample (leading axis: the batch's N).

        The one exception is Keras' own: an unweighted function returning one scalar per batch
        (the Keras docs' ``mean_pred``, ``K.mean(y_pred)``) on batches of rank >= 2 is averaged with
        every batch counting once, as Keras 3 does (returns True: such a batch is not chunked). With per-row weights
        (``pad_batch``'s included) a per-batch value cannot be weighted: refused, as Keras 3
        refuses it. Anything else whose leading axis is not the batch's is refused.
        """
        per_batch = False
        for g, metric in enumerate(self.groups):
            o = next(i.output for i in self.items if i.group == g)
            t, p = ys_true[o], ys_pred[o]
            shape = metric.values_shape(t, p)
            if shape is None:  # the metric's own code reads the batch
                continue
            lead = np.shape(p)[:1] or np.shape(t)[:1]
            if shape == () and weights[o] is None and max(np.ndim(t), np.ndim(p)) >= 2:
                per_batch = True
                continue
            if lead and shape[:1] != lead:
                fix = (" Pass y_true and y_pred as columns of shape (N, 1)." if max(np.ndim(t), np.ndim(p))
                       == 1 else " Return per-sample values, e.g. jnp.mean(y_pred, axis=-1).")
                raise ValueError(
                    f"Collection: {metric.display_name} must return one value per sample; got shape "
                    f"{tuple(shape)} for a batch of {lead[0]}. A per-batch value would be averaged "
                    "with every batch counting once (Keras 3), so the result would depend on how the "
                    f"rows are batched and padded.{fix}")
        return per_batch
