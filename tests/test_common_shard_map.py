"""A law over every class of the registry: under ``shard_map``, with JAX's varying-axis typing on
(its default; the engine's step runs so), a device batch of more rows than one block updates to
what one device computes.

The loops over row blocks (the binned, confusion, IoU and histogram updates) start from a fresh
carry, typed as replicated, and return one that varies with the device's rows; a loop needs both
alike, so each takes its first step from the data. The block is made small here
(``_blocks.BLOCK``) so that every loop runs several times on a small batch: what is checked is the
loops' typing and their sums, whatever the block size.
"""

from __future__ import annotations

import jax
import pytest

from jmetrics.metrics import _blocks
from tests.helpers import EveryClass
from tests.test_common import CLASSES, batches, close, instance

ROWS = 10_007  # more than two blocks of every loop below, also a bincount's (>= 8 x its keys)


@pytest.mark.parametrize("weighted", [False, True])
def test_device_batches_of_several_blocks_update_under_shard_map_as_on_one_device(weighted, monkeypatch):
    monkeypatch.setattr(_blocks, "BLOCK", 512)
    mesh = jax.make_mesh((1,), ("data",))
    spec = jax.sharding.PartitionSpec("data")
    every = EveryClass([instance(cls) for cls in CLASSES])
    data = [batches(cls, sizes=(ROWS,), seed=5, weighted=weighted)[0] for cls in CLASSES]
    inputs, w = tuple(tuple(d[:-1]) for d in data), data[0][-1]
    args = (inputs,) if w is None else (inputs, w)
    put = jax.device_put(args, jax.sharding.NamedSharding(mesh, spec))

    def per_device(*a):
        return jax.tree.map(lambda x: x[None], every.update(every.init(), *a))

    got = jax.jit(jax.shard_map(per_device, mesh=mesh, in_specs=(spec,) * len(args),
                                out_specs=spec))(*put)
    want = jax.jit(every.update)(every.init(), *args)
    compute = jax.jit(lambda states: [m.compute(s) for m, s in zip(every.metrics, states, strict=True)])
    got, want = compute(jax.tree.map(lambda x: x[0], got)), compute(want)
    failures = []
    for i, cls in enumerate(CLASSES):
        try:
            close(got[i], want[i])
        except AssertionError as err:
            failures.append(f"{cls.__name__}: {err}"[:500])
    assert not failures, failures
