"""The registry (``jmetrics.adapter._table``): it covers the public surface, and its consumers see
every entry. Also the common test of ``jmetrics.sk``: every registered scikit-learn-named function
against scikit-learn 1.9.1 on a small clean input, and its documented outcome on NaN scores and on
an empty batch (the policy row, ``jmetrics.adapter._policy``)."""

from __future__ import annotations

import dataclasses
import inspect
import warnings
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import sklearn.metrics as skm

import jmetrics
import jmetrics.metrics as jm
import jmetrics.sk as jsk
from jmetrics.adapter import _policy
from jmetrics.adapter._entry import Entry, units
from jmetrics.adapter._lookup import entry_strings
from jmetrics.adapter._table import AUTO, ENTRIES, SK_ENTRIES, remove_entry
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


# ---- adding a metric: one class plus one entry, and every consumer sees it ------------------
class _HalfErrorState(NamedTuple):
    total: jax.Array  # () float32, sum of w * max|y_pred - y_true| / 2 over rows
    weight: jax.Array  # () float32, sum of w
    REDUCE = {"total": "sum", "weight": "sum"}  # noqa: RUF012 - class metadata, not a field


@dataclasses.dataclass(frozen=True)
class HalfMaxError(jm.Metric):
    """Weighted mean over rows of half the largest absolute error of the row."""

    default_name = "half_max_error"
    input_kind = "regression"

    def init(self):
        return _HalfErrorState(jnp.zeros(()), jnp.zeros(()))

    def update(self, state, y_true, y_pred, sample_weight=None):
        error = 0.5 * jnp.max(jnp.abs(jnp.asarray(y_pred, jnp.float32) - y_true), axis=-1)
        w = jnp.ones_like(error) if sample_weight is None else jnp.asarray(sample_weight, jnp.float32)
        return _HalfErrorState(state.total + jnp.sum(jnp.where(w != 0, w * error, 0.0)),
                               state.weight + jnp.sum(w))

    def compute(self, state):
        return state.total / state.weight


HALF_MAX = Entry(name="half_max_error", kernel=None, streaming=HalfMaxError, family="regression",
                 higher_is_better=False, value_range=(0.0, None),
                 formula="mean over rows of max(|y_pred - y_true|, axis=-1) / 2",
                 aliases=("hme", "HalfMaxError"))


@pytest.fixture
def registered():
    jmetrics.register_metric(HALF_MAX)
    try:
        yield HALF_MAX
    finally:
        remove_entry(HALF_MAX)


def test_a_registered_entry_reaches_every_consumer(registered, capsys):
    from jmetrics.adapter import _docs
    from jmetrics.bench import _cases
    from jmetrics.cli import main
    from jmetrics.testing import check_metric

    # get / serialize / deserialize
    assert type(jmetrics.get_metric("hme")) is HalfMaxError
    assert jmetrics.deserialize(jmetrics.serialize(HalfMaxError())) == HalfMaxError()
    # jmetrics list
    assert main(["list", "--family", "regression"]) == 0
    assert "half_max_error" in capsys.readouterr().out
    # the reference pages and the policy table
    pages = _docs.pages()
    assert "## `half_max_error`" in pages["reference/regression.md"]
    assert "`jmetrics.metrics.HalfMaxError`" in pages["bad-input.md"]
    assert _policy.policy_of(HalfMaxError) == registered.policy_of(HalfMaxError)
    # the common laws: the class list the common tests read, and check_metric on the class
    assert HalfMaxError in {e.streaming for e in ENTRIES}
    rng = np.random.default_rng(0)
    batches = [(rng.normal(size=(n, 3)).astype(np.float32),
                rng.normal(size=(n, 3)).astype(np.float32)) for n in (4, 3, 5)]
    check_metric(HalfMaxError(), batches)
    # the bench: a case derived from the entry, found by any of its names
    c = _cases.case("HalfMaxError")
    assert c is _cases.case("hme") and c.jm[0] == "class" and c.kind == "regression"
    fn, jit = _cases.jmetrics_function(c)
    t, p = batches[0]
    want = np.mean(0.5 * np.max(np.abs(p.astype(np.float64) - t), axis=-1))  # float64 formula
    np.testing.assert_allclose(float(fn(t, p)), want, rtol=1e-6)


def test_a_registered_entry_is_gone_after_removal():
    jmetrics.register_metric(HALF_MAX)
    remove_entry(HALF_MAX)
    with pytest.raises(ValueError, match="Unknown metric"):
        jmetrics.get_metric("hme")
    assert HALF_MAX not in ENTRIES


def test_an_entry_cannot_take_a_registered_string():
    taken = HALF_MAX._replace(name="mse_again", aliases=("MSE",), streaming=None,
                              input_kind="regression")
    with pytest.raises(ValueError, match=r"register_metric: the strings of entry 'mse_again' "
                                         r"must be new; got 'MSE'"):
        jmetrics.register_metric(taken)
    assert taken not in ENTRIES


def test_every_policy_row_names_the_public_unit():
    """The policy table is laid out from the registry: each name is the unit's public name."""
    homes = {"jmetrics.sk.": jsk, "jmetrics.metrics.": jm, "jmetrics.": jmetrics}
    for name, (unit, _) in _policy.policy_table().items():
        if name == "jmetrics eval":
            continue
        prefix = next(p for p in homes if name.startswith(p))
        assert getattr(homes[prefix], name.removeprefix(prefix)) is unit, name


def test_a_unit_shared_by_entries_has_one_row():
    rows: dict[int, object] = {}
    for e in ENTRIES:
        for unit, policy in e.rows:
            assert rows.setdefault(id(unit), policy) == policy, (e.name, unit)
