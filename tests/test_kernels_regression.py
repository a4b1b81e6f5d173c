"""Regression, KL/Poisson, cosine and correlation kernels against Keras 3.15.1 and float64 NumPy.

Oracles: the Keras 3 functions (JAX backend; all per-sample here) and references written below
from the formulas in /work/shared/reference/keras-semantics.md. No expected value comes from
jmetrics itself.
"""

from __future__ import annotations

from typing import Any

import hypothesis.extra.numpy as hnp
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import jmetrics
from tests import kernels_harness as H
from tests.kernels_harness import Case

N, D = 6, 4


def km(name: str, sign: float = 1.0, post: Any = None) -> Any:
    """A Keras 3 ``keras.metrics.<name>`` (or ``keras.losses``) oracle returning float64."""

    def call(t: np.ndarray, p: np.ndarray, **kw: Any) -> np.ndarray:
        keras = H.keras_module()
        fn = getattr(keras.metrics, name, None) or getattr(keras.losses, name)
        out = sign * np.asarray(fn(t, p, **kw), np.float64)
        return post(out) if post else out

    return call


# ---- float64 references, from the formulas -------------------------------------------------------


def eps(cdt: Any) -> float:
    return float(cdt(1e-7))


def r_mse(t, p, cdt):
    return np.mean((p - t) ** 2, -1)


def r_rmse(t, p, cdt):
    return np.sqrt(np.mean((p - t) ** 2, -1))


def r_mae(t, p, cdt):
    return np.mean(np.abs(p - t), -1)


def r_mape(t, p, cdt):
    return 100 * np.mean(np.abs(t - p) / np.maximum(np.abs(t), eps(cdt)), -1)


def r_msle(t, p, cdt):
    e = eps(cdt)
    return np.mean((np.log(np.maximum(p, e) + 1) - np.log(np.maximum(t, e) + 1)) ** 2, -1)


def r_logcosh(t, p, cdt):
    x = p - t
    return np.mean(np.logaddexp(x, -x) - np.log(2.0), -1)  # log(cosh x), overflow-free


def r_huber(t, p, cdt, delta=1.0):
    e = np.abs(p - t)
    return np.mean(np.where(e <= delta, 0.5 * e**2, delta * e - 0.5 * delta**2), -1)


def r_poisson(t, p, cdt):
    return np.mean(p - t * np.log(p + eps(cdt)), -1)


def r_kld(t, p, cdt):
    t, p = np.clip(t, eps(cdt), 1), np.clip(p, eps(cdt), 1)
    return np.sum(t * np.log(t / p), -1)


def r_cosine(t, p, cdt, axis=-1):
    nt = np.sqrt(np.sum(t * t, axis, keepdims=True))
    npp = np.sqrt(np.sum(p * p, axis, keepdims=True))
    return np.sum(t / np.maximum(nt, eps(cdt)) * p / np.maximum(npp, eps(cdt)), axis)


def r_pearson(t, p, cdt, axis=-1):
    tc, pc = t - t.mean(axis, keepdims=True), p - p.mean(axis, keepdims=True)
    return np.sum(tc * pc, axis) / np.sqrt(np.sum(tc * tc, axis) * np.sum(pc * pc, axis))


def r_concordance(t, p, cdt, axis=-1):
    """Lin's coefficient: Keras' ``(t - mean p)`` numerator has the same mean as the covariance."""
    mt, mp = t.mean(axis), p.mean(axis)
    cov = np.mean((t - t.mean(axis, keepdims=True)) * (p - p.mean(axis, keepdims=True)), axis)
    return 2 * cov / (t.var(axis) + p.var(axis) + (mt - mp) ** 2 + eps(cdt))


# ---- input generators ----------------------------------------------------------------------------


def g_random(rng):
    return (2 * rng.standard_normal((N, D))).astype(np.float32), (
        2 * rng.standard_normal((N, D))
    ).astype(np.float32)


