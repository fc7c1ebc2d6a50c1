"""Reading runs: the list, how a run differs from the previous one, and "what if"
previews of other weights (solved, never saved)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from matching.models import MatchProposal, MatchRun
from matching.runs.solving import REASON_OF, Unmatched, _solve, summary_of
from programs.models import Program
from programs.services import ProgramError

# "What if" answers in the request; above this many mentees it asks for a real run.
WHATIF_MAX_MENTEES = 5000


@dataclass(frozen=True)
class RunDiff:
    """How a run's pairs differ from those of an earlier run (by mentee)."""

    same: int
    changed: int  # a different mentor
    newly_matched: int
    newly_unmatched: int
    total_before: int | None
    total_after: int | None
    changed_mentees: list[int]


def run_diff(*, run: MatchRun, previous: MatchRun | None) -> RunDiff | None:
    if previous is None:
        return None
    after = dict(MatchProposal.objects.filter(run=run).values_list("mentee_id", "mentor_id"))
    before = dict(MatchProposal.objects.filter(run=previous).values_list("mentee_id", "mentor_id"))
    return _diff(before, after, previous.summary.get("total"), run.summary.get("total"))


def _diff(
    before: Mapping[int, int | None],
    after: Mapping[int, int | None],
    total_before: int | None,
    total_after: int | None,
) -> RunDiff:
    same = changed = newly_matched = newly_unmatched = 0
    changed_mentees = []
    for mentee, mentor in after.items():
        old = before.get(mentee)
        if mentor is not None and old == mentor:
            same += 1
        elif mentor is not None and old is not None:
            changed += 1
            changed_mentees.append(mentee)
        elif mentor is not None:
            newly_matched += 1
            changed_mentees.append(mentee)
        elif old is not None:
            newly_unmatched += 1
            changed_mentees.append(mentee)
    return RunDiff(
        same, changed, newly_matched, newly_unmatched, total_before, total_after, changed_mentees
    )


@dataclass(frozen=True)
class WhatIf:
    """The pairs a changed configuration would give, beside the current draft."""

    diff: RunDiff
    summary: dict[str, Any]
    matched_before: int  # pairs in the draft it is compared with

    @property
    def matched_change(self) -> int:
        return int(self.summary.get("matched", 0)) - self.matched_before


def match_whatif(
    *, run: MatchRun, criteria_weights: Mapping[str, Any], objective: str | None = None
) -> WhatIf:
    """Solve the run's configuration with other weights (nothing is saved)."""
    if run.summary.get("matched", 0) + run.summary.get("unmatched", 0) > WHATIF_MAX_MENTEES:
        raise ProgramError(_("This program is too large for a preview; start a new run instead."))
    config = dict(run.config)
    config["criteria"] = [
        {**row, **criteria_weights.get(row["key"], {})} for row in run.config["criteria"]
    ]
    if objective:
        config["objective"] = objective
    solved = _solve(run.program, config)
    pool, assignment = solved.pool, solved.assignment
    after: dict[int, int | None] = {pool.mentees[r].pk: None for r in range(len(pool.mentees))}
    scores = []
    for row, col in assignment.pairs():
        after[pool.mentees[row].pk] = pool.mentors[col].pk
        scores.append(pool.scorer.explain(row, col).score)
    unmatched = Counter(
        str(REASON_OF.get(reason, Unmatched.NO_CANDIDATE)) for reason in assignment.reasons
    )
    before = dict(MatchProposal.objects.filter(run=run).values_list("mentee_id", "mentor_id"))
    summary = summary_of(scores, unmatched)
    return WhatIf(
        _diff(before, after, run.summary.get("total"), summary["total"]),
        summary,
        matched_before=int(run.summary.get("matched", 0)),
    )


def run_list(*, program: Program) -> QuerySet[MatchRun]:
    return MatchRun.objects.filter(program=program).select_related("created_by", "published_by")
