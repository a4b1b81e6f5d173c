"""The engine target: rows/s of a 10-metric evaluation from ``.npy`` files, with peak RSS.

Each side runs in a fresh Python subprocess so that each peak RSS is its own:

- ``jmetrics``: ``jmetrics.evaluate(y_true.npy, y_pred.npy, ENGINE_METRICS)`` (streaming
  fixed-size chunks), run twice: the first call includes tracing and compiling, the second is warm.
- ``numpy``: NumPy loading both files whole (``np.load``; timed alone as ``numpy read``) and
  computing the same 10 metrics one after another.

The files are written once to a temporary directory and read back from the OS page cache by every
side alike (nothing here can drop the cache without root): the numbers compare compute and memory
traffic, not disk speed.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
from typing import Any

import numpy as np

from jmetrics.bench._data import make_inputs

__all__ = ["ENGINE_METRICS", "engine_target"]

# (Keras string given to evaluate, benchmark case whose NumPy reference computes the same number)
ENGINE_METRICS = (("mse", "mse"), ("mae", "mae"), ("root_mean_squared_error", "rmse"),
                  ("binary_accuracy", "binary_accuracy"),
                  ("binary_crossentropy", "binary_crossentropy"), ("hinge", "hinge"),
                  ("squared_hinge", "squared_hinge"), ("precision", "precision"),
                  ("recall", "recall"), ("auc", "auc"))

_CHILD = r"""
import json, os, sys, time, resource
os.environ.setdefault("JAX_PLATFORMS", "cpu")
side, d = sys.argv[1], sys.argv[2]
pairs = [p.split("=") for p in sys.argv[3].split(",")]
yt, yp = os.path.join(d, "y_true.npy"), os.path.join(d, "y_pred.npy")
def rss():
    # VmHWM: this process image's peak RSS (ru_maxrss would also count the parent's RSS at fork)
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
out = {}
if side == "jmetrics":
    import jmetrics
    out["rss_after_import"] = rss()
    names = [k for k, _ in pairs]
    for run in ("cold", "warm"):
        t0 = time.perf_counter()
        values = jmetrics.evaluate(yt, yp, names, progress=False)
        out[f"{run}_seconds"] = time.perf_counter() - t0
    out["values"] = {k: float(values[k]) for k in names}
else:
    import numpy as np
    from jmetrics.bench._cases import case
    out["rss_after_import"] = rss()
    t0 = time.perf_counter()
    t = np.load(yt)
    p = np.load(yp)
    out["read_seconds"] = time.perf_counter() - t0
    out["values"] = {k: float(case(c).numpy(t, p)) for k, c in pairs}
    out["seconds"] = time.perf_counter() - t0
out["peak_rss"] = rss()
print(json.dumps(out))
"""


def _child(side: str, d: str) -> dict[str, Any]:
    env = {**os.environ, "JAX_PLATFORMS": os.environ.get("JAX_PLATFORMS", "cpu")}
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
    pairs = ",".join(f"{k}={c}" for k, c in ENGINE_METRICS)
    proc = subprocess.run([sys.executable, "-c", _CHILD, side, d, pairs],
                          capture_output=True, text=True, env=env, timeout=3600)
    if proc.returncode != 0:
        err = proc.stderr.strip().splitlines()
        raise RuntimeError(err[-1] if err else f"exit code {proc.returncode}")
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def _write(d: str, rows: int, column: bool, block: int = 10**7) -> None:
    """``y_true.npy`` and ``y_pred.npy`` (binary float32, ``(rows,)`` or ``(rows, 1)`` with
    ``column``) written block by block, so making 1e8 rows never holds more than one block."""
    shape = (rows, 1) if column else (rows,)
    yt = np.lib.format.open_memmap(os.path.join(d, "y_true.npy"), "w+", np.float32, shape)
    yp = np.lib.format.open_memmap(os.path.join(d, "y_pred.npy"), "w+", np.float32, shape)
    for i, start in enumerate(range(0, rows, block)):
        t, p = make_inputs("binary", min(block, rows - start), seed=i)
        yt[start:start + len(t)] = t.reshape(len(t), *shape[1:])
        yp[start:start + len(p)] = p.reshape(len(p), *shape[1:])
    yt.flush()
    yp.flush()
    del yt, yp


def engine_target(rows: int = 10**7, tmpdir: str | None = None, column: bool = False
                  ) -> tuple[Any, None]:
    """``(TargetResult, None)``: rows/s and peak RSS of each side, the jmetrics/NumPy ratios, and
    the largest relative difference between jmetrics' and NumPy's values (same files).

    The files hold one score per row, ``(rows,)`` (scikit-learn's layout) or ``(rows, 1)`` with
    ``column`` (Keras' ``predict`` layout)."""
    from jmetrics.bench._target_common import TargetResult

    names = ", ".join(k for k, _ in ENGINE_METRICS)
    shape = f"({rows:.0e}, 1)" if column else f"({rows:.0e},)"
    res = TargetResult("engine", f"evaluate() of 10 metrics ({names}) over {shape} float32 .npy "
                       "files (page cache), vs NumPy reading the same files")
    try:
        from jmetrics.engine import evaluate  # noqa: F401
    except ImportError:
        res.notes.append("jmetrics.evaluate is not there yet")
        return res, None
    need = 8 * rows
    free = shutil.disk_usage(tmpdir or tempfile.gettempdir()).free
    if need * 1.5 > free:
        res.notes.append(f"skipped: the files need {need / 1e9:.1f} GB, {free / 1e9:.1f} GB free")
        return res, None
    res.extra["rows"] = rows
    res.extra["file bytes"] = need
    with tempfile.TemporaryDirectory(prefix="jmetrics-bench-", dir=tmpdir) as d:
        _write(d, rows, column)
        sides: dict[str, dict[str, Any]] = {}
        for side in ("numpy", "jmetrics"):
            try:
                sides[side] = _child(side, d)
            except (RuntimeError, subprocess.TimeoutExpired, ValueError) as err:
                res.notes.append(f"{side}: failed ({str(err)[:200]})")
    for side, data in sides.items():
        secs = float(data["warm_seconds"] if side == "jmetrics" else data["seconds"])
        res.times[side] = secs
        res.extra[f"{side} rows/s"] = rows / secs
        res.extra[f"{side} peak RSS MB"] = data["peak_rss"] / 1e6
        res.extra[f"{side} RSS after import MB"] = data["rss_after_import"] / 1e6
    if "jmetrics" in sides:
        res.times["jmetrics cold (with compile)"] = sides["jmetrics"]["cold_seconds"]
    if "numpy" in sides:  # the read alone: np.load of both files, timed inside the NumPy run
        res.times["numpy read"] = read = sides["numpy"]["read_seconds"]
        res.extra["numpy read rows/s"] = rows / read
    for peer in ("numpy", "numpy read"):
        if "jmetrics" in res.times and peer in res.times:
            res.extra[f"x {peer} (warm)"] = res.times[peer] / res.times["jmetrics"]
    if "jmetrics" in sides and "numpy" in sides:
        a, b = sides["jmetrics"]["values"], sides["numpy"]["values"]
        res.extra["max relative difference vs numpy (auc: 200 thresholds vs 200 bins)"] = max(
            abs(a[k] - b[k]) / max(abs(b[k]), 1e-12) for k in a if math.isfinite(b[k]))
    return res, None
