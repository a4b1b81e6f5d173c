"""The bad-input policy as data: what a unit gives on NaN, inf, empty batches, odd weights, bad labels.

A :class:`Policy` is one row: an :class:`Outcome` (what the eager call gives, and what the same call
under ``jax.jit`` gives) per class of bad input. The rows below are the family defaults, each
written once; :func:`family_policy` says which one a registry entry's unit takes (its family, its
part: per-sample function, streaming class or function form, and its input kind). An entry states
only where one of its units departs from that (``Entry.policies``). ``tests/test_adversarial*.py``
holds every unit to its row, and ``docs/bad-input.md`` is generated from the same rows.
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["ENGINE", "FAMILY_ROWS", "INPUT_CLASSES", "MEMBERS", "MEMBERS_ROW", "NA", "OUTCOMES",
           "Outcome", "Policy", "Rows", "family_policy", "sk_policy"]

OUTCOMES: dict[str, str] = {
    "raise": "a ValueError or TypeError whose message names the unit and the argument",
    "nan": "NaN (the whole result)",
    "propagate": "NaN or inf where the float64 formula gives them, element by element",
    "nan_rows": "NaN in the samples holding the bad input; the oracle's number in the others",
    "oracle": "the oracle's number (Keras 3 or scikit-learn 1.9.1); where the oracle raises, "
              "a ValueError eagerly and NaN under jit",
    "ignore": "the rows count as absent: the result of the same stream without them",
    "members": "each member metric's own outcome (the collection raises if one of them does)",
    "n/a": "does not apply (no such argument, or no jit face)",
}


class Outcome(NamedTuple):
    """What a unit gives on one class of bad input: eagerly, and under ``jax.jit``."""

    eager: str  # a key of OUTCOMES
    jit: str  # a key of OUTCOMES


class Policy(NamedTuple):
    """A unit's outcome for each class of bad input."""

    nan_true: Outcome  # NaN in y_true
    nan_pred: Outcome  # NaN in y_pred (the values of Mean/Sum)
    nan_weight: Outcome  # NaN in sample_weight
    posinf_true: Outcome  # +inf in y_true
    neginf_true: Outcome  # -inf in y_true
    inf_pred: Outcome  # +inf or -inf in y_pred
    empty: Outcome  # a batch of 0 rows
    zero_weights: Outcome  # a batch whose weights are all 0
    negative_weights: Outcome  # a weight below 0
    bad_labels: Outcome  # labels out of range: 2 or -1 for binary, C for sparse, num_classes
    fractional_labels: Outcome  # 0.5 where 0/1 labels are expected, 1.5 for a class id


# Columns of the policy page, in Policy field order.
INPUT_CLASSES: dict[str, str] = {
    "nan_true": "NaN y_true",
    "nan_pred": "NaN y_pred",
    "nan_weight": "NaN weight",
    "posinf_true": "+inf y_true",
    "neginf_true": "-inf y_true",
    "inf_pred": "±inf y_pred",
    "empty": "empty batch",
    "zero_weights": "all-zero weights",
    "negative_weights": "negative weight",
    "bad_labels": "out-of-range labels",
    "fractional_labels": "fractional labels",
}

RAISE = Outcome("raise", "nan")  # eager error; NaN under jit
RAISE_ROWS = Outcome("raise", "nan_rows")  # eager error; NaN in the samples at fault under jit
PROPAGATE = Outcome("propagate", "propagate")
ORACLE = Outcome("oracle", "oracle")
IGNORE = Outcome("ignore", "ignore")
MEMBERS = Outcome("members", "members")
NAN = Outcome("nan", "nan")
NA = Outcome("n/a", "n/a")


def everywhere(outcome: Outcome) -> Policy:
    """The same outcome for every class of bad input."""
    return Policy(*([outcome] * len(Policy._fields)))


def eager_only(policy: Policy) -> Policy:
    """No jit face (the result's length depends on the values, or the unit reads files)."""
    return Policy(*(Outcome(o.eager, "n/a") for o in policy))


# -- family defaults ------------------------------------------------------------------------
# Per-sample functions follow their float64 formula: NaN and inf propagate row by row.
KERNEL = everywhere(NA)._replace(nan_true=PROPAGATE, nan_pred=PROPAGATE, posinf_true=PROPAGATE,
                                 neginf_true=PROPAGATE, inf_pred=PROPAGATE, empty=ORACLE)
# Functions of labels: any real label goes through the formula as Keras' does.
LABEL_KERNEL = KERNEL._replace(bad_labels=ORACLE, fractional_labels=ORACLE)
# Class ids used as an index: JAX would clamp a wrong one into a wrong number, so a sample whose
# label is not a class id is NaN under jit (the others keep their values). Fractional ids are
# truncated toward zero, as Keras casts them.
SPARSE_KERNEL = KERNEL._replace(nan_true=RAISE_ROWS, posinf_true=RAISE_ROWS,
                                neginf_true=RAISE_ROWS, bad_labels=RAISE_ROWS,
                                fractional_labels=ORACLE)
# Weighted means of a kernel (Keras' MeanMetricWrapper): NaN propagates as in Keras.
MEAN = Policy(nan_true=PROPAGATE, nan_pred=PROPAGATE, nan_weight=PROPAGATE,
              posinf_true=PROPAGATE, neginf_true=PROPAGATE, inf_pred=PROPAGATE,
              empty=IGNORE, zero_weights=IGNORE, negative_weights=ORACLE, bad_labels=NA,
              fractional_labels=NA)
LABEL_MEAN = MEAN._replace(bad_labels=ORACLE, fractional_labels=ORACLE)
SPARSE_MEAN = MEAN._replace(nan_true=RAISE, posinf_true=RAISE, neginf_true=RAISE,
                            bad_labels=RAISE, fractional_labels=ORACLE)
