"""The alias table and identifier resolution (get / get_metric / resolve_accuracy).

Oracles: Keras 3.15.1's own string tables and its compile-time accuracy rule (run here, JAX
backend); Keras 2.3.1 behaviour as recorded (run) in keras-semantics.md §1.1 and §2.1.
"""

from __future__ import annotations

import dataclasses
import itertools

import jax
import jax.numpy as jnp
import keras
import numpy as np
import pytest
from keras.src.losses import ALL_OBJECTS_DICT as KERAS_LOSS_STRINGS
from keras.src.metrics import ALL_OBJECTS_DICT as KERAS_METRIC_STRINGS
from keras.src.trainers.compile_utils import get_metric as keras_compile_get_metric

import jmetrics
from jmetrics import kernels
from jmetrics.adapter import ENTRIES, get, get_metric, metric_info, resolve_accuracy
from jmetrics.adapter._lookup import entry_strings
from jmetrics.adapter._table import AUTO
from tests.helpers import TracedJit

# Keras 3 strings jmetrics deliberately does not take (keras-semantics.md §2.3): the abstract base,
# and loss-only objects that are not metrics.
NOT_METRICS = {"Metric", "metric", "Loss", "LossFunctionWrapper", "CTC", "ctc", "Circle", "circle",
               "Dice", "dice", "Tversky", "tversky"}
# Strings Keras 3's compile treats specially (any case): jmetrics' get follows compile, not
# keras.metrics.get (which gives exact-equality Accuracy for them).
ACC = {"accuracy", "Accuracy"}


def _keras3_class(s):
    try:
        return type(keras.metrics.get(s)).__name__
    except TypeError:
        return "TypeError"  # the class needs arguments (MeanIoU, PrecisionAtRecall, ...)


def _ours_class(s):
    try:
        return type(get_metric(s)).__name__
    except TypeError:
        return "TypeError"


@pytest.mark.parametrize("s", sorted(set(KERAS_METRIC_STRINGS) - NOT_METRICS - ACC))
def test_every_keras3_metric_string_gives_the_same_class(s):
    assert _ours_class(s) == _keras3_class(s)


@pytest.mark.parametrize("s", sorted(set(KERAS_LOSS_STRINGS) - NOT_METRICS))
def test_every_keras3_loss_string_gives_the_same_function(s):
    obj = keras.losses.get(s)
    keras_fn = getattr(obj, "fn", obj).__name__  # Loss classes wrap their function
    entry = metric_info(s)
    assert entry.kernel.__name__ == keras_fn


@pytest.mark.parametrize("s", sorted(ACC))
def test_keras3_accuracy_strings_follow_compile(s):
    assert get(s) is jmetrics.auto_accuracy
    m = get_metric(s, y_true=(4, 1), y_pred=(4, 1))
    assert type(m).__name__ == "BinaryAccuracy" and m.display_name == s


# Keras 2.3.1 keras.metrics.get strings and the function each returns (keras-semantics.md §1.1,
# run), plus the loss-only strings (losses.get) and the compile-only 'acc'/'ce'.
KERAS2 = {
    "mean_squared_error": "mean_squared_error", "mse": "mean_squared_error",
    "MSE": "mean_squared_error", "mean_absolute_error": "mean_absolute_error",
    "mae": "mean_absolute_error", "MAE": "mean_absolute_error",
    "mean_absolute_percentage_error": "mean_absolute_percentage_error",
    "mape": "mean_absolute_percentage_error", "MAPE": "mean_absolute_percentage_error",
    "mean_squared_logarithmic_error": "mean_squared_logarithmic_error",
    "msle": "mean_squared_logarithmic_error", "MSLE": "mean_squared_logarithmic_error",
    "hinge": "hinge", "squared_hinge": "squared_hinge", "categorical_hinge": "categorical_hinge",
    "logcosh": "log_cosh", "poisson": "poisson", "binary_crossentropy": "binary_crossentropy",
    "categorical_crossentropy": "categorical_crossentropy",
    "sparse_categorical_crossentropy": "sparse_categorical_crossentropy",
    "kullback_leibler_divergence": "kl_divergence", "kld": "kl_divergence", "KLD": "kl_divergence",
    "cosine_proximity": "cosine_proximity", "cosine": "cosine_proximity",
    "cosine_similarity": "cosine_similarity", "binary_accuracy": "binary_accuracy",
    "categorical_accuracy": "categorical_accuracy",
    "sparse_categorical_accuracy": "sparse_categorical_accuracy",
    "top_k_categorical_accuracy": "top_k_categorical_accuracy",
    "sparse_top_k_categorical_accuracy": "sparse_top_k_categorical_accuracy",
    "huber_loss": "huber",
}


