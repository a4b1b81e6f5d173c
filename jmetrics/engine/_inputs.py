"""The inputs of one evaluation: columns (or a chunk iterable) and the checks that need no data pass."""

from __future__ import annotations

import itertools
import math
import os
from collections.abc import Iterator
from typing import Any

import jax
import numpy as np

from jmetrics.engine._checks import as_numbers, check_dtype, check_rows
from jmetrics.engine._chunks import _Chunk, _column_chunks, _device_chunk, _iterable_chunks
from jmetrics.engine._files import is_paths, lined_up, open_column
from jmetrics.engine._sources import Column

__all__ = ["_Source"]

_WHO = "evaluate"
_CHUNK_BYTES = 16 * 2**20  # input bytes per chunk by default (at most): small enough that the
# first chunk's read, which nothing overlaps, is short; large enough that per-chunk costs vanish
NAMES = ("y_true", "y_pred", "sample_weight")


class _Source:
    """The three inputs as columns (or a chunk iterable), with the checks that need no data pass."""

    def __init__(self, y_true: Any, y_pred: Any, sample_weight: Any, model_axis: int | None):
        self.model_axis = model_axis
        self.on_device = False
        self.iterable = None
        self.columns: list[Column] = []
        if y_pred is None:
            if (isinstance(y_true, (str, os.PathLike)) or hasattr(y_true, "shape")
                    or is_paths(y_true)):
                raise TypeError(f"{_WHO}: y_pred is missing; pass y_pred, or pass y_true as an "
                                "iterable of (y_true, y_pred[, sample_weight]) chunks.")
            self.iterable = iter(y_true)
            first = next(self.iterable, None)
            if first is None:
                raise ValueError(f"{_WHO}: the chunk iterable is empty.")
            if isinstance(first, (tuple, list)):
                first = tuple(as_numbers(np.asarray(a), f"{name} (chunk 0)")
                              for a, name in zip(first, NAMES, strict=False))
            self._first = first
            self.weighted = len(self._first) == 3
            return
        self.on_device = isinstance(y_true, jax.Array) and isinstance(y_pred, jax.Array)
        pred_rows = 1 if model_axis == 0 else 0
        if model_axis is not None:
            ndim = None if isinstance(y_pred, (str, os.PathLike)) or is_paths(y_pred) else \
                len(np.shape(y_pred))
            if not isinstance(model_axis, int) or model_axis < 0 or (ndim is not None and
                                                                     model_axis >= ndim):
                raise ValueError(f"{_WHO}: model_axis must be an axis of y_pred; got {model_axis!r}"
                                 f" for y_pred of {ndim} dimensions.")
        yt = open_column(y_true, "y_true")
        yp = open_column(y_pred, "y_pred", pred_rows)
        self.columns = [yt, yp]
        if sample_weight is not None:
            w = open_column(sample_weight, "sample_weight")
            if len(w.shape) != 1 and not (len(w.shape) == 2 and w.shape[1] == 1):
                raise ValueError(f"{_WHO}: sample_weight must have one value per row, shape "
                                 f"({yt.rows},); got {w.shape}.")
            self.columns.append(w)
        for c in self.columns:
            _numeric_column(c)
        rows = [c.rows for c in self.columns]
        if len(set(rows)) != 1:
            raise ValueError(f"{_WHO}: y_true, y_pred{', sample_weight' if sample_weight is not None else ''}"
                             f" must have the same number of rows; got "
                             f"{', '.join(map(str, rows))} ({self.describe()}).")
        lined_up(self.columns)
        check_rows(rows[0], [c.label for c in self.columns])
        self.weighted = sample_weight is not None

    def describe(self) -> str:
        """The data's shapes and where they come from, for messages."""
        if self.iterable is not None:
            return ", ".join(f"{name} chunk 0 shape {np.shape(a)}"
                             for name, a in zip(NAMES, self._first, strict=False))
        return ", ".join(f"{c.label} shape {c.shape}" for c in self.columns)

    @property
    def rows(self) -> int | None:
        return self.columns[0].rows if self.columns else None

    def sample(self, n: int = 65536) -> tuple[np.ndarray, np.ndarray]:
        """A few rows of y_true and y_pred (model axis removed) to look at."""
        if self.iterable is not None:
            yt, yp = self._first[0][:n], self._first[1]
        else:
            yt, yp = self.columns[0].read(0, n), self.columns[1].read(0, n)
        if self.model_axis is not None:
            yp = np.take(yp, 0, axis=self.model_axis)
        return yt, yp[:n]

    def sparse_classes(self) -> int:
        """C when y_true holds integer class ids for y_pred's C classes (checked during the pass)."""
        yt, yp = self.sample(1)
        t_shape, p_shape = yt.shape[1:], yp.shape[1:]
        if len(p_shape) >= 1 and p_shape[-1] > 1 and (t_shape == p_shape[:-1] or
                                                      t_shape == (*p_shape[:-1], 1)):
            return int(p_shape[-1])
        return 0

    def chunk_rows(self, batch_size: int | None, n_devices: int) -> int:
        if self.on_device:  # already in device memory: one chunk, as the arrays are
            batch_size = max(self.rows or 0, 1)
        elif batch_size is None:
            yt, yp = self.sample(1)
            per_row = max(1, yt[:1].nbytes + yp[:1].nbytes * (1 if self.model_axis is None else
                                                              self._models()))
            batch_size = max(1024, _CHUNK_BYTES // per_row)
            if self.rows is not None:  # equal chunks: the last one is not mostly padding
                batch_size = max(1, math.ceil(self.rows / math.ceil(max(self.rows, 1) / batch_size)))
        return n_devices * math.ceil(batch_size / n_devices)

    def _models(self) -> int:
        if self.iterable is not None:
            return int(self._first[1].shape[self.model_axis or 0])
        return int(self.columns[1].shape[self.model_axis or 0])

    def chunks(self, size: int) -> Iterator[_Chunk]:
        if self.iterable is not None:
            return _iterable_chunks(itertools.chain([self._first], self.iterable), size,
                                    self.model_axis)
        if self.on_device:
            return iter([_device_chunk(self.columns, size, self.model_axis)])
        start, stop = _process_rows(self.rows or 0)
        return _column_chunks(self.columns, start, stop, size, self.model_axis)


def _numeric_column(c: Column) -> None:
    """Refuse non-numbers before any reading; convert an in-memory object array once."""
    if isinstance(c.data, np.ndarray) and c.data.dtype.kind == "O":
        c.data = as_numbers(c.data, c.label)
        c.dtype = c.data.dtype
    check_dtype(np.dtype(c.dtype), c.label)


def _process_rows(rows: int) -> tuple[int, int]:
    """This process's row range under jax.distributed (all rows in a single process)."""
    p, count = jax.process_index(), jax.process_count()
    return rows * p // count, rows * (p + 1) // count