def g_ties(rng):
    """Exact ties (error 0), zeros, and one row equal everywhere."""
    t, p = g_random(rng)
    p[:, 0] = t[:, 0]
    t[:, 1] = 0.0
    p[0] = t[0]
    return t, p


def g_mape(rng):
    """Zero and tiny targets: the 1e-7 floor gives values near 1e9."""
    t, p = g_random(rng)
    t[:, 0] = 0.0
    t[1, 1] = 1e-9
    t[2, 2] = -3e-8
    return t, p


def g_negative(rng):
    """Negative and zero values (clipped to 1e-7 by msle)."""
    t = rng.uniform(-2, 3, (N, D)).astype(np.float32)
    p = rng.uniform(-2, 3, (N, D)).astype(np.float32)
    t[:, 0], p[:, 1] = 0.0, 0.0
    return t, p


def g_big_errors(rng):
    """Errors of +-50 (cosh overflows float32 near 89) and exactly at delta = 1."""
    t = rng.standard_normal((N, D)).astype(np.float32)
    p = t + rng.choice([-50.0, -1.0, 0.25, 1.0, 50.0], (N, D)).astype(np.float32)
    return t, p


def g_counts(rng):
    t = rng.poisson(2.0, (N, D)).astype(np.float32)
    p = rng.uniform(0.05, 4, (N, D)).astype(np.float32)
    return t, p


def g_counts_zero(rng):
    t, p = g_counts(rng)
    p[:, 0] = 0.0
    return t, p


def g_dist(rng):
    def soft(x):
        e = np.exp(x - x.max(-1, keepdims=True))
        return (e / e.sum(-1, keepdims=True)).astype(np.float32)

    return soft(rng.standard_normal((N, D))), soft(rng.standard_normal((N, D)))


def g_dist_edges(rng):
    """Exact 0/1 probabilities, an all-zero y_true row and values above 1 (clipped)."""
    t, p = g_dist(rng)
    t[0] = [1, 0, 0, 0]
    p[0] = [0, 1, 0, 0]
    t[1] = 0.0
    p[2] = [1.5, 0, 0, 0]
    return t, p


def g_vectors(rng):
    """Zero vectors, parallel and opposite vectors."""
    t, p = g_random(rng)
    t[0] = 0.0
    p[1] = 0.0
    p[2] = 3 * t[2]
    p[3] = -t[3]
    return t, p


def g_corr(rng):
    t = rng.standard_normal((N, 5)).astype(np.float32)
    p = (0.5 * t + rng.standard_normal((N, 5))).astype(np.float32)
    p[0] = 2 * t[0] + 1  # perfectly correlated, different means
    p[1] = -t[1]
    return t, p


def g_corr_const(rng):
    """Constant rows: concordance is finite (0 or 1), Pearson would be 0/0."""
    t, p = g_corr(rng)
    t[2] = 3.0
    t[3], p[3] = 1.5, 1.5
    return t, p


def sqrt_of(out: np.ndarray) -> np.ndarray:
    return np.sqrt(out)


