"""Build site/: the executed notebooks as static pages that read offline.

    python tools/build_site.py              # write site/
    python tools/build_site.py --out DIR    # write somewhere else (the test does this)

The pages are made from the committed notebooks as they are, outputs
included; nothing is executed. site/index.html is the course map (the
introduction and the table of README.md's "The course"), and each notebook
becomes one page beside it, its links to other notebooks and to the README
pointing at pages. Figures are copied as PNG files. A widget shows the
picture it carries of itself (its image/png) or, when it has none, its
one-line description; never its Python repr. Formulas are typeset in the
browser by the MathJax 2.7 that the jupyter-server-mathjax package ships,
copied into site/assets/ (only the parts the pages load), so no page asks
the network for anything. Prints what it wrote and how long it took.
"""

from __future__ import annotations

import argparse
import base64
import html
import posixpath
import re
import shutil
import struct
import sys
import time
from pathlib import Path

import jupyter_server_mathjax
import nbformat
from nbconvert.filters.markdown_mistune import markdown2html_mistune
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
README = ROOT / "README.md"
TEACHING = ROOT / "TEACHING.md"
MARKER = ".rnn-course-site"  # written into the output folder, so a rebuild only ever deletes a folder it made
WIDGET = "application/vnd.jupyter.widget-view+json"
SITE_TITLE = "Recurrent neural networks, by running them"

# What the pages load of MathJax: the combined configuration (TeX input, HTML-CSS output), the
# pieces it loads on demand, and the STIX web fonts it draws with. The rest of the package
# (SVG output, localisations, accessibility tools) is left out.
MATHJAX_SOURCE = Path(jupyter_server_mathjax.__file__).parent / "static"
MATHJAX_CONFIG = "TeX-AMS-MML_HTMLorMML-full"
MATHJAX_PARTS = [
    "LICENSE",
    "MathJax.js",
    f"config/{MATHJAX_CONFIG}.js",
    "extensions/*.js",
    "extensions/TeX/*.js",
    "extensions/HTML-CSS/*.js",
    "jax/input/TeX/**/*.js",
    "jax/element/mml/**/*.js",
    "jax/output/HTML-CSS/**/*.js",
    "fonts/HTML-CSS/STIX-Web/woff/*.woff",
]

# A notebook's markers for nbval are for the tests, not the reader.
NBVAL_LINE = re.compile(r"^\s*# NBVAL_\w+\s*$\n?", re.MULTILINE)
# What a widget with neither a picture nor a sentence shows as text/plain: its class's repr.
WIDGET_REPR = re.compile(r"^\s*[A-Z]\w*\((children|value|description|layout|options)=")


class SiteError(Exception):
    """The notebooks or the README hold something the site cannot show faithfully."""


def local_url(url: str, pages: dict[str, str], base: str) -> str:
    if re.match(r"^([a-z][a-z0-9+.-]*:|#)", url, re.IGNORECASE):
        return url  # a web address, or a place on the same page
    path, _, fragment = url.partition("#")
    target = posixpath.normpath(posixpath.join(base, path))
    if target not in pages:
        raise SiteError(f"a link in {base or 'the README'} to {url!r} has no page on the site")
    return pages[target] + (f"#{fragment}" if fragment else "")


def local_src(src: str, base: str, files: set[str]) -> str:
    """An image's address on the site: a file of the repository is copied to the same path in the site."""
    if re.match(r"^[a-z][a-z0-9+.-]*:", src, re.IGNORECASE):
        if not src.startswith("data:"):
            raise SiteError(f"an image in {base or 'the README'} comes from {src!r}: a page must not need the network")
        return src
    target = posixpath.normpath(posixpath.join(base, src))
    if target.startswith("../") or not (ROOT / target).is_file():
        raise SiteError(f"an image in {base or 'the README'} shows {src!r}, which is not a file of the repository")
    files.add(target)
    return target


def markdown(source: str, pages: dict[str, str], base: str, files: set[str]) -> str:
    """Markdown to HTML by nbconvert (which keeps $...$ intact for MathJax), with links and images made local.

    A link to a notebook goes to its page, a link to the README to the course map; any other
    link into the repository is an error, since it would not resolve on the site. Images the
    markdown shows are added to files, to be copied. base: the markdown's folder in the repository.
    """
    # An image alone in its paragraph is a figure, laid out as the notebooks' figures are.
    rendered = re.sub(r"<p>(<img [^>]*>)</p>", r'<p class="figure">\1</p>', markdown2html_mistune(source))
    rendered = re.sub(
        r'<a href="([^"]*)"',
        lambda m: f'<a href="{html.escape(local_url(html.unescape(m.group(1)), pages, base))}"',
        rendered,
    )
    return re.sub(
        r'<img src="([^"]*)"',
        lambda m: f'<img src="{html.escape(local_src(html.unescape(m.group(1)), base, files))}"',
        rendered,
    )


