"""Bench cases derived from the registry, for every metric without a hand-written case.

A hand-written :class:`~jmetrics.bench._cases.Case` carries peers and a NumPy reference. Every
other registry entry still gets a case, whose fields are derived here from the entry's facts
(``jmetrics.bench._cases`` turns them into cases): its streaming class
(built with the class's ``example_args``), else its per-sample function (streamed through
``MeanMetricWrapper``); every ``jmetrics.sk`` function of ``SK_ENTRIES`` gets one too, named
``sk.<function>``. The input kind of the entry (``Metric.input_kind`` vocabulary, or the kind of an
``SkEntry``) picks the inputs of :mod:`jmetrics.bench._data`; a generic case times jmetrics and
the read-reduce floor only (no peers, no reference), so ``jmetrics bench -m <any registry name>``
runs. Adding an entry adds its case: nothing here names a metric.
"""

from __future__ import annotations

from typing import Any

__all__ = ["BENCH_KIND", "GenericSpec", "generic_specs"]

GenericSpec = dict[str, Any]  # keyword arguments of Case: name, family, kind, jm, classes

# Registry input kind -> the bench input kind that feeds it.
BENCH_KIND: dict[str, str] = {
    "values": "regression",  # Mean and Sum read y_pred as the values
    "regression": "regression",
    "multitask": "regression",  # each task reads the same regression columns
    "binary": "binary",
    "labels": "labels",
    "sparse": "sparse",
    "categorical": "categorical",
    "multilabel": "categorical",  # one-hot rows are 0/1 label rows and graded relevances
    "sklabels": "binary",  # the scores thresholded at 0.5 give the predicted labels
    "skbinary": "binary",
    "sksparse": "sparse",
    "skregression": "regression",
}


def _classes(metric: Any) -> int:
    """The class count a metric (or the metric it wraps) was built for; 10 otherwise."""
    for m in (metric, getattr(metric, "metric", None)):
        n = getattr(m, "num_classes", None)
        if isinstance(n, int):
            return n
    return 10


def _entry_spec(entry: Any) -> GenericSpec | None:
    if entry.streaming is not None:
        cls = entry.streaming
        try:
            metric = cls(**cls.example_args)
        except TypeError:  # needs an argument no example gives (MeanMetricWrapper's fn)
            return dict(name=entry.name, family=entry.family, kind="regression",
                        jm=("class", entry.name, {}))
        return dict(name=entry.name, family=entry.family, kind=BENCH_KIND[metric.input_kind],
                    jm=("class", entry.name, dict(cls.example_args)), classes=_classes(metric))
    if entry.kernel is not None:
        return dict(name=entry.name, family=entry.family, kind=BENCH_KIND[entry.kind],
                    jm=("kernel", entry.name, {}))
    return None


def generic_specs(entries: Any, sk_entries: Any, covered: set[int],
                  timed_sk: set[int]) -> list[GenericSpec]:
    """Case fields for each entry whose id is not in ``covered`` and each ``jmetrics.sk`` function
    whose id is not in ``timed_sk`` (those have hand-written cases)."""
    specs = [s for e in entries if id(e) not in covered and (s := _entry_spec(e)) is not None]
    specs += [dict(name=f"sk.{s.fn.__name__}", family="sk", kind=BENCH_KIND[s.kind],
                   jm=("sk", s.fn.__name__, dict(s.options)))
              for s in sk_entries if id(s.fn) not in timed_sk]
    return specs
