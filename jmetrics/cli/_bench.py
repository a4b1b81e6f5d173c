"""``jmetrics bench``: time metrics on every JAX backend present, against the peers installed.

``jmetrics bench -m mse auc --sizes 1e4 1e6 --peers numpy sklearn --json out.json --plot out.png``
prints one row per (metric, backend, rows): median time, compile time (measured apart), input
GB/s, the fraction of this machine's memory bandwidth (a plain jitted read-reduce of the same bytes,
timed in the same run; 'dispatch' where that read is too short to measure bandwidth), and how many
times faster jmetrics is than each peer (peer time / jmetrics time); a legend under the table
says so. Works with only
jax and numpy installed: missing peers are listed as notes. ``--targets [NAME ...]`` also runs the
speed targets (elementwise bandwidth, Collection, training step, exact/binned/histogram AUC, engine)
and prints met/missed lines with the ratios; ``--only-targets`` runs them without the table.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

__all__ = ["DEFAULT_METRICS", "HELP", "add_parser", "run"]

HELP = "benchmark metrics on every JAX backend against NumPy/sklearn/torch/Keras"

DEFAULT_METRICS = ("mse", "mape", "binary_accuracy", "categorical_accuracy",
                   "sparse_top_k_categorical_accuracy", "binary_crossentropy", "auc",
                   "histogram_auc", "roc_auc_score")


def add_parser(subparsers: Any) -> None:
    """Register ``jmetrics bench``."""
    from jmetrics.bench import FAMILIES, PEERS
    from jmetrics.bench._peers import TORCH_CPU_INDEX
    from jmetrics.bench._report import LEGEND

    p = subparsers.add_parser(
        "bench", help=HELP,
        description="Median time, GB/s, fraction of memory bandwidth and ratios to peers "
                    "(peer time / jmetrics time: above 1, jmetrics is faster).",
        epilog="columns: " + " ".join(LEGEND) + " Peers: scikit-learn and Keras come with "
               "pip install 'jmetrics[bench]'; torchmetrics and metrax with pip install "
               f"'jmetrics[peers]' (for CPU-only torch, first pip install torch --index-url "
               f"{TORCH_CPU_INDEX}).",
    )
    p.add_argument("-m", "--metrics", nargs="+", metavar="METRIC", default=None,
                   help=f"metrics (names or aliases), families {', '.join(FAMILIES)}, or 'all' "
                        f"(default: {' '.join(DEFAULT_METRICS)})")
    p.add_argument("--sizes", nargs="+", default=["1e4", "1e6", "1e7"], metavar="ROWS",
                   help="row counts, e.g. 1e4 1e6 1e7 (default: 1e4 1e6 1e7)")
    p.add_argument("--peers", nargs="*", default=None, metavar="PEER",
                   help=f"peers among {', '.join(PEERS)}, or 'none' (default: every installed one)")
    p.add_argument("--backends", nargs="+", default=None, metavar="BACKEND",
                   help="JAX backends among cpu, gpu, tpu (default: every one present)")
    p.add_argument("--budget", type=float, default=0.5,
                   help="seconds of timing per implementation and case (default: 0.5)")
    p.add_argument("--targets", nargs="*", default=None, metavar="TARGET",
                   help="also run the speed targets (default: all of elementwise, collection8, "
                        "train_step, roc_auc_exact, binned_auc, histogram_auc, engine)")
    p.add_argument("--only-targets", action="store_true",
                   help="run the speed targets without the metric table")
    p.add_argument("--target-rows", default="1e7", metavar="ROWS",
                   help="rows for the targets (default: 1e7)")
    p.add_argument("--engine-rows", default="1e7", metavar="ROWS",
                   help="rows of the .npy files of the engine target (default: 1e7; 1e8 rows "
                        "write 800 MB of files)")
    p.add_argument("--cpu-sync-dispatch", action="store_true",
                   help="run CPU computations inline in the calling thread (JAX's "
                        "jax_cpu_enable_async_dispatch=False); by default XLA hands every "
                        "computation of 1000 flops or more to a worker thread")
    p.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    p.add_argument("--json", metavar="FILE", default=None, help="write every measurement as JSON")
    p.add_argument("--plot", metavar="FILE.png", default=None,
                   help="plot time against rows per backend on log axes (needs matplotlib)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress lines on stderr")


def _peers(wanted: list[str] | None) -> list[str]:
    from jmetrics.bench import PEERS

    if wanted is None:
        return list(PEERS)
    if wanted in ([], ["none"]):
        return []
    bad = [p for p in wanted if p not in PEERS]
    if bad:
        raise ValueError(f"--peers must be among {list(PEERS)} or 'none'; got {bad}.")
    return list(dict.fromkeys(wanted))


def _backends(wanted: list[str] | None) -> list[str]:
    from jmetrics.bench import backends

    found = backends(wanted)
    if wanted is None:
        return [b for b, note in found.items() if not note.startswith("absent")]
    absent = {b: n for b, n in found.items() if n.startswith("absent")}
    if absent:
        raise ValueError(f"--backends: not present here: {', '.join(absent)} "
                         f"(present: {', '.join(b for b in backends() if b not in absent) or 'none'}).")
    return list(dict.fromkeys(wanted))


def _cpu_dispatch(sync: bool) -> None:
    """Switch CPU dispatch to inline when asked; without the option, leave it as it is."""
    from jmetrics import bench

    if not sync or bench.cpu_dispatch() == "sync":
        return
    try:
        bench.use_sync_cpu_dispatch()
    except RuntimeError:
        raise ValueError("--cpu-sync-dispatch must be given before JAX has created its backends "
                         "(as the jmetrics command does); set jax_cpu_enable_async_dispatch=False "
                         "at the start of your program instead.") from None


def run(args: argparse.Namespace) -> int:
    """Run the benchmark matrix and print the table; returns the exit code."""
    import jmetrics.bench._targets as _targets
    from jmetrics import bench
    from jmetrics.bench._report import legend

    _cpu_dispatch(args.cpu_sync_dispatch)

    cases = bench.select(args.metrics or list(DEFAULT_METRICS))
    sizes = [bench.parse_size(s) for s in args.sizes]
    target_rows = bench.parse_size(args.target_rows)
    engine_rows = bench.parse_size(args.engine_rows)
    wanted = args.targets
    if args.only_targets and wanted is None:
        wanted = []
    if wanted is not None:
        bad = [t for t in wanted if t not in _targets.TARGETS]
        if bad:
            raise ValueError(f"--targets must be among {list(_targets.TARGETS)}; got {bad}.")
    peers = _peers(args.peers)
    backends = _backends(args.backends)
    if args.budget <= 0:
        raise ValueError(f"--budget must be > 0 seconds; got {args.budget}.")
    if args.plot is not None:
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            raise ValueError("--plot needs matplotlib: pip install matplotlib "
                             "(or pip install 'jmetrics[plot]').") from None
    notes: list[str] = []
    for peer in peers:
        note = bench.peer_status(peer)
        if note is not None:
            notes.append(f"skipped {note}")
    ran = [p for p in peers if bench.peer_status(p) is None]

    def progress(r: bench.Result) -> None:
        if not args.quiet:
            t = bench.fmt_time(r.jmetrics.median if r.jmetrics else None)
            print(f"  {r.metric} [{r.backend}, {r.rows} rows]: {t}", file=sys.stderr, flush=True)

    results: list[bench.Result] = []
    if not args.only_targets:
        results = bench.run(cases, sizes, backends, ran, budget=args.budget, progress=progress)
        print(bench.table(results, ran, markdown=args.markdown))
        print("\n" + legend(ran))
        for r in results:
            notes.extend(n for n in r.notes if n not in notes)
    targets: list[Any] = []
    if wanted is not None:
        targets = _targets.run_all(backends[0], budget=max(args.budget, 1.0), quiet=args.quiet,
                                   rows=target_rows, engine_rows=engine_rows, names=wanted or None)
    lines = bench.target_lines(results) + [t.line() for t in targets]
    if lines:
        print("\ntargets:")
        for line in lines:
            print(f"  {line}")
    if targets:
        print("\ntarget details:")
        for t in targets:
            print(_targets.describe(t))
    if notes:
        print("\nnotes:")
        for note in notes:
            print(f"  {note}")
    info = bench.machine()
    print(f"\nmachine: {info['cpus']} CPUs, jax {info['versions']['jax']}, backends "
          + ", ".join(f"{b} ({n})" for b, n in info["backends"].items() if not n.startswith("absent"))
          + f"; CPU dispatch {info['cpu_dispatch']}")
    if args.json is not None:
        with open(args.json, "w") as f:
            f.write(bench.to_json(results, info, targets))
    if args.plot is not None and results:
        bench.plot(results, args.plot, ran)
    return 0
