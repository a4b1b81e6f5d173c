"""History, format_logs and History.plot.

Oracle for the formatting: Keras 3.15.1's own ``keras.utils.Progbar`` (the class ``fit`` prints
with), run on the same logs and captured from stdout.
"""

from __future__ import annotations

import builtins
import contextlib
import io
import math

import jax
import jax.numpy as jnp
import keras
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import jmetrics
from jmetrics import History, format_logs, format_value


def keras_progbar_text(logs, verbose):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        bar = keras.utils.Progbar(target=1, verbose=verbose, stateful_metrics=list(logs))
        bar.update(1, values=list(logs.items()), finalize=True)
    return out.getvalue()


def test_format_logs_example_from_the_tutorials():
    logs = {"loss": 1.0596e-04, "mse": 1.0596e-04, "mae": 0.0093, "cosine": -1.0}
    assert format_logs(logs) == "loss: 1.0596e-04 - mse: 1.0596e-04 - mae: 0.0093 - cosine: -1.0000"


def test_format_logs_reproduces_the_tutorial_epoch_line():
    # seeds/003 (a Keras 2.2 tutorial, fit(verbose=2)): "0s - loss: 1.0596e-04 - mean_squared_error:
    # 1.0596e-04 - mean_absolute_error: 0.0088 - mean_absolute_percentage_error: 3.5611 -
    # cosine_proximity: -1.0000e+00"; the verbose=2 rule tests value > 1e-3 without abs.
    logs = {"loss": 1.0596e-04, "mean_squared_error": 1.0596e-04, "mean_absolute_error": 0.0088,
            "mean_absolute_percentage_error": 3.5611, "cosine_proximity": -1.0}
    assert format_logs(logs, verbose=2) == (
        "loss: 1.0596e-04 - mean_squared_error: 1.0596e-04 - mean_absolute_error: 0.0088 - "
        "mean_absolute_percentage_error: 3.5611 - cosine_proximity: -1.0000e+00")


EDGES = [0.0, 1e-3, -1e-3, 1.0001e-3, 0.5, -0.5, 123456.789, 1e-30, -7.25e-5, math.nan, math.inf]


@pytest.mark.parametrize("verbose", [1, 2])
def test_format_logs_equals_keras3_progbar_on_edges(verbose):
    logs = {f"m{i}": np.float32(v) for i, v in enumerate(EDGES)}
    logs["arr"] = np.array([1e-4, 3e-4], np.float32)  # arrays print their mean, as in Keras
    text = keras_progbar_text(logs, verbose)
    assert " - " + format_logs(logs, verbose=verbose) in text


@given(st.lists(st.floats(-1e6, 1e6, allow_nan=False, width=32), min_size=1, max_size=5),
       st.sampled_from([1, 2]))
def test_format_logs_equals_keras3_progbar(values, verbose):
    logs = {f"k{i}": np.float32(v) for i, v in enumerate(values)}
    assert " - " + format_logs(logs, verbose=verbose) in keras_progbar_text(logs, verbose)


def test_format_value_of_jax_scalars_and_bad_verbose():
    assert format_value(jnp.float32(0.25)) == "0.2500"
    assert format_value(jnp.float32(2e-5)) == "2.0000e-05"
    with pytest.raises(ValueError, match="format_value: verbose must be 1 or 2; got 3"):
        format_value(1.0, verbose=3)


def test_history_matches_keras_fit_history_layout():
    x = np.linspace(0.1, 1.0, 10, dtype=np.float32)[:, None]
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    fit = model.fit(x, x, validation_data=(x, x), epochs=2, verbose=0)
    ours = History()
    for epoch in range(2):
        train = {k: fit.history[k][epoch] for k in ("loss", "mae")}
        val = {k: fit.history[f"val_{k}"][epoch] for k in ("loss", "mae")}
        ours.append(train, val_logs=val)
    assert ours.history == fit.history
    assert ours.epoch == fit.epoch
    assert History(fit.history).history == fit.history


def test_history_append_collection_results():
    coll = jmetrics.Collection(["mse", "mae"], loss="mse")
    s = coll.update(coll.init(), jnp.array([[0.0], [1.0]]), jnp.array([[1.0], [3.0]]))
    h = History()
    logs = h.append(coll.compute(s), val_logs=coll.compute(coll.init()))
    assert logs == {"loss": 2.5, "mse": 2.5, "mae": 1.5, "val_loss": 0.0, "val_mse": 0.0, "val_mae": 0.0}
    assert all(type(v) is float for v in logs.values())
    assert h.line() == "loss: 2.5000 - mse: 2.5000 - mae: 1.5000 - val_loss: 0.0000e+00 - " \
                       "val_mse: 0.0000e+00 - val_mae: 0.0000e+00"
    assert h["mae"] == [1.5]


