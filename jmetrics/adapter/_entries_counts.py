"""The registry's Keras metrics counted from confusion counts: thresholded counts and rates,
AUC, F-scores, IoU, and the multiclass confusion matrix with its agreement scores.

The rest of Keras' metrics are in ``_entries_keras.py``, which places these in its table.
"""

from __future__ import annotations

from jmetrics.adapter._entry import COS, POS, UNIT, Entry
from jmetrics.adapter._outcomes import (
    ONE_HOT_INDEX,
    ORACLE,
    SOFT_LABELS,
    ZERO_ONE,
)
from jmetrics.metrics._agreement import CohenKappa, ConfusionMatrix, MatthewsCorrCoef
from jmetrics.metrics._auc import AUC
from jmetrics.metrics._confusion import (
    FalseNegatives,
    FalsePositives,
    Precision,
    PrecisionAtRecall,
    Recall,
    RecallAtPrecision,
    SensitivityAtSpecificity,
    SpecificityAtSensitivity,
    TrueNegatives,
    TruePositives,
)
from jmetrics.metrics._fbeta import F1Score, FBetaScore
from jmetrics.metrics._iou import BinaryIoU, IoU, MeanIoU, OneHotIoU, OneHotMeanIoU
from jmetrics.sk._classification import (
    f1_score as sk_f1_score,
)
from jmetrics.sk._classification import (
    fbeta_score as sk_fbeta_score,
)
from jmetrics.sk._classification import (
    jaccard_score as sk_jaccard_score,
)
from jmetrics.sk._classification import (
    precision_score as sk_precision_score,
)
from jmetrics.sk._classification import (
    recall_score as sk_recall_score,
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
from jmetrics.sk._curves import (
    precision_recall_curve as sk_precision_recall_curve,
)
from jmetrics.sk._curves import (
    roc_curve as sk_roc_curve,
)
from jmetrics.sk._ranking import (
    roc_auc_score as sk_roc_auc_score,
)

__all__ = ["COUNT_ENTRIES"]

# F-scores take soft labels in [0, 1]; a negative weight is summed as given, as Keras 3 sums it.
_FBETA = SOFT_LABELS._replace(negative_weights=ORACLE)

COUNT_ENTRIES: tuple[Entry, ...] = (
    # -- confusion-count family ---------------------------------------------------------------
    Entry(
        name="true_positives", kernel=None, streaming=TruePositives, family="confusion",
        higher_is_better=True, value_range=POS,
        formula="sum(w * (y_true != 0) * (y_pred > threshold)), threshold=0.5",
        keras3=("true_positives", "TruePositives"), sk=sk_confusion_matrix,
    ),
    Entry(
        name="false_positives", kernel=None, streaming=FalsePositives, family="confusion",
        higher_is_better=False, value_range=POS,
        formula="sum(w * (y_true == 0) * (y_pred > threshold)), threshold=0.5",
        keras3=("false_positives", "FalsePositives"), sk=sk_confusion_matrix,
    ),
    Entry(
        name="true_negatives", kernel=None, streaming=TrueNegatives, family="confusion",
        higher_is_better=True, value_range=POS,
        formula="sum(w * (y_true == 0) * (y_pred <= threshold)), threshold=0.5",
        keras3=("true_negatives", "TrueNegatives"), sk=sk_confusion_matrix,
    ),
    Entry(
        name="false_negatives", kernel=None, streaming=FalseNegatives, family="confusion",
        higher_is_better=False, value_range=POS,
        formula="sum(w * (y_true != 0) * (y_pred <= threshold)), threshold=0.5",
        keras3=("false_negatives", "FalseNegatives"), sk=sk_confusion_matrix,
    ),
    Entry(
        name="precision", kernel=None, streaming=Precision, family="confusion",
        higher_is_better=True, value_range=UNIT, formula="tp / (tp + fp), 0 when no positives",
        keras3=("precision", "Precision"), sk=sk_precision_score,
    ),
    Entry(
        name="recall", kernel=None, streaming=Recall, family="confusion",
        higher_is_better=True, value_range=UNIT, formula="tp / (tp + fn), 0 when no positives",
        keras3=("recall", "Recall"), sk=sk_recall_score,
    ),
    Entry(
        name="precision_at_recall", kernel=None, streaming=PrecisionAtRecall,
        family="confusion", higher_is_better=True, value_range=UNIT,
        formula="max precision over thresholds where recall >= recall_target (0 if none)",
        keras3=("precision_at_recall", "PrecisionAtRecall"),
        sk=sk_precision_recall_curve,
    ),
    Entry(
        name="recall_at_precision", kernel=None, streaming=RecallAtPrecision,
        family="confusion", higher_is_better=True, value_range=UNIT,
        formula="max recall over thresholds where precision >= precision_target (0 if none)",
        keras3=("recall_at_precision", "RecallAtPrecision"),
        sk=sk_precision_recall_curve,
    ),
    Entry(
        name="sensitivity_at_specificity", kernel=None, streaming=SensitivityAtSpecificity,
        family="confusion", higher_is_better=True, value_range=UNIT,
        formula="max sensitivity over thresholds where specificity >= target (0 if none)",
        keras3=("sensitivity_at_specificity", "SensitivityAtSpecificity"),
        sk=sk_roc_curve,
    ),
    Entry(
        name="specificity_at_sensitivity", kernel=None, streaming=SpecificityAtSensitivity,
        family="confusion", higher_is_better=True, value_range=UNIT,
        formula="max specificity over thresholds where sensitivity >= target (0 if none)",
        keras3=("specificity_at_sensitivity", "SpecificityAtSensitivity"),
        sk=sk_roc_curve,
    ),
    Entry(
        name="auc", kernel=None, streaming=AUC, family="confusion", higher_is_better=True,
        value_range=UNIT,
        formula="area under the ROC (or PR) curve over num_thresholds=200 bins",
        keras3=("auc", "AUC"), sk=sk_roc_auc_score,
        note="Binned like Keras; curve='PR' approximates sklearn's average_precision_score. "
        "See docs/exact-vs-binned-auc.md.",
    ),
    Entry(
        name="f1_score", kernel=None, streaming=F1Score, family="confusion",
        higher_is_better=True, value_range=UNIT,
        formula="2 P R / (P + R), per class, then averaged by `average`",
        keras3=("f1_score", "F1Score"), sk=sk_f1_score,
        policies=((F1Score, _FBETA),),
    ),
    Entry(
        name="fbeta_score", kernel=None, streaming=FBetaScore, family="confusion",
        higher_is_better=True, value_range=UNIT,
        formula="(1 + beta**2) P R / (beta**2 P + R), per class, then averaged by `average`",
        keras3=("f_beta_score", "FBetaScore"), sk=sk_fbeta_score,
        policies=((FBetaScore, _FBETA),),
    ),
    # -- IoU ----------------------------------------------------------------------------------
    Entry(
        name="iou", kernel=None, streaming=IoU, family="iou", higher_is_better=True,
        value_range=UNIT,
        formula="mean over target classes of tp / (tp + fp + fn) from the confusion matrix",
        keras3=("io_u", "IoU"), sk=sk_jaccard_score,
    ),
    Entry(
        name="binary_iou", kernel=None, streaming=BinaryIoU, family="iou",
        higher_is_better=True, value_range=UNIT,
        formula="IoU of classes (0, 1) with y_pred >= threshold -> 1, threshold=0.5",
        keras3=("binary_io_u", "BinaryIoU"), sk=sk_jaccard_score,
        policies=((BinaryIoU, ZERO_ONE._replace(bad_labels=ORACLE)),),
    ),
    Entry(
        name="mean_iou", kernel=None, streaming=MeanIoU, family="iou", higher_is_better=True,
        value_range=UNIT, formula="IoU averaged over all num_classes classes",
        keras3=("mean_io_u", "MeanIoU"), sk=sk_jaccard_score,
        note="sklearn equivalent: jaccard_score(average='macro') over the classes present.",
    ),
    Entry(
        name="one_hot_iou", kernel=None, streaming=OneHotIoU, family="iou",
        higher_is_better=True, value_range=UNIT,
        formula="IoU of argmax(y_true) against argmax(y_pred)",
        keras3=("one_hot_io_u", "OneHotIoU"), sk=sk_jaccard_score,
        policies=((OneHotIoU, ONE_HOT_INDEX),),
    ),
    Entry(
        name="one_hot_mean_iou", kernel=None, streaming=OneHotMeanIoU, family="iou",
        higher_is_better=True, value_range=UNIT,
        formula="MeanIoU of argmax(y_true) against argmax(y_pred)",
        keras3=("one_hot_mean_io_u", "OneHotMeanIoU"), sk=sk_jaccard_score,
        policies=((OneHotMeanIoU, ONE_HOT_INDEX),),
    ),
    # -- confusion matrix and agreement -------------------------------------------------------
    Entry(
        name="confusion_matrix", kernel=None, streaming=ConfusionMatrix, family="agreement",
        higher_is_better=None, value_range=POS,
        formula="M[i, j] = sum of w over rows with y_true = i and y_pred = j, over the stream",
        sk=sk_confusion_matrix, aliases=("ConfusionMatrix",),
        note="Equals sklearn's confusion_matrix with labels=range(num_classes) (and its normalize "
        "modes) as floats; y_pred may be scores (argmax) or, with threshold, binary scores.",
    ),
    Entry(
        name="matthews_corr_coef", kernel=None, streaming=MatthewsCorrCoef,
        family="agreement", higher_is_better=True, value_range=COS,
        formula="(c s - sum_k p_k t_k) / sqrt((s**2 - sum_k p_k**2) (s**2 - sum_k t_k**2)) of M",
        sk=sk_matthews_corrcoef,
        aliases=("MatthewsCorrCoef", "matthews_corrcoef"),
        note="c: trace of the confusion matrix M, s: its total, t and p: its row and column sums; "
        "0 when the denominator is 0, as sklearn.",
    ),
    Entry(
        name="cohen_kappa", kernel=None, streaming=CohenKappa, family="agreement",
        higher_is_better=True, value_range=COS,
        formula="1 - sum(W * M) / sum(W * outer(p, t) / s), W by weights=None/'linear'/'quadratic'",
        sk=sk_cohen_kappa_score,
        aliases=("CohenKappa", "cohen_kappa_score"),
        note="Equals sklearn's cohen_kappa_score with labels=range(num_classes): the weighted forms "
        "weigh by class id. NaN when undefined, as sklearn's default replace_undefined_by.",
    ),
)
