"""Metric states across devices, processes and jobs.

A state is a pytree whose leaves each declare how they reduce (sum, max, min; compensated sums and
Chan moments carry their own exact rules, see ``jmetrics.metrics._state``). Everything here is
generic over that: it never looks at which metric made the state, so it works for one metric, a
collection, or a dict of them.

- Devices: :func:`reduce_state` inside ``jax.shard_map``/``pmap`` (one collective per reduction kind),
  :func:`sharded_update` (the whole per-device-update-then-reduce step, jitted), :func:`batch_mesh`
  and :func:`shard_batch` (put a batch on a 1-D mesh, padding the ragged tail with weight 0). A
  batch sharded with :func:`shard_batch` can also go straight into a plain jitted ``update``: XLA
  partitions the reductions and the result is the single-device one.
- Processes (``jax.distributed``, one process per host): :func:`merge_across_processes`.
- Jobs: :func:`save_state` / :func:`load_state` write and read ``.npz`` files holding the metric's
  config (JSON, through :func:`jmetrics.serialize`) and the state's leaves, and
  :func:`merge_state_files` folds many such files into one, so partial results of separate jobs
  merge later (a map-reduce with ``merge`` as the reducer).
"""

from __future__ import annotations

import functools
import json
import os
import tempfile
from collections.abc import Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.sharding import Mesh, NamedSharding, PartitionSpec

from jmetrics.metrics._state import all_reduce, merge_states, reduce_over_axis

__all__ = [
    "batch_mesh",
    "load_state",
    "merge_across_processes",
    "merge_state_files",
    "reduce_state",
    "save_state",
    "shard_batch",
    "sharded_update",
]

_FORMAT = "jmetrics.state/1"


# -- devices --------------------------------------------------------------------------------------
def reduce_state(state: Any, axis_name: Any) -> Any:
    """Reduce a state (a metric's, a collection's, any pytree of states) over a named mapped axis.

    Each leaf reduces by its declared kind, and each kind is one collective call (``psum``,
    ``pmax``, ``pmin``) over all the leaves of that kind, however many metrics the state holds;
    Chan moments add one ``psum`` for their centred term. Compiled, XLA's all-reduce combiner makes
    each call one all-reduce per kind and dtype (integer counts stay integers). Use it inside ``jax.shard_map``, ``pmap`` or ``vmap``
    with ``axis_name``, on states updated from ``init()`` with each device's share of the batch:

    .. math:: s = \\bigoplus_{d} \\mathrm{update}(\\mathrm{init}(), x_d)

    equals ``update(init(), x)`` on the whole batch (to float rounding), as ``merge`` does for two.
    This holds for every state whose leaves all declare their reduction. A state with undeclared
    leaves (a user's metric keeping a plain array, a buffer of rows such as ``ExactAUC``'s) is
    refused with ``ValueError`` on more than one device, never summed: reduce it with
    ``metric.all_reduce``, which folds it with the metric's own ``merge`` (``sharded_update``
    does).

    >>> import jax, jax.numpy as jnp, jmetrics
    >>> m = jmetrics.metrics.MeanSquaredError()
    >>> y = jnp.arange(8.0).reshape(4, 2)  # 4 "devices", 2 samples each
    >>> per_device = jax.vmap(lambda t: m.update(m.init(), t, t + 1), axis_name="d")(y)
    >>> total = jax.vmap(lambda s: reduce_state(s, "d"), axis_name="d")(per_device)
    >>> float(m.compute(jax.tree.map(lambda x: x[0], total)))
    1.0
    """
    return all_reduce(state, axis_name, who="reduce_state")


def batch_mesh(devices: Sequence[Any] | None = None, axis_name: str = "batch") -> Mesh:
    """A 1-D mesh over ``devices`` (default: all of ``jax.devices()``) with one axis ``axis_name``.

    >>> batch_mesh().axis_names
    ('batch',)
    """
    devs = list(jax.devices() if devices is None else devices)
    if not devs:
        raise ValueError("batch_mesh: devices must not be empty; got [].")
    return Mesh(np.array(devs, dtype=object), (axis_name,))


