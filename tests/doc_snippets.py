"""The Python code blocks of the docs pages and the README, for the tests that run them.

A block whose first line is ``# NAME.py: python NAME.py ARGS`` is a script meant to be started as
its own process (several processes under ``jax.distributed``); a test starts it by that name with
:func:`script`. Every other block of a page runs, in order, as one program.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted((ROOT / "docs").rglob("*.md")) + [ROOT / "README.md"]
_BLOCK = re.compile(r"```python\n(.*?)```", re.S)
_SCRIPT = re.compile(r"# (\w+\.py): python \1\b")


def blocks(page: Path) -> list[str]:
    """Every ``python`` code block of ``page``, in order."""
    return _BLOCK.findall(page.read_text())


def script_name(block: str) -> str | None:
    """The file name a script block declares on its first line, or None for a plain block."""
    match = _SCRIPT.match(block)
    return match.group(1) if match else None


def program(page: Path) -> str:
    """The page's plain blocks joined into one program (scripts left out)."""
    return "\n".join(b for b in blocks(page) if script_name(b) is None)


def scripts() -> dict[str, tuple[Path, str]]:
    """Every script block of the docs: name -> (page, code)."""
    found: dict[str, tuple[Path, str]] = {}
    for page in PAGES:
        for block in blocks(page):
            name = script_name(block)
            if name is not None:
                assert name not in found, f"two scripts named {name}"
                found[name] = (page, block)
    return found


def script(name: str) -> str:
    """The code of the docs script called ``name``."""
    return scripts()[name][1]
