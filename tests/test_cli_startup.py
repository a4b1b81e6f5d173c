"""The ``jmetrics`` command interrupted while it starts: still importing JAX and the metrics.

The promise of ``jmetrics eval`` under Ctrl-C (SIGTERM) holds from the first moments of the
command, not only once the run has begun: status 130 (143), the one line
``jmetrics: interrupted; no output written.``, no traceback, never a death by the signal, no
output and no temporary file. What runs before the handling is set up (``import jmetrics`` and
``import jmetrics.cli``) imports neither JAX nor NumPy, so it takes a few milliseconds.

The command runs unchanged, as ``python -m jmetrics`` and as the console script's two lines. To
hold it inside an import, a ``sitecustomize`` module (run by Python at start-up, before the
command) puts a finder first on ``sys.meta_path`` that, asked for one module, writes ``@@`` on
stderr and sleeps for a minute; the test sends its signal on that line.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

STALL = textwrap.dedent("""
    import os, sys, time

    class _Stall:
        def find_spec(self, name, path=None, target=None):
            if name == os.environ["STALL_IMPORT"]:
                os.write(2, f"@@ importing {name}\\n".encode())
                time.sleep(60)
            return None

    sys.meta_path.insert(0, _Stall())
""")

# what the console script ``jmetrics = "jmetrics.cli:main"`` runs
CONSOLE_SCRIPT = "import re, sys\nfrom jmetrics.cli import main\nsys.exit(main())\n"
ENTRIES = {"python -m jmetrics": ["-m", "jmetrics"], "console script": ["-c", CONSOLE_SCRIPT]}
INTERRUPTED = "jmetrics: interrupted; no output written."


def _env(tmp: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "JAX_PLATFORMS": "cpu", "PYTHONPATH": os.pathsep.join([str(tmp), str(ROOT)]),
            **extra}


def _start(tmp: Path, entry: str, argv: list[str], **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, *ENTRIES[entry], *argv], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=_env(tmp, **env), cwd=tmp)


def _stalled_run(tmp: Path, entry: str, argv: list[str], module: str, sig: int
                 ) -> tuple[int, float, str, str]:
    """Run the command held in ``import module``, signal it there; (status, seconds, out, err)."""
    (tmp / "sitecustomize.py").write_text(STALL)
    proc = _start(tmp, entry, argv, STALL_IMPORT=module)
    try:
        line = proc.stderr.readline()  # type: ignore[union-attr]
        assert line == f"@@ importing {module}\n", line + proc.stderr.read()  # type: ignore[union-attr]
        start = time.monotonic()
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=300)
        elapsed = time.monotonic() - start
    finally:
        proc.kill()
        proc.wait()
    return proc.returncode, elapsed, out, err


def _nothing_left(tmp: Path) -> bool:
    return not (tmp / "out.json").exists() and not [
        f for f in os.listdir(tmp) if f.startswith(".jmetrics-")]


EVAL = ["eval", "--rows", "1000", "--output", "out.json", "-q"]


@pytest.mark.parametrize("entry", ENTRIES)
@pytest.mark.parametrize("module", ["numpy", "jax", "jmetrics.engine"])
def test_ctrl_c_while_importing_exits_130_with_one_line(tmp_path, entry, module):
    code, elapsed, out, err = _stalled_run(tmp_path, entry, EVAL, module, signal.SIGINT)
    # not a death by SIGINT (-2), not a traceback's status 1; the import would hold for a minute
    assert code == 130 and elapsed < 20, (code, elapsed, err)
    assert err == INTERRUPTED + "\n" and out == ""
    assert _nothing_left(tmp_path)


def test_sigterm_while_importing_exits_143(tmp_path):
    code, elapsed, out, err = _stalled_run(tmp_path, "console script", EVAL, "jax", signal.SIGTERM)
    assert code == 143 and elapsed < 20, (code, elapsed, err)
    assert err == "jmetrics: stopped by SIGTERM; no output written.\n" and out == ""
    assert _nothing_left(tmp_path)


def test_ctrl_c_while_list_builds_its_parser(tmp_path):
    # ``jmetrics list`` imports the alias table (and with it JAX) to build its options
    code, elapsed, out, err = _stalled_run(tmp_path, "python -m jmetrics", ["list"], "jax",
                                           signal.SIGINT)
    assert code == 130 and elapsed < 20, (code, elapsed, err)
    assert err == INTERRUPTED + "\n" and out == ""


@pytest.mark.parametrize("delay", [0.0, 0.3])
def test_ctrl_c_early_in_a_real_start(tmp_path, delay):
    """No stall: the signal comes ``delay`` seconds after the first import made inside ``main``
    (``-X importtime`` reports each import as it ends), while JAX and the engine are loading."""
    argv = ["eval", "--output", "out.json", "-q"]  # the demo sets: seconds of work after the imports
    proc = subprocess.Popen([sys.executable, "-X", "importtime", "-m", "jmetrics", *argv],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=_env(tmp_path), cwd=tmp_path)
    seen = []
    try:
        for line in proc.stderr:  # type: ignore[union-attr]
            seen.append(line)
            if len(seen) > 1 and seen[-2].rstrip().endswith("| jmetrics.cli"):
                break  # the import that ended after jmetrics.cli's was made by main
        assert len(seen) > 1 and seen[-2].rstrip().endswith("| jmetrics.cli"), "".join(seen)
        time.sleep(delay)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=300)
    finally:
        proc.kill()
        proc.wait()
    lines = [line for line in err.splitlines() if not line.startswith("import time:")]
    assert proc.returncode == 130 and lines == [INTERRUPTED] and out == "", (proc.returncode, err)
    assert _nothing_left(tmp_path)


def test_nothing_heavy_is_imported_before_main():
    code = ("import sys, jmetrics, jmetrics.cli; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('jax', 'jaxlib', 'numpy')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=ROOT, timeout=120)
    assert out.returncode == 0 and out.stdout == "[]\n", (out.stdout, out.stderr)
