"""The public import surface: nothing required disappears, nothing private leaks.

The required names are the ones the Foundation issue and the helper brief promise: every Keras
function metric (with the Keras 2 short aliases), every Keras 3 streaming class, and the adapter.
"""

from __future__ import annotations

import importlib
import inspect
import os
import pkgutil
import subprocess
import sys
import types
from pathlib import Path

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
ROOT = Path(__file__).resolve().parents[1]
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


# -- the lazy top level -------------------------------------------------------------------------
def test_lazy_table_is_each_submodules_all():
    # a name added to (or removed from) a submodule's __all__ must be added to (removed from) the
    # table; a name under the wrong submodule fails too
    homes = jmetrics._EXPORTS  # noqa: SLF001 - the table is what is tested
    for module, names in homes.items():
        real = importlib.import_module(f"jmetrics.{module}").__all__
        assert sorted(names) == sorted(real), module
    assert sum(map(len, homes.values())) == len(jmetrics._HOME)  # noqa: SLF001 - no name twice
    assert set(jmetrics.__all__) == {"__version__", "metrics", *jmetrics._HOME}  # noqa: SLF001
    for name, module in jmetrics._HOME.items():  # noqa: SLF001
        assert getattr(jmetrics, name) is getattr(importlib.import_module(f"jmetrics.{module}"),
                                                  name), name


def test_every_public_submodule_is_an_attribute():
    found = {m.name for m in pkgutil.iter_modules(jmetrics.__path__) if not m.name.startswith("_")}
    assert found == jmetrics._SUBMODULES  # noqa: SLF001


def test_star_import_dir_and_submodules():
    namespace: dict[str, object] = {}
    exec("from jmetrics import *", namespace)  # noqa: S102 - the import is the test
    assert set(namespace) - {"__builtins__"} == set(jmetrics.__all__)
    assert set(jmetrics.__all__) <= set(dir(jmetrics))
    assert jmetrics.sk is importlib.import_module("jmetrics.sk")
    assert jmetrics.engine.evaluate is jmetrics.evaluate
    with pytest.raises(AttributeError, match="has no attribute 'no_such_metric'"):
        jmetrics.no_such_metric  # noqa: B018


HEAVY = ("jax", "jaxlib", "numpy", "jmetrics.engine", "jmetrics.sk", "jmetrics.bench",
         "jmetrics.integrations", "jmetrics.cli")
# Import-free modules ``import jmetrics`` loads: the Keras call guard it registers (it looks at
# Keras only once a program has imported it).
LIGHT = ("jmetrics.integrations", "jmetrics.integrations._keras_guard")


def _loaded_after(code: str) -> list[str]:
    """The heavy modules (and their submodules) in ``sys.modules`` after ``code``, in a fresh
    interpreter."""
    probe = (f"{code}\nimport sys\nprint(sorted(m for m in sys.modules if m not in {LIGHT!r} "
             f"and any(m == h or m.startswith(h + '.') for h in {HEAVY!r})))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT), "JAX_PLATFORMS": "cpu"},
                         cwd=ROOT, timeout=300)
    assert out.returncode == 0, out.stderr
    return list(eval(out.stdout.strip().splitlines()[-1]))  # noqa: S307 - our own printed list


def test_import_jmetrics_imports_no_jax():
    """``import jmetrics`` loads no JAX, no NumPy and none of the heavy parts; a metric function
    loads JAX and the kernels only; a streaming class never loads the engine, the bench, the
    command or the integrations (the exact curve metrics share ``jmetrics.sk``'s sort)."""
    assert _loaded_after("import jmetrics") == []
    after_metric = _loaded_after("import jmetrics\njmetrics.mean_squared_error")
    assert "jax" in after_metric
    assert [m for m in after_metric if m.startswith("jmetrics.")] == []
    after_class = _loaded_after("import jmetrics\njmetrics.metrics.AUC")
    assert [m for m in after_class if m.startswith("jmetrics.") and
            not m.startswith("jmetrics.sk")] == []


@pytest.mark.slow
def test_every_subpackage_imports_first():
    # in a fresh interpreter, whichever comes first (jmetrics.adapter, .sk and .metrics import
    # each other's modules)
    procs = {m: subprocess.Popen([sys.executable, "-c", f"import jmetrics.{m}"], text=True,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT,
                                 env={**os.environ, "PYTHONPATH": str(ROOT)})
             for m in sorted(jmetrics._SUBMODULES)}  # noqa: SLF001
    failed = {m: p.communicate(timeout=300)[1].strip().splitlines()[-1:]
              for m, p in procs.items()}
    assert {m: e for m, e in failed.items() if procs[m].returncode} == {}
