"""Run every notebook of the course top to bottom and print how long each took.

    python benchmarks/time_notebooks.py                      # notebooks/*.ipynb
    python benchmarks/time_notebooks.py notebooks/05_*.ipynb --timeout 120

Each notebook runs in a fresh kernel with the notebooks folder as its working
directory, as a reader would run it; nothing is written back to the file.
The table shows the wall time of the whole notebook (kernel start included),
the number of code cells, and the slowest cell. A notebook that fails or hits
the per-cell timeout is reported as such, and the exit status is then 1.
Needs nbclient, nbformat and ipykernel (all installed with JupyterLab).
"""

from __future__ import annotations

import argparse
import glob
import os
import re
import sys
import time
import traceback

# One BLAS thread in the kernels started below, as the course's Makefile sets
# (threaded BLAS made the training notebooks many times slower on a busy machine).
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "VECLIB_MAXIMUM_THREADS"):
    os.environ.setdefault(_name, "1")


def run_notebook(path: str, timeout: int, kernel: str | None) -> dict:
    """Execute one notebook in memory; return its timings and status."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError

    result = {"path": path, "cells": 0, "seconds": float("nan"), "slowest": (float("nan"), None), "status": "ok"}
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as err:  # a notebook that someone is still writing may not parse yet
        result["status"] = f"unreadable: {type(err).__name__}"
        return result
    code_cells = [i for i, cell in enumerate(nb.cells) if cell.cell_type == "code"]
    result["cells"] = len(code_cells)
    started, cell_times = {}, {}  # cell index -> start time, seconds taken

    def on_cell_start(cell, cell_index, **_):
        started[cell_index] = time.perf_counter()

    def on_cell_executed(cell, cell_index, **_):  # called when the kernel has replied
        cell_times[cell_index] = time.perf_counter() - started[cell_index]

    options = {"timeout": timeout, "resources": {"metadata": {"path": os.path.dirname(os.path.abspath(path))}}}
    if kernel:
        options["kernel_name"] = kernel
    client = NotebookClient(nb, on_cell_start=on_cell_start, on_cell_executed=on_cell_executed, **options)
    start = time.perf_counter()
    try:
        client.execute()
    except CellTimeoutError:
        result["status"] = f"timeout (a cell ran over {timeout} s)"
    except CellExecutionError as err:
        text = re.sub(r"\x1b\[[0-9;]*m", "", str(err)).strip()  # without the traceback's colours
        last_line = text.splitlines()[-1] if text else type(err).__name__
        result["status"] = f"error: {last_line[:80]}"
    except Exception as err:  # no kernel, a kernel that died, ...
        where = traceback.extract_tb(err.__traceback__)[-1]
        place = f"{os.path.basename(where.filename)}:{where.lineno}"
        result["status"] = f"failed: {type(err).__name__} at {place}: {str(err)[:80]}"
    result["seconds"] = time.perf_counter() - start
    code_times = {i: t for i, t in cell_times.items() if i in code_cells}
    if code_times:
        index = max(code_times, key=code_times.get)
        result["slowest"] = (code_times[index], code_cells.index(index) + 1)  # numbered among code cells
    return result


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    default = os.path.join(os.path.dirname(here), "notebooks", "*.ipynb")
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", help=f"notebooks to run (default: {os.path.relpath(default)})")
    parser.add_argument("--timeout", type=int, default=600, help="seconds a single cell may take (default 600)")
    parser.add_argument("--kernel", default=None, help="kernel name (default: the one each notebook names)")
    args = parser.parse_args()

    paths = sorted(p for pattern in (args.notebooks or [default]) for p in glob.glob(pattern))
    paths = [p for p in paths if ".ipynb_checkpoints" not in p]
    if not paths:
        print("no notebooks found")
        return 0
    width = max(len("notebook"), *(len(os.path.basename(p)) for p in paths))
    header = f"{'notebook':<{width}}  {'seconds':>8}  {'cells':>5}  {'slowest cell':>14}  status"
    print(header)
    print("-" * len(header), flush=True)
    results = []
    for path in paths:  # each row is printed as soon as its notebook is done
        print(f"running {os.path.relpath(path)} ...", file=sys.stderr, flush=True)
        r = run_notebook(path, args.timeout, args.kernel)
        results.append(r)
        seconds, cell = r["slowest"]
        slowest = f"{seconds:.1f} s (#{cell})" if cell is not None else "-"
        name = os.path.basename(r["path"])
        seconds = f"{r['seconds']:.1f}" if r["seconds"] == r["seconds"] else "-"  # NaN: never ran
        print(f"{name:<{width}}  {seconds:>8}  {r['cells']:>5}  {slowest:>14}  {r['status']}", flush=True)
    total = sum(r["seconds"] for r in results if r["seconds"] == r["seconds"])
    print("-" * len(header))
    print(f"{'total':<{width}}  {total:>8.1f}")
    return 0 if all(r["status"] == "ok" for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
