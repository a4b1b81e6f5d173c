"""serialize / deserialize / clone_metric / clone_metrics / register_metric.

Oracles: JSON itself (configs must survive ``json.dumps``/``loads``), Keras 3.15.1's own serialized
configs (read back here), and Keras 2.3.1's ``clone_metric`` contract (keras-semantics.md §2.1).
"""

from __future__ import annotations

import json

import jax.numpy as jnp
import keras
import numpy as np
import pytest

import jmetrics
from jmetrics.adapter import ENTRIES
from jmetrics.adapter._lookup import _REGISTRY


def _roundtrip(obj):
    return jmetrics.deserialize(json.loads(json.dumps(jmetrics.serialize(obj))))


@pytest.mark.parametrize("e", [e for e in ENTRIES if e.kernel], ids=lambda e: e.name)
def test_functions_serialize_to_their_name(e):
    fn = e.kernel
    if e.name == "accuracy":  # the string 'accuracy' selects by shapes: keep exact equality
        assert jmetrics.serialize(fn) == {"class_name": "function", "config": "accuracy"}
    else:
        assert jmetrics.serialize(fn) == e.name
    assert _roundtrip(fn) is fn
    wrapped = jmetrics.metrics.MeanMetricWrapper(fn)
    assert _roundtrip(wrapped).fn is fn


def test_aliases_serialize_to_the_canonical_name():
    assert jmetrics.serialize(jmetrics.mse) == "mean_squared_error"
    assert jmetrics.serialize(jmetrics.kld) == "kl_divergence"
    assert jmetrics.serialize(jmetrics.cosine) == "cosine_proximity"
    assert jmetrics.serialize(jmetrics.get("acc")) == "auto_accuracy"
    assert _roundtrip(jmetrics.get("ce")) is jmetrics.auto_crossentropy
    assert jmetrics.serialize("MSE") == "MSE" and jmetrics.serialize(None) is None


# A wrapper's config holds metric objects (not JSON): serialize says so (tested below).
@pytest.mark.parametrize("e", [e for e in ENTRIES if e.streaming and e.family != "wrappers"
                               and e.streaming is not jmetrics.metrics.MeanMetricWrapper],
                         ids=lambda e: e.name)
def test_streaming_metrics_roundtrip_through_json(e):
    cls = e.streaming
    m = cls(**cls.example_args)
    config = jmetrics.serialize(m)
    assert config["class_name"] == cls.__name__
    back = _roundtrip(m)
    assert type(back) is cls and back == m and hash(back) == hash(m)


def test_options_and_names_survive():
    m = jmetrics.metrics.BinaryAccuracy(threshold=0.7, name="acc_at_70")
    back = _roundtrip(m)
    assert back == m and back.threshold == 0.7 and back.display_name == "acc_at_70"


def test_wrapped_functions_serialize_by_name_with_their_options():
    m = jmetrics.metrics.MeanMetricWrapper(jmetrics.binary_accuracy, name="ba", threshold=0.3)
    config = jmetrics.serialize(m)
    assert config["config"]["fn"] == "binary_accuracy"
    back = _roundtrip(m)
    assert back == m and back.fn is jmetrics.binary_accuracy
    auto = jmetrics.metrics.get("acc")
    assert _roundtrip(auto) == auto


def rmse(y_true, y_pred):  # seeds/003
    return jnp.sqrt(jnp.mean(jnp.square(y_pred - y_true), axis=-1))


def test_user_functions_need_registering():
    with pytest.raises(ValueError, match="serialize: function must be a jmetrics metric or registered"):
        jmetrics.serialize(rmse)
    with pytest.raises(ValueError, match="register"):
        jmetrics.serialize(jmetrics.metrics.MeanMetricWrapper(rmse))
    with pytest.raises(ValueError, match="register"):
        jmetrics.serialize(lambda t, p: t)


@pytest.fixture
def registry():
    before = dict(_REGISTRY)
    yield _REGISTRY
    _REGISTRY.clear()
    _REGISTRY.update(before)


