"""Eager face for metrics whose state width Keras 3 infers from the first batch.

Keras 3's ``F1Score``, ``FBetaScore`` and ``R2Score`` build their variables when they first see
data (``y_pred.shape[-1]`` classes or outputs). A pure ``init()`` has no data, so the jmetrics
classes take the width as a keyword (``num_classes`` / ``num_outputs``); without it ``init()``
raises and says so. The eager Keras-style face (``update_state``/``result``/``reset_state``) keeps
working without it, like Keras: the first batch fixes the width (``result()`` before any batch
raises, as Keras' does). ``reset_state()`` then keeps that width, as Keras keeps its built
variables: the result of a reset metric is that of an empty state of that width.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["InferredWidth"]


class InferredWidth:
    """Mixin for a :class:`~jmetrics.metrics.Metric` whose state width may come from the first batch."""

    width_option: str = "num_classes"  # the keyword that fixes the width

    def width(self) -> int | None:
        """The configured width, or ``None`` when the first batch decides."""
        return getattr(self, self.width_option)

    def needs_width(self) -> bool:
        """True when ``init()`` cannot build a state without a configured width."""
        return self.width() is None

    def init_width(self, width: int) -> Any:
        """The empty state for ``width`` classes or outputs."""
        raise NotImplementedError

    def init(self) -> Any:
        if self.needs_width():
            raise ValueError(
                f"{type(self).__name__}: {self.width_option} must be given to build a state with "
                f"init(); got None. Pass {self.width_option}=y_pred.shape[-1] (Keras infers it "
                f"from the first batch, as update_state does here)."
            )
        width = self.width()
        return self.init_width(0 if width is None else int(width))  # a width-free state

    def with_width(self, width: int, **changes: Any) -> Any:
        """This metric with its width fixed (and other ``changes``), rebuilt from its config."""
        config = {**self.get_config(), **changes, self.width_option: int(width)}  # type: ignore[attr-defined]
        return type(self).from_config(config)  # type: ignore[attr-defined]

    def _eager_init(self, *inputs: Any) -> Any:
        """The first eager batch's ``y_pred.shape[-1]`` fixes the width when none was given."""
        if not self.needs_width():
            return self.init()  # type: ignore[misc]
        shape = np.shape(inputs[-1])  # y_pred
        width = int(shape[-1]) if len(shape) else 1
        self._eager_slot().width = width  # type: ignore[attr-defined]
        return self.init_width(width)

    def reset_state(self) -> None:
        """Forget the accumulated values; a width fixed by a first batch stays (as in Keras)."""
        slot = self._eager_slot()  # type: ignore[attr-defined]
        with slot.lock:
            state = None
            if slot.width is not None and self.needs_width():
                state = self.init_width(int(slot.width))
            slot.state = state
