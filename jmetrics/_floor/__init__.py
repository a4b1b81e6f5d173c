"""The floor layer: numerics and checks shared by kernels, metrics and ``sk``.

Modules here import nothing from the rest of jmetrics (only NumPy and JAX, and each other), so
every layer above may import them: input conversion and trace-time checks (:mod:`._checks`),
option validators (:mod:`._options`), half-precision dtype rules (:mod:`._dtypes`), division with a
fill value and weighted means (:mod:`._ratios`), compensated sums (:mod:`._sums`), tie-grouped sorts
and the AUC/AP of the groups (:mod:`._sort`; traced inputs: :mod:`._groups_jax`), max/min that keep NaN on every backend
(:mod:`._extrema`). This package re-exports nothing; import the module
that holds the name.
"""
