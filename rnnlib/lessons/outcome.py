"""The one result type of the course's experiments: what a training run reached, and against what.

Every experiment function (rnnlib.lessons.patterns, echo, long_range) returns
an Outcome: the trained model, its History (the losses, the gradient norms,
and where the run diverged if it did), the test score, the baseline, and the
level the notebook claims. `claim()` states the checked claim alone, for a
result whose digits are not worth printing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rnnlib.core.train import History


@dataclass
class Outcome:
    """What one training experiment reached: the trained model, its learning curve, and a test score
    against a baseline computed without the test data's answers, and a stated success level."""

    model: object  # the trained model (rnnlib.core.models), e.g. outcome.model.cell
    history: History
    metric: str  # what `score` measures, e.g. "test accuracy"
    score: float  # measured on test data that training never saw
    baseline_name: str  # e.g. "chance"
    baseline: float
    success_level: float
    higher_is_better: bool = True
    details: dict = field(default_factory=dict)  # further measurements, by name

    @property
    def passed(self) -> bool:
        return self.score >= self.success_level if self.higher_is_better else self.score <= self.success_level

    def __str__(self) -> str:
        at_least = "at least" if self.higher_is_better else "at most"
        verdict = "reached" if self.passed else "NOT reached"
        return (
            f"{self.metric}: {self.score:.2f}   ({self.baseline_name}: {self.baseline:.2f}; "
            f"success: {at_least} {self.success_level:.2f}, {verdict})"
        )

    def claim(self) -> str:
        """The success claim, checked, without the score's digits.

        For an experiment whose exact score changes with the round-off of the
        numeric stack (another numpy, BLAS or CPU) while every run still
        reaches the success level: the claim is the same everywhere.
        """
        at_least = "at least" if self.higher_is_better else "at most"
        verdict = "reached" if self.passed else "NOT reached"
        baseline = f"({self.baseline_name}: {self.baseline:.2f})"
        return f"{self.metric}: {at_least} {self.success_level:.2f}, {verdict}   {baseline}"

    def _repr_pretty_(self, p, cycle) -> None:
        p.text(str(self))
