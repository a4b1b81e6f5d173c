"""``jmetrics eval`` under faults: signals at every stage of a run, outputs that cannot be written,
inputs that go bad mid-run, and every kind of bad input.

The promises: Ctrl-C (SIGTERM) ends the command with status 130 (143) within moments, leaves no
output and no temporary file, and never dies of a signal or prints a traceback; a bad input or an
unwritable output is one line on stderr and status 2, and touches no input file.
Oracle for the numbers: scikit-learn 1.9.1.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import signal
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
from sklearn import metrics as skm

from jmetrics.cli import main

pytestmark = pytest.mark.xdist_group("cli_faults")  # its module-scoped fixture runs once

ROOT = Path(__file__).resolve().parents[1]

# A device computation held for a minute: ``held(x, sorter(big))`` returns ``x`` after calling
# ``hold`` on an XLA thread. A computation the CPU client runs asynchronously (a sort of 2e6 values)
# feeds it, so that it runs when its input is ready, on an XLA thread, not inline at dispatch.
HOLD = textwrap.dedent("""
    import os, sys, time
    import jax, jax.numpy as jnp, numpy as np

    stage = sys.argv[1]

    def mark():
        os.write(2, f"@@ {stage}\\n".encode())

    def hold(v):
        mark()
        time.sleep(float(os.environ.get("HOLD_SECONDS", "60")))
        return v

    big = jnp.asarray(np.random.default_rng(0).random(2_000_000, np.float32))
    sorter = jax.jit(lambda b: jnp.sort(b)[0])
    held = jax.jit(lambda x, b: jax.pure_callback(hold, jax.ShapeDtypeStruct(x.shape, x.dtype),
                                                  x + (b * 0).astype(x.dtype)))
