"""The Keras face of every class: hash and config round trip, ``update_state`` / ``result`` /
``reset_state``, the weight by position, Python lists. Registry and inputs: tests/test_common.py."""

from __future__ import annotations

import json

import jax
import pytest

from tests.test_common import CLASSES, LAW_SIZES, batches, close, compiled, instance, rows


@pytest.fixture(params=CLASSES, ids=lambda c: c.__name__)
def cls(request):
    return request.param


def test_hash_config_and_eager_face(cls):
    m = instance(cls)
    assert hash(m) == hash(instance(cls)) and m == instance(cls)
    assert type(m).from_config(m.get_config()) == m
    # The pure protocol's values through the laws' shared jitted update
    # (tests/test_common.py), of the laws' batch sizes.
    fns = compiled(m)
    bs = batches(cls, sizes=LAW_SIZES[1:2] * 2)
    for *inputs, w in bs:
        m.update_state(*inputs, sample_weight=w)
    close(m.result(), m.compute(fns.run(instance(cls), bs)))
    m.reset_state()
    close(m.result(), m.compute(m.init()))
    # A direction, or None declared by the class itself where its value has none (Mean, Sum, a
    # confusion matrix): never the base class's None inherited by omission.
    assert m.higher_is_better in (True, False) or (
        m.higher_is_better is None
        and (cls.input_kind == "values" or "higher_is_better" in vars(cls)))


def test_from_config_is_the_inverse_of_get_config(cls):
    # The config as given and as JSON gives it back (tuples as lists): the class's own option
    # normalisation, and nothing else, makes the rebuilt metric equal, hashable and re-serializable.
    m = instance(cls)
    config = m.get_config()
    for as_given in (config, json.loads(json.dumps(config))):
        back = type(m).from_config(as_given)
        assert back == m and hash(back) == hash(m)
        assert back.get_config() == config


def test_eager_face_takes_weight_by_position_and_python_lists(cls):
    """Keras' ``update_state(y_true, y_pred, sample_weight)`` (``(values, sample_weight)`` for
    Mean/Sum): the weight by position equals the weight by keyword, in ``update_state`` and
    ``__call__``; nested Python lists equal the arrays they spell."""
    (*inputs, w), = batches(cls, sizes=LAW_SIZES[:1], weighted=True, integer_weights=True)
    by_kw, by_pos, by_call, lists = (instance(cls) for _ in range(4))
    by_kw.update_state(*inputs, sample_weight=w)
    by_pos.update_state(*inputs, w)
    close(by_call(*inputs, w), by_kw.result())
    close(by_pos.result(), by_kw.result())
    lists.update_state(*(rows(x, lambda v: v.tolist()) for x in inputs), w.tolist())
    close(lists.result(), by_kw.result())
    m = instance(cls)  # under jit a list is a list of tracers: traced, never checked as values
    as_lists = [rows(x, lambda v: v.tolist()) for x in inputs]
    traced = jax.jit(m.update)(m.init(), *as_lists, sample_weight=w.tolist())
    close(m.compute(traced), by_kw.result())  # by_kw: the arrays, from init
    with pytest.raises(TypeError, match=r"sample_weight both by position and by keyword"):
        instance(cls).update_state(*inputs, w, sample_weight=w)
