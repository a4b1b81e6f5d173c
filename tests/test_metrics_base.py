"""The eager Keras-3 face of every metric (``jmetrics/metrics/_base.py``) and its config names.

Oracles: Keras 3.15.1 (JAX backend) fed the same calls, and float64 NumPy for the threaded sums.
"""

from __future__ import annotations

import threading

import jax
import jax.numpy as jnp
import keras
import numpy as np
import pytest

import jmetrics.metrics as jm
from tests.helpers import keras_metric


def _hammer(metric, batches, threads=4):
    """``threads`` threads fold their own batches into one shared metric object at once."""
    barrier = threading.Barrier(threads)

    def work(rows):
        barrier.wait()
        for args in rows:
            metric.update_state(*args)

    pool = [threading.Thread(target=work, args=(batches[i::threads],)) for i in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()


def test_threads_sharing_one_metric_lose_no_update():
    r = np.random.default_rng(0)
    values = [r.uniform(0, 3, 8).astype(np.float32) for _ in range(64)]
    weights = [r.integers(1, 4, 8).astype(np.float32) for _ in range(64)]
    mean, total = jm.Mean(), jm.Sum()
    mean.update_state(values[0], weights[0])  # compiled before the race
    mean.reset_state()
    _hammer(mean, list(zip(values, weights, strict=True)))
    _hammer(total, [(v,) for v in values])
    v64, w64 = np.concatenate(values).astype(np.float64), np.concatenate(weights).astype(np.float64)
    np.testing.assert_allclose(float(mean.result()), np.sum(v64 * w64) / np.sum(w64), rtol=1e-6)
    np.testing.assert_allclose(float(total.result()), np.sum(v64), rtol=1e-6)


def test_threads_sharing_a_classification_metric():
    r = np.random.default_rng(1)
    batches = [(r.integers(0, 2, (4, 1)).astype(np.float32), r.uniform(size=(4, 1)).astype(np.float32))
               for _ in range(40)]
    m = jm.BinaryAccuracy()
    _hammer(m, batches)
    t = np.concatenate([b[0] for b in batches]).astype(np.float64)
    p = np.concatenate([b[1] for b in batches]).astype(np.float64)
    np.testing.assert_allclose(float(m.result()), np.mean(t == (p > 0.5)), rtol=1e-6)


@pytest.mark.parametrize("name, args, kwargs", [
    ("FBetaScore", (np.eye(3)[[0, 1, 2, 1]], np.eye(3)[[0, 2, 2, 1]] * 0.8, [1.0, 2.0, 0.5, 1.0]),
     dict(beta=2.0, average="macro")),
    ("F1Score", (np.eye(3)[[0, 1, 2, 1]], np.eye(3)[[0, 2, 2, 1]] * 0.8, [1.0, 2.0, 0.5, 1.0]), {}),
    ("R2Score", ([[1.0], [2.0], [4.0]], [[1.5], [2.0], [3.0]], [1.0, 3.0, 2.0]), {}),
    ("Mean", ([1.0, 3.0, 5.0, 7.0], [1.0, 1.0, 0.0, 2.0]), {}),
    ("Sum", ([1.0, 3.0, 5.0, 7.0], [1.0, 1.0, 0.0, 2.0]), {}),
    ("MeanIoU", ([0, 0, 1, 1], [0, 1, 0, 1], [1, 2, 1, 1]), dict(num_classes=2)),
    ("AUC", ([0, 0, 1, 1], [0.1, 0.6, 0.4, 0.9], [1.0, 2.0, 1.0, 3.0]), dict(num_thresholds=5)),
])
def test_positional_weight_and_lists_as_keras(name, args, kwargs):
    """Python lists and the weight by position, in ``update_state`` and ``__call__``."""
    ours, km = getattr(jm, name)(**kwargs), keras_metric(name, **kwargs)
    ours.update_state(*args)
    km.update_state(*args)
    np.testing.assert_allclose(np.asarray(ours.result()), np.asarray(km.result()), rtol=1e-5, atol=1e-6)
    again, km2 = getattr(jm, name)(**kwargs), keras_metric(name, **kwargs)
    np.testing.assert_allclose(np.asarray(again(*args)), np.asarray(km2(*args)), rtol=1e-5, atol=1e-6)


def test_list_inputs_of_the_iou_family_and_the_pure_update_under_jit():
    km = keras.metrics.MeanIoU(num_classes=2)
    km.update_state([0, 0, 1, 1], [0, 1, 0, 1])
    m = jm.MeanIoU(num_classes=2)
    m.update_state([0, 0, 1, 1], [0, 1, 0, 1])
    np.testing.assert_allclose(float(m.result()), float(km.result()), rtol=1e-6)
    step = jax.jit(m.update)
    state = step(m.init(), jnp.array([0, 0, 1, 1]), jnp.array([0, 1, 0, 1]))
    np.testing.assert_allclose(float(m.compute(state)), float(km.result()), rtol=1e-6)


def test_a_misplaced_or_extra_positional_argument_names_the_metric():
    with pytest.raises(TypeError, match=r"mean: update_state takes \(values, sample_weight=None\); "
                                        r"got 3 positional arguments"):
        jm.Mean().update_state([1.0], [1.0], [1.0])
    with pytest.raises(TypeError, match=r"auc: update_state takes \(y_true, y_pred, "):
        jm.AUC().update_state([1.0])


@pytest.mark.parametrize("name, kwargs", [
    ("Mean", {}), ("AUC", {}), ("MeanIoU", dict(num_classes=2)), ("R2Score", {}),
    ("FBetaScore", {}), ("SparseTopKCategoricalAccuracy", {}), ("BinaryIoU", {}),
    ("IoU", dict(num_classes=3, target_class_ids=(0, 2))), ("PrecisionAtRecall", dict(recall=0.5)),
])
def test_unnamed_metric_reports_the_keras_default_name(name, kwargs):
    ours, km = getattr(jm, name)(**kwargs), keras_metric(name, **kwargs)
    default = km.name.rsplit("_", 1)[0] if km.name[-1].isdigit() else km.name  # Keras numbers repeats
    assert ours.name == default and ours.get_config()["name"] == default
    back = type(ours).from_config(ours.get_config())
    assert back == ours and hash(back) == hash(ours)
    assert getattr(jm, name)(name=default, **kwargs) == ours
    assert getattr(jm, name)(name="other", **kwargs).name == "other"


def test_list_options_are_lists_as_in_keras_and_the_metric_stays_hashable():
    for name, kwargs in [("IoU", dict(num_classes=3, target_class_ids=(0, 2))),
                         ("OneHotIoU", dict(num_classes=3, target_class_ids=[2])), ("BinaryIoU", {})]:
        ours, km = getattr(jm, name)(**kwargs), keras_metric(name, **kwargs)
        assert ours.target_class_ids == km.target_class_ids and type(ours.target_class_ids) is not tuple
        assert isinstance(ours.target_class_ids, list)
        assert ours.get_config()["target_class_ids"] == km.get_config()["target_class_ids"]
        assert isinstance(ours.get_config()["target_class_ids"], list)
        ours.target_class_ids.append(1)  # a copy: the metric is unchanged
        assert ours == getattr(jm, name)(**kwargs) and hash(ours) == hash(getattr(jm, name)(**kwargs))


@pytest.mark.parametrize("kwargs", [dict(num_thresholds=3), dict(num_thresholds=2, thresholds=[0.5]),
                                    dict(thresholds=[0.7, 0.3, 0.5]), {}])
def test_auc_reports_its_built_thresholds_as_keras(kwargs):
    ours, km = jm.AUC(**kwargs), keras.metrics.AUC(**kwargs)
    assert ours.num_thresholds == km.num_thresholds
    np.testing.assert_allclose(ours.thresholds, km.thresholds, rtol=0, atol=1e-12)
    ours_cfg, k_cfg = ours.get_config(), km.get_config()
    assert ("thresholds" in ours_cfg) == ("thresholds" in k_cfg)
    if "thresholds" in k_cfg:
        np.testing.assert_allclose(ours_cfg["thresholds"], k_cfg["thresholds"])
    assert ours_cfg["num_thresholds"] == k_cfg["num_thresholds"]
    back = jm.AUC.from_config(ours_cfg)
    assert back == ours and hash(back) == hash(ours) and back.get_config() == ours_cfg


@pytest.mark.parametrize("name", ["FalsePositives", "Precision", "Recall", "TrueNegatives"])
def test_none_threshold_is_a_value_error_as_in_keras(name):
    with pytest.raises(ValueError):
        keras_metric(name, thresholds=[None])
    who = getattr(jm, name)().display_name
    with pytest.raises(ValueError, match=rf"^{who}: Threshold values must be in \[0, 1\]. "
                                         r"Received: \[None\] \(thresholds=\[None\]\)"):
        getattr(jm, name)(thresholds=[None])


def test_copies_and_pickles_keep_the_state_not_the_lock():
    import copy
    import pickle

    m = jm.Mean()
    m.update_state([1.0, 3.0])
    for other in (copy.copy(m), copy.deepcopy(m), pickle.loads(pickle.dumps(m))):
        assert other == m and float(other.result()) == 2.0
        other.update_state([8.0])
        assert float(other.result()) == 4.0 and float(m.result()) == 2.0