""")

# Runs the real ``jmetrics.cli.main`` in a child process, with one stage made slow (a slow disk, a
# long device computation, a slow output device) and a line ``@@ <stage>`` on stderr once it is
# reached, so that the test can send its signal right there.
DRIVER = HOLD + textwrap.dedent("""
    from jmetrics.cli import main
    from jmetrics.engine import _run, _sources
    import jmetrics.cli._eval as cli_eval

    if stage == "reading":
        read = _sources._OnDisk.__getitem__
        def slow_read(self, index):
            if index[-1].start:  # the second chunk: a disk that stalls
                mark()
                time.sleep(60)
            return read(self, index)
        _sources._OnDisk.__getitem__ = slow_read
    elif stage in ("computing", "bootstrap"):
        compiled = _run._compiled
        def step_of(plan, size):
            step = compiled(plan, size)
            def run(state, checks, *args):
                state, checks = step(state, checks, *args)
                if int(args[3]) == 1:  # the second chunk, dispatched
                    if stage == "computing":
                        checks = checks._replace(bad_rows=held(checks.bad_rows, sorter(big)))
                    else:
                        mark()
                return state, checks
            return run
        _run._compiled = step_of
    elif stage == "compiling":
        compiled = _run._compiled
        def marked(plan, size):
            mark()
            return compiled(plan, size)
        _run._compiled = marked
    elif stage == "writing":
        def slow_write(path, text):
            with open(path, "w") as f:
                f.write(text[: len(text) // 2])
                f.flush()
                mark()
                time.sleep(60)
                f.write(text[len(text) // 2:])
        cli_eval._write_text = slow_write
    sys.exit(main(sys.argv[2:]))
""")


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    """100,000 rows: five chunks of 20,000, small files."""
    tmp = tmp_path_factory.mktemp("faults")
    r = np.random.default_rng(0)
    y = (r.random(100_000) < 0.4).astype(np.float32)
    np.save(tmp / "y.npy", y)
    np.save(tmp / "p.npy", np.clip(0.3 * y + 0.7 * r.random(100_000), 0, 1).astype(np.float32))
    return tmp


def _interrupt(tmp: Path, stage: str, sig: int, *extra: str) -> tuple[int, float, str, Path]:
    out = tmp / f"out-{stage}-{sig}.json"
    before = {name: _digest(tmp / name) for name in ("y.npy", "p.npy")}
    argv = ["eval", "--y-true", str(tmp / "y.npy"), "--y-pred", str(tmp / "p.npy"), "-m", "mse",
            "auc", "--batch-size", "20000", "--format", "json", "--output", str(out), "-q", *extra]
    env = {**os.environ, "JAX_PLATFORMS": "cpu", "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", DRIVER, stage, *argv], stderr=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True, env=env, cwd=tmp)
    seen = []
    try:
        for line in proc.stderr:  # type: ignore[union-attr]
            seen.append(line)
            if line.startswith("@@"):
                break
        assert seen and seen[-1].startswith("@@"), "".join(seen)
        start = time.monotonic()
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=300)
        elapsed = time.monotonic() - start
    finally:
        proc.kill()
        proc.wait()
    assert {name: _digest(tmp / name) for name in before} == before  # inputs untouched
    return proc.returncode, elapsed, err, out


# (stage, extra arguments): a stalled disk read, trace and compile, a device computation that
# holds the wait for a minute, real bootstrap compute, and an output write that stalls
STAGES = {
    "reading": (),
    "compiling": (),
    "computing": (),
    "bootstrap": ("--bootstrap", "200"),
    "writing": (),
}


@pytest.mark.parametrize("stage", STAGES)
def test_ctrl_c_at_any_stage_exits_130_at_once_leaving_nothing(big, stage):
    code, elapsed, err, out = _interrupt(big, stage, signal.SIGINT, *STAGES[stage])
    assert code == 130, (code, err)  # never a signal death (negative), never a late success (0)
    # every stage would hold the process for a minute or more; a bound far below that, far above
    # the few milliseconds it takes
    assert elapsed < 20, elapsed
    assert "Traceback" not in err and err.rstrip("\n").splitlines()[-1] == \
        "jmetrics: interrupted; no output written.", err
    assert not out.exists()
    assert not [f for f in os.listdir(big) if f.startswith(".jmetrics-")]


def test_sigterm_during_compute_exits_143_leaving_nothing(big):
    code, elapsed, err, out = _interrupt(big, "computing", signal.SIGTERM)
    assert code == 143 and elapsed < 20, (code, elapsed, err)
    assert err.rstrip("\n").splitlines()[-1] == "jmetrics: stopped by SIGTERM; no output written."
    assert not out.exists() and not [f for f in os.listdir(big) if f.startswith(".jmetrics-")]


# A Python program run from a terminal: SIGINT raises KeyboardInterrupt. (A process inherits an
# ignored SIGINT, and Python then installs no handler: a suite started as a background job, as a
# CI shell or ``nohup ... &`` starts it, would give the child an ignored Ctrl-C.)
LIBRARY = HOLD + textwrap.dedent("""
    import signal
    signal.signal(signal.SIGINT, signal.default_int_handler)
    import jmetrics
    from jmetrics.engine import _run

    compiled = _run._compiled
    def step_of(plan, size):
        step = compiled(plan, size)
        def run(state, checks, *args):
            state, checks = step(state, checks, *args)
            if int(args[3]) == 1:
                checks = checks._replace(bad_rows=held(checks.bad_rows, sorter(big)))
            return state, checks
        return run
    _run._compiled = step_of
    y = np.zeros(4000, np.float32)
    try:
        jmetrics.evaluate(y, y, ["mse"], batch_size=1000)
        print("finished", flush=True)
    except KeyboardInterrupt:
        print("interrupted", flush=True)
""")


def test_ctrl_c_in_python_interrupts_a_long_computation_and_exits_cleanly(tmp_path):
    """``evaluate`` in a Python program: Ctrl-C during a long device computation raises
    KeyboardInterrupt at once; the computation in flight finishes before the interpreter exits
    (a runtime torn down under it aborts the process)."""
    env = {**os.environ, "JAX_PLATFORMS": "cpu", "PYTHONPATH": str(ROOT), "HOLD_SECONDS": "10"}
    proc = subprocess.Popen([sys.executable, "-c", LIBRARY, "computing"], stderr=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True, env=env, cwd=tmp_path)
    try:
        line = proc.stderr.readline()  # type: ignore[union-attr]
        assert line.startswith("@@"), line + proc.stderr.read()  # type: ignore[union-attr]
        start = time.monotonic()
        proc.send_signal(signal.SIGINT)
        said = proc.stdout.readline()  # type: ignore[union-attr]
        elapsed = time.monotonic() - start
        _, err = proc.communicate(timeout=300)
    finally:
        proc.kill()
        proc.wait()
    assert said == "interrupted\n" and elapsed < 6, (said, elapsed)  # the hold lasts 10 s
    assert proc.returncode == 0 and "Traceback" not in err and "FATAL" not in err, (proc.returncode,
                                                                                  err)


# -- outputs that cannot be written ---------------------------------------------------------
@pytest.fixture()
def small(tmp_path):
    r = np.random.default_rng(1)
    y = (r.random(300) < 0.5).astype(np.float32)
    p = r.random(300).astype(np.float32)
    np.save(tmp_path / "y.npy", y)
    np.save(tmp_path / "p.npy", p)
    return tmp_path, y, p


def run(capsys, *argv):
    code = main(["eval", *map(str, argv)])
    out = capsys.readouterr()
    return code, out.out, out.err


def _one_line_error(code, out, err, *parts):
    assert code == 2, (code, err)
    assert err.count("\n") == 1 and err.startswith("jmetrics eval: error: "), err
    assert "Traceback" not in err and out == ""
    for part in parts:
        assert part in err, (part, err)


def _files(small) -> list[str]:
    return sorted(os.listdir(small[0]))


def test_output_in_a_missing_or_read_only_directory(capsys, small):
    tmp = small[0]
    before = _files(small)
    code, out, err = run(capsys, "--y-true", tmp / "y.npy", "--y-pred", tmp / "p.npy",
                         "--output", tmp / "no" / "o.json", "-q")
    _one_line_error(code, out, err, "--output", "does not exist")
    if os.geteuid() != 0:  # root writes into read-only directories
        (tmp / "ro").mkdir()
        (tmp / "ro").chmod(0o555)
        code, out, err = run(capsys, "--y-true", tmp / "y.npy", "--y-pred", tmp / "p.npy",
                             "--output", tmp / "ro" / "o.json", "-q")
        _one_line_error(code, out, err, "--output", "not writable")
        assert not os.listdir(tmp / "ro")
        (tmp / "ro").rmdir()
    assert _files(small) == before


def test_full_disk_leaves_no_output_and_no_temp_file(capsys, small, monkeypatch):
    tmp = small[0]
    import jmetrics.cli._eval as cli_eval

    def full(path, text):
        with open(path, "w") as f:
            f.write(text[:5])
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(cli_eval, "_write_text", full)
    before = _files(small)
    code, out, err = run(capsys, "--y-true", tmp / "y.npy", "--y-pred", tmp / "p.npy",
                         "--output", tmp / "o.json", "-q")
    _one_line_error(code, out, err, f"--output {tmp / 'o.json'}: cannot write (No space left")
    assert _files(small) == before


def test_a_device_output_is_written_in_place_never_replaced(capsys, small):
    """``--output /dev/full``: the device says the disk is full; it is never renamed over."""
    tmp = small[0]
    device = Path("/dev/full")
    if os.geteuid() == 0:  # a copy of /dev/full where this test may write
        device = tmp / "full"
        os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 7))
    elif not device.exists():
        pytest.skip("no /dev/full on this system")
    code, out, err = run(capsys, "--y-true", tmp / "y.npy", "--y-pred", tmp / "p.npy",
                         "--output", device, "-q")
    _one_line_error(code, out, err, f"--output {device}: cannot write (No space left on device)")
    assert stat.S_ISCHR(os.stat(device).st_mode)
    assert not [f for f in os.listdir(device.parent) if f.startswith(".jmetrics-")]


def test_a_symlinked_output_writes_through_the_link(capsys, small):
    tmp, y, p = small
    (tmp / "real.json").write_text("old")
    (tmp / "link.json").symlink_to(tmp / "real.json")
    code, _, err = run(capsys, "--y-true", tmp / "y.npy", "--y-pred", tmp / "p.npy", "-m", "mse",
                       "--format", "json", "--output", tmp / "link.json", "-q")
    assert code == 0, err
    assert (tmp / "link.json").is_symlink()
    got = json.loads((tmp / "real.json").read_text())
    assert got["mse"] == pytest.approx(skm.mean_squared_error(y, p), rel=1e-5)


# -- inputs that go bad mid-run -------------------------------------------------------------
def test_a_npy_truncated_mid_run_is_one_line_and_no_output(capsys, small, monkeypatch):
    tmp = small[0]
    from jmetrics.engine import _sources

    read = _sources._OnDisk.__getitem__

    def truncating(self, index):
        out = read(self, index)
        if self.path.endswith("p.npy"):
            os.truncate(self.path, self.offset + 400)  # another process cut the file
        return out

    monkeypatch.setattr(_sources._OnDisk, "__getitem__", truncating)
    code, out, err = run(capsys, "--y-true", tmp / "y.npy", "--y-pred", tmp / "p.npy", "-m", "mse",
                         "--batch-size", "100", "--output", tmp / "o.json", "-q")
    _one_line_error(code, out, err, f"y_pred file {tmp / 'p.npy'} is truncated")
    assert not (tmp / "o.json").exists()
    assert not [f for f in os.listdir(tmp) if f.startswith(".jmetrics-")]


# -- every bad input: one line, status 2 ------------------------------------------------------
def _bad_files(tmp: Path) -> None:
    (tmp / "junk.npy").write_bytes(b"\x93NUMPY garbage")
    (tmp / "t.csv").write_text("label,score,name\n0,0.2,a\n1,0.9,b\n")
    (tmp / "empty.csv").write_text("label,score\n")
    np.save(tmp / "short.npy", np.zeros(299, np.float32))
    np.save(tmp / "wide.npy", np.zeros((300, 3), np.float32))
    w = np.ones(300, np.float32)
    w[7] = np.nan
    np.save(tmp / "nanw.npy", w)
    np.save(tmp / "c.npy", np.zeros(300, np.complex64))
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"y": np.zeros(3), "s": ["a", "b", "c"]}), tmp / "t.parquet")


BAD = {
    "nonexistent file": (["--y-true", "{t}/nope.npy", "--y-pred", "{t}/p.npy"], "does not exist"),
    "corrupt npy": (["--y-true", "{t}/y.npy", "--y-pred", "{t}/junk.npy"],
                    "y_pred file {t}/junk.npy is not a readable .npy array"),
    "wrong csv column": (["--y-true", "{t}/t.csv:label", "--y-pred", "{t}/t.csv:scroe"],
                         "y_pred column 'scroe' is not in {t}/t.csv; columns: label, score, name"),
    "wrong parquet column": (["--y-true", "{t}/t.parquet:y", "--y-pred", "{t}/t.parquet:q"],
                             "y_pred column 'q' is not in {t}/t.parquet; columns: y, s"),
    "string column": (["--y-true", "{t}/t.parquet:y", "--y-pred", "{t}/t.parquet:s"],
                      "y_pred ({t}/t.parquet:s) must hold numbers; got a column of string"),
    "unknown metric": (["--y-true", "{t}/y.npy", "--y-pred", "{t}/p.npy", "-m", "binary_acuracy"],
                       "binary_acuracy"),
    "mismatched lengths": (["--y-true", "{t}/y.npy", "--y-pred", "{t}/short.npy"],
                           "got 300, 299 (y_true ({t}/y.npy) shape (300,), y_pred "
                           "({t}/short.npy) shape (299,))"),
    "mismatched shapes": (["--y-true", "{t}/wide.npy", "--y-pred", "{t}/y.npy", "-m", "mse",
                           "--batch-size", "64"],
                          "got y_true ({t}/wide.npy) shape (300, 3), y_pred ({t}/y.npy) shape "
                          "(300,)."),
    "empty csv": (["--y-true", "{t}/empty.csv:label", "--y-pred", "{t}/empty.csv:score"],
                  "has no rows"),
    "nan weight": (["--y-true", "{t}/y.npy", "--y-pred", "{t}/p.npy", "--weights", "{t}/nanw.npy",
                    "-m", "mse"], "sample_weight must be finite; got 1 NaN or inf weight(s) "
                                  "(first at row 7)"),
    "complex": (["--y-true", "{t}/y.npy", "--y-pred", "{t}/c.npy", "-m", "mse"],
                "y_pred ({t}/c.npy) must hold real numbers"),
}


@pytest.mark.parametrize("case", BAD)
def test_every_bad_input_is_one_line_and_status_2(capsys, small, case):
    tmp = small[0]
    _bad_files(tmp)
    before = {f: _digest(tmp / f) for f in os.listdir(tmp)}
    argv, message = BAD[case]
    code, out, err = run(capsys, *(a.format(t=tmp) for a in argv), "--output", tmp / "o.json",
                         "-q")
    _one_line_error(code, out, err, message.format(t=tmp))
    assert {f: _digest(tmp / f) for f in os.listdir(tmp)} == before  # nothing written or touched


def test_big_endian_files_give_the_sklearn_values(capsys, small):
    tmp, y, p = small
    np.save(tmp / "pb.npy", p.astype(">f4"))
    np.save(tmp / "yb.npy", y.astype(">f8"))
    code, out, err = run(capsys, "--y-true", tmp / "yb.npy", "--y-pred", tmp / "pb.npy", "-m",
                         "mse", "binary_accuracy", "--format", "json", "-q")
    assert code == 0, err
    got = json.loads(out)
    assert got["mse"] == pytest.approx(skm.mean_squared_error(y, p), rel=1e-5)
    assert got["binary_accuracy"] == pytest.approx(skm.accuracy_score(y, p > 0.5), rel=1e-6)
