"""Calibration errors and reliability diagrams against float64 NumPy written from the formulas
(Guo et al. 2017 ECE/MCE, torchmetrics' binary and top-label definitions, Nixon et al. 2019 adaptive
bins as defined in the module) and scikit-learn 1.9.1's ``calibration_curve``."""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sklearn.calibration import calibration_curve

import jmetrics
from jmetrics.metrics import (
    ExpectedCalibrationError,
    MaxCalibrationError,
    expected_calibration_error,
    max_calibration_error,
    reliability_diagram,
)


# ---- float64 references -------------------------------------------------------------------------
def conf_outcome(y, p):
    p = np.asarray(p, np.float64)
    if p.ndim == 1 or p.shape[-1] == 1:
        return p.reshape(-1), np.asarray(y, np.float64).reshape(-1)
    y = np.asarray(y)
    labels = y.argmax(-1) if y.shape == p.shape else y.reshape(-1)
    return p.max(-1), (p.argmax(-1) == labels).astype(np.float64)


def ref_bins(c, w, bins, strategy):
    if strategy == "uniform":  # torchmetrics: bucketize(right=True) on linspace, 1.0 in the last bin
        edges = np.linspace(0, 1, bins + 1)
        return np.clip(np.searchsorted(edges, c, side="right") - 1, 0, bins - 1)
    order = np.argsort(c, kind="stable")
    out = np.empty(len(c), int)
    total, before, i = w.sum(), 0.0, 0
    while i < len(c):
        j = i
        while j < len(c) and c[order[j]] == c[order[i]]:
            j += 1
        out[order[i:j]] = min(int(np.floor(bins * before / total)), bins - 1) if total > 0 else 0
        before += w[order[i:j]].sum()
        i = j
    return out


def ref_errors(y, p, w=None, bins=15, strategy="uniform"):
    c, a = conf_outcome(y, p)
    w = np.ones(len(c)) if w is None else np.asarray(w, np.float64)
    idx = ref_bins(c, w, bins, strategy)
    n = np.bincount(idx, w, bins)
    if n.sum() == 0:
        return dict(l1=np.nan, l2=np.nan, max=np.nan)
    gap = np.abs(np.bincount(idx, w * a, bins) - np.bincount(idx, w * c, bins))[n > 0] / n[n > 0]
    share = n[n > 0] / n.sum()
    return dict(l1=np.sum(share * gap), l2=np.sqrt(np.sum(share * gap**2)), max=gap.max())


def binary_data(seed, n=200):
    r = np.random.default_rng(seed)
    p = r.uniform(size=n)
    y = (r.uniform(size=n) < p**1.5).astype(np.float32)
    return y, p.astype(np.float32), r.uniform(0, 2, n).astype(np.float32)


def multiclass_data(seed, n=150, c=5):
    r = np.random.default_rng(seed)
    p = r.dirichlet(np.ones(c) * 0.7, size=n).astype(np.float32)
    y = np.array([r.choice(c, p=pi / pi.sum()) for pi in p.astype(np.float64)])
    return y, p, r.uniform(0, 2, n).astype(np.float32)


@functools.partial(jax.jit, static_argnums=(0, 1))
def _jitted(fn, options, y, p, w):
    """``fn(y, p, sample_weight=w, **options)`` as one program per (function, options, shapes):
    on clean input the eager checks pass and the value is the jitted one."""
    return fn(y, p, sample_weight=w, **dict(options))


