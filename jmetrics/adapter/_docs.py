"""Generate the reference pages from the alias table and the streaming classes.

``python -m jmetrics.adapter._docs`` rewrites ``docs/reference/``; a test checks the committed pages
equal this output, so the reference never goes stale.
"""

from __future__ import annotations

import dataclasses
import inspect
import sys
from pathlib import Path

from jmetrics import kernels, metrics
from jmetrics.adapter._table import ENTRIES


def _range(r: tuple[float | None, float | None]) -> str:
    def fmt(x: float | None, unbounded: str) -> str:
        return unbounded if x is None or abs(x) == float("inf") else f"{x:g}"

    return f"[{fmt(r[0], '-inf')}, {fmt(r[1], 'inf')}]"


def functions_page() -> str:
    lines = [
        "# Metric functions",
        "",
        "Generated from the alias table (`python -m jmetrics.adapter._docs`). Each function is",
        "`jmetrics.<name>(y_true, y_pred, **options)` and returns one value per sample.",
        "",
        "| name | formula | options | aliases | direction | range | Keras 2.3.1 | Keras 3 | scikit-learn |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for e in ENTRIES:
        sig = inspect.signature(getattr(kernels, e.name))
        opts = ", ".join(f"`{p.name}={p.default!r}`" for p in sig.parameters.values() if p.default is not p.empty)
        lines.append(
            f"| `{e.name}` | `{e.formula}` | {opts or '-'} | {', '.join(f'`{a}`' for a in e.aliases) or '-'} | "
            f"{'higher' if e.higher_is_better else 'lower'} is better | {_range(e.value_range)} | "
            f"{e.keras2 or '-'} | {e.keras3 or '-'} | {e.sklearn or '-'} |"
        )
    lines += ["", "Short aliases that are also module attributes (Keras 2 globals): "
              + ", ".join(f"`{n}`" for n in sorted(set(kernels.__all__) - {e.name for e in ENTRIES})) + "."]
    return "\n".join(lines) + "\n"


def classes_page() -> str:
    lines = [
        "# Streaming classes",
        "",
        "Generated from `jmetrics.metrics` (`python -m jmetrics.adapter._docs`). Every class has",
        "`init / update / merge / compute` and the eager `update_state / result / reset_state`.",
        "",
        "| class | default name | options | takes | direction | range | state |",
        "|---|---|---|---|---|---|---|",
    ]
    for name in metrics.__all__:
        cls = getattr(metrics, name)
        if not (inspect.isclass(cls) and issubclass(cls, metrics.Metric)) or cls is metrics.Metric:
            continue
        fields = [f for f in dataclasses.fields(cls) if f.name not in ("name", "dtype")]
        opts = ", ".join(f"`{f.name}={f.default!r}`" for f in fields if f.init) if name != "MeanMetricWrapper" else "`fn, **kwargs`"
        direction = {True: "higher", False: "lower", None: "-"}[cls.higher_is_better]
        state = "`" + type(cls(**cls.example_args).init()).__name__ + "`" if name != "MeanMetricWrapper" else "`MeanState`"
        lines.append(
            f"| `{name}` | `{cls.default_name or name}` | {opts or '-'} | {cls.input_kind} | {direction} | "
            f"{_range(cls.value_range)} | {state} |"
        )
    return "\n".join(lines) + "\n"


PAGES = {"functions.md": functions_page, "classes.md": classes_page}


def main(root: str = "docs/reference") -> int:
    out = Path(root)
    out.mkdir(parents=True, exist_ok=True)
    for fname, make in PAGES.items():
        (out / fname).write_text(make())
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
