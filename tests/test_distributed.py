"""States across devices and jobs: jmetrics.distributed, for every streaming class.

Devices: one subprocess with 8 simulated CPU devices (XLA_FLAGS, as optax's sharding tests) runs
every class of ``jmetrics.metrics.__all__`` (the registry of tests/test_common.py) through
``sharded_update`` (shard_map: per-device update, ``reduce_state``, merge) and through a plain
``jax.jit(update)`` on inputs sharded with ``shard_batch``; both must equal the single-device
update of the same ragged, weighted batch. Jobs: ``save_state``/``load_state`` round trips for every
class and partial files merging to the whole. Multi-process runs are in tests/test_multihost.py.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jmetrics
import jmetrics.metrics as jm
from jmetrics import distributed
from jmetrics.metrics._state import KSum
from tests import doc_snippets
from tests.helpers import EveryClass
from tests.test_common import CLASSES, batches, close, instance, run

pytestmark = pytest.mark.xdist_group("eight_devices")  # its module-scoped fixture runs once

ROOT = Path(__file__).resolve().parents[1]
DEVICES = 8


# ---- the 8-device worker (runs when this file is executed as a module) ------------------------
def _check(classes, mesh) -> list[str]:
    """Single device vs sharded_update (shard_map) vs plain jit on sharded inputs."""
    every = EveryClass([instance(cls) for cls in classes])
    # 21 rows: ragged over 8 devices, so shard_batch pads 3 rows with weight 0
    data = [batches(cls, sizes=(21,), seed=11, weighted=True)[0] for cls in classes]
    inputs, w = tuple(tuple(d[:-1]) for d in data), data[0][-1]
    want = jax.jit(every.update)(every.init(), inputs, w)
    leaves, treedef = jax.tree.flatten(inputs)
    *sharded, ws = distributed.shard_batch(*leaves, sample_weight=w, mesh=mesh)
    assert all(x.sharding.num_devices == DEVICES for x in sharded)
    sharded_inputs = jax.tree.unflatten(treedef, sharded)
    via_shard_map = distributed.sharded_update(every, mesh)(every.init(), sharded_inputs,
                                                            sample_weight=ws)
    via_jit = jax.jit(every.update)(every.init(), sharded_inputs, ws)
    # every class's compute in one program, for three host copies of the same tree: one compile
    compute = jax.jit(lambda states: [m.compute(s) for m, s in zip(every.metrics, states,
                                                                    strict=True)])
    want, via_shard_map, via_jit = (compute(jax.device_get(s))
                                    for s in (want, via_shard_map, via_jit))
    failures = []
    for i, cls in enumerate(classes):
        try:
            close(via_shard_map[i], want[i])
            close(via_jit[i], want[i])
        except AssertionError as err:
            failures.append(f"{cls.__name__}: {err}"[:2000])
    return failures


def _worker() -> dict:
    assert jax.device_count() == DEVICES, jax.devices()
    mesh = distributed.batch_mesh()
    try:
        failures = _check(CLASSES, mesh)
    except Exception:  # noqa: BLE001 - one class breaks the joint trace: find it class by class
        failures = []
        for cls in CLASSES:
            try:
                failures += _check([cls], mesh)
            except Exception as err:  # noqa: BLE001 - reported per class to the parent
                failures.append(f"{cls.__name__}: {type(err).__name__}: {err}"[:2000])
    checked = [cls.__name__ for cls in CLASSES]

    # many metrics' states in one pytree (what a collection carries): one reduce for all
    ms = [jm.MeanSquaredError(), jm.PearsonCorrelation(), jm.BinaryAccuracy()]
    data = [batches(type(m), sizes=(16,), seed=2, weighted=True)[0] for m in ms]

    def per_device(*flat):
        states = [m.update(m.init(), *flat[3 * i:3 * i + 2], sample_weight=flat[3 * i + 2])
                  for i, m in enumerate(ms)]
        return distributed.reduce_state({"states": states}, "batch")

    flat = [jax.device_put(x, jax.sharding.NamedSharding(mesh, jax.sharding.PartitionSpec("batch")))
            for d in data for x in d]
    spec = jax.sharding.PartitionSpec("batch")
    got = jax.jit(jax.shard_map(per_device, mesh=mesh, in_specs=(spec,) * len(flat),
                                out_specs=jax.sharding.PartitionSpec()))(*flat)
    for m, s, d in zip(ms, got["states"], data, strict=True):
        try:
            close(m.compute(s), m.compute(run(m, [d])))
        except AssertionError as err:
            failures.append(f"tree of states, {type(m).__name__}: {err}"[:2000])
    failures += _collectives(mesh)
    try:
        run_doc_blocks()
    except Exception as err:  # noqa: BLE001 - reported to the parent
        failures.append(f"docs/distributed.md: {type(err).__name__}: {err}"[:2000])
    return {"checked": checked, "failures": failures}


def run_doc_blocks() -> None:
    namespace: dict = {}
    page = doc_snippets.ROOT / "docs" / "distributed.md"
    blocks = [b for b in doc_snippets.blocks(page) if doc_snippets.script_name(b) is None]
    assert len(blocks) >= 4
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        for block in blocks:
            exec(compile(block, "docs/distributed.md", "exec"), namespace)  # noqa: S102
    printed = out.getvalue().split()
    assert "False" not in printed and printed.count("True") >= 5, out.getvalue()


class MaxMin(NamedTuple):
    hi: jax.Array  # () float32, running max
    lo: jax.Array  # () int32, running min
    n: jax.Array  # () int32, count
    REDUCE = {"hi": "max", "lo": "min"}  # noqa: RUF012 - class metadata, not a field


def _collectives(mesh) -> list[str]:
    """Compiled all-reduces of reduce_state: one per reduction kind and dtype, Moments one more.

    The psums of one kind are issued together and XLA's all-reduce combiner fuses them into one
    tuple all-reduce per kind and dtype (integer counts stay integers, never cast to float).
    """
    P = jax.sharding.PartitionSpec
    cases = [
        ({"a": jm.MeanSquaredError().init(), "b": jm.Accuracy().init(),
          "c": MaxMin(jnp.zeros(()), jnp.zeros((), jnp.int32), jnp.zeros((), jnp.int32)),
          "k": KSum(jnp.zeros(3), jnp.zeros(3))}, 4),  # f32 sum, i32 sum, max, min
        ({"r": instance(jm.R2Score).init(), "m": jm.Mean().init()}, 2),  # sum, Chan's m2 sum
    ]
    out = []
    for state, want in cases:
        stacked = jax.tree.map(lambda x: jnp.broadcast_to(x, (DEVICES, *x.shape)), state)
        fn = jax.jit(jax.shard_map(lambda s: distributed.reduce_state(
            jax.tree.map(lambda x: x[0], s), "batch"), mesh=mesh, in_specs=P("batch"), out_specs=P()))
        hlo = fn.lower(stacked).compile().as_text()
        got = sum(line.split("=", 1)[1].count(" all-reduce(") for line in hlo.splitlines()
                  if "=" in line)
        if got != want:
            out.append(f"collectives for {sorted(state)}: {got} all-reduces, expected {want}")
    return out


@pytest.fixture(scope="module")
def eight_devices():
    env = {**os.environ, "XLA_FLAGS": f"{os.environ.get('XLA_FLAGS', '')} --xla_force_host_platform_device_count={DEVICES}",
           "JAX_PLATFORMS": "cpu", "KERAS_BACKEND": "jax"}
    proc = subprocess.run([sys.executable, "-m", "tests.test_distributed"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_every_class_reduces_over_8_devices_like_one(eight_devices):
    assert eight_devices["failures"] == []
    assert eight_devices["checked"] == [c.__name__ for c in CLASSES]


# ---- in this process (one device) ------------------------------------------------------------
def test_reduce_state_under_vmap_equals_merge_of_the_parts():
    m = jm.PearsonCorrelation()
    bs = batches(jm.PearsonCorrelation, sizes=(6, 6, 6, 6), seed=4, weighted=True)
    stacked = [np.stack(x) for x in zip(*bs, strict=True)]
    parts = jax.vmap(lambda *a: m.update(m.init(), *a[:-1], sample_weight=a[-1]))(*stacked)
    total = jax.vmap(lambda s: distributed.reduce_state(s, "d"), axis_name="d")(parts)
    for i in range(4):
        close(m.compute(jax.tree.map(lambda x, i=i: x[i], total)), m.compute(run(m, bs)))


def test_shard_batch_pads_with_weight_zero_and_checks_shapes():
    mesh = distributed.batch_mesh()
    y, p, w = distributed.shard_batch(np.arange(3.0), np.arange(3.0) + 1, sample_weight=2.0, mesh=mesh)
    assert y.shape == (3,) and w.tolist() == [2.0, 2.0, 2.0]  # one device: no padding
    with pytest.raises(ValueError, match=r"shard_batch: every array must have the same leading size"):
        distributed.shard_batch(np.zeros(3), np.zeros(4))
    with pytest.raises(ValueError, match=r"shard_batch: sample_weight must have .* 3; got shape \(2,\)"):
        distributed.shard_batch(np.zeros(3), np.zeros(3), sample_weight=np.ones(2))
    with pytest.raises(ValueError, match=r"shard_batch: axis_name must be one of .*'model'"):
        distributed.shard_batch(np.zeros(3), mesh=mesh, axis_name="model")


# ---- npz files ---------------------------------------------------------------------------------
def _random_state(m, seed):
    """A state of ``m.init()``'s tree, shapes and dtypes with arbitrary positive leaves."""
    r = np.random.default_rng(seed)
    return jax.tree.map(
        lambda x: jnp.asarray(r.integers(0, 50, x.shape) if jnp.issubdtype(x.dtype, jnp.integer)
                              else r.uniform(0.5, 9.0, x.shape), x.dtype), m.init())


