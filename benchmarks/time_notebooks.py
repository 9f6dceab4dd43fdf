"""Run every notebook of the course top to bottom and print how long each took.

    python benchmarks/time_notebooks.py                      # notebooks/*.ipynb
    python benchmarks/time_notebooks.py notebooks/05_*.ipynb --timeout 120
    python benchmarks/time_notebooks.py --slow 2             # also list every cell that took over 2 s

Each notebook runs in a fresh kernel with the notebooks folder as its working
directory, as a reader would run it; nothing is written back to the file.
The table shows the wall time of the whole notebook (kernel start included),
the kernel's CPU seconds (user + system: what the notebook costs a shared
server, whatever else the machine is doing) and its peak memory (the kernel
process's maximum resident set), the number of code cells, and the slowest
cell. CPU and memory are read inside the kernel after the last cell
(resource.getrusage; shown as "-" where that does not exist, on Windows). A notebook that fails or hits
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


# Run in the kernel after the notebook's last cell: its CPU seconds so far and its peak resident memory.
USAGE_PROBE = """
try:
    import resource as _resource
    _u = _resource.getrusage(_resource.RUSAGE_SELF)
    print(f"usage {_u.ru_utime + _u.ru_stime:.2f} {_u.ru_maxrss}")
except ImportError:
    pass
"""


def telling_line(source: str) -> str:
    """The first line of a cell that is not a comment or an import: what a reader recognises it by."""
    lines = [line.strip() for line in source.splitlines() if line.strip()]
    telling = [line for line in lines if not line.startswith(("#", "import ", "from "))]
    return (telling or lines or [""])[0][:70]


def run_notebook(path: str, timeout: int, kernel: str | None) -> dict:
    """Execute one notebook in memory; return its timings and status."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError

    result = {"path": path, "cells": 0, "seconds": float("nan"), "slowest": (float("nan"), None), "status": "ok"}
    result.update(cpu=float("nan"), peak_mib=float("nan"))
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as err:  # a notebook that someone is still writing may not parse yet
        result["status"] = f"unreadable: {type(err).__name__}"
        return result
    code_cells = [i for i, cell in enumerate(nb.cells) if cell.cell_type == "code"]
    result["cells"] = len(code_cells)
    nb.cells.append(nbformat.v4.new_code_cell(USAGE_PROBE))  # measures the kernel; not counted or timed
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
    probe = nb.cells[-1].get("outputs", []) if result["status"] == "ok" else []
    for line in "".join(o.get("text", "") for o in probe).splitlines():
        if line.startswith("usage "):
            _, cpu, peak_kib = line.split()
            result["cpu"], result["peak_mib"] = float(cpu), float(peak_kib) / 1024  # Linux reports KiB
    code_times = {i: t for i, t in cell_times.items() if i in code_cells}
    result["cell_times"] = [  # (number among code cells, seconds, the line that names it)
        (code_cells.index(i) + 1, t, telling_line(nb.cells[i].source)) for i, t in sorted(code_times.items())
    ]
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
    parser.add_argument("--slow", type=float, default=None, help="also list the cells that took longer (seconds)")
    args = parser.parse_args()

    paths = sorted(p for pattern in (args.notebooks or [default]) for p in glob.glob(pattern))
    paths = [p for p in paths if ".ipynb_checkpoints" not in p]
    if not paths:
        print("no notebooks found")
        return 0
    width = max(len("notebook"), *(len(os.path.basename(p)) for p in paths))
    columns = f"{'seconds':>8}  {'CPU s':>6}  {'peak MiB':>8}  {'cells':>5}  {'slowest cell':>14}"
    header = f"{'notebook':<{width}}  {columns}  status"
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
        cpu = f"{r['cpu']:.1f}" if r["cpu"] == r["cpu"] else "-"
        peak = f"{r['peak_mib']:.0f}" if r["peak_mib"] == r["peak_mib"] else "-"
        row = f"{seconds:>8}  {cpu:>6}  {peak:>8}  {r['cells']:>5}  {slowest:>14}"
        print(f"{name:<{width}}  {row}  {r['status']}", flush=True)
        if args.slow is not None:
            for number, cell_seconds, first_line in r.get("cell_times", []):
                if cell_seconds > args.slow:
                    print(f"    cell #{number:<3} {cell_seconds:6.1f} s  {first_line}", flush=True)
    total = sum(r["seconds"] for r in results if r["seconds"] == r["seconds"])
    cpu_total = sum(r["cpu"] for r in results if r["cpu"] == r["cpu"])
    peak_max = max((r["peak_mib"] for r in results if r["peak_mib"] == r["peak_mib"]), default=float("nan"))
    print("-" * len(header))
    print(f"{'total':<{width}}  {total:>8.1f}  {cpu_total:>6.1f}  {peak_max:>8.0f}  (largest peak)")
    return 0 if all(r["status"] == "ok" for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
