"""The run loop (jmetrics/engine/_run.py): chunks alternating between independent states, stepped
on their own threads and merged at the end, give the serial pass's results.

Oracles: float64 NumPy written from the formulas; for counts, the serial pass (one lane) bit for
bit (integer weights: every count is an exact float32 integer in any order of summation).
"""

from __future__ import annotations

import os

import numpy as np
import pytest

import jmetrics
from jmetrics.engine import _run

pytestmark = pytest.mark.xdist_group("engine_files")

N = 1003  # ragged against the batch size: 11 chunks of 97 rows, the last one padded
COUNTED = ("binary_accuracy", "precision", "recall")  # ratios of counts: bit for bit
SUMMED = ("mse", "mae")  # float sums: the order changes with the lanes


@pytest.fixture
def lanes(monkeypatch):
    """``use(k)``: evaluate with ``k`` lanes (on any machine); ``seen``: the lanes each pass
    merged (so a test knows the lanes were used)."""
    seen: list[int] = []
    merge = _run._merge_lanes

    def spy(plan, states):
        seen.append(len(states))
        return merge(plan, states)

    monkeypatch.setattr(_run, "_merge_lanes", spy)
    monkeypatch.setattr(os, "cpu_count", lambda: 4)

    def use(k):
        monkeypatch.setattr(_run, "_LANES", k)

    use.seen = seen
    return use


def data(n=N, seed=0):
    r = np.random.default_rng(seed)
    y = (r.random(n) < 0.4).astype(np.float32)
    p = r.random(n).astype(np.float32)
    w = r.integers(0, 4, n).astype(np.float32)
    return y, p, w


def oracle(y, p, w):
    """float64 NumPy from the formulas (threshold 0.5, as Keras)."""
    y, p, w = (np.asarray(a, np.float64) for a in (y, p, w))
    hit = (p > 0.5).astype(np.float64)
    tp, fp, fn = (w * hit * y).sum(), (w * hit * (1 - y)).sum(), (w * (1 - hit) * y).sum()
    return {"mse": (w * (y - p) ** 2).sum() / w.sum(), "mae": (w * abs(y - p)).sum() / w.sum(),
            "binary_accuracy": (w * (hit == y)).sum() / w.sum(), "precision": tp / (tp + fp),
            "recall": tp / (tp + fn)}


def same(got, serial, rtol=1e-6):
    for k in COUNTED:
        np.testing.assert_array_equal(got[k], serial[k], err_msg=k)
    for k in SUMMED:
        np.testing.assert_allclose(got[k], serial[k], rtol=rtol, err_msg=k)


@pytest.mark.parametrize("k", [2, 3])
def test_lanes_equal_the_serial_pass_with_weights_and_bootstrap(lanes, k):
    y, p, w = data()
    metrics = [*SUMMED, *COUNTED]
    lanes(1)
    serial = jmetrics.evaluate(y, p, metrics, sample_weight=w, batch_size=97, bootstrap=5)
    lanes(k)
    got = jmetrics.evaluate(y, p, metrics, sample_weight=w, batch_size=97, bootstrap=5)
    assert lanes.seen == [1, k]
    same(got, serial)
    for name in SUMMED:  # the replicates: the same draws per row whatever the lane
        for stat in ("stderr", "ci_low", "ci_high"):
            np.testing.assert_allclose(got[f"{name}.{stat}"], serial[f"{name}.{stat}"],
                                       rtol=1e-5, err_msg=f"{name}.{stat}")
    want = oracle(y, p, w)
    for name, value in want.items():
        np.testing.assert_allclose(got[name], value, rtol=1e-5, err_msg=name)


def test_lanes_equal_the_serial_pass_for_k_models_and_slices(lanes):
    y, p, _ = data(seed=1)
    pp = np.stack([p, 1 - p, p ** 2])
    keys = np.random.default_rng(2).integers(0, 3, N)
    metrics = [*SUMMED, *COUNTED]
    lanes(1)
    serial = jmetrics.evaluate(y, pp, metrics, model_axis=0, slice_by=keys, batch_size=97)
    lanes(2)
    got = jmetrics.evaluate(y, pp, metrics, model_axis=0, slice_by=keys, batch_size=97)
    assert lanes.seen[-1] == 2
    same(got, serial)
    assert got["slices"].keys() == serial["slices"].keys()
    for key, entry in got["slices"].items():
        same(entry, serial["slices"][key])
        assert entry["rows"] == serial["slices"][key]["rows"] == int(np.sum(keys == key))
        rows = keys == key
        for m in range(3):
            want = oracle(y[rows], pp[m, rows], np.ones(rows.sum()))
            for name, value in want.items():
                np.testing.assert_allclose(entry[name][m], value, rtol=1e-5, err_msg=name)


@pytest.mark.parametrize("k", [1, 2])
def test_nonfinite_rows_located_whatever_the_lane(lanes, k):
    """NaN/inf rows in chunks of either lane: NumPy's count and first row."""
    y, p, _ = data(seed=3)
    bad = [900, 150, 151, 455]  # chunks 9, 1, 1, 4: both lanes
    p[bad[:2]] = [np.nan, np.inf]
    y[bad[2:]] = [-np.inf, np.nan]
    lanes(k)
    with pytest.raises(ValueError, match=r"4 row\(s\) with NaN or inf \(first at row 150\)"):
        jmetrics.evaluate(y, p, ["mse", "binary_accuracy"], batch_size=97)
    assert lanes.seen == [k, k]  # the flagging pass, then the locating one
    ok = np.isfinite(y) & np.isfinite(p)
    got = jmetrics.evaluate(y, p, ["mse", "binary_accuracy"], batch_size=97,
                            on_nonfinite="ignore")
    want = oracle(y[ok], p[ok], np.ones(ok.sum()))
    for name in ("mse", "binary_accuracy"):
        np.testing.assert_allclose(got[name], want[name], rtol=1e-5, err_msg=name)


def test_a_collection_with_large_blocks_evaluates_as_with_small_ones():
    """The engine folds each device's rows in the collection's blocks; blocks past the binned
    metrics' own block size loop inside the engine's shard_map (this once failed to trace)."""
    from sklearn import metrics as skm

    r = np.random.default_rng(8)
    y = (r.random(200_000) < 0.3).astype(np.float32)
    p = np.clip(0.3 * y + r.random(200_000), 0, 1).astype(np.float32)
    names = ["precision", "recall", "auc", "histogram_auc", "mse"]
    small = jmetrics.evaluate(y, p, jmetrics.Collection(names, chunk_elements=1 << 10), progress=False)
    large = jmetrics.evaluate(y, p, jmetrics.Collection(names, chunk_elements=1 << 17), progress=False)
    for k in names:
        assert large[k] == pytest.approx(small[k], rel=1e-6), k
    assert large["precision"] == pytest.approx(skm.precision_score(y, p > 0.5), rel=1e-6)
