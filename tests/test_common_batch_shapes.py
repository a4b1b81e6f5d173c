"""Every class with a Keras 3 counterpart, on 1-D, 2-D and 3-D batches, against Keras 3 itself.

Registry-driven like ``tests/test_common.py``: each class says what it takes (``input_kind``), how
to build it (``example_args``) and, where it accepts more than Keras 3, what that means
(``sample_weight_from_left``: a lower-rank weight covers each sample's elements). Several batches
are streamed, an empty one among them, with no weight, per-sample weights, full-shape weights,
``(N, 1)`` and scalar weights. Oracle: Keras 3 (JAX backend) fed the same batches:

- Keras gives a value: jmetrics gives the same.
- Keras raises: jmetrics raises ``ValueError``/``TypeError`` naming the metric and a shape, unless
  the class declares ``sample_weight_from_left`` and Keras accepts the same weights written out in
  full (broadcast from the left to the labels' shape, or one weight per sample when they are
  constant within a sample, or column by column for a per-class result); then that is the oracle.
- An empty batch changes nothing in jmetrics. Keras 3 counts an empty rank-1 batch as one sample
  when its function reduces the last axis (NaN for the mean of nothing, 0 for the cosine); where
  the empty batch changes Keras' result, the oracle is Keras fed the other batches.
"""

from __future__ import annotations

import re
import warnings

import keras
import numpy as np
import pytest

from tests.test_common import CLASSES, instance

C, D, A = 4, 3, 2
SIZES = (3, 0, 3)  # one non-empty size: each update compiles once per rank and kind
KERAS_CLASSES = [c for c in CLASSES if hasattr(keras.metrics, c.__name__) and c.input_kind != "values"]
CASES = [(rank, w) for rank in (1, 2, 3) for w in (None, "sample", "full")] + [
    (2, "column"), (2, "scalar")]


def label_shape(kind: str, rank: int, n: int) -> tuple[int, ...]:
    """The shape of y_true for a batch of rank ``rank`` (y_pred's rank; sparse: the labels')."""
    if kind in ("categorical", "multilabel"):
        return ((C,), (n, C), (n, A, C))[rank - 1]
    if kind == "sparse":
        return ((n,), (n, A), (n, A, 2))[rank - 1]
    return ((n,), (n, D), (n, A, D))[rank - 1]


