"""What a command-line front end needs from the engine besides ``evaluate`` and ``check_gates``.

``jmetrics eval`` is built from these and from the engine's public names only; a front end of
your own (a script, a CI job, a notebook) can use them the same way:

- :func:`findable`: whether a ``PATH[:member]`` argument names an existing file, or is a glob;
- :func:`sample_inputs`: the first rows of ``y_true`` and ``y_pred`` (arrays or files), as the
  engine reads them, to look at before a pass (``pick_metrics(*sample_inputs(yt, yp))``);
- :func:`parse_gate`: a gate string (``"auc<0.8"``) as a :class:`Gate`, or a ``ValueError``,
  before any data is read (``check_gates`` takes strings or gates);
- :func:`plot_sets`: ROC/PR/calibration, confusion-matrix or residual plots of prediction sets,
  and :func:`plot_slices_figure`: every sliced metric of each set's results (matplotlib,
  imported when called).

These are not in ``jmetrics.engine.__all__`` (and so not at the ``jmetrics`` top level, which
holds the evaluation and metrics API).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from jmetrics.engine._files import findable
from jmetrics.engine._gates import Gate, GateFailure, parse_gate
from jmetrics.engine._inputs import _Source
from jmetrics.engine._plot import plot_sets
from jmetrics.engine._plot_slices import plot_slices_figure

__all__ = ["Gate", "GateFailure", "findable", "parse_gate", "plot_sets", "plot_slices_figure",
           "sample_inputs"]


def sample_inputs(y_true: Any, y_pred: Any, *, model_axis: int | None = None,
                  rows: int = 65536) -> tuple[np.ndarray, np.ndarray]:
    """The first ``rows`` rows of ``y_true`` and ``y_pred`` as NumPy arrays.

    ``y_true``/``y_pred`` take what :func:`jmetrics.evaluate` takes (arrays, paths such as
    ``"preds.npz:probs"`` or ``"preds/*.parquet:label"``, lists of paths, or ``y_true`` an
    iterable of ``(y_true, y_pred)`` chunks with ``y_pred=None``: its first chunk). With
    ``model_axis``, ``y_pred`` holds K models' predictions and the first model's are returned.
    The inputs are opened and checked as ``evaluate`` opens them (same rows, numeric columns),
    so a bad input raises the same error here; only the first rows are read.

    >>> import numpy as np
    >>> yt, yp = sample_inputs(np.array([0, 1, 1]), np.array([[.2, .9, .6], [.1, .8, .7]]),
    ...                        model_axis=0, rows=2)
    >>> yt.tolist(), yp.tolist()
    ([0, 1], [0.2, 0.9])
    """
    return _Source(y_true, y_pred, None, model_axis).sample(rows)
