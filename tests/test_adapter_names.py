"""History keys: metric_name / metric_names in the keras3, keras2 and long modes.

Oracles: a real Keras 3.15.1 ``fit`` (JAX backend) for the keras3 mode and ``to_snake_case``;
keras-semantics.md §2.1 (Keras 2.3.1 and 2.2.5, run/read) and seeds/003 (a Keras 2.2 tutorial's
logged keys) for the Keras 2 modes.
"""

from __future__ import annotations

import functools

import keras
import numpy as np
import pytest
from keras.src.utils.naming import to_snake_case

import jmetrics
from jmetrics.adapter import metric_name, metric_names


def myMetricFn(y_true, y_pred):  # noqa: N802 - the camelCase name is the point
    return keras.ops.mean(y_pred, axis=-1)


def rmse(y_true, y_pred):  # seeds/003
    return y_pred


@pytest.mark.parametrize("name", ["myMetricFn", "MeanIoU", "AUC", "R2Score", "rmse", "F1Score",
                                  "HTTPError", "my_metric", "x2Y", "<lambda>", "mean_pred"])
def test_snake_case_is_keras3s(name):
    def f():
        pass

    f.__name__ = name
    assert metric_name(f) == to_snake_case(name)


def test_keras3_keys_match_a_real_keras_fit():
    specs = ["mse", "mse", myMetricFn, "acc", lambda t, p: p, "Accuracy",
             keras.metrics.MeanSquaredError()]
    weighted = ["mse", "mse", "acc"]
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(loss="mse", metrics=specs, weighted_metrics=weighted)
    x, y = np.zeros((4, 2), "float32"), np.zeros((4, 1), "float32")
    history = model.fit(x, y, validation_data=(x, y), epochs=1, verbose=0).history
    ours = metric_names(specs, weighted) + metric_names(specs, weighted, validation=True)
    assert len(set(ours)) == len(ours)
    assert set(ours) | {"loss", "val_loss"} == set(history)


def test_keras3_keys_with_several_outputs_match_a_real_keras_fit():
    inp = keras.Input((2,))
    outs = [keras.layers.Dense(1, name="out_a")(inp), keras.layers.Dense(1, name="out_b")(inp)]
    model = keras.Model(inp, outs)
    model.compile(loss="mse", metrics={"out_a": ["mse", "mse"], "out_b": ["mae"]},
                  weighted_metrics={"out_a": ["mse"]})
    x, y = np.zeros((4, 2), "float32"), np.zeros((4, 1), "float32")
    history = model.evaluate(x, [y, y], verbose=0, return_dict=True)
    ours = (metric_names(["mse", "mse"], ["mse"], output_name="out_a")
            + metric_names(["mae"], output_name="out_b"))
    assert set(ours) <= set(history)
    assert set(history) - set(ours) == {"loss", "out_a_loss", "out_b_loss"}


def test_keras3_names_of_objects_and_callables():
    assert metric_name(jmetrics.metrics.MeanSquaredError()) == "mean_squared_error"
    assert metric_name(jmetrics.metrics.LogCoshError()) == "logcosh"  # Keras 3 default name
    assert metric_name(jmetrics.metrics.MeanSquaredError(name="m")) == "m"
    assert metric_name(jmetrics.metrics.MeanSquaredError) == "mean_squared_error"
    assert metric_name(jmetrics.metrics.MeanMetricWrapper(myMetricFn)) == "my_metric_fn"
    assert metric_name(jmetrics.mse) == "mean_squared_error"
    assert metric_name(functools.partial(myMetricFn)) == "partial"  # Keras 3 get_object_name
    with pytest.raises(ValueError, match="must not be None"):
        metric_name(None)
    with pytest.raises(ValueError, match="naming must be one of"):
        metric_names(["mse"], naming="keras4")


def test_keras2_keys():
    # §2.1 [run]: strings as given, raw __name__, weighted clash -> _1 (no weighted_ prefix)
    assert metric_names(["acc"], ["acc"], naming="keras2") == ["acc", "acc_1"]
    assert metric_names(["mse", "ce", myMetricFn], naming="keras2") == ["mse", "ce", "myMetricFn"]
    assert metric_names([jmetrics.mse], naming="keras2") == ["mean_squared_error"]
    # §2.1 [run]: several outputs; per-output loss keys are taken
    assert metric_names(["accuracy"], ["accuracy"], naming="keras2", output_name="out_a") == [
        "out_a_accuracy", "out_a_accuracy_1"]
    assert metric_names(["loss"], naming="keras2", output_name="o") == ["o_loss_1"]


def test_keras2_collapses_duplicates_in_one_list():
    # §2.1 [run]: ['mse','mse', metrics.mean_squared_error, MeanSquaredError()] leaves only 'mse'
    # and 'mean_squared_error', the latter being the MeanSquaredError instance.
    specs = ["mse", "mse", jmetrics.mean_squared_error, jmetrics.metrics.MeanSquaredError()]
    keys = metric_names(specs, naming="keras2")
    assert keys == ["mse", "mse", "mean_squared_error", "mean_squared_error"]
    kept = dict(zip(keys, specs, strict=True))
    assert list(kept) == ["mse", "mean_squared_error"]
    assert isinstance(kept["mean_squared_error"], jmetrics.metrics.MeanSquaredError)


def test_long_keys_of_the_keras22_tutorial():
    # seeds/003: metrics=['mse', 'mae', 'mape', 'cosine'] are logged under the full names
    assert metric_names(["mse", "mae", "mape", "cosine"], naming="long") == [
        "mean_squared_error", "mean_absolute_error", "mean_absolute_percentage_error",
        "cosine_proximity"]
    assert metric_names(["acc"], naming="long", validation=True) == ["val_acc"]
    assert metric_names(["accuracy", "crossentropy"], naming="long") == ["acc", "ce"]
    assert metric_names([rmse], naming="long") == ["rmse"]
    # 2.2.5 [read]: weighted metrics get the weighted_ prefix; kld/logcosh under 2.x names
    assert metric_names(["acc"], ["acc"], naming="long") == ["acc", "weighted_acc"]
    assert metric_names(["kld", "logcosh", "msle"], naming="long") == [
        "kullback_leibler_divergence", "logcosh", "mean_squared_logarithmic_error"]
    assert metric_names(["mse", "mean_squared_error"], naming="long") == [
        "mean_squared_error", "mean_squared_error_1"]
