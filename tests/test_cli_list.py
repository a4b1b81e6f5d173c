"""``jmetrics list``: the alias table in three formats, through ``jmetrics.cli.main``."""

from __future__ import annotations

import json

import pytest

from jmetrics.adapter import ENTRIES
from jmetrics.adapter._table import AUTO
from jmetrics.cli import main


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
