"""The registry's jmetrics metrics beyond Keras' tables, and every ``jmetrics.sk`` function.

Exact and histogram AUC, calibration, ranking (written ``<short>@<k>``: ``'ndcg@5'`` is
``NDCG(k=5)``, the keys :func:`~jmetrics.metrics.ranking_metrics` gives) and the wrappers, each an
:class:`~jmetrics.adapter._entry.Entry`; then :data:`SK_ENTRIES`, how each scikit-learn-named
function is called on a small clean input (the common tests and the adversarial law read it).
"""

from __future__ import annotations

from jmetrics.adapter._entry import ANY, POS, UNIT, Entry, SkEntry
from jmetrics.adapter._outcomes import (
    CALIBRATION_FUNCTION,
    ORACLE,
    PROPAGATE,
    SKLEARN,
    SKLEARN_REGRESSION,
    SOFT_LABELS,
    ZERO_ONE,
    eager_only,
)
from jmetrics.metrics._calibration import (
    ExpectedCalibrationError,
    MaxCalibrationError,
    expected_calibration_error,
    max_calibration_error,
    reliability_diagram,
)
from jmetrics.metrics._exact import ExactAUC
from jmetrics.metrics._histogram import HistogramAUC
from jmetrics.metrics._packed import Packed
from jmetrics.metrics._ranking import (
    average_precision_at_k,
    dcg_at_k,
    hit_rate_at_k,
    ndcg_at_k,
    precision_at_k,
    ranking_metrics,
    recall_at_k,
    reciprocal_rank,
)
from jmetrics.metrics._ranking_classes import (
    DCG,
    NDCG,
    HitRateAtK,
    MeanAveragePrecision,
    MeanReciprocalRank,
    PrecisionAtK,
    RecallAtK,
)
from jmetrics.metrics._wrappers_compose import ClasswiseWrapper, MultitaskWrapper
from jmetrics.metrics._wrappers_history import MetricTracker, Running
from jmetrics.sk._classification import (
    accuracy_score as sk_accuracy_score,
)
from jmetrics.sk._classification import (
    f1_score as sk_f1_score,
)
from jmetrics.sk._classification import (
    fbeta_score as sk_fbeta_score,
)
from jmetrics.sk._classification import (
    hamming_loss as sk_hamming_loss,
)
from jmetrics.sk._classification import (
    jaccard_score as sk_jaccard_score,
)
from jmetrics.sk._classification import (
    precision_recall_fscore_support as sk_precision_recall_fscore_support,
)
from jmetrics.sk._classification import (
    precision_score as sk_precision_score,
)
from jmetrics.sk._classification import (
    recall_score as sk_recall_score,
)
from jmetrics.sk._confusion import (
    balanced_accuracy_score as sk_balanced_accuracy_score,
)
from jmetrics.sk._confusion import (
    cohen_kappa_score as sk_cohen_kappa_score,
)
from jmetrics.sk._confusion import (
    confusion_matrix as sk_confusion_matrix,
)
from jmetrics.sk._confusion import (
    matthews_corrcoef as sk_matthews_corrcoef,
)
from jmetrics.sk._confusion import (
    multilabel_confusion_matrix as sk_multilabel_confusion_matrix,
)
from jmetrics.sk._curves import (
    confusion_matrix_at_thresholds as sk_confusion_matrix_at_thresholds,
)
from jmetrics.sk._curves import (
    det_curve as sk_det_curve,
)
from jmetrics.sk._curves import (
    precision_recall_curve as sk_precision_recall_curve,
)
from jmetrics.sk._curves import (
    roc_curve as sk_roc_curve,
)
from jmetrics.sk._multilabel import (
    coverage_error as sk_coverage_error,
)
from jmetrics.sk._multilabel import (
    dcg_score as sk_dcg_score,
)
from jmetrics.sk._multilabel import (
    label_ranking_average_precision_score as sk_label_ranking_average_precision_score,
)
from jmetrics.sk._multilabel import (
    ndcg_score as sk_ndcg_score,
)
from jmetrics.sk._probabilistic import (
    brier_score_loss as sk_brier_score_loss,
)
from jmetrics.sk._probabilistic import (
    d2_brier_score as sk_d2_brier_score,
)
from jmetrics.sk._probabilistic import (
    d2_log_loss_score as sk_d2_log_loss_score,
)
from jmetrics.sk._probabilistic import (
    log_loss as sk_log_loss,
)
from jmetrics.sk._ranking import (
    average_precision_score as sk_average_precision_score,
)
from jmetrics.sk._ranking import (
    roc_auc_score as sk_roc_auc_score,
)
from jmetrics.sk._regression import (
    d2_absolute_error_score as sk_d2_absolute_error_score,
)
from jmetrics.sk._regression import (
    d2_pinball_score as sk_d2_pinball_score,
)
from jmetrics.sk._regression import (
    explained_variance_score as sk_explained_variance_score,
)
from jmetrics.sk._regression import (
    mean_pinball_loss as sk_mean_pinball_loss,
)
from jmetrics.sk._regression import (
    r2_score as sk_r2_score,
)
from jmetrics.sk._report import (
    classification_report as sk_classification_report,
)
from jmetrics.sk._topk import (
    top_k_accuracy_score as sk_top_k_accuracy_score,
)

