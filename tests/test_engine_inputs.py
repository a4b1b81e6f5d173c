"""jmetrics.evaluate on bad or unusual input: no data, bad weights, non-real dtypes, byte order,
object arrays, string columns, and shape errors that name the data rather than a chunk.

Oracles: scikit-learn 1.9.1 (which accepts big-endian arrays, object arrays of numbers, and
negative weights) and float64 NumPy written from the formulas; never jmetrics itself.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sklearn import metrics as skm

import jmetrics


def data(n=40, seed=0):
    r = np.random.default_rng(seed)
    y = r.normal(size=n).astype(np.float32)
    return y, (y + r.normal(scale=0.5, size=n)).astype(np.float32)


def mse(y, p, w=None):
    return skm.mean_squared_error(np.float64(y), np.float64(p), sample_weight=w)


# -- no data ------------------------------------------------------------------------------
def test_no_rows_is_an_error_not_a_number(tmp_path):
    empty = np.zeros(0, np.float32)
    with pytest.raises(ValueError, match=r"y_true, y_pred must have at least one row; got 0 rows"):
        jmetrics.evaluate(empty, empty, ["mse"])
    np.save(tmp_path / "e.npy", empty)
    with pytest.raises(ValueError, match=r"y_true \(.*e.npy\), y_pred .* got 0 rows"):
        jmetrics.evaluate(tmp_path / "e.npy", tmp_path / "e.npy", ["mse"])
    (tmp_path / "h.csv").write_text("y,p\n")
    with pytest.raises(ValueError, match=r"y_true column y of .*h.csv has no rows"):
        jmetrics.evaluate(f"{tmp_path / 'h.csv'}:y", f"{tmp_path / 'h.csv'}:p", ["mse"])
    (tmp_path / "z.csv").write_text("")
    with pytest.raises(ValueError, match=r"y_true file .*z.csv is empty"):
        jmetrics.evaluate(f"{tmp_path / 'z.csv'}:y", f"{tmp_path / 'z.csv'}:p", ["mse"])
    chunks = [(empty, empty), (empty, empty)]
    with pytest.raises(ValueError, match=r"the chunk iterable must have at least one row"):
        jmetrics.evaluate(iter(chunks), metrics=["mse"])


# -- weights ------------------------------------------------------------------------------
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nonfinite_weights_follow_the_nonfinite_policy(bad):
    y, p = data()
    w = np.random.default_rng(1).uniform(0.5, 2, 40).astype(np.float32)
    w[[5, 33]] = bad
    with pytest.raises(ValueError, match=r"sample_weight must be finite; got 2 NaN or inf "
                                         r"weight\(s\) \(first at row 5\)"):
        jmetrics.evaluate(y, p, ["mse"], sample_weight=w, batch_size=16)
    keep = np.isfinite(w)
    got = jmetrics.evaluate(y, p, ["mse"], sample_weight=w, batch_size=16, on_nonfinite="ignore")
    assert got["mse"] == pytest.approx(mse(y[keep], p[keep], w[keep]), rel=1e-5)
    got = jmetrics.evaluate(y, p, ["mse"], sample_weight=w, on_nonfinite="propagate")
    assert np.isnan(got["mse"])  # the metrics see them: NaN or inf * 0 in the sums


def test_negative_weights_are_refused_unless_propagated():
    y, p = data()
    w = np.random.default_rng(2).uniform(0.5, 2, 40).astype(np.float32)
    w[[9, 20, 21]] = -0.5
    for policy in ("error", "ignore"):
        with pytest.raises(ValueError, match=r"sample_weight must be non-negative; got 3 negative "
                                             r"weight\(s\) \(first at row 9\)"):
            jmetrics.evaluate(y, p, ["mse"], sample_weight=w, batch_size=16, on_nonfinite=policy)
    got = jmetrics.evaluate(y, p, ["mse"], sample_weight=w, on_nonfinite="propagate")
    assert got["mse"] == pytest.approx(mse(y, p, w), rel=1e-5)  # sklearn accepts them too


def test_weight_checks_cover_every_device():
    """The weight counters reduce across devices like the others (first row: the smallest)."""
    import os
    import subprocess
    import sys
    import textwrap

    script = textwrap.dedent("""
        import numpy as np, jmetrics
        y = np.zeros(64, np.float32); w = np.ones(64, np.float32); w[[50, 60]] = np.nan
        w[[40, 45]] = -1
        for policy in ("error", "ignore"):
            try:
                jmetrics.evaluate(y, y, ["mse"], sample_weight=w, on_nonfinite=policy)
            except ValueError as err:
                print(err)
    """)
    env = {**os.environ, "JAX_PLATFORMS": "cpu",
           "XLA_FLAGS": os.environ.get("XLA_FLAGS", "") + " --xla_force_host_platform_device_count=4"}
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env,
                         timeout=600, cwd=os.path.dirname(os.path.dirname(__file__)))
    lines = out.stdout.splitlines()
    assert "2 NaN or inf weight(s) (first at row 50)" in lines[0], out.stderr
    assert "2 negative weight(s) (first at row 40)" in lines[1], out.stderr


# -- dtypes -------------------------------------------------------------------------------
def test_complex_inputs_are_refused_naming_the_argument(tmp_path):
    y, p = data()
    with pytest.raises(TypeError, match=r"y_pred must hold real numbers; got complex values"):
        jmetrics.evaluate(y, p + 1j, ["mse"])
    np.save(tmp_path / "c.npy", y.astype(np.complex64))
    with pytest.raises(TypeError, match=r"y_true \(.*c.npy\) must hold real numbers"):
        jmetrics.evaluate(tmp_path / "c.npy", p, ["mse"])
    with pytest.raises(TypeError, match=r"sample_weight must hold real numbers"):
        jmetrics.evaluate(y, p, ["mse"], sample_weight=np.ones(40, np.complex128))


def test_big_endian_inputs_are_read_as_numpy_reads_them(tmp_path):
    y, p = data(n=1003)
    w = np.random.default_rng(3).uniform(0, 2, 1003)
    want = mse(y, p, w)
    np.save(tmp_path / "p.npy", p.astype(">f4"))
    np.save(tmp_path / "w.npy", w.astype(">f8"))
    got = jmetrics.evaluate(y.astype(">f4"), tmp_path / "p.npy", ["mse"],
                            sample_weight=tmp_path / "w.npy", batch_size=100)
    assert got["mse"] == pytest.approx(want, rel=1e-5)
    labels = np.array([0, 2, 1, 2] * 10, ">i4")
    probs = np.eye(3, dtype=">f4")[[0, 2, 2, 2] * 10]
    got = jmetrics.evaluate(labels, probs, ["sparse_categorical_accuracy"])
    assert got["sparse_categorical_accuracy"] == pytest.approx(
        skm.accuracy_score(labels, probs.argmax(1)))


def test_object_arrays_of_numbers_are_converted_others_refused():
    y, p = data()
    got = jmetrics.evaluate(y.astype(object), list(p.astype(object)), ["mse"])
    assert got["mse"] == pytest.approx(mse(y, p), rel=1e-6)
    words = np.array(["a"] * 40, object)
    with pytest.raises(TypeError, match=r"y_pred must hold numbers; got an object array holding "
                                        r"str \(first: 'a'\)"):
        jmetrics.evaluate(y, words, ["mse"])
    holes = y.astype(object)
    holes[3] = None
    with pytest.raises(TypeError, match=r"y_true must hold numbers; .*missing values \(None\)"):
        jmetrics.evaluate(holes, p, ["mse"])
    with pytest.raises(TypeError, match=r"y_pred must hold numbers; got strings \(<U1\)"):
        jmetrics.evaluate(y, np.array(["a"] * 40), ["mse"])
    chunks = [(y[:20], p[:20]), (y[20:], np.array(["b"] * 20, object))]
    with pytest.raises(TypeError, match=r"y_pred \(chunk iterable\) must hold numbers"):
        jmetrics.evaluate(iter(chunks), metrics=["mse"])


def test_string_columns_are_refused_naming_the_column(tmp_path):
    y, p = data(n=4)
    pq.write_table(pa.table({"y": y, "p": p, "s": ["a", "b", "c", "d"]}), tmp_path / "t.parquet")
    path = tmp_path / "t.parquet"
    for kwargs, who in (({"y_pred": f"{path}:s"}, "y_pred"),
                        ({"sample_weight": f"{path}:s"}, "sample_weight")):
        args = {"y_pred": f"{path}:p", **kwargs}
        with pytest.raises(TypeError, match=rf"{who} \(.*t.parquet:s\) must hold numbers; got a "
                                            "column of string"):
            jmetrics.evaluate(f"{path}:y", metrics=["mse"], **args)
    (tmp_path / "t.csv").write_text("y,p,s\n0,0.5,a\n1,0.2,b\n")
    with pytest.raises(ValueError, match=r"y_pred column s of .*t.csv is not numeric"):
        jmetrics.evaluate(f"{tmp_path / 't.csv'}:y", f"{tmp_path / 't.csv'}:s", ["mse"])


def test_decimal_columns_are_numbers(tmp_path):
    import decimal

    y, p = data(n=6)
    col = pa.array([decimal.Decimal(f"{v:.3f}") for v in p], pa.decimal128(10, 3))
    pq.write_table(pa.table({"y": y, "p": col}), tmp_path / "d.parquet")
    got = jmetrics.evaluate(f"{tmp_path / 'd.parquet'}:y", f"{tmp_path / 'd.parquet'}:p", ["mse"])
    assert got["mse"] == pytest.approx(mse(y, np.round(p.astype(np.float64), 3)), rel=1e-5)


# -- shapes -------------------------------------------------------------------------------
def test_shape_errors_name_the_data_not_the_chunk(tmp_path):
    y = np.zeros((1000, 4), np.float32)
    np.save(tmp_path / "y.npy", y)
    np.save(tmp_path / "p.npy", np.zeros((1000, 3), np.float32))
    with pytest.raises(ValueError) as err:
        jmetrics.evaluate(tmp_path / "y.npy", tmp_path / "p.npy", ["mse"], batch_size=96)
    message = str(err.value)
    assert "(96," not in message and "(1000, 4)" in message and "(1000, 3)" in message
    assert "y.npy" in message and "p.npy" in message and message.startswith("evaluate: ")
    with pytest.raises(ValueError, match=r"got 1000, 999 \(y_true \(.*y.npy\) shape \(1000, 4\), "
                                         r"y_pred shape \(999, 4\)\)"):
        jmetrics.evaluate(tmp_path / "y.npy", y[:999], ["mse"])
