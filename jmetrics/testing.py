"""``check_metric``: the laws every streaming metric obeys, checkable on your own metric.

jmetrics' test suite holds every built-in streaming metric to these laws; a metric you write
(see docs/custom-metrics.md) can be held to the same ones in your own tests, as scikit-learn's
``check_estimator`` does for estimators:

- **type**: ``init()`` has exactly the tree, shapes and dtypes of an updated state (so a jitted
  step never retraces and a state can be carried through ``lax.scan``);
- **jit**: ``jax.jit(update)`` equals the eager ``update`` and traces once per input shape;
- **merge**: ``init()`` is the identity of ``merge``, which is associative and commutative, and
  merging the states of any split of the stream equals the state of the whole stream, which
  equals the stream given as one batch (a metric whose value depends on where the stream is cut,
  such as a window of updates, says ``split_invariant = False``: then merging the states of two
  streams updated in lockstep must equal the stream whose every update joins both batches);
- **weights**: weight 1 equals no weight, weight 0 equals removing the row (even when the row's
  float inputs are NaN, as padding and skipped rows may be), and an empty batch changes nothing;
- **donation**: a state can be donated to a jitted update (no two leaves share a buffer);
- **devices**: states updated on several devices and reduced with the metric's ``all_reduce``
  (what ``evaluate``, ``sharded_update`` and ``reduce_state`` do) equal one device's state.

Everything runs on whatever JAX backend is present; the devices law maps the shards with
``jax.vmap`` over a named axis, which runs the same collectives as a multi-device ``shard_map``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import jax
import numpy as np

__all__ = ["LAWS", "check_metric"]

Batch = tuple[Any, ...]

LAWS = ("type", "jit", "merge", "weights", "donation", "devices")


def check_metric(metric: Any, batches: Sequence[Batch], *, rtol: float = 1e-5,
                 atol: float = 1e-6, laws: Sequence[str] = LAWS, seed: int = 0) -> None:
    """Check that ``metric`` obeys the streaming laws on ``batches``; raise AssertionError if not.

    ``metric`` is any object with ``init / update / merge / compute`` (a :class:`Metric`, a
    :class:`~jmetrics.Collection`, your own class). ``batches`` is a list of at least 3 tuples of
    the positional inputs of ``update`` after the state (``(y_true, y_pred)``, or ``(values,)``
    for ``Mean``; an input may be a dict of arrays, as ``MultitaskWrapper`` takes), each with the
    rows on axis 0 and at least 2 rows; the weights laws pass random
    ``sample_weight`` vectors of their own. The laws named in ``laws`` (default all of
    :data:`LAWS`) are checked; every broken one is reported in one AssertionError naming the law.

    >>> import numpy as np, jmetrics
    >>> rng = np.random.default_rng(0)
    >>> batches = [(rng.normal(size=(n, 2)), rng.normal(size=(n, 2))) for n in (4, 3, 5)]
    >>> check_metric(jmetrics.metrics.MeanSquaredError(), batches)  # silent: every law holds
    """
    unknown = sorted(set(laws) - set(LAWS))
    if unknown:
        raise ValueError(f"check_metric: laws must be among {LAWS}; got {unknown}.")
    batches = [tuple(_map(np.asarray, x) for x in b) for b in batches]
    if len(batches) < 3 or any(_n(b[0]) < 2 for b in batches):
        raise ValueError("check_metric: batches must hold at least 3 batches of at least 2 rows; "
                         f"got {[_n(b[0]) for b in batches]} rows.")
    rng = np.random.default_rng(seed)
    weights = [rng.uniform(0.5, 2.0, _n(b[0])).astype(np.float32) for b in batches]
    broken = []
    for law in laws:
        try:
            _CHECKS[law](metric, batches, weights, _Close(rtol, atol))
        except AssertionError as err:
            broken.append(f"{law}: {err}")
        except (ValueError, TypeError, RuntimeError) as err:  # RuntimeError: XLA's refusals
            broken.append(f"{law}: raised {type(err).__name__}: {err}")
    if broken:
        name = getattr(metric, "display_name", None) or type(metric).__name__
        raise AssertionError(f"check_metric: {name} breaks {len(broken)} law(s):\n"
                             + "\n".join(broken))


class _Close:
    """``assert_allclose`` over two pytrees (NaN equals NaN), with the check's tolerances."""

    def __init__(self, rtol: float, atol: float) -> None:
        self.rtol, self.atol = rtol, atol

    def __call__(self, got: Any, want: Any, what: str) -> None:
        if str(jax.tree.structure(got)) != str(jax.tree.structure(want)):
            raise AssertionError(f"{what}: results of different structure")
        for g, w in zip(jax.tree.leaves(got), jax.tree.leaves(want), strict=True):
            g, w = np.asarray(g, np.float64), np.asarray(w, np.float64)
            if g.shape != w.shape or not np.allclose(g, w, self.rtol, self.atol, equal_nan=True):
                raise AssertionError(f"{what}: {_short(g)} != {_short(w)}")


