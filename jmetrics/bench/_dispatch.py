"""How XLA:CPU dispatches the benchmarked computations: on a worker thread (JAX's default) or inline."""

from __future__ import annotations

__all__ = ["use_sync_cpu_dispatch"]


def use_sync_cpu_dispatch() -> None:
    """Run every CPU computation inline: ``jax.config.update("jax_cpu_enable_async_dispatch",
    False)``, refused once JAX has created its backends.

    JAX's CPU client reads the option once, when it is created; set later, the option would be
    reported (``cpu_dispatch()`` reads it) but not used. So this raises ``RuntimeError`` when the
    backends exist already. JAX has no public way to ask that (``jax.devices()`` and
    ``jax.extend.backend.backends()`` create them): the one place that knows,
    ``jax._src.xla_bridge.backends_are_initialized``, is asked here, and a JAX without it is
    taken as not yet started.
    """
    import jax
    from jax._src import xla_bridge  # private: see the docstring

    if getattr(xla_bridge, "backends_are_initialized", lambda: False)():
        raise RuntimeError("use_sync_cpu_dispatch: JAX has created its backends already, so the "
                           "CPU client would keep its dispatch; set "
                           "jax_cpu_enable_async_dispatch=False at the start of the program.")
    jax.config.update("jax_cpu_enable_async_dispatch", False)
