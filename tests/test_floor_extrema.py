"""The NaN-keeping maximum/minimum of the floor (jmetrics._floor._extrema).

Oracles: NumPy's ``np.maximum``/``np.minimum``/``np.max``/``np.min`` (NaN-propagating) for the
values, and ``jnp.maximum`` on a few elements (outside XLA:CPU's YNNPACK fusions) for the bits of
``+-0``. Every form is checked eagerly and jitted inside a sum, at a small size and on the sizes
where XLA:CPU's fusions drop NaN from ``jnp.maximum`` (the probe below finds them).
"""

from __future__ import annotations

import itertools

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jmetrics._floor._extrema import maximum, minimum, reduce_max, reduce_min, select_free

SPECIAL = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 1e-45, -1e-45, 1e-7, 1.0, -2.5, 3e38],
                   np.float32)


def ynn_size() -> int:
    """The smallest power of two where ``jax.jit(jnp.max)`` of ones with a NaN returns a number
    (XLA:CPU's fusions drop the NaN); 8192 when no size up to 2**17 does."""
    for k in range(8, 18):
        v = np.ones(2**k, np.float32)
        v[2**k // 2] = np.nan
        if not np.isnan(jax.jit(jnp.max)(v)):
            return 2**k
    return 8192


SIZES = (7, ynn_size(), 100_000)


def _bits(x: np.ndarray) -> np.ndarray:
    return np.asarray(x, np.float32).view(np.int32)


def test_the_backend_fact_the_floor_works_around_is_still_probed():
    """Documents the backend: the raw forms lose NaN at ``ynn_size()`` rows on XLA:CPU, or this
    JAX keeps it (then the probe falls back to 8192 and the floor forms cost a select only)."""
    n = ynn_size()
    v = np.ones(n, np.float32)
    v[n // 3] = np.nan
    raw = float(jax.jit(lambda a: jnp.sum(jnp.maximum(a, 1e-7)))(v))
    assert np.isnan(raw) or raw == n - 1
    assert np.isnan(jax.jit(lambda a: jnp.sum(jnp.clip(a, 1e-7, None)))(v))  # lax.clamp keeps NaN


@pytest.mark.parametrize("op, oracle", [(maximum, np.maximum), (minimum, np.minimum)])
def test_elementwise_on_special_values_equals_jnp_bit_for_bit(op, oracle):
    a, b = (np.array(v, np.float32) for v in zip(*itertools.product(SPECIAL, SPECIAL), strict=True))
    got = np.asarray(op(jnp.asarray(a), jnp.asarray(b)))
    want = oracle(a, b)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    ok = ~np.isnan(want)
    raw = {maximum: jnp.maximum, minimum: jnp.minimum}[op]
    np.testing.assert_array_equal(_bits(got[ok]), _bits(np.asarray(raw(a, b))[ok]))
    const = np.asarray(op(jnp.asarray(a), 1e-7))  # XLA:CPU flushes subnormals: jnp's bits
    np.testing.assert_array_equal(np.isnan(const), np.isnan(a))
    np.testing.assert_array_equal(_bits(const[~np.isnan(a)]),
                                  _bits(np.asarray(raw(a, 1e-7))[~np.isnan(a)]))


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("op, oracle", [(maximum, np.maximum), (minimum, np.minimum)])
@pytest.mark.parametrize("where", ["a", "b", "none"])
def test_elementwise_keeps_nan_inside_a_jitted_sum(n, op, oracle, where):
    rng = np.random.default_rng(n)
    a = rng.normal(size=n).astype(np.float32)
    b = rng.normal(size=n).astype(np.float32)
    a[n // 4] = np.inf
    b[n // 3] = -np.inf
    if where != "none":
        {"a": a, "b": b}[where][n // 2] = np.nan
    want = np.sum(oracle(a, b).astype(np.float64))
    for fn in (jax.jit(lambda x, y: jnp.sum(op(x, y))), lambda x, y: jnp.sum(op(x, y))):
        got = float(fn(a, b))
        assert (np.isnan(got) and np.isnan(want)) or got == pytest.approx(want, rel=1e-5)
    clamp = float(jax.jit(lambda x: jnp.sum(op(x, 0.0)))(a))
    want_clamp = np.sum(oracle(a, np.float32(0.0)).astype(np.float64))
    assert (np.isnan(clamp) and np.isnan(want_clamp)) or clamp == pytest.approx(want_clamp, rel=1e-5)


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("op, oracle", [(reduce_max, np.max), (reduce_min, np.min)])
def test_reductions_keep_nan_on_every_axis(n, op, oracle):
    rng = np.random.default_rng(n)
    x = rng.normal(size=(n, 3)).astype(np.float32)
    x[n // 2, 1] = np.nan
    x[0, 0] = np.inf
    x[-1, 2] = -np.inf
    for fn in (jax.jit(op, static_argnames=("axis", "keepdims")), op):
        np.testing.assert_array_equal(fn(x), oracle(x))
        np.testing.assert_array_equal(fn(x, axis=0), oracle(x, axis=0))
        np.testing.assert_array_equal(fn(x, axis=-1, keepdims=True), oracle(x, -1, keepdims=True))
        np.testing.assert_array_equal(fn(x[:, ::2]), oracle(x[:, ::2]))  # no NaN: the plain value
    np.testing.assert_array_equal(op(np.zeros((0,), np.float32), initial=-1.0), -1.0)
    np.testing.assert_array_equal(op(np.arange(n)), oracle(np.arange(n)))  # integers: no NaN



@pytest.mark.parametrize("op", [maximum, minimum])
def test_select_free_forms_trace_to_arithmetic_only(op):
    """Inside ``select_free()`` no select or compare is traced (XLA:CPU's YNNPACK fusion takes
    plain arithmetic only); outside it, the select form."""
    def jaxpr() -> str:  # a new function each time: JAX caches traces by function, not context
        return str(jax.make_jaxpr(lambda x, y: jnp.sum(op(x, y)) + jnp.sum(op(x, 1e-7)))(
            jnp.ones(8), jnp.ones(8)))

    with select_free():
        inside = jaxpr()
    outside = jaxpr()
    assert "select_n" not in inside and " ne " not in inside and "sign" in inside
    assert "select_n" in outside and "sign" not in outside


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("op, oracle", [(maximum, np.maximum), (minimum, np.minimum)])
def test_select_free_forms_equal_the_select_forms_bit_for_bit(n, op, oracle):
    """The arithmetic form against NumPy (NaN) and against the select form (bits), on the
    special values crossed and on a large vector with NaN and +-inf, jitted and eager."""
    a, b = (np.array(v, np.float32) for v in zip(*itertools.product(SPECIAL, SPECIAL), strict=True))
    rng = np.random.default_rng(n)
    a = np.concatenate([a, rng.normal(size=n).astype(np.float32)])
    b = np.concatenate([b, rng.normal(size=n).astype(np.float32)])
    a[-n // 2], b[-n // 3], a[-1] = np.nan, -np.inf, np.inf
    want = oracle(a, b)
    plain = np.asarray(jax.jit(op)(a, b))
    for fn in (jax.jit(op), op):
        with select_free():
            got = np.asarray(fn(jnp.asarray(a), jnp.asarray(b)))
            one = np.asarray(fn(jnp.asarray(a), 1e-7))
        np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
        np.testing.assert_array_equal(_bits(got[~np.isnan(want)]), _bits(plain[~np.isnan(want)]))
        np.testing.assert_array_equal(np.isnan(one), np.isnan(a))
    with select_free():
        total = float(jax.jit(lambda x: jnp.sum(op(x, 1e-7)))(a))
    assert np.isnan(total)
