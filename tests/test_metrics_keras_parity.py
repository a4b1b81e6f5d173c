"""What Keras added since 3.0, streamed eagerly and under ``jit``, against Keras 3.15 itself.

Oracles: Keras 3.15.1 (JAX backend) ``keras.metrics.AUC(curve="PRGAIN")``,
``SparseTopKCategoricalAccuracy(from_sorted_ids=True)`` and
``SparseCategoricalCrossentropy(ignore_class=...)`` fed the same ragged batches; a float64 NumPy
precision-recall-gain AUC written from Keras' formula (``confusion_metrics.AUC.result``).
"""

from __future__ import annotations

from typing import Any

import jax
import keras
import numpy as np
import pytest

import jmetrics.metrics as jm
from tests.helpers import keras_result
from tests.test_metrics_confusion import ref_counts


def eager(m: Any, bs: list[tuple[Any, ...]]) -> np.ndarray:
    for t, p, w in bs:
        m.update_state(t, p, sample_weight=w)
    return np.asarray(m.result(), np.float64)


_JITTED: dict[Any, tuple[Any, Any]] = {}


def jitted_pair(m: Any) -> tuple[Any, Any]:
    """``m``'s jitted update and compute, built once per metric config (metrics are hashable)."""
    if m not in _JITTED:
        _JITTED[m] = (jax.jit(lambda s, t, p, w: m.update(s, t, p, sample_weight=w)),
                      jax.jit(m.compute))
    return _JITTED[m]


def jitted(m: Any, bs: list[tuple[Any, ...]]) -> np.ndarray:
    step, compute = jitted_pair(m)
    s = m.init()
    for t, p, w in bs:
        s = step(s, t, p, w)
    return np.asarray(compute(s), np.float64)


def both(make: Any, bs: list[tuple[Any, ...]]) -> list[np.ndarray]:
    return [eager(make(), bs), jitted(make(), bs)]


def batches(seed: int, shape: tuple[int, ...] = (), weights: str = "none", sizes=(6, 4, 6),
            anti: bool = False) -> list[tuple[Any, ...]]:
    """Ragged binary batches; ``anti`` makes the scores anti-correlated with the labels."""
    r = np.random.default_rng(seed)
    out = []
    for n in sizes:
        t = r.integers(0, 2, (n, *shape)).astype(np.float32)
        p = np.clip(r.normal(0.5 + (0.25 if not anti else -0.25) * (2 * t - 1), 0.3), 0, 1)
        w = {"none": None, "sample": r.uniform(0, 2, n),
             "full": r.uniform(0, 2, (n, *shape))}[weights]
        out.append((t, p.astype(np.float32), None if w is None else w.astype(np.float32)))
    return out


