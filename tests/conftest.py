"""Test set-up: CPU JAX, Keras 3 on the JAX backend as an oracle, quick hypothesis profile."""

import os

os.environ.setdefault("JAX_PLATFORMS", "cpu")
os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# XLA's LLVM backend without its optimisation passes: the tests' arrays are small, so compiling
# (thousands of small programs) costs far more than running; the programs' results are the same.
os.environ.setdefault("XLA_FLAGS", "--xla_backend_optimization_level=0")

from hypothesis import HealthCheck, settings  # noqa: E402

settings.register_profile(
    "jmetrics",
    deadline=None,
    max_examples=25,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "jmetrics"))
