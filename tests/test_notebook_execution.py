"""The notebooks give the same outputs however they are run: any matplotlib backend, any folder, nbconvert.

A CI job often sets MPLBACKEND=Agg and starts pytest from another folder with
paths into the repository; a reader may run a notebook with `jupyter nbconvert
--to notebook --execute`. In each case the notebook must reproduce the
outputs stored in it (figures included: under Agg, a kernel would draw them
nowhere unless the course selects the inline backend, which
rnnlib.plotting.use_course_style does in a kernel).

Each test starts a real run in a subprocess, from a temporary folder, with
MPLBACKEND=Agg and a timeout.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"


def environment() -> dict:
    """This process's environment, with Agg named as matplotlib's backend and this repository's rnnlib first."""
    env = dict(os.environ, MPLBACKEND="Agg")
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT)] + [p for p in [os.environ.get("PYTHONPATH")] if p])
    return env


def test_nbval_passes_with_agg_from_another_folder(tmp_path):
    # notebook 1 draws figures with plt.show(); its stored outputs hold them (checked by their text line)
    notebook = NOTEBOOKS / "01_modeling_sequences.ipynb"
    run = subprocess.run(
        [sys.executable, "-m", "pytest", str(notebook), "-p", "no:cacheprovider", "-q"],
        cwd=tmp_path, env=environment(), capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    # strict nbval with the repository's settings (found from pyproject.toml), every cell as stored
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert re.search(r"\b\d+ passed\b", run.stdout) and "failed" not in run.stdout


def sanitizer():
    """The regex rules of notebooks/sanitize.cfg, as nbval applies them."""
    text = (NOTEBOOKS / "sanitize.cfg").read_text()
    pairs = re.findall(r"^regex: (.*)\nreplace: (.*)$", text, flags=re.MULTILINE)
    assert pairs, "no rule read from sanitize.cfg"

    def apply(value: str) -> str:
        for pattern, replacement in pairs:
            value = re.sub(pattern, replacement, value)
        return value

    return apply


def comparable(outputs, clean) -> list:
    """What nbval compares of a cell's outputs: their types, text and LaTeX (sanitized), and which carry a PNG."""
    found = []
    for out in outputs:
        if out["output_type"] == "stream":
            found.append(("stream", out["name"], clean("".join(out["text"]))))
        elif out["output_type"] in ("display_data", "execute_result"):
            data = out["data"]
            text = {key: clean("".join(data[key])) for key in ("text/plain", "text/latex") if key in data}
            found.append((out["output_type"], sorted(text.items()), "image/png" in data))
        else:
            found.append((out["output_type"],))
    return found


def ignored(cell) -> bool:
    source = "".join(cell["source"])
    tags = cell.get("metadata", {}).get("tags", [])
    return any(mark in source for mark in ("NBVAL_IGNORE_OUTPUT", "NBVAL_SKIP")) or any(
        tag in tags for tag in ("nbval-ignore-output", "nbval-skip")
    )


@pytest.mark.parametrize("name", ["02_rnn_abstraction.ipynb"])
def test_nbconvert_execute_reproduces_the_stored_outputs(name, tmp_path):
    stored = json.loads((NOTEBOOKS / name).read_text("utf-8"))
    run = subprocess.run(
        [sys.executable, "-m", "nbconvert", "--to", "notebook", "--execute", "--ExecutePreprocessor.timeout=300",
         "--output-dir", str(tmp_path), "--output", "executed", str(NOTEBOOKS / name)],
        cwd=tmp_path, env=environment(), capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]
    executed = json.loads((tmp_path / "executed.ipynb").read_text("utf-8"))
    clean = sanitizer()
    code = [(s, e) for s, e in zip(stored["cells"], executed["cells"]) if s["cell_type"] == "code"]
    assert len(code) == sum(c["cell_type"] == "code" for c in executed["cells"])
    compared = 0
    for k, (old, new) in enumerate(code, start=1):
        if ignored(old):
            continue
        # the same outputs as stored: text, LaTeX and figures (by their presence; pixels are not compared)
        assert comparable(new["outputs"], clean) == comparable(old["outputs"], clean), f"code cell {k} differs"
        compared += 1
    assert compared >= 10
    # the widget's output carries its picture and its sentence, for a page without a kernel
    widget_outputs = [o for _, new in code for o in new["outputs"] if "application/vnd.jupyter.widget-view+json"
                      in o.get("data", {})]  # fmt: skip
    assert widget_outputs and all("image/png" in o["data"] for o in widget_outputs)
    assert all("".join(o["data"]["text/plain"]).startswith("The unrolling stepper") for o in widget_outputs)
