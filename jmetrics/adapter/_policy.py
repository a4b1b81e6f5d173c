"""The bad-input policy: what every public unit gives on NaN, inf, empty batches, odd weights, bad labels.

One :class:`Policy` per public unit (kernel function, streaming class, ``jmetrics.sk`` function,
``Collection``, ``evaluate``, ``jmetrics eval``), as data. A unit's policy is its family's (declared
once per implementation module in ``FAMILY_OF_MODULE``) unless ``OVERRIDES`` holds a line for the
unit object itself. ``tests/test_adversarial.py`` holds every unit to its row, eagerly and under
``jax.jit``, against the oracles (Keras 3, scikit-learn 1.9.1, or a float64 NumPy formula), and
``docs/bad-input.md`` is generated from the same rows.

Each cell is an :class:`Outcome`: what the eager call gives, and what the same call under
``jax.jit`` gives (where raising on values is impossible, the documented value is NaN).
"""

from __future__ import annotations

import sys
from functools import cache
from typing import Any, NamedTuple

from jmetrics.adapter._strings import auto_accuracy, auto_crossentropy
from jmetrics.kernels import _classification as k_classification
from jmetrics.kernels import _correlation as k_correlation
from jmetrics.kernels import _hinge as k_hinge
from jmetrics.kernels import _probabilistic as k_probabilistic
from jmetrics.kernels import _regression as k_regression
from jmetrics.metrics import (
    _agreement,
    _auc,
    _calibration,
    _confusion,
    _exact,
    _fbeta,
    _histogram,
    _iou,
    _means,
    _means_classification,
    _r2,
    _ranking,
    _ranking_classes,
    _reduction,
    _wrappers_compose,
    _wrappers_history,
)
from jmetrics.sk import _classification as sk_classification
from jmetrics.sk import _confusion as sk_confusion
from jmetrics.sk import _curves as sk_curves
from jmetrics.sk import _multilabel as sk_multilabel
from jmetrics.sk import _probabilistic as sk_probabilistic
from jmetrics.sk import _ranking as sk_ranking
from jmetrics.sk import _regression as sk_regression
from jmetrics.sk import _report as sk_report
from jmetrics.sk import _topk as sk_topk

__all__ = ["INPUT_CLASSES", "OUTCOMES", "Outcome", "Policy", "policy_of", "policy_table",
           "utilities"]

OUTCOMES: dict[str, str] = {
    "raise": "a ValueError or TypeError whose message names the unit and the argument",
    "nan": "NaN (the whole result)",
    "propagate": "NaN or inf where the float64 formula gives them, element by element",
    "nan_rows": "NaN in the samples holding the bad input; the oracle's number in the others",
    "oracle": "the oracle's number (Keras 3 or scikit-learn 1.9.1); where the oracle raises, "
              "a ValueError eagerly and NaN under jit",
    "ignore": "the rows count as absent: the result of the same stream without them",
    "members": "each member metric's own outcome (the collection raises if one of them does)",
    "n/a": "does not apply (no such argument, or no jit face)",
}


class Outcome(NamedTuple):
    """What a unit gives on one class of bad input: eagerly, and under ``jax.jit``."""

    eager: str  # a key of OUTCOMES
    jit: str  # a key of OUTCOMES


class Policy(NamedTuple):
    """A unit's outcome for each class of bad input."""

    nan_true: Outcome  # NaN in y_true
    nan_pred: Outcome  # NaN in y_pred (the values of Mean/Sum)
    nan_weight: Outcome  # NaN in sample_weight
    posinf_true: Outcome  # +inf in y_true
    neginf_true: Outcome  # -inf in y_true
    inf_pred: Outcome  # +inf or -inf in y_pred
    empty: Outcome  # a batch of 0 rows
    zero_weights: Outcome  # a batch whose weights are all 0
    negative_weights: Outcome  # a weight below 0
    bad_labels: Outcome  # labels out of range: 2 or -1 for binary, C for sparse, num_classes
    fractional_labels: Outcome  # 0.5 where 0/1 labels are expected, 1.5 for a class id


# Columns of the policy page, in Policy field order.
INPUT_CLASSES: dict[str, str] = {
    "nan_true": "NaN y_true",
    "nan_pred": "NaN y_pred",
    "nan_weight": "NaN weight",
    "posinf_true": "+inf y_true",
    "neginf_true": "-inf y_true",
    "inf_pred": "±inf y_pred",
    "empty": "empty batch",
    "zero_weights": "all-zero weights",
    "negative_weights": "negative weight",
    "bad_labels": "out-of-range labels",
    "fractional_labels": "fractional labels",
}

