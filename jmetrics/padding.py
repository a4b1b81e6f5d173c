"""Padding a ragged last batch to a fixed size, so a jitted training step traces once.

Padding rows get weight 0, and weight 0 equals removing the row for every metric.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

__all__ = ["pad_batch"]


def pad_batch(arrays: Any, size: int, sample_weight: Any = None) -> tuple[Any, Any]:
    """Pad a (ragged last) batch to ``size`` rows; padding rows get weight 0.

    ``arrays`` is any pytree of arrays sharing the leading (batch) axis, e.g. ``(x, y)`` or a dict.
    Rows are padded by repeating the last row (so padded inputs stay in every metric's domain;
    an empty batch is padded with zeros). Returns ``(padded_arrays, weights)`` with ``weights`` of
    shape ``(size,)``: ``sample_weight`` (or 1) for real rows, 0 for padding. Weight 0 equals
    removing the row, so a jitted step that always sees ``size`` rows traces once for the whole
    loop and gives the same results. Works on NumPy arrays (host side, before the step) and JAX
    arrays.

    >>> import numpy as np
    >>> (x,), w = pad_batch((np.array([1., 2., 3.]),), 5)
    >>> x.tolist(), w.tolist()
    ([1.0, 2.0, 3.0, 3.0, 3.0], [1.0, 1.0, 1.0, 0.0, 0.0])
    """
    leaves, treedef = jax.tree.flatten(arrays)
    if not leaves:
        raise ValueError("pad_batch: arrays must hold at least one array; got none.")
    shapes = [np.shape(x) for x in leaves]
    if any(len(s) == 0 for s in shapes) or len({s[0] for s in shapes}) != 1:
        raise ValueError(f"pad_batch: arrays must share a leading batch axis; got shapes {shapes}.")
    n = shapes[0][0]
    if not isinstance(size, (int, np.integer)) or size < n:
        raise ValueError(f"pad_batch: size must be an int >= the batch size {n}; got {size!r}.")
    size = int(size)

    def pad(x: Any) -> Any:
        xp = jnp if isinstance(x, jax.Array) else np
        x = xp.asarray(x)
        if n == size:
            return x
        if n == 0:
            return xp.zeros((size, *x.shape[1:]), x.dtype)
        return xp.concatenate([x, xp.repeat(x[-1:], size - n, axis=0)], axis=0)

    if sample_weight is None:
        weights = np.zeros(size, np.float32)
        weights[:n] = 1
    else:
        w = np.asarray(sample_weight, np.float32)
        if w.shape != (n,):
            raise ValueError(f"pad_batch: sample_weight must have shape ({n},); got {w.shape}.")
        weights = np.concatenate([w, np.zeros(size - n, np.float32)])
    return jax.tree.unflatten(treedef, [pad(x) for x in leaves]), weights
