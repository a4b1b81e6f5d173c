"""Where a column comes from (:func:`open_column`), and many files as one column: a list of paths or a glob, read in order, chunked across file ends.

``["a.npy", "b.npy"]``, ``"preds/*.npy"`` or ``"preds/*.parquet:label"`` (the member or column
after the last ``:``, as for one file) become one :class:`FileColumn` whose rows are the files'
rows one after the other (a glob's matches in sorted order). ``read(start, stop)`` reads only the
files the range touches and joins their parts, so a chunk may span two files and memory stays
bounded by the chunk. At most two files are open at a time (the one being read and the one before),
whatever the number of files.
"""

from __future__ import annotations

import bisect
import glob
import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from jmetrics.engine._sources import Column, open_path

__all__ = ["FileColumn", "expand_paths", "findable", "is_paths", "lined_up", "open_column"]

_WHO = "evaluate"
_OPEN = 2  # files kept open: a chunk spans at most the previous file and the next


def findable(spec: str) -> bool:
    """An existing file (``PATH[:member]``), or a glob (expanded, and named if empty, later)."""
    return (os.path.exists(spec) or os.path.exists(spec.rpartition(":")[0] or spec)
            or glob.has_magic(spec))


def is_paths(source: Any) -> bool:
    """A glob pattern, or a list/tuple of paths.

    A list of strings is taken as paths when one of them names a file or is a glob (so that a
    missing file among them is named as such); otherwise it is data (e.g. slice keys).
    """
    if isinstance(source, (str, os.PathLike)):
        spec = os.fspath(source)
        return glob.has_magic(spec) and not os.path.exists(spec)
    return (isinstance(source, (list, tuple)) and len(source) > 0
            and all(isinstance(s, (str, os.PathLike)) for s in source)
            and any(isinstance(s, os.PathLike) or findable(s) for s in source))


def _glob(spec: str, name: str) -> list[str]:
    """The sorted matches of ``PATTERN[:member]``, each with the member appended."""
    matches = sorted(glob.glob(spec))
    if matches or ":" not in spec:
        if not matches:
            raise FileNotFoundError(f"{_WHO}: {name} pattern {spec!r} matches no file.")
        return matches
    pattern, _, member = spec.rpartition(":")
    matches = sorted(glob.glob(pattern))
    if not matches:
        raise FileNotFoundError(f"{_WHO}: {name} pattern {pattern!r} (from {spec!r}) matches no "
                                "file.")
    return [f"{m}:{member}" for m in matches]


def expand_paths(source: Any, name: str) -> list[str]:
    """Every file of ``source`` (a glob, or a list of paths and globs), in reading order."""
    if not isinstance(source, (list, tuple)):
        source = [source]
    out: list[str] = []
    for s in source:
        spec = os.fspath(s)
        out += _glob(spec, name) if glob.has_magic(spec) and not os.path.exists(spec) else [spec]
    return out


def _summary(specs: Sequence[str]) -> str:
    if len(specs) <= 3:
        return ", ".join(specs)
    return f"{specs[0]}, {specs[1]}, ..., {specs[-1]}: {len(specs)} files"


