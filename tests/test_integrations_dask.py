"""jmetrics.integrations.dask.evaluate: a Dask DataFrame evaluated partition by partition.

Oracles: ``jmetrics.evaluate`` over the concatenated columns (the same keys and values), and
scikit-learn 1.9.1 / float64 NumPy for accuracy, mean squared error and log loss, overall and on
every slice. Frames have partitions of uneven sizes, one of them empty. Schedulers: the synchronous
one, and a ``distributed.LocalCluster`` with two worker processes.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import accuracy_score, log_loss, mean_squared_error, roc_auc_score

import jmetrics

dask = pytest.importorskip("dask")
dd = pytest.importorskip("dask.dataframe")
pd = pytest.importorskip("pandas")

from jmetrics.integrations.dask import evaluate  # noqa: E402

pytestmark = pytest.mark.xdist_group("dask_cluster")  # its module-scoped fixture runs once

ROOT = Path(__file__).resolve().parents[1]
BOUNDS = [0, 23, 23, 150, 151, 400]  # partitions of 23, 0, 127, 1 and 249 rows
BINARY = ["binary_accuracy", "mse", "auc", "precision"]
SPARSE = ["sparse_categorical_accuracy", "sparse_categorical_crossentropy"]


def _frame(df: pd.DataFrame, bounds: list[int] = BOUNDS) -> dd.DataFrame:
    parts = [dask.delayed(df.iloc[a:b].copy()) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
    return dd.from_delayed(parts, meta=df.iloc[:0])


def _data(n: int = 400, seed: int = 0) -> pd.DataFrame:
    r = np.random.default_rng(seed)
    scores = r.dirichlet(np.ones(3), n)
    return pd.DataFrame({
        "label": r.integers(0, 2, n).astype(np.float64),
        "score": r.uniform(size=n),
        "weight": r.uniform(0.0, 2.0, n),
        "cls": r.integers(0, 3, n),
        "p0": scores[:, 0], "p1": scores[:, 1], "p2": scores[:, 2],
        "country": r.choice(["de", "fr", "kr", "us"], n, p=[0.4, 0.3, 0.25, 0.05]),
        "device": r.integers(0, 2, n),
    })


def _sync(frame, metrics, **kw):
    with dask.config.set(scheduler="synchronous"):
        return evaluate(frame, metrics, **kw)


def _close(got: dict, want: dict, rtol: float = 1e-6) -> None:
    assert list(got) == list(want)
    for k in want:
        np.testing.assert_allclose(got[k], want[k], rtol=rtol, atol=1e-7, err_msg=k)
        assert type(got[k]) is type(want[k]), k


def _binary_oracle(df: pd.DataFrame) -> dict:
    """scikit-learn: accuracy at threshold 0.5, weighted MSE (float64)."""
    y, p, w = df.label.to_numpy(), df.score.to_numpy(), df.weight.to_numpy()
    return {"binary_accuracy": accuracy_score(y, p > 0.5, sample_weight=w),
            "mse": mean_squared_error(y, p, sample_weight=w)}


def _sparse_oracle(df: pd.DataFrame) -> dict:
    y, scores = df.cls.to_numpy(), df[["p0", "p1", "p2"]].to_numpy()
    return {"sparse_categorical_accuracy": accuracy_score(y, scores.argmax(1)),
            "sparse_categorical_crossentropy": log_loss(y, scores, labels=[0, 1, 2])}


def test_weighted_binary_equals_evaluate_over_the_concatenated_rows():
    df = _data()
    got = _sync(_frame(df), BINARY, y_true="label", y_pred="score", sample_weight="weight")
    want = jmetrics.evaluate(df.label.to_numpy(), df.score.to_numpy(), BINARY,
                             sample_weight=df.weight.to_numpy())
    _close(got, want)
    for k, v in _binary_oracle(df).items():
        assert got[k] == pytest.approx(v, rel=1e-5)


def test_class_score_columns_equal_evaluate_and_sklearn():
    df = _data(seed=1)
    got = _sync(_frame(df), SPARSE, y_true="cls", y_pred=["p0", "p1", "p2"])
    want = jmetrics.evaluate(df.cls.to_numpy(), df[["p0", "p1", "p2"]].to_numpy(), SPARSE)
    _close(got, want)
    for k, v in _sparse_oracle(df).items():
        assert got[k] == pytest.approx(v, rel=1e-5)


def test_one_partition_or_many_give_the_same_result():
    df = _data(seed=2)
    kw = {"y_true": "label", "y_pred": "score", "sample_weight": "weight"}
    one = _sync(dd.from_pandas(df, npartitions=1), BINARY, **kw)
    many = _sync(_frame(df, [0, 1, 2, 3, 100, 100, 399, 400]), BINARY, batch_size=16, **kw)
    _close(many, one)


def test_exact_auc_with_a_capacity_for_every_row_equals_sklearn():
    df = _data(seed=7)
    got = _sync(_frame(df), [jmetrics.metrics.ExactAUC(capacity=len(df))], y_true="label",
                y_pred="score", sample_weight="weight")
    want = roc_auc_score(df.label, df.score, sample_weight=df.weight)
    assert got == {"exact_auc": pytest.approx(want, rel=1e-5)}


def test_slices_equal_each_slice_evaluated_alone():
    df = _data(seed=3)
    got = _sync(_frame(df), BINARY, y_true="label", y_pred="score", sample_weight="weight",
                slice_by="country", min_slice_size=30)
    counts = df.country.value_counts()
    kept = sorted(c for c in counts.index if counts[c] >= 30)
    assert list(got["slices"]) == kept and all(type(k) is str for k in kept)
    assert got["slices_dropped"] == len(counts) - len(kept) >= 1
    for country in kept:
        rows = df[df.country == country]
        want = jmetrics.evaluate(rows.label.to_numpy(), rows.score.to_numpy(), BINARY,
                                 sample_weight=rows.weight.to_numpy())
        entry = dict(got["slices"][country])
        assert entry.pop("rows") == len(rows)
        _close(entry, want, rtol=1e-5)
        for k, v in _binary_oracle(rows).items():
            assert entry[k] == pytest.approx(v, rel=1e-5)
    # the overall metrics are every row's, slices dropped or not
    _close({k: got[k] for k in BINARY}, jmetrics.evaluate(
        df.label.to_numpy(), df.score.to_numpy(), BINARY, sample_weight=df.weight.to_numpy()),
        rtol=1e-5)


def test_many_slices_fold_segment_wise_and_equal_the_engine_and_sklearn(monkeypatch):
    from sklearn.metrics import r2_score

    import jmetrics.integrations.dask as jd
    from jmetrics.metrics import R2Score

    def per_slice(*args):
        raise AssertionError("a partition with slices must not fold slice by slice")

    monkeypatch.setattr(jd, "_fold", per_slice)
    df = _data(seed=7)
    df["region"] = np.random.default_rng(7).integers(0, 60, len(df))
    metrics = ["auc", R2Score(num_outputs=1, name="r2"), "mse"]
    got = _sync(_frame(df), metrics, y_true="label", y_pred="score", sample_weight="weight",
                slice_by="region", batch_size=64)
    y, p, w = (df[c].to_numpy(np.float32) for c in ("label", "score", "weight"))
    want = jmetrics.evaluate(y, p, metrics, sample_weight=w, slice_by=df.region.to_numpy())
    assert list(got["slices"]) == list(want["slices"])
    for region, entry in got["slices"].items():
        rows = df[df.region == region]
        assert entry["rows"] == len(rows) == want["slices"][region]["rows"]
        for k in ("auc", "r2", "mse"):
            np.testing.assert_allclose(entry[k], want["slices"][region][k], rtol=1e-5,
                                       atol=1e-6, err_msg=f"{region} {k}")
        np.testing.assert_allclose(entry["r2"], r2_score(rows.label, rows.score,
                                                         sample_weight=rows.weight), rtol=1e-4)


def test_crossed_slices_are_tuples_of_python_values():
    df = _data(seed=4)
    got = _sync(_frame(df), SPARSE, y_true="cls", y_pred=["p0", "p1", "p2"],
                slice_by=["device", "country"])
    groups = df.groupby(["device", "country"]).size()
    assert sorted(got["slices"]) == sorted((int(d), c) for d, c in groups.index)
    assert got["slices_dropped"] == 0
    for (device, country), entry in got["slices"].items():
        assert type(device) is int and type(country) is str
        rows = df[(df.device == device) & (df.country == country)]
        assert entry["rows"] == len(rows)
        for k, v in _sparse_oracle(rows).items():
            assert entry[k] == pytest.approx(v, rel=1e-5, abs=1e-6)


def test_a_missing_column_is_named():
    frame = _frame(_data())
    with pytest.raises(ValueError, match=r"dask.evaluate: y_pred column 'logit' is not in the "
                                         r"frame; columns: label, score"):
        _sync(frame, BINARY, y_true="label", y_pred="logit")
    with pytest.raises(ValueError, match=r"slice_by column 'region' is not in the frame"):
        _sync(frame, BINARY, y_true="label", y_pred="score", slice_by=["country", "region"])
    with pytest.raises(ValueError, match=r"sample_weight column 'w' is not in the frame"):
        _sync(frame, BINARY, y_true="label", y_pred="score", sample_weight="w")


def test_bad_values_raise_as_evaluate_does():
    df = _data(seed=5)
    nan = df.copy()
    nan.loc[160, "score"] = np.nan  # partition 4 (rows 151..399), its row 9
    with pytest.raises(ValueError, match=r"1 row\(s\) with NaN or inf \(first at partition 4, "
                                         r"row 9\)"):
        _sync(_frame(nan), BINARY, y_true="label", y_pred="score")
    ignored = _sync(_frame(nan), BINARY, y_true="label", y_pred="score", on_nonfinite="ignore")
    rows = nan.drop(index=160)
    _close(ignored, jmetrics.evaluate(rows.label.to_numpy(), rows.score.to_numpy(), BINARY))
    label = df.copy()
    label.loc[30, "cls"] = 3
    with pytest.raises(ValueError, match=r"labels must be in \[0, 3\) for y_pred's 3 classes; "
                                         r"got labels from 0 to 3"):
        _sync(_frame(label), SPARSE, y_true="cls", y_pred=["p0", "p1", "p2"])
    with pytest.raises(ValueError, match=r"at least one row; got 0 rows"):
        _sync(_frame(df, [0, 0, 0]), BINARY, y_true="label", y_pred="score")
    with pytest.raises(ValueError, match=r"roc_auc_score keep every row"):
        _sync(_frame(df), ["roc_auc_score"], y_true="label", y_pred="score")


# -- a real cluster: two worker processes ---------------------------------------------------------
@pytest.fixture(scope="module")
def client():
    distributed = pytest.importorskip("distributed")
    env = {"JAX_PLATFORMS": "cpu", "PYTHONPATH": os.pathsep.join([str(ROOT), *sys.path])}
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                  dashboard_address=None, env=env) as cluster, \
            distributed.Client(cluster) as c:
        yield c


def test_local_cluster_with_two_worker_processes_equals_evaluate(client):
    df = _data(seed=6)
    got = evaluate(_frame(df), BINARY, y_true="label", y_pred="score", sample_weight="weight",
                   slice_by="country", min_slice_size=30)
    want = jmetrics.evaluate(df.label.to_numpy(), df.score.to_numpy(), BINARY,
                             sample_weight=df.weight.to_numpy())
    _close({k: got[k] for k in BINARY}, want, rtol=1e-5)
    for country, entry in got["slices"].items():
        rows = df[df.country == country]
        assert entry["rows"] == len(rows)
        for k, v in _binary_oracle(rows).items():
            assert entry[k] == pytest.approx(v, rel=1e-5)
    # the states were built in the worker processes, not in this one
    ran = client.run(lambda: "jmetrics.integrations.dask" in sys.modules)
    assert len(ran) == 2 and any(ran.values())
    assert os.getpid() not in client.run(os.getpid).values()