def _axis(mesh: Mesh, axis_name: str | None, caller: str) -> str:
    if axis_name is None:
        if len(mesh.axis_names) != 1:
            raise ValueError(f"{caller}: axis_name must be given for a mesh with several axes; got "
                             f"axes {mesh.axis_names}.")
        return str(mesh.axis_names[0])
    if axis_name not in mesh.axis_names:
        raise ValueError(f"{caller}: axis_name must be one of the mesh's axes {mesh.axis_names}; "
                         f"got {axis_name!r}.")
    return axis_name


def shard_batch(
    *arrays: Any,
    sample_weight: Any = None,
    mesh: Mesh | None = None,
    axis_name: str | None = None,
) -> tuple[jax.Array, ...]:
    """Split a batch along its first axis over a mesh axis; returns ``(*arrays, sample_weight)``.

    The batch is padded to a multiple of the axis size by repeating its last row with weight 0
    (a weight-0 row is the same as no row, for every jmetrics metric), so ragged batches shard too;
    the returned ``sample_weight`` is the given one (or ones) with zeros for the padding. Arrays are
    placed with ``NamedSharding(mesh, P(axis_name))``, ready for :func:`sharded_update` or for a
    plain ``jax.jit(metric.update)`` (which then runs partitioned).

    >>> import numpy as np
    >>> y, p, w = shard_batch(np.ones((5, 2)), np.zeros((5, 2)), mesh=batch_mesh())
    >>> y.shape[0] % len(jax.devices()) == 0 and float(w.sum()) == 5.0
    True
    """
    mesh = batch_mesh() if mesh is None else mesh
    axis = _axis(mesh, axis_name, "shard_batch")
    if not arrays:
        raise ValueError("shard_batch: at least one array must be given; got none.")
    xs = [np.asarray(a) if not isinstance(a, jax.Array) else a for a in arrays]
    n = xs[0].shape[0] if xs[0].ndim else None
    for i, x in enumerate(xs):
        if x.ndim == 0 or x.shape[0] != n:
            raise ValueError(f"shard_batch: every array must have the same leading size; got shapes "
                             f"{[tuple(np.shape(a)) for a in xs]} (array {i}).")
    assert n is not None
    w = jnp.ones((n,), jnp.float32) if sample_weight is None else jnp.asarray(sample_weight)
    if w.ndim == 0:
        w = jnp.broadcast_to(w, (n,))
    if w.shape[0] != n:
        raise ValueError(f"shard_batch: sample_weight must have the batch's leading size {n}; got "
                         f"shape {tuple(w.shape)}.")
    size = mesh.shape[axis]
    pad = -n % size
    if pad:
        def grow(x: Any) -> Any:
            if n == 0:
                return jnp.zeros((pad, *x.shape[1:]), x.dtype)
            return jnp.concatenate([x, jnp.repeat(x[-1:], pad, axis=0)])

        xs = [grow(jnp.asarray(x)) for x in xs]
        w = jnp.concatenate([w, jnp.zeros((pad, *w.shape[1:]), w.dtype)])
    sharding = NamedSharding(mesh, PartitionSpec(axis))
    return tuple(jax.device_put(x, sharding) for x in (*xs, w))


def sharded_update(metric: Any, mesh: Mesh | None = None, axis_name: str | None = None) -> Any:
    """A jitted ``step(state, *inputs, sample_weight=None) -> state`` that updates on every device.

    Inputs are split along their first axis over ``axis_name`` (their size must divide by the
    axis size: use :func:`shard_batch`); each device folds its share into ``metric.init()``, the
    per-device states are combined by ``metric.all_reduce`` (one collective per reduction kind for
    declared states; a state that declares nothing is gathered and folded with the metric's own
    ``merge``) and merged into the replicated ``state``. ``metric`` is anything with the streaming
    protocol (a jmetrics metric or collection; an object without ``all_reduce`` is reduced by the
    same rule with its ``merge``). Equal to ``metric.update(state, *inputs, sample_weight=...)``
    on the whole batch, to float rounding.

    >>> import numpy as np, jmetrics
    >>> m = jmetrics.metrics.MeanAbsoluteError()
    >>> step = sharded_update(m)
    >>> y, p, w = shard_batch(np.zeros((6, 1)), np.full((6, 1), 2.0))
    >>> float(m.compute(step(m.init(), y, p, sample_weight=w)))
    2.0
    """
    mesh = batch_mesh() if mesh is None else mesh
    axis = _axis(mesh, axis_name, "sharded_update")
    batch, replicated = PartitionSpec(axis), PartitionSpec()
    # check_vma=False: a metric's all_reduce may return a replicated value that JAX's varying-axis
    # typing cannot see as such (a scan over an all_gather); every all_reduce returns the same
    # value on every device, which is what out_specs=P() takes.
    reduce = _reducer(metric)

    def local(state: Any, inputs: tuple[Any, ...], weight: Any) -> Any:
        kwargs = {} if weight is None else {"sample_weight": weight}
        mine = metric.update(metric.init(), *inputs, **kwargs)
        return metric.merge(state, reduce(mine, axis))

    @jax.jit
    def step(state: Any, *inputs: Any, sample_weight: Any = None) -> Any:
        if sample_weight is None:
            unweighted: Any = jax.shard_map(lambda s, xs: local(s, xs, None), mesh=mesh,
                                            in_specs=(replicated, batch), out_specs=replicated,
                                            check_vma=False)
            return unweighted(state, inputs)
        weighted: Any = jax.shard_map(local, mesh=mesh, in_specs=(replicated, batch, batch),
                                      out_specs=replicated, check_vma=False)
        return weighted(state, inputs, sample_weight)

    return step


