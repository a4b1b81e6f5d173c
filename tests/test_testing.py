"""``jmetrics.testing.check_metric``: it passes the built-in metrics and catches each broken law.

Each broken metric below breaks one law on purpose (a max summed across devices, a weakly typed
``init``, weights multiplied into NaN rows, a mean of batch means, Python control flow on values);
the checker must name that law. A checker that cannot fail would be worse than none.
"""

from __future__ import annotations

import dataclasses
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jmetrics
import jmetrics.metrics as jm
from jmetrics.testing import LAWS, check_metric
from tests.test_common import CLASSES, batches, instance

RNG = np.random.default_rng(0)
# one size set for every check here: check_metric's eager updates (batches, the kept rows 2 = the
# second batch, the joined stream 8 = the four devices' rows) compile each primitive once per shape
SIZES = (3, 2, 3)
REGRESSION = [(RNG.normal(size=(n, 2)).astype(np.float32), RNG.normal(size=(n, 2)).astype(np.float32))
              for n in SIZES]


# one of each kind of state: KSum sums, Chan moments, threshold counts, a row buffer with its own
# merge, a confusion matrix (every built-in class is held to the same laws in test_common)
@pytest.mark.parametrize("cls", [jm.MeanSquaredError, jm.R2Score, jm.AUC, jm.ExactAUC, jm.MeanIoU],
                         ids=lambda c: c.__name__)
def test_built_in_metrics_obey_every_law(cls):
    assert cls in CLASSES
    check_metric(instance(cls), [b[:-1] for b in batches(cls, sizes=SIZES)])


def test_a_collection_obeys_every_law():
    check_metric(jmetrics.Collection(["mse", "mae", jm.R2Score(num_outputs=2)]), REGRESSION)


class Peak(NamedTuple):
    peak: jax.Array
    REDUCE = {"peak": "max"}  # noqa: RUF012


@dataclasses.dataclass(frozen=True)
class _Broken(jm.Metric):
    """A correct max-abs-error metric; each subclass below breaks one thing."""

    def init(self):
        return Peak(jnp.zeros((), jnp.float32))

    def update(self, state, y_true, y_pred, sample_weight=None):
        err = jnp.abs(jnp.asarray(y_pred, jnp.float32) - y_true).max(axis=-1)
        w = jnp.ones_like(err) if sample_weight is None else sample_weight
        return Peak(jnp.maximum(state.peak, jnp.max(jnp.where(w != 0, err, 0.0), initial=0.0)))

    def compute(self, state):
        return state.peak


class SummedPeak(NamedTuple):
    peak: jax.Array
    REDUCE = {}  # noqa: RUF012 - wrong: a max declared as a sum


@dataclasses.dataclass(frozen=True)
class SumsItsMax(_Broken):
    def init(self):
        return SummedPeak(jnp.zeros((), jnp.float32))

    def update(self, state, *a, sample_weight=None):
        return SummedPeak(super().update(Peak(state.peak), *a, sample_weight=sample_weight).peak)

    def merge(self, a, b):
        return SummedPeak(jnp.maximum(a.peak, b.peak))


@dataclasses.dataclass(frozen=True)
class WeakInit(_Broken):
    def init(self):
        return Peak(jnp.full((), 0.0))  # weakly typed: the first jitted step traces twice


@dataclasses.dataclass(frozen=True)
class WeightTimesNaN(_Broken):
    def update(self, state, y_true, y_pred, sample_weight=None):
        w = 1.0 if sample_weight is None else jnp.asarray(sample_weight)[:, None]
        return Peak(jnp.maximum(state.peak, jnp.max(w * jnp.abs(y_pred - y_true), initial=0.0)))


class MeanOfMeans(NamedTuple):
    total: jax.Array
    batches: jax.Array


@dataclasses.dataclass(frozen=True)
class MeanOfBatchMeans(jm.Metric):
    def init(self):
        return MeanOfMeans(jnp.zeros((), jnp.float32), jnp.zeros((), jnp.float32))

    def update(self, state, y_true, y_pred, sample_weight=None):
        return MeanOfMeans(state.total + jnp.mean(jnp.abs(y_pred - y_true)), state.batches + 1)

    def merge(self, a, b):
        return MeanOfMeans(a.total + b.total, a.batches + b.batches)

    def compute(self, state):
        return state.total / state.batches


@dataclasses.dataclass(frozen=True)
class SharedBuffers(_Broken):
    def init(self):
        zero = jnp.zeros((), jnp.float32)
        return MeanOfMeans(zero, zero)  # one buffer twice: donation fails

    def update(self, state, y_true, y_pred, sample_weight=None):
        return MeanOfMeans(state.total + jnp.sum(y_pred - y_true), state.batches + 1.0)

    def merge(self, a, b):
        return MeanOfMeans(a.total + b.total, a.batches + b.batches)

    def compute(self, state):
        return state.total


@pytest.mark.parametrize(("metric", "law"), [
    (SumsItsMax(), "devices"),
    (WeakInit(), "type"),
    (WeightTimesNaN(), "weights"),
    (MeanOfBatchMeans(), "merge"),
])
def test_each_broken_law_is_named(metric, law):
    with pytest.raises(AssertionError, match=rf"\n{law}: "):
        check_metric(metric, REGRESSION)
    check_metric(_Broken(), REGRESSION)  # the unbroken base passes


def test_weak_init_retraces_and_the_jit_law_sees_it():
    with pytest.raises(AssertionError, match=r"jit: 3 updates of one input shape traced 2 times"):
        check_metric(WeakInit(), REGRESSION, laws=["jit"])


def test_a_nan_in_a_weight_zero_row_must_not_count():
    with pytest.raises(AssertionError, match="weights: NaN inputs in a row of weight 0 vs the row"):
        check_metric(WeightTimesNaN(), REGRESSION, laws=["weights"])


def test_shared_init_buffers_break_donation():
    with pytest.raises(AssertionError, match="donation"):
        check_metric(SharedBuffers(), REGRESSION, laws=["donation"])


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match=r"check_metric: laws must be among"):
        check_metric(_Broken(), REGRESSION, laws=["speed"])
    with pytest.raises(ValueError, match=r"check_metric: batches must hold at least 3 batches"):
        check_metric(_Broken(), REGRESSION[:2])
    assert set(LAWS) == {"type", "jit", "merge", "weights", "donation", "devices"}
