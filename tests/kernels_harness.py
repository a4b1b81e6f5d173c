"""Shared checks for the per-sample kernel tests (``tests/test_kernels_*.py``); not tests themselves.

A :class:`Case` pairs one jmetrics kernel with its oracles: the Keras 3 function (JAX backend)
reduced to one value per sample, and a float64 NumPy reference written from the formula. The
reference takes ``cdt``, the dtype the kernel computes in, only to reproduce how Keras' constants
round there (``1 - 1e-7`` is ``1 - 1.19e-7`` in float32).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pytest

Gen = Callable[[np.random.Generator], tuple[np.ndarray, np.ndarray]]

# Per-dtype tolerances (rtol, atol) against the float64 reference.
TOL = {
    "float32": (2e-5, 2e-6),
    "float64": (1e-11, 1e-13),
    "float16": (2e-3, 2e-3),
    "bfloat16": (1.6e-2, 1.6e-2),
}


@dataclasses.dataclass(frozen=True)
class Case:
    """One kernel on one kind of input."""

    id: str
    fn: Callable[..., jax.Array]  # the jmetrics kernel
    ref: Callable[..., np.ndarray]  # float64 NumPy reference: ref(t, p, cdt, **kw)
    gen: Gen  # rng -> (y_true, y_pred) NumPy arrays
    keras: Callable[..., Any] | None = None  # Keras 3: per-sample values, or None
    kw: dict[str, Any] = dataclasses.field(default_factory=dict)
    grad: bool = False  # differentiable in y_pred at these inputs
    sparse: bool = False  # y_true holds class ids
    keras_tol: tuple[float, float] = (2e-5, 2e-6)
    scale: float = 1.0  # typical magnitude of the values (scales atol)

    def inputs(self, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
        return self.gen(np.random.default_rng(seed))

    def __str__(self) -> str:
        return self.id


def ids(cases: list[Case]) -> list[str]:
    return [c.id for c in cases]


def primary(cases: list[Case], also: tuple[str, ...] = ()) -> list[Case]:
    """The first case of each kernel (plus the ids in ``also``): for the costlier generic checks."""
    seen: set[Any] = set()
    out = []
    for c in cases:
        if c.fn not in seen or c.id in also:
            seen.add(c.fn)
            out.append(c)
    return out


def keras_module() -> Any:
    import keras

    return keras


def close(actual: Any, expected: Any, rtol: float, atol: float, what: str) -> None:
    np.testing.assert_allclose(
        np.asarray(actual, np.float64), np.asarray(expected, np.float64), rtol=rtol, atol=atol,
        err_msg=what,
    )


def cast_inputs(case: Case, t: np.ndarray, p: np.ndarray, dtype: Any) -> tuple[Any, Any]:
    """Predictions (and float labels) in ``dtype``; integer labels keep their dtype."""
    p_c = jnp.asarray(p).astype(dtype)
    t_c = jnp.asarray(t).astype(dtype) if np.issubdtype(t.dtype, np.floating) else jnp.asarray(t)
    return t_c, p_c


# ---- the generic checks, each called from a parametrized test ----------------------------------


def check_keras(case: Case) -> None:
    assert case.keras is not None
    t, p = case.inputs()
    want = np.asarray(case.keras(t, p, **case.kw), np.float64)
    got = np.asarray(case.fn(jnp.asarray(t), jnp.asarray(p), **case.kw))
    assert got.shape == want.shape, (got.shape, want.shape)
    rtol, atol = case.keras_tol
    close(got, want, rtol, atol * case.scale, f"{case.id} vs Keras 3")


def check_reference(case: Case) -> None:
    t, p = case.inputs()
    got = np.asarray(case.fn(jnp.asarray(t), jnp.asarray(p), **case.kw))
    assert got.dtype == np.float32
    want = case.ref(t.astype(np.float64), p.astype(np.float64), np.float32, **case.kw)
    assert got.shape == want.shape
    assert np.all(np.isfinite(got)) == np.all(np.isfinite(want))
    rtol, atol = TOL["float32"]
    close(got, want, rtol, atol * case.scale, f"{case.id} vs float64 reference")


def check_jit(case: Case) -> None:
    t, p = case.inputs()
    eager = case.fn(jnp.asarray(t), jnp.asarray(p), **case.kw)
    jitted = jax.jit(lambda a, b: case.fn(a, b, **case.kw))(jnp.asarray(t), jnp.asarray(p))
    assert jitted.shape == eager.shape and jitted.dtype == eager.dtype
    close(jitted, eager, 2e-6, 1e-7 * case.scale, f"{case.id}: jit vs eager")


def check_vmap(case: Case) -> None:
    pairs = [case.inputs(seed) for seed in (1, 2, 3)]
    ts = jnp.stack([jnp.asarray(t) for t, _ in pairs])
    ps = jnp.stack([jnp.asarray(p) for _, p in pairs])
    mapped = jax.jit(jax.vmap(lambda a, b: case.fn(a, b, **case.kw)))(ts, ps)
    looped = jnp.stack([case.fn(jnp.asarray(t), jnp.asarray(p), **case.kw) for t, p in pairs])
    assert mapped.shape == looped.shape
    close(mapped, looped, 2e-6, 1e-7 * case.scale, f"{case.id}: vmap vs loop")


def check_dtype(case: Case, dtype: str) -> None:
    """bf16/f16 (computed in float32, returned in their dtype) and float64 (under x64)."""
    t, p = case.inputs()
    if dtype == "float64":
        with jax.enable_x64(True):
            t_c, p_c = cast_inputs(case, t, p, jnp.float64)
            got = case.fn(t_c, p_c, **case.kw)
            assert got.dtype == jnp.float64
            got, t64, p64 = np.asarray(got), np.asarray(t_c, np.float64), np.asarray(p_c)
        cdt: Any = np.float64
    else:
        t_c, p_c = cast_inputs(case, t, p, getattr(jnp, dtype))
        got = case.fn(t_c, p_c, **case.kw)
        assert got.dtype == jnp.dtype(dtype)
        got = np.asarray(got.astype(jnp.float32), np.float64)
        t64 = np.asarray(t_c.astype(jnp.float32), np.float64)  # the rounded inputs
        p64 = np.asarray(p_c.astype(jnp.float32), np.float64)
        cdt = np.float32  # half precision is computed in float32
    want = case.ref(t64, p64, cdt, **case.kw)
    if dtype != "float64":  # the exact value rounded to the output dtype (float16 overflows to inf)
        want = np.asarray(jnp.asarray(want, jnp.float32).astype(dtype).astype(jnp.float32))
    rtol, atol = TOL[dtype]
    close(got, want, rtol, atol * case.scale, f"{case.id} in {dtype} vs float64 reference")


def check_grad(case: Case) -> None:
    t, p = case.inputs()
    g = jax.jit(jax.grad(lambda q: jnp.sum(case.fn(jnp.asarray(t), q, **case.kw))))(jnp.asarray(p))
    assert g.shape == p.shape
    assert bool(jnp.all(jnp.isfinite(g))), f"{case.id}: non-finite gradient {g}"


def check_grad_numeric(case: Case) -> None:
    """Reverse-mode gradient against central differences, in float64."""
    from jax.test_util import check_grads

    t, p = case.inputs()
    with jax.enable_x64(True):
        t64 = jnp.asarray(t) if case.sparse else jnp.asarray(t, jnp.float64)
        check_grads(
            jax.jit(lambda q: case.fn(t64, q, **case.kw)), (jnp.asarray(p, jnp.float64),),
            order=1, modes=("rev",), eps=1e-6, atol=1e-5, rtol=1e-5,
        )


def check_shape_error(case: Case) -> None:
    """A second axis of the wrong size (which would broadcast or be rejected) raises."""
    t, p = case.inputs()
    name = case.fn.__name__
    if case.sparse:
        bad_t = np.zeros(p.shape[:-1] + (2,), t.dtype)
        with pytest.raises(ValueError, match=rf"{name}.*{_shape_re(bad_t.shape)}.*{_shape_re(p.shape)}"):
            case.fn(jnp.asarray(bad_t), jnp.asarray(p), **case.kw)
        return
    bad_p = np.concatenate([p, p[..., :1]], axis=-1)
    with pytest.raises(ValueError, match=rf"{name}.*{_shape_re(t.shape)}.*{_shape_re(bad_p.shape)}"):
        case.fn(jnp.asarray(t), jnp.asarray(bad_p), **case.kw)
    with pytest.raises(ValueError, match=rf"{name}.*{_shape_re(t[:1].shape)}.*{_shape_re(p.shape)}"):
        case.fn(jnp.asarray(t[:1]), jnp.asarray(p), **case.kw)  # would broadcast in Keras


def _shape_re(shape: tuple[int, ...]) -> str:
    return re.escape(str(tuple(shape)))


def check_rank1_column(case: Case) -> None:
    """``(N,)`` labels against ``(N, 1)`` predictions (and the reverse) give ``(N,)``, per row."""
    t, p = case.inputs()
    t1, p1 = t[:, :1], p[:, :1]
    want = np.asarray(case.fn(jnp.asarray(t1), jnp.asarray(p1), **case.kw))
    assert want.shape == (t.shape[0],)
    for a, b in ((t1[:, 0], p1), (t1, p1[:, 0])):
        got = np.asarray(case.fn(jnp.asarray(a), jnp.asarray(b), **case.kw))
        assert got.shape == (t.shape[0],)
        close(got, want, 1e-6, 1e-7 * case.scale, f"{case.id}: (N,) against (N, 1)")
