"""The block fold behind every binned statistic: same counts as NumPy for any length and block."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from jmetrics.metrics._blocks import bincount, fold_blocks


@given(st.integers(0, 40), st.integers(1, 9))
def test_fold_visits_every_row_once_in_order(n, block):
    x = jnp.arange(n, dtype=jnp.float32)
    rows = fold_blocks(lambda c, b: jnp.concatenate([c, b]), jnp.zeros((0,), jnp.float32), x,
                       block=block) if n <= block else None
    # a fold whose carry is order-sensitive: sum of position * weight, positions from a counter
    def step(c, b):
        k, acc = c
        pos = k + jnp.arange(b.shape[0], dtype=jnp.float32)
        return k + b.shape[0], acc + jnp.sum(pos * b)
    _, got = fold_blocks(step, (jnp.float32(0), jnp.float32(0)), x, block=block)
    assert float(got) == float(np.sum(np.arange(n, dtype=np.float64) ** 2))
    if rows is not None:
        np.testing.assert_array_equal(rows, np.arange(n))


@pytest.mark.parametrize("n", [0, 1, 7, 8, 9, 64, 67])
@pytest.mark.parametrize("weighted", [False, True])
def test_bincount_matches_numpy(n, weighted):
    r = np.random.default_rng(n)
    k = r.integers(0, 5, n).astype(np.int32)
    w = r.uniform(0, 3, n).astype(np.float32) if weighted else None
    got = bincount(lambda b: b, 5, (jnp.asarray(k),), None if w is None else jnp.asarray(w), block=8)
    want = np.bincount(k, weights=None if w is None else w.astype(np.float64), minlength=5)
    assert got.dtype == jnp.float32  # unweighted counts of so few rows are exact as floats
    np.testing.assert_allclose(np.asarray(got, np.float64), want, rtol=1e-6)


def test_counts_stay_integers_when_floats_could_round_them():
    from jmetrics.metrics._blocks import exact_float

    c = jnp.array([2**24 + 1, 3], jnp.int32)
    assert exact_float(c, 2**24).dtype == jnp.float32  # at most 2**24 rows: every count is exact
    kept = exact_float(c, 2**24 + 1)
    assert kept.dtype == jnp.int32 and kept.tolist() == [2**24 + 1, 3]


def test_keys_may_depend_on_several_arrays_and_jit():
    r = np.random.default_rng(1)
    a, b = r.integers(0, 3, 100).astype(np.int32), r.integers(0, 2, 100).astype(np.int32)
    f = jax.jit(lambda a, b: bincount(lambda x, y: 2 * x + y, 6, (a, b), block=16))
    np.testing.assert_array_equal(f(a, b), np.bincount(2 * a + b, minlength=6))


def test_weighted_blocks_are_added_without_drift():
    # One bin: 2**25 first, then unit weights. A float32 running sum would drop every 1 (the ulp of
    # 2**25 is 4); the blocks' sums enter a compensated sum, so the total stays exact.
    n = 8 * 1000
    w = np.ones(n, np.float32)
    w[0], w[1:8] = 2.0**25, 0.0  # the big weight alone in the first block
    got = bincount(lambda b: jnp.zeros(b.shape, jnp.int32), 1, (jnp.zeros(n),), jnp.asarray(w),
                   block=8)
    assert float(np.float64(got[0])) != 2.0**25
    naive = np.float32(0)
    for x in w:
        naive = np.float32(naive + x)
    assert naive == 2.0**25  # what plain float32 accumulation gives
    np.testing.assert_allclose(np.float64(got[0]), 2.0**25 + n - 8, rtol=1e-7)


@given(st.lists(st.integers(0, 2**20), min_size=1, max_size=300))
def test_ksum_cumsum_of_counts_is_exact(counts):
    # Integer bin counts whose running total passes 2**24: float32 alone would round; the split into
    # multiples of an exact power of two (never exp2, inexact on XLA:CPU) keeps every prefix exact.
    from jmetrics.metrics._state import KSum, ksum_cumsum

    c = np.asarray(counts, np.int64)
    k = KSum(jnp.asarray(c, jnp.float32), jnp.zeros(len(c), jnp.float32))
    got = ksum_cumsum(k)
    want = np.cumsum(c)
    np.testing.assert_array_equal(np.asarray(got.hi, np.float64) + np.asarray(got.lo, np.float64), want)


@given(st.integers(0, 1100), st.integers(0, 2**31 - 1))
def test_batch_sum_is_as_accurate_as_a_windowed_float32_sum(n, seed):
    # Float64 reference from the formula; the bound is that of 32-element windows summed one after
    # another ((32 + windows) roundings), which a dropped or doubled window would far exceed.
    from jmetrics.metrics._state import batch_sum

    rng = np.random.default_rng(seed)
    x = (rng.standard_normal(n) * 10.0 ** rng.uniform(-3, 3, n)).astype(np.float32)
    want = x.astype(np.float64).sum()
    bound = (32 + -(-n // 32)) * np.finfo(np.float32).eps * np.abs(x.astype(np.float64)).sum()
    for got in (batch_sum(jnp.asarray(x)), jax.jit(batch_sum)(jnp.asarray(x))):
        assert abs(float(got) - want) <= bound + 1e-30


def test_batch_sum_under_vmap_equals_a_loop():
    from jmetrics.metrics._state import batch_sum

    x = jnp.asarray(np.random.default_rng(1).standard_normal((5, 300)).astype(np.float32))
    got = jax.vmap(batch_sum)(x)
    np.testing.assert_array_equal(np.asarray(got), [float(batch_sum(row)) for row in x])