def png_size(data: bytes) -> tuple[int, int]:
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise SiteError("an image/png output is not a PNG")
    return struct.unpack(">II", data[16:24])


def text_of(value) -> str:
    return "".join(value) if isinstance(value, list) else value


def is_text(out) -> bool:
    """Whether an output is shown as its text/plain (as Page.output decides)."""
    data = out.get("data", {})
    shown = ("image/png", "text/latex", "text/markdown", "text/html", WIDGET)
    return "text/plain" in data and not any(kind in data for kind in shown)


class Page:
    """One notebook's page: its HTML body and the images it needs."""

    def __init__(self, path: Path, pages: dict[str, str]):
        self.path, self.pages = path, pages
        self.name = pages[f"notebooks/{path.name}"]
        self.images: dict[str, bytes] = {}  # figures from the outputs, by their name in the site
        self.files: set[str] = set()  # files of the repository that the markdown shows
        self.nb = nbformat.read(path, as_version=4)
        first = text_of(self.nb.cells[0].source) if self.nb.cells else ""
        heading = re.search(r"^#\s+(.+)$", first, re.MULTILINE)
        self.title = heading.group(1).strip() if heading else path.stem

    def image(self, data: bytes, alt: str) -> str:
        number = len(self.images) + 1
        name = f"img/{Path(self.name).stem}-{number:02d}.png"
        self.images[name] = data
        width, height = png_size(data)
        return f'<img src="{name}" width="{width}" height="{height}" alt="{html.escape(alt)}">'

    def output(self, out) -> str:
        kind = out.output_type
        if kind == "stream":
            return f'<pre class="output {out.name}">{html.escape(text_of(out.text))}</pre>'
        if kind == "error":
            traceback = re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(out.traceback))
            return f'<pre class="output error">{html.escape(traceback)}</pre>'
        data = out.get("data", {})
        plain = text_of(data.get("text/plain", "")).strip()
        if WIDGET in data:
            # The widget's own picture of itself if it carries one, else its sentence, never its repr.
            sentence = plain if plain and not WIDGET_REPR.match(plain) else ""
            if "image/png" in data:
                # Its sentence under the picture tells the reader why the picture does not answer a click.
                picture = self.image(base64.b64decode(data["image/png"]), sentence or "An interactive widget")
                caption = f'<p class="widget-caption">{html.escape(sentence)}</p>' if sentence else ""
                return f'<div class="output figure">{picture}{caption}</div>'
            if sentence:
                return f'<p class="output widget-note">{html.escape(plain)}</p>'
            return '<p class="output widget-note">An interactive widget stands here: run the notebook to use it.</p>'
        if "image/png" in data:
            alt = "Figure drawn by the code above"
            return f'<div class="output figure">{self.image(base64.b64decode(data["image/png"]), alt)}</div>'
        if "text/latex" in data:
            return f'<div class="output latex">{html.escape(text_of(data["text/latex"]))}</div>'
        if "text/markdown" in data:
            rendered = markdown(text_of(data["text/markdown"]), self.pages, "notebooks", self.files)
            return f'<div class="output markdown">{rendered}</div>'
        if "text/html" in data:
            return f'<div class="output html">{text_of(data["text/html"])}</div>'
        if plain:
            return f'<pre class="output result">{html.escape(plain)}</pre>'
        return ""

    def body(self) -> str:
        parts = []
        lexer, formatter = PythonLexer(), HtmlFormatter(nowrap=True)
        for cell in self.nb.cells:
            source = text_of(cell.source)
            if cell.cell_type == "markdown":
                rendered = markdown(source, self.pages, "notebooks", self.files)
                parts.append(f'<section class="cell markdown">\n{rendered}\n</section>')
            elif cell.cell_type == "code":
                code = NBVAL_LINE.sub("", source).strip("\n")
                outputs = "\n".join(filter(None, (self.output(out) for out in cell.outputs)))
                if not code and not outputs:
                    continue
                block = f'<pre class="highlight"><code>{highlight(code, lexer, formatter)}</code></pre>' if code else ""
                # The cell is as wide as its longest line of code or printed text (see .cell.code in STYLE).
                printed = [text_of(out.get("text", "")) for out in cell.outputs] + [code]
                printed += [text_of(out.get("data", {}).get("text/plain", "")) for out in cell.outputs if is_text(out)]
                columns = max(len(line) for text in printed for line in text.split("\n"))
                opening = f'<section class="cell code" style="--columns: {columns}">'
                parts.append(f"{opening}\n{block}\n{outputs}\n</section>")
        return "\n".join(parts)


