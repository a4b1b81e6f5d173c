"""The shape of the registry: what one entry says about one metric, as objects.

An :class:`Entry` holds the per-sample function and the streaming class themselves (never their
names), the facts every consumer reads (input kind, direction, value range, formula, the bad-input
policy of each unit) and every string that names the metric in Keras 2.3.1, Keras 3 and
scikit-learn. An :class:`SkEntry` says how a ``jmetrics.sk`` function is called on a small clean
input, and its bad-input policy. The entries themselves are in
``_entries_keras.py`` and ``_entries_more.py``; ``_table.py`` assembles them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from jmetrics.adapter._outcomes import LABEL_KERNEL, Policy, family_policy, sk_policy

__all__ = ["ANY", "COS", "FAMILIES", "POS", "UNIT", "AutoEntry", "Entry", "SkEntry", "units"]

POS = (0.0, None)
UNIT = (0.0, 1.0)
ANY = (None, None)
COS = (-1.0, 1.0)

FAMILIES: dict[str, str] = {
    "regression": "Regression",
    "accuracy": "Accuracy",
    "probabilistic": "Probabilistic (crossentropy, divergence, Poisson)",
    "hinge": "Hinge",
    "correlation": "Correlation and R²",
    "confusion": "Thresholded classification (confusion counts, precision, recall, AUC, F-scores)",
    "iou": "Intersection over union",
    "agreement": "Multiclass confusion matrix and agreement (Matthews correlation, Cohen's kappa)",
    "calibration": "Calibration (expected and maximum calibration error)",
    "ranking": "Ranking (NDCG, DCG, precision, recall and hit rate at k, MAP, MRR)",
    "reduction": "Reductions",
    "wrappers": "Wrappers (per-class results, several tasks, running windows, epoch tracking)",
}


class Entry(NamedTuple):
    """One metric of the registry. Strings are exact (case-sensitive), as in Keras."""

    name: str  # canonical name: the kernel's name, else the class's default name
    kernel: Callable[..., Any] | None  # per-sample function; None for class-only metrics
    streaming: type | None  # streaming class; None for function-only metrics
    family: str  # key of FAMILIES (the docs page)
    higher_is_better: bool | None  # None for neither (counts of a reduction)
    value_range: tuple[float | None, float | None]  # (low, high); None for unbounded
    formula: str  # one line, per sample unless said otherwise; for `jmetrics list` and the docs
    keras2: tuple[str, ...] = ()  # Keras 2.3.1 keras.metrics.get strings that give this metric
    keras2_loss: tuple[str, ...] = ()  # extra Keras 2.3.1 keras.losses.get strings
    keras2_name: str | None = None  # __name__ of the Keras 2 function: the Keras 2.2 History key
    keras3: tuple[str, ...] = ()  # Keras 3 keras.metrics.get strings (class name, snake_case, ...)
    keras3_loss: tuple[str, ...] = ()  # extra Keras 3 keras.losses.get strings
    sk: Callable[..., Any] | None = None  # the jmetrics.sk function giving the same number
    sklearn: str | None = None  # an outside equivalent jmetrics.sk has no function for
    aliases: tuple[str, ...] = ()  # jmetrics-only strings
    at: tuple[str, ...] = ()  # short names written '<short>@<k>': the class built with k=<k>
    functions: tuple[Callable[..., Any], ...] = ()  # function forms (per query, per bin)
    input_kind: str | None = None  # declared here only when no streaming class declares it
    note: str = ""  # a caveat for the docs (equivalence conditions, sign conventions)
    # bad-input rows of the units that depart from their family's default (_outcomes.FAMILY_ROWS)
    policies: tuple[tuple[Any, Policy], ...] = ()

    @property
    def kind(self) -> str:
        """The input kind (``Metric.input_kind`` vocabulary): the class's, else the entry's."""
        kind = self.input_kind or getattr(self.streaming, "input_kind", None)
        if not isinstance(kind, str):
            raise ValueError(f"{self.name}: an entry without a streaming class must declare "
                             "input_kind; got None.")
        return kind

    @property
    def equivalent(self) -> str | None:
        """The outside function giving the same number (scikit-learn or scipy), as text."""
        if self.sk is not None:
            return f"sklearn.metrics.{self.sk.__name__}"
        return self.sklearn

    @property
    def units(self) -> tuple[Any, ...]:
        """Every public object of this metric: kernel, class, function forms, sk function."""
        return tuple(u for u in (self.kernel, self.streaming, *self.functions, self.sk)
                     if u is not None)

    def policy_of(self, unit: Any) -> Policy:
        """The bad-input row of one of this entry's units (not its sk function: see SkEntry).

        The unit's own line in ``policies``, else its family's default for its part.
        """
        own = next((p for u, p in self.policies if u is unit), None)
        if own is not None:
            return own
        parts = {id(self.kernel): "kernel", id(self.streaming): "streaming",
                 **{id(f): "functions" for f in self.functions}}
        if unit is None or id(unit) not in parts:
            raise ValueError(f"{self.name}: unit must be the entry's kernel, streaming class or "
                             f"a function form; got {unit!r}.")
        return family_policy(self.family, parts[id(unit)], self.kind)

    @property
    def rows(self) -> tuple[tuple[Any, Policy], ...]:
        """``(unit, policy)`` for the kernel, the streaming class and the function forms."""
        return tuple((u, self.policy_of(u)) for u in (self.kernel, self.streaming, *self.functions)
                     if u is not None)


class AutoEntry(NamedTuple):
    """A string that stands for the binary, sparse or categorical form of a metric."""

    name: str  # name of the shape-dispatching function jmetrics.get returns without shapes
    triggers: tuple[str, ...]  # lower-case strings that select it (matched case-insensitively)
    binary: str  # entry chosen for binary outputs
    sparse: str  # entry chosen for integer labels
    categorical: str  # entry chosen otherwise
    keras2_name: str  # the Keras 2.2 History key of every trigger
    formula: str

    @property
    def policy(self) -> Policy:
        """The bad-input row of the dispatching function: any real label goes through the form
        it picks, as Keras' does."""
        return LABEL_KERNEL


class SkEntry(NamedTuple):
    """A ``jmetrics.sk`` function and how it is called on a small clean input.

    ``kind`` is an input kind of the common tests: ``sklabels`` (0/1 labels both sides),
    ``skbinary`` (0/1 labels and scores), ``sksparse`` (class ids and probability rows),
    ``skregression`` (1-D reals) or ``multilabel`` (0/1 rows and score rows). ``options`` are
    passed to it and to scikit-learn's function of the same name alike. ``policy`` is its
    bad-input row where it departs from the default of its kind (``_outcomes.sk_policy``).
    """

    fn: Callable[..., Any]
    kind: str
    options: tuple[tuple[str, Any], ...] = ()
    policy: Policy | None = None

    @property
    def row(self) -> Policy:
        """The bad-input row: its own, else scikit-learn's checks for its kind."""
        return self.policy or sk_policy(self.kind)


def units(entries: tuple[Entry, ...], sk_entries: tuple[SkEntry, ...]) -> tuple[Any, ...]:
    """Every public object the registry covers, each once."""
    found = [u for e in entries for u in e.units] + [s.fn for s in sk_entries]
    return tuple({id(u): u for u in found}.values())
