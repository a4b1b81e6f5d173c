"""Optional integrations, one module per framework, each imported only when you import it.

- ``jmetrics.integrations.dask``: ``evaluate``, ``jmetrics.evaluate`` over a Dask DataFrame (a
  metric state per partition, tree-merged on the workers).
- ``jmetrics.integrations.flax``: ``NNXMetric``, any metric or Collection as an ``nnx.Metric``.
- ``jmetrics.integrations.keras``: ``to_keras`` / ``KerasMetric``, streaming metrics in Keras 3's
  ``compile(metrics=[...])`` (JAX backend); jmetrics functions need no adapter.

This package imports neither dask, flax nor keras (``import jmetrics`` stays light).
"""

__all__: list[str] = []
