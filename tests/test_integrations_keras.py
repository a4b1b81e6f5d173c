"""Keras 3 round trips of jmetrics.integrations.keras (JAX backend): History keys in a real
``model.fit``, ``model.save`` / ``keras.models.load_model``, and metric objects in ``compile``.

Oracles: Keras 3's own loss tracker and metrics (``BinaryAccuracy`` through ``'acc'``, ``AUC``,
``MeanSquaredError``) in the same ``fit`` / ``evaluate``, on the same model and data.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import keras
import numpy as np
import pytest

import jmetrics
import jmetrics.metrics as jm
from jmetrics.integrations.keras import KerasMetric, to_keras

ROOT = Path(__file__).resolve().parents[1]


def _model(seed=0):
    keras.utils.set_random_seed(seed)
    return keras.Sequential([keras.Input((3,)), keras.layers.Dense(1, activation="sigmoid")])


def _data(n=32, seed=0):
    r = np.random.default_rng(seed)
    x = r.normal(size=(n, 3)).astype(np.float32)
    y = (x[:, :1] + 0.7 * r.normal(size=(n, 1)) > 0).astype(np.float32)
    return x, y


def _collection():
    return jmetrics.Collection(["acc", "mse", jm.AUC()], loss="binary_crossentropy")


# ---- History keys ------------------------------------------------------------------------------
def test_fit_history_has_every_prefixed_key_with_keras_values():
    x, y = _data()
    model = _model()
    model.compile(optimizer=keras.optimizers.SGD(0.5), loss="binary_crossentropy", metrics=[
        "acc", keras.metrics.AUC(name="k_auc"), keras.metrics.MeanSquaredError(name="k_mse"),
        to_keras(_collection(), name="jm"),
    ])
    hist = model.fit(x, y, batch_size=8, epochs=2, verbose=0, validation_data=(x[:16], y[:16])).history
    ours = {"jm_loss": "loss", "jm_acc": "acc", "jm_mse": "k_mse", "jm_auc": "k_auc"}
    keys = {*ours, *ours.values()}
    assert set(hist) == keys | {f"val_{k}" for k in keys}
    for prefix in ("", "val_"):
        for key, oracle in ours.items():
            assert len(hist[prefix + key]) == 2
            np.testing.assert_allclose(hist[prefix + key], hist[prefix + oracle], rtol=1e-5,
                                       atol=1e-6, err_msg=prefix + key)
    assert hist["loss"][0] != hist["loss"][1]  # it trained: the two epochs differ
    logs = model.evaluate(x, y, batch_size=10, verbose=0, return_dict=True)
    for key, oracle in ours.items():
        np.testing.assert_allclose(logs[key], logs[oracle], rtol=1e-5, atol=1e-6, err_msg=key)


def test_prefix_option_and_unnamed_collection_keys():
    x, y = _data()
    model = _model()
    model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=[
        keras.metrics.AUC(name="k_auc"),
        to_keras(jmetrics.Collection([jm.AUC(name="c_auc")])),  # no name: keys as they are
        to_keras(jmetrics.Collection([jm.AUC()]), name="ignored", prefix="p/"),
    ])
    logs = model.evaluate(x, y, batch_size=8, verbose=0, return_dict=True)
    assert set(logs) == {"loss", "k_auc", "c_auc", "p/auc"}
    np.testing.assert_allclose([logs["c_auc"], logs["p/auc"]], [logs["k_auc"]] * 2, rtol=1e-5)


def test_a_collection_loss_key_without_prefix_is_refused():
    with pytest.raises(ValueError, match=r"History key 'loss' of 'collection' .*\(name='jm' logs "
                                         r"'jm_loss'"):
        to_keras(_collection())


@pytest.mark.parametrize("given", [True, False], ids=["model_given", "model_found"])
@pytest.mark.parametrize("clash", ["compiled", "keras_named", "two_wrappers"])
def test_a_key_clashing_with_another_history_key_is_refused(clash, given):
    # the wrapper learns its model from to_keras(..., model=), else from its callers' frames
    x, y = _data()
    model = _model()
    m = model if given else None
    metrics, key = {
        "compiled": (["acc", to_keras(jmetrics.Collection(["acc", "mse"]), model=m)], "acc"),
        "keras_named": ([keras.metrics.AUC(name="jm_auc"),
                         to_keras(jmetrics.Collection([jm.AUC()]), name="jm", model=m)],
                        "jm_auc"),
        "two_wrappers": ([to_keras(jmetrics.Collection(["mse"]), name="a", model=m),
                          to_keras(jmetrics.Collection(["mse"]), name="a", model=m)], "a_mse"),
    }[clash]
    model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=metrics)
    with pytest.raises(ValueError, match=f"History key '{key}' of .* is also another History key"):
        model.fit(x, y, batch_size=8, epochs=1, verbose=0)
    with pytest.raises(ValueError, match=f"History key '{key}'"):
        model.evaluate(x, y, batch_size=8, verbose=0)


def test_check_history_keys_refuses_a_clash_on_demand():
    # Keras renames a duplicate name of its own metrics ('acc_1') but spreads a dict result into
    # the logs as it is, keeping one value per key: the wrapper refuses instead.
    x, y = _data()
    model = _model()
    wrapper = to_keras(jmetrics.Collection(["acc", "mse"]))
    model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["acc", wrapper])
    with pytest.raises(ValueError, match="History key 'acc' of 'collection' is also another"):
        model.evaluate(x, y, batch_size=8, verbose=0)
    with pytest.raises(ValueError, match="History key 'acc' of 'collection' is also another"):
        wrapper.check_history_keys(model)


def test_a_wrapper_that_knows_its_model_logs_as_before_and_checks_once_per_compile():
    x, y = _data()
    model = _model()
    wrapper = to_keras(_collection(), name="jm", model=model)
    model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=[
        keras.metrics.MeanSquaredError(name="k_mse"), wrapper])
    logs = model.evaluate(x, y, batch_size=8, verbose=0, return_dict=True)
    np.testing.assert_allclose(logs["jm_mse"], logs["k_mse"], rtol=1e-5)
    np.testing.assert_allclose(logs["jm_loss"], logs["loss"], rtol=1e-5)
    assert len(wrapper._checked) == 1  # noqa: SLF001 - one check for this compiled set of metrics
    with pytest.raises(TypeError, match="to_keras: model must be a keras.Model or None; got str"):
        to_keras(_collection(), name="jm", model="model")


# ---- save / load_model -------------------------------------------------------------------------
def _saved_model(path):
    x, y = _data()
    model = _model()
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=[
        to_keras(jm.AUC(num_thresholds=50), name="j_auc"),
        keras.metrics.AUC(num_thresholds=50, name="k_auc"),
        to_keras(_collection(), name="jm"),
    ])
    model.fit(x, y, batch_size=8, epochs=1, verbose=0)
    model.save(path)
    return model, x, y


def test_save_and_load_model_round_trip_without_custom_objects(tmp_path):
    assert keras.saving.get_registered_name(KerasMetric) == "jmetrics>KerasMetric"
    path = tmp_path / "m.keras"
    model, x, y = _saved_model(path)
    before = model.evaluate(x, y, batch_size=8, verbose=0, return_dict=True)
    loaded = keras.models.load_model(path)
    after = loaded.evaluate(x, y, batch_size=8, verbose=0, return_dict=True)
    assert set(after) == set(before) == {"loss", "j_auc", "k_auc", "jm_loss", "jm_acc", "jm_mse",
                                         "jm_auc"}
    for key in before:
        np.testing.assert_allclose(after[key], before[key], rtol=1e-6, err_msg=key)
    np.testing.assert_allclose(after["j_auc"], after["k_auc"], rtol=1e-5)
    np.testing.assert_allclose(after["jm_loss"], after["loss"], rtol=1e-5)
    wrapped = [m for m in loaded.metrics[1].metrics if isinstance(m, KerasMetric)]
    assert [(m.name, m.prefix) for m in wrapped] == [("j_auc", ""), ("jm", "jm_")]
    assert wrapped[0].jmetrics_metric == jm.AUC(num_thresholds=50)
    assert wrapped[1].jmetrics_metric == _collection()


def test_load_model_in_a_fresh_process(tmp_path):
    path = tmp_path / "m.keras"
    model, x, y = _saved_model(path)
    np.save(tmp_path / "x.npy", x)
    np.save(tmp_path / "y.npy", y)
    before = model.evaluate(x, y, batch_size=8, verbose=0, return_dict=True)
    script = textwrap.dedent(f"""
        import json, keras, numpy as np
        import jmetrics.integrations.keras  # registers the wrapper with Keras
        model = keras.models.load_model({str(path)!r})
        x, y = np.load({str(tmp_path / 'x.npy')!r}), np.load({str(tmp_path / 'y.npy')!r})
        print(json.dumps(model.evaluate(x, y, batch_size=8, verbose=0, return_dict=True)))
    """)
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True,
                         timeout=300, env={**__import__("os").environ, "KERAS_BACKEND": "jax"})
    assert out.returncode == 0, out.stderr[-2000:]
    after = json.loads(out.stdout.strip().splitlines()[-1])
    assert set(after) == set(before)
    for key in before:
        np.testing.assert_allclose(after[key], before[key], rtol=1e-6, err_msg=key)


# ---- metric objects in compile -----------------------------------------------------------------
@pytest.mark.parametrize("make, name", [(lambda: jm.AUC(), "auc"),
                                        (lambda: jm.MeanSquaredError(), "mean_squared_error"),
                                        (lambda: jmetrics.Collection(["mse"]), "collection")])
@pytest.mark.parametrize("run_eagerly", [False, True])
def test_a_metric_object_in_compile_points_to_to_keras(make, name, run_eagerly):
    x, y = _data()
    model = _model()
    model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=[make()],
                  run_eagerly=run_eagerly)
    pattern = (rf"^{name}: a jmetrics metric object cannot go to Keras' compile\(metrics=\[\.\.\.\]\) "
               r"as it is .* jmetrics\.integrations\.keras\.to_keras\(")
    with pytest.raises(TypeError, match=pattern):
        model.fit(x, y, batch_size=8, epochs=1, verbose=0)
    with pytest.raises(TypeError, match=pattern):
        model.evaluate(x, y, batch_size=8, verbose=0)


def test_a_metric_called_directly_still_works():
    metric = jm.AUC(num_thresholds=50)
    y, p = _data()[1], np.linspace(0.0, 1.0, 32, dtype=np.float32)[:, None]
    ref = keras.metrics.AUC(num_thresholds=50)
    np.testing.assert_allclose(metric(y, p), ref(y, p), rtol=1e-6)


def test_the_keras_refusal_needs_no_import_of_this_integration(tmp_path):
    script = tmp_path / "compile_a_metric.py"
    script.write_text(
        "import numpy as np, keras\n"
        "from jmetrics.metrics import AUC\n"
        "import sys\n"
        "assert 'jmetrics.integrations.keras' not in sys.modules\n"
        "model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1, activation='sigmoid')])\n"
        "model.compile(optimizer='sgd', loss='binary_crossentropy', metrics=[AUC()],\n"
        "              run_eagerly=True)\n"
        "x = np.random.default_rng(0).random((16, 4), dtype=np.float32)\n"
        "y = (x[:, :1] > 0.5).astype(np.float32)\n"
        "try:\n"
        "    model.evaluate(x, y, batch_size=8, verbose=0)\n"
        "except TypeError as err:\n"
        "    print('REFUSED', err)\n"
    )
    import os
    import subprocess
    import sys

    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                         timeout=300, env={**os.environ, "KERAS_BACKEND": "jax"})
    assert out.returncode == 0, out.stderr[-2000:]
    assert "REFUSED auc: a jmetrics metric object cannot go to Keras' compile" in out.stdout
