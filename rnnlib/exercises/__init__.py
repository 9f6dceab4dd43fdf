"""Checkers for the notebooks' exercises.

Each notebook's exercises have a module here (nb01, nb02, ...). A checker
takes the reader's answer (usually a function), runs it beside rnnlib's own
version on a few inputs, and returns a `Report` that prints what matched and,
for the first thing that did not, what was expected and what came back.
"""

from __future__ import annotations

from dataclasses import dataclass, field


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
