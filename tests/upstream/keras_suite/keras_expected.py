"""Keras 3.15.1's metric tests that are expected to fail against jmetrics, each with its reason.

Keys are ``<keras test module>::<TestCase>::<test>`` (the module is
``keras/src/metrics/<module>.py`` of the installed Keras). Every test listed in ``EXPECTED`` runs
as a strict xfail: a listed test that passes fails the run, so fixed tests must leave this list.
Tests in ``SKIP`` cannot run at all. Every test not listed must pass. ``test_keras_expected.py``
checks that each key names a real test and each reason is one of those below; docs/keras-compat.md
("Keras' own test suite") explains them.
"""

from __future__ import annotations

import re

VARIABLES = ("needs Keras internals: the metric's Keras variable list or private attributes "
             "(len(variables) and variable names in Keras' layout, _dtype, add_variable, _build); "
             "a jmetrics state is a pytree returned by init()/update(), laid out differently "
             "(compensated sums)")
SERIALIZATION = ("needs Keras internals: the Keras serialization registry "
                 "(serialize_keras_object / deserialize_keras_object)")
MODEL = ("needs Keras internals: a Keras model (compile/fit/evaluate) traces update_state inside "
         "its own jitted step (use jmetrics.integrations.keras.to_keras there)")
SYMBOLIC = "needs Keras internals: symbolic KerasTensor inputs (backend.compute_output_spec)"
REASONS = (VARIABLES, SERIALIZATION, MODEL, SYMBOLIC)

EXPECTED: dict[str, str] = {
    "accuracy_metrics_test::AccuracyTest::test_config": VARIABLES,
    "accuracy_metrics_test::BinaryAccuracyTest::test_config": VARIABLES,
    "accuracy_metrics_test::CategoricalAccuracyTest::test_config": VARIABLES,
    "accuracy_metrics_test::SparseCategoricalAccuracyTest::test_config": VARIABLES,
    "accuracy_metrics_test::SparseTopKCategoricalAccuracyTest::test_config": VARIABLES,
    "accuracy_metrics_test::TopKCategoricalAccuracyTest::test_config": VARIABLES,
    "confusion_metrics_test::AUCTest::test_config": VARIABLES,
    "confusion_metrics_test::AUCTest::test_config_manual_thresholds": VARIABLES,
    "confusion_metrics_test::FalseNegativesTest::test_config": VARIABLES,
    "confusion_metrics_test::FalsePositivesTest::test_config": VARIABLES,
    "confusion_metrics_test::PrecisionAtRecallTest::test_config": VARIABLES,
    "confusion_metrics_test::PrecisionTest::test_config": VARIABLES,
    "confusion_metrics_test::RecallAtPrecisionTest::test_config": VARIABLES,
    "confusion_metrics_test::RecallAtPrecisionTest::test_end_to_end": MODEL,
    "confusion_metrics_test::RecallTest::test_config": VARIABLES,
    "confusion_metrics_test::SensitivityAtSpecificityTest::test_config": VARIABLES,
    "confusion_metrics_test::SensitivityAtSpecificityTest::test_handles_sas_metrics": MODEL,
    "confusion_metrics_test::SpecificityAtSensitivityTest::test_config": VARIABLES,
    "confusion_metrics_test::TrueNegativesTest::test_config": VARIABLES,
    "confusion_metrics_test::TruePositiveTest::test_config": VARIABLES,
    "f_score_metrics_test::FBetaScoreTest::test_non_2d_input_shapes_raises_value_error": VARIABLES,
    "f_score_metrics_test::FBetaScoreTest::test_undefined_output_dim_raises_value_error": VARIABLES,
    "hinge_metrics_test::CategoricalHingeTest::test_config": VARIABLES,
    "hinge_metrics_test::HingeTest::test_config": VARIABLES,
    "hinge_metrics_test::SquaredHingeTest::test_config": VARIABLES,
    "iou_metrics_test::IoUTest::test_compilation": MODEL,
    "iou_metrics_test::MeanIoUTest::test_big_chunk": VARIABLES,
    "probabilistic_metrics_test::BinaryCrossentropyTest::test_config": SERIALIZATION,
    "probabilistic_metrics_test::CategoricalCrossentropyTest::test_config": SERIALIZATION,
    "probabilistic_metrics_test::KLDivergenceTest::test_config": VARIABLES,
    "probabilistic_metrics_test::PoissonTest::test_config": SERIALIZATION,
    "probabilistic_metrics_test::SparseCategoricalCrossentropyTest::test_config": SERIALIZATION,
    "reduction_metrics_test::MeanTest::test_config": VARIABLES,
    "reduction_metrics_test::MeanTest::test_weighted_dynamic_shapes": SYMBOLIC,
    "reduction_metrics_test::MetricWrapperTest::test_config": VARIABLES,
    "reduction_metrics_test::MetricWrapperTest::test_weighted_dynamic_shape": SYMBOLIC,
    "reduction_metrics_test::SumTest::test_config": VARIABLES,
    "regression_metrics_test::CosineSimilarityTest::test_config": VARIABLES,
    "regression_metrics_test::LogCoshErrorTest::test_config": VARIABLES,
    "regression_metrics_test::MeanAbsoluteErrorTest::test_config": VARIABLES,
    "regression_metrics_test::MeanAbsolutePercentageErrorTest::test_config": VARIABLES,
    "regression_metrics_test::MeanSquaredLogarithmicErrorTest::test_config": VARIABLES,
    "regression_metrics_test::RootMeanSquaredErrorTest::test_config": VARIABLES,
}

SKIP: dict[str, str] = {}

_NODE = re.compile(r"tests/upstream/keras_suite/test_keras_(\w+)\.py::(\w+)::(\w+)")


def key_of(nodeid: str) -> str | None:
    """``tests/upstream/keras_suite/test_keras_x.py::Case::test`` -> ``x_test::Case::test`` (else None)."""
    found = _NODE.fullmatch(nodeid)
    return None if found is None else f"{found[1]}_test::{found[2]}::{found[3]}"
