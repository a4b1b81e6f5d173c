"""The compiled chunk step: one device's shard of a chunk folded into that device's state.

Under ``shard_map`` over a one-axis (``"data"``) mesh, each device folds its shard into its own state
(no collective per chunk); the engine's own checks (non-finite rows, sparse label range) ride along
in a :class:`Checks` state reduced like any other. :func:`_finisher` reduces the per-device states
once, at the end, with the states' declared reductions.
"""

from __future__ import annotations

import functools
import math
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax.sharding import Mesh, PartitionSpec

__all__ = ["Checks", "_Plan", "_compiled", "_compute", "_finisher", "_no_checks", "_over_leading",
           "_stack"]

_BIG = np.iinfo(np.int32).max


class Checks(NamedTuple):
    """What the engine watches on the way (reduced like any state, see ``REDUCE`` below)."""

    bad_rows: jax.Array  # () int32, rows with NaN/inf in y_true or y_pred (weight > 0)
    first_bad: jax.Array  # () int32, the smallest such row index (int32 max if none)
    label_lo: jax.Array  # () float32, smallest sparse label seen (+inf if none)
    label_hi: jax.Array  # () float32, largest sparse label seen (-inf if none)
    fractional: jax.Array  # () int32, sparse labels that are not whole numbers
    bad_weights: jax.Array  # () int32, rows whose sample weight is NaN or inf
    first_bad_weight: jax.Array  # () int32, the smallest such row index (int32 max if none)
    negative_weights: jax.Array  # () int32, rows whose sample weight is negative
    first_negative: jax.Array  # () int32, the smallest such row index (int32 max if none)


setattr(Checks, "REDUCE", {"first_bad": "min", "label_lo": "min", "label_hi": "max",  # noqa: B010
                           "first_bad_weight": "min", "first_negative": "min"})


def _no_checks() -> Checks:
    none, first = jnp.int32(0), jnp.int32(_BIG)
    return Checks(none, first, jnp.float32(jnp.inf), jnp.float32(-jnp.inf), none, none, first,
                  none, first)


def _locate(checks: Checks, finite: jax.Array, weight: jax.Array, row: jax.Array, *,
            weighted: bool) -> Checks:
    """Count the rows with NaN/inf data (and weight != 0), NaN/inf weights and negative weights,
    and keep the first row of each."""
    checks = _count(checks, "bad_rows", "first_bad", ~finite & (weight != 0), row)
    if not weighted:
        return checks
    weight_finite = jnp.isfinite(weight)
    checks = _count(checks, "bad_weights", "first_bad_weight", ~weight_finite, row)
    return _count(checks, "negative_weights", "first_negative", weight_finite & (weight < 0), row)


def _count(checks: Checks, count: str, first: str, flags: jax.Array, row: jax.Array) -> Checks:
    """Add the flagged rows to ``checks.<count>`` and keep the smallest row in ``checks.<first>``."""
    return checks._replace(**{
        count: getattr(checks, count) + jnp.sum(flags, dtype=jnp.int32),
        first: jnp.minimum(getattr(checks, first), jnp.min(jnp.where(flags, row, _BIG))),  # nan-safe: row ids
    })


class _Plan(NamedTuple):
    """Everything static about one compiled step (hashable: a jit cache key)."""

    collection: Any
    mesh: Mesh
    models: bool  # y_pred has a leading model axis
    bootstrap: int  # B (0 for none)
    nonfinite: str
    sparse_classes: int  # C when y_true holds sparse labels for C classes, else 0
    weighted: bool
    slices: int = 0  # S: one state per slice along the innermost leading axis (0: no slices)
    slice_mode: str = ""  # how each statistic is sliced (see _sliced.slice_mode)
    locate: bool = False  # count and locate NaN/inf rows in the pass (else: flag blocks, _poison)


