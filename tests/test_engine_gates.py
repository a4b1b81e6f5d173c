"""Gates (``check_gates``, ``jmetrics eval --fail-if``): which gates fail, and the exit codes.

Oracle for the numbers the gates compare: scikit-learn 1.9.1 on the same arrays. The per-slice
form is checked on a results dict written by hand (values chosen, not computed by jmetrics).
"""

from __future__ import annotations

import json
import math
import os

import numpy as np
import pytest
from sklearn import metrics as skm

from jmetrics.cli import main
from jmetrics.engine import check_gates
from jmetrics.engine._gates import parse_gate

RESULTS = {"auc": 0.75, "binary_accuracy": 0.93, "auc.ci_low": 0.70, "auc.ci_high": 0.80,
           "per_model": np.array([0.9, 0.6, 0.85]), "broken": float("nan")}


@pytest.mark.parametrize(("gate", "fails"), [
    ("auc<0.8", True), ("auc<0.75", False), ("auc<=0.75", True), ("auc>0.7", True),
    ("auc>=0.76", False), (" auc >= 0.75 ", True), ("binary_accuracy<0.9", False),
    ("auc.ci_low<0.72", True), ("auc.ci_high>0.81", False), ("broken>0", True),
    ("broken<0", True),  # NaN never passes
])
def test_each_operator_on_scalars(gate, fails):
    failures = check_gates(RESULTS, [gate])
    assert bool(failures) == fails
    if fails:
        (f,) = failures
        key = gate.split("<")[0].split(">")[0].strip()
        assert f.gate.key == key and (f.value == RESULTS[key] or math.isnan(f.value))


def test_array_values_fail_per_element_and_name_the_model():
    failures = check_gates(RESULTS, ["per_model<0.88"])
    assert [(f.index, f.value) for f in failures] == [((1,), 0.6), ((2,), 0.85)]
    assert failures[0].describe(models=True) == ("per_model<0.88: per_model = 0.6, threshold 0.88 "
                                                 "(model 1)")
    assert str(failures[0]) == "per_model<0.88: per_model[1] = 0.6, threshold 0.88"


def test_every_slice_is_checked_for_the_slices_form():
    results = {"auc": 0.9, "rows": 10,
               "slices": {"FR": {"auc": 0.95, "rows": 4}, "US": {"auc": 0.7, "rows": 3},
                          ("DE", 1): {"auc": 0.79, "rows": 3}}}
    failures = check_gates(results, ["slices:auc<0.8", "auc<0.8"])
    assert [(f.slice, f.value) for f in failures] == [("US", 0.7), (("DE", 1), 0.79)]
    assert str(failures[0]) == "slices:auc<0.8: auc = 0.7, threshold 0.8 (slice 'US')"
    assert check_gates(results, ["slices:auc<0.5"]) == []
    with pytest.raises(ValueError, match=r"names 'acc'.*of every slice; known keys: auc\."):
        check_gates(results, ["slices:acc<0.8"])
    with pytest.raises(ValueError, match="the results have no slices"):
        check_gates({"auc": 0.9}, ["slices:auc<0.8"])


@pytest.mark.parametrize(("gate", "message"), [
    ("auc", "must read [slices:]KEY OP THRESHOLD"), ("auc==0.8", "OP one of <, >, <=, >="),
    ("auc<high", "threshold of gate 'auc<high' must be a number"), ("auc<nan", "must not be NaN"),
    ("<0.8", "must read"),
])
def test_malformed_gates_are_value_errors(gate, message):
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        parse_gate(gate)


def test_an_unknown_key_lists_the_known_keys():
    with pytest.raises(ValueError, match=r"names 'aucc', which is not a key of the results; "
                                         r"known keys: auc, binary_accuracy, auc.ci_low"):
        check_gates(RESULTS, ["auc<0.9", "aucc<0.8"])
    with pytest.raises(ValueError, match=r"'mse.ci_low'.*\(interval bounds need bootstrap\)"):
        check_gates({"mse": 0.1}, ["mse.ci_low>0.5"])


# ---- the command -------------------------------------------------------------------------------

@pytest.fixture()
def files(tmp_path):
    r = np.random.default_rng(5)
    y = (r.random(400) < 0.4).astype(np.float32)
    p = np.clip(y * 0.3 + r.random(400) * 0.7, 0, 1).astype(np.float32)
    np.save(tmp_path / "y.npy", y)
    np.save(tmp_path / "p.npy", p)
    np.save(tmp_path / "k.npy", np.stack([p, 1 - p]))
    return tmp_path, y.astype(np.float64), p.astype(np.float64)


