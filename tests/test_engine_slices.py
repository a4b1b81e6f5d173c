"""jmetrics.evaluate(slice_by=...): per-slice metrics in the same pass; baseline model comparison.

Oracles: scikit-learn 1.9.1 and float64 NumPy on each slice's rows alone; the paired bootstrap
intervals against a NumPy recomputation with the engine's documented replicate weights
(Poisson(1) draws from ``fold_in(key(seed), row)``), and the properties of a paired difference.
"""

from __future__ import annotations

import csv
import io
import json
import time

import jax
import numpy as np
import pytest
from sklearn import metrics as skm

import jmetrics

N = 1003


def data(n=N, seed=0, models=None):
    r = np.random.default_rng(seed)
    y = r.integers(0, 2, n).astype(np.float32)
    shape = (n,) if models is None else (models, n)
    p = r.random(shape).astype(np.float32)
    w = r.uniform(0.1, 2.0, n).astype(np.float32)
    return y, p, w


def oracle(y, p, w=None):
    """float64 scikit-learn values of the metrics used here, on the given rows."""
    y64, p64 = np.asarray(y, np.float64), np.asarray(p, np.float64)
    return {"binary_accuracy": skm.accuracy_score(y64, p64 > 0.5, sample_weight=w),
            "mse": skm.mean_squared_error(y64, p64, sample_weight=w),
            "mae": skm.mean_absolute_error(y64, p64, sample_weight=w)}


METRICS = ["binary_accuracy", "mse", "mae"]


def check_slices(result, keys, y, p, w=None, rtol=1e-6):
    """Every slice of ``result`` equals the oracle on that slice's rows alone."""
    values = np.unique(keys) if keys.ndim == 1 else None
    assert set(result["slices"]) == set(values.tolist())
    for value in values.tolist():
        rows = keys == value
        got = result["slices"][value]
        assert got["rows"] == int(rows.sum())
        want = oracle(y[rows], p[rows], None if w is None else w[rows])
        for name, v in want.items():
            np.testing.assert_allclose(got[name], v, rtol=rtol, err_msg=f"{value!r} {name}")


@pytest.mark.parametrize("kind", ["str", "int", "bool", "float"])
@pytest.mark.parametrize("weighted", [False, True])
def test_each_slice_equals_its_rows_alone(kind, weighted):
    y, p, w = data()
    r = np.random.default_rng(1)
    # four slices for str, int and float: one compiled step serves the three kinds
    keys = {"str": r.choice(["us", "fr", "de", "jp"], N), "int": r.integers(-3, 1, N),
            "bool": r.random(N) < 0.3, "float": r.choice([0.5, 1.5, 2.5, 3.5], N)}[kind]
    w = w if weighted else None
    res = jmetrics.evaluate(y, p, METRICS, sample_weight=w, slice_by=keys, batch_size=128)
    check_slices(res, keys, y, p, w)
    assert res["slices_dropped"] == 0
    # the overall values stay as without slices
    for name, v in oracle(y, p, w).items():
        np.testing.assert_allclose(res[name], v, rtol=1e-6)
    # slice values are Python scalars of the key's kind
    kinds = {"str": str, "int": int, "bool": bool, "float": float}
    assert all(type(k) is kinds[kind] for k in res["slices"])


def test_crossed_slices_are_tuples_of_the_combinations_present():
    y, p, w = data()
    r = np.random.default_rng(2)
    country = r.choice(["us", "fr", "de"], N)
    device = r.integers(0, 3, N)
    device[country == "de"] = 7  # not every combination occurs
    res = jmetrics.evaluate(y, p, METRICS, sample_weight=w, slice_by=[country, device],
                            batch_size=100)
    pairs = set(zip(country.tolist(), device.tolist(), strict=True))
    assert set(res["slices"]) == pairs
    for c, d in pairs:
        rows = (country == c) & (device == d)
        assert res["slices"][(c, d)]["rows"] == int(rows.sum())
        for name, v in oracle(y[rows], p[rows], w[rows]).items():
            np.testing.assert_allclose(res["slices"][(c, d)][name], v, rtol=1e-6)


