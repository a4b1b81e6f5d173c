"""The docs: generated pages are current, every public name is documented, the site builds.

Like optax's coverage_check: every name in ``jmetrics.__all__`` and ``jmetrics.metrics.__all__``
must appear in the docs; the reference pages are regenerated from the alias table and compared
with the committed ones; the quick start's code runs; ``mkdocs build --strict`` passes.
"""

from __future__ import annotations

import dataclasses
import inspect
import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

import jmetrics
from jmetrics.adapter import _docs

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PUBLIC = [(jmetrics, n) for n in jmetrics.__all__] + [(jmetrics.metrics, n)
                                                       for n in jmetrics.metrics.__all__]


def test_reference_pages_are_generated_and_current():
    for rel, text in _docs.pages().items():
        path = DOCS / rel
        assert path.exists(), f"docs/{rel} is missing: run `python -m jmetrics.adapter._docs`"
        assert path.read_text() == text, (
            f"docs/{rel} is stale: run `python -m jmetrics.adapter._docs` and commit the pages")
    stray = {p.name for p in (DOCS / "reference").glob("*.md")} - {
        Path(rel).name for rel in _docs.pages()}
    assert stray == set(), f"pages in docs/reference/ that the generator does not write: {stray}"


def test_every_public_name_is_documented():
    text = "\n".join(p.read_text() for p in DOCS.rglob("*.md"))
    missing = sorted({n for _, n in PUBLIC if f"`{n}`" not in text})
    assert missing == []


def test_every_public_callable_has_a_docstring():
    undocumented = sorted(n for module, n in PUBLIC
                          if callable(getattr(module, n)) and not inspect.getdoc(getattr(module, n)))
    assert undocumented == []


def test_every_table_entry_is_in_the_reference():
    text = "\n".join((DOCS / "reference" / f"{family}.md").read_text()
                     for family in _docs.FAMILIES)
    for e in _docs.ENTRIES:
        assert f"## `{e.name}`" in text and e.formula in text


def test_every_parameter_of_the_reference_is_described():
    """Each function's and streaming class's parameters are listed with a description, taken from
    the signature and the docstrings (no parameter without text, none left out)."""
    from jmetrics.adapter._params import class_params, function_params

    text = "\n".join((DOCS / "reference" / f"{family}.md").read_text()
                     for family in _docs.FAMILIES)
    undescribed = []
    for e in _docs.ENTRIES:
        kernel = e.kernel
        params = [(kernel.__name__, p) for p in function_params(kernel)] if kernel else []
        if e.streaming:
            params += [(e.streaming.__name__, p) for p in class_params(e.streaming, kernel)]
        for owner, p in params:
            assert f"- `{p.name}` (" in text, (owner, p.name)
            if not p.text:
                undescribed.append(f"{owner}.{p.name}")
    assert undescribed == []
    names = [p.name for p in class_params(jmetrics.metrics.AUC)]
    assert names == [f.name for f in dataclasses.fields(jmetrics.metrics.AUC)
                     if f.name not in ("name", "dtype")]


def test_docstring_args_are_parsed_with_their_continuation_lines():
    from jmetrics.adapter._params import doc_args

    doc = """Summary.

    Args:
        y_true: labels, shape ``[..., d]``; cast first,
            so 1.5 compares as 1.
        k (int): the :class:`~jmetrics.metrics.Mean` of
            the top k.

    Returns:
        y_pred: not an argument.
    """
    assert doc_args(doc) == {"y_true": "labels, shape ``[..., d]``; cast first, so 1.5 compares "
                                       "as 1.",
                             "k": "the ``jmetrics.metrics.Mean`` of the top k."}
    assert doc_args("No sections.") == {}


def _nav_pages(nav):
    for item in nav:
        for value in item.values():
            if isinstance(value, str):
                yield value
            else:
                yield from _nav_pages(value)


def test_nav_pages_exist_and_every_generated_page_is_in_the_nav():
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text())
    pages = list(_nav_pages(config["nav"]))
    assert [p for p in pages if not (DOCS / p).exists()] == []
    assert set(_docs.pages()) <= set(pages)
    for slot in ("streaming.md", "training-loops.md", "distributed.md", "exact-vs-binned-auc.md",
                 "evaluate.md", "benchmarks.md", "keras-compat.md", "quickstart.md"):
        assert slot in pages


def test_keras_compat_names_the_deliberate_differences():
    text = (DOCS / "keras-compat.md").read_text()
    for phrase in ("weight 0 holding NaN", "IoU family", "truncated", "'acc', 'accuracy'",
                   "History keys", "clone_metric"):
        assert phrase in text, phrase


def test_quickstart_code_runs():
    blocks = re.findall(r"```python\n(.*?)```", (DOCS / "quickstart.md").read_text(), re.S)
    assert len(blocks) >= 5
    namespace: dict = {}
    for block in blocks:
        exec(compile(block, "docs/quickstart.md", "exec"), namespace)  # noqa: S102
    assert namespace["acc"] is jmetrics.auto_accuracy


def test_mkdocs_build_strict(tmp_path):
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "-d", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_readme_quick_start_and_ci_agree():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    test_command = 'pip install -e ".[test]" && pytest'
    assert test_command in readme and test_command in ci
