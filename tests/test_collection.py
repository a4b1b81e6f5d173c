"""Collection: Keras keys and values, shared statistics, one compiled pass, no retrace, merge laws.

Oracles: Keras 3.15.1 (JAX backend) ``keras.metrics`` objects and ``Model.evaluate`` fed the same
batches; float64 NumPy written from the formulas; the individual jmetrics metrics (for sharing and
fusion, which must not change any value).
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import keras
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import jmetrics
from jmetrics import Collection, CollectionState, pad_batch
from jmetrics.metrics import Metric
from jmetrics.metrics._thresholds import ConfusionSpec
from tests.conftest import USER_COMPILE
from tests.helpers import TracedJit, keras_result, tree_types


def rmse(y_true, y_pred):
    """The seeds' custom metric: root of the per-sample mean squared error."""
    return jnp.sqrt(jnp.mean((y_pred - y_true) ** 2, axis=-1))


def keras_rmse(y_true, y_pred):
    return keras.ops.sqrt(keras.ops.mean((y_pred - y_true) ** 2, axis=-1))


keras_rmse.__name__ = "rmse"  # Keras names the metric after the function


def regression_batches(sizes=(6, 3, 6), seed=0, d=3, weighted=False):  # ragged, two shapes
    r = np.random.default_rng(seed)
    out = []
    for n in sizes:
        t = r.uniform(0.5, 2.0, (n, d)).astype(np.float32)
        p = (t + r.normal(scale=0.4, size=(n, d))).astype(np.float32)
        w = r.choice([0.0, 0.5, 1.0, 2.0], n).astype(np.float32) if weighted else None
        out.append((t, p, w))
    return out


@functools.partial(jax.jit, static_argnums=0)
def _update(coll, state, t, p, w):
    """One program per (equal) collection config and batch shape, shared across tests."""
    return coll.update(state, t, p, w)


def run(coll, batches, jit=True):
    update = functools.partial(_update, coll) if jit else coll.update
    state = coll.init()
    for t, p, w in batches:
        state = update(state, t, p, w)
    return coll.compute(state)


MIXED = ["mse", "mae", "mape", "cosine", rmse]
KERAS_MIXED = {"mse": "MeanSquaredError", "mae": "MeanAbsoluteError",
               "mape": "MeanAbsolutePercentageError", "cosine": "CosineSimilarity"}


# -- values and keys ------------------------------------------------------------------------
@pytest.mark.parametrize("weighted", [False, True])
def test_mixed_list_equals_keras3_metrics_and_individual_metrics(weighted):
    batches = regression_batches(weighted=weighted)
    coll = Collection(MIXED, loss="mse")
    ours = run(coll, batches)
    assert list(ours) == ["loss", "mse", "mae", "mape", "cosine", "rmse"]
    oracles = {k: getattr(keras.metrics, v)() for k, v in KERAS_MIXED.items()}
    oracles["rmse"] = keras.metrics.MeanMetricWrapper(keras_rmse)
    oracles["loss"] = keras.metrics.MeanSquaredError()
    for key, oracle in oracles.items():
        np.testing.assert_allclose(ours[key], keras_result(oracle, batches), rtol=2e-6, err_msg=key)
    for spec, key in zip(MIXED, coll.keys[1:], strict=True):
        single = jmetrics.get_metric(spec)
        np.testing.assert_allclose(ours[key], run(single, batches, jit=False), rtol=1e-6, err_msg=key)


def test_regression_tutorial_equals_keras3_evaluate():
    # seeds/003's model and metrics; Keras 3 no longer takes the string 'cosine' (jmetrics keeps the
    # Keras 2 alias: cosine similarity), so Keras is given 'cosine_similarity'.
    x = np.arange(1, 11, dtype=np.float32)[:, None] / 10
    keras.utils.set_random_seed(2)
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(2), keras.layers.Dense(1)])
    model.compile(loss="mse", metrics=["mse", "mae", "mape", "cosine_similarity", keras_rmse])
    expected = model.evaluate(x, x, batch_size=4, verbose=0, return_dict=True)
    expected["cosine"] = expected.pop("cosine_similarity")
    pred = np.asarray(model.predict(x, batch_size=4, verbose=0))
    coll = Collection(MIXED, loss="mse")
    ours = run(coll, [(x[i:i + 4], pred[i:i + 4], None) for i in range(0, 10, 4)])
    assert set(ours) == set(expected)
    for key in expected:
        np.testing.assert_allclose(ours[key], expected[key], rtol=1e-5, atol=1e-7, err_msg=key)


def test_mixed_list_equals_a_float64_formula():
    batches = regression_batches()
    t = np.concatenate([b[0] for b in batches]).astype(np.float64)
    p = np.concatenate([b[1] for b in batches]).astype(np.float64)
    ours = run(Collection(MIXED), batches)
    cos = np.sum(t * p, -1) / (np.linalg.norm(t, axis=-1) * np.linalg.norm(p, axis=-1))
    expected = {"mse": np.mean((t - p) ** 2), "mae": np.mean(np.abs(t - p)),
                "mape": 100 * np.mean(np.abs((t - p) / t)), "cosine": np.mean(cos),
                "rmse": np.mean(np.sqrt(np.mean((t - p) ** 2, -1)))}
    for key, value in expected.items():
        np.testing.assert_allclose(ours[key], value, rtol=2e-6, err_msg=key)


def _bce_model():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2), keras.layers.Dense(1, activation="sigmoid")])
    return model


def test_acc_with_binary_crossentropy_equals_keras3_evaluate():
    r = np.random.default_rng(1)
    x = r.normal(size=(37, 2)).astype(np.float32)
    y = (x[:, :1] > 0).astype(np.float32)
    model = _bce_model()
    model.compile(loss="binary_crossentropy", metrics=["acc"])
    expected = model.evaluate(x, y, batch_size=8, verbose=0, return_dict=True)
    pred = np.asarray(model.predict(x, batch_size=8, verbose=0))
    coll = Collection(["acc"], loss="binary_crossentropy")
    # Keras 3's compile ignores the loss: the shape rule, applied at trace time
    assert coll.metrics["acc"].fn is jmetrics.auto_accuracy
    keras2 = Collection(["acc"], loss="binary_crossentropy", naming="keras2")
    assert type(keras2.metrics["acc"]).__name__ == "BinaryAccuracy"  # Keras 2's loss rule
    batches = [(y[i:i + 8], pred[i:i + 8], None) for i in range(0, 37, 8)]
    ours = run(coll, batches)
    assert set(ours) == set(expected) == {"loss", "acc"}
    np.testing.assert_allclose(ours["acc"], expected["acc"], rtol=1e-6)
    np.testing.assert_allclose(ours["loss"], expected["loss"], rtol=1e-5)


