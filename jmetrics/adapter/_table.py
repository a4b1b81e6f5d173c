"""The registry: one entry of objects per metric, as data.

Every string jmetrics accepts (``jmetrics.get``, ``jmetrics eval -m``), every ``jmetrics list``
row, every page of ``docs/reference/``, every common test and every bench case is read from
:data:`ENTRIES` (and :data:`SK_ENTRIES` for the ``jmetrics.sk`` functions). An entry holds the
per-sample function and the streaming class themselves, the direction and value range, what Keras
2.3.1, Keras 3 and scikit-learn call it, and every string that resolves to it. Adding a metric is
one class or function plus one entry here: the consumers pick it up. No code here: resolution
lives in ``_lookup.py``/``_strings.py``, History keys in ``_names.py``; the bad-input row of each
unit is a fact of its entry (``Entry.policy_of``, ``SkEntry.row``; the family defaults are in
``_outcomes.py``), and ``_policy.py`` lays them out as the policy table.

``ENTRIES`` grows through ``jmetrics.register_metric(Entry(...))`` (:func:`add_entry`): an entry
added at run time is seen by every consumer, which reads the list when it runs (lookups cache by
:func:`revision`).

The four special strings 'acc', 'accuracy', 'ce' and 'crossentropy' are in ``AUTO``: they stand for
the binary, sparse or categorical form chosen from the shapes (Keras 3) or the loss (Keras 2.3.1).
"""

from __future__ import annotations

from jmetrics.adapter._entries_keras import KERAS_ENTRIES
from jmetrics.adapter._entries_more import MORE_ENTRIES, SK_ENTRIES
from jmetrics.adapter._entry import FAMILIES, AutoEntry, Entry, SkEntry

__all__ = ["AUTO", "ENTRIES", "FAMILIES", "SK_ENTRIES", "AutoEntry", "Entry", "SkEntry",
           "add_entry", "remove_entry", "revision"]

ENTRIES: list[Entry] = [*KERAS_ENTRIES, *MORE_ENTRIES]
_REVISION = [0]  # bumped by every change of ENTRIES


def revision() -> int:
    """A number that changes whenever ``ENTRIES`` changes (caches of the registry key on it)."""
    return _REVISION[0]


def add_entry(entry: Entry) -> None:
    """Append an entry (``register_metric`` checks its strings first)."""
    ENTRIES.append(entry)
    _REVISION[0] += 1


def remove_entry(entry: Entry) -> None:
    """Remove an entry added with :func:`add_entry`."""
    ENTRIES.remove(entry)
    _REVISION[0] += 1

AUTO: tuple[AutoEntry, ...] = (
    AutoEntry(
        name="auto_accuracy", triggers=("acc", "accuracy"), binary="binary_accuracy",
        sparse="sparse_categorical_accuracy", categorical="categorical_accuracy",
        keras2_name="acc",
        formula="binary, sparse or categorical accuracy, chosen from the shapes (or the loss)",
    ),
    AutoEntry(
        name="auto_crossentropy", triggers=("ce", "crossentropy"), binary="binary_crossentropy",
        sparse="sparse_categorical_crossentropy", categorical="categorical_crossentropy",
        keras2_name="ce",
        formula="binary, sparse or categorical crossentropy, chosen from the shapes (or the loss)",
    ),
)