RAISE = Outcome("raise", "nan")  # eager error; NaN under jit
RAISE_ROWS = Outcome("raise", "nan_rows")  # eager error; NaN in the samples at fault under jit
PROPAGATE = Outcome("propagate", "propagate")
ORACLE = Outcome("oracle", "oracle")
IGNORE = Outcome("ignore", "ignore")
MEMBERS = Outcome("members", "members")
NAN = Outcome("nan", "nan")
NA = Outcome("n/a", "n/a")


def _everywhere(outcome: Outcome) -> dict[str, Outcome]:
    return dict.fromkeys(Policy._fields, outcome)


def _eager_only(policy: Policy) -> Policy:
    """No jit face (the result's length depends on the values, or the unit reads files)."""
    return Policy(*(Outcome(o.eager, "n/a") for o in policy))


# -- family defaults ------------------------------------------------------------------------
# Per-sample functions follow their float64 formula: NaN and inf propagate row by row.
KERNEL = Policy(**_everywhere(NA) | dict(nan_true=PROPAGATE, nan_pred=PROPAGATE,
                                          posinf_true=PROPAGATE, neginf_true=PROPAGATE,
                                          inf_pred=PROPAGATE, empty=ORACLE))
# Functions of labels: any real label goes through the formula as Keras' does.
LABEL_KERNEL = KERNEL._replace(bad_labels=ORACLE, fractional_labels=ORACLE)
# Class ids used as an index: JAX would clamp a wrong one into a wrong number, so a sample whose
# label is not a class id is NaN under jit (the others keep their values). Fractional ids are
# truncated toward zero, as Keras casts them.
SPARSE_KERNEL = KERNEL._replace(nan_true=RAISE_ROWS, posinf_true=RAISE_ROWS,
                                neginf_true=RAISE_ROWS, bad_labels=RAISE_ROWS,
                                fractional_labels=ORACLE)
# Weighted means of a kernel (Keras' MeanMetricWrapper): NaN propagates as in Keras.
MEAN = Policy(nan_true=PROPAGATE, nan_pred=PROPAGATE, nan_weight=PROPAGATE,
              posinf_true=PROPAGATE, neginf_true=PROPAGATE,
              inf_pred=PROPAGATE,
              empty=IGNORE, zero_weights=IGNORE, negative_weights=ORACLE, bad_labels=NA,
              fractional_labels=NA)
LABEL_MEAN = MEAN._replace(bad_labels=ORACLE, fractional_labels=ORACLE)
SPARSE_MEAN = MEAN._replace(nan_true=RAISE, posinf_true=RAISE, neginf_true=RAISE,
                            bad_labels=RAISE,
                            fractional_labels=ORACLE)
# Counts, curves, sorts, histograms, bins: a NaN score or label, a NaN, inf or negative weight has
# no place, so it is refused. Infinite scores are ordered (the Keras number). Any finite nonzero
# label is positive, as in Keras.
CURVES = Policy(nan_true=RAISE, nan_pred=RAISE, nan_weight=RAISE, posinf_true=RAISE,
                neginf_true=RAISE,
                inf_pred=ORACLE, empty=IGNORE, zero_weights=IGNORE, negative_weights=RAISE,
                bad_labels=ORACLE, fractional_labels=ORACLE)
# Keras' threshold counts (AUC, Precision, TruePositives...): a negative weight is summed as given,
# as Keras 3 sums it.
THRESHOLD_COUNTS = CURVES._replace(negative_weights=ORACLE)
# Labels that must be 0 or 1 (ExactAUC, as scikit-learn) or in [0, 1] (soft labels count).
ZERO_ONE = CURVES._replace(bad_labels=RAISE, fractional_labels=RAISE)
SOFT_LABELS = CURVES._replace(bad_labels=RAISE)
# Class ids (the IoU family): ids outside [0, num_classes) are dropped, as Keras 3 drops them; a
# NaN, infinite or fractional id names no class.
LABEL_INDEX = CURVES._replace(inf_pred=RAISE, bad_labels=ORACLE, fractional_labels=RAISE)
# One-hot y_true (argmax): values must be in [0, 1] (one-hot or probabilities; soft rows count).
ONE_HOT_INDEX = CURVES._replace(bad_labels=RAISE)
# Class ids counted into a confusion matrix: an id that is NaN, inf, fractional or out of range
# would land in a wrong cell (JAX clamps scatter indices), so it is refused in y_true and y_pred.
CLASS_IDS = CURVES._replace(inf_pred=RAISE, bad_labels=RAISE, fractional_labels=RAISE)
# Calibration: confidences must be probabilities, labels 0/1 or class ids.
CALIBRATION = CURVES._replace(inf_pred=RAISE, bad_labels=RAISE, fractional_labels=RAISE)
# Ranking: graded relevance (a negative one is padding); a NaN or +inf relevance is refused.
RANKING = CURVES._replace(neginf_true=ORACLE)
# The function forms of ranking and calibration metrics: one value per call, NaN without rows.
# The function forms give one value per query (per bin): NaN for the queries holding bad input.
PER_QUERY = Outcome("raise", "propagate")
RANKING_FUNCTION = RANKING._replace(nan_true=PER_QUERY, nan_pred=PER_QUERY, posinf_true=PER_QUERY,
                                    empty=ORACLE, nan_weight=NA, zero_weights=NA,
                                    negative_weights=NA)
