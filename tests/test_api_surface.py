"""The public import surface: nothing required disappears, nothing private leaks.

The required names are the ones the Foundation issue and the helper brief promise: every Keras
function metric (with the Keras 2 short aliases), every Keras 3 streaming class, and the adapter.
"""

from __future__ import annotations

import importlib
import inspect
import types

import pytest

import jmetrics
import jmetrics.metrics

KERNELS = {
    "accuracy", "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy",
    "top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy", "cosine_similarity",
    "cosine_proximity", "mean_squared_error", "root_mean_squared_error", "mean_absolute_error",
    "mean_absolute_percentage_error", "mean_squared_logarithmic_error", "squared_hinge", "hinge",
    "categorical_hinge", "log_cosh", "logcosh", "huber", "binary_crossentropy",
    "categorical_crossentropy", "sparse_categorical_crossentropy", "binary_focal_crossentropy",
    "categorical_focal_crossentropy", "kl_divergence", "kullback_leibler_divergence", "poisson",
    "pearson_correlation", "concordance_correlation",
    "mse", "mae", "mape", "msle", "kld", "cosine",
}
ADAPTER = {
    "get", "get_metric", "serialize", "deserialize", "clone_metric", "clone_metrics",
    "register_metric", "resolve_accuracy", "metric_name", "metric_names", "metric_info",
}
CLASSES = {
    "Metric", "Mean", "Sum", "MeanMetricWrapper", "MeanSquaredError", "RootMeanSquaredError",
    "MeanAbsoluteError", "MeanAbsolutePercentageError", "MeanSquaredLogarithmicError",
    "LogCoshError", "CosineSimilarity", "Poisson", "KLDivergence", "Hinge", "SquaredHinge",
    "CategoricalHinge", "Accuracy", "BinaryAccuracy", "CategoricalAccuracy",
    "SparseCategoricalAccuracy", "TopKCategoricalAccuracy", "SparseTopKCategoricalAccuracy",
    "BinaryCrossentropy", "CategoricalCrossentropy", "SparseCategoricalCrossentropy",
    "PearsonCorrelation", "ConcordanceCorrelation", "R2Score", "TruePositives", "FalsePositives",
    "TrueNegatives", "FalseNegatives", "Precision", "Recall", "PrecisionAtRecall",
    "RecallAtPrecision", "SensitivityAtSpecificity", "SpecificityAtSensitivity", "AUC", "F1Score",
    "FBetaScore", "IoU", "BinaryIoU", "MeanIoU", "OneHotIoU", "OneHotMeanIoU",
}
TRAINING_LOOPS = {"Collection", "CollectionState", "pad_batch", "History", "format_logs", "format_value"}
REQUIRED = {
    jmetrics: KERNELS | ADAPTER | TRAINING_LOOPS | {"metrics", "__version__"},
    jmetrics.metrics: KERNELS | CLASSES | {"get", "serialize", "deserialize"},
}
MODULES = pytest.mark.parametrize("module", list(REQUIRED), ids=lambda m: m.__name__)


@MODULES
def test_required_names_are_public(module):
    assert REQUIRED[module] - set(module.__all__) == set()


@MODULES
def test_every_name_in_all_imports(module):
    assert len(module.__all__) == len(set(module.__all__))
    fresh = importlib.import_module(module.__name__)
    for name in module.__all__:
        exec(f"from {module.__name__} import {name}", {})  # noqa: S102 - the import is the test
        assert getattr(fresh, name) is getattr(module, name)


@MODULES
def test_nothing_private_leaks(module):
    for name in module.__all__:
        assert not name.startswith("_") or name == "__version__", name
        obj = getattr(module, name)
        if inspect.isfunction(obj) or inspect.isclass(obj):
            assert not obj.__name__.startswith("_"), f"{name} is the private {obj.__name__}"
    for name, obj in vars(module).items():
        if name.startswith("_") or name in module.__all__:
            continue
        # anything else public must be one of the package's own submodules
        assert isinstance(obj, types.ModuleType) and obj.__name__.startswith("jmetrics."), name


def test_metrics_namespace_mirrors_keras_metrics():
    # keras.metrics holds the classes and the functions: so does jmetrics.metrics
    assert jmetrics.metrics.mae is jmetrics.mean_absolute_error
    assert jmetrics.metrics.get("mae") == jmetrics.metrics.MeanAbsoluteError()
    assert jmetrics.get is not jmetrics.metrics.get  # function vs streaming object