def _map(f: Callable[..., Any], *xs: Any) -> Any:
    """``f`` of the arrays of one input of each batch in ``xs`` (key by key for dict inputs)."""
    if isinstance(xs[0], dict):
        return {k: f(*(x[k] for x in xs)) for k in xs[0]}
    return f(*xs)


def _n(x: Any) -> int:
    """The number of rows of an input."""
    return len(next(iter(x.values()))) if isinstance(x, dict) else len(x)


def _join(batches: Sequence[Batch]) -> Batch:
    """The batches as one batch."""
    return tuple(_map(lambda *a: np.concatenate(a), *(b[i] for b in batches))
                 for i in range(len(batches[0])))


def _short(x: np.ndarray) -> str:
    return np.array2string(x, precision=6, threshold=8)


def _types(tree: Any) -> tuple[Any, list[tuple[tuple[int, ...], Any, bool]]]:
    """Structure, and each leaf's shape, dtype and weak type (a weak leaf retraces once)."""
    return jax.tree.structure(tree), [
        (tuple(np.shape(x)), np.dtype(x.dtype), bool(getattr(x, "weak_type", False)))
        for x in jax.tree.leaves(tree)]


def _run(metric: Any, batches: Sequence[Batch], weights: Sequence[Any] | None = None,
         state: Any = None, update: Callable[..., Any] | None = None) -> Any:
    update = metric.update if update is None else update
    state = metric.init() if state is None else state
    for i, batch in enumerate(batches):
        state = update(state, *batch, sample_weight=None if weights is None else weights[i])
    return state


def _type_law(metric: Any, batches: Sequence[Batch], weights: Sequence[Any], close: _Close) -> None:
    empty, updated = metric.init(), _run(metric, batches[:1], weights[:1])
    if _types(empty) != _types(updated):
        raise AssertionError(f"init() is {_types(empty)}, an updated state {_types(updated)}")
    if _types(jax.eval_shape(metric.init)) != _types(empty):
        raise AssertionError("jax.eval_shape(init) differs from init()")


def _jit_law(metric: Any, batches: Sequence[Batch], weights: Sequence[Any], close: _Close) -> None:
    traces = []

    def counted(state: Any, *inputs: Any, sample_weight: Any = None) -> Any:
        traces.append(1)
        return metric.update(state, *inputs, sample_weight=sample_weight)

    same = [batches[0], batches[0], batches[0]]
    jitted = _run(metric, same, [weights[0]] * 3, update=jax.jit(counted))
    if len(traces) != 1:
        raise AssertionError(f"3 updates of one input shape traced {len(traces)} times")
    close(metric.compute(jitted), metric.compute(_run(metric, same, [weights[0]] * 3)),
          "jit(update) vs eager update")


def _merge_law(metric: Any, batches: Sequence[Batch], weights: Sequence[Any],
               close: _Close) -> None:
    a, b = _run(metric, batches[:1], weights[:1]), _run(metric, batches[1:2], weights[1:2])
    c = _run(metric, batches[2:], weights[2:])
    value = metric.compute
    close(value(metric.merge(metric.init(), a)), value(a), "merge(init(), a) vs a")
    close(value(metric.merge(a, b)), value(metric.merge(b, a)), "merge(a, b) vs merge(b, a)")
    close(value(metric.merge(metric.merge(a, b), c)), value(metric.merge(a, metric.merge(b, c))),
          "merge(merge(a, b), c) vs merge(a, merge(b, c))")
    if not getattr(metric, "split_invariant", True):
        # a window of updates: states of streams updated in lockstep merge into the stream
        # whose every update joins their batches of that step
        other, other_w = [batches[2], batches[0]], [weights[2], weights[0]]
        lockstep = metric.merge(_run(metric, batches[:2], weights[:2]),
                                _run(metric, other, other_w))
        joined = _run(metric, [_join([x, y]) for x, y in zip(batches[:2], other, strict=True)],
                      [np.concatenate([x, y]) for x, y in zip(weights[:2], other_w, strict=True)])
        close(value(lockstep), value(joined), "merged states of lockstep streams vs joined steps")
        return
    whole = _run(metric, batches, weights)
    close(value(metric.merge(metric.merge(a, b), c)), value(whole),
          "merged states of a split stream vs the whole stream")
    one = _join(batches)
    close(value(metric.update(metric.init(), *one, sample_weight=np.concatenate(weights))),
          value(whole), "the stream as one batch vs in batches")


