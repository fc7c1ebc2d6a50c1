"""What a :class:`Scorer` gives back: pair scores, explanations, and rounding for display."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from matching.scoring.criteria import Kind
from matching.scoring.people import BoolArray, FloatArray, IntArray


def score_display(score: float) -> int:
    """The whole number shown for a score: halves round up (62.5 shows as 63)."""
    return math.floor(round(score, 9) + 0.5)


def points_round(values: Sequence[float], total: int | None = None) -> list[int]:
    """Whole numbers, each within 1 of its value, adding up to the displayed sum.

    Largest-remainder rounding of signed values: every value is rounded down, then
    the ones with the largest fractions go up until the parts add up to ``total``
    (by default ``score_display(sum(values))``; pass the displayed score when the
    values add up to it only up to float rounding). Ties go to the earlier value.
    """
    clean = [round(v, 9) for v in values]
    floors = [math.floor(v) for v in clean]
    target = score_display(sum(clean)) if total is None else total
    missing = max(0, min(len(clean), target - sum(floors)))
    order = sorted(range(len(clean)), key=lambda k: (-(clean[k] - floors[k]), k))
    for k in order[:missing]:
        floors[k] += 1
    return floors


@dataclass(frozen=True)
class PairScores:
    """Scores of a list of pairs (mentee row, mentor row), in the order given.

    ``contributions[p, c]`` is criterion c's signed points for pair p (columns in the
    order of :attr:`Scorer.keys`) and ``score == baseline + contributions.sum(1)``.
    """

    mentees: IntArray
    mentors: IntArray
    score: FloatArray
    contributions: FloatArray
    feasible: BoolArray


@dataclass(frozen=True)
class Part:
    """One line of an explanation: a criterion's signed, rounded points and why.

    Which details are filled depends on the kind: ``items`` (similar: the shared
    labels; complementary: what the mentee wants that the mentor offers; themes:
    the strongest themes both texts mention), ``gap``
    (seniority levels, mentor minus mentee), ``same`` with the two values
    (same or different), ``hours`` apart (time zone). ``satisfied`` says whether a
    mandatory criterion passed (mandatory criteria carry 0 points).
    """

    criterion: str
    kind: str
    points: int
    exact_points: float
    max_points: float
    mandatory: bool = False
    satisfied: bool | None = None
    items: tuple[str, ...] = ()
    gap: int | None = None
    same: bool | None = None
    mentee_value: str | None = None
    mentor_value: str | None = None
    hours: float | None = None

    def as_dict(self) -> dict[str, object]:
        """JSON-ready, without the details that do not apply."""
        data: dict[str, object] = {
            "criterion": self.criterion,
            "kind": self.kind,
            "points": self.points,
            "exact_points": round(self.exact_points, 4),
            "max_points": round(self.max_points, 4),
        }
        if self.mandatory:
            data["mandatory"] = True
            data["satisfied"] = self.satisfied
        if self.kind in (Kind.SIMILAR, Kind.COMPLEMENTARY, Kind.THEMES):
            data["items"] = list(self.items)
        for name in ("gap", "same", "mentee_value", "mentor_value", "hours"):
            value = getattr(self, name)
            if value is not None:
                data[name] = value
        return data


@dataclass(frozen=True)
class Explanation:
    """Why a pair scores what it does: ``score == sum(part.points for part in parts)``.

    The parts are the baseline (only when the program has a penalty criterion) and
    then one part per criterion in the program's order. ``violations`` lists the hard
    rules the pair breaks (empty when it may be paired).
    """

    mentee: int
    mentor: int
    score: int
    exact_score: float
    parts: tuple[Part, ...]
    violations: tuple[str, ...]

    @property
    def feasible(self) -> bool:
        return not self.violations

    def as_dict(self) -> dict[str, object]:
        return {
            "mentee": self.mentee,
            "mentor": self.mentor,
            "score": self.score,
            "exact_score": round(self.exact_score, 4),
            "feasible": self.feasible,
            "violations": list(self.violations),
            "parts": [part.as_dict() for part in self.parts],
        }