def test_save_load_round_trip_and_merge_of_files_for_every_class(tmp_path):
    for cls in CLASSES:
        m = instance(cls)
        parts = [_random_state(m, 1), _random_state(m, 2)]
        paths = [tmp_path / f"{cls.__name__}-{i}.npz" for i in range(2)]
        for path, part in zip(paths, parts, strict=True):
            distributed.save_state(path, m, part)
            m2, loaded = distributed.load_state(path)
            assert m2 == m and type(m2) is cls, cls.__name__
            assert jax.tree.structure(loaded) == jax.tree.structure(part), cls.__name__
            jax.tree.map(np.testing.assert_array_equal, loaded, part)  # bit-exact, dtypes kept
            assert [x.dtype for x in jax.tree.leaves(loaded)] == [x.dtype for x in jax.tree.leaves(part)]
        merged_metric, merged = distributed.merge_state_files(paths)
        assert merged_metric == m
        jax.tree.map(np.testing.assert_array_equal, merged, m.merge(*parts))
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp left


def test_partial_files_of_real_updates_merge_to_the_whole(tmp_path):
    for m in (jm.AUC(num_thresholds=40), instance(jm.R2Score), instance(jm.MeanIoU)):
        cls = type(m)
        step = jax.jit(m.update)
        bs = batches(cls, sizes=(6, 6, 6), weighted=True, seed=9)
        paths = []
        for i, (*inputs, w) in enumerate(bs):  # three jobs, one batch each
            paths.append(tmp_path / f"{cls.__name__}-{i}.npz")
            distributed.save_state(paths[-1], m, step(m.init(), *inputs, w))
        whole = m.init()
        for *inputs, w in bs:
            whole = step(whole, *inputs, w)
        merged_metric, merged = distributed.merge_state_files(paths)
        close(merged_metric.compute(merged), m.compute(whole))


