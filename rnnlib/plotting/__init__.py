"""Plotting for the course: one figure style, and drawings shared by several notebooks.

Imports matplotlib; the math modules of rnnlib never import this package.
"""

from rnnlib.plotting.style import COLORS, CYCLE, DIVERGING, SEQUENTIAL, use_course_style

__all__ = ["COLORS", "CYCLE", "DIVERGING", "SEQUENTIAL", "use_course_style"]
