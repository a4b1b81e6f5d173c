"""scikit-learn-named metric functions with scikit-learn semantics, exact and fast.

``roc_auc_score(y_true, y_score, *, sample_weight=None, ...)`` etc. return the aggregate value,
equal to ``sklearn.metrics`` 1.9.1. Concrete inputs run on the host (NumPy, exact counts, sklearn's
checks, warnings and errors, labels of any type); inside ``jit`` the JAX path runs with static class
counts, returns ``jax.Array`` and gives NaN where scikit-learn would raise. See docs/sklearn.md.
This module only re-exports, and marks each function ``whole_set = True``: it returns one value for
all the rows it is given, never one per sample, so ``jmetrics.Collection`` and ``jmetrics.get``
refuse it as a per-sample metric (averaged over batches it would give a wrong number).
"""

from jmetrics.sk._classification import *  # noqa: F403
from jmetrics.sk._classification import __all__ as _classification_all
from jmetrics.sk._common import UndefinedMetricWarning as UndefinedMetricWarning
from jmetrics.sk._confusion import *  # noqa: F403
from jmetrics.sk._confusion import __all__ as _confusion_all
from jmetrics.sk._curves import *  # noqa: F403
from jmetrics.sk._curves import __all__ as _curves_all
from jmetrics.sk._multilabel import *  # noqa: F403
from jmetrics.sk._multilabel import __all__ as _multilabel_all
from jmetrics.sk._probabilistic import *  # noqa: F403
from jmetrics.sk._probabilistic import __all__ as _probabilistic_all
from jmetrics.sk._ranking import *  # noqa: F403
from jmetrics.sk._ranking import __all__ as _ranking_all
from jmetrics.sk._regression import *  # noqa: F403
from jmetrics.sk._regression import __all__ as _regression_all
from jmetrics.sk._report import *  # noqa: F403
from jmetrics.sk._report import __all__ as _report_all
from jmetrics.sk._topk import *  # noqa: F403
from jmetrics.sk._topk import __all__ as _topk_all

__all__: list[str] = sorted({"UndefinedMetricWarning"} | set(_ranking_all) | set(_classification_all)
                           | set(_confusion_all) | set(_curves_all) | set(_regression_all)
                           | set(_probabilistic_all) | set(_multilabel_all) | set(_topk_all)
                           | set(_report_all))

for _name in __all__:  # the whole-set marker (see the module docstring)
    if _name != "UndefinedMetricWarning":
        setattr(globals()[_name], "whole_set", True)  # noqa: B010
del _name
