"""ConfusionMatrix, MatthewsCorrCoef and CohenKappa, streamed over ragged batches.

Oracle: scikit-learn 1.9.1 (``confusion_matrix``, ``matthews_corrcoef``, ``cohen_kappa_score``)
on the whole stream, in float64. The laws every class obeys (jit, merge, weights, donation,
devices, eager face) are in tests/test_common*.py and tests/test_distributed.py; bad input in
tests/test_adversarial*.py.
"""

from __future__ import annotations

import functools
import warnings

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score, confusion_matrix, matthews_corrcoef

import jmetrics
import jmetrics.metrics as jm

SIZES = (12, 1, 0, 12, 1)  # ragged, an empty batch among them; three shapes, compiled once each


def stream(c, weighted, seed=0, sizes=SIZES, scores=False):
    """Batches ``(t, p, w)``: ids mostly right; ``scores``: y_pred as (N, C) probabilities."""
    r = np.random.default_rng(seed)
    out = []
    for n in sizes:
        t = r.integers(0, c, n)
        p = np.where(r.uniform(size=n) < 0.6, t, r.integers(0, c, n))
        if scores:
            logits = r.normal(size=(n, c)) + 3 * np.eye(c)[p]
            p = (np.exp(logits) / np.exp(logits).sum(1, keepdims=True)).astype(np.float32)
        w = r.uniform(0, 2, n).astype(np.float32) if weighted else None
        out.append((t.astype(np.int32), p, w))
    return out


def whole(bs):
    t = np.concatenate([b[0] for b in bs])
    p = np.concatenate([b[1] for b in bs])
    w = None if bs[0][2] is None else np.concatenate([b[2] for b in bs]).astype(np.float64)
    return t, p, w


@functools.partial(jax.jit, static_argnums=0)
def _step(m, s, t, p, w):
    return m.update(s, t, p, sample_weight=w)


_CANONICAL: dict = {}


def run(m, bs, jit=False):
    """``m`` streamed over ``bs``. Under jit one program per (class, statistic) and batch shape:
    the options (normalize, weights) only change ``compute``, and equal ``stat_key`` promises an
    identical update (the classes share ``_ConfusionBase.update``)."""
    s = m.init()
    if jit:
        u = _CANONICAL.setdefault((type(m), m.stat_key()), m)
        for t, p, w in bs:
            s = _step(u, s, t, p, w)
    else:
        for t, p, w in bs:
            s = m.update(s, t, p, sample_weight=w)
    return m.compute(s)


def sk_values(c, t, p, w):
    """What each metric should give, by (class, options), from scikit-learn 1.9.1."""
    labels = np.arange(c)
    out = {(jm.MatthewsCorrCoef, ()): matthews_corrcoef(t, p, sample_weight=w)}
    for normalize in (None, "true", "pred", "all"):
        out[(jm.ConfusionMatrix, (("normalize", normalize),))] = confusion_matrix(
            t, p, labels=labels, sample_weight=w, normalize=normalize)
    for weights in (None, "linear", "quadratic"):
        out[(jm.CohenKappa, (("weights", weights),))] = cohen_kappa_score(
            t, p, labels=labels, weights=weights, sample_weight=w)
    return out


