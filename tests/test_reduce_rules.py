"""How states reduce across devices: declared leaves, a metric's own merge, or a clear refusal.

The rule (docs/streaming.md, "How states reduce"): a leaf under a NamedTuple with ``REDUCE``, a
``KSum`` or ``Moments`` reduces by its declared kind; a state that declares nothing is reduced by
the metric's own ``merge`` (gathered, folded in order) or refused on more than one device, never
summed. Multi-device cases run in one subprocess with 8 simulated CPU devices; the oracles are
NumPy (max and mean of |error|, squared error) and, for the bootstrap, the same run on one device
and the Poisson(1) probabilities written from the formula.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jmetrics
from jmetrics.metrics import Metric
from jmetrics.metrics._state import KSum, merge_states, state_reductions, undeclared_leaves
from tests.conftest import FAST_COMPILE

pytestmark = pytest.mark.xdist_group("eight_devices_rules")  # its module-scoped fixture runs once

ROOT = Path(__file__).resolve().parents[1]
DEVICES = 8


# ---- user metrics, as a user writes them ----------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class MaxError(Metric):
    """Largest |y_true - y_pred| over rows of nonzero weight: a plain array and its own merge."""

    def init(self) -> jax.Array:
        return jnp.zeros((), jnp.float32)

    def update(self, state, y_true, y_pred, sample_weight=None):
        err = jnp.abs(jnp.asarray(y_true, jnp.float32) - jnp.asarray(y_pred, jnp.float32))
        err = err.reshape(err.shape[0], -1).max(axis=1)
        if sample_weight is not None:
            err = jnp.where(jnp.asarray(sample_weight).reshape(-1) != 0, err, 0.0)
        return jnp.maximum(state, jnp.max(err))

    def merge(self, a, b):
        return jnp.maximum(a, b)

    def compute(self, state):
        return state


@dataclasses.dataclass(frozen=True)
class ErrorRange(Metric):
    """Smallest and largest signed error: a dict of plain arrays, merged by its own merge."""

    def init(self) -> dict[str, jax.Array]:
        return {"lo": jnp.float32(jnp.inf), "hi": jnp.float32(-jnp.inf)}

    def update(self, state, y_true, y_pred, sample_weight=None):
        e = jnp.asarray(y_pred, jnp.float32) - jnp.asarray(y_true, jnp.float32)
        e = e.reshape(e.shape[0], -1)
        keep = jnp.ones(e.shape[:1], bool) if sample_weight is None else (
            jnp.asarray(sample_weight).reshape(-1) != 0)
        return self.merge(state, {"lo": jnp.min(jnp.where(keep[:, None], e, jnp.inf)),
                                  "hi": jnp.max(jnp.where(keep[:, None], e, -jnp.inf))})

    def merge(self, a, b):
        return {"lo": jnp.minimum(a["lo"], b["lo"]), "hi": jnp.maximum(a["hi"], b["hi"])}

    def compute(self, state):
        return state["hi"] - state["lo"]


@dataclasses.dataclass(frozen=True)
class SumOfPredictions(Metric):
    """A plain-array running sum with no merge of its own: declares nothing, so never reduced."""

    def init(self) -> jax.Array:
        return jnp.zeros((), jnp.float32)

    def update(self, state, y_true, y_pred, sample_weight=None):
        p = jnp.asarray(y_pred, jnp.float32).reshape(jnp.shape(y_pred)[0], -1).sum(axis=1)
        w = jnp.ones_like(p) if sample_weight is None else jnp.asarray(sample_weight).reshape(-1)
        return state + jnp.sum(w * p)

    def compute(self, state):
        return state


class Counted(NamedTuple):
    total: jax.Array  # () float32, sum of w * y_pred
    peak: jax.Array  # () float32, largest y_pred
    REDUCE = {"peak": "max"}  # noqa: RUF012 - class metadata, not a field ("total": sum)


@dataclasses.dataclass(frozen=True)
class DeclaredPeak(Metric):
    """A user state that declares its reductions: reduced by them, no merge needed."""

    def init(self) -> Counted:
        return Counted(jnp.zeros((), jnp.float32), jnp.float32(-jnp.inf))

    def update(self, state, y_true, y_pred, sample_weight=None):
        p = jnp.asarray(y_pred, jnp.float32).reshape(-1)
        w = jnp.ones_like(p) if sample_weight is None else jnp.asarray(sample_weight).reshape(-1)
        return Counted(state.total + jnp.sum(w * p),
                       jnp.maximum(state.peak, jnp.max(jnp.where(w != 0, p, -jnp.inf))))

    def compute(self, state):
        return state.total + 1000.0 * state.peak


def data(n: int = 203, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r = np.random.default_rng(seed)
    y = r.normal(size=(n, 1)).astype(np.float32)
    p = (y + r.normal(scale=0.5, size=(n, 1))).astype(np.float32)
    w = r.integers(0, 3, n).astype(np.float32)  # weights 0, 1, 2
    return y, p, w


def _doc_block() -> str:
    text = (ROOT / "docs" / "streaming.md").read_text()
    return next(b for b in re.findall(r"```python\n(.*?)```", text, re.S) if "class MaxError" in b)


# ---- the 8-device worker (runs when this file is executed as a module) --------------------------
def _try(fn: Any) -> Any:
    try:
        return fn()
    except ValueError as err:
        return {"error": str(err)}


def _as_json(tree: Any) -> Any:
    return jax.tree.map(lambda v: np.asarray(v).tolist(), tree)


def _worker() -> dict[str, Any]:
    assert jax.device_count() == DEVICES, jax.devices()
    y, p, w = data()
    out: dict[str, Any] = {}
    metrics = [MaxError(), ErrorRange(), DeclaredPeak(), "mae"]
    for d in (1, DEVICES):
        out[f"evaluate_{d}"] = jmetrics.evaluate(y, p, metrics, devices=d, batch_size=40)
        out[f"weighted_{d}"] = jmetrics.evaluate(y, p, metrics, sample_weight=w, devices=d,
                                                 batch_size=40)
        out[f"no_merge_{d}"] = _try(lambda d=d: jmetrics.evaluate(
            y, p, [SumOfPredictions(), "mae"], devices=d, batch_size=40))
    # a Collection of custom metrics through sharded_update (shard_map, 8 devices, ragged batch)
    coll = jmetrics.Collection([MaxError(), ErrorRange(name="range"), "mse"])
    mesh = jmetrics.batch_mesh()
    step = jmetrics.sharded_update(coll, mesh)
    state = coll.init()
    for part in (slice(0, 100), slice(100, None)):
        yt, yp, ws = jmetrics.shard_batch(y[part], p[part], sample_weight=w[part], mesh=mesh)
        state = step(state, yt, yp, sample_weight=ws)
    out["sharded_collection"] = _as_json(coll.compute(state))
    out["sharded_no_merge"] = _try(lambda: jmetrics.sharded_update(
        jmetrics.Collection([SumOfPredictions()]), mesh)(
            jmetrics.Collection([SumOfPredictions()]).init(),
            *jmetrics.shard_batch(y[:16], p[:16], mesh=mesh)[:2]))
    # bootstrap: the same replicates on 1 and 8 devices and for any batch_size
    for d, bs in ((1, 32), (DEVICES, 32), (DEVICES, 72), (1, None)):
        out[f"bootstrap_{d}_{bs}"] = jmetrics.evaluate(y, p, ["mse", "mae", MaxError()],
                                                       sample_weight=w, bootstrap=30, seed=7,
                                                       devices=d, batch_size=bs)
    doc: dict[str, Any] = {}  # docs/streaming.md's MaxError, on one device and on eight
    exec(compile(_doc_block(), "docs/streaming.md", "exec"), doc)  # noqa: S102
    out["doc_max_error"] = [jmetrics.evaluate(y, p, [doc["MaxError"]()], devices=d)["max_error"]
                            for d in (1, DEVICES)]
    models = np.stack([p, y + 0.1])
    for d in (1, DEVICES):
        out[f"bootstrap_models_{d}"] = _as_json(jmetrics.evaluate(
            y, models, ["mse"], model_axis=0, bootstrap=20, seed=1, devices=d, batch_size=48))
    return out


def _process_worker(process_id: int, processes: int, address: str) -> dict[str, Any]:
    """One of several jax.distributed processes (CPU, gloo): evaluate reads its share of the rows."""
    jax.config.update("jax_cpu_collectives_implementation", "gloo")
    jax.distributed.initialize(address, num_processes=processes, process_id=process_id)
    y, p, w = data()
    out = {"results": jmetrics.evaluate(y, p, [MaxError(), ErrorRange(), "mae"], sample_weight=w,
                                        bootstrap=20, seed=5)}
    out["no_merge"] = _try(lambda: jmetrics.evaluate(y, p, [SumOfPredictions()]))
    from jmetrics.engine._step import _bootstrap_draws  # each process numbers its rows from 0

    out["draws"] = np.asarray(_bootstrap_draws(jnp.uint32(5), jnp.arange(100), 4)).tolist()
    return out


@pytest.fixture(scope="module")
def eight() -> dict[str, Any]:
    env = {**os.environ, "XLA_FLAGS": f"{os.environ.get('XLA_FLAGS', '')} --xla_force_host_platform_device_count={DEVICES}",
           "JAX_PLATFORMS": "cpu", "KERAS_BACKEND": "jax"}
    proc = subprocess.run([sys.executable, "-m", "tests.test_reduce_rules"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _numpy_oracle(weighted: bool) -> dict[str, float]:
    y, p, w = data()
    e = (p - y)[:, 0].astype(np.float64)
    keep = w != 0 if weighted else np.ones(len(e), bool)
    ww = w if weighted else np.ones(len(e))
    return {"max_error": np.abs(e[keep]).max(), "error_range": e[keep].max() - e[keep].min(),
            "declared_peak": float(np.sum(ww * p[:, 0])) + 1000.0 * p[keep, 0].max(),
            "mae": float(np.sum(ww * np.abs(e)) / np.sum(ww))}


@pytest.mark.parametrize("weighted", [False, True])
def test_custom_metrics_on_8_devices_equal_one_device_and_numpy(eight, weighted):
    key = "weighted" if weighted else "evaluate"
    one, many = eight[f"{key}_1"], eight[f"{key}_{DEVICES}"]
    want = _numpy_oracle(weighted)
    assert set(one) == set(many) == set(want)
    for name, value in want.items():
        assert one[name] == pytest.approx(value, rel=1e-5), name
        assert many[name] == pytest.approx(value, rel=1e-5), name  # not 8x (a sum of maxima)


def test_custom_metrics_in_a_collection_through_sharded_update(eight):
    y, p, w = data()
    e = (p - y)[:, 0].astype(np.float64)
    keep = w != 0
    got = eight["sharded_collection"]
    assert got["max_error"] == pytest.approx(np.abs(e[keep]).max(), rel=1e-6)
    assert got["range"] == pytest.approx(e[keep].max() - e[keep].min(), rel=1e-6)
    assert got["mse"] == pytest.approx(np.sum(w * e**2) / np.sum(w), rel=1e-5)


def test_a_state_that_declares_nothing_without_merge_is_refused_on_8_devices(eight):
    y, p, _ = data()
    one = eight["no_merge_1"]  # one device: nothing to reduce, the value is right
    assert one["sum_of_predictions"] == pytest.approx(float(p.astype(np.float64).sum()), rel=1e-5)
    for key in (f"no_merge_{DEVICES}", "sharded_no_merge"):
        msg = eight[key]["error"]
        assert "sum_of_predictions: to reduce over the 8 members of axis" in msg, msg
        assert "undeclared leaves ['<the state itself>']" in msg and "own merge" in msg, msg
    assert eight[f"no_merge_{DEVICES}"]["error"].startswith("evaluate on 8 device(s)")


def test_the_docs_max_error_is_the_same_on_8_devices(eight):
    y, p, _ = data()
    want = float(np.abs(p - y).max())
    assert eight["doc_max_error"] == [pytest.approx(want, rel=1e-6)] * 2


def test_bootstrap_on_8_devices_equals_one_device_for_the_same_seed(eight):
    ref = eight["bootstrap_1_32"]
    assert {k for k in ref if k.endswith(".stderr")} == {"mse.stderr", "mae.stderr",
                                                          "max_error.stderr"}
    for key in (f"bootstrap_{DEVICES}_32", f"bootstrap_{DEVICES}_72", "bootstrap_1_None"):
        got = eight[key]
        assert set(got) == set(ref)
        for name in ref:
            assert got[name] == pytest.approx(ref[name], rel=1e-5, abs=1e-7), (key, name)
    assert ref["mse.stderr"] > 0 and ref["mse.ci_low"] < ref["mse"] < ref["mse.ci_high"]
    one, many = eight["bootstrap_models_1"], eight[f"bootstrap_models_{DEVICES}"]
    for name in one:
        np.testing.assert_allclose(many[name], one[name], rtol=1e-5, atol=1e-7, err_msg=name)
    assert np.shape(one["mse.stderr"]) == (2,)


def test_two_processes_merge_custom_metrics_and_bootstrap_replicates(tmp_path):
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        address = f"127.0.0.1:{sock.getsockname()[1]}"
    env = {**os.environ, "XLA_FLAGS": FAST_COMPILE}  # no inherited device count
    env.update(JAX_PLATFORMS="cpu", KERAS_BACKEND="jax", PYTHONPATH=str(ROOT))
    procs = [subprocess.Popen([sys.executable, "-m", "tests.test_reduce_rules", "process", str(i),
                               "2", address], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for i in range(2)]
    outs = []
    try:
        for proc in procs:
            out, err = proc.communicate(timeout=600)
            assert proc.returncode == 0, err[-3000:]
            outs.append(json.loads(out.strip().splitlines()[-1]))
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
    draws = [np.array(o.pop("draws")) for o in outs]
    assert outs[0] == outs[1]  # every process gets the same merged results
    assert np.mean(draws[0] == draws[1]) < 0.6  # row i of each process: independent replicates
    got, want = outs[0]["results"], _numpy_oracle(weighted=True)
    for name in ("max_error", "error_range", "mae"):
        assert got[name] == pytest.approx(want[name], rel=1e-5), name
        assert got[f"{name}.ci_low"] <= got[name] + 1e-6 and got[f"{name}.stderr"] > 0, name
    msg = outs[0]["no_merge"]["error"]
    assert msg.startswith("evaluate on 1 device(s), 2 process(es): sum_of_predictions: to merge "
                          "states, every state leaf must declare"), msg


# ---- in this process ----------------------------------------------------------------------------
def test_bootstrap_weights_are_poisson_1():
    from jmetrics.engine._step import _bootstrap_draws

    draws = np.asarray(_bootstrap_draws(jnp.uint32(3), jnp.arange(20000, dtype=jnp.int32), 10))
    assert draws.shape == (10, 20000)
    n = draws.size
    pmf = np.array([math.exp(-1) / math.factorial(k) for k in range(6)])  # the formula
    freq = np.array([(draws == k).sum() for k in range(6)]) / n
    assert np.all(np.abs(freq - pmf) <= 4 * np.sqrt(pmf * (1 - pmf) / n)), (freq, pmf)
    assert abs(draws.mean() - 1) < 4 / np.sqrt(n) and abs(draws.var() - 1) < 8 / np.sqrt(n)
    # a row's weights depend on the seed and the row only; rows and replicates are not alike
    again = np.asarray(_bootstrap_draws(jnp.uint32(3), jnp.arange(100, 200, dtype=jnp.int32), 10))
    np.testing.assert_array_equal(again, draws[:, 100:200])
    other = np.asarray(_bootstrap_draws(jnp.uint32(4), jnp.arange(20000, dtype=jnp.int32), 10))
    assert abs(np.corrcoef(draws.ravel(), other.ravel())[0, 1]) < 0.02
    assert abs(np.corrcoef(draws[0], draws[1])[0, 1]) < 0.05


def test_declarations_are_read_from_reduce_ksum_and_moments_only():
    assert state_reductions(Counted(jnp.zeros(()), jnp.zeros(()))) == Counted("sum", "max")
    assert undeclared_leaves(MaxError().init()) == ["<the state itself>"]
    assert undeclared_leaves(ErrorRange().init()) == ["['hi']", "['lo']"]

    class Plain(NamedTuple):  # no REDUCE: declares nothing, its leaves are not summed by default
        a: jax.Array
        k: KSum

    assert undeclared_leaves(Plain(jnp.zeros(()), KSum(jnp.zeros(()), jnp.zeros(())))) == [".a"]
    assert undeclared_leaves({"metric": jmetrics.metrics.Mean().init(), "n": Counted(1.0, 2.0)}) == []


def test_merge_and_all_reduce_follow_the_rule_in_one_process():
    ms, rng = MaxError(), np.random.default_rng(1)
    parts = jnp.asarray(rng.uniform(size=4).astype(np.float32))
    # own merge: folded in order, the same on every member of the axis (vmap stands for devices)
    got = jax.vmap(lambda s: ms.all_reduce(s, "d"), axis_name="d")(parts)
    np.testing.assert_array_equal(got, np.full(4, parts.max()))
    got = jax.vmap(lambda s: jmetrics.Collection([ms]).all_reduce(s, "d"),
                   axis_name="d")(jmetrics.collection.CollectionState((parts,)))
    np.testing.assert_array_equal(got.stats[0], np.full(4, parts.max()))
    # declared: the declared kinds
    dp = DeclaredPeak()
    states = Counted(jnp.arange(4.0), jnp.array([3.0, 9.0, 1.0, 2.0]))
    got = jax.vmap(lambda s: dp.all_reduce(s, "d"), axis_name="d")(states)
    assert got.total.tolist() == [6.0] * 4 and got.peak.tolist() == [9.0] * 4
    # neither: refused over several members, returned as it is over one, merge refused
    nm = SumOfPredictions()
    with pytest.raises(ValueError, match=r"sum_of_predictions: to reduce over the 4 members of "
                                         r"axis 'd', every state leaf must declare"):
        jax.vmap(lambda s: nm.all_reduce(s, "d"), axis_name="d")(parts)
    with pytest.raises(ValueError, match=r"reduce_state: to reduce over the 4 members"):
        jax.vmap(lambda s: jmetrics.reduce_state(s, "d"), axis_name="d")(parts)
    one = jax.vmap(lambda s: nm.all_reduce(s, "d"), axis_name="d")(parts[:1])
    np.testing.assert_array_equal(one, parts[:1])
    with pytest.raises(ValueError, match=r"sum_of_predictions: to merge states, every state leaf "
                                         r"must declare how it reduces .*never summed"):
        nm.merge(nm.init(), nm.init())
    with pytest.raises(ValueError, match=r"merge_states: to merge states"):
        merge_states({"x": jnp.zeros(())}, {"x": jnp.zeros(())})


if __name__ == "__main__":
    if sys.argv[1:2] == ["process"]:
        print(json.dumps(_process_worker(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])))
    else:
        print(json.dumps(_worker(), default=float))
