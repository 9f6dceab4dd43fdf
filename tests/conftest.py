"""Shared test settings.

Hypothesis runs a fixed, derandomized set of examples (the same on every run
and machine, so CI is reproducible); HYPOTHESIS_PROFILE=thorough explores
more, with fresh random examples each time.

BLAS runs on one thread (unless the environment already says otherwise):
the course's matrices are small, and splitting them over threads made
training 10 to 100 times slower on a busy 2-core machine. Set here, the
notebook kernels that nbval starts inherit it.
"""

import os

for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "VECLIB_MAXIMUM_THREADS"):
    os.environ.setdefault(_name, "1")

from hypothesis import HealthCheck, settings  # noqa: E402 - after the BLAS settings above

settings.register_profile(
    "ci",
    max_examples=12,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("thorough", max_examples=300, deadline=None, database=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