def test_acc_without_loss_follows_keras3_shape_rule():
    r = np.random.default_rng(2)
    labels = r.integers(0, 3, 9)
    probs = r.dirichlet(np.ones(3), 9).astype(np.float32)
    coll = Collection(["acc", "accuracy"])
    ours = run(coll, [(labels.astype(np.int32), probs, None)])
    expected = keras_result(keras.metrics.SparseCategoricalAccuracy(), [(labels, probs)])
    np.testing.assert_allclose(ours["acc"], expected)
    np.testing.assert_allclose(ours["accuracy"], expected)


def test_multi_output_dict_equals_keras3_evaluate():
    r = np.random.default_rng(3)
    x = r.normal(size=(20, 2)).astype(np.float32)
    inp = keras.Input((2,))
    keras.utils.set_random_seed(1)
    outs = [keras.layers.Dense(1, name="out_a")(inp),
            keras.layers.Dense(1, activation="sigmoid", name="out_b")(inp)]
    model = keras.Model(inp, outs)
    metrics = {"out_a": ["mse", "mse", "mae"], "out_b": ["acc", rmse]}
    keras_metrics = {"out_a": ["mse", "mse", "mae"], "out_b": ["acc", keras_rmse]}
    model.compile(loss={"out_a": "mse", "out_b": "binary_crossentropy"}, metrics=keras_metrics)
    ya = r.normal(size=(20, 1)).astype(np.float32)
    yb = r.integers(0, 2, (20, 1)).astype(np.float32)
    expected = model.evaluate(x, {"out_a": ya, "out_b": yb}, batch_size=6, verbose=0, return_dict=True)
    pa, pb = (np.asarray(o) for o in model.predict(x, batch_size=6, verbose=0))
    coll = Collection(metrics, loss={"out_a": "mse", "out_b": "binary_crossentropy"})
    state = coll.init()
    for i in range(0, 20, 6):
        state = jax.jit(coll.update)(state, {"out_a": ya[i:i + 6], "out_b": yb[i:i + 6]},
                                     {"out_a": pa[i:i + 6], "out_b": pb[i:i + 6]})
    ours = coll.compute(state)
    assert set(ours) == set(expected)
    for key in expected:
        np.testing.assert_allclose(ours[key], expected[key], rtol=2e-5, err_msg=key)


def test_multi_output_list_and_per_output_weights():
    coll = Collection([["mse"], ["mae"]], output_names=["a", "b"])
    assert coll.keys == ("a_mse", "b_mae")
    t, p = np.array([[1.0], [2.0]], np.float32), np.array([[2.0], [4.0]], np.float32)
    s = coll.update(coll.init(), [t, t], [p, p], sample_weight=[np.array([1.0, 0.0]), np.array([0.0, 1.0])])
    out = coll.compute(s)
    assert float(out["a_mse"]) == 1.0 and float(out["b_mae"]) == 2.0


def test_long_and_keras2_naming():
    assert Collection(["mse", "mae", "cosine", "acc"], naming="long").keys == (
        "mean_squared_error", "mean_absolute_error", "cosine_proximity", "acc")
    assert Collection(["mse", jmetrics.mse]).keys == ("mse", "mean_squared_error")
    assert Collection(["mse", "mse"]).keys == ("mse", "mse_1")
    with pytest.raises(ValueError, match="naming must be one of"):
        Collection(["mse"], naming="keras4")


def test_eager_face_and_logs_order():
    coll = Collection(["mae", "mse"], loss="mse")
    t, p, _ = regression_batches(sizes=(6,))[0]
    coll.update_state(t, p)
    coll.update_state(t[:2], p[:2])
    result = coll.result()
    assert list(result) == ["loss", "mae", "mse"]
    np.testing.assert_allclose(result["mae"], run(jmetrics.get_metric("mae"), [(t, p, None), (t[:2], p[:2], None)]))
    jitted = jax.jit(coll.compute)(coll.state)
    assert list(coll.logs(jitted)) == ["loss", "mae", "mse"]
    coll.reset_state()
    assert float(coll.result()["mse"]) == 0.0


def test_empty_and_all_masked_batches_change_nothing():
    coll = Collection([*MIXED, "acc", "auc"], loss="mse")
    update = jax.jit(coll.update)  # one program per batch shape (eagerly: one per operation)
    t, p, _ = regression_batches(sizes=(6,))[0]
    state = update(coll.init(), t, p, None)
    before = coll.compute(state)
    empty = update(state, np.zeros((0, 3), np.float32), np.zeros((0, 3), np.float32), None)
    masked = update(state, t * 1e30, p, np.zeros(6, np.float32))  # weight 0: even huge rows vanish
    for after in (coll.compute(empty), coll.compute(masked)):
        for key, value in before.items():
            np.testing.assert_allclose(after[key], value, rtol=1e-7, err_msg=key)
    nothing = coll.compute(update(coll.init(), t, p, np.zeros(6, np.float32)))
    assert all(float(v) == 0.0 for k, v in nothing.items() if k != "auc")  # Keras 3: divide_no_nan


