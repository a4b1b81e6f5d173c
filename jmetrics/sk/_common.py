"""Shared machinery of the scikit-learn-named functions: input checks, label encoding, the host/JAX
split, results and warnings.

Every function in :mod:`jmetrics.sk` has two paths:

- **Host path** (all inputs concrete: NumPy arrays, lists, scipy.sparse indicators, or JAX arrays
  outside ``jit``): inputs are checked as scikit-learn checks them and computed exactly (integer
  counts in int64, weighted sums in float64). Results are what scikit-learn returns: a Python
  ``float`` or NumPy arrays (:func:`host_result`).
- **JAX path** (inside ``jit``/``vmap``): shapes decide the problem type, class counts come from
  static arguments or shapes, nothing is inferred from values, and undefined results are NaN (a
  traced function cannot warn or raise on values; :func:`poison`, :func:`nonfinite` and
  :func:`no_weight` turn bad labels or weights into NaN; an empty batch is a shape, refused at
  trace time by :func:`empty_targets`).

Checks shared by every function (names kept stable for all ``jmetrics.sk`` modules):
:func:`check_consistent` (``check_consistent_length``), :func:`host_weight`
(``_check_sample_weight``), :func:`check_finite` (``assert_all_finite``). Classification targets:
:func:`check_targets` (``_check_targets`` with ``type_of_target``) returns :class:`Targets` whose
labels are int64 codes into the sorted classes (numbers, strings or objects); :func:`label_codes`
looks ``pos_label`` or ``labels`` up by value; :func:`host_labels` reads one label input (sparse
made dense, legacy sequences and bytes refused). Messages use scikit-learn's words after the
function name.
"""

from __future__ import annotations

import functools
import os
import sys
import warnings
from collections.abc import Sequence
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from jmetrics._floor._checks import accum_dtype
from jmetrics._floor._dtypes import host_widen_half

__all__ = [
    "Targets",
    "UndefinedMetricWarning",
    "check_consistent",
    "column_or_1d",
    "check_finite",
    "check_targets",
    "empty_targets",
    "host",
    "host_labels",
    "host_result",
    "host_weight",
    "is_traced",
    "jax_weight",
    "label_codes",
    "no_weight",
    "nonfinite",
    "out",
    "poison",
    "type_of_target",
    "user_stacklevel",
    "warn",
]


class UndefinedMetricWarning(UserWarning):
    """Warned (on the host path) where scikit-learn warns ``UndefinedMetricWarning``.

    The value returned with it is scikit-learn's (NaN, 0 or the ``zero_division`` value).
    """


def is_traced(*xs: Any) -> bool:
    """True when any argument is a JAX tracer (we are inside ``jit``/``vmap``/``grad``)."""
    return any(isinstance(x, jax.core.Tracer) for x in xs)


def host(x: Any, metric: str, arg: str) -> np.ndarray:
    """A NumPy array of a concrete input (bf16/f16 become float32; object arrays are refused)."""
    try:
        a = np.asarray(x)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{metric}: {arg} must be an array of numbers; got {type(x).__name__}. {err}") from None
    a = host_widen_half(a)  # bfloat16 (NumPy kind "V") first: it is a number
    if a.dtype == object or a.dtype.kind in "USV":
        raise TypeError(f"{metric}: {arg} must be an array of numbers; got dtype {a.dtype}.")
    return a


def _length(metric: str, x: Any) -> int:
    """scikit-learn's ``_num_samples``: the first dimension (a scalar has none)."""
    if hasattr(x, "shape") and x.shape is not None:
        if len(x.shape) == 0:
            raise TypeError(f"{metric}: Singleton array {np.asarray(x)!r} cannot be considered a valid "
                            "collection.")
        return int(x.shape[0])
    if isinstance(x, (str, bytes)) or not hasattr(x, "__len__"):
        raise TypeError(f"{metric}: Expected sequence or array-like, got {type(x)}.")
    return len(x)


