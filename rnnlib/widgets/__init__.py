"""Widgets for the notebooks (ipywidgets): the only package of rnnlib that imports ipywidgets.

Each module holds one widget; the logic each widget shows is a pure
function elsewhere in rnnlib, so tests call it without a browser.
"""