def test_min_slice_size_leaves_small_slices_out_and_counts_them():
    y, p, _ = data()
    keys = np.zeros(N, int)
    keys[:5], keys[5:9], keys[9:40] = 1, 2, 3
    res = jmetrics.evaluate(y, p, METRICS, slice_by=keys, min_slice_size=10)
    assert sorted(res["slices"]) == [0, 3]
    assert res["slices_dropped"] == 2
    for name, v in oracle(y, p).items():  # the overall values keep every row
        np.testing.assert_allclose(res[name], v, rtol=1e-6)


def test_moment_metrics_per_slice_equal_sklearn():
    r = np.random.default_rng(3)
    y = r.normal(size=(N, 1)).astype(np.float32)
    p = (y + r.normal(scale=0.5, size=(N, 1))).astype(np.float32)
    keys = r.choice(["a", "b", "c"], N)
    res = jmetrics.evaluate(y, p, ["r2_score", "mse"], slice_by=keys, batch_size=200)
    for value in ["a", "b", "c"]:
        rows = keys == value
        want = skm.r2_score(y[rows].astype(np.float64), p[rows].astype(np.float64))
        np.testing.assert_allclose(res["slices"][value]["r2_score"], want, rtol=1e-5)


def test_thresholded_curve_metric_per_slice_equals_a_pass_over_the_slice():
    y, p, w = data()
    keys = np.random.default_rng(4).choice(["x", "y"], N)
    res = jmetrics.evaluate(y, p, ["auc"], sample_weight=w, slice_by=keys, batch_size=64)
    for value in ["x", "y"]:
        rows = keys == value
        alone = jmetrics.evaluate(y[rows], p[rows], ["auc"], sample_weight=w[rows], batch_size=64)
        np.testing.assert_allclose(res["slices"][value]["auc"], alone["auc"], rtol=1e-6)
        # and the thresholded AUC is close to scikit-learn's exact one
        want = skm.roc_auc_score(y[rows], p[rows], sample_weight=w[rows])
        np.testing.assert_allclose(res["slices"][value]["auc"], want, atol=5e-3)


