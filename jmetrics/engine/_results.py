"""Results: the run's checks and overflow flags raised as errors, then the metrics computed."""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from jmetrics.engine._inputs import _Source
from jmetrics.engine._step import Checks, _compute, _over_leading, _Plan

__all__ = ["_raise_on_checks", "_results"]

_WHO = "evaluate"


def _raise_on_checks(plan: _Plan, checks: Checks, source: _Source) -> None:
    """The value checks of the pass (``Checks``) as errors, before any result is computed."""
    bad, first = int(checks.bad_rows), int(checks.first_bad)
    if bad and plan.nonfinite == "error":
        raise ValueError(f"{_WHO}: y_true/y_pred have {bad} row(s) with NaN or inf (first at row "
                         f"{first}); pass on_nonfinite='ignore' (CLI: --nonfinite ignore) to skip "
                         "them or 'propagate' to keep them.")
    bad, first = int(checks.bad_weights), int(checks.first_bad_weight)
    if bad and plan.nonfinite == "error":
        raise ValueError(f"{_WHO}: sample_weight must be finite; got {bad} NaN or inf weight(s) "
                         f"(first at row {first}). Pass on_nonfinite='ignore' (CLI: --nonfinite "
                         "ignore) to skip those rows or 'propagate' to keep them.")
    bad, first = int(checks.negative_weights), int(checks.first_negative)
    if bad and plan.nonfinite != "propagate":
        raise ValueError(f"{_WHO}: sample_weight must be non-negative; got {bad} negative "
                         f"weight(s) (first at row {first}). Pass on_nonfinite='propagate' (CLI: "
                         "--nonfinite propagate) to let the metrics use them as Keras does.")
    c = plan.sparse_classes
    if c:
        lo, hi = float(checks.label_lo), float(checks.label_hi)
        if int(checks.fractional):
            raise ValueError(f"{_WHO}: y_true must hold integer class ids for y_pred's {c} "
                             f"classes; got {int(checks.fractional)} fractional label(s).")
        if lo < 0 or hi >= c:
            raise ValueError(f"{_WHO}: y_true labels must be in [0, {c}) for y_pred's {c} classes; "
                             f"got labels from {lo:g} to {hi:g}.")


def _raise_on_overflow(plan: _Plan, state: Any) -> None:
    """A buffer statistic (ExactAUC) that ran out of capacity must not give a number."""
    for metric, stat in zip(plan.collection.groups, state.stats, strict=True):
        flag = getattr(stat, "overflow", None)
        if flag is not None and bool(np.any(np.asarray(flag))):
            raise ValueError(f"{_WHO}: {metric.display_name}: capacity must hold every row; got "
                             f"more rows than capacity={getattr(metric, 'capacity', '?')}. "
                             "Increase capacity.")


def _results(plan: _Plan, state: Any, confidence: float, slices: Any = None,
             min_slice_size: int = 1, baseline: int | None = None) -> dict[str, Any]:
    """The metrics' values (with bootstrap columns), keyed as Keras would log them; with slices,
    ``"slices"`` (and ``"slices_dropped"``); with a baseline model, ``"compare"``."""
    _raise_on_overflow(plan, state)
    overall_plan = plan._replace(slices=0, slice_mode="")
    overall = _fold_slices(plan)(state) if plan.slices else state
    values = _values(overall_plan, overall)
    out = _format(plan, values, confidence)
    if baseline is not None:
        out["compare"] = _compare(plan, values, confidence, baseline)
    if not plan.slices:
        return out
    axis = int(plan.models) + int(bool(plan.bootstrap))
    per_slice = {k: np.moveaxis(v, axis, 0) for k, v in _values(plan, state).items()}
    out["slices"] = {}
    for s, (value, rows) in enumerate(zip(slices.values, slices.rows.tolist(), strict=True)):
        if rows < min_slice_size:
            continue
        mine = {k: v[s] for k, v in per_slice.items()}
        entry = _format(plan, mine, confidence)
        entry["rows"] = int(rows)
        if baseline is not None:
            entry["compare"] = _compare(plan, mine, confidence, baseline)
        out["slices"][value] = entry
    out["slices_dropped"] = slices.count - len(out["slices"])
    return out


def _values(plan: _Plan, state: Any) -> dict[str, np.ndarray]:
    """Every key's value as a NumPy array, in the collection's order (then spread dict keys)."""
    computed = _compute(plan)(state)
    order = [k for k in plan.collection.keys if k in computed]
    order += [k for k in computed if k not in order]
    return {k: np.asarray(computed[k]) for k in order}


@functools.lru_cache(maxsize=16)
def _fold_slices(plan: _Plan) -> Any:
    """The whole data's state: the slices' states merged (merge is associative)."""
    import jax

    def fold(states: Any) -> Any:
        first = jax.tree.map(lambda x: x[0], states)
        rest = jax.tree.map(lambda x: x[1:], states)

        def body(acc: Any, s: Any) -> tuple[Any, None]:
            merged = plan.collection.merge(acc, s)
            return jax.tree.map(lambda m, a: m.astype(a.dtype), merged, acc), None

        return jax.lax.scan(body, first, rest)[0]

    return jax.jit(_over_leading(plan._replace(slices=0), fold))


def _format(plan: _Plan, values: dict[str, np.ndarray], confidence: float) -> dict[str, Any]:
    """Point values, and with bootstrap ``.stderr``, ``.ci_low`` and ``.ci_high`` columns."""
    out: dict[str, Any] = {}
    axis = 1 if plan.models else 0
    for name, v in values.items():
        if not plan.bootstrap:
            out[name] = _py(v)
            continue
        point, reps = np.take(v, 0, axis=axis), np.delete(v, 0, axis=axis)
        out[name] = _py(point)
        out.update({f"{name}.{k}": c for k, c in _interval(reps, axis, confidence).items()})
    return out


def _interval(reps: np.ndarray, axis: int, confidence: float) -> dict[str, Any]:
    """Standard error and percentile interval of bootstrap replicates along ``axis``."""
    alpha = (1 - confidence) / 2
    return {"stderr": _py(np.std(reps, axis=axis, ddof=1)),
            "ci_low": _py(np.quantile(reps, alpha, axis=axis)),
            "ci_high": _py(np.quantile(reps, 1 - alpha, axis=axis))}


def _compare(plan: _Plan, values: dict[str, np.ndarray], confidence: float, baseline: int
             ) -> dict[str, dict[str, dict[str, Any]]]:
    """Every other model minus the baseline, per metric: ``diff`` and, with bootstrap, the
    ``stderr`` and interval of the per-replicate differences (paired: every model of a
    replicate saw the same weights)."""
    out: dict[str, dict[str, dict[str, Any]]] = {}
    models = next(iter(values.values())).shape[0] if values else 0
    for k in range(models):
        if k == baseline:
            continue
        entry: dict[str, dict[str, Any]] = {}
        for name, v in values.items():
            diff = v[k] - v[baseline]
            if not plan.bootstrap:
                entry[name] = {"diff": _py(diff)}
                continue
            entry[name] = {"diff": _py(diff[0]), **_interval(diff[1:], 0, confidence)}
        out[f"model_{k}"] = entry
    return out


def _py(v: np.ndarray) -> Any:
    return float(v) if np.ndim(v) == 0 else v