# ---- functional forms ----------------------------------------------------------------------------
@pytest.mark.parametrize("strategy", ["uniform", "quantile"])
@pytest.mark.parametrize("bins", [1, 15])
def test_binary_matches_reference_for_every_norm(strategy, bins):
    y, p, w = binary_data(bins)
    for weights in (np.ones_like(w), w):
        want = ref_errors(y, p, weights, bins, strategy)
        for norm in ("l1", "l2", "max"):
            got = expected_calibration_error(y, p, num_bins=bins, strategy=strategy, norm=norm,
                                             sample_weight=weights)
            np.testing.assert_allclose(float(got), want[norm], rtol=1e-5, atol=1e-7)
        mce = max_calibration_error(y, p, num_bins=bins, strategy=strategy, sample_weight=weights)
        np.testing.assert_allclose(float(mce), want["max"], rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("strategy", ["uniform", "quantile"])
def test_multiclass_top_label_sparse_and_one_hot(strategy):
    y, p, w = multiclass_data(1)
    want = ref_errors(y, p, w, 10, strategy)
    options = (("num_bins", 10), ("strategy", strategy))
    for labels in (y, y[:, None], np.eye(5, dtype=np.float32)[y]):
        got = _jitted(expected_calibration_error, options, labels, p, w)
        np.testing.assert_allclose(float(got), want["l1"], rtol=1e-5)
    # argmax ties go to the first class, as np.argmax
    tie = np.array([[0.5, 0.5], [0.5, 0.5]], np.float32)
    assert float(expected_calibration_error(np.array([0, 1]), tie, num_bins=4)) == 0.0
    assert float(expected_calibration_error(np.array([1, 1]), tie, num_bins=4)) == 0.5


def test_quantile_bins_hold_equal_weight_and_never_split_ties():
    c = np.repeat(np.array([0.1, 0.2, 0.3, 0.4, 0.9], np.float32), [3, 1, 1, 1, 2])
    y = np.zeros(8)
    d = reliability_diagram(y, c, num_bins=4, strategy="quantile")
    # S before the tie groups: 0, 3, 4, 5, 6 of 8 -> bins floor(4 S / 8) = 0, 1, 2, 2, 3
    np.testing.assert_array_equal(d["counts"], [3, 1, 2, 2])
    np.testing.assert_allclose(d["edges"], [0, 0.2, 0.3, 0.9, 1])
    np.testing.assert_allclose(d["confidence"], [0.1, 0.2, 0.35, 0.9], rtol=1e-6)


def test_reliability_diagram_matches_sklearn_calibration_curve():
    y, p, _ = binary_data(3, n=500)
    d = reliability_diagram(y, p, num_bins=8)
    prob_true, prob_pred = calibration_curve(y, p, n_bins=8)  # non-empty bins only
    nonempty = np.asarray(d["counts"]) > 0
    np.testing.assert_allclose(np.asarray(d["accuracy"])[nonempty], prob_true, rtol=1e-6)
    np.testing.assert_allclose(np.asarray(d["confidence"])[nonempty], prob_pred, rtol=1e-6)
    np.testing.assert_allclose(d["edges"], np.linspace(0, 1, 9), rtol=1e-6)
    assert float(jnp.sum(d["counts"])) == 500


def test_degenerate_inputs():
    # perfectly calibrated extremes, constant confidence at the calibrated rate, a bin edge (0.5)
    assert float(expected_calibration_error(np.array([0, 1]), np.array([0.0, 1.0]))) == 0.0
    half = np.full(10, 0.5, np.float32)
    assert float(expected_calibration_error(np.arange(10) % 2, half)) == 0.0
    d = reliability_diagram(np.arange(10) % 2, half, num_bins=10)
    assert float(d["counts"][5]) == 10  # [0.5, 0.6)
    assert np.isnan(float(d["accuracy"][0]))  # empty bins are NaN
    # single class: all wrong at confidence 0.8 -> 0.8
    np.testing.assert_allclose(float(max_calibration_error(np.zeros(4), np.full(4, 0.8))), 0.8, rtol=1e-6)
    # nothing to average: NaN, never a silent 0
    assert np.isnan(float(expected_calibration_error(np.zeros(3), np.full(3, 0.3), sample_weight=np.zeros(3))))
    assert np.isnan(float(expected_calibration_error(np.zeros(0), np.zeros(0), strategy="quantile")))
    # a NaN confidence is bad input (tests/test_metrics_validate.py); with weight 0 it is removed
    got = expected_calibration_error(np.array([1, 0, 1.0]), np.array([0.9, np.nan, 0.7]), num_bins=5,
                                     sample_weight=np.array([1, 0, 1.0]))
    np.testing.assert_allclose(float(got), ref_errors([1, 1.0], [0.9, 0.7], bins=5)["l1"], rtol=1e-6)


@pytest.mark.parametrize("strategy", ["uniform", "quantile"])
def test_weight_zero_equals_removing_the_row(strategy):
    y, p, w = multiclass_data(4, n=40)
    w[::3] = 0
    keep = w > 0
    options = (("num_bins", 6), ("strategy", strategy))
    a = _jitted(expected_calibration_error, options, y, p, w)
    b = _jitted(expected_calibration_error, options, y[keep], p[keep], w[keep])
    np.testing.assert_allclose(float(a), float(b), rtol=1e-6)


def test_bf16_inputs_use_their_own_values():
    y, p, _ = binary_data(5)
    pb = jnp.asarray(p, jnp.bfloat16)
    got = expected_calibration_error(jnp.asarray(y, jnp.bfloat16), pb, num_bins=10)
    want = ref_errors(y, np.asarray(pb, np.float64), bins=10)["l1"]
    assert got.dtype == jnp.float32
    np.testing.assert_allclose(float(got), want, rtol=1e-5)


# ---- streaming -----------------------------------------------------------------------------------
@functools.partial(jax.jit, static_argnums=0)
def _update(m, state, y, p, w):
    return m.update(state, y, p, sample_weight=w)


@functools.partial(jax.jit, static_argnums=0)
def _compute(m, state):
    """``m.compute`` as one program per config (eagerly every op compiles on its own)."""
    return m.compute(state)


@functools.partial(jax.jit, static_argnums=0)
def _diagram(m, state):
    return m.diagram(state)


def stream(m, y, p, w, sizes):
    state, i = m.init(), 0
    for k in sizes:
        state = _update(m, state, y[i:i + k], p[i:i + k], w[i:i + k])
        i += k
    return state


@pytest.mark.parametrize("norm", ["l1", "l2", "max"])
def test_streaming_uniform_equals_the_functional_form(norm):
    y, p, w = multiclass_data(6, n=120)
    m = ExpectedCalibrationError(num_bins=12, norm=norm)
    state = stream(m, y, p, w, (40, 40, 40))
    want = expected_calibration_error(y, p, num_bins=12, norm=norm, sample_weight=w)
    np.testing.assert_allclose(float(_compute(m, state)), float(want), rtol=1e-5)
    d, want_d = _diagram(m, state), reliability_diagram(y, p, num_bins=12, sample_weight=w)
    for key in d:
        np.testing.assert_allclose(d[key], want_d[key], rtol=1e-5)


def test_streaming_quantile_is_exact_when_fine_bins_hold_one_confidence():
    r = np.random.default_rng(7)
    res = 256
    c = ((r.integers(0, res, 300) + 0.5) / res).astype(np.float32)  # fine-bin centres, many ties
    y = (r.uniform(size=300) < c).astype(np.float32)
    w = r.integers(0, 3, 300).astype(np.float32)
    m = ExpectedCalibrationError(num_bins=10, strategy="quantile", resolution=res)
    state = stream(m, y, c, w, (100, 100, 100))
    want = ref_errors(y, c, w, 10, "quantile")["l1"]
    np.testing.assert_allclose(float(_compute(m, state)), want, rtol=1e-5)
    mce = MaxCalibrationError(num_bins=10, strategy="quantile", resolution=res)
    np.testing.assert_allclose(float(_compute(mce, state)), ref_errors(y, c, w, 10, "quantile")["max"], rtol=1e-5)


def test_streaming_quantile_approximates_the_exact_adaptive_ece():
    y, p, _ = binary_data(8, n=2000)
    m = ExpectedCalibrationError(num_bins=10, strategy="quantile", resolution=4096)
    got = float(_compute(m, stream(m, y, p, np.ones(2000, np.float32), (1000, 1000))))
    assert abs(got - ref_errors(y, p, bins=10, strategy="quantile")["l1"]) < 5e-3


@given(st.lists(st.integers(0, 10), min_size=1, max_size=5), st.integers(0, 10_000))
def test_any_split_gives_identical_bins(sizes, seed):
    r = np.random.default_rng(seed)
    n = sum(sizes)
    p = r.uniform(size=(n, 1)).astype(np.float32)
    y = r.integers(0, 2, (n, 1)).astype(np.float32)
    w = r.integers(0, 3, n).astype(np.float32)  # integer weights: exact in any order
    m = MaxCalibrationError(num_bins=8)
    pad = lambda x: np.concatenate([x, np.zeros((10 * 5 - len(x),) + x.shape[1:], x.dtype)])  # noqa: E731
    parts = [stream(m, pad(y[i:j]), pad(p[i:j]), pad(w[i:j]), (50,))
             for i, j in zip(np.cumsum([0, *sizes[:-1]]), np.cumsum(sizes), strict=True)]
    merged = m.init()
    for s in parts[::-1]:
        merged = m.merge(merged, s)
    whole = stream(m, pad(y), pad(p), pad(w), (50,))
    np.testing.assert_array_equal(merged.weight.hi + merged.weight.lo, whole.weight.hi + whole.weight.lo)
    np.testing.assert_array_equal(merged.accuracy.hi + merged.accuracy.lo, whole.accuracy.hi + whole.accuracy.lo)


def test_shared_statistic_and_options():
    assert ExpectedCalibrationError(num_bins=15).stat_key() == MaxCalibrationError(num_bins=15).stat_key()
    assert ExpectedCalibrationError(num_bins=15, norm="l2").stat_key() == MaxCalibrationError().stat_key()
    assert (ExpectedCalibrationError(num_bins=10, strategy="quantile").stat_key()
            == ExpectedCalibrationError(num_bins=20, strategy="quantile").stat_key())
    assert ExpectedCalibrationError(num_bins=10).stat_key() != ExpectedCalibrationError(num_bins=20).stat_key()
    c = jmetrics.Collection([ExpectedCalibrationError(num_bins=5), MaxCalibrationError(num_bins=5)])
    y, p = np.array([0, 1, 1, 0.0]), np.array([0.1, 0.7, 0.4, 0.5], np.float32)
    state = c.update(c.init(), y, p)
    assert len(state.stats) == 1  # one set of bins for both
    want = ref_errors(y, p, bins=5)
    out = c.compute(state)
    np.testing.assert_allclose([out["expected_calibration_error"], out["max_calibration_error"]],
                               [want["l1"], want["max"]], rtol=1e-6)
    m = ExpectedCalibrationError()
    assert np.isnan(float(m.compute(m.init())))
    with pytest.raises(ValueError, match=r"expected_calibration_error: num_bins must be an int >= 1; got 0"):
        ExpectedCalibrationError(num_bins=0)
    with pytest.raises(ValueError, match=r"expected_calibration_error: norm must be one of \['l1', 'l2', 'max'\]; got 'L1'"):
        ExpectedCalibrationError(norm="L1")
    with pytest.raises(ValueError, match=r"max_calibration_error: strategy must be one of"):
        MaxCalibrationError(strategy="equal")
    with pytest.raises(ValueError, match="resolution must be an int >= 15"):
        ExpectedCalibrationError(strategy="quantile", resolution=8)
    with pytest.raises(ValueError, match=r"expected_calibration_error: y_true must be integer labels of shape \(4,\)"):
        expected_calibration_error(np.zeros((4, 2)), np.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"reliability_diagram: y_pred must have shape"):
        reliability_diagram(np.zeros((2, 2, 2)), np.zeros((2, 2, 2)))
    with pytest.raises(ValueError, match=r"expected_calibration_error: sample_weight must broadcast to \(4,\)"):
        m.update(m.init(), np.zeros(4), np.zeros(4), sample_weight=np.ones(3))


# ---- one-hot labels must be 0/1 -----------------------------------------------------------------
ONE_HOT_BAD = {"inf row": np.inf, "-inf row": -np.inf, "2": 2.0, "-1": -1.0, "0.5": 0.5}


def _bad_one_hot(value):
    """Four one-hot rows of 3 classes; row 1 holds ``value`` (the whole row for +-inf)."""
    y = np.eye(3, dtype=np.float32)[[0, 1, 2, 1]]
    p = np.array([[.7, .2, .1], [.1, .8, .1], [.3, .3, .4], [.5, .4, .1]], np.float32)
    if np.isinf(value):
        y[1] = value
    else:
        y[1, 1] = value
    return y, p


UNITS = {
    "expected_calibration_error": lambda y, p, w=None: expected_calibration_error(
        y, p, num_bins=4, sample_weight=w),
    "max_calibration_error": lambda y, p, w=None: max_calibration_error(
        y, p, num_bins=4, sample_weight=w),
    "reliability_diagram": lambda y, p, w=None: reliability_diagram(
        y, p, num_bins=4, sample_weight=w),
}
CLASSES = {"expected_calibration_error": ExpectedCalibrationError(num_bins=4),
           "max_calibration_error": MaxCalibrationError(num_bins=4)}


@pytest.mark.parametrize("value", ONE_HOT_BAD.values(), ids=ONE_HOT_BAD.keys())
@pytest.mark.parametrize("who", UNITS)
def test_one_hot_labels_other_than_0_1_raise_eagerly_and_give_nan_under_jit(who, value):
    # argmax of [0, 2, 0], [inf, inf, inf] or [0, 0.5, 0] picks some class: a number from a
    # label that is no one-hot row. Eagerly: ValueError naming the unit and y_true; under jit:
    # NaN (every array of the diagram); weight 0 removes the row (float64 NumPy reference).
    y, p = _bad_one_hot(value)
    fn = UNITS[who]
    with pytest.raises(ValueError, match=f"^{who}: y_true must be one-hot rows of 0/1 labels; got"):
        fn(y, p)
    got = jax.jit(fn)(y, p)
    leaves = jax.tree.leaves(got)
    assert leaves and all(np.isnan(np.asarray(x)).all() for x in leaves), got
    w = np.array([1, 0, 1, 1], np.float32)
    keep = w != 0
    if who == "reliability_diagram":
        c, a = conf_outcome(y[keep], p[keep])
        idx = ref_bins(c, np.ones(len(c)), 4, "uniform")
        counts = np.bincount(idx, minlength=4)
        want_acc = np.bincount(idx, a, 4) / np.where(counts > 0, counts, np.nan)
        for mode in (fn, jax.jit(fn)):
            d = mode(y, p, w)
            np.testing.assert_allclose(d["counts"], counts)
            np.testing.assert_allclose(d["accuracy"], want_acc, rtol=1e-6)
        return
    want = ref_errors(y[keep], p[keep], bins=4)["max" if who.startswith("max") else "l1"]
    np.testing.assert_allclose(fn(y, p, w), want, rtol=1e-6)
    np.testing.assert_allclose(jax.jit(fn)(y, p, w), want, rtol=1e-6)
    m = CLASSES[who]
    with pytest.raises(ValueError, match=f"^{who}: y_true must be one-hot rows of 0/1 labels"):
        m.update(m.init(), y, p)
    with pytest.raises(ValueError, match=f"{who}: y_true"):
        m.update_state(y, p)
    step = jax.jit(lambda s, a, b, c: m.update(s, a, b, sample_weight=c))
    assert np.isnan(float(m.compute(step(m.init(), y, p, None))))
    np.testing.assert_allclose(m.compute(step(m.init(), y, p, w)), want, rtol=1e-6)


def test_reliability_diagram_under_jit_is_all_nan_on_any_bad_input():
    # A bad row poisons the whole diagram, edges and empty bins too (before: only its bin's
    # counts were NaN and the other bins kept their numbers).
    y, p = np.array([0, 1, 1, 1], np.float32), np.array([0.2, 0.6, 0.7, 0.9], np.float32)
    diagram = jax.jit(functools.partial(reliability_diagram, num_bins=4))
    for bad in ((y, np.array([0.2, np.nan, 0.7, 0.9], np.float32), None),
                (y, p, np.array([1, -1, 1, 1], np.float32)),
                (np.array([0, 2, 1, 1], np.float32), p, None)):
        d = diagram(bad[0], bad[1], sample_weight=bad[2])
        assert all(np.isnan(np.asarray(v)).all() for v in d.values()), d
    clean = diagram(y, p)
    np.testing.assert_allclose(clean["edges"], np.linspace(0, 1, 5))  # float64 NumPy
    np.testing.assert_allclose(clean["counts"], [1, 0, 2, 1])
