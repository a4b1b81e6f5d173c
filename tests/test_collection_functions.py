"""What a Collection takes as a metric function: one value per sample, never a whole-set value.

Oracles: scikit-learn 1.9.1 (whole-set values), Keras 3.15.1 ``MeanMetricWrapper`` (how Keras
treats the docs' ``mean_pred``, a per-batch scalar, and its per-sample rewrite), float64 NumPy.
Also: states from ``init()`` can be donated to a jitted step.
"""

from __future__ import annotations

import dataclasses
import functools

import jax
import jax.numpy as jnp
import keras
import numpy as np
import pytest
import sklearn.metrics

import jmetrics
import jmetrics.sk
from jmetrics import Collection, pad_batch
from jmetrics.metrics import Metric

SK_FUNCTIONS = [n for n in jmetrics.sk.__all__ if n != "UndefinedMetricWarning"]


def regression(n=40, seed=0):
    r = np.random.default_rng(seed)
    y = r.normal(size=(n, 1)).astype(np.float32)
    return y, (y + 0.4 * r.normal(size=(n, 1))).astype(np.float32)


# -- whole-set functions ----------------------------------------------------------------------------
@pytest.mark.parametrize("name", SK_FUNCTIONS)
def test_every_sk_function_is_marked_and_refused_as_a_per_sample_metric(name):
    fn = getattr(jmetrics, name)
    assert fn is getattr(jmetrics.sk, name) and fn.whole_set is True
    said = rf"{name} must be a per-sample function; got a whole-set function \(jmetrics.sk"
    with pytest.raises(ValueError, match=rf"^Collection: {said}"):
        Collection(["mse", fn])
    with pytest.raises(ValueError, match=rf"^Collection: {said}"):
        Collection({"out": [fn]})
    with pytest.raises(ValueError, match=rf"^Collection: {said}"):
        Collection(["mse"], loss=fn)
    with pytest.raises(ValueError, match=rf"^get: {said}"):
        jmetrics.get(fn)
    with pytest.raises(ValueError, match=rf"^get_metric: {said}"):
        jmetrics.get_metric(fn)
    with pytest.raises(ValueError, match=rf"^Collection: {said}"):
        Collection([functools.partial(fn)])  # a partial of one is still one


def test_the_hint_names_a_streaming_counterpart_that_gives_the_sklearn_value():
    y, p = regression(n=200)
    with pytest.raises(ValueError, match=r"Use its streaming counterpart "
                                         r"jmetrics.metrics.R2Score, or call jmetrics.r2_score"):
        Collection([jmetrics.r2_score])
    with pytest.raises(ValueError, match=r"Use its streaming counterpart "
                                         r"jmetrics.metrics.MatthewsCorrCoef, or call "
                                         r"jmetrics.matthews_corrcoef"):
        Collection([jmetrics.matthews_corrcoef])
    with pytest.raises(ValueError, match=r"Call jmetrics.balanced_accuracy_score once on all the "
                                         r"rows \(it has no streaming counterpart\)"):
        Collection([jmetrics.balanced_accuracy_score])
    # the counterpart streams batch by batch to the whole-set value (averaging r2_score per
    # batch of 4 gave -0.33 here where the truth is 0.84)
    coll = Collection([jmetrics.metrics.R2Score(num_outputs=1)])
    step = jax.jit(coll.update)  # one program for the 50 batches
    state = coll.init()
    for i in range(0, 200, 4):
        state = step(state, y[i:i + 4], p[i:i + 4])
    want = sklearn.metrics.r2_score(y.astype(np.float64), p.astype(np.float64))
    assert float(coll.compute(state)["r2_score"]) == pytest.approx(want, rel=1e-5)
    batch_means = np.mean([sklearn.metrics.r2_score(y[i:i + 4], p[i:i + 4])
                           for i in range(0, 200, 4)])
    assert abs(batch_means - want) > 0.5  # what the refusal prevents