def test_collection_files_round_trip_and_merge(tmp_path):
    c = jmetrics.Collection(["mse", "mae", jm.AUC(num_thresholds=30), instance(jm.R2Score)],
                            loss="mse", naming="long")
    bs = batches(jm.MeanSquaredError, sizes=(6, 6), weighted=True, seed=3)
    bs = [(np.abs(t) / 4, np.clip(np.abs(p) / 4, 0, 1), w) for t, p, w in bs]  # AUC wants [0, 1]
    step = jax.jit(c.update)
    parts = [step(c.init(), *b) for b in bs]
    paths = [tmp_path / f"part{i}.npz" for i in range(2)]
    for path, part in zip(paths, parts, strict=True):
        distributed.save_state(path, c, part)
    c2, merged = distributed.merge_state_files(paths)
    assert c2 == c and c2.keys == c.keys
    whole = step(step(c.init(), *bs[0]), *bs[1])
    close(c2.compute(merged), c.compute(whole))


def test_configs_and_wrapped_functions_survive(tmp_path):
    m = jm.MeanMetricWrapper(jmetrics.mean_absolute_error, name="my_mae")
    s = m.update(m.init(), np.ones((4, 2)), np.zeros((4, 2)))
    distributed.save_state(tmp_path / "w", m, s)  # no .npz suffix: the path is kept as given
    m2, s2 = distributed.load_state(tmp_path / "w")
    assert m2 == m and m2.display_name == "my_mae" and float(m2.compute(s2)) == 1.0


