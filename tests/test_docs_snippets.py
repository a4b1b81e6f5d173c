"""Every code block of every docs page and of the README runs, so the docs cannot drift.

Each page's plain blocks run in order as one program, in a fresh process (snippets may change
global JAX settings) whose working folder is a temporary one (snippets may write files). Script
blocks (``# NAME.py: python NAME.py ...``, started as several processes under
``jax.distributed``) are run by the test that names them; this module checks that one does.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests import doc_snippets
from tests.conftest import FAST_COMPILE

# Pages whose blocks a test of their own runs, checking what they print (on 8 devices for the
# distributed page): run there, not twice.
RUN_WITH_CHECKS = {
    "docs/training-loops.md": "tests/test_history.py::test_training_loops_guide_runs_top_to_bottom",
    "docs/distributed.md": "tests/test_distributed.py::run_doc_blocks",
    "docs/evaluate.md": "tests/test_engine.py::test_the_engine_guide_code_runs",
    "docs/examples/integrations.md": "tests/test_integrations.py::test_integrations_page_code_runs",
    "docs/quickstart.md": "tests/test_docs.py::test_quickstart_code_runs",
}
PAGES = [p for p in doc_snippets.PAGES if doc_snippets.program(p).strip()
         and str(p.relative_to(doc_snippets.ROOT)) not in RUN_WITH_CHECKS]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(doc_snippets.ROOT)))
def test_every_block_of_the_page_runs(page, tmp_path):
    source = tmp_path / "page.py"
    source.write_text(doc_snippets.program(page))
    env = {**os.environ, "JAX_PLATFORMS": "cpu", "KERAS_BACKEND": "jax",
           "PYTHONPATH": str(doc_snippets.ROOT), "MPLBACKEND": "Agg"}
    env["XLA_FLAGS"] = FAST_COMPILE  # the suite's quick compile, and no inherited device count
    proc = subprocess.run([sys.executable, str(source)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, f"{page.name}:\n{proc.stderr[-4000:]}"


def test_every_docs_script_is_started_by_a_test():
    tests = "\n".join(p.read_text() for p in (doc_snippets.ROOT / "tests").glob("test_*.py")
                      if p.name != "test_docs_snippets.py")
    scripts = doc_snippets.scripts()
    assert scripts, "the distributed pages show multi-process scripts"
    for name, (page, _) in scripts.items():
        assert f'script("{name}")' in tests, f"{page.name}: no test starts {name}"


def test_the_pages_hold_code():
    assert len(PAGES) + len(RUN_WITH_CHECKS) >= 14
    assert all(doc_snippets.blocks(p) for p in PAGES)


@pytest.mark.parametrize(("page", "runner"), RUN_WITH_CHECKS.items())
def test_pages_run_by_their_own_test_are(page, runner):
    path, _, function = runner.partition("::")
    source = (doc_snippets.ROOT / path).read_text()
    assert f"def {function}(" in source, runner
    body = source.split(f"def {function}(", 1)[1].split("\ndef ", 1)[0]
    assert page.rsplit("/", 1)[-1] in body, f"{runner} does not read {page}"
