"""Artists for figures that a widget redraws at every move: many labels, boxes or arrows as one artist each.

A matplotlib Text lays out and renders its glyphs at every draw, about half
a millisecond each; an unrolled chain has dozens of labels, so a redraw
would spend most of its time on them. Here a group of short texts is drawn
as one collection of their outlines (a text path is made once per string and
kept), boxes as one collection of one rounded outline, and arrows as one
artist that places its lines and heads at draw time. Restyling them for a new
step (colours, bold, line widths) sets a few arrays; the next draw costs a
few milliseconds whatever the number of labels.

    Labels(ax, xy, texts, size=13)     texts centred (or aligned) at data points, one colour each
    Boxes(ax, xy, width, height)       rounded boxes of a size in points, centred at data points
    Arrows(ax, starts, ends)           arrows between data points, stopping short by gaps in points
    Redrawer(drawing)                  renders a figure again drawing only the artists that moved

Sizes (font sizes, box sizes, gaps, line widths) are in points, like a
Text's, so the drawing keeps its look at any dpi. Each keeps its data for
tests: `texts`, `colors`, `bold`; `facecolors`, `edgecolors`, `linewidths`.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from matplotlib.artist import Artist
from matplotlib.collections import LineCollection, PathCollection, PolyCollection
from matplotlib.colors import to_rgba, to_rgba_array
from matplotlib.font_manager import FontProperties
from matplotlib.patches import BoxStyle
from matplotlib.path import Path
from matplotlib.textpath import TextPath
from matplotlib.transforms import Affine2D, IdentityTransform


def _rgba(colors, n: int) -> np.ndarray:
    """(n, 4) RGBA from one colour or n of them."""
    rgba = to_rgba_array(colors)
    if len(rgba) == 1:
        rgba = np.repeat(rgba, n, axis=0)
    if len(rgba) != n:
        raise ValueError(f"colors must be one colour or {n} of them, got {len(rgba)}")
    return rgba


@lru_cache(maxsize=4096)
def text_path(text: str, size: float, style: str = "normal", weight: str = "normal") -> Path:
    """The outline of `text` in points, its baseline at y = 0 and its left end at x = 0 (kept once made)."""
    return TextPath((0, 0), text, prop=FontProperties(size=size, style=style, weight=weight))


def _bounds(path: Path) -> tuple[float, float, float, float]:
    """x0, y0, x1, y1 of a text outline's control points: its extent to a fraction of a point, fast."""
    if not len(path.vertices):
        return 0.0, 0.0, 0.0, 0.0
    (x0, y0), (x1, y1) = path.vertices.min(axis=0), path.vertices.max(axis=0)
    return float(x0), float(y0), float(x1), float(y1)


@lru_cache(maxsize=256)
def text_box(text: str, size: float, style: str = "normal") -> tuple[float, float, float]:
    """The width of `text` and the bottom and top of its line (points from the baseline), as Text aligns it."""
    x0, _, x1, _ = _bounds(text_path(text, size, style))
    _, bottom, _, top = _bounds(text_path("lp", size, style))
    return x1 - x0, bottom, top


@lru_cache(maxsize=4096)
def _aligned(text: str, size: float, style: str, weight: str, ha: str, va: str, rotation: float, offset) -> Path:
    """The outline of `text` placed as a Text with these alignments would be, around (0, 0), in points."""
    path = text_path(text, size, style, weight)
    x0, _, x1, _ = _bounds(path)
    _, bottom, _, top = _bounds(text_path("lp", size, style, weight))  # a line's bottom and top, as Text aligns
    dx = {"left": -x0, "center": -(x0 + x1) / 2, "right": -x1}[ha]
    dy = {"bottom": -bottom, "center": -(bottom + top) / 2, "top": -top, "baseline": 0.0}[va]
    transform = Affine2D().translate(dx, dy).rotate_deg(rotation).translate(*offset)
    return transform.transform_path(path)


