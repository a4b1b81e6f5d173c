"""The policy table: every public unit under its public name, with its bad-input row.

The rows are registry facts: each :class:`~jmetrics.adapter._entry.Entry` gives the row of its
per-sample function, streaming class and function forms (``Entry.policy_of``: its family's default
unless the entry says otherwise), each :class:`~jmetrics.adapter._entry.SkEntry` the row of its
``jmetrics.sk`` function, each ``AUTO`` string the row of its dispatching function. The units
above the registry (``Collection``, ``evaluate``, ``jmetrics eval``) have their rows here.
``tests/test_adversarial*.py`` holds every unit to its row, eagerly and under ``jax.jit``, against
the oracles (Keras 3, scikit-learn 1.9.1, or a float64 NumPy formula), and ``docs/bad-input.md``
is generated from the same table. The outcomes and family defaults are in ``_outcomes.py``.
"""

from __future__ import annotations

from functools import cache, lru_cache
from typing import Any

from jmetrics.adapter._outcomes import (
    ENGINE,
    INPUT_CLASSES,
    MEMBERS,
    MEMBERS_ROW,
    NA,
    OUTCOMES,
    Outcome,
    Policy,
)
from jmetrics.adapter._strings import _AUTO_FUNCTIONS
from jmetrics.adapter._table import AUTO, ENTRIES, SK_ENTRIES, revision

__all__ = ["INPUT_CLASSES", "MEMBERS", "NA", "OUTCOMES", "Outcome", "Policy", "policy_of",
           "policy_table", "utilities"]


def _system_rows() -> dict[str, tuple[Any, Policy]]:
    """The units above the registry (imported here, lazily: they sit on higher layers)."""
    from jmetrics.adapter._compile import Collection
    from jmetrics.engine import _evaluate

    return {"jmetrics.Collection": (Collection, MEMBERS_ROW),
            "jmetrics.evaluate": (_evaluate.evaluate, ENGINE)}


def _registry_rows() -> dict[str, tuple[Any, Policy]]:
    """Each registered unit under its public name (first entry wins for a shared unit)."""
    rows: dict[str, tuple[Any, Policy]] = {}
    for spec in SK_ENTRIES:
        rows.setdefault(f"jmetrics.sk.{spec.fn.__name__}", (spec.fn, spec.row))
    for auto in AUTO:
        rows.setdefault(f"jmetrics.{auto.name}", (_AUTO_FUNCTIONS[auto.name], auto.policy))
    for entry in ENTRIES:
        for unit, policy in entry.rows:
            home = "jmetrics." if unit is entry.kernel else "jmetrics.metrics."
            rows.setdefault(home + unit.__name__, (unit, policy))
    return rows


def _section(name: str) -> int:
    return 0 if name.startswith("jmetrics.sk.") else 2 if name.startswith("jmetrics.metrics.") else 1


def _table() -> tuple[tuple[str, Any, Policy], ...]:
    return _table_at(revision())


@lru_cache(maxsize=1)
def _table_at(rev: int) -> tuple[tuple[str, Any, Policy], ...]:
    rows = _registry_rows() | _system_rows()
    ordered = sorted(rows, key=lambda n: (_section(n), n))
    return tuple((n, *rows[n]) for n in ordered)


def policy_table() -> dict[str, tuple[Any, Policy]]:
    """Every public unit under its public name: ``name -> (unit, policy)``.

    ``jmetrics.sk.*``, then ``jmetrics.*`` (per-sample functions, ``Collection``, ``evaluate``),
    then ``jmetrics.metrics.*`` (streaming classes, function forms), each sorted, then
    ``jmetrics eval``.
    """
    from jmetrics.cli import _eval

    table = {name: (unit, policy) for name, unit, policy in _table()}
    table["jmetrics eval"] = (_eval.run, ENGINE)
    return table


def policy_of(unit: Any) -> Policy | None:
    """The policy of a public unit (function, class, ``Collection``...); ``None`` if it has none."""
    return next((p for _, u, p in _table() if u is unit), None)


@cache
def utilities() -> tuple[Any, ...]:
    """The public callables that are not metric units: they take no data to score."""
    import jmetrics.adapter as adapter
    import jmetrics.collection as collection
    import jmetrics.distributed as distributed
    import jmetrics.engine as engine
    import jmetrics.history as history
    from jmetrics.metrics._base import Metric
    from jmetrics.sk._common import UndefinedMetricWarning

    return (adapter.get, adapter.get_metric, adapter.serialize, adapter.deserialize,
            adapter.clone_metric, adapter.clone_metrics, adapter.register_metric,
            adapter.metric_info, adapter.metric_name, adapter.metric_names,
            adapter.resolve_accuracy, adapter.Entry, collection.CollectionState,
            collection.pad_batch, history.History, history.format_logs, history.format_value,
            engine.Picked, engine.demo_data, engine.pick_metrics, engine.check_gates,
            engine.plot_slices, Metric,
            UndefinedMetricWarning,
            *(getattr(distributed, n) for n in distributed.__all__))
