"""Every code example of the seed documents (../shared/seeds/) works with jmetrics in place of Keras.

The seeds: 000 (Korean translation of the Keras metrics page), 001 (Keras 2.3.1's metrics.md),
002 (a Korean post on custom losses and metrics), 003 (a Chinese translation of "How to use
metrics for deep learning with Keras": regression and classification tutorials, custom rmse).
Each example is ported literally: ``keras.metrics`` -> ``jmetrics.metrics``, ``K.mean`` ->
``jnp.mean``, ``model.compile(metrics=...)`` -> ``jmetrics.Collection(...)``. Oracles: Keras 3
(JAX backend) functions and float64 NumPy.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import keras
import numpy as np
import pytest

import jmetrics
from jmetrics import metrics  # seeds: "from keras import metrics"

X = np.array([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0], np.float32)  # seeds/003
Y_CLASS = np.array([0, 0, 0, 0, 0, 1, 1, 1, 1, 1], np.float32)  # seeds/003


def floats(d):
    return {k: float(v) for k, v in d.items()}


def keras_mean(fn, y_true, y_pred, **kw):
    return float(np.mean(np.asarray(fn(y_true, y_pred, **kw))))


# ---- seeds/000 and seeds/001: the Keras metrics page ----------------------------------------
def test_compile_with_mae_and_acc_strings():
    # model.compile(loss='mean_squared_error', optimizer='sgd', metrics=['mae', 'acc'])
    c = jmetrics.Collection(["mae", "acc"], loss="mean_squared_error")
    r = np.random.default_rng(0)
    y = np.eye(4, dtype=np.float32)[r.integers(0, 4, 16)]
    p = r.dirichlet(np.ones(4), 16).astype(np.float32)
    got = floats(c.compute(c.update(c.init(), y, p)))
    assert list(got) == ["loss", "mae", "acc"]
    assert got["mae"] == pytest.approx(keras_mean(keras.metrics.mean_absolute_error, y, p), rel=1e-6)
    # Keras 2.3.1's rule with an mse loss on [N, 4] outputs: categorical accuracy
    assert got["acc"] == pytest.approx(keras_mean(keras.metrics.categorical_accuracy, y, p), rel=1e-6)
    assert got["loss"] == pytest.approx(np.mean((y - p) ** 2), rel=1e-6)


def test_compile_with_metric_functions():
    # model.compile(..., metrics=[metrics.mae, metrics.categorical_accuracy])
    c = jmetrics.Collection([metrics.mae, metrics.categorical_accuracy], loss="mean_squared_error")
    r = np.random.default_rng(1)
    y = np.eye(3, dtype=np.float32)[r.integers(0, 3, 12)]
    p = r.dirichlet(np.ones(3), 12).astype(np.float32)
    got = floats(c.compute(c.update(c.init(), y, p)))
    assert got["mean_absolute_error"] == pytest.approx(
        keras_mean(keras.metrics.mean_absolute_error, y, p), rel=1e-6)
    assert got["categorical_accuracy"] == pytest.approx(
        keras_mean(keras.metrics.categorical_accuracy, y, p), rel=1e-6)


def test_the_listed_functions_with_their_signatures():
    r = np.random.default_rng(2)
    labels = r.integers(0, 7, 20)
    y_onehot = np.eye(7, dtype=np.float32)[labels]
    p = r.dirichlet(np.ones(7), 20).astype(np.float32)
    yb = (r.random((20, 1)) < 0.5).astype(np.float32)
    pb = r.random((20, 1)).astype(np.float32)
    cases = [
        (metrics.binary_accuracy(yb, pb), keras.metrics.binary_accuracy(yb, pb)),
        (metrics.categorical_accuracy(y_onehot, p), keras.metrics.categorical_accuracy(y_onehot, p)),
        (metrics.sparse_categorical_accuracy(labels, p),
         keras.metrics.sparse_categorical_accuracy(labels, p)),
        (metrics.top_k_categorical_accuracy(y_onehot, p, k=5),
         keras.metrics.top_k_categorical_accuracy(y_onehot, p, k=5)),
        (metrics.sparse_top_k_categorical_accuracy(labels, p, k=5),
         keras.metrics.sparse_top_k_categorical_accuracy(labels, p, k=5)),
    ]
    for ours, theirs in cases:
        # one value per sample (Keras 2.3.1's shape; Keras 3's binary_accuracy keeps the last
        # axis, see docs/keras-compat.md)
        per_sample = np.asarray(theirs).reshape(20, -1).mean(axis=-1)
        np.testing.assert_allclose(np.asarray(ours), per_sample, rtol=1e-6)


def mean_pred(y_true, y_pred):  # seeds/000, 001: return K.mean(y_pred)
    return jnp.mean(y_pred)


def test_custom_mean_pred_with_accuracy_and_binary_crossentropy():
    # model.compile(optimizer='rmsprop', loss='binary_crossentropy', metrics=['accuracy', mean_pred])
    c = jmetrics.Collection(["accuracy", mean_pred], loss="binary_crossentropy")
    r = np.random.default_rng(3)
    y = (r.random((10, 1)) < 0.5).astype(np.float32)
    p = r.random((10, 1)).astype(np.float32)
    got = floats(jax.jit(c.compute)(jax.jit(c.update)(c.init(), y, p)))
    assert set(got) == {"loss", "accuracy", "mean_pred"}
    assert got["accuracy"] == pytest.approx(np.mean((p > 0.5) == y), rel=1e-6)
    assert got["mean_pred"] == pytest.approx(p.mean(), rel=1e-6)
    assert got["loss"] == pytest.approx(keras_mean(keras.losses.binary_crossentropy, y, p), rel=1e-5)


# ---- seeds/002: custom loss and metric -------------------------------------------------------
def my_loss(y_true, y_pred):
    y_true = y_true ** 2
    y_pred = y_pred ** 2
    return jnp.mean(jnp.abs(y_true - y_pred) + jnp.square(y_true - y_pred))


def my_metric(y_true, y_pred):
    # The seed's body uses undefined y_true_f / y_pred_f (flattened tensors); flattened here.
    y_true_f, y_pred_f = y_true.reshape(-1), y_pred.reshape(-1)
    return jnp.mean(jnp.abs(y_true_f - y_pred_f)) * 1000


def test_custom_loss_and_metric():
    # model.compile(optimizer='adam', loss=my_loss, metrics=[my_metric]) on a Dense(4) output
    c = jmetrics.Collection([my_metric], loss=my_loss)
    r = np.random.default_rng(4)
    y, p = r.random((8, 4)).astype(np.float32), r.random((8, 4)).astype(np.float32)
    got = floats(c.compute(c.update(c.init(), y, p)))
    assert got["my_metric"] == pytest.approx(np.abs(y - p).mean() * 1000, rel=1e-5)
    want_loss = np.mean(np.abs(y**2 - p**2) + (y**2 - p**2) ** 2)
    assert got["loss"] == pytest.approx(want_loss, rel=1e-5)
    assert jax.grad(lambda q: my_loss(jnp.asarray(y), q))(jnp.asarray(p)).shape == (8, 4)


# ---- seeds/003: the regression and classification tutorials ------------------------------------
def rmse(y_true, y_pred):
    return jnp.sqrt(jnp.mean(jnp.square(y_pred - y_true), axis=-1))


def _dense_model(seed, activation=None, hidden_relu=False):
    k1, k2 = jax.random.split(jax.random.key(seed))
    params = {"w1": jax.random.normal(k1, (1, 2)) * 0.5, "b1": jnp.zeros(2),
              "w2": jax.random.normal(k2, (2, 1)) * 0.5, "b2": jnp.zeros(1)}

    def apply(params, x):
        h = x[:, None] @ params["w1"] + params["b1"][None]
        if hidden_relu:
            h = jax.nn.relu(h)
        out = h @ params["w2"] + params["b2"][None]
        return jax.nn.sigmoid(out) if activation == "sigmoid" else out

    return params, apply


def _fit(collection, loss_fn, apply, params, x, y, epochs):
    """The tutorial's model.fit(X, y, epochs, batch_size=len(X)) with Adam, logging a History."""
    import optax

    opt = optax.adam(1e-3)
    opt_state = opt.init(params)

    @jax.jit
    def step(params, opt_state, state):
        def objective(p):
            return loss_fn(y, apply(p, x)).mean()

        grads = jax.grad(objective)(params)
        y_pred = apply(params, x)  # Keras logs metrics of the forward pass before the update
        updates, opt_state = opt.update(grads, opt_state)
        return optax.apply_updates(params, updates), opt_state, collection.update(state, y, y_pred)

    history = jmetrics.History()
    for _ in range(epochs):
        params, opt_state, state = step(params, opt_state, collection.init())
        history.append(collection.logs(collection.compute(state)))
    return params, history