@pytest.mark.parametrize("s,fn", sorted(KERAS2.items()))
def test_keras2_strings_give_the_keras2_function(s, fn):
    assert get(s) is getattr(kernels, fn)


def test_every_string_the_brief_names_resolves():
    strings = ["mse", "MSE", "mae", "MAE", "mape", "MAPE", "msle", "MSLE", "cosine",
               "cosine_proximity", "cosine_similarity", "kld", "KLD", "kullback_leibler_divergence",
               "kl_divergence", "logcosh", "log_cosh", "bce", "BCE", "acc", "accuracy", "ce",
               "crossentropy", "huber", "auc", "AUC", "io_u", "mean_io_u", "f1_score",
               "f_beta_score", "r2_score", "log_cosh_error", "ACC", "Acc", "CE"]
    for s in strings:
        metric_info(s)  # raises if unknown


def test_cosine_strings_are_positive_similarity():
    t, p = jnp.array([[0.0, 1.0, 1.0]]), jnp.array([[1.0, 0.0, 1.0]])
    # keras-semantics.md §1.1 [run]: metrics.cosine_proximity([0,1,1],[1,0,1]) = +0.5 in 2.3.1
    for s in ("cosine", "cosine_proximity", "cosine_similarity"):
        assert float(get(s)(t, p)[0]) == pytest.approx(0.5, abs=1e-6)


def test_table_is_consistent():
    seen: dict[str, str] = {}
    for e in ENTRIES:
        for s in entry_strings(e):
            assert seen.setdefault(s, e.name) == e.name, f"{s!r} names {seen[s]} and {e.name}"
    assert not {t for a in AUTO for t in a.triggers} & {s.lower() for s in seen if s not in
                                                         ("accuracy", "Accuracy")}
    for e in ENTRIES:
        assert e.kernel or e.streaming, e.name
        if e.kernel:
            name = e.kernel.__name__
            assert getattr(jmetrics, name) is e.kernel is getattr(jmetrics.metrics, name)
        if e.streaming:
            assert getattr(jmetrics.metrics, e.streaming.__name__) is e.streaming


# A wrapper's direction and range are its wrapped metric's: the entry says neither.
@pytest.mark.parametrize("e", [e for e in ENTRIES if e.streaming and e.family != "wrappers"],
                         ids=lambda e: e.name)
def test_table_metadata_agrees_with_the_class(e):
    cls = e.streaming
    assert cls.higher_is_better == e.higher_is_better
    low, high = cls.value_range
    assert (low, high) == e.value_range


@pytest.mark.parametrize("e", [e for e in ENTRIES if e.kernel], ids=lambda e: e.name)
def test_function_names_give_the_kernel_and_the_class(e):
    if e.name in ACC:  # 'accuracy' selects by shapes, as in compile; exact equality by object
        assert get(e.name) is jmetrics.auto_accuracy
        return
    fn = get(e.name)
    assert fn is e.kernel
    m = get_metric(e.name)
    expected = e.streaming or jmetrics.metrics.MeanMetricWrapper
    assert type(m) is expected
    if e.streaming is None:
        assert m.fn is fn


@pytest.mark.parametrize("e", [e for e in ENTRIES if not e.kernel], ids=lambda e: e.name)
def test_class_only_names_give_a_streaming_object_or_say_what_is_missing(e):
    cls = e.streaming
    try:
        cls()
    except TypeError:
        with pytest.raises(TypeError, match=f"{cls.__name__}, which needs arguments"):
            get(e.name)
        return
    assert type(get(e.name)) is cls and type(get_metric(e.name)) is cls


