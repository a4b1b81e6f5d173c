"""The ``Collection`` speed targets: ``collection8`` and ``train_step``.

- ``collection8``: ``Collection`` of 8 regression metrics >= 10x NumPy one after another and >= 2x
  8 separately jitted metrics.
- ``train_step``: ``Packed(Collection(accuracy, mse, AUC))`` on a 128 x 10 batch, jitted and
  donated: <= 1.5x an identity step over the same state buffers and <= 2x a jitted identity on one
  scalar (the dispatch floor); inside a small MLP's jitted SGD step the metrics add <= 25% of that
  step's time; >= 6x cheaper than torchmetrics, >= 20x than Keras 3 eager; compile < 2 s. The
  unpacked collection's step (12 state buffers) is timed in the same rounds, for the packing gain,
  and so is the floor of any update that reads the batch (one sum of it into a scalar state).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import numpy as np

from jmetrics.bench._cases import Skip, case, jmetrics_function
from jmetrics.bench._data import make_inputs
from jmetrics.bench._peers import keras_module, peer_status
from jmetrics.bench._run import cpu_dispatch
from jmetrics.bench._target_common import (
    AUC_THRESHOLDS,
    Check,
    TargetResult,
    Timed,
    ratio_check,
    ratio_info,
    record_timings,
)
from jmetrics.bench._timing import compile_jit, device_put, paired_ratio, read_reduce

__all__ = ["collection8", "train_step"]

REGRESSION8 = ("mse", "rmse", "mae", "mape", "msle", "logcosh", "huber", "cosine")


def _collection(metrics: list[Any]) -> Any:
    from jmetrics.adapter._compile import Collection

    return Collection(metrics)


def _one_shot(metric: Any) -> Callable[..., Any]:
    return lambda t, p: metric.compute(metric.update(metric.init(), t, p))


# -- Collection of 8 regression metrics ------------------------------------------------------------


def _regression8() -> list[Any]:
    from jmetrics.kernels._regression import huber
    from jmetrics.metrics import _means as jm
    from jmetrics.metrics._reduction import MeanMetricWrapper

    out: list[Any] = [jm.MeanSquaredError(), jm.RootMeanSquaredError(), jm.MeanAbsoluteError(),
           jm.MeanAbsolutePercentageError(), jm.MeanSquaredLogarithmicError(), jm.LogCoshError(),
           jm.CosineSimilarity()]
    out.insert(6, MeanMetricWrapper(huber))
    return out


SINGLE_PASS_BLOCK = 2**16  # rows per block of the hand-written single pass
SINGLE_PASS_KEYS = ("mean_squared_error", "root_mean_squared_error", "mean_absolute_error",
                    "mean_absolute_percentage_error", "mean_squared_logarithmic_error", "logcosh",
                    "huber", "cosine_similarity")  # the Collection's result keys, in its order
_EPS, _LOG2 = 1e-7, 0.6931471805599453


def _sums7(t: jax.Array, p: jax.Array) -> jax.Array:
    """The 7 sums behind the 8 metrics (rmse shares mse's), over flat blocks, each formula in
    its fastest plain ``jax.numpy`` form (NaN-dropping ``maximum``/``minimum`` included): a lower
    bound for any implementation of the same metrics."""
    import jax.numpy as jnp

    e = p - t
    a = jnp.abs(e)
    m = jnp.minimum(a, 1.0)

    def inv(sq: jax.Array) -> jax.Array:
        return jnp.minimum(jax.lax.rsqrt(sq), 1 / _EPS)

    return jnp.stack([
        jnp.sum(e * e), jnp.sum(a), jnp.sum(a / jnp.maximum(jnp.abs(t), _EPS)),
        jnp.sum(jnp.square(jnp.log1p(jnp.maximum(p, _EPS)) - jnp.log1p(jnp.maximum(t, _EPS)))),
        jnp.sum(a + jnp.log1p(jnp.exp(-2 * a)) - _LOG2), jnp.sum(0.5 * m * m + (a - m)),
        jnp.sum(t * p * inv(t * t) * inv(p * p))])


def single_pass(t: jax.Array, p: jax.Array) -> jax.Array:
    """A hand-written form of ``collection8``: one ``lax.scan`` over cache-sized row blocks of
    the flattened inputs computing all 7 sums per block (XLA:CPU fuses neither sibling
    reductions nor passes by itself), the remainder rows in one more step; returns the 8 means
    (mse, rmse, mae, mape, msle, logcosh, huber, cosine) like the Collection's. One core: the
    blocks' loops stay off YNNPACK's two-core path."""
    import jax.numpy as jnp

    t, p = jax.lax.optimization_barrier((t.reshape(-1), p.reshape(-1)))
    n = t.shape[0]
    whole = n - n % SINGLE_PASS_BLOCK
    sums = _sums7(t[whole:], p[whole:])
    if whole:
        blocks = (t[:whole].reshape(-1, SINGLE_PASS_BLOCK), p[:whole].reshape(-1, SINGLE_PASS_BLOCK))
        sums = sums + jax.lax.scan(lambda c, x: (c + _sums7(*x), None), jnp.zeros(7), blocks)[0]
    return _means8(sums, n)


def whole_array(t: jax.Array, p: jax.Array) -> jax.Array:
    """Another hand-written form of ``collection8``: the 7 sums each over the whole batch, on a
    ``(n / 128, 128)`` view where 128 divides ``n`` (XLA:CPU runs each such fused sum on
    YNNPACK's two-core path; the sums share their inputs' reads through XLA's own fusions)."""
    n = t.size
    view = (-1, 128) if n % 128 == 0 else (-1,)
    t, p = jax.lax.optimization_barrier((t.reshape(view), p.reshape(view)))
    return _means8(_sums7(t, p), n)


def _means8(sums: jax.Array, n: int) -> jax.Array:
    import jax.numpy as jnp

    mse, mae, mape, msle, logcosh, huber, cosine = sums / n
    return jnp.stack([mse, jnp.sqrt(mse), mae, 100 * mape, msle, logcosh, huber, cosine])


def collection8(backend: str = "cpu", rows: int = 10**7, budget: float = 1.0) -> Timed:
    """8 regression metrics in one Collection vs NumPy one after another and 8 separate jits."""
    res = TargetResult("collection8", f"Collection of {', '.join(REGRESSION8)} at {rows:.0e} rows")
    host = make_inputs("regression", rows)
    dev = device_put(host, backend)
    fns: dict[str, Callable[[], Any]] = {}
    jm_fn: Callable[[], Any] | None = None
    try:
        coll = _collection(_regression8())
        compiled, res.extra["compile s"] = compile_jit(_one_shot(coll), *dev)
        jm_fn = fns["collection"] = lambda: compiled(*dev)
    except Skip as err:
        res.notes.append(str(err))
    separate = [compile_jit(jmetrics_function(case(n))[0], *dev)[0] for n in REGRESSION8]
    fns["8 separate jits"] = lambda: [f(*dev) for f in separate]
    metrics8 = _regression8()
    together = compile_jit(lambda t, p: [_one_shot(m)(t, p) for m in metrics8], *dev)[0]
    fns["one plain jit of 8"] = lambda: together(*dev)
    refs = [case(n).numpy for n in REGRESSION8]
    fns["numpy sequential"] = lambda: [f(*host) for f in refs if f is not None]
    rr = read_reduce.lower(*dev).compile()
    fns["read-reduce"] = lambda: rr(*dev)
    floor = compile_jit(single_pass, *dev)[0]
    fns["hand-written single pass"] = lambda: floor(*dev)
    sums = compile_jit(whole_array, *dev)[0]
    fns["hand-written whole-array sums"] = lambda: sums(*dev)
    if jm_fn is not None:  # the floor computes the same 8 values (else it would not be one)
        values = jm_fn()
        got = np.array([float(values[k]) for k in SINGLE_PASS_KEYS])
        want = np.asarray(floor(*dev), np.float64)
        res.extra["max relative difference vs hand-written single pass"] = float(
            np.max(np.abs(got - want) / np.maximum(np.abs(want), 1e-30)))
        want = np.asarray(sums(*dev), np.float64)
        res.extra["max relative difference vs hand-written whole-array sums"] = float(
            np.max(np.abs(got - want) / np.maximum(np.abs(want), 1e-30)))
    record_timings(res, fns, budget=budget, warmup=1)
    ratio_check(res, "x numpy sequential", "numpy sequential", "collection", 10)
    ratio_check(res, "x 8 separate jits", "8 separate jits", "collection", 2)
    ratio_info(res, "x one plain jit of 8", "one plain jit of 8", "collection")
    ratio_info(res, "time / hand-written single pass", "collection", "hand-written single pass")
    ratio_info(res, "time / hand-written whole-array sums", "collection",
               "hand-written whole-array sums")
    ratio_info(res, "x numpy sequential, hand-written single pass", "numpy sequential",
               "hand-written single pass")
    ratio_info(res, "fraction of read-reduce bandwidth", "read-reduce", "collection")
    return res, jm_fn


# -- the training step -----------------------------------------------------------------------------


def _train_metrics() -> list[Any]:
    from jmetrics.metrics._auc import AUC
    from jmetrics.metrics._means import MeanSquaredError
    from jmetrics.metrics._means_classification import BinaryAccuracy

    return [BinaryAccuracy(), MeanSquaredError(), AUC(num_thresholds=AUC_THRESHOLDS)]


def train_step(backend: str = "cpu", batch: tuple[int, int] = (128, 10), steps: int = 200,
               budget: float = 1.0) -> Timed:
    """accuracy + mse + binned AUC updated on one batch in a jitted, donated step, per step: the
    collection packed (``Packed``, one state buffer), and unpacked (12) for comparison."""
    res = TargetResult("train_step", f"Packed(Collection(binary accuracy, mse, AUC({AUC_THRESHOLDS})))"
                       f" update on a {batch[0]}x{batch[1]} batch, jitted and donated, per step")
    t, p = make_inputs("binary", batch[0] * batch[1])
    t, p = t.reshape(batch), p.reshape(batch)
    dt, dp = device_put((t, p), backend)
    try:
        plain = _collection(_train_metrics())
    except Skip as err:
        res.notes.append(str(err))
        return res, None
    from jmetrics.metrics._packed import Packed

    coll = Packed(plain)
    dev = jax.devices(backend)[0]
    step, res.times["compile"] = compile_jit(coll.update, jax.device_put(coll.init(), dev), dt, dp,
                                             donate_argnums=(0,))
    unpacked, _ = compile_jit(plain.update, jax.device_put(plain.init(), dev), dt, dp,
                              donate_argnums=(0,))
    ident, _ = compile_jit(lambda s, a, b: s, jax.device_put(coll.init(), dev), dt, dp,
                           donate_argnums=(0,))
    scalar, _ = compile_jit(lambda s, a, b: s, jax.device_put(np.float32(0), dev), dt, dp,
                            donate_argnums=(0,))
    # the floor of any update that reads the batch: one sum of it into a scalar state
    reduce1, _ = compile_jit(_one_reduction, jax.device_put(np.float32(0), dev), dt, dp,
                             donate_argnums=(0,))

    def looped(fn: Any, init: Callable[[], Any] = coll.init) -> Callable[[], Any]:
        cell = [jax.device_put(init(), dev)]

        def run() -> Any:
            s = cell[0]
            for _ in range(steps):
                s = fn(s, dt, dp)
            cell[0] = s
            return s

        return run

    # The ratio's two sides are timed A/B on their own, round by round (each round's two ran back to
    # back): a shared machine's load swings the step time by +-30% between rounds, and the heavy
    # context runs (Keras eager, the model steps) would leave thread pools and caches unlike a
    # training loop's between the two. At least 200 rounds of a few ms each: a burst of load from
    # a neighbour lasts tens of rounds.
    fns: dict[str, Callable[[], Any]] = {"jmetrics": looped(step), "identity": looped(ident),
                                         "scalar identity": looped(scalar, lambda: np.float32(0)),
                                         "one-reduction step": looped(reduce1, lambda: np.float32(0)),
                                         "unpacked": looped(unpacked, plain.init)}
    ts = record_timings(res, fns, budget=budget, warmup=1, min_rounds=200, max_rounds=400)
    context = _model_steps(coll, plain, dt, steps, dev) | _train_peers(res, t, p, dt, dp, steps)
    if context:
        record_timings(res, context, budget=budget, warmup=1)
        fns.update(context)
    res.times = {k: (v / steps if k != "compile" else v) for k, v in res.times.items()}
    ratio, low, high = paired_ratio(ts["jmetrics"], ts["identity"])
    res.checks.append(Check("x identity step", ratio, "<=", 1.5))
    res.extra["x identity step, 25th percentile of rounds"] = low
    res.extra["x identity step, 75th percentile of rounds"] = high
    ratio, low, high = paired_ratio(ts["jmetrics"], ts["scalar identity"])
    res.checks.append(Check("x scalar identity step (dispatch floor)", ratio, "<=", 2.0))
    res.extra["x scalar identity step, 25th percentile of rounds"] = low
    res.extra["x scalar identity step, 75th percentile of rounds"] = high
    res.extra["one-reduction step: x scalar identity step"] = paired_ratio(
        ts["one-reduction step"], ts["scalar identity"])[0]
    res.extra["x one-reduction step"] = paired_ratio(ts["jmetrics"], ts["one-reduction step"])[0]
    ratio, low, high = paired_ratio(ts["unpacked"], ts["scalar identity"])
    res.extra["unpacked: x scalar identity step"] = ratio
    res.extra["unpacked: x scalar identity step, 25th percentile of rounds"] = low
    res.extra["unpacked: x scalar identity step, 75th percentile of rounds"] = high
    res.extra["x packed step (unpacked / packed)"] = paired_ratio(ts["unpacked"], ts["jmetrics"])[0]
    res.extra["state buffers"] = len(jax.tree.leaves(coll.init()))
    res.extra["unpacked state buffers"] = len(jax.tree.leaves(plain.init()))
    res.extra["CPU dispatch"] = cpu_dispatch()  # async: XLA hands the update to a worker thread
    if "model step" in res.times:
        res.extra["metrics cost inside the model step, us"] = 1e6 * (
            res.times["model step + metrics"] - res.times["model step"])
        res.checks.append(Check("x model step (metrics inside a small MLP's SGD step)",
                                res.times["model step + metrics"] / res.times["model step"],
                                "<=", 1.25))
        res.extra["unpacked: x model step"] = (res.times["model step + unpacked metrics"]
                                               / res.times["model step"])
    ratio_check(res, "x torchmetrics MetricCollection.update", "torchmetrics", "jmetrics", 6)
    ratio_check(res, "x Keras 3 eager update_state", "keras", "jmetrics", 20)
    res.checks.append(Check("compile seconds", res.times["compile"], "<=", 2.0))
    res.extra["steps per round"] = steps
    return res, fns["jmetrics"]


def _one_reduction(s: jax.Array, a: jax.Array, b: jax.Array) -> jax.Array:
    """The smallest step that reads the batch: ``s + sum(a * b)``. Its time over the dispatch
    floor is what the host's reduction code costs any metric update (docs/benchmarks.md)."""
    import jax.numpy as jnp

    return s + jnp.sum(a * b)


def _model_steps(coll: Any, plain: Any, y: Any, steps: int, dev: Any
                 ) -> dict[str, Callable[[], Any]]:
    """Context: a small MLP's SGD step (10 -> 64 -> 10 sigmoid outputs, binary crossentropy) on
    the same batch, jitted and donated, alone and with the collection updated inside the step
    (packed: ``coll``; unpacked: ``plain``)."""
    import jax.numpy as jnp

    n, c = y.shape
    x = jax.device_put(make_inputs("regression", n * c)[1].reshape(n, c), dev)
    k1, k2 = jax.random.split(jax.random.key(0))
    params0 = (0.1 * jax.random.normal(k1, (c, 64)), 0.1 * jax.random.normal(k2, (64, c)))

    def forward(params: Any) -> Any:
        return jnp.tanh(x @ params[0]) @ params[1]

    def loss(params: Any) -> Any:
        z = forward(params)
        return jnp.mean(jnp.maximum(z, 0) - z * y + jnp.log1p(jnp.exp(-jnp.abs(z))))

    def sgd(params: Any) -> Any:
        grads = jax.grad(loss)(params)
        return jax.tree.map(lambda w, g: w - 0.1 * g, params, grads)

    def model_step(carry: Any) -> Any:
        return sgd(carry[0]), carry[1]

    def with_metrics(metrics: Any) -> Callable[[Any], Any]:
        def step(carry: Any) -> Any:
            params, state = carry
            return sgd(params), metrics.update(state, y, jax.nn.sigmoid(forward(params)))

        return step

    out: dict[str, Callable[[], Any]] = {}
    def fresh(metrics: Any) -> Any:  # donation deletes the carry: every user gets its own copy
        return jax.device_put(jax.tree.map(jnp.copy, (params0, metrics.init())), dev)

    for name, fn, metrics in (("model step", model_step, coll),
                              ("model step + metrics", with_metrics(coll), coll),
                              ("model step + unpacked metrics", with_metrics(plain), plain)):
        compiled, _ = compile_jit(fn, fresh(metrics), donate_argnums=(0,))
        cell = [fresh(metrics)]

        def run(compiled: Any = compiled, cell: list[Any] = cell) -> Any:
            carry = cell[0]
            for _ in range(steps):
                carry = compiled(carry)
            cell[0] = carry
            return carry

        out[name] = run
    return out


def _train_peers(res: TargetResult, t: np.ndarray, p: np.ndarray, dt: Any, dp: Any, steps: int
                 ) -> dict[str, Callable[[], Any]]:
    out: dict[str, Callable[[], Any]] = {}
    note = peer_status("torchmetrics")
    if note is None:  # pragma: no cover - torchmetrics is not installed on the project machine
        import torch
        import torchmetrics
        from torchmetrics.classification import BinaryAccuracy, BinaryAUROC

        coll = torchmetrics.MetricCollection({
            "acc": BinaryAccuracy(), "mse": torchmetrics.MeanSquaredError(),
            "auc": BinaryAUROC(thresholds=AUC_THRESHOLDS)})
        tt, tp = torch.from_numpy(t).long(), torch.from_numpy(p)

        def torch_loop() -> None:
            for _ in range(steps):
                coll.update(tp, tt)

        out["torchmetrics"] = torch_loop
    else:
        res.notes.append(f"{note}: the torchmetrics ratio is not measured")
    note = peer_status("keras")
    if note is None:
        keras = keras_module()
        kms = [keras.metrics.BinaryAccuracy(), keras.metrics.MeanSquaredError(),
               keras.metrics.AUC(num_thresholds=AUC_THRESHOLDS)]

        def keras_loop() -> Any:
            for _ in range(steps):
                for m in kms:
                    m.update_state(dt, dp)
            return kms[-1].variables[0].value

        out["keras"] = keras_loop
    else:
        res.notes.append(note)
    return out
