"""What every speed target shares: the result and check records, and timing into a result.

A target measures its comparisons A/B interleaved (``jmetrics.bench._timing``) and records the
medians in a :class:`TargetResult`, with a :class:`Check` per requirement. ``AUC_THRESHOLDS`` is
the binned AUC of both the training step and ``binned_auc``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from jmetrics.bench._timing import Timing, measure_interleaved

__all__ = ["AUC_THRESHOLDS", "Check", "TargetResult", "Timed", "ratio_check", "ratio_info",
           "record_timings"]

AUC_THRESHOLDS = 200


@dataclasses.dataclass
class Check:
    """One requirement: ``value`` (a ratio or seconds) ``>=`` or ``<=`` ``goal``."""

    label: str
    value: float
    op: str  # ">=" or "<="
    goal: float

    @property
    def met(self) -> bool:
        return self.value >= self.goal if self.op == ">=" else self.value <= self.goal

    @property
    def miss_factor(self) -> float:
        """How many times off the goal (1.0 when met)."""
        if self.met:
            return 1.0
        return self.goal / self.value if self.op == ">=" else self.value / self.goal

    def text(self) -> str:
        v = f"{self.value:.3g}"
        verdict = "met" if self.met else f"MISSED by {self.miss_factor:.2f}x"
        return f"{self.label} = {v} (target {self.op} {self.goal:g}: {verdict})"


@dataclasses.dataclass
class TargetResult:
    """What a target measured: times (seconds), checks, notes."""

    name: str
    description: str
    times: dict[str, float] = dataclasses.field(default_factory=dict)
    checks: list[Check] = dataclasses.field(default_factory=list)
    notes: list[str] = dataclasses.field(default_factory=list)
    extra: dict[str, Any] = dataclasses.field(default_factory=dict)

    @property
    def met(self) -> bool | None:
        """All checks met (``None`` when nothing could be checked)."""
        return None if not self.checks else all(c.met for c in self.checks)

    def line(self) -> str:
        """One line for the terminal: every check, or why nothing was checked."""
        checks = "; ".join(c.text() for c in self.checks)
        checked = {c.label for c in self.checks}
        context = "; ".join(f"{k} = {v:.3g}" for k, v in self.extra.items()  # ratios, no goal
                            if (k.startswith("x ") or k.endswith(("rows/s", "peak RSS MB")))
                            and k not in checked)
        body = "; ".join(part for part in (checks, context) if part) or "not measured"
        notes = f" [{'; '.join(self.notes)}]" if self.notes else ""
        return f"{self.name}: {body}{notes}"

    def as_dict(self) -> dict[str, Any]:
        """JSON-safe fields (what goes into pytest-benchmark's ``extra_info``)."""
        return {"name": self.name, "description": self.description, "times": self.times,
                "checks": [dataclasses.asdict(c) | {"met": c.met} for c in self.checks],
                "notes": self.notes, "met": self.met, **self.extra}


Timed = tuple[TargetResult, Callable[[], Any] | None]


def record_timings(result: TargetResult, fns: dict[str, Callable[[], Any]], **kw: Any) -> dict[str, Timing]:
    ts = measure_interleaved(fns, **kw)
    result.times.update({k: v.median for k, v in ts.items()})
    return ts


def ratio_check(result: TargetResult, label: str, slow: str, fast: str, goal: float) -> None:
    if slow in result.times and fast in result.times:
        result.checks.append(Check(label, result.times[slow] / result.times[fast], ">=", goal))


def ratio_info(result: TargetResult, label: str, slow: str, fast: str) -> None:
    """A ratio reported without a target (context)."""
    if slow in result.times and fast in result.times:
        result.extra[label] = result.times[slow] / result.times[fast]