def run(capsys, *argv):
    code = main(["eval", *map(str, argv)])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_failed_gates_exit_1_after_writing_the_results(capsys, files):
    tmp, y, p = files
    auc = skm.roc_auc_score(y, p)
    acc = skm.accuracy_score(y, p > 0.5)
    assert 0.5 < auc < 0.99 and 0.5 < acc < 0.99
    out_file = tmp / "res.json"
    code, out, err = run(capsys, "--y-true", tmp / "y.npy", "--y-pred", tmp / "p.npy",
                         "-m", "roc_auc_score", "binary_accuracy", "--format", "json", "-q",
                         "--output", out_file, "--fail-if", f"roc_auc_score<{auc + 0.01}",
                         "--fail-if", f"binary_accuracy<{acc - 0.01}",
                         "--fail-if", f"binary_accuracy>={acc - 0.01}")
    assert code == 1 and out == ""
    written = json.loads(out_file.read_text())  # the results, in full
    assert written["roc_auc_score"] == pytest.approx(auc, rel=1e-6)
    assert written["binary_accuracy"] == pytest.approx(acc, rel=1e-6)
    lines = err.splitlines()
    assert len(lines) == 2 and all(line.startswith("jmetrics eval: gate failed: ") for line in lines)
    assert f"roc_auc_score = {auc:.6g}, threshold {auc + 0.01:g}" in lines[0]
    assert f"binary_accuracy = {acc:.6g}" in lines[1]


def test_passing_gates_exit_0_and_stdout_keeps_the_table(capsys, files):
    tmp, y, p = files
    code, out, err = run(capsys, "--y-true", tmp / "y.npy", "--y-pred", tmp / "p.npy",
                         "-m", "mse", "--fail-if", "mse>0.99", "-q")
    assert code == 0 and err == ""
    assert float(out.split()[-1]) == pytest.approx(skm.mean_squared_error(y, p), rel=1e-5)


def test_gates_per_model_and_on_interval_bounds(capsys, files):
    tmp, y, p = files
    aucs = [skm.roc_auc_score(y, p), skm.roc_auc_score(y, 1 - p)]
    assert aucs[1] < 0.5 < aucs[0]
    code, out, err = run(capsys, "--y-true", tmp / "y.npy", "--y-pred", tmp / "k.npy",
                         "--model-axis", "0", "-m", "roc_auc_score", "--bootstrap", "10", "-q",
                         "--fail-if", "roc_auc_score<0.5", "--fail-if", "roc_auc_score.ci_high<0.5")
    assert code == 1 and "roc_auc_score" in out
    lines = err.splitlines()
    assert len(lines) == 2, err
    assert lines[0].endswith(f"roc_auc_score = {aucs[1]:.6g}, threshold 0.5 (model 1)")
    assert "roc_auc_score.ci_high = " in lines[1] and lines[1].endswith("(model 1)")


@pytest.mark.parametrize(("gate", "message"), [
    ("aucc<0.8", "names 'aucc', which is not a key of the results; known keys: mse"),
    ("mse=0.8", "a gate must read"),
    ("mse.ci_low<0.8", "interval bounds need bootstrap"),
])
def test_bad_gates_are_one_line_status_2_and_no_output(capsys, files, gate, message):
    tmp = files[0]
    before = sorted(os.listdir(tmp))
    code, out, err = run(capsys, "--y-true", tmp / "y.npy", "--y-pred", tmp / "p.npy", "-m", "mse",
                         "--output", tmp / "o.json", "--fail-if", gate, "-q")
    assert code == 2 and out == "" and err.count("\n") == 1, err
    assert err.startswith("jmetrics eval: error: ") and message in err
    assert sorted(os.listdir(tmp)) == before


def test_gates_on_the_demo_sets_apply_where_the_key_exists(capsys):
    code, _, err = run(capsys, "--rows", "2000", "-q", "--fail-if", "r2_score<2",
                       "--fail-if", "auc>1")
    assert code == 1 and err.splitlines() == [
        err.splitlines()[0]] and err.startswith("jmetrics eval: gate failed: regression: r2_score<2")
