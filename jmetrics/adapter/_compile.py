"""Keras ``compile(metrics=..., loss=...)`` parsing: what builds a collection from strings.

:class:`Collection` is the public face of :class:`~jmetrics.collection.MetricCollection`: it reads
what ``keras.Model.compile`` takes (strings, functions, metric and loss objects, one list or dict
per output, a loss per output), resolves each entry through the adapter (``get_metric``, the
'acc' rule of the naming era), names the History keys (``metric_names``) and builds the primitive
from the resulting :class:`~jmetrics.collection.Member` rows. Its config serializes each member
through :func:`jmetrics.serialize`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from jmetrics.adapter._names import metric_names
from jmetrics.adapter._resolve import get_metric, refuse_whole_set
from jmetrics.adapter._serialize import deserialize, serialize
from jmetrics.collection import CHUNK_ELEMENTS, Member, MetricCollection
from jmetrics.metrics._base import Metric
from jmetrics.metrics._reduction import Mean

__all__ = ["Collection"]

NAMINGS = {"keras": "keras3", "keras3": "keras3", "keras2": "keras2", "long": "long"}


@dataclasses.dataclass(frozen=True, init=False)
class Collection(MetricCollection):
    """Many metrics with one ``init / update / merge / compute``, logged under Keras' keys.

    ``Collection(metrics, *, loss=None, naming="keras", output_names=None)``

    - ``metrics``: what ``keras.Model.compile(metrics=...)`` takes: a list of strings (``'mse'``,
      ``'acc'``, ``'auc'``...), functions (jmetrics kernels or your own per-sample functions, such
      as ``rmse``), :class:`~jmetrics.metrics.Metric` objects and Keras 3 metric objects; or, for
      several outputs, a dict ``{output_name: list}`` (then ``y_true``/``y_pred`` are dicts with
      those keys) or a list of lists (``y_true``/``y_pred`` are sequences; keys use
      ``output_names``, default ``output_0``, ``output_1``...).
    - ``loss``: optional; tracked as a weighted mean under the key ``'loss'`` (a string, a
      per-sample function, a mean metric or a Keras 3 loss object). With several outputs, a dict
      (or list) gives one loss per output, logged as ``'<output>_loss'``, and ``'loss'`` is their
      sum; a single loss applies to every output.
    - ``naming``: ``"keras"`` (Keras 3 History keys: strings as given, functions in snake_case,
      ``_1`` for duplicates), ``"keras2"`` (Keras 2.3.1) or ``"long"`` (Keras 2.2, as the older
      tutorials show: ``'mse'`` logs as ``'mean_squared_error'``). It also picks the ``'acc'``
      rule: Keras 3's shape rule at trace time (the loss plays no part), or in the Keras 2 modes
      Keras 2's (a binary or sparse categorical crossentropy loss picks that form).
    - ``chunk_elements``: a batch over twice this many elements (of its widest input) is updated
      in one loop over row blocks of about this many elements, every metric per block (default
      2**18); :func:`jmetrics.evaluate` folds its chunks in blocks of 2**14 unless it is set.

    ``update(state, y_true, y_pred, sample_weight=None)`` applies ``sample_weight`` to every metric
    and the loss (a dict/list of weights gives one per output); weight-0 rows are ignored, which is
    what :func:`~jmetrics.pad_batch` relies on. Keras 3 applies weights only to
    ``weighted_metrics``, and its loss divides by the number of rows including weight-0 ones; with
    unit weights both agree.

    The collection is frozen and hashable (a static ``jax.jit`` argument); its state is a pytree
    of arrays whose ``init()`` has exactly an updated state's type, so a loop never retraces.

    .. math:: \\mathrm{compute}(s)[k] = m_k.\\mathrm{compute}(s_{g(k)})

    where ``g(k)`` is the shared statistic of the metric logged as ``k``.

    >>> import jax.numpy as jnp
    >>> import jmetrics
    >>> c = jmetrics.Collection(["mse", "mae"], loss="mse")
    >>> s = c.update(c.init(), jnp.array([[0.], [1.]]), jnp.array([[1.], [3.]]))
    >>> {k: float(v) for k, v in c.compute(s).items()}
    {'loss': 2.5, 'mse': 2.5, 'mae': 1.5}
    >>> len(s.stats)  # 'mse' and the loss keep one state
    2
    """

    naming: str = "keras3"

    def __init__(
        self,
        metrics: Any = (),
        *,
        loss: Any = None,
        naming: str = "keras",
        output_names: Sequence[str] | None = None,
        chunk_elements: int = CHUNK_ELEMENTS,
        name: str | None = None,
    ) -> None:
        if naming not in NAMINGS:
            raise ValueError(f"Collection: naming must be one of {tuple(NAMINGS)}; got {naming!r}.")
        if not isinstance(chunk_elements, int) or chunk_elements < 1:
            raise ValueError(f"Collection: chunk_elements must be a positive int; got {chunk_elements!r}.")
        mode = NAMINGS[naming]
        structure, outputs, per_output = _per_output(metrics, output_names)
        losses = _losses(loss, structure, outputs)
        members = _members(per_output, losses, outputs, structure, mode)
        object.__setattr__(self, "naming", mode)
        self._build(members, outputs, structure, chunk_elements, name)

    # -- config ---------------------------------------------------------------------------------
    def get_config(self) -> dict[str, Any]:
        """A JSON-safe description: every key with its output and serialized metric.

        Metrics serialize through :func:`jmetrics.serialize`, so custom functions must be
        registered (:func:`jmetrics.register_metric`) first. :meth:`from_config` rebuilds an equal
        collection (same keys, same shared statistics).
        """
        return {
            "items": [{"key": i.key, "output": i.output, "loss": i.loss, "metric": serialize(i.metric)}
                      for i in self.items],
            "outputs": list(self.outputs), "structure": self.structure, "naming": self.naming,
            "chunk_elements": self.chunk_elements, "name": self.name,
        }

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Collection:
        """Rebuild a collection from :meth:`get_config`.

        >>> import jmetrics
        >>> c = jmetrics.Collection(["mse", "acc"], loss="binary_crossentropy")
        >>> jmetrics.Collection.from_config(c.get_config()) == c
        True
        """
        members = [Member(it["key"], int(it["output"]), bool(it["loss"]), deserialize(it["metric"]))
                   for it in config["items"]]
        for member in members:
            if not isinstance(member.metric, Metric):
                raise ValueError(f"Collection.from_config: metric of {member.key!r} must deserialize "
                                 f"to a Metric; got {type(member.metric).__name__}.")
        out = cls.__new__(cls)
        object.__setattr__(out, "naming", config["naming"])
        out._build(members, tuple(config["outputs"]), config["structure"],
                   int(config.get("chunk_elements", CHUNK_ELEMENTS)), config.get("name"))
        return out


def _per_output(metrics: Any, output_names: Sequence[str] | None
                ) -> tuple[str, tuple[str, ...], list[list[Any]]]:
    """``(structure, output names, specs of each output)`` of compile's ``metrics=``."""
    if isinstance(metrics, Mapping):
        return "dict", tuple(str(k) for k in metrics), [_as_list(metrics[k]) for k in metrics]
    if not _is_per_output(metrics):
        return "single", ("",), [_as_list(metrics)]
    per_output = [_as_list(m) for m in metrics]
    outputs = tuple(output_names or (f"output_{i}" for i in range(len(per_output))))
    if len(outputs) != len(per_output):
        raise ValueError(f"Collection: output_names must name each of the {len(per_output)} "
                         f"outputs; got {list(outputs)}.")
    return "list", outputs, per_output