def test_a_function_must_return_one_value_per_sample():
    def first_two(y_true, y_pred):  # a vector, but not one value per row
        return y_pred[:2, 0]

    def my_r2(y_true, y_pred):  # a whole-set function of the user's own: a scalar
        return 1 - jnp.sum((y_true - y_pred) ** 2) / jnp.sum((y_true - jnp.mean(y_true)) ** 2)

    y, p = regression(n=4)
    w = np.ones(4, np.float32)  # a scalar per batch cannot take per-row weights (Keras 3 raises)
    for fn, shape, weight in ((first_two, r"\(2,\)", None), (my_r2, r"\(\)", w)):
        coll = Collection([fn])
        for update in (coll.update, jax.jit(coll.update)):
            with pytest.raises(ValueError, match=rf"Collection: {fn.__name__} must return one value "
                                                 rf"per sample; got shape {shape} for a batch of 4"):
                update(coll.init(), y, p, weight)
    # a per-element function is per sample (Keras averages the trailing axes), as is a column
    coll = Collection([lambda t, q: (q - t) ** 2])
    got = coll.compute(coll.update(coll.init(), y, p))
    assert float(got["lambda"]) == pytest.approx(np.mean((p - y) ** 2.0), rel=1e-6)


def test_one_number_per_row_as_1d_arrays_is_refused_with_the_column_hint():
    y, p = regression(n=6)
    coll = Collection(["huber"])  # a function-only metric: Keras' kernel reduces the last axis
    with pytest.raises(ValueError, match=r"huber must return one value per sample; got shape "
                                         r"\(\) for a batch of 6.* columns of shape \(N, 1\)"):
        coll.update(coll.init(), y[:, 0], p[:, 0])
    got = coll.compute(coll.update(coll.init(), y, p))["huber"]
    e = np.abs(p - y).astype(np.float64)
    assert float(got) == pytest.approx(np.mean(np.where(e <= 1, 0.5 * e**2, e - 0.5)), rel=1e-5)


# -- the Keras docs' mean_pred ----------------------------------------------------------------------
def mean_pred(y_true, y_pred):  # the Keras docs' custom metric: K.mean(y_pred), one scalar
    return jnp.mean(y_pred)


def keras_mean_pred(y_true, y_pred):
    return keras.ops.mean(y_pred)


def mean_pred_rows(y_true, y_pred):  # the same quantity, one value per sample
    return jnp.mean(y_pred, axis=-1)


def keras_mean_pred_rows(y_true, y_pred):
    return keras.ops.mean(y_pred, axis=-1)


def test_mean_pred_counts_each_batch_once_as_keras3_and_is_refused_with_row_weights():
    r = np.random.default_rng(2)
    t = np.zeros((10, 2), np.float32)
    p = r.uniform(size=(10, 2)).astype(np.float32)
    batches = [(t[:4], p[:4]), (t[4:6], p[4:6]), (t[6:], p[6:])]  # 4, 2, 4 rows

    # Keras 3: the scalar counts once per batch (so the value depends on the batching) ...
    k = keras.metrics.MeanMetricWrapper(keras_mean_pred)
    for bt, bp in batches:
        k.update_state(bt, bp)
    batch_mean = np.mean([bp.mean() for _, bp in batches])
    assert float(k.result()) == pytest.approx(batch_mean, rel=1e-6)
    assert abs(batch_mean - p.mean()) > 1e-3
    # ... and per-row weights (pad_batch's) cannot be applied to it
    (bt, bp), w = pad_batch((t[4:6], p[4:6]), 4)
    with pytest.raises(ValueError):
        keras.metrics.MeanMetricWrapper(keras_mean_pred).update_state(bt, bp, sample_weight=w)

    # jmetrics, unweighted: Keras 3's value, each batch counting once
    coll = Collection([mean_pred])
    step = jax.jit(coll.update)
    state = coll.init()
    for b_t, b_p in batches:
        state = step(state, b_t, b_p, None)
    assert float(coll.compute(state)["mean_pred"]) == pytest.approx(float(k.result()), rel=1e-6)
    # with the padded batch's per-row weights: refused, eager or jitted
    for update in (coll.update, jax.jit(coll.update)):
        with pytest.raises(ValueError, match=r"Collection: mean_pred must return one value "
                                             r"per sample; got shape \(\) for a batch of 4\. .*"
                                             r"jnp.mean\(y_pred, axis=-1\)"):
            update(coll.init(), bt, bp, w)

    # the per-sample form: Keras 3's value, the mean of every prediction, padded or not
    k = keras.metrics.MeanMetricWrapper(keras_mean_pred_rows)
    for bt, bp in batches:
        k.update_state(bt, bp)
    coll = Collection([mean_pred_rows])
    step = jax.jit(coll.update)
    plain, padded = coll.init(), coll.init()
    for bt, bp in batches:
        plain = step(plain, bt, bp, None)
        (qt, qp), qw = pad_batch((bt, bp), 4)
        padded = step(padded, qt, qp, qw)
    for state in (plain, padded):
        got = float(coll.compute(state)["mean_pred_rows"])
        assert got == pytest.approx(float(k.result()), rel=1e-6)
        assert got == pytest.approx(p.astype(np.float64).mean(), rel=1e-6)


