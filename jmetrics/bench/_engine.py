"""The engine target: rows/s of an evaluation from ``.npy`` and Parquet files, with peak RSS.

Two metric sets (the 10 of ``ENGINE_METRICS`` and the 4 of ``ENGINE_METRICS_4``). Each side runs
in a fresh Python subprocess so that each peak RSS is its own:

- ``jmetrics``: ``jmetrics.evaluate(y_true.npy, y_pred.npy, metrics)`` (streaming fixed-size
  chunks), run twice: the first call includes tracing and compiling, the second is warm; also with
  ``on_nonfinite='propagate'`` (``jmetrics propagate``: the cost of the default non-finite check)
  and over the Parquet file's columns (``jmetrics parquet``).
- ``numpy``: NumPy loading both files whole (``np.load``; timed alone as ``numpy read``) and
  computing the same metrics one after another.
- ``polars`` (optional, ``jmetrics[peers]``): the same metrics as lazy expressions over
  ``pl.scan_parquet`` of the same data in one Parquet file, collected once.
- ``duckdb`` (optional, ``jmetrics[peers]``): the same metrics as one SQL query over the Parquet
  file. The thresholded AUC of both is the 200-bin histogram of the NumPy side (``_binned_auc``):
  counts per bin in the query, the trapezoid over 200 bins in NumPy.

Each side also reports its process CPU time (every thread): on a shared machine wall times swing
with the other load, the work done much less (``check cost in CPU time``).

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
ENGINE_METRICS_4 = (("mse", "mse"), ("mae", "mae"), ("binary_accuracy", "binary_accuracy"),
                    ("binary_crossentropy", "binary_crossentropy"))

# The child's last output: this prefix, then its JSON (a peer may draw on stdout, e.g. DuckDB's
# progress bar, so the line is found by its prefix).
RESULT = "jmetrics-bench-result "
_CHILD = r"""
import json, os, sys, time, resource
os.environ.setdefault("JAX_PLATFORMS", "cpu")
side, d, RESULT = sys.argv[1], sys.argv[2], sys.argv[4]
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
def cpu():
    # CPU seconds of every thread of this process: on a shared machine, the work done
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
out = {}
if side.startswith("jmetrics"):
    import jmetrics
    out["rss_after_import"] = rss()
    names = [k for k, _ in pairs]
    pq = os.path.join(d, "data.parquet")
    args = (pq + ":y_true", pq + ":y_pred") if side == "jmetrics parquet" else (yt, yp)
    extra = {"on_nonfinite": "propagate"} if side == "jmetrics propagate" else {}
    for run in ("cold", "warm", "warm2"):
        t0, c0 = time.perf_counter(), cpu()
        values = jmetrics.evaluate(*args, names, progress=False, **extra)
        out[f"{run}_seconds"], out[f"{run}_cpu"] = time.perf_counter() - t0, cpu() - c0
    best = "warm" if out["warm_seconds"] <= out["warm2_seconds"] else "warm2"
    out["warm_seconds"], out["cpu_seconds"] = out[f"{best}_seconds"], out[f"{best}_cpu"]
    out["values"] = {k: float(values[k]) for k in names}
elif side in ("polars", "duckdb"):
    import numpy as np
    pq = os.path.join(d, "data.parquet")
    mod = __import__(side)
    out["rss_after_import"] = rss()
    from jmetrics.bench._engine import peer_query
    peer_query(mod, side, pq, [c for _, c in pairs])  # warm-up: the same as any later run
    t0, c0 = time.perf_counter(), cpu()
    out["values"] = dict(zip([k for k, _ in pairs],
                             peer_query(mod, side, pq, [c for _, c in pairs]), strict=True))
    out["seconds"], out["cpu_seconds"] = time.perf_counter() - t0, cpu() - c0
