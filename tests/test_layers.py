"""The layer law: every import inside jmetrics points down, and no modules import each other in a cycle.

The package is read as text (``ast``), never imported, so an import inside a function or under
``if TYPE_CHECKING:`` counts like one at the top of the module. An edge is one module naming
another in ``import a.b`` or ``from a.b import c`` (``c`` when it is a module, else ``a.b``;
relative imports resolved). The parent packages that Python runs first are not edges: with them
every package ``__init__`` that re-exports its modules would be a cycle.

Layers, lowest first (a module imports only from lower layers and its own group; the groups of one
layer are siblings and import nothing from each other):

====  ==========================================================================================
0     floor (``jmetrics._floor``: checks, numerics, sorts); padding; ``_version``; ``_call_guards``
1     kernels (pure per-sample functions)
2     metrics (streaming classes); sk (scikit-learn functions): siblings
3     collection (``jmetrics.collection``, the primitive over metric objects)
4     adapter (registry, names, serialization, Keras compile parsing; ``jmetrics.history``)
5     distributed (states across devices, processes and jobs)
6     engine (``evaluate``)
7     integrations (Keras, Flax, Dask); bench; testing (``check_metric``): siblings
8     cli
9     ``jmetrics.__main__``; the policy table (``adapter._policy``): it lays out the units of
      every layer (the registry's, ``Collection``, ``evaluate``, ``jmetrics eval``)
10    the facades ``jmetrics`` and ``jmetrics.metrics`` (its ``__init__``): re-exports for users
11    the docs generator (``adapter._docs``): its API index page lists the facades' ``__all__``
====  ==========================================================================================

Also refused: ``importlib.import_module``/``__import__`` of anything but a literal module outside
jmetrics (a string import hides an edge from this check), and any import of the user-facing facades
``jmetrics`` and ``jmetrics.metrics`` (its ``__init__``) from inside the package: they sit above
every layer (``jmetrics.metrics.get`` reaches the adapter), and only users import them. Two
exemptions, each a rule with its reason: ``jmetrics/__init__.py`` itself loads its names lazily
(PEP 562) so that ``import jmetrics`` imports no JAX, and nothing inside the package imports it;
the modules in ``FACADE_SURVEYS`` exist to describe the public surface (the API index page lists
every name of the facades' ``__all__``, which only the facades know), so they import the facades
and sit above them, and nothing inside the package imports them.
"""

from __future__ import annotations

import ast
import pathlib
from collections import defaultdict
from collections.abc import Iterator
from typing import NamedTuple

import pytest

# Edges that break the law today, in modules other work is changing. Each entry is one edge
# (importer, imported, how); "how" is "import" or "importlib". The test fails when an entry no longer
# exists, so the list only shrinks: delete entries as that work lands.
ALLOWED: frozenset[tuple[str, str, str]] = frozenset({
})

# (layer, group): the longest matching prefix decides.
LAYERS: dict[str, tuple[int, str]] = {
    "jmetrics._floor": (0, "floor"),
    "jmetrics.padding": (0, "padding"),
    "jmetrics._version": (0, "version"),
    "jmetrics._call_guards": (0, "call_guards"),
    "jmetrics.kernels": (1, "kernels"),
    "jmetrics.metrics": (2, "metrics"),
    "jmetrics.sk": (2, "sk"),
    "jmetrics.collection": (3, "collection"),
    "jmetrics.adapter": (4, "adapter"),
    "jmetrics.history": (4, "adapter"),
    "jmetrics.distributed": (5, "distributed"),
    "jmetrics.engine": (6, "engine"),
    "jmetrics.integrations": (7, "integrations"),
    "jmetrics.bench": (7, "bench"),
    "jmetrics.testing": (7, "testing"),
    "jmetrics.cli": (8, "cli"),
    "jmetrics.__main__": (9, "main"),
    "jmetrics.adapter._policy": (9, "survey"),
    "jmetrics": (10, "facade"),
    "jmetrics.adapter._docs": (11, "docs"),
}
FACADES = ("jmetrics", "jmetrics.metrics")
# Modules whose purpose is a survey of the facades' __all__ (the API index page): they may import
# the facades, from above them.
FACADE_SURVEYS = ("jmetrics.adapter._docs",)
LAZY_FACADE = "jmetrics"
PACKAGE = pathlib.Path(__file__).resolve().parent.parent / "jmetrics"


