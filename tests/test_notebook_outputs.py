"""What the committed notebooks show a reader without a kernel (a static viewer, the site).

Every interactive widget's stored output carries a picture of itself (image/png) and a
sentence (text/plain), never a widget's Python repr; nbval re-runs the notebooks but never
compares images, so this checks the pictures are there at all.
"""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("[0-9][0-9]_*.ipynb"))
WIDGET = "application/vnd.jupyter.widget-view+json"
INTERACTIVE = re.compile(r"from rnnlib\.widgets\.(?!progress)\w+ import")
REPR = re.compile(r"^\s*[A-Z]\w*\((children|value|description|layout|options)=")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_widget_outputs_carry_a_picture_and_a_sentence(path):
    cells = json.loads(path.read_text("utf-8"))["cells"]
    for cell in cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            text = "".join(data.get("text/plain", ""))
            # no output of any cell is a widget's raw repr
            assert not REPR.match(text), f"{path.name}: a widget's repr is stored: {text[:80]}"
            if WIDGET in data and INTERACTIVE.search("".join(cell["source"])):
                # an interactive widget: its picture, a real PNG, and a sentence for readers without a kernel
                assert base64.b64decode(data["image/png"])[:8] == b"\x89PNG\r\n\x1a\n", path.name
                assert "run the notebook" in text, f"{path.name}: {text!r}"


def test_every_widget_notebook_was_checked():
    widget_notebooks = [p for p in NOTEBOOKS if INTERACTIVE.search(p.read_text("utf-8"))]
    # notebooks 2, 4, 5, 6 and 7 each have an interactive widget
    assert len(widget_notebooks) >= 5
