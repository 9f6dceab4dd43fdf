"""Finding and starting the headless Chromium that the browser, site and demo tests drive (via Playwright).

The fixtures `chromium_path` and `browser` (tests/conftest.py) use these; a test that needs
a browser of its own, started later, calls launch().
"""

from __future__ import annotations

import os
import shutil
import socket

INSTALL_HINT = (
    "Chromium was not found, so the browser test was skipped. Install it to run this test "
    "(Debian/Ubuntu: apt-get install chromium; macOS: brew install --cask chromium), "
    "or point $CHROMIUM at a Chromium or Chrome executable."
)
# As root Chromium needs --no-sandbox; without the background-networking flags it tries hosts
# that a closed network refuses.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]  # fmt: skip


def find_chromium() -> str | None:
    if os.environ.get("CHROMIUM"):
        return os.environ["CHROMIUM"]
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return shutil.which(name)
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def launch(pw, chromium_path: str):
    """Headless Chromium from a started sync_playwright()."""
    return pw.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
