"""``jmetrics list``: the alias table in three formats, through ``jmetrics.cli.main``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from sklearn import metrics as skm

import jmetrics
from jmetrics.adapter import ENTRIES
from jmetrics.adapter._lookup import _index
from jmetrics.adapter._table import AUTO
from jmetrics.cli import main

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "JAX_PLATFORMS": "cpu", "PYTHONPATH": str(ROOT)}


def _jmetrics(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "jmetrics", *args], cwd=ROOT, env=ENV,
                          capture_output=True, text=True, timeout=300)


def test_table(capsys):
    assert main(["list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["name", "aliases", "direction", "Keras", "2.3.1", "Keras", "3",
                                "scikit-learn"]
    assert len(lines) == 1 + len(ENTRIES) + len(AUTO)
    mse = next(line for line in lines if line.startswith("mean_squared_error "))
    assert "mse, MSE, MeanSquaredError" in mse and " lower " in mse
    assert "sklearn.metrics.mean_squared_error" in mse
    auc = next(line for line in lines if line.startswith("auc "))
    assert " higher " in auc and "sklearn.metrics.roc_auc_score" in auc


def test_json_has_every_entry_and_field(capsys):
    assert main(["list", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["name"] for r in rows[: len(ENTRIES)]] == [e.name for e in ENTRIES]
    kld = next(r for r in rows if r["name"] == "kl_divergence")
    assert {"kld", "KLD", "kullback_leibler_divergence", "KLDivergence"} <= set(kld["aliases"])
    assert kld["keras2_name"] == "kullback_leibler_divergence" and kld["streaming"] == "KLDivergence"
    acc = next(r for r in rows if r["name"] == "acc")
    assert acc["resolves_to"] == ["binary_accuracy", "sparse_categorical_accuracy",
                                  "categorical_accuracy"]


def test_markdown_and_filters(capsys):
    assert main(["list", "MSE", "kld", "acc", "--format", "markdown"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "| name | aliases | direction | Keras 2.3.1 | Keras 3 | scikit-learn |"
    assert lines[1] == "|---|---|---|---|---|---|"
    assert [line.split(" | ")[0] for line in lines[2:]] == ["| mean_squared_error",
                                                              "| kl_divergence", "| acc"]
    assert main(["list", "--family", "iou", "--format", "json"]) == 0
    assert {r["name"] for r in json.loads(capsys.readouterr().out)} == {
        "iou", "binary_iou", "mean_iou", "one_hot_iou", "one_hot_mean_iou"}


def test_unknown_name_is_a_one_line_error(capsys):
    assert main(["list", "msee"]) == 2
    err = capsys.readouterr().err
    assert err.startswith('jmetrics list: error: Unknown metric "msee"; did you mean "mse"?')
    assert err.count("\n") == 1


def test_bad_format_exits_through_argparse(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["list", "--format", "xml"])
    assert exc.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def _listed() -> dict[str, dict]:
    """Every name and alias ``jmetrics list`` prints (JSON), with its row."""
    out = _jmetrics("list", "--format", "json")
    assert out.returncode == 0, out.stderr
    return {s: r for r in json.loads(out.stdout) for s in [r["name"], *r["aliases"]]
            if s != "(any case)"}


def test_list_names_are_exactly_what_eval_accepts():
    listed = _listed()
    # every listed name goes through eval's parsing (jmetrics.evaluate builds a Collection of
    # the -m strings), except the metrics marked as needing arguments, refused naming them
    for name, row in listed.items():
        if row["needs"]:
            with pytest.raises(TypeError, match="needs arguments") as err:
                jmetrics.Collection([name])
            assert all(arg in str(err.value) for arg in row["needs"]), name
        else:
            jmetrics.Collection([name])
    # every string the resolver knows is listed; the 'acc'/'ce' triggers in any case
    assert set(_index()) <= set(listed)
    for auto in AUTO:
        for trigger in auto.triggers:
            assert "(any case)" in listed[trigger]["aliases"]
            jmetrics.Collection([trigger.upper()])
    assert listed["auto_accuracy"]["name"] == "acc" and listed["mean_iou"]["needs"] == ["num_classes"]


def test_listed_aliases_run_in_eval(tmp_path):
    r = np.random.default_rng(0)
    y = r.integers(0, 2, 64).astype(np.float32)
    p = r.uniform(size=64).astype(np.float32)
    np.save(tmp_path / "y.npy", y)
    np.save(tmp_path / "p.npy", p)
    names = ["auto_accuracy", "ACC", "MSE", "AUC", "binary_crossentropy"]
    assert set(names) - {"ACC"} <= set(_listed())
    out = _jmetrics("eval", "--y-true", str(tmp_path / "y.npy"), "--y-pred",
                    str(tmp_path / "p.npy"), "-m", *names, "--format", "json", "-q")
    assert out.returncode == 0, out.stderr
    res = json.loads(out.stdout)
    acc = skm.accuracy_score(y, p > 0.5)
    np.testing.assert_allclose([res["auto_accuracy"], res["ACC"]], [acc, acc], rtol=1e-6)
    np.testing.assert_allclose(res["MSE"], np.mean((y - p) ** 2, dtype=np.float64), rtol=1e-5)
    np.testing.assert_allclose(res["binary_crossentropy"], skm.log_loss(y, p), rtol=1e-4)
    np.testing.assert_allclose(res["AUC"], skm.roc_auc_score(y, p), atol=0.02)  # 200 bins
    assert set(res) == set(names)  # logged under the strings as given, as Keras does


def test_a_name_that_needs_arguments_is_one_line_in_eval(tmp_path):
    np.save(tmp_path / "y.npy", np.array([0, 1, 1], np.int32))
    out = _jmetrics("eval", "--y-true", str(tmp_path / "y.npy"), "--y-pred",
                    str(tmp_path / "y.npy"), "-m", "mean_iou", "-q")
    assert out.returncode == 2 and out.stderr.count("\n") == 1
    assert out.stderr.startswith('jmetrics eval: error: mean_iou: "mean_iou" names MeanIoU, which '
                                 "needs arguments")
    assert "(needs num_classes)" in _jmetrics("list", "mean_iou").stdout
