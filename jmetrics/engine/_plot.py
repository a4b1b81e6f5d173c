"""``jmetrics eval --plot``: the pictures that fit the task (matplotlib, imported lazily).

Binary: ROC curve, precision-recall curve and a reliability (calibration) diagram. Multiclass: the
row-normalised confusion matrix. Regression: predicted against true (hexbin) and the residuals.
Curves are drawn from at most ``max_rows`` rows taken evenly through the file (a bounded second
read), so plotting never loads a large file whole; the numbers in the results come from every row.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["plot_sets"]


def _sample(source: Any, name: str, row_axis: int, max_rows: int) -> np.ndarray:
    from jmetrics.engine._files import open_column

    col = open_column(source, name, row_axis)
    step = max(1, col.rows // max_rows)
    if step == 1:
        return col.read(0, col.rows)
    return np.concatenate([col.read(i, i + 1) for i in range(0, col.rows, step)], axis=row_axis)


def _curves(y: np.ndarray, s: np.ndarray) -> tuple[np.ndarray, ...]:
    """ROC (fpr, tpr) and PR (recall, precision) with tied scores grouped (float64, NumPy)."""
    order = np.argsort(-s, kind="mergesort")
    s, y = s[order], y[order]
    last = np.r_[np.flatnonzero(np.diff(s)), s.size - 1]
    tp = np.cumsum(y)[last]
    fp = (last + 1) - tp
    pos, neg = max(tp[-1] if tp.size else 0, 1), max(fp[-1] if fp.size else 0, 1)
    fpr, tpr = np.r_[0, fp / neg], np.r_[0, tp / pos]
    precision = tp / np.maximum(tp + fp, 1)
    return fpr, tpr, tp / pos, precision


def plot_sets(path: str, sets: dict[Any, tuple[Any, Any, Any]], *, model_axis: int | None = None,
              max_rows: int = 200_000, results: dict[Any, dict[str, Any]] | None = None) -> None:
    """Draw one row of panels per prediction set and save the figure to ``path``.

    With ``model_axis``, every model is drawn in each panel, with a legend (the confusion matrix
    shows the first model). ``results`` (the results of each set, keyed as ``sets``): with K
    models or bootstrap intervals, a fourth panel shows each metric per model, the interval
    (``name.ci_low`` to ``name.ci_high``) as error bars.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from jmetrics.engine._auto import pick_metrics

    results = results or {}
    extra = any(_summary_keys(r, model_axis is not None) for r in results.values())
    fig, axes = plt.subplots(len(sets), 4 if extra else 3, figsize=(13 + 4 * extra, 4 * len(sets)),
                             squeeze=False)
    for row, (title, (yt, yp, _)) in zip(axes, sets.items(), strict=True):
        t = _sample(yt, "y_true", 0, max_rows)
        p = _sample(yp, "y_pred", 1 if model_axis == 0 else 0, max_rows)
        models = np.moveaxis(p, model_axis, 0) if model_axis is not None else p[None]
        names: list[str | None] = ([f"model {k}" for k in range(len(models))]
                                  if model_axis is not None else [None])
        task = pick_metrics(t, models[0]).task
        label = f"{title}: " if title else ""
        if task in ("binary", "multilabel"):
            _binary(row, t.reshape(-1).astype(np.float64),
                    [m.reshape(-1).astype(np.float64) for m in models], names, label)
        elif task == "multiclass":
            _confusion(fig, row, t, models, names, label)
        else:
            _regression(row, t.reshape(-1).astype(np.float64),
                        [m.reshape(-1).astype(np.float64) for m in models], names, label)
        if extra:
            _summary(row[3], results.get(title, {}), model_axis is not None, label)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def _legend(ax: Any, names: list[str | None], always: bool = False, **kw: Any) -> None:
    """A legend naming the models (none for a single unnamed series unless ``always``)."""
    if names[0] is not None or always:
        ax.legend(fontsize="small", ncol=1 + len(names) // 8, **kw)


def _binary(row: Any, y: np.ndarray, scores: list[np.ndarray], names: list[str | None],
            label: str) -> None:
    for s, name in zip(scores, names, strict=True):
        fpr, tpr, recall, precision = _curves(y, s)
        auc = float(np.trapezoid(tpr, fpr))
        row[0].plot(fpr, tpr, label=f"{name + ': ' if name else ''}AUC {auc:.4f}")
        row[1].plot(recall, precision, label=name)
        prob = s if (s.min() >= 0 and s.max() <= 1) else 1 / (1 + np.exp(-s))
        bins = np.minimum((prob * 10).astype(int), 9)
        counts = np.bincount(bins, minlength=10)
        hit = np.bincount(bins, weights=y, minlength=10) / np.maximum(counts, 1)
        conf = np.bincount(bins, weights=prob, minlength=10) / np.maximum(counts, 1)
        keep = counts > 0
        row[2].plot(conf[keep], hit[keep], marker="o", label=name)
    row[0].plot([0, 1], [0, 1], ls=":", c="gray")
    row[0].set(title=f"{label}ROC", xlabel="false positive rate", ylabel="true positive rate")
    _legend(row[0], names, loc="lower right", always=True)
    row[1].set(title=f"{label}precision-recall", xlabel="recall", ylabel="precision",
               ylim=(0, 1.02))
    _legend(row[1], names)
    row[2].plot([0, 1], [0, 1], ls=":", c="gray")
    row[2].set(title=f"{label}calibration", xlabel="mean predicted probability",
               ylabel="fraction of positives")
    _legend(row[2], names)


def _confusion(fig: Any, row: Any, t: np.ndarray, models: np.ndarray, names: list[str | None],
               label: str) -> None:
    classes = models.shape[-1]
    truth = t.reshape(-1).astype(int) if t.ndim == 1 or t.shape[-1] == 1 else t.argmax(-1)
    truth = np.clip(truth, 0, classes - 1)
    width = 0.8 / len(models)
    for k, (p, name) in enumerate(zip(models, names, strict=True)):
        pred = p.reshape(-1, classes).argmax(-1)
        cm = np.zeros((classes, classes))
        np.add.at(cm, (truth, pred), 1)
        if k == 0:
            norm = cm / np.maximum(cm.sum(axis=1, keepdims=True), 1)
            image = row[0].imshow(norm, cmap="Blues", vmin=0, vmax=1)
            fig.colorbar(image, ax=row[0])
        per_class = np.diag(cm) / np.maximum(cm.sum(axis=1), 1)
        row[1].bar(np.arange(classes) + (k - (len(models) - 1) / 2) * width, per_class,
                   width=width, label=name)
        row[2].hist(p.reshape(-1, classes).max(-1), bins=30, label=name,
                    histtype="step" if name else "bar")
    first = f" ({names[0]})" if names[0] else ""
    row[0].set(title=f"{label}confusion matrix{first} (row-normalised)", xlabel="predicted",
               ylabel="true")
    row[1].set(title=f"{label}recall per class", xlabel="class", ylim=(0, 1))
    row[2].set(title=f"{label}top-class confidence", xlabel="probability")
    _legend(row[1], names)
    _legend(row[2], names)


def _regression(row: Any, y: np.ndarray, preds: list[np.ndarray], names: list[str | None],
                label: str) -> None:
    lo = float(min(y.min(), *(p.min() for p in preds)))
    hi = float(max(y.max(), *(p.max() for p in preds)))
    for p, name in zip(preds, names, strict=True):
        if name is None:
            row[0].hexbin(y, p, gridsize=50, bins="log", mincnt=1)
        else:
            row[0].scatter(y, p, s=1, alpha=0.3, label=name)
        row[1].hist(p - y, bins=60, label=name, histtype="step" if name else "bar")
        row[2].scatter(p, p - y, s=1, alpha=0.2, label=name)
    row[0].plot([lo, hi], [lo, hi], ls=":", c="gray")
    row[0].set(title=f"{label}predicted vs true", xlabel="true", ylabel="predicted")
    row[1].set(title=f"{label}residuals", xlabel="predicted - true")
    row[2].set(title=f"{label}residuals vs predicted", xlabel="predicted", ylabel="residual")
    for ax in row[:3]:
        _legend(ax, names, markerscale=5)


def _summary_keys(results: dict[str, Any], models: bool) -> list[str]:
    """The scalar (per-model) metrics worth a panel: with K models or with intervals."""
    keys = []
    for key, value in results.items():
        numeric = isinstance(value, (int, float, np.ndarray, np.number))
        if "." in key or key == "slices" or not numeric:
            continue
        if np.ndim(value) != (1 if models else 0):
            continue
        if models or f"{key}.ci_low" in results:
            keys.append(key)
    return keys


def _summary(ax: Any, results: dict[str, Any], models: bool, label: str) -> None:
    """Each metric per model as a point, its bootstrap interval (if any) as an error bar."""
    keys = _summary_keys(results, models)
    if not keys:
        ax.set_axis_off()
        return
    count = len(np.atleast_1d(results[keys[0]]))
    width = 0.8 / count
    for k in range(count):
        x = np.arange(len(keys)) + (k - (count - 1) / 2) * width
        v = np.array([np.atleast_1d(results[key])[k] for key in keys], np.float64)
        bounds = [results.get(f"{key}.ci_low") for key in keys]
        yerr = None
        if all(b is not None for b in bounds):
            low = np.array([np.atleast_1d(results[f"{key}.ci_low"])[k] for key in keys])
            high = np.array([np.atleast_1d(results[f"{key}.ci_high"])[k] for key in keys])
            yerr = np.stack([np.maximum(v - low, 0), np.maximum(high - v, 0)])
        ax.errorbar(x, v, yerr=yerr, fmt="o", capsize=3, label=f"model {k}" if models else None)
    interval = " with intervals" if any(f"{key}.ci_low" in results for key in keys) else ""
    ax.set(title=f"{label}metrics{interval}")
    ax.set_xticks(np.arange(len(keys)), keys, rotation=30, ha="right", fontsize="small")
    if models:
        ax.legend(fontsize="small", ncol=1 + count // 8)