def _members(per_output: list[list[Any]], losses: list[Any], outputs: tuple[str, ...],
             structure: str, mode: str) -> list[Member]:
    """The loss trackers, then each output's metrics, under the keys Keras logs them as."""
    members: list[Member] = []
    multi = structure != "single"
    for o, loss_spec in enumerate(losses):
        if loss_spec is not None:
            members.append(Member(f"{outputs[o]}_loss" if multi else "loss", o, True,
                                  _loss_metric(loss_spec)))
    for o, output_specs in enumerate(per_output):
        keys = metric_names(output_specs, naming=mode, output_name=outputs[o] if multi else None)
        for spec, key in zip(output_specs, keys, strict=True):
            refuse_whole_set(spec, "Collection")
            metric = get_metric(spec, loss=None if mode == "keras3" else losses[o])
            if not isinstance(metric, Metric):
                raise TypeError(f"Collection: metric must be a string, a function or a Metric; "
                                f"got {type(spec).__name__}.")
            members.append(Member(key, o, False, metric))
    return members


def _losses(loss: Any, structure: str, outputs: tuple[str, ...]) -> list[Any]:
    """One loss spec (or None) per output."""
    if structure == "single" or not isinstance(loss, (Mapping, list, tuple)):
        return [loss] * len(outputs)
    if isinstance(loss, Mapping):
        unknown = set(loss) - set(outputs)
        if unknown:
            raise ValueError(f"Collection: loss keys must be output names {list(outputs)}; got "
                             f"{sorted(map(str, unknown))}.")
        return [loss.get(o) for o in outputs]
    if len(loss) != len(outputs):
        raise ValueError(f"Collection: loss must have one entry per output ({len(outputs)}); got "
                         f"{len(loss)}.")
    return list(loss)


def _is_per_output(metrics: Any) -> bool:
    return isinstance(metrics, Sequence) and not isinstance(metrics, str) and any(
        isinstance(m, (Mapping, list, tuple)) for m in metrics
    )


def _as_list(specs: Any) -> list[Any]:
    if specs is None:
        return []
    if isinstance(specs, (list, tuple)):
        return list(specs)
    return [specs]


def _loss_metric(spec: Any) -> Metric:
    """A streaming mean of the loss: a string, a function, a Metric or a Keras 3 loss object."""
    if (not isinstance(spec, (str, Metric, type)) and hasattr(spec, "get_config")
            and not hasattr(spec, "update_state")):
        try:  # keras.losses.BinaryCrossentropy(from_logits=True) -> jmetrics BinaryCrossentropy
            metric = deserialize({"class_name": type(spec).__name__, "config": spec.get_config(),
                                  "module": "keras.losses"})
        except (ValueError, TypeError):
            metric = None
        if isinstance(metric, Metric):
            return metric
    refuse_whole_set(spec, "Collection")
    metric = get_metric(spec)
    if not isinstance(metric, Mean):
        raise TypeError(
            f"Collection: loss must be a per-sample function, a loss name or a mean metric; got "
            f"{type(metric).__name__}."
        )
    return metric  # type: ignore[no-any-return]