CALIBRATION_FUNCTION = CALIBRATION._replace(empty=NAN, zero_weights=NAN)
# scikit-learn functions: scikit-learn's checks (eagerly), NaN under jit.
SKLEARN = Policy(nan_true=RAISE, nan_pred=RAISE, nan_weight=RAISE, posinf_true=RAISE,
                 neginf_true=RAISE,
                 inf_pred=RAISE, empty=RAISE,
                 zero_weights=ORACLE, negative_weights=ORACLE, bad_labels=ORACLE,
                 fractional_labels=ORACLE)
SKLEARN_REGRESSION = SKLEARN._replace(bad_labels=NA, fractional_labels=NA)
# The engine refuses non-finite rows (on_nonfinite="error") and empty data; it has no jit face.
ENGINE = _eager_only(Policy(**_everywhere(Outcome("raise", "raise")) | dict(
    zero_weights=ORACLE, bad_labels=MEMBERS, fractional_labels=MEMBERS)))

FAMILY_OF_MODULE: dict[Any, Policy] = {
    k_regression: KERNEL,
    k_correlation: KERNEL,
    k_hinge: LABEL_KERNEL,
    k_probabilistic: LABEL_KERNEL,
    k_classification: LABEL_KERNEL,
    _means: LABEL_MEAN,
    _means_classification: LABEL_MEAN,
    _reduction: MEAN,
    _r2: MEAN,
    _auc: THRESHOLD_COUNTS,
    _confusion: THRESHOLD_COUNTS,
    _exact: ZERO_ONE,
    _histogram: SOFT_LABELS,
    _fbeta: SOFT_LABELS._replace(negative_weights=ORACLE),  # Keras 3 sums negative weights
    _calibration: CALIBRATION,
    _ranking: RANKING,
    _ranking_classes: RANKING,
    _iou: LABEL_INDEX,
    _agreement: CLASS_IDS,
    sk_classification: SKLEARN,
    sk_confusion: SKLEARN,
    sk_curves: SKLEARN,
    sk_multilabel: SKLEARN,
    sk_probabilistic: SKLEARN,
    sk_ranking: SKLEARN,
    sk_topk: SKLEARN,
    sk_regression: SKLEARN_REGRESSION,
    sk_report: SKLEARN,
    # Wrappers: each member metric's own outcome, arranged as the wrapper arranges its results.
    _wrappers_compose: Policy(**_everywhere(MEMBERS)),
    _wrappers_history: Policy(**_everywhere(MEMBERS)),
}

_REGRESSION_MEANS = (_means.MeanSquaredError, _means.RootMeanSquaredError,
                     _means.MeanAbsoluteError, _means.MeanAbsolutePercentageError,
                     _means.MeanSquaredLogarithmicError, _means.LogCoshError,
                     _means.CosineSimilarity, _means.PearsonCorrelation,
                     _means.ConcordanceCorrelation, _means.KLDivergence, _means.Poisson)

