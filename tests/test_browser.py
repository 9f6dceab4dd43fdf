"""The course in a real browser, as a student meets it.

JupyterLab serves a temporary copy of notebooks/ on 127.0.0.1 with a token;
headless Chromium (driven by Playwright) opens each notebook that has a
widget, waits until its kernel is connected, runs all cells and waits for
the kernel to go idle. Then: no cell shows an error, every widget rendered,
and moving each slider changes what its cell draws. A screenshot of each
notebook's first widget is saved under test-output/browser/.

Chromium is found on PATH (chromium, chromium-browser, google-chrome) or at
$CHROMIUM. Without it the test is skipped, unless RNNLIB_REQUIRE_BROWSER=1
(set by CI), which turns a missing browser into a failure.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted(p for p in (ROOT / "notebooks").glob("*.ipynb") if "rnnlib.widgets" in p.read_text("utf-8"))
SCREENSHOTS = ROOT / "test-output" / "browser"
TOKEN = "rnn-course-browser-test"
INSTALL_HINT = (
    "Chromium was not found, so the browser test was skipped. Install it to run this test "
    "(Debian/Ubuntu: apt-get install chromium; macOS: brew install --cask chromium), "
    "or point $CHROMIUM at a Chromium or Chrome executable."
)


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


@pytest.fixture(scope="module")
def chromium_path() -> str:
    path = find_chromium()
    if path is None:
        if os.environ.get("RNNLIB_REQUIRE_BROWSER") == "1":
            pytest.fail("RNNLIB_REQUIRE_BROWSER=1 but " + INSTALL_HINT.replace(", so the browser test was skipped", ""))
        pytest.skip(INSTALL_HINT)
    return path


@pytest.fixture(scope="module")
def lab(tmp_path_factory, chromium_path):
    """A JupyterLab server on 127.0.0.1 over a temporary copy of notebooks/; stopped afterwards."""
    root = tmp_path_factory.mktemp("lab")
    for nb in NOTEBOOKS:
        shutil.copy(nb, root / nb.name)
    # Settings of this server only: draw every cell (JupyterLab otherwise leaves cells outside the
    # window undrawn, so their widgets could not be seen), and no news pop-up over the page.
    settings = tmp_path_factory.mktemp("lab-settings")
    for plugin, values in {
        "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
        "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
    }.items():
        package, name = plugin.rsplit("/", 1)
        (settings / package).mkdir(parents=True, exist_ok=True)
        (settings / package / f"{name}.jupyterlab-settings").write_text(json.dumps(values))
    port = free_port()
    cmd = [
        sys.executable, "-m", "jupyter", "lab", "--no-browser", "--allow-root",
        "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        f"--ServerApp.token={TOKEN}", f"--ServerApp.root_dir={root}",
        f"--LabApp.user_settings_dir={settings}", f"--LabApp.workspaces_dir={settings}",
        "--LabApp.expose_app_in_browser=True", "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]  # fmt: skip
    log = open(root / "server.log", "w")  # noqa: SIM115 - closed in the finally below
    server = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=root)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={TOKEN}", timeout=2)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("JupyterLab did not start:\n" + (root / "server.log").read_text()) from None
                time.sleep(0.5)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


@pytest.fixture(scope="module")
def browser(chromium_path):
    """Headless Chromium; closed afterwards whatever happened."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=chromium_path,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-quic"],
        )  # fmt: skip
        try:
            yield browser
        finally:
            browser.close()


