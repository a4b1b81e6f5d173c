"""Many files as one source: lists of paths and globs, chunked across file ends, checked to line up.

Oracles: scikit-learn 1.9.1 and float64 NumPy over the concatenated data.
"""

from __future__ import annotations

import os

import numpy as np
import pytest
from sklearn import metrics as skm

import jmetrics
from jmetrics.cli import main
from jmetrics.engine._files import FileColumn, open_column

SIZES = (37, 50, 13, 29)  # mixed row counts; no batch size below divides them all


@pytest.fixture()
def shards(tmp_path):
    r = np.random.default_rng(3)
    ys, ps, ws = [], [], []
    for i, n in enumerate(SIZES):
        y = (r.random(n) < 0.4).astype(np.float32)
        p = np.clip(y * 0.4 + r.random(n) * 0.7, 0, 1).astype(np.float32)
        w = r.uniform(0, 2, n).astype(np.float32)
        np.save(tmp_path / f"y{i}.npy", y)
        np.save(tmp_path / f"p{i}.npy", p)
        np.save(tmp_path / f"w{i}.npy", w)
        ys.append(y), ps.append(p), ws.append(w)
    return tmp_path, np.concatenate(ys), np.concatenate(ps), np.concatenate(ws)


def _parquet(tmp_path, shards_y, shards_p):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    for i, (y, p) in enumerate(zip(shards_y, shards_p, strict=True)):
        pq.write_table(pa.table({"label": y, "score": p}), tmp_path / f"part-{i}.parquet",
                       row_group_size=11)


@pytest.mark.parametrize("batch_size", [7, 16, 64])
def test_npy_globs_equal_sklearn_on_the_concatenation(shards, batch_size):
    tmp, y, p, w = shards
    got = jmetrics.evaluate(str(tmp / "y*.npy"), str(tmp / "p*.npy"),
                            ["binary_accuracy", "mse", "roc_auc_score"],
                            sample_weight=str(tmp / "w*.npy"), batch_size=batch_size)
    y64, p64, w64 = (a.astype(np.float64) for a in (y, p, w))
    assert got["binary_accuracy"] == pytest.approx(
        skm.accuracy_score(y64, p64 > 0.5, sample_weight=w64), rel=1e-6)
    assert got["mse"] == pytest.approx(skm.mean_squared_error(y64, p64, sample_weight=w64),
                                       rel=1e-5)
    assert got["roc_auc_score"] == pytest.approx(skm.roc_auc_score(y64, p64, sample_weight=w64),
                                                 rel=1e-6)


def test_a_list_of_paths_is_one_source_in_the_order_given(shards):
    tmp, y, p, _ = shards
    order = [3, 0, 2, 1]
    ys = [str(tmp / f"y{i}.npy") for i in order]
    ps = [str(tmp / f"p{i}.npy") for i in order]
    got = jmetrics.evaluate(ys, ps, ["mse", "binary_accuracy"], batch_size=10)
    y = np.concatenate([np.load(f) for f in ys]).astype(np.float64)
    p = np.concatenate([np.load(f) for f in ps]).astype(np.float64)
    assert got["mse"] == pytest.approx(np.mean((y - p) ** 2), rel=1e-5)
    assert got["binary_accuracy"] == pytest.approx(np.mean(y == (p > 0.5)), rel=1e-6)


def test_parquet_glob_with_a_column_spec(shards):
    tmp, y, p, _ = shards
    bounds = np.cumsum([0, *SIZES])
    _parquet(tmp, [y[a:b] for a, b in zip(bounds, bounds[1:], strict=False)],
             [p[a:b] for a, b in zip(bounds, bounds[1:], strict=False)])
    got = jmetrics.evaluate(str(tmp / "part-*.parquet:label"), str(tmp / "part-*.parquet:score"),
                            ["roc_auc_score", "binary_crossentropy"], batch_size=9)
    y64, p64 = y.astype(np.float64), p.astype(np.float64)
    assert got["roc_auc_score"] == pytest.approx(skm.roc_auc_score(y64, p64), rel=1e-6)
    assert got["binary_crossentropy"] == pytest.approx(skm.log_loss(y64, p64), rel=1e-4)
    # parquet targets with .npy predictions: the same rows
    mixed = jmetrics.evaluate(str(tmp / "part-*.parquet:label"), str(tmp / "p*.npy"),
                              ["roc_auc_score"], batch_size=9)
    assert mixed["roc_auc_score"] == pytest.approx(skm.roc_auc_score(y64, p64), rel=1e-6)


