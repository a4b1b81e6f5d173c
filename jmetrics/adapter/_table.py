"""The alias table: one entry per metric function, as data.

Each entry names the kernel (``jmetrics.kernels.<kernel>``), its direction and value range, what it
is called in Keras 2.3.1, Keras 3 and scikit-learn, and every string alias that resolves to it.
Resolution (``jmetrics.get``), ``jmetrics list`` and the docs all read this one table.
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["ENTRIES", "Entry"]

INF = float("inf")


class Entry(NamedTuple):
    """One metric function of the table."""

    name: str  # canonical function name (the kernel's)
    aliases: tuple[str, ...]  # other strings that resolve to it
    higher_is_better: bool
    value_range: tuple[float, float]
    keras2: str  # Keras 2.3.1 metric string(s), "" when not a 2.3.1 metric string
    keras3: str  # Keras 3 streaming class
    sklearn: str  # scikit-learn equivalent of the sample mean, "" when none
    formula: str  # one line for `jmetrics list` and the docs


ENTRIES: tuple[Entry, ...] = (
    Entry("mean_squared_error", ("mse", "MSE"), False, (0, INF), "mse, MSE", "MeanSquaredError",
          "mean_squared_error", "mean((y_pred - y_true)**2)"),
    Entry("root_mean_squared_error", ("rmse", "RMSE"), False, (0, INF), "", "RootMeanSquaredError",
          "root_mean_squared_error", "sqrt(mean((y_pred - y_true)**2))"),
    Entry("mean_absolute_error", ("mae", "MAE"), False, (0, INF), "mae, MAE", "MeanAbsoluteError",
          "mean_absolute_error", "mean(|y_pred - y_true|)"),
    Entry("mean_absolute_percentage_error", ("mape", "MAPE"), False, (0, INF), "mape, MAPE",
          "MeanAbsolutePercentageError", "100 * mean_absolute_percentage_error",
          "100 * mean(|y_true - y_pred| / max(|y_true|, 1e-7))"),
    Entry("mean_squared_logarithmic_error", ("msle", "MSLE"), False, (0, INF), "msle, MSLE",
          "MeanSquaredLogarithmicError", "mean_squared_log_error",
          "mean((log1p(max(y_pred, eps)) - log1p(max(y_true, eps)))**2)"),
    Entry("log_cosh", ("logcosh", "log_cosh_error"), False, (0, INF), "logcosh", "LogCoshError", "",
          "mean(log(cosh(y_pred - y_true)))"),
    Entry("huber", ("huber_loss",), False, (0, INF), "", "", "", "mean(0.5 e**2 if |e| <= delta else delta |e| - delta**2 / 2)"),
    Entry("poisson", (), False, (-INF, INF), "poisson", "Poisson", "",
          "mean(y_pred - y_true * log(y_pred + eps))"),
    Entry("kl_divergence", ("kld", "KLD", "kullback_leibler_divergence"), False, (-INF, INF),
          "kullback_leibler_divergence", "KLDivergence", "", "sum(t * log(t / p)), t, p clipped to [eps, 1]"),
    Entry("cosine_similarity", ("cosine", "cosine_proximity"), True, (-1, 1),
          "cosine, cosine_proximity, cosine_similarity", "CosineSimilarity", "",
          "sum(l2_normalize(y_true) * l2_normalize(y_pred))"),
    Entry("hinge", (), False, (0, INF), "hinge", "Hinge", "hinge_loss", "mean(max(1 - t * p, 0)), {0,1} -> {-1,1}"),
    Entry("squared_hinge", (), False, (0, INF), "squared_hinge", "SquaredHinge", "",
          "mean(max(1 - t * p, 0)**2)"),
    Entry("categorical_hinge", (), False, (0, INF), "categorical_hinge", "CategoricalHinge", "",
          "max(max((1 - t) * p) - sum(t * p) + 1, 0)"),
    Entry("accuracy", ("acc", "ACC"), True, (0, 1), "accuracy", "Accuracy", "accuracy_score",
          "mean(y_true == y_pred); 'acc' resolves by shapes or loss"),
    Entry("binary_accuracy", (), True, (0, 1), "binary_accuracy", "BinaryAccuracy", "accuracy_score",
          "mean(y_true == (y_pred > threshold))"),
    Entry("categorical_accuracy", (), True, (0, 1), "categorical_accuracy", "CategoricalAccuracy",
          "accuracy_score", "argmax(y_true) == argmax(y_pred)"),
    Entry("sparse_categorical_accuracy", (), True, (0, 1), "sparse_categorical_accuracy",
          "SparseCategoricalAccuracy", "accuracy_score", "y_true == argmax(y_pred)"),
    Entry("top_k_categorical_accuracy", (), True, (0, 1), "top_k_categorical_accuracy",
          "TopKCategoricalAccuracy", "top_k_accuracy_score", "argmax(y_true) in top k of y_pred"),
    Entry("sparse_top_k_categorical_accuracy", (), True, (0, 1), "sparse_top_k_categorical_accuracy",
          "SparseTopKCategoricalAccuracy", "top_k_accuracy_score", "y_true in top k of y_pred"),
    Entry("binary_crossentropy", ("bce", "BCE"), False, (0, INF), "binary_crossentropy",
          "BinaryCrossentropy", "log_loss", "-mean(t log p + (1 - t) log(1 - p)), p clipped"),
    Entry("categorical_crossentropy", ("cce", "CCE"), False, (0, INF), "categorical_crossentropy",
          "CategoricalCrossentropy", "log_loss", "-sum(t log p), p renormalised and clipped"),
    Entry("sparse_categorical_crossentropy", ("scce", "SCCE"), False, (0, INF),
          "sparse_categorical_crossentropy", "SparseCategoricalCrossentropy", "log_loss", "-log p[y_true]"),
    Entry("binary_focal_crossentropy", (), False, (0, INF), "", "", "",
          "mean((1 - p_t)**gamma * bce)"),
    Entry("categorical_focal_crossentropy", (), False, (0, INF), "", "", "",
          "-sum(alpha (1 - p)**gamma t log p)"),
    Entry("pearson_correlation", (), True, (-1, 1), "", "PearsonCorrelation", "",
          "mean(z(y_true) * z(y_pred)) along the axis"),
    Entry("concordance_correlation", (), True, (-1, 1), "", "ConcordanceCorrelation", "",
          "2 cov / (var_t + var_p + (mean_t - mean_p)**2)"),
)
