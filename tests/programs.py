"""How the test processes compile: each distinct program once, the simple ones with XLA's
elemental emitters.

Compiling is most of the suite's time: thousands of small programs, most of them single eager
operations (one ``jnp`` call on a new shape is one program).

- **One compile per distinct program.** ``jax.jit`` caches a compiled program by the function it
  wraps: an equal program reached through another function (a fresh ``jax.jit`` of an equal
  metric config, of a lambda, of a bound method) is traced, lowered and compiled again; a seventh
  of the suite's compiles were such repeats. XLA's compile step returns the executable already
  built for an identical program: the same module text (debug locations aside), the same compile
  options, the same devices, no host callbacks (their handles belong to one call site).
- **Simple programs with the elemental emitters.** XLA:CPU's fusion emitters take about twice as
  long as its elemental emitters to compile a small program (an eager ``add``: 96-150 ms against
  51-77 ms here); the results are the same. With the elemental emitters for every program, XLA
  aborted the process twice in the suite's runs, both times compiling a large program (a sort
  inside a multiclass ROC AUC, an engine step), so they are used only for programs without the
  operations those had (:data:`COMPLEX`), below :data:`SIMPLE_CHARS` of module text and on arrays
  below :data:`SIMPLE_ELEMENTS` elements (their code runs slower: on large arrays the default
  emitters' quicker code is worth their compile).

Nothing else changes: each jitted function keeps its own trace, lowering and cache entry, and
the executable is the one XLA built for that exact program. tests/test_suite_setup.py checks
that the NaN-skipping reductions the adversarial tests guard against behave here as under JAX's
defaults.
"""

from __future__ import annotations

import math
import re
import threading
from collections import OrderedDict
from typing import Any

from jax._src import compiler

# Operations that keep a program on XLA's default (fusion) emitters.
COMPLEX = ("stablehlo.sort", "stablehlo.while", "stablehlo.scatter", "stablehlo.gather",
           "stablehlo.case", "stablehlo.if", "stablehlo.custom_call", "stablehlo.reduce_window",
           "stablehlo.select_and_scatter", "stablehlo.all_", "stablehlo.reduce_scatter",
           "stablehlo.collective", "stablehlo.rng", "func.call", " call @")
SIMPLE_CHARS = 20_000
# Arrays above this many elements keep the default emitters: the elemental ones' code runs
# slower, and on large arrays running costs more than compiling.
SIMPLE_ELEMENTS = 16_384
_DIMS = re.compile(r"tensor<((?:\d+x)+)")
ELEMENTAL = ("xla_cpu_use_fusion_emitters", False)


class ProgramCache:
    """The ``size`` executables used last, by program; ``hits`` and ``misses`` count the compile
    calls, ``elemental`` the misses compiled with the elemental emitters."""

    def __init__(self, size: int = 4096) -> None:
        self.executables: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self.size = size
        self.hits = 0
        self.misses = 0
        self.elemental = 0
        self.lock = threading.Lock()


CACHE = ProgramCache()


def is_simple(text: str) -> bool:
    """A small program of none of the :data:`COMPLEX` operations, on small arrays."""
    if len(text) >= SIMPLE_CHARS or any(op in text for op in COMPLEX):
        return False
    return all(math.prod(int(d) for d in dims.split("x")[:-1]) < SIMPLE_ELEMENTS
               for dims in _DIMS.findall(text))


def share_programs(cache: ProgramCache = CACHE) -> None:
    """Route ``jax._src.compiler.backend_compile_and_load`` through ``cache`` (once per process)."""
    original = compiler.backend_compile_and_load
    if getattr(original, "shares_programs", False):
        return

    def compile_once(backend: Any, module: Any, executable_devices: Any, options: Any,
                     host_callbacks: Any) -> Any:
        if host_callbacks:
            return original(backend, module, executable_devices, options, host_callbacks)
        text = module.operation.get_asm(enable_debug_info=False)
        key = (id(backend), text, options.SerializeAsString(),
               tuple(d.id for d in executable_devices))
        with cache.lock:
            built = cache.executables.get(key)
            if built is not None:
                cache.hits += 1
                cache.executables.move_to_end(key)
                return built
        simple = is_simple(text)
        if simple:
            options.env_option_overrides = [*options.env_option_overrides, ELEMENTAL]
        built = original(backend, module, executable_devices, options, host_callbacks)
        with cache.lock:
            cache.misses += 1
            cache.elemental += simple
            cache.executables[key] = built
            if len(cache.executables) > cache.size:
                cache.executables.popitem(last=False)
        return built

    compile_once.shares_programs = True  # type: ignore[attr-defined]
    compiler.backend_compile_and_load = compile_once
