"""``jmetrics eval``: evaluate prediction files (or the built-in demo sets) in one streaming pass.

``jmetrics eval`` alone evaluates three deterministic demo prediction sets (binary, 10-class,
regression; 1e6 rows each) with the metrics it picks for each. With files:
``jmetrics eval --y-true y.npy --y-pred p.npz:probs -m auc acc --format json --output res.json``.
Results are written atomically (temp file, then rename): a failed or interrupted run leaves no
output file.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
from collections.abc import Callable
from typing import Any

from jmetrics.cli._output import check_output, write_files

__all__ = ["HELP", "add_parser", "format_results", "run"]

HELP = "evaluate metrics over prediction files (or the built-in demo sets)"


def add_parser(subparsers: Any) -> None:
    """Register ``jmetrics eval``."""
    p = subparsers.add_parser(
        "eval", help=HELP,
        description="Evaluate metrics over prediction files in one streaming pass. Without "
                    "--y-true/--y-pred, evaluates built-in demo prediction sets.",
    )
    many = dict(action="extend", nargs="+", metavar="PATH")
    p.add_argument("--y-true", **many, help="targets: .npy, .npz:member, .parquet:column, "
                   ".arrow:column or .csv:column; several paths or a quoted glob "
                   "('preds/*.parquet:label') are read in order as one source")
    p.add_argument("--y-pred", **many, help="predictions (same kinds of path)")
    p.add_argument("--weights", **many, help="per-row sample weights (optional)")
    p.add_argument("-m", "--metrics", nargs="+", metavar="METRIC",
                   help="metric names as in Keras compile (default: picked from the data)")
    p.add_argument("--loss", default=None, help="the training loss, reported as 'loss'")
    p.add_argument("--batch-size", type=int, default=None, help="rows per chunk (bounds memory)")
    p.add_argument("--model-axis", type=int, default=None,
                   help="axis of y_pred holding K models' predictions (e.g. 0 for [K, N, ...])")
    p.add_argument("--bootstrap", type=int, default=None, metavar="B",
                   help="B Poisson bootstrap replicates: standard errors and intervals")
    p.add_argument("--confidence", type=float, default=0.95, help="interval level (default 0.95)")
    p.add_argument("--seed", type=int, default=0, help="bootstrap seed (default 0)")
    p.add_argument("--nonfinite", choices=("error", "ignore", "propagate"), default="error",
                   help="rows with NaN/inf: error (default), ignore (weight 0) or propagate")
    p.add_argument("--devices", type=int, default=None, help="number of local devices to use")
    p.add_argument("--rows", type=float, default=1e6, help="rows of each demo set (default 1e6)")
    p.add_argument("--slice-by", action="append", metavar="PATH", default=None,
                   help="slice keys, one per row (.parquet:column, .csv:column, .npy...): every "
                        "metric per slice too; repeat to cross keys")
    p.add_argument("--min-slice-size", type=int, default=1, metavar="ROWS",
                   help="leave out slices with fewer rows (default 1)")
    p.add_argument("--baseline", type=int, default=None, metavar="I",
                   help="with --model-axis: every other model minus model I (paired intervals "
                        "with --bootstrap)")
    p.add_argument("--format", choices=("table", "json", "csv"), default="table")
    p.add_argument("--output", metavar="FILE", help="write the results to FILE (atomically)")
    p.add_argument("--plot", metavar="FILE.png",
                   help="ROC/PR/calibration, confusion matrix or residual plots; with --slice-by, "
                        "each metric per slice with its interval (needs matplotlib)")
    p.add_argument("--fail-if", action="append", default=[], metavar="GATE",
                   help="exit 1 (after writing the results) when the gate holds: 'auc<0.8', "
                        "'auc.ci_low<0.8' (with --bootstrap), 'slices:auc<0.8' (every slice); "
                        "operators <, <=, >, >=; repeatable")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar or notes on stderr")


def run(args: argparse.Namespace) -> int:
    """Run ``jmetrics eval``; returns the exit code (errors propagate to ``cli.main``)."""
    from jmetrics.engine import DEMO_TASKS, demo_data, evaluate, pick_metrics
    from jmetrics.engine.cli_support import findable, parse_gate

    if (args.y_true is None) != (args.y_pred is None):
        raise ValueError("--y-true and --y-pred go together (or neither, for the demo sets).")
    slice_by = getattr(args, "slice_by", None) or []
    for flag in ("y_true", "y_pred", "weights"):
        paths = getattr(args, flag) or []
        for path in paths:
            if not findable(path):
                raise FileNotFoundError(f"--{flag.replace('_', '-')}: {path} does not exist.")
        if paths:
            setattr(args, flag, paths[0] if len(paths) == 1 else paths)
    for path in slice_by:
        if not findable(path):
            raise FileNotFoundError(f"--slice-by: {path} does not exist.")
    if slice_by and args.y_true is None:
        raise ValueError("--slice-by needs --y-true/--y-pred (the demo sets have no slice keys).")
    gates = [parse_gate(g) for g in args.fail_if]  # a malformed gate: before any reading
    for flag in ("output", "plot"):
        if getattr(args, flag):
            check_output(getattr(args, flag), f"--{flag}")
    options = dict(batch_size=args.batch_size, model_axis=args.model_axis,
                   bootstrap=args.bootstrap, confidence=args.confidence, seed=args.seed,
                   devices=args.devices, progress=False if args.quiet else None,
                   on_nonfinite=args.nonfinite, loss=args.loss,
                   slice_by=(slice_by if len(slice_by) > 1 else slice_by[0]) if slice_by else None,
                   min_slice_size=getattr(args, "min_slice_size", 1),
                   baseline=getattr(args, "baseline", None))
    sets: dict[str | None, tuple[Any, Any, Any]] = {}
    if args.y_true is None:
        rows = int(args.rows)
        if rows < 1:
            raise ValueError(f"--rows must be at least 1; got {args.rows}.")
        for demo in DEMO_TASKS:
            sets[demo] = (*demo_data(demo, rows), None)
        if not args.quiet:
            _note(f"no --y-true/--y-pred: evaluating the built-in demo sets ({rows:,} rows each).")
    else:
        sets[None] = (args.y_true, args.y_pred, args.weights)

    results: dict[str | None, dict[str, Any]] = {}
    for task, (yt, yp, w) in sets.items():
        metrics: Any = args.metrics
        if metrics is None:
            picked = _pick(yt, yp, args.model_axis, pick_metrics)
            metrics = picked.metrics
            if not args.quiet:
                names = ", ".join(m if isinstance(m, str) else str(m.display_name) for m in metrics)
                _note(f"{task or 'data'}: {picked.task} ({picked.reason}); metrics: {names}")
        results[task] = evaluate(yt, yp, metrics, sample_weight=w, **options)
        dropped = results[task].get("slices_dropped", 0)
        if dropped and not args.quiet:
            _note(f"{dropped} slice(s) under --min-slice-size {args.min_slice_size} rows left out.")

    failed = _gates(results, gates, models=args.model_axis is not None)  # unknown keys: exit 2
    text = format_results(results, args.format, models=args.model_axis is not None,
                          slice_names=[_key_name(k) for k in slice_by])
    outputs = [("--output", args.output, lambda path: _write_text(path, text))] if args.output else []
    if args.plot:
        outputs.append(("--plot", args.plot, _plot_writer(args, sets, results)))
    write_files(outputs)
    if args.output and not args.quiet:
        _note(f"wrote {args.output}" + (f" and {args.plot}" if args.plot else ""))
    if not args.output:
        sys.stdout.write(text)
    sys.stdout.flush()  # the results come before the gates' verdict
    for line in failed:
        _note(f"gate failed: {line}")
    return 1 if failed else 0


def _gates(results: dict[str | None, dict[str, Any]], gates: list[Any], models: bool) -> list[str]:
    """One line per failed gate. With several result sets (the demo tasks), a gate applies to
    each set that has its key, and is bad input only when none has it."""
    from jmetrics.engine import check_gates

    lines = []
    for gate in gates:
        errors, applied = [], False
        for task, res in results.items():
            try:
                failures = check_gates(res, [gate])
            except ValueError as err:
                errors.append(err)
                continue
            applied = True
            lines += [(f"{task}: " if task else "") + f.describe(models) for f in failures]
        if not applied:
            raise errors[0]
    return lines


def _note(text: str) -> None:
    print(f"jmetrics eval: {text}", file=sys.stderr)


def _pick(yt: Any, yp: Any, model_axis: int | None, pick: Callable[..., Any]) -> Any:
    """The engine's own look at the first rows (model axis removed), named by ``pick_metrics``."""
    from jmetrics.engine.cli_support import sample_inputs

    return pick(*sample_inputs(yt, yp, model_axis=model_axis))


