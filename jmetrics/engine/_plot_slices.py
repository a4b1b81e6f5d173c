"""A metric per slice: points with bootstrap intervals, sorted, the overall value as a reference.

Reads what :func:`jmetrics.evaluate` returns with ``slice_by`` (and optionally ``bootstrap``,
``model_axis``): ``results["slices"][value][metric]`` (a number, or one per model) and the slice's
``metric.ci_low`` / ``metric.ci_high``. matplotlib is imported when a plot is drawn.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

__all__ = ["plot_slices", "plot_slices_figure", "slice_metric_keys"]

_WHO = "plot_slices"


def plot_slices(results: Mapping[str, Any], metric: str, *, path: Any = None, ax: Any = None,
                max_slices: int = 40) -> Any:
    """Draw ``metric`` for every slice of ``results`` as horizontal points with interval whiskers.

    Slices are sorted by their value (of the first model); with more than ``max_slices`` slices
    the ``max_slices`` with the most rows are drawn (the title says how many of how many). Each
    model is one series (a legend names them), its overall value a dashed vertical line of the
    same colour. Whiskers span the slice's bootstrap interval (``ci_low`` to ``ci_high``) when the
    results have one.

    Args:
      results: what ``jmetrics.evaluate(..., slice_by=...)`` returns.
      metric: a key of the results, e.g. ``"auc"``.
      path: if given, the figure is saved there (PNG, SVG... by its extension).
      ax: a matplotlib Axes to draw into (default: a new figure sized for the slices).
      max_slices: the most slices drawn.

    Returns: the matplotlib Axes.
    """
    slices = results.get("slices") if isinstance(results, Mapping) else None
    if not isinstance(slices, Mapping):
        raise ValueError(f"{_WHO}: results must come from evaluate(..., slice_by=...) (a "
                         f"'slices' entry); got keys {sorted(map(str, results))[:8]}.")
    if metric not in slice_metric_keys(results):
        raise ValueError(f"{_WHO}: metric must be a scalar (or per-model) metric of the results; "
                         f"got {metric!r}; the results have {slice_metric_keys(results)}.")
    if isinstance(max_slices, bool) or not isinstance(max_slices, int) or max_slices < 1:
        raise ValueError(f"{_WHO}: max_slices must be a positive integer; got {max_slices!r}.")
    chosen = sorted(slices, key=lambda v: -slices[v].get("rows", 0))[:max_slices]
    value = {v: np.atleast_1d(np.asarray(slices[v][metric], np.float64)) for v in chosen}
    chosen.sort(key=lambda v: (np.nan_to_num(value[v][0], nan=-np.inf)))
    models = len(value[chosen[0]]) if chosen else 1
    if ax is None:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(7, 1.2 + 0.28 * len(chosen) * max(1, models / 2)))
    _draw(ax, results, metric, chosen, value, models)
    shown = f" ({len(chosen)} largest of {len(slices)} slices)" if len(chosen) < len(slices) \
        else ""
    ax.set(title=f"{metric} per slice{shown}", xlabel=metric)
    if path is not None:
        ax.figure.tight_layout()
        ax.figure.savefig(path, dpi=90)
    return ax


def _draw(ax: Any, results: Mapping[str, Any], metric: str, chosen: list[Any],
          value: dict[Any, np.ndarray], models: int) -> None:
    slices = results["slices"]
    step = 0.8 / models
    overall = np.atleast_1d(np.asarray(results.get(metric, np.nan), np.float64))
    for k in range(models):
        y = np.arange(len(chosen)) + (k - (models - 1) / 2) * step
        x = np.array([value[v][k] for v in chosen])
        xerr = _whiskers(slices, metric, chosen, x, k)
        name = f"model {k}" if models > 1 else metric
        drawn = ax.errorbar(x, y, xerr=xerr, fmt="o", capsize=3, ms=4, label=name)
        colour = drawn.lines[0].get_color()
        if k < len(overall) and np.isfinite(overall[k]):
            which = f" (model {k})" if models > 1 else ""
            ax.axvline(overall[k], ls="--", lw=1, color=colour, label=f"overall{which}")
    ax.set_yticks(np.arange(len(chosen)), [_label(v, slices[v]) for v in chosen],
                  fontsize="small")
    ax.legend(fontsize="small", loc="best")


def _whiskers(slices: Mapping[Any, Any], metric: str, chosen: list[Any], x: np.ndarray,
              k: int) -> Any:
    """``[2, S]`` distances to the interval bounds, or None without intervals."""
    lo, hi = f"{metric}.ci_low", f"{metric}.ci_high"
    if not all(lo in slices[v] and hi in slices[v] for v in chosen):
        return None
    low = np.array([np.atleast_1d(slices[v][lo])[k] for v in chosen], np.float64)
    high = np.array([np.atleast_1d(slices[v][hi])[k] for v in chosen], np.float64)
    return np.stack([np.maximum(x - low, 0), np.maximum(high - x, 0)])


def _label(value: Any, entry: Mapping[str, Any]) -> str:
    name = ", ".join(map(str, value)) if isinstance(value, tuple) else str(value)
    return f"{name} (n={entry['rows']})" if "rows" in entry else name


def slice_metric_keys(results: Mapping[str, Any]) -> list[str]:
    """The metrics of the results that have one number (or one per model) in every slice."""
    slices = results.get("slices") or {}
    first: Mapping[str, Any] = next(iter(slices.values()), {})
    return [k for k, v in first.items() if "." not in k and k not in ("rows", "compare")
            and isinstance(v, (int, float, np.ndarray, np.number)) and np.ndim(v) <= 1
            and not isinstance(v, bool)]


def plot_slices_figure(path: Any, results_by_set: Mapping[Any, Mapping[str, Any]], *,
                       max_slices: int = 40) -> Any:
    """One panel per metric (and per prediction set, a row each) of :func:`plot_slices`, saved
    to ``path``; the (closed) figure is returned. ``jmetrics eval --slice-by ... --plot``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [(title, r, slice_metric_keys(r)) for title, r in results_by_set.items()
            if r.get("slices")]
    if not rows:
        raise ValueError(f"{_WHO}: no slices in the results to plot.")
    cols = max(len(keys) for _, _, keys in rows)
    count = max(min(len(r["slices"]), max_slices) for _, r, _ in rows)
    fig, axes = plt.subplots(len(rows), cols, squeeze=False,
                             figsize=(5.5 * cols, (1.5 + 0.28 * count) * len(rows)))
    for (title, results, keys), line in zip(rows, axes, strict=True):
        for ax, key in zip(line, keys, strict=False):
            plot_slices(results, key, ax=ax, max_slices=max_slices)
            if title:
                ax.set_title(f"{title}: {ax.get_title()}")
        for ax in line[len(keys):]:
            ax.set_axis_off()
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)  # saved; its Axes stay readable
    return fig
