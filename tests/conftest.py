"""Test set-up: CPU JAX, Keras 3 on the JAX backend as an oracle, quick hypothesis profile.

The suite is strict: implicit rank promotion raises (``(N,)`` against ``(N, 1)`` never broadcasts;
library code broadcasts explicitly), warnings are errors (pyproject's ``filterwarnings`` names
each one it ignores), and the oracles' versions are the ones the tests cite.
"""

import os
import re
from importlib import metadata
from pathlib import Path

os.environ.setdefault("JAX_PLATFORMS", "cpu")
os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# XLA's LLVM backend without its optimisation passes: the tests' arrays are small, so compiling
# (thousands of small programs) costs far more than running; the programs' results are the same,
# and the fusions that skip NaN in max/min from 4,096 elements (which
# tests/test_adversarial_large.py guards against) behave as under JAX's default flags
# (tests/test_suite_setup.py). Subprocesses inherit the flag; those that set a device count add it.
# (XLA:CPU's elemental emitters, --xla_cpu_use_fusion_emitters=false for every program, took a
# fifth off the suite's CPU time, but XLA aborted the process while compiling a multiclass ROC
# AUC program in one full run of four, jax 0.10.2: tests/programs.py gives them only to small
# programs without sorts, loops, scatters or calls.)
FAST_COMPILE = "--xla_backend_optimization_level=0"
# XLA's own default for that option: a test that reads a compiled program (its copies, its
# kernels) compiles it with ``.compile(USER_COMPILE)``, as a user's program is compiled.
USER_COMPILE = {"xla_backend_optimization_level": 3}
os.environ.setdefault("XLA_FLAGS", FAST_COMPILE)
# In this process only: subprocesses (the CLI tests, Keras round trips, docs scripts) run as a
# user's program would, with JAX's default.
RANK_PROMOTION = os.environ.get("JAX_NUMPY_RANK_PROMOTION", "raise")

try:
    import tomllib
except ImportError:  # Python 3.10: pytest's own dependency
    import tomli as tomllib

import jax  # noqa: E402
import pytest  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402

from tests.programs import share_programs  # noqa: E402

jax.config.update("jax_numpy_rank_promotion", RANK_PROMOTION)
share_programs()  # each distinct program compiles once, simple ones quickly (tests/programs.py)



def _oracle_promotes_ranks() -> None:
    """Keras, an oracle, broadcasts ``(N, C)`` against ``(C,)`` itself: its own code keeps NumPy's
    rank promotion. JAX asks its promotion check only when ranks differ, so the check lets a call
    through when a frame of Keras' own modules is on the stack and raises for everything else."""
    import sys

    from jax._src.numpy import util as jnp_util

    strict = jnp_util._rank_promotion_warning_or_error

    def check(fun_name, shapes):
        frame = sys._getframe(1)
        while frame is not None:
            if frame.f_globals.get("__name__", "").startswith("keras."):
                return None
            frame = frame.f_back
        return strict(fun_name, shapes)

    jnp_util._rank_promotion_warning_or_error = check


_oracle_promotes_ranks()

settings.register_profile(
    "jmetrics",
    deadline=None,
    max_examples=25,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "jmetrics"))

# The oracles whose numbers the tests cite ("scikit-learn 1.9.1", "Keras 3.15.1"): their pins in
# pyproject's test extra are the versions the suite must run against.
ORACLES = ("scikit-learn", "keras")
PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


def oracle_pins(pyproject: Path = PYPROJECT) -> dict[str, str]:
    """``{package: version}`` of the oracles pinned ``==`` in the ``test`` extra."""
    extra = tomllib.loads(pyproject.read_text())["project"]["optional-dependencies"]["test"]
    pins = {}
    for requirement in extra:
        m = re.fullmatch(r"\s*([A-Za-z0-9_.-]+)\s*==\s*([^\s;,]+)\s*", requirement)
        if m and m[1].lower() in ORACLES:
            pins[m[1].lower()] = m[2]
    return pins


