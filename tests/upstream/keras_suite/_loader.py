"""Load Keras' own metric test modules with their metric classes replaced by jmetrics'.

Each Keras test module (``keras/src/metrics/<stem>.py`` of the INSTALLED Keras) is compiled from
its own file and executed in a fresh module whose ``__import__`` hands out shims instead of Keras'
metric modules: ``from keras.src.metrics import accuracy_metrics`` or ``from keras.src import
metrics`` then gives a namespace whose ``Accuracy``, ``AUC``, ``R2Score``, ``get``... are
``jmetrics.metrics``'s. A name jmetrics does not define raises ``AttributeError`` (the test fails,
it never falls back to Keras' own class). Only ``metrics_utils`` (enums) stays Keras'. Everything
else the tests import (``testing``, ``ops``, ``layers``, ``models``, ``backend``...) is Keras'
own. The test code itself is never copied: the installed file is the test.

``keras_tests(stem)`` returns the module's ``unittest.TestCase`` classes, for a pytest module to
put in its globals; ``tests/upstream/keras_suite/keras_expected.py`` lists the tests expected to fail.
"""

from __future__ import annotations

import builtins
import importlib.util
import pathlib
import sys
import types
import unittest
from typing import Any

import keras

import jmetrics.metrics as jm

KERAS_VERSION = "3.15.1"
assert keras.__version__ == KERAS_VERSION, (
    f"tests/upstream: the oracle is Keras {KERAS_VERSION}; got Keras {keras.__version__} "
    "(pinned in pyproject.toml's test extra)."
)

_METRICS_DIR = pathlib.Path(keras.__file__).parent / "src" / "metrics"
_PREFIX = "keras.src.metrics"
_KEEP = {"metrics_utils"}  # Keras internals the tests read as constants (AUCCurve enums)


class _Shim(types.ModuleType):
    """``keras.src.metrics`` (or one of its submodules) with jmetrics' classes and functions."""

    def __getattr__(self, name: str) -> Any:
        if name in _KEEP:
            return importlib.import_module(f"{_PREFIX}.{name}")
        if name.endswith("_metrics"):  # accuracy_metrics, iou_metrics...: the same namespace
            return self
        if name.startswith("__") or not hasattr(jm, name):
            raise AttributeError(f"jmetrics.metrics has no {name!r} (Keras' {self.__name__}.{name})")
        return getattr(jm, name)


_SHIM = _Shim(_PREFIX)


class _KerasSrc(types.ModuleType):
    """``keras.src`` whose ``metrics`` attribute is the shim (``from keras.src import metrics``)."""

    def __getattr__(self, name: str) -> Any:
        if name == "metrics":
            return _SHIM
        return getattr(importlib.import_module("keras.src"), name)


_KERAS_SRC = _KerasSrc("keras.src")


def _import(name: str, globals_: Any = None, locals_: Any = None, fromlist: Any = (),
            level: int = 0) -> Any:
    """``__import__`` that swaps Keras' metric modules for the shim."""
    if level == 0 and (name == _PREFIX or name.startswith(_PREFIX + ".")):
        sub = name[len(_PREFIX) + 1:].split(".")[0]
        if sub in _KEEP:
            return builtins.__import__(name, globals_, locals_, fromlist, level)
        if not fromlist:  # ``import keras.src.metrics.x`` binds ``keras``: not used by the tests
            raise ImportError(f"tests/upstream: plain 'import {name}' is not shimmed")
        return _SHIM
    if level == 0 and name == "keras.src" and fromlist and "metrics" in fromlist:
        builtins.__import__(name, globals_, locals_, fromlist, level)
        return _KERAS_SRC
    return builtins.__import__(name, globals_, locals_, fromlist, level)


def load(stem: str) -> types.ModuleType:
    """Execute Keras' ``keras/src/metrics/<stem>.py`` against jmetrics; the new module."""
    path = _METRICS_DIR / f"{stem}.py"
    mod_name = f"tests.upstream.keras_suite._keras.{stem}"
    if mod_name in sys.modules:
        return sys.modules[mod_name]
    spec = importlib.util.spec_from_file_location(mod_name, path)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    module.__dict__["__builtins__"] = {**vars(builtins), "__import__": _import}
    sys.modules[mod_name] = module
    code = compile(path.read_text(), str(path), "exec")
    exec(code, module.__dict__)  # noqa: S102 - the installed Keras test file, by design
    return module


def keras_tests(stem: str) -> dict[str, type[unittest.TestCase]]:
    """The ``TestCase`` classes of Keras' ``<stem>.py``, run against jmetrics."""
    module = load(stem)
    return {
        k: v for k, v in vars(module).items()
        if isinstance(v, type) and issubclass(v, unittest.TestCase) and v.__module__ == module.__name__
    }
