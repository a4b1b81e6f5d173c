"""ClasswiseWrapper, MultitaskWrapper, MetricTracker, Running: values per class, per task, per epoch
and over a window, against scikit-learn 1.9.1 and float64 NumPy on the same rows.

The common laws (tests/test_common.py) and the adversarial law hold them to what every metric
obeys; here each is checked for the numbers it gives and the errors it raises.
"""

from __future__ import annotations

import dataclasses

import jax
import numpy as np
import pytest
import sklearn.metrics as skm

import jmetrics
import jmetrics.metrics as jm
from jmetrics.testing import check_metric

C = 4
RNG = np.random.default_rng(0)


def categorical(n, seed):
    r = np.random.default_rng(seed)
    ids = r.integers(0, C, n)
    return np.eye(C, dtype=np.float32)[ids], r.dirichlet(np.ones(C), n).astype(np.float32)


def regression(n, seed):
    r = np.random.default_rng(seed)
    t = r.normal(size=(n, 1)).astype(np.float32)
    return t, (t + r.normal(scale=0.5, size=(n, 1))).astype(np.float32)


def mse64(t, p, w=None):
    e = ((np.asarray(p, np.float64) - np.asarray(t, np.float64)) ** 2).mean(axis=-1)
    return float(np.average(e, weights=w))


# ---- ClasswiseWrapper -----------------------------------------------------------------------
@pytest.mark.parametrize("weighted", [False, True])
def test_classwise_equals_sklearn_per_class(weighted):
    m = jm.ClasswiseWrapper(jm.F1Score(average=None, num_classes=C))
    step = jax.jit(m.update)
    s, ts, ps, ws = m.init(), [], [], []
    for i, n in enumerate((7, 5, 9)):
        t, p = categorical(n, i)
        w = np.random.default_rng(10 + i).uniform(0.2, 2, n).astype(np.float32) if weighted else None
        s = step(s, t, p, w)
        ts.append(t), ps.append(p), ws.append(w)
    got = jax.jit(m.compute)(s)
    want = skm.f1_score(np.concatenate(ts).argmax(1), np.concatenate(ps).argmax(1),
                        average=None, labels=range(C),
                        sample_weight=np.concatenate(ws) if weighted else None)
    assert list(got) == [f"f1_score_{c}" for c in range(C)]
    np.testing.assert_allclose([float(got[f"f1_score_{c}"]) for c in range(C)], want, atol=1e-6)


def test_classwise_keys_follow_labels_prefix_postfix_and_name():
    t, p = categorical(12, 3)
    f1 = jm.F1Score(average=None, num_classes=C)
    want = np.asarray(f1.compute(f1.update(f1.init(), t, p)))
    labels = ["a", "b", "c", "d"]
    cases = {
        jm.ClasswiseWrapper(f1, labels): [f"f1_score_{x}" for x in labels],
        jm.ClasswiseWrapper(f1, labels, prefix="f1/"): [f"f1/{x}" for x in labels],
        jm.ClasswiseWrapper(f1, postfix="_val"): [f"{c}_val" for c in range(C)],
        jm.ClasswiseWrapper(f1, name="fscore"): [f"fscore_{c}" for c in range(C)],
    }
    for m, keys in cases.items():
        got = m.compute(m.update(m.init(), t, p))
        assert list(got) == keys
        np.testing.assert_array_equal(np.array([got[k] for k in keys]), want)
    assert jm.ClasswiseWrapper(f1).display_name == "f1_score"
    assert jm.ClasswiseWrapper(f1).labels is None
    assert jm.ClasswiseWrapper(f1, labels).labels == labels


def test_classwise_refuses_what_is_not_per_class():
    t, p = regression(4, 0)
    m = jm.ClasswiseWrapper(jm.MeanSquaredError())
    with pytest.raises(ValueError, match=r"mean_squared_error: the wrapped metric's result must be "
                                         r"one value per class \(1-D\); got shape \(\)"):
        m.compute(m.update(m.init(), t, p))
    m = jm.ClasswiseWrapper(jm.F1Score(average=None, num_classes=C), ["a", "b"])
    with pytest.raises(ValueError, match=r"labels must name each of the 4 classes; got 2 labels"):
        m.compute(m.init())
    with pytest.raises(TypeError, match=r"ClasswiseWrapper: metric must be a jmetrics streaming"):
        jm.ClasswiseWrapper(jmetrics.mean_squared_error)
    with pytest.raises(TypeError, match=r"ClasswiseWrapper: labels must be a list of strings"):
        jm.ClasswiseWrapper(jm.F1Score(average=None), [0, 1])