def _reducer(metric: Any) -> Any:
    """``metric.all_reduce``, or for a bare protocol object the declared-or-merge rule."""
    own = getattr(metric, "all_reduce", None)
    if own is not None:
        return own
    merge = getattr(metric, "merge", None)
    return lambda state, axis: reduce_over_axis(state, axis, merge=merge, who="sharded_update")


# -- processes ------------------------------------------------------------------------------------
def merge_across_processes(metric: Any, state: Any, *, merge: Any = None) -> Any:
    """Merge the per-process states of a multi-process run (``jax.distributed``) into one.

    Every process calls it with its own ``state`` (same metric, same structure); every process
    gets the same merged state back: the states are gathered with
    ``jax.experimental.multihost_utils.process_allgather`` (one gather of the whole pytree) and
    folded with ``metric.merge`` in process order, so the result is identical on all processes and
    equals the state of one process that saw all the data. ``metric`` may be a metric, a
    collection, or None (the generic leaf-wise merge, which refuses a state with leaves that
    declare no reduction). ``merge``, if given, folds two states instead of ``metric.merge``
    (the engine passes its jitted merge of a state and its checks). With one process the state is
    returned.

    >>> import jmetrics
    >>> m = jmetrics.metrics.Mean()
    >>> s = m.update(m.init(), jnp.array([1.0, 3.0]))
    >>> float(m.compute(merge_across_processes(m, s)))  # a single process: unchanged
    2.0
    """
    if jax.process_count() == 1:
        return state
    from jax.experimental import multihost_utils

    gathered = multihost_utils.process_allgather(state, tiled=False)
    if merge is None:
        merge = (functools.partial(merge_states, who="merge_across_processes") if metric is None
                 else metric.merge)
    out = jax.tree.map(lambda x: jnp.asarray(x[0]), gathered)
    for i in range(1, jax.process_count()):
        out = merge(out, jax.tree.map(lambda x, i=i: jnp.asarray(x[i]), gathered))
    return out


# -- files ----------------------------------------------------------------------------------------
def _describe(metric: Any) -> dict[str, Any]:
    """The config of ``metric`` as the adapter serializes it (a collection: its ``get_config()``,
    which serializes each member the same way)."""
    from jmetrics.adapter._compile import Collection
    from jmetrics.adapter._serialize import serialize
    from jmetrics.metrics._base import Metric

    if isinstance(metric, Collection):
        return {"class_name": "Collection", "config": metric.get_config(), "module": "jmetrics"}
    if isinstance(metric, Metric):
        config = serialize(metric)
        return config if isinstance(config, dict) else {"class_name": config, "config": None}
    raise TypeError(f"save_state: metric must be a jmetrics metric or collection; got "
                    f"{type(metric).__name__}.")


def _rebuild(desc: dict[str, Any]) -> Any:
    from jmetrics.adapter._compile import Collection
    from jmetrics.adapter._serialize import deserialize

    if desc.get("class_name") == "Collection" and desc.get("module") == "jmetrics":
        return Collection.from_config(desc["config"])
    return deserialize(desc)


def _spec(metric: Any) -> tuple[Any, list[Any]]:
    shapes = jax.eval_shape(metric.init)
    return jax.tree.structure(shapes), jax.tree.leaves(shapes)


