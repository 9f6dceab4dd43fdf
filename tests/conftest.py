"""Shared test settings.

Hypothesis runs a fixed, derandomized set of examples (the same on every run
and machine, so CI is reproducible); HYPOTHESIS_PROFILE=thorough explores
more, with fresh random examples each time.
"""

import os

from hypothesis import HealthCheck, settings

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
