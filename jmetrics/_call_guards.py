"""Checks run before every ``metric(...)`` call of the eager face (imports nothing).

An integration refuses a call its framework would misuse (a guard sees the metric and may raise
with a message that says how that framework takes a metric). The ``jmetrics`` package registers
the Keras guard when it is imported, so a metric object is refused inside Keras' compiled step
whichever module it was imported from.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["CALL_GUARDS", "add_call_guard"]

CALL_GUARDS: list[Callable[[Any], None]] = []


def add_call_guard(guard: Callable[[Any], None]) -> Callable[[Any], None]:
    """Register ``guard(metric)``, run before every ``metric(...)`` call; it may raise."""
    if guard not in CALL_GUARDS:
        CALL_GUARDS.append(guard)
    return guard
