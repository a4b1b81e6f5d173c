"""Synthetic inputs for the benchmarks: one generator per input kind, deterministic, float32.

A *row* is one sample: regression and binary inputs are ``(n, 1)`` (Keras' usual model output),
categorical and distribution inputs ``(n, classes)``, sparse labels ``(n,)`` against ``(n, classes)``
scores, label pairs ``(n, 1)`` int32. Inputs are made once per (kind, rows, classes) and reused by
every metric of that kind (see :class:`InputCache`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["KINDS", "InputCache", "input_bytes", "make_inputs", "memory_ok"]

KINDS = ("regression", "binary", "categorical", "sparse", "labels", "distribution")


def _probs(rng: np.random.Generator, n: int, c: int) -> np.ndarray:
    p = rng.random((n, c), dtype=np.float32) + np.float32(0.05)
    p /= p.sum(axis=1, keepdims=True)
    return p


def make_inputs(kind: str, n: int, classes: int = 10, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``(y_true, y_pred)`` host arrays of ``kind`` with ``n`` rows.

    >>> t, p = make_inputs("sparse", 4, classes=3)
    >>> t.shape, t.dtype.name, p.shape, p.dtype.name
    ((4,), 'int32', (4, 3), 'float32')
    """
    rng = np.random.default_rng(seed)
    if kind == "regression":  # positive targets: mape, msle and poisson are defined
        t = rng.random((n, 1), dtype=np.float32) * np.float32(2) + np.float32(0.1)
        p = rng.random((n, 1), dtype=np.float32) * np.float32(2) + np.float32(0.1)
        return t, p
    if kind == "binary":
        t = (rng.random((n, 1), dtype=np.float32) < 0.4).astype(np.float32)
        p = np.clip(t * np.float32(0.3) + rng.random((n, 1), dtype=np.float32) * np.float32(0.7),
                    0, 1).astype(np.float32)
        return t, p
    if kind in ("categorical", "sparse"):
        labels = rng.integers(0, classes, n, dtype=np.int32)
        p = _probs(rng, n, classes)
        p[np.arange(n), labels] += np.float32(0.3) * rng.random(n, dtype=np.float32)
        p /= p.sum(axis=1, keepdims=True)
        if kind == "sparse":
            return labels, p
        return np.eye(classes, dtype=np.float32)[labels], p
    if kind == "labels":
        ti = rng.integers(0, classes, (n, 1), dtype=np.int32)
        hit = rng.random((n, 1)) < 0.7
        pi = np.where(hit, ti, rng.integers(0, classes, (n, 1), dtype=np.int32)).astype(np.int32)
        return ti, pi
    if kind == "distribution":
        return _probs(rng, n, classes), _probs(rng, n, classes)
    raise ValueError(f"make_inputs: kind must be one of {KINDS}; got {kind!r}.")


def input_bytes(kind: str, n: int, classes: int = 10) -> int:
    """Bytes of ``make_inputs(kind, n, classes)`` without making them."""
    per_row = {"regression": 8, "binary": 8, "labels": 8, "categorical": 8 * classes,
               "distribution": 8 * classes, "sparse": 4 + 4 * classes}
    if kind not in per_row:
        raise ValueError(f"input_bytes: kind must be one of {KINDS}; got {kind!r}.")
    return per_row[kind] * n


def available_memory() -> int | None:
    """Bytes of memory available now (``None`` where unknown)."""
    try:
        import psutil

        return int(psutil.virtual_memory().available)
    except ImportError:
        pass
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def memory_ok(kind: str, n: int, classes: int = 10, factor: float = 6.0) -> tuple[bool, str]:
    """Whether ``factor`` times the input bytes fit in available memory (host copy, device copy,
    a peer's intermediates), and a note saying so."""
    need = factor * input_bytes(kind, n, classes)
    avail = available_memory()
    if avail is None or need <= avail:
        return True, ""
    return False, f"needs about {need / 1e9:.1f} GB, {avail / 1e9:.1f} GB available"


class InputCache:
    """Host and device inputs by (kind, rows, classes, backend); holds one row count at a time, so
    memory stays bounded by the largest size in use."""

    def __init__(self) -> None:
        self._host: dict[tuple[Any, ...], tuple[np.ndarray, ...]] = {}
        self._dev: dict[tuple[Any, ...], tuple[Any, ...]] = {}

    def _evict(self, n: int) -> None:
        for store in (self._host, self._dev):
            for key in [k for k in store if k[1] != n]:
                del store[key]

    def host(self, kind: str, n: int, classes: int = 10) -> tuple[np.ndarray, ...]:
        """Host (NumPy) inputs."""
        key = (kind, n, classes)
        if key not in self._host:
            self._evict(n)
            self._host[key] = make_inputs(kind, n, classes)
        return self._host[key]

    def device(self, kind: str, n: int, classes: int, backend: str) -> tuple[Any, ...]:
        """The same inputs on the first device of ``backend`` (copied once)."""
        from jmetrics.bench._timing import device_put

        key = (kind, n, classes, backend)
        if key not in self._dev:
            self._dev[key] = device_put(self.host(kind, n, classes), backend)
        return self._dev[key]

    def clear(self) -> None:
        """Drop every cached array."""
        self._host.clear()
        self._dev.clear()
