"""The suite's own configuration (tests/conftest.py): strict rank promotion, the oracle check."""

from __future__ import annotations

from importlib import metadata

import jax
import jax.numpy as jnp
import pytest

from tests import conftest


def test_rank_promotion_raises():
    assert jax.config.jax_numpy_rank_promotion == "raise"
    with pytest.raises(ValueError, match="jax_numpy_rank_promotion=.raise."):
        jnp.zeros(3) + jnp.zeros((3, 1))


def test_the_oracles_are_the_pinned_versions():
    pins = conftest.oracle_pins()
    assert set(pins) == {"scikit-learn", "keras"}
    assert conftest.oracle_mismatches(pins) == []
    assert pins == {p: metadata.version(p) for p in pins}


def test_an_oracle_mismatch_is_one_line_naming_package_wanted_and_found():
    found = metadata.version("scikit-learn")
    lines = conftest.oracle_mismatches({"scikit-learn": "0.0.1", "keras": metadata.version("keras")})
    assert lines == [f"scikit-learn: the tests' oracle is 0.0.1; found {found}"]
    missing = conftest.oracle_mismatches({"scikit-learn": found})
    assert missing == ["keras: no 'keras==<version>' pin in pyproject's test extra"]


def test_rank_promotion_raises_outside_the_oracle_and_not_inside_it():
    import jax.numpy as jnp
    import keras

    a, b = jnp.ones((3, 2)), jnp.ones((2,))
    with pytest.raises(ValueError, match="rank_promotion='raise'"):
        a * b
    # Keras' own code broadcasts (N, C) against (C,): the oracle keeps working
    assert keras.ops.multiply(a, b).shape == (3, 2)
