"""Bad-input checks of the ranking and probabilistic functions, on both paths.

Shape checks raise at trace time too. JAX path (traced inputs): what scikit-learn 1.9.1 refuses by
value is computed as a traced boolean (:func:`any_bad`) and the result becomes NaN
(``jmetrics.sk._common.poison``). The host path's checks are the shared ones of
``jmetrics.sk._common``.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

__all__: list[str] = []


def any_bad(*flags: Any) -> Any:
    """Logical or of traced flags (``None`` entries skipped); a traced ``False`` when there are none.
    For :func:`jmetrics.sk._common.poison`."""
    out = jnp.asarray(False)
    for f in flags:
        if f is not None:
            out = out | jnp.any(f)
    return out


def traced_not_integer(y: jax.Array) -> Any:
    """True when a traced label array holds a non-integer (or non-finite) value."""
    if not jnp.issubdtype(y.dtype, jnp.inexact):
        return None
    return ~(jnp.isfinite(y) & (y == jnp.round(y))).all()


def traced_binary01(y: jax.Array) -> jax.Array:
    """True when traced labels are not all in {0, 1} and not all in {-1, 1}."""
    return ~(((y == 0) | (y == 1)).all() | ((y == -1) | (y == 1)).all())


def traced_more_than_two(y: jax.Array) -> jax.Array:
    """True when traced labels take more than two distinct values (not a binary target, nor a
    label indicator matrix: scikit-learn's ``type_of_target`` calls them multiclass)."""
    return ~((y == y.min()) | (y == y.max())).all()  # nan-safe: a NaN label equals neither: true


def traced_zero_total(w: jax.Array | None) -> Any:
    """True when traced weights are all zero (scikit-learn's ``_check_sample_weight`` refuses
    them; ``None`` means no weights)."""
    return None if w is None else ~(w != 0).any()


def check_nonempty(metric: str, arg: str, a: Any) -> None:
    """scikit-learn's ``check_array`` of an empty input (host and trace time: a shape fact)."""
    shape = tuple(np.shape(a))
    if len(shape) == 0 or shape[0] == 0:
        raise ValueError(f"{metric}: Found array with 0 sample(s) (shape={shape}) while a minimum of 1 "
                         f"is required ({arg} is empty).")


def check_ndim(metric: str, arg: str, a: Any, allowed: tuple[int, ...] = (1, 2)) -> None:
    """Array rank in ``allowed`` (a trace-time shape check)."""
    if np.ndim(a) not in allowed:
        raise ValueError(f"{metric}: {arg} must be {' or '.join(f'{d}-D' for d in allowed)}; "
                         f"got shape {tuple(np.shape(a))}.")


def check_binary_scores(metric: str, s: Any) -> None:
    """Binary ``y_true`` takes one score per sample: ``y_score`` of shape ``(n_samples,)``."""
    if s.ndim != 1:
        raise ValueError(f"{metric}: y_score must have shape (n_samples,) for binary y_true; got "
                         f"{tuple(s.shape)}.")