def test_bfloat16_inputs_and_a_scalar_weight_follow_the_metrics():
    t, p, _ = regression_batches(sizes=(8,))[0]
    coll = Collection(["mse", "mae", rmse], loss="mae")
    t16, p16 = jnp.asarray(t, jnp.bfloat16), jnp.asarray(p, jnp.bfloat16)
    ours = run(coll, [(t16, p16, None)])
    for spec, key in zip(["mse", "mae", rmse], coll.keys[1:], strict=True):
        single = jmetrics.get_metric(spec)
        np.testing.assert_allclose(ours[key], run(single, [(t16, p16, None)], jit=False), rtol=1e-6)
        assert ours[key].dtype == jnp.float32
    # a scalar weight makes the batch one sample of that weight (Keras 3), for every metric
    two = run(coll, [(t, p, 2.0), (t[:2], p[:2], 1.0)])
    mse_a, mse_b = np.mean((p - t) ** 2), np.mean((p[:2] - t[:2]) ** 2)
    np.testing.assert_allclose(two["mse"], (2 * mse_a + mse_b) / 3, rtol=1e-6)


def test_loss_only_and_keras_loss_objects():
    t = np.array([[1.0], [0.0], [1.0]], np.float32)
    logits = np.array([[2.0], [-1.0], [-0.5]], np.float32)
    coll = Collection([], loss=keras.losses.BinaryCrossentropy(from_logits=True))
    assert coll.keys == ("loss",)
    expected = keras.losses.BinaryCrossentropy(from_logits=True)(t, logits)
    np.testing.assert_allclose(run(coll, [(t, logits, None)])["loss"], expected, rtol=1e-6)
    with pytest.raises(TypeError, match="Collection: loss must be"):
        Collection(["mse"], loss="auc")


def test_eager_face_infers_widths_from_the_first_batch_like_keras():
    r = np.random.default_rng(8)
    batches = [(np.eye(3, dtype=np.float32)[r.integers(0, 3, 8)], r.dirichlet(np.ones(3), 8).astype(np.float32))
               for _ in range(2)]
    coll = Collection(["f1_score", "r2_score"])
    with pytest.raises(ValueError, match="num_classes must be given"):
        coll.init()  # the pure face needs the width
    for t, p in batches:
        coll.update_state(t, p)
    out = coll.result()
    np.testing.assert_allclose(out["f1_score"], keras_result(keras.metrics.F1Score(), batches), rtol=1e-6)
    np.testing.assert_allclose(out["r2_score"], keras_result(keras.metrics.R2Score(), batches), rtol=1e-5)


# -- sharing and the single pass ------------------------------------------------------------
class CountState(NamedTuple):
    """State of the test-local counting metrics."""

    n: jax.Array  # () float32, number of rows seen
    hits: jax.Array  # () float32, rows with y_pred > threshold


@dataclasses.dataclass(frozen=True)
class _Counting(Metric):
    threshold: float = 0.5
    updates: Any = dataclasses.field(default_factory=list, compare=False, hash=False)

    def init(self):
        return CountState(jnp.zeros(()), jnp.zeros(()))

    def update(self, state, y_true, y_pred, sample_weight=None):
        self.updates.append(1)  # counts traces of update
        hit = jnp.asarray(y_pred).reshape(-1) > self.threshold
        return CountState(state.n + hit.size, state.hits + jnp.sum(hit))

    def stat_key(self):
        return ("count_above", self.threshold)


@dataclasses.dataclass(frozen=True)
class HitRate(_Counting):
    def compute(self, state):
        return state.hits / state.n


@dataclasses.dataclass(frozen=True)
class MissRate(_Counting):
    def compute(self, state):
        return 1 - state.hits / state.n


def test_equal_stat_keys_keep_one_state_updated_once():
    log: list[int] = []
    a, b = HitRate(updates=log, name="hit"), MissRate(updates=log, name="miss")
    other = HitRate(threshold=0.9, updates=log, name="hit90")
    coll = Collection([a, b, other])
    assert len(coll.groups) == 2
    state = coll.init()
    assert len(state.stats) == 2
    out = coll.compute(coll.update(state, None, np.array([0.1, 0.6, 0.95, 0.7])))
    assert len(log) == 2  # one update per distinct statistic
    assert float(out["hit"]) == 0.75 and float(out["miss"]) == 0.25 and float(out["hit90"]) == 0.25


def test_precision_recall_share_threshold_counts_and_equal_keras3():
    r = np.random.default_rng(7)
    batches = [(r.integers(0, 2, (n, 1)).astype(np.float32), r.uniform(size=(n, 1)).astype(np.float32),
                r.choice([0.0, 1.0, 2.0], n).astype(np.float32)) for n in (8, 8)]
    jm = jmetrics.metrics
    coll = Collection(["precision", "recall", jm.TruePositives(),
                       jm.Precision(thresholds=(0.3, 0.7), name="p2"), jm.Recall(thresholds=[0.3, 0.7], name="r2")])
    assert len(coll.groups) == 2  # (threshold 0.5) and (thresholds 0.3, 0.7)
    ours = run(coll, batches)
    oracles = {"precision": keras.metrics.Precision(), "recall": keras.metrics.Recall(),
               "true_positives": keras.metrics.TruePositives(),
               "p2": keras.metrics.Precision(thresholds=[0.3, 0.7]),
               "r2": keras.metrics.Recall(thresholds=[0.3, 0.7])}
    assert list(ours) == list(oracles)
    for key, oracle in oracles.items():
        np.testing.assert_allclose(ours[key], keras_result(oracle, batches), rtol=1e-6, err_msg=key)


def test_equal_statistic_specs_keep_one_state_and_equal_keras3_alone():
    # counts at 0.5 (five metrics), one AUC grid (ROC and PR): two specs, two states, each of
    # exactly the tree one member alone keeps; every value equals Keras 3.15.1's metric run alone
    r = np.random.default_rng(11)
    batches = [(r.integers(0, 2, (n, 1)).astype(np.float32), r.uniform(size=(n, 1)).astype(np.float32),
                r.choice([0.0, 0.5, 2.0], n).astype(np.float32)) for n in (8, 8)]
    jm = jmetrics.metrics
    members = {"tp": jm.TruePositives(name="tp"), "fn": jm.FalseNegatives(name="fn"),
               "tn": jm.TrueNegatives(name="tn"), "p": jm.Precision(name="p"), "r": jm.Recall(name="r"),
               "roc": jm.AUC(num_thresholds=30, name="roc"), "pr": jm.AUC(num_thresholds=30, curve="PR", name="pr")}
    coll = Collection(list(members.values()))
    assert members["p"].stat_key() == members["tn"].stat_key() == ConfusionSpec(jm.Precision().bins())
    state = coll.init()
    assert len(state.stats) == 2
    assert tree_types(state.stats[0]) == tree_types(members["p"].init())
    assert tree_types(state.stats[1]) == tree_types(members["roc"].init())
    ours = run(coll, batches)
    oracles = {"tp": keras.metrics.TruePositives(), "fn": keras.metrics.FalseNegatives(),
               "tn": keras.metrics.TrueNegatives(), "p": keras.metrics.Precision(),
               "r": keras.metrics.Recall(), "roc": keras.metrics.AUC(num_thresholds=30),
               "pr": keras.metrics.AUC(num_thresholds=30, curve="PR")}
    for key, oracle in oracles.items():
        np.testing.assert_allclose(ours[key], keras_result(oracle, batches), rtol=1e-5, err_msg=key)


