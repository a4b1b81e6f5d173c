"""``jmetrics list``: the registry as a table, JSON or Markdown.

``jmetrics list`` prints every metric; ``jmetrics list mse auc`` only those (any alias works);
``--family accuracy`` one family; ``--format json`` gives every field of the table.

The names and aliases listed are exactly the strings ``jmetrics eval -m`` accepts, except those of
the metrics that take required arguments (``MeanIoU(num_classes=...)``): their name is followed
by ``(needs num_classes)`` (the ``needs`` field in JSON), and they are built in Python. Ranking
metrics also list ``<short>@<k>`` (``ndcg@<k>``): ``ndcg@5`` is ``NDCG(k=5)``.
"""

from __future__ import annotations

import argparse
import inspect
import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jmetrics.adapter._table import AutoEntry, Entry

__all__ = ["HELP", "add_parser", "rows", "run"]

HELP = "list every metric with its aliases, direction and Keras/sklearn equivalents"

COLUMNS = ("name", "aliases", "direction", "keras2", "keras3", "sklearn")
HEADERS = {"name": "name", "aliases": "aliases", "direction": "direction",
           "keras2": "Keras 2.3.1", "keras3": "Keras 3", "sklearn": "scikit-learn"}


def _direction(higher: bool | None) -> str:
    return {True: "higher", False: "lower", None: "-"}[higher]


def _row(entry: Entry | AutoEntry) -> dict[str, Any]:
    from jmetrics.adapter._lookup import entry_strings
    from jmetrics.adapter._table import AutoEntry

    if isinstance(entry, AutoEntry):
        return {
            "name": entry.triggers[0],
            "aliases": [*entry.triggers[1:], "(any case)", entry.name], "with_k": [], "needs": [],
            "direction": _direction(entry.binary.endswith("accuracy")),
            "keras2": [*entry.triggers], "keras3": ["acc", "accuracy"] if "acc" in entry.triggers
            else [], "sklearn": None, "kernel": entry.name, "streaming": None,
            "family": "auto", "formula": entry.formula,
            "resolves_to": [entry.binary, entry.sparse, entry.categorical],
        }
    aliases = [s for s in entry_strings(entry) if s != entry.name]
    return {
        "name": entry.name, "aliases": aliases, "with_k": [f"{short}@<k>" for short in entry.at],
        "needs": _needs(entry.streaming),
        "direction": _direction(entry.higher_is_better), "keras2": [*entry.keras2],
        "keras3": [*entry.keras3], "sklearn": entry.equivalent,
        "kernel": entry.kernel.__name__ if entry.kernel else None,
        "streaming": entry.streaming.__name__ if entry.streaming else None,
        "family": entry.family, "formula": entry.formula,
        "value_range": [*entry.value_range], "keras2_loss": [*entry.keras2_loss],
        "keras3_loss": [*entry.keras3_loss], "keras2_name": entry.keras2_name, "note": entry.note,
    }


def _needs(streaming: type | None) -> list[str]:
    """The arguments the streaming class requires (what a metric string cannot give)."""
    if streaming is None:
        return []
    params = inspect.signature(streaming).parameters.values()
    return [p.name for p in params if p.default is p.empty
            and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]


def _name_cell(row: dict[str, Any]) -> str:
    needs = row["needs"]
    return row["name"] + (f" (needs {', '.join(needs)})" if needs else "")


def rows(names: list[str] | None = None, family: str | None = None) -> list[dict[str, Any]]:
    """The table's rows (all fields), optionally only some names (any alias) or one family."""
    from jmetrics.adapter._lookup import metric_info
    from jmetrics.adapter._table import AUTO, ENTRIES

    if names:
        entries: list[Entry | AutoEntry] = list(dict.fromkeys(metric_info(n) for n in names))
    else:
        entries = [*ENTRIES, *AUTO]
    out = [_row(e) for e in entries]
    if family is not None:
        out = [r for r in out if r["family"] == family]
    return out


def _cell(value: Any) -> str:
    if value is None or value == []:
        return "-"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def add_parser(subparsers: Any) -> None:
    """Register ``jmetrics list``."""
    from jmetrics.adapter._table import FAMILIES

    p = subparsers.add_parser(
        "list", help=HELP,
        description="The alias table: every metric name jmetrics accepts. `jmetrics eval -m` "
                    "takes each name and alias listed, except those of metrics marked "
                    "'(needs ...)', which take arguments and are built in Python (e.g. "
                    "jmetrics.metrics.MeanIoU(num_classes=3)).",
    )
    p.add_argument("names", nargs="*", help="only these metrics (any alias)")
    p.add_argument("--format", choices=("table", "json", "markdown"), default="table",
                   help="output format (default: table)")
    p.add_argument("--family", choices=(*FAMILIES, "auto"), default=None,
                   help="only one family of metrics")


def run(args: argparse.Namespace) -> int:
    """Print the table; returns the exit code."""
    table = rows(args.names, args.family)
    if args.format == "json":
        print(json.dumps(table, indent=2))
        return 0
    cells = [[_name_cell(r) if c == "name" else _cell(r[c] + r.get("with_k", []))
              if c == "aliases" else _cell(r[c]) for c in COLUMNS] for r in table]
    if args.format == "markdown":
        print("| " + " | ".join(HEADERS[c] for c in COLUMNS) + " |")
        print("|" + "---|" * len(COLUMNS))
        for line in cells:
            print("| " + " | ".join(line) + " |")
        return 0
    header = [HEADERS[c] for c in COLUMNS]
    widths = [max(len(h), *(len(line[i]) for line in cells)) if cells else len(h)
              for i, h in enumerate(header)]
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip())
    for line in cells:
        print("  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip())
    return 0
