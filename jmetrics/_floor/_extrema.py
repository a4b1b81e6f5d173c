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
sizes. The forms below keep the NaN in one of two ways, chosen at trace time:

- by default, a select: ``where(isnan(a) | isnan(b), a + b, jnp.maximum(a, b))``;
- inside :func:`select_free` (the kernels' flat one-column path), plain arithmetic:
  ``jnp.maximum(a, b) * (1 + 0 * (sign(a) + sign(b)))``, where the factor is exactly ``1``
  wherever both operands are numbers (``sign`` of a number, ``+-inf`` and ``+-0`` included, is
  finite, and ``0`` times it is a zero) and NaN wherever one is NaN.

Both equal ``jnp.maximum``'s/``jnp.minimum``'s results bit for bit wherever no NaN is involved
(``+-inf`` and the signs of zero included) and are NaN wherever an operand is; integer and bool
arrays hold no NaN and take the plain forms. They differ in speed only: YNNPACK's elementwise
fusion takes arithmetic but no selects, so over a flat array the select splits the fused loop
out of YNNPACK's multi-threaded path into XLA's own loops (squared log error at 1e7 rows,
``(n, 1)``: 26 ms with the select, 10 ms with the arithmetic), while in a loop that YNNPACK does
not take anyway (a per-row mean over ``(n, 10)``) the select is about 10% cheaper. Reductions
(:func:`reduce_max`, :func:`reduce_min`) select the NaN explicitly:
``jnp.any(jnp.isnan(x))`` over the reduced axes.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from typing import Any

import jax
import jax.numpy as jnp

__all__ = ["maximum", "minimum", "reduce_max", "reduce_min", "select_free"]

_SELECT_FREE = contextvars.ContextVar("jmetrics_select_free_extrema", default=False)


@contextlib.contextmanager
def select_free() -> Iterator[None]:
    """Within the block, :func:`maximum` and :func:`minimum` trace to arithmetic instead of a
    select (see the module docstring). The values are the same either way, so a trace that JAX
    cached in one form and reuses in the other changes nothing but speed."""
    token = _SELECT_FREE.set(True)
    try:
        yield
    finally:
        _SELECT_FREE.reset(token)


def _exact(x: Any) -> bool:
    """Whether ``x`` cannot hold NaN (an integer or bool array or Python number, or a float
    Python number that is not NaN)."""
    if isinstance(x, (bool, int)):
        return True
    if isinstance(x, float):
        return x == x
    return not jnp.issubdtype(jnp.result_type(x), jnp.inexact)


def _keep_nan(out: jax.Array, a: Any, b: Any) -> jax.Array:
    """``out`` where neither ``a`` nor ``b`` is NaN (bit for bit), NaN where one is (see the
    module docstring for the two forms)."""
    floats = [x for x in (a, b) if not _exact(x)]
    if not floats:
        return out
    if _SELECT_FREE.get():
        signs = [jnp.sign(x) for x in floats]
        flag = signs[0] if len(signs) == 1 else signs[0] + signs[1]
        return out * (1 + 0 * flag).astype(out.dtype)
    nan = [jnp.isnan(x) for x in floats]
    return jnp.where(nan[0] if len(nan) == 1 else nan[0] | nan[1], jnp.add(a, b), out)


def maximum(a: Any, b: Any) -> jax.Array:
    """``jnp.maximum(a, b)``, NaN where ``a`` or ``b`` is NaN on every backend.

    .. math:: \\max(a, b) = \\begin{cases} \\mathrm{NaN} & a \\text{ or } b \\text{ is NaN} \\\\
              \\mathrm{jnp.maximum}(a, b) & \\text{otherwise} \\end{cases}

    >>> import jax.numpy as jnp, numpy as np
    >>> v = np.ones(5000, np.float32); v[7] = np.nan
    >>> float(jax.jit(lambda a: jnp.sum(maximum(a, 1e-7)))(v))
    nan
    """
    return _keep_nan(jnp.maximum(a, b), a, b)


def minimum(a: Any, b: Any) -> jax.Array:
    """``jnp.minimum(a, b)``, NaN where ``a`` or ``b`` is NaN on every backend (see
    :func:`maximum`).

    >>> import jax.numpy as jnp, numpy as np
    >>> v = np.ones(5000, np.float32); v[7] = np.nan
    >>> float(jax.jit(lambda a: jnp.sum(minimum(a, 2.0)))(v))
    nan
    """
    return _keep_nan(jnp.minimum(a, b), a, b)


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