# -- 'acc' / 'ce' -------------------------------------------------------------------------------
SHAPES = [(4,), (4, 1), (4, 3), (4, 2, 1), (4, 2, 3), (4, 2)]


@pytest.mark.parametrize("t,p", list(itertools.product(SHAPES, SHAPES)))
def test_keras3_accuracy_rule_matches_keras_compile(t, p):
    # Keras 3's own compile-time resolution, fed arrays of these shapes.
    keras_cls = type(keras_compile_get_metric("acc", np.zeros(t), np.zeros(p))).__name__
    ours = resolve_accuracy("acc", t, p)
    assert type(get_metric("acc", y_true=t, y_pred=p)).__name__ == keras_cls
    assert get("acc", y_true=t, y_pred=p) is getattr(kernels, ours)


@pytest.mark.parametrize(
    "ident,p,loss,want",
    [  # keras-semantics.md §2.1 table (Keras 2.3.1 + TF 1.15, run)
        ("acc", (8, 1), "mse", "binary_accuracy"),
        ("acc", (8, 3), "categorical_crossentropy", "categorical_accuracy"),
        ("acc", (8, 3), "sparse_categorical_crossentropy", "sparse_categorical_accuracy"),
        ("acc", (8, 3), "binary_crossentropy", "binary_accuracy"),
        ("acc", (8, 3), keras.losses.BinaryCrossentropy(), "binary_accuracy"),
        ("acc", (8, 3), "mse", "categorical_accuracy"),
        ("accuracy", (8, 3), keras.losses.SparseCategoricalCrossentropy(),
         "sparse_categorical_accuracy"),
        ("ce", (8, 1), "mse", "binary_crossentropy"),
        ("crossentropy", (8, 3), "sparse_categorical_crossentropy",
         "sparse_categorical_crossentropy"),
        ("ce", (8, 3), "categorical_crossentropy", "categorical_crossentropy"),
    ],
)
def test_keras2_loss_rule(ident, p, loss, want):
    assert resolve_accuracy(ident, (8,), p, loss=loss) == want
    assert get(ident, y_pred=p, loss=loss).__name__ == want


def test_keras2_rule_recognises_every_form_of_the_loss():
    def my_loss(y_true, y_pred):
        return y_pred

    for loss in ("bce", "BCE", keras.losses.binary_crossentropy, jmetrics.binary_crossentropy,
                 jmetrics.metrics.BinaryCrossentropy(), keras.losses.BinaryCrossentropy()):
        assert resolve_accuracy("acc", (8, 3), (8, 3), loss=loss) == "binary_accuracy"
    # a custom loss falls through to the shape rule (§2.1)
    assert resolve_accuracy("acc", (8, 3), (8, 3), loss=my_loss) == "categorical_accuracy"
    assert resolve_accuracy("acc", (8, 1), (8, 1), loss=my_loss) == "binary_accuracy"
    # §2.2 [run]: (N,3) sigmoid output, bce loss, one-hot labels -> Keras 3 categorical, 2.3.1 binary
    assert resolve_accuracy("acc", (8, 3), (8, 3), rule="keras3") == "categorical_accuracy"
    assert resolve_accuracy("acc", (8, 3), (8, 3), loss="bce", rule="keras2") == "binary_accuracy"


def test_resolve_accuracy_passes_other_strings_through_and_checks_its_options():
    assert resolve_accuracy("mse", (4,), (4,)) == "mse"
    with pytest.raises(ValueError, match="rule must be one of"):
        resolve_accuracy("acc", (4,), (4,), rule="keras1")
    with pytest.raises(ValueError, match="y_pred_shape must be given"):
        resolve_accuracy("acc", (4,), None)


