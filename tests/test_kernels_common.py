"""Laws every exported kernel obeys: the public surface, empty batches, no retrace, scalar errors."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jmetrics
from jmetrics import kernels
from tests.helpers import TracedJit

NAMES = sorted(kernels.__all__)
SPARSE = {"sparse_categorical_accuracy", "sparse_top_k_categorical_accuracy", "sparse_categorical_crossentropy"}


def inputs(name: str, n: int, seed: int = 0) -> tuple[jax.Array, jax.Array]:
    rng = np.random.default_rng(seed)
    p = jnp.asarray(rng.uniform(0.05, 0.95, (n, 3)).astype(np.float32))
    if name in SPARSE:
        return jnp.asarray(rng.integers(0, 3, n)), p
    return jnp.asarray(rng.integers(0, 2, (n, 3)).astype(np.float32)), p


def test_public_surface() -> None:
    """Every kernel is exported at the top level and in jmetrics.metrics, with its full name."""
    expected = {
        "accuracy", "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy",
        "top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy", "cosine_similarity",
        "cosine_proximity", "mean_squared_error", "root_mean_squared_error", "mean_absolute_error",
        "mean_absolute_percentage_error", "mean_squared_logarithmic_error", "squared_hinge", "hinge",
        "categorical_hinge", "log_cosh", "logcosh", "huber", "binary_crossentropy",
        "categorical_crossentropy", "sparse_categorical_crossentropy", "binary_focal_crossentropy",
        "categorical_focal_crossentropy", "kl_divergence", "kullback_leibler_divergence", "poisson",
        "pearson_correlation", "concordance_correlation", "mse", "mae", "mape", "msle", "kld", "cosine",
    }  # fmt: skip
    assert set(NAMES) == expected
    for name in NAMES:
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
