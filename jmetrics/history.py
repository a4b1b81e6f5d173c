"""Per-epoch logs as Keras keeps them, Keras' progress-bar formatting, and History plots.

- :class:`History`: ``history.history`` is a dict of per-epoch lists, as ``keras.callbacks.History``
  (``model.fit(...).history``); validation values get the ``val_`` prefix.
- :func:`format_logs`: the ``"loss: 1.0596e-04 - mse: 1.0596e-04"`` part of Keras 3's progress line.
- :meth:`History.plot`: one panel per metric (training and validation curves) written to a PNG.
  matplotlib is imported only there.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

__all__ = ["History", "format_logs", "format_value"]


def _scalar_or_array(value: Any) -> Any:
    """A Python float for a scalar (JAX, NumPy or Python), else a NumPy array."""
    arr = np.asarray(value)
    if arr.ndim == 0:
        return float(arr)
    return arr


def format_value(value: Any, *, verbose: int = 1) -> str:
    """One value as Keras 3's ``Progbar`` prints it.

    ``{:.4f}`` when ``|value| > 1e-3``, else ``{:.4e}`` (``verbose=1``, the per-step bar). The
    ``verbose=2`` epoch line tests ``value > 1e-3`` without the absolute value, so negative values
    print in exponent form there (as Keras 3 does). Arrays print their mean, as Keras does.

    >>> format_value(0.25), format_value(1.0596e-04), format_value(-0.5), format_value(-0.5, verbose=2)
    ('0.2500', '1.0596e-04', '-0.5000', '-5.0000e-01')
    """
    if verbose not in (1, 2):
        raise ValueError(f"format_value: verbose must be 1 or 2; got {verbose!r}.")
    if not isinstance(value, float):
        value = np.mean(np.asarray(value))
    big = abs(value) > 1e-3 if verbose == 1 else value > 1e-3
    return f"{value:.4f}" if big else f"{value:.4e}"


def format_logs(logs: Mapping[str, Any], *, verbose: int = 1) -> str:
    """The metrics part of Keras 3's progress line: ``"key: value - key: value"``.

    Values are formatted by :func:`format_value` in the order of ``logs`` (pass
    ``Collection.logs(values)`` to get Keras' order back after ``jax.jit``).

    >>> format_logs({"loss": 1.0596e-04, "mse": 1.0596e-04, "mae": 0.0093})
    'loss: 1.0596e-04 - mse: 1.0596e-04 - mae: 0.0093'
    """
    return " - ".join(f"{k}: {format_value(v, verbose=verbose)}" for k, v in logs.items())


class History:
    """Per-epoch logs, as ``keras.callbacks.History``: ``history.history[key]`` lists one value per epoch.

    ``History()`` starts empty; ``History(keras_model.fit(...).history)`` wraps logs Keras already
    made (to plot them the same way). :meth:`append` adds one epoch: the training logs and, with
    ``val_logs``, the validation logs under ``val_<key>`` (keys that already start with ``val_``
    are kept). Values may be JAX or NumPy scalars (stored as Python floats) or arrays.

    >>> h = History()
    >>> h.append({"loss": 0.5, "mse": 0.5}, val_logs={"loss": 0.75, "mse": 0.75})
    {'loss': 0.5, 'mse': 0.5, 'val_loss': 0.75, 'val_mse': 0.75}
    >>> h.append({"loss": 0.25, "mse": 0.25})["loss"]
    0.25
    >>> h.history["loss"], h.epoch, len(h)
    ([0.5, 0.25], [0, 1], 2)
    >>> h.line()
    'loss: 0.2500 - mse: 0.2500'
    """

    def __init__(self, history: Mapping[str, Iterable[Any]] | None = None) -> None:
        self.history: dict[str, list[Any]] = {}
        self.epoch: list[int] = []
        self._epochs: dict[str, list[int]] = {}  # the epochs each key was logged in
        if history is not None:
            if not isinstance(history, Mapping):
                raise TypeError(f"History: history must be a dict of per-epoch lists; got "
                                f"{type(history).__name__}.")
            for key, values in history.items():
                self.history[str(key)] = [_scalar_or_array(v) for v in values]
            n = max((len(v) for v in self.history.values()), default=0)
            self.epoch = list(range(n))
            self._epochs = {k: list(range(n - len(v), n)) for k, v in self.history.items()}

    def append(self, logs: Mapping[str, Any] | None = None, *,
               val_logs: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Record one epoch; returns its merged logs (training keys, then ``val_`` keys)."""
        merged: dict[str, Any] = {}
        for source, prefix in ((logs, ""), (val_logs, "val_")):
            if source is None:
                continue
            if not isinstance(source, Mapping):
                arg = "logs" if prefix == "" else "val_logs"
                raise TypeError(f"History.append: {arg} must be a dict of values; got "
                                f"{type(source).__name__}.")
            for key, value in source.items():
                name = key if (not prefix or key.startswith(prefix)) else prefix + key
                merged[name] = _scalar_or_array(value)
        epoch = len(self.epoch)
        self.epoch.append(epoch)
        for key, value in merged.items():
            self.history.setdefault(key, []).append(value)
            self._epochs.setdefault(key, []).append(epoch)
        return merged

    def __len__(self) -> int:
        return len(self.epoch)

    def __getitem__(self, key: str) -> list[Any]:
        return self.history[key]

    def __repr__(self) -> str:
        return f"History(epochs={len(self)}, keys={list(self.history)})"

    def _key_epochs(self, key: str) -> list[int]:
        """The epochs ``history[key]`` was logged in (aligned to the last epochs if edited by hand)."""
        values, epochs = self.history[key], self._epochs.get(key, [])
        if len(epochs) != len(values):
            n = len(self.epoch)
            epochs = list(range(n - len(values), n))
        return epochs

    def last(self, epoch: int = -1) -> dict[str, Any]:
        """The logs of one epoch (the last by default), for the keys that epoch has."""
        n = len(self.epoch)
        if not -n <= epoch < n:
            raise IndexError(f"History.last: epoch must be in [{-n}, {n}); got {epoch}.")
        index = epoch % n
        out = {}
        for key, values in self.history.items():
            epochs = self._key_epochs(key)
            if index in epochs:
                out[key] = values[epochs.index(index)]
        return out

    def line(self, epoch: int = -1, *, verbose: int = 1) -> str:
        """Keras' progress-line text of one epoch (see :func:`format_logs`)."""
        return format_logs(self.last(epoch), verbose=verbose)

    def plot(self, path: str | os.PathLike[str], keys: Iterable[str] | None = None, *,
             title: str | None = None) -> str:
        """Write a PNG with one panel per metric: training curve and, if logged, ``val_`` curve.

        ``keys`` picks the metrics (training names, e.g. ``["loss", "mse"]``; default all). Needs
        matplotlib (imported here, not at import time). Returns the path written.
        """
        try:
            from matplotlib.figure import Figure
        except ImportError:
            raise ImportError("History.plot: matplotlib is required to plot a History; install it "
                              "with `pip install matplotlib`.") from None
        bases = list(dict.fromkeys(k[4:] if k.startswith("val_") else k for k in self.history))
        if keys is not None:
            keys = list(keys)
            unknown = [k for k in keys if k not in bases]
            if unknown:
                raise ValueError(f"History.plot: keys must be logged metrics {bases}; got {unknown}.")
            bases = keys
        if not bases:
            raise ValueError("History.plot: the history must hold at least one epoch; got none.")
        cols = min(len(bases), 3)
        rows = math.ceil(len(bases) / cols)
        fig = Figure(figsize=(4.2 * cols, 3.2 * rows), layout="constrained")
        axes = fig.subplots(rows, cols, squeeze=False).ravel()
        for ax, base in zip(axes, bases, strict=False):
            for key, label in ((base, "train"), (f"val_{base}", "validation")):
                values = self.history.get(key)
                if values:
                    epochs = [e + 1 for e in self._key_epochs(key)]
                    ax.plot(epochs, [float(np.mean(v)) for v in values], marker=".", label=label)
            _flat_if_constant(ax)
            ax.set_title(base)
            ax.set_xlabel("epoch")
            ax.legend()
        for ax in axes[len(bases):]:
            ax.set_visible(False)
        if title:
            fig.suptitle(title)
        path = os.fspath(path)
        fig.savefig(path, format="png", dpi=100)
        return path


def _flat_if_constant(ax: Any) -> None:
    """Plot values that differ only by float rounding as one flat line, on a plain axis.

    Matplotlib zooms onto the range of the data and labels it with an offset (``1e-7 + 1``), so
    rounding noise of a constant metric looks like drops. The y axis never uses an offset, and a
    panel whose values span less than a millionth of their size gets a range of +-5% around them.
    """
    ax.ticklabel_format(axis="y", useOffset=False, style="plain")
    values = np.concatenate([np.asarray(line.get_ydata(), np.float64) for line in ax.get_lines()])
    values = values[np.isfinite(values)]
    if values.size == 0:
        return
    low, high = float(values.min()), float(values.max())
    center = (low + high) / 2
    if high - low <= 1e-6 * max(abs(center), 1e-12):
        pad = 0.05 * abs(center) if center else 0.05
        ax.set_ylim(center - pad, center + pad)