def test_auto_functions_choose_at_trace_time_without_retracing():
    y1, p1 = jnp.array([[1.0], [0.0], [1.0]]), jnp.array([[0.9], [0.2], [0.3]])
    ys, ps = jnp.array([2, 0, 1]), jnp.array([[0.1, 0.2, 0.7], [0.8, 0.1, 0.1], [0.5, 0.4, 0.1]])
    yc = jax.nn.one_hot(ys, 3)
    f = TracedJit(jmetrics.get("acc"))
    np.testing.assert_array_equal(f(y1, p1), [1.0, 1.0, 0.0])
    np.testing.assert_array_equal(f(ys, ps), [1.0, 1.0, 0.0])
    np.testing.assert_array_equal(f(yc, ps), [1.0, 1.0, 0.0])
    f(y1 + 0, p1 * 1)
    assert f.traces == 3
    ce = jmetrics.get("ce")
    np.testing.assert_allclose(ce(ys, ps), -np.log([0.7, 0.8, 0.4]), rtol=1e-5)
    np.testing.assert_allclose(ce(y1, p1), -np.log([0.9, 0.8, 0.3]), rtol=1e-5)
    # options go to the chosen kernel
    assert float(jmetrics.auto_accuracy(jnp.array([[1.0]]), jnp.array([[0.6]]), threshold=0.7)[0]) == 0


def test_streaming_acc_without_shapes_is_named_by_the_string():
    m = get_metric("ACC")
    assert m.display_name == "ACC" and m.fn is jmetrics.auto_accuracy
    ys, ps = jnp.array([2, 0]), jnp.array([[0.1, 0.2, 0.7], [0.1, 0.8, 0.1]])
    assert float(m.compute(m.update(m.init(), ys, ps))) == 0.5


# -- callables, objects, errors -----------------------------------------------------------------
def rmse(y_true, y_pred):  # seeds/003
    return jnp.sqrt(jnp.mean(jnp.square(y_pred - y_true), axis=-1))


def my_metric(y_true, y_pred):  # seeds/002
    return jnp.mean(jnp.abs(y_true - y_pred)) * 1000


def mean_pred(y_true, y_pred):  # seeds/000, 001
    return jnp.mean(y_pred)


@pytest.mark.parametrize("fn", [rmse, my_metric, mean_pred])
def test_callables_are_returned_as_they_are(fn):
    assert get(fn) is fn
    m = get_metric(fn)
    assert type(m).__name__ == "MeanMetricWrapper" and m.fn is fn
    assert m.display_name == fn.__name__


def test_none_metric_objects_and_classes():
    assert get(None) is None and get_metric(None) is None
    m = jmetrics.metrics.MeanSquaredError(name="m")
    assert get(m) is m and get_metric(m) is m
    assert get(jmetrics.metrics.MeanAbsoluteError) == jmetrics.metrics.MeanAbsoluteError()
    assert jmetrics.metrics.get("mse") == jmetrics.metrics.MeanSquaredError()


def test_keras3_metric_objects_become_jmetrics_metrics():
    m = get_metric(keras.metrics.MeanSquaredError(name="my_mse"))
    assert type(m) is jmetrics.metrics.MeanSquaredError and m.display_name == "my_mse"
    b = get(keras.metrics.BinaryAccuracy(threshold=0.7))
    assert type(b) is jmetrics.metrics.BinaryAccuracy and b.threshold == 0.7
    assert get_metric(keras.metrics.MeanAbsoluteError) == jmetrics.metrics.MeanAbsoluteError(
        name="mean_absolute_error")
    with pytest.raises(TypeError, match="no jmetrics equivalent"):
        get(keras.metrics.Metric(name="x"))


def test_unknown_identifiers_name_close_matches():
    with pytest.raises(ValueError, match='^Unknown metric "msee"; did you mean "mse"?'):
        get("msee")
    with pytest.raises(ValueError, match='did you mean "precision"'):
        get_metric("precison")
    with pytest.raises(ValueError, match="jmetrics list"):
        get("zzzzzz")
    with pytest.raises(TypeError, match="get: identifier must be a string, a callable"):
        get(123)
    with pytest.raises(TypeError, match="get_metric: identifier must be"):
        get_metric(1.5)
    with pytest.raises(TypeError, match="metric_info: identifier must be a string"):
        metric_info(None)


def test_metric_info_returns_table_entries():
    assert metric_info("kld") is metric_info("kullback_leibler_divergence")
    assert metric_info("KLDivergence").name == "kl_divergence"
    assert metric_info("crossentropy").name == "auto_crossentropy"
    assert dataclasses.is_dataclass(jmetrics.metrics.MeanSquaredError)
