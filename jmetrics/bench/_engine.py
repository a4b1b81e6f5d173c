"""The engine target: rows/s of a 10-metric evaluation from ``.npy`` files, with peak RSS.

Both sides run in a fresh Python subprocess so that each peak RSS is its own: jmetrics'
``evaluate`` (streaming fixed-size chunks) and NumPy loading the same files whole and computing the
same 10 metrics one after another. The files are written once to a temporary directory.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from typing import Any

import numpy as np

from jmetrics.bench._data import make_inputs

__all__ = ["ENGINE_METRICS", "engine_target"]

ENGINE_METRICS = ("mse", "mae", "rmse", "binary_accuracy", "binary_crossentropy", "hinge",
                  "squared_hinge", "precision", "recall", "auc")

_CHILD = r"""
import json, os, sys, time, resource
os.environ.setdefault("JAX_PLATFORMS", "cpu")
side, d, names = sys.argv[1], sys.argv[2], sys.argv[3].split(",")
if side == "numpy":
    import numpy as np
    from jmetrics.bench._cases import case
    t0 = time.perf_counter()
    t = np.load(os.path.join(d, "y_true.npy")); p = np.load(os.path.join(d, "y_pred.npy"))
    read = time.perf_counter() - t0
    out = {n: float(case(n).numpy(t, p)) for n in names}
else:
    import jmetrics
    t0 = time.perf_counter()
    read = None
    out = jmetrics.evaluate(names, y_true=os.path.join(d, "y_true.npy"),
                            y_pred=os.path.join(d, "y_pred.npy"))
    out = {k: float(v) for k, v in dict(out).items()}
seconds = time.perf_counter() - t0
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"seconds": seconds, "read_seconds": read, "peak_rss": rss, "values": out}))
"""


def _child(side: str, d: str, rows: int) -> dict[str, Any]:
    env = {**os.environ, "JAX_PLATFORMS": os.environ.get("JAX_PLATFORMS", "cpu")}
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.run([sys.executable, "-c", _CHILD, side, d, ",".join(ENGINE_METRICS)],
                          capture_output=True, text=True, env=env, timeout=1800)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "failed")
    data = json.loads(proc.stdout.strip().splitlines()[-1])
    data["rows_per_s"] = rows / data["seconds"]
    return data


def engine_target(rows: int = 10**7) -> tuple[Any, None]:
    """``(TargetResult, None)``: rows/s and peak RSS of both sides (after imports; jmetrics' time
    includes its compiles)."""
    import jmetrics
    from jmetrics.bench._targets import TargetResult

    res = TargetResult("engine", f"10-metric evaluation of {rows:.0e} rows from .npy files")
    if not hasattr(jmetrics, "evaluate"):
        res.notes.append("jmetrics.evaluate is not there yet")
        return res, None
    with tempfile.TemporaryDirectory(prefix="jmetrics-bench-") as d:
        t, p = make_inputs("binary", rows)
        np.save(os.path.join(d, "y_true.npy"), t)
        np.save(os.path.join(d, "y_pred.npy"), p)
        del t, p
        sides = {"numpy": "numpy", "jmetrics": "jmetrics"}
        for name, side in sides.items():
            try:
                data = _child(side, d, rows)
            except (RuntimeError, subprocess.TimeoutExpired, ValueError) as err:
                res.notes.append(f"{name}: failed ({str(err)[:160]})")
                continue
            res.times[name] = data["seconds"]
            res.extra[f"{name} rows/s"] = data["rows_per_s"]
            res.extra[f"{name} peak RSS MB"] = data["peak_rss"] / 1e6
            if data.get("read_seconds") is not None:
                res.extra[f"{name} read seconds"] = data["read_seconds"]
    if "jmetrics" in res.times and "numpy" in res.times:
        res.extra["x numpy"] = res.times["numpy"] / res.times["jmetrics"]
    return res, None
