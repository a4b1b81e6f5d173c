"""Bad input (NaN and inf, out-of-range labels, negative weights): one rule, two faces.

Used by the curve, confusion-count, IoU, F-score, calibration and ranking metrics. Each metric says
which entries are bad (docs/keras-compat.md, "Curves and confusion metrics: bad input"); entries
of weight 0 are never bad, since weight 0 is removing the row. Then:

- **eagerly** (concrete inputs: ``check_inputs``, which ``update_state`` calls, or ``update``
  called on concrete arrays) a bad entry raises ``ValueError`` naming the metric, the argument and
  the offending values (:func:`fail_if`);
- **under jit**, where nothing can be raised, the update adds a NaN (:func:`poison`) into one of
  the state's compensated sums. Sums stay NaN through ``merge`` and ``all_reduce``, so the
  merged state's ``compute`` is NaN. The kernels find bad rows inside the pass they already make
  (an extra histogram key, or a NaN weight), never in a separate pass over the batch.

Weights must be finite. Most metrics here also refuse a negative weight: it is not a count, and it
would put an IoU or a histogram AUC outside [0, 1] (scikit-learn's ``roc_auc_score`` then fails on
a non-monotone curve). The threshold counts behind Keras' ``AUC``, ``Precision``,
``TruePositives``... and the F-scores take negative weights as Keras 3 does (summed as given:
``signed=True``).
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

__all__ = ["bad_weight", "check_weights", "fail_if", "isnan", "nonfinite", "np_float", "poison",
           "route_bad"]

_SHOWN = 8  # distinct offending values quoted in an error message

WEIGHTS = "finite and >= 0"
SIGNED_WEIGHTS = "finite"


def nonfinite(x: jax.Array) -> jax.Array:
    """``~isfinite(x)`` for floating ``x``; all False for integers and bools (always finite)."""
    if jnp.issubdtype(x.dtype, jnp.inexact):
        return ~jnp.isfinite(x)
    return jnp.zeros(x.shape, bool)


def isnan(x: jax.Array) -> jax.Array:
    """``isnan(x)`` for floating ``x``; all False otherwise."""
    if jnp.issubdtype(x.dtype, jnp.inexact):
        return jnp.isnan(x)
    return jnp.zeros(x.shape, bool)


def bad_weight(w: jax.Array, signed: bool = False) -> jax.Array:
    """True where a weight is NaN, infinite or negative (``~(0 <= w < inf)``); with ``signed``,
    where it is NaN or infinite (``~isfinite(w)``)."""
    return ~jnp.isfinite(w) if signed else ~((w >= 0) & (w < jnp.inf))


def route_bad(keys: jax.Array, w: jax.Array, bad: jax.Array, bad_key: int
              ) -> tuple[jax.Array, jax.Array]:
    """The bad-row flag of a weighted histogram: ``(keys, w)`` with bad rows sent to ``bad_key``
    and weighing ``[w != 0]`` there (0 or 1), so that key is nonzero exactly when a row of nonzero
    weight was bad (weight 0 removes a row, whatever it holds)."""
    return jnp.where(bad, bad_key, keys), jnp.where(bad, (w != 0).astype(w.dtype), w)


def poison(flag: jax.Array, dtype: Any) -> jax.Array:
    """A scalar of ``dtype``: NaN where ``flag`` is true, else 0 (added into a state's sums)."""
    return jnp.where(flag, jnp.asarray(jnp.nan, dtype), jnp.asarray(0, dtype))


def np_float(x: Any) -> np.ndarray:
    """A float64 NumPy copy of a concrete array (bool, int, half and bfloat16 included)."""
    return np.asarray(np.asarray(x), dtype=np.float64)


def fail_if(who: str, arg: str, expected: str, values: Any, bad: Any,
            scope: str = "of nonzero weight") -> None:
    """Raise ``ValueError`` if any entry of ``bad`` is set, quoting the distinct offending values.

    ``"{who}: {arg} must be {expected}; got [nan, 2.0] (3 entries of nonzero weight)."``
    """
    bad = np.asarray(bad, bool)
    if not bad.any():
        return
    got = np.unique(np.broadcast_to(np_float(values), bad.shape)[bad])
    shown = "[" + ", ".join(f"{v:.7g}" for v in got[:_SHOWN])
    shown += f", ... ({got.size - _SHOWN} more)]" if got.size > _SHOWN else "]"
    n = int(bad.sum())
    raise ValueError(
        f"{who}: {arg} must be {expected}; got {shown} ({n} entr{'y' if n == 1 else 'ies'} "
        f"{scope}). Under jit the result is NaN instead."
    )


def check_weights(who: str, w: Any, signed: bool = False) -> np.ndarray:
    """Raise unless every weight is finite and >= 0 (``signed``: finite); return them as float64
    NumPy."""
    wn = np_float(w)
    if signed:
        fail_if(who, "sample_weight", SIGNED_WEIGHTS, wn, ~np.isfinite(wn))
    else:
        fail_if(who, "sample_weight", WEIGHTS, wn, ~((wn >= 0) & (wn < np.inf)))
    return wn
