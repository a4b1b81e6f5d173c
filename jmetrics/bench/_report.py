"""Reporting: the text/Markdown table, JSON, the target lines and the time-vs-size plot."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any

from jmetrics.bench._run import ELEMENTWISE_TARGET, READ_BOUND_SECONDS, Result

__all__ = ["LEGEND", "fmt_time", "legend", "plot", "table", "target_lines", "to_json"]

PEER_HEADERS = {"numpy": "x numpy", "sklearn": "x sklearn", "torchmetrics": "x torch",
                "keras": "x keras", "keras-jit": "x keras-jit", "metrax": "x metrax"}


LEGEND = (
    "x PEER = PEER's time / jmetrics' time, both measured in this run: above 1, jmetrics is "
    "faster (0.5x: it takes twice as long).",
    "of read BW = time of a plain jitted read-reduce of the same input bytes / jmetrics' time: "
    "the fraction of this machine's memory bandwidth; 'dispatch' where that read-reduce takes "
    f"under {READ_BOUND_SECONDS * 1e3:g} ms (it then measures the ~30 us call overhead, not the "
    "bandwidth), '>=100%' where jmetrics was not slower than the read.",
    "median: steady-state time of one call from inputs already on the device; compile: first "
    "compile, apart; = numpy: jmetrics' value agreed with the NumPy reference.",
)
"""What the table's columns mean; printed under it and in ``jmetrics bench --help``."""


def legend(peers: Sequence[str] = ()) -> str:
    """:data:`LEGEND` as lines, naming the peer columns present."""
    cols = ", ".join(PEER_HEADERS[p] for p in peers)
    first = LEGEND[0] + (f" Columns: {cols}." if cols else "")
    return "\n".join((first, *LEGEND[1:]))


def _fraction(r: Result) -> str:
    frac = r.bandwidth_fraction
    if frac is None:
        return "-"
    if not r.bandwidth_bound:
        return "dispatch"
    return ">=100%" if frac >= 1 else f"{frac:.0%}"


def fmt_time(seconds: float | None) -> str:
    """A short human time: ``"3.71 ms"``, ``"41 us"``, ``"1.20 s"``.

    >>> fmt_time(0.00371), fmt_time(4.1e-5), fmt_time(1.2), fmt_time(None)
    ('3.71 ms', '41 us', '1.20 s', '-')
    """
    if seconds is None or not math.isfinite(seconds):
        return "-"
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.3g} ms"
    return f"{seconds * 1e6:.3g} us"


def _ratio(r: float | None) -> str:
    if r is None:
        return "-"
    return f"{r:.3g}x" if r < 100 else f"{r:.0f}x"


def _rows_label(n: int) -> str:
    exp = round(math.log10(n)) if n > 0 else 0
    return f"1e{exp}" if 10**exp == n and n >= 1000 else f"{n:,}"


def table(results: Sequence[Result], peers: Sequence[str], markdown: bool = False) -> str:
    """The results as an aligned text table (or Markdown): median, compile time, GB/s, fraction of
    the read-reduce bandwidth ('dispatch' where the read-reduce is dispatch-bound), ratios (peer
    time / jmetrics time: above 1, jmetrics is faster) and whether jmetrics' value agreed with the
    NumPy reference in this run. :func:`legend` explains the columns."""
    header = ["metric", "backend", "rows", "median", "compile", "GB/s", "of read BW",
              *[PEER_HEADERS[p] for p in peers], "= numpy"]
    lines = []
    for r in results:
        j = r.jmetrics
        lines.append([
            r.metric, r.backend, _rows_label(r.rows), fmt_time(j.median if j else None),
            fmt_time(j.compile if j else None),
            "-" if r.gbps is None else f"{r.gbps:.3g}",
            _fraction(r),
            *[_ratio(r.ratio(p)) for p in peers],
            {True: "yes", False: "NO", None: "-"}[r.agrees],
        ])
    if markdown:
        out = ["| " + " | ".join(header) + " |",
               "|" + "|".join("---" if i < 3 else "---:" for i in range(len(header))) + "|"]
        out += ["| " + " | ".join(cells) + " |" for cells in lines]
        return "\n".join(out)
    widths = [max(len(h), *(len(cells[i]) for cells in lines)) if lines else len(h)
              for i, h in enumerate(header)]
    fmt = [str.ljust if i < 3 else str.rjust for i in range(len(header))]
    out = ["  ".join(f(h, w) for f, h, w in zip(fmt, header, widths, strict=True)).rstrip()]
    out += ["  ".join(f(c, w) for f, c, w in zip(fmt, cells, widths, strict=True)).rstrip()
            for cells in lines]
    return "\n".join(out)