def _write_text(path: str, text: str) -> None:
    with open(path, "w") as f:
        f.write(text)


def _plot_writer(args: argparse.Namespace, sets: dict[str | None, tuple[Any, Any, Any]],
                 results: dict[str | None, dict[str, Any]]) -> Callable[[str], None]:
    from jmetrics.engine.cli_support import plot_sets

    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise ValueError("--plot needs matplotlib: pip install 'jmetrics[plot]'.") from None
    if any(r.get("slices") for r in results.values()):
        from jmetrics.engine.cli_support import plot_slices_figure

        return lambda path: plot_slices_figure(path, results) and None
    return lambda path: plot_sets(path, sets, model_axis=args.model_axis, results=results)


def _records(results: dict[str | None, dict[str, Any]], models: bool,
             slice_names: list[str] | None = None) -> list[dict[str, Any]]:
    """One record per (task, slice, metric[, model]), with bootstrap columns when present; model
    comparisons as metrics ``"NAME - model_I"`` (I the baseline)."""
    out = []
    for task, res in results.items():
        out += _metric_records(task, "", res, models)
        for value, entry in res.get("slices", {}).items():
            label = _slice_label(value, slice_names or [])
            out += _metric_records(task, label, entry, models)
    return out


def _metric_records(task: str | None, label: str, res: dict[str, Any], models: bool
                    ) -> list[dict[str, Any]]:
    import numpy as np

    out = []
    for name, value in res.items():
        if "." in name or name in _EXTRA_KEYS:
            continue
        for model in range(np.shape(value)[0]) if models else (None,):
            rec: dict[str, Any] = {"task": task, "slice": label, "metric": name, "model": model}
            if "rows" in res:
                rec["rows"] = res["rows"]
            for column, key in (("value", name), ("stderr", f"{name}.stderr"),
                                ("ci_low", f"{name}.ci_low"), ("ci_high", f"{name}.ci_high")):
                if key in res:
                    rec[column] = res[key] if model is None else np.asarray(res[key])[model]
            out.append(rec)
    baseline = _baseline(res)
    for model, per_metric in res.get("compare", {}).items():
        for name, cmp in per_metric.items():
            rec = {"task": task, "slice": label, "metric": f"{name} - model_{baseline}",
                   "model": int(model.rpartition("_")[2]), "value": cmp["diff"],
                   **{k: v for k, v in cmp.items() if k != "diff"}}
            if "rows" in res:
                rec["rows"] = res["rows"]
            out.append(rec)
    return out


