"""Accuracy-family and hinge kernels against Keras 3.15.1 and float64 NumPy references.

Keras 3's ``accuracy`` and ``binary_accuracy`` are elementwise: the oracle averages them over the
last axis (what Keras' ``Mean`` does per sample). All other Keras functions here are per-sample.
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

N, C = 8, 4


def km(name: str, elementwise: bool = False) -> Any:
    """A Keras 3 oracle: ``keras.metrics.<name>`` (or the metric module's private function)."""

    def call(t: np.ndarray, p: np.ndarray, **kw: Any) -> np.ndarray:
        keras = H.keras_module()
        if name == "accuracy":  # not exported; the function keras.metrics.Accuracy wraps
            from keras.src.metrics.accuracy_metrics import accuracy as fn
        else:
            fn = getattr(keras.metrics, name)
        out = np.asarray(fn(t, p, **kw), np.float64)
        if name == "sparse_top_k_categorical_accuracy":
            out = out.reshape(p.shape[:-1])  # Keras 3 keeps a (N, 1) label shape; we return (N,)
        return out.mean(-1) if elementwise else out

    return call


# ---- float64 references ---------------------------------------------------------------------------


def r_accuracy(t, p, cdt):
    return np.mean(t == p, -1)


def r_binary_accuracy(t, p, cdt, threshold=0.5):
    return np.mean(t == (p > threshold), -1)


def r_categorical_accuracy(t, p, cdt):
    return (np.argmax(t, -1) == np.argmax(p, -1)).astype(np.float64)


def r_sparse_categorical_accuracy(t, p, cdt):
    return (t.reshape(p.shape[:-1]) == np.argmax(p, -1)).astype(np.float64)


def _in_top_k(p, labels, k):
    """The label's score is at least the k-th largest score (with multiplicity): ties count in."""
    kth = np.sort(p, -1)[..., ::-1][..., min(k, p.shape[-1]) - 1]
    p_label = np.take_along_axis(p, labels[..., None].astype(int), -1)[..., 0]
    return (p_label >= kth).astype(np.float64)


def r_top_k(t, p, cdt, k=5):
    return _in_top_k(p, np.argmax(t, -1), k)


def r_sparse_top_k(t, p, cdt, k=5, from_sorted_ids=False):
    labels = t.reshape(p.shape[:-1])
    if from_sorted_ids:
        return np.any(p[..., :k] == labels[..., None], -1).astype(np.float64)
    return _in_top_k(p, labels, k)


def _signed(t):
    return 2 * t - 1 if np.all((t == 0) | (t == 1)) else t


def r_hinge(t, p, cdt):
    return np.mean(np.maximum(1 - _signed(t) * p, 0), -1)


def r_squared_hinge(t, p, cdt):
    return np.mean(np.maximum(1 - _signed(t) * p, 0) ** 2, -1)


def r_categorical_hinge(t, p, cdt):
    return np.maximum(np.max((1 - t) * p, -1) - np.sum(t * p, -1) + 1, 0)


# ---- generators -----------------------------------------------------------------------------------


def g_labels(rng):
    """Integer labels and integer predicted labels (exact equality)."""
    return rng.integers(0, 3, (N, 3)), rng.integers(0, 3, (N, 3))


def g_float_labels(rng):
    t = rng.integers(0, 3, (N, 3)).astype(np.float32)
    p = t.copy()
    p[::2, 0] += 0.5
    return t, p


def g_binary(rng):
    return rng.integers(0, 2, (N, 3)).astype(np.float32), rng.random((N, 3)).astype(np.float32)


def g_binary_edges(rng):
    """Scores exactly at the thresholds, above 1, below 0; soft labels never match."""
    t = rng.integers(0, 2, (N, 3)).astype(np.float32)
    p = rng.choice(np.array([0.5, 0.7, 2.0, -1.0, 1.0, 0.0, 0.69], np.float32), (N, 3))
    t[0, 0] = 0.9
    return t, p


def g_binary_int_labels(rng):
    return rng.integers(0, 2, (N, 3)), rng.random((N, 3)).astype(np.float32)


def g_onehot(rng, c=C):
    t = np.eye(c, dtype=np.float32)[rng.integers(0, c, N)]
    return t, rng.random((N, c)).astype(np.float32)


def g_onehot_ties(rng, c=C):
    """Rows with tied maxima, a constant row, and scores quantised so ties are common."""
    t, _ = g_onehot(rng, c)
    p = rng.integers(0, 3, (N, c)).astype(np.float32) / 2
    p[0] = 0.25
    p[1, :2] = 1.0
    t[1] = np.eye(c)[1]
    return t, p


def g_wide(rng):
    return g_onehot_ties(rng, 150)  # the pairwise-tree argmax path (C > 64, odd halves)


def g_sparse(rng, c=C):
    return rng.integers(0, c, N), rng.random((N, c)).astype(np.float32)


def g_sparse_col(rng):
    t, p = g_sparse(rng)
    return t[:, None], p


def g_sparse_ties(rng):
    t, _ = g_sparse(rng)
    p = rng.integers(0, 2, (N, C)).astype(np.float32)
    p[0] = 0.5
    return t, p


def g_sparse_float(rng):
    t, p = g_sparse_ties(rng)
    return t.astype(np.float32), p


def g_sparse_wide(rng):
    t, p = g_sparse(rng, 70)
    return t, np.round(p * 4) / 4  # many ties


def g_sorted_ids(rng):
    t = rng.integers(0, 10, N)
    ids = np.stack([rng.permutation(10)[:5] for _ in range(N)])
    ids[0, 0] = t[0]
    return t, ids


def g_hinge01(rng):
    return rng.integers(0, 2, (N, 3)).astype(np.float32), rng.standard_normal((N, 3)).astype(np.float32)


def g_hinge_pm(rng):
    t, p = g_hinge01(rng)
    return 2 * t - 1, p


def g_hinge_mixed(rng):
    """Labels 0/1 except one 0.5: the whole array is then *not* converted (the Keras rule)."""
    t, p = g_hinge01(rng)
    t[rng.integers(N), 0] = 0.5
    return t, p


def g_cat_hinge(rng):
    t, _ = g_onehot(rng)
    return t, rng.standard_normal((N, C)).astype(np.float32)


CASES = [
    Case("accuracy-int", jmetrics.accuracy, r_accuracy, g_labels, km("accuracy", True)),
    Case("accuracy-float", jmetrics.accuracy, r_accuracy, g_float_labels, km("accuracy", True)),
    Case("binary_accuracy", jmetrics.binary_accuracy, r_binary_accuracy, g_binary, km("binary_accuracy", True)),
    Case("binary_accuracy-edges", jmetrics.binary_accuracy, r_binary_accuracy, g_binary_edges, km("binary_accuracy", True)),
    Case("binary_accuracy-thr0.7", jmetrics.binary_accuracy, r_binary_accuracy, g_binary_edges, km("binary_accuracy", True), kw={"threshold": 0.7}),
    Case("binary_accuracy-int-labels", jmetrics.binary_accuracy, r_binary_accuracy, g_binary_int_labels, km("binary_accuracy", True)),
    Case("categorical_accuracy", jmetrics.categorical_accuracy, r_categorical_accuracy, g_onehot, km("categorical_accuracy")),
    Case("categorical_accuracy-ties", jmetrics.categorical_accuracy, r_categorical_accuracy, g_onehot_ties, km("categorical_accuracy")),
    Case("categorical_accuracy-150", jmetrics.categorical_accuracy, r_categorical_accuracy, g_wide, km("categorical_accuracy")),
    Case("sparse_categorical_accuracy", jmetrics.sparse_categorical_accuracy, r_sparse_categorical_accuracy, g_sparse, km("sparse_categorical_accuracy"), sparse=True),
    Case("sparse_categorical_accuracy-col", jmetrics.sparse_categorical_accuracy, r_sparse_categorical_accuracy, g_sparse_col, km("sparse_categorical_accuracy"), sparse=True),
    Case("sparse_categorical_accuracy-ties", jmetrics.sparse_categorical_accuracy, r_sparse_categorical_accuracy, g_sparse_ties, km("sparse_categorical_accuracy"), sparse=True),
    Case("sparse_categorical_accuracy-float", jmetrics.sparse_categorical_accuracy, r_sparse_categorical_accuracy, g_sparse_float, km("sparse_categorical_accuracy"), sparse=True),
    Case("top_k-k1-ties", jmetrics.top_k_categorical_accuracy, r_top_k, g_onehot_ties, km("top_k_categorical_accuracy"), kw={"k": 1}),
    Case("top_k-k2", jmetrics.top_k_categorical_accuracy, r_top_k, g_onehot, km("top_k_categorical_accuracy"), kw={"k": 2}),
    Case("top_k-k5-above-C", jmetrics.top_k_categorical_accuracy, r_top_k, g_onehot, km("top_k_categorical_accuracy")),
    Case("top_k-150-k3", jmetrics.top_k_categorical_accuracy, r_top_k, g_wide, km("top_k_categorical_accuracy"), kw={"k": 3}),
    Case("sparse_top_k-k1-ties", jmetrics.sparse_top_k_categorical_accuracy, r_sparse_top_k, g_sparse_ties, km("sparse_top_k_categorical_accuracy"), kw={"k": 1}, sparse=True),
    Case("sparse_top_k-k2-col", jmetrics.sparse_top_k_categorical_accuracy, r_sparse_top_k, g_sparse_col, km("sparse_top_k_categorical_accuracy"), kw={"k": 2}, sparse=True),
    Case("sparse_top_k-float-labels", jmetrics.sparse_top_k_categorical_accuracy, r_sparse_top_k, g_sparse_float, km("sparse_top_k_categorical_accuracy"), kw={"k": 2}, sparse=True),
    Case("sparse_top_k-70-k5", jmetrics.sparse_top_k_categorical_accuracy, r_sparse_top_k, g_sparse_wide, km("sparse_top_k_categorical_accuracy"), sparse=True),
    Case("sparse_top_k-sorted-ids", jmetrics.sparse_top_k_categorical_accuracy, r_sparse_top_k, g_sorted_ids, km("sparse_top_k_categorical_accuracy"), kw={"k": 3, "from_sorted_ids": True}, sparse=True),
    Case("hinge-01", jmetrics.hinge, r_hinge, g_hinge01, km("hinge"), grad=True),
    Case("hinge-pm1", jmetrics.hinge, r_hinge, g_hinge_pm, km("hinge"), grad=True),
    Case("hinge-not-binary", jmetrics.hinge, r_hinge, g_hinge_mixed, km("hinge"), grad=True),
    Case("squared_hinge-01", jmetrics.squared_hinge, r_squared_hinge, g_hinge01, km("squared_hinge"), grad=True, scale=10),
    Case("squared_hinge-not-binary", jmetrics.squared_hinge, r_squared_hinge, g_hinge_mixed, km("squared_hinge"), grad=True, scale=10),
    Case("categorical_hinge", jmetrics.categorical_hinge, r_categorical_hinge, g_cat_hinge, km("categorical_hinge"), grad=True),
]  # fmt: skip

GRAD = [c for c in CASES if c.grad]
DENSE = [c for c in CASES if not c.sparse]


PRIMARY = H.primary(CASES, also=("categorical_accuracy-ties", "binary_accuracy-edges", "hinge-not-binary", "sparse_top_k-70-k5"))


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


@pytest.mark.parametrize("case", GRAD, ids=H.ids(GRAD))
def test_gradient_is_finite(case: Case) -> None:
    H.check_grad(case)


@pytest.mark.parametrize("case", CASES, ids=H.ids(CASES))
def test_shape_mismatch_raises(case: Case) -> None:
    H.check_shape_error(case)


@pytest.mark.parametrize("case", [c for c in DENSE if "top_k" not in c.id and "categorical" not in c.id],
                         ids=H.ids([c for c in DENSE if "top_k" not in c.id and "categorical" not in c.id]))
def test_rank1_against_column_is_per_sample(case: Case) -> None:
    H.check_rank1_column(case)


# ---- specific behaviour ---------------------------------------------------------------------------


def test_golden_values_from_the_reference_document() -> None:
    """Keras 3.15.1 / 2.3.1 values from keras-semantics.md (sections 1.2 and 4.2)."""
    t, p = jnp.array([[0.0, 1], [0, 0]]), jnp.array([[0.6, 0.4], [0.4, 0.6]])
    np.testing.assert_allclose(np.asarray(jmetrics.hinge(t, p)), [1.1, 1.5], rtol=1e-6)
    ch = jmetrics.categorical_hinge(jnp.array([[0.0, 1, 1]]), jnp.array([[1.0, 0, 1]]))
    assert ch.tolist() == [1.0]
    # Keras 3: strict '>' -- p = 0.5 predicts 0, p = 2.0 predicts 1 (2.3.1 rounded to 2: a miss).
    ba = jmetrics.binary_accuracy(jnp.array([[1.0], [0.0], [1.0]]), jnp.array([[0.5], [0.5], [2.0]]))
    assert ba.tolist() == [0.0, 1.0, 1.0]
    # Ties: first index for argmax, in favour for top-k.
    ca = jmetrics.categorical_accuracy(jnp.array([[0.0, 1]]), jnp.array([[0.5, 0.5]]))
    assert ca.tolist() == [0.0]
    tk = jmetrics.sparse_top_k_categorical_accuracy(jnp.array([0, 1]), jnp.array([[0.5, 0.5]] * 2), k=1)
    assert tk.tolist() == [1.0, 1.0]


def test_nan_scores_follow_keras3() -> None:
    """NaN is the maximum for argmax (jnp/Keras 3); a NaN at the label is -inf for top-k."""
    p = jnp.array([[0.2, jnp.nan, 0.7], [jnp.nan, 0.1, 0.2]])
    t = jnp.array([[0.0, 1, 0], [0.0, 0, 1]])
    want_ca = np.asarray(km("categorical_accuracy")(np.asarray(t), np.asarray(p)))
    np.testing.assert_array_equal(np.asarray(jmetrics.categorical_accuracy(t, p)), want_ca)
    assert jmetrics.categorical_accuracy(t, p).tolist() == [1.0, 0.0]
    labels = np.array([1, 0])
    want_tk = np.asarray(km("sparse_top_k_categorical_accuracy")(labels, np.asarray(p), k=2))
    got_tk = np.asarray(jmetrics.sparse_top_k_categorical_accuracy(jnp.asarray(labels), p, k=2))
    np.testing.assert_array_equal(got_tk, want_tk)
    for c in (3, 100):  # unrolled and tree argmax
        q = np.zeros((2, c), np.float32)
        q[0, c - 1], q[0, c // 2], q[1, 1] = np.nan, 5.0, np.nan
        q[1, c - 2] = np.nan
        assert np.array_equal(np.asarray(jax.jit(jmetrics.kernels._classification.argmax_last)(jnp.asarray(q))), np.argmax(q, -1))


SPARSE_FNS = [(jmetrics.sparse_categorical_accuracy, {}),
              (jmetrics.sparse_top_k_categorical_accuracy, {"k": 2})]


@pytest.mark.parametrize(("fn", "kw"), SPARSE_FNS)
def test_out_of_range_labels(fn: Any, kw: dict[str, Any]) -> None:
    """Eagerly: ValueError naming the function and the labels. Under jit and vmap: NaN in the
    samples whose label is not a class id (NaN, inf, negative, >= C), Keras 3's numbers in the
    others (Keras 3 on the valid rows alone)."""
    p = np.random.default_rng(7).dirichlet(np.ones(3), size=8).astype(np.float32)
    one = jax.jit(partial(fn, **kw))
    for labels, got in ((np.array([5, -1, 0, 1, 2, 0, 1, 2], np.int32), r"labels in \[-1, 5\]"),
                        (np.array([0, np.nan, 2, np.inf, 1, -np.inf, 3, 1], np.float32),
                         r"labels in \[-inf, inf\] and NaN labels")):
        with pytest.raises(ValueError, match=rf"{fn.__name__}: y_true must hold class ids in "
                                             rf"\[0, 2\] \(y_pred has 3 classes\); got {got}"):
            fn(labels, p, **kw)
        bad = ~np.isin(labels, [0, 1, 2])
        want = km(fn.__name__)(labels[~bad].astype(np.int32), p[~bad], **kw)
        for values in (one(labels, p), jax.vmap(one)(labels[:, None], p[:, None])[:, 0]):
            values = np.asarray(values, np.float64)
            np.testing.assert_array_equal(np.isnan(values), bad)
            np.testing.assert_array_equal(values[~bad], want)


def test_sorted_ids_labels_must_be_finite() -> None:
    """With ``from_sorted_ids`` the labels are compared, not gathered: any finite id is a number
    (Keras 3's), NaN and inf are refused eagerly and NaN under jit."""
    ids = np.array([[1, 2], [3, 4], [5, 6], [7, 0], [2, 9]], np.float32)
    labels = np.array([1, np.nan, np.inf, 7, -3], np.float32)
    fn = partial(jmetrics.sparse_top_k_categorical_accuracy, k=1, from_sorted_ids=True)
    with pytest.raises(ValueError, match=r"sparse_top_k_categorical_accuracy: y_true must hold "
                                         r"finite class ids; got labels in \[inf, inf\] and NaN"):
        fn(labels, ids)
    got = np.asarray(jax.jit(fn)(labels, ids), np.float64)
    ok = np.isfinite(labels)
    np.testing.assert_array_equal(np.isnan(got), ~ok)
    want = km("sparse_top_k_categorical_accuracy")(labels[ok], ids[ok], k=1, from_sorted_ids=True)
    np.testing.assert_array_equal(got[ok], want)
    np.testing.assert_array_equal(got[ok], [1.0, 1.0, 0.0])  # (float64 NumPy: 1 == 1, 7 == 7)


def test_hinge_whole_array_rule_under_vmap() -> None:
    """The {0,1} test covers each mapped slice as a whole: vmap equals calling per slice."""
    t = np.array([[[0.0, 1], [1, 0]], [[0.0, 1], [0.5, 0]]], np.float32)  # slice 1 is not binary
    p = np.array([[[0.3, -0.2], [0.8, 0.1]], [[0.3, -0.2], [0.8, 0.1]]], np.float32)
    mapped = np.asarray(jax.vmap(jmetrics.hinge)(jnp.asarray(t), jnp.asarray(p)))
    for i in range(2):
        np.testing.assert_allclose(mapped[i], r_hinge(t[i].astype(float), p[i].astype(float), None), rtol=1e-6)
    assert not np.allclose(mapped[0], mapped[1])


def test_bool_and_integer_labels() -> None:
    p = jnp.array([[0.7, 0.9], [0.6, 0.4]])
    want = [0.5, 0.0]
    for t in (jnp.array([[True, False], [False, True]]), jnp.array([[1, 0], [0, 1]]), jnp.array([[1.0, 0], [0, 1]])):
        assert jmetrics.binary_accuracy(t, p).tolist() == want
    assert jmetrics.accuracy(jnp.array([[1.5]]), jnp.array([[1]])).tolist() == [1.0]  # Keras 3 casts y_true to int


@pytest.mark.parametrize(
    ("call", "exc", "match"),
    [
        (lambda: jmetrics.top_k_categorical_accuracy(jnp.ones((2, 3)), jnp.ones((2, 3)), k=0), ValueError, r"top_k_categorical_accuracy: k must be an int >= 1; got 0"),
        (lambda: jmetrics.sparse_top_k_categorical_accuracy(jnp.ones(2), jnp.ones((2, 3)), k=1.5), ValueError, r"sparse_top_k_categorical_accuracy: k must be an int >= 1; got 1.5"),
        (lambda: jmetrics.binary_accuracy(jnp.ones((2, 3)), jnp.ones((2, 3)), threshold="0.5"), TypeError, r"binary_accuracy: threshold must be a float; got '0.5'"),
        (lambda: jmetrics.binary_accuracy(jnp.ones((2, 3)), jnp.ones((2, 3)), threshold=float("nan")), ValueError, r"binary_accuracy: threshold must be a finite float"),
        (lambda: jmetrics.sparse_top_k_categorical_accuracy(jnp.ones(2), jnp.ones((2, 3)), from_sorted_ids=1), TypeError, r"from_sorted_ids must be True or False"),
        (lambda: jmetrics.sparse_categorical_accuracy(jnp.ones(2), jnp.float32(1)), ValueError, r"sparse_categorical_accuracy: y_pred must have a class axis"),
        (lambda: jmetrics.accuracy(jnp.float32(1), jnp.float32(1)), ValueError, r"accuracy: y_true and y_pred must have the same shape of rank >= 1"),
    ],
)  # fmt: skip
def test_option_errors(call: Any, exc: type, match: str) -> None:
    with pytest.raises(exc, match=match):
        call()


# ---- properties ----------------------------------------------------------------------------------

_scores = hnp.arrays(np.float32, (6, 5), elements=st.floats(-10, 10, width=32))
_labels = hnp.arrays(np.int32, (6,), elements=st.integers(0, 4))


@given(_labels, _scores, st.integers(1, 6))
def test_accuracies_in_unit_interval_and_monotone_in_k(t: np.ndarray, p: np.ndarray, k: int) -> None:
    jt, jp = jnp.asarray(t), jnp.asarray(p)
    acc = np.asarray(jmetrics.sparse_categorical_accuracy(jt, jp))
    top_k = np.asarray(jmetrics.sparse_top_k_categorical_accuracy(jt, jp, k=k))
    top_k1 = np.asarray(jmetrics.sparse_top_k_categorical_accuracy(jt, jp, k=k + 1))
    assert np.all((acc >= 0) & (acc <= 1)) and np.all(top_k <= top_k1)
    assert np.all(acc <= np.asarray(jmetrics.sparse_top_k_categorical_accuracy(jt, jp, k=1)))
    onehot = jnp.asarray(np.eye(5, dtype=np.float32)[t])
    np.testing.assert_array_equal(np.asarray(jmetrics.categorical_accuracy(onehot, jp)), acc)
    np.testing.assert_array_equal(np.asarray(jmetrics.top_k_categorical_accuracy(onehot, jp, k=k)), top_k)


@given(_labels, _scores, st.permutations(range(6)))
def test_permuting_samples_permutes_output(t: np.ndarray, p: np.ndarray, perm: list[int]) -> None:
    idx = np.asarray(perm)
    for fn in (jmetrics.sparse_categorical_accuracy, jmetrics.sparse_top_k_categorical_accuracy):
        whole = np.asarray(fn(jnp.asarray(t), jnp.asarray(p)))
        np.testing.assert_array_equal(np.asarray(fn(jnp.asarray(t[idx]), jnp.asarray(p[idx]))), whole[idx])