def make_batch(kind: str, rank: int, n: int, r: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    s = label_shape(kind, rank, n)
    if kind == "regression":
        t = r.normal(size=s)
        return t.astype(np.float32), (t + r.normal(scale=0.5, size=s)).astype(np.float32)
    if kind == "binary":
        return r.integers(0, 2, s).astype(np.float32), r.uniform(size=s).astype(np.float32)
    if kind == "labels":
        return r.integers(0, 3, s).astype(np.float32), r.integers(0, 3, s).astype(np.float32)
    if kind == "sparse":
        return r.integers(0, C, s).astype(np.int32), r.dirichlet(np.ones(C), size=s).astype(np.float32)
    p = r.dirichlet(np.ones(C), size=s[:-1]).astype(np.float32)
    return np.eye(C, dtype=np.float32)[r.integers(0, C, s[:-1])], p


def make_weight(cls: type, how: str | None, t: np.ndarray, r: np.random.Generator) -> np.ndarray | None:
    if how is None:
        return None
    n = t.shape[0] if t.ndim else 1
    shape = {"sample": (n,), "full": t.shape, "column": (n, 1), "scalar": ()}[how]
    if getattr(cls, "keras_oracle_weights", "float") == "integer":  # Keras truncates float weights
        return r.integers(0, 3, shape).astype(np.float32)
    return r.uniform(0.25, 2.0, shape).astype(np.float32)


def stream(cls: type, rank: int, how: str | None) -> list[tuple[np.ndarray, np.ndarray, np.ndarray | None]]:
    r = np.random.default_rng(rank * 10 + len(how or ""))
    out = []
    for n in SIZES:
        t, p = make_batch(cls.input_kind, rank, n, r)
        out.append((t, p, make_weight(cls, how, t, r)))
    return out


def keras_value(cls: type, batches: list) -> np.ndarray:
    args = {k: v for k, v in cls.example_args.items() if k not in getattr(cls, "jmetrics_only_options", ())}
    km = getattr(keras.metrics, cls.__name__)(**args)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for t, p, w in batches:
            km.update_state(t, p, sample_weight=w)
        return np.asarray(km.result(), np.float64)


def keras_or_error(cls: type, batches: list) -> np.ndarray | Exception:
    """Keras' result, or its error; an empty batch that changes Keras' result is left out."""
    nonempty = [b for b in batches if np.size(b[0]) and np.size(b[1])]
    try:
        full = keras_value(cls, batches)
    except Exception as err:  # noqa: BLE001  (Keras raises its backend's own error types)
        full = err
    if len(nonempty) == len(batches):
        return full
    without = keras_or_error(cls, nonempty)
    if isinstance(full, Exception) or isinstance(without, Exception):
        return without
    return full if np.allclose(full, without, rtol=1e-6, equal_nan=True) else without


def written_out(cls: type, batches: list, how: str) -> list:
    """The same weights in a shape Keras may accept (see the module docstring); [] if none."""
    out = []
    for t, p, w in batches:
        n = t.shape[0] if t.ndim else 1
        target = t.shape[:-1] if cls.input_kind == "categorical" else t.shape  # one per value
        try:
            w = np.broadcast_to(w.reshape(w.shape + (1,) * (len(target) - w.ndim)), target)
            if how == "per_sample":
                flat = w.reshape(n, int(np.prod(target[1:])))
                if not np.all(flat == flat[:, :1]):
                    return []
                w = flat[:, 0]
        except ValueError:
            return []
        out.append((t, p, np.array(w)))
    return out


def oracle(cls: type, batches: list) -> np.ndarray | Exception:
    want = keras_or_error(cls, batches)
    if not isinstance(want, Exception) or batches[0][2] is None:
        return want
    if not getattr(cls, "sample_weight_from_left", False):
        return want
    for how in ("left", "per_sample"):
        alt = written_out(cls, batches, how)
        if alt:
            got = keras_or_error(cls, alt)
            if not isinstance(got, Exception):
                return got
    # A per-class result: class c only reads column c, so each column's weights are separate.
    columns = [keras_or_error(cls, [(t, p, np.asarray(w[..., c])) for t, p, w in batches])
               for c in range(batches[0][2].shape[-1] if batches[0][2].ndim == 2 else 0)]
    if columns and not any(isinstance(v, Exception) for v in columns) and columns[0].shape == (len(columns),):
        return np.array([v[c] for c, v in enumerate(columns)])
    return want


def jmetrics_value(cls: type, batches: list) -> np.ndarray:
    m = instance(cls)
    s = m.init()
    for t, p, w in batches:
        s = m.update(s, t, p, sample_weight=w)
    return np.asarray(m.compute(s), np.float64)


@pytest.mark.parametrize("rank, how", CASES, ids=[f"rank{r}-{w}" for r, w in CASES])
@pytest.mark.parametrize("cls", KERAS_CLASSES, ids=lambda c: c.__name__)
def test_batch_shapes_match_keras3(cls, rank, how):
    batches = stream(cls, rank, how)
    want = oracle(cls, batches)
    if isinstance(want, Exception):
        with pytest.raises((ValueError, TypeError)) as err:
            jmetrics_value(cls, batches)
        message = str(err.value)
        assert instance(cls).display_name in message or cls.__name__ in message, message
        assert re.search(r"\(\d*(, \d+)*,?\)", message), message
        return
    np.testing.assert_allclose(jmetrics_value(cls, batches), want, rtol=1e-5, atol=1e-6)
