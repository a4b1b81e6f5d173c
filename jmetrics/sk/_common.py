"""Shared machinery of the scikit-learn-named functions: input conversion, the host/JAX split, warnings.

Every function in :mod:`jmetrics.sk` has two paths:

- **Host path** (all inputs concrete: NumPy arrays, lists, or JAX arrays outside ``jit``): the inputs
  are read as NumPy arrays and computed exactly (integer counts in int64, weighted sums in float64),
  with scikit-learn's input checks, warnings and errors. The result comes back as a ``jax.Array``.
- **JAX path** (inside ``jit``/``vmap``): shapes decide the problem type, class counts come from
  static arguments or shapes, nothing is inferred from values, and undefined results are NaN (a
  traced function cannot warn or raise on values).
"""

from __future__ import annotations

import warnings
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from jmetrics._checks import accum_dtype

__all__ = ["UndefinedMetricWarning"]


class UndefinedMetricWarning(UserWarning):
    """Warned (on the host path) where scikit-learn warns ``UndefinedMetricWarning``.

    The value returned with it is scikit-learn's (NaN, 0 or the ``zero_division`` value).
    """


def is_traced(*xs: Any) -> bool:
    """True when any argument is a JAX tracer (we are inside ``jit``/``vmap``/``grad``)."""
    return any(isinstance(x, jax.core.Tracer) for x in xs)


def host(x: Any, metric: str, arg: str) -> np.ndarray:
    """A NumPy array of a concrete input (bf16/f16 become float32; object arrays are refused)."""
    try:
        a = np.asarray(x)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{metric}: {arg} must be an array of numbers; got {type(x).__name__}. {err}") from None
    if a.dtype == object or a.dtype.kind in "USV":
        raise TypeError(f"{metric}: {arg} must be an array of numbers; got dtype {a.dtype}.")
    if a.dtype.kind == "f" and a.dtype.itemsize < 4 or a.dtype.kind == "V" or str(a.dtype) == "bfloat16":
        a = a.astype(np.float32)
    return a


def host_weight(metric: str, w: Any, n: int) -> np.ndarray | None:
    """``sample_weight`` as a float64 vector of length ``n`` (``None`` stays ``None``)."""
    if w is None:
        return None
    a = np.asarray(w, dtype=np.float64)
    if a.ndim == 0:
        a = np.full(n, float(a))
    a = a.reshape(-1) if a.ndim == 2 and 1 in a.shape else a
    if a.shape != (n,):
        raise ValueError(f"{metric}: sample_weight must have shape ({n},); got {tuple(np.shape(w))}.")
    return a


def jax_weight(metric: str, w: Any, n: int, dtype: Any = None) -> jax.Array | None:
    """Traced ``sample_weight`` broadcast to ``(n,)`` in ``dtype`` (the accumulation dtype by
    default); ``None`` stays ``None``. The jit-path twin of :func:`host_weight`."""
    if w is None:
        return None
    try:
        return jnp.broadcast_to(jnp.asarray(w, dtype or accum_dtype()), (n,))
    except ValueError:
        raise ValueError(f"{metric}: sample_weight must have shape ({n},); got {tuple(jnp.shape(w))}.") from None


def check_finite(metric: str, arg: str, a: np.ndarray) -> None:
    """scikit-learn's ``assert_all_finite`` on a host array."""
    if a.dtype.kind == "f" and not np.isfinite(a).all():
        raise ValueError(f"{metric}: {arg} must not contain NaN or infinity; got non-finite values.")


def out(x: Any) -> jax.Array:
    """A host result as a ``jax.Array`` in the accumulation dtype (float32, float64 under x64)."""
    return jnp.asarray(np.asarray(x, dtype=np.float64), dtype=accum_dtype())


def warn(metric: str, message: str) -> None:
    warnings.warn(f"{metric}: {message}", UndefinedMetricWarning, stacklevel=3)


def check_consistent(metric: str, **arrays: Any) -> int:
    """All given arrays have the same first dimension; return it."""
    lengths = {k: int(np.shape(v)[0]) if np.ndim(v) else 1 for k, v in arrays.items() if v is not None}
    if len(set(lengths.values())) > 1:
        raise ValueError(f"{metric}: inputs must have the same number of samples; got {lengths}.")
    return next(iter(lengths.values()))


def safe_div(num: Any, den: Any, zero: Any = np.nan) -> Any:
    """``num / den`` with ``zero`` where ``den == 0`` (works on NumPy and JAX arrays)."""
    if isinstance(num, jax.Array) or isinstance(den, jax.Array):
        return jnp.where(den != 0, num / jnp.where(den != 0, den, 1), zero)
    num = np.asarray(num, dtype=np.float64)
    den = np.asarray(den, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den != 0, num / np.where(den != 0, den, 1), zero)
