"""The registry (``jmetrics.adapter._table``): it covers the public surface, and its consumers see
every entry. Also the common test of ``jmetrics.sk``: every registered scikit-learn-named function
against scikit-learn 1.9.1 on a small clean input, and its documented outcome on NaN scores and on
an empty batch (the policy row, ``jmetrics.adapter._policy``)."""

from __future__ import annotations

import inspect
import warnings

import numpy as np
import pytest
import sklearn.metrics as skm

import jmetrics
import jmetrics.metrics as jm
import jmetrics.sk as jsk
from jmetrics.adapter import _policy
from jmetrics.adapter._entry import units
from jmetrics.adapter._lookup import entry_strings
from jmetrics.adapter._table import AUTO, ENTRIES, SK_ENTRIES
from jmetrics.cli._list import rows
from tests import adversarial_inputs as ai


def _public_metrics(module):
    """The metric units a module exports: classes and functions that are not utilities."""
    skip = set(map(id, _policy.utilities()))
    for name in module.__all__:
        obj = getattr(module, name)
        if id(obj) in skip or not callable(obj) or obj is jm.Metric:
            continue
        yield name, obj


@pytest.mark.parametrize("module", [jm, jsk], ids=["jmetrics.metrics", "jmetrics.sk"])
def test_every_public_metric_is_in_the_registry(module):
    covered = set(map(id, units(ENTRIES, SK_ENTRIES)))
    missing = [name for name, obj in _public_metrics(module) if id(obj) not in covered]
    assert missing == []


def test_every_streaming_class_has_a_name_get_and_eval_accept():
    listed = {r["name"] for r in rows()} | {a for r in rows() for a in r["aliases"]}
    triggers = {t for a in AUTO for t in a.triggers}
    for e in ENTRIES:
        if e.streaming is None:
            continue
        assert e.name in listed and set(entry_strings(e)) <= listed
        # 'accuracy' picks a form by shapes, as Keras does: another string names the class
        name = next(s for s in entry_strings(e) if s.lower() not in triggers)
        try:
            e.streaming()
        except TypeError:  # needs arguments: the string says so
            with pytest.raises(TypeError, match=f"{e.streaming.__name__}, which needs arguments"):
                jmetrics.get_metric(name)
            continue
        assert type(jmetrics.get_metric(name)) is e.streaming


@pytest.mark.parametrize("e", [e for e in ENTRIES if e.at], ids=lambda e: e.name)
def test_name_at_k_builds_the_class_with_that_cutoff(e):
    for short in e.at:
        m = jmetrics.get_metric(f"{short}@3")
        assert type(m) is e.streaming and m.k == 3 and m.display_name == f"{short}@3"
        assert jmetrics.metric_info(f"{short}@3") is e
        assert f"{short}@<k>" in next(r for r in rows([e.name]))["with_k"]
    with pytest.raises(ValueError, match=r'"<name>@<k>" takes'):
        jmetrics.get(f"{e.at[0]}@0")


def test_every_registered_sk_function_is_exported_once():
    fns = [s.fn for s in SK_ENTRIES]
    assert len(set(map(id, fns))) == len(fns)
    assert all(getattr(jsk, fn.__name__) is fn for fn in fns)


# ---- the common test of jmetrics.sk -----------------------------------------------------------
def _flat(x):
    if isinstance(x, dict):
        return [v for k in sorted(x) for v in _flat(x[k])]
    if isinstance(x, (tuple, list)):
        return [v for item in x for v in _flat(item)]
    return [np.asarray(x, np.float64)]


def _call(fn, batch, options):
    t, p, w = batch
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(t, p, sample_weight=w, **options)


@pytest.mark.parametrize("spec", SK_ENTRIES, ids=lambda s: s.fn.__name__)
def test_sk_function_equals_sklearn_on_clean_input(spec):
    options = dict(spec.options)
    batch = ai.clean(spec.kind)
    got = _flat(_call(spec.fn, batch, options))
    want = _flat(_call(getattr(skm, spec.fn.__name__), batch, options))
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("field,make", [("nan_pred", ai.INPUT_CLASSES[1].make),
                                        ("empty", ai.INPUT_CLASSES[7].make)],
                         ids=["nan_pred", "empty"])
@pytest.mark.parametrize("spec", SK_ENTRIES, ids=lambda s: s.fn.__name__)
def test_sk_function_gives_its_documented_outcome(spec, field, make):
    outcome = getattr(_policy.policy_of(spec.fn), field).eager
    bad = make(spec.kind, ai.clean(spec.kind))
    name = spec.fn.__name__
    if outcome == "raise":
        with pytest.raises((ValueError, TypeError), match=name):
            _call(spec.fn, bad, dict(spec.options))
        return
    assert outcome == "oracle", (name, field, outcome)  # the value scikit-learn gives
    want = _flat(_call(getattr(skm, name), bad, dict(spec.options)))
    got = _flat(_call(spec.fn, bad, dict(spec.options)))
    for g, w in zip(got, want, strict=True):
        np.testing.assert_allclose(g, w, rtol=1e-5, equal_nan=True)


def test_sk_options_are_parameters_of_both_functions():
    for spec in SK_ENTRIES:
        for key, _ in spec.options:
            assert key in inspect.signature(spec.fn).parameters, (spec.fn.__name__, key)
            assert key in inspect.signature(getattr(skm, spec.fn.__name__)).parameters
