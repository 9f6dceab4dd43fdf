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


# ---- the browser that the browser, site and demo tests share ----------------------------------------------

import pytest  # noqa: E402
from browsers import INSTALL_HINT, find_chromium, launch  # noqa: E402


@pytest.fixture(scope="module")
def chromium_path() -> str:
    """The Chromium to drive; the test is skipped without one, and fails under RNNLIB_REQUIRE_BROWSER=1 (CI)."""
    path = find_chromium()
    if path is None:
        if os.environ.get("RNNLIB_REQUIRE_BROWSER") == "1":
            pytest.fail("RNNLIB_REQUIRE_BROWSER=1 but " + INSTALL_HINT.replace(", so the browser test was skipped", ""))
        pytest.skip(INSTALL_HINT)
    return path


@pytest.fixture(scope="module")
def browser(chromium_path):
    """Headless Chromium; closed afterwards whatever happened."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = launch(pw, chromium_path)
        try:
            yield browser
        finally:
            browser.close()
