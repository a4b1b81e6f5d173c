"""Gates on results: ``"auc<0.8"`` fails when the AUC is below 0.8 (for CI and model releases).

A gate is ``[slices:]KEY OP THRESHOLD``: ``KEY`` is a key of the results (``auc``,
``binary_accuracy``, ``auc.ci_low`` when bootstrapping), ``OP`` one of ``<``, ``<=``, ``>``, ``>=``
and ``THRESHOLD`` a number. The gate *fails* when ``value OP THRESHOLD`` holds, or when the value
is NaN (a metric that could not be computed never passes). A value with several elements (K
models, per-class values) fails for each element that does. ``slices:`` checks the key in every
slice of ``results["slices"]`` instead of the overall value.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, NamedTuple

import numpy as np

__all__ = ["Gate", "GateFailure", "check_gates", "parse_gate"]

_WHO = "check_gates"
_OPS: dict[str, Callable[[float, float], bool]] = {
    "<=": operator.le, ">=": operator.ge, "<": operator.lt, ">": operator.gt}
_FORM = re.compile(r"^\s*(?:(?P<scope>slices)\s*:)?\s*(?P<key>[^<>=!]+?)\s*(?P<op><=|>=|<|>)"
                   r"\s*(?P<threshold>[^<>=!]+?)\s*$")


class Gate(NamedTuple):
    """One parsed gate: fails when ``value op threshold`` (or the value is NaN)."""

    text: str  # the gate as written
    key: str  # a results key: "auc", "auc.ci_low"
    op: str  # "<", "<=", ">" or ">="
    threshold: float
    per_slice: bool  # "slices:KEY...": every slice's value, not the overall one


class GateFailure(NamedTuple):
    """A gate that failed: which value, where (slice, element index), and against what."""

    gate: Gate
    value: float
    slice: Any = None  # the slice value (None: the overall results)
    index: tuple[int, ...] = ()  # type: ignore[assignment]  # the element of an array value (model, class...), () for a scalar

    def __str__(self) -> str:
        return self.describe()

    def describe(self, models: bool = False) -> str:
        """One line: the gate, the value that failed it, the threshold, and where.

        ``models``: the first axis of an array value holds K models (said as ``model i``).
        """
        where = [f"slice {self.slice!r}"] if self.gate.per_slice else []
        key, index = self.gate.key, self.index
        if models and index:
            where.append(f"model {index[0]}")
            index = index[1:]
        key += f"[{', '.join(map(str, index))}]" if index else ""
        shown = "nan" if math.isnan(self.value) else f"{self.value:.6g}"
        return (f"{self.gate.text.strip()}: {key} = {shown}, threshold {self.gate.threshold:g}"
                + (f" ({', '.join(where)})" if where else ""))


def parse_gate(text: str) -> Gate:
    """``"auc<0.8"`` -> ``Gate(key="auc", op="<", threshold=0.8)``; a ValueError otherwise."""
    match = _FORM.match(text) if isinstance(text, str) else None
    if match is None:
        raise ValueError(f"{_WHO}: a gate must read [slices:]KEY OP THRESHOLD with OP one of "
                         f"{', '.join(sorted(_OPS, key=len))}, e.g. 'auc<0.8'; got {text!r}.")
    try:
        threshold = float(match["threshold"])
    except ValueError:
        raise ValueError(f"{_WHO}: the threshold of gate {text!r} must be a number; got "
                         f"{match['threshold']!r}.") from None
    if math.isnan(threshold):
        raise ValueError(f"{_WHO}: the threshold of gate {text!r} must not be NaN.")
    return Gate(text, match["key"], match["op"], threshold, match["scope"] is not None)


def _known(results: Mapping[str, Any], gate: Gate) -> list[str]:
    """The keys a gate may name: the results' own, or those of every slice."""
    if not gate.per_slice:
        return [k for k in results if k != "slices"]
    slices = results.get("slices")
    if not isinstance(slices, Mapping):
        raise ValueError(f"{_WHO}: gate {gate.text!r} checks every slice, but the results have "
                         "no slices (evaluate with slice_by).")
    keys: dict[str, None] = {}
    for values in slices.values():
        keys.update(dict.fromkeys(k for k in values if k != "rows"))
    return list(keys)


def _check_key(results: Mapping[str, Any], gate: Gate) -> None:
    known = _known(results, gate)
    if gate.key not in known:
        hint = (" (interval bounds need bootstrap)" if gate.key.endswith((".ci_low", ".ci_high",
                                                                          ".stderr")) else "")
        raise ValueError(f"{_WHO}: gate {gate.text!r} names {gate.key!r}, which is not a key of "
                         f"the results{' of every slice' if gate.per_slice else ''}{hint}; "
                         f"known keys: {', '.join(known) or '(none)'}.")


def _failures(gate: Gate, value: Any, where: Any) -> list[GateFailure]:
    a = np.asarray(value, dtype=np.float64)
    fails = _OPS[gate.op]
    out = []
    for index in np.ndindex(a.shape):
        v = float(a[index])
        if math.isnan(v) or fails(v, gate.threshold):
            out.append(GateFailure(gate, v, where, tuple(int(i) for i in index)))
    return out


def check_gates(results: Mapping[str, Any], gates: Iterable[str | Gate]) -> list[GateFailure]:
    """The gates that fail on ``results`` (an ``evaluate`` result), in the order given.

    Every gate is parsed and its key checked before any is evaluated: a malformed gate, or one
    naming a key the results do not have, raises ``ValueError`` listing the known keys (a typo
    must not pass a release). An empty list means every gate passed.

    >>> check_gates({"auc": 0.75, "binary_accuracy": 0.93}, ["auc<0.8", "binary_accuracy<0.9"])
    [GateFailure(gate=Gate(text='auc<0.8', key='auc', op='<', threshold=0.8, per_slice=False), \
value=0.75, slice=None, index=())]
    """
    parsed = [g if isinstance(g, Gate) else parse_gate(g) for g in gates]
    for gate in parsed:
        _check_key(results, gate)
    out: list[GateFailure] = []
    for gate in parsed:
        if not gate.per_slice:
            out += _failures(gate, results[gate.key], None)
            continue
        for name, values in results["slices"].items():
            if gate.key in values:
                out += _failures(gate, values[gate.key], name)
    return out
