"""Slice keys on the host: read once, encoded to int32 slice codes, cut to the chunks of the pass.

A key is an array of N values (ints, bools, strings) or a column spec (``"preds.parquet:country"``,
``"keys.npy"``, ``"t.csv:region"``); a list of keys crosses them. Each key is encoded to its
sorted distinct values and every row's index among them (:func:`unique_inverse`); crossed keys are
combined pairwise into the codes of the value combinations that occur (compacted after each pair,
so codes never overflow). The codes (4 bytes per row) are held in memory; chunk ``i`` of the pass
takes rows ``[start + i * size, start + i * size + valid)``.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from jmetrics.engine._sources import aligned_empty

__all__ = ["_Slices"]

_WHO = "evaluate"


class _Slices:
    """The slice of every row (``codes``), the slices' values and row counts."""

    def __init__(self, slice_by: Any) -> None:
        keys = _key_list(slice_by)
        codes: Any = None
        values: Any = None
        for key in keys:
            table, inverse = _encode(key)
            if codes is None:
                codes, values = inverse, [(v,) for v in table]
                continue
            if len(inverse) != len(codes):
                raise ValueError(f"{_WHO}: slice_by keys must have the same number of rows; got "
                                 f"{len(codes)} and {len(inverse)} ({_describe(key)}).")
            pairs = codes.astype(np.int64) * len(table) + inverse
            seen, codes = unique_inverse(pairs)
            values = [values[p // len(table)] + (table[p % len(table)],) for p in seen.tolist()]
        assert codes is not None and values is not None
        self.codes = codes.astype(np.int32).reshape(-1)
        self.values = [v[0] if len(keys) == 1 else v for v in values]
        self.rows = np.bincount(self.codes, minlength=len(self.values))
        self.crossed = len(keys) > 1

    @property
    def count(self) -> int:
        return len(self.values)

    def check_rows(self, rows: int | None) -> None:
        """The keys must have one value per row of the data."""
        if rows is not None and rows != len(self.codes):
            raise ValueError(f"{_WHO}: slice_by must have one value per row; got {len(self.codes)} "
                             f"values for {rows} rows.")

    def chunk(self, start: int, position: int, valid: int, size: int) -> np.ndarray:
        """The codes of one chunk's rows, padded with 0 to ``size`` (the padding weighs 0)."""
        lo = start + position * size
        part = self.codes[lo:lo + valid]
        if len(part) != valid:
            raise ValueError(f"{_WHO}: slice_by must have one value per row; got "
                             f"{len(self.codes)} values for more rows.")
        out = aligned_empty((size,), np.int32)
        out[:valid] = part
        out[valid:] = 0
        return out


def _key_list(slice_by: Any) -> list[Any]:
    """One key, or a list of keys to cross (a list of arrays or paths; a list of plain values is
    one key)."""
    if isinstance(slice_by, (list, tuple)) and slice_by and all(_is_key(k) for k in slice_by):
        return list(slice_by)
    return [slice_by]


def _is_key(k: Any) -> bool:
    if isinstance(k, (str, os.PathLike)):
        path = os.fspath(k)
        return os.path.exists(path) or os.path.exists(path.rpartition(":")[0] or path)
    return hasattr(k, "shape") or isinstance(k, (list, tuple))


def _describe(key: Any) -> str:
    if isinstance(key, (str, os.PathLike)):
        return os.fspath(key)
    return f"an array of shape {np.shape(key)}"


def _encode(key: Any) -> tuple[list[Any], np.ndarray]:
    """The sorted distinct values of a key (as Python scalars) and every row's index among them."""
    values = _read(key)
    if values.ndim == 2 and values.shape[1] == 1:
        values = values[:, 0]
    if values.ndim != 1:
        raise ValueError(f"{_WHO}: slice_by must have one value per row (shape (N,)); got shape "
                         f"{values.shape} ({_describe(key)}).")
    if values.dtype.kind == "O":
        values = _objects(values, key)
    if values.dtype.kind in "fc" and np.isnan(values).any():
        raise ValueError(f"{_WHO}: slice_by must not hold NaN; got {int(np.isnan(values).sum())} "
                         f"NaN value(s) ({_describe(key)}).")
    if values.dtype.kind not in "biufUS":
        raise TypeError(f"{_WHO}: slice_by must hold ints, bools or strings; got {values.dtype} "
                        f"({_describe(key)}).")
    table, inverse = unique_inverse(values)
    return table.tolist(), inverse.reshape(-1)


def unique_inverse(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(values, return_inverse=True)`` (sorted distinct values, each row's index among
    them) in O(N) where possible: integers and bools spanning at most ``max(2**20, 2 N)`` values
    by a bincount of the values present; other keys by ``pandas.factorize(sort=True)`` (a hash
    table) when pandas is installed. ``np.unique`` sorts all N values: at 1e7 rows that is seconds,
    more than the pass itself."""
    if values.dtype.kind in "biu" and values.size:
        ints = values.astype(np.int64) if values.dtype.kind == "b" else values
        lo, hi = int(ints.min()), int(ints.max())
        if hi - lo < max(2**20, 2 * values.size):
            shifted = (ints - lo).astype(np.intp) if lo else ints.astype(np.intp, copy=False)
            present = np.bincount(shifted, minlength=hi - lo + 1) > 0
            table = (np.flatnonzero(present) + lo).astype(values.dtype)
            return table, (np.cumsum(present) - 1)[shifted]
    try:
        import pandas  # optional: faster than a sort for strings and floats
    except ImportError:
        return np.unique(values, return_inverse=True)
    codes, table = pandas.factorize(values, sort=True)
    return np.asarray(table, dtype=values.dtype), codes


def _objects(values: np.ndarray, key: Any) -> np.ndarray:
    """An object column (e.g. strings read by pyarrow) as a NumPy string or number array."""
    missing = sum(v is None for v in values.tolist())
    if missing:
        raise ValueError(f"{_WHO}: slice_by has {missing} missing (None/null) value(s) "
                         f"({_describe(key)}).")
    if all(isinstance(v, str) for v in values.tolist()):
        return values.astype(str)
    if all(isinstance(v, bytes) for v in values.tolist()):
        return values.astype(bytes)
    try:
        return values.astype(np.float64 if any(isinstance(v, float) for v in values) else np.int64)
    except (TypeError, ValueError):
        kinds = sorted({type(v).__name__ for v in values.tolist()})
        raise TypeError(f"{_WHO}: slice_by must hold ints, bools or strings; got values of types "
                        f"{', '.join(kinds)} ({_describe(key)}).") from None


def _read(key: Any) -> np.ndarray:
    """A key's values: arrays as they are; paths read whole (a key column is small)."""
    if not isinstance(key, (str, os.PathLike)):
        return np.asarray(key)
    from jmetrics.engine._files import open_column
    from jmetrics.engine._sources import _split

    spec = os.fspath(key)
    path, member = _split(spec)
    ext = os.path.splitext(path)[1].lower()
    if not os.path.exists(path):
        raise FileNotFoundError(f"{_WHO}: slice_by file {path} does not exist.")
    if ext in (".parquet", ".arrow", ".feather", ".ipc"):
        return _read_arrow(path, member, ext)
    if ext in (".csv", ".txt"):
        return _read_csv(path, member)
    column = open_column(spec, "slice_by")
    return column.read(0, column.rows)


def _read_arrow(path: str, member: str | None, ext: str) -> np.ndarray:
    import pyarrow as pa  # optional extra: jmetrics[parquet]

    if ext == ".parquet":
        import pyarrow.parquet as pq

        names = pq.ParquetFile(path).schema_arrow.names
        table: Any = pq.read_table(path, columns=[member]) if member in names else None
    else:
        table = pa.ipc.open_file(pa.memory_map(path, "r")).read_all()
        names = table.column_names
    if member is None or member not in names:
        raise ValueError(f"{_WHO}: slice_by needs a column of {path}: {path}:COLUMN; columns: "
                         f"{', '.join(names)}.")
    column = table.column(member)
    if column.null_count:
        raise ValueError(f"{_WHO}: slice_by has {column.null_count} missing (null) value(s) "
                         f"({path}:{member}).")
    return np.asarray(column.to_numpy())


def _read_csv(path: str, member: str | None) -> np.ndarray:
    import csv

    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    header = [h.strip() for h in rows[0]] if rows else []
    if member is None or (member not in header and not member.isdigit()):
        raise ValueError(f"{_WHO}: slice_by needs a column of {path}: {path}:COLUMN; columns: "
                         f"{', '.join(header)}.")
    col = header.index(member) if member in header else int(member)
    body = rows[1:] if member in header else rows
    cells = [r[col].strip() for r in body if r]
    for cast in (int, float):
        try:
            return np.array([cast(c) for c in cells])
        except ValueError:
            continue
    return np.array(cells, dtype=str)
