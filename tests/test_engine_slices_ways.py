"""The segment-wise ways of slicing each statistic (jmetrics/engine/_sliced.py).

Threshold counts (``auc``, ``precision``...) are one bincount keyed by (slice, bin); moments
(``r2_score``) are per-slice reductions of the one-row states. Each slice must equal evaluating
that slice's rows alone. Oracles: Keras 3.15.1 (``keras.metrics.AUC``, KERAS_BACKEND=jax) and
scikit-learn 1.9.1, in float64 where they compute in it; the bootstrap replicates against the
documented replicate weights (tests/test_engine_slices.py: ``replicate_weights``).
"""

from __future__ import annotations

import jax
import numpy as np
import pytest
from sklearn import metrics as skm

import jmetrics
from jmetrics.engine._sliced import slice_mode
from jmetrics.metrics import AUC, Precision, R2Score
from tests.test_engine_slices import replicate_weights

keras = pytest.importorskip("keras")

N = 701


def data(models=None, seed=0):
    r = np.random.default_rng(seed)
    y = r.integers(0, 2, N).astype(np.float32)
    p = r.random((N,) if models is None else (models, N)).astype(np.float32)
    w = r.uniform(0.1, 2.0, N).astype(np.float32)
    keys = r.choice(["a", "b", "c"], N, p=[0.5, 0.3, 0.2])
    return y, p, w, keys


def eager_keras_auc(y, p, w=None, **options):
    m = keras.metrics.AUC(**options)
    m.update_state(y, p, sample_weight=w)
    return float(m.result())


_KERAS_AUC: dict = {}


def _jitted_keras_auc(options: tuple) -> object:
    """Keras' own AUC update and result through its stateless API, jitted once per options."""
    if options not in _KERAS_AUC:
        m = keras.metrics.AUC(**dict(options))
        start = [v.value for v in m.variables]

        def run(y, p, w):
            return m.stateless_result(m.stateless_update_state(start, y, p, sample_weight=w))

        _KERAS_AUC[options] = jax.jit(run)
    return _KERAS_AUC[options]


def keras_auc(y, p, w=None, **options):
    """keras.metrics.AUC on these rows: the rows padded to ``N`` (or more) with weight-0 rows, which
    add nothing to Keras' weighted confusion counts, so every slice runs one compiled program
    (tests/test_engine_slices_ways.py checks it equals eager Keras)."""
    n = len(y)
    size = max(N, n)
    w = np.ones(n, np.float32) if w is None else np.asarray(w, np.float32)
    pad = [(0, size - n)] + [(0, 0)] * (np.ndim(y) - 1)
    args = (np.pad(y, pad), np.pad(p, pad), np.pad(w, (0, size - n)))
    return float(_jitted_keras_auc(tuple(sorted(options.items())))(*args))


@pytest.mark.parametrize("options", [{}, {"multi_label": True, "num_labels": 3}])
def test_the_jitted_padded_keras_auc_equals_eager_keras(options):
    r = np.random.default_rng(11)
    shape = (97, 3) if options else (97,)
    y = r.integers(0, 2, shape).astype(np.float32)
    p = r.random(shape).astype(np.float32)
    w = r.uniform(0.1, 2.0, 97).astype(np.float32)
    for weights in (None, w):
        assert keras_auc(y, p, weights, **options) == pytest.approx(
            eager_keras_auc(y, p, weights, **options), rel=1e-6)


def test_each_statistic_takes_its_segment_wise_way():
    c = jmetrics.Collection([AUC(), R2Score(num_outputs=1), "mse", Precision(thresholds=0.4)])
    assert slice_mode(c) == "hist,segment,segment,hist"


@pytest.mark.parametrize("weighted", [False, True])
def test_auc_per_slice_with_k_models_equals_keras_on_the_slice(weighted):
    y, p, w, keys = data(models=2)
    w = w if weighted else None
    res = jmetrics.evaluate(y, p, ["auc"], sample_weight=w, model_axis=0, slice_by=keys,
                            batch_size=96)
    for value in ("a", "b", "c"):
        rows = keys == value
        for k in range(2):
            want = keras_auc(y[rows], p[k, rows], None if w is None else w[rows])
            np.testing.assert_allclose(res["slices"][value]["auc"][k], want, rtol=1e-5)


def test_precision_at_thresholds_per_slice_equals_sklearn():
    y, p, w, keys = data()
    res = jmetrics.evaluate(y, p, [Precision(thresholds=(0.3, 0.7), name="precision")],
                            sample_weight=w, slice_by=keys, batch_size=128)
    for value in ("a", "b", "c"):
        rows = keys == value
        want = [skm.precision_score(y[rows], p[rows] > t, sample_weight=w[rows].astype(np.float64))
                for t in (0.3, 0.7)]
        np.testing.assert_allclose(res["slices"][value]["precision"], want, rtol=1e-6)


def test_multi_label_auc_per_slice_equals_keras():
    r = np.random.default_rng(5)
    y = r.integers(0, 2, (N, 3)).astype(np.float32)
    p = r.random((N, 3)).astype(np.float32)
    keys = r.integers(0, 4, N)
    res = jmetrics.evaluate(y, p, [AUC(multi_label=True, num_labels=3, name="auc")],
                            slice_by=keys, batch_size=100)
    for value in range(4):
        rows = keys == value
        want = keras_auc(y[rows], p[rows], multi_label=True, num_labels=3)
        np.testing.assert_allclose(res["slices"][value]["auc"], want, rtol=1e-5)