CASES = [
    Case("mse-random", jmetrics.mean_squared_error, r_mse, g_random, km("mean_squared_error"), grad=True, scale=10),
    Case("mse-ties", jmetrics.mean_squared_error, r_mse, g_ties, km("mean_squared_error"), grad=True, scale=10),
    Case("rmse-random", jmetrics.root_mean_squared_error, r_rmse, g_random, km("mean_squared_error", post=sqrt_of), grad=True),
    Case("rmse-ties", jmetrics.root_mean_squared_error, r_rmse, g_ties, km("mean_squared_error", post=sqrt_of)),
    Case("mae-random", jmetrics.mean_absolute_error, r_mae, g_random, km("mean_absolute_error"), grad=True),
    Case("mae-ties", jmetrics.mean_absolute_error, r_mae, g_ties, km("mean_absolute_error"), grad=True),
    Case("mape-random", jmetrics.mean_absolute_percentage_error, r_mape, g_random, km("mean_absolute_percentage_error"), grad=True, scale=100),
    Case("mape-zero-targets", jmetrics.mean_absolute_percentage_error, r_mape, g_mape, km("mean_absolute_percentage_error"), grad=True, scale=1e9),
    Case("msle-positive", jmetrics.mean_squared_logarithmic_error, r_msle, g_counts, km("mean_squared_logarithmic_error"), grad=True),
    Case("msle-negative", jmetrics.mean_squared_logarithmic_error, r_msle, g_negative, km("mean_squared_logarithmic_error"), grad=True),
    Case("log_cosh-random", jmetrics.log_cosh, r_logcosh, g_random, km("log_cosh"), grad=True),
    Case("log_cosh-big", jmetrics.log_cosh, r_logcosh, g_big_errors, km("log_cosh"), grad=True, scale=50),
    Case("huber-random", jmetrics.huber, r_huber, g_random, km("huber"), grad=True),
    Case("huber-at-delta", jmetrics.huber, r_huber, g_big_errors, km("huber"), grad=True, scale=50),
    Case("huber-delta-0.5", jmetrics.huber, r_huber, g_big_errors, km("huber"), kw={"delta": 0.5}, grad=True, scale=50),
    Case("poisson-counts", jmetrics.poisson, r_poisson, g_counts, km("poisson"), grad=True),
    Case("poisson-zero-rate", jmetrics.poisson, r_poisson, g_counts_zero, km("poisson"), grad=True, scale=20),
    Case("kld-random", jmetrics.kl_divergence, r_kld, g_dist, km("kl_divergence"), grad=True),
    Case("kld-edges", jmetrics.kl_divergence, r_kld, g_dist_edges, km("kl_divergence"), grad=True, scale=20),
    Case("cosine-random", jmetrics.cosine_similarity, r_cosine, g_random, km("cosine_similarity", sign=-1.0), grad=True),
    Case("cosine-zero-vectors", jmetrics.cosine_similarity, r_cosine, g_vectors, km("cosine_similarity", sign=-1.0), grad=True),
    Case("cosine-axis0", jmetrics.cosine_similarity, r_cosine, g_random, km("cosine_similarity", sign=-1.0), kw={"axis": 0}, grad=True),
    Case("cosine_proximity", jmetrics.cosine_proximity, r_cosine, g_vectors, km("cosine_similarity", sign=-1.0), grad=True),
    Case("pearson-random", jmetrics.pearson_correlation, r_pearson, g_corr, km("pearson_correlation"), grad=True),
    Case("pearson-axis0", jmetrics.pearson_correlation, r_pearson, g_corr, km("pearson_correlation"), kw={"axis": 0}, grad=True),
    Case("concordance-random", jmetrics.concordance_correlation, r_concordance, g_corr, km("concordance_correlation"), grad=True),
    Case("concordance-constant", jmetrics.concordance_correlation, r_concordance, g_corr_const, km("concordance_correlation"), grad=True),
]  # fmt: skip

SMOOTH = [c for c in CASES if c.id in {
    "mse-random", "rmse-random", "log_cosh-random", "huber-random", "poisson-counts", "kld-random",
    "cosine-random", "pearson-random", "concordance-random", "msle-positive", "mape-random",
}]  # fmt: skip
LAST_AXIS = [c for c in CASES if "axis" not in c.kw]


PRIMARY = H.primary(CASES, also=("mse-ties", "mape-zero-targets", "kld-edges", "cosine-zero-vectors", "log_cosh-big"))


@pytest.mark.parametrize("case", CASES, ids=H.ids(CASES))
def test_matches_keras3(case: Case) -> None:
    H.check_keras(case)


@pytest.mark.parametrize("case", CASES, ids=H.ids(CASES))
def test_matches_float64_reference(case: Case) -> None:
    H.check_reference(case)


@pytest.mark.parametrize("case", PRIMARY, ids=H.ids(PRIMARY))
def test_jit_equals_eager(case: Case) -> None:
    H.check_jit(case)


@pytest.mark.parametrize("case", PRIMARY, ids=H.ids(PRIMARY))
def test_vmap_equals_loop(case: Case) -> None:
    H.check_vmap(case)


