"""Marks Keras' own metric tests (run against jmetrics) as listed in ``keras_expected.py``.

A listed test is a strict xfail (one that starts passing fails the run: remove it from the list),
or is skipped when it cannot run at all. Tests not listed must pass.
"""

from __future__ import annotations

import pytest

from tests.upstream.keras_suite.keras_expected import EXPECTED, SKIP, key_of


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "requires_trainable_backend: Keras' own test marker")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        key = key_of(item.nodeid)
        if key is None:
            continue
        if key in SKIP:
            item.add_marker(pytest.mark.skip(reason=SKIP[key]))
        elif key in EXPECTED:
            item.add_marker(pytest.mark.xfail(strict=True, reason=EXPECTED[key]))