def test_iou_specs_name_the_matrix_options_and_split_on_them():
    # ignore_class changes the counts: its own state; the target classes only shape the result
    from jmetrics.metrics._iou import IoUSpec

    jm = jmetrics.metrics
    assert jm.IoU(3, (0, 2)).stat_key() == IoUSpec(num_classes=3, ignore_class=None,
                                                   sparse_y_true=True, sparse_y_pred=True,
                                                   axis=None, threshold=None)
    r = np.random.default_rng(8)
    batches = [(r.integers(0, 3, n), r.integers(0, 3, n), None) for n in (6, 6)]
    coll = Collection([jm.MeanIoU(3), jm.IoU(3, (1,), name="iou_1"),
                       jm.MeanIoU(3, ignore_class=0, name="mean_io_u_ig0")])
    assert len(coll.init().stats) == 2
    ours = run(coll, batches)
    oracles = {"mean_io_u": keras.metrics.MeanIoU(3), "iou_1": keras.metrics.IoU(3, [1]),
               "mean_io_u_ig0": keras.metrics.MeanIoU(3, ignore_class=0)}
    for key, oracle in oracles.items():
        np.testing.assert_allclose(ours[key], keras_result(oracle, [b[:2] for b in batches]),
                                   rtol=1e-6, err_msg=key)


def test_agreement_metrics_of_one_spec_keep_one_state_and_equal_sklearn():
    from sklearn.metrics import cohen_kappa_score, confusion_matrix, matthews_corrcoef

    from jmetrics.metrics._agreement import ConfusionMatrixSpec

    jm = jmetrics.metrics
    members = [jm.ConfusionMatrix(num_classes=3, normalize="true"), jm.MatthewsCorrCoef(num_classes=3),
               jm.CohenKappa(num_classes=3, weights="quadratic")]
    assert {m.stat_key() for m in members} == {ConfusionMatrixSpec(num_classes=3, threshold=None)}
    coll = Collection(members)
    assert len(coll.init().stats) == 1
    assert tree_types(coll.init().stats[0]) == tree_types(members[0].init())
    r = np.random.default_rng(9)
    batches = [(r.integers(0, 3, n), r.integers(0, 3, n), r.uniform(0, 2, n).astype(np.float32))
               for n in (7, 4)]
    ours = list(run(coll, batches).values())
    t, p = (np.concatenate([b[i] for b in batches]) for i in (0, 1))
    w = np.concatenate([b[2] for b in batches]).astype(np.float64)
    labels = np.arange(3)  # sklearn 1.9.1
    np.testing.assert_allclose(ours[0], confusion_matrix(t, p, labels=labels, sample_weight=w,
                                                         normalize="true"), rtol=1e-5)
    np.testing.assert_allclose(ours[1], matthews_corrcoef(t, p, sample_weight=w), rtol=1e-5)
    np.testing.assert_allclose(ours[2], cohen_kappa_score(t, p, labels=labels, sample_weight=w,
                                                          weights="quadratic"), rtol=1e-5)
    # a different threshold is a different matrix
    binary = Collection([jm.MatthewsCorrCoef(num_classes=2),
                         jm.CohenKappa(num_classes=2, threshold=0.5)])
    assert len(binary.init().stats) == 2


def test_specs_of_different_statistics_never_share_though_equal_as_tuples():
    # R2Spec(15) and CalibrationSpec(15) are equal tuples; the collection groups by spec type too
    jm = jmetrics.metrics
    r2, ece = jm.R2Score(num_outputs=15), jmetrics.metrics.ExpectedCalibrationError(num_bins=15)
    assert tuple(r2.stat_key()) == tuple(ece.stat_key())
    coll = Collection([r2, ece])
    assert len(coll.init().stats) == 2
    assert tree_types(coll.init().stats[0]) == tree_types(r2.init())
    assert tree_types(coll.init().stats[1]) == tree_types(ece.init())


def test_f_scores_of_one_spec_keep_one_state_and_equal_keras3_alone():
    r = np.random.default_rng(12)
    batches = [(r.integers(0, 2, (n, 3)).astype(np.float32), r.uniform(size=(n, 3)).astype(np.float32),
                None) for n in (8, 5)]
    jm = jmetrics.metrics
    f1, f2 = jm.F1Score(num_classes=3, name="f1"), jm.FBetaScore(beta=2.0, average="weighted", num_classes=3)
    coll = Collection([f1, f2])
    assert len(coll.init().stats) == 1 and tree_types(coll.init().stats[0]) == tree_types(f1.init())
    ours = run(coll, batches)
    np.testing.assert_allclose(ours["f1"], keras_result(keras.metrics.F1Score(), batches), rtol=1e-5)
    np.testing.assert_allclose(ours["fbeta_score"], keras_result(
        keras.metrics.FBetaScore(beta=2.0, average="weighted"), batches), rtol=1e-5)


def test_iou_family_shares_one_confusion_matrix_and_equals_keras3():
    r = np.random.default_rng(6)
    batches = [(r.integers(0, 3, n), r.integers(0, 3, n), None) for n in (6, 6)]
    jm = jmetrics.metrics
    coll = Collection([jm.MeanIoU(3), jm.IoU(3, (0, 2)), jm.IoU(3, (1,), name="iou_1")])
    assert len(coll.groups) == 1 and len(coll.init().stats) == 1
    ours = run(coll, batches)
    oracles = {"mean_io_u": keras.metrics.MeanIoU(3), "io_u": keras.metrics.IoU(3, [0, 2]),
               "iou_1": keras.metrics.IoU(3, [1])}
    assert list(ours) == list(oracles)
    for key, oracle in oracles.items():
        np.testing.assert_allclose(ours[key], keras_result(oracle, [b[:2] for b in batches]),
                                   rtol=1e-6, err_msg=key)


