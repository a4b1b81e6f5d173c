"""Load scikit-learn's own metric test modules with ``jmetrics.sk`` in place of ``sklearn.metrics``.

The installed scikit-learn (pinned: ``scikit-learn==1.9.1`` in the ``test`` extra) is the oracle.
Its test modules ``sklearn/metrics/tests/test_*.py`` are executed from their installed path under a
private module name while ``sklearn.metrics`` temporarily exposes every function of
``jmetrics.sk.__all__`` (and ``jmetrics.sk.UndefinedMetricWarning``): the module-level metric tables
of ``test_common.py`` are built from the jmetrics functions, and the test functions' globals name
them. Nothing of their code is copied into this repository.

:func:`uses_jmetrics` tells whether a collected test calls a ``jmetrics.sk`` function (directly,
through a module helper, a metric table entry, a ``functools.partial`` or a parameter); the others
test scikit-learn only and are deselected by ``conftest.py``.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jmetrics.sk as jsk

SKLEARN_VERSION = "1.9.1"
MODULES = ("test_classification", "test_ranking", "test_regression", "test_common")
PREFIX = "jmetrics_upstream_"


def _check_version() -> Any:
    import sklearn

    if sklearn.__version__ != SKLEARN_VERSION:
        raise RuntimeError(f"tests/upstream: the oracle is scikit-learn=={SKLEARN_VERSION}; "
                           f"got {sklearn.__version__}. Install the 'test' extra.")
    return sklearn


def replaced_names() -> dict[str, Any]:
    """Every public name of ``jmetrics.sk``, mapped to its jmetrics object."""
    return {name: getattr(jsk, name) for name in jsk.__all__}


@contextlib.contextmanager
def _patched(module: types.ModuleType, names: dict[str, Any]) -> Iterator[None]:
    saved = {n: getattr(module, n) for n in names if hasattr(module, n)}
    try:
        for n, v in names.items():
            setattr(module, n, v)
        yield
    finally:
        for n in names:
            if n in saved:
                setattr(module, n, saved[n])
            else:
                delattr(module, n)


@functools.cache
def load(name: str) -> types.ModuleType:
    """scikit-learn's ``metrics/tests/{name}.py`` executed with the jmetrics functions."""
    _check_version()
    import sklearn.exceptions
    import sklearn.metrics

    path = Path(sklearn.__file__).parent / "metrics" / "tests" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(PREFIX + name, path)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    names = replaced_names()
    metric_names = {n: v for n, v in names.items() if n != "UndefinedMetricWarning"}
    warning = {"UndefinedMetricWarning": names["UndefinedMetricWarning"]}
    with _patched(sklearn.metrics, metric_names), _patched(sklearn.exceptions, warning):
        spec.loader.exec_module(mod)
    for n, v in names.items():
        if n in vars(mod):
            setattr(mod, n, v)
    return mod


def namespace(name: str) -> dict[str, Any]:
    """The collectable objects of the loaded module (tests, test classes, fixtures, marks)."""
    mod = load(name)
    return {k: v for k, v in vars(mod).items() if not k.startswith("__")}


_JM = {id(v) for v in replaced_names().values() if callable(v)}


def _code_names(code: types.CodeType) -> set[str]:
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _code_names(const)
    return names


def _is_jm(obj: Any, mod: types.ModuleType, seen: set[int]) -> bool:
    """True when ``obj`` is, wraps, holds or (as a module function) calls a jmetrics.sk function."""
    if id(obj) in seen:
        return False
    seen.add(id(obj))
    if id(obj) in _JM and not isinstance(obj, type):
        return True
    if isinstance(obj, functools.partial):
        return _is_jm(obj.func, mod, seen)
    if isinstance(obj, dict):
        return any(_is_jm(v, mod, seen) for v in obj.values())
    if isinstance(obj, (list, tuple, set, frozenset)):
        return any(_is_jm(v, mod, seen) for v in obj)
    if isinstance(obj, types.FunctionType) and obj.__module__ == mod.__name__:
        g = vars(mod)
        return any(_is_jm(g[n], mod, seen) for n in _code_names(obj.__code__) if n in g)
    return False


def _metric_tables(mod: types.ModuleType) -> list[dict[str, Any]]:
    return [v for v in vars(mod).values() if isinstance(v, dict) and v
            and all(isinstance(k, str) for k in v) and all(callable(x) for x in v.values())]


def uses_jmetrics(mod: types.ModuleType, func: Any, params: dict[str, Any]) -> bool:
    """Whether a test (``func`` with its parameter values) calls a jmetrics.sk function.

    A parameter that is a jmetrics function (or holds one) selects the test. A parameter that names
    an entry of a metric table (``ALL_METRICS['f1_score']``) decides alone: the test runs when the
    entry is a jmetrics function in any table. Otherwise the test runs when its code, or a module
    helper it calls, refers to a jmetrics function or to a table holding one.
    """
    tables = _metric_tables(mod)
    keyed = False
    for value in params.values():
        if _is_jm(value, mod, set()):
            return True
        if isinstance(value, str):
            entries = [t[value] for t in tables if value in t]
            if entries:
                keyed = True
                if any(_is_jm(e, mod, set()) for e in entries):
                    return True
    if keyed:
        return False
    return _is_jm(func, mod, set())
