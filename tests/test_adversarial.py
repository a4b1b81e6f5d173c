"""The adversarial law: every public unit, on every class of bad input, eagerly and under jit.

Driven by the policy table (``jmetrics.adapter._policy``): for each public unit and input class
(NaN / +-inf in each argument, NaN / zero / negative weights, an empty batch, out-of-range and
fractional labels, 1-D and 3-D batches, bf16, extreme logits) the outcome must be what the unit's
policy row says:

- ``raise``: a ValueError/TypeError whose message names the unit and the argument (eagerly);
- ``nan``: a NaN result (under jit, where raising on values is impossible);
- ``nan_rows``: a per-sample function's NaN in exactly the samples holding the bad input, and
  the oracle's number (on those rows alone) in the others (under jit);
- ``oracle`` / ``propagate``: the oracle's number (Keras 3 on the JAX backend, scikit-learn 1.9.1),
  NaN where it gives NaN; where the oracle raises, a ValueError/TypeError (NaN under jit);
- ``ignore``: the result of the same stream without the bad batch;
- ``members``: what each member metric gives alone.

Units without an oracle (jmetrics-only classes) are held to what needs none: ``propagate`` must
show a non-finite value; ``oracle`` and the shape classes must agree with the same rows given as
a plain 2-D batch in float32, eagerly and under jit.

Cases that fail today because another area is being fixed are in ``PENDING`` (strict xfail).

The cases are spread over files of one face family each (``GROUPS``): this file runs Collection,
``evaluate`` and the CLI; ``tests/test_adversarial_*.py`` run the classes, the kernels and ``sk``.
One face: ``pytest tests/test_adversarial*.py -k "metrics.Mean-"``.
"""

from __future__ import annotations

import inspect
import warnings
from typing import Any

import jax
import numpy as np
import pytest

import jmetrics
import jmetrics.metrics as jm
import jmetrics.sk as jsk
from jmetrics.adapter import _policy
from tests import adversarial_inputs as ai

TABLE = _policy.policy_table()
SYSTEM_KINDS = ("regression", "binary")


def _faces() -> list[tuple[str, ai.Face, _policy.Policy]]:
    """Every face as (family, face, policy); the family picks the test file that runs it."""
    faces = []
    for name, (unit, policy) in TABLE.items():
        short = name.removeprefix("jmetrics.")
        if name == "jmetrics eval":
            faces += [("system", ai.cli_face(name, k), policy) for k in SYSTEM_KINDS]
        elif unit is jmetrics.Collection:
            faces += [("system", ai.collection_face(short, k), policy) for k in SYSTEM_KINDS]
        elif unit is jmetrics.evaluate:
            faces += [("system", ai.evaluate_face(short, k), policy) for k in SYSTEM_KINDS]
        elif inspect.isclass(unit):
            faces.append(("metrics", ai.class_face(short, unit), policy))
        elif unit in ai.SK_SPECS:
            faces.append(("sk", ai.sk_face(short, unit, policy.nan_true.jit != "n/a"), policy))
        else:
            faces.append(("kernels", ai.kernel_face(short, unit), policy))
    return faces


FAMILY_FACES = _faces()
FACES = [(face, policy) for _, face, policy in FAMILY_FACES]
ORACLE = _policy.Outcome("oracle", "oracle")

# (face, input class) -> what it gives today. Strict: an entry whose case passes fails the suite.
PENDING: dict[tuple[str, str], str] = {
}


def _outcome(face: ai.Face, policy: _policy.Policy, ic: ai.InputClass) -> _policy.Outcome:
    if ic.field:
        return getattr(policy, ic.field)
    return _policy.MEMBERS if face.members else ORACLE


# The cases are spread over test files of one theme each (so that xdist's per-file distribution
# balances): group -> (face family, input kinds). Every (family, kind) is in exactly one group.
CLASSIFICATION = ("binary", "labels", "categorical", "sparse", "multilabel")
GROUPS: dict[str, tuple[str, tuple[str, ...]]] = {
    "system": ("system", SYSTEM_KINDS),  # Collection, evaluate, the CLI: this file
    "metrics_binary": ("metrics", ("binary", "labels")),
    "metrics_categorical": ("metrics", ("categorical", "sparse", "multilabel")),
    "metrics_regression": ("metrics", ("regression", "values")),
    "kernels_classification": ("kernels", CLASSIFICATION),
    "kernels_regression": ("kernels", ("regression",)),
    "sk_labels": ("sk", ("sklabels", "sksparse")),
    "sk_scores": ("sk", ("skbinary", "multilabel", "skregression")),
}


