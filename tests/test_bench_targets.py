"""The speed targets at tiny sizes: every target runs, reports its checks and notes, never errors.

Only the structure is asserted (which checks exist, that ratios are positive, that a missing peer
is a note): wall times are never asserted.
"""

from __future__ import annotations

import importlib
import importlib.util
import re

import pytest

from jmetrics.bench import _engine, _target_elementwise, _target_import, _targets
from jmetrics.bench._targets import Check, TargetResult, describe
from jmetrics.cli import main


def _labels(result: TargetResult) -> list[str]:
    return [c.label for c in result.checks]


def _clean(result: TargetResult) -> None:
    assert not [n for n in result.notes if "failed" in n], result.notes
    assert all(c.value > 0 for c in result.checks), describe(result)
    assert result.name in describe(result) and result.name in result.line()


def test_check_met_and_missed_by_how_much():
    assert Check("x", 12.0, ">=", 10).met and Check("x", 12.0, ">=", 10).miss_factor == 1.0
    miss = Check("x sklearn", 1.5, ">=", 3)
    assert not miss.met and miss.miss_factor == 2.0 and "MISSED by 2.00x" in miss.text()
    assert "MISSED by 1.50x" in Check("compile seconds", 3.0, "<=", 2).text()


def test_collection8_and_auc_targets(monkeypatch):
    rows = 3000
    for name, labels in [
        ("collection8", ["x numpy sequential", "x 8 separate jits"]),
        ("binned_auc", ["x Keras 3 AUC.update_state", "XLA scratch / (thresholds x N bytes)"]),
        ("histogram_auc", ["time / read-reduce time"]),
    ]:
        result, call = _targets.TARGETS[name](rows=rows, budget=0.001)
        _clean(result)
        assert _labels(result) == labels, (name, describe(result))
        assert call is not None
        if name == "collection8":  # its hand-written forms compute the Collection's 8 values
            for form in ("single pass", "whole-array sums"):
                assert result.extra[f"max relative difference vs hand-written {form}"] < 1e-5
                assert result.extra[f"time / hand-written {form}"] > 0
        if name == "histogram_auc":  # the scatter floors: whole, 2 halves in one program, 2 threads
            floors = [k for k in result.extra if k.startswith("scatter floor")]
            assert len(floors) == 3 and all(result.extra[k] > 0 for k in floors), floors


def test_roc_auc_exact_target():
    result, call = _targets.roc_auc_exact(rows=3000, budget=0.001)
    if not hasattr(importlib.import_module("jmetrics.sk"), "roc_auc_score"):
        assert result.notes == ["jmetrics.sk.roc_auc_score is not there yet"] and call is None
        assert result.line().endswith("not measured [jmetrics.sk.roc_auc_score is not there yet]")
        return
    _clean(result)
    assert _labels(result) == ["x sklearn", "jit x sklearn"] and call is not None
    values = result.extra["values"]  # jmetrics (host and jitted) and sklearn agree on the same inputs
    assert values["jmetrics"] == pytest.approx(values["sklearn"], rel=1e-6)
    assert values["jmetrics jit"] == pytest.approx(values["sklearn"], rel=1e-6)
    # the floor of a sort-based exact AUC under jit is timed beside it
    assert result.times["one XLA sort"] > 0 and result.extra["jit time / one XLA sort"] > 0