def test_parquet_source_bigger_than_a_chunk_with_string_keys_first_seen_late(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    y, p, w = data(2000)
    keys = np.random.default_rng(5).choice(["us", "fr"], 2000).astype(object)
    keys[1900:] = "late"  # a slice whose first row is in the last chunks
    pq.write_table(pa.table({"y": y, "p": p, "w": w, "country": keys.astype(str)}),
                   tmp_path / "d.parquet", row_group_size=300)
    f = str(tmp_path / "d.parquet")
    res = jmetrics.evaluate(f + ":y", f + ":p", METRICS, sample_weight=f + ":w",
                            slice_by=f + ":country", batch_size=128)
    check_slices(res, keys.astype(str), y, p, w)
    # a .npy key column and a csv key column give the same slices
    np.save(tmp_path / "k.npy", keys.astype(str))
    (tmp_path / "k.csv").write_text("country\n" + "\n".join(keys.astype(str)) + "\n")
    for spec in (str(tmp_path / "k.npy"), str(tmp_path / "k.csv") + ":country"):
        other = jmetrics.evaluate(f + ":y", f + ":p", METRICS, sample_weight=f + ":w",
                                  slice_by=spec, batch_size=128)
        check_slices(other, keys.astype(str), y, p, w)


def test_chunk_iterable_source_with_slices():
    y, p, w = data()
    keys = np.random.default_rng(6).integers(0, 4, N)
    chunks = [(y[i:i + 150], p[i:i + 150], w[i:i + 150]) for i in range(0, N, 150)]
    res = jmetrics.evaluate(chunks, None, METRICS, slice_by=keys, batch_size=64)
    check_slices(res, keys, y, p, w)


def test_k_models_per_slice_equal_each_model_alone():
    y, p, w = data(models=3)
    keys = np.random.default_rng(7).choice(["a", "b", "c"], N)
    res = jmetrics.evaluate(y, p, METRICS, sample_weight=w, model_axis=0, slice_by=keys,
                            batch_size=100)
    for value in ["a", "b", "c"]:
        rows = keys == value
        for k in range(3):
            for name, v in oracle(y[rows], p[k, rows], w[rows]).items():
                np.testing.assert_allclose(res["slices"][value][name][k], v, rtol=1e-6)


# -- bootstrap and the paired comparison -----------------------------------------------------
def replicate_weights(seed, n, b):
    """The documented replicate weights: Poisson(1) from fold_in(key(seed), row), by inverting
    the CDF on a uniform draw."""
    import math

    cdf = np.cumsum([math.exp(-1.0) / math.factorial(k) for k in range(12)]).astype(np.float32)
    base = jax.random.key(seed)
    keys = jax.vmap(jax.random.fold_in, in_axes=(None, 0))(base, np.arange(n, dtype=np.uint32))
    u = np.asarray(jax.vmap(lambda k: jax.random.uniform(k, (b,)))(keys))  # [n, B]
    return (u[..., None] >= cdf).sum(-1).T.astype(np.float64)  # [B, n]


def np_mse(y, p, w):
    return np.sum(w * (p - y) ** 2, axis=-1) / np.sum(w, axis=-1)


def test_bootstrap_per_slice_and_paired_differences_equal_numpy():
    b, k = 20, 3
    y, p, w = data(models=k)
    keys = np.random.default_rng(8).choice(["a", "b"], N)
    res = jmetrics.evaluate(y, p, ["mse"], sample_weight=w, model_axis=0, bootstrap=b,
                            seed=3, slice_by=keys, baseline=1, batch_size=96)
    reps = replicate_weights(3, N, b) * w  # [B, n]
    y64, p64 = y.astype(np.float64), p.astype(np.float64)
    for value, where in [(None, np.ones(N, bool)), ("a", keys == "a"), ("b", keys == "b")]:
        got = res if value is None else res["slices"][value]
        point = np.array([np_mse(y64[where], p64[m, where], w[where]) for m in range(k)])
        rep = np.array([np_mse(y64[where], p64[m, where], reps[:, where]) for m in range(k)])
        np.testing.assert_allclose(got["mse"], point, rtol=1e-6)
        np.testing.assert_allclose(got["mse.stderr"], rep.std(axis=1, ddof=1), rtol=1e-4)
        for m in (0, 2):
            diff = rep[m] - rep[1]
            cmp = got["compare"][f"model_{m}"]["mse"]
            np.testing.assert_allclose(cmp["diff"], point[m] - point[1], rtol=1e-5, atol=1e-7)
            np.testing.assert_allclose(cmp["stderr"], diff.std(ddof=1), rtol=1e-3, atol=1e-7)
            np.testing.assert_allclose(cmp["ci_low"], np.quantile(diff, 0.025), rtol=1e-3,
                                       atol=1e-6)
            np.testing.assert_allclose(cmp["ci_high"], np.quantile(diff, 0.975), rtol=1e-3,
                                       atol=1e-6)
        assert set(got["compare"]) == {"model_0", "model_2"}


def test_paired_interval_of_identical_models_is_zero_and_of_a_shift_is_the_shift():
    y, p, _ = data()
    r = np.random.default_rng(9)
    yr = r.normal(size=N).astype(np.float32)
    shift = np.float32(0.25)
    # mean error (y_pred - y_true averaged) of a shifted copy is shifted by exactly the shift
    preds = np.stack([p, p, p + shift])
    keys = r.choice(["a", "b"], N)
    res = jmetrics.evaluate(yr, preds, [lambda t, q: q - t], model_axis=0, bootstrap=30,
                            slice_by=keys, baseline=0)
    name = next(k for k in res if "." not in k and k not in ("slices", "slices_dropped",
                                                             "compare"))
    for got in (res, *res["slices"].values()):
        same = got["compare"]["model_1"][name]
        assert same == {"diff": 0.0, "stderr": 0.0, "ci_low": 0.0, "ci_high": 0.0}
        moved = got["compare"]["model_2"][name]
        for field in ("diff", "ci_low", "ci_high"):
            np.testing.assert_allclose(moved[field], 0.25, rtol=1e-5)
        assert moved["stderr"] < 1e-5
        # two intervals side by side would be wide; the paired one is not
        assert got[f"{name}.ci_high"][2] - got[f"{name}.ci_low"][2] > 0.05


def test_baseline_without_bootstrap_gives_the_differences():
    y, p, _ = data(models=2)
    res = jmetrics.evaluate(y, p, ["mse"], model_axis=0, baseline=0)
    ones = np.ones(N)
    want = np_mse(y.astype(np.float64), p[1].astype(np.float64), ones) - \
        np_mse(y.astype(np.float64), p[0].astype(np.float64), ones)
    assert list(res["compare"]["model_1"]["mse"]) == ["diff"]
    np.testing.assert_allclose(res["compare"]["model_1"]["mse"]["diff"], want, rtol=1e-5)


# -- many slices ------------------------------------------------------------------------------
def test_ten_thousand_slices_in_one_pass():
    n, s = 100_000, 10_000
    r = np.random.default_rng(10)
    y = r.integers(0, 2, n).astype(np.float32)
    p = r.random(n).astype(np.float32)
    keys = r.integers(0, s, n)
    keys[:s] = np.arange(s)  # every slice present
    start = time.perf_counter()
    jmetrics.evaluate(y, p, METRICS)
    plain = time.perf_counter() - start
    start = time.perf_counter()
    res = jmetrics.evaluate(y, p, METRICS, slice_by=keys)
    sliced = time.perf_counter() - start
    print(f"\n1e5 rows, {s} slices: {sliced:.2f} s; unsliced: {plain:.2f} s")  # measured only
    assert len(res["slices"]) == s
    for value in (0, 17, 4242, 9999):
        rows = keys == value
        assert res["slices"][value]["rows"] == int(rows.sum())
        for name, v in oracle(y[rows], p[rows]).items():
            np.testing.assert_allclose(res["slices"][value][name], v, rtol=1e-6)


# -- errors ----------------------------------------------------------------------------------
def test_clear_errors():
    y, p, _ = data()
    with pytest.raises(ValueError, match="slice_by must have one value per row; got 10 values "
                                         f"for {N} rows"):
        jmetrics.evaluate(y, p, METRICS, slice_by=np.arange(10))
    with pytest.raises(ValueError, match="slice_by must not hold NaN"):
        jmetrics.evaluate(y, p, METRICS, slice_by=np.full(N, np.nan))
    with pytest.raises(ValueError, match="slice_by has 1 missing"):
        jmetrics.evaluate(y, p, METRICS, slice_by=np.array(["a"] * (N - 1) + [None], object))
    with pytest.raises(ValueError, match="min_slice_size must be a positive integer; got 0"):
        jmetrics.evaluate(y, p, METRICS, slice_by=np.zeros(N), min_slice_size=0)
    with pytest.raises(ValueError, match="baseline compares models: it needs model_axis"):
        jmetrics.evaluate(y, p, METRICS, baseline=0)
    with pytest.raises(ValueError, match="baseline must be the index of one of y_pred's 2 "
                                         "models; got 2"):
        jmetrics.evaluate(y, np.stack([p, p]), METRICS, model_axis=0, baseline=2)
    with pytest.raises(ValueError, match="roc_auc_score keep every row"):
        jmetrics.evaluate(y, p, ["roc_auc_score"], slice_by=np.zeros(N))


# -- the command -----------------------------------------------------------------------------
@pytest.fixture()
def table(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    r = np.random.default_rng(11)
    n = 400
    y = r.integers(0, 2, n).astype(np.float32)
    p = r.random((2, n)).astype(np.float32)
    country = r.choice(["us", "fr", "de"], n)
    country[:3] = "tiny"
    device = r.integers(0, 2, n)
    pq.write_table(pa.table({"y": y, "p": p[0], "country": country, "device": device}),
                   tmp_path / "d.parquet", row_group_size=64)
    np.save(tmp_path / "p2.npy", p)
    return str(tmp_path / "d.parquet"), str(tmp_path / "p2.npy"), y, p, country, device


def cli(capsys, *argv):
    from jmetrics.cli import main

    code = main(["eval", *map(str, argv)])
    out = capsys.readouterr()
    assert code == 0, out.err
    return out.out, out.err


def test_cli_slices_in_json_csv_and_table(capsys, table):
    f, _, y, p, country, device = table
    base = ["--y-true", f + ":y", "--y-pred", f + ":p", "-m", "mse", "--batch-size", "50",
            "--slice-by", f + ":country", "--slice-by", f + ":device", "--min-slice-size", "4"]
    out, err = cli(capsys, *base, "--format", "json")
    res = json.loads(out)
    pairs = {(c, d) for c, d in zip(country.tolist(), device.tolist(), strict=True)
             if ((country == c) & (device == d)).sum() >= 4}
    assert {(s["slice"]["country"], s["slice"]["device"]) for s in res["slices"]} == pairs
    assert res["slices_dropped"] == len(set(zip(country, device, strict=True))) - len(pairs)
    assert "left out" in err
    for s in res["slices"]:
        rows = (country == s["slice"]["country"]) & (device == s["slice"]["device"])
        assert s["rows"] == int(rows.sum())
        want = skm.mean_squared_error(y[rows], p[0, rows].astype(np.float64))
        np.testing.assert_allclose(s["mse"], want, rtol=1e-6)
    out, _ = cli(capsys, *base, "--format", "csv", "-q")
    records = list(csv.DictReader(io.StringIO(out)))
    assert list(records[0]) == ["slice", "metric", "rows", "value"]
    assert records[0]["slice"] == "" and records[0]["rows"] == ""
    for rec in records[1:]:
        c, d = (part.split("=")[1] for part in rec["slice"].split(", "))
        rows = (country == c) & (device == int(d))
        assert int(rec["rows"]) == int(rows.sum())
        np.testing.assert_allclose(float(rec["value"]),
                                   skm.mean_squared_error(y[rows], p[0, rows]), rtol=1e-5)
    out, _ = cli(capsys, *base, "-q")
    lines = out.splitlines()
    assert lines[0].split() == ["slice", "metric", "rows", "value"]
    assert len(lines) == 2 + 1 + len(pairs)


def test_cli_baseline_with_bootstrap(capsys, table):
    f, p2, *_ = table
    out, _ = cli(capsys, "--y-true", f + ":y", "--y-pred", p2, "--model-axis", "0", "-m", "mse",
                 "--slice-by", f + ":country", "--baseline", "1", "--bootstrap", "10",
                 "--format", "json", "-q")
    res = json.loads(out)
    assert set(res["compare"]) == {"model_0"}
    cmp = res["compare"]["model_0"]["mse"]
    assert set(cmp) == {"diff", "stderr", "ci_low", "ci_high"}
    np.testing.assert_allclose(cmp["diff"], res["mse"][0] - res["mse"][1], rtol=1e-5)
    for s in res["slices"]:
        np.testing.assert_allclose(s["compare"]["model_0"]["mse"]["diff"],
                                   s["mse"][0] - s["mse"][1], rtol=1e-5, atol=1e-7)
    out, _ = cli(capsys, "--y-true", f + ":y", "--y-pred", p2, "--model-axis", "0", "-m", "mse",
                 "--baseline", "1", "--bootstrap", "10", "--format", "csv", "-q")
    records = list(csv.DictReader(io.StringIO(out)))
    diff = [r for r in records if r["metric"] == "mse - model_1"]
    assert len(diff) == 1 and diff[0]["model"] == "0"
    np.testing.assert_allclose(float(diff[0]["value"]), cmp["diff"], rtol=1e-5)


def test_cli_slice_by_a_missing_file_is_exit_2(capsys, table):
    from jmetrics.cli import main

    f, *_ = table
    code = main(["eval", "--y-true", f + ":y", "--y-pred", f + ":p", "--slice-by", "nope.parquet:c"])
    assert code == 2
    assert "--slice-by: nope.parquet:c does not exist" in capsys.readouterr().err
