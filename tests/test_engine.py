"""jmetrics.evaluate: every source kind, chunking, K models, weights, bootstrap, errors.

Oracles: scikit-learn 1.9.1 and float64 NumPy written from the formulas; never jmetrics itself.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import textwrap
import zipfile

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from sklearn import metrics as skm

import jmetrics
from jmetrics.engine import demo_data, pick_metrics
from tests import doc_snippets

pytestmark = pytest.mark.xdist_group("engine_files")  # its module-scoped fixture runs once

N = 1003  # ragged against every batch size used below


def regression(n=N, seed=0):
    r = np.random.default_rng(seed)
    y = r.normal(size=(n, 1)).astype(np.float32)
    return y, (y + r.normal(scale=0.7, size=(n, 1))).astype(np.float32)


def reference(y, p, w=None):
    """float64 sklearn values for the regression metrics used here."""
    y, p = np.asarray(y, np.float64).reshape(len(y), -1), np.asarray(p, np.float64).reshape(len(y), -1)
    return {"mse": skm.mean_squared_error(y, p, sample_weight=w),
            "mae": skm.mean_absolute_error(y, p, sample_weight=w)}


def close(got, want, rtol=1e-5):
    for k, v in want.items():
        np.testing.assert_allclose(got[k], v, rtol=rtol, err_msg=k)


# -- sources ------------------------------------------------------------------------------
def _write_sources(tmp_path, y, p, w):
    np.save(tmp_path / "y.npy", y)
    np.save(tmp_path / "p.npy", p)
    np.save(tmp_path / "w.npy", w)
    np.savez(tmp_path / "stored.npz", y=y, p=p, w=w)
    np.savez_compressed(tmp_path / "packed.npz", y=y, p=p, w=w)
    np.savetxt(tmp_path / "data.csv", np.c_[y, p, w], delimiter=",", header="y,p,w", comments="")
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table({"y": y[:, 0], "p": p[:, 0], "w": w})
    pq.write_table(table, tmp_path / "data.parquet", row_group_size=97)
    with pa.ipc.new_file(str(tmp_path / "data.arrow"), table.schema) as f:
        f.write_table(table)


SOURCES = {
    "numpy": lambda d: (d["y"], d["p"], d["w"]),
    "npy": lambda d: ("y.npy", "p.npy", "w.npy"),
    "npz-stored": lambda d: ("stored.npz:y", "stored.npz:p", "stored.npz:w"),
    "npz-compressed": lambda d: ("packed.npz:y", "packed.npz:p", "packed.npz:w"),
    "csv": lambda d: ("data.csv:y", "data.csv:p", "data.csv:w"),
    "parquet": lambda d: ("data.parquet:y", "data.parquet:p", "data.parquet:w"),
    "arrow": lambda d: ("data.arrow:y", "data.arrow:p", "data.arrow:w"),
    "jax": lambda d: (jnp.asarray(d["y"]), jnp.asarray(d["p"]), jnp.asarray(d["w"])),
}


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("sources")
    y, p = regression()
    w = np.random.default_rng(5).uniform(0, 2, N).astype(np.float32)
    _write_sources(tmp, y, p, w)
    return tmp, {"y": y, "p": p, "w": w}


@pytest.mark.parametrize("kind", SOURCES)
@pytest.mark.parametrize("weighted", [False, True])
def test_every_source_kind_equals_sklearn(files, kind, weighted):
    tmp, d = files
    yt, yp, w = (tmp / s if isinstance(s, str) else s for s in SOURCES[kind](d))
    got = jmetrics.evaluate(yt, yp, ["mse", "mae"], sample_weight=w if weighted else None,
                            batch_size=128)
    assert list(got) == ["mse", "mae"]
    close(got, reference(d["y"], d["p"], d["w"] if weighted else None))


@pytest.mark.parametrize("sizes", [[1003], [1, 2, 500, 500], [333, 333, 337]])
def test_chunk_iterables_of_any_sizes(sizes):
    y, p = regression()
    w = np.random.default_rng(1).uniform(0, 2, N).astype(np.float32)
    bounds = np.cumsum([0, *sizes])
    chunks = [(y[a:b], p[a:b], w[a:b]) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
    # batch_size 128 as in the source-kind test: the same compiled step
    got = jmetrics.evaluate(iter(chunks), metrics=["mse", "mae"], batch_size=128)
    close(got, reference(y, p, w))
    column = jmetrics.evaluate(y, p, ["mse", "mae"], sample_weight=w[:, None], batch_size=128)
    close(column, reference(y, p, w))  # (N, 1) weights are one per row, never (N, N)


@pytest.mark.parametrize("batch_size", [1, 7, 128, 1003, 5000])
def test_batch_size_changes_nothing_and_compiles_once(batch_size):
    y, p = regression(n=301)
    got = jmetrics.evaluate(y, p, ["mse", "mae"], batch_size=batch_size)
    close(got, reference(y, p))


def test_classification_against_sklearn():
    r = np.random.default_rng(3)
    labels = r.integers(0, 5, 777)
    probs = r.dirichlet(np.ones(5), 777).astype(np.float32)
    w = r.uniform(0, 3, 777)
    got = jmetrics.evaluate(labels, probs, ["sparse_categorical_accuracy",
                                            "sparse_categorical_crossentropy"],
                            sample_weight=w, batch_size=100)
    np.testing.assert_allclose(got["sparse_categorical_accuracy"],
                               skm.accuracy_score(labels, probs.argmax(1), sample_weight=w), rtol=1e-5)
    np.testing.assert_allclose(got["sparse_categorical_crossentropy"],
                               skm.log_loss(labels, probs, sample_weight=w, labels=range(5)),
                               rtol=1e-4)
    yb = (r.random(777) < 0.4).astype(np.float32)
    pb = r.random(777).astype(np.float32)
    got = jmetrics.evaluate(yb, pb, ["binary_accuracy"], batch_size=64)
    assert got["binary_accuracy"] == pytest.approx(skm.accuracy_score(yb, pb > 0.5), rel=1e-6)


def test_sklearn_names_are_exact_with_ties_and_weights():
    r = np.random.default_rng(8)
    y = (r.random(3001) < 0.3).astype(np.float32)
    p = np.round(r.random(3001), 2).astype(np.float32)  # heavy ties
    w = r.uniform(0, 2, 3001).astype(np.float32)
    got = jmetrics.evaluate(y, p, ["roc_auc_score", "average_precision_score"], sample_weight=w,
                            batch_size=256)
    assert got["roc_auc_score"] == pytest.approx(skm.roc_auc_score(y, p, sample_weight=w), rel=1e-6)
    assert got["average_precision_score"] == pytest.approx(
        skm.average_precision_score(y, p, sample_weight=w), rel=1e-6)
    models = jmetrics.evaluate(y, np.stack([p, 1 - p]), ["roc_auc_score"], model_axis=0,
                               batch_size=256)
    np.testing.assert_allclose(models["roc_auc_score"], [skm.roc_auc_score(y, p),
                                                         skm.roc_auc_score(y, 1 - p)], rtol=1e-6)
    with pytest.raises(ValueError, match="need the number of rows"):
        jmetrics.evaluate(iter([(y, p)]), metrics=["roc_auc_score"])
    with pytest.raises(ValueError, match="capacity must hold every row"):
        jmetrics.evaluate(y, p, [jmetrics.metrics.ExactAUC(capacity=100)], batch_size=64)


def test_k_models_in_one_pass_equal_each_model(tmp_path):
    y, _ = regression()
    r = np.random.default_rng(9)
    preds = np.stack([y + r.normal(scale=s, size=y.shape).astype(np.float32) for s in (0.1, 1, 3)])
    w = r.uniform(0, 2, N).astype(np.float32)
    np.save(tmp_path / "preds.npy", preds)
    for source in (preds, tmp_path / "preds.npy"):
        got = jmetrics.evaluate(y, source, ["mse", "mae"], sample_weight=w, model_axis=0,
                                batch_size=100)
        for k in range(3):
            close({n: v[k] for n, v in got.items()}, reference(y, preds[k], w))
    moved = np.moveaxis(preds, 0, 1)  # [N, K, 1] with the model axis second
    got = jmetrics.evaluate(y, moved, ["mse"], model_axis=1, batch_size=100)
    np.testing.assert_allclose(got["mse"], [reference(y, preds[k])["mse"] for k in range(3)],
                               rtol=1e-5)


def test_bootstrap_intervals_cover_the_truth_at_their_nominal_rate():
    """mae of N(0, 1) errors is sqrt(2/pi); 40 independent data sets, 95% percentile intervals."""
    truth, hits, reps = np.sqrt(2 / np.pi), 0, 40
    for seed in range(reps):
        r = np.random.default_rng(1000 + seed)
        y = np.zeros((1500, 1), np.float32)
        p = r.normal(size=(1500, 1)).astype(np.float32)
        got = jmetrics.evaluate(y, p, ["mae"], bootstrap=200, seed=seed, batch_size=512)
        assert got["mae.ci_low"] < got["mae"] < got["mae.ci_high"]
        # the bootstrap standard error estimates the sampling one: sd(|Z|)/sqrt(n)
        assert got["mae.stderr"] == pytest.approx(np.sqrt(1 - 2 / np.pi) / np.sqrt(1500), rel=0.25)
        hits += got["mae.ci_low"] <= truth <= got["mae.ci_high"]
    assert 0.85 <= hits / reps <= 1.0  # binomial(40, .95): P(< 34 hits) < 1%


def test_bootstrap_with_k_models_has_a_model_axis():
    y, p = regression(n=200)
    got = jmetrics.evaluate(y, np.stack([p, y]), ["mse"], model_axis=0, bootstrap=20,
                            batch_size=64)
    assert got["mse"].shape == got["mse.stderr"].shape == (2,)
    assert got["mse.stderr"][1] == 0 and got["mse.stderr"][0] > 0  # perfect model: no spread


# -- bad input -------------------------------------------------------------------------
def test_nonfinite_policies():
    y, p = regression(n=50)
    p = p.copy()
    p[[7, 30]] = np.nan
    with pytest.raises(ValueError, match=r"2 row\(s\) with NaN or inf \(first at row 7\)"):
        jmetrics.evaluate(y, p, ["mse"], batch_size=16)
    keep = np.isfinite(p[:, 0])
    got = jmetrics.evaluate(y, p, ["mse"], batch_size=16, on_nonfinite="ignore")
    close(got, {"mse": reference(y[keep], p[keep])["mse"]})
    assert np.isnan(jmetrics.evaluate(y, p, ["mse"], on_nonfinite="propagate")["mse"])
    w = np.ones(50, np.float32)
    w[[7, 30]] = 0  # weight-0 rows are not evaluated, so their NaN is not an error
    close(jmetrics.evaluate(y, p, ["mse"], sample_weight=w), {"mse": reference(y[keep], p[keep])["mse"]})


def test_sparse_labels_out_of_range_or_fractional_are_errors():
    probs = np.full((6, 3), 1 / 3, np.float32)
    with pytest.raises(ValueError, match=r"labels must be in \[0, 3\).*from 0 to 3"):
        jmetrics.evaluate(np.array([0, 1, 2, 3, 0, 1]), probs, ["sparse_categorical_accuracy"])
    with pytest.raises(ValueError, match=r"from -1 to 2"):
        jmetrics.evaluate(np.array([0, 1, 2, -1, 0, 1]), probs, ["sparse_categorical_accuracy"])
    with pytest.raises(ValueError, match="fractional"):
        jmetrics.evaluate(np.array([0, 1, 2, 1.5, 0, 1]), probs, ["sparse_categorical_accuracy"])


def test_clear_errors_for_bad_inputs(tmp_path):
    y, p = regression(n=20)
    with pytest.raises(ValueError, match=r"same number of rows; got 20, 19"):
        jmetrics.evaluate(y, p[:19], ["mse"])
    with pytest.raises(ValueError, match="close matches|did you mean|unknown"):
        jmetrics.evaluate(y, p, ["msee"])
    with pytest.raises(FileNotFoundError, match="does not exist"):
        jmetrics.evaluate(tmp_path / "nope.npy", p, ["mse"])
    np.save(tmp_path / "t.npy", y)
    data = (tmp_path / "t.npy").read_bytes()
    (tmp_path / "cut.npy").write_bytes(data[: len(data) - 8])
    with pytest.raises(ValueError, match="truncated"):
        jmetrics.evaluate(tmp_path / "cut.npy", p, ["mse"])
    (tmp_path / "junk.npy").write_bytes(b"not an array at all")
    with pytest.raises(ValueError, match="not a readable .npy"):
        jmetrics.evaluate(tmp_path / "junk.npy", p, ["mse"])
    (tmp_path / "junk.npz").write_bytes(b"PK nonsense")
    with pytest.raises(ValueError, match="not a readable .npz"):
        jmetrics.evaluate(tmp_path / "junk.npz", p, ["mse"])
    np.savez(tmp_path / "a.npz", y=y)
    with pytest.raises(ValueError, match="member 'q' is not in .*members: y"):
        jmetrics.evaluate(f"{tmp_path / 'a.npz'}:q", p, ["mse"])
    with pytest.raises(ValueError, match="on_nonfinite must be one of"):
        jmetrics.evaluate(y, p, ["mse"], on_nonfinite="skip")
    with pytest.raises(ValueError, match="bootstrap must be an integer >= 2"):
        jmetrics.evaluate(y, p, ["mse"], bootstrap=1)
    with pytest.raises(TypeError, match="y_pred is missing"):
        jmetrics.evaluate(y, None, ["mse"])


def test_npz_stored_member_is_read_in_place_not_whole(tmp_path):
    y, _ = regression()
    np.savez(tmp_path / "s.npz", y=y)
    with zipfile.ZipFile(tmp_path / "s.npz") as z:
        assert z.getinfo("y.npy").compress_type == zipfile.ZIP_STORED
    from jmetrics.engine._files import open_column
    from jmetrics.engine._sources import _OnDisk

    col = open_column(f"{tmp_path / 's.npz'}:y", "y_true")
    assert isinstance(col.data, _OnDisk)
    np.testing.assert_array_equal(col.read(10, 20), y[10:20])


# -- automatic metrics and demo data ------------------------------------------------------
def test_pick_metrics_names_the_task():
    yb, pb = demo_data("binary", rows=1000)
    assert pick_metrics(yb, pb).task == "binary"
    assert pick_metrics(yb, np.log(pb / (1 - pb))).reason.endswith("logits")
    ym, pm = demo_data("multiclass", rows=1000)
    assert pick_metrics(ym, pm).task == "multiclass"
    assert pick_metrics(np.eye(10, dtype=np.float32)[ym], pm).metrics[0] == "categorical_accuracy"
    yr, pr = demo_data("regression", rows=1000)
    assert pick_metrics(yr, pr).task == "regression"
    assert pick_metrics(np.eye(3)[[0, 1, 2, 0]] + np.eye(3)[[1, 2, 0, 0]] > 0,
                        np.full((4, 3), 0.5)).task == "multilabel"


def test_auto_metrics_on_demo_sets_equal_sklearn():
    yb, pb = demo_data("binary", rows=20_000)
    got = jmetrics.evaluate(yb, pb)
    assert got["binary_accuracy"] == pytest.approx(skm.accuracy_score(yb, pb > 0.5), rel=1e-6)
    assert got["auc"] == pytest.approx(skm.roc_auc_score(yb, pb), abs=2e-3)  # 200 bins
    assert got["precision"] == pytest.approx(skm.precision_score(yb, pb > 0.5), rel=1e-5)
    assert got["recall"] == pytest.approx(skm.recall_score(yb, pb > 0.5), rel=1e-5)
    yr, pr = demo_data("regression", rows=20_000)
    got = jmetrics.evaluate(yr, pr)
    assert got["r2_score"] == pytest.approx(skm.r2_score(yr, pr), rel=1e-5)
    assert got["root_mean_squared_error"] == pytest.approx(
        skm.root_mean_squared_error(yr, pr), rel=1e-5)


def test_demo_data_is_deterministic():
    a, b = demo_data("regression", rows=10), demo_data("regression", rows=10)
    np.testing.assert_array_equal(a[0], b[0])
    with pytest.raises(ValueError, match="task must be one of"):
        demo_data("ranking")


# -- bounded memory, many devices, many hosts ----------------------------------------------
MEMORY = textwrap.dedent("""
    import resource, sys, numpy as np, jmetrics
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    metrics = ["mse", "mae", "mape", "msle", "logcosh", "binary_accuracy"]  # compute-bound
    got = jmetrics.evaluate(sys.argv[1], sys.argv[2], metrics, batch_size=1 << 18)
    grew = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    print(grew // 1024, got["mse"])
""")


def test_peak_memory_stays_flat_for_files_larger_than_the_chunk(tmp_path):
    """Two 96 MB files, 24e6 rows, chunks of 262144 rows (1 MB): RSS grows far less than the data."""
    n = 24_000_000
    y = np.lib.format.open_memmap(tmp_path / "y.npy", "w+", np.float32, (n,))
    p = np.lib.format.open_memmap(tmp_path / "p.npy", "w+", np.float32, (n,))
    y[:] = 1.0
    p[:] = 3.0
    del y, p
    env = {**os.environ, "JAX_PLATFORMS": "cpu"}
    out = subprocess.run([sys.executable, "-c", MEMORY, str(tmp_path / "y.npy"),
                          str(tmp_path / "p.npy")], capture_output=True, text=True, env=env,
                         timeout=300)
    assert out.returncode == 0, out.stderr
    grew_mb, mse = out.stdout.split()
    assert float(mse) == 4.0
    assert int(grew_mb) < 96, f"peak RSS grew by {grew_mb} MB reading 192 MB"
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss > 0


DEVICES = textwrap.dedent("""
    import os, sys, numpy as np, jax, jmetrics
    from sklearn import metrics as skm
    assert jax.device_count() == 8
    r = np.random.default_rng(0)
    y = r.normal(size=(1001, 1)).astype(np.float32)
    preds = np.stack([y + r.normal(scale=s, size=y.shape).astype(np.float32) for s in (.5, 2)])
    w = r.uniform(0, 2, 1001).astype(np.float32)
    got = jmetrics.evaluate(y, preds, ["mse", "mae"], sample_weight=w, model_axis=0, batch_size=100)
    one = jmetrics.evaluate(y, preds, ["mse", "mae"], sample_weight=w, model_axis=0, devices=1)
    for k in range(2):
        want = skm.mean_squared_error(y, preds[k], sample_weight=w)
        np.testing.assert_allclose([got["mse"][k], one["mse"][k]], want, rtol=1e-5)
        want = skm.mean_absolute_error(y, preds[k], sample_weight=w)
        np.testing.assert_allclose([got["mae"][k], one["mae"][k]], want, rtol=1e-5)
    labels = r.integers(0, 4, 999); probs = r.dirichlet(np.ones(4), 999).astype(np.float32)
    got = jmetrics.evaluate(labels, probs, ["sparse_categorical_accuracy"], batch_size=64)
    np.testing.assert_allclose(got["sparse_categorical_accuracy"],
                               skm.accuracy_score(labels, probs.argmax(1)), rtol=1e-6)
    yb = (r.random(1001) < 0.4).astype(np.float32); pb = np.round(r.random(1001), 2)
    got = jmetrics.evaluate(yb, pb, ["roc_auc_score", "auc"], sample_weight=w, batch_size=64)
    np.testing.assert_allclose(got["roc_auc_score"], skm.roc_auc_score(yb, pb, sample_weight=w),
                               rtol=1e-6)
    print("ok")
""")


def test_eight_devices_shard_and_give_the_single_device_results():
    env = {**os.environ, "JAX_PLATFORMS": "cpu",
           "XLA_FLAGS": os.environ.get("XLA_FLAGS", "") + " --xla_force_host_platform_device_count=8"}
    out = subprocess.run([sys.executable, "-c", DEVICES], capture_output=True, text=True, env=env,
                         timeout=300)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr[-3000:]




def _free_port():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_two_processes_each_read_their_rows_and_match_one_process(tmp_path):
    y, p = regression()
    y = (y > 0).astype(np.float32)  # 0/1 labels, so the exact AUC buffer is merged too
    np.save(tmp_path / "y.npy", y)
    np.save(tmp_path / "p.npy", p)
    address = f"127.0.0.1:{_free_port()}"
    env = {**os.environ, "JAX_PLATFORMS": "cpu"}  # the suite's quick-compile XLA flags too
    script = tmp_path / "eval_multihost.py"
    script.write_text(doc_snippets.script("eval_multihost.py"))  # the docs' script, as printed
    procs = [subprocess.Popen([sys.executable, str(script), address, "2", str(i),
                               str(tmp_path / "y.npy"), str(tmp_path / "p.npy")],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
             for i in range(2)]
    outs = [proc.communicate(timeout=240) for proc in procs]
    for proc, (_, stderr) in zip(procs, outs, strict=True):
        assert proc.returncode == 0, stderr[-3000:]
    want = reference(y, p)
    auc = skm.roc_auc_score(y[:, 0], p[:, 0])
    for stdout, _ in outs:
        got = json.loads(stdout.strip().splitlines()[-1])
        np.testing.assert_allclose([got["mse"], got["mae"], got["roc_auc_score"]],
                                   [want["mse"], want["mae"], auc], rtol=1e-5)


def test_device_arrays_stay_where_they_are():
    y, p = regression(n=64)
    devices = jax.devices()
    yt, yp = jax.device_put(y, devices[0]), jax.device_put(p, devices[0])
    close(jmetrics.evaluate(yt, yp, ["mse"]), {"mse": reference(y, p)["mse"]})


def test_the_engine_guide_code_runs(tmp_path, monkeypatch):
    """docs/evaluate.md: every Python block except the multi-host one runs as written (in a
    temporary directory: the page writes files)."""
    import re
    from pathlib import Path

    monkeypatch.chdir(tmp_path)

    text = (Path(__file__).resolve().parents[1] / "docs" / "evaluate.md").read_text()
    blocks = [b for b in re.findall(r"```python\n(.*?)```", text, re.S) if "distributed" not in b]
    assert len(blocks) >= 5
    scope: dict = {}
    for block in blocks:
        exec(compile(block, "docs/evaluate.md", "exec"), scope)
    assert scope["per_model"]["binary_accuracy"].shape == (2,)


@pytest.mark.parametrize("models", [False, True])
def test_nonfinite_rows_located_across_chunks_and_blocks(models):
    """The default check flags chunks in the pass and locates the rows in a second one: the count
    and first row are NumPy's, wherever the rows fall (chunks of several blocks, the last one
    padded); clean data gives the same numbers as 'propagate'."""
    rng = np.random.default_rng(3)
    n = 150_001  # chunks of 65,536 rows: 4 blocks each, the last chunk padded
    y = (rng.random(n) > 0.5).astype(np.float32)
    p = rng.random(n).astype(np.float32)
    metrics = ["mse", "binary_accuracy"]
    pp = np.stack([p, p[::-1]]) if models else p
    clean = jmetrics.evaluate(y, pp, metrics, batch_size=65536, model_axis=0 if models else None)
    same = jmetrics.evaluate(y, pp, metrics, batch_size=65536, on_nonfinite="propagate",
                             model_axis=0 if models else None)
    for k in metrics:
        np.testing.assert_array_equal(clean[k], same[k])
    want = np.mean((y.astype(np.float64) - p) ** 2)  # float64 NumPy oracle
    np.testing.assert_allclose(clean["mse"] if not models else clean["mse"][0], want, rtol=1e-5)
    bad_t, bad_p = np.array([140_000, 70_000]), np.array([70_000, 149_999, 20_000])
    y[bad_t[0]], y[bad_t[1]] = np.inf, np.nan
    p[bad_p] = [np.nan, -np.inf, np.inf]
    pp = np.stack([p, np.zeros_like(p)]) if models else p
    rows = np.flatnonzero(~np.isfinite(y) | ~np.isfinite(p))
    with pytest.raises(ValueError, match=rf"{len(rows)} row\(s\) with NaN or inf \(first at row "
                                         rf"{rows[0]}\)"):
        jmetrics.evaluate(y, pp, metrics, batch_size=65536, model_axis=0 if models else None)


def test_nonfinite_rows_located_in_a_chunk_iterable():
    """An iterable of chunks is read once: its pass locates the rows as it goes (NumPy's count
    and first row)."""
    rng = np.random.default_rng(4)
    y = (rng.random(5000) > 0.5).astype(np.float32)
    p = rng.random(5000).astype(np.float32)
    p[[4100, 1234]] = [np.inf, np.nan]
    chunks = ((y[i:i + 700], p[i:i + 700]) for i in range(0, 5000, 700))
    with pytest.raises(ValueError, match=r"2 row\(s\) with NaN or inf \(first at row 1234\)"):
        jmetrics.evaluate(chunks, None, ["mse"], batch_size=1024)