def test_train_step_target():
    result, call = _targets.train_step(steps=3, budget=0.001)
    _clean(result)
    assert _labels(result)[0] == "x identity step" and _labels(result)[-1] == "compile seconds"
    assert "x Keras 3 eager update_state" in _labels(result)
    if importlib.util.find_spec("torchmetrics") is None:
        assert any("torchmetrics: not installed" in n for n in result.notes)
    assert call is not None and result.times["compile"] > 0
    low, high = (result.extra[f"x identity step, {q} percentile of rounds"] for q in ("25th", "75th"))
    assert low <= result.checks[0].value <= high  # the check is the median of per-round ratios
    assert result.extra["CPU dispatch"] in ("async", "sync")
    checks = {c.label: c for c in result.checks}
    floor = checks["x scalar identity step (dispatch floor)"]
    assert (floor.op, floor.goal) == ("<=", 2.0)
    low, high = (result.extra[f"x scalar identity step, {q} percentile of rounds"]
                 for q in ("25th", "75th"))
    assert low <= floor.value <= high
    model = checks["x model step (metrics inside a small MLP's SGD step)"]
    assert (model.op, model.goal) == ("<=", 1.25)
    assert model.value == pytest.approx(result.times["model step + metrics"] / result.times["model step"])
    assert result.extra["unpacked: x model step"] == \
        pytest.approx(result.times["model step + unpacked metrics"] / result.times["model step"])
    # Packed: one buffer; unpacked: two means (2 KSums each), AUC's pos/neg KSums
    assert (result.extra["state buffers"], result.extra["unpacked state buffers"]) == (1, 12)
    low, high = (result.extra[f"unpacked: x scalar identity step, {q} percentile of rounds"]
                 for q in ("25th", "75th"))
    assert low <= result.extra["unpacked: x scalar identity step"] <= high
    # the floor of any update that reads the batch, timed in the same rounds
    assert result.times["one-reduction step"] > 0
    assert result.extra["one-reduction step: x scalar identity step"] > 0
    assert result.extra["x one-reduction step"] > 0


def test_paired_ratio_pairs_rounds():
    # Load that drifts between rounds hits both sides of a round alike: the ratio is 2 in the two
    # rounds that ran under the same load, whatever the medians of each side say (2.2 / 2.0).
    from jmetrics.bench._timing import Timing, paired_ratio

    slow = Timing(2.2, 2.0, 20.0, 3, samples=[2.0, 20.0, 2.2])
    fast = Timing(2.0, 1.0, 10.0, 3, samples=[1.0, 10.0, 2.0])
    assert paired_ratio(slow, fast) == pytest.approx((2.0, 1.55, 2.0))
    assert "samples" not in slow.as_dict()
    with pytest.raises(ValueError, match="no per-round samples"):
        paired_ratio(Timing(1.0, 1.0, 1.0, 1), fast)


def test_elementwise_target_and_cli(monkeypatch, capsys):
    few = tuple(k for k in _target_elementwise.KERNELS
                if k.name in ("mean_squared_error", "log_cosh", "sparse_categorical_accuracy",
                              "categorical_accuracy"))
    monkeypatch.setattr(_target_elementwise, "KERNELS", few)
    assert main(["bench", "--only-targets", "--targets", "elementwise", "--target-rows", "2000",
                 "--budget", "0.001", "-q"]) == 0
    out = capsys.readouterr().out
    assert "metric  backend" not in out  # no table
    for layout in ("(n,1)", "(n,10)"):
        assert f"mean_squared_error {layout} fraction of read-reduce bandwidth" in out
        assert f"log_cosh {layout} jmetrics / reference" in out  # transcendental-bound: no
        assert f"log_cosh {layout} fraction of read-reduce" not in out.split("target details:")[0]
        assert f"sparse_categorical_accuracy {layout} jmetrics / reference" in out
    assert "!= reference" not in out  # kernel and hand-written reference agree
    assert "with a NaN prediction" not in out  # ... on a NaN prediction as well
    # one class: every row matches whatever the scores, so there is nothing to time
    assert "categorical_accuracy (n,1): a constant (jmetrics' compiled program reads no input" in out
    assert not re.search(r"(?<!sparse_)categorical_accuracy \(n,1\) jmetrics / reference", out)
    assert re.search(r"(?<!sparse_)categorical_accuracy \(n,10\) jmetrics / reference", out)
    assert "target details:" in out