@pytest.mark.parametrize("dtype", ["bfloat16", "float16", "float64"])
@pytest.mark.parametrize("case", PRIMARY, ids=H.ids(PRIMARY))
def test_dtypes(case: Case, dtype: str) -> None:
    H.check_dtype(case, dtype)


@pytest.mark.parametrize("case", [c for c in CASES if c.grad], ids=H.ids([c for c in CASES if c.grad]))
def test_gradient_is_finite(case: Case) -> None:
    H.check_grad(case)


@pytest.mark.parametrize("case", SMOOTH, ids=H.ids(SMOOTH))
def test_gradient_matches_finite_differences(case: Case) -> None:
    H.check_grad_numeric(case)


@pytest.mark.parametrize("case", LAST_AXIS, ids=H.ids(LAST_AXIS))
def test_shape_mismatch_raises(case: Case) -> None:
    H.check_shape_error(case)


@pytest.mark.parametrize("case", LAST_AXIS, ids=H.ids(LAST_AXIS))
def test_rank1_against_column_is_per_sample(case: Case) -> None:
    H.check_rank1_column(case)


# ---- specific behaviour ---------------------------------------------------------------------------


def test_golden_values_from_the_reference_document() -> None:
    """Values observed with Keras 3.15.1 and 2.3.1 (keras-semantics.md sections 1.2 and 4.1)."""
    assert float(jmetrics.poisson(jnp.array([[1.0]]), jnp.array([[0.0]]))[0]) == pytest.approx(16.118, abs=1e-3)
    mape = jmetrics.mean_absolute_percentage_error(jnp.array([[0.0, 0, 1, 1]]), jnp.array([[1.0, 1, 1, 0]]))
    assert float(mape[0]) == pytest.approx(5e8, rel=1e-6)
    t, p = jnp.array([[1.0, 2, 3, 4]]), jnp.array([[1.0, 3, 2, 5]])
    assert float(jmetrics.pearson_correlation(t, p)[0]) == pytest.approx(0.831522, abs=1e-6)
    assert float(jmetrics.concordance_correlation(t, p)[0]) == pytest.approx(0.785714, abs=1e-6)
    kld = jmetrics.kl_divergence(jnp.array([[0.0, 0.0]]), jnp.array([[0.4, 0.6]]))
    assert -4e-6 < float(kld[0]) < -2e-6  # all-zero y_true: tiny negative, both Keras versions
    cos = jmetrics.cosine_proximity(jnp.array([[0.0, 1, 1]]), jnp.array([[1.0, 0, 1]]))
    assert float(cos[0]) == pytest.approx(0.5)  # the 2.3.1 *metric* sign (the loss is -0.5)


def test_aliases_are_the_full_functions() -> None:
    """Keras 2 short aliases are the same objects, so ``__name__`` is the full name."""
    assert jmetrics.mse is jmetrics.mean_squared_error and jmetrics.mse.__name__ == "mean_squared_error"
    assert jmetrics.mae.__name__ == "mean_absolute_error"
    assert jmetrics.mape.__name__ == "mean_absolute_percentage_error"
    assert jmetrics.msle.__name__ == "mean_squared_logarithmic_error"
    assert jmetrics.kld is jmetrics.kullback_leibler_divergence is jmetrics.kl_divergence
    assert jmetrics.logcosh is jmetrics.log_cosh
    assert jmetrics.cosine is jmetrics.cosine_proximity
    assert jmetrics.metrics.mse is jmetrics.mse


def test_sklearn_equivalences() -> None:
    """Averaged over samples, the kernels give scikit-learn's aggregate metrics."""
    from sklearn import metrics as skm

    t, p = g_random(np.random.default_rng(5))
    mean = lambda fn: float(np.mean(np.asarray(fn(jnp.asarray(t), jnp.asarray(p)), np.float64)))  # noqa: E731
    assert mean(jmetrics.mse) == pytest.approx(skm.mean_squared_error(t, p), rel=1e-5)
    assert mean(jmetrics.mae) == pytest.approx(skm.mean_absolute_error(t, p), rel=1e-5)
    assert mean(jmetrics.mape) == pytest.approx(100 * skm.mean_absolute_percentage_error(t, p), rel=1e-5)
    tc, pc = g_counts(np.random.default_rng(5))
    msle = np.mean(np.asarray(jmetrics.msle(jnp.asarray(tc), jnp.asarray(pc)), np.float64))
    assert msle == pytest.approx(skm.mean_squared_log_error(tc, pc), rel=1e-5)


