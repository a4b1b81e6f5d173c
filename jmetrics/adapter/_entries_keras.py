"""The registry's Keras metrics: one entry per metric Keras 2.3.1 or Keras 3 knows, as objects
(the confusion-count metrics, AUC, F-scores, IoU and agreement are in ``_entries_counts.py``).

Sources of the Keras columns: keras-semantics.md §1.1 (Keras 2.3.1 ``metrics.get`` strings, run),
§2.3 (Keras 3.15.1 ``metrics.get`` and ``losses.get`` string tables, run).
"""

from __future__ import annotations

from jmetrics.adapter._entries_counts import COUNT_ENTRIES
from jmetrics.adapter._entry import ANY, COS, POS, UNIT, Entry
from jmetrics.adapter._outcomes import (
    KERNEL,
    MEAN,
    NAN,
)
from jmetrics.kernels._classification import (
    accuracy,
    binary_accuracy,
    categorical_accuracy,
    sparse_categorical_accuracy,
    sparse_top_k_categorical_accuracy,
    top_k_categorical_accuracy,
)
from jmetrics.kernels._correlation import concordance_correlation, pearson_correlation
from jmetrics.kernels._hinge import categorical_hinge, hinge, squared_hinge
from jmetrics.kernels._probabilistic import (
    binary_crossentropy,
    binary_focal_crossentropy,
    categorical_crossentropy,
    categorical_focal_crossentropy,
    sparse_categorical_crossentropy,
)
from jmetrics.kernels._regression import (
    cosine_proximity,
    cosine_similarity,
    huber,
    kl_divergence,
    log_cosh,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    mean_squared_logarithmic_error,
    poisson,
    root_mean_squared_error,
)
from jmetrics.metrics._means import (
    ConcordanceCorrelation,
    CosineSimilarity,
    KLDivergence,
    LogCoshError,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredError,
    MeanSquaredLogarithmicError,
    PearsonCorrelation,
    Poisson,
    RootMeanSquaredError,
)
from jmetrics.metrics._means_classification import (
    Accuracy,
    BinaryAccuracy,
    BinaryCrossentropy,
    CategoricalAccuracy,
    CategoricalCrossentropy,
    CategoricalHinge,
    Hinge,
    SparseCategoricalAccuracy,
    SparseCategoricalCrossentropy,
    SparseTopKCategoricalAccuracy,
    SquaredHinge,
    TopKCategoricalAccuracy,
)
from jmetrics.metrics._r2 import R2Score
from jmetrics.metrics._reduction import Mean, MeanMetricWrapper, Sum
from jmetrics.sk._classification import (
    accuracy_score as sk_accuracy_score,
)
from jmetrics.sk._probabilistic import (
    log_loss as sk_log_loss,
)
from jmetrics.sk._regression import (
    r2_score as sk_r2_score,
)
from jmetrics.sk._topk import (
    top_k_accuracy_score as sk_top_k_accuracy_score,
)

__all__ = ["KERAS_ENTRIES"]