def _weights_law(metric: Any, batches: Sequence[Batch], weights: Sequence[Any],
                 close: _Close) -> None:
    value, batch = metric.compute, batches[0]
    ones = [np.ones(_n(b[0]), np.float32) for b in batches]
    close(value(_run(metric, batches, ones)), value(_run(metric, batches)),
          "sample_weight of ones vs no sample_weight")
    w = weights[0].copy()
    w[0] = 0.0
    kept = metric.update(metric.init(), *(_map(lambda a: a[1:], x) for x in batch),
                         sample_weight=w[1:])
    close(value(metric.update(metric.init(), *batch, sample_weight=w)), value(kept),
          "a row of weight 0 vs the row removed")
    with_empty = metric.update(kept, *(_map(lambda a: a[:0], x) for x in batch),
                               sample_weight=w[:0])
    close(value(with_empty), value(kept), "an empty batch vs no batch")
    poisoned = tuple(_map(_nan_row, x) for x in batch)  # padding and skipped rows may hold anything
    if any(np.issubdtype(a.dtype, np.floating) for x in batch
           for a in (x.values() if isinstance(x, dict) else [x])):
        close(value(metric.update(metric.init(), *poisoned, sample_weight=w)), value(kept),
              "NaN inputs in a row of weight 0 vs the row removed")


def _nan_row(x: np.ndarray) -> np.ndarray:
    """``x`` with its first row NaN if it is a float array (labels stay as they are)."""
    if not np.issubdtype(x.dtype, np.floating):
        return x
    x = x.copy()
    x[0] = np.nan
    return x


def _donation_law(metric: Any, batches: Sequence[Batch], weights: Sequence[Any],
                  close: _Close) -> None:
    donated = jax.jit(lambda s, *a, sample_weight: metric.update(s, *a, sample_weight=sample_weight),
                      donate_argnums=0)
    same = [batches[0], batches[0]]
    close(metric.compute(_run(metric, same, [weights[0]] * 2, update=donated)),
          metric.compute(_run(metric, same, [weights[0]] * 2)), "a donated state vs a kept one")


def _devices_law(metric: Any, batches: Sequence[Batch], weights: Sequence[Any],
                 close: _Close) -> None:
    """Four shards of one batch, each folded on its own "device", reduced over the mapped axis."""
    shards = 4
    batch = _join(batches)
    w = np.concatenate(weights)
    rows = len(w) // shards * shards
    split = [_map(lambda a: a[:rows].reshape(shards, rows // shards, *a.shape[1:]), x)
             for x in (*batch, w)]
    reduce = getattr(metric, "all_reduce", None)
    if reduce is None:
        from jmetrics.metrics._state import reduce_over_axis

        def reduce(state: Any, axis: str) -> Any:
            return reduce_over_axis(state, axis, merge=metric.merge, who="check_metric")

    def per_device(*xs: Any) -> Any:
        state = metric.update(metric.init(), *xs[:-1], sample_weight=xs[-1])
        return reduce(state, "devices")

    try:
        reduced = jax.vmap(per_device, axis_name="devices")(*split)
    except ValueError as err:
        raise AssertionError(f"the state cannot be reduced across devices: {err}") from None
    first = jax.tree.map(lambda x: x[0], reduced)
    whole = metric.update(metric.init(), *(_map(lambda a: a[:rows], x) for x in batch),
                          sample_weight=w[:rows])
    close(metric.compute(first), metric.compute(whole),
          f"{shards} devices' states reduced with all_reduce vs one device")


_CHECKS: dict[str, Callable[[Any, Sequence[Batch], Sequence[Any], _Close], None]] = {
    "type": _type_law, "jit": _jit_law, "merge": _merge_law, "weights": _weights_law,
    "donation": _donation_law, "devices": _devices_law,
}
