"""The floor layer's shared helpers against NumPy written from the formula (float64)."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jmetrics._floor._dtypes import at_least_float32, host_widen_half, widen_half
from jmetrics._floor._options import check_bool, check_int
from jmetrics._floor._ratios import divide_no_nan, divide_where, weighted_mean
from jmetrics._floor._sums import df_cumsum, exact_sum, two_sum


@pytest.mark.parametrize("shape", [(7,), (7, 3)])
@pytest.mark.parametrize("weighted", [False, True])
def test_weighted_mean_equals_numpy_average(shape, weighted):
    rng = np.random.default_rng(0)
    x = rng.normal(size=shape)
    w = rng.uniform(0.1, 2.0, size=shape[0]) if weighted else None
    want = np.average(x, axis=0, weights=w)
    np.testing.assert_allclose(weighted_mean(x, w), want, rtol=1e-12)
    got = jax.jit(weighted_mean)(jnp.asarray(x, jnp.float32), None if w is None else jnp.asarray(w, jnp.float32))
    np.testing.assert_allclose(np.asarray(got), want, rtol=1e-5)


def test_weighted_mean_all_zero_weights_is_nan_without_warning():
    with np.errstate(all="raise"):
        assert np.isnan(weighted_mean(np.ones(3), np.zeros(3)))


def test_divisions_fill_only_where_the_denominator_is_zero():
    num, den = np.array([1.0, 2.0, 3.0, 4.0]), np.array([2.0, 0.0, np.nan, -4.0])
    want = np.array([0.5, 7.0, np.nan, -1.0])
    np.testing.assert_array_equal(divide_no_nan(num, den, 7.0), want)
    np.testing.assert_array_equal(np.asarray(divide_no_nan(jnp.asarray(num), jnp.asarray(den), 7.0)),
                                  want.astype(np.float32))
    got = divide_where(jnp.asarray(num), jnp.asarray(den), jnp.asarray(den) > 0, 7.0)
    np.testing.assert_array_equal(np.asarray(got), [0.5, 7.0, 7.0, 7.0])


def test_half_rules():
    for dt in (jnp.bfloat16, jnp.float16):
        assert widen_half(jnp.ones(2, dt)).dtype == jnp.float32
        assert at_least_float32(jnp.ones(2, dt)).dtype == jnp.float32
    assert widen_half(jnp.ones(2, jnp.int32)).dtype == jnp.int32
    assert at_least_float32(jnp.ones(2, jnp.int32)).dtype == jnp.float32
    assert host_widen_half(np.ones(2, np.float16)).dtype == np.float32
    assert host_widen_half(np.asarray(jnp.ones(2, jnp.bfloat16))).dtype == np.float32
    assert host_widen_half(np.ones(2, np.int64)).dtype == np.int64


def test_option_errors_name_metric_option_and_value():
    with pytest.raises(ValueError, match=r"^M: n must be an int >= 2; got 1\.$"):
        check_int("M", "n", 1, low=2)
    with pytest.raises(ValueError, match=r"^M: n must be an int; got 2\.5\.$"):
        check_int("M", "n", 2.5)
    with pytest.raises(ValueError, match=r"^M: n must be an int; got True\.$"):
        check_int("M", "n", True)
    assert check_int("M", "n", np.int64(3), low=2) == 3
    with pytest.raises(TypeError, match="M: f must be True or False; got 1"):
        check_bool("M", "f", 1)
    with pytest.raises(ValueError, match="M: f must be True or False"):
        check_bool("M", "f", "yes", ValueError)


def test_compensated_sums_are_exact_where_float32_is_not():
    x = np.array([2.0**24] + [1.0] * 40, np.float32)
    hi, lo = df_cumsum(jnp.asarray(x))
    got = np.asarray(hi, np.float64) + np.asarray(lo, np.float64)
    np.testing.assert_array_equal(got, np.cumsum(x.astype(np.float64)))
    assert float(exact_sum(jnp.asarray(x))) == 2.0**24 + 40
    s, e = two_sum(jnp.float32(2.0**24), jnp.float32(1.0))
    assert float(s) + float(e) == 2.0**24 + 1