else:
    import numpy as np
    from jmetrics.bench._cases import case
    out["rss_after_import"] = rss()
    t0, c0 = time.perf_counter(), cpu()
    t = np.load(yt)
    p = np.load(yp)
    out["read_seconds"] = time.perf_counter() - t0
    out["values"] = {k: float(case(c).numpy(t, p)) for k, c in pairs}
    out["seconds"], out["cpu_seconds"] = time.perf_counter() - t0, cpu() - c0
out["peak_rss"] = rss()
print("\n" + RESULT + json.dumps(out))
"""


def _child(side: str, d: str, metrics: tuple[tuple[str, str], ...] = ENGINE_METRICS
           ) -> dict[str, Any]:
    env = {**os.environ, "JAX_PLATFORMS": os.environ.get("JAX_PLATFORMS", "cpu")}
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
    pairs = ",".join(f"{k}={c}" for k, c in metrics)
    proc = subprocess.run([sys.executable, "-c", _CHILD, side, d, pairs, RESULT],
                          capture_output=True, text=True, env=env, timeout=3600)
    if proc.returncode != 0:
        err = proc.stderr.strip().splitlines()
        raise RuntimeError(err[-1] if err else f"exit code {proc.returncode}")
    lines = [x for x in proc.stdout.splitlines() if x.startswith(RESULT)]
    if not lines:
        raise RuntimeError(f"no result line in the output of the {side} process")
    return dict(json.loads(lines[-1][len(RESULT):]))


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


# The sums each peer computes (one scan): name -> (polars expression, SQL) of t, p as float64.
_EPS = 1e-7  # Keras' epsilon, as the NumPy reference clips binary crossentropy
_SUMS: dict[str, tuple[Any, str]] = {
    "n": (lambda pl, t, p: t.count(), "count(*)"),
    "se": (lambda pl, t, p: ((t - p) ** 2).sum(), "sum((t - p) * (t - p))"),
    "ae": (lambda pl, t, p: (t - p).abs().sum(), "sum(abs(t - p))"),
    "acc": (lambda pl, t, p: ((p > 0.5).cast(pl.Float64) == t).cast(pl.Float64).sum(),
            "sum(CASE WHEN CAST(p > 0.5 AS DOUBLE) = t THEN 1.0 ELSE 0.0 END)"),
    "bce": (lambda pl, t, p: -(t * p.clip(_EPS, 1 - _EPS).log()
                               + (1 - t) * (1 - p.clip(_EPS, 1 - _EPS)).log()).sum(),
            f"-sum(t * ln(least(greatest(p, {_EPS}), {1 - _EPS})) + (1 - t) * "
            f"ln(1 - least(greatest(p, {_EPS}), {1 - _EPS})))"),
    "hinge": (lambda pl, t, p: (1 - (2 * t - 1) * p).clip(lower_bound=0).sum(),
              "sum(greatest(1 - (2 * t - 1) * p, 0))"),
    "sqhinge": (lambda pl, t, p: ((1 - (2 * t - 1) * p).clip(lower_bound=0) ** 2).sum(),
                "sum(greatest(1 - (2 * t - 1) * p, 0) ^ 2)"),
    "tp": (lambda pl, t, p: ((p > 0.5) & (t > 0.5)).sum(), "count_if(p > 0.5 AND t > 0.5)"),
    "fp": (lambda pl, t, p: ((p > 0.5) & (t <= 0.5)).sum(), "count_if(p > 0.5 AND t <= 0.5)"),
    "fn": (lambda pl, t, p: ((p <= 0.5) & (t > 0.5)).sum(), "count_if(p <= 0.5 AND t > 0.5)"),
    "pos": (lambda pl, t, p: t.sum(), "sum(t)"),
}
# benchmark case -> the sums it needs, and its value from the totals
_FROM_SUMS: dict[str, tuple[tuple[str, ...], Any]] = {
    "mse": (("se", "n"), lambda s: s["se"] / s["n"]),
    "mae": (("ae", "n"), lambda s: s["ae"] / s["n"]),
    "rmse": (("se", "n"), lambda s: math.sqrt(s["se"] / s["n"])),
    "binary_accuracy": (("acc", "n"), lambda s: s["acc"] / s["n"]),
    "binary_crossentropy": (("bce", "n"), lambda s: s["bce"] / s["n"]),
    "hinge": (("hinge", "n"), lambda s: s["hinge"] / s["n"]),
    "squared_hinge": (("sqhinge", "n"), lambda s: s["sqhinge"] / s["n"]),
    "precision": (("tp", "fp"), lambda s: s["tp"] / (s["tp"] + s["fp"])),
    "recall": (("tp", "fn"), lambda s: s["tp"] / (s["tp"] + s["fn"])),
    "auc": (("pos", "n"), None),  # from the per-bin sums, see _auc_from_bins
}
_BINS = 200  # _references.binned_auc's bins: clip(int(p * 199), 0, 199)


def _auc_from_bins(pos: np.ndarray, count: np.ndarray) -> float:
    """The trapezoid of the ROC of per-bin positives and counts (as ``_references.binned_auc``)."""
    neg = count - pos
    tpr = np.concatenate([np.cumsum(pos[::-1])[::-1], [0.0]]) / pos.sum()
    fpr = np.concatenate([np.cumsum(neg[::-1])[::-1], [0.0]]) / neg.sum()
    return float(np.sum((fpr[:-1] - fpr[1:]) * (tpr[:-1] + tpr[1:]) / 2))


def peer_query(mod: Any, side: str, path: str, cases: list[str]) -> list[float]:
    """The values of ``cases`` over the Parquet file ``path`` (columns ``y_true``, ``y_pred``) from
    one polars lazy query (``scan_parquet``) or one DuckDB SQL query: the sums the cases need,
    per AUC bin when ``'auc'`` is among them (then summed over the bins here)."""
    need = sorted({k for c in cases for k in _FROM_SUMS[c][0]})
    binned = "auc" in cases
    if side == "polars":
        pl = mod
        t, p = pl.col("y_true").cast(pl.Float64), pl.col("y_pred").cast(pl.Float64)
        lazy = pl.scan_parquet(path)
        aggs = [_SUMS[k][0](pl, t, p).cast(pl.Float64).alias(k) for k in need]
        if binned:
            b = (p * (_BINS - 1)).floor().clip(0, _BINS - 1).cast(pl.Int32).alias("bin")
            frame = lazy.group_by(b).agg(aggs).collect()
            rows = {k: frame[k].to_numpy() for k in need}
            bins = frame["bin"].to_numpy()
        else:
            frame = lazy.select(aggs).collect()
            rows = {k: frame[k].to_numpy() for k in need}
    else:
        select = ", ".join(f"CAST({_SUMS[k][1]} AS DOUBLE) AS {k}" for k in need)
        src = (f"(SELECT CAST(y_true AS DOUBLE) AS t, CAST(y_pred AS DOUBLE) AS p FROM "
               f"read_parquet('{path}'))")
        if binned:
            sql = (f"SELECT least(greatest(CAST(floor(p * {_BINS - 1}) AS INTEGER), 0), "
                   f"{_BINS - 1}) AS bin, {select} FROM {src} GROUP BY bin")
        else:
            sql = f"SELECT {select} FROM {src}"
        con = mod.connect()
        # no progress bar: DuckDB draws it on stdout for queries over 2 s
        con.execute("SET enable_progress_bar = false")
        cols = con.execute(sql).fetchnumpy()
        con.close()
        rows = {k: np.asarray(cols[k], np.float64) for k in need}
        bins = np.asarray(cols["bin"]) if binned else None
    totals = {k: float(np.sum(v)) for k, v in rows.items()}
    out = []
    for c in cases:
        if c == "auc":
            pos, count = np.zeros(_BINS), np.zeros(_BINS)
            pos[bins] = rows["pos"]
            count[bins] = rows["n"]
            out.append(_auc_from_bins(pos, count))
        else:
            out.append(float(_FROM_SUMS[c][1](totals)))
    return out


def _write_parquet(d: str, rows: int, block: int = 10**7) -> None:
    """``data.parquet`` (columns ``y_true``, ``y_pred``: the ``.npy`` files' rows), written block
    by block in row groups of 2**20 rows."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    t = np.load(os.path.join(d, "y_true.npy"), mmap_mode="r")
    p = np.load(os.path.join(d, "y_pred.npy"), mmap_mode="r")
    writer = None
    try:
        for start in range(0, rows, block):
            table = pa.table({"y_true": np.ascontiguousarray(t[start:start + block]).ravel(),
                              "y_pred": np.ascontiguousarray(p[start:start + block]).ravel()})
            if writer is None:
                writer = pq.ParquetWriter(os.path.join(d, "data.parquet"), table.schema)
            writer.write_table(table, row_group_size=2**20)
    finally:
        if writer is not None:
            writer.close()
    del t, p


def engine_target(rows: int = 10**7, tmpdir: str | None = None, column: bool = False
                  ) -> tuple[Any, None]:
    """``(TargetResult, None)``: rows/s and peak RSS of each side, for the 10 metrics of
    ``ENGINE_METRICS`` and the 4 of ``ENGINE_METRICS_4``; the ratios peer time / jmetrics time
    (``x numpy``, ``x polars``, ``x duckdb``: above 1 is jmetrics faster; the peers read the
    Parquet file, NumPy the ``.npy`` files), the cost of the default non-finite check
    (``check cost``: time over ``on_nonfinite='propagate'``, minus 1), and the largest relative
    difference between each peer's values and jmetrics' (same data).

    The files hold one score per row, ``(rows,)`` (scikit-learn's layout) or ``(rows, 1)`` with
    ``column`` (Keras' ``predict`` layout)."""
    from jmetrics.bench._target_common import TargetResult

    shape = f"({rows:.0e}, 1)" if column else f"({rows:.0e},)"
    res = TargetResult("engine", f"evaluate() of 10 metrics ({', '.join(k for k, _ in ENGINE_METRICS)}"
                       f") and of 4 ({', '.join(k for k, _ in ENGINE_METRICS_4)}) over {shape} "
                       "float32 .npy files and one Parquet file (page cache), vs NumPy, polars "
                       "and DuckDB over the same data")
    try:
        from jmetrics.engine import evaluate  # noqa: F401
    except ImportError:
        res.notes.append("jmetrics.evaluate is not there yet")
        return res, None
    need = 8 * rows * 2  # .npy files and the Parquet file (about as large)
    free = shutil.disk_usage(tmpdir or tempfile.gettempdir()).free
    if need * 1.5 > free:
        res.notes.append(f"skipped: the files need {need / 1e9:.1f} GB, {free / 1e9:.1f} GB free")
        return res, None
    res.extra["rows"] = rows
    res.extra["file bytes (.npy)"] = 8 * rows
    res.extra["load average (1 min) at start"] = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="jmetrics-bench-", dir=tmpdir) as d:
        _write(d, rows, column)
        sides = ["numpy", "jmetrics", "jmetrics propagate"]
        try:
            _write_parquet(d, rows)
            sides += ["jmetrics parquet", "polars", "duckdb"]
        except ImportError:
            res.notes.append("parquet sides skipped: pyarrow is not installed (jmetrics[parquet])")
        for label, metrics in (("10", ENGINE_METRICS), ("4", ENGINE_METRICS_4)):
            _run_set(res, d, rows, label, metrics, sides)
    res.extra["load average (1 min) at end"] = os.getloadavg()[0]
    return res, None


