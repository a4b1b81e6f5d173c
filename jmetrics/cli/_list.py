"""``jmetrics list``: the alias table as a table (or JSON / Markdown)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from jmetrics.adapter import ENTRIES

COLUMNS = ("name", "aliases", "direction", "keras2", "keras3", "sklearn")


def rows() -> list[dict[str, str]]:
    """One row per table entry, as strings."""
    return [
        {
            "name": e.name,
            "aliases": ", ".join(e.aliases),
            "direction": "higher" if e.higher_is_better else "lower",
            "keras2": e.keras2 or "-",
            "keras3": e.keras3 or "-",
            "sklearn": e.sklearn or "-",
        }
        for e in ENTRIES
    ]


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser("list", help="list every metric with its aliases and equivalents")
    p.add_argument("--format", choices=("table", "json", "markdown"), default="table")


def run(args: argparse.Namespace) -> int:
    table = rows()
    if args.format == "json":
        print(json.dumps(table, indent=2))
        return 0
    if args.format == "markdown":
        print("| " + " | ".join(COLUMNS) + " |")
        print("|" + "---|" * len(COLUMNS))
        for r in table:
            print("| " + " | ".join(r[c] for c in COLUMNS) + " |")
        return 0
    widths = {c: max(len(c), *(len(r[c]) for r in table)) for c in COLUMNS}
    print("  ".join(c.ljust(widths[c]) for c in COLUMNS).rstrip())
    for r in table:
        print("  ".join(r[c].ljust(widths[c]) for c in COLUMNS).rstrip())
    return 0
