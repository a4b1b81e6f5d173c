"""``jmetrics bench`` at tiny sizes: the table, JSON, plot, notes for missing peers, errors.

Also checks that the benchmark's own agreement check (jmetrics vs the NumPy reference of each
case, done in every run) passes for one case per family and flags a wrong reference. Timings are
never asserted.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import math

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


# One case per family (a streaming class, a kernel, the sklearn-named function, both AUC forms):
# the table run checks each against its NumPy reference itself (``Result.agrees``).
SAMPLE = ["mse", "r2", "huber", "binary_accuracy", "sparse_top_k_categorical_accuracy",
          "categorical_crossentropy", "hinge", "pearson_correlation", "precision", "f1_score",
          "mean_iou", "auc", "histogram_auc"]
if hasattr(importlib.import_module("jmetrics.sk"), "roc_auc_score"):  # being written
    SAMPLE.append("roc_auc_score")


def test_every_family_agrees_with_its_numpy_reference(tmp_path, capsys):
    """jmetrics and the NumPy reference compute the same number in the run itself, so each row of
    the table compares like with like (a disagreement would be a note and ``NO`` in the table)."""
    out_json = tmp_path / "b.json"
    assert main(["bench", "-m", *SAMPLE, "--peers", "numpy", "--sizes", "400", "--budget",
                 "0.001", "-q", "--json", str(out_json)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split()[-2:] == ["=", "numpy"]
    results = json.loads(out_json.read_text())["results"]
    assert sorted(r["metric"] for r in results) == sorted(SAMPLE)
    bad = {r["metric"]: r["notes"] for r in results if r["agrees"] is not True}
    assert not bad, bad
    assert all(r["jmetrics"]["median"] > 0 and r["ratios"]["numpy"] > 0 for r in results)


def test_a_disagreement_is_reported(monkeypatch, capsys):
    """A case whose reference differs from jmetrics is flagged ``NO`` with a note, not hidden."""
    wrong = dataclasses.replace(bench.case("mae"), numpy=lambda t, p: 123.0)
    monkeypatch.setattr(bench, "select", lambda names: [wrong])
    assert main(["bench", "-m", "mae", "--peers", "numpy", *TINY]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[1].split()[-1] == "NO"
    assert "jmetrics" in out and "!= numpy 123" in out


def test_cpu_sync_dispatch_runs_inline_in_a_fresh_process():
    # The CPU client reads the option once, when JAX creates it: the jmetrics command sets it
    # first thing, and the machine line says which dispatch the run measured.
    import os
    import subprocess
    import sys

    env = dict(os.environ, JAX_PLATFORMS="cpu")
    cmd = [sys.executable, "-m", "jmetrics", "bench", "-m", "mse", "--peers", "none", *TINY]
    sync = subprocess.run([*cmd, "--cpu-sync-dispatch"], capture_output=True, text=True, env=env,
                          timeout=300)
    assert sync.returncode == 0, sync.stderr
    assert "CPU dispatch sync" in sync.stdout.splitlines()[-1]
    default = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
    assert "CPU dispatch async" in default.stdout.splitlines()[-1]
    # without the option, a program's own choice of sync dispatch is left as it is
    script = ("import jax; jax.config.update('jax_cpu_enable_async_dispatch', False); "
              f"from jmetrics.cli import main; raise SystemExit(main({cmd[3:]!r}))")
    own = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env,
                         timeout=300)
    assert own.returncode == 0, own.stderr
    assert "CPU dispatch sync" in own.stdout.splitlines()[-1]


def test_cpu_sync_dispatch_after_jax_started_is_a_clear_error(capsys):
    import jax

    jax.devices()  # this test process has created its backends
    assert main(["bench", "-m", "mse", "--cpu-sync-dispatch", *TINY]) == 2
    err = capsys.readouterr().err
    assert "--cpu-sync-dispatch must be given before JAX has created its backends" in err


def test_legend_under_the_table_and_in_help(capsys):
    assert main(["bench", "-m", "mae", "--peers", "numpy", *TINY]) == 0
    out = capsys.readouterr().out
    assert "x PEER = PEER's time / jmetrics' time" in out and "jmetrics is faster" in out
    assert "Columns: x numpy." in out
    with pytest.raises(SystemExit):
        main(["bench", "--help"])
    assert "jmetrics is faster" in " ".join(capsys.readouterr().out.split())


def test_fraction_is_not_shown_where_the_read_reduce_is_dispatch_bound():
    def timing(median: float) -> bench.Timing:
        return bench.Timing(median=median, min=median, max=median, rounds=3)

    def row(read: float, mine: float) -> str:
        r = bench.Result("mse", "regression", "cpu", 10**7, 8 * 10**7, timing(mine), timing(read))
        return bench.table([r], []).splitlines()[1]

    assert " dispatch " in row(40e-6, 20e-6)  # a 40 us read measures the call, not the bandwidth
    assert " >=100% " in row(3e-3, 2e-3) and " 50% " in row(3e-3, 6e-3)


def test_install_hints_name_the_extra_that_installs_the_peer():
    assert "jmetrics[peers]" in _peers.install_hint("torchmetrics")
    assert "download.pytorch.org/whl/cpu" in _peers.install_hint("torchmetrics")
    assert "jmetrics[peers]" in _peers.install_hint("metrax")
    assert "jmetrics[bench]" in _peers.install_hint("sklearn")