def test_classwise_shares_its_metric_state_in_a_collection():
    f1 = jm.F1Score(average=None, num_classes=C)
    coll = jmetrics.Collection([f1, jm.ClasswiseWrapper(f1)])
    t, p = categorical(10, 1)
    out = coll.compute(coll.update(coll.init(), t, p))
    assert len(coll.init().stats) == 1
    np.testing.assert_array_equal(out["f1_score"],
                                  [out[f"f1_score_{c}"] for c in range(C)])


# ---- MultitaskWrapper -----------------------------------------------------------------------
def two_tasks(n, seed):
    t1, p1 = regression(n, seed)
    r = np.random.default_rng(seed + 100)
    t2 = r.integers(0, 2, (n, 1)).astype(np.float32)
    p2 = r.uniform(size=(n, 1)).astype(np.float32)
    return {"price": t1, "click": t2}, {"price": p1, "click": p2}


@pytest.mark.parametrize("weights", ["none", "one", "per_task"])
def test_multitask_equals_each_task_alone(weights):
    m = jm.MultitaskWrapper({"price": jm.MeanSquaredError(), "click": jm.BinaryAccuracy()})
    step = jax.jit(m.update)
    s, rows = m.init(), []
    for i, n in enumerate((6, 3, 8)):
        t, p = two_tasks(n, i)
        r = np.random.default_rng(20 + i)
        w = {"none": None, "one": r.uniform(0.1, 2, n).astype(np.float32),
             "per_task": {"price": r.uniform(0.1, 2, n).astype(np.float32),
                          "click": r.uniform(0.1, 2, n).astype(np.float32)}}[weights]
        s = step(s, t, p, w)
        rows.append((t, p, w))
    got = m.compute(s)
    cat = {k: (np.concatenate([t[k] for t, _, _ in rows]), np.concatenate([p[k] for _, p, _ in rows]))
           for k in ("price", "click")}

    def w_of(k):
        if weights == "none":
            return None
        return np.concatenate([w[k] if isinstance(w, dict) else w for _, _, w in rows])

    assert list(got) == ["price", "click"]
    np.testing.assert_allclose(float(got["price"]), mse64(*cat["price"], w_of("price")), rtol=1e-5)
    t, p = cat["click"]
    want = skm.accuracy_score(t[:, 0], p[:, 0] > 0.5, sample_weight=w_of("click"))
    np.testing.assert_allclose(float(got["click"]), want, rtol=1e-6)


def test_multitask_nests_a_collection_and_prefixes_keys():
    m = jm.MultitaskWrapper({"price": jmetrics.Collection(["mse", "mae"]),
                             "click": jm.BinaryAccuracy()}, prefix="val_", postfix="/task")
    t, p = two_tasks(9, 4)
    got = m.compute(m.update(m.init(), t, p))
    assert set(got) == {"val_price/task", "val_click/task"}
    tp, pp = np.asarray(t["price"], np.float64), np.asarray(p["price"], np.float64)
    np.testing.assert_allclose(float(got["val_price/task"]["mse"]), mse64(tp, pp), rtol=1e-5)
    np.testing.assert_allclose(float(got["val_price/task"]["mae"]), np.abs(pp - tp).mean(), rtol=1e-5)
    assert type(m).from_config(m.get_config()) == m
    assert m.higher_is_better is None  # the tasks' directions differ


