"""The weighted means of the classification functions: accuracies, hinges and crossentropies.

Keras 3 class names, arguments and default names; each class is a weighted mean of its kernel's
per-sample values (see ``_means``). A sparse class takes class ids as labels and checks them
eagerly (:meth:`_SparseKernelMean.check_inputs`); under ``jit`` a bad id makes the result NaN.
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

import jax
import jax.numpy as jnp
import numpy as np

from jmetrics._floor._checks import as_array, squeeze_or_expand
from jmetrics._floor._dtypes import widen_half
from jmetrics.kernels import _classification as k_classification
from jmetrics.kernels import _hinge as k_hinge
from jmetrics.kernels import _probabilistic as k_probabilistic
from jmetrics.kernels._common import valid_class_ids
from jmetrics.metrics._means import _KernelMean
from jmetrics.metrics._reduction import MeanState, fold_batch
from jmetrics.metrics._validate import fail_if, np_float

__all__ = [
    "Accuracy",
    "BinaryAccuracy",
    "BinaryCrossentropy",
    "CategoricalAccuracy",
    "CategoricalCrossentropy",
    "CategoricalHinge",
    "Hinge",
    "SparseCategoricalAccuracy",
    "SparseCategoricalCrossentropy",
    "SparseTopKCategoricalAccuracy",
    "SquaredHinge",
    "TopKCategoricalAccuracy",
]


@dataclasses.dataclass(frozen=True)
class _SparseKernelMean(_KernelMean):
    """A mean of a sparse kernel: labels are class ids of ``y_pred``'s last (or ``axis``) axis.

    Eagerly (:meth:`check_inputs`) a label that is not a class id (NaN, inf, negative, ``>= C``)
    in a sample of nonzero weight raises ``ValueError``; under ``jit`` the kernel makes that
    sample NaN, so the mean is NaN (a sample of weight 0 adds exactly 0, as when removed).
    """

    truncate_labels: ClassVar[bool] = True  # float ids truncated toward zero, as Keras 3 casts

    def check_inputs(self, *args: Any, sample_weight: Any = None) -> None:
        name = self.display_name
        t = np.asarray(as_array(args[0], "y_true", name))
        p_shape = np.shape(args[1])
        axis = getattr(self, "axis", -1)
        if not p_shape or not -len(p_shape) <= axis < len(p_shape) or t.size == 0:
            return  # no class axis: the update raises the shape error
        c = None if getattr(self, "from_sorted_ids", False) else p_shape[axis]
        bad = ~valid_class_ids(t, c, self.truncate_labels)
        if getattr(self, "ignore_class", None) is not None:
            bad &= t != self.ignore_class  # type: ignore[attr-defined]
        if bad.any():
            want = (f"class ids in [0, {c - 1}] (y_pred has {c} classes)" if c is not None
                    else "finite class ids")
            fail_if(name, "y_true", want, t, bad & _weighted(t, sample_weight, len(p_shape)))


def _weighted(t: np.ndarray, sample_weight: Any, p_ndim: int) -> np.ndarray:
    """Where labels ``t`` have a nonzero weight (all of them when the weights do not line up with
    the labels: the update then raises its shape error)."""
    if sample_weight is None:
        return np.ones(t.shape, bool)
    labels = t[..., 0] if t.ndim == p_ndim and t.shape[-1] == 1 else t
    a, w = squeeze_or_expand(jnp.asarray(labels), jnp.asarray(np_float(sample_weight)))
    try:
        nonzero = np.broadcast_to(np.asarray(w) != 0, a.shape)
    except ValueError:
        return np.ones(t.shape, bool)
    return nonzero.reshape(t.shape) if nonzero.size == t.size else np.ones(t.shape, bool)


# -- hinge --------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Hinge(_KernelMean):
    """Streaming weighted mean of :func:`jmetrics.hinge`: ``keras.metrics.Hinge``.

    .. math:: e_i = \\tfrac{1}{d} \\textstyle\\sum_j \\max(1 - s_{ij} \\hat y_{ij}, 0), \\quad
              s = 2y - 1 \\text{ for 0/1 labels } (s = y \\text{ for } \\pm 1)

    averaged with weights over samples. Equals Keras 3; for one column of ±1 labels,
    ``sklearn.metrics.hinge_loss``. Default name ``'hinge'``. State: ``MeanState``.

    >>> import jax.numpy as jnp
    >>> m = Hinge()
    >>> s = m.update(m.init(), jnp.array([[0., 1.], [1., 0.]]), jnp.array([[0.6, 0.4], [0.4, 0.6]]))
    >>> round(float(m.compute(s)), 4)  # Keras 3: 1.1
    1.1
    """

    kernel = staticmethod(k_hinge.hinge)
    default_name = "hinge"
    higher_is_better = False
    value_range = (0, None)
    input_kind = "binary"


@dataclasses.dataclass(frozen=True)
class SquaredHinge(_KernelMean):
    """Streaming weighted mean of :func:`jmetrics.squared_hinge`: ``keras.metrics.SquaredHinge``.

    .. math:: e_i = \\tfrac{1}{d} \\textstyle\\sum_j \\max(1 - s_{ij} \\hat y_{ij}, 0)^2, \\quad
              s = 2y - 1 \\text{ for 0/1 labels}

    averaged with weights over samples. Equals Keras 3. Default name ``'squared_hinge'``.
    State: ``MeanState``.

    >>> import jax.numpy as jnp
    >>> m = SquaredHinge()
    >>> s = m.update(m.init(), jnp.array([[0., 1.], [1., 0.]]), jnp.array([[0.6, 0.4], [0.4, 0.6]]))
    >>> round(float(m.compute(s)), 4)  # Keras 3: 1.46
    1.46
    """

    kernel = staticmethod(k_hinge.squared_hinge)
    default_name = "squared_hinge"
    higher_is_better = False
    value_range = (0, None)
    input_kind = "binary"


@dataclasses.dataclass(frozen=True)
class CategoricalHinge(_KernelMean):
    """Streaming weighted mean of :func:`jmetrics.categorical_hinge`:
    ``keras.metrics.CategoricalHinge``.

    .. math:: e_i = \\max(1 + \\max_j (1 - y_{ij}) \\hat y_{ij}
              - \\textstyle\\sum_j y_{ij} \\hat y_{ij}, 0)

    averaged with weights over samples. Equals Keras 3; for one-hot labels,
    ``sklearn.metrics.hinge_loss`` (Crammer-Singer) of the rows. Default name
    ``'categorical_hinge'``. State: ``MeanState``.

    >>> import jax.numpy as jnp
    >>> m = CategoricalHinge()
    >>> t = jnp.array([[0., 1., 0.], [0., 0., 1.]])
    >>> s = m.update(m.init(), t, jnp.array([[0.05, 0.95, 0.], [0.1, 0.8, 0.1]]))
    >>> round(float(m.compute(s)), 4)  # Keras 3: 0.9
    0.9
    """

    kernel = staticmethod(k_hinge.categorical_hinge)
    default_name = "categorical_hinge"
    higher_is_better = False
    value_range = (0, None)
    input_kind = "categorical"


# -- accuracy -----------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Accuracy(_KernelMean):
    """Streaming weighted mean of :func:`jmetrics.accuracy`: ``keras.metrics.Accuracy``.

    .. math:: \\mathrm{acc} = \\frac{\\sum_e w_e [y_e = \\hat y_e]}{\\sum_e w_e}

    Elementwise, as in Keras 3 (a rank-1 batch is N samples; each sample's elements are averaged).
    Equals Keras 3; unweighted on labels, ``sklearn.metrics.accuracy_score``. Default name
    ``'accuracy'``. State: ``MeanState``.

    >>> import jax.numpy as jnp
    >>> m = Accuracy()
    >>> s = m.update(m.init(), jnp.array([[1], [2], [3], [4]]), jnp.array([[0], [2], [3], [4]]))
    >>> float(m.compute(s))  # Keras 3: 0.75
    0.75
    """

    kernel = staticmethod(k_classification.accuracy)
    elementwise = True
    default_name = "accuracy"
    higher_is_better = True
    value_range = (0, 1)
    input_kind = "labels"


@dataclasses.dataclass(frozen=True)
class BinaryAccuracy(_KernelMean):
    """Streaming weighted mean of :func:`jmetrics.binary_accuracy`:
    ``keras.metrics.BinaryAccuracy``.

    .. math:: \\mathrm{acc} = \\frac{\\sum_e w_e [y_e = [\\hat y_e > \\text{threshold}]]}
              {\\sum_e w_e}

    Elementwise, as in Keras 3; ``threshold`` defaults to 0.5 (Keras 3's). Equals Keras 3;
    unweighted, ``sklearn.metrics.accuracy_score(y_true, y_pred > threshold)`` on the elements.
    Default name ``'binary_accuracy'``. State: ``MeanState``.

    >>> import jax.numpy as jnp
    >>> m = BinaryAccuracy()
    >>> p = jnp.array([[0.98], [1], [0], [0.6]])
    >>> s = m.update(m.init(), jnp.array([[1], [1], [0], [0]]), p)
    >>> float(m.compute(s))  # Keras 3: 0.75
    0.75
    """

    threshold: float = 0.5

    kernel = staticmethod(k_classification.binary_accuracy)
    elementwise = True
    default_name = "binary_accuracy"
    higher_is_better = True
    value_range = (0, 1)
    input_kind = "binary"


@dataclasses.dataclass(frozen=True)
class CategoricalAccuracy(_KernelMean):
    """Streaming weighted mean of :func:`jmetrics.categorical_accuracy`:
    ``keras.metrics.CategoricalAccuracy``.

    .. math:: \\mathrm{acc} = \\frac{\\sum_i w_i [\\arg\\max_j y_{ij} = \\arg\\max_j \\hat y_{ij}]}
              {\\sum_i w_i}

    Equals Keras 3; unweighted, ``sklearn.metrics.accuracy_score`` of the argmaxes. Default name
    ``'categorical_accuracy'``. State: ``MeanState``.

    >>> import jax.numpy as jnp
    >>> m = CategoricalAccuracy()
    >>> t = jnp.array([[0., 1., 0.], [0., 0., 1.]])
    >>> s = m.update(m.init(), t, jnp.array([[0.05, 0.95, 0.], [0.1, 0.8, 0.1]]))
    >>> float(m.compute(s))  # Keras 3: 0.5
    0.5
    """

    kernel = staticmethod(k_classification.categorical_accuracy)
    default_name = "categorical_accuracy"
    higher_is_better = True
    value_range = (0, 1)
    input_kind = "categorical"


@dataclasses.dataclass(frozen=True)
class SparseCategoricalAccuracy(_SparseKernelMean):
    """Streaming weighted mean of :func:`jmetrics.sparse_categorical_accuracy`:
    ``keras.metrics.SparseCategoricalAccuracy``.

    .. math:: \\mathrm{acc} = \\frac{\\sum_i w_i [y_i = \\arg\\max_j \\hat y_{ij}]}{\\sum_i w_i}

    Labels are class ids. Equals Keras 3; unweighted, ``sklearn.metrics.accuracy_score(y_true,
    y_pred.argmax(-1))``. Default name ``'sparse_categorical_accuracy'``. State: ``MeanState``.

    >>> import jax.numpy as jnp
    >>> m = SparseCategoricalAccuracy()
    >>> p = jnp.array([[0.05, 0.95, 0.], [0.1, 0.8, 0.1]])
    >>> float(m.compute(m.update(m.init(), jnp.array([1, 2]), p)))  # Keras 3: 0.5
    0.5
    """

    kernel = staticmethod(k_classification.sparse_categorical_accuracy)
    truncate_labels = False  # a float label is compared as given, as Keras 3 compares it
    default_name = "sparse_categorical_accuracy"
    higher_is_better = True
    value_range = (0, 1)
    input_kind = "sparse"


@dataclasses.dataclass(frozen=True)
class TopKCategoricalAccuracy(_KernelMean):
    """Streaming weighted mean of :func:`jmetrics.top_k_categorical_accuracy`:
    ``keras.metrics.TopKCategoricalAccuracy``.

    .. math:: \\mathrm{acc} = \\frac{\\sum_i w_i
              [\\arg\\max_j y_{ij} \\in \\mathrm{top}_k(\\hat y_i)]}
              {\\sum_i w_i}

    ``k`` defaults to 5 (Keras 3's). Equals Keras 3; unweighted, ``sklearn.metrics.
    top_k_accuracy_score(y_true.argmax(-1), y_pred, k=k)`` up to ties. Default name
    ``'top_k_categorical_accuracy'``. State: ``MeanState``.

    >>> import jax.numpy as jnp
    >>> m = TopKCategoricalAccuracy(k=1)
    >>> t = jnp.array([[0., 1., 0.], [0., 0., 1.]])
    >>> s = m.update(m.init(), t, jnp.array([[0.05, 0.95, 0.], [0.1, 0.8, 0.1]]))
    >>> float(m.compute(s))  # Keras 3: 0.5
    0.5
    """

    k: int = 5

    kernel = staticmethod(k_classification.top_k_categorical_accuracy)
    default_name = "top_k_categorical_accuracy"
    higher_is_better = True
    value_range = (0, 1)
    input_kind = "categorical"


@dataclasses.dataclass(frozen=True)
class SparseTopKCategoricalAccuracy(_SparseKernelMean):
    """Streaming weighted mean of :func:`jmetrics.sparse_top_k_categorical_accuracy`:
    ``keras.metrics.SparseTopKCategoricalAccuracy``.

    .. math:: \\mathrm{acc} = \\frac{\\sum_i w_i [y_i \\in \\mathrm{top}_k(\\hat y_i)]}{\\sum_i w_i}

    ``k`` defaults to 5; with ``from_sorted_ids=True`` ``y_pred`` holds the top class ids already
    (Keras 3's options). Equals Keras 3; unweighted, ``sklearn.metrics.top_k_accuracy_score``
    up to ties. Default name ``'sparse_top_k_categorical_accuracy'``. State: ``MeanState``.

    >>> import jax.numpy as jnp
    >>> m = SparseTopKCategoricalAccuracy(k=1)
    >>> p = jnp.array([[0.05, 0.95, 0.], [0.1, 0.8, 0.1]])
    >>> float(m.compute(m.update(m.init(), jnp.array([1, 2]), p)))  # Keras 3: 0.5
    0.5
    """

    k: int = 5
    from_sorted_ids: bool = False

    kernel = staticmethod(k_classification.sparse_top_k_categorical_accuracy)
    default_name = "sparse_top_k_categorical_accuracy"
    higher_is_better = True
    value_range = (0, 1)
    input_kind = "sparse"


# -- crossentropy -------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class BinaryCrossentropy(_KernelMean):
    """Streaming weighted mean of :func:`jmetrics.binary_crossentropy`:
    ``keras.metrics.BinaryCrossentropy``.

    .. math:: e_i = -\\tfrac{1}{d} \\textstyle\\sum_j
              (y_{ij} \\log q_{ij} + (1 - y_{ij}) \\log(1 - q_{ij}))

    with ``q`` the predictions clipped to ``[eps, 1 - eps]`` (a sigmoid first with
    ``from_logits=True``), labels smoothed by ``label_smoothing`` (Keras 3's options, defaults
    False and 0). Equals Keras 3; unweighted, close to ``sklearn.metrics.log_loss`` (which clips
    differently). Default name ``'binary_crossentropy'``. State: ``MeanState``.

    >>> import jax.numpy as jnp
    >>> m = BinaryCrossentropy()
    >>> s = m.update(m.init(), jnp.array([[0., 1.], [1., 0.]]), jnp.array([[0.6, 0.4], [0.8, 0.3]]))
    >>> round(float(m.compute(s)), 4)  # Keras 3: 0.6031
    0.6031
    """

    from_logits: bool = False
    label_smoothing: float = 0.0

    kernel = staticmethod(k_probabilistic.binary_crossentropy)
    default_name = "binary_crossentropy"
    higher_is_better = False
    value_range = (0, None)
    input_kind = "binary"


@dataclasses.dataclass(frozen=True)
class CategoricalCrossentropy(_KernelMean):
    """Streaming weighted mean of :func:`jmetrics.categorical_crossentropy`:
    ``keras.metrics.CategoricalCrossentropy``.

    .. math:: e_i = -\\textstyle\\sum_j y_{ij} \\log q_{ij}

    with ``q`` the rows normalised and clipped to ``[eps, 1 - eps]`` (a softmax first with
    ``from_logits=True``), labels smoothed by ``label_smoothing``, classes along ``axis`` (Keras
    3's options, defaults False, 0 and -1). Equals Keras 3; unweighted, close to
    ``sklearn.metrics.log_loss``. Default name ``'categorical_crossentropy'``. State: ``MeanState``.

    >>> import jax.numpy as jnp
    >>> m = CategoricalCrossentropy()
    >>> t = jnp.array([[0., 1., 0.], [0., 0., 1.]])
    >>> s = m.update(m.init(), t, jnp.array([[0.05, 0.95, 0.], [0.1, 0.8, 0.1]]))
    >>> round(float(m.compute(s)), 4)  # Keras 3: 1.176939
    1.1769
    """

    from_logits: bool = False
    label_smoothing: float = 0.0
    axis: int = -1

    kernel = staticmethod(k_probabilistic.categorical_crossentropy)
    default_name = "categorical_crossentropy"
    higher_is_better = False
    value_range = (0, None)
    input_kind = "categorical"


@dataclasses.dataclass(frozen=True)
class SparseCategoricalCrossentropy(_SparseKernelMean):
    """Streaming weighted mean of :func:`jmetrics.sparse_categorical_crossentropy`
    (``keras.metrics.SparseCategoricalCrossentropy``).

    .. math:: \\mathrm{scce} = \\frac{\\sum_i w_i m_i \\ell_i}{\\sum_i w_i m_i}, \\quad
              \\ell_i = -\\log q_{i, y_i}

    Options ``from_logits=False``, ``axis=-1``, ``ignore_class=None`` (Keras 3 defaults). A label
    equal to ``ignore_class`` has loss 0. As in Keras 3, how it counts depends on the weights:
    without ``sample_weight`` it still counts in the denominator (``m_i = 1``); with one, its
    weight is multiplied by 0 (``m_i = [y_i \\ne \\text{ignore\\_class}]``), so it is left out.
    With ``ignore_class``, ``sample_weight`` must be a scalar or have the labels' rank.

    >>> import jax.numpy as jnp
    >>> m = SparseCategoricalCrossentropy(ignore_class=2)
    >>> p = jnp.array([[0.05, 0.95, 0.0], [0.1, 0.8, 0.1]])
    >>> round(float(m.compute(m.update(m.init(), jnp.array([1, 2]), p))), 5)  # Keras 3: 0.025647
    0.02565
    >>> s = m.update(m.init(), jnp.array([1, 2]), p, sample_weight=jnp.array([1.0, 3.0]))
    >>> round(float(m.compute(s)), 5)  # Keras 3: 0.051293
    0.05129
    """

    from_logits: bool = False
    axis: int = -1
    ignore_class: int | None = None

    kernel = staticmethod(k_probabilistic.sparse_categorical_crossentropy)
    default_name = "sparse_categorical_crossentropy"
    higher_is_better = False
    value_range = (0, None)
    input_kind = "sparse"

    def update(  # type: ignore[override]
        self, state: MeanState, y_true: Any, y_pred: Any, sample_weight: Any = None
    ) -> MeanState:
        if self.ignore_class is None or sample_weight is None:
            return super().update(state, y_true, y_pred, sample_weight)
        name = self.display_name
        t, p = as_array(y_true, "y_true", name), widen_half(as_array(y_pred, "y_pred", name))
        values = self.kernel(t, p, **self.options())
        if t.ndim == p.ndim and t.ndim and t.shape[self.axis] == 1:
            t = jnp.squeeze(t, self.axis)
        weight = _kept_weight(name, t != self.ignore_class, sample_weight)
        return fold_batch(state, name, values, weight, t, p)


def _kept_weight(metric: str, kept: jax.Array, sample_weight: Any) -> jax.Array:
    """``sample_weight`` times the 0/1 mask ``kept`` (Keras 3's ``apply_mask``), shaped as ``kept``.

    The weight is first brought to the mask's rank as Keras does; it must then be a scalar or
    have the mask's rank and broadcast to it (a lower rank would broadcast along the wrong axes).
    """
    w = as_array(sample_weight, "sample_weight", metric)
    w = w.astype(w.dtype if jnp.issubdtype(w.dtype, jnp.floating) else jnp.float32)
    mask, w = squeeze_or_expand(kept.astype(w.dtype), w)
    try:
        fits = w.ndim in (0, mask.ndim) and jnp.broadcast_shapes(w.shape, mask.shape) == mask.shape
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(
            f"{metric}: sample_weight must be a scalar or broadcast to the labels' shape "
            f"{tuple(kept.shape)} when ignore_class is set; got shape {tuple(w.shape)}."
        )
    return w * mask