# Asks the notebook panel's model (exposed by expose_app_in_browser) about the cells.
CELL_STATE_JS = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  const cells = panel.content.model.cells;
  const out = {count: cells.length, unrun: 0, errors: []};
  for (let i = 0; i < cells.length; i++) {
    const cell = cells.get(i);
    if (cell.type !== 'code' || !cell.sharedModel.getSource().trim()) continue;
    if (cell.executionCount === null) out.unrun++;
    const outputs = cell.outputs.toJSON();
    for (const o of outputs) if (o.output_type === 'error') out.errors.push(i + ': ' + o.ename + ': ' + o.evalue);
  }
  return out;
}"""

KERNEL_READY_JS = """() => {
  const panel = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  const kernel = panel && panel.sessionContext && panel.sessionContext.session && panel.sessionContext.session.kernel;
  return !!kernel && kernel.connectionStatus === 'connected' && kernel.status === 'idle';
}"""

KERNEL_IDLE_JS = """() => {
  const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
  return kernel.status === 'idle';
}"""


# What a widget's cell draws, without its controls: images (data URLs, so a
# redraw changes them), and the text of Output widgets and HTML/LaTeX labels.
DRAWN_JS = """(cell) => {
  const parts = [];
  for (const img of cell.querySelectorAll('.jp-OutputArea img')) parts.push(img.src);
  const drawnParts = '.widget-output, .widget-htmlmath, .widget-html';
  for (const el of cell.querySelectorAll('.jp-OutputArea ' + drawnParts.split(', ').join(', .jp-OutputArea ')))
    parts.push(el.textContent);
  return parts.join('|');
}"""


def drawn(cell) -> str:
    """A short digest of what the cell draws (so a failing assertion prints no megabytes of base64)."""
    return hashlib.sha256(cell.evaluate(DRAWN_JS).encode()).hexdigest()[:16]


def settle(page, timeout: float = 30) -> None:
    """Wait until the kernel has handled the widget's message and is idle again, and the page has redrawn."""
    deadline = time.monotonic() + timeout
    page.wait_for_timeout(300)
    while not page.evaluate(KERNEL_IDLE_JS):
        assert time.monotonic() < deadline, "the kernel stayed busy after a slider move"
        page.wait_for_timeout(200)
    page.wait_for_timeout(500)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_in_browser(notebook, lab, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        # A workspace of its own, reset, so the page opens this notebook alone
        page.goto(f"{lab}/lab/workspaces/{notebook.stem}/tree/{notebook.name}?reset&token={TOKEN}")
        page.wait_for_function(KERNEL_READY_JS, timeout=120_000, polling=250)
        page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
        # A run is over when every code cell has an execution count and the kernel is idle.
        deadline = time.monotonic() + 300
        while True:
            state = page.evaluate(CELL_STATE_JS)
            if state["unrun"] == 0 and page.evaluate(KERNEL_IDLE_JS):
                break
            assert time.monotonic() < deadline, f"{state['unrun']} cells still unrun after 300 s"
            page.wait_for_timeout(500)
        # No cell of the notebook ended in an error.
        assert state["errors"] == [], state["errors"]

        widgets = page.locator(".jp-OutputArea-output .widget-slider")
        widgets.first.scroll_into_view_if_needed(timeout=30_000)
        widgets.first.wait_for(timeout=30_000)
        # Every widget rendered: none of JupyterLab's "Error displaying widget" placeholders.
        assert page.get_by_text("Error displaying widget").count() == 0
        assert page.get_by_text("Loading widget...").count() == 0

        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        first_cell = page.locator(".jp-CodeCell", has=page.locator(".widget-slider")).first
        first_cell.scroll_into_view_if_needed()
        first_cell.screenshot(path=str(SCREENSHOTS / f"{notebook.stem}.png"))

        sliders = page.locator(".jp-OutputArea-output .widget-slider .noUi-handle")
        assert sliders.count() > 0, "no slider found in a notebook that uses rnnlib.widgets"
        for k in range(sliders.count()):
            handle = sliders.nth(k)
            cell = page.locator(".jp-CodeCell", has=handle)
            handle.scroll_into_view_if_needed()
            before = drawn(cell)
            handle.focus()
            # A slider at its upper end cannot go right; then try the other way.
            for key in ("ArrowRight", "ArrowLeft"):
                page.keyboard.press(key)
                settle(page)
                if drawn(cell) != before:
                    break
            # Moving the slider redrew what its cell shows (not just the slider's own readout).
            assert drawn(cell) != before, f"slider {k} of {notebook.name} changed nothing that is drawn"
    except Exception:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{notebook.stem}-failure.png"), full_page=True)
        raise
    finally:
        page.close()