def host_weight(metric: str, w: Any, n: int, *, allow_all_zero: bool = False) -> np.ndarray | None:
    """``sample_weight`` checked as scikit-learn's ``_check_sample_weight``: a float64 ``(n,)``
    vector (a scalar is broadcast; ``None`` stays ``None``).

    Raises ``ValueError`` for complex values, more than one dimension, a length other than ``n``,
    NaN or infinity, and (unless ``allow_all_zero``) weights that are all zero.
    """
    if w is None:
        return None
    a = np.asarray(w)
    if a.dtype.kind == "c":
        raise ValueError(f"{metric}: Complex data not supported; got sample_weight of dtype {a.dtype}.")
    try:
        a = a.astype(np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{metric}: sample_weight must be an array of numbers; got dtype {a.dtype}.") from None
    if a.ndim == 0:
        a = np.full(n, float(a))
    if a.ndim != 1:
        raise ValueError(f"{metric}: Sample weights must be 1D array or scalar, got {a.ndim}D array. "
                         f"Expected either a scalar value or a 1D array of length {n}.")
    if a.shape != (n,):
        raise ValueError(f"{metric}: Found input variables with inconsistent numbers of samples: "
                         f"[{n}, {n}, {a.shape[0]}] (sample_weight must have shape ({n},)).")
    check_finite(metric, "sample_weight", a)
    if not allow_all_zero and n and not np.any(a):
        raise ValueError(f"{metric}: sample_weight must contain at least one non-zero number; got all "
                         "zeros.")
    return a


def jax_weight(metric: str, w: Any, n: int, dtype: Any = None) -> jax.Array | None:
    """Traced ``sample_weight`` broadcast to ``(n,)`` in ``dtype`` (the accumulation dtype by
    default); ``None`` stays ``None``. The jit-path twin of :func:`host_weight`."""
    if w is None:
        return None
    try:
        return jnp.broadcast_to(jnp.asarray(w, dtype or accum_dtype()), (n,))
    except ValueError:
        raise ValueError(f"{metric}: sample_weight must have shape ({n},); got {tuple(jnp.shape(w))}.") from None


def check_finite(metric: str, arg: str, a: np.ndarray, word: str | None = None) -> None:
    """scikit-learn's ``assert_all_finite``: ``ValueError`` naming the input and the value found.

    ``word``: scikit-learn's name for the input where it differs from the argument's (``y_true``
    for ``cohen_kappa_score``'s ``y1``); its wording is kept and the argument named after it.
    """
    if a.dtype.kind in "fc" and not np.isfinite(a).all():
        what = "NaN" if np.isnan(a).any() else f"infinity or a value too large for {a.dtype!r}"
        also = "" if word in (None, arg) else f"; scikit-learn checks it as {word}"
        raise ValueError(f"{metric}: Input {word or arg} contains {what} ({arg} must not contain NaN or "
                         f"infinity{also}).")


def out(x: Any) -> jax.Array:
    """A host result as a ``jax.Array`` in the accumulation dtype (float32, float64 under x64)."""
    return jnp.asarray(np.asarray(x, dtype=np.float64), dtype=accum_dtype())


def host_result(x: Any, dtype: Any = np.float64) -> Any:
    """A host result as scikit-learn returns it: a Python ``float`` for a scalar, else a NumPy
    array in ``dtype`` (float64; pass ``None`` to keep integer counts). ``None`` stays ``None``."""
    if x is None:
        return None
    a = np.asarray(x, dtype=dtype)
    return float(a) if a.ndim == 0 else a


def poison(value: Any, *bad: Any) -> Any:
    """``value`` with NaN where any of ``bad`` (boolean scalars or arrays broadcasting to it) is
    true: the jit path's answer to inputs the host path refuses (NaN labels, weights, scores)."""
    flag = functools.reduce(jnp.logical_or, [jnp.any(b) for b in bad], jnp.asarray(False))
    return jnp.where(flag, jnp.asarray(jnp.nan, value.dtype), value)


def no_weight(w: Any) -> Any:
    """True (traced scalar) when ``sample_weight`` is given and all zero: the jit twin of
    :func:`host_weight`'s refusal, for :func:`poison`."""
    return jnp.asarray(False) if w is None else ~jnp.any(jnp.asarray(w) != 0)


def nonfinite(*xs: Any) -> Any:
    """True (traced scalar) when a floating input holds NaN or infinity; for :func:`poison`."""
    flags = [~jnp.isfinite(x).all() for x in xs if x is not None and jnp.issubdtype(jnp.result_type(x), jnp.inexact)]
    return functools.reduce(jnp.logical_or, flags, jnp.asarray(False))


_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


def user_stacklevel() -> int:
    """The ``stacklevel`` for ``warnings.warn`` called by the caller of this function that points
    at the first frame outside the jmetrics package (the user's call)."""
    frame, level = sys._getframe(1), 1
    while frame.f_back is not None and frame.f_code.co_filename.startswith(_PACKAGE):
        frame, level = frame.f_back, level + 1
    return level


def warn(metric: str, message: str, *, named: bool = True) -> None:
    """Warn :class:`UndefinedMetricWarning` at the user's call: ``"{metric}: {message}"``, or
    (``named=False``) scikit-learn's exact text, for warnings its tests compare whole."""
    warnings.warn(f"{metric}: {message}" if named else message, UndefinedMetricWarning,
                  stacklevel=user_stacklevel())


def column_or_1d(metric: str, a: np.ndarray) -> np.ndarray:
    """scikit-learn's ``column_or_1d``: (n,) or (n, 1) to (n,)."""
    if a.ndim == 2 and a.shape[1] == 1:
        return a[:, 0]
    if a.ndim != 1:
        raise ValueError(f"{metric}: y should be a 1d array, got an array of shape {a.shape} instead.")
    return a


def check_consistent(metric: str, **arrays: Any) -> int:
    """scikit-learn's ``check_consistent_length``: all given arrays (``None`` skipped; a scalar
    ``sample_weight`` too) have the same first dimension; return it."""
    lengths = {k: _length(metric, v) for k, v in arrays.items()
               if v is not None and not (k == "sample_weight" and np.ndim(v) == 0)}
    if len(set(lengths.values())) > 1:
        raise ValueError(f"{metric}: Found input variables with inconsistent numbers of samples: "
                         f"{list(lengths.values())} ({', '.join(lengths)}).")
    return next(iter(lengths.values()))


# Classification targets: scikit-learn's type_of_target and _check_targets, with label encoding.


class Targets(NamedTuple):
    """Checked classification targets (host path)."""

    kind: str  # 'binary', 'multiclass' or 'multilabel-indicator'
    classes: np.ndarray  # (K,) sorted labels present (column indices for multilabel)
    y_true: np.ndarray  # (N,) int64 codes into classes, or (N, K) 0/1 indicators
    y_pred: np.ndarray  # same as y_true
    sample_weight: np.ndarray | None  # (N,) float64


def _is_sparse(y: Any) -> bool:
    return type(y).__module__.startswith("scipy.sparse")


def host_labels(metric: str, y: Any, arg: str) -> np.ndarray:
    """A label input as a NumPy array (strings and objects kept; sparse indicators made dense).

    Raises scikit-learn's errors for a string, a legacy sequence of sequences, bytes labels and
    complex numbers.
    """
    if _is_sparse(y):
        return np.asarray(y.toarray())
    if isinstance(y, (str, bytes)) or not (isinstance(y, Sequence) or hasattr(y, "__array__")):
        raise ValueError(f"{metric}: Expected array-like (array or non-string sequence) for {arg}, "
                         f"got {y!r}.")
    try:
        a = np.asarray(y)
    except ValueError:
        a = np.empty(len(y), dtype=object)
        a[:] = [np.asarray(v) if hasattr(v, "__array__") else v for v in y]
    if a.dtype.kind == "c":
        raise ValueError(f"{metric}: Complex data not supported; got {arg} of dtype {a.dtype}.")
    first = a.flat[0] if a.size else None
    if a.dtype.kind == "S" or isinstance(first, bytes):
        raise TypeError(f"{metric}: Support for labels represented as bytes is not supported. Convert "
                        f"the labels to a string or integer format (in {arg}).")
    if a.dtype == object and a.ndim == 1 and a.size:
        if isinstance(first, Sequence) and not isinstance(first, str):
            raise ValueError(
                f"{metric}: You appear to be using a legacy multi-label data representation in {arg}. "
                "Sequence of sequences are no longer supported; use a binary array or sparse matrix "
                "instead - the MultiLabelBinarizer transformer can convert to this format.")
    return host_widen_half(a)


def _integral(a: np.ndarray) -> bool:
    with np.errstate(invalid="ignore", over="ignore"):
        return bool(np.all(a.astype(np.int64).astype(a.dtype) == a))


def type_of_target(metric: str, a: np.ndarray, arg: str, word: str | None = None) -> str:
    """scikit-learn's ``type_of_target`` of a host array from :func:`host_labels`.

    One of 'binary', 'multiclass', 'continuous', 'multilabel-indicator', 'multiclass-multioutput',
    'continuous-multioutput' or 'unknown'. Non-integral floats that are NaN or infinite raise
    (``Input y_true contains NaN.``; ``word`` as in :func:`check_finite`).
    """
    if a.ndim not in (1, 2):
        return "unknown"
    if not min(a.shape):
        return "binary" if a.ndim == 1 else "unknown"
    if a.ndim == 2 and a.shape[1] > 1 and (a.dtype.kind in "biu" or a.dtype.kind == "f"):
        u = np.unique(a)
        if u.shape[0] < 3 and (a.dtype.kind in "biu" or _integral(u)):
            return "multilabel-indicator"
    if a.dtype == object and not isinstance(a.flat[0], str):
        return "unknown"
    suffix = "-multioutput" if a.ndim == 2 and a.shape[1] > 1 else ""
    if a.dtype.kind == "f" and not _integral(a):
        check_finite(metric, arg, a, word)
        return "continuous" + suffix
    if suffix or np.unique(a).shape[0] > 2:
        return "multiclass" + suffix
    return "binary"


def _unique(a: np.ndarray) -> list[Any]:
    return np.unique(a).tolist() if a.dtype != object else sorted(set(a.tolist()))


def _classes(metric: str, yt: np.ndarray, yp: np.ndarray) -> np.ndarray:
    """scikit-learn's ``unique_labels``: the sorted union; strings and numbers may not mix."""
    ut, up = _unique(yt), _unique(yp)
    if len({isinstance(v, str) for v in ut + up}) > 1:
        raise ValueError(f"{metric}: Mix of label input types (string and number); got "
                         f"{np.asarray(ut)} and {np.asarray(up)}.")
    if yt.dtype != object and yp.dtype != object and yt.dtype.kind == yp.dtype.kind:
        return np.union1d(yt, yp)
    return np.asarray(sorted(set(ut) | set(up)), dtype=object if yt.dtype == object else None)


def check_targets(metric: str, y_true: Any, y_pred: Any, sample_weight: Any = None,
                  names: tuple[str, str] = ("y_true", "y_pred")) -> Targets:
    """scikit-learn's ``_check_targets`` plus encoding: checked, encoded targets and weights.

    Order of checks as scikit-learn: lengths (with ``sample_weight``), target types (NaN/inf in
    non-integral floats), empty inputs, ``sample_weight`` values, mixed types, unsupported types.
    """
    yt, yp = host_labels(metric, y_true, names[0]), host_labels(metric, y_pred, names[1])
    n = check_consistent(metric, **{names[0]: yt, names[1]: yp}, sample_weight=sample_weight)
    tt = type_of_target(metric, yt, names[0], "y_true")
    tp = type_of_target(metric, yp, names[1], "y_pred")
    if n < 1:
        raise empty_targets(metric, names)
    w = host_weight(metric, sample_weight, n)
    kinds = {tt, tp}
    if kinds == {"binary", "multiclass"}:
        kinds = {"multiclass"}
    if len(kinds) > 1:
        raise ValueError(f"{metric}: Classification metrics can't handle a mix of {tt} and {tp} targets "
                         f"({names[0]} is {tt}, {names[1]} is {tp}).")
    kind = kinds.pop()
    if kind not in ("binary", "multiclass", "multilabel-indicator"):
        raise ValueError(f"{metric}: {kind} is not supported; got {names[0]} of shape {yt.shape} "
                         f"and {names[1]} of shape {yp.shape}.")
    if kind == "multilabel-indicator":
        if yt.shape[1] != yp.shape[1]:
            raise ValueError(f"{metric}: Multi-label binary indicator input with different numbers of "
                             f"labels; got {yt.shape[1]} and {yp.shape[1]} columns.")
        return Targets(kind, np.arange(yt.shape[1]), (yt != 0).astype(np.int64), (yp != 0).astype(np.int64), w)
    yt, yp = yt.reshape(-1), yp.reshape(-1)
    classes = _classes(metric, yt, yp)
    if kind == "binary" and classes.shape[0] > 2:
        kind = "multiclass"
    return Targets(kind, classes, label_codes(classes, yt), label_codes(classes, yp), w)


def empty_targets(metric: str, names: tuple[str, str] = ("y_true", "y_pred")) -> ValueError:
    """scikit-learn's error for targets without samples (host, and trace time: a shape fact)."""
    return ValueError(f"{metric}: Found empty input array (e.g., `y_true` or `y_pred`) while a minimum of "
                      f"1 sample is required. {names[0]} and {names[1]} are empty.")


def label_codes(classes: np.ndarray, values: Any) -> np.ndarray:
    """int64 positions of ``values`` in the sorted ``classes``; -1 where a value is not a class.

    Lookup is by value (``1 == 1.0 == True``), as scikit-learn's ``pos_label`` and ``labels``.
    """
    v = np.asarray(values, dtype=classes.dtype if classes.dtype == object else None).reshape(-1)
    if classes.shape[0] == 0:
        return np.full(v.shape, -1, dtype=np.int64)
    if classes.dtype != object and v.dtype != object and (classes.dtype.kind in "USbiuf") == (
            v.dtype.kind in "USbiuf") and (classes.dtype.kind in "US") == (v.dtype.kind in "US"):
        idx = np.clip(np.searchsorted(classes, v), 0, classes.shape[0] - 1)
        return np.where(classes[idx] == v, idx, -1).astype(np.int64)
    lookup = {c: i for i, c in enumerate(classes.tolist())}
    return np.asarray([lookup.get(x, -1) for x in v.tolist()], dtype=np.int64)
