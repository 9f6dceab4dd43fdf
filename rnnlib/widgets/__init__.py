"""Widgets for the notebooks (ipywidgets): the only package of rnnlib that imports ipywidgets.

Each module holds one widget (base.py holds what they share: the picture that
redraws fast, the look that fits a projector, the picture a static page shows);
the logic each widget shows is a pure function elsewhere in rnnlib, so tests
call it without a browser.
"""
