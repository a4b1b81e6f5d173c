"""Keras 3.15.1's own `keras/src/metrics/probabilistic_metrics_test.py`, run against jmetrics.

See tests/upstream/keras_suite/_loader.py for how, tests/upstream/keras_suite/keras_expected.py for what is expected to fail.
"""

from tests.upstream.keras_suite._loader import keras_tests

globals().update(keras_tests("probabilistic_metrics_test"))
