"""The Keras metrics tutorials (regression, classification, custom RMSE) redone with Flax NNX + optax.

The tutorial fits ``Dense(2) -> Dense(1)`` to X = 0.1 ... 1.0 with Keras and
``compile(metrics=['mse', 'mae', 'mape', 'cosine'])``, then a sigmoid classifier with ``'acc'`` and
binary crossentropy, then a custom ``rmse`` metric, printing ``fit(verbose=2)`` lines and plotting
``history.history``. Here the model is an ``nnx.Module``, the optimizer optax's Adam (Keras'
default, learning rate 1e-3), and the metrics a ``jmetrics.Collection`` with the tutorial's
Keras 2.2 History keys (``naming="long"``: 'mse' -> 'mean_squared_error', 'cosine' ->
'cosine_proximity'), living inside the model's NNX graph as an ``nnx.Metric`` through
``jmetrics.integrations.flax.NNXMetric`` and updated in the jitted train step.

Run:  python docs/examples/regression_and_classification.py --epochs 500 --out /tmp/plots
Each run prints the last epochs as Keras' verbose=2 does, writes ``<run>.png`` (one panel per
metric) and ``<run>.json`` (the History dict) into ``--out`` (default ``./jmetrics_example_output``,
created if missing).
"""

from __future__ import annotations

import argparse
import json
import os
import time

import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax import nnx

import jmetrics
from jmetrics.integrations.flax import NNXMetric

X = np.array([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0], np.float32)[:, None]
OUT = "jmetrics_example_output"
Y_CLASS = np.array([0, 0, 0, 0, 0, 1, 1, 1, 1, 1], np.float32)[:, None]


def rmse(y_true, y_pred):
    """The tutorial's custom metric: one value per sample, as Keras expects."""
    return jnp.sqrt(jnp.mean(jnp.square(y_pred - y_true), axis=-1))


class Dense2Dense1(nnx.Module):
    """``Sequential([Dense(2, input_dim=1, activation=hidden), Dense(1, activation=out)])``."""

    def __init__(self, *, hidden=None, out=None, seed=0):
        rngs = nnx.Rngs(seed)
        glorot = nnx.initializers.glorot_uniform()  # Keras' Dense default (bias zeros)
        self.hidden = nnx.Linear(1, 2, kernel_init=glorot, rngs=rngs)
        self.out = nnx.Linear(2, 1, kernel_init=glorot, rngs=rngs)
        self.hidden_act = hidden
        self.out_act = out

    def __call__(self, x):
        h = self.hidden(x)
        h = h if self.hidden_act is None else self.hidden_act(h)
        y = self.out(h)
        return y if self.out_act is None else self.out_act(y)


def fit(model, collection, loss_fn, x, y, *, epochs, learning_rate=1e-3, show_last=5):
    """Full-batch training as ``model.fit(x, y, epochs, batch_size=len(x), verbose=2)``."""
    optimizer = nnx.Optimizer(model, optax.adam(learning_rate), wrt=nnx.Param)
    metrics = NNXMetric(collection)  # an nnx.Metric: state in an nnx MetricState variable

    @nnx.jit
    def train_step(model, optimizer, metrics, x, y):
        def loss(model):
            y_pred = model(x)
            return jnp.mean(loss_fn(y, y_pred)), y_pred

        (_, y_pred), grads = nnx.value_and_grad(loss, has_aux=True)(model)
        metrics.update(labels=y, logits=y_pred)  # predictions before the step, as Keras logs
        optimizer.update(model, grads)

    history = jmetrics.History()
    for epoch in range(epochs):
        start = time.perf_counter()
        metrics.reset()
        train_step(model, optimizer, metrics, x, y)
        logs = history.append(collection.logs(metrics.compute()))
        if epoch >= epochs - show_last:
            print(f"Epoch {epoch + 1}/{epochs}")
            print(f"{int(time.perf_counter() - start)}s - {jmetrics.format_logs(logs, verbose=2)}")
    return history


def save(history, out, name, title):
    os.makedirs(out, exist_ok=True)
    history.plot(os.path.join(out, f"{name}.png"), title=title)
    with open(os.path.join(out, f"{name}.json"), "w") as f:
        json.dump(history.history, f)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=None,
                        help="epochs of every run (default: the tutorial's 500 / 400 / 500)")
    parser.add_argument("--out", default=OUT,
                        help=f"folder for the PNG plots and JSON histories (default: ./{OUT})")
    args = parser.parse_args(argv)

    def epochs(default):
        return default if args.epochs is None else args.epochs

    # 1. regression: loss='mse', metrics=['mse', 'mae', 'mape', 'cosine'] (Keras 2.2 keys)
    regression = jmetrics.Collection(["mse", "mae", "mape", "cosine"], loss="mse", naming="long")
    history = fit(Dense2Dense1(seed=0), regression, jmetrics.mse, X, X, epochs=epochs(500))
    save(history, args.out, "regression", "Built-in metrics for regression")

    # 2. classification: sigmoid output, loss='binary_crossentropy', metrics=['acc']
    classification = jmetrics.Collection(["acc"], loss="binary_crossentropy", naming="long")
    history = fit(Dense2Dense1(out=jax.nn.sigmoid, seed=1), classification,
                  jmetrics.binary_crossentropy, X, Y_CLASS, epochs=epochs(400))
    save(history, args.out, "classification", "Built-in metrics for classification")

    # 3. a custom metric: metrics=[rmse], with a relu hidden layer
    custom = jmetrics.Collection([rmse], loss="mse", naming="long")
    history = fit(Dense2Dense1(hidden=jax.nn.relu, seed=2), custom, jmetrics.mse, X, X,
                  epochs=epochs(500))
    save(history, args.out, "custom_rmse", "A custom RMSE metric")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
