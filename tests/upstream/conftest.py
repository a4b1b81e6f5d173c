"""Run scikit-learn's own metric tests against jmetrics.sk (see ``_harness.py``).

Selection: a collected upstream test runs when it calls a jmetrics.sk function
(:func:`_harness.uses_jmetrics`); tests of scikit-learn alone are deselected, and so are the Array
API tests (``array_api`` in the id), which test scikit-learn's dispatch to other array libraries.
Expected failures: ``expected_failures.txt`` lists id patterns (``*`` matches anything) under a
reason; they are marked ``xfail(strict=True)``, so a test that starts passing must be removed.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.upstream import _harness

HERE = Path(__file__).parent
FAILURES = HERE / "expected_failures.txt"


@pytest.fixture
def global_random_seed() -> int:
    """scikit-learn's default seed for its ``global_random_seed`` fixture."""
    return 42


def read_expected_failures(path: Path = FAILURES) -> list[tuple[re.Pattern[str], str, str]]:
    """``(pattern, key, reason)`` rows. A line ``[key] reason`` opens a section; each following
    non-blank, non-``#`` line is a test id pattern such as ``test_common.py::test_x[f1_score-*]``."""
    rows: list[tuple[re.Pattern[str], str, str]] = []
    key = reason = ""
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        m = re.fullmatch(r"\[(\w[\w-]*)\]\s*(.+)", line)
        if m:
            key, reason = m.groups()
            continue
        if not key:
            raise ValueError(f"{path.name}: pattern {line!r} comes before any [key] reason line.")
        rows.append((re.compile(".*".join(map(re.escape, line.split("*")))), key, reason))
    return rows


def upstream_id(item: pytest.Item) -> str:
    """``test_classification.py::test_name[params]``: the id in scikit-learn's own suite."""
    module = Path(str(item.fspath)).name.replace("test_sklearn_", "test_")
    return f"{module}::{item.name}"


def _selected(item: pytest.Item) -> bool:
    if "array_api" in item.name:
        return False
    mod = _harness.load(Path(str(item.fspath)).stem.replace("test_sklearn_", "test_"))
    params = item.callspec.params if hasattr(item, "callspec") else {}
    return _harness.uses_jmetrics(mod, getattr(item, "function", None), params)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    keep, drop = [], []
    rows = None
    for item in items:
        path = Path(str(item.fspath))
        if path.parent != HERE or not path.name.startswith("test_sklearn_"):
            keep.append(item)
            continue
        if not _selected(item):
            drop.append(item)
            continue
        keep.append(item)
        rows = read_expected_failures() if rows is None else rows
        uid = upstream_id(item)
        for pattern, key, reason in rows:
            if pattern.fullmatch(uid):
                item.add_marker(pytest.mark.xfail(strict=True, reason=f"[{key}] {reason}"))
                break
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "thread_unsafe: scikit-learn's mark (free-threading runs)")