def save_state(path: str | os.PathLike[str], metric: Any, state: Any) -> None:
    """Write ``metric``'s config and ``state`` to an ``.npz`` file at ``path``, atomically.

    The file holds ``__format__``, ``__config__`` (JSON of :func:`jmetrics.serialize`, or of a
    collection's ``get_config()``) and one array ``leaf_0000, leaf_0001, ...`` per state leaf in
    ``jax.tree.leaves`` order. Nothing is pickled. It is written to a temporary file in the same
    directory and renamed over ``path``, so a reader never sees half a file. The state must have
    the structure, shapes and dtypes of ``metric.init()``.

    >>> import os, tempfile, jmetrics
    >>> m = jmetrics.metrics.MeanSquaredError()
    >>> s = m.update(m.init(), jnp.array([0.0, 1.0]), jnp.array([1.0, 1.0]))
    >>> path = os.path.join(tempfile.mkdtemp(), "part0.npz")
    >>> save_state(path, m, s)
    >>> m2, s2 = load_state(path)
    >>> m2 == m, float(m2.compute(s2))
    (True, 0.5)
    """
    desc = _describe(metric)
    treedef, spec = _spec(metric)
    leaves, got = jax.tree.flatten(state)
    if got != treedef or any(np.shape(x) != s.shape for x, s in zip(leaves, spec, strict=True)):
        raise ValueError(f"save_state: state must have the structure and shapes of "
                         f"{type(metric).__name__}.init(); got {got} with shapes "
                         f"{[np.shape(x) for x in leaves]}, expected {treedef} with "
                         f"{[s.shape for s in spec]}.")
    arrays = {"__format__": np.array(_FORMAT), "__config__": np.array(json.dumps(desc))}
    for i, leaf in enumerate(leaves):
        arrays[f"leaf_{i:04d}"] = np.asarray(jax.device_get(leaf))
    target = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(target))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".", suffix=".npz.tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **arrays)  # type: ignore[arg-type]
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def load_state(path: str | os.PathLike[str]) -> tuple[Any, Any]:
    """Read a file written by :func:`save_state`; returns ``(metric, state)``.

    The metric is rebuilt from its config; the state takes the structure of ``metric.init()`` and
    its dtypes (a float64 state saved under x64 loads as float32 without it). A file whose leaves
    do not fit the metric raises ``ValueError``.
    """
    with np.load(os.fspath(path), allow_pickle=False) as data:
        fmt = str(data["__format__"]) if "__format__" in data else None
        if fmt != _FORMAT:
            raise ValueError(f"load_state: {os.fspath(path)!r} must be a jmetrics state file "
                             f"({_FORMAT}); got format {fmt!r}.")
        desc = json.loads(str(data["__config__"]))
        names = sorted(k for k in data.files if k.startswith("leaf_"))
        stored = [data[k] for k in names]
    metric = _rebuild(desc)
    treedef, spec = _spec(metric)
    if len(stored) != len(spec) or any(x.shape != s.shape for x, s in zip(stored, spec, strict=True)):
        raise ValueError(f"load_state: the leaves in {os.fspath(path)!r} must fit "
                         f"{type(metric).__name__}.init(); got shapes {[x.shape for x in stored]}, "
                         f"expected {[s.shape for s in spec]}.")
    leaves = [jnp.asarray(x, dtype=s.dtype) for x, s in zip(stored, spec, strict=True)]
    return metric, jax.tree.unflatten(treedef, leaves)


def merge_state_files(paths: Sequence[str | os.PathLike[str]]) -> tuple[Any, Any]:
    """Load several :func:`save_state` files of the same metric and merge them: ``(metric, state)``.

    The partial results of separate jobs (shards of a dataset, days of logs) become the result
    of one pass over all of them. All files must hold the same metric config.
    """
    if not paths:
        raise ValueError("merge_state_files: paths must name at least one file; got none.")
    metric, state = load_state(paths[0])
    for p in paths[1:]:
        other, s = load_state(p)
        if other != metric:
            raise ValueError(f"merge_state_files: every file must hold the same metric; got "
                             f"{metric!r} in {os.fspath(paths[0])!r} and {other!r} in "
                             f"{os.fspath(p)!r}.")
        state = metric.merge(state, s)
    return metric, state