# -- donation ----------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class MaxError(Metric):
    def init(self):
        return jnp.zeros((), jnp.float32)

    def update(self, state, y_true, y_pred, sample_weight=None):
        return jnp.maximum(state, jnp.max(jnp.abs(y_true - y_pred)))

    def merge(self, a, b):
        return jnp.maximum(a, b)

    def compute(self, state):
        return state


@dataclasses.dataclass(frozen=True)
class Extremes(Metric):
    """Largest and smallest prediction; its init hands out one zero array twice."""

    def init(self):
        z = jnp.zeros((), jnp.float32)
        return (z, z)

    def update(self, state, y_true, y_pred, sample_weight=None):
        return self.merge(state, (jnp.max(y_pred), jnp.min(y_pred)))

    def merge(self, a, b):
        return (jnp.maximum(a[0], b[0]), jnp.minimum(a[1], b[1]))

    def compute(self, state):
        return state[0] - state[1]


def test_states_from_init_can_be_donated():
    jm = jmetrics.metrics
    coll = Collection(["mse", "mae", "acc", jm.AUC(num_thresholds=50), jm.R2Score(num_outputs=1),
                       jm.F1Score(threshold=0.5, num_classes=1), jm.ExactAUC(capacity=64), MaxError(),
                       Extremes()],
                      loss="binary_crossentropy")
    r = np.random.default_rng(3)
    t = r.integers(0, 2, (16, 1)).astype(np.float32)
    p = r.uniform(0.05, 0.95, (16, 1)).astype(np.float32)
    donated = jax.jit(coll.update, donate_argnums=0)
    plain = jax.jit(coll.update)
    first = coll.init()
    leaves = jax.tree.leaves(first)
    assert len({x.unsafe_buffer_pointer() for x in leaves}) == len(leaves)  # no shared buffers
    state = donated(first, t, p)
    assert all(x.is_deleted() for x in leaves)  # really donated, not copied
    t2, p2 = t[::-1].copy(), np.sort(p, axis=0)  # a second batch of the same shape: one program
    state = donated(state, t2, p2)
    second = coll.init()  # a fresh state: donating the first one cost it nothing
    assert not any(x.is_deleted() for x in jax.tree.leaves(second))
    want = plain(plain(second, t, p), t2, p2)
    compute = jax.jit(coll.compute)
    got, expected = compute(state), compute(want)
    assert got.keys() == expected.keys()
    for key in got:
        np.testing.assert_allclose(got[key], expected[key], rtol=1e-6, err_msg=key)
    tt, pp = np.concatenate([t, t2])[:, 0], np.concatenate([p, p2])[:, 0]
    assert float(got["exact_auc"]) == pytest.approx(sklearn.metrics.roc_auc_score(tt, pp))
    assert float(got["mse"]) == pytest.approx(np.mean((tt - pp.astype(np.float64)) ** 2), rel=1e-5)
