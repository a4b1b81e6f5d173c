"""``jmetrics eval``: demo sets, files, formats, atomic output, plots, and one-line errors.

Oracle for the numbers: scikit-learn 1.9.1 on the same arrays.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys

import numpy as np
import pytest
from sklearn import metrics as skm

from jmetrics.cli import main


@pytest.fixture()
def files(tmp_path):
    r = np.random.default_rng(0)
    y = (r.random(500) < 0.4).astype(np.float32)
    p = np.clip(y * 0.5 + r.random(500) * 0.6, 0, 1).astype(np.float32)
    w = r.uniform(0, 2, 500).astype(np.float32)
    np.save(tmp_path / "y.npy", y)
    np.save(tmp_path / "p.npy", p)
    np.save(tmp_path / "w.npy", w)
    np.savez(tmp_path / "both.npz", y=y, p=p)
    return tmp_path, y, p, w


def run(capsys, *argv):
    code = main(["eval", *map(str, argv)])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_demo_sets_without_inputs(capsys):
    code, out, err = run(capsys, "--rows", "3000")
    assert code == 0
    for task, metric in (("binary", "auc"), ("multiclass", "sparse_categorical_accuracy"),
                         ("regression", "r2_score")):
        assert any(line.split()[:2] == [task, metric] for line in out.splitlines()), out
    assert "binary (0/1 labels and probabilities); metrics: binary_accuracy, auc" in err


def test_files_json_equals_sklearn(capsys, files):
    tmp, y, p, w = files
    code, out, _ = run(capsys, "--y-true", tmp / "y.npy", "--y-pred", tmp / "p.npy", "--weights",
                       tmp / "w.npy", "-m", "binary_accuracy", "mse", "--format", "json", "-q")
    assert code == 0
    got = json.loads(out)
    assert got["binary_accuracy"] == pytest.approx(skm.accuracy_score(y, p > 0.5, sample_weight=w),
                                                   rel=1e-6)
    assert got["mse"] == pytest.approx(skm.mean_squared_error(y, p, sample_weight=w), rel=1e-5)


def test_npz_members_csv_format_and_picked_metrics(capsys, files):
    tmp, y, p, _ = files
    code, out, err = run(capsys, "--y-true", f"{tmp / 'both.npz'}:y", "--y-pred",
                         f"{tmp / 'both.npz'}:p", "--format", "csv")
    assert code == 0
    rows = {r["metric"]: float(r["value"]) for r in csv.DictReader(io.StringIO(out))}
    assert rows["binary_accuracy"] == pytest.approx(skm.accuracy_score(y, p > 0.5), rel=1e-6)
    assert rows["precision"] == pytest.approx(skm.precision_score(y, p > 0.5), rel=1e-5)
    assert "data: binary" in err


def test_models_and_bootstrap_columns(capsys, files, tmp_path):
    _, y, p, _ = files
    np.save(tmp_path / "k.npy", np.stack([p, y]))
    code, out, _ = run(capsys, "--y-true", tmp_path / "y.npy", "--y-pred", tmp_path / "k.npy",
                       "--model-axis", "0", "--bootstrap", "20", "-m", "mse", "-q")
    assert code == 0
    header, _, first, second = out.splitlines()[:4]
    assert header.split() == ["metric", "model", "value", "stderr", "ci_low", "ci_high"]
    assert float(first.split()[2]) == pytest.approx(skm.mean_squared_error(y, p), rel=1e-5)
    assert second.split()[1:3] == ["1", "0"]


def test_output_is_written_atomically_and_plot_is_a_png(capsys, files):
    tmp, *_ = files
    out_file, png = tmp / "res.json", tmp / "fig.png"
    code, out, err = run(capsys, "--y-true", tmp / "y.npy", "--y-pred", tmp / "p.npy",
                         "--format", "json", "--output", out_file, "--plot", png)
    assert code == 0 and out == ""
    assert "auc" in json.loads(out_file.read_text())
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not [f for f in os.listdir(tmp) if f.startswith(".jmetrics-")]


@pytest.mark.parametrize("rows", [400])
def test_plots_for_every_demo_task(capsys, tmp_path, rows):
    png = tmp_path / "demo.png"
    code, _, _ = run(capsys, "--rows", rows, "--plot", png, "-q")
    assert code == 0 and png.stat().st_size > 10_000


def _bad_inputs(tmp):
    r = np.random.default_rng(1)
    np.save(tmp / "short.npy", np.zeros(499, np.float32))
    nan = r.random(500).astype(np.float32)
    nan[17] = np.nan
    np.save(tmp / "nan.npy", nan)
    data = (tmp / "p.npy").read_bytes()
    (tmp / "cut.npy").write_bytes(data[:-40])
    np.save(tmp / "labels.npy", np.array([0, 1, 2, 5] * 10))
    np.save(tmp / "probs.npy", np.full((40, 3), 1 / 3, np.float32))


BAD = {
    "missing file": (["--y-true", "{t}/nope.npy", "--y-pred", "{t}/p.npy"], "does not exist"),
    "lengths differ": (["--y-true", "{t}/y.npy", "--y-pred", "{t}/short.npy"],
                       "same number of rows; got 500, 499"),
    "unknown metric": (["--y-true", "{t}/y.npy", "--y-pred", "{t}/p.npy", "-m", "aucc"], "auc"),
    "nan": (["--y-true", "{t}/y.npy", "--y-pred", "{t}/nan.npy", "-m", "mse"],
            "1 row(s) with NaN or inf (first at row 17)"),
    "truncated": (["--y-true", "{t}/y.npy", "--y-pred", "{t}/cut.npy"], "truncated"),
    "labels": (["--y-true", "{t}/labels.npy", "--y-pred", "{t}/probs.npy"], "labels must be in [0, 3)"),
    "half pair": (["--y-true", "{t}/y.npy"], "--y-true and --y-pred go together"),
    "bad member": (["--y-true", "{t}/both.npz:q", "--y-pred", "{t}/p.npy"], "member 'q'"),
}


@pytest.mark.parametrize("case", BAD)
def test_bad_input_is_one_line_exit_2_and_no_output_file(capsys, files, case):
    tmp = files[0]
    _bad_inputs(tmp)
    argv, message = BAD[case]
    out_file = tmp / "out.json"
    code, out, err = run(capsys, *(a.format(t=tmp) for a in argv), "--output", out_file, "-q")
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("jmetrics eval: error:") and message in err, err
    assert "Traceback" not in err and out == ""
    assert not out_file.exists() and not [f for f in os.listdir(tmp) if f.startswith(".jmetrics-")]


def test_interrupt_leaves_no_output(capsys, files, monkeypatch):
    tmp = files[0]
    import jmetrics.engine

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(jmetrics.engine, "evaluate", interrupted)
    code, _, err = run(capsys, "--y-true", tmp / "y.npy", "--y-pred", tmp / "p.npy",
                       "--output", tmp / "o.json")
    assert code == 130 and "interrupted" in err and not (tmp / "o.json").exists()


def test_console_script_exit_code_without_traceback(files):
    tmp = files[0]
    env = {**os.environ, "JAX_PLATFORMS": "cpu"}
    out = subprocess.run([sys.executable, "-m", "jmetrics", "eval", "--y-true", str(tmp / "y.npy"),
                          "--y-pred", str(tmp / "missing.npy")], capture_output=True, text=True,
                         env=env, timeout=120)
    assert out.returncode == 2 and out.stderr.count("\n") == 1 and "Traceback" not in out.stderr
