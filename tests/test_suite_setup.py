"""The suite's own set-up (tests/conftest.py) changes nothing the tests guard against.

The suite compiles without LLVM's optimisation passes. The defect class that this could hide
is the NaN-skipping max/min of large fused reductions (tests/test_adversarial_large.py): here a
program that meets it, and the same reductions through jmetrics' NaN-keeping extrema, run under
JAX's default flags and under the suite's, and must behave alike under both.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.conftest import FAST_COMPILE

ROOT = Path(__file__).resolve().parents[1]

PROBE = textwrap.dedent("""
    import json
    import jax, jax.numpy as jnp, numpy as np
    from jmetrics._floor import _extrema

    raw, kept = [], []
    for k in range(8, 16):
        v = np.ones(2**k, np.float32)
        v[2**k // 2] = np.nan
        if not np.isnan(jax.jit(jnp.max)(v)):
            raw.append(2**k)
        if not np.isnan(jax.jit(_extrema.reduce_max)(v)) or not np.isnan(jax.jit(_extrema.reduce_min)(v)):
            kept.append(2**k)
    print(json.dumps({"raw_skips_nan_at": raw, "extrema_lose_nan_at": kept}))
""")


# The test processes' own compile hook (tests/programs.py), as conftest installs it.
SUITE_HOOK = "from tests.programs import CACHE, share_programs; share_programs()\n"


def _probe(flags: str | None, hook: str = "", after: str = "") -> dict[str, list[int]]:
    env = {k: v for k, v in os.environ.items() if k != "XLA_FLAGS"}
    env.update(JAX_PLATFORMS="cpu", PYTHONPATH=str(ROOT))
    if flags is not None:
        env["XLA_FLAGS"] = flags
    out = subprocess.run([sys.executable, "-c", hook + PROBE + after], capture_output=True, text=True,
                         env=env, cwd=ROOT, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def test_the_quick_compile_meets_the_nan_skipping_reductions_as_the_default_does():
    default = _probe(None)
    quick = _probe(FAST_COMPILE)  # what subprocesses of the suite get
    suite = _probe(FAST_COMPILE, SUITE_HOOK, "assert CACHE.elemental > 0\n")  # the suite's own
    assert quick == default and suite == default, (default, quick, suite)
    assert default["extrema_lose_nan_at"] == [], default  # jmetrics keeps NaN at every size


def test_the_work_units_name_files_and_groups_that_exist():
    """Every shared-program file and every unit started first exists (a renamed file would fall
    silently into a unit of its own, at the end of the queue)."""
    from tests import conftest

    for path in conftest.SHARED_PROGRAMS:
        assert (ROOT / path).is_file(), path
    marked = {line.split('xdist_group("', 1)[1].split('"', 1)[0]
              for p in (ROOT / "tests").glob("test_*.py") for line in p.read_text().splitlines()
              if line.startswith("pytestmark") and 'xdist_group("' in line}
    groups = set(conftest.SHARED_PROGRAMS.values()) | marked
    for unit in conftest.LONGEST_FIRST:
        assert unit in groups or (ROOT / unit).is_file(), unit


def test_xdist_groups_the_work_units(request: pytest.FixtureRequest):
    """Under ``--dist loadgroup`` (pyproject's addopts) xdist groups tests by the unit that
    conftest marks, carried in the node id (``...@unit``). pytest 9.2's structured node ids
    drop it and every test runs ungrouped, silently and about 20% slower
    (pytest-dev/pytest-xdist#1386; pyproject keeps pytest below 9.2 for that)."""
    if not getattr(request.config.option, "loadgroup", False):
        pytest.skip("the suite runs without xdist's --dist loadgroup here (-n0 or -p no:xdist)")
    assert request.node.nodeid.endswith("@tests/test_suite_setup.py"), request.node.nodeid


def test_identical_programs_share_one_executable_and_only_identical_ones():
    """tests/programs.py: a program equal to one compiled before (another function, same text)
    reuses its executable; a different constant, shape or donation compiles its own."""
    import jax
    import jax.numpy as jnp
    import numpy as np

    from tests.programs import CACHE

    x = np.arange(5, dtype=np.float32)
    twice = [jax.jit(lambda v: v * 2 + 1), jax.jit(lambda u: u * 2 + 1)]
    others = [jax.jit(lambda v: v * 2 + 2), jax.jit(lambda v: v * 2 + 1, donate_argnums=0)]
    hits = CACHE.hits
    np.testing.assert_array_equal(twice[0](x), x * 2 + 1)
    misses = CACHE.misses
    np.testing.assert_array_equal(twice[1](x), x * 2 + 1)
    assert (CACHE.hits, CACHE.misses) == (hits + 1, misses)
    np.testing.assert_array_equal(twice[1](x[:4]), x[:4] * 2 + 1)  # another shape
    np.testing.assert_array_equal(others[0](x), x * 2 + 2)
    np.testing.assert_array_equal(others[1](jnp.array(x)), x * 2 + 1)
    assert CACHE.hits == hits + 1 and CACHE.misses >= misses + 3


def test_only_small_programs_without_complex_operations_take_the_elemental_emitters():
    import jax
    import jax.numpy as jnp
    import numpy as np

    from tests.programs import CACHE, SIMPLE_CHARS, SIMPLE_ELEMENTS, is_simple

    x = np.random.default_rng(0).random(7).astype(np.float32)
    elemental = CACHE.elemental
    np.testing.assert_allclose(jax.jit(lambda v: jnp.sum(v * v) - 0.125)(x), np.sum(x * x) - 0.125,
                               rtol=1e-6)
    assert CACHE.elemental == elemental + 1
    np.testing.assert_array_equal(jax.jit(lambda v: jnp.sort(v) + 0.25)(x), np.sort(x) + 0.25)
    assert CACHE.elemental == elemental + 1  # a sort: the default emitters
    text = str(jax.jit(lambda v: v + 1).lower(x).compiler_ir())
    assert is_simple(text) and not is_simple(text + " " * SIMPLE_CHARS)
    assert not is_simple(str(jax.jit(jnp.sort).lower(x).compiler_ir()))
    large = np.zeros((SIMPLE_ELEMENTS // 4, 4), np.float32)
    assert not is_simple(str(jax.jit(lambda v: v + 1).lower(large).compiler_ir()))