def test_multitask_errors_name_the_wrapper_the_argument_and_the_task():
    m = jm.MultitaskWrapper({"price": jm.MeanSquaredError(), "kind": jm.SparseCategoricalAccuracy()})
    t = {"price": np.zeros((3, 1), np.float32), "kind": np.array([0, 1, 2])}
    p = {"price": np.zeros((3, 1), np.float32), "kind": np.full((3, 3), 1 / 3, np.float32)}
    with pytest.raises(ValueError, match=r"multitask_wrapper: y_pred must be a dict with the task "
                                         r"keys \['price', 'kind'\]; got \['price'\]"):
        m.update(m.init(), t, {"price": p["price"]})
    with pytest.raises(ValueError, match=r"multitask_wrapper: sample_weight must be a dict"):
        m.update(m.init(), t, p, sample_weight={"price": np.ones(3)})
    with pytest.raises(ValueError, match=r"multitask_wrapper: task 'price': mean_squared_error: "):
        m.update(m.init(), {**t, "price": np.zeros((3, 2))}, p)
    bad = {**t, "kind": np.array([0, 1, 7])}
    with pytest.raises(ValueError, match=r"multitask_wrapper: task 'kind': .*y_true"):
        m.update_state(bad, p)
    s = jax.jit(m.update)(m.init(), bad, p)  # under jit: that task's value is NaN, not a number
    got = m.compute(s)
    assert np.isnan(got["kind"]) and float(got["price"]) == 0.0
    with pytest.raises(TypeError, match=r"MultitaskWrapper: task_metrics must be a non-empty dict"):
        jm.MultitaskWrapper({})


# ---- MetricTracker ----------------------------------------------------------------------------
def epochs_of_data(k):
    return [[regression(n, 10 * e + i) for i, n in enumerate((5, 4))] for e in range(k)]


def test_tracker_keeps_every_epoch_and_the_best_jitted():
    m = jm.MetricTracker(jm.MeanSquaredError(), max_epochs=5)
    data = epochs_of_data(3)
    step, inc = jax.jit(m.update), jax.jit(m.increment)
    s = m.init()
    for batches in data:
        s = inc(s)
        for t, p in batches:
            s = step(s, t, p)
    want = [mse64(np.concatenate([t for t, _ in b]), np.concatenate([p for _, p in b])) for b in data]
    every = np.asarray(jax.jit(m.compute_all)(s))
    np.testing.assert_allclose(every[:3], want, rtol=1e-5)
    assert np.isnan(every[3:]).all()
    np.testing.assert_allclose(float(jax.jit(m.compute)(s)), want[-1], rtol=1e-5)
    value, epoch = jax.jit(lambda s: m.best_metric(s, return_step=True))(s)
    assert int(epoch) == int(np.argmin(want))
    np.testing.assert_allclose(float(value), min(want), rtol=1e-5)
    up = jm.MetricTracker(jm.MeanSquaredError(), maximize=True, max_epochs=5)
    value, epoch = up.best_metric(s, return_step=True)
    assert int(epoch) == int(np.argmax(want))


def test_tracker_eager_face_as_torchmetrics():
    m = jm.MetricTracker(jm.MeanSquaredError(), max_epochs=3)
    data = epochs_of_data(3)
    for batches in data:
        m.increment()
        for t, p in batches:
            m.update_state(t, p)
    want = [mse64(np.concatenate([t for t, _ in b]), np.concatenate([p for _, p in b])) for b in data]
    assert m.n_steps == 3
    np.testing.assert_allclose(np.asarray(m.compute_all()), want, rtol=1e-5)
    np.testing.assert_allclose(float(m.result()), want[-1], rtol=1e-5)
    np.testing.assert_allclose(float(m.best_metric()), min(want), rtol=1e-5)
    with pytest.raises(ValueError, match=r"mean_squared_error: increment\(\) would start epoch 3; "
                                         r"max_epochs must be more; got 3"):
        m.increment()
    s = m.state
    for _ in range(2):
        s = m.increment(s)  # pure, past capacity: under jit the value is NaN, never a wrong one
    assert np.isnan(float(m.compute(m.update(s, *data[0][0]))))


