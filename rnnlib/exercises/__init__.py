"""Checkers for the notebooks' exercises.

Each notebook's exercises have a module here (nb01, nb02, ...). A checker
takes the reader's answer (usually a function), runs it beside rnnlib's own
version on a few inputs, and returns a `Report` that prints what matched and,
for the first thing that did not, what was expected and what came back.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field

import numpy as np


@dataclass
class Report:
    """The outcome of one checker: passed or not, and a line per check."""

    exercise: str
    lines: list = field(default_factory=list)
    passed: bool = True

    def ok(self, what: str) -> None:
        self.lines.append(f"  ok    {what}")

    def fail(self, what: str, detail: str) -> None:
        self.passed = False
        self.lines.append(f"  FAIL  {what}\n        {detail}")

    def __str__(self) -> str:
        verdict = "all checks passed" if self.passed else "not yet: see the first FAIL"
        return "\n".join([f"{self.exercise}: {verdict}", *self.lines])

    def _repr_pretty_(self, p, cycle) -> None:  # how IPython shows it
        p.text(str(self))


def run_check(report: Report, what: str, fn, *args, expect=None, compare=None):
    """Call fn(*args); record ok, or fail with the error or the mismatch.

    compare(got, expect) returns None when they agree, else a message.
    Returns what fn returned (None when it raised).
    """
    try:
        got = fn(*args)
    except Exception as err:  # the reader's code may raise anything; report it, don't crash
        report.fail(what, f"raised {type(err).__name__}: {err}")
        return None
    problem = compare(got, expect) if compare is not None else None
    if problem is None:
        report.ok(what)
    else:
        report.fail(what, problem)
    return got


def array_problem(got, expect, shape_note: str = "", hints=(), rtol: float = 1e-9, atol: float = 1e-12):
    """None when the array `got` equals `expect`; otherwise what differs, shape first, then values.

    shape_note names the expected shape in the lecture's letters, e.g. "(B, H)".
    hints: (wrong array, message) pairs, the result of a typical slip and what
    to say when got equals it.
    """
    try:
        got = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return f"expected an array, got {type(got).__name__}"
    if got.shape != expect.shape:
        return f"expected shape {expect.shape} {shape_note}, got shape {got.shape}".replace("  ", " ")
    if not np.all(np.isfinite(got)):
        return "the result holds nan or inf"
    if np.allclose(got, expect, rtol=rtol, atol=atol):
        return None
    worst = np.unravel_index(np.argmax(np.abs(got - expect)), got.shape)
    where = tuple(int(i) for i in worst)
    message = f"values differ: at index {where} expected {expect[worst]:.6f}, got {got[worst]:.6f}"
    for wrong, hint in hints:
        if np.shape(wrong) == got.shape and np.allclose(got, wrong, rtol=rtol, atol=atol):
            return f"{message}; it looks as if {hint}"
    return message


def close(got, expect, tol: float = 1e-8) -> bool:
    """True when got has expect's shape and equals it to tol, relative and absolute."""
    return np.shape(got) == np.shape(expect) and np.allclose(got, expect, rtol=tol, atol=tol)


def as_array(got):
    """got as a float64 array, or None when it is not an array of numbers."""
    try:
        return np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return None


def shape_problem(got, expect, note: str = "") -> str | None:
    """None when got (from as_array) is an array of expect's shape; otherwise what is wrong with its shape."""
    if got is None or np.shape(got) != np.shape(expect):
        shape = None if got is None else np.shape(got)
        return f"expected an array of shape {np.shape(expect)} {note}, got {shape}".replace("  ", " ")
    return None


def number_problem(got, expect: float, hints=(), rtol: float = 1e-8):
    """None when the number `got` equals `expect`; otherwise what is wrong.

    hints: (wrong value, message) pairs, the result of a typical slip and what
    to say (the message alone) when got equals it.
    """
    try:
        got = float(got)
    except (TypeError, ValueError):
        return f"expected a number, got {type(got).__name__}"
    if np.isclose(got, expect, rtol=rtol):
        return None
    for wrong, hint in hints:
        if np.isclose(got, wrong, rtol=max(rtol, 1e-6)):
            return hint
    return f"expected {expect:.6f}, got {got:.6f}"


def solution_printer(solutions: dict):
    """The `solution(name)` function of a notebook's checkers: prints rnnlib's answer to an exercise."""

    def solution(name: str) -> None:
        show_solution(solutions, name)

    solution.__doc__ = f"Print rnnlib's own answer to an exercise: one of {', '.join(map(repr, solutions))}."
    return solution


def show_solution(solutions: dict, name: str) -> None:
    """Print the source of rnnlib's answer `name`, one of the keys of `solutions`."""
    if name not in solutions:
        raise ValueError(f"name must be one of {sorted(solutions)}, got {name!r}")
    print(inspect.getsource(solutions[name]))