def oracle_mismatches(pins: dict[str, str]) -> list[str]:
    """One line per oracle whose installed version is not its pin (or that is missing)."""
    lines = []
    for package in ORACLES:
        wanted = pins.get(package)
        if wanted is None:
            lines.append(f"{package}: no '{package}==<version>' pin in pyproject's test extra")
            continue
        try:
            found = metadata.version(package)
        except metadata.PackageNotFoundError:
            found = "not installed"
        if found != wanted:
            lines.append(f"{package}: the tests' oracle is {wanted}; found {found}")
    return lines


def pytest_sessionstart(session: pytest.Session) -> None:
    mismatches = oracle_mismatches(oracle_pins())
    if mismatches:
        pytest.exit("oracle version mismatch: " + "; ".join(mismatches), returncode=4)


# scikit-learn's and Keras' own tests (tests/upstream) call metrics on ill-defined inputs
# without pytest.warns; their own configurations do not make warnings errors, and jmetrics.sk
# gives the same warnings as scikit-learn there.
UPSTREAM_WARNINGS = (
    "default",  # their suites' own configuration: warnings are shown, not errors
    "ignore::sklearn.exceptions.UndefinedMetricWarning",
    "ignore::jmetrics.sk.UndefinedMetricWarning",
    "ignore:(divide by zero|invalid value) encountered in divide:RuntimeWarning",
)


# How xdist (``--dist loadgroup``, pyproject's addopts) hands out the tests. A work unit is a file,
# or the group its ``xdist_group`` mark names (files whose module-scoped fixture must run once). The
# laws' files share one jitted update per metric config (tests/test_common.py's ``compiled``), so
# they are one unit: in one process each program compiles once, not once per file.
SHARED_PROGRAMS = {f"tests/test_common{suffix}.py": "common_laws" for suffix in
                   ("", "_batch_shapes", "_donation", "_eager_face", "_keras3", "_numerics")}
# The longest units start first (seconds measured in a full run), so that the last to finish
# while the other worker idles are short ones; the rest follow in file order.
LONGEST_FIRST = (
    "common_laws",  # 187 s
    "eight_devices",  # tests/test_distributed.py, 8 devices in a subprocess: 53 s
    "engine_files",  # tests/test_engine.py and test_engine_run.py: 59 s
    "tests/test_adversarial_large.py",
    "tests/test_docs_snippets.py",
    "tests/test_collection.py",
    "tests/test_metrics_validate.py",
    "tests/test_metrics_agreement.py",
    "tests/test_metrics_confusion.py",
    "tests/test_metrics_auc.py",
    "sk_1e7",
    "dask_cluster",
    "tests/test_adversarial_metrics_binary.py",
    "tests/test_adversarial_kernels_classification.py",
    "tests/test_metrics_packed.py",
    "cli_faults",
    "tests/test_metrics_keras_parity.py",
    "tests/test_bench_targets.py",
    "tests/test_integrations_keras.py",
    "tests/test_engine_slices.py",
    "eight_devices_rules",
)


def _work_unit(item: pytest.Item) -> str:
    mark = item.get_closest_marker("xdist_group")
    if mark is not None:
        return str(mark.args[0])
    path = item.nodeid.split("::", 1)[0]
    return SHARED_PROGRAMS.get(path, path)


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook reads the marks
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/upstream/" in item.nodeid:
            for spec in UPSTREAM_WARNINGS:
                item.add_marker(pytest.mark.filterwarnings(spec))
    if not getattr(config.option, "loadgroup", False):  # xdist sets it for --dist loadgroup
        return
    units = {item.nodeid: _work_unit(item) for item in items}
    for item in items:
        if item.get_closest_marker("xdist_group") is None:
            item.add_marker(pytest.mark.xdist_group(units[item.nodeid]))
    rank = {unit: i for i, unit in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(units[item.nodeid], len(rank)))  # stable: file order kept