class Edge(NamedTuple):
    src: str  # importing module, e.g. "jmetrics.sk._ranking"
    dst: str  # imported module
    how: str  # "import" or "importlib"
    line: int  # where, in src's file


def _modules() -> dict[str, pathlib.Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


MODULES = _modules()


def _absolute(src: str, is_package: bool, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = src.split(".") if is_package else src.split(".")[:-1]
    base = base[: len(base) - node.level + 1]
    return ".".join(base + ([node.module] if node.module else []))


def _dynamic_target(node: ast.Call) -> str | None:
    """The module an ``import_module``/``__import__`` call loads; "?" when not a literal."""
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    if name not in ("import_module", "__import__") or not node.args:
        return None
    arg = node.args[0]
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        return arg.value
    return "?"


def _edges_of(src: str, path: pathlib.Path) -> Iterator[Edge]:
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Edge(src, alias.name, "import", node.lineno)
        elif isinstance(node, ast.ImportFrom):
            target = _absolute(src, is_package, node)
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                yield Edge(src, sub if sub in MODULES else target, "import", node.lineno)
        elif isinstance(node, ast.Call):
            target = _dynamic_target(node)
            if target is not None:
                yield Edge(src, target, "importlib", node.lineno)


def _internal(name: str) -> bool:
    return name == "jmetrics" or name.startswith("jmetrics.") or name == "?"


EDGES: list[Edge] = [e for src, path in MODULES.items() for e in _edges_of(src, path)
                     if _internal(e.dst) and e.dst != src]


def _layer(module: str) -> tuple[int, str]:
    if module in FACADES:  # re-exports for users, above everything; nothing inside imports them
        return LAYERS["jmetrics"]
    parts = module.split(".")
    for k in range(len(parts), 0, -1):
        if ".".join(parts[:k]) in LAYERS:
            return LAYERS[".".join(parts[:k])]
    raise KeyError(module)


def _why_bad(e: Edge) -> str | None:
    """What an edge breaks, or None."""
    if e.how == "importlib":
        return None if e.src == LAZY_FACADE else "a string import of a jmetrics module"
    if e.dst not in MODULES:
        return f"an import of {e.dst!r}, which is no module of the package"
    if e.dst in FACADES and e.src != "jmetrics" and e.src not in FACADE_SURVEYS:
        return "an import of a user-facing facade"
    (src_rank, src_group), (dst_rank, dst_group) = _layer(e.src), _layer(e.dst)
    if src_group == dst_group or dst_rank < src_rank:
        return None
    if dst_rank == src_rank:
        return f"an import between sibling groups {src_group} and {dst_group}"
    return f"an import up the layers ({src_group} {src_rank} -> {dst_group} {dst_rank})"


def _show(e: Edge, why: str) -> str:
    return f"{MODULES[e.src].relative_to(PACKAGE.parent)}:{e.line}: {e.src} -> {e.dst} ({e.how}): {why}"


def _cycles(edges: list[tuple[str, str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    graph: dict[str, set[str]] = defaultdict(set)
    for a, b in edges:
        graph[a].add(b)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                comp = []
                while True:
                    top = stack.pop()
                    on_stack.discard(top)
                    comp.append(top)
                    if top == node:
                        break
                if len(comp) > 1:
                    found.append(sorted(comp))
    return found


def test_every_module_has_a_layer():
    missing = [m for m in MODULES if not any(m == p or m.startswith(p + ".") for p in LAYERS)]
    assert not missing, f"modules with no layer in LAYERS: {missing}"


def test_imports_point_down():
    bad = [_show(e, why) for e in EDGES
           if (why := _why_bad(e)) and (e.src, e.dst, e.how) not in ALLOWED]
    assert not bad, "imports that break the layer law:\n" + "\n".join(bad)


def test_allowlist_holds_only_edges_that_exist_and_break_the_law():
    present = {(e.src, e.dst, e.how) for e in EDGES if _why_bad(e)} | _cycle_edges()
    stale = sorted(ALLOWED - present)
    assert not stale, f"allowlisted edges that are gone or lawful now (delete them): {stale}"


def _plain(skip: frozenset[tuple[str, str, str]]) -> list[tuple[str, str]]:
    return [(e.src, e.dst) for e in EDGES
            if e.how == "import" and e.dst in MODULES and (e.src, e.dst, e.how) not in skip]


def _cycle_edges() -> set[tuple[str, str, str]]:
    """The allowlisted edges without which a cycle would close."""
    allowed = {(a, b) for a, b, how in ALLOWED if how == "import"}
    inside = {m for comp in _cycles(_plain(frozenset())) for m in comp}
    return {(a, b, "import") for a, b in allowed if a in inside and b in inside}


def test_every_module_is_under_500_lines():
    """Files of one topic: a module that grows past 500 lines is split along its seams."""
    long = {str(p.relative_to(PACKAGE)): n for p in sorted(PACKAGE.rglob("*.py"))
            if (n := len(p.read_text().splitlines())) > 500}
    assert long == {}


def test_no_import_cycles():
    cycles = _cycles(_plain(ALLOWED))
    assert not cycles, f"modules that import each other in a cycle: {cycles}"


def test_metrics_and_sk_do_not_import_each_other():
    crossing = [_show(e, "sibling") for e in EDGES
                if {_layer(e.src)[1], _layer(e.dst)[1] if e.dst in MODULES else ""} == {"metrics", "sk"}]
    assert not crossing, "\n".join(crossing)


def test_floor_imports_nothing_above_it():
    up = [_show(e, "up") for e in EDGES if e.src.startswith("jmetrics._floor")
          and not e.dst.startswith("jmetrics._floor")]
    assert not up, "\n".join(up)


@pytest.mark.parametrize("source, expected", [
    ("import jmetrics.metrics._state\n", [("jmetrics.metrics._state", "import")]),
    ("from jmetrics.metrics import _blocks, Metric\n",
     [("jmetrics.metrics._blocks", "import"), ("jmetrics.metrics", "import")]),
    ("def f():\n    from .. import collection\n", [("jmetrics.collection", "import")]),
    ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from jmetrics import sk\n",
     [("jmetrics.sk", "import")]),
    ("import importlib\nimportlib.import_module('jmetrics.metrics')\n",
     [("jmetrics.metrics", "importlib")]),
    ("__import__(name)\n", [("?", "importlib")]),
    ("import importlib\nimportlib.import_module('sklearn.metrics')\n", []),
])
def test_edges_are_read_from_every_kind_of_import(tmp_path, source, expected):
    path = tmp_path / "mod.py"
    path.write_text(source)
    got = [(e.dst, e.how) for e in _edges_of("jmetrics.kernels._x", path) if _internal(e.dst)]
    assert got == expected


def test_the_checks_catch_what_they_claim():
    up = Edge("jmetrics.kernels._common", "jmetrics.metrics._state", "import", 1)
    sibling = Edge("jmetrics.sk._ranking", "jmetrics.metrics._state", "import", 1)
    facade = Edge("jmetrics.engine._run", "jmetrics", "import", 1)
    string = Edge("jmetrics.engine._run", "jmetrics.kernels", "importlib", 1)
    down = Edge("jmetrics.engine._run", "jmetrics.metrics._state", "import", 1)
    survey = Edge("jmetrics.adapter._docs", "jmetrics", "import", 1)
    into_survey = Edge("jmetrics.cli._list", "jmetrics.adapter._docs", "import", 1)
    assert _why_bad(survey) is None and "up the layers" in _why_bad(into_survey)
    assert "up the layers" in _why_bad(up)
    assert "sibling" in _why_bad(sibling)
    assert "facade" in _why_bad(facade)
    assert "string import" in _why_bad(string)
    assert _why_bad(down) is None
    assert _cycles([("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")]) == [["a", "b", "c"]]
    assert _cycles([("a", "b"), ("b", "c")]) == []


# The NaN law of max/min: XLA:CPU's YNNPACK fusions return the other operand for NaN in a fused
# max/min and skip NaN in a max/min reduction (see jmetrics._floor._extrema). Outside that module a
# raw call of these names must carry "# nan-safe: <why>" on its line or on the comment line above.
EXTREMA_NAMES = frozenset({"maximum", "minimum", "max", "min", "amax", "amin", "fmax", "fmin"})
EXTREMA_HOME = "jmetrics._floor._extrema"
# NumPy and the standard library compute on the host, where max/min keep NaN.
HOST_BASES = frozenset({"np", "numpy", "math", "builtins"})
# The speed targets' hand-written references are timing baselines, never a metric's result.
EXTREMA_EXEMPT = ("jmetrics.bench",)
NAN_SAFE = "# nan-safe:"


def _uses_jax(source: str) -> bool:
    """Whether a module imports JAX (one that does not computes max/min with NumPy, on the host)."""
    return any(isinstance(node, (ast.Import, ast.ImportFrom))
               and any(name == "jax" or name.startswith("jax.") for name in
                       ([a.name for a in node.names] if isinstance(node, ast.Import)
                        else [node.module or ""]))
               for node in ast.walk(ast.parse(source)))


def _raw_extrema(source: str) -> list[int]:
    """Lines of ``x.max(...)``/``jnp.maximum(...)``/``lax.min(...)``-style calls that carry no
    ``# nan-safe:`` marker (on the call's first line or on a comment line right above it)."""
    lines = source.splitlines()
    bad = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in EXTREMA_NAMES):
            continue
        base = node.func.value
        if isinstance(base, ast.Name) and base.id in HOST_BASES:
            continue
        line = lines[node.lineno - 1]
        above = lines[node.lineno - 2].strip() if node.lineno > 1 else ""
        if NAN_SAFE not in line and not (above.startswith("#") and NAN_SAFE in above):
            bad.append(node.lineno)
    return bad


def test_max_and_min_keep_nan_or_say_why_they_need_not():
    bad = [f"{MODULES[m].relative_to(PACKAGE.parent)}:{line}"
           for m in MODULES if m != EXTREMA_HOME and not m.startswith(EXTREMA_EXEMPT)
           and _uses_jax(MODULES[m].read_text())
           for line in _raw_extrema(MODULES[m].read_text())]
    assert not bad, (
        "raw max/min calls (XLA:CPU's fused max/min drop NaN at >= 4096 elements): use "
        f"{EXTREMA_HOME} (maximum, minimum, reduce_max, reduce_min) or mark the line "
        f"'{NAN_SAFE} <why>':\n" + "\n".join(bad))


@pytest.mark.parametrize("source, expected", [
    ("y = jnp.maximum(a, 0.0)\n", [1]),
    ("y = jax.lax.min(a, b)\n", [1]),
    ("y = x.max(axis=0)\n", [1]),
    ("y = state.at[i].min(v)\n", [1]),
    ("y = jnp.maximum(a, 0)  # nan-safe: integer counts\n", []),
    ("# nan-safe: a shift that cancels\ny = jnp.max(p, axis=-1)\n", []),
    ("# an unrelated comment\ny = jnp.max(p, axis=-1)\n", [2]),
    ("y = np.maximum(a, 0)\nz = max(a, b)\nw = jnp.argmax(p)\n", []),
])
def test_raw_extrema_are_found(source, expected):
    assert _raw_extrema(source) == expected


def test_host_modules_are_told_apart():
    assert _uses_jax("import jax.numpy as jnp\n") and _uses_jax("from jax import lax\n")
    assert not _uses_jax("import numpy as np\nimport jaxtyping\n")
