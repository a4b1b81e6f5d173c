"""The speed targets, each measured A/B interleaved and reported as ratios.

Every target returns a :class:`TargetResult` (checks met or missed, and by how much) and the
jmetrics callable it timed, so the pytest-benchmark suite can time the same thing. A target whose
jmetrics side has not landed yet returns a result with a note and no checks, never an error; so does
a peer that is not installed. This module holds the registry (``TARGETS``, ``run_all``,
``describe``); the targets live in one module per family: ``_target_elementwise``,
``_target_collection``, ``_target_auc`` and ``_engine``.

Targets:

- ``elementwise``: every elementwise metric at 1e7 rows reaches >= 70% of the bandwidth of a plain
  jitted read-reduce of the same bytes.
- ``collection8``: ``Collection`` of 8 regression metrics >= 10x NumPy one after another and >= 2x
  8 separately jitted metrics.
- ``train_step``: ``Collection(accuracy, mse, AUC)`` on a 128 x 10 batch, jitted and donated: <= 1.5x
  an identity step, >= 6x cheaper than torchmetrics, >= 20x than Keras 3 eager; compile < 2 s.
- ``roc_auc_exact``: ``jmetrics.sk.roc_auc_score`` at 1e7 >= 3x faster than scikit-learn's, on
  the host and under ``jax.jit``.
- ``binned_auc``: ``AUC(num_thresholds=200).update`` at 1e7 >= 10x faster than Keras 3's
  ``AUC.update_state``, with XLA scratch memory far below thresholds x N.
- ``histogram_auc``: ``HistogramAUC.update`` at 1e7 within 3x of a plain jitted read.
- ``engine``: a 10-metric and a 4-metric ``evaluate`` from .npy files and from Parquet >= 2x NumPy
  loading and computing, >= 1.5x a polars lazy scan and >= 2x DuckDB over the same Parquet file;
  the default non-finite check <= 1.1x ``'propagate'``; rows/s and peak RSS of every side.
- ``import_time``: wall time and peak RSS of ``import jmetrics``, of its first metric and of its
  heavier submodules, each in a fresh interpreter (reported, no goal).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from jmetrics.bench._report import fmt_time
from jmetrics.bench._target_auc import binned_auc, histogram_auc, roc_auc_exact
from jmetrics.bench._target_collection import collection8, train_step
from jmetrics.bench._target_common import Check, TargetResult, Timed
from jmetrics.bench._target_elementwise import elementwise
from jmetrics.bench._target_import import import_time

__all__ = ["TARGETS", "Check", "TargetResult", "describe", "run_all"]


# -- the engine --------------------------------------------------------------------------------------


def engine(rows: int = 10**7, budget: float = 1.0) -> Timed:  # noqa: ARG001 - same signature
    """Rows/s of a 10-metric ``jmetrics.evaluate`` from .npy files vs NumPy reading the files, each
    in a fresh subprocess (so peak RSS is its own)."""
    from jmetrics.bench import _engine

    return _engine.engine_target(rows)


TARGETS: dict[str, Callable[..., Timed]] = {
    "elementwise": elementwise, "collection8": collection8, "train_step": train_step,
    "roc_auc_exact": roc_auc_exact, "binned_auc": binned_auc, "histogram_auc": histogram_auc,
    "engine": engine, "import_time": import_time,
}


def run_all(backend: str = "cpu", *, budget: float = 1.0, quiet: bool = False,
            rows: int = 10**7, engine_rows: int | None = None,
            names: list[str] | None = None) -> list[TargetResult]:
    """The targets ``names`` (default: all) at ``rows`` (the engine at ``engine_rows``, default
    ``rows``; the training step at its batch); progress on stderr unless ``quiet``."""
    out = []
    for name in names or list(TARGETS):
        if name not in TARGETS:
            raise ValueError(f"jmetrics bench: targets must be among {list(TARGETS)}; got {name!r}.")
        fn = TARGETS[name]
        kw: dict[str, Any] = {"budget": budget}
        if name == "engine":
            kw["rows"] = engine_rows or rows
        elif name != "train_step":
            kw["rows"] = rows
        if name != "engine":
            kw["backend"] = backend
        try:
            result, _ = fn(**kw)
        except Exception as err:  # noqa: BLE001 - one broken target must not hide the others
            result = TargetResult(name, "failed")
            result.notes.append(f"failed: {type(err).__name__}: {str(err)[:200]}")
        if not quiet:
            print(f"  target {result.line()}", file=sys.stderr, flush=True)
        out.append(result)
    return out


def describe(result: TargetResult) -> str:
    """Times and checks, several lines (what the pytest suite and the CLI print)."""
    lines = [f"{result.name}: {result.description}"]
    lines += [f"  {k}: {fmt_time(v)}" for k, v in result.times.items()]
    lines += [f"  {k}: {v:.3g}" if isinstance(v, float) else f"  {k}: {v}"
              for k, v in result.extra.items()]
    lines += [f"  {c.text()}" for c in result.checks]
    lines += [f"  note: {n}" for n in result.notes]
    return "\n".join(lines)
