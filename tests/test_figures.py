"""figures/ is made by code: tools/make_figures.py re-makes every committed figure.

The script runs into a temporary folder; every PNG committed in figures/
must come out again, at the committed size (to 1 %: text extents differ
slightly between matplotlib versions), and be a readable image: not
blank, not a solid block, with text and lines in more than one colour.
What each figure shows (its data and labels) is checked in test_figure_content.py.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import matplotlib.image as mpimg
import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
COMMITTED = sorted((ROOT / "figures").glob("*.png"))


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("figures")
    subprocess.run([sys.executable, str(ROOT / "tools" / "make_figures.py"), "--out", str(out)], check=True, cwd=ROOT)
    return out


def test_figures_folder_is_not_empty():
    # The README and the notebooks show these; an empty folder would make the checks below vacuous.
    assert {p.name for p in COMMITTED} >= {"unrolled_rnn.png", "gradient_norms.png"}


@pytest.mark.parametrize("committed", COMMITTED, ids=[p.name for p in COMMITTED])
def test_committed_figure_is_made_by_the_script(committed, made):
    remade = made / committed.name
    # The script makes this committed figure.
    assert remade.exists(), f"tools/make_figures.py does not make {committed.name}"
    old, new = mpimg.imread(committed), mpimg.imread(remade)
    # At the committed size, to within 1 % (at least 3 pixels) each way.
    for got, want in zip(new.shape[:2], old.shape[:2]):
        assert abs(got - want) <= max(3, 0.01 * want), (new.shape, old.shape)
    # Readable: a figure of a real size, mostly background with a fair share of ink, in more than one colour.
    assert new.shape[0] >= 200 and new.shape[1] >= 300
    rgb = new[..., :3]
    ink = np.any(rgb < 0.9, axis=-1).mean()
    assert 0.01 < ink < 0.6, f"{committed.name}: {ink:.1%} of the pixels are not background"
    assert len(np.unique((rgb * 8).astype(int).reshape(-1, 3), axis=0)) >= 5, "fewer than 5 distinct colours"