@pytest.mark.parametrize("spec", [
    ["mse", "mae", "mape", "cosine"],
    ["mean_squared_error", "mean_absolute_error", "mean_absolute_percentage_error",
     "cosine_proximity"],
    [metrics.mean_squared_error, metrics.mean_absolute_error,
     metrics.mean_absolute_percentage_error, metrics.cosine_proximity],
])
def test_regression_tutorial_history_keys_and_values(spec):
    y = X[:, None]
    c = jmetrics.Collection(spec, loss="mse", naming="long")
    params, apply = _dense_model(0)
    params, history = _fit(c, jmetrics.mean_squared_error, apply, params, X, y, epochs=5)
    keys = ["loss", "mean_squared_error", "mean_absolute_error", "mean_absolute_percentage_error",
            "cosine_proximity"]
    assert list(history.history) == keys and len(history["loss"]) == 5
    # The tutorial's pyplot.plot(history.history['mean_squared_error']) etc.: lists of floats.
    assert all(isinstance(v, float) for v in history["cosine_proximity"])
    p = np.asarray(apply(params, X), np.float64)
    final = floats(c.compute(c.update(c.init(), y, p.astype(np.float32))))
    assert final["mean_squared_error"] == pytest.approx(np.mean((p - y) ** 2), rel=1e-5)
    assert final["mean_absolute_percentage_error"] == pytest.approx(
        100 * np.mean(np.abs((y - p) / y)), rel=1e-5)
    assert final["cosine_proximity"] == pytest.approx(
        np.mean(np.sum(y * p, -1) / (np.linalg.norm(y, axis=-1) * np.linalg.norm(p, axis=-1))),
        rel=1e-5)