def test_same_config_and_loss_share_one_state():
    coll = Collection(["mse", jmetrics.metrics.MeanSquaredError(name="m2"), "binary_crossentropy"],
                      loss="mse")
    assert len(coll.groups) == 2
    assert coll.keys == ("loss", "mse", "m2", "binary_crossentropy")
    # RMSE's squared errors are elementwise (Keras 3): a rank-1 batch is N samples to it and one
    # sample to MSE, so the two keep separate states.
    both = Collection([jmetrics.metrics.RootMeanSquaredError(), "mse"])
    assert len(both.groups) == 2
    t, p, w = regression_batches(sizes=(6,), weighted=True)[0]
    out = run(both, [(t, p, w)])
    np.testing.assert_allclose(out["root_mean_squared_error"], np.sqrt(out["mse"]), rtol=1e-6)
    np.testing.assert_allclose(out["root_mean_squared_error"],
                               keras_result(keras.metrics.RootMeanSquaredError(), [(t, p, w)]), rtol=1e-6)
    flat = [(np.array([0.0, 1, 2], np.float32), np.array([1.0, 1, 2], np.float32)),
            (np.array([3.0], np.float32), np.array([5.0], np.float32))]
    out = run(both, [(t, p, None) for t, p in flat])
    np.testing.assert_allclose(out["root_mean_squared_error"],
                               keras_result(keras.metrics.RootMeanSquaredError(), flat), rtol=1e-6)
    np.testing.assert_allclose(out["mse"], keras_result(keras.metrics.MeanSquaredError(), flat), rtol=1e-6)


@pytest.mark.parametrize("weighted", [False, True])
def test_chunked_pass_equals_whole_batch(weighted):
    r = np.random.default_rng(4)
    n = 5000  # 4 blocks of 1024 rows and a remainder
    t = r.uniform(0.5, 2, (n, 2)).astype(np.float32)
    p = (t + r.normal(scale=0.3, size=(n, 2))).astype(np.float32)
    w = r.uniform(0, 2, n).astype(np.float32) if weighted else None
    specs = [*MIXED, "msle", "logcosh", jmetrics.metrics.RootMeanSquaredError()]
    chunked = Collection(specs, loss="mae", chunk_elements=1)
    whole = Collection(specs, loss="mae", chunk_elements=1 << 40)
    assert chunked._chunk_rows(((t,), (p,), (w,))) == 1024
    assert whole._chunk_rows(((t,), (p,), (w,))) is None
    a, b = run(chunked, [(t, p, w)]), run(whole, [(t, p, w)])
    for key in a:
        np.testing.assert_allclose(a[key], b[key], rtol=2e-6, err_msg=key)
    w64 = np.ones(n) if w is None else w.astype(np.float64)
    d = p.astype(np.float64) - t
    for key, per_row in (("mse", np.mean(d * d, -1)), ("loss", np.mean(np.abs(d), -1))):
        np.testing.assert_allclose(a[key], np.sum(w64 * per_row) / np.sum(w64), rtol=5e-7, err_msg=key)


def _regression8() -> list[Any]:
    """The bench's 8 regression metrics (mse, rmse, mae, mape, msle, logcosh, huber, cosine)."""
    return ["mse", jmetrics.metrics.RootMeanSquaredError(), "mae", "mape", "msle", "logcosh",
            jmetrics.huber, "cosine"]


def _ksum_values(state: Any) -> list[np.ndarray]:
    """Every compensated sum of a state as its value ``hi + lo`` (float64), in tree order."""
    leaves = jax.tree.leaves(state)
    return [np.asarray(hi, np.float64) + np.asarray(lo, np.float64)
            for hi, lo in zip(leaves[::2], leaves[1::2], strict=True)]


@pytest.mark.parametrize(("n", "weighted", "dtype"), [
    (0, False, "float32"), (1, True, "float32"), (2047, False, "float32"), (2048, True, "float32"),
    (2049, False, "float32"), (3071, True, "float32"), (3073, True, "bfloat16"),
    (5000, False, "bfloat16")])
