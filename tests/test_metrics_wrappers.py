"""The mean wrappers of the sparse kernels: labels that are not class ids of ``y_pred``.

Eagerly (``update_state``) such a label in a sample of nonzero weight raises ``ValueError`` naming
the metric, ``y_true`` and the value; under ``jit`` the result is NaN; a sample of weight 0 counts
as removed. Oracle: Keras 3.15.1 (JAX backend) fed the same batches without the bad samples (Keras
itself gives a number for them: a miss, loss 0, or a clamped or wrapped gather).
"""

from __future__ import annotations

import functools
import re
from typing import Any

import jax
import numpy as np
import pytest

import jmetrics.metrics as jm
from tests.helpers import keras_metric, keras_result

C = 3
CLASSES = [
    (jm.SparseCategoricalAccuracy, {}),
    (jm.SparseTopKCategoricalAccuracy, {"k": 2}),
    (jm.SparseCategoricalCrossentropy, {}),
    (jm.SparseCategoricalCrossentropy, {"from_logits": True}),
]
BAD = [np.nan, np.inf, -np.inf, -1.0, float(C)]


def batch(seed: int, n: int = 6) -> tuple[np.ndarray, np.ndarray]:
    r = np.random.default_rng(seed)
    return r.integers(0, C, n).astype(np.float32), r.dirichlet(np.ones(C), n).astype(np.float32)


@functools.partial(jax.jit, static_argnums=0)
def _step(m: Any, s: Any, t: Any, p: Any, w: Any) -> Any:
    """One jitted update per metric config (metrics are hashable by their options)."""
    return m.update(s, t, p, sample_weight=w)


def jit_result(m: Any, batches: list[tuple[Any, ...]]) -> np.ndarray:
    s = m.init()
    for t, p, w in batches:
        s = _step(m, s, t, p, w)
    return np.asarray(m.compute(s), np.float64)


def eager_result(m: Any, batches: list[tuple[Any, ...]]) -> np.ndarray:
    for t, p, w in batches:
        m.update_state(t, p, sample_weight=w)
    return np.asarray(m.result(), np.float64)


def keras(cls: type, kw: dict[str, Any], batches: list[tuple[Any, ...]]) -> np.ndarray:
    return keras_result(keras_metric(cls.__name__, **kw), batches)


@functools.cache
def keras_clean(cls: type, kw: tuple[tuple[str, Any], ...]) -> np.ndarray:
    """Keras 3 on the clean batch of seed 0 (the same for every bad value): computed once."""
    clean = (*batch(0), np.ones(6, np.float32))
    return keras(cls, dict(kw), [clean[:2]])


@pytest.mark.parametrize(("cls", "kw"), CLASSES)
@pytest.mark.parametrize("value", BAD)
def test_bad_label_raises_eagerly_and_is_nan_under_jit(cls: type, kw: dict[str, Any],
                                                       value: float) -> None:
    clean = (*batch(0), np.ones(6, np.float32))
    t, p = batch(1)
    t[2] = value
    m = cls(**kw)
    name = m.display_name
    shown = re.escape(f"{value:.7g}")
    with pytest.raises(ValueError, match=rf"{name}: y_true must be class ids in \[0, {C - 1}\] "
                                         rf"\(y_pred has {C} classes\); got \[{shown}\]"):
        eager_result(m, [clean, (t, p, None)])
    for labels in (t, t[:, None]):  # Keras 3's (N, 1) labels too
        with pytest.raises(ValueError, match=rf"{name}: y_true must be class ids"):
            cls(**kw).update_state(labels, p)
        assert np.isnan(jit_result(cls(**kw), [clean, (labels, p, None)]))
    # the rows before the bad batch are Keras 3's number (the state was not touched)
    np.testing.assert_allclose(np.asarray(m.result()), keras_clean(cls, tuple(kw.items())),
                               rtol=1e-6)


@pytest.mark.parametrize(("cls", "kw"), CLASSES)
def test_bad_labels_of_weight_zero_are_removed_rows(cls: type, kw: dict[str, Any]) -> None:
    t, p = batch(2, 8)
    t[[1, 4, 6]] = [np.nan, -1.0, float(C)]
    w = np.array([1, 0, 2, 0.5, 0, 1, 0, 3], np.float32)
    keep = w != 0
    want = keras(cls, kw, [(t[keep], p[keep], w[keep])])
    for run in (eager_result, jit_result):
        for labels, weights in ((t, w), (t[:, None], w), (t[:, None], w[:, None])):
            got = run(cls(**kw), [(labels, p, weights)])
            np.testing.assert_allclose(got, want, rtol=1e-6, err_msg=run.__name__)


@pytest.mark.parametrize("ignore", [-1, 0])
def test_ignore_class_is_not_a_bad_label(ignore: int) -> None:
    """``ignore_class`` may be negative (Keras 3's padding id -1): such labels are left out as
    Keras 3 leaves them, never refused; any other label out of range still is."""
    t, p = batch(3, 8)
    t[[0, 5]] = ignore
    w = np.array([1, 2, 1, 0.5, 1, 3, 1, 1], np.float32)
    for weights in (None, w):
        batches = [(t, p, weights)]
        want = keras(jm.SparseCategoricalCrossentropy, {"ignore_class": ignore}, batches)
        for run in (eager_result, jit_result):
            got = run(jm.SparseCategoricalCrossentropy(ignore_class=ignore), batches)
            np.testing.assert_allclose(got, want, rtol=1e-6, err_msg=run.__name__)
    t[2] = -2.0
    with pytest.raises(ValueError, match=r"sparse_categorical_crossentropy: y_true .*got \[-2\]"):
        jm.SparseCategoricalCrossentropy(ignore_class=ignore).update_state(t, p)
    assert np.isnan(jit_result(jm.SparseCategoricalCrossentropy(ignore_class=ignore),
                               [(t, p, None)]))


def test_sorted_ids_take_any_finite_label() -> None:
    """``from_sorted_ids``: labels are compared with the ids, never gathered; any finite label
    gives Keras 3's number, NaN and inf are refused."""
    ids = np.array([[1, 2], [3, 4], [5, 6], [7, 0]], np.float32)
    t = np.array([1, 4, 9, 7], np.float32)
    m = jm.SparseTopKCategoricalAccuracy(k=2, from_sorted_ids=True)
    want = keras(jm.SparseTopKCategoricalAccuracy, {"k": 2, "from_sorted_ids": True},
                 [(t, ids, None)])
    np.testing.assert_allclose(eager_result(m, [(t, ids, None)]), want)
    np.testing.assert_allclose(want, 0.75)  # float64 NumPy: 1, 4 and 7 are in the first two ids
    t[1] = np.nan
    with pytest.raises(ValueError, match=r"sparse_top_k_categorical_accuracy: y_true must be "
                                         r"finite class ids; got \[nan\]"):
        jm.SparseTopKCategoricalAccuracy(k=2, from_sorted_ids=True).update_state(t, ids)
    assert np.isnan(jit_result(jm.SparseTopKCategoricalAccuracy(k=2, from_sorted_ids=True),
                               [(t, ids, None)]))
