"""Option validators: each checks one option's static value and says how to fix it.

Options are Python values fixed before tracing (numbers, flags, names), so these run at trace time,
never on traced values. Errors read ``"{metric}: {name} must be {expected}; got {actual}."``,
except the ``*_as_keras`` checks of the Keras-named classes, which keep Keras 3's own wording.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

__all__ = ["check_axis", "check_axis_type", "check_bool", "check_choice", "check_fraction", "check_int",
           "check_int_as_keras", "check_k", "check_number", "check_positive", "check_unit_as_keras"]


def check_choice(metric: str, name: str, value: Any, allowed: Iterable[Any]) -> None:
    """Raise ``ValueError`` unless ``value`` is one of ``allowed``, listing them."""
    allowed = list(allowed)
    if value not in allowed:
        raise ValueError(
            f"{metric}: {name} must be one of {allowed}; got {value!r}."
        )


def check_int(metric: str, name: str, value: Any, low: int | None = None) -> int:
    """``int(value)`` for an integer ``value`` (not bool) ``>= low``, else ``ValueError``.

    >>> check_int("MeanIoU", "num_classes", 3, low=1)
    3
    """
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or (
            low is not None and value < low):
        bound = "" if low is None else f" >= {low}"
        raise ValueError(f"{metric}: {name} must be an int{bound}; got {value!r}.")
    return int(value)


def check_axis_type(metric: str, axis: Any) -> int:
    """``int(axis)`` for an integer ``axis`` (checked against the rank later), else ``ValueError``."""
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise ValueError(f"{metric}: axis must be an int; got {axis!r}.")
    return int(axis)


def check_axis(metric: str, axis: Any, ndim: int) -> int:
    """Normalise ``axis`` for an array of rank ``ndim`` or raise ``ValueError``."""
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)) or not -ndim <= axis < ndim:
        raise ValueError(
            f"{metric}: axis must be an int in [{-ndim}, {ndim - 1}] for inputs of rank {ndim}; "
            f"got {axis!r}."
        )
    return int(axis) % ndim


def check_number(metric: str, name: str, value: Any) -> float:
    """``float(value)`` for a real Python/NumPy number (not bool), else ``TypeError``."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{metric}: {name} must be a float; got {value!r} ({type(value).__name__}).")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{metric}: {name} must be a finite float; got {value!r}.")
    return value


def check_fraction(metric: str, name: str, value: Any) -> float:
    """``float(value)`` if ``0 <= value <= 1``, else ``ValueError``."""
    v = check_number(metric, name, value)
    if not 0.0 <= v <= 1.0:
        raise ValueError(f"{metric}: {name} must be a float in [0, 1]; got {value!r}.")
    return v


def check_positive(metric: str, name: str, value: Any) -> float:
    """``float(value)`` if ``value > 0``, else ``ValueError``."""
    v = check_number(metric, name, value)
    if not v > 0.0:
        raise ValueError(f"{metric}: {name} must be a float > 0; got {value!r}.")
    return v


def check_k(metric: str, k: Any) -> int:
    """``int(k)`` for an integer ``k >= 1``, else ``ValueError``."""
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"{metric}: k must be an int >= 1; got {k!r}.")
    return int(k)


def check_bool(metric: str, name: str, value: Any, error: type[Exception] = TypeError) -> bool:
    """``value`` if it is a bool, else ``error`` (a traced flag cannot choose a formula)."""
    if not isinstance(value, (bool, np.bool_)):
        raise error(f"{metric}: {name} must be True or False; got {value!r}.")
    return bool(value)


def check_int_as_keras(metric: str, name: str, value: Any, low: int, allow_none: bool = True) -> None:
    """Raise unless ``value`` is an int >= ``low`` (or None when allowed).

    Worded as Keras 3's own check: ``Argument `num_thresholds` must be an integer > 0.``
    """
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        bound = f"> {low - 1}" if low > 0 else f">= {low}"
        raise ValueError(
            f"{metric}: Argument `{name}` must be an integer {bound}"
            f"{' or None' if allow_none else ''}. Received: {name}={value!r}."
        )


def check_unit_as_keras(metric: str, name: str, value: Any) -> float:
    """Raise unless ``value`` is a number in [0, 1]; return it as a float.

    Worded as Keras 3's own check: ``Argument `recall` must be in the range [0, 1].``
    """
    try:
        v = float(value)
    except (TypeError, ValueError):
        v = math.nan
    if not 0.0 <= v <= 1.0:
        raise ValueError(f"{metric}: Argument `{name}` must be in the range [0, 1]. Received: "
                         f"{name}={value!r}.")
    return v
