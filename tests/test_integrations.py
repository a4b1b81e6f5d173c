"""Flax NNX and Keras 3 integrations (jmetrics.integrations.flax / .keras).

NNX: jmetrics metrics and a Collection inside ``nnx.MultiMetric`` under ``nnx.jit`` equal the
plain protocol on the same batches, and ``SparseCategoricalAccuracy`` equals NNX's own
``nnx.metrics.Accuracy``. Keras 3 (JAX backend): jmetrics functions passed to ``compile`` as they
are, and streaming metrics through ``to_keras``, report the same History values as Keras' own
metrics in the same ``fit`` (same model, same predictions), with and without sample weights.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jax
import jax.numpy as jnp
import keras
import numpy as np
import pytest
from flax import nnx

import jmetrics
import jmetrics.metrics as jm
from jmetrics.integrations.flax import NNXMetric
from jmetrics.integrations.keras import KerasMetric, to_keras
from tests.test_common import close

ROOT = Path(__file__).resolve().parents[1]


def _binary(n, seed):
    r = np.random.default_rng(seed)
    return r.integers(0, 2, (n, 1)).astype(np.float32), r.uniform(size=(n, 1)).astype(np.float32)


# ---- Flax NNX --------------------------------------------------------------------------------
def test_nnx_multimetric_under_nnx_jit_equals_the_plain_protocol():
    collection = jmetrics.Collection(["binary_accuracy", "mse", "auc"])
    members = {"auc": jm.AUC(), "precision": jm.Precision(), "mse": jm.MeanSquaredError()}
    multi = nnx.MultiMetric(
        **{k: NNXMetric(m) for k, m in members.items()},
        all=NNXMetric(collection),
        mean=NNXMetric(jm.Mean(), argnames=("loss",)),
        loss=nnx.metrics.Average("loss"),
    )
    traces = []

    @nnx.jit
    def step(multi, labels, logits, w, loss):
        traces.append(1)
        multi.update(labels=labels, logits=logits, sample_weight=w, loss=loss)

    batches = [(*_binary(8, s), np.random.default_rng(s).uniform(0, 2, 8).astype(np.float32))
               for s in range(3)]
    for _ in range(2):  # second epoch after reset: nothing retraces
        multi.reset()
        for y, p, w in batches:
            step(multi, y, p, w, jnp.asarray(p[:, 0]))
    assert len(traces) == 1
    got = multi.compute()

    for key, m in members.items():
        state = m.init()
        for y, p, w in batches:
            state = m.update(state, y, p, sample_weight=w)
        close(got[key], m.compute(state))
    state = collection.init()
    for y, p, w in batches:
        state = collection.update(state, y, p, w)
    assert set(got["all"]) == set(collection.keys)
    close(got["all"], collection.compute(state))
    # Mean got the weights too; NNX's Average did not (it has no sample_weight)
    values = np.concatenate([p[:, 0] for _, p, _ in batches])
    weights = np.concatenate([w for _, _, w in batches])
    np.testing.assert_allclose(got["mean"], np.sum(values * weights) / np.sum(weights), rtol=1e-6)
    np.testing.assert_allclose(got["loss"], values.mean(), rtol=1e-6)


def test_nnx_sparse_accuracy_equals_nnx_accuracy():
    r = np.random.default_rng(0)
    logits = r.normal(size=(4, 10, 5)).astype(np.float32)
    labels = r.integers(0, 5, (4, 10))
    ours, theirs = NNXMetric(jm.SparseCategoricalAccuracy()), nnx.metrics.Accuracy()

    @nnx.jit
    def step(a, b, logits, labels):
        a.update(logits=logits, labels=labels)
        b.update(logits=logits, labels=labels)

    for lg, lb in zip(logits, labels, strict=True):
        step(ours, theirs, lg, lb)
    np.testing.assert_allclose(ours.compute(), theirs.compute(), rtol=1e-6)
    ours.reset()
    assert float(ours.compute()) == 0.0  # Keras 3: nothing seen -> 0


def test_nnx_metric_errors_name_the_metric_and_keywords():
    m = NNXMetric(jm.AUC())
    with pytest.raises(TypeError, match=r"NNXMetric\(AUC\): update needs .*'labels', 'logits'.*missing \['logits'\]"):
        m.update(labels=np.zeros((2, 1)))
    with pytest.raises(TypeError, match=r"NNXMetric: metric must have init/update/compute"):
        NNXMetric(object())
    with pytest.raises(TypeError, match=r"NNXMetric: argnames must be a tuple"):
        NNXMetric(jm.AUC(), argnames="labels")
    assert NNXMetric(jm.Sum()).argnames == ("values",)


def test_integrations_import_flax_and_keras_lazily():
    code = ("import sys, jmetrics, jmetrics.integrations; "
            "print(sorted(m for m in ('flax', 'keras', 'optax', 'matplotlib') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"JAX_PLATFORMS": "cpu", "PATH": ""}).stdout
    assert out.strip() == "[]"


# ---- Keras 3 ---------------------------------------------------------------------------------
def _model(seed):
    keras.utils.set_random_seed(seed)
    return keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="relu"),
                             keras.layers.Dense(1, activation="sigmoid")])


def _data(n=48, seed=0):
    r = np.random.default_rng(seed)
    x = r.normal(size=(n, 3)).astype(np.float32)
    y = (x[:, :1] + 0.5 * r.normal(size=(n, 1)) > 0).astype(np.float32)
    return x, y, r.uniform(0, 2, n).astype(np.float32)


PAIRS = [  # (ours, theirs): the same quantity, logged under two keys
    ("mean_squared_error", "mse"),
    ("binary_accuracy", "acc_keras"),
    ("j_auc", "k_auc"),
    ("j_prec", "k_prec"),
    ("j_rec", "k_rec"),
    ("j_bce", "k_bce"),
    ("c_prec", "k_prec"),  # a Collection through to_keras logs each of its keys
    ("c_auc", "k_auc"),
]


def test_keras_fit_and_evaluate_report_the_same_values_as_keras_metrics():
    x, y, w = _data()
    model = _model(0)
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss="binary_crossentropy", metrics=[
        jmetrics.mean_squared_error, "mse",  # a jmetrics function as it is
        jmetrics.binary_accuracy, keras.metrics.BinaryAccuracy(name="acc_keras"),
        to_keras(jm.AUC(), name="j_auc"), keras.metrics.AUC(name="k_auc"),
        to_keras(jm.Precision(), name="j_prec"), keras.metrics.Precision(name="k_prec"),
        to_keras(jm.Recall(), name="j_rec"), keras.metrics.Recall(name="k_rec"),
        to_keras(jm.BinaryCrossentropy(), name="j_bce"), keras.metrics.BinaryCrossentropy(name="k_bce"),
        to_keras(jmetrics.Collection([jm.Precision(name="c_prec"), jm.AUC(name="c_auc")])),
    ], weighted_metrics=[to_keras(jm.MeanAbsoluteError(), name="j_wmae"),
                         keras.metrics.MeanAbsoluteError(name="k_wmae")])
    hist = model.fit(x, y, sample_weight=w, batch_size=16, epochs=3, verbose=0,
                     validation_data=(x[:20], y[:20], w[:20])).history
    pairs = PAIRS + [("j_wmae", "k_wmae")]
    for ours, theirs in pairs:
        for prefix in ("", "val_"):
            np.testing.assert_allclose(hist[prefix + ours], hist[prefix + theirs], rtol=1e-5,
                                       atol=1e-6, err_msg=prefix + ours)
    assert len(hist["j_auc"]) == 3 and hist["j_auc"][0] != hist["j_auc"][-1]  # it trained
    logs = model.evaluate(x, y, sample_weight=w, batch_size=10, verbose=0, return_dict=True)
    for ours, theirs in pairs:
        np.testing.assert_allclose(logs[ours], logs[theirs], rtol=1e-5, atol=1e-6, err_msg=ours)
    # the weighted pair really is weighted: differs from the unweighted MAE of the same model
    y_hat = np.asarray(model.predict(x, verbose=0))
    unweighted = np.mean(np.abs(y_hat - y))
    np.testing.assert_allclose(logs["j_wmae"], np.sum(w * np.abs(y_hat - y)[:, 0]) / w.sum(), rtol=1e-5)
    assert abs(logs["j_wmae"] - unweighted) > 1e-4


def test_keras_metric_object_eager_reset_and_config():
    km = to_keras(jm.AUC(num_thresholds=20))
    assert isinstance(km, keras.metrics.Metric) and isinstance(km, KerasMetric)
    assert km.name == "auc" and len(km.variables) == len(jax.tree.leaves(jm.AUC(num_thresholds=20).init()))
    ref = keras.metrics.AUC(num_thresholds=20)
    for s in range(3):
        y, p = _binary(9, s)
        km.update_state(y, p)
        ref.update_state(y, p)
    np.testing.assert_allclose(km.result(), ref.result(), rtol=1e-6)
    state = km.jmetrics_state()
    close(jm.AUC(num_thresholds=20).compute(state), km.result())
    km.reset_state()
    assert float(km.result()) == float(keras.metrics.AUC(num_thresholds=20).result())
    clone = KerasMetric.from_config(km.get_config())
    assert clone.jmetrics_metric == km.jmetrics_metric and clone.name == km.name


def test_to_keras_rejects_functions():
    with pytest.raises(TypeError, match=r"to_keras: metric must be a jmetrics streaming metric; got function"):
        to_keras(jmetrics.mean_squared_error)


# ---- docs/examples: the tutorials as a Flax NNX + optax loop ---------------------------------
def _example():
    import importlib.util

    path = ROOT / "docs" / "examples" / "regression_and_classification.py"
    spec = importlib.util.spec_from_file_location("regression_and_classification", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_example_runs_logs_keras_lines_and_plots(tmp_path, capsys):
    example = _example()
    assert example.main(["--epochs", "3", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert out.count("Epoch 3/3") == 3
    assert "s - loss: " in out and " - mean_absolute_percentage_error: " in out and " - acc: " in out
    for name in ("regression", "classification", "custom_rmse"):
        assert (tmp_path / f"{name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    hist = {n: json.loads((tmp_path / f"{n}.json").read_text())
            for n in ("regression", "classification", "custom_rmse")}
    assert list(hist["regression"]) == ["loss", "mean_squared_error", "mean_absolute_error",
                                        "mean_absolute_percentage_error", "cosine_proximity"]
    assert list(hist["classification"]) == ["loss", "acc"]
    assert list(hist["custom_rmse"]) == ["loss", "rmse"]
    assert all(len(v) == 3 for h in hist.values() for v in h.values())

    # epoch 1 logs the untrained model's predictions: float64 NumPy from the formulas
    x = example.X.astype(np.float64)
    p = np.asarray(example.Dense2Dense1(seed=0)(example.X), np.float64)
    first = {k: v[0] for k, v in hist["regression"].items()}
    np.testing.assert_allclose(first["loss"], np.mean((p - x) ** 2), rtol=1e-5)
    np.testing.assert_allclose(first["mean_squared_error"], np.mean((p - x) ** 2), rtol=1e-5)
    np.testing.assert_allclose(first["mean_absolute_error"], np.mean(np.abs(p - x)), rtol=1e-5)
    np.testing.assert_allclose(first["mean_absolute_percentage_error"],
                               100 * np.mean(np.abs((x - p) / x)), rtol=1e-5)
    np.testing.assert_allclose(first["cosine_proximity"], np.mean(np.sign(x * p)), rtol=1e-5)
    q = np.asarray(example.Dense2Dense1(out=jax.nn.sigmoid, seed=1)(example.X), np.float64)
    y = example.Y_CLASS
    bce = -np.mean(y * np.log(np.clip(q, 1e-7, 1)) + (1 - y) * np.log(np.clip(1 - q, 1e-7, 1)))
    np.testing.assert_allclose(hist["classification"]["loss"][0], bce, rtol=1e-5)
    np.testing.assert_allclose(hist["classification"]["acc"][0], np.mean((q > 0.5) == y), rtol=1e-6)
    r = np.asarray(example.Dense2Dense1(hidden=jax.nn.relu, seed=2)(example.X), np.float64)
    np.testing.assert_allclose(hist["custom_rmse"]["rmse"][0], np.mean(np.abs(r - x)), rtol=1e-5)
    # training lowers the loss
    assert hist["regression"]["loss"][-1] < hist["regression"]["loss"][0]


def test_integrations_page_code_runs(capsys):
    import re

    text = (ROOT / "docs" / "examples" / "integrations.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert len(blocks) == 2
    namespace: dict = {}
    for block in blocks:
        exec(compile(block, "docs/examples/integrations.md", "exec"), namespace)  # noqa: S102
    out = capsys.readouterr().out
    assert "['auc', 'logs', 'loss', 'mean_score'] ['binary_accuracy', 'loss', 'mse']" in out
    assert out.strip().endswith("True")


def test_the_flax_example_writes_into_its_named_folder(tmp_path, monkeypatch, capsys):
    import importlib.util

    path = Path(__file__).resolve().parents[1] / "docs" / "examples" / "regression_and_classification.py"
    spec = importlib.util.spec_from_file_location("regression_and_classification", path)
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    monkeypatch.chdir(tmp_path)
    assert example.main(["--epochs", "2"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [example.OUT]  # nothing else in the cwd
    written = sorted(p.name for p in (tmp_path / example.OUT).iterdir())
    runs = ("classification", "custom_rmse", "regression")
    assert written == sorted(f"{r}.{ext}" for r in runs for ext in ("json", "png"))
    keys = json.loads((tmp_path / example.OUT / "regression.json").read_text())
    assert list(keys) == ["loss", "mean_squared_error", "mean_absolute_error",
                          "mean_absolute_percentage_error", "cosine_proximity"]  # Keras 2.2 keys
    assert "Epoch 2/2" in capsys.readouterr().out
