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
    from jmetrics.engine._sources import open_column

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
              max_rows: int = 200_000) -> None:
    """Draw one row of panels per prediction set and save the figure to ``path``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from jmetrics.engine._auto import pick_metrics

    fig, axes = plt.subplots(len(sets), 3, figsize=(13, 4 * len(sets)), squeeze=False)
    for row, (title, (yt, yp, _)) in zip(axes, sets.items(), strict=True):
        t = _sample(yt, "y_true", 0, max_rows)
        p = _sample(yp, "y_pred", 1 if model_axis == 0 else 0, max_rows)
        if model_axis is not None:
            p = np.take(p, 0, axis=model_axis)  # the first model's predictions
        task = pick_metrics(t, p).task
        label = f"{title}: " if title else ""
        if task in ("binary", "multilabel"):
            _binary(row, t.reshape(-1).astype(np.float64), p.reshape(-1).astype(np.float64), label)
        elif task == "multiclass":
            _confusion(fig, row, t, p, label)
        else:
            _regression(row, t.reshape(-1).astype(np.float64), p.reshape(-1).astype(np.float64),
                        label)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def _binary(row: Any, y: np.ndarray, s: np.ndarray, label: str) -> None:
    fpr, tpr, recall, precision = _curves(y, s)
    auc = float(np.trapezoid(tpr, fpr))
    row[0].plot(fpr, tpr, label=f"AUC {auc:.4f}")
    row[0].plot([0, 1], [0, 1], ls=":", c="gray")
    row[0].set(title=f"{label}ROC", xlabel="false positive rate", ylabel="true positive rate")
    row[0].legend(loc="lower right")
    row[1].plot(recall, precision)
    row[1].set(title=f"{label}precision-recall", xlabel="recall", ylabel="precision",
               ylim=(0, 1.02))
    prob = s if (s.min() >= 0 and s.max() <= 1) else 1 / (1 + np.exp(-s))
    bins = np.minimum((prob * 10).astype(int), 9)
    counts = np.bincount(bins, minlength=10)
    hit = np.bincount(bins, weights=y, minlength=10) / np.maximum(counts, 1)
    conf = np.bincount(bins, weights=prob, minlength=10) / np.maximum(counts, 1)
    keep = counts > 0
    row[2].plot(conf[keep], hit[keep], marker="o")
    row[2].plot([0, 1], [0, 1], ls=":", c="gray")
    row[2].set(title=f"{label}calibration", xlabel="mean predicted probability",
               ylabel="fraction of positives")


def _confusion(fig: Any, row: Any, t: np.ndarray, p: np.ndarray, label: str) -> None:
    classes = p.shape[-1]
    truth = t.reshape(-1).astype(int) if t.ndim == 1 or t.shape[-1] == 1 else t.argmax(-1)
    pred = p.reshape(-1, classes).argmax(-1)
    cm = np.zeros((classes, classes))
    np.add.at(cm, (np.clip(truth, 0, classes - 1), pred), 1)
    norm = cm / np.maximum(cm.sum(axis=1, keepdims=True), 1)
    image = row[0].imshow(norm, cmap="Blues", vmin=0, vmax=1)
    row[0].set(title=f"{label}confusion matrix (row-normalised)", xlabel="predicted",
               ylabel="true")
    fig.colorbar(image, ax=row[0])
    per_class = np.diag(cm) / np.maximum(cm.sum(axis=1), 1)
    row[1].bar(np.arange(classes), per_class)
    row[1].set(title=f"{label}recall per class", xlabel="class", ylim=(0, 1))
    confidence = p.reshape(-1, classes).max(-1)
    row[2].hist(confidence, bins=30)
    row[2].set(title=f"{label}top-class confidence", xlabel="probability")


def _regression(row: Any, y: np.ndarray, p: np.ndarray, label: str) -> None:
    row[0].hexbin(y, p, gridsize=50, bins="log", mincnt=1)
    lo, hi = float(min(y.min(), p.min())), float(max(y.max(), p.max()))
    row[0].plot([lo, hi], [lo, hi], ls=":", c="gray")
    row[0].set(title=f"{label}predicted vs true", xlabel="true", ylabel="predicted")
    row[1].hist(p - y, bins=60)
    row[1].set(title=f"{label}residuals", xlabel="predicted - true")
    row[2].scatter(p, p - y, s=1, alpha=0.2)
    row[2].set(title=f"{label}residuals vs predicted", xlabel="predicted", ylabel="residual")