class Labels:
    """Short texts at points of `ax` (data coordinates, or `transform`), drawn as one collection of outlines.

    ha: "left" | "center" | "right"; va: "bottom" | "center" | "top" | "baseline" (as a Text's);
    offset: a shift in points (dx, dy) of every label; rotation in degrees.
    """

    def __init__(
        self,
        ax,
        xy,
        texts,
        *,
        size: float = 11,
        style: str = "normal",
        colors="black",
        ha: str = "center",
        va: str = "center",
        rotation: float = 0.0,
        offset=(0.0, 0.0),
        transform=None,
        zorder: float = 3,
        gid: str | None = None,
    ):
        self.texts = list(texts)
        self.size, self.style, self.ha, self.va, self.rotation = size, style, ha, va, rotation
        self.offset = tuple(offset)
        n = len(self.texts)
        self.bold = np.zeros(n, dtype=bool)
        self.collection = PathCollection(
            self._paths(),
            sizes=np.ones(n),  # a path in points, scaled by dpi / 72 at draw time
            offsets=np.asarray(xy, dtype=float).reshape(n, 2),
            offset_transform=ax.transData if transform is None else transform,
            facecolors=_rgba(colors, n),
            edgecolors="none",
            linewidths=0,
            zorder=zorder,
            gid=gid,
        )
        self.collection.set_transform(IdentityTransform())
        self.collection.set_clip_on(False)
        self.collection.labels = self  # so that drawn_texts (and a test) can read the strings back
        ax.add_collection(self.collection, autolim=False)

    def _paths(self):
        return [
            _aligned(text, self.size, self.style, "bold" if bold else "normal", self.ha, self.va, self.rotation,
                     self.offset)
            for text, bold in zip(self.texts, self.bold)
        ]  # fmt: skip

    @property
    def colors(self) -> np.ndarray:
        """(N, 4) RGBA, one row per label."""
        return self.collection.get_facecolor()

    def set_colors(self, colors) -> None:
        self.collection.set_facecolor(_rgba(colors, len(self.texts)))

    def set_bold(self, bold) -> None:
        """Which labels are bold: a sequence of N booleans."""
        bold = np.broadcast_to(np.asarray(bold, dtype=bool), (len(self.texts),)).copy()
        if not np.array_equal(bold, self.bold):
            self.bold = bold
            self.collection.set_paths(self._paths())

    def set_texts(self, texts) -> None:
        texts = list(texts)
        if len(texts) != len(self.texts):
            raise ValueError(f"texts must hold {len(self.texts)} strings, got {len(texts)}")
        self.texts = texts
        self.collection.set_paths(self._paths())

    def set_offsets(self, xy) -> None:
        self.collection.set_offsets(np.asarray(xy, dtype=float).reshape(len(self.texts), 2))

    def set_visible(self, visible: bool) -> None:
        self.collection.set_visible(visible)


def drawn_texts(ax) -> list[str]:
    """Every string drawn on `ax`: its Text artists' and its Labels' (visible ones only)."""
    texts = [t.get_text() for t in ax.texts if t.get_visible()]
    for collection in ax.collections:
        if hasattr(collection, "labels") and collection.get_visible():
            texts += collection.labels.texts
    return texts


def _rounded_box(width: float, height: float, rounding: float) -> Path:
    """A rounded rectangle width x height (points), centred at 0."""
    style = BoxStyle("round", pad=0.0, rounding_size=rounding)
    return style(-width / 2, -height / 2, width, height, 1.0)


class Boxes:
    """Rounded boxes of width x height points, centred at data points of `ax`, drawn as one collection."""

    def __init__(self, ax, xy, width: float, height: float, *, rounding: float = 6.0, zorder: float = 2, gid=None):
        n = len(xy)
        self.width, self.height = width, height
        self.collection = PathCollection(
            [_rounded_box(width, height, rounding)],
            sizes=np.ones(n),
            offsets=np.asarray(xy, dtype=float).reshape(n, 2),
            offset_transform=ax.transData,
            facecolors="white",
            edgecolors="black",
            linewidths=1.5,
            zorder=zorder,
            gid=gid,
        )
        self.collection.set_transform(IdentityTransform())
        self.collection.set_clip_on(False)
        ax.add_collection(self.collection, autolim=False)

    @property
    def facecolors(self) -> np.ndarray:
        return self.collection.get_facecolor()

    @property
    def edgecolors(self) -> np.ndarray:
        return self.collection.get_edgecolor()

    @property
    def linewidths(self) -> np.ndarray:
        return np.asarray(self.collection.get_linewidth())

    def set_style(self, facecolors, edgecolors, linewidths) -> None:
        n = len(self.collection.get_offsets())
        self.collection.set_facecolor(_rgba(facecolors, n))
        self.collection.set_edgecolor(_rgba(edgecolors, n))
        self.collection.set_linewidth(np.broadcast_to(np.asarray(linewidths, dtype=float), (n,)))


