"""Half precision in, float32 arithmetic: the dtype rules shared by every layer.

bfloat16 and float16 inputs are computed in float32, which holds every half value exactly, so the
results are not rounded back to half at each step (Keras 3 computes its metrics in float32 too).
Two faces need two rules, kept apart on purpose:

- :func:`widen_half` leaves integer and bool arrays alone (labels keep their exact integer meaning
  for the kernels that read them as class ids);
- :func:`at_least_float32` also makes them float32, as Keras' ``MeanMetricWrapper`` and ``Mean``
  convert their inputs to the metric's float dtype.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

__all__ = ["HALF", "at_least_float32", "compute_dtype", "host_widen_half", "widen_half"]

HALF = (jnp.dtype(jnp.bfloat16), jnp.dtype(jnp.float16))


def compute_dtype(dtype: Any) -> jnp.dtype:
    """The dtype to compute in: float32 for half-precision ``dtype``, else ``dtype`` itself."""
    dtype = jnp.dtype(dtype)
    return jnp.dtype(jnp.float32) if dtype in HALF else dtype


def widen_half(x: Any) -> Any:
    """bf16/f16 arrays become float32; anything else is returned as it is.

    A Python list or tuple (under ``jax.jit``, a list of tracers) becomes one array first.

    >>> import jax.numpy as jnp
    >>> [widen_half(jnp.ones(2, d)).dtype.name for d in (jnp.bfloat16, jnp.int32)]
    ['float32', 'int32']
    """
    if isinstance(x, (list, tuple)):
        x = jnp.asarray(x)
    dtype = getattr(x, "dtype", None)
    if dtype is not None and jnp.dtype(dtype) in HALF:
        return jnp.asarray(x, jnp.float32)
    return x


def at_least_float32(x: jax.Array) -> jax.Array:
    """Half, integer and bool arrays become float32; float32 and float64 stay as they are.

    >>> import jax.numpy as jnp
    >>> [at_least_float32(jnp.ones(2, d)).dtype.name for d in (jnp.float16, jnp.int32, jnp.float32)]
    ['float32', 'float32', 'float32']
    """
    if x.dtype in HALF or not jnp.issubdtype(x.dtype, jnp.floating):
        return x.astype(jnp.float32)
    return x


def host_widen_half(a: np.ndarray) -> np.ndarray:
    """A NumPy array's float16/bfloat16 as float32 (bfloat16 is NumPy kind "V": tested by name)."""
    if a.dtype.kind == "f" and a.dtype.itemsize < 4 or str(a.dtype) == "bfloat16":
        return a.astype(np.float32)
    return a