@pytest.mark.parametrize("jit", [False, True], ids=["eager", "jit"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("c", [2, 3])  # two classes, and more than two: the same programs at 5
def test_streams_equal_sklearn_on_the_whole_stream(c, weighted, jit):
    bs = stream(c, weighted, seed=c)
    for (cls, options), want in sk_values(c, *whole(bs)).items():
        got = run(cls(num_classes=c, **dict(options)), bs, jit=jit)
        np.testing.assert_allclose(np.asarray(got, np.float64), want, rtol=1e-5, atol=1e-6,
                                   err_msg=f"{cls.__name__}{options}")


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_scores_are_taken_by_argmax(weighted):
    bs = stream(4, weighted, seed=7, scores=True)
    t, p, w = whole(bs)
    for (cls, options), want in sk_values(4, t, p.argmax(axis=1), w).items():
        got = run(cls(num_classes=4, **dict(options)), bs, jit=True)
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_binary_scores_with_a_threshold():
    r = np.random.default_rng(3)
    bs = []
    for n in (12, 1, 12):  # the shapes of SIZES: their eager programs are compiled already
        t = r.integers(0, 2, n)
        prob = np.clip(0.35 * t + r.uniform(0, 0.65, n), 0, 1).astype(np.float32)
        bs.append((t, prob[:, None], r.uniform(0, 2, n).astype(np.float32)))
    t, prob, w = whole(bs)
    for (cls, options), want in sk_values(2, t, (prob[:, 0] > 0.3).astype(int), w).items():
        got = run(cls(num_classes=2, threshold=0.3, **dict(options)), bs)
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    # strict '>': a score equal to the threshold is class 0
    m = jm.ConfusionMatrix(num_classes=2, threshold=0.5)
    got = m.compute(m.update(m.init(), np.array([0, 1]), np.array([0.5, 0.75])))
    assert got.tolist() == [[1.0, 0.0], [0.0, 1.0]]


def test_kappa_without_labels_equals_sklearn_when_every_class_occurs():
    bs = stream(4, True, seed=11, sizes=(40, 40))
    t, p, w = whole(bs)
    assert set(t) == set(p) == {0, 1, 2, 3}
    for weights in (None, "linear", "quadratic"):
        got = run(jm.CohenKappa(num_classes=4, weights=weights), bs, jit=True)
        want = cohen_kappa_score(t, p, weights=weights, sample_weight=w)
        np.testing.assert_allclose(got, want, rtol=1e-5)


def test_merged_states_equal_the_whole_stream():
    bs = stream(3, True, seed=5, sizes=(12, 1, 12, 1))
    want = sk_values(3, *whole(bs))
    for cls, options in ((jm.ConfusionMatrix, (("normalize", "pred"),)), (jm.MatthewsCorrCoef, ()),
                         (jm.CohenKappa, (("weights", "quadratic"),))):
        m = cls(num_classes=3, **dict(options))
        parts = [m.update(m.init(), *b[:2], sample_weight=b[2]) for b in bs]
        merged = m.merge(m.merge(parts[0], parts[2]), m.merge(parts[3], parts[1]))
        np.testing.assert_allclose(m.compute(merged), want[(cls, options)], rtol=1e-5, atol=1e-6)


def test_one_collection_state_serves_all_three():
    members = [jm.ConfusionMatrix(3, normalize="true"), jm.MatthewsCorrCoef(3),
               jm.CohenKappa(3, weights="linear")]
    coll = jmetrics.Collection(members)
    bs = [b for b in stream(3, True, seed=2) if b[0].size]
    s = coll.init()
    assert len(jax.tree.leaves(s)) == 2  # one compensated (3, 3) sum: hi and lo
    for t, p, w in bs:
        s = jax.jit(coll.update)(s, t, p, w)
    got = coll.compute(s)
    t, p, w = whole(bs)
    np.testing.assert_allclose(got["confusion_matrix"],
                               confusion_matrix(t, p, sample_weight=w, normalize="true"), rtol=1e-5)
    np.testing.assert_allclose(got["matthews_corr_coef"], matthews_corrcoef(t, p, sample_weight=w),
                               rtol=1e-5)
    want = cohen_kappa_score(t, p, weights="linear", sample_weight=w)
    np.testing.assert_allclose(got["cohen_kappa"], want, rtol=1e-5)


def test_undefined_values_follow_sklearn():
    t = np.array([1, 1, 1])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want_kappa = cohen_kappa_score(t, t, labels=[0, 1])
        want_mcc = matthews_corrcoef(t, t)
    assert np.isnan(want_kappa) and want_mcc == 0.0
    for cls, want in ((jm.MatthewsCorrCoef, 0.0), (jm.CohenKappa, np.nan)):
        m = cls(num_classes=2)
        np.testing.assert_equal(float(m.compute(m.update(m.init(), t, t))), want)
        np.testing.assert_equal(float(m.compute(m.init())), want)  # no rows
    cm = jm.ConfusionMatrix(2, normalize="true")
    s = cm.update(cm.init(), t, np.array([1, 0, 1]))
    np.testing.assert_allclose(cm.compute(s), confusion_matrix(t, [1, 0, 1], labels=[0, 1],
                                                               normalize="true"))


def test_row_shapes_and_weight_forms():
    t, p = np.array([0, 2, 1, 2]), np.array([0, 1, 1, 2])
    w = np.array([1.0, 0.5, 2.0, 0.25], np.float32)
    want = confusion_matrix(t, p, sample_weight=w)
    m = jm.ConfusionMatrix(3)
    for tt, pp, ww in ((t, p, w), (t[:, None], p, w[:, None]), (t, p[:, None], w),
                       (t.astype(np.float32), p.astype(np.float32), w)):
        np.testing.assert_allclose(m.compute(m.update(m.init(), tt, pp, sample_weight=ww)), want)
    scalar = m.compute(m.update(m.init(), t, p, sample_weight=2.0))
    np.testing.assert_allclose(scalar, 2 * confusion_matrix(t, p))


def test_int32_counts_of_huge_batches_are_added_exactly(monkeypatch):
    # Past 2**24 rows a batch's counts stay int32 (metrics._blocks.exact_float); simulated here on
    # a small batch, onto a state already holding 2**24 + 1 in one cell (float32 would lose the 1).
    from jmetrics.metrics import _agreement, _blocks

    def int_counts(*args, **kw):
        return _blocks.bincount(*args, **kw).astype(jnp.int32)

    m = jm.ConfusionMatrix(2)
    big = m.update(m.init(), np.zeros(1), np.zeros(1), sample_weight=2.0**24)
    big = m.update(big, np.zeros(1), np.zeros(1))
    monkeypatch.setattr(_agreement, "bincount", int_counts)
    t, p = np.array([0, 0, 1, 1, 1]), np.array([0, 1, 1, 1, 0])
    got = np.asarray(m.compute(m.update(big, t, p)), np.float64)
    s = m.update(big, t, p)
    total = np.asarray(s.confusion.hi, np.float64) + np.asarray(s.confusion.lo, np.float64)
    want = confusion_matrix(t, p) + np.array([[2**24 + 1, 0], [0, 0]])
    assert total.tolist() == want.tolist()
    np.testing.assert_allclose(got, want, rtol=1e-7)
    bad = jax.jit(m.update)(big, t, np.array([0, 1, 2, 1, 0]))  # 2 is not a class id
    assert np.isnan(np.asarray(bad.confusion.hi)).all()


def test_python_lists_under_jit():
    # a list passed to jit is a list of tracers: the eager checks must see that it is traced
    m = jm.MatthewsCorrCoef(2)
    got = jax.jit(m.update)(m.init(), [0, 1, 1, 0], [0, 1, 0, 0])
    np.testing.assert_allclose(m.compute(got), matthews_corrcoef([0, 1, 1, 0], [0, 1, 0, 0]),
                               rtol=1e-6)


# ---- bad input: named errors eagerly, NaN under jit, never a clamped count --------------------
BAD_IDS = [np.nan, np.inf, 3.0, -1.0, 1.5]


# The three classes share one update and its checks (``_ConfusionBase``): ConfusionMatrix holds
# them to the exact message here; the adversarial law holds MatthewsCorrCoef and CohenKappa to a
# named error eagerly and NaN under jit on the same bad ids (tests/test_adversarial_metrics_binary).
@pytest.mark.parametrize("value", BAD_IDS, ids=str)
@pytest.mark.parametrize("arg", ["y_true", "y_pred"])
@pytest.mark.parametrize("cls", [jm.ConfusionMatrix], ids=lambda c: c.__name__)
def test_a_bad_class_id_raises_eagerly_and_gives_nan_under_jit(cls, arg, value):
    t = np.array([0.0, 1.0, 2.0, 1.0])
    p = np.array([0.0, 2.0, 2.0, 1.0])
    bad = (t.copy(), p) if arg == "y_true" else (t, p.copy())
    bad[0 if arg == "y_true" else 1][1] = value
    m = cls(num_classes=3)
    shown = "nan" if np.isnan(value) else "inf" if np.isinf(value) else f"{value:g}"
    with pytest.raises(ValueError, match=rf"^{m.display_name}: {arg} must be class ids: "
                                         rf"integers in \[0, 2\].*got \[{shown}\]"):
        m.update(m.init(), *bad)
    with pytest.raises(ValueError, match=rf"{m.display_name}: {arg}"):
        cls(num_classes=3).update_state(*bad)
    clean = m.update(m.init(), t, p)
    jitted = _step(m, clean, *bad, None)
    assert np.isnan(np.asarray(jitted.confusion.hi)).all()  # not 3 clamped into 2, -1 into 0
    assert np.isnan(np.asarray(m.compute(jitted))).all()


def test_bad_rows_of_weight_zero_are_padding():
    m = jm.CohenKappa(num_classes=3, weights="quadratic")
    t, p = np.array([0, 1, 2, 2, 7]), np.array([0.0, 2, 2, np.nan, 1])
    w = np.array([1.0, 1.0, 1.0, 0.0, 0.0])
    got = m.compute(m.update(m.init(), t, p, sample_weight=w))
    want = cohen_kappa_score(t[:3], p[:3].astype(int), labels=[0, 1, 2], weights="quadratic")
    np.testing.assert_allclose(got, want, rtol=1e-6)


@pytest.mark.parametrize("weight", [-1.0, np.nan, np.inf])
def test_a_bad_weight_raises_eagerly_and_gives_nan_under_jit(weight):
    m = jm.MatthewsCorrCoef(num_classes=2)
    t, p, w = np.array([0, 1, 1]), np.array([0, 1, 0]), np.array([1.0, weight, 1.0])
    with pytest.raises(ValueError, match=r"^matthews_corr_coef: sample_weight must be finite"):
        m.update(m.init(), t, p, sample_weight=w)
    assert np.isnan(float(m.compute(jax.jit(m.update)(m.init(), t, p, w))))


def test_nan_scores_raise_and_inf_scores_are_ordered():
    m = jm.ConfusionMatrix(num_classes=3)
    t = np.array([0, 1, 2])
    scores = np.array([[np.inf, 0, 0], [0, 1, 0], [0, 0, 1]], np.float32)
    np.testing.assert_allclose(m.compute(m.update(m.init(), t, scores)), np.eye(3))
    scores[1, 2] = np.nan
    with pytest.raises(ValueError, match=r"^confusion_matrix: y_pred must be rows of scores "
                                         r"without NaN"):
        m.update(m.init(), t, scores)
    assert np.isnan(np.asarray(jax.jit(m.update)(m.init(), t, scores).confusion.hi)).all()
    b = jm.MatthewsCorrCoef(num_classes=2, threshold=0.5)
    with pytest.raises(ValueError, match=r"^matthews_corr_coef: y_pred must be a score, not NaN"):
        b.update(b.init(), np.array([0, 1]), np.array([0.2, np.nan]))


@pytest.mark.parametrize(("t", "p", "w", "match"), [
    (np.zeros((4, 2)), np.zeros(4), None, r"y_true must be class ids of shape \(N,\) or \(N, 1\); "
                                          r"got shape \(4, 2\)"),
    (np.zeros(4), np.zeros((4, 4)), None, r"y_pred must be class ids of shape \(N,\) or "
                                          r"\(N, 1\), or scores of shape \(N, 3\)"),
    (np.zeros(4), np.zeros(5), None, r"y_true and y_pred must have the "
                                          r"same number of rows; got shapes \(4,\) and \(5,\)"),
    (np.zeros(4), np.zeros(4), np.ones(3), r"sample_weight must be a scalar or have shape"),
])
def test_shape_errors_name_the_metric_and_the_shapes(t, p, w, match):
    m = jm.CohenKappa(num_classes=3)
    with pytest.raises(ValueError, match=r"^cohen_kappa: " + match):
        jax.jit(m.update)(m.init(), t, p, w)


@pytest.mark.parametrize(("cls", "kw", "match"), [
    (jm.ConfusionMatrix, {"num_classes": 1}, r"num_classes must be an int >= 2; got 1"),
    (jm.ConfusionMatrix, {"num_classes": 2.0}, r"num_classes must be an int >= 2; got 2.0"),
    (jm.ConfusionMatrix, {"num_classes": 3, "normalize": "rows"},
     r"normalize must be one of \['true', 'pred', 'all', None\]; got 'rows'"),
    (jm.CohenKappa, {"num_classes": 3, "weights": "cubic"},
     r"weights must be one of \['linear', 'quadratic', None\]; got 'cubic'"),
    (jm.MatthewsCorrCoef, {"num_classes": 3, "threshold": 0.5},
     r"threshold needs num_classes=2"),
    (jm.MatthewsCorrCoef, {"num_classes": 2, "threshold": np.nan}, r"threshold must be a finite"),
])
def test_options_are_checked(cls, kw, match):
    with pytest.raises(ValueError, match=rf"^{cls.__name__}: {match}"):
        cls(**kw)


def test_names_resolve_to_the_classes():
    assert jmetrics.metric_info("matthews_corrcoef").streaming is jmetrics.metrics.MatthewsCorrCoef
    assert jmetrics.metric_info("cohen_kappa_score").streaming is jmetrics.metrics.CohenKappa
    assert jmetrics.metric_info("ConfusionMatrix").streaming is jmetrics.metrics.ConfusionMatrix
    with pytest.raises(TypeError, match=r"CohenKappa, which needs arguments .*num_classes=3"):
        jmetrics.metrics.get("cohen_kappa")
    back = jmetrics.deserialize(jmetrics.serialize(jm.CohenKappa(4, weights="linear")))
    assert back == jm.CohenKappa(4, weights="linear")
    assert jnp.asarray(jm.ConfusionMatrix(2).compute(jm.ConfusionMatrix(2).init())).shape == (2, 2)
