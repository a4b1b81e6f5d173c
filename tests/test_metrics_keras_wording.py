"""Option and shape errors carry Keras 3's own wording after the metric's name.

The oracle is the message Keras 3.15.1 raises for the same arguments: its first sentence (what is
wrong) and its ``Received: ...`` part (the value at fault) must both appear in jmetrics' message,
which starts with the metric's name, so code (and Keras' own tests) matching Keras' text match it.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest

import jmetrics.metrics as jm
from jmetrics.metrics._base import snake_case
from tests.helpers import keras_metric

RANK1 = (np.array([0, 1, 1, 0]), np.array([0.2, 0.1, 0.6, 0.0]))

CASES: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = [
    ("FalsePositives", (), dict(thresholds=[-1, 0.5, 2])),
    ("TruePositives", (), dict(thresholds=[None])),
    ("Precision", (), dict(thresholds=[0.5, 1.5])),
    ("SensitivityAtSpecificity", (-1,), {}),
    ("SpecificityAtSensitivity", (1.5,), {}),
    ("PrecisionAtRecall", (-1,), {}),
    ("RecallAtPrecision", (0.4,), dict(num_thresholds=-1)),
    ("SensitivityAtSpecificity", (0.4,), dict(num_thresholds=0)),
    ("AUC", (), dict(num_thresholds=1)),
    ("AUC", (), dict(curve="Invalid")),
    ("AUC", (), dict(summation_method="trapezoid")),
    ("FBetaScore", (), dict(average="samples")),
    ("FBetaScore", (), dict(beta=1)),
    ("FBetaScore", (), dict(beta="1.0")),
    ("FBetaScore", (), dict(beta=-0.5)),
    ("F1Score", (), dict(threshold=1)),
    ("F1Score", (), dict(threshold=1.1)),
    ("R2Score", (), dict(class_aggregation="wrong")),
    ("R2Score", (), dict(num_regressors=-1)),
]


def _message(make: Any) -> str:
    with pytest.raises(ValueError) as info:
        make()
    return str(info.value)


def _check_wording(ours: str, theirs: str, who: str) -> None:
    assert ours.startswith(f"{who}: "), ours
    first = re.split(r"(?<=\.) ", theirs, maxsplit=1)[0]
    assert first in ours, (first, ours)
    received = re.search(r"Received: .*", theirs)
    if received is not None:
        assert received[0] in ours, (received[0], ours)


@pytest.mark.parametrize("name,args,kwargs", CASES)
def test_option_errors_carry_keras_wording(name, args, kwargs):
    theirs = _message(lambda: keras_metric(name, *args, **kwargs))
    ours = _message(lambda: getattr(jm, name)(*args, **kwargs))
    who = name if name in ("FBetaScore", "F1Score", "R2Score") else snake_case(name)
    _check_wording(ours, theirs, who)


@pytest.mark.parametrize("name", ["Precision", "Recall"])
def test_class_id_on_rank1_predictions_carries_keras_wording(name):
    theirs = _message(lambda: keras_metric(name, class_id=1)(*RANK1))
    ours = _message(lambda: getattr(jm, name)(class_id=1)(*RANK1))
    _check_wording(ours, theirs, name.lower())


def test_r2_shape_error_carries_keras_wording():
    theirs = _message(lambda: keras_metric("R2Score").update_state([0.0, 1.0], [0.0, 1.0]))
    ours = _message(lambda: jm.R2Score().update_state([0.0, 1.0], [0.0, 1.0]))
    assert ours.startswith("r2_score: R2Score expects 2D inputs with shape (batch_size, output_dim)")
    assert theirs.startswith("R2Score expects 2D inputs with shape (batch_size, output_dim)")
    assert "Received input shapes: y_pred.shape=(2,) and y_true.shape=(2,)." in ours