def test_extra_leading_axes() -> None:
    """A (K, N, d) input is K*N samples: the same as vmap over K."""
    rng = np.random.default_rng(7)
    t, p = rng.standard_normal((3, N, D)), rng.standard_normal((3, N, D))
    got = np.asarray(jmetrics.huber(jnp.asarray(t), jnp.asarray(p)))
    assert got.shape == (3, N)
    H.close(got, r_huber(t, p, np.float32), 1e-5, 1e-6, "huber on (K, N, d)")


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: jmetrics.huber(jnp.ones((2, 2)), jnp.ones((2, 2)), delta=0.0), r"huber: delta must be a float > 0; got 0.0"),
        (lambda: jmetrics.huber(jnp.ones((2, 2)), jnp.ones((2, 2)), delta=-1), r"huber: delta must be a float > 0"),
        (lambda: jmetrics.cosine_similarity(jnp.ones((2, 2)), jnp.ones((2, 2)), axis=2), r"cosine_similarity: axis must be an int in \[-2, 1\].*got 2"),
        (lambda: jmetrics.pearson_correlation(jnp.ones((2, 3)), jnp.ones((2, 3)), axis=1.0), r"pearson_correlation: axis must be an int"),
        (lambda: jmetrics.mean_squared_error(jnp.float32(1), jnp.float32(1)), r"mean_squared_error: .*at least one axis"),
    ],
)  # fmt: skip
def test_option_errors(call: Any, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        call()


def test_option_type_error() -> None:
    with pytest.raises(TypeError, match=r"huber: delta must be a float; got 'a'"):
        jmetrics.huber(jnp.ones((2, 2)), jnp.ones((2, 2)), delta="a")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"mean_squared_error: y_true must be an array of numbers"):
        jmetrics.mean_squared_error("abc", jnp.ones((2, 2)))


def test_integer_inputs_compute_in_float32() -> None:
    got = jmetrics.mean_absolute_error(jnp.array([[1, 2]]), jnp.array([[2, 5]]))
    assert got.dtype == jnp.float32 and got.tolist() == [2.0]


# ---- properties ----------------------------------------------------------------------------------

_floats = hnp.arrays(np.float32, (5, 3), elements=st.floats(-100, 100, width=32))


@given(_floats, _floats)
def test_mse_symmetric_and_nonnegative(t: np.ndarray, p: np.ndarray) -> None:
    a = np.asarray(jmetrics.mse(jnp.asarray(t), jnp.asarray(p)))
    b = np.asarray(jmetrics.mse(jnp.asarray(p), jnp.asarray(t)))
    assert np.array_equal(a, b) and np.all(a >= 0)


@given(_floats, _floats, st.permutations(range(5)))
def test_permuting_samples_permutes_output(t: np.ndarray, p: np.ndarray, perm: list[int]) -> None:
    perm_a = np.asarray(perm)
    for fn in (jmetrics.log_cosh, jmetrics.cosine_similarity, jmetrics.huber):
        whole = np.asarray(fn(jnp.asarray(t), jnp.asarray(p)))
        permuted = np.asarray(fn(jnp.asarray(t[perm_a]), jnp.asarray(p[perm_a])))
        np.testing.assert_array_equal(permuted, whole[perm_a])


@given(_floats, _floats)
def test_cosine_in_range(t: np.ndarray, p: np.ndarray) -> None:
    c = np.asarray(jmetrics.cosine_similarity(jnp.asarray(t), jnp.asarray(p)))
    assert np.all(np.abs(c) <= 1 + 1e-5)