OVERRIDES: dict[Any, Policy] = {
    k_classification.sparse_categorical_accuracy: SPARSE_KERNEL,
    k_classification.sparse_top_k_categorical_accuracy: SPARSE_KERNEL,
    k_probabilistic.sparse_categorical_crossentropy: SPARSE_KERNEL,
    k_regression.kl_divergence: KERNEL,
    k_regression.poisson: KERNEL,
    _means_classification.SparseCategoricalAccuracy: SPARSE_MEAN,
    _means_classification.SparseTopKCategoricalAccuracy: SPARSE_MEAN,
    _means_classification.SparseCategoricalCrossentropy: SPARSE_MEAN,
    **dict.fromkeys(_REGRESSION_MEANS, MEAN),
    **dict.fromkeys((_ranking.ndcg_at_k, _ranking.dcg_at_k, _ranking.precision_at_k,
                     _ranking.recall_at_k, _ranking.hit_rate_at_k, _ranking.average_precision_at_k,
                     _ranking.reciprocal_rank, _ranking.ranking_metrics), RANKING_FUNCTION),
    **dict.fromkeys((_calibration.expected_calibration_error, _calibration.max_calibration_error,
                     _calibration.reliability_diagram), CALIBRATION_FUNCTION),
    _iou.BinaryIoU: ZERO_ONE._replace(bad_labels=ORACLE),
    _iou.OneHotIoU: ONE_HOT_INDEX,
    _iou.OneHotMeanIoU: ONE_HOT_INDEX,
    _calibration.reliability_diagram: CALIBRATION_FUNCTION._replace(
        empty=PROPAGATE, zero_weights=PROPAGATE),
    auto_accuracy: LABEL_KERNEL,
    auto_crossentropy: LABEL_KERNEL,
    # The curves' length depends on the values: no jit face (a TypeError at trace time).
    sk_curves.roc_curve: _eager_only(SKLEARN),
    sk_curves.precision_recall_curve: _eager_only(SKLEARN),
    sk_curves.det_curve: _eager_only(SKLEARN),
    sk_curves.confusion_matrix_at_thresholds: _eager_only(SKLEARN),
    # Text or a dict of Python floats: no jit face.
    sk_report.classification_report: _eager_only(SKLEARN),
    # 1-D labels need a static class set under jit, and these take none: no jit face.
    sk_confusion.balanced_accuracy_score: _eager_only(SKLEARN),
    sk_confusion.matthews_corrcoef: _eager_only(SKLEARN),
    # Keras gives 0 for an infinite prediction, the formula -inf or NaN: documented as NaN.
    _r2.R2Score: MEAN._replace(posinf_true=NAN, neginf_true=NAN, inf_pred=NAN),
    # Fewer than two samples (none included): scikit-learn's D² is NaN with a warning, not an error.
    sk_probabilistic.d2_log_loss_score: SKLEARN._replace(empty=ORACLE),
    sk_probabilistic.d2_brier_score: SKLEARN._replace(empty=ORACLE),
    # A data-dependent quantile: no jit face.
    sk_regression.d2_pinball_score: _eager_only(SKLEARN_REGRESSION),
    sk_regression.d2_absolute_error_score: _eager_only(SKLEARN_REGRESSION),
}


@cache
def _system_rows() -> dict[Any, Policy]:
    """The units above this layer (imported here, lazily, as the docs generator does)."""
    from jmetrics.adapter._compile import Collection
    from jmetrics.cli import _eval
    from jmetrics.engine import _evaluate

    collection = Policy(**_everywhere(MEMBERS))
    return {Collection: collection, _evaluate.evaluate: ENGINE, _eval.run: ENGINE}


def _is_alias(module: Any, name: str) -> bool:
    return getattr(getattr(module, name), "__name__", name) != name


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
            engine.Picked, engine.demo_data, engine.pick_metrics, engine.check_gates, Metric,
            UndefinedMetricWarning,
            *(getattr(distributed, n) for n in distributed.__all__))


def policy_of(unit: Any) -> Policy | None:
    """The policy of a public unit (function, class, ``Collection``...); ``None`` if it has none."""
    try:
        row = OVERRIDES.get(unit) or _system_rows().get(unit)
    except TypeError:  # unhashable: not a unit
        return None
    if row is not None:
        return row
    module = sys.modules.get(getattr(unit, "__module__", None) or "")
    return FAMILY_OF_MODULE.get(module)


def policy_table() -> dict[str, tuple[Any, Policy]]:
    """Every public unit under its public name: ``name -> (unit, policy)``, aliases folded."""
    import jmetrics
    from jmetrics import metrics, sk
    from jmetrics.cli import _eval

    rows: dict[str, tuple[Any, Policy]] = {}
    seen: set[int] = set()
    for prefix, module in (("jmetrics.sk.", sk), ("jmetrics.", jmetrics),
                           ("jmetrics.metrics.", metrics)):
        for name in sorted(module.__all__, key=lambda n: (_is_alias(module, n), n)):
            unit = getattr(module, name)
            policy = policy_of(unit)
            if policy is None or id(unit) in seen:
                continue
            seen.add(id(unit))
            rows[prefix + name] = (unit, policy)
    rows["jmetrics eval"] = (_eval.run, ENGINE)
    return rows