class Arrows(Artist):
    """Arrows from `starts` to `ends` (data points of `ax`, (N, 2)), each stopping short of its ends.

    gap_start, gap_end: how far (points) each arrow stays from its start and end
    points, e.g. the half-width of a box it leaves; head: the head's length and
    width in points ("-|>": a filled triangle at the end). Styled per arrow with
    set_style(colors, linewidths, linestyles).
    """

    def __init__(self, ax, starts, ends, *, gap_start=0.0, gap_end=0.0, head=(7.0, 6.0), zorder: float = 2.5, gid=None):
        super().__init__()
        self.starts = np.asarray(starts, dtype=float).reshape(-1, 2)
        self.ends = np.asarray(ends, dtype=float).reshape(-1, 2)
        n = len(self.starts)
        self.gap_start = np.broadcast_to(np.asarray(gap_start, dtype=float), (n,)).copy()
        self.gap_end = np.broadcast_to(np.asarray(gap_end, dtype=float), (n,)).copy()
        self.head = head
        self.colors = _rgba("black", n)
        self.linewidths = np.full(n, 1.3)
        self.linestyles = ["-"] * n
        self.set_zorder(zorder)
        self.set_gid(gid)
        self._shafts = LineCollection([], transform=IdentityTransform(), capstyle="butt")
        self._heads = PolyCollection([], transform=IdentityTransform(), edgecolors="none")
        for part in (self._shafts, self._heads):
            part.set_clip_on(False)
        ax.add_artist(self)
        self.set_clip_on(False)

    def set_style(self, colors=None, linewidths=None, linestyles=None) -> None:
        n = len(self.starts)
        if colors is not None:
            self.colors = _rgba(colors, n)
        if linewidths is not None:
            self.linewidths = np.broadcast_to(np.asarray(linewidths, dtype=float), (n,)).copy()
        if linestyles is not None:
            self.linestyles = [linestyles] * n if isinstance(linestyles, str) else list(linestyles)
        self.stale = True

    def draw(self, renderer):
        if not self.get_visible() or not len(self.starts):
            return
        to_px = renderer.points_to_pixels(1.0)
        p0 = self.axes.transData.transform(self.starts)
        p1 = self.axes.transData.transform(self.ends)
        direction = p1 - p0
        length = np.hypot(*direction.T)[:, None]
        u = direction / np.where(length > 0, length, 1.0)
        normal = np.column_stack([-u[:, 1], u[:, 0]])
        a = p0 + u * (self.gap_start * to_px)[:, None]
        tip = p1 - u * (self.gap_end * to_px)[:, None]
        head_length, head_width = self.head[0] * to_px, self.head[1] * to_px
        base = tip - u * head_length
        shaft_end = tip - u * head_length * 0.8  # under the head, so no gap shows
        self._shafts.set_segments(np.stack([a, shaft_end], axis=1))
        self._shafts.set_color(self.colors)
        self._shafts.set_linewidth(self.linewidths)
        self._shafts.set_linestyle(self.linestyles)
        self._heads.set_verts(np.stack([tip, base + normal * head_width / 2, base - normal * head_width / 2], axis=1))
        self._heads.set_facecolor(self.colors)
        for part in (self._shafts, self._heads):
            part.set_figure(self.figure)
            part.draw(renderer)
        self.stale = False


def faded(color, alpha: float):
    """`color` with the given opacity (for a step not taken yet)."""
    return to_rgba(color, alpha)


class Redrawer:
    """Render a drawing's figure again after a step, drawing only the artists that moved.

    drawing: an object with `fig`, `moving` (the artists a step changes) and
    `layout_id` (a value that changes whenever anything else in the figure
    changes). The first render of a layout draws the figure without the moving
    artists and keeps that image; each later render restores it and draws the
    moving artists over it. `rgba()` returns the canvas's (H, W, 4) pixels.
    Saving the figure (savefig) still draws every artist.
    """

    def __init__(self, drawing):
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        self.drawing = drawing
        if not isinstance(drawing.fig.canvas, FigureCanvasAgg):
            FigureCanvasAgg(drawing.fig)
        self._background = None
        self._layout = None
        self._size = None

    def rgba(self) -> np.ndarray:
        fig, canvas = self.drawing.fig, self.drawing.fig.canvas
        moving = [a for a in self.drawing.moving if a is not None]
        size = (fig.get_size_inches().tobytes(), fig.dpi)
        if self._background is None or self._layout != self.drawing.layout_id or self._size != size:
            for artist in moving:
                artist.set_animated(True)
            canvas.draw()  # everything but the moving artists
            self._background = canvas.copy_from_bbox(fig.bbox)
            self._layout, self._size = self.drawing.layout_id, size
        else:
            canvas.restore_region(self._background)
        renderer = canvas.get_renderer()
        for artist in sorted(moving, key=lambda a: a.get_zorder()):
            artist.draw(renderer)
        return np.asarray(canvas.buffer_rgba())


def fresh_figure(fig, size):
    """A new pyplot figure of `size`, or `fig` (e.g. a matplotlib.figure.Figure) cleared and resized."""
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    if fig is None:
        return plt.figure(figsize=size)
    if not isinstance(fig, Figure):
        raise ValueError(f"fig must be a matplotlib Figure or None, got {type(fig).__name__}")
    fig.clear()
    fig.set_size_inches(*size)
    return fig