__all__ = ["MORE_ENTRIES", "SK_ENTRIES"]

_RANKING_NOTE = ("Per query (a row of y_true relevances against a row of y_pred scores), then "
                 "averaged over queries; ties are averaged unless ignore_ties. Written "
                 "'<short>@<k>' it is built with k=<k> (default k=None: the whole list).")

MORE_ENTRIES: tuple[Entry, ...] = (
    # -- AUC beyond Keras' binned one ---------------------------------------------------------
    Entry(
        name="exact_auc", kernel=None, streaming=ExactAUC, family="confusion",
        higher_is_better=True, value_range=UNIT,
        formula="exact ROC AUC (or, curve='PR', average precision) of every row folded in",
        sk=sk_roc_auc_score, aliases=("ExactAUC",), policies=((ExactAUC, ZERO_ONE),),
        note="Keeps up to capacity rows; curve='PR' equals sklearn's average_precision_score. "
        "See docs/exact-vs-binned-auc.md.",
    ),
    Entry(
        name="histogram_auc", kernel=None, streaming=HistogramAUC, family="confusion",
        higher_is_better=True, value_range=UNIT,
        formula="ROC AUC (or average precision) from a histogram of num_bins score bins",
        sklearn="sklearn.metrics.roc_auc_score", aliases=("HistogramAUC",),
        policies=((HistogramAUC, SOFT_LABELS),),
        note="Soft labels in [0, 1] count fractionally; the error shrinks with num_bins. See "
        "docs/exact-vs-binned-auc.md.",
    ),
    # -- calibration --------------------------------------------------------------------------
    Entry(
        name="expected_calibration_error", kernel=None, streaming=ExpectedCalibrationError,
        family="calibration", higher_is_better=False, value_range=UNIT,
        formula="sum over bins b of (n_b / n) |accuracy_b - confidence_b|, num_bins=15",
        aliases=("ece", "ECE", "ExpectedCalibrationError"),
        functions=(expected_calibration_error, reliability_diagram),
        # the per-bin data: an empty bin holds NaN, as its float64 formula gives
        policies=((reliability_diagram, CALIBRATION_FUNCTION._replace(
            empty=PROPAGATE, zero_weights=PROPAGATE)),),
        note="Binary (the positive class's probability) or multiclass (top-label) inputs; "
        "reliability_diagram gives the per-bin data.",
    ),
    Entry(
        name="max_calibration_error", kernel=None, streaming=MaxCalibrationError,
        family="calibration", higher_is_better=False, value_range=UNIT,
        formula="max over non-empty bins b of |accuracy_b - confidence_b|, num_bins=15",
        aliases=("mce", "MCE", "MaxCalibrationError"), functions=(max_calibration_error,),
    ),
    # -- ranking ------------------------------------------------------------------------------
    Entry(
        name="ndcg", kernel=None, streaming=NDCG, family="ranking", higher_is_better=True,
        value_range=UNIT, formula="DCG@k / ideal DCG@k per query, gain 2**rel - 1 / log2(rank + 1)",
        sk=sk_ndcg_score, aliases=("NDCG",), at=("ndcg", "NDCG"),
        functions=(ndcg_at_k, ranking_metrics),
        note=_RANKING_NOTE + " With gain='linear' it equals sklearn's ndcg_score; "
        "ranking_metrics gives several ranking metrics at several k from one sort.",
    ),
    Entry(
        name="dcg", kernel=None, streaming=DCG, family="ranking", higher_is_better=True,
        value_range=POS, formula="sum over the top k of gain(rel) / log2(rank + 1) per query",
        sk=sk_dcg_score, aliases=("DCG",), at=("dcg", "DCG"), functions=(dcg_at_k,),
        note=_RANKING_NOTE + " With gain='linear' it equals sklearn's dcg_score.",
    ),
    Entry(
        name="precision_at_k", kernel=None, streaming=PrecisionAtK, family="ranking",
        higher_is_better=True, value_range=UNIT,
        formula="relevant items in the top k / min(k, n) per query",
        aliases=("PrecisionAtK",), at=("precision",), functions=(precision_at_k,),
        note=_RANKING_NOTE + " 'precision' alone is Keras' thresholded Precision.",
    ),
    Entry(
        name="recall_at_k", kernel=None, streaming=RecallAtK, family="ranking",
        higher_is_better=True, value_range=UNIT,
        formula="relevant items in the top k / relevant items per query (0 without any)",
        aliases=("RecallAtK",), at=("recall",), functions=(recall_at_k,),
        note=_RANKING_NOTE + " 'recall' alone is Keras' thresholded Recall.",
    ),
    Entry(
        name="hit_rate_at_k", kernel=None, streaming=HitRateAtK, family="ranking",
        higher_is_better=True, value_range=UNIT,
        formula="1 if a relevant item is in the top k, else 0, per query",
        aliases=("HitRateAtK", "hit_rate"), at=("hit_rate",), functions=(hit_rate_at_k,),
        note=_RANKING_NOTE,
    ),
    Entry(
        name="mean_average_precision", kernel=None, streaming=MeanAveragePrecision,
        family="ranking", higher_is_better=True, value_range=UNIT,
        formula="sum over relevant ranks r <= k of precision@r / min(k, R) per query",
        aliases=("MeanAveragePrecision", "map", "MAP"), at=("map", "MAP"),
        functions=(average_precision_at_k,), note=_RANKING_NOTE,
    ),
    Entry(
        name="mean_reciprocal_rank", kernel=None, streaming=MeanReciprocalRank,
        family="ranking", higher_is_better=True, value_range=UNIT,
        formula="1 / rank of the first relevant item within k (0 if none) per query",
        aliases=("MeanReciprocalRank", "mrr", "MRR"), at=("mrr", "MRR"),
        functions=(reciprocal_rank,), note=_RANKING_NOTE,
    ),
    # -- wrappers: they take a metric, so a string names them but cannot build them ----------
    Entry(
        name="classwise_wrapper", kernel=None, streaming=ClasswiseWrapper, family="wrappers",
        higher_is_better=None, value_range=ANY,
        formula="{f'{name}_{label}': value} of a metric giving one value per class",
        aliases=("ClasswiseWrapper",), note="As torchmetrics' ClasswiseWrapper.",
    ),
    Entry(
        name="multitask_wrapper", kernel=None, streaming=MultitaskWrapper, family="wrappers",
        higher_is_better=None, value_range=ANY,
        formula="{task: metric(y_true[task], y_pred[task])} over dict inputs",
        aliases=("MultitaskWrapper",), note="As torchmetrics' MultitaskWrapper.",
    ),
    Entry(
        name="metric_tracker", kernel=None, streaming=MetricTracker, family="wrappers",
        higher_is_better=None, value_range=ANY,
        formula="the wrapped metric's value at every epoch, and the best epoch",
        aliases=("MetricTracker",), note="As torchmetrics' MetricTracker.",
    ),
    Entry(
        name="running", kernel=None, streaming=Running, family="wrappers",
        higher_is_better=None, value_range=ANY,
        formula="the wrapped metric over the last window updates",
        aliases=("Running",), note="As torchmetrics' Running.",
    ),
    Entry(
        name="packed", kernel=None, streaming=Packed, family="wrappers",
        higher_is_better=None, value_range=ANY,
        formula="the wrapped metric, its state in one flat buffer per reduction kind and dtype",
        aliases=("Packed",), note="For donated, jitted training steps: see training-loops.md.",
    ),
)