def _group(family: str, kind: str) -> list[str]:
    return [g for g, (fam, kinds) in GROUPS.items() if fam == family and kind in kinds]


def cases(group: str) -> list[Any]:
    """The parametrized cases of one group of ``GROUPS``."""
    cases = []
    for family, face, policy in FAMILY_FACES:
        if group not in _group(family, face.kind):
            continue
        for ic in ai.INPUT_CLASSES:
            if ic.name == "extreme_logits" and not face.logits:
                continue
            if ic.name in ("rows_1d", "rows_3d", "bf16") and face.jit is None:
                continue  # the engine and the CLI read whole arrays; shapes are their own tests
            if ic.name in ("rows_1d", "rows_3d") and not face.shapes:
                continue
            if ic.make(face.kind, ai.clean(face.kind)) is None:
                continue
            weight_class = ic.arg == 2 and ic.field is not None
            if _outcome(face, policy, ic) == _policy.NA and not (weight_class and face.weighted):
                continue
            key = (face.name, ic.name)
            marks = ([pytest.mark.xfail(reason=PENDING[key], strict=True)]
                     if key in PENDING else [])
            cases.append(pytest.param(face, policy, ic, id=f"{face.name}-{ic.name}", marks=marks))
    return cases


# ---- checks ----------------------------------------------------------------------------------
def _flat(x: Any) -> list[np.ndarray]:
    if isinstance(x, dict):
        return [v for k in sorted(x) for v in _flat(x[k])]
    if isinstance(x, (tuple, list)):
        return [v for item in x for v in _flat(item)]
    return [np.asarray(x, np.float64)]


def _run(fn: Any, batches: list[ai.Batch]) -> tuple[Any, BaseException | None]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return fn(batches), None
        except (ValueError, TypeError, ZeroDivisionError) as err:
            return None, err


def _close(got: Any, want: Any, what: str, rtol: float = 1e-4, atol: float = 1e-5) -> None:
    if isinstance(want, dict) and isinstance(got, dict):
        got = {k: got[k] for k in want}
    g, w = _flat(got), _flat(want)
    assert len(g) == len(w), f"{what}: {len(g)} arrays, the oracle has {len(w)}"
    for a, b in zip(g, w, strict=True):
        assert a.size == b.size, f"{what}: shape {a.shape}, the oracle's {b.shape}"
        np.testing.assert_allclose(a.reshape(-1), b.reshape(-1), rtol=rtol, atol=atol,
                                   equal_nan=True, err_msg=what)


def _assert_named_error(face: ai.Face, ic: ai.InputClass, err: BaseException | None,
                        got: Any, what: str) -> None:
    assert err is not None, f"{what}: expected a ValueError/TypeError, got {got!r}"
    message = str(err)
    assert isinstance(err, (ValueError, TypeError)), f"{what}: {type(err).__name__}: {message}"
    assert any(n in message for n in face.names), f"{what}: the message names no unit: {message}"
    wanted = face.arg_names if ic.field is None or ic.name == "empty" else (face.arg_names[ic.arg],)
    assert any(a in message for a in wanted), f"{what}: the message names none of {wanted}: {message}"


def _assert_nan(got: Any, err: BaseException | None, what: str) -> None:
    assert err is None, f"{what}: raised {type(err).__name__}: {err}"
    leaves = [a for a in _flat(got) if a.size]
    assert leaves and all(np.isnan(a).all() for a in leaves), f"{what}: expected NaN, got {got}"


def _reference(face: ai.Face, ic: ai.InputClass, bad: ai.Batch, run: Any) -> Any:
    """The unit's own result on the same rows as a plain float32 batch (units without oracle)."""
    t, p, w = ai.as_float32(bad)
    if ic.name == "rows_1d":
        t, p = (None if t is None else np.asarray(t)[:, None]), np.asarray(p)[:, None]
    elif ic.name == "rows_3d":
        t = None if t is None else np.asarray(t).reshape(ai.N, *np.shape(t)[2:])
        p = np.asarray(p).reshape(ai.N, *np.shape(p)[2:])
        w = np.asarray(w).reshape(ai.N)
    return run(_stream(face, (t, p, w)))