def test_model_axis_across_files(tmp_path):
    r = np.random.default_rng(4)
    ys, ks = [], []
    for i, n in enumerate((21, 8, 34)):
        y = (r.random(n) < 0.5).astype(np.float32)
        k = r.random((3, n)).astype(np.float32)  # [K, N] per file
        np.save(tmp_path / f"y{i}.npy", y)
        np.save(tmp_path / f"k{i}.npy", k)
        ys.append(y), ks.append(k)
    got = jmetrics.evaluate(str(tmp_path / "y*.npy"), str(tmp_path / "k*.npy"), ["mse"],
                            model_axis=0, batch_size=5)
    y, k = np.concatenate(ys).astype(np.float64), np.concatenate(ks, axis=1).astype(np.float64)
    np.testing.assert_allclose(got["mse"], ((k - y) ** 2).mean(axis=1), rtol=1e-5)


def test_bootstrap_over_files_equals_bootstrap_over_the_concatenation(shards):
    tmp, y, p, _ = shards
    files = jmetrics.evaluate(str(tmp / "y*.npy"), str(tmp / "p*.npy"), ["mse"], bootstrap=20,
                              seed=2, batch_size=8)
    whole = jmetrics.evaluate(y, p, ["mse"], bootstrap=20, seed=2, batch_size=128)
    for key in ("mse", "mse.stderr", "mse.ci_low", "mse.ci_high"):
        assert files[key] == pytest.approx(whole[key], rel=1e-5), key


def test_reads_span_file_ends_and_keep_two_files_open(shards):
    tmp, y, _, _ = shards
    col = open_column(str(tmp / "y*.npy"), "y_true")
    assert isinstance(col, FileColumn) and col.rows == sum(SIZES)
    for lo, hi in ((30, 95), (0, 129), (86, 88), (128, 200), (50, 50)):
        np.testing.assert_array_equal(col.read(lo, hi), y[lo:hi])
        assert len(col._open) <= 2  # noqa: SLF001 - bounded: never every file at once


def test_files_of_different_dtypes_read_as_one_dtype(tmp_path):
    np.save(tmp_path / "a0.npy", np.array([0, 1, 1], np.int32))
    np.save(tmp_path / "a1.npy", np.array([0.5, 1.0], np.float32))
    col = open_column(str(tmp_path / "a*.npy"), "y_true")
    assert col.dtype == np.float64 and col.read(0, 5).dtype == np.float64
    np.testing.assert_array_equal(col.read(1, 4), [1, 1, 0.5])


def test_a_list_of_paths_once_gave_a_jax_dtype_error(shards):
    tmp, y, p, _ = shards
    got = jmetrics.evaluate([str(tmp / "y0.npy")], [str(tmp / "p0.npy")], ["mse"])
    assert got["mse"] == pytest.approx(np.mean((y[:37].astype(np.float64) - p[:37]) ** 2),
                                       rel=1e-5)


def test_rows_that_do_not_line_up_name_the_files(shards):
    tmp, *_ = shards
    y_all = str(tmp / "y*.npy")
    with pytest.raises(ValueError, match=r"same number of rows; got 129, 87 .*y0.npy"):
        jmetrics.evaluate(y_all, [str(tmp / f"p{i}.npy") for i in range(2)], ["mse"])
    swapped = [str(tmp / f"p{i}.npy") for i in (0, 2, 1, 3)]  # same total, files out of order
    with pytest.raises(ValueError, match=r"do not line up row for row: y_true file .*y1.npy holds "
                                         r"rows 37 to 87 \(50 rows\) but y_pred file .*p2.npy "
                                         r"holds rows 37 to 50 \(13 rows\)"):
        jmetrics.evaluate(y_all, swapped, ["mse"])
    with pytest.raises(ValueError, match=r"sample_weight file .*w2.npy"):
        jmetrics.evaluate(y_all, str(tmp / "p*.npy"), ["mse"],
                          sample_weight=[str(tmp / f"w{i}.npy") for i in (0, 2, 1, 3)])


def test_an_empty_glob_and_mismatched_shapes_are_named(shards):
    tmp, *_ = shards
    with pytest.raises(FileNotFoundError,
                       match=r"y_true pattern '.*nothing\*.npy' matches no file"):
        jmetrics.evaluate(str(tmp / "nothing*.npy"), str(tmp / "p*.npy"), ["mse"])
    with pytest.raises(FileNotFoundError, match=r"pattern '.*none-\*.parquet' \(from"):
        jmetrics.evaluate(str(tmp / "y*.npy"), str(tmp / "none-*.parquet:score"), ["mse"])
    np.save(tmp / "q0.npy", np.zeros((4, 2), np.float32))
    np.save(tmp / "q1.npy", np.zeros((4, 3), np.float32))
    with pytest.raises(ValueError, match=r"same shape apart from the rows; .*q0.npy has \(2,\) and "
                                         r".*q1.npy has \(3,\)"):
        jmetrics.evaluate(np.zeros(8), str(tmp / "q*.npy"), ["mse"])