MATHJAX_SETUP = """<script type="text/x-mathjax-config">
MathJax.Hub.Config({
  tex2jax: {inlineMath: [["$", "$"], ["\\\\(", "\\\\)"]], displayMath: [["$$", "$$"], ["\\\\[", "\\\\]"]],
            processEscapes: true, processEnvironments: true},
  "HTML-CSS": {availableFonts: [], preferredFont: null, webFont: "STIX-Web", imageFont: null,
               linebreaks: {automatic: true}, scale: 90},
  menuSettings: {zoom: "Click"},
  messageStyle: "none"
});
// Tells anyone waiting (a reader's script, the site's test) that every formula is typeset.
MathJax.Hub.Register.StartupHook("End", function () { document.documentElement.setAttribute("data-math", "typeset"); });
</script>
<script src="assets/mathjax/MathJax.js?config=CONFIG"></script>""".replace("CONFIG", MATHJAX_CONFIG)


def document(title: str, body: str, math: bool) -> str:
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<link rel="stylesheet" href="assets/site.css">
{MATHJAX_SETUP if math else ""}
</head>
<body>
<header class="site"><a href="index.html">{html.escape(SITE_TITLE)}</a></header>
<main>
{body}
</main>
</body>
</html>
"""


STYLE = """
:root {
  --text: #1f2328; --muted: #59636e; --rule: #d8dee4; --code-bg: #f6f8fa; --accent: #0b5cad;
  --sans: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", "DejaVu Sans", Arial, sans-serif;
  --mono: ui-monospace, Menlo, Consolas, "DejaVu Sans Mono", "Liberation Mono", monospace;
  --reading: 46rem;
}
* { box-sizing: border-box; }
html { font-size: 17px; }
body { margin: 0; color: var(--text); background: #fff; font-family: var(--sans); line-height: 1.6; }
a { color: var(--accent); }
header.site { border-bottom: 1px solid var(--rule); font-size: 0.9rem;
              padding: 0.6rem max(1rem, (100vw - var(--reading)) / 2 + 1rem); }
header.site a { color: var(--muted); text-decoration: none; }
header.site a:hover { text-decoration: underline; }
main { max-width: var(--reading); margin: 0 auto; padding: 1rem 1rem 4rem; }
h1 { font-size: 2rem; line-height: 1.25; margin: 1.2rem 0 0.8rem; }
h2 { font-size: 1.45rem; line-height: 1.3; margin: 2.2rem 0 0.6rem; padding-top: 0.6rem;
     border-top: 1px solid var(--rule); }
h3 { font-size: 1.15rem; margin: 1.6rem 0 0.4rem; }
.anchor-link { visibility: hidden; margin-left: 0.3em; color: var(--muted); text-decoration: none; }
h1:hover .anchor-link, h2:hover .anchor-link, h3:hover .anchor-link, h4:hover .anchor-link { visibility: visible; }
p, ul, ol { margin: 0.6rem 0; }
li { margin: 0.2rem 0; }
blockquote { margin: 0.8rem 0; padding: 0.1rem 1rem; border-left: 4px solid var(--rule); color: var(--muted); }
table { border-collapse: collapse; margin: 1rem 0; font-size: 0.92rem; display: block; overflow-x: auto; }
th, td { border: 1px solid var(--rule); padding: 0.35rem 0.6rem; text-align: left; vertical-align: top; }
th { background: var(--code-bg); }
code, pre { font-family: var(--mono); font-size: 0.82rem; }
:not(pre) > code { background: var(--code-bg); padding: 0.1em 0.3em; border-radius: 4px; }
pre { margin: 0; padding: 0.7rem 0.9rem; overflow-x: auto; line-height: 1.45; }
/* Code and printed lines run to 120 characters and more, longer than the text's lines: a code cell
   is as wide as its longest line (--columns, set by the build), never narrower than the text nor
   wider than the window, and centred on the text, so its code and its printed output share an edge. */
.cell.code { --width: max(100%, min(var(--columns, 0) * 1ch + 2.8rem, 100vw - 2rem)); width: var(--width);
             margin: 1rem 0 1rem calc((100% - var(--width)) / 2); font-family: var(--mono); font-size: 0.82rem; }
.cell.code .output.widget-note, .cell.code .output.markdown, .cell.code .output.html { font-family: var(--sans); }
.cell.code > pre.highlight { background: var(--code-bg); border: 1px solid var(--rule);
                             border-left: 4px solid #8aa4c8; border-radius: 4px; }
.cell.code > pre.highlight code { background: none; padding: 0; }
.output { margin: 0.3rem 0 0; }
pre.output { padding: 0.3rem 0.9rem 0.3rem 1.3rem; color: #24292f; }
pre.output.stderr { background: #fff5f5; }
pre.output.error { background: #fff0f0; border-left: 4px solid #cf222e; }
.output.widget-note { color: var(--muted); font-style: italic; font-size: 0.92rem; padding-left: 1.3rem;
                      margin: 0.2rem 0; }
.widget-caption { color: var(--muted); font-family: var(--sans); font-style: italic; font-size: 0.92rem; margin: 0; }
.output.latex { padding: 0.3rem 1.3rem; overflow-x: auto; }
/* Figures may be wider than the text: they break out of the reading column (up to the window's
   width), centred on it, at their own size, so their labels keep their size. Centred by margins,
   not by a transform, which would blur them by half a pixel. */
.figure { --width: min(1180px, 100vw - 2rem); width: var(--width); text-align: center;
          margin: 0.6rem 0 0.6rem calc((100% - var(--width)) / 2); }
.figure img { max-width: 100%; height: auto; }
.MathJax_Display { overflow-x: auto; overflow-y: hidden; }
.course-map td:first-child { text-align: right; }
"""


def course_map(pages: dict[str, str], files: set[str]) -> str:
    """The index's body from README.md: its introduction and its section "The course"."""
    readme = README.read_text("utf-8")
    sections = re.split(r"(?m)^(?=## )", readme)
    intro = sections[0]
    course = next((s for s in sections if s.startswith("## The course")), None)
    if course is None:
        raise SiteError('README.md has no section "## The course"')
    table = markdown(course, pages, "", files).replace("<table>", '<table class="course-map">', 1)
    note = (
        "<p>These pages are the notebooks as they were last run, with their outputs. To run them, change them "
        "and move the sliders, open them in JupyterLab: in a copy of the repository, <code>make lab</code>.</p>"
    )
    return markdown(intro, pages, "", files) + table + note


def copy_mathjax(dest: Path) -> int:
    """Copy the parts of MathJax that the pages load; return their size in bytes."""
    total = 0
    for pattern in MATHJAX_PARTS:
        found = sorted(MATHJAX_SOURCE.glob(pattern))
        if not found:
            raise SiteError(f"jupyter-server-mathjax has no {pattern}: is it installed (requirements.txt)?")
        for src in found:
            target = dest / src.relative_to(MATHJAX_SOURCE)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, target)
            total += src.stat().st_size
    return total


def build(out: Path) -> dict:
    start = time.perf_counter()
    notebooks = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    if not notebooks:
        raise SiteError(f"no notebooks in {NOTEBOOKS}")
    pages = {f"notebooks/{p.name}": f"{p.stem}.html" for p in notebooks}
    pages["README.md"] = "index.html"
    pages["TEACHING.md"] = "teaching.html"  # the teacher's guide, which the README links to

    if out.exists():
        if any(out.iterdir()) and not (out / MARKER).exists():
            raise SiteError(f"{out} exists and was not made by this script: not touching it")
        shutil.rmtree(out)
    (out / "img").mkdir(parents=True)
    (out / MARKER).write_text("made by tools/build_site.py; deleted and rebuilt by it\n")

    assets = out / "assets"
    assets.mkdir()
    pygments_css = HtmlFormatter(style="default").get_style_defs(".highlight")
    (assets / "site.css").write_text(STYLE.lstrip() + "\n/* code colours (Pygments) */\n" + pygments_css + "\n")
    mathjax_bytes = copy_mathjax(assets / "mathjax")

    files: set[str] = set()
    (out / "index.html").write_text(document(SITE_TITLE, course_map(pages, files), math=False), "utf-8")
    guide = markdown(TEACHING.read_text("utf-8"), pages, "", files)
    (out / "teaching.html").write_text(document(f"Teaching with the course · {SITE_TITLE}", guide, math=False), "utf-8")
    written = ["index.html", "teaching.html"]
    for path in notebooks:
        page = Page(path, pages)
        text = document(f"{page.title} · {SITE_TITLE}", page.body(), math=True)
        (out / page.name).write_text(text, "utf-8")
        for name, data in page.images.items():
            (out / name).write_bytes(data)
        files |= page.files
        written.append(page.name)
        print(f"  {page.name:32s} {len(text) / 1024:6.0f} KiB of HTML, {len(page.images):2d} figures", flush=True)
    for name in sorted(files):
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / name, out / name)

    size = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
    seconds = time.perf_counter() - start
    return {"pages": written, "bytes": size, "mathjax_bytes": mathjax_bytes, "seconds": seconds}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "site", help="the folder to write (default: site/)")
    args = parser.parse_args(argv)
    try:
        result = build(args.out)
    except SiteError as error:
        print(f"build_site: {error}", file=sys.stderr)
        return 1
    print(
        f"wrote {len(result['pages'])} pages into {args.out} ({result['bytes'] / 2**20:.1f} MiB, of which "
        f"MathJax {result['mathjax_bytes'] / 2**20:.1f} MiB) in {result['seconds']:.1f} s; "
        f"open {args.out / 'index.html'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
