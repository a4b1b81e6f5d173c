"""The evaluation engine: ``jmetrics.evaluate`` over arrays, files and chunk streams.

Sources are cut into fixed-size chunks, moved to the devices once, sharded over every local device
and folded into per-device metric states that are reduced at the end (see ``_evaluate`` and ``_step``).
"""

from jmetrics.engine._auto import DEMO_TASKS as DEMO_TASKS
from jmetrics.engine._auto import Picked as Picked
from jmetrics.engine._auto import demo_data as demo_data
from jmetrics.engine._auto import pick_metrics as pick_metrics
from jmetrics.engine._evaluate import evaluate as evaluate
from jmetrics.engine._gates import check_gates as check_gates
from jmetrics.engine._plot_slices import plot_slices as plot_slices

__all__ = ["DEMO_TASKS", "Picked", "check_gates", "demo_data", "evaluate", "pick_metrics",
           "plot_slices"]
