"""NumPy references of the benchmark cases, written from the formula as a user would (float32 in,
vectorised). Each computes the same number as its case's jmetrics metric; the bench checks they
agree in every run."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["EPS", "K", "bce", "bfocal", "binned_auc", "cce", "cfocal", "concordance", "confusion", "exact_auc", "f1", "histogram_auc", "l2n", "mean_iou", "pearson", "precision", "recall", "topk"]

EPS = np.float32(1e-7)  # Keras' epsilon
K = 5  # top-k



def l2n(x: np.ndarray) -> np.ndarray:
    return x / np.sqrt(np.maximum(np.sum(x * x, axis=-1, keepdims=True), np.float32(1e-12)))


def bce(t: np.ndarray, p: np.ndarray) -> Any:
    pc = np.clip(p, EPS, 1 - EPS)
    return -np.mean(t * np.log(pc) + (1 - t) * np.log(1 - pc))


def cce(t: np.ndarray, p: np.ndarray) -> Any:
    pc = np.clip(p / p.sum(axis=-1, keepdims=True), EPS, 1 - EPS)
    return -np.mean(np.sum(t * np.log(pc), axis=-1))


def bfocal(t: np.ndarray, p: np.ndarray) -> Any:
    pc = np.clip(p, EPS, 1 - EPS)
    bce = -(t * np.log(pc) + (1 - t) * np.log(1 - pc))
    pt = t * pc + (1 - t) * (1 - pc)
    return np.mean((1 - pt) ** 2 * bce)


def cfocal(t: np.ndarray, p: np.ndarray) -> Any:
    pc = np.clip(p / p.sum(axis=-1, keepdims=True), EPS, 1 - EPS)
    return np.mean(np.sum(0.25 * (1 - pc) ** 2 * -t * np.log(pc), axis=-1))


def topk(labels: np.ndarray, p: np.ndarray) -> Any:
    top = np.argpartition(p, -K, axis=-1)[:, -K:]
    return np.mean(np.any(top == labels[:, None], axis=-1))


def pearson(t: np.ndarray, p: np.ndarray) -> Any:
    tc, pc = t - t.mean(-1, keepdims=True), p - p.mean(-1, keepdims=True)
    return np.mean(np.sum(tc * pc, -1) / np.sqrt(np.sum(tc * tc, -1) * np.sum(pc * pc, -1)))


def concordance(t: np.ndarray, p: np.ndarray) -> Any:
    tm, pm = t.mean(-1), p.mean(-1)
    cov = np.mean((t - tm[:, None]) * (p - pm[:, None]), -1)
    return np.mean(2 * cov / (t.var(-1) + p.var(-1) + (tm - pm) ** 2))


def confusion(t: np.ndarray, p: np.ndarray) -> tuple[Any, Any, Any]:
    pred, pos = p > 0.5, t > 0.5
    return np.sum(pred & pos), np.sum(pred & ~pos), np.sum(~pred & pos)


def precision(t: np.ndarray, p: np.ndarray) -> Any:
    tp, fp, _ = confusion(t, p)
    return tp / (tp + fp)


def recall(t: np.ndarray, p: np.ndarray) -> Any:
    tp, _, fn = confusion(t, p)
    return tp / (tp + fn)


def f1(t: np.ndarray, p: np.ndarray) -> Any:
    tp, fp, fn = confusion(t, p)
    return 2 * tp / (2 * tp + fp + fn)


def binned_auc(t: np.ndarray, p: np.ndarray, num_thresholds: int = 200) -> Any:
    """Keras-style AUC from histograms of 200 uniform bins (the trapezoid of the binned ROC)."""
    bins = np.clip((p.ravel() * (num_thresholds - 1)).astype(np.int64), 0, num_thresholds - 1)
    pos = np.bincount(bins, weights=t.ravel(), minlength=num_thresholds)
    neg = np.bincount(bins, weights=1 - t.ravel(), minlength=num_thresholds)
    tpr = np.concatenate([np.cumsum(pos[::-1])[::-1], [0.0]]) / pos.sum()
    fpr = np.concatenate([np.cumsum(neg[::-1])[::-1], [0.0]]) / neg.sum()
    return np.sum((fpr[:-1] - fpr[1:]) * (tpr[:-1] + tpr[1:]) / 2)


def exact_auc(t: np.ndarray, p: np.ndarray) -> Any:
    """Exact ROC AUC: one sort, ties grouped (sklearn's curve, trapezoid)."""
    order = np.argsort(p.ravel(), kind="stable")[::-1]
    s, y = p.ravel()[order], t.ravel()[order]
    last = np.r_[np.flatnonzero(np.diff(s)), y.size - 1]
    tps = np.cumsum(y)[last]
    fps = (last + 1) - tps
    tpr, fpr = np.r_[0, tps] / tps[-1], np.r_[0, fps] / fps[-1]
    return np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2)


def histogram_auc(t: np.ndarray, p: np.ndarray, num_bins: int = 4096) -> Any:
    """ROC AUC of scores binned in ``num_bins`` equal bins on [0, 1], ties within a bin counted 1/2
    (the Mann-Whitney statistic of the binned scores)."""
    bins = np.clip((p.ravel() * num_bins).astype(np.int64), 0, num_bins - 1)
    pos = np.bincount(bins, weights=t.ravel(), minlength=num_bins)
    neg = np.bincount(bins, weights=1 - t.ravel(), minlength=num_bins)
    neg_below = np.cumsum(neg) - neg
    return np.sum(pos * (neg_below + neg / 2)) / (pos.sum() * neg.sum())


def mean_iou(t: np.ndarray, p: np.ndarray, c: int = 10) -> Any:
    cm = np.bincount(t.ravel().astype(np.int64) * c + p.ravel(), minlength=c * c).reshape(c, c)
    inter = np.diag(cm)
    union = cm.sum(0) + cm.sum(1) - inter
    return np.mean(inter / np.maximum(union, 1))
