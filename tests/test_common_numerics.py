"""Numerics of the streaming sums: exact counts past 2**24, no drift over long streams, bf16
inputs, any split of a stream."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
from hypothesis import given
from hypothesis import strategies as st

import jmetrics.metrics as jm


def test_counts_stay_exact_past_2_pow_24():
    m = jm.Mean()
    step = jax.jit(m.update)
    s = m.init()
    ones = jnp.ones(2**20, jnp.float32)
    for _ in range(17):  # 17 * 2**20 > 2**24 samples
        s = step(s, ones)
    s = step(s, jnp.ones(1, jnp.float32))
    count = float(s.weight.hi) + float(s.weight.lo)
    assert count == 17 * 2**20 + 1  # a plain float32 count would stop at 2**24


def test_long_stream_does_not_drift():
    # 2e7 float32 values with a large offset, in batches of 1e5: Mean within 1e-6 of float64.
    m = jm.Mean()
    r = np.random.default_rng(0)
    data = (1000.0 + r.normal(size=(200, 100_000))).astype(np.float32)

    def body(s, x):
        return m.update(s, x), None

    s, _ = jax.lax.scan(body, m.init(), jnp.asarray(data))
    want = data.astype(np.float64).mean()
    assert abs(float(m.compute(s)) - want) / want < 1e-6


def test_bf16_inputs_lose_nothing_beyond_their_rounding():
    r = np.random.default_rng(1)
    t, p = r.normal(size=(64, 3)), r.normal(size=(64, 3))
    tb, pb = jnp.asarray(t, jnp.bfloat16), jnp.asarray(p, jnp.bfloat16)
    m = jm.MeanSquaredError()
    got = m.compute(m.update(m.init(), tb, pb))
    want = np.mean((np.asarray(pb, np.float64) - np.asarray(tb, np.float64)) ** 2)
    assert got.dtype == jnp.float32
    np.testing.assert_allclose(float(got), want, rtol=1e-6)


@given(st.lists(st.integers(1, 6), min_size=1, max_size=5), st.integers(0, 10_000))
def test_any_split_gives_the_same_mean(sizes, seed):
    m = jm.MeanAbsoluteError()
    step = jax.jit(m.update)
    r = np.random.default_rng(seed)
    n = sum(sizes)
    t, p = r.normal(size=(n, 2)).astype(np.float32), r.normal(size=(n, 2)).astype(np.float32)
    s, i = m.init(), 0
    for k in sizes:
        s = step(s, t[i : i + k], p[i : i + k])
        i += k
    np.testing.assert_allclose(float(m.compute(s)), np.abs(p - t).mean(), rtol=1e-5)