def test_msle_string():
    # model.compile(loss='mse', optimizer='adam', metrics=['msle'])
    c = jmetrics.Collection(["msle"], loss="mse")
    y, p = X[:, None], X[:, None] * 0.9
    got = floats(c.compute(c.update(c.init(), y, p)))
    assert got["msle"] == pytest.approx(np.mean((np.log1p(p) - np.log1p(y)) ** 2), rel=1e-5)


def test_classification_tutorial_acc():
    # model.compile(loss='binary_crossentropy', optimizer='adam', metrics=['acc'])
    c = jmetrics.Collection(["acc"], loss="binary_crossentropy")
    y = Y_CLASS[:, None]
    params, apply = _dense_model(1, activation="sigmoid")
    params, history = _fit(c, jmetrics.binary_crossentropy, apply, params, X, y, epochs=5)
    assert list(history.history) == ["loss", "acc"]  # pyplot.plot(history.history['acc'])
    p = np.asarray(apply(params, X))
    final = floats(c.compute(c.update(c.init(), y, p)))
    assert final["acc"] == pytest.approx(np.mean((p > 0.5) == y), rel=1e-6)


def test_custom_rmse_metric():
    # model.compile(loss='mse', optimizer='adam', metrics=[rmse])
    c = jmetrics.Collection([rmse], loss="mse")
    y = X[:, None]
    params, apply = _dense_model(2, hidden_relu=True)
    params, history = _fit(c, jmetrics.mean_squared_error, apply, params, X, y, epochs=3)
    assert list(history.history) == ["loss", "rmse"]  # pyplot.plot(history.history['rmse'])
    p = np.asarray(apply(params, X), np.float64)
    final = floats(c.compute(c.update(c.init(), y, p.astype(np.float32))))
    # Keras averages the per-sample rmse (one output column: |error|), not sqrt(mse)
    assert final["rmse"] == pytest.approx(np.mean(np.abs(p - y)), rel=1e-5)
    line = history.line()
    assert line.startswith("loss: ") and " - rmse: " in line