_EXTRA_KEYS = ("slices", "slices_dropped", "compare", "rows")


def _baseline(res: dict[str, Any]) -> int | None:
    """The baseline model: the one index missing from ``res["compare"]``."""
    others = {int(m.rpartition("_")[2]) for m in res.get("compare", {})}
    return min(set(range(len(others) + 1)) - others) if others else None


def _key_name(spec: str) -> str:
    """``"preds.parquet:country"`` -> ``"country"``; ``"keys.npy"`` -> ``"keys"``."""
    if not os.path.exists(spec) and ":" in spec:
        return spec.rpartition(":")[2]
    return os.path.splitext(os.path.basename(spec))[0]


def _slice_label(value: Any, names: list[str]) -> str:
    values = value if isinstance(value, tuple) else (value,)
    if len(names) != len(values):
        names = [f"key{i}" for i in range(len(values))]
    return ", ".join(f"{n}={v}" for n, v in zip(names, values, strict=True))


def _num(v: Any) -> str:
    import numpy as np

    a = np.asarray(v)
    if a.ndim:
        return "[" + ", ".join(_num(x) for x in a) + "]"
    return f"{float(a):.6g}"


def format_results(results: dict[str | None, dict[str, Any]], fmt: str, models: bool = False,
                   slice_names: list[str] | None = None) -> str:
    """Results as a table, JSON or CSV text (``None`` task key: a single evaluation).

    ``models``: values have a leading model axis (one row per model in tables and CSV).
    ``slice_names``: the names of the slice keys (JSON lists slices as ``{"slice": {name: value},
    "rows": n, metric: value...}``; tables and CSV get ``slice`` and ``rows`` columns).
    """
    if fmt == "json":
        plain = {k: _json_result(r, slice_names or []) for k, r in results.items()}
        return json.dumps(plain[None] if list(plain) == [None] else plain, indent=2) + "\n"
    records = _records(results, models, slice_names)
    extras = [e for e in ("stderr", "ci_low", "ci_high") if any(e in r for r in records)]
    columns = (["task"] if any(r["task"] for r in records) else []) + (
        ["slice"] if any(r["slice"] for r in records) else []) + ["metric"] + (
        ["model"] if any(r["model"] is not None for r in records) else []) + (
        ["rows"] if any("rows" in r for r in records) else []) + ["value"] + extras
    rows = [[_num(r[c]) if c in ("value", *extras) else ("" if r.get(c) is None else str(r[c]))
             for c in columns] for r in records]
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(rows)
        return buf.getvalue()
    widths = [max(len(c), *(len(r[i]) for r in rows)) if rows else len(c)
              for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(v.rjust(w) if c in ("value", *extras) else v.ljust(w)
                        for v, c, w in zip(r, columns, widths, strict=True)).rstrip() for r in rows]
    return "\n".join(lines) + "\n"


def _json_result(res: dict[str, Any], names: list[str]) -> dict[str, Any]:
    """A result as JSON: slices as a list of records (their keys need not be strings)."""
    out: dict[str, Any] = {}
    for name, v in res.items():
        if name == "slices":
            out[name] = [{"slice": _slice_dict(value, names), **_json_result(entry, names)}
                         for value, entry in v.items()]
        elif name == "compare":
            out[name] = {m: {k: {f: _jsonable(x) for f, x in c.items()} for k, c in per.items()}
                         for m, per in v.items()}
        elif name in ("rows", "slices_dropped"):
            out[name] = int(v)
        else:
            out[name] = _jsonable(v)
    return out


def _slice_dict(value: Any, names: list[str]) -> dict[str, Any]:
    values = value if isinstance(value, tuple) else (value,)
    if len(names) != len(values):
        names = [f"key{i}" for i in range(len(values))]
    return dict(zip(names, values, strict=True))


def _jsonable(v: Any) -> Any:
    import numpy as np

    a = np.asarray(v)
    if a.ndim:
        return [_jsonable(x) for x in a]
    f = float(a)
    return f if np.isfinite(f) else str(f)
