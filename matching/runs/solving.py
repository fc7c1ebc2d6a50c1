"""Solving a stored configuration: the pool, the rematch-first pass, the proposals
and the summary of their scores."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from django.utils.translation import gettext as _

from matching import inputs, solver
from matching.models import MatchProposal, MatchRun
from programs.models import Program

# Bins of the score chart: 0-9, 10-19, ..., 90-100.
SCORE_BINS = 10

Unmatched = MatchProposal.Unmatched
REASON_OF = {
    solver.Reason.NO_FEASIBLE_CANDIDATE: Unmatched.NO_CANDIDATE,
    solver.Reason.CAPACITY_EXHAUSTED: Unmatched.CAPACITY,
}


def _progress(run_id: int, percent: int, stage: str) -> None:
    MatchRun.objects.filter(pk=run_id).update(progress=percent, stage=stage)


@dataclass
class Solved:
    """A solved configuration, before it is stored."""

    pool: inputs.Pool
    assignment: solver.Assignment
    catalog: dict[str, inputs.Field]


def _solve(program: Program, config: Mapping[str, Any], run_id: int | None = None) -> Solved:
    if run_id:
        _progress(run_id, 10, _("Reading profiles"))
    pool = inputs.pool_build(program, config)
    if run_id:
        _progress(run_id, 40, _("Finding the best pairs"))
    mentee_row, mentor_row = pool.mentee_row(), pool.mentor_row()
    pins = [
        (mentee_row[a], mentor_row[b])
        for a, b in config["pins"]
        if a in mentee_row and b in mentor_row
    ]
    blocks = [
        (mentee_row[a], mentor_row[b])
        for a, b in config["blocks"]
        if a in mentee_row and b in mentor_row
    ]
    if pool.mentees and pool.mentors:
        capacity = np.array(pool.free, dtype=np.int64)
        first = _rematch_first(pool, capacity, pins, blocks)
        assignment = solver.solve(
            pool.scorer,
            capacity=capacity,
            objective=config["objective"],
            pins=pins + first,
            blocks=blocks,
        )
        # Their places were kept by the rules of re-matching, not by a coordinator.
        kept = {row for row, _col in first}
        for n, row in enumerate(assignment.mentees.tolist()):
            if row in kept:
                assignment.pinned[n] = False
    else:
        assignment = _nobody(len(pool.mentees), config["objective"])
    return Solved(pool, assignment, inputs.field_catalog(program))


def _rematch_first(
    pool: inputs.Pool,
    capacity: npt.NDArray[np.int64],
    pins: list[tuple[int, int]],
    blocks: list[tuple[int, int]],
) -> list[tuple[int, int]]:
    """Mentees whose mentorship ended and who asked for a new mentor come first: as
    many of them as possible get a mentor (then the best scores), before everyone
    else is matched around them. Returns their pairs, to be kept as pins."""
    pinned_rows = {row for row, _col in pins}
    rows = [
        n
        for n, person in enumerate(pool.mentees)
        if person.rematch_requested_at is not None and n not in pinned_rows
    ]
    if not rows:
        return []
    scores, feasible = pool.scorer.exact_block(np.array(rows, dtype=np.int64))
    feasible = feasible.copy()
    position = {row: n for n, row in enumerate(rows)}
    for row, col in blocks:
        if row in position:
            feasible[position[row], col] = False
    left = capacity.copy()
    for _row, col in pins:
        left[col] -= 1
    first = solver.solve(
        solver.MatrixSource(scores, feasible),
        capacity=np.maximum(left, 0),
        objective=solver.Objective.COVERAGE,
    )
    return [(rows[a], b) for a, b in first.pairs()]


def _nobody(n_mentees: int, objective: str) -> solver.Assignment:
    empty = np.zeros(0, dtype=np.int64)
    return solver.Assignment(
        mentees=empty,
        mentors=empty,
        scores=np.zeros(0),
        pinned=np.zeros(0, dtype=bool),
        unmatched=np.arange(n_mentees, dtype=np.int64),
        reasons=tuple(solver.Reason.NO_FEASIBLE_CANDIDATE for _ in range(n_mentees)),
        value=solver.ObjectiveValue(solver.Objective(objective), 0, 0, None),
    )


def _proposals(run: MatchRun, solved: Solved) -> list[MatchProposal]:
    pool, assignment = solved.pool, solved.assignment
    proposals = []
    for row, col, pinned in zip(
        assignment.mentees.tolist(),
        assignment.mentors.tolist(),
        assignment.pinned.tolist(),
        strict=True,
    ):
        explanation = pool.scorer.explain(row, col)
        proposals.append(
            MatchProposal(
                run=run,
                mentee=pool.mentees[row],
                mentor=pool.mentors[col],
                score=explanation.score,
                explanation=inputs.explanation_store(explanation, run.config, solved.catalog),
                pinned=bool(pinned),
            )
        )
    for row, reason in zip(assignment.unmatched.tolist(), assignment.reasons, strict=True):
        proposals.append(
            MatchProposal(
                run=run,
                mentee=pool.mentees[row],
                mentor=None,
                unmatched_reason=REASON_OF.get(reason, Unmatched.NO_CANDIDATE),
            )
        )
    return proposals


def summary_of(scores: Sequence[int], unmatched: Counter[str], **extra: Any) -> dict[str, Any]:
    histogram = [0] * SCORE_BINS
    for score in scores:
        histogram[min(score // (100 // SCORE_BINS), SCORE_BINS - 1)] += 1
    return {
        "matched": len(scores),
        "unmatched": sum(unmatched.values()),
        "unmatched_reasons": dict(unmatched),
        "total": sum(scores),
        "average": round(sum(scores) / len(scores), 1) if scores else None,
        "lowest": min(scores) if scores else None,
        "histogram": histogram,
        **extra,
    }