def test_engine_target(monkeypatch, tmp_path):
    import importlib.util

    monkeypatch.setattr(_engine, "ENGINE_METRICS", (("mse", "mse"), ("auc", "auc")))
    monkeypatch.setattr(_engine, "ENGINE_METRICS_4", (("mse", "mse"), ("mae", "mae")))
    result, _ = _engine.engine_target(2000, tmpdir=str(tmp_path))
    _clean(result)
    sides = ["numpy read", "numpy", "jmetrics", "jmetrics cold (with compile)",
             "jmetrics propagate", "jmetrics parquet"]
    peers = [p for p in ("polars", "duckdb") if importlib.util.find_spec(p) is not None]
    assert set(result.times) == {f"{side} [{label}]" for side in sides + peers
                                 for label in ("10", "4")}
    for label in ("10", "4"):
        assert result.extra[f"jmetrics [{label}] peak RSS MB"] > 0
        assert result.extra[f"x numpy [{label}]"] > 0
        assert f"check cost [{label}]" in result.extra
        for peer in [*peers, "numpy", "jmetrics parquet"]:
            # the same numbers as jmetrics from every side (auc: 200 thresholds vs 200 bins)
            assert result.extra[f"max relative difference vs {peer} [{label}]"] < 2e-2
    assert "x numpy read [10] = " in result.line() and "jmetrics [10] rows/s = " in result.line()
    # the goals as checks: peer time / jmetrics time, and the check's time over 'propagate'
    checks = {c.label: c for c in result.checks}
    for label in ("10", "4"):
        sides = {"x numpy": ("jmetrics", "numpy")} | {
            f"x {peer} vs jmetrics parquet": ("jmetrics parquet", peer) for peer in ("numpy", *peers)}
        for ratio, goal in _engine.ENGINE_GOALS:
            if ratio in sides:
                mine, peer = sides[ratio]
                c = checks.pop(f"{ratio} [{label}]")
                assert (c.op, c.goal) == (">=", goal)
                assert c.value == result.times[f"{peer} [{label}]"] / result.times[f"{mine} [{label}]"]
        c = checks.pop(f"time / 'propagate' time (the non-finite check) [{label}]")
        assert (c.op, c.goal) == ("<=", 1.1) and c.value == pytest.approx(
            1 + result.extra[f"check cost [{label}]"])
    assert checks == {}
    assert list(tmp_path.iterdir()) == []  # the files are removed


def test_import_time_target_through_the_command(monkeypatch, capsys):
    """Each statement in a fresh interpreter: its time and peak RSS are reported (not asserted),
    with what ``import jmetrics`` loaded; the heavy statements are left out here for speed."""
    few = {k: v for k, v in _target_import.STATEMENTS.items() if "jmetrics" in v and "." not in v}
    assert set(few) == {"import jmetrics"}
    monkeypatch.setattr(_target_import, "STATEMENTS", {"nothing": "pass", **few})
    result, call = _targets.TARGETS["import_time"](rows=10, budget=0.1, backend="cpu", rounds=2)
    _clean(result)
    assert call is None and set(result.times) == {"nothing", "import jmetrics"}
    assert result.extra["import jmetrics: peak RSS MB"] > 0
    assert result.extra["import jmetrics loads"] == "no jax, numpy or heavy part"
    assert "import jmetrics: " in result.line() and " MB" in result.line()
    assert main(["bench", "--only-targets", "--targets", "import_time", "-q"]) == 0
    assert "import_time: nothing: " in capsys.readouterr().out


def test_measure_import_names_the_heavy_modules_loaded():
    heavy = _target_import.measure_import("import jmetrics.sk")["heavy"]
    assert {"jax", "numpy", "jmetrics.sk"} <= set(heavy)
    with pytest.raises(RuntimeError, match="ModuleNotFoundError"):
        _target_import.measure_import("import jmetrics.no_such_module")


def test_unknown_target_is_a_user_error(capsys):
    assert main(["bench", "--targets", "nope", "-q"]) == 2
    assert "--targets must be among" in capsys.readouterr().err


def test_engine_child_result_is_found_after_a_peer_draws_on_stdout(monkeypatch):
    import subprocess
    import types

    drawn = " 87% ▕██████████▍ ▏\r100% ▕████████████▏ "  # DuckDB's progress bar, no newline
    out = drawn + "\n" + _engine.RESULT + '{"seconds": 1.5}\n'
    monkeypatch.setattr(subprocess, "run", lambda *a, **k: types.SimpleNamespace(
        returncode=0, stdout=out, stderr=""))
    assert _engine._child("duckdb", "/nowhere") == {"seconds": 1.5}
    monkeypatch.setattr(subprocess, "run", lambda *a, **k: types.SimpleNamespace(
        returncode=0, stdout=drawn, stderr=""))
    with pytest.raises(RuntimeError, match="no result line in the output of the duckdb process"):
        _engine._child("duckdb", "/nowhere")