def test_a_file_naming_its_class_by_public_module_still_loads(tmp_path):
    """Files written before configs went through jmetrics.serialize alone held some classes as
    {"class_name", "config", "module": "jmetrics.metrics"}: deserialize rebuilds them."""
    m = jm.AUC(num_thresholds=7)
    s = m.update(m.init(), np.array([0.0, 1.0, 1.0]), np.array([0.2, 0.9, 0.4]))
    desc = {"class_name": "AUC", "config": m.get_config(), "module": "jmetrics.metrics"}
    leaves = {f"leaf_{i:04d}": np.asarray(x) for i, x in enumerate(jax.tree.leaves(s))}
    np.savez(tmp_path / "old.npz", __format__=np.array(distributed._FORMAT),
             __config__=np.array(json.dumps(desc)), **leaves)
    m2, s2 = distributed.load_state(tmp_path / "old.npz")
    assert m2 == m and float(m2.compute(s2)) == float(m.compute(s))


def test_bad_files_and_states_raise(tmp_path):
    m = jm.MeanSquaredError()
    with pytest.raises(ValueError, match=r"save_state: state must have the structure .*MeanSquaredError"):
        distributed.save_state(tmp_path / "x.npz", m, instance(jm.R2Score).init())
    np.savez(tmp_path / "other.npz", a=np.zeros(3))
    with pytest.raises(ValueError, match=r"load_state: .* must be a jmetrics state file"):
        distributed.load_state(tmp_path / "other.npz")
    distributed.save_state(tmp_path / "a.npz", m, m.init())
    distributed.save_state(tmp_path / "b.npz", jm.MeanAbsoluteError(), jm.MeanAbsoluteError().init())
    with pytest.raises(ValueError, match=r"merge_state_files: every file must hold the same metric"):
        distributed.merge_state_files([tmp_path / "a.npz", tmp_path / "b.npz"])
    with pytest.raises(TypeError, match=r"save_state: metric must be a jmetrics metric"):
        distributed.save_state(tmp_path / "c.npz", object(), m.init())


def test_failed_write_leaves_the_old_file(tmp_path, monkeypatch):
    m = jm.Mean()
    path = tmp_path / "s.npz"
    distributed.save_state(path, m, m.update(m.init(), np.array([5.0])))

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", boom)
    with pytest.raises(OSError, match="disk full"):
        distributed.save_state(path, m, m.init())
    monkeypatch.undo()
    assert float(m.compute(distributed.load_state(path)[1])) == 5.0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.npz"]


def test_merge_across_processes_is_identity_in_one_process():
    m = jm.AUC() if hasattr(jm, "AUC") else jm.MeanSquaredError()
    cls = type(m)
    s = run(m, batches(cls, sizes=(6,)))
    assert distributed.merge_across_processes(m, s) is s


if __name__ == "__main__":
    print(json.dumps(_worker()))