def test_blocked_pass_equals_each_metric_alone(n, weighted, dtype):
    """The row-blocked pass (1024-row blocks from 2048 rows on; the rest as one last update) keeps
    each member's state tree and values as the member updated alone on the whole batch, at block
    edges, with weights (zeros among them), NaN and inf rows, and bf16 inputs."""
    r = np.random.default_rng(n)
    t = r.uniform(0.1, 2.1, (n, 1)).astype(np.float32)
    p = r.uniform(0.1, 2.1, (n, 1)).astype(np.float32)
    w = r.uniform(0, 2, n).astype(np.float32) if weighted else None
    if n > 4:
        p[n // 2, 0] = np.inf  # an infinite error: inf (or NaN where the formula has inf - inf)
        t[n // 3, 0] = p[n // 3, 0] = np.inf  # inf - inf: NaN
        if w is not None:
            w[:3] = 0
    t, p = jnp.asarray(t, dtype), jnp.asarray(p, dtype)
    coll = Collection(_regression8(), chunk_elements=1)
    assert (coll._chunk_rows(((t,), (p,), (w,))) is None) == (n < 2048)
    blocked = jax.jit(coll.update)(coll.init(), t, p, w)
    assert jax.tree.structure(blocked) == jax.tree.structure(coll.init())
    out = coll.compute(blocked)
    for item in coll.items:
        m = item.metric
        alone = jax.jit(m.update)(m.init(), t, p, sample_weight=w)
        assert jax.tree.structure(alone) == jax.tree.structure(blocked.stats[item.group])
        for x, y in zip(_ksum_values(blocked.stats[item.group]), _ksum_values(alone), strict=True):
            np.testing.assert_allclose(x, y, rtol=1e-6, atol=1e-6, equal_nan=True, err_msg=item.key)
        np.testing.assert_allclose(out[item.key], m.compute(alone), rtol=1e-6, atol=1e-7,
                                   equal_nan=True, err_msg=item.key)


def test_a_large_batch_is_one_loop_updating_every_state():
    n = 5000
    t, p = np.ones((n, 2), np.float32), np.ones((n, 2), np.float32)
    coll = Collection([*MIXED, "auc", "precision"], loss="mse", chunk_elements=1)
    jaxpr = jax.make_jaxpr(coll.update)(coll.init(), t, p, np.ones(n, np.float32)).jaxpr
    loops = [e for e in jaxpr.eqns if e.primitive.name in ("scan", "while")]
    assert len(loops) == 1  # one pass over the row blocks; the carry is every statistic
    carry = loops[0].params["num_carry"]  # and the block counter
    assert carry == len(jax.tree.leaves(coll.init())) + 1


def test_a_batch_level_function_is_not_chunked_and_refused_with_row_weights():
    def batch_mean(y_true, y_pred):  # one value per batch: the batch counts once (Keras 3)
        return jnp.mean(y_pred - y_true)

    n = 3000
    t, p = np.zeros((n, 1), np.float32), np.ones((n, 1), np.float32)
    for chunk_elements in (1, 1 << 14):
        coll = Collection([batch_mean, "mse"], chunk_elements=chunk_elements)
        assert float(run(coll, [(t, p, None)])["batch_mean"]) == 1.0
        with pytest.raises(ValueError, match=r"Collection: batch_mean must return one value per "
                                             r"sample; got shape \(\) for a batch of 3000\."):
            run(coll, [(t, p, np.ones(n, np.float32))])


# -- the training-loop laws -----------------------------------------------------------------
def test_init_has_the_type_of_an_updated_state():
    coll = Collection([*MIXED, "acc"], loss="mse")
    t, p, w = regression_batches(sizes=(4,), weighted=True)[0]
    assert isinstance(coll.init(), CollectionState)
    assert tree_types(coll.init()) == tree_types(jax.jit(coll.update)(coll.init(), t, p, w))


def _loop(coll, n_rows, batch, pad):
    r = np.random.default_rng(5)
    t = r.uniform(0.5, 2, (n_rows, 2)).astype(np.float32)
    p = (t + r.normal(scale=0.3, size=(n_rows, 2))).astype(np.float32)
    step = TracedJit(coll.update)
    state = coll.init()
    for i in range(0, n_rows, batch):
        bt, bp = t[i:i + batch], p[i:i + batch]
        if pad:
            (bt, bp), w = pad_batch((bt, bp), batch)
            state = step(state, bt, bp, w)
        else:
            state = step(state, bt, bp, np.ones(len(bt), np.float32))
    return step.traces, coll.compute(state), (t, p)


def test_100_steps_with_a_ragged_last_batch_trace_once_with_pad_batch():
    coll = Collection([*MIXED, "acc"], loss="mse")
    n_rows = 99 * 16 + 5  # 100 steps, the last one of 5 rows
    traces_raw, raw, _ = _loop(coll, n_rows, 16, pad=False)
    traces_pad, padded, (t, p) = _loop(coll, n_rows, 16, pad=True)
    assert traces_raw <= 2
    assert traces_pad == 1
    whole = run(coll, [(t, p, None)])
    for key in whole:
        np.testing.assert_allclose(padded[key], whole[key], rtol=1e-5, err_msg=key)
        np.testing.assert_allclose(raw[key], whole[key], rtol=1e-5, err_msg=key)


def test_pad_batch_shapes_weights_and_errors():
    x, y = np.arange(6.0).reshape(3, 2), np.array([1, 0, 1])
    (px, py), w = pad_batch((x, y), 5, sample_weight=np.array([0.5, 1, 2]))
    assert px.shape == (5, 2) and py.tolist() == [1, 0, 1, 1, 1]
    assert w.tolist() == [0.5, 1, 2, 0, 0]
    out, w = pad_batch({"x": jnp.zeros((0, 2))}, 3)
    assert out["x"].shape == (3, 2) and w.tolist() == [0, 0, 0]
    with pytest.raises(ValueError, match="pad_batch: size must be"):
        pad_batch((x,), 2)
    with pytest.raises(ValueError, match="share a leading batch axis"):
        pad_batch((x, y[:2]), 4)


LAW_COLL = Collection([*MIXED, "acc"], loss="mse")
LAW_UPDATE = jax.jit(LAW_COLL.update)


def law_batch(seed, n=10):
    r = np.random.default_rng(seed)
    t = r.uniform(0.5, 2, (n, 3)).astype(np.float32)
    p = (t + r.normal(scale=0.4, size=(n, 3))).astype(np.float32)
    return t, p, r.choice([0.5, 1.0, 2.0], n).astype(np.float32)


@given(st.lists(st.integers(0, 3), min_size=10, max_size=10), st.integers(0, 2**16))
def test_merge_of_split_streams_equals_one_stream(parts, seed):
    # Row i goes to part parts[i]; a part keeps the other rows at weight 0 (= removed), so every
    # update has the same shape and the law is checked with one compile.
    t, p, w = law_batch(seed)
    coll, parts = LAW_COLL, np.array(parts)
    states = [LAW_UPDATE(coll.init(), t, p, np.where(parts == k, w, 0).astype(np.float32))
              for k in range(4)]
    forward = functools.reduce(coll.merge, states)
    backward = functools.reduce(coll.merge, states[::-1])
    paired = coll.merge(coll.merge(states[0], states[2]), coll.merge(states[3], states[1]))
    whole = LAW_UPDATE(coll.init(), t, p, w)
    expected = coll.compute(whole)
    for merged in (forward, backward, paired, coll.merge(coll.init(), whole)):
        for key, value in coll.compute(merged).items():
            np.testing.assert_allclose(value, expected[key], rtol=1e-5, atol=1e-6, err_msg=key)


@given(st.integers(0, 2**16), st.booleans())
def test_jit_equals_eager(seed, weighted):
    t, p, w = law_batch(seed, n=8)
    w = w if weighted else None
    jitted = LAW_COLL.compute(LAW_UPDATE(LAW_COLL.init(), t, p, w))
    eager = LAW_COLL.compute(LAW_COLL.update(LAW_COLL.init(), t, p, w))
    for key in jitted:
        np.testing.assert_allclose(jitted[key], eager[key], rtol=1e-6, atol=1e-7, err_msg=key)


def test_all_reduce_over_a_mapped_axis_equals_one_device():
    coll = Collection(MIXED, loss="mse")
    t, p, w = regression_batches(sizes=(12,), weighted=True)[0]
    shards = jax.vmap(coll.update, in_axes=(None, 0, 0, 0))(
        coll.init(), t.reshape(4, 3, 3), p.reshape(4, 3, 3), w.reshape(4, 3))
    reduced = jax.vmap(lambda s: coll.all_reduce(s, "d"), axis_name="d")(shards)
    one = jax.tree.map(lambda x: x[0], reduced)
    whole = coll.compute(coll.update(coll.init(), t, p, w))
    for key, value in coll.compute(one).items():
        np.testing.assert_allclose(value, whole[key], rtol=1e-6, err_msg=key)


def test_hashable_static_argument():
    a, b = Collection(["mse", "acc"], loss="mse"), Collection(["mse", "acc"], loss="mse")
    assert a == b and hash(a) == hash(b)
    assert a != Collection(["mse", "acc"])
    f = jax.jit(lambda c, s, t, p: c.update(s, t, p), static_argnums=0)
    t, p, _ = regression_batches(sizes=(3,))[0]
    f(a, a.init(), t, p)
    f(b, b.init(), t, p)
    assert f._cache_size() == 1


def test_config_round_trips_through_json():
    import json

    coll = Collection({"a": ["mse", "acc", "mse"], "b": ["mae", jmetrics.metrics.AUC(num_thresholds=50)]},
                      loss={"a": "binary_crossentropy", "b": "mae"}, naming="keras")
    again = Collection.from_config(json.loads(json.dumps(coll.get_config())))
    assert again == coll and hash(again) == hash(coll)
    assert again.keys == coll.keys and len(again.groups) == len(coll.groups)
    with pytest.raises(ValueError, match="register"):
        Collection([rmse]).get_config()  # custom functions serialize by registered name only


# -- errors --------------------------------------------------------------------------------
def test_unknown_names_and_bad_structures_raise():
    with pytest.raises(ValueError, match='Unknown metric "msee"; did you mean "mse"'):
        Collection(["msee"])
    with pytest.raises(TypeError, match="identifier must be"):
        Collection([3])
    coll = Collection({"a": ["mse"], "b": ["mae"]})
    with pytest.raises(ValueError, match=r"Collection: y_true must be a dict with the output keys \['a', 'b'\]"):
        coll.update(coll.init(), {"a": np.zeros(2)}, {"a": np.zeros(2), "b": np.zeros(2)})
    with pytest.raises(ValueError, match="loss keys must be output names"):
        Collection({"a": ["mse"]}, loss={"c": "mse"})
    with pytest.raises(ValueError, match="output_names must name each"):
        Collection([["mse"], ["mae"]], output_names=["a"])
    with pytest.raises(ValueError, match="mean_squared_error: y_true and y_pred"):
        Collection(["mse"]).update(Collection(["mse"]).init(), np.zeros((4, 2)), np.zeros((4, 3)))


def test_merge_and_all_reduce_use_each_metrics_own_rules():
    """A statistic that is not a sum (a buffer, like ExactAUC's) merges by its own ``merge``."""

    @dataclasses.dataclass(frozen=True)
    class Top2(Metric):  # the two largest predictions seen: merge keeps the top 2, never adds
        input_kind = "regression"

        def init(self):
            return jnp.full((2,), -jnp.inf)

        def update(self, state, y_true, y_pred, sample_weight=None):
            return self.merge(state, jax.lax.top_k(jnp.ravel(y_pred), 2)[0])

        def merge(self, a, b):
            return jax.lax.top_k(jnp.concatenate([a, b]), 2)[0]

        def all_reduce(self, state, axis_name):
            return jax.lax.top_k(jax.lax.all_gather(state, axis_name).ravel(), 2)[0]

        def compute(self, state):
            return state[1]

    c = jmetrics.Collection([Top2(name="second"), "mse"])
    y = jnp.zeros((6, 1))
    p = jnp.array([[3.0], [1.0], [9.0], [4.0], [2.0], [8.0]])
    a, b = c.update(c.init(), y[:3], p[:3]), c.update(c.init(), y[3:], p[3:])
    whole = c.compute(c.update(c.init(), y, p))
    merged = c.compute(c.merge(a, b))
    assert float(merged["second"]) == float(whole["second"]) == 8.0
    assert float(merged["mse"]) == pytest.approx(float(whole["mse"]))
    stacked = jax.tree.map(lambda u, v: jnp.stack([u, v]), a, b)
    reduced = jax.vmap(lambda s: c.all_reduce(s, "i"), axis_name="i")(stacked)
    assert float(c.compute(jax.tree.map(lambda x: x[0], reduced))["second"]) == 8.0


def test_donated_training_step_updates_the_state_in_place():
    # Every compensated sum is updated in place when the state is donated: no buffer copies in the
    # compiled step (each would cost a few microseconds in a 128 x 10 training step).
    import jmetrics.metrics as jmm

    coll = jmetrics.Collection([jmm.BinaryAccuracy(), jmm.MeanSquaredError(), jmm.AUC()])
    t = jnp.zeros((128, 10), jnp.float32)
    lowered = jax.jit(coll.update, donate_argnums=0).lower(coll.init(), t, t)
    text = lowered.compile(USER_COMPILE).as_text()
    entry = text.split("ENTRY")[1]
    assert " copy(" not in entry
    assert "scatter" in entry  # the step really is compiled here (sanity of the text inspected)
    # The means' batch sums are taken in the kernels that compute the values (batch_sum): XLA's
    # own 128-element sum would add a reduce-window kernel and a reduce kernel per mean.
    assert "reduce-window" not in entry


def test_dict_valued_metrics_spread_their_keys_and_a_clash_is_refused():
    @dataclasses.dataclass(frozen=True)
    class Spread(Metric):  # compute gives {"mae": ..., "peak": ...}
        def init(self):
            return jmetrics.metrics.MeanAbsoluteError().init(), jnp.zeros((), jnp.float32)

        def update(self, state, y_true, y_pred, sample_weight=None):
            mae = jmetrics.metrics.MeanAbsoluteError().update(state[0], y_true, y_pred, sample_weight)
            return mae, jnp.maximum(state[1], jnp.max(jnp.abs(y_pred - y_true)))

        def merge(self, a, b):
            return jmetrics.metrics.MeanAbsoluteError().merge(a[0], b[0]), jnp.maximum(a[1], b[1])

        def compute(self, state):
            return {"mae": jmetrics.metrics.MeanAbsoluteError().compute(state[0]), "peak": state[1]}

    t, p = np.array([[0.0], [1.0], [3.0]], np.float32), np.array([[1.0], [1.0], [1.0]], np.float32)
    coll = jmetrics.Collection([Spread(), "mse"])
    got = coll.compute(coll.update(coll.init(), t, p))
    assert sorted(got) == ["mae", "mse", "peak"]
    np.testing.assert_allclose([got["mae"], got["peak"], got["mse"]], [1.0, 2.0, 5 / 3], rtol=1e-6)
    clash = jmetrics.Collection([Spread(), "mae"])  # two values under one key: one would vanish
    with pytest.raises(ValueError, match=r"Collection: every result key must be unique; got 'mae'"):
        clash.compute(clash.update(clash.init(), t, p))
    results = jmetrics.evaluate(t, p, ["mse", Spread()])  # the engine keeps every key
    assert list(results) == ["mse", "mae", "peak"]
    np.testing.assert_allclose([results["mse"], results["mae"], results["peak"]], [5 / 3, 1.0, 2.0],
                               rtol=1e-6)


# ---- bad input: the collection raises where a member alone raises ---------------------------
def _binary(n, seed):
    r = np.random.default_rng(seed)
    return (r.integers(0, 2, (n, 1)).astype(np.float32), r.uniform(size=(n, 1)).astype(np.float32),
            r.uniform(0.5, 2, n).astype(np.float32))


def _spoiled(n, seed, arg, value):
    batch = list(_binary(n, seed))
    batch[arg] = batch[arg].copy()
    batch[arg][1] = value
    return tuple(batch)


BAD_BINARY = [(0, np.nan), (1, np.nan), (0, np.inf), (0, -np.inf), (2, np.nan), (2, -1.0)]


@pytest.mark.parametrize(("arg", "value"), BAD_BINARY, ids=str)
def test_eager_collection_raises_where_a_member_raises(arg, value):
    # Where AUC alone refuses the batch eagerly, a collection holding it must too, leaving its
    # state as it was: the clean batch's values, which are Keras 3's. Where AUC accepts it (a
    # negative weight, summed as Keras sums it), so does the collection, with Keras' values.
    clean, bad = _binary(6, 0), _spoiled(5, 1, arg, value)
    try:
        jmetrics.metrics.AUC().update_state(bad[0], bad[1], sample_weight=bad[2])
        alone, seen = None, [clean, bad]
    except ValueError as e:
        alone, seen = e, [clean]
    assert (alone is None) == (arg == 2 and value < 0)  # the refusals this test is about
    c = Collection([jmetrics.metrics.BinaryAccuracy(), jmetrics.metrics.AUC()])
    c.update_state(*clean)
    if alone is not None:
        with pytest.raises(ValueError) as err:
            c.update_state(bad[0], bad[1], sample_weight=bad[2])
        assert str(err.value) == str(alone)
    else:
        c.update_state(bad[0], bad[1], sample_weight=bad[2])
    for key, km in (("binary_accuracy", keras.metrics.BinaryAccuracy()), ("auc", keras.metrics.AUC())):
        np.testing.assert_allclose(float(c.result()[key]), keras_result(km, seen), rtol=1e-5)


@pytest.mark.parametrize(("arg", "value"), BAD_BINARY[:2], ids=str)
def test_pure_update_of_a_large_concrete_batch_checks_each_member(arg, value):
    # A batch large enough for the chunked pass: the members' updates run inside a scan (traced),
    # so the collection checks the concrete batch first.
    c = Collection([jmetrics.metrics.BinaryAccuracy(), jmetrics.metrics.AUC()], chunk_elements=64)
    bad = _spoiled(3000, 2, arg, value)
    with pytest.raises(ValueError, match=r"auc: y_(true|pred) must"):
        c.update(c.init(), *bad)
    got = jax.jit(c.update)(c.init(), *bad)  # under jit: no raise, AUC is NaN
    assert np.isnan(float(c.compute(got)["auc"]))
    clean = _binary(3000, 2)
    want = keras_result(keras.metrics.AUC(), [clean])
    np.testing.assert_allclose(float(c.compute(c.update(c.init(), *clean))["auc"]), want, rtol=1e-5)


def test_chunked_pass_under_shard_map_equals_the_plain_update():
    """A batch of several blocks inside a user's shard_map (JAX's varying-axis typing on): the
    fresh state is replicated, the updated one varies with the rows; the block loop takes both."""
    from jax.sharding import NamedSharding, PartitionSpec

    mesh = jax.make_mesh((1,), ("data",))
    spec = PartitionSpec("data")
    r = np.random.default_rng(2)
    y = (r.random((50_000, 1)) < 0.3).astype(np.float32)
    p = r.random((50_000, 1)).astype(np.float32)
    c = Collection(["mse", "binary_accuracy", "auc", "precision"], chunk_elements=1 << 12)
    put = jax.device_put((y, p), NamedSharding(mesh, spec))
    mapped = jax.jit(jax.shard_map(lambda a, b: jax.tree.map(lambda x: x[None], c.update(c.init(), a, b)),
                                   mesh=mesh, in_specs=(spec, spec), out_specs=spec))
    got = c.compute(jax.tree.map(lambda x: x[0], mapped(*put)))
    want = c.compute(jax.jit(c.update)(c.init(), y, p))
    for k in want:
        np.testing.assert_allclose(got[k], want[k], rtol=1e-6, err_msg=k)
