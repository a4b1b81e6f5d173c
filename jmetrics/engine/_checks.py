"""What the engine checks on the host: that inputs hold real numbers, that there is data at all,
and that errors about shapes name the data's shapes and files, not the chunk the step was traced on.

Values (NaN/inf rows and weights, negative weights, label ranges) are checked on the devices during
the pass, in the same fused step as the metrics (see ``_step.Checks``); everything here looks at
dtypes and shapes only, except the one conversion of an in-memory object array.
"""

from __future__ import annotations

import decimal
import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["as_numbers", "check_dtype", "check_rows", "reword_shape_error"]

_WHO = "evaluate"
_KINDS = {"U": "strings", "S": "bytes", "V": "structured records", "M": "datetimes",
          "m": "time deltas"}


def check_dtype(dtype: np.dtype[Any], label: str) -> None:
    """Refuse what is not a real number: complex, strings, bytes, records, dates.

    >>> check_dtype(np.dtype(np.complex64), "y_pred")
    Traceback (most recent call last):
    ...
    TypeError: evaluate: y_pred must hold real numbers; got complex values (complex64).
    """
    if dtype.kind == "c":
        raise TypeError(f"{_WHO}: {label} must hold real numbers; got complex values ({dtype}).")
    if dtype.kind in _KINDS:
        raise TypeError(f"{_WHO}: {label} must hold numbers; got {_KINDS[dtype.kind]} ({dtype}).")


def as_numbers(a: np.ndarray, label: str) -> np.ndarray:
    """``a`` as numbers the devices can hold: native byte order, object arrays of numbers converted
    to float64 (as ``sklearn.utils.check_array`` does), anything else refused with a TypeError.

    >>> as_numbers(np.array([1, 2.5], object), "y_true").dtype
    dtype('float64')
    >>> as_numbers(np.array([1.0], ">f4"), "y_true").dtype.isnative
    True
    """
    if a.dtype.kind == "O":
        return _objects_to_float(a, label)
    check_dtype(a.dtype, label)
    if not a.dtype.isnative:
        return a.astype(a.dtype.newbyteorder("="))
    return a


def _objects_to_float(a: np.ndarray, label: str) -> np.ndarray:
    for item in a.flat:
        if not isinstance(item, (numbers.Real, decimal.Decimal)):
            what = "missing values (None)" if item is None else type(item).__name__
            raise TypeError(f"{_WHO}: {label} must hold numbers; got an object array holding "
                            f"{what} (first: {item!r}).")
    return a.astype(np.float64)


def check_rows(rows: int | None, labels: Sequence[str]) -> None:
    """No rows is an error, not a metric of 0 (or NaN): there is nothing to evaluate."""
    if rows == 0:
        raise ValueError(f"{_WHO}: {', '.join(labels)} must have at least one row; got 0 rows. "
                         "There is nothing to evaluate.")


def reword_shape_error(err: Exception, shapes: str) -> Exception:
    """A metric's shape or dtype error, raised while tracing the chunk step, restated with the
    data's shapes (``shapes``: e.g. ``"y_true (y.npy) shape (3000,), y_pred ..."``) instead of the
    shapes of the chunk it was traced on.

    >>> print(reword_shape_error(ValueError("mse: y_true and y_pred must have the same shape; got "
    ...                                   "(16,) and (16, 3)."), "y_true shape (40,), y_pred "
    ...                          "shape (40, 3)"))
    evaluate: mse: y_true and y_pred must have the same shape; got y_true shape (40,),
    y_pred shape (40, 3).
    """
    message = str(err)
    head, sep, _ = message.partition("; got ")
    if sep:
        return type(err)(f"{_WHO}: {head}; got {shapes}.")
    return type(err)(f"{_WHO}: {message.rstrip('.')} (the data: {shapes}).")
