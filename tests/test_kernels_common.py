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


ONE_COLUMN = [n for n in NAMES if KINDS[n] != "sparse"]  # sparse: labels (n,) against (n, C)


@pytest.mark.parametrize("name", ONE_COLUMN)
def test_one_column_path_is_a_wide_view_with_select_free_extrema(name: str, monkeypatch) -> None:
    """Over ``(n, 1)`` a kernel computes on the wide flat view, and every NaN-keeping
    ``maximum``/``minimum`` of the floor it calls there is the select-free form (a select keeps
    XLA:CPU's fused loop off YNNPACK's multi-threaded path)."""
    from jmetrics._floor import _extrema

    fn = getattr(jmetrics, name)
    t, p = (np.array(x[:, :1]) for x in inputs(name, 4096))
    assert "f32[4,1024]" in str(jax.make_jaxpr(fn)(t, p)), name
    modes = []
    keep_nan = _extrema._keep_nan

    def recorded(out, a, b):  # type: ignore[no-untyped-def]
        modes.append(_extrema._SELECT_FREE.get())
        return keep_nan(out, a, b)

    monkeypatch.setattr(_extrema, "_keep_nan", recorded)
    with jax.disable_jit():  # every Python line runs (no cached trace)
        fn(t[:2048], p[:2048])
    assert all(modes), (name, modes)

ONE_COLUMN_ARITHMETIC = ("mean_squared_error", "mean_absolute_error",
                         "mean_absolute_percentage_error", "mean_squared_logarithmic_error",
                         "log_cosh", "huber", "poisson", "categorical_hinge")


@pytest.mark.parametrize("name", ONE_COLUMN_ARITHMETIC)
def test_one_column_path_traces_no_select(name: str) -> None:
    """Over ``(n, 1)`` these kernels are plain arithmetic on a flat view (no select, which would
    keep XLA:CPU's fused loop off YNNPACK's multi-threaded path)."""
    t = p = jnp.ones((4096, 1))
    jaxpr = str(jax.make_jaxpr(getattr(kernels, name))(t, p))
    assert "select_n" not in jaxpr, name
    assert "f32[4,1024]" in jaxpr, name  # the wide flat view


@pytest.mark.parametrize("n", [131_072, 131_071, 640])
def test_one_column_views_give_the_float64_formula(n: int) -> None:
    """Wide 2-D view (n divisible by 1024), 1-D view (n odd), and a narrow one (640 = 5 x 128):
    the same values as float64 NumPy, with a NaN and +-inf kept where they are."""
    rng = np.random.default_rng(n)
    t = rng.uniform(0, 3, (n, 1)).astype(np.float32)
    p = rng.uniform(0, 3, (n, 1)).astype(np.float32)
    p[n // 2, 0], p[n // 3, 0], t[n // 5, 0] = np.nan, np.inf, -np.inf
    t64, p64 = t[:, 0].astype(np.float64), p[:, 0].astype(np.float64)
    with np.errstate(invalid="ignore"):
        want = {"mean_squared_error": (p64 - t64) ** 2,
                "mean_squared_logarithmic_error": (np.log1p(np.maximum(p64, 1e-7))
                                                   - np.log1p(np.maximum(t64, 1e-7))) ** 2,
                "huber": np.where(np.abs(p64 - t64) <= 1, 0.5 * (p64 - t64) ** 2,
                                  np.abs(p64 - t64) - 0.5)}
    for name, w in want.items():
        got = np.asarray(jax.jit(getattr(kernels, name))(t, p), np.float64)
        assert got.shape == (n,)
        np.testing.assert_array_equal(np.isnan(got), np.isnan(w), err_msg=name)
        np.testing.assert_allclose(got, w, rtol=2e-6, atol=1e-6, err_msg=name)


@pytest.mark.parametrize("name", ONE_COLUMN)
def test_one_column_wide_view_equals_the_flat_view_row_for_row(name: str) -> None:
    """Over ``(4096, 1)`` a one-column kernel computes on a ``(4, 1024)`` view, over
    ``(4095, 1)`` on ``(4095,)``: row for row the same values, with NaN and +-inf in either
    argument (jitted: the documented NaN, no raise); and summed in the same program (where
    XLA:CPU's fused max/min would drop a NaN) it is NaN exactly when a row is."""
    t, p = (np.array(x[:, :1]) for x in inputs(name, 4096, seed=3))
    p[7, 0], p[9, 0], p[10, 0], t[11, 0], t[12, 0] = np.nan, np.inf, -np.inf, np.nan, np.inf
    fn = jax.jit(getattr(jmetrics, name))
    wide = np.asarray(fn(t, p), np.float64)
    flat = np.asarray(fn(t[:-1], p[:-1]), np.float64)
    assert wide.shape == (4096,) and flat.shape == (4095,)
    np.testing.assert_array_equal(np.isnan(wide[:-1]), np.isnan(flat), err_msg=name)
    np.testing.assert_allclose(wide[:-1], flat, rtol=1e-6, atol=1e-7, err_msg=name)
    total = float(jax.jit(lambda a, b: jnp.sum(getattr(jmetrics, name)(a, b)))(t, p))
    assert np.isnan(total) == np.isnan(wide).any(), name
    if name in ONE_COLUMN_ARITHMETIC:  # the accuracy family compares: a NaN row is a miss
        assert np.isnan(wide[[7, 11]]).all(), name
