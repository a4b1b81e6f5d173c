"""Ratios that are defined everywhere: division with a fill value, and weighted means.

Each works on NumPy and JAX arrays alike (``x.sum()``, ``x.mean()`` and ``where`` of the arrays' own
library), so the host (exact, float64) and traced paths of a function share one formula.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

__all__ = ["divide_no_nan", "divide_where", "weighted_mean", "weighted_variance"]


def divide_where(num: jax.Array, den: jax.Array, ok: jax.Array, fill: Any) -> jax.Array:
    """``num / den`` where ``ok``, else ``fill``; the division never sees a masked ``den``.

    .. math:: r_i = \\begin{cases} n_i / d_i & \\mathrm{ok}_i \\\\ \\mathrm{fill} & \\text{else} \\end{cases}

    >>> import jax.numpy as jnp
    >>> divide_where(jnp.array([1., 2.]), jnp.array([2., -1.]), jnp.array([2., -1.]) > 0, 0.0)
    Array([0.5, 0. ], dtype=float32)
    """
    return jnp.where(ok, num / jnp.where(ok, den, 1), fill)


def divide_no_nan(num: Any, den: Any, fill: Any = np.nan) -> Any:
    """``num / den`` with ``fill`` where ``den == 0`` (a NaN ``den`` gives NaN).

    JAX arrays stay JAX (jittable); anything else is computed in float64 NumPy without warnings.

    >>> [float(v) for v in divide_no_nan([1.0, 1.0], [0.0, 4.0], 0.0)]
    [0.0, 0.25]
    """
    if isinstance(num, jax.Array) or isinstance(den, jax.Array):
        return divide_where(num, den, den != 0, fill)
    num = np.asarray(num, dtype=np.float64)
    den = np.asarray(den, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den != 0, num / np.where(den != 0, den, 1), fill)


def weighted_mean(x: Any, w: Any) -> Any:
    """Mean of ``x`` over its first axis, weighted by ``w`` (shape ``[n]``) when given.

    .. math:: \\bar x = \\frac{\\sum_i w_i x_i}{\\sum_i w_i}

    Equals ``np.average(x, axis=0, weights=w)``; all-zero weights give NaN (no warning).

    >>> import numpy as np
    >>> float(weighted_mean(np.array([1.0, 3.0]), np.array([3.0, 1.0])))
    1.5
    """
    if w is None:
        return x.mean(axis=0)
    wb = w.reshape(w.shape + (1,) * (x.ndim - w.ndim))
    with np.errstate(divide="ignore", invalid="ignore"):
        return (x * wb).sum(axis=0) / w.sum()


def weighted_variance(x: Any, w: Any) -> Any:
    """Population variance of ``x`` over its first axis, weighted by ``w`` when given.

    .. math:: \\mathrm{Var}_w(x) = \\frac{\\sum_i w_i (x_i - \\bar x)^2}{\\sum_i w_i}

    >>> import numpy as np
    >>> float(weighted_variance(np.array([1.0, 3.0]), np.array([3.0, 1.0])))
    0.75
    """
    return weighted_mean((x - weighted_mean(x, w)[None]) ** 2, w)  # [n, ...] against [1, ...]
