"""Peers: the libraries people use today, imported lazily; a missing one is a note, not an error.

Each peer gets its native inputs prepared outside the timed region (host NumPy arrays for NumPy and
scikit-learn, zero-copy CPU tensors for torchmetrics, device arrays for Keras 3 and metrax), and
returns a zero-argument callable computing the metric once from fresh inputs.

- ``numpy``: the formula written in NumPy as a user would.
- ``sklearn``: ``sklearn.metrics``.
- ``torchmetrics``: the functional API on CPU tensors.
- ``keras``: Keras 3 on the JAX backend, eager: ``reset_state``, ``update_state``, ``result``.
- ``keras-jit``: the same metric jitted through ``stateless_update_state``/``stateless_result``.
- ``metrax``: google-metrax, ``from_model_output(...).compute()`` under ``jax.jit``.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
from collections.abc import Callable
from typing import Any

import jax
import numpy as np

from jmetrics.bench._cases import Case, Skip
from jmetrics.bench._data import available_memory

__all__ = ["PEERS", "TORCH_CPU_INDEX", "install_hint", "keras_module", "make_peer", "peer_status",
           "peer_versions"]

PEERS = ("numpy", "sklearn", "torchmetrics", "keras", "keras-jit", "metrax")
TORCH_CPU_INDEX = "https://download.pytorch.org/whl/cpu"  # CPU-only torch wheels (no CUDA download)
HOST_PEERS = ("numpy", "sklearn", "torchmetrics")  # run on the host whatever the JAX backend

_PACKAGES = {"sklearn": ("sklearn", "scikit-learn"), "torchmetrics": ("torchmetrics", "torchmetrics"),
             "keras": ("keras", "keras"), "keras-jit": ("keras", "keras"),
             "metrax": ("metrax", "google-metrax")}


def peer_status(name: str) -> str | None:
    """``None`` when peer ``name`` can run here, else a one-line note why not."""
    if name not in PEERS:
        raise ValueError(f"jmetrics bench: peers must be among {list(PEERS)}; got {name!r}.")
    if name == "numpy":
        return None
    module, dist = _PACKAGES[name]
    missing = [m for m in ((module, "torch") if name == "torchmetrics" else (module,))
               if importlib.util.find_spec(m) is None]
    if missing:
        return f"{name}: not installed ({install_hint(name)})"
    if name.startswith("keras"):
        try:
            keras_module()
        except Skip as err:
            return f"{name}: {err}"
    return None


def install_hint(name: str) -> str:
    """How to install peer ``name``: scikit-learn and Keras come with the ``bench`` extra,
    torchmetrics and metrax with the ``peers`` extra (CPU-only torch first, from PyTorch's index).

    >>> install_hint("torchmetrics")
    "pip install torch --index-url https://download.pytorch.org/whl/cpu, then pip install 'jmetrics[peers]'"
    """
    if name in ("sklearn", "keras", "keras-jit"):
        return f"pip install {_PACKAGES[name][1]}, or pip install 'jmetrics[bench]'"
    if name == "torchmetrics":
        return f"pip install torch --index-url {TORCH_CPU_INDEX}, then pip install 'jmetrics[peers]'"
    return f"pip install {_PACKAGES[name][1]}, or pip install 'jmetrics[peers]'"


def keras_module() -> Any:
    """Keras 3 on the JAX backend (``KERAS_BACKEND=jax`` is set if unset); Skip otherwise."""
    os.environ.setdefault("KERAS_BACKEND", "jax")
    import keras

    if not keras.__version__.startswith("3") or keras.backend.backend() != "jax":
        raise Skip(f"needs Keras 3 on the JAX backend; got keras {keras.__version__} on "
                   f"{keras.backend.backend()!r} (set KERAS_BACKEND=jax before importing keras)")
    return keras


def peer_versions() -> dict[str, str]:
    """Versions of the installed peers (for the report)."""
    out = {"numpy": np.__version__, "jax": jax.__version__}
    for module, dist in (("sklearn", "scikit-learn"), ("torch", "torch"),
                         ("torchmetrics", "torchmetrics"), ("keras", "keras"),
                         ("metrax", "google-metrax")):
        if importlib.util.find_spec(module) is None:
            continue
        try:
            from importlib.metadata import version

            out[dist] = version(dist)
        except Exception:  # noqa: BLE001 - a version is nice to have
            out[dist] = "?"
    return out


def _keras_metric(c: Case) -> Any:
    keras = keras_module()
    assert c.keras is not None
    name, options = c.keras
    if name.startswith("fn:"):
        return keras.metrics.MeanMetricWrapper(getattr(keras.losses, name[3:]), **options)
    return getattr(keras.metrics, name)(**options)


def _metrax_check(c: Case, n: int) -> None:
    if c.name == "auc":  # metrax's binned AUCROC builds a (thresholds, N) array
        need = n * 200 * 4 * 3
        avail = available_memory()
        if avail is not None and need > avail / 2:
            raise Skip(f"metrax AUCROC builds a 200 x N array (about {need / 1e9:.0f} GB here)")


def make_peer(name: str, c: Case, host: tuple[np.ndarray, ...], dev: tuple[Any, ...]
              ) -> Callable[[], Any]:
    """A zero-argument callable computing ``c`` with peer ``name``; Skip when it cannot."""
    note = peer_status(name)
    if note is not None:
        raise Skip(note)
    t, p = host
    if name == "numpy":
        fn = c.numpy
        if fn is None:
            raise Skip(f"numpy: no reference for {c.name}")
        return lambda: fn(t, p)
    if name == "sklearn":
        sk_fn = c.sklearn
        if sk_fn is None:
            raise Skip(f"sklearn: no {c.name}")
        skm = importlib.import_module("sklearn.metrics")
        return lambda: sk_fn(skm, t, p)
    if name == "torchmetrics":
        th_fn = c.torch
        if th_fn is None:
            raise Skip(f"torchmetrics: no {c.name}")
        torch = importlib.import_module("torch")
        functional = importlib.import_module("torchmetrics.functional")
        tt, tp = torch.from_numpy(t), torch.from_numpy(p)
        ti = tt.long() if c.kind in ("binary", "labels", "sparse") else None
        return lambda: th_fn(torch, functional, tt, tp, ti)
    if name in ("keras", "keras-jit"):
        if c.keras is None:
            raise Skip(f"{name}: no {c.name}")
        metric = _keras_metric(c)
        dt, dp = dev
        if name == "keras":
            def eager() -> Any:
                metric.reset_state()
                metric.update_state(dt, dp)
                return metric.result()

            return eager
        variables = [v.value for v in metric.variables]

        def stateless(vs: Any, a: Any, b: Any) -> Any:
            return metric.stateless_result(metric.stateless_update_state(vs, a, b))

        compiled = jax.jit(stateless).lower(variables, dt, dp).compile()
        return lambda: compiled(variables, dt, dp)
    if name == "metrax":
        mx_fn = c.metrax
        if mx_fn is None:
            raise Skip(f"metrax: no {c.name}")
        _metrax_check(c, t.shape[0])
        metrax = importlib.import_module("metrax")
        dt, dp = dev
        compiled_mx = jax.jit(lambda a, b: mx_fn(metrax, a, b)).lower(dt, dp).compile()
        return lambda: compiled_mx(dt, dp)
    raise ValueError(f"jmetrics bench: peers must be among {list(PEERS)}; got {name!r}.")
