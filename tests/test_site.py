"""The static site (make site) in a real browser, with the network cut off.

tools/build_site.py builds the site into a temporary folder; headless
Chromium (driven by Playwright) opens every page from file:// while a route
aborts every request that is not for a file, and counts them. On every page:
no request was aborted and no file failed to load; every formula was typeset
(as many MathJax formulas as the notebook's sources hold, none left as raw
$...$ or \\(...\\) text, none in error) with the web fonts that ship in the
site; every image loaded; every link to another page resolves to a file of
the site; and no widget shows its Python repr. A screenshot (1280x720) of the
top of each page is saved under test-output/site/.

Chromium is found as tests/test_browser.py finds it; without it the test is
skipped, unless RNNLIB_REQUIRE_BROWSER=1 (set by CI) makes that a failure.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
PAGES = ["index.html"] + [f"{p.stem}.html" for p in NOTEBOOKS]
GUIDE = "teaching.html"  # TEACHING.md, which the README links to, as a page of its own
SCREENSHOTS = ROOT / "test-output" / "site"
WIDGET = "application/vnd.jupyter.widget-view+json"


def count_formulas(text: str) -> int:
    """How many formulas MathJax should find in a piece of markdown (or a text/latex output).

    Counted from the source, independently of the site's build: code is not math; then
    $$...$$, \\[...\\], \\begin{...}...\\end{...}, \\(...\\) and $...$, each removed once counted.
    """
    text = re.sub(r"```.*?```", " ", text, flags=re.DOTALL)
    text = re.sub(r"(`+).+?\1", " ", text, flags=re.DOTALL)
    text = text.replace(r"\$", " ")
    total = 0
    display = (r"\$\$.+?\$\$", r"\\\[.+?\\\]", r"\\begin\{(\w+\*?)\}.+?\\end\{\1\}")
    for pattern in (*display, r"\\\(.+?\\\)", r"\$[^$\n]+?\$"):
        total += len(re.findall(pattern, text, flags=re.DOTALL))
        text = re.sub(pattern, " ", text, flags=re.DOTALL)
    return total


def expected(page: str) -> dict:
    """What a page must show, read from its notebook: formulas, images, widgets without a picture."""
    if page == GUIDE:
        guide = re.sub(r"```.*?```", " ", (ROOT / "TEACHING.md").read_text("utf-8"), flags=re.DOTALL)
        return {"formulas": count_formulas(guide), "images": len(re.findall(r"!\[", guide)), "notes": 0}
    if page == "index.html":
        # The course map is README.md's introduction (before its first section) and its section "The course".
        readme = re.sub(r"```.*?```", " ", (ROOT / "README.md").read_text("utf-8"), flags=re.DOTALL)
        sections = re.split(r"(?m)^## ", readme)
        shown = sections[0] + next(s for s in sections if s.startswith("The course"))
        return {"formulas": count_formulas(shown), "images": len(re.findall(r"!\[", shown)), "notes": 0}
    nb = json.loads((ROOT / "notebooks" / page.replace(".html", ".ipynb")).read_text("utf-8"))
    formulas = images = notes = 0
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            formulas += count_formulas("".join(cell["source"]))
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            images += "image/png" in data
            notes += WIDGET in data and "image/png" not in data
            if "text/latex" in data and "image/png" not in data:
                formulas += count_formulas("".join(data["text/latex"]))
    return {"formulas": formulas, "images": images, "notes": notes}


@pytest.fixture(scope="module")
def site(tmp_path_factory, chromium_path) -> Path:
    """The site, built by the script that make site runs."""
    out = tmp_path_factory.mktemp("site") / "site"
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "build_site.py"), "--out", str(out)],
        capture_output=True, text=True, timeout=120, cwd=ROOT,
    )  # fmt: skip
    seconds = time.perf_counter() - start
    assert result.returncode == 0, result.stdout + result.stderr
    # The build reports what it wrote, and takes well under the minute it is allowed.
    assert f"wrote {len(PAGES) + 1} pages" in result.stdout, result.stdout
    assert seconds < 30, f"the build took {seconds:.1f} s"
    assert sorted(p.name for p in out.glob("*.html")) == sorted([*PAGES, GUIDE])
    return out


# Text that a reader would see as raw TeX: everything outside code and MathJax's own elements.
RAW_TEXT_JS = """() => {
  const skip = 'script, style, pre, code, .MathJax, .MathJax_Display, .MathJax_Preview, .MathJax_MathML';
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const parts = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode())
    if (!node.parentElement.closest(skip)) parts.push(node.textContent);
  return parts.join(' ');
}"""

PAGE_FACTS_JS = """() => ({
  formulas: document.querySelectorAll('span.MathJax').length,
  sources: document.querySelectorAll('script[type^="math/tex"]').length,
  errors: document.querySelectorAll('.MathJax_Error, .noError, merror').length,
  fonts: [...document.fonts].filter(f => f.status === 'loaded').map(f => f.family),
  images: [...document.images].map(img =>
    ({src: img.getAttribute('src'), complete: img.complete, width: img.naturalWidth})),
  notes: document.querySelectorAll('.widget-note').length,
  links: [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href')),
  ids: [...document.querySelectorAll('[id]')].map(el => el.id),
})"""


def resolve(site: Path, page: str, href: str) -> tuple[Path | None, str]:
    """The file a relative link goes to (None for a web address) and its fragment."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc:
        return None, parts.fragment
    target = (site / page).parent / unquote(parts.path) if parts.path else site / page
    return target.resolve(), parts.fragment


@pytest.mark.parametrize("page_name", [*PAGES, GUIDE], ids=[p.removesuffix(".html") for p in [*PAGES, GUIDE]])
def test_page_offline(page_name, site, browser):
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page = browser.new_page(viewport={"width": 1280, "height": 720})
    aborted, failed, console = [], [], []

    def only_files(route):
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            aborted.append(route.request.url)
            route.abort()

    page.route("**/*", only_files)
    # MathJax probes for fonts with about:blank; a file that fails to load is a real miss.
    page.on("requestfailed", lambda request: failed.append(request.url) if request.url.startswith("file:") else None)
    page.on("console", lambda message: console.append(message) if message.type == "error" else None)
    try:
        page.goto((site / page_name).as_uri(), wait_until="load")
        want = expected(page_name)
        typeset = page_name in ("index.html", GUIDE)  # the course map and the guide load no MathJax
        if not typeset:
            try:
                page.wait_for_function("() => document.documentElement.getAttribute('data-math') === 'typeset'",
                                       timeout=30_000)  # fmt: skip
                typeset = True
            except PlaywrightTimeout:
                pass  # reported below, after what may have caused it
        facts = page.evaluate(PAGE_FACTS_JS)
        raw = page.evaluate(RAW_TEXT_JS)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / page_name.replace(".html", ".png")))

        # Nothing left the machine, and every file the page asked for was there.
        assert aborted == [], f"{len(aborted)} requests would have gone to the network: {aborted[:5]}"
        assert failed == [], f"files that failed to load: {failed}"
        assert typeset, "MathJax did not finish typesetting within 30 s"

        # Every formula of the notebook was typeset, none is in error, none is left as raw TeX.
        assert facts["formulas"] == want["formulas"], (facts["formulas"], want["formulas"])
        assert facts["sources"] == want["formulas"]
        assert facts["errors"] == 0, f"{facts['errors']} formulas in error"
        for pattern in (r"\$[^$\s][^$]*\$", r"\\\(", r"\\\[", r"\\begin\{", r"\\frac|\\partial|\\mathrm"):
            found = re.search(pattern, raw)
            assert found is None, f"raw TeX on the page: ...{raw[max(0, found.start() - 60) : found.end() + 60]}..."
        if want["formulas"]:
            # Drawn in MathJax's own fonts, loaded from the site (not whatever the machine has).
            assert any(f.startswith("STIXMathJax") for f in facts["fonts"]), facts["fonts"]

        # Every image loaded, and there is one for each image of the notebook (widgets' pictures included).
        assert len(facts["images"]) == want["images"], (len(facts["images"]), want["images"])
        for image in facts["images"]:
            assert image["complete"] and image["width"] > 0, f"image did not load: {image['src']}"

        # A widget without a picture shows its sentence, never its Python repr or its view's JSON.
        assert facts["notes"] == want["notes"]
        text = page.inner_text("body")
        for repr_start in ("VBox(", "HBox(", "FloatSlider(", "IntSlider(", "widget-view+json", "model_id"):
            assert repr_start not in text, f"a widget shows its repr ({repr_start}) on {page_name}"

        # Every link into the site resolves to one of its files (and its fragment to an element);
        # no link is left pointing at a notebook or the README, which the site does not have.
        for href in facts["links"]:
            target, fragment = resolve(site, page_name, href)
            if target is None:
                continue
            assert target.is_file() and target.is_relative_to(site.resolve()), f"{href} on {page_name} goes nowhere"
            assert target.suffix not in (".ipynb", ".md"), href
            if fragment and target.suffix == ".html":
                ids = facts["ids"] if target.name == page_name else re.findall(r'id="([^"]+)"', target.read_text())
                # A browser matches the fragment as written, then percent-decoded.
                assert fragment in ids or unquote(fragment) in ids, f"{href} on {page_name}: no element {fragment!r}"
        # The course map links to every lesson; each lesson to the map and to its neighbours.
        linked = {resolve(site, page_name, href)[0] for href in facts["links"]}
        if page_name == "index.html":
            neighbours = PAGES[1:] + [GUIDE]
        elif page_name == GUIDE:
            neighbours = ["index.html"]
        else:
            k = PAGES.index(page_name)
            neighbours = ["index.html"] + PAGES[max(k - 1, 1) : k] + PAGES[k + 1 : k + 2]
        for name in neighbours:
            assert (site / name).resolve() in linked, f"{page_name} has no link to {name}"

        # No script failed (MathJax's font probe at about:blank is refused by design, and says so).
        errors = [m.text for m in console if "about:blank" not in m.text + m.location.get("url", "")]
        assert errors == [], f"errors in the page's console: {errors}"
    except Exception:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{page_name.replace('.html', '')}-failure.png"), full_page=True)
        raise
    finally:
        page.close()
