"""Results: the run's checks and overflow flags raised as errors, then the metrics computed."""

from __future__ import annotations

from typing import Any

import numpy as np

from jmetrics.engine._inputs import _Source
from jmetrics.engine._step import Checks, _compute, _Plan

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


def _results(plan: _Plan, state: Any, confidence: float) -> dict[str, Any]:
    """The metrics' values (with bootstrap columns), keyed as Keras would log them."""
    _raise_on_overflow(plan, state)
    computed = _compute(plan)(state)
    # the collection's keys first, then the keys that dict-valued metrics spread into the logs
    order = [k for k in plan.collection.keys if k in computed]
    order += [k for k in computed if k not in order]
    values = {k: np.asarray(computed[k]) for k in order}
    out: dict[str, Any] = {}
    for name, v in values.items():
        if not plan.bootstrap:
            out[name] = _py(v)
            continue
        axis = 1 if plan.models else 0
        point, reps = np.take(v, 0, axis=axis), np.delete(v, 0, axis=axis)
        alpha = (1 - confidence) / 2
        out[name] = _py(point)
        out[f"{name}.stderr"] = _py(np.std(reps, axis=axis, ddof=1))
        out[f"{name}.ci_low"] = _py(np.quantile(reps, alpha, axis=axis))
        out[f"{name}.ci_high"] = _py(np.quantile(reps, 1 - alpha, axis=axis))
    return out


def _py(v: np.ndarray) -> Any:
    return float(v) if np.ndim(v) == 0 else v

