"""Bad-input checks of the ranking and probabilistic functions, on both paths.

Host path: raise ``ValueError``/``TypeError`` where scikit-learn 1.9.1 raises, naming the
function, the argument and the values at fault. JAX path (traced inputs): the same conditions
are computed as a traced boolean and the result becomes NaN (:func:`nan_if`); shape errors raise
at trace time.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

__all__: list[str] = []


def nan_if(bad: Any, res: Any) -> Any:
    """``res`` with NaN where the traced flag ``bad`` is set (the jit path's "raises")."""
    if bad is None:
        return res
    return jnp.where(bad, jnp.nan, res)


def any_bad(*flags: Any) -> Any:
    """Logical or of traced flags (``None`` entries skipped); ``None`` when there are none."""
    out = None
    for f in flags:
        if f is not None:
            out = f if out is None else out | f
    return out


def traced_not_finite(*xs: Any) -> Any:
    """True when any traced float array holds NaN or infinity."""
    return any_bad(*[~jnp.isfinite(x).all() for x in xs
                     if x is not None and jnp.issubdtype(jnp.asarray(x).dtype, jnp.inexact)])


def traced_not_integer(y: jax.Array) -> Any:
    """True when a traced label array holds a non-integer (or non-finite) value."""
    if not jnp.issubdtype(y.dtype, jnp.inexact):
        return None
    return ~(jnp.isfinite(y) & (y == jnp.round(y))).all()


def traced_binary01(y: jax.Array) -> jax.Array:
    """True when traced labels are not all in {0, 1} and not all in {-1, 1}."""
    return ~(((y == 0) | (y == 1)).all() | ((y == -1) | (y == 1)).all())


def check_weight(metric: str, w: Any) -> None:
    """Host ``sample_weight``: real and finite (scikit-learn's ``_check_sample_weight``)."""
    if w is None:
        return
    a = np.asarray(w)
    if a.dtype.kind == "c":
        raise TypeError(f"{metric}: sample_weight must be real; got dtype {a.dtype}.")
    if a.dtype.kind in "fc" and not np.isfinite(a).all():
        raise ValueError(f"{metric}: sample_weight must not contain NaN or infinity; got "
                         f"{a[~np.isfinite(a)][:3].tolist()}.")


def check_labels(metric: str, y: np.ndarray) -> None:
    """Host ``y_true`` of a classification: finite, and integer-valued when it is float."""
    if y.dtype.kind != "f":
        return
    if not np.isfinite(y).all():
        raise ValueError(f"{metric}: y_true must not contain NaN or infinity; got non-finite values.")
    if not np.array_equal(y, np.round(y)):
        frac = y[y != np.round(y)][:3].tolist()
        raise ValueError(f"{metric}: y_true must hold class labels; got continuous values such as {frac}.")


def check_nonempty(metric: str, arg: str, a: Any) -> None:
    """scikit-learn's "Found array with 0 sample(s)" (host and trace time: a shape fact)."""
    shape = tuple(np.shape(a))
    if len(shape) == 0 or shape[0] == 0:
        raise ValueError(f"{metric}: {arg} must hold at least one sample; got shape {shape}.")


def check_same_length(metric: str, **arrays: Any) -> int:
    """Equal first dimensions (at trace time too); returns it."""
    shapes = {k: tuple(np.shape(v)) for k, v in arrays.items() if v is not None}
    lengths = {k: (s[0] if s else 1) for k, s in shapes.items()}
    if len(set(lengths.values())) > 1:
        raise ValueError(f"{metric}: inputs must have the same number of samples; got shapes {shapes}.")
    return next(iter(lengths.values()))


def check_ndim(metric: str, arg: str, a: Any, allowed: tuple[int, ...] = (1, 2)) -> None:
    """Array rank in ``allowed`` (a trace-time shape check)."""
    if np.ndim(a) not in allowed:
        raise ValueError(f"{metric}: {arg} must be {' or '.join(f'{d}-D' for d in allowed)}; "
                         f"got shape {tuple(np.shape(a))}.")