def test_tracker_merges_epoch_by_epoch_and_needs_a_direction():
    m = jm.MetricTracker(jm.MeanSquaredError(), max_epochs=4)
    data = epochs_of_data(2)
    a, b, joined = m.init(), m.init(), m.init()
    for batches in data:
        a, b, joined = m.increment(a), m.increment(b), m.increment(joined)
        (t1, p1), (t2, p2) = batches
        a, b = m.update(a, t1, p1), m.update(b, t2, p2)
        joined = m.update(joined, np.concatenate([t1, t2]), np.concatenate([p1, p2]))
    np.testing.assert_allclose(m.compute_all(m.merge(a, b)), m.compute_all(joined), rtol=1e-6)
    with pytest.raises(ValueError, match=r"MetricTracker: maximize must be given for mean"):
        jm.MetricTracker(jm.Mean())
    assert jm.MetricTracker(jm.Mean(), maximize=False).higher is False


# ---- Running ----------------------------------------------------------------------------------
def test_running_is_the_metric_over_the_last_updates():
    m = jm.Running(jm.MeanSquaredError(), window=3)
    step, compute = jax.jit(m.update), jax.jit(m.compute)
    s, seen = m.init(), []
    for i, n in enumerate((4, 2, 6, 3, 5, 1)):
        t, p = regression(n, i)
        s = step(s, t, p)
        seen.append((t, p))
        last = seen[-3:]
        want = mse64(np.concatenate([t for t, _ in last]), np.concatenate([p for _, p in last]))
        np.testing.assert_allclose(float(compute(s)), want, rtol=1e-5)
    t, p = regression(3, 9)
    unchanged = m.update(s, t[:0], p[:0])  # no rows: no update
    np.testing.assert_allclose(float(m.compute(unchanged)), float(m.compute(s)), rtol=0)


def test_running_mean_of_values_as_torchmetrics_running_sum_example():
    # torchmetrics' Running(SumMetric(), window=3) over 0..5: the sum of the last three values
    m = jm.Running(jm.Sum(), window=3)
    for i in range(6):
        m.update_state(np.array([float(i)]))
        assert float(m.result()) == sum(range(max(0, i - 2), i + 1))
    with pytest.raises(ValueError, match=r"Running: window must be a positive int; got 0"):
        jm.Running(jm.Sum(), window=0)


# ---- check_metric, config -----------------------------------------------------------------------
# one size set for the laws: check_metric's eager updates (the batches, the kept rows 2 = the second
# batch, the joined stream 8 = the four devices' rows) compile each primitive once per shape
LAW_SIZES = (3, 2, 3)


def test_check_metric_passes_the_wrappers():
    cat = [categorical(n, i) for i, n in enumerate(LAW_SIZES)]
    check_metric(jm.ClasswiseWrapper(jm.F1Score(average=None, num_classes=C)), cat)
    tasks = [two_tasks(n, i) for i, n in enumerate(LAW_SIZES)]
    check_metric(jm.MultitaskWrapper({"price": jm.MeanSquaredError(),
                                      "click": jm.BinaryAccuracy()}), tasks)
    reg = [regression(n, i) for i, n in enumerate(LAW_SIZES)]
    check_metric(jm.MetricTracker(jm.MeanSquaredError(), max_epochs=2), reg)
    check_metric(jm.Running(jm.MeanSquaredError(), window=2), reg)


def test_running_is_not_split_invariant_and_check_metric_says_so_if_it_claims_to_be():
    @dataclasses.dataclass(frozen=True)
    class Claims(jm.Running):
        split_invariant = True

    reg = [regression(n, i) for i, n in enumerate(LAW_SIZES)]
    with pytest.raises(AssertionError, match=r"merge: merged states of a split stream"):
        check_metric(Claims(jm.MeanSquaredError(), window=2), reg, laws=["merge"])


@pytest.mark.parametrize("m", [
    jm.ClasswiseWrapper(jm.F1Score(average=None, num_classes=3), ["x", "y", "z"], prefix="p_"),
    jm.MultitaskWrapper({"a": jm.AUC(num_thresholds=20), "b": jm.MeanAbsoluteError()}),
    jm.MetricTracker(jm.ClasswiseWrapper(jm.F1Score(average=None, num_classes=3)), maximize=True,
                     max_epochs=7),
    jm.Running(jm.Precision(thresholds=0.3), window=4),
], ids=lambda m: type(m).__name__)
def test_config_round_trips_through_json(m):
    import json

    config = json.loads(json.dumps(m.get_config()))
    assert type(m).from_config(config) == m and hash(type(m).from_config(config)) == hash(m)