def test_registered_functions_and_classes(registry):
    assert jmetrics.register_metric(rmse) is rmse
    assert jmetrics.serialize(rmse) == "rmse" and jmetrics.get("rmse") is rmse
    assert jmetrics.metrics.get("rmse").fn is rmse
    registry.clear()
    jmetrics.register_metric(rmse, name="my_rmse")
    assert jmetrics.serialize(rmse) == "my_rmse"
    assert jmetrics.get("my_rmse") is rmse
    m = jmetrics.metrics.MeanMetricWrapper(rmse)
    assert _roundtrip(m) == m

    @jmetrics.register_metric
    class Twice(jmetrics.metrics.MeanSquaredError):
        pass

    assert type(jmetrics.get("Twice")) is Twice
    assert _roundtrip(Twice(name="t")) == Twice(name="t")


def test_register_rejects_builtin_names_and_non_callables(registry):
    with pytest.raises(ValueError, match='must not be a built-in metric name; got "mse"'):
        jmetrics.register_metric(rmse, name="mse")
    with pytest.raises(ValueError, match="built-in"):
        jmetrics.register_metric(rmse, name="ACC")
    with pytest.raises(TypeError, match="must be a function or a Metric subclass"):
        jmetrics.register_metric(3, name="three")


def test_deserialize_never_evaluates_and_names_close_classes():
    with pytest.raises(ValueError, match='unknown metric class "os.system"'):
        jmetrics.deserialize({"class_name": "os.system", "config": {}})
    with pytest.raises(ValueError, match='did you mean "MeanSquaredError"'):
        jmetrics.deserialize({"class_name": "MeanSquaredErrors", "config": {}})
    with pytest.raises(ValueError, match="deserialize: config must be"):
        jmetrics.deserialize({"config": {}})
    with pytest.raises(ValueError, match="a function config must hold its name"):
        jmetrics.deserialize({"class_name": "function", "config": 3})
    with pytest.raises(ValueError, match="fn must name a function"):
        jmetrics.deserialize({"class_name": "MeanMetricWrapper", "config": {"fn": "mean"}})


def test_keras3_serialized_configs_are_read():
    config = keras.metrics.serialize(keras.metrics.MeanSquaredError(name="val_mse"))
    m = jmetrics.deserialize(config)
    assert type(m) is jmetrics.metrics.MeanSquaredError and m.display_name == "val_mse"
    config = keras.metrics.serialize(keras.metrics.BinaryAccuracy(threshold=0.6))
    assert jmetrics.deserialize(config).threshold == 0.6
    fn_config = keras.metrics.serialize(keras.metrics.mean_squared_error)
    assert fn_config["class_name"] == "function"
    assert jmetrics.get(fn_config) is jmetrics.mean_squared_error


def test_clone_metric_gives_fresh_state_same_options():
    m = jmetrics.metrics.MeanSquaredError(name="m")
    m.update_state(jnp.array([[0.0]]), jnp.array([[2.0]]))
    c = jmetrics.clone_metric(m)
    assert c == m and c is not m
    assert float(m.result()) == 4.0 and float(c.result()) == 0.0  # Keras 3 empty mean: 0
    w = jmetrics.metrics.MeanMetricWrapper(rmse, name="r")
    assert jmetrics.clone_metric(w).fn is rmse
    assert jmetrics.clone_metric(rmse) is rmse and jmetrics.clone_metric(None) is None
    k = keras.metrics.AUC(num_thresholds=7)
    kc = jmetrics.clone_metric(k)
    assert type(kc) is type(k) and kc is not k and kc.num_thresholds == 7


def test_clone_metrics_maps_lists_and_dicts():
    m = jmetrics.metrics.MeanAbsoluteError()
    assert jmetrics.clone_metrics(None) is None
    out = jmetrics.clone_metrics([m, rmse, "mse"])
    assert out[0] == m and out[0] is not m and out[1] is rmse and out[2] == "mse"
    d = jmetrics.clone_metrics({"a": m, "b": None})
    assert d["a"] == m and d["a"] is not m and d["b"] is None
    np.testing.assert_equal(sorted(d), ["a", "b"])