def test_history_late_keys_last_and_errors():
    h = History()
    h.append({"loss": 1.0})
    h.append({"loss": 0.5}, val_logs={"val_loss": 0.7})  # already prefixed: kept
    assert h.history == {"loss": [1.0, 0.5], "val_loss": [0.7]}
    assert h.last(0) == {"loss": 1.0} and h.last() == {"loss": 0.5, "val_loss": 0.7}
    h.append({"loss": 0.25})  # validation every other epoch
    assert h.last() == {"loss": 0.25} and h.last(1) == {"loss": 0.5, "val_loss": 0.7}
    h.history["val_loss"].append(0.6)  # edited by hand, as Keras users do: aligned to the end
    assert h.last() == {"loss": 0.25, "val_loss": 0.6}
    assert repr(h) == "History(epochs=3, keys=['loss', 'val_loss'])"
    with pytest.raises(IndexError, match="History.last: epoch must be in"):
        h.last(3)
    with pytest.raises(TypeError, match="History.append: val_logs must be a dict"):
        h.append({"loss": 1.0}, val_logs=[1.0])
    with pytest.raises(TypeError, match="History: history must be a dict"):
        History([1.0])


def test_plot_writes_a_png(tmp_path):
    h = History()
    for e in range(4):
        h.append({"loss": 1 / (e + 1), "mse": 2 / (e + 1), "mae": 0.1}, val_logs={"loss": 1.5 / (e + 1)})
    path = h.plot(tmp_path / "history.png", title="regression")
    data = (tmp_path / "history.png").read_bytes()
    assert path == str(tmp_path / "history.png") and data[:8] == b"\x89PNG\r\n\x1a\n"
    from matplotlib.image import imread

    image = imread(path)
    assert image.shape[0] > 100 and image.shape[1] > 300 and image.std() > 0  # something was drawn
    h.plot(tmp_path / "loss.png", keys=["loss"])
    with pytest.raises(ValueError, match=r"History.plot: keys must be logged metrics"):
        h.plot(tmp_path / "x.png", keys=["acc"])
    with pytest.raises(ValueError, match="at least one epoch"):
        History().plot(tmp_path / "empty.png")


def test_plot_draws_a_constant_metric_flat(tmp_path, monkeypatch):
    from matplotlib.figure import Figure

    saved = []
    real_savefig = Figure.savefig
    monkeypatch.setattr(Figure, "savefig",
                        lambda fig, *a, **k: (saved.append(fig), real_savefig(fig, *a, **k))[1])
    h = History()
    for e, noise in enumerate([0.0, -5.96e-8, 0.0, -1.19e-7]):  # float32 rounding of 1.0
        h.append({"cosine": 1.0 + noise, "loss": 1 / (e + 1)})
    h.plot(tmp_path / "h.png")
    cosine, loss = (ax for ax in saved[0].axes if ax.get_visible())
    low, high = cosine.get_ylim()
    assert low <= 0.96 and high >= 1.04  # the noise spans 1e-7 of a range of 0.1: a flat line
    assert not cosine.yaxis.get_major_formatter().get_useOffset()  # no "1e-7 + 1" axis
    low, high = loss.get_ylim()
    assert 0.2 < low < 0.25 and 1.0 < high < 1.05  # a changing metric keeps the data's range


def test_plot_without_matplotlib_says_how_to_install(tmp_path, monkeypatch):
    real_import = builtins.__import__

    def no_matplotlib(name, *args, **kwargs):
        if name.startswith("matplotlib"):
            raise ModuleNotFoundError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_matplotlib)
    h = History({"loss": [1.0]})
    with pytest.raises(ImportError, match="pip install matplotlib"):
        h.plot(tmp_path / "h.png")


def test_training_loops_guide_runs_top_to_bottom(tmp_path, monkeypatch):
    # The guide's python blocks form one script; its printed comments are checked here.
    import re
    from pathlib import Path

    text = (Path(__file__).resolve().parents[1] / "docs" / "training-loops.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert len(blocks) >= 5
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    namespace: dict = {"__name__": "training_loops_guide"}
    # a user's program, with JAX's default rank promotion (the model code broadcasts its biases)
    with contextlib.redirect_stdout(out), jax.numpy_rank_promotion("allow"):
        exec(compile("\n".join(blocks), "training-loops.md", "exec"), namespace)  # noqa: S102
    printed = out.getvalue()
    assert "('loss', 'mse', 'mae', 'mape', 'cosine', 'rmse')" in printed
    assert "Epoch 60/60" in printed and "auto_accuracy" in printed
    assert namespace["train_step"]._cache_size() == 1
    for png in ("regression_history.png", "keras_history.png"):
        assert (tmp_path / png).read_bytes()[:4] == b"\x89PNG"
    history = namespace["history"]
    assert len(history) == 60 and history.history["loss"][-1] < history.history["loss"][0]
    for line in printed.splitlines():
        assert "nan" not in line, line
