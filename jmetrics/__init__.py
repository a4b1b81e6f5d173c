"""jmetrics: JAX-accelerated compiled metrics with Keras names and scikit-learn exactness.

Layers (imports point down): ``cli`` > ``engine`` > ``collection`` > ``adapter`` > ``metrics`` >
``kernels``. This module only re-exports, and lazily (PEP 562): ``import jmetrics`` imports no
JAX; each name is imported from the submodule that holds it on first use (``jmetrics.mse``,
``from jmetrics import mse``), as is each submodule (``jmetrics.sk``). So the ``jmetrics`` command
sets up its handling of Ctrl-C before JAX loads, and a program pays only for what it uses.
"""

import importlib as _importlib
import typing as _typing

from jmetrics import _call_guards
from jmetrics._version import __version__ as __version__
from jmetrics.integrations import _keras_guard

# A metric object called inside Keras' compiled step is refused, whatever module it came from.
_call_guards.add_call_guard(_keras_guard.refuse_in_keras_step)

# The submodule that holds each public name: the ``__all__`` of each (a test checks they agree).
_EXPORTS: dict[str, tuple[str, ...]] = {
    "adapter": (
        "Collection", "ENTRIES", "Entry", "auto_accuracy", "auto_crossentropy", "clone_metric", "clone_metrics",
        "deserialize", "get", "get_metric", "metric_info", "metric_name", "metric_names",
        "register_metric", "resolve_accuracy", "serialize",
    ),
    "collection": ("CollectionState", "pad_batch"),
    "distributed": (
        "batch_mesh", "load_state", "merge_across_processes", "merge_state_files", "reduce_state",
        "save_state", "shard_batch", "sharded_update",
    ),
    "engine": ("DEMO_TASKS", "Picked", "check_gates", "demo_data", "evaluate", "pick_metrics",
               "plot_slices"),
    "history": ("History", "format_logs", "format_value"),
    "kernels": (
        "accuracy", "binary_accuracy", "binary_crossentropy", "binary_focal_crossentropy",
        "categorical_accuracy", "categorical_crossentropy", "categorical_focal_crossentropy",
        "categorical_hinge", "concordance_correlation", "cosine", "cosine_proximity",
        "cosine_similarity", "hinge", "huber", "kl_divergence", "kld",
        "kullback_leibler_divergence", "log_cosh", "logcosh", "mae", "mape", "mean_absolute_error",
        "mean_absolute_percentage_error", "mean_squared_error", "mean_squared_logarithmic_error",
        "mse", "msle", "pearson_correlation", "poisson", "root_mean_squared_error",
        "sparse_categorical_accuracy", "sparse_categorical_crossentropy",
        "sparse_top_k_categorical_accuracy", "squared_hinge", "top_k_categorical_accuracy",
    ),
    "sk": (
        "UndefinedMetricWarning", "accuracy_score", "average_precision_score",
        "balanced_accuracy_score", "brier_score_loss", "classification_report",
        "cohen_kappa_score", "confusion_matrix", "confusion_matrix_at_thresholds", "coverage_error", "d2_absolute_error_score", "d2_brier_score", "d2_log_loss_score",
        "d2_pinball_score", "dcg_score", "det_curve", "explained_variance_score", "f1_score",
        "fbeta_score", "hamming_loss", "jaccard_score", "label_ranking_average_precision_score",
        "log_loss", "matthews_corrcoef", "mean_pinball_loss", "multilabel_confusion_matrix",
        "ndcg_score", "precision_recall_curve", "precision_recall_fscore_support",
        "precision_score", "r2_score", "recall_score", "roc_auc_score", "roc_curve",
        "top_k_accuracy_score",
    ),
}
_HOME = {name: module for module, names in _EXPORTS.items() for name in names}
# The public submodules: attributes of the package without importing them first.
_SUBMODULES = frozenset({"adapter", "bench", "cli", "collection", "distributed", "engine",
                         "history", "integrations", "kernels", "metrics", "padding", "sk",
                         "testing"})

__all__ = sorted({"__version__", "metrics", *_HOME})

if _typing.TYPE_CHECKING:  # what type checkers and IDEs see: the eager form of the same names
    from jmetrics import metrics as metrics
    from jmetrics.adapter import *  # noqa: F403
    from jmetrics.collection import *  # noqa: F403
    from jmetrics.distributed import *  # noqa: F403
    from jmetrics.engine import *  # noqa: F403
    from jmetrics.history import *  # noqa: F403
    from jmetrics.kernels import *  # noqa: F403
    from jmetrics.sk import *  # noqa: F403
else:
    def __getattr__(name: str) -> object:
        """Import ``name`` from its submodule (or the submodule ``name``) on first use."""
        if name in _HOME:
            value = getattr(_importlib.import_module(f"{__name__}.{_HOME[name]}"), name)
        elif name in _SUBMODULES:
            value = _importlib.import_module(f"{__name__}.{name}")
        else:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        globals()[name] = value  # later look-ups find it without calling this function
        return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__, *_SUBMODULES})
