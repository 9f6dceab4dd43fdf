"""Plotting for the course: one figure style, and drawings shared by several notebooks.

Imports matplotlib; the math modules of rnnlib never import this package.
artists.py holds the fast artists (labels, boxes, arrows as one collection each)
that the widgets' figures redraw at every move.
"""

from rnnlib.plotting.style import COLORS, CYCLE, DIVERGING, SEQUENTIAL, use_course_style

__all__ = ["COLORS", "CYCLE", "DIVERGING", "SEQUENTIAL", "use_course_style"]
