"""Laws every registered kernel obeys: the public surface, empty batches, no retrace, scalar errors.

Driven by the registry (``jmetrics.ENTRIES``): each entry's per-sample function, with the input
kind its entry declares (its streaming class's, or the entry's own).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jmetrics
from jmetrics import kernels
from jmetrics.adapter import ENTRIES
from tests.helpers import TracedJit

KINDS = {e.kernel.__name__: e.kind for e in ENTRIES if e.kernel}
NAMES = sorted(KINDS)


def inputs(name: str, n: int, seed: int = 0) -> tuple[jax.Array, jax.Array]:
    rng = np.random.default_rng(seed)
    p = jnp.asarray(rng.uniform(0.05, 0.95, (n, 3)).astype(np.float32))
    if KINDS[name] == "sparse":
        return jnp.asarray(rng.integers(0, 3, n)), p
    return jnp.asarray(rng.integers(0, 2, (n, 3)).astype(np.float32)), p


def test_public_surface() -> None:
    """Every exported kernel (aliases included) is a registered one, and every registered kernel is
    exported at the top level and in jmetrics.metrics under its full name, documented."""
    registered = {e.kernel for e in ENTRIES if e.kernel}
    assert {getattr(kernels, n) for n in kernels.__all__} == registered
    for name in kernels.__all__:
        fn = getattr(jmetrics, name)
        assert fn is getattr(jmetrics.metrics, name) is getattr(kernels, name)
        assert fn.__doc__ and ">>>" in fn.__doc__ and ".. math::" in fn.__doc__, name


@pytest.mark.parametrize("name", NAMES)
def test_empty_batch(name: str) -> None:
    fn = getattr(jmetrics, name)
    t, p = inputs(name, 0)
    for f in (fn, jax.jit(fn)):
        out = f(t, p)
        assert out.shape == (0,) and out.dtype == jnp.float32


@pytest.mark.parametrize("name", NAMES)
def test_no_retrace_for_new_values(name: str) -> None:
    fn = getattr(jmetrics, name)
    jitted = TracedJit(fn)
    a = jitted(*inputs(name, 5, seed=1))
    b = jitted(*inputs(name, 5, seed=2))
    assert jitted.traces == 1 and a.shape == b.shape == (5,)


@pytest.mark.parametrize("name", NAMES)
def test_scalar_inputs_raise_naming_the_function(name: str) -> None:
    fn = getattr(jmetrics, name)
    with pytest.raises(ValueError, match=rf"^{fn.__name__}: "):
        fn(jnp.float32(1.0), jnp.float32(1.0))
