"""The classification report (text or dict), with scikit-learn's name, layout and semantics.

Host only: the result is a string or a dict of Python floats, which ``jit`` cannot return. Every
number comes from this package's :func:`precision_recall_fscore_support` (one call per class table
and one per average, as scikit-learn 1.9.1 makes them, with the same zero-division warnings); the
targets are checked by ``check_targets`` (scikit-learn's ``_check_targets``), so labels may be
numbers, strings or objects and errors name ``classification_report``.
"""

from __future__ import annotations

import numbers
import warnings
from typing import Any

import numpy as np
from jax.typing import ArrayLike

from jmetrics.sk._classification import _prfs
from jmetrics.sk._common import check_targets, is_traced, user_stacklevel

__all__ = ["classification_report"]

_HEADERS = ("precision", "recall", "f1-score", "support")
_LONGEST = "weighted avg"  # the longest heading of the average lines


def _names(metric: str, labels: np.ndarray, labels_given: bool, target_names: Any) -> list[str]:
    """``target_names``, or the labels as text; a length mismatch warns (labels given) or raises."""
    if target_names is not None and len(labels) != len(target_names):
        if labels_given:
            warnings.warn(f"{metric}: labels size, {len(labels)}, does not match size of target_names, "
                          f"{len(target_names)}", UserWarning, stacklevel=user_stacklevel())
        else:
            raise ValueError(f"{metric}: Number of classes, {len(labels)}, does not match size of "
                             f"target_names, {len(target_names)}. Try specifying the labels parameter")
    if target_names is None:
        return ["%s" % label for label in labels]  # noqa: UP031 - scikit-learn's text of a label
    return list(target_names)


def _check_options(metric: str, digits: Any, output_dict: Any) -> None:
    if isinstance(digits, bool) or not isinstance(digits, numbers.Integral) or digits < 0:
        raise ValueError(f"{metric}: digits must be an int >= 0; got {digits!r}.")
    if not isinstance(output_dict, (bool, np.bool_)):
        raise ValueError(f"{metric}: output_dict must be a bool; got {output_dict!r}.")


def classification_report(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    labels: Any = None,
    target_names: Any = None,
    sample_weight: ArrayLike | None = None,
    digits: int = 2,
    output_dict: bool = False,
    zero_division: Any = "warn",
) -> str | dict[str, Any]:
    """Precision, recall, F1 and support per class and averaged, as ``sklearn.metrics.classification_report``.

    One line per label (``labels``, else the sorted labels of ``y_true`` and ``y_pred``), named by
    ``target_names``; then the averages of :func:`precision_recall_fscore_support`: 'micro' (shown
    as ``accuracy``, F1 only, for binary and multiclass targets when the labels cover every label
    present), 'macro', 'weighted' and, for multilabel targets, 'samples'. The support of an average
    line is the total support. Text with ``digits`` decimals in scikit-learn's exact layout, or
    (``output_dict=True``) ``{name: {'precision', 'recall', 'f1-score', 'support'}}`` of unrounded
    Python floats with ``'accuracy'`` a float. ``zero_division`` as in
    :func:`precision_recall_fscore_support`. Host only: ``TypeError`` inside ``jit``.

    >>> import jmetrics.sk as sk
    >>> print(sk.classification_report([0, 1, 2, 2, 2], [0, 0, 2, 2, 1],
    ...                                target_names=["class 0", "class 1", "class 2"], zero_division=0))
                  precision    recall  f1-score   support
    <BLANKLINE>
         class 0       0.50      1.00      0.67         1
         class 1       0.00      0.00      0.00         1
         class 2       1.00      0.67      0.80         3
    <BLANKLINE>
        accuracy                           0.60         5
       macro avg       0.50      0.56      0.49         5
    weighted avg       0.70      0.60      0.61         5
    <BLANKLINE>
    """
    metric = "classification_report"
    if is_traced(y_true, y_pred, sample_weight):
        raise TypeError(f"{metric}: returns text or a dict, so it cannot be traced; call it outside jit "
                        "(precision_recall_fscore_support is jittable).")
    _check_options(metric, digits, output_dict)
    t = check_targets(metric, y_true, y_pred, sample_weight)
    labels_given = labels is not None
    labels = np.asarray(labels) if labels_given else t.classes
    micro_is_accuracy = t.kind in ("binary", "multiclass") and (
        not labels_given or set(labels.tolist()) >= set(t.classes.tolist()))
    names = _names(metric, labels, labels_given, target_names)
    if not output_dict and not names:  # scikit-learn fails on max() of no names
        raise ValueError(f"{metric}: the text report needs at least one label name; got labels="
                         f"{labels.tolist()} and target_names={target_names!r}.")

    def prfs(average: str | None) -> tuple[Any, Any, Any, Any]:
        return _prfs(metric, y_true, y_pred, beta=1.0, labels=labels, pos_label=1, average=average,
                     warn_for=("precision", "recall", "f-score"), sample_weight=sample_weight,
                     zero_division=zero_division)

    p, r, f1, s = prfs(None)
    rows = [(name, p[i], r[i], f1[i], s[i]) for i, name in enumerate(names[:len(p)])]
    averages = ("micro", "macro", "weighted") + (("samples",) if t.kind.startswith("multilabel") else ())
    lines = []
    for average in averages:
        heading = "accuracy" if average == "micro" and micro_is_accuracy else f"{average} avg"
        avg_p, avg_r, avg_f1, _ = prfs(average)
        lines.append((heading, avg_p, avg_r, avg_f1, np.sum(s)))
    if output_dict:
        return _as_dict(rows, lines)
    return _as_text(rows, lines, names, digits)


def _as_dict(rows: list[tuple[Any, ...]], lines: list[tuple[Any, ...]]) -> dict[str, Any]:
    report: dict[str, Any] = {}
    for name, *scores in rows + lines:
        report[name] = dict(zip(_HEADERS, [float(v) for v in scores], strict=True))
    if "accuracy" in report:
        report["accuracy"] = report["accuracy"]["precision"]
    return report


def _as_text(rows: list[tuple[Any, ...]], lines: list[tuple[Any, ...]], names: list[str],
             digits: int) -> str:
    """scikit-learn's layout: right-aligned columns of width 9, the names column as wide as the
    longest name (at least ``'weighted avg'`` and ``digits``)."""
    width = max(max(len(n) for n in names), len(_LONGEST), digits)
    report = ("{:>{width}s} " + " {:>9}" * len(_HEADERS)).format("", *_HEADERS, width=width) + "\n\n"
    row_fmt = "{:>{width}s} " + " {:>9.{digits}f}" * 3 + " {:>9}\n"
    for row in rows:
        report += row_fmt.format(*row, width=width, digits=digits)
    report += "\n"
    for heading, *avg in lines:
        if heading == "accuracy":  # F1 (the accuracy) and the support only
            fmt = "{:>{width}s} " + " {:>9.{digits}}" * 2 + " {:>9.{digits}f}" + " {:>9}\n"
            report += fmt.format(heading, "", "", *avg[2:], width=width, digits=digits)
        else:
            report += row_fmt.format(heading, *avg, width=width, digits=digits)
    return report
