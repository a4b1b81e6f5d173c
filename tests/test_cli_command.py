"""The ``jmetrics`` command as a shell runs it: ``--version``, a reader that stops reading
(``jmetrics list | head -1``), and help texts written for users.

Each case runs ``python -m jmetrics`` in a child process from the repository root.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

import jmetrics

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "JAX_PLATFORMS": "cpu", "PYTHONPATH": str(ROOT)}


def _run(*args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "jmetrics", *args], cwd=ROOT, env=ENV,
                          capture_output=True, text=True, timeout=120, **kw)


def test_version_prints_the_package_version_and_exits_0():
    out = _run("--version")
    assert (out.returncode, out.stdout, out.stderr) == (0, f"jmetrics {jmetrics.__version__}\n", "")
    assert jmetrics.__version__ == metadata.version("jmetrics")  # the installed metadata agrees


@pytest.mark.parametrize("args", [("list",), ("list", "--format", "json"), ("--help",),
                                  ("list", "--help")])
def test_a_closed_pipe_ends_the_command_quietly_with_status_0(args):
    # the read end is closed before the command writes anything: every write meets EPIPE
    proc = subprocess.Popen([sys.executable, "-m", "jmetrics", *args], cwd=ROOT, env=ENV,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()
    _, err = proc.communicate(timeout=120)
    assert (proc.returncode, err.decode()) == (0, "")


def test_list_piped_into_head():
    script = (f"{sys.executable} -m jmetrics list | head -1; echo \"status=${{PIPESTATUS[0]}}\"; "
              f"{sys.executable} -m jmetrics list --format json | head -c 10 >/dev/null; "
              "echo \"status=${PIPESTATUS[0]}\"")
    out = subprocess.run(["bash", "-c", script], cwd=ROOT, env=ENV, capture_output=True,
                         text=True, timeout=120)
    lines = out.stdout.splitlines()
    assert lines[0].split()[:3] == ["name", "aliases", "direction"]
    assert lines[1:] == ["status=0", "status=0"]
    assert out.stderr == ""


def test_an_unwritable_stdout_is_still_one_line_of_error():
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full on this system")
    with open("/dev/full", "w") as full:
        out = subprocess.run([sys.executable, "-m", "jmetrics", "list"], cwd=ROOT, env=ENV,
                             stdout=full, stderr=subprocess.PIPE, text=True, timeout=120)
    assert out.returncode == 2
    assert out.stderr == "jmetrics list: error: [Errno 28] No space left on device\n"


NOTES = re.compile(r"\b(issues?|todo|fixme|xxx|asks?|asked|helpers?|pending|the lead)\b", re.I)


@pytest.mark.parametrize("command", [(), ("list",), ("eval",), ("bench",)])
def test_help_texts_hold_no_development_notes(command):
    out = _run(*command, "--help")
    assert out.returncode == 0 and out.stdout.startswith("usage: jmetrics")
    assert NOTES.findall(out.stdout) == [], out.stdout
