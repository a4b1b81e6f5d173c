"""Crossentropy and focal kernels against Keras 3.15.1 (JAX backend) and float64 NumPy references.

The references clip with ``cdt(1 - 1e-7)``: in float32 that bound is ``1 - 1.19e-7``, which is why
Keras 3 gives 15.942 (not 16.118) for ``p = 1, t = 0`` (keras-semantics.md section 5).
"""

from __future__ import annotations

from functools import partial
from typing import Any

import hypothesis.extra.numpy as hnp
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import jmetrics
from tests import kernels_harness as H
from tests.kernels_harness import Case

N, C = 6, 4


def km(name: str) -> Any:
    def call(t: np.ndarray, p: np.ndarray, **kw: Any) -> np.ndarray:
        return np.asarray(getattr(H.keras_module().metrics, name)(t, p, **kw), np.float64)

    return call


# ---- float64 references ---------------------------------------------------------------------------


def bounds(cdt: Any) -> tuple[float, float]:
    return float(cdt(1e-7)), float(cdt(1 - 1e-7))


def softplus(x):
    return np.logaddexp(0.0, x)


def log_softmax(z, axis):
    m = z.max(axis, keepdims=True)
    return z - m - np.log(np.sum(np.exp(z - m), axis, keepdims=True))


def r_bce(t, p, cdt, from_logits=False, label_smoothing=0.0, axis=-1):
    t = t * (1 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:  # -(t log sigmoid(z) + (1-t) log sigmoid(-z))
        elem = t * softplus(-p) + (1 - t) * softplus(p)
    else:
        q = np.clip(p, *bounds(cdt))
        elem = -(t * np.log(q) + (1 - t) * np.log(1 - q))
    return elem.mean(axis)


def _log_q(p, cdt, from_logits, axis):
    if from_logits:
        return log_softmax(p, axis)
    return np.log(np.clip(p / p.sum(axis, keepdims=True), *bounds(cdt)))


def r_cce(t, p, cdt, from_logits=False, label_smoothing=0.0, axis=-1):
    t = t * (1 - label_smoothing) + label_smoothing / t.shape[axis]
    return -np.sum(t * _log_q(p, cdt, from_logits, axis), axis)


def r_scce(t, p, cdt, from_logits=False, axis=-1, ignore_class=None):
    log_q = np.moveaxis(_log_q(p, cdt, from_logits, axis), axis, -1)
    raw = t.reshape(log_q.shape[:-1])
    labels = np.trunc(raw).astype(int)
    valid = (labels >= 0) & (labels < log_q.shape[-1])
    if ignore_class is not None:
        valid &= raw != ignore_class
    picked = np.take_along_axis(log_q, np.clip(labels, 0, log_q.shape[-1] - 1)[..., None], -1)[..., 0]
    return np.where(valid, -picked, 0.0)


def r_bfocal(t, p, cdt, apply_class_balancing=False, alpha=0.25, gamma=2.0, from_logits=False,
             label_smoothing=0.0, axis=-1):  # fmt: skip
    t = t * (1 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        p = 1 / (1 + np.exp(-p))
    q = np.clip(p, *bounds(cdt))
    bce = -(t * np.log(q) + (1 - t) * np.log(1 - q))
    p_t = t * p + (1 - t) * (1 - p)
    loss = (1 - p_t) ** gamma * bce
    if apply_class_balancing:
        loss = loss * (t * alpha + (1 - t) * (1 - alpha))
    return loss.mean(axis)


def r_cfocal(t, p, cdt, alpha=0.25, gamma=2.0, from_logits=False, label_smoothing=0.0, axis=-1):
    t = t * (1 - label_smoothing) + label_smoothing / t.shape[axis]
    if from_logits:
        p = np.exp(log_softmax(p, axis))
    q = np.clip(p / p.sum(axis, keepdims=True), *bounds(cdt))
    a = np.asarray(alpha, np.float64)
    if a.ndim:
        a = a.reshape([-1 if i == axis % p.ndim else 1 for i in range(p.ndim)])
    return np.sum(a * (1 - q) ** gamma * -t * np.log(q), axis)


# ---- generators -----------------------------------------------------------------------------------


def g_probs(rng):
    return rng.integers(0, 2, (N, C)).astype(np.float32), rng.uniform(0.01, 0.99, (N, C)).astype(np.float32)


def g_probs_edges(rng):
    """Exact 0/1 probabilities (right and wrong), 0.5, and a value above 1 (clipped)."""
    t = rng.integers(0, 2, (N, C)).astype(np.float32)
    p = rng.choice(np.array([0.0, 1.0, 0.5, 1.5, 0.3], np.float32), (N, C))
    t[0, :2], p[0, :2] = [0.0, 1.0], [1.0, 0.0]
    return t, p


def g_probs_edges_in_range(rng):
    """Exact 0/1 probabilities without values above 1 (a negative base to a float power is NaN)."""
    t, p = g_probs_edges(rng)
    return t, np.minimum(p, 1.0)


def g_soft(rng):
    return rng.uniform(0, 1, (N, C)).astype(np.float32), rng.uniform(0.01, 0.99, (N, C)).astype(np.float32)


def g_logits(rng):
    return rng.integers(0, 2, (N, C)).astype(np.float32), (3 * rng.standard_normal((N, C))).astype(np.float32)


def g_logits_extreme(rng):
    t = rng.choice(np.array([0.0, 1.0, 0.3], np.float32), (N, C))
    z = rng.choice(np.array([-100.0, -20.0, 0.0, 20.0, 100.0], np.float32), (N, C))
    return t, z


def g_onehot(rng):
    t = np.eye(C, dtype=np.float32)[rng.integers(0, C, N)]
    return t, rng.uniform(0.05, 2.0, (N, C)).astype(np.float32)  # unnormalised: renormalised


def g_onehot_edges(rng):
    """The label's probability exactly 0 or 1, ties, and a row of zeros except one entry."""
    t, p = g_onehot(rng)
    p[0] = t[0]
    p[1] = 1 - t[1]
    p[2] = 0.25
    p[3] = 0.0
    p[3, 0] = 1.0
    return t, p


def g_cat_soft(rng):
    t = rng.dirichlet(np.ones(C), N).astype(np.float32)
    return t, rng.dirichlet(np.ones(C), N).astype(np.float32)


def g_cat_logits_extreme(rng):
    t, _ = g_onehot(rng)
    z = rng.choice(np.array([-100.0, -5.0, 0.0, 5.0, 100.0], np.float32), (N, C))
    z[0] = 0.0
    return t, z


def g_sparse(rng):
    return rng.integers(0, C, N), rng.uniform(0.05, 2.0, (N, C)).astype(np.float32)


def g_sparse_col(rng):
    t, p = g_sparse(rng)
    return t[:, None], p


def g_sparse_edges(rng):
    t, p = g_sparse(rng)
    p[0] = 0.0
    p[0, t[0]] = 1.0
    p[1, t[1]] = 0.0
    return t, p


def g_sparse_logits_extreme(rng):
    t, _ = g_sparse(rng)
    return t, rng.choice(np.array([-100.0, 0.0, 100.0], np.float32), (N, C))


def g_sparse_float(rng):
    t, p = g_sparse(rng)
    return t.astype(np.float32), p


def g_sparse_ignore(rng):
    t, p = g_sparse(rng)
    t[::2] = 2
    return t, p


def g_sparse_axis1(rng):
    """Class axis 1 of a (N, C, T) input: labels (N, T)."""
    return rng.integers(0, C, (N, 3)), rng.uniform(0.05, 2.0, (N, C, 3)).astype(np.float32)


LS = {"label_smoothing": 0.2}
CASES = [
    Case("bce-probs", jmetrics.binary_crossentropy, r_bce, g_probs, km("binary_crossentropy"), grad=True),
    Case("bce-edges", jmetrics.binary_crossentropy, r_bce, g_probs_edges, km("binary_crossentropy"), grad=True, scale=20),
    Case("bce-soft-ls", jmetrics.binary_crossentropy, r_bce, g_soft, km("binary_crossentropy"), kw=LS, grad=True),
    Case("bce-edges-ls", jmetrics.binary_crossentropy, r_bce, g_probs_edges, km("binary_crossentropy"), kw=LS, grad=True, scale=20),
    Case("bce-logits", jmetrics.binary_crossentropy, r_bce, g_logits, km("binary_crossentropy"), kw={"from_logits": True}, grad=True),
    Case("bce-logits-extreme", jmetrics.binary_crossentropy, r_bce, g_logits_extreme, km("binary_crossentropy"), kw={"from_logits": True}, grad=True, scale=100),
    Case("bce-logits-extreme-ls", jmetrics.binary_crossentropy, r_bce, g_logits_extreme, km("binary_crossentropy"), kw={"from_logits": True, "label_smoothing": 1.0}, grad=True, scale=100),
    Case("bce-axis0", jmetrics.binary_crossentropy, r_bce, g_probs, km("binary_crossentropy"), kw={"axis": 0}, grad=True),
    Case("cce-probs", jmetrics.categorical_crossentropy, r_cce, g_onehot, km("categorical_crossentropy"), grad=True),
    Case("cce-edges", jmetrics.categorical_crossentropy, r_cce, g_onehot_edges, km("categorical_crossentropy"), grad=True, scale=20),
    Case("cce-soft-ls", jmetrics.categorical_crossentropy, r_cce, g_cat_soft, km("categorical_crossentropy"), kw=LS, grad=True),
    Case("cce-logits-extreme", jmetrics.categorical_crossentropy, r_cce, g_cat_logits_extreme, km("categorical_crossentropy"), kw={"from_logits": True}, grad=True, scale=200),
    Case("cce-logits-extreme-ls", jmetrics.categorical_crossentropy, r_cce, g_cat_logits_extreme, km("categorical_crossentropy"), kw={"from_logits": True, "label_smoothing": 0.1}, grad=True, scale=200),
    Case("cce-axis0", jmetrics.categorical_crossentropy, r_cce, g_cat_soft, km("categorical_crossentropy"), kw={"axis": 0}, grad=True),
    Case("scce-probs", jmetrics.sparse_categorical_crossentropy, r_scce, g_sparse, km("sparse_categorical_crossentropy"), grad=True, sparse=True),
    Case("scce-col", jmetrics.sparse_categorical_crossentropy, r_scce, g_sparse_col, km("sparse_categorical_crossentropy"), grad=True, sparse=True),
    Case("scce-edges", jmetrics.sparse_categorical_crossentropy, r_scce, g_sparse_edges, km("sparse_categorical_crossentropy"), grad=True, sparse=True, scale=20),
    Case("scce-logits-extreme", jmetrics.sparse_categorical_crossentropy, r_scce, g_sparse_logits_extreme, km("sparse_categorical_crossentropy"), kw={"from_logits": True}, grad=True, sparse=True, scale=200),
    Case("scce-float-labels", jmetrics.sparse_categorical_crossentropy, r_scce, g_sparse_float, km("sparse_categorical_crossentropy"), grad=True, sparse=True),
    Case("scce-ignore", jmetrics.sparse_categorical_crossentropy, r_scce, g_sparse_ignore, km("sparse_categorical_crossentropy"), kw={"ignore_class": 2}, grad=True, sparse=True),
    Case("scce-axis1", jmetrics.sparse_categorical_crossentropy, r_scce, g_sparse_axis1, None, kw={"axis": 1}, grad=True, sparse=True),
    Case("bfocal-probs", jmetrics.binary_focal_crossentropy, r_bfocal, g_probs, km("binary_focal_crossentropy"), grad=True),
    Case("bfocal-edges-balanced", jmetrics.binary_focal_crossentropy, r_bfocal, g_probs_edges_in_range, km("binary_focal_crossentropy"), kw={"apply_class_balancing": True, "alpha": 0.4, "gamma": 1.5}, grad=True, scale=20),
    Case("bfocal-logits-extreme-ls", jmetrics.binary_focal_crossentropy, r_bfocal, g_logits_extreme, km("binary_focal_crossentropy"), kw={"from_logits": True, "label_smoothing": 0.1}, grad=True, scale=20),
    Case("cfocal-probs", jmetrics.categorical_focal_crossentropy, r_cfocal, g_onehot, km("categorical_focal_crossentropy"), grad=True),
    Case("cfocal-edges-alpha-vector", jmetrics.categorical_focal_crossentropy, r_cfocal, g_onehot_edges, km("categorical_focal_crossentropy"), kw={"alpha": (0.1, 0.2, 0.3, 0.4), "gamma": 3.0}, grad=True, scale=20),
    Case("cfocal-logits-extreme-ls", jmetrics.categorical_focal_crossentropy, r_cfocal, g_cat_logits_extreme, km("categorical_focal_crossentropy"), kw={"from_logits": True, "label_smoothing": 0.1}, grad=True, scale=50),
]  # fmt: skip

KERAS = [c for c in CASES if c.keras is not None]
PRIMARY = H.primary(CASES, also=("bce-logits-extreme", "cce-logits-extreme", "scce-logits-extreme", "scce-axis1"))
SMOOTH = [c for c in CASES if c.id in {"bce-probs", "bce-soft-ls", "bce-logits", "cce-probs", "cce-soft-ls",
                                       "scce-probs", "bfocal-probs", "cfocal-probs"}]  # fmt: skip
LAST_AXIS = [c for c in CASES if "axis" not in c.kw]


@pytest.mark.parametrize("case", KERAS, ids=H.ids(KERAS))
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


@pytest.mark.parametrize("case", CASES, ids=H.ids(CASES))
def test_gradient_is_finite(case: Case) -> None:
    H.check_grad(case)


@pytest.mark.parametrize("case", SMOOTH, ids=H.ids(SMOOTH))
def test_gradient_matches_finite_differences(case: Case) -> None:
    H.check_grad_numeric(case)


@pytest.mark.parametrize("case", LAST_AXIS, ids=H.ids(LAST_AXIS))
def test_shape_mismatch_raises(case: Case) -> None:
    H.check_shape_error(case)


@pytest.mark.parametrize("case", [c for c in LAST_AXIS if c.fn in (jmetrics.binary_crossentropy, jmetrics.binary_focal_crossentropy)],
                         ids=H.ids([c for c in LAST_AXIS if c.fn in (jmetrics.binary_crossentropy, jmetrics.binary_focal_crossentropy)]))  # fmt: skip
def test_rank1_against_column_is_per_sample(case: Case) -> None:
    H.check_rank1_column(case)


# ---- specific behaviour ---------------------------------------------------------------------------


def test_golden_values_from_the_reference_document() -> None:
    """Keras 3.15.1 values recorded in keras-semantics.md (sections 1.2, 4.2 and 5)."""
    bce = jmetrics.binary_crossentropy(jnp.array([[0.0, 1.0]]), jnp.array([[1.0, 0.0]]))
    assert float(bce[0]) == pytest.approx(16.030, abs=1e-3)  # Keras 2.3.1 + TF gave 15.379
    assert float(jmetrics.binary_crossentropy(jnp.array([[1.0]]), jnp.array([[1.5]]))[0]) == pytest.approx(0.0, abs=2e-7)
    cce = jmetrics.categorical_crossentropy(jnp.array([[0.0, 1, 0]]), jnp.array([[0.1, 0.2, 0.2]]))
    assert float(cce[0]) == pytest.approx(0.91629, abs=1e-5)  # unnormalised p, renormalised
    # Keras 3 docstring example, with ignore_class=2: [0.0513, 0] (Mean on JAX gives 0.025647).
    p = jnp.array([[0.05, 0.95, 0.0], [0.1, 0.8, 0.1]])
    scce = jmetrics.sparse_categorical_crossentropy(jnp.array([1, 2]), p, ignore_class=2)
    np.testing.assert_allclose(np.asarray(scce), [0.051293, 0.0], atol=1e-6)
    assert float(np.mean(np.asarray(scce))) == pytest.approx(0.025647, abs=1e-6)


def test_sparse_out_of_range_labels() -> None:
    """Eagerly: ValueError naming the function and the labels. Under jit and vmap: NaN in the
    samples whose label is not a class id (Keras 3 gives loss 0 for 3 and -1), Keras 3's loss in
    the others. ``ignore_class`` labels are exempt, even negative ones: their loss is 0."""
    p = np.random.default_rng(5).dirichlet(np.ones(3), size=7).astype(np.float32)
    scce = jmetrics.sparse_categorical_crossentropy
    jitted = jax.jit(scce, static_argnames="ignore_class")
    labels = np.array([3, -1, 2, np.nan, 0, np.inf, 1], np.float32)
    with pytest.raises(ValueError, match=r"sparse_categorical_crossentropy: y_true must hold class "
                                         r"ids in \[0, 2\].*got labels in \[-1, inf\] and NaN"):
        scce(labels, p)
    for ignore, exempt in ((None, []), (-1, [-1]), (3, [3])):
        bad = ~np.isin(labels, [0, 1, 2, *exempt])
        with pytest.raises(ValueError, match=r"sparse_categorical_crossentropy: y_true"):
            scce(labels, p, ignore_class=ignore)
        scce(labels[~bad], p[~bad], ignore_class=ignore)  # the exempt labels are accepted
        want = km("sparse_categorical_crossentropy")(labels[~bad], p[~bad], ignore_class=ignore)
        one = partial(jitted, ignore_class=ignore)
        for got in (one(labels, p), jax.vmap(one)(labels[:, None], p[:, None])[:, 0]):
            got = np.asarray(got, np.float64)
            np.testing.assert_array_equal(np.isnan(got), bad)
            np.testing.assert_allclose(got[~bad], want, rtol=1e-6, atol=1e-7)
            np.testing.assert_allclose(got[np.isin(labels, exempt)], 0.0)


def test_sparse_matches_categorical_on_one_hot() -> None:
    rng = np.random.default_rng(3)
    labels, p = g_sparse(rng)
    onehot = np.eye(C, dtype=np.float32)[labels]
    for kw in ({}, {"from_logits": True}):
        a = jmetrics.sparse_categorical_crossentropy(jnp.asarray(labels), jnp.asarray(p), **kw)
        b = jmetrics.categorical_crossentropy(jnp.asarray(onehot), jnp.asarray(p), **kw)
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-6)


def test_focal_with_gamma_zero_is_crossentropy() -> None:
    t, p = g_probs(np.random.default_rng(4))
    jt, jp = jnp.asarray(t), jnp.asarray(p)
    np.testing.assert_allclose(
        np.asarray(jmetrics.binary_focal_crossentropy(jt, jp, gamma=0.0)),
        np.asarray(jmetrics.binary_crossentropy(jt, jp)), rtol=1e-6,
    )
    t, p = g_onehot(np.random.default_rng(4))
    np.testing.assert_allclose(
        np.asarray(jmetrics.categorical_focal_crossentropy(jnp.asarray(t), jnp.asarray(p), gamma=0.0, alpha=1.0)),
        np.asarray(jmetrics.categorical_crossentropy(jnp.asarray(t), jnp.asarray(p))), rtol=1e-6,
    )


def test_half_precision_does_not_overflow_at_the_clip() -> None:
    """bf16/f16 compute in float32: p = 1, t = 1 gives ~1e-7, not NaN (0 * log 0)."""
    for dtype in (jnp.bfloat16, jnp.float16):
        v = jmetrics.binary_crossentropy(jnp.array([[1.0, 0.0]], dtype), jnp.array([[1.0, 0.0]], dtype))
        assert v.dtype == dtype and bool(jnp.isfinite(v[0])) and float(v[0]) < 1e-3


def test_sklearn_log_loss() -> None:
    from sklearn.metrics import log_loss

    rng = np.random.default_rng(6)
    labels, p = g_sparse(rng)
    p = p / p.sum(-1, keepdims=True)
    ours = float(np.mean(np.asarray(jmetrics.sparse_categorical_crossentropy(jnp.asarray(labels), jnp.asarray(p)))))
    assert ours == pytest.approx(log_loss(labels, p, labels=range(C)), rel=1e-5)
    t, pb = g_probs(rng)
    ours_b = float(np.mean(np.asarray(jmetrics.binary_crossentropy(jnp.asarray(t[:, :1]), jnp.asarray(pb[:, :1])))))
    assert ours_b == pytest.approx(log_loss(t[:, 0], pb[:, 0]), rel=1e-5)


@pytest.mark.parametrize(
    ("call", "exc", "match"),
    [
        (lambda: jmetrics.binary_crossentropy(jnp.ones((2, 2)), jnp.ones((2, 2)), label_smoothing=1.5), ValueError, r"binary_crossentropy: label_smoothing must be a float in \[0, 1\]; got 1.5"),
        (lambda: jmetrics.categorical_crossentropy(jnp.ones((2, 2)), jnp.ones((2, 2)), label_smoothing=-0.1), ValueError, r"categorical_crossentropy: label_smoothing must be a float in \[0, 1\]"),
        (lambda: jmetrics.categorical_crossentropy(jnp.ones((2, 2)), jnp.ones((2, 2)), from_logits="yes"), TypeError, r"categorical_crossentropy: from_logits must be True or False"),
        (lambda: jmetrics.binary_crossentropy(jnp.ones((2, 2)), jnp.ones((2, 2)), axis=2), ValueError, r"binary_crossentropy: axis must be an int in \[-2, 1\]"),
        (lambda: jmetrics.binary_focal_crossentropy(jnp.ones((2, 2)), jnp.ones((2, 2)), gamma=-1.0), ValueError, r"binary_focal_crossentropy: gamma must be a float >= 0"),
        (lambda: jmetrics.binary_focal_crossentropy(jnp.ones((2, 2)), jnp.ones((2, 2)), alpha=1.5), ValueError, r"binary_focal_crossentropy: alpha must be a float in \[0, 1\]"),
        (lambda: jmetrics.categorical_focal_crossentropy(jnp.ones((2, 3)), jnp.ones((2, 3)), alpha=[0.1, 0.2]), ValueError, r"categorical_focal_crossentropy: alpha must be a float or a sequence of 3 floats"),
        (lambda: jmetrics.sparse_categorical_crossentropy(jnp.ones(2), jnp.ones((2, 3)), ignore_class=1.5), TypeError, r"sparse_categorical_crossentropy: ignore_class must be an int or None"),
        (lambda: jmetrics.sparse_categorical_crossentropy(jnp.ones(2), jnp.ones((2, 3)), axis=3), ValueError, r"sparse_categorical_crossentropy: axis must be an int in \[-2, 1\]"),
        (lambda: jmetrics.sparse_categorical_crossentropy(jnp.ones((2, 3)), jnp.ones((2, 3, 4)), axis=1), ValueError, r"sparse_categorical_crossentropy: .*\(2, 3\).*\(2, 3, 4\).*Expected y_true shape \(2, 4\)"),
    ],
)  # fmt: skip
def test_option_errors(call: Any, exc: type, match: str) -> None:
    with pytest.raises(exc, match=match):
        call()


# ---- properties ----------------------------------------------------------------------------------

_logits = hnp.arrays(np.float32, (5, 4), elements=st.floats(-30, 30, width=32))
_labels = hnp.arrays(np.int32, (5,), elements=st.integers(0, 3))


@given(_labels, _logits, st.floats(-50, 50))
def test_logit_shift_invariance_and_nonnegativity(t: np.ndarray, z: np.ndarray, shift: float) -> None:
    a = np.asarray(jmetrics.sparse_categorical_crossentropy(jnp.asarray(t), jnp.asarray(z), from_logits=True))
    b = np.asarray(jmetrics.sparse_categorical_crossentropy(jnp.asarray(t), jnp.asarray(z + np.float32(shift)), from_logits=True))
    assert np.all(a >= 0)
    np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4)


@given(_labels, _logits, st.permutations(range(5)))
def test_permuting_samples_permutes_output(t: np.ndarray, z: np.ndarray, perm: list[int]) -> None:
    idx = np.asarray(perm)
    onehot = np.eye(4, dtype=np.float32)[t]
    for fn, y in ((jmetrics.categorical_crossentropy, onehot), (jmetrics.binary_crossentropy, onehot)):
        whole = np.asarray(fn(jnp.asarray(y), jnp.asarray(z), from_logits=True))
        np.testing.assert_array_equal(np.asarray(fn(jnp.asarray(y[idx]), jnp.asarray(z[idx]), from_logits=True)), whole[idx])
