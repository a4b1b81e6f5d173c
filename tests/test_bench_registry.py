"""Every registry name has a bench case (``jmetrics bench -m <name>``), and each case runs.

Names: each entry's streaming class and per-sample function names, every string ``jmetrics list``
prints for it, and every ``jmetrics.sk`` function of ``SK_ENTRIES``. Hand-written cases carry peers;
the others are derived from the registry (``jmetrics.bench._generic``) and time jmetrics and the
read-reduce floor. Each distinct case runs once, at 32 rows.
"""

from __future__ import annotations

import pytest

from jmetrics.adapter._lookup import entry_strings
from jmetrics.adapter._table import ENTRIES, SK_ENTRIES
from jmetrics.bench import _cases
from jmetrics.bench._data import InputCache
from jmetrics.bench._run import run_case

NAMES = sorted({n for e in ENTRIES for n in (*entry_strings(e), e.streaming and e.streaming.__name__,
                                              e.kernel and e.kernel.__name__) if n}
               | {s.fn.__name__ for s in SK_ENTRIES})


def _runs(c: _cases.Case) -> object:
    """The unit a case times: the streaming class, the kernel or the sk function."""
    from jmetrics.adapter import metric_info

    part, metric, _ = c.jm
    if part == "sk":
        return next(s.fn for s in SK_ENTRIES if s.fn.__name__ == metric)
    entry = metric_info(metric)
    return {"class": entry.streaming, "kernel": entry.kernel, "function": entry.sk}[part]


@pytest.mark.parametrize("name", NAMES)
def test_every_registry_name_has_a_case(name):
    c = _cases.case(name)
    assert _cases.case(c.name) is c  # the case is found again under its own name
    entry = next((e for e in ENTRIES if name in entry_strings(e)
                  or name in (getattr(e.streaming, "__name__", None),
                              getattr(e.kernel, "__name__", None))), None)
    if entry is not None:
        assert _runs(c) in entry.units
    else:  # a jmetrics.sk function alone
        assert getattr(_runs(c), "__name__", None) == name


@pytest.mark.parametrize("spec", SK_ENTRIES, ids=lambda s: s.fn.__name__)
def test_every_sk_function_is_timed_by_a_case(spec):
    assert _runs(_cases.case(f"sk.{spec.fn.__name__}")) is spec.fn


def _distinct_cases() -> list[_cases.Case]:
    return list({id(c): c for c in map(_cases.case, NAMES)}.values())


@pytest.mark.parametrize("c", _distinct_cases(), ids=lambda c: c.name)
def test_every_case_runs_at_a_tiny_size(c):
    res = run_case(c, 32, "cpu", (), InputCache(), budget=0.001)
    if res.jmetrics is None:  # only a class the registry gives no example arguments for
        note = " ".join(res.notes)
        assert "needs arguments the registry gives no example of" in note, note
        return
    assert res.jmetrics.median > 0 and res.read_reduce is not None
    assert not [n for n in res.notes if "failed" in n], res.notes
