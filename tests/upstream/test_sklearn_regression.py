"""scikit-learn 1.9.1's own ``metrics/tests/test_regression.py``, run against jmetrics.sk.

The test code is loaded from the installed scikit-learn (see ``_harness.py``); expected failures
are listed with their reasons in ``expected_failures.txt``.
"""

from tests.upstream._harness import namespace

globals().update(namespace("test_regression"))
