"""The command is built on public functions only, and the public CLI-support functions work.

Layers: ``jmetrics.cli`` imports the engine, the bench and the adapter through their public
names, never a private name (``_x``) of another jmetrics package, and nothing from ``jax._src``
(the root's own modules, such as ``jmetrics._version``, are the floor every layer may use).
Oracles: NumPy slicing of the same arrays and files; ``jax.config``'s own value.
"""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

import jmetrics.cli
from jmetrics import bench
from jmetrics.engine import check_gates, cli_support

CLI = Path(jmetrics.cli.__file__).parent

# Private imports still made by the command (their owners have no public form of them yet). The
# test asserts this list exactly: one made public must leave it.
KNOWN = {
    ("_bench.py", "jmetrics.bench._targets"),
    ("_bench.py", "jmetrics.bench._peers"),  # the legend and install hints of the table
    ("_bench.py", "jmetrics.bench._report"),
    ("_list.py", "jmetrics.adapter._lookup"),
    ("_list.py", "jmetrics.adapter._table"),
}


def _private(dotted: str) -> bool:
    return any(part.startswith("_") for part in dotted.split("."))


def _imports(tree: ast.AST) -> list[str]:
    """The imported dotted names, per statement the module when it is private, else each name:
    ``import a.b`` -> a.b; ``from a._b import c`` -> a._b; ``from a.b import c`` -> a.b.c."""
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            if _private(node.module):
                out.append(node.module)
            else:
                out += [f"{node.module}.{alias.name}" for alias in node.names]
    return out


def _violations(source: str, filename: str) -> set[tuple[str, str]]:
    found = set()
    for name in _imports(ast.parse(source)):
        # past "jmetrics.<package>.": the root's own modules (jmetrics._version) are the floor
        inner = ".".join(name.split(".")[2:])
        if name.startswith("jax._src") or (name.startswith("jmetrics.")
                                           and not name.startswith("jmetrics.cli.")
                                           and _private(inner)):
            found.add((filename, name))
    return found


def test_the_command_imports_no_private_name_of_another_package():
    found = set()
    for path in sorted(CLI.glob("*.py")):
        found |= _violations(path.read_text(), path.name)
    assert found == KNOWN


@pytest.mark.parametrize(("line", "name"), [
    ("from jmetrics.engine._inputs import _Source", "jmetrics.engine._inputs"),
    ("from jmetrics.engine import _gates", "jmetrics.engine._gates"),
    ("import jmetrics.bench._run", "jmetrics.bench._run"),
    ("from jax._src import xla_bridge", "jax._src"),
    ("from jax._src.xla_bridge import backends_are_initialized", "jax._src.xla_bridge"),
])
def test_the_check_catches_each_form_of_private_import(line, name):
    source = f"def f():\n    {line}\n"  # inside a function, as the command imports lazily
    assert _violations(source, "x.py") == {("x.py", name)}


@pytest.mark.parametrize("line", [
    "from jmetrics.cli._output import check_output", "from jmetrics.engine import evaluate",
    "from jmetrics.engine.cli_support import sample_inputs", "import jax", "from jax import numpy",
])
def test_the_check_lets_public_and_own_imports_pass(line):
    assert _violations(line, "x.py") == set()


# -- the public homes -------------------------------------------------------------------------
def test_cli_support_all_is_public_and_imports():
    assert sorted(cli_support.__all__) == sorted(set(cli_support.__all__))
    for name in cli_support.__all__:
        assert not name.startswith("_") and getattr(cli_support, name).__doc__, name


def test_sample_inputs_reads_the_first_rows_of_arrays_and_files(tmp_path):
    r = np.random.default_rng(0)
    yt, yp = r.integers(0, 2, 50), r.random((3, 50, 2)).astype(np.float32)  # 3 models, axis 0
    t, p = cli_support.sample_inputs(yt, yp, model_axis=0, rows=7)
    np.testing.assert_array_equal(t, yt[:7])
    np.testing.assert_array_equal(p, yp[0, :7])
    np.save(tmp_path / "t.npy", yt)
    np.savez(tmp_path / "p.npz", probs=yp[1])
    t, p = cli_support.sample_inputs(str(tmp_path / "t.npy"), str(tmp_path / "p.npz:probs"))
    np.testing.assert_array_equal(t, yt)
    np.testing.assert_array_equal(p, yp[1])
    chunks = [(yt[:10], yp[2, :10]), (yt[10:], yp[2, 10:])]
    t, p = cli_support.sample_inputs(iter(chunks), None, rows=4)  # the first chunk's rows
    np.testing.assert_array_equal(t, yt[:4])
    np.testing.assert_array_equal(p, yp[2, :4])


def test_sample_inputs_checks_as_evaluate_does():
    with pytest.raises(ValueError, match=r"evaluate: y_true, y_pred must have the same number of "
                                         r"rows; got 4, 5"):
        cli_support.sample_inputs(np.zeros(4), np.zeros(5))


def test_findable_and_parse_gate(tmp_path):
    np.save(tmp_path / "a.npy", np.zeros(3))
    assert cli_support.findable(str(tmp_path / "a.npy"))
    assert cli_support.findable(str(tmp_path / "a.npy") + ":member")  # the file exists
    assert cli_support.findable(str(tmp_path / "*.npy"))  # a glob, expanded later
    assert not cli_support.findable(str(tmp_path / "b.npy"))
    gate = cli_support.parse_gate("slices: auc <= 0.8")
    assert gate == cli_support.Gate("slices: auc <= 0.8", "auc", "<=", 0.8, True)
    assert check_gates({"slices": {"a": {"auc": 0.8}, "b": {"auc": 0.9}}}, [gate]) == [
        cli_support.GateFailure(gate, 0.8, "a", ())]
    with pytest.raises(ValueError, match="check_gates: a gate must read"):
        cli_support.parse_gate("auc = 0.8")


def test_sync_cpu_dispatch_is_refused_once_jax_has_started():
    import jax

    jax.devices()  # this process has its backends
    before = jax.config.read("jax_cpu_enable_async_dispatch")
    with pytest.raises(RuntimeError, match="use_sync_cpu_dispatch: JAX has created its backends"):
        bench.use_sync_cpu_dispatch()
    assert jax.config.read("jax_cpu_enable_async_dispatch") == before  # left as it was
    assert bench.cpu_dispatch() == ("async" if before else "sync")