def target_lines(results: Sequence[Result], min_rows: int = 10**7) -> list[str]:
    """One line per elementwise metric at >= ``min_rows`` rows: met or missed, and by how much."""
    out = []
    for r in results:
        frac = r.bandwidth_fraction
        if not r.elementwise or r.rows < min_rows or frac is None:
            continue
        verdict = "met" if frac >= ELEMENTWISE_TARGET else (
            f"MISSED by {ELEMENTWISE_TARGET / frac:.2f}x "
            f"(needs {r.jmetrics.median * frac / ELEMENTWISE_TARGET * 1e3:.3g} ms)"  # type: ignore[union-attr]
        )
        out.append(f"{r.metric} [{r.backend}, {_rows_label(r.rows)}]: {frac:.0%} of read-reduce "
                   f"bandwidth (target {ELEMENTWISE_TARGET:.0%}): {verdict}")
    return out


def to_json(results: Sequence[Result], machine: dict[str, Any], targets: Sequence[Any] = ()) -> str:
    """The whole run as JSON: machine, results (with derived ratios) and target results."""
    return json.dumps(
        {"machine": machine, "results": [r.as_dict() for r in results],
         "targets": [t.as_dict() if hasattr(t, "as_dict") else t for t in targets]},
        indent=1, default=str,
    )


def plot(results: Sequence[Result], path: str, peers: Sequence[str] = ()) -> None:
    """Median time against rows, log-log, one panel per backend: jmetrics per metric (solid), the
    read-reduce floor (grey dashed) and, for up to three metrics, each peer (dotted)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise ValueError("--plot needs matplotlib: pip install matplotlib "
                         "(or pip install 'jmetrics[plot]').") from None
    backends = list(dict.fromkeys(r.backend for r in results))
    metrics = list(dict.fromkeys(r.metric for r in results))
    fig, axes = plt.subplots(1, len(backends), figsize=(6.4 * len(backends), 4.6), squeeze=False,
                             dpi=80)
    colors = [plt.get_cmap("tab20")(i) for i in range(20)]
    markers = "osD^vP*X<>"
    show_peers = len(metrics) <= 3
    for ax, backend in zip(axes[0], backends, strict=True):
        mine = [r for r in results if r.backend == backend]
        floor: dict[int, float] = {}
        for i, name in enumerate(metrics):
            rs = sorted((r for r in mine if r.metric == name and r.jmetrics), key=lambda r: r.rows)
            if not rs:
                continue
            color = colors[i % len(colors)]
            ax.plot([r.rows for r in rs], [r.jmetrics.median for r in rs],  # type: ignore[union-attr]
                    "-", marker="o", ms=3, color=color, label=f"{name}")
            for r in rs:
                if r.read_reduce is not None:
                    floor[r.rows] = min(floor.get(r.rows, math.inf), r.read_reduce.median)
            if show_peers:
                for k, peer in enumerate(peers):
                    ps = [r for r in rs if peer in r.peers]
                    if ps:
                        ax.plot([r.rows for r in ps], [r.peers[peer].median for r in ps], ":",
                                marker=markers[k % len(markers)], ms=3, color=color,
                                label=f"{name} ({peer})")
        if floor:
            xs = sorted(floor)
            ax.plot(xs, [floor[x] for x in xs], "--", color="0.4", lw=2,
                    label="read-reduce (min over inputs)")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("rows")
        ax.set_ylabel("median time (s)")
        ax.set_title(f"jmetrics on {backend}")
        ax.grid(True, which="major", alpha=0.3)
        ax.legend(fontsize=6, ncol=2 if len(metrics) > 8 else 1, loc="upper left")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
