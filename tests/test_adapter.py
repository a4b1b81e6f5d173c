"""The alias table and resolution, against Keras 3's own resolution (JAX backend)."""

from __future__ import annotations

import json

import keras
import numpy as np
import pytest

import jmetrics
from jmetrics.adapter import ENTRIES
from jmetrics.cli import main

# Keras 3 metric strings and the Keras 3 class each instantiates (keras.metrics.get, run below).
KERAS3_STRINGS = ["mse", "MSE", "mae", "MAE", "mape", "MAPE", "msle", "MSLE", "bce", "BCE"]
# Keras 2.3.1 strings (keras-semantics.md §1.1) and tutorial strings that Keras 3 rejects.
KERAS2_STRINGS = {
    "cosine": "cosine_similarity", "cosine_proximity": "cosine_similarity", "kld": "kl_divergence",
    "KLD": "kl_divergence", "logcosh": "log_cosh", "log_cosh": "log_cosh",
    "kullback_leibler_divergence": "kl_divergence", "acc": "accuracy", "accuracy": "accuracy",
}


@pytest.mark.parametrize("s", KERAS3_STRINGS)
def test_keras3_strings_resolve_to_the_same_metric(s):
    keras_metric = keras.metrics.get(s)
    ours = jmetrics.get(s)
    entry = next(e for e in ENTRIES if e.name == ours.__name__)
    assert type(keras_metric).__name__ == entry.keras3


@pytest.mark.parametrize("s,name", sorted(KERAS2_STRINGS.items()))
def test_keras2_strings(s, name):
    assert jmetrics.get(s).__name__ == name


def test_every_entry_resolves_and_the_function_is_public():
    for e in ENTRIES:
        for key in (e.name, *e.aliases):
            fn = jmetrics.get(key)
            assert fn is getattr(jmetrics, e.name)
    assert len({e.name for e in ENTRIES}) == len(ENTRIES)


def test_callables_none_and_configs():
    def rmse(y_true, y_pred):
        return ((y_pred - y_true) ** 2).mean(-1) ** 0.5

    assert jmetrics.get(rmse) is rmse
    assert jmetrics.get(None) is None
    config = jmetrics.serialize(jmetrics.get("mae"))
    assert json.loads(json.dumps(config)) == config
    assert jmetrics.deserialize(config) is jmetrics.mean_absolute_error
    assert jmetrics.get(config) is jmetrics.mean_absolute_error
    with pytest.raises(ValueError, match="only jmetrics' own metric functions"):
        jmetrics.serialize(rmse)
    with pytest.raises(ValueError, match="deserialize"):
        jmetrics.deserialize({"class_name": "function", "config": 3})


def test_unknown_names_suggest_close_matches():
    with pytest.raises(ValueError, match='Unknown metric "msee"; did you mean "mse"?'):
        jmetrics.get("msee")
    with pytest.raises(ValueError, match="jmetrics list"):
        jmetrics.get("zzzzzz")
    with pytest.raises(TypeError, match="get: identifier must be"):
        jmetrics.get(123)


@pytest.mark.parametrize(
    "ident,t,p,loss,want",
    [
        # Keras 3 shape rule (keras-semantics.md §2.2 / tf.keras compile_utils)
        ("acc", (8, 1), (8, 1), None, "binary_accuracy"),
        ("ACC", (8,), (8, 3), None, "sparse_categorical_accuracy"),
        ("accuracy", (8, 1), (8, 3), None, "sparse_categorical_accuracy"),
        ("Accuracy", (8, 3), (8, 3), None, "categorical_accuracy"),
        # Keras 2.3.1 loss rule (§2.1 table): bce with (N,3) -> binary; scce -> sparse; mse -> categorical
        ("acc", (8, 3), (8, 3), "binary_crossentropy", "binary_accuracy"),
        ("acc", (8,), (8, 3), "sparse_categorical_crossentropy", "sparse_categorical_accuracy"),
        ("acc", (8, 3), (8, 3), "mse", "categorical_accuracy"),
        ("acc", (8, 1), (8, 1), "mse", "binary_accuracy"),
        ("ce", (8, 3), (8, 3), "categorical_crossentropy", "categorical_crossentropy"),
        ("crossentropy", (8,), (8, 4), None, "sparse_categorical_crossentropy"),
    ],
)
def test_accuracy_resolution(ident, t, p, loss, want):
    assert jmetrics.resolve_accuracy(ident, t, p, loss=loss) == want


def test_keras3_accuracy_rule_matches_keras_compile():
    # Keras 3 compile resolves 'accuracy' by shapes: check against a real compiled model's metric.
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3, activation="softmax")])
    model.compile(loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    x, y = np.zeros((4, 2), np.float32), np.zeros((4,), np.int32)
    model.evaluate(x, y, verbose=0)
    compiled = model.compiled_metrics if hasattr(model, "compiled_metrics") else model._compile_metrics
    names = [type(m).__name__ for m in getattr(compiled, "metrics", [])]
    flat = str(names) + str(getattr(compiled, "_flat_metrics", ""))
    assert "SparseCategoricalAccuracy" in flat
    assert jmetrics.resolve_accuracy("accuracy", (4,), (4, 3)) == "sparse_categorical_accuracy"


def test_cli_list(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "mean_squared_error" in out and "mse, MSE" in out and "MeanSquaredError" in out
    assert main(["list", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {r["name"] for r in data} == {e.name for e in ENTRIES}
    assert main(["list", "--format", "markdown"]) == 0
    assert capsys.readouterr().out.startswith("| name | aliases")
