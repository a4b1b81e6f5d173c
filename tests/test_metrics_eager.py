"""The eager face's state, held apart from the hashable config (``jmetrics/metrics/_eager.py``).

Oracles: float64 NumPy means of the values fed, and Keras 3.15.1 (JAX backend) fed the same calls.
"""

from __future__ import annotations

import copy
import gc
import pickle

import jax
import numpy as np
import pytest

import jmetrics.metrics as jm
from jmetrics import _call_guards
from jmetrics.metrics import _eager
from tests.helpers import keras_metric


def test_equal_configs_hold_separate_states_and_the_config_holds_none():
    a, b = jm.Mean(), jm.Mean()
    options = dict(vars(a))
    a.update_state([1.0, 2.0])
    assert a == b and hash(a) == hash(b)
    assert vars(a) == options  # nothing was written on the object
    assert float(a.result()) == 1.5 and float(b.result()) == 0.0  # Keras: an empty Mean is 0
    b.update_state([10.0])
    np.testing.assert_allclose([float(a.result()), float(b.result())], [1.5, 10.0])


def test_the_held_state_goes_with_its_object():
    m = jm.Mean()
    m.update_state([4.0])
    key = id(m)
    assert key in _eager._SLOTS
    del m
    gc.collect()
    assert key not in _eager._SLOTS


def test_rebuilt_objects_start_empty_and_copies_go_on_alone():
    import dataclasses

    m = jm.Mean()
    m.update_state([1.0, 3.0])
    for fresh in (type(m).from_config(m.get_config()), dataclasses.replace(m)):
        assert fresh == m and float(fresh.result()) == 0.0
    twin = copy.deepcopy(m)
    m.reset_state()
    assert float(twin.result()) == 2.0 and float(m.result()) == 0.0


@pytest.mark.parametrize("clone", [copy.copy, copy.deepcopy, lambda m: pickle.loads(pickle.dumps(m))])
def test_a_copy_keeps_the_width_a_first_batch_fixed(clone):
    # Keras keeps a built F1Score's variables (width 3) through reset_state; so does the copy.
    y = np.eye(3, dtype=np.float32)[[0, 1, 2, 1]]
    p = np.array([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.2, 0.2, 0.6], [0.5, 0.4, 0.1]], np.float32)
    ours, ref = jm.F1Score(), keras_metric("F1Score")
    ours.update_state(y, p)
    ref.update_state(y, p)
    other = clone(ours)
    np.testing.assert_allclose(other.result(), ref.result(), rtol=1e-6)
    other.reset_state()
    ref.reset_state()
    np.testing.assert_allclose(other.result(), ref.result(), rtol=1e-6)
    assert other.result().shape == (3,)
    np.testing.assert_allclose(ours.result(), keras_metric("F1Score")(y, p), rtol=1e-6)


def test_calling_a_metric_on_traced_inputs_names_the_metric():
    m = jm.MeanSquaredError()
    y = np.zeros((2, 1), np.float32)
    with pytest.raises(TypeError, match=r"^mean_squared_error: metric\(\.\.\.\) updates a state "
                                        r"held between calls and cannot take traced inputs"):
        jax.jit(lambda t, p: m(t, p))(y, y)
    np.testing.assert_allclose(m(y, y + 2.0), 4.0)  # nothing was held from the traced call


def test_a_call_guard_sees_every_call_and_may_refuse():
    seen = []

    def guard(metric):
        seen.append(metric)
        if metric.name == "refused":
            raise TypeError("refused: not here.")

    _call_guards.add_call_guard(guard)
    try:
        m = jm.Mean()
        assert float(m([2.0])) == 2.0 and seen == [m]
        with pytest.raises(TypeError, match="^refused: not here"):
            jm.Mean(name="refused")([1.0])
    finally:
        _call_guards.CALL_GUARDS.remove(guard)
