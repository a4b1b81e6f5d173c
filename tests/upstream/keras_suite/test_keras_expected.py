"""The expected-failure list of the Keras test harness names real tests, with known reasons."""

from __future__ import annotations

import unittest

from tests.upstream.keras_suite._loader import keras_tests
from tests.upstream.keras_suite.keras_expected import EXPECTED, REASONS, SKIP

MODULES = ("accuracy", "confusion", "correlation", "f_score", "hinge", "iou", "probabilistic",
           "reduction", "regression")


def _all_keys() -> set[str]:
    keys = set()
    for stem in MODULES:
        for case_name, case in keras_tests(f"{stem}_metrics_test").items():
            names = unittest.TestLoader().getTestCaseNames(case)
            keys |= {f"{stem}_metrics_test::{case_name}::{name}" for name in names}
    return keys


def test_every_listed_test_exists_and_has_a_known_reason():
    keys = _all_keys()
    assert len(keys) == 391  # Keras 3.15.1's metric tests, metric_test.py (its base class) aside
    assert not (set(EXPECTED) | set(SKIP)) - keys
    assert not set(EXPECTED) & set(SKIP)
    assert set(EXPECTED.values()) <= set(REASONS)
