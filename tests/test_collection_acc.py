"""``'acc'`` in a Collection given a loss: Keras 3's ``compile`` rule, and Keras 2's under its naming.

Oracles: Keras 3.15.1 (JAX backend) ``Model.compile(loss=..., metrics=['acc'])`` then
``Model.evaluate`` on the same rows (its compiled metrics); Keras 2.3.1's rule (binary accuracy for
a binary crossentropy loss, recorded in keras-semantics.md) as float64 NumPy from the formula.
"""

from __future__ import annotations

from typing import Any

import jax
import keras
import numpy as np
import pytest

from jmetrics import Collection


def model_for(width: int, activation: str) -> Any:
    keras.utils.set_random_seed(0)
    return keras.Sequential([keras.Input((4,)), keras.layers.Dense(width, activation=activation)])


def run(coll: Collection, y: np.ndarray, p: np.ndarray, size: int = 8) -> dict[str, float]:
    step = jax.jit(coll.update)
    s = coll.init()
    for i in range(0, len(y), size):
        s = step(s, y[i:i + size], p[i:i + size])
    return {k: float(v) for k, v in coll.compute(s).items()}


def case(kind: str, n: int = 30) -> tuple[Any, ...]:
    """(x, y, width, activation, loss) for one of Keras' usual compile setups."""
    r = np.random.default_rng(4)
    x = r.normal(size=(n, 4)).astype(np.float32)
    if kind == "multilabel":  # sigmoid outputs, multi-hot labels, binary crossentropy
        return x, (r.uniform(size=(n, 3)) < 0.4).astype(np.float32), 3, "sigmoid", "binary_crossentropy"
    if kind == "binary":
        return x, r.integers(0, 2, (n, 1)).astype(np.float32), 1, "sigmoid", "binary_crossentropy"
    if kind == "sparse":
        return x, r.integers(0, 3, n).astype(np.int32), 3, "softmax", "sparse_categorical_crossentropy"
    labels = r.integers(0, 3, n)
    return x, np.eye(3, dtype=np.float32)[labels], 3, "softmax", "categorical_crossentropy"


@pytest.mark.parametrize("kind", ["multilabel", "binary", "sparse", "categorical"])
@pytest.mark.parametrize("string", ["acc", "accuracy"])
def test_acc_with_a_loss_equals_keras3_compile_and_evaluate(kind: str, string: str):
    x, y, width, activation, loss = case(kind)
    model = model_for(width, activation)
    model.compile(loss=loss, metrics=[string])
    want = model.evaluate(x, y, batch_size=8, verbose=0, return_dict=True)
    pred = np.asarray(model.predict(x, batch_size=8, verbose=0))
    got = run(Collection([string], loss=loss), y, pred)
    assert set(got) == set(want) == {"loss", string}
    np.testing.assert_allclose(got[string], want[string], rtol=1e-6)
    np.testing.assert_allclose(got["loss"], want["loss"], rtol=1e-5)


def test_multilabel_sigmoid_with_bce_is_categorical_in_keras3_and_binary_in_keras2():
    x, y, width, activation, loss = case("multilabel")
    model = model_for(width, activation)
    model.compile(loss=loss, metrics=["acc"])
    want = model.evaluate(x, y, batch_size=8, verbose=0, return_dict=True)["acc"]
    pred = np.asarray(model.predict(x, batch_size=8, verbose=0))
    categorical = np.mean(np.argmax(y, -1) == np.argmax(pred, -1))
    binary = np.mean((pred > 0.5) == (y == 1))  # Keras 2.3.1: the loss picks binary accuracy
    assert abs(categorical - binary) > 0.05  # the two rules give different numbers here
    np.testing.assert_allclose(want, categorical, rtol=1e-6)
    np.testing.assert_allclose(run(Collection(["acc"], loss=loss), y, pred)["acc"], want, rtol=1e-6)
    for naming in ("keras2", "long"):
        coll = Collection(["acc"], loss=loss, naming=naming)
        np.testing.assert_allclose(run(coll, y, pred)["acc"], binary, rtol=1e-6)


def test_keras2_naming_keeps_the_sparse_loss_rule():
    """Keras 2.3.1: a sparse categorical crossentropy loss gives sparse accuracy whatever the
    shapes; Keras 3 reads the shapes ((N, 1) labels with 3 classes are sparse there too)."""
    x, y, width, activation, loss = case("sparse")
    pred = np.asarray(model_for(width, activation).predict(x, verbose=0))
    want = np.mean(np.argmax(pred, -1) == y)
    for naming in ("keras", "keras2"):
        coll = Collection(["acc"], loss=loss, naming=naming)
        np.testing.assert_allclose(run(coll, y[:, None], pred)["acc"], want, rtol=1e-6)