def _stream(face: ai.Face, bad: ai.Batch, first: ai.Batch | None = None) -> list[ai.Batch]:
    """What a face sees: a streaming face a clean batch (``first``, else the clean batch of seed 1)
    and then the bad one; the others the bad batch alone."""
    if not face.streaming:
        return [bad]
    return [ai.clean(face.kind, seed=1) if first is None else first, bad]


def _check(face: ai.Face, ic: ai.InputClass, outcome: str, mode: str, run: Any,
           bad: ai.Batch, first: ai.Batch | None = None) -> None:
    what = f"{face.name} on {ic.name} ({mode})"
    batches = _stream(face, bad, first)
    got, err = _run(run, batches)
    if outcome == "raise" and mode == "eager":
        return _assert_named_error(face, ic, err, got, what)
    if outcome in ("raise", "nan"):
        if ic.name == "empty" and err is not None:  # no rows is a shape: a trace-time error
            return _assert_named_error(face, ic, err, got, what)
        return _assert_nan(got, err, what)
    if outcome == "ignore":
        assert face.streaming, f"{face.name}: 'ignore' needs a stream"
        assert err is None, f"{what}: raised {type(err).__name__}: {err}"
        return _close(got, run(batches[:-1]), f"{what}: not the stream without the batch")
    if outcome == "members":
        return _check_members(face, ic, mode, batches, got, err, what)
    if outcome == "nan_rows":
        return _check_nan_rows(face, bad, got, err, what)
    # oracle / propagate
    if face.oracle is None:
        if outcome == "propagate":
            assert err is None, f"{what}: raised {type(err).__name__}: {err}"
            assert not all(np.isfinite(a).all() for a in _flat(got)), f"{what}: {got} is finite"
            return None
        if err is not None and ic.field is None:  # a shape error naming the unit
            return _assert_named_error(face, ic, err, got, what)
        assert err is None, f"{what}: raised {type(err).__name__}: {err}"
        if ic.field is not None:  # accepted input without an oracle: a finite value
            assert all(np.isfinite(a).all() for a in _flat(got)), f"{what}: {got}"
            return None
        return _close(got, _reference(face, ic, bad, run), f"{what}: not its float32 2-D value",
                      *((2e-2, 2e-2) if ic.name == "bf16" else (1e-5, 1e-6)))
    want, oracle_err = _run(face.oracle, [ai.as_float32(b) for b in batches])
    if oracle_err is not None:
        if mode == "eager" or err is not None:  # under jit: a trace-time error, or NaN
            return _assert_named_error(face, ic, err, got, f"{what} (the oracle raises "
                                       f"{type(oracle_err).__name__}: {oracle_err})")
        return _assert_nan(got, err, f"{what} (the oracle raises)")
    assert err is None, f"{what}: raised {type(err).__name__}: {err}; the oracle gives {want}"
    tol = (2e-2, 2e-2) if ic.name == "bf16" else (1e-4, 1e-5)
    _close(got, want, f"{what}: not the oracle's number", *tol)
    return None


def _bad_rows(face: ai.Face, bad: ai.Batch) -> np.ndarray:
    """The rows (samples) where the bad batch differs from the clean one it was made from."""
    rows = np.zeros(ai.N, bool)
    for c, b in zip(ai.clean(face.kind), bad, strict=True):
        if c is not None and b is not None:
            differs = np.asarray(c, np.float64) != np.asarray(b, np.float64)  # NaN differs
            rows |= differs.reshape(ai.N, -1).any(axis=1)
    return rows


def _check_nan_rows(face: ai.Face, bad: ai.Batch, got: Any, err: BaseException | None,
                    what: str) -> None:
    assert err is None, f"{what}: raised {type(err).__name__}: {err}"
    rows = _bad_rows(face, bad)
    values = np.asarray(got, np.float64)
    assert rows.any() and values.shape == rows.shape, f"{what}: {values.shape} for {ai.N} rows"
    assert np.array_equal(np.isnan(values), rows), (
        f"{what}: expected NaN in rows {np.flatnonzero(rows).tolist()} only, got {values}")
    kept = tuple(None if a is None else np.asarray(a)[~rows] for a in ai.as_float32(bad))
    if face.oracle is None:  # nothing to compare with: the clean rows' own values
        return _close(values[~rows], face.jit([kept]), f"{what}: the clean rows changed")
    want, oracle_err = _run(face.oracle, [kept])
    assert oracle_err is None, f"{what}: the oracle raises on the clean rows: {oracle_err}"
    return _close(values[~rows], want, f"{what}: the clean rows are not the oracle's numbers")