# Counts, curves, sorts, histograms, bins: a NaN score or label, a NaN, inf or negative weight has
# no place, so it is refused. Infinite scores are ordered (the Keras number). Any finite nonzero
# label is positive, as in Keras.
CURVES = Policy(nan_true=RAISE, nan_pred=RAISE, nan_weight=RAISE, posinf_true=RAISE,
                neginf_true=RAISE, inf_pred=ORACLE, empty=IGNORE, zero_weights=IGNORE,
                negative_weights=RAISE, bad_labels=ORACLE, fractional_labels=ORACLE)
# Keras' threshold counts (AUC, Precision, TruePositives...): a negative weight is summed as given,
# as Keras 3 sums it.
THRESHOLD_COUNTS = CURVES._replace(negative_weights=ORACLE)
# Labels that must be 0 or 1 (ExactAUC, as scikit-learn) or in [0, 1] (soft labels count).
ZERO_ONE = CURVES._replace(bad_labels=RAISE, fractional_labels=RAISE)
SOFT_LABELS = CURVES._replace(bad_labels=RAISE)
# Class ids (the IoU family): ids outside [0, num_classes) are dropped, as Keras 3 drops them; a
# NaN, infinite or fractional id names no class.
LABEL_INDEX = CURVES._replace(inf_pred=RAISE, bad_labels=ORACLE, fractional_labels=RAISE)
# One-hot y_true (argmax): values must be in [0, 1] (one-hot or probabilities; soft rows count).
ONE_HOT_INDEX = CURVES._replace(bad_labels=RAISE)
# Class ids counted into a confusion matrix: an id that is NaN, inf, fractional or out of range
# would land in a wrong cell (JAX clamps scatter indices), so it is refused in y_true and y_pred.
CLASS_IDS = CURVES._replace(inf_pred=RAISE, bad_labels=RAISE, fractional_labels=RAISE)
# Calibration: confidences must be probabilities, labels 0/1 or class ids.
CALIBRATION = CURVES._replace(inf_pred=RAISE, bad_labels=RAISE, fractional_labels=RAISE)
# Ranking: graded relevance (a negative one is padding); a NaN or +inf relevance is refused.
RANKING = CURVES._replace(neginf_true=ORACLE)
# The function forms give one value per query (per bin): NaN for the queries holding bad input.
PER_QUERY = Outcome("raise", "propagate")
RANKING_FUNCTION = RANKING._replace(nan_true=PER_QUERY, nan_pred=PER_QUERY, posinf_true=PER_QUERY,
                                    empty=ORACLE, nan_weight=NA, zero_weights=NA,
                                    negative_weights=NA)
CALIBRATION_FUNCTION = CALIBRATION._replace(empty=NAN, zero_weights=NAN)
# scikit-learn functions: scikit-learn's checks (eagerly), NaN under jit.
SKLEARN = Policy(nan_true=RAISE, nan_pred=RAISE, nan_weight=RAISE, posinf_true=RAISE,
                 neginf_true=RAISE, inf_pred=RAISE, empty=RAISE, zero_weights=ORACLE,
                 negative_weights=ORACLE, bad_labels=ORACLE, fractional_labels=ORACLE)
SKLEARN_REGRESSION = SKLEARN._replace(bad_labels=NA, fractional_labels=NA)
# The engine refuses non-finite rows (on_nonfinite="error") and empty data; it has no jit face.
ENGINE = eager_only(everywhere(Outcome("raise", "raise"))._replace(
    zero_weights=ORACLE, bad_labels=MEMBERS, fractional_labels=MEMBERS))
# Wrappers and collections: each member metric's own outcome, arranged as they arrange results.
MEMBERS_ROW = everywhere(MEMBERS)


class Rows(NamedTuple):
    """A family's default rows for each part of an entry."""

    kernel: Policy | None  # the per-sample function
    streaming: Policy  # the streaming class
    functions: Policy | None = None  # function forms (per query, per bin)


FAMILY_ROWS: dict[str, Rows] = {
    "regression": Rows(KERNEL, MEAN),
    "accuracy": Rows(LABEL_KERNEL, LABEL_MEAN),
    "probabilistic": Rows(LABEL_KERNEL, LABEL_MEAN),
    "hinge": Rows(LABEL_KERNEL, LABEL_MEAN),
    "correlation": Rows(KERNEL, MEAN),
    "confusion": Rows(None, THRESHOLD_COUNTS),
    "iou": Rows(None, LABEL_INDEX),
    "agreement": Rows(None, CLASS_IDS),
    "calibration": Rows(None, CALIBRATION, CALIBRATION_FUNCTION),
    "ranking": Rows(None, RANKING, RANKING_FUNCTION),
    "reduction": Rows(None, MEAN),
    "wrappers": Rows(None, MEMBERS_ROW),
}
# Sparse labels are class ids used as an index (see SPARSE_KERNEL): the label rows become these.
SPARSE_ROWS: dict[Policy, Policy] = {LABEL_KERNEL: SPARSE_KERNEL, LABEL_MEAN: SPARSE_MEAN}


def family_policy(family: str, part: str, kind: str) -> Policy:
    """The default row of an entry's ``part`` (``kernel``, ``streaming`` or ``functions``)."""
    row = getattr(FAMILY_ROWS[family], part)
    if row is None:
        raise ValueError(f"{family}: the family has no default bad-input row for a {part}; "
                         "state it in the entry's policies.")
    return SPARSE_ROWS.get(row, row) if kind == "sparse" else row


def sk_policy(kind: str) -> Policy:
    """The default row of a ``jmetrics.sk`` function of an input kind (see ``SkEntry``)."""
    return SKLEARN_REGRESSION if kind == "skregression" else SKLEARN
