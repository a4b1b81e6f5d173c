"""One compile per distinct program in a test process.

``jax.jit`` caches a compiled program by the function it wraps: an equal program reached through
another function (a fresh ``jax.jit`` of an equal metric config, of a lambda, of a bound method)
is traced, lowered and compiled again. The suite builds thousands of small programs, a fifth of
them equal to one compiled before, and compiling is most of its time. :func:`share_programs`
makes XLA's compile step return the executable already built for an identical program: the same
module text (debug locations aside), the same compile options, the same devices, no host
callbacks (their handles belong to one call site). Nothing else changes: each jitted function
keeps its own trace, lowering and cache entry, and the executable is the one XLA built for that
exact program.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from jax._src import compiler


class ProgramCache:
    """The ``size`` executables used last, by program; ``hits`` and ``misses`` count the compile
    calls."""

    def __init__(self, size: int = 4096) -> None:
        self.executables: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self.size = size
        self.hits = 0
        self.misses = 0
        self.lock = threading.Lock()


CACHE = ProgramCache()


def program_key(backend: Any, module: Any, executable_devices: Any, options: Any) -> tuple[Any, ...]:
    """Everything XLA's compile reads: the program, its options, the devices and the client."""
    text = module.operation.get_asm(enable_debug_info=False)
    return (id(backend), text, options.SerializeAsString(),
            tuple(d.id for d in executable_devices))


def share_programs(cache: ProgramCache = CACHE) -> None:
    """Route ``jax._src.compiler.backend_compile_and_load`` through ``cache`` (once per process)."""
    original = compiler.backend_compile_and_load
    if getattr(original, "shares_programs", False):
        return

    def compile_once(backend: Any, module: Any, executable_devices: Any, options: Any,
                     host_callbacks: Any) -> Any:
        if host_callbacks:
            return original(backend, module, executable_devices, options, host_callbacks)
        key = program_key(backend, module, executable_devices, options)
        with cache.lock:
            built = cache.executables.get(key)
            if built is not None:
                cache.hits += 1
                cache.executables.move_to_end(key)
                return built
        built = original(backend, module, executable_devices, options, host_callbacks)
        with cache.lock:
            cache.misses += 1
            cache.executables[key] = built
            if len(cache.executables) > cache.size:
                cache.executables.popitem(last=False)
        return built

    compile_once.shares_programs = True  # type: ignore[attr-defined]
    compiler.backend_compile_and_load = compile_once
