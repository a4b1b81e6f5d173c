"""The donation law: a state from ``init()`` can be donated to a jitted update (every class and a
Collection). Registry and inputs: tests/test_common.py."""

from __future__ import annotations

import jax
import pytest

import jmetrics
import jmetrics.metrics as jm
from tests.test_common import CLASSES, LAW_SIZES, batches, close, compiled, instance, run


@pytest.fixture(params=CLASSES, ids=lambda c: c.__name__)
def cls(request):
    return request.param


def test_a_state_from_init_can_be_donated(cls):
    # jax.jit(update, donate_argnums=0), as a training step carries its state: no two leaves of
    # init() may share a buffer, and donation changes no result (the eager update's). The laws'
    # shared update (tests/test_common.py) is this step: its batches are of the laws' sizes.
    m = instance(cls)
    fns = compiled(m)
    bs = batches(cls, sizes=LAW_SIZES[:1] * 2, weighted=True)
    s = m.init()
    for *inputs, w in bs:
        s = fns.update(s, *inputs, w)
    close(m.compute(s), m.compute(run(m, bs)))


def test_a_collection_state_can_be_donated():
    coll = jmetrics.Collection([instance(c) for c in CLASSES if c.input_kind == "regression"])
    bs = batches(jm.MeanSquaredError, sizes=LAW_SIZES[:1] * 2, weighted=True)
    step = jax.jit(coll.update, donate_argnums=0)
    s = coll.init()
    for t, p, w in bs:
        s = step(s, t, p, w)
    close(coll.compute(s), coll.compute(run(coll, bs)))
