"""The public import surface: nothing required disappears, nothing private leaks."""

from __future__ import annotations

import jmetrics

REQUIRED_TOP = {
    "accuracy", "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy",
    "top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy", "cosine_proximity",
    "cosine_similarity", "mean_squared_error", "root_mean_squared_error", "mean_absolute_error",
    "mean_absolute_percentage_error", "mean_squared_logarithmic_error", "squared_hinge", "hinge",
    "categorical_hinge", "logcosh", "log_cosh", "huber", "binary_crossentropy",
    "categorical_crossentropy", "sparse_categorical_crossentropy", "binary_focal_crossentropy",
    "categorical_focal_crossentropy", "kullback_leibler_divergence", "kl_divergence", "poisson",
    "pearson_correlation", "concordance_correlation", "mse", "mae", "mape", "msle", "kld", "cosine",
    "get", "serialize", "deserialize", "resolve_accuracy", "metrics",
}
REQUIRED_METRICS = {
    "Mean", "Sum", "MeanMetricWrapper", "MeanSquaredError", "RootMeanSquaredError", "MeanAbsoluteError",
    "MeanAbsolutePercentageError", "MeanSquaredLogarithmicError", "LogCoshError", "CosineSimilarity",
    "Poisson", "KLDivergence", "Hinge", "SquaredHinge", "CategoricalHinge", "Accuracy", "BinaryAccuracy",
    "CategoricalAccuracy", "SparseCategoricalAccuracy", "TopKCategoricalAccuracy",
    "SparseTopKCategoricalAccuracy", "BinaryCrossentropy", "CategoricalCrossentropy",
    "SparseCategoricalCrossentropy", "PearsonCorrelation", "ConcordanceCorrelation", "mae",
    "categorical_accuracy", "cosine_proximity",
}


def test_required_names_are_public():
    assert REQUIRED_TOP <= set(jmetrics.__all__)
    assert REQUIRED_METRICS <= set(jmetrics.metrics.__all__)


def test_all_names_import_and_nothing_private_leaks():
    for module in (jmetrics, jmetrics.metrics):
        for name in module.__all__:
            assert hasattr(module, name), name
            assert not name.startswith("_") or name == "__version__", name