KERAS_ENTRIES: tuple[Entry, ...] = (
    # -- regression ---------------------------------------------------------------------------
    Entry(
        name="mean_squared_error", kernel=mean_squared_error, streaming=MeanSquaredError,
        family="regression", higher_is_better=False, value_range=POS,
        formula="mean((y_pred - y_true)**2, axis=-1)",
        keras2=("mean_squared_error", "mse", "MSE"), keras2_name="mean_squared_error",
        keras3=("mean_squared_error", "mse", "MSE", "MeanSquaredError"),
        sklearn="sklearn.metrics.mean_squared_error",
    ),
    Entry(
        name="root_mean_squared_error", kernel=root_mean_squared_error,
        streaming=RootMeanSquaredError, family="regression", higher_is_better=False,
        value_range=POS, formula="sqrt(mean((y_pred - y_true)**2, axis=-1))",
        keras3=("root_mean_squared_error", "RootMeanSquaredError"),
        sklearn="sklearn.metrics.root_mean_squared_error",
        note="The streaming class gives sqrt of the overall mean square (as Keras and sklearn); "
        "the per-sample function, averaged, gives the mean of per-sample RMSEs.",
    ),
    Entry(
        name="mean_absolute_error", kernel=mean_absolute_error, streaming=MeanAbsoluteError,
        family="regression", higher_is_better=False, value_range=POS,
        formula="mean(|y_pred - y_true|, axis=-1)",
        keras2=("mean_absolute_error", "mae", "MAE"), keras2_name="mean_absolute_error",
        keras3=("mean_absolute_error", "mae", "MAE", "MeanAbsoluteError"),
        sklearn="sklearn.metrics.mean_absolute_error",
    ),
    Entry(
        name="mean_absolute_percentage_error", kernel=mean_absolute_percentage_error,
        streaming=MeanAbsolutePercentageError, family="regression", higher_is_better=False,
        value_range=POS, formula="100 * mean(|(y_true - y_pred) / max(|y_true|, 1e-7)|, axis=-1)",
        keras2=("mean_absolute_percentage_error", "mape", "MAPE"),
        keras2_name="mean_absolute_percentage_error",
        keras3=("mean_absolute_percentage_error", "mape", "MAPE", "MeanAbsolutePercentageError"),
        sklearn="sklearn.metrics.mean_absolute_percentage_error",
        note="sklearn returns a fraction (not a percentage) and guards |y_true| with machine "
        "epsilon instead of 1e-7.",
    ),
    Entry(
        name="mean_squared_logarithmic_error", kernel=mean_squared_logarithmic_error,
        streaming=MeanSquaredLogarithmicError, family="regression", higher_is_better=False,
        value_range=POS,
        formula="mean((log(max(y_pred, 1e-7) + 1) - log(max(y_true, 1e-7) + 1))**2, axis=-1)",
        keras2=("mean_squared_logarithmic_error", "msle", "MSLE"),
        keras2_name="mean_squared_logarithmic_error",
        keras3=("mean_squared_logarithmic_error", "msle", "MSLE", "MeanSquaredLogarithmicError"),
        sklearn="sklearn.metrics.mean_squared_log_error",
        note="Negative values are clipped to 1e-7 (Keras); sklearn rejects them.",
    ),
    Entry(
        name="log_cosh", kernel=log_cosh, streaming=LogCoshError, family="regression",
        higher_is_better=False, value_range=POS,
        formula="mean(log(cosh(y_pred - y_true)), axis=-1)",
        keras2=("logcosh",), keras2_name="logcosh",
        keras3=("log_cosh_error", "LogCoshError"), keras3_loss=("log_cosh", "LogCosh"),
    ),
    Entry(
        name="huber", kernel=huber, streaming=None, family="regression", input_kind="regression",
        higher_is_better=False, value_range=POS,
        formula="mean(0.5 * e**2 if |e| <= delta else delta * (|e| - 0.5 * delta), axis=-1), "
        "e = y_pred - y_true",
        keras2_loss=("huber_loss",), keras3_loss=("huber", "Huber"),
        note="Keras 2.3.1's huber_loss is elementwise (no mean over the last axis).",
    ),
    Entry(
        name="cosine_similarity", kernel=cosine_similarity, streaming=CosineSimilarity,
        family="regression", higher_is_better=True, value_range=COS,
        formula="sum(y_true / max(||y_true||, 1e-7) * y_pred / max(||y_pred||, 1e-7), axis)",
        keras2=("cosine_similarity",), keras2_name="cosine_proximity",
        keras3=("cosine_similarity", "CosineSimilarity"),
        sklearn="sklearn.metrics.pairwise.cosine_similarity",
        note="Positive, as the Keras metric (the Keras loss of the same name is negative). "
        "sklearn's pairwise function gives the matrix: this is its diagonal.",
    ),
    Entry(
        name="cosine_proximity", kernel=cosine_proximity, streaming=CosineSimilarity,
        family="regression", higher_is_better=True, value_range=COS,
        formula="cosine_similarity(y_true, y_pred, axis) (positive)",
        keras2=("cosine_proximity", "cosine"), keras2_name="cosine_proximity",
        note="Positive, as keras.metrics.cosine_proximity in 2.3.1. In Keras 2.2 'cosine' was the "
        "loss (negative): tutorial logs showing cosine_proximity = -1.0 have the opposite sign.",
    ),
    # -- probabilistic ------------------------------------------------------------------------
    Entry(
        name="binary_crossentropy", kernel=binary_crossentropy, streaming=BinaryCrossentropy,
        family="probabilistic", higher_is_better=False, value_range=POS,
        formula="-mean(t log p + (1 - t) log(1 - p), axis), p clipped to [1e-7, 1 - 1e-7]",
        keras2=("binary_crossentropy",), keras2_name="binary_crossentropy",
        keras3=("binary_crossentropy", "bce", "BCE", "BinaryCrossentropy"),
        sk=sk_log_loss,
        note="Averaged over samples it equals sklearn's log_loss for 0/1 labels (up to the "
        "clipping).",
    ),
    Entry(
        name="categorical_crossentropy", kernel=categorical_crossentropy,
        streaming=CategoricalCrossentropy, family="probabilistic", higher_is_better=False,
        value_range=POS,
        formula="-sum(t log p, axis), p renormalised to sum 1 and clipped to [1e-7, 1 - 1e-7]",
        keras2=("categorical_crossentropy",), keras2_name="categorical_crossentropy",
        keras3=("categorical_crossentropy", "CategoricalCrossentropy"),
        sk=sk_log_loss,
    ),
    Entry(
        name="sparse_categorical_crossentropy", kernel=sparse_categorical_crossentropy,
        streaming=SparseCategoricalCrossentropy, family="probabilistic",
        higher_is_better=False, value_range=POS,
        formula="-log(p[y_true]), p renormalised and clipped as categorical_crossentropy",
        keras2=("sparse_categorical_crossentropy",), keras2_name="sparse_categorical_crossentropy",
        keras3=("sparse_categorical_crossentropy", "SparseCategoricalCrossentropy"),
        sk=sk_log_loss,
    ),
    Entry(
        name="binary_focal_crossentropy", kernel=binary_focal_crossentropy, streaming=None,
        input_kind="binary",
        family="probabilistic", higher_is_better=False, value_range=POS,
        formula="mean(alpha_t * (1 - p_t)**gamma * bce, axis)",
        keras3_loss=("binary_focal_crossentropy", "BinaryFocalCrossentropy"),
    ),
    Entry(
        name="categorical_focal_crossentropy", kernel=categorical_focal_crossentropy,
        input_kind="categorical",
        streaming=None, family="probabilistic", higher_is_better=False, value_range=POS,
        formula="-sum(alpha * (1 - p)**gamma * t log p, axis)",
        keras3_loss=("categorical_focal_crossentropy", "CategoricalFocalCrossentropy"),
    ),
    Entry(
        name="kl_divergence", kernel=kl_divergence, streaming=KLDivergence,
        family="probabilistic", higher_is_better=False, value_range=ANY,
        formula="sum(t log(t / p), axis=-1), t and p clipped to [1e-7, 1]",
        keras2=("kullback_leibler_divergence",), keras2_loss=("kld", "KLD"),
        keras2_name="kullback_leibler_divergence",
        keras3=("kl_divergence", "KLDivergence"), keras3_loss=("kld", "KLD"),
        sklearn="scipy.special.rel_entr (summed)",
        note="An all-zero y_true gives a tiny negative value (about -3e-6), as in Keras.",
        policies=((kl_divergence, KERNEL), (KLDivergence, MEAN)),  # a formula of reals
    ),
    Entry(
        name="poisson", kernel=poisson, streaming=Poisson, family="probabilistic",
        higher_is_better=False, value_range=ANY, formula="mean(p - t log(p + 1e-7), axis=-1)",
        keras2=("poisson",), keras2_name="poisson", keras3=("poisson", "Poisson"),
        sklearn="sklearn.metrics.mean_poisson_deviance",
        note="sklearn's deviance is 2 * (this - t + t log t): same minimiser, different value.",
        policies=((poisson, KERNEL), (Poisson, MEAN)),  # a formula of reals
    ),
    # -- accuracy -----------------------------------------------------------------------------
    Entry(
        name="accuracy", kernel=accuracy, streaming=Accuracy, family="accuracy",
        higher_is_better=True, value_range=UNIT,
        formula="mean(y_true == y_pred, axis=-1) (exact equality)",
        keras2=("accuracy",), keras2_name="accuracy", keras3=("accuracy", "Accuracy"),
        sk=sk_accuracy_score, aliases=("exact_accuracy",),
        note="The strings 'acc' and 'accuracy' (any case) select binary, sparse or categorical "
        "accuracy (see 'acc' below); exact equality is 'exact_accuracy', jmetrics.accuracy or "
        "jmetrics.metrics.Accuracy().",
    ),
    Entry(
        name="binary_accuracy", kernel=binary_accuracy, streaming=BinaryAccuracy,
        family="accuracy", higher_is_better=True, value_range=UNIT,
        formula="mean(y_true == (y_pred > threshold), axis=-1), threshold=0.5",
        keras2=("binary_accuracy",), keras2_name="binary_accuracy",
        keras3=("binary_accuracy", "BinaryAccuracy"), sk=sk_accuracy_score,
        note="Strict '>' as Keras 3 (Keras 2.3.1 rounded half to even: p = 2.0 was wrong there).",
    ),
    Entry(
        name="categorical_accuracy", kernel=categorical_accuracy,
        streaming=CategoricalAccuracy, family="accuracy", higher_is_better=True,
        value_range=UNIT, formula="argmax(y_true, -1) == argmax(y_pred, -1) (first index on ties)",
        keras2=("categorical_accuracy",), keras2_name="categorical_accuracy",
        keras3=("categorical_accuracy", "CategoricalAccuracy"),
        sk=sk_accuracy_score,
    ),
    Entry(
        name="sparse_categorical_accuracy", kernel=sparse_categorical_accuracy,
        streaming=SparseCategoricalAccuracy, family="accuracy", higher_is_better=True,
        value_range=UNIT, formula="y_true == argmax(y_pred, -1)",
        keras2=("sparse_categorical_accuracy",), keras2_name="sparse_categorical_accuracy",
        keras3=("sparse_categorical_accuracy", "SparseCategoricalAccuracy"),
        sk=sk_accuracy_score,
    ),
    Entry(
        name="top_k_categorical_accuracy", kernel=top_k_categorical_accuracy,
        streaming=TopKCategoricalAccuracy, family="accuracy", higher_is_better=True,
        value_range=UNIT,
        formula="1 + count(y_pred > y_pred[argmax(y_true)]) <= k (ties count as inside), k=5",
        keras2=("top_k_categorical_accuracy",), keras2_name="top_k_categorical_accuracy",
        keras3=("top_k_categorical_accuracy", "TopKCategoricalAccuracy"),
        sk=sk_top_k_accuracy_score,
        note="Ties count in favour (TF's in_top_k); sklearn breaks ties by order.",
    ),
    Entry(
        name="sparse_top_k_categorical_accuracy", kernel=sparse_top_k_categorical_accuracy,
        streaming=SparseTopKCategoricalAccuracy, family="accuracy", higher_is_better=True,
        value_range=UNIT,
        formula="1 + count(y_pred > y_pred[y_true]) <= k (ties count as inside), k=5",
        keras2=("sparse_top_k_categorical_accuracy",),
        keras2_name="sparse_top_k_categorical_accuracy",
        keras3=("sparse_top_k_categorical_accuracy", "SparseTopKCategoricalAccuracy"),
        sk=sk_top_k_accuracy_score,
        note="Ties count in favour (TF's in_top_k); sklearn breaks ties by order.",
    ),
    # -- hinge --------------------------------------------------------------------------------
    Entry(
        name="hinge", kernel=hinge, streaming=Hinge, family="hinge", higher_is_better=False,
        value_range=POS,
        formula="mean(max(1 - t * p, 0), axis=-1); t in {0, 1} everywhere -> 2t - 1",
        keras2=("hinge",), keras2_name="hinge", keras3=("hinge", "Hinge"),
        sklearn="sklearn.metrics.hinge_loss",
        note="sklearn's hinge_loss takes a decision function and labels in {-1, 1} (binary).",
    ),
    Entry(
        name="squared_hinge", kernel=squared_hinge, streaming=SquaredHinge, family="hinge",
        higher_is_better=False, value_range=POS,
        formula="mean(max(1 - t * p, 0)**2, axis=-1); t in {0, 1} everywhere -> 2t - 1",
        keras2=("squared_hinge",), keras2_name="squared_hinge",
        keras3=("squared_hinge", "SquaredHinge"),
    ),
    Entry(
        name="categorical_hinge", kernel=categorical_hinge, streaming=CategoricalHinge,
        family="hinge", higher_is_better=False, value_range=POS,
        formula="max(max((1 - t) * p, -1) - sum(t * p, -1) + 1, 0)",
        keras2=("categorical_hinge",), keras2_name="categorical_hinge",
        keras3=("categorical_hinge", "CategoricalHinge"), sklearn="sklearn.metrics.hinge_loss",
        note="Equals sklearn's multiclass (Crammer-Singer) hinge_loss for one-hot y_true.",
    ),
    # -- correlation and R2 -------------------------------------------------------------------
    Entry(
        name="pearson_correlation", kernel=pearson_correlation, streaming=PearsonCorrelation,
        family="correlation", higher_is_better=True, value_range=COS,
        formula="mean(z(y_true) * z(y_pred), axis), z centred and divided by the population std",
        keras3=("pearson_correlation", "PearsonCorrelation"), sklearn="scipy.stats.pearsonr",
    ),
    Entry(
        name="concordance_correlation", kernel=concordance_correlation,
        streaming=ConcordanceCorrelation, family="correlation", higher_is_better=True,
        value_range=COS,
        formula="2 cov(t, p) / (var(t) + var(p) + (mean(t) - mean(p))**2), along axis",
        keras3=("concordance_correlation", "ConcordanceCorrelation"),
    ),
    Entry(
        name="r2_score", kernel=None, streaming=R2Score, family="correlation",
        higher_is_better=True, value_range=(None, 1.0),
        formula="1 - sum(w (t - p)**2) / sum(w (t - mean(t))**2), per column, then averaged",
        keras3=("r2_score", "R2Score"), sk=sk_r2_score,
        # Keras gives 0 for an infinite prediction, the formula -inf or NaN: documented as NaN.
        policies=((R2Score, MEAN._replace(posinf_true=NAN, neginf_true=NAN, inf_pred=NAN)),),
    ),
    *COUNT_ENTRIES,
    # -- reductions ---------------------------------------------------------------------------
    Entry(
        name="mean", kernel=None, streaming=Mean, family="reduction", higher_is_better=None,
        value_range=ANY, formula="sum(w * values) / sum(w), each sample counted once",
        keras3=("mean", "Mean"),
    ),
    Entry(
        name="sum", kernel=None, streaming=Sum, family="reduction", higher_is_better=None,
        value_range=ANY, formula="sum(w * values)", keras3=("sum", "Sum"),
    ),
    Entry(
        name="mean_metric_wrapper", kernel=None, streaming=MeanMetricWrapper,
        family="reduction", higher_is_better=None, value_range=ANY,
        formula="Mean of fn(y_true, y_pred, **kwargs) per sample",
        keras3=("mean_metric_wrapper", "MeanMetricWrapper"),
        note="Needs a function: MeanMetricWrapper(fn, name=None, **kwargs).",
    ),
)