def _local_step(plan: _Plan, state: Any, checks: Checks, yt: jax.Array, yp: jax.Array,
                w: jax.Array | None, chunk: jax.Array, valid: jax.Array, seed: jax.Array,
                rows_per_chunk: int, codes: jax.Array | None = None) -> tuple[Any, Checks]:
    """Fold one device's shard of a chunk into that device's state, block by block.

    The shard is cut into cache-sized blocks of rows and one ``lax.fori_loop`` folds them in
    order: the engine's checks (non-finite rows, weights, labels) and every metric's update read
    each block once, while it is in cache (XLA on CPU does not fuse sibling passes over the same
    arrays by itself; a separate check pass over the whole chunk cost more than the metrics).
    The blocks are the ones the collection would cut the shard into itself, so the sums are
    taken in the same order as an unblocked update of the shard.
    """
    n = yt.shape[0]
    device = jax.lax.axis_index("data") if plan.mesh.size > 1 else 0
    first = chunk * rows_per_chunk + device * n  # the stream row of this shard's first row
    real_rows = valid - device * n  # rows of this shard that hold data (the rest is padding)
    pred_axis = 1 if plan.models else 0
    b = _block_rows(plan, yt, yp, n)
    fold = functools.partial(_fold_rows, plan, first=first, real_rows=real_rows, seed=seed)

    def take(lo: Any, size: int) -> tuple[Any, ...]:
        def cut(x: Any, axis: int = 0) -> Any:
            return None if x is None else jax.lax.dynamic_slice_in_dim(x, lo, size, axis)

        return cut(yt), cut(yp, pred_axis), cut(w), cut(codes)

    blocks = n // b
    if blocks <= 1:
        return fold(state, checks, yt, yp, w, codes, offset=0)

    def body(i: Any, carry: tuple[Any, Checks]) -> tuple[Any, Checks]:
        lo = i * b
        return fold(*carry, *take(lo, b), offset=lo)

    state, checks = jax.lax.fori_loop(0, blocks, body, (state, checks))
    if blocks * b < n:
        state, checks = fold(state, checks, *take(blocks * b, n - blocks * b), offset=blocks * b)
    return state, checks


def _probed(plan: _Plan, w: jax.Array | None) -> bool:
    """Whether :func:`_poison` checks the values: unweighted 'error', where a flag is all the
    pass needs (unless the plan asks to locate the rows)."""
    return plan.nonfinite == "error" and w is None and not plan.locate


def _poison(checks: Checks, weight: jax.Array, yt: jax.Array, yp: jax.Array,
            pred_axis: int) -> tuple[jax.Array, Checks]:
    """The weights NaN on the rows holding NaN/inf, and the blocks that have such rows counted in
    ``checks.bad_rows`` (a second pass counts and locates the rows, see ``_run``).

    ``weight + sum(row * 0)`` is the weight where the row is finite and NaN where it is not, so
    ``sum(weights)`` flags the block: the same sum the metrics take of their weights (XLA computes
    it once), where a boolean ``isfinite``/``any`` pass cost more than the metrics. The metrics'
    states are then NaN too, unused: with such rows, ``'error'`` raises.
    """
    weight = weight + _zero_rows(yt, 0) + _zero_rows(yp, pred_axis)
    flagged = jnp.isnan(jnp.sum(weight)).astype(jnp.int32)
    return weight, checks._replace(bad_rows=checks.bad_rows + flagged)


def _zero_rows(x: jax.Array, row_axis: int) -> jax.Array:
    """Per row, ``sum(values * 0)``: 0 where the row is finite, NaN where it holds NaN or inf."""
    if not jnp.issubdtype(x.dtype, jnp.floating):
        return jnp.zeros((x.shape[row_axis],), jnp.float32)
    zero = x * jnp.zeros((), x.dtype)
    axes = tuple(a for a in range(x.ndim) if a != row_axis)
    return (jnp.sum(zero, axis=axes) if axes else zero).astype(jnp.float32)


# Elements of the widest input per block when the collection keeps the default block size: the
# engine's block also runs the row checks, and measured on CPU (evaluate of 4 metrics over 4e7
# .npy rows) 2**14 took 0.145 s, 2**16 0.20 s, 2**18 0.27 s.
ENGINE_BLOCK_ELEMENTS = 1 << 14