def test_a_nan_score_makes_only_its_own_slice_nan():
    y, p, _, keys = data()
    p = p.copy()
    p[np.flatnonzero(keys == "b")[3]] = np.nan
    res = jmetrics.evaluate(y, p, ["auc"], slice_by=keys, on_nonfinite="propagate")
    assert np.isnan(res["slices"]["b"]["auc"]) and np.isnan(res["auc"])
    for value in ("a", "c"):
        rows = keys == value
        np.testing.assert_allclose(res["slices"][value]["auc"], keras_auc(y[rows], p[rows]),
                                   rtol=1e-5)


def test_auc_bootstrap_replicates_per_slice_equal_keras_on_replicate_weights():
    b = 5
    y, p, w, keys = data()
    res = jmetrics.evaluate(y, p, ["auc"], sample_weight=w, bootstrap=b, seed=2, slice_by=keys,
                            batch_size=128)
    reps = replicate_weights(2, N, b) * w
    for value in ("a", "c"):
        rows = keys == value
        want = [keras_auc(y[rows], p[rows], reps[i, rows].astype(np.float32)) for i in range(b)]
        np.testing.assert_allclose(res["slices"][value]["auc.stderr"], np.std(want, ddof=1),
                                   rtol=1e-4)


def np_r2(y, p, w):
    """float64 weighted R^2 written from the formula (sklearn r2_score with sample_weight)."""
    mean = np.sum(w * y, axis=-1, keepdims=True) / np.sum(w, axis=-1, keepdims=True)
    return 1 - np.sum(w * (y - p) ** 2, axis=-1) / np.sum(w * (y - mean) ** 2, axis=-1)


def test_r2_per_slice_with_weights_and_k_models_equals_sklearn():
    r = np.random.default_rng(6)
    y = (100 + r.normal(size=N)).astype(np.float32)  # a large offset: moments, not raw squares
    p = (y + r.normal(scale=0.5, size=(2, N))).astype(np.float32)
    w = r.uniform(0.1, 2.0, N).astype(np.float32)
    keys = r.integers(0, 5, N)
    res = jmetrics.evaluate(y[:, None], p[..., None], [R2Score(num_outputs=1, name="r2")],
                            sample_weight=w, model_axis=0, slice_by=keys, batch_size=64)
    for value in range(5):
        rows = keys == value
        for k in range(2):
            want = skm.r2_score(y[rows].astype(np.float64), p[k, rows].astype(np.float64),
                                sample_weight=w[rows].astype(np.float64))
            np.testing.assert_allclose(res["slices"][value]["r2"][k], want, rtol=1e-5)


def test_r2_bootstrap_per_slice_equals_numpy_on_replicate_weights():
    b = 10
    r = np.random.default_rng(7)
    y = r.normal(size=N).astype(np.float32)
    p = (y + r.normal(scale=0.5, size=N)).astype(np.float32)
    keys = r.choice(["x", "y"], N)
    res = jmetrics.evaluate(y[:, None], p[:, None], [R2Score(num_outputs=1, name="r2")],
                            bootstrap=b, seed=4, slice_by=keys, batch_size=128)
    reps = replicate_weights(4, N, b)
    y64, p64 = y.astype(np.float64), p.astype(np.float64)
    for value in ("x", "y"):
        rows = keys == value
        want = np_r2(y64[rows], p64[rows], reps[:, rows])
        np.testing.assert_allclose(res["slices"][value]["r2.stderr"], want.std(ddof=1),
                                   rtol=1e-4)
        np.testing.assert_allclose(res["slices"][value]["r2"],
                                   np_r2(y64[rows], p64[rows], np.ones(rows.sum())), rtol=1e-5)


def test_many_slices_of_curve_and_moment_metrics_in_one_pass():
    n, s = 20_000, 2_000
    r = np.random.default_rng(8)
    y = r.integers(0, 2, n).astype(np.float32)
    p = r.random(n).astype(np.float32)
    keys = r.integers(0, s, n)
    res = jmetrics.evaluate(y[:, None], p[:, None], ["auc", R2Score(num_outputs=1, name="r2")],
                            slice_by=keys)
    assert len(res["slices"]) == s
    for value in (0, 977, 1999):
        rows = keys == value
        got = res["slices"][value]
        np.testing.assert_allclose(got["auc"], keras_auc(y[rows], p[rows]), rtol=1e-5)
        want = skm.r2_score(y[rows].astype(np.float64), p[rows].astype(np.float64))
        np.testing.assert_allclose(got["r2"], want, rtol=1e-4)


@pytest.mark.parametrize("kind", ["int", "bool", "uint8", "wide_int", "str", "bytes", "float"])
def test_key_encoding_equals_numpy_unique(kind):
    from jmetrics.engine._slices import unique_inverse

    r = np.random.default_rng(9)
    values = {"int": r.integers(-3, 5, 500), "bool": r.random(500) < 0.3,
              "uint8": r.integers(0, 200, 500).astype(np.uint8),
              "wide_int": r.integers(0, 2**40, 500), "str": r.choice(["us", "fr", "de"], 500),
              "bytes": r.choice([b"a", b"bb"], 500), "float": r.choice([0.5, -1.5, 2.0], 500)}[kind]
    table, inverse = unique_inverse(values)
    want_table, want_inverse = np.unique(values, return_inverse=True)
    assert table.tolist() == want_table.tolist()
    assert [type(v) for v in table.tolist()] == [type(v) for v in want_table.tolist()]
    np.testing.assert_array_equal(inverse, want_inverse)
