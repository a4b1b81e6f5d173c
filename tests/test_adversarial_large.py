"""The adversarial law's NaN classes on one large batch under jit (``tests/test_adversarial.py``).

The law's batches have 6 rows. On XLA:CPU, fused max/min computations that cover about 4,096
elements or more skip NaN (``jmetrics._floor._extrema``), so a unit can be right on 6 rows and
turn a NaN into a finite number on 5,000. Here every unit with a jitted face gets NaN in each
argument (``nan_true``, ``nan_pred``, ``nan_weight``) in one batch of ``ROWS`` rows (the clean
batch tiled; a streaming unit sees the clean batch of seed 1 tiled to ``ROWS`` rows first), and must give its policy's jit outcome: the same checks as the law, and for the
per-sample functions NaN in exactly the rows holding the NaN. ``ROWS`` comes from a probe: the
smallest power of two at which ``jax.jit(jnp.max)`` of ones with a NaN returns a number (8192
when none up to 2**17 does), at least 4,096 elements in the smallest input.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from jmetrics.adapter import _policy
from tests import adversarial_inputs as ai
from tests import test_adversarial as law
from tests.test_floor_extrema import ynn_size

CLASSES = ("nan_true", "nan_pred", "nan_weight")


ROWS = ynn_size() + 5  # not a multiple of the clean batch's 6 rows nor of a vector width


def _big(kind: str, seed: int = 0) -> ai.Batch:
    reps = -(-ROWS // ai.N)
    return tuple(None if a is None else np.concatenate([np.asarray(a)] * reps)[:ROWS]
                 for a in ai.clean(kind, seed))  # type: ignore[return-value]


def _cases() -> list[Any]:
    cases = []
    for face, policy in law.FACES:
        if face.jit is None:
            continue
        for ic in ai.INPUT_CLASSES:
            if ic.name not in CLASSES or ic.make(face.kind, ai.clean(face.kind)) is None:
                continue
            outcome = law._outcome(face, policy, ic)
            if outcome == _policy.NA or outcome.jit == "n/a":
                continue
            cases.append(pytest.param(face, ic, outcome.jit, id=f"{face.name}-{ic.name}"))
    return cases


def _nan_rows(face: ai.Face, bad: ai.Batch, got: Any, err: BaseException | None) -> None:
    what = f"{face.name} on {ROWS} rows (jit)"
    assert err is None, f"{what}: raised {type(err).__name__}: {err}"
    rows = np.zeros(ROWS, bool)
    for c, b in zip(_big(face.kind), bad, strict=True):
        if c is not None and b is not None:
            rows |= (np.asarray(c, np.float64) != np.asarray(b, np.float64)).reshape(ROWS, -1).any(1)
    values = np.asarray(got, np.float64)
    assert rows.any() and values.shape == rows.shape, f"{what}: {values.shape} for {ROWS} rows"
    assert np.array_equal(np.isnan(values), rows), (
        f"{what}: expected NaN in rows {np.flatnonzero(rows).tolist()} only, got NaN in rows "
        f"{np.flatnonzero(np.isnan(values)).tolist()}")


@pytest.mark.parametrize(("face", "ic", "expected"), _cases())
def test_nan_in_a_large_batch_under_jit(face: ai.Face, ic: ai.InputClass, expected: str) -> None:
    bad = ic.make(face.kind, _big(face.kind))
    assert bad is not None
    if expected == "nan_rows":
        got, err = law._run(face.jit, law._stream(face, bad))
        return _nan_rows(face, bad, got, err)
    # the stream's clean batch has the bad one's size: one compiled update serves both
    return law._check(face, ic, expected, "jit", face.jit, bad, first=_big(face.kind, seed=1))


def test_the_probe_finds_a_size():
    assert ROWS - 5 in {2**k for k in range(8, 18)}
