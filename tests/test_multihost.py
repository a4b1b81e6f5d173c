"""Merging states across processes: two processes on 127.0.0.1 (jax.distributed, CPU gloo).

The script is the one shown in docs/distributed.md ("Many processes"): each process updates a
Collection (accuracy, binned AUC, MSE, R² with Chan moments) on every other row of the same data and
calls ``jmetrics.merge_across_processes``. Both processes must print the same logs, equal to one
process's result on all the rows.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np

import jmetrics
from tests import doc_snippets
from tests.conftest import FAST_COMPILE

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _script() -> str:
    return doc_snippets.script("multihost_example.py")


def test_two_processes_merge_to_the_single_process_result(tmp_path):
    script = tmp_path / "multihost_example.py"
    script.write_text(_script())
    env = {**os.environ, "XLA_FLAGS": FAST_COMPILE}  # no inherited device count
    env.update(JAX_PLATFORMS="cpu", PYTHONPATH=str(ROOT))
    address = f"127.0.0.1:{_free_port()}"
    procs = [subprocess.Popen([sys.executable, str(script), str(i), "2", address], cwd=tmp_path,
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for i in range(2)]
    outs = []
    try:
        for p in procs:
            out, err = p.communicate(timeout=240)
            assert p.returncode == 0, err[-3000:]
            outs.append(json.loads(out.strip().splitlines()[-1]))
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
    assert outs[0] == outs[1]  # every process holds the same merged state

    # the same data, one process, all rows
    rng = np.random.default_rng(0)
    y_true = rng.integers(0, 2, (100, 1)).astype(np.float32)
    y_score = rng.uniform(size=(100, 1)).astype(np.float32)
    metrics = jmetrics.Collection(["binary_accuracy", "auc", "mse",
                                   jmetrics.metrics.R2Score(num_outputs=1)])
    want = metrics.logs(metrics.compute(metrics.update(metrics.init(), y_true, y_score)))
    assert list(outs[0]) == list(want)
    for key in want:
        np.testing.assert_allclose(outs[0][key], want[key], rtol=1e-5, err_msg=key)
    # each process alone saw half the rows: its local result differs (the merge did something)
    half = metrics.logs(metrics.compute(metrics.update(metrics.init(), y_true[::2], y_score[::2])))
    assert half != want