class FileColumn(Column):
    """The rows of several files, one after the other (see the module docstring).

    ``starts[i]`` is the first row of file ``i``; rows ``starts[i]:starts[i + 1]`` come from
    ``specs[i]``. Every file must have the same shape after the row axis; dtypes are promoted
    to one (``np.result_type``) so that every chunk has the same dtype.
    """

    def __init__(self, specs: Sequence[str], name: str, row_axis: int = 0) -> None:
        self.specs = list(specs)
        self.name, self.row_axis, self.data = name, row_axis, None
        self.label = f"{name} ({_summary(self.specs)})"
        self._open: dict[int, Column] = {}
        self.decodes = False
        counts, dtypes, inner = [], [], None
        for i, spec in enumerate(self.specs):
            col = self._column(i)
            shape = col.shape[:row_axis] + col.shape[row_axis + 1:]
            if inner is not None and shape != inner[1]:
                raise ValueError(
                    f"{_WHO}: {name} files must have the same shape apart from the rows; "
                    f"{inner[0]} has {inner[1]} and {spec} has {shape} (shape {col.shape}).")
            inner = inner or (self.specs[0], shape)
            counts.append(col.rows)
            dtypes.append(col.dtype)
            self.decodes = self.decodes or col.decodes
        assert inner is not None
        self.counts = counts
        self.starts = np.cumsum([0, *counts]).tolist()
        self.dtype = np.result_type(*dtypes)
        self.shape = (*inner[1][:row_axis], self.starts[-1], *inner[1][row_axis:])

    def _column(self, i: int) -> Column:
        col = self._open.get(i)
        if col is None:
            col = open_path(self.specs[i], self.name, self.row_axis)
            if len(self._open) >= _OPEN:  # drop the oldest: reading moves forward
                del self._open[next(iter(self._open))]
            self._open[i] = col
        return col

    def read(self, start: int, stop: int) -> np.ndarray:
        start, stop = max(start, 0), min(stop, self.rows)
        parts = []
        i = max(bisect.bisect_right(self.starts, start) - 1, 0)
        while start < stop and i < len(self.specs):
            lo, hi = start - self.starts[i], min(stop, self.starts[i + 1]) - self.starts[i]
            if hi > lo:
                parts.append(self._column(i).read(lo, hi).astype(self.dtype, copy=False))
            start, i = self.starts[i] + hi, i + 1
        if not parts:
            shape = list(self.shape)
            shape[self.row_axis] = 0
            return np.zeros(tuple(shape), self.dtype)
        return parts[0] if len(parts) == 1 else np.concatenate(parts, axis=self.row_axis)


def open_files(source: Any, name: str, row_axis: int = 0) -> Column:
    """A column over every file of ``source``; one file is opened as itself."""
    specs = expand_paths(source, name)
    if len(specs) == 1:
        column = open_path(specs[0], name, row_axis)
        if column.label == name:
            column.label = f"{name} ({specs[0]})"
        return column
    return FileColumn(specs, name, row_axis)


def lined_up(columns: Sequence[Column]) -> None:
    """Raise when two columns read from several files do not split their rows at the same
    places: row ``r`` of one would then come from a different file than row ``r`` of the other."""
    many = [c for c in columns if isinstance(c, FileColumn)]
    for a, b in zip(many, many[1:], strict=False):
        if a.starts == b.starts:
            continue
        edge = next(e for e in sorted(set(a.starts) ^ set(b.starts)))
        i = bisect.bisect_right(a.starts, edge - 1) - 1 if edge else 0
        j = bisect.bisect_right(b.starts, edge - 1) - 1 if edge else 0
        i, j = min(i, len(a.specs) - 1), min(j, len(b.specs) - 1)
        raise ValueError(
            f"{_WHO}: the files of {a.name} and {b.name} do not line up row for row: "
            f"{a.name} file {a.specs[i]} holds rows {a.starts[i]} to {a.starts[i + 1]} "
            f"({a.counts[i]} rows) but {b.name} file {b.specs[j]} holds rows {b.starts[j]} to "
            f"{b.starts[j + 1]} ({b.counts[j]} rows); the files must hold the same rows, in the "
            "same order.")


def open_column(source: Any, name: str, row_axis: int = 0) -> Column:
    """A :class:`Column` from an array, a memory map, a path (``PATH[:member]``), or many
    files (a list of paths, a glob)."""
    if is_paths(source):
        return open_files(source, name, row_axis)
    if isinstance(source, (str, os.PathLike)):
        column = open_path(os.fspath(source), name, row_axis)
        if column.label == name:
            column.label = f"{name} ({os.fspath(source)})"
        return column
    if hasattr(source, "shape") and hasattr(source, "dtype"):
        return Column(source, name, row_axis)
    if isinstance(source, (list, tuple)):
        return Column(np.asarray(source), name, row_axis)
    raise TypeError(f"{_WHO}: {name} must be an array, a path or an iterable of chunks; got "
                    f"{type(source).__name__}.")