# ---- AUC(curve="PRGAIN") -----------------------------------------------------------------------
def prgain_reference(bs: list[tuple[Any, ...]], n: int, method: str) -> float:
    """float64 NumPy precision-recall-gain AUC on Keras' grid, from Keras 3's ``result``:
    ``s = P/N``, recall gain ``1 - s*fn/tp`` (0 where tp = 0, then clipped at 0), precision gain
    ``1 - s*fp/tp`` (1 where tp = 0), summed as ``sum (x_i - x_{i+1}) h_i``."""
    eps = 1e-7
    thr = np.array([-eps] + [(i + 1) / (n - 1) for i in range(n - 2)] + [1 + eps])
    tp, fp, tn, fn = ref_counts([(t, np.clip(p, 0, 1), w) for t, p, w in bs], thr)

    def dnn(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.where(b != 0, a / np.where(b != 0, b, 1), 0.0)

    s = dnn(tp + fn, tn + fp)
    x = np.maximum(np.where(tp == 0, 0.0, 1 - s * dnn(fn, tp)), 0.0)
    y = np.where(tp == 0, 1.0, 1 - s * dnn(fp, tp))
    h = {"interpolation": (y[:-1] + y[1:]) / 2, "minoring": np.minimum(y[:-1], y[1:]),
         "majoring": np.maximum(y[:-1], y[1:])}[method]
    return float(np.sum((x[:-1] - x[1:]) * h))


PRGAIN = [({}, "none"), ({}, "sample"), ({"summation_method": "majoring"}, "sample"),
          ({"summation_method": "minoring"}, "none"), ({"num_thresholds": 7}, "sample"),
          ({"thresholds": [0.2, 0.45, 0.5, 0.9]}, "sample"), ({"from_logits": True}, "none"),
          ({"curve": "prgain", "summation_method": "Minoring"}, "sample")]


@pytest.mark.parametrize(("kwargs", "weights", "anti"),
                         [(*case, i % 2 == 1) for i, case in enumerate(PRGAIN)], ids=str)
def test_prgain_matches_keras3_eagerly_and_under_jit(kwargs: dict, weights: str, anti: bool):
    """``anti``: scores anti-correlated with the labels, so more recall gains fall below 0."""
    kwargs = {"curve": "PRGAIN", **kwargs}
    bs = batches(3, weights=weights, anti=anti)
    if kwargs.get("from_logits"):
        bs = [(t, (p - 0.5) * 8, w) for t, p, w in bs]
    want = keras_result(keras.metrics.AUC(**kwargs), bs)
    for got in both(lambda: jm.AUC(**kwargs), bs):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("method", ["interpolation", "majoring", "minoring"])
def test_prgain_matches_the_float64_formula(method: str):
    bs = batches(4, shape=(2,), weights="full")
    m = jm.AUC(num_thresholds=40, curve="PRGAIN", summation_method=method)
    for got in both(lambda m=m: m, bs):
        np.testing.assert_allclose(got, prgain_reference(bs, 40, method), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("kwargs", [{}, {"label_weights": [1, 0, 3]},
                                    {"summation_method": "majoring", "num_thresholds": 11}],
                         ids=str)
def test_prgain_multi_label_matches_keras3(kwargs: dict):
    kwargs = {"curve": "PRGAIN", "multi_label": True, **kwargs}
    bs = batches(5, shape=(3,), weights="sample")
    want = keras_result(keras.metrics.AUC(num_labels=3, **kwargs), bs)
    np.testing.assert_allclose(eager(jm.AUC(**kwargs), bs), want, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(jitted(jm.AUC(num_labels=3, **kwargs), bs), want, rtol=1e-5,
                               atol=1e-6)
    # per label, the float64 formula
    per = [prgain_reference([(t[:, j], p[:, j], w) for t, p, w in bs],
                            kwargs.get("num_thresholds", 200),
                            kwargs.get("summation_method", "interpolation")) for j in range(3)]
    lw = np.asarray(kwargs.get("label_weights", [1, 1, 1]), np.float64)
    np.testing.assert_allclose(want, np.sum(lw * per) / np.sum(lw), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("labels", [[1, 1, 1, 1], [0, 0, 0, 0], [0, 1, 0, 0]], ids=str)
def test_prgain_edges_follow_keras3(labels: list[int]):
    """No negatives (P/N is 0), no positives (tp is 0 everywhere), one positive."""
    t = np.array(labels, np.float32)
    p = np.array([0.1, 0.4, 0.35, 0.8], np.float32)
    want = keras_result(keras.metrics.AUC(curve="PRGAIN", num_thresholds=5), [(t, p, None)])
    for got in both(lambda: jm.AUC(curve="PRGAIN", num_thresholds=5), [(t, p, None)]):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)


def test_prgain_round_trips_through_keras_configs():
    km = keras.metrics.AUC(curve="PRGAIN", summation_method="minoring", num_thresholds=9)
    m = jm.AUC.from_config(km.get_config())
    assert (m.curve, m.summation_method, m.num_thresholds) == ("PRGAIN", "minoring", 9)
    assert keras.metrics.AUC.from_config(m.get_config()).get_config()["curve"] == "PRGAIN"


# ---- SparseTopKCategoricalAccuracy(from_sorted_ids=True), SparseCategoricalCrossentropy(ignore_class)
def sparse_batches(seed: int, classes: int = 5) -> list[tuple[Any, ...]]:
    r = np.random.default_rng(seed)
    out = []
    for n in (6, 4, 6):
        t = r.integers(0, classes, n).astype(np.int32)
        p = r.dirichlet(np.ones(classes), n).astype(np.float32)
        out.append((t, p, r.uniform(0, 2, n).astype(np.float32)))
    return out


@pytest.mark.parametrize("k", [1, 2, 4])
def test_sparse_top_k_from_sorted_ids_streams_as_keras3(k: int):
    """``y_pred`` holds the top ids, best first (e.g. from ``jax.lax.top_k``)."""
    bs = [(t, np.argsort(-p, axis=-1)[:, :4].astype(np.int32), w) for t, p, w in sparse_batches(6)]
    for weighted in (False, True):
        use = bs if weighted else [(t, p, None) for t, p, _ in bs]
        want = keras_result(keras.metrics.SparseTopKCategoricalAccuracy(k=k, from_sorted_ids=True),
                            use)
        kw = {"k": k, "from_sorted_ids": True}
        for got in both(lambda kw=kw: jm.SparseTopKCategoricalAccuracy(**kw), use):
            np.testing.assert_allclose(got, want, rtol=1e-6)
        # the same number as the scores themselves, ranked by Keras
        scored = [(t, p, w) for (t, _, w), (_, p, _) in zip(use, sparse_batches(6), strict=True)]
        np.testing.assert_allclose(
            want, keras_result(keras.metrics.SparseTopKCategoricalAccuracy(k=k), scored), rtol=1e-6)


@pytest.mark.parametrize("ignore", [0, 3, -1])
@pytest.mark.parametrize("from_logits", [False, True])
def test_sparse_categorical_crossentropy_ignore_class_streams_as_keras3(ignore: int,
                                                                         from_logits: bool):
    bs = sparse_batches(7)
    bs = [(np.where(np.arange(len(t)) % 3 == 0, ignore, t).astype(np.int32),
           np.log(p) if from_logits else p, w) for t, p, w in bs]
    for use in (bs, [(t, p, None) for t, p, _ in bs]):
        kw = {"ignore_class": ignore, "from_logits": from_logits}
        want = keras_result(keras.metrics.SparseCategoricalCrossentropy(**kw), use)
        for got in both(lambda kw=kw: jm.SparseCategoricalCrossentropy(**kw), use):
            np.testing.assert_allclose(got, want, rtol=1e-5)