def _run(capsys, *argv):
    code = main(["eval", *map(str, argv)])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_reads_globs_and_repeated_paths(capsys, shards):
    tmp, y, p, _ = shards
    want = skm.roc_auc_score(y.astype(np.float64), p.astype(np.float64))
    code, out, _ = _run(capsys, "--y-true", tmp / "y*.npy", "--y-pred", tmp / "p*.npy",
                        "-m", "roc_auc_score", "--format", "json", "--batch-size", "9", "-q")
    assert code == 0 and float(out.split(":")[1].strip(" }\n")) == pytest.approx(want, rel=1e-6)
    ys = [tmp / f"y{i}.npy" for i in range(4)]
    code, out, _ = _run(capsys, "--y-true", *ys[:2], "--y-true", *ys[2:],
                        "--y-pred", tmp / "p*.npy", "-m", "roc_auc_score", "--format", "json", "-q")
    assert code == 0 and float(out.split(":")[1].strip(" }\n")) == pytest.approx(want, rel=1e-6)


@pytest.mark.parametrize("case", ["empty glob", "rows differ", "files out of order"])
def test_cli_file_errors_are_one_line_and_write_nothing(capsys, shards, case):
    tmp, *_ = shards
    y_pred = {"empty glob": [tmp / "none*.npy"], "rows differ": [tmp / "p0.npy", tmp / "p1.npy"],
              "files out of order": [tmp / f"p{i}.npy" for i in (1, 0, 2, 3)]}[case]
    message = {"empty glob": "matches no file", "rows differ": "same number of rows",
               "files out of order": "do not line up"}[case]
    before = sorted(os.listdir(tmp))
    code, out, err = _run(capsys, "--y-true", tmp / "y*.npy", "--y-pred", *y_pred,
                          "--output", tmp / "o.json", "--plot", tmp / "o.png", "-q")
    assert code == 2 and out == "" and err.count("\n") == 1 and message in err, err
    assert err.startswith("jmetrics eval: error: ") and "Traceback" not in err
    assert sorted(os.listdir(tmp)) == before  # no output, no temporary file


def test_a_list_of_strings_naming_no_file_is_data_not_paths(shards):
    tmp, *_ = shards
    col = open_column(["US", "FR", "US"], "slice_by")  # slice keys, say: not files
    assert not isinstance(col, FileColumn) and col.read(0, 3).tolist() == ["US", "FR", "US"]
    with pytest.raises(FileNotFoundError, match=r"y_true file .*nope.npy does not exist"):
        jmetrics.evaluate([str(tmp / "y0.npy"), str(tmp / "nope.npy")], str(tmp / "p*.npy"),
                          ["mse"])



def test_parquet_columns_are_read_side_by_side_and_npy_columns_in_turn(shards, monkeypatch):
    import threading

    from jmetrics.engine import _sources
    from jmetrics.engine._chunks import _column_chunks

    tmp, y, p, _ = shards
    bounds = np.cumsum([0, *SIZES])
    _parquet(tmp, [y[a:b] for a, b in zip(bounds, bounds[1:], strict=False)],
             [p[a:b] for a, b in zip(bounds, bounds[1:], strict=False)])
    seen: list[str] = []
    for cls in (_sources.Column, _sources._ParquetColumn):
        def spy(self, start, stop, read=cls.read):
            seen.append(threading.current_thread().name)
            return read(self, start, stop)

        monkeypatch.setattr(cls, "read", spy)
    parquet = [str(tmp / f"part-*.parquet:{c}") for c in ("label", "score")]
    npy = [str(tmp / "y*.npy"), str(tmp / "p*.npy")]
    for specs, side_by_side in [(parquet, True), (npy, False), ([parquet[0], npy[1]], True)]:
        cols = [open_column(spec, name, 0) for spec, name in zip(specs, ("y_true", "y_pred"), strict=True)]
        assert any(c.decodes for c in cols) == side_by_side
        seen.clear()
        chunks = list(_column_chunks(cols, 0, cols[0].rows, 9, None))
        got = [np.concatenate([ch.arrays[i][:ch.valid] for ch in chunks]) for i in (0, 1)]
        np.testing.assert_array_equal(got[0], y)
        np.testing.assert_array_equal(got[1], p)
        assert seen and all(n.startswith("jmetrics-column") == side_by_side for n in seen), seen
