"""The adversarial law (``tests/test_adversarial.py``) on the streaming classes of regression inputs and plain values."""

from __future__ import annotations

import pytest

from jmetrics.adapter import _policy
from tests import adversarial_inputs as ai
from tests.test_adversarial import cases, check_case


@pytest.mark.parametrize(("face", "policy", "ic"), cases("metrics_regression"))
def test_bad_input_gives_what_the_policy_says(face: ai.Face, policy: _policy.Policy,
                                              ic: ai.InputClass) -> None:
    check_case(face, policy, ic)
