"""Parameter descriptions for the generated reference: signatures plus docstring text.

A parameter's type and default come from ``inspect.signature`` (of the function, or of the
streaming class's constructor); its description from, in order: the ``Args:`` section of the object's
own docstring, the class-specific text in :data:`CLASS_OPTIONS`, the ``Args:`` section of the
per-sample function the class streams, and the Keras 3 meaning in :data:`OPTIONS`.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from typing import Any, NamedTuple

__all__ = ["CLASS_OPTIONS", "COMMON", "OPTIONS", "Param", "class_params", "doc_args",
           "function_params"]

# Options every streaming class takes (keyword-only), described once per page.
COMMON = {
    "name": "the metric's name, its History key (default: Keras 3's default name for the class).",
    "dtype": "accepted for Keras compatibility and kept in ``get_config()``; states accumulate "
             "in float32 (float64 under x64) whatever it is.",
}

# The Keras 3 meaning of an option, whichever class takes it.
OPTIONS = {
    "axis": "the axis holding the classes or features (default the last).",
    "from_logits": "``y_pred`` holds logits: a sigmoid (or softmax) is applied first.",
    "label_smoothing": "in [0, 1]: labels are pulled towards the uniform distribution by this "
                       "fraction before the crossentropy.",
    "ignore_class": "a class id in ``y_true`` whose entries are left out (no loss, no count, as "
                    "Keras 3); may be negative, such as a padding id -1. None: every class counts.",
    "threshold": "a score above it predicts the positive class.",
    "k": "the number of top predictions in which the label must be found.",
    "from_sorted_ids": "``y_pred`` holds class ids sorted by decreasing score (such as the output "
                       "of ``jax.lax.top_k``) instead of scores.",
    "thresholds": "a float or list of floats in [0, 1]: a prediction counts as positive when it "
                  "is above a threshold; one result per threshold (a scalar for one). None: 0.5.",
    "top_k": "only the k largest entries of each row's last axis count as predicted positives "
             "(the thresholds then default to -1e10, so every top-k entry is positive).",
    "class_id": "compute the metric on this one column (class) of the last axis only.",
    "num_thresholds": "the number of thresholds evenly spaced over [0, 1] at which predictions "
                      "are binned (exactly as Keras 3 bins them).",
    "num_classes": "the number of classes C: the state is a C x C confusion matrix.",
    "target_class_ids": "the class ids whose IoU is averaged.",
    "sparse_y_true": "``y_true`` holds class ids; False: one-hot or scores along ``axis`` (argmax).",
    "sparse_y_pred": "``y_pred`` holds class ids; False: scores along ``axis`` (argmax).",
    "average": "how per-class scores combine: None (the vector), 'micro' (pooled counts), "
               "'macro' (unweighted mean) or 'weighted' (mean weighted by each class's support).",
    "beta": "the weight of recall against precision (beta > 1 favours recall).",
    "num_bins": "the number of confidence bins.",
    "strategy": "'uniform' (equal-width bins, exact) or 'quantile' (equal-mass bins formed from "
                "``resolution`` fine bins).",
    "resolution": "the number of fine equal-width bins the 'quantile' bins are formed from.",
    "norm": "'l1' (weighted mean gap, ECE), 'l2' (root weighted mean squared gap) or 'max' (MCE).",
    "gain": "'exponential' (``2**rel - 1``) or 'linear' (``rel``, as scikit-learn's dcg_score).",
    "ignore_ties": "False: tied scores share their mean gain (scikit-learn's expected value); "
                   "True: ties are broken by position.",
    "metric": "the wrapped metric.",
    "labels": "the names of the classes in the keys (default their ids).",
    "prefix": "put before each key.",
    "postfix": "put after each key.",
    "task_metrics": "a dict task name -> metric (or Collection); inputs are dicts with these keys.",
    "maximize": "whether higher is best (default: the wrapped metric's direction).",
    "max_epochs": "the number of epochs the state has room for.",
    "window": "the number of most recent updates the value is computed over.",
}

# The ranking classes' cutoff.
_RANKING_K = ("the cutoff: an int, None (the whole list) or a tuple of them (one result per "
              "cutoff, a dict keyed 'name@k').")

# Options whose meaning depends on the class: (class name, option) -> text.
CLASS_OPTIONS = {
    ("AUC", "num_thresholds"): "the number of thresholds T (>= 2); the grid is "
                               "``[-eps, 1/(T-1), ..., (T-2)/(T-1), 1+eps]``. Ignored when "
                               "``thresholds`` is given.",
    ("AUC", "curve"): "'ROC' (TPR against FPR), 'PR' (precision against recall) or 'PRGAIN' "
                      "(precision gain against recall gain, Keras 3); lower case accepted.",
    ("AUC", "summation_method"): "how each interval's height is taken: 'interpolation' (the mean "
                                 "of its ends; Davis-Goadrich for 'PR'), 'minoring' (the "
                                 "smaller end) or 'majoring' (the larger end).",
    ("AUC", "thresholds"): "the inner thresholds (any order, in [0, 1]), used instead of the even "
                           "grid; the endpoints -eps and 1+eps are added.",
    ("AUC", "multi_label"): "one curve per column of a rank-2 ``y_pred``, the AUCs averaged; "
                            "False: every element is pooled into one curve.",
    ("AUC", "num_labels"): "the number of labels (columns) with ``multi_label=True``; None: taken "
                           "from the first eager batch (``init()`` then needs it).",
    ("AUC", "label_weights"): "non-negative weights per label: the weights of the per-label AUCs' "
                              "average (``multi_label=True``), else of each column's elements.",
    ("AUC", "from_logits"): "``y_pred`` holds logits: a sigmoid is applied first.",
    ("PrecisionAtRecall", "recall"): "the recall in [0, 1] that the threshold must reach.",
    ("RecallAtPrecision", "precision"): "the precision in [0, 1] that the threshold must reach.",
    ("SensitivityAtSpecificity", "specificity"): "the specificity in [0, 1] that the threshold "
                                                 "must reach.",
    ("SpecificityAtSensitivity", "sensitivity"): "the sensitivity in [0, 1] that the threshold "
                                                 "must reach.",
    ("F1Score", "threshold"): "a score above it predicts the class; None: each row's maximum "
                              "(every tie counting).",
    ("FBetaScore", "threshold"): "a score above it predicts the class; None: each row's maximum "
                                 "(every tie counting).",
    ("F1Score", "num_classes"): "the number of classes C, fixing the state's width for "
                                "``init()``; None: taken from the first eager batch (jmetrics "
                                "only).",
    ("FBetaScore", "num_classes"): "the number of classes C, fixing the state's width for "
                                   "``init()``; None: taken from the first eager batch (jmetrics "
                                   "only).",
    ("BinaryIoU", "threshold"): "a score at or above it predicts class 1.",
    ("BinaryIoU", "target_class_ids"): "the classes (0, 1 or both) whose IoU is averaged.",
    ("R2Score", "class_aggregation"): "'uniform_average' (mean over columns), "
                                      "'variance_weighted_average' (weighted by each column's "
                                      "variance) or None (one score per column).",
    ("R2Score", "num_regressors"): "the number of regressors k: k > 0 gives the adjusted R² "
                                   "``1 - (1 - R²)(n - 1)/(n - k - 1)`` when k < n - 1.",
    ("R2Score", "num_outputs"): "the number of output columns d, fixing the state's width for "
                                "``init()``; None: taken from the first eager batch (jmetrics "
                                "only).",
    **{(cls, "k"): _RANKING_K for cls in ("NDCG", "DCG", "PrecisionAtK", "RecallAtK",
                                            "HitRateAtK", "MeanAveragePrecision",
                                            "MeanReciprocalRank")},
    ("MeanMetricWrapper", "fn"): "the per-sample function ``fn(y_true, y_pred, **kwargs)`` to "
                                 "average (hashable: any function is).",
    ("ExactAUC", "capacity"): "the number of rows the buffer keeps; rows beyond it are refused "
                              "(eagerly) or give NaN (under jit).",
    ("ExactAUC", "curve"): "'ROC' (scikit-learn's roc_auc_score) or 'PR' (its "
                           "average_precision_score).",
    ("HistogramAUC", "num_bins"): "the number of equal-width score bins (the error shrinks with it).",
    ("HistogramAUC", "space"): "'probability' (bins on [0, 1]) or 'logit' (bins on "
                               "[-logit_max, logit_max], finer where confident models score).",
    ("HistogramAUC", "curve"): "'ROC' (ROC AUC) or 'PR' (average precision).",
    ("HistogramAUC", "logit_max"): "the half-width of the logit range (``space='logit'``); scores "
                                   "beyond it fall in the end bins.",
    ("MeanMetricWrapper", "kwargs"): "keyword arguments passed to ``fn`` on every call (kept "
                                     "as a sorted tuple, so the metric stays hashable).",
}


class Param(NamedTuple):
    """One documented parameter."""

    name: str
    type: str  # the annotation as written, '' when none
    default: str  # repr of the default, '' when required
    text: str  # its description, '' when none is found


_ENTRY = re.compile(r"^(\*{0,2}\w+)(?: \(([^)]*)\))?:\s*(.*)$")
_ROLE = re.compile(r":\w+:`~?([^`]+)`")


def doc_args(doc: str | None) -> dict[str, str]:
    """The ``Args:`` section of a Google-style docstring: name -> description (one line)."""
    lines = inspect.cleandoc(doc or "").splitlines()
    out: dict[str, str] = {}
    inside, current, indent = False, None, 0
    for line in lines:
        stripped = line.strip()
        if not inside:
            inside = stripped == "Args:"
            continue
        if stripped and not line.startswith(" "):
            break  # the next section (Returns:, prose) starts at column 0
        if not stripped:
            continue
        depth = len(line) - len(line.lstrip())
        match = _ENTRY.match(stripped)
        if match and (current is None or depth <= indent):
            current, indent = match.group(1).lstrip("*"), depth
            out[current] = match.group(3)
        elif current is not None:
            out[current] = f"{out[current]} {stripped}".strip()
    return {k: _ROLE.sub(r"``\1``", v) for k, v in out.items()}


def _type(annotation: Any) -> str:
    if annotation is inspect.Parameter.empty:
        return ""
    if isinstance(annotation, type):
        return annotation.__name__
    return str(annotation).replace("typing.", "")


def function_params(fn: Callable[..., Any]) -> list[Param]:
    """Every parameter of ``fn``, described by its docstring's ``Args:``."""
    texts = doc_args(inspect.getdoc(fn))
    out = []
    for p in inspect.signature(fn).parameters.values():
        name = ("**" if p.kind is p.VAR_KEYWORD else "*" if p.kind is p.VAR_POSITIONAL else "")
        default = "" if p.default is p.empty else repr(p.default)
        out.append(Param(name + p.name, _type(p.annotation), default, texts.get(p.name, "")))
    return out


def class_params(cls: type, kernel: Callable[..., Any] | None = None) -> list[Param]:
    """The constructor options of a streaming class (``name`` and ``dtype`` left out)."""
    from_kernel = doc_args(inspect.getdoc(kernel)) if kernel is not None else {}
    out = []
    for p in function_params(cls):
        key = p.name.lstrip("*")
        if key in COMMON:
            continue
        text = (p.text or CLASS_OPTIONS.get((cls.__name__, key)) or from_kernel.get(key)
                or OPTIONS.get(key, ""))
        out.append(p._replace(text=text))
    return out