# The engine's goals on the ratios ``_run_set`` records (peer time / jmetrics time): NumPy loads
# the .npy files; polars and DuckDB read the Parquet file, against jmetrics from that same file.
ENGINE_GOALS = (("x numpy", 2.0), ("x numpy vs jmetrics parquet", 2.0),
                ("x polars vs jmetrics parquet", 1.5), ("x duckdb vs jmetrics parquet", 2.0))
CHECK_COST_GOAL = 1.10  # the default non-finite check: at most 10% over 'propagate'


def _engine_checks(res: Any, label: str) -> None:
    """The engine's goals as checks on the recorded ratios, for the sides that ran."""
    from jmetrics.bench._target_common import Check

    for ratio, goal in ENGINE_GOALS:
        key = f"{ratio} [{label}]"
        if key in res.extra:
            res.checks.append(Check(key, res.extra[key], ">=", goal))
    cost = res.extra.get(f"check cost [{label}]")
    if cost is not None:
        res.checks.append(Check(f"time / 'propagate' time (the non-finite check) [{label}]",
                                1 + cost, "<=", CHECK_COST_GOAL))


def _run_set(res: Any, d: str, rows: int, label: str, metrics: tuple[tuple[str, str], ...],
             sides: list[str]) -> None:
    """Every side over one metric set, into ``res`` (times keyed ``'<side> [<label>]'``)."""
    import importlib.util

    got: dict[str, dict[str, Any]] = {}
    for side in sides:
        if side in ("polars", "duckdb") and importlib.util.find_spec(side) is None:
            res.notes.append(f"{side}: not installed (pip install 'jmetrics[peers]')")
            continue
        try:
            got[side] = _child(side, d, metrics)
        except (RuntimeError, subprocess.TimeoutExpired, ValueError) as err:
            res.notes.append(f"{side} [{label}]: failed ({str(err)[:200]})")
    for side, data in got.items():
        secs = float(data["warm_seconds"] if side.startswith("jmetrics") else data["seconds"])
        res.times[f"{side} [{label}]"] = secs
        res.extra[f"{side} [{label}] rows/s"] = rows / secs
        res.extra[f"{side} [{label}] peak RSS MB"] = data["peak_rss"] / 1e6
        res.extra[f"{side} [{label}] CPU seconds"] = data["cpu_seconds"]
        if side == "jmetrics":
            res.times[f"jmetrics cold (with compile) [{label}]"] = data["cold_seconds"]
        if side == "numpy":
            res.times[f"numpy read [{label}]"] = data["read_seconds"]
    if "jmetrics" not in got:
        return
    mine = res.times[f"jmetrics [{label}]"]
    for peer in ("numpy", "numpy read", "polars", "duckdb"):
        if f"{peer} [{label}]" in res.times:
            res.extra[f"x {peer} [{label}]"] = res.times[f"{peer} [{label}]"] / mine
    if "jmetrics parquet" in got:
        pq_time = res.times[f"jmetrics parquet [{label}]"]
        for peer in ("numpy", "polars", "duckdb"):
            if f"{peer} [{label}]" in res.times:
                res.extra[f"x {peer} vs jmetrics parquet [{label}]"] = (
                    res.times[f"{peer} [{label}]"] / pq_time)
    if "jmetrics propagate" in got:
        res.extra[f"check cost [{label}]"] = mine / res.times[f"jmetrics propagate [{label}]"] - 1
        res.extra[f"check cost in CPU time [{label}]"] = (
            got["jmetrics"]["cpu_seconds"] / got["jmetrics propagate"]["cpu_seconds"] - 1)
    _engine_checks(res, label)
    a = got["jmetrics"]["values"]
    for peer in ("numpy", "polars", "duckdb", "jmetrics parquet"):
        if peer in got:
            b = got[peer]["values"]
            rel = {k: abs(a[k] - b[k]) / max(abs(b[k]), 1e-12) for k in a if math.isfinite(b[k])}
            res.extra[f"max relative difference vs {peer} [{label}]"] = max(
                (v for k, v in rel.items() if k != "auc"), default=0.0)
            if "auc" in rel:  # jmetrics: 200 thresholds; NumPy and the peers: 200 bins
                res.extra[f"auc relative difference vs {peer} [{label}]"] = rel["auc"]
