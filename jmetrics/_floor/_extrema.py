"""Maximum and minimum that keep NaN on every XLA backend: elementwise, clamped and reduced.

XLA defines ``max``/``min`` as NaN-propagating, and eager JAX on small arrays computes them so. On
CPU (jax/jaxlib 0.10.2), XLA's YNNPACK fusions do not: once a fused computation that ends in a
reduction covers about 4,096 elements or more, a ``max``/``min`` inside it returns the other
operand for NaN, and a ``max``/``min`` reduction skips NaN, jitted or eager::

    v = np.ones(5000, np.float32); v[2500] = np.nan
    jax.jit(lambda a: jnp.sum(jnp.maximum(a, 1e-7)))(v)  # 4999.0 (NaN below 4096 elements)
    jax.jit(lambda a: jnp.sum(jnp.minimum(a, 2.0)))(v)   # 5001.0
    jnp.max(v)                                           # 1.0

(``XLA_FLAGS=--xla_cpu_experimental_ynn_fusion_type=`` turns those fusions off and gives NaN.)
A metric built on ``jnp.maximum`` would turn "NaN in" into a finite number out at large batch
sizes. Comparisons, selects and ``lax.clamp`` (``jnp.clip``) keep IEEE semantics there, so the
forms below select the NaN explicitly and leave every other value to ``jnp.maximum``/``jnp.max``:
the results equal theirs bit for bit wherever no NaN is involved (``+-inf`` and the signs of zero
included), and are NaN wherever an operand is. Integer and bool arrays hold no NaN and take the
plain forms. The selects keep the fused loop out of YNNPACK (its elementwise fusion does not take
them); measured on CPU, that costs nothing over one column and up to about 1.5x for the
elementwise part over ``(n, 10)``.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

__all__ = ["maximum", "minimum", "reduce_max", "reduce_min"]


def _exact(x: Any) -> bool:
    """Whether ``x`` cannot hold NaN (an integer or bool array or Python number, or a float
    Python number that is not NaN)."""
    if isinstance(x, (bool, int)):
        return True
    if isinstance(x, float):
        return x == x
    return not jnp.issubdtype(jnp.result_type(x), jnp.inexact)


def _nan_of(a: Any, b: Any) -> jax.Array | None:
    """Where ``a`` or ``b`` is NaN (``None`` when neither can be)."""
    flags = [jnp.isnan(x) for x in (a, b) if not _exact(x)]
    if not flags:
        return None
    return flags[0] if len(flags) == 1 else flags[0] | flags[1]


def maximum(a: Any, b: Any) -> jax.Array:
    """``jnp.maximum(a, b)``, NaN where ``a`` or ``b`` is NaN on every backend.

    .. math:: \\max(a, b) = \\begin{cases} a + b & a \\text{ or } b \\text{ is NaN} \\\\
              \\mathrm{jnp.maximum}(a, b) & \\text{otherwise} \\end{cases}

    >>> import jax.numpy as jnp, numpy as np
    >>> v = np.ones(5000, np.float32); v[7] = np.nan
    >>> float(jax.jit(lambda a: jnp.sum(maximum(a, 1e-7)))(v))
    nan
    """
    nan = _nan_of(a, b)
    if nan is None:
        return jnp.maximum(a, b)
    return jnp.where(nan, jnp.add(a, b), jnp.maximum(a, b))


def minimum(a: Any, b: Any) -> jax.Array:
    """``jnp.minimum(a, b)``, NaN where ``a`` or ``b`` is NaN on every backend (see
    :func:`maximum`).

    >>> import jax.numpy as jnp, numpy as np
    >>> v = np.ones(5000, np.float32); v[7] = np.nan
    >>> float(jax.jit(lambda a: jnp.sum(minimum(a, 2.0)))(v))
    nan
    """
    nan = _nan_of(a, b)
    if nan is None:
        return jnp.minimum(a, b)
    return jnp.where(nan, jnp.add(a, b), jnp.minimum(a, b))


def _reduce(op: Any, x: Any, axis: Any, keepdims: bool, initial: Any) -> jax.Array:
    x = jnp.asarray(x)
    kw = {} if initial is None else {"initial": initial}
    out = op(x, axis=axis, keepdims=keepdims, **kw)
    if _exact(x):
        return out
    nan = jnp.any(jnp.isnan(x), axis=axis, keepdims=keepdims)
    return jnp.where(nan, jnp.asarray(jnp.nan, out.dtype), out)


def reduce_max(x: Any, axis: Any = None, keepdims: bool = False, initial: Any = None) -> jax.Array:
    """``jnp.max(x, axis, keepdims=..., initial=...)``, NaN wherever the reduced elements hold a
    NaN, on every backend.

    .. math:: \\max_j x_j = \\mathrm{NaN} \\text{ if any } x_j \\text{ is NaN, else }
              \\mathrm{jnp.max}(x)

    >>> import numpy as np
    >>> v = np.ones(5000, np.float32); v[7] = np.nan
    >>> float(reduce_max(v))
    nan
    """
    return _reduce(jnp.max, x, axis, keepdims, initial)


def reduce_min(x: Any, axis: Any = None, keepdims: bool = False, initial: Any = None) -> jax.Array:
    """``jnp.min(x, ...)``, NaN wherever the reduced elements hold a NaN (see :func:`reduce_max`).

    >>> import numpy as np
    >>> v = np.ones(5000, np.float32); v[7] = np.nan
    >>> float(reduce_min(v))
    nan
    """
    return _reduce(jnp.min, x, axis, keepdims, initial)