def _block_rows(plan: _Plan, yt: jax.Array, yp: jax.Array, n: int) -> int:
    """Rows per block: about :data:`ENGINE_BLOCK_ELEMENTS` elements of the widest input (the
    collection's ``chunk_elements`` when it sets its own), or all ``n`` rows when the shard is
    small or sliced (one state per slice bounds the chunk already)."""
    from jmetrics.collection import CHUNK_ELEMENTS, MIN_CHUNK_ROWS

    if plan.slices:
        return n
    width = max(math.prod(yt.shape[1:]), math.prod(yp.shape[2 if plan.models else 1:]), 1)
    elements = getattr(plan.collection, "chunk_elements", CHUNK_ELEMENTS)
    if elements == CHUNK_ELEMENTS:
        elements = ENGINE_BLOCK_ELEMENTS
    rows = max(MIN_CHUNK_ROWS, elements // width)
    return n if n < 2 * rows else rows


def _fold_rows(plan: _Plan, state: Any, checks: Checks, yt: jax.Array, yp: jax.Array,
               w: jax.Array | None, codes: jax.Array | None, *, offset: Any, first: Any,
               real_rows: Any, seed: jax.Array) -> tuple[Any, Checks]:
    """Fold rows ``offset .. offset + len(yt)`` of a shard (its first row at ``first`` in the
    stream, its first ``real_rows`` rows real) into the state, checks first."""
    n = yt.shape[0]
    local_row = offset + jnp.arange(n, dtype=jnp.int32)
    row = first + local_row
    real = local_row < real_rows
    weight = real.astype(jnp.float32)
    if w is not None:
        weight = jnp.where(real, w.reshape(n).astype(jnp.float32), 0.0)

    if _probed(plan, w):
        weight, checks = _poison(checks, weight, yt, yp, 1 if plan.models else 0)
    elif plan.nonfinite != "propagate":  # 'propagate' looks at no value: no pass for it
        finite = _finite_rows(yt, 0) & _finite_rows(yp, 1 if plan.models else 0)
        bad = ~finite & (weight != 0)
        if w is not None:
            bad = bad | ~((weight >= 0) & (weight < jnp.inf))  # NaN, inf or negative weights
        # counting and locating them only in a block that has some
        locate = functools.partial(_locate, weighted=w is not None)
        checks = jax.lax.cond(jnp.any(bad), locate, lambda c, *_: c, checks, finite, weight, row)
        if plan.nonfinite == "ignore":
            keep = finite & jnp.isfinite(weight) if w is not None else finite
            weight = jnp.where(keep, weight, 0.0)
    if plan.sparse_classes:
        labels = yt.astype(jnp.float32).reshape(n, -1)
        seen = (weight != 0)[:, None] & jnp.isfinite(labels)
        checks = checks._replace(
            # nan-safe: seen labels are finite
            label_lo=jnp.minimum(checks.label_lo, jnp.min(jnp.where(seen, labels, jnp.inf))),
            # nan-safe: seen labels are finite
            label_hi=jnp.maximum(checks.label_hi, jnp.max(jnp.where(seen, labels, -jnp.inf))),
            fractional=checks.fractional + jnp.sum(seen & (labels != jnp.round(labels)),
                                                   dtype=jnp.int32),
        )
    if plan.nonfinite == "ignore":
        yt = jnp.where(_expand(finite, yt.ndim, 0), yt, jnp.zeros((), yt.dtype))
        yp = jnp.where(_expand(finite, yp.ndim, 1 if plan.models else 0), yp, jnp.zeros((), yp.dtype))

    if yp.ndim == (2 if plan.models else 1):  # one number per row: a column, as Keras fits
        yp = yp[..., None]
        yt = yt[:, None] if yt.ndim == 1 else yt

    def update(s: Any, y_pred: jax.Array, sw: jax.Array) -> Any:
        return plan.collection.update(s, yt, y_pred, sample_weight=sw)

    if plan.slices:
        from jmetrics.engine._sliced import sliced_update

        update = sliced_update(plan.collection, plan.slice_mode, plan.slices, yt,
                               codes)  # type: ignore[arg-type]  # codes come with slices

    weights = weight
    if plan.bootstrap:
        draws = _bootstrap_draws(seed, row, plan.bootstrap)
        weights = jnp.concatenate([weight[None], weight[None] * draws])
        update = jax.vmap(update, in_axes=(0, None, 0))
    if plan.models:
        update = jax.vmap(update, in_axes=(0, 0, None))
    return update(state, yp, weights), checks


# The Poisson(1) CDF F(0..11) in float64; F(11) rounds to 1 in float32, above every uniform draw.
_POISSON1_CDF = np.cumsum([math.exp(-1.0) / math.factorial(k) for k in range(12)])


def _bootstrap_draws(seed: jax.Array, rows: jax.Array, replicates: int) -> jax.Array:
    """Poisson(1) bootstrap weights ``[B, n]`` of the rows whose indices in the stream are ``rows``.

    Row ``r`` draws its ``B`` weights from its own key ``fold_in(key(seed), r)`` by inverting the
    CDF: ``k = #{j : u >= F(j)}`` for ``u`` uniform in [0, 1), so ``P(k) = F(k) - F(k - 1)`` to
    float32 resolution (draws above 9, of probability 1e-7, are cut at the largest ``F(j) < 1``).
    The weights depend on the seed and the row only, so replicates are the same on any number
    of devices and for any ``batch_size``. Under ``jax.distributed`` the process index is folded
    in too (each process numbers its own rows from 0). Rows are numbered modulo ``2**32``.
    """
    base = jax.random.key(seed)
    if jax.process_count() > 1:
        base = jax.random.fold_in(base, jax.process_index())
    keys = jax.vmap(jax.random.fold_in, in_axes=(None, 0))(base, rows.astype(jnp.uint32))
    u = jax.vmap(lambda k: jax.random.uniform(k, (replicates,)))(keys)  # [n, B]
    cdf = jnp.asarray(_POISSON1_CDF, u.dtype).reshape(1, 1, -1)  # [1, 1, 12] against [n, B, 1]
    return jnp.sum(u[..., None] >= cdf, axis=-1, dtype=jnp.int32).astype(jnp.float32).T


def _finite_rows(x: jax.Array, row_axis: int) -> jax.Array:
    if not jnp.issubdtype(x.dtype, jnp.floating):
        return jnp.ones((x.shape[row_axis],), bool)
    ok = jnp.isfinite(x)
    axes = tuple(a for a in range(x.ndim) if a != row_axis)
    return jnp.all(ok, axis=axes) if axes else ok


def _expand(rows: jax.Array, ndim: int, row_axis: int) -> jax.Array:
    shape = [1] * ndim
    shape[row_axis] = rows.shape[0]
    return rows.reshape(shape)


@functools.lru_cache(maxsize=64)
def _compiled(plan: _Plan, rows_per_chunk: int) -> Any:
    """The jitted, donated chunk step: per-device states in, per-device states out."""
    spec = PartitionSpec("data")
    yp_spec = PartitionSpec(None, "data") if plan.models else spec

    def per_device(state: Any, checks: Checks, yt: jax.Array, yp: jax.Array, w: Any,
                   chunk: jax.Array, valid: jax.Array, seed: jax.Array, codes: Any = None
                   ) -> tuple[Any, Checks]:
        state, checks = jax.tree.map(lambda x: x[0], (state, checks))
        state, checks = _local_step(plan, state, checks, yt, yp, w, chunk, valid, seed,
                                    rows_per_chunk, codes)
        return jax.tree.map(lambda x: x[None], (state, checks))

    mapped = jax.shard_map(
        per_device, mesh=plan.mesh,
        in_specs=(spec, spec, spec, yp_spec, spec if plan.weighted else None, PartitionSpec(),
                  PartitionSpec(), PartitionSpec()) + ((spec,) if plan.slices else ()),
        out_specs=(spec, spec),
    )
    return jax.jit(mapped, donate_argnums=(0, 1))


@functools.lru_cache(maxsize=64)
def _finisher(plan: _Plan) -> Any:
    """Reduce the per-device states (one collective per reduction kind) and compute the results."""
    spec = PartitionSpec("data")

    def reduce(state: Any, checks: Checks) -> tuple[Any, Checks]:
        state, checks = jax.tree.map(lambda x: x[0], (state, checks))
        reduce_state = _over_leading(plan, lambda s: plan.collection.all_reduce(s, "data"))
        return reduce_state(state), _all_reduce(checks)

    # check_vma off: a buffer statistic (ExactAUC) reduces with all_gather, replicated by design
    return jax.jit(jax.shard_map(reduce, mesh=plan.mesh, in_specs=(spec, spec),
                                 out_specs=(PartitionSpec(), PartitionSpec()), check_vma=False))


def _all_reduce(checks: Checks) -> Checks:
    from jmetrics.metrics._state import all_reduce

    return all_reduce(checks, "data")  # type: ignore[no-any-return]


def _over_leading(plan: _Plan, fn: Any) -> Any:
    """``fn`` of one state, mapped over the state's model, bootstrap and slice axes."""
    if plan.slices:
        fn = jax.vmap(fn)
    if plan.bootstrap:
        fn = jax.vmap(fn)
    if plan.models:
        fn = jax.vmap(fn)
    return fn


@functools.lru_cache(maxsize=64)
def _compute(plan: _Plan) -> Any:
    return jax.jit(_over_leading(plan, plan.collection.compute))


def _stack(tree: Any, *sizes: int) -> Any:
    return jax.tree.map(lambda x: jnp.broadcast_to(x, (*sizes, *jnp.shape(x))), tree)