_CM = (("labels", (0, 1)),)  # the class set of a confusion matrix: static under jit
# The result's length depends on the values, or it is text or Python floats: no jit face.
_EAGER = eager_only(SKLEARN)
# Fewer than two samples (none included): scikit-learn's D² is NaN with a warning, not an error.
_D2_EMPTY = SKLEARN._replace(empty=ORACLE)
# A data-dependent quantile: no jit face.
_QUANTILE = eager_only(SKLEARN_REGRESSION)
SK_ENTRIES: tuple[SkEntry, ...] = (
    SkEntry(sk_accuracy_score, "sklabels"),
    SkEntry(sk_balanced_accuracy_score, "sklabels", policy=_EAGER),  # no static class set
    SkEntry(sk_cohen_kappa_score, "sklabels", _CM),
    SkEntry(sk_confusion_matrix, "sklabels", _CM),
    SkEntry(sk_f1_score, "sklabels"),
    SkEntry(sk_fbeta_score, "sklabels", (("beta", 2.0),)),
    SkEntry(sk_hamming_loss, "sklabels"),
    SkEntry(sk_jaccard_score, "sklabels"),
    SkEntry(sk_matthews_corrcoef, "sklabels", policy=_EAGER),  # no static class set
    SkEntry(sk_multilabel_confusion_matrix, "sklabels", _CM),
    SkEntry(sk_precision_recall_fscore_support, "sklabels", (("average", "binary"),)),
    SkEntry(sk_precision_score, "sklabels"),
    SkEntry(sk_recall_score, "sklabels"),
    SkEntry(sk_roc_auc_score, "skbinary"),
    SkEntry(sk_average_precision_score, "skbinary"),
    SkEntry(sk_roc_curve, "skbinary", policy=_EAGER),
    SkEntry(sk_precision_recall_curve, "skbinary", policy=_EAGER),
    SkEntry(sk_det_curve, "skbinary", policy=_EAGER),
    SkEntry(sk_confusion_matrix_at_thresholds, "skbinary", policy=_EAGER),
    SkEntry(sk_classification_report, "sklabels", (("output_dict", True),), _EAGER),
    SkEntry(sk_brier_score_loss, "skbinary"),
    SkEntry(sk_log_loss, "skbinary"),
    SkEntry(sk_d2_log_loss_score, "skbinary", policy=_D2_EMPTY),
    SkEntry(sk_d2_brier_score, "skbinary", policy=_D2_EMPTY),
    SkEntry(sk_top_k_accuracy_score, "sksparse", (("k", 2),)),
    SkEntry(sk_coverage_error, "multilabel"),
    SkEntry(sk_label_ranking_average_precision_score, "multilabel"),
    SkEntry(sk_dcg_score, "multilabel"),
    SkEntry(sk_ndcg_score, "multilabel"),
    SkEntry(sk_r2_score, "skregression"),
    SkEntry(sk_explained_variance_score, "skregression"),
    SkEntry(sk_mean_pinball_loss, "skregression"),
    SkEntry(sk_d2_pinball_score, "skregression", policy=_QUANTILE),
    SkEntry(sk_d2_absolute_error_score, "skregression", policy=_QUANTILE),
)
