"""``jmetrics bench`` at tiny sizes: the table, JSON, plot, notes for missing peers, errors.

Also checks that every benchmark case computes the same number as its NumPy reference (so the
benchmark compares like with like). Timings are never asserted.
"""

from __future__ import annotations

import importlib.util
import json
import math

import numpy as np
import pytest

from jmetrics import bench
from jmetrics.bench import _peers
from jmetrics.cli import main

TINY = ["--sizes", "300", "--budget", "0.01", "-q"]


def test_table_json_and_plot(tmp_path, capsys):
    out_json, out_png = tmp_path / "b.json", tmp_path / "b.png"
    argv = ["bench", "-m", "mse", "binary_accuracy", "--peers", "numpy", *TINY,
            "--json", str(out_json)]
    if importlib.util.find_spec("matplotlib") is not None:
        argv += ["--plot", str(out_png)]
    assert main(argv) == 0
    out = capsys.readouterr().out
    header = out.splitlines()[0].split()
    assert header[:3] == ["metric", "backend", "rows"] and "x numpy" in out.splitlines()[0]
    assert "of read BW" in out.splitlines()[0]
    assert any(line.startswith("mse ") and " cpu " in line for line in out.splitlines())
    assert "machine: " in out
    data = json.loads(out_json.read_text())
    assert data["machine"]["backends"]["cpu"].startswith("1 x")
    (mse,) = [r for r in data["results"] if r["metric"] == "mse"]
    assert mse["rows"] == 300 and mse["bytes"] == 300 * 8
    assert mse["jmetrics"]["median"] > 0 and mse["jmetrics"]["compile"] > 0
    assert mse["read_reduce"]["median"] > 0 and mse["peers"]["numpy"]["median"] > 0
    assert math.isclose(mse["ratios"]["numpy"],
                        mse["peers"]["numpy"]["median"] / mse["jmetrics"]["median"])
    assert math.isclose(mse["bandwidth_fraction"],
                        mse["read_reduce"]["median"] / mse["jmetrics"]["median"])
    if out_png.exists():
        assert out_png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_missing_peer_is_a_note_not_an_error(monkeypatch, capsys):
    real = importlib.util.find_spec
    monkeypatch.setattr(_peers.importlib.util, "find_spec",
                        lambda name, *a: None if name in ("sklearn", "torch") else real(name, *a))
    assert main(["bench", "-m", "mae", "--peers", "numpy", "sklearn", "torchmetrics", *TINY]) == 0
    out = capsys.readouterr().out
    assert "sklearn: not installed" in out and "torchmetrics: not installed" in out
    assert "x sklearn" not in out.splitlines()[0] and "x numpy" in out.splitlines()[0]


def test_peers_none_and_markdown(capsys):
    assert main(["bench", "-m", "mae", "--peers", "none", "--markdown", *TINY]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("| metric | backend | rows |") and lines[1].startswith("|---")
    assert "x numpy" not in lines[0]


@pytest.mark.parametrize("argv, message", [
    (["-m", "nope"], "metric must be one of"),
    (["--sizes", "ten"], "sizes must be row counts"),
    (["--sizes", "0"], "sizes must be >= 1"),
    (["--peers", "matlab"], "--peers must be among"),
    (["--backends", "tpu"], "not present here: tpu"),
    (["--budget", "0"], "--budget must be > 0"),
])
def test_user_errors_exit_2(argv, message, capsys):
    assert main(["bench", *argv, "-q"]) == 2
    assert message in capsys.readouterr().err


def test_plot_without_matplotlib_is_a_clear_error(monkeypatch, capsys):
    import builtins

    real_import = builtins.__import__

    def no_mpl(name, *args, **kwargs):
        if name == "matplotlib" or name.startswith("matplotlib."):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_mpl)
    assert main(["bench", "-m", "mse", "--plot", "x.png", *TINY]) == 2
    assert "--plot needs matplotlib" in capsys.readouterr().err


def test_select_names_aliases_families():
    assert [c.name for c in bench.select(["mean_squared_error", "acc"])] == ["mse", "accuracy"]
    assert {c.family for c in bench.select(["hinge"])} == {"hinge"}
    assert [c.name for c in bench.select(["auc"])] == ["auc"]  # the metric, not the family
    assert len(bench.select(["all"])) == len(bench.CASES)


def _value(x):
    return float(np.asarray(x, dtype=np.float64).reshape(-1)[0]) if np.ndim(x) else float(x)


def _f64(a):
    return a.astype(np.float64) if a.dtype.kind == "f" else a


@pytest.mark.parametrize("case", bench.CASES, ids=lambda c: c.name)
def test_case_matches_its_numpy_reference(case):
    """The jmetrics side and the NumPy reference of every case compute the same number."""
    t, p = bench.make_inputs(case.kind, 400, case.classes, seed=1)
    try:
        fn, _ = bench.jmetrics_function(case)
    except bench.Skip as err:
        pytest.skip(f"jmetrics side not there yet: {err}")
    got = _value(fn(*bench.device_put((t, p), "cpu")))
    want = float(case.numpy(_f64(t), _f64(p)))
    tol = 2e-2 if case.name == "auc" else 2e-4  # binned AUC: 200 thresholds vs 200 bins
    assert math.isclose(got, want, rel_tol=tol, abs_tol=tol), (got, want)
