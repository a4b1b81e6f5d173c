"""The benchmark catalogue: one :class:`Case` per metric, grouped by family.

A case says what inputs its metric takes (see :mod:`jmetrics.bench._data`), how jmetrics computes
it (a streaming class updated once from ``init()`` and computed, a kernel streamed through
``MeanMetricWrapper``, or a scikit-learn-named function), and how each peer computes the same
number. The jmetrics side is a registry string: the entry (``jmetrics.adapter.metric_info``) holds
the class, the kernel and the ``jmetrics.sk`` function themselves, read when a case runs (so
importing the catalogue imports no JAX). Peer callables receive peer-native inputs prepared
outside the timed region (see :mod:`jmetrics.bench._peers`).

``CASES`` are the hand-written cases (``'all'`` and the families select among them); every other
registry entry and ``jmetrics.sk`` function has a case derived from the registry
(:mod:`jmetrics.bench._generic`), found by :func:`case` under any of its names.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from jmetrics.bench._generic import generic_specs
from jmetrics.bench._references import (
    EPS,
    K,
    bce,
    bfocal,
    binned_auc,
    cce,
    cfocal,
    concordance,
    exact_auc,
    f1,
    histogram_auc,
    l2n,
    mean_iou,
    pearson,
    precision,
    recall,
    topk,
)

__all__ = ["CASES", "FAMILIES", "Case", "Skip", "case", "generic_cases", "jmetrics_function",
           "select"]



class Skip(Exception):  # noqa: N818 - a reason, not a failure
    """This implementation cannot run here; the message says why (shown as a note)."""


@dataclasses.dataclass(frozen=True, eq=False)
class Case:
    """One metric to benchmark.

    ``jm`` is ``(part, metric, options)``: ``metric`` a registry string, ``part`` which of its
    entry's objects runs: ``"class"`` (the streaming class), ``"kernel"`` (the per-sample function,
    streamed through ``MeanMetricWrapper``) or ``"function"`` (the ``jmetrics.sk`` function,
    called as is: it may do host work); or ``part`` is ``"sk"`` and ``metric`` the name of a
    ``jmetrics.sk`` function of ``SK_ENTRIES`` (called on its kind's 1-D inputs). Peer entries
    are callables, ``None`` where the peer has no such metric.
    """

    name: str
    family: str
    kind: str  # input kind, see jmetrics.bench._data.KINDS
    jm: tuple[str, str, dict[str, Any]]
    numpy: Callable[..., Any] | None = None  # f(t, p) on host float32 arrays
    sklearn: Callable[..., Any] | None = None  # f(sklearn.metrics, t, p)
    torch: Callable[..., Any] | None = None  # f(torch, torchmetrics.functional, t, p, t_long)
    keras: tuple[str, dict[str, Any]] | None = None  # (keras.metrics class or "fn:<loss>", options)
    metrax: Callable[..., Any] | None = None  # f(metrax, t, p) traced under jax.jit
    classes: int = 10
    elementwise: bool = False  # subject to the 70%-of-read-reduce target
    tol: float = 1e-3  # relative agreement of jmetrics and the NumPy reference (checked each run)
    notes: dict[str, str] = dataclasses.field(default_factory=dict)  # peer -> caveat


# -- the catalogue --------------------------------------------------------------------------------


def _cls(metric: str, **options: Any) -> tuple[str, str, dict[str, Any]]:
    return ("class", metric, options)


def _kernel(metric: str, **options: Any) -> tuple[str, str, dict[str, Any]]:
    return ("kernel", metric, options)


def _labels(t: np.ndarray) -> np.ndarray:
    return t.argmax(axis=-1)


def _tf(t: Any) -> Any:  # torch: (n, 1) -> (n,)
    return t.reshape(-1)


TORCH_CE = "torch.nn.functional (torchmetrics has no crossentropy)"

CASES: tuple[Case, ...] = (
    # regression: (n, 1) float32, positive targets
    Case("mse", "regression", "regression", _cls("MeanSquaredError"),
         numpy=lambda t, p: np.mean((t - p) ** 2),
         sklearn=lambda sk, t, p: sk.mean_squared_error(t, p),
         torch=lambda th, F, t, p, ti: F.mean_squared_error(p, t),
         keras=("MeanSquaredError", {}),
         metrax=lambda mx, t, p: mx.MSE.from_model_output(predictions=p, labels=t).compute(),
         elementwise=True),
    Case("rmse", "regression", "regression", _cls("RootMeanSquaredError"),
         numpy=lambda t, p: np.sqrt(np.mean((t - p) ** 2)),
         sklearn=lambda sk, t, p: sk.root_mean_squared_error(t, p),
         torch=lambda th, F, t, p, ti: F.mean_squared_error(p, t, squared=False),
         keras=("RootMeanSquaredError", {}),
         metrax=lambda mx, t, p: mx.RMSE.from_model_output(predictions=p, labels=t).compute(),
         elementwise=True),
    Case("mae", "regression", "regression", _cls("MeanAbsoluteError"),
         numpy=lambda t, p: np.mean(np.abs(t - p)),
         sklearn=lambda sk, t, p: sk.mean_absolute_error(t, p),
         torch=lambda th, F, t, p, ti: F.mean_absolute_error(p, t),
         keras=("MeanAbsoluteError", {}),
         metrax=lambda mx, t, p: mx.MAE.from_model_output(predictions=p, labels=t).compute(),
         elementwise=True),
    Case("mape", "regression", "regression", _cls("MeanAbsolutePercentageError"),
         numpy=lambda t, p: 100 * np.mean(np.abs((t - p) / np.maximum(np.abs(t), EPS))),
         sklearn=lambda sk, t, p: 100 * sk.mean_absolute_percentage_error(t, p),  # a fraction
         torch=lambda th, F, t, p, ti: 100 * F.mean_absolute_percentage_error(p, t),
         keras=("MeanAbsolutePercentageError", {}), elementwise=True),
    Case("msle", "regression", "regression", _cls("MeanSquaredLogarithmicError"),
         numpy=lambda t, p: np.mean((np.log1p(np.maximum(p, EPS)) - np.log1p(np.maximum(t, EPS))) ** 2),
         sklearn=lambda sk, t, p: sk.mean_squared_log_error(t, p),
         torch=lambda th, F, t, p, ti: F.mean_squared_log_error(p, t),
         keras=("MeanSquaredLogarithmicError", {}), elementwise=True),
    Case("logcosh", "regression", "regression", _cls("LogCoshError"),
         numpy=lambda t, p: np.mean(np.log(np.cosh(p - t))),
         torch=lambda th, F, t, p, ti: F.log_cosh_error(p, t),
         keras=("LogCoshError", {}), elementwise=True),
    Case("huber", "regression", "regression", _kernel("huber"),
         numpy=lambda t, p: np.mean(np.where(np.abs(p - t) <= 1, 0.5 * (p - t) ** 2, np.abs(p - t) - 0.5)),
         keras=("fn:huber", {}), elementwise=True),
    Case("cosine", "regression", "regression", _cls("CosineSimilarity"),
         numpy=lambda t, p: np.mean(np.sum(l2n(t) * l2n(p), axis=-1)),
         torch=lambda th, F, t, p, ti: F.cosine_similarity(p, t, reduction="mean"),
         keras=("CosineSimilarity", {}), elementwise=True),
    Case("poisson", "probabilistic", "regression", _cls("Poisson"),
         numpy=lambda t, p: np.mean(p - t * np.log(p + EPS)),
         keras=("Poisson", {}), elementwise=True),
    Case("r2", "regression", "regression", _cls("R2Score", num_outputs=1),
         numpy=lambda t, p: 1 - np.sum((t - p) ** 2) / np.sum((t - t.mean()) ** 2),
         sklearn=lambda sk, t, p: sk.r2_score(t, p),
         torch=lambda th, F, t, p, ti: F.r2_score(_tf(p), _tf(t)),
         keras=("R2Score", {}),
         metrax=lambda mx, t, p: mx.RSQUARED.from_model_output(predictions=p, labels=t).compute()),
    # accuracy family
    Case("accuracy", "accuracy", "labels", _cls("exact_accuracy"),
         numpy=lambda t, p: np.mean(t == p),
         sklearn=lambda sk, t, p: sk.accuracy_score(t.ravel(), p.ravel()),
         torch=lambda th, F, t, p, ti: F.classification.multiclass_accuracy(
             _tf(p), _tf(ti), num_classes=10, average="micro"),
         keras=("Accuracy", {}),
         metrax=lambda mx, t, p: mx.Accuracy.from_model_output(predictions=p, labels=t).compute(),
         elementwise=True),
    Case("binary_accuracy", "accuracy", "binary", _cls("BinaryAccuracy"),
         numpy=lambda t, p: np.mean(t == (p > 0.5)),
         sklearn=lambda sk, t, p: sk.accuracy_score(t.ravel(), p.ravel() > 0.5),
         torch=lambda th, F, t, p, ti: F.classification.binary_accuracy(_tf(p), _tf(ti)),
         keras=("BinaryAccuracy", {}), elementwise=True),
    Case("categorical_accuracy", "accuracy", "categorical", _cls("CategoricalAccuracy"),
         numpy=lambda t, p: np.mean(_labels(t) == _labels(p)),
         sklearn=lambda sk, t, p: sk.accuracy_score(_labels(t), _labels(p)),
         torch=lambda th, F, t, p, ti: F.classification.multiclass_accuracy(
             p, t.argmax(-1), num_classes=10, average="micro"),
         keras=("CategoricalAccuracy", {}), elementwise=True),
    Case("sparse_categorical_accuracy", "accuracy", "sparse", _cls("SparseCategoricalAccuracy"),
         numpy=lambda t, p: np.mean(t == _labels(p)),
         sklearn=lambda sk, t, p: sk.accuracy_score(t, _labels(p)),
         torch=lambda th, F, t, p, ti: F.classification.multiclass_accuracy(
             p, ti, num_classes=10, average="micro"),
         keras=("SparseCategoricalAccuracy", {}), elementwise=True),
    Case("top_k_categorical_accuracy", "accuracy", "categorical", _cls("TopKCategoricalAccuracy"),
         numpy=lambda t, p: topk(_labels(t), p),
         sklearn=lambda sk, t, p: sk.top_k_accuracy_score(_labels(t), p, k=K, labels=np.arange(10)),
         torch=lambda th, F, t, p, ti: F.classification.multiclass_accuracy(
             p, t.argmax(-1), num_classes=10, top_k=K, average="micro"),
         keras=("TopKCategoricalAccuracy", {}), elementwise=True),
    Case("sparse_top_k_categorical_accuracy", "accuracy", "sparse",
         _cls("SparseTopKCategoricalAccuracy"),
         numpy=topk,
         sklearn=lambda sk, t, p: sk.top_k_accuracy_score(t, p, k=K, labels=np.arange(10)),
         torch=lambda th, F, t, p, ti: F.classification.multiclass_accuracy(
             p, ti, num_classes=10, top_k=K, average="micro"),
         keras=("SparseTopKCategoricalAccuracy", {}), elementwise=True),
    # probabilistic (crossentropy family, divergences)
    Case("binary_crossentropy", "crossentropy", "binary", _cls("BinaryCrossentropy"),
         numpy=bce,
         sklearn=lambda sk, t, p: sk.log_loss(t.ravel(), p.ravel(), labels=[0, 1]),
         torch=lambda th, F, t, p, ti: th.nn.functional.binary_cross_entropy(p, t),
         keras=("BinaryCrossentropy", {}), elementwise=True, notes={"torchmetrics": TORCH_CE}),
    Case("categorical_crossentropy", "crossentropy", "categorical",
         _cls("CategoricalCrossentropy"),
         numpy=cce,
         sklearn=lambda sk, t, p: sk.log_loss(_labels(t), p, labels=np.arange(10)),
         torch=lambda th, F, t, p, ti: th.nn.functional.nll_loss(th.log(p), t.argmax(-1)),
         keras=("CategoricalCrossentropy", {}), elementwise=True,
         notes={"torchmetrics": TORCH_CE}),
    Case("sparse_categorical_crossentropy", "crossentropy", "sparse",
         _cls("SparseCategoricalCrossentropy"),
         numpy=lambda t, p: -np.mean(np.log(np.clip(p[np.arange(t.size), t], EPS, 1 - EPS))),
         sklearn=lambda sk, t, p: sk.log_loss(t, p, labels=np.arange(10)),
         torch=lambda th, F, t, p, ti: th.nn.functional.nll_loss(th.log(p), ti),
         keras=("SparseCategoricalCrossentropy", {}), elementwise=True,
         notes={"torchmetrics": TORCH_CE}),
    Case("binary_focal_crossentropy", "crossentropy", "binary",
         _kernel("binary_focal_crossentropy"), numpy=bfocal,
         keras=("fn:binary_focal_crossentropy", {}), elementwise=True),
    Case("categorical_focal_crossentropy", "crossentropy", "categorical",
         _kernel("categorical_focal_crossentropy"), numpy=cfocal,
         keras=("fn:categorical_focal_crossentropy", {}), elementwise=True),
    Case("kl_divergence", "probabilistic", "distribution", _cls("KLDivergence"),
         numpy=lambda t, p: np.mean(np.sum(np.clip(t, EPS, 1) * np.log(np.clip(t, EPS, 1)
                                                                      / np.clip(p, EPS, 1)), -1)),
         torch=lambda th, F, t, p, ti: F.kl_divergence(t, p),
         keras=("KLDivergence", {}), elementwise=True),
    # hinge
    Case("hinge", "hinge", "binary", _cls("Hinge"),
         numpy=lambda t, p: np.mean(np.maximum(1 - (2 * t - 1) * p, 0)),
         sklearn=lambda sk, t, p: sk.hinge_loss(2 * t.ravel() - 1, p.ravel()),
         torch=lambda th, F, t, p, ti: F.classification.binary_hinge_loss(_tf(p), _tf(ti)),
         keras=("Hinge", {}), elementwise=True),
    Case("squared_hinge", "hinge", "binary", _cls("SquaredHinge"),
         numpy=lambda t, p: np.mean(np.maximum(1 - (2 * t - 1) * p, 0) ** 2),
         torch=lambda th, F, t, p, ti: F.classification.binary_hinge_loss(
             _tf(p), _tf(ti), squared=True),
         keras=("SquaredHinge", {}), elementwise=True),
    Case("categorical_hinge", "hinge", "categorical", _cls("CategoricalHinge"),
         numpy=lambda t, p: np.mean(np.maximum(
             np.max((1 - t) * p, -1) - np.sum(t * p, -1) + 1, 0)),
         sklearn=lambda sk, t, p: sk.hinge_loss(_labels(t), p, labels=np.arange(10)),
         torch=lambda th, F, t, p, ti: F.classification.multiclass_hinge_loss(
             p, t.argmax(-1), num_classes=10),
         keras=("CategoricalHinge", {}), elementwise=True),
    # correlation (per sample, over the last axis)
    Case("pearson_correlation", "correlation", "distribution", _cls("PearsonCorrelation"),
         numpy=pearson,
         torch=lambda th, F, t, p, ti: F.pearson_corrcoef(p.T, t.T).mean(),
         keras=("PearsonCorrelation", {})),
    Case("concordance_correlation", "correlation", "distribution",
         _cls("ConcordanceCorrelation"), numpy=concordance,
         torch=lambda th, F, t, p, ti: F.concordance_corrcoef(p.T, t.T).mean(),
         keras=("ConcordanceCorrelation", {})),
    # confusion-matrix metrics (binary, threshold 0.5)
    Case("precision", "confusion", "binary", _cls("Precision"),
         numpy=precision,
         sklearn=lambda sk, t, p: sk.precision_score(t.ravel(), p.ravel() > 0.5),
         torch=lambda th, F, t, p, ti: F.classification.binary_precision(_tf(p), _tf(ti)),
         keras=("Precision", {}),
         metrax=lambda mx, t, p: mx.Precision.from_model_output(predictions=p, labels=t).compute()),
    Case("recall", "confusion", "binary", _cls("Recall"),
         numpy=recall,
         sklearn=lambda sk, t, p: sk.recall_score(t.ravel(), p.ravel() > 0.5),
         torch=lambda th, F, t, p, ti: F.classification.binary_recall(_tf(p), _tf(ti)),
         keras=("Recall", {}),
         metrax=lambda mx, t, p: mx.Recall.from_model_output(predictions=p, labels=t).compute()),
    Case("f1_score", "fbeta", "binary", _cls("F1Score", average="micro", threshold=0.5),
         numpy=f1,
         sklearn=lambda sk, t, p: sk.f1_score(t.ravel(), p.ravel() > 0.5),
         torch=lambda th, F, t, p, ti: F.classification.binary_f1_score(_tf(p), _tf(ti)),
         keras=("F1Score", {"average": "micro", "threshold": 0.5}),
         metrax=lambda mx, t, p: mx.FBetaScore.from_model_output(predictions=p, labels=t).compute()),
    Case("mean_iou", "iou", "labels", _cls("MeanIoU", num_classes=10),
         numpy=mean_iou,
         sklearn=lambda sk, t, p: sk.jaccard_score(t.ravel(), p.ravel(), average="macro"),
         torch=lambda th, F, t, p, ti: F.classification.multiclass_jaccard_index(
             _tf(p).long(), _tf(ti), num_classes=10, average="macro"),
         keras=("MeanIoU", {"num_classes": 10})),
    # AUC: Keras-compatible binned (200 thresholds) and exact (scikit-learn's)
    Case("auc", "auc", "binary", _cls("AUC", num_thresholds=200),
         numpy=binned_auc,
         sklearn=lambda sk, t, p: sk.roc_auc_score(t.ravel(), p.ravel()),
         torch=lambda th, F, t, p, ti: F.classification.binary_auroc(_tf(p), _tf(ti), thresholds=200),
         keras=("AUC", {"num_thresholds": 200}),
         metrax=lambda mx, t, p: mx.AUCROC.from_model_output(predictions=p.ravel(),
                                                             labels=t.ravel()).compute(),
         notes={"sklearn": "exact (sklearn has no binned AUC)"},
         tol=2e-2),  # Keras' 200 thresholds vs NumPy's 200 bins
    Case("histogram_auc", "auc", "binary", _cls("HistogramAUC", num_bins=4096),
         numpy=histogram_auc,
         sklearn=lambda sk, t, p: sk.roc_auc_score(t.ravel(), p.ravel()),
         torch=lambda th, F, t, p, ti: F.classification.binary_auroc(_tf(p), _tf(ti)),
         notes={"sklearn": "exact (sklearn has no histogram AUC)",
                "torchmetrics": "exact (thresholds=None)"}),
    Case("roc_auc_score", "auc", "binary", ("function", "exact_auc", {}),
         numpy=exact_auc,
         sklearn=lambda sk, t, p: sk.roc_auc_score(t.ravel(), p.ravel()),
         torch=lambda th, F, t, p, ti: F.classification.binary_auroc(_tf(p), _tf(ti))),
)

FAMILIES = tuple(dict.fromkeys(c.family for c in CASES))

_BY_NAME = {c.name: c for c in CASES}
# Shorthands of the bench only (not metric strings); every registry string works too.
_SHORT = {"f1": "f1_score", "acc": "accuracy"}


def generic_cases() -> tuple[Case, ...]:
    """A case for each registry entry and ``jmetrics.sk`` function no hand-written case covers,
    read from the registry as it is now (an entry added later gets its case)."""
    from jmetrics.adapter._table import ENTRIES, SK_ENTRIES

    return _generic_cases(tuple(ENTRIES), tuple(SK_ENTRIES))


@functools.lru_cache(maxsize=2)
def _generic_cases(entries: tuple[Any, ...], sk_entries: tuple[Any, ...]) -> tuple[Case, ...]:
    from jmetrics.adapter import metric_info

    covered = {id(metric_info(c.jm[1])) for c in CASES}
    timed_sk = {id(_entry(c.jm[1]).sk) for c in CASES if c.jm[0] == "function"}
    return tuple(Case(**spec) for spec in generic_specs(entries, sk_entries, covered, timed_sk))


def _entry(name: str) -> Any:
    """The registry entry of a case's metric string (a concrete entry: cases never name 'acc')."""
    from jmetrics.adapter import metric_info
    from jmetrics.adapter._entry import Entry

    entry = metric_info(name)
    if not isinstance(entry, Entry):
        raise ValueError(f"jmetrics bench: {name!r} names no single metric.")
    return entry


def _by_registry(name: str) -> Case | None:
    """The case of the metric a registry string or a ``jmetrics.sk`` function name names."""
    from jmetrics.adapter import metric_info

    try:
        entry = metric_info(name)
    except ValueError:
        entry = None
    generic = generic_cases()
    if entry is not None:
        return next((c for c in CASES + generic
                     if c.jm[0] != "sk" and metric_info(c.jm[1]) is entry), None)
    bare = name.removeprefix("sk.")
    sk_case = next((c for c in generic if c.jm[0] == "sk" and c.jm[1] == bare), None)
    return sk_case or next((c for c in CASES if c.jm[0] == "function"
                            and getattr(_entry(c.jm[1]).sk, "__name__", None) == bare), None)


def case(name: str) -> Case:
    """The case for ``name`` (a case name, a registry string, a ``jmetrics.sk`` function name,
    ``sk.<function>`` or a shorthand), else ValueError."""
    key = _SHORT.get(name.lower(), name.lower())
    found = _BY_NAME.get(name) or _by_registry(name) or _BY_NAME.get(key)
    if found is not None:
        return found
    raise ValueError(
        f"jmetrics bench: metric must be one of {sorted(_BY_NAME)}, a family {list(FAMILIES)}, "
        f"'all', or any name `jmetrics list` prints or a jmetrics.sk function; got {name!r}."
    )


def select(names: list[str] | None) -> list[Case]:
    """Cases for names, aliases, families or ``'all'``, in catalogue order, without repeats."""
    if not names:
        return list(CASES)
    chosen: list[Case] = []
    for name in names:
        key = _SHORT.get(name.lower(), name.lower())
        if key == "all":
            chosen.extend(CASES)
        elif key not in _BY_NAME and key in FAMILIES:
            chosen.extend(c for c in CASES if c.family == key)
        else:
            chosen.append(case(name))
    return list(dict.fromkeys(chosen))


def jmetrics_function(c: Case) -> tuple[Callable[..., Any], bool]:
    """``(fn, jit)``: the jmetrics computation of ``c`` from fresh inputs, and whether to jit it."""
    from jmetrics.metrics._reduction import MeanMetricWrapper

    part, metric, options = c.jm
    if part == "sk":
        return _sk_function(c)
    entry = _entry(metric)
    if part == "class":
        try:
            m = entry.streaming(**options)
        except TypeError as err:
            raise Skip(f"{entry.streaming.__name__} needs arguments the registry gives no "
                       f"example of ({err})") from None
        return _class_function(m), True
    if part == "kernel":
        wrapped = MeanMetricWrapper(entry.kernel, **options)
        return (lambda t, p: wrapped.compute(wrapped.update(wrapped.init(), t, p))), True
    sk_fn = entry.sk
    # scikit-learn takes 1-D labels and scores; the inputs are (n, 1) columns
    return (lambda t, p: sk_fn(t.reshape(-1), p.reshape(-1), **options)), False


def _class_function(m: Any) -> Callable[..., Any]:
    """``m`` updated once from ``init()`` and computed, fed as its input kind reads ``(t, p)``."""
    if m.input_kind == "values":  # Mean, Sum: the values alone
        return lambda t, p: m.compute(m.update(m.init(), p))
    if m.input_kind == "multitask":  # every task reads the same columns
        tasks = tuple(m.task_metrics)
        return lambda t, p: m.compute(m.update(m.init(), dict.fromkeys(tasks, t),
                                               dict.fromkeys(tasks, p)))
    return lambda t, p: m.compute(m.update(m.init(), t, p))


def _sk_function(c: Case) -> tuple[Callable[..., Any], bool]:
    """A ``jmetrics.sk`` function of ``SK_ENTRIES`` on 1-D inputs of its kind (host work: no jit)."""
    from jmetrics.adapter._table import SK_ENTRIES

    _, name, options = c.jm
    spec = next(s for s in SK_ENTRIES if s.fn.__name__ == name)
    fn = spec.fn
    if spec.kind == "sklabels":  # predicted labels: the scores thresholded at 0.5
        return (lambda t, p: fn(t.reshape(-1), (p.reshape(-1) > 0.5).astype(t.dtype),
                                **options)), False
    if spec.kind == "sksparse":  # class ids against probability rows, every class named
        labels = tuple(range(c.classes))
        return (lambda t, p: fn(t, p, labels=labels, **options)), False
    if spec.kind == "multilabel":  # 0/1 rows against score rows
        return (lambda t, p: fn(t, p, **options)), False
    return (lambda t, p: fn(t.reshape(-1), p.reshape(-1), **options)), False