def _check_members(face: ai.Face, ic: ai.InputClass, mode: str, batches: list[ai.Batch],
                   got: Any, err: BaseException | None, what: str) -> None:
    alone = {}
    for key, member in face.members:
        value, member_err = _run(member.eager if mode == "eager" else member.jit, batches)
        if member_err is not None:
            return _assert_named_error(face, ic, err, got, f"{what} ({member.name} raises)")
        alone[key] = value
    assert err is None, f"{what}: raised {type(err).__name__}: {err}"
    return _close(got, face.assemble(alone), f"{what}: not its members' values")


def check_case(face: ai.Face, policy: _policy.Policy, ic: ai.InputClass) -> None:
    """One case of the law: the unit on one input class, eagerly and under jit."""
    outcome = _outcome(face, policy, ic)
    if ic.arg == 2 and ic.field is not None:
        assert (outcome == _policy.NA) == (not face.weighted), (
            f"{face.name}: takes sample_weight: {face.weighted}; its policy says {outcome}")
    bad = ic.make(face.kind, ai.clean(face.kind))
    assert bad is not None
    if ic.name == "extreme_logits":
        face = _with_logits(face)
    for mode, run, expected in (("eager", face.eager, outcome.eager), ("jit", face.jit, outcome.jit)):
        if expected == "n/a":
            continue
        assert run is not None, f"{face.name} has no {mode} face but its policy says {expected}"
        _check(face, ic, expected, mode, run, bad)


@pytest.mark.parametrize(("face", "policy", "ic"), cases("system"))
def test_bad_input_gives_what_the_policy_says(face: ai.Face, policy: _policy.Policy,
                                              ic: ai.InputClass) -> None:
    check_case(face, policy, ic)


def _with_logits(face: ai.Face) -> ai.Face:
    if inspect.isclass(face.unit):
        return ai.class_face(face.name, face.unit, from_logits=True)
    return ai.kernel_face(face.name, face.unit, from_logits=True)


# ---- coverage: every public unit has a policy row -------------------------------------------
def test_every_public_unit_has_a_policy_row() -> None:
    covered = {id(unit) for unit, _ in TABLE.values()}
    utilities = {id(u) for u in _policy.utilities()}
    missing = []
    for module in (jmetrics, jm, jsk):
        for name in module.__all__:
            obj = getattr(module, name)
            if not callable(obj) or inspect.ismodule(obj):
                continue  # data (ENTRIES, DEMO_TASKS, __version__) and modules
            if id(obj) not in covered and id(obj) not in utilities:
                missing.append(f"{module.__name__}.{name}")
    assert missing == []
    assert "jmetrics eval" in TABLE and jmetrics.Collection in {u for u, _ in TABLE.values()}


def test_policy_cells_use_known_outcomes() -> None:
    for name, (_, policy) in TABLE.items():
        for outcome in policy:
            assert outcome.eager in _policy.OUTCOMES and outcome.jit in _policy.OUTCOMES, name
            assert outcome.jit != "raise" or outcome.eager == "raise", name


def test_every_face_is_in_exactly_one_group() -> None:
    stray = [(f.name, fam, f.kind) for fam, f, _ in FAMILY_FACES if len(_group(fam, f.kind)) != 1]
    assert stray == []


def test_every_pending_entry_is_a_case() -> None:
    ids = {(f.name, ic.name) for f, _ in FACES for ic in ai.INPUT_CLASSES}
    assert set(PENDING) <= ids


def test_kernels_propagate_nan_row_by_row() -> None:
    """A NaN in one row of a per-sample function's input makes that row NaN and no other."""
    t, p, _ = ai.clean("regression")
    for fn in (jmetrics.mean_squared_error, jmetrics.mean_absolute_error, jmetrics.log_cosh,
               jmetrics.cosine_similarity, jmetrics.huber):
        for mode in (fn, jax.jit(fn)):
            got = np.asarray(mode(t, ai._put(p, np.nan, row=2)))
            assert np.isnan(got[2]) and np.isfinite(np.delete(got, 2)).all(), fn.__name__


def test_bad_input_page_is_generated_from_the_table() -> None:
    from pathlib import Path

    from jmetrics.adapter import _docs

    page = Path(__file__).resolve().parents[1] / "docs" / "bad-input.md"
    assert page.read_text() == _docs.bad_input_page(), (
        "docs/bad-input.md is stale: run `python -m jmetrics.adapter._docs` and commit it")
    for name in TABLE:
        assert f"| `{name}` |" in page.read_text()
