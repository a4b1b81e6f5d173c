"""The docs: generated reference pages are current, every public name is documented."""

from __future__ import annotations

import inspect
from pathlib import Path

import jmetrics
from jmetrics.adapter import _docs

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def test_reference_pages_are_generated_and_current():
    for fname, make in _docs.PAGES.items():
        committed = (DOCS / "reference" / fname).read_text()
        assert committed == make(), f"docs/reference/{fname} is stale: run `python -m jmetrics.adapter._docs`"


def test_every_public_name_is_documented():
    text = "\n".join(p.read_text() for p in DOCS.rglob("*.md"))
    missing = [n for n in jmetrics.__all__ + jmetrics.metrics.__all__ if n != "__version__" and f"`{n}" not in text and n not in text]
    assert missing == []


def test_every_public_callable_has_a_docstring():
    for name in jmetrics.__all__ + jmetrics.metrics.__all__:
        obj = getattr(jmetrics, name, None) or getattr(jmetrics.metrics, name)
        if callable(obj):
            assert inspect.getdoc(obj), name


def test_readme_quick_start_and_ci_agree():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    test_command = 'pip install -e ".[test]" && pytest'
    assert test_command in readme and test_command in ci
