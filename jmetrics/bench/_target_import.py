"""What importing jmetrics costs: wall time and peak RSS of each import, in fresh processes.

Each statement runs in its own ``python -c`` process (nothing cached in ``sys.modules``), timed
from inside the child, so the interpreter's own start-up is left out; its peak RSS is the child's
high-water mark (``VmHWM``). Rounds of the statements alternate, and the median is reported. Nothing is
asserted: the numbers are context (``import jax`` alone is the floor of anything that computes).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from typing import Any

from jmetrics.bench._target_common import TargetResult, Timed

__all__ = ["STATEMENTS", "ImportResult", "import_time", "measure_import"]

# label -> statement timed in a fresh interpreter
STATEMENTS = {
    "nothing": "pass",
    "import jmetrics": "import jmetrics",
    "jmetrics.mean_squared_error": "import jmetrics; jmetrics.mean_squared_error",
    "import jax": "import jax",
    "import jmetrics.metrics": "import jmetrics.metrics",
    "import jmetrics.sk": "import jmetrics.sk",
    "import jmetrics.engine": "import jmetrics.engine",
}

_CHILD = """
import json, resource, sys, time
start = time.perf_counter()
exec(sys.argv[1])
seconds = time.perf_counter() - start
try:  # the peak of this process's own memory (ru_maxrss keeps the parent's across exec)
    with open("/proc/self/status") as f:
        rss = next(int(x.split()[1]) * 1024 for x in f if x.startswith("VmHWM:"))
except (OSError, StopIteration):
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    rss = kb if sys.platform == "darwin" else kb * 1024
light = ("jmetrics.integrations", "jmetrics.integrations._keras_guard")  # import-free guard
heavy = sorted({m.split(".")[0] for m in sys.modules if m.split(".")[0] in ("jax", "numpy")}
               | {m for m in sys.modules if m not in light and m.split(".")[:2] in (
                   ["jmetrics", p] for p in ("engine", "sk", "bench", "integrations"))})
print(json.dumps({"seconds": seconds, "rss": rss, "heavy": heavy}))
"""


class ImportResult(TargetResult):
    """A target result whose one-line summary gives each statement's time and peak RSS."""

    def line(self) -> str:
        from jmetrics.bench._report import fmt_time

        body = "; ".join(f"{k}: {fmt_time(v)}, {self.extra.get(f'{k}: peak RSS MB', 0):.0f} MB"
                         for k, v in self.times.items()) or "not measured"
        notes = f" [{'; '.join(self.notes)}]" if self.notes else ""
        return f"{self.name}: {body}{notes}"


def measure_import(statement: str) -> dict[str, Any]:
    """``{"seconds", "rss" (bytes), "heavy" (jax, numpy and jmetrics' heavy parts loaded)}`` of
    ``statement`` in a fresh interpreter that imports this copy of jmetrics."""
    env = {**os.environ, "JAX_PLATFORMS": os.environ.get("JAX_PLATFORMS", "cpu")}
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.run([sys.executable, "-c", _CHILD, statement], capture_output=True,
                          text=True, env=env, timeout=600)
    if proc.returncode != 0:
        err = proc.stderr.strip().splitlines()
        raise RuntimeError(err[-1] if err else f"exit code {proc.returncode}")
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def import_time(rows: int = 0, budget: float = 1.0, backend: str = "cpu",  # noqa: ARG001
                rounds: int = 3) -> Timed:
    """``(TargetResult, None)``: the median time and the peak RSS of each statement of
    :data:`STATEMENTS` over ``rounds`` alternating rounds, and what ``import jmetrics`` loads.
    ``rows``, ``budget`` and ``backend`` are the other targets' arguments, unused here."""
    res = ImportResult("import_time", "wall time and peak RSS of importing jmetrics, each "
                       "statement in a fresh interpreter (start-up excluded), median of "
                       f"{rounds} alternating rounds")
    runs: dict[str, list[dict[str, Any]]] = {label: [] for label in STATEMENTS}
    for _ in range(rounds):
        for label, statement in STATEMENTS.items():
            try:
                runs[label].append(measure_import(statement))
            except (RuntimeError, subprocess.TimeoutExpired, ValueError) as err:
                note = f"{label}: failed ({str(err)[:200]})"
                if note not in res.notes:
                    res.notes.append(note)
    for label, got in runs.items():
        if got:
            res.times[label] = statistics.median(r["seconds"] for r in got)
            res.extra[f"{label}: peak RSS MB"] = max(r["rss"] for r in got) / 1e6
    if runs["import jmetrics"]:
        heavy = runs["import jmetrics"][0]["heavy"]
        res.extra["import jmetrics loads"] = ", ".join(heavy) or "no jax, numpy or heavy part"
    return res, None
