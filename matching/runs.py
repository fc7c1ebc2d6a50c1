"""Match runs: criteria and rules, running the solver as a draft, editing the draft,
comparing it with the previous one, and publishing it.

Nobody but the program's coordinators learns of a draft. Publishing creates every
mentorship in one transaction and, after it commits, emails each pair an
introduction that says why they were matched.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from django.conf import settings
from django.db import transaction
from django.db.models import Max, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from matching import inputs, solver
from matching.models import MatchCriterion, MatchProposal, MatchRun, MatchSettings, PairRule
from matching.signals import match_published
from mentoring.audit import audit_record
from mentoring.models import AuditEvent, Delivery, User
from mentoring.sweeps import claim_and_send
from pairs.mentorships import (
    active_mentee_counts,
    explanation_reasons,
    mentor_capacity,
    mentorship_create,
)
from pairs.models import Mentorship
from programs.models import Participant, Program
from programs.services import ProgramError

logger = logging.getLogger(__name__)

# Programs in which a run may start (and be published).
RUN_STATES = (Program.State.ENROLLING, Program.State.MATCHING, Program.State.RUNNING)
# Bins of the score chart: 0-9, 10-19, ..., 90-100.
SCORE_BINS = 10
# "What if" answers in the request; above this many mentees it asks for a real run.
WHATIF_MAX_MENTEES = 5000

Unmatched = MatchProposal.Unmatched
REASON_OF = {
    solver.Reason.NO_FEASIBLE_CANDIDATE: Unmatched.NO_CANDIDATE,
    solver.Reason.CAPACITY_EXHAUSTED: Unmatched.CAPACITY,
}


def _check_open(program: Program) -> None:
    if program.state not in RUN_STATES:
        raise ProgramError(_("Matching runs while the program is enrolling, matching or running."))


# -- criteria and rules -------------------------------------------------------------


def match_settings_update(*, program: Program, by: User, **fields: Any) -> MatchSettings:
    match_settings, _created = MatchSettings.objects.get_or_create(program=program)
    for name, value in fields.items():
        setattr(match_settings, name, value)
    match_settings.updated_by = by
    match_settings.save()
    audit_record(
        action=AuditEvent.Action.MATCHING_CHANGE,
        actor=by,
        target=match_settings,
        detail={"change": "settings_update", "program_id": program.pk, "fields": sorted(fields)},
    )
    return match_settings


def criterion_problem(program: Program, fields: Mapping[str, Any]) -> tuple[str, str] | None:
    """What is wrong with a criterion, if anything: (the form field, the message)."""
    catalog = inputs.field_catalog(program)
    field = catalog.get(fields["field"])
    if field is None:
        return "field", _("Choose a field to match on.")
    if fields["rule"] not in inputs.RULES_FOR[field.kind]:
        return "rule", _("“%(rule)s” does not apply to %(field)s.") % {
            "rule": MatchCriterion.Rule(fields["rule"]).label,
            "field": field.label,
        }
    if fields["rule"] == MatchCriterion.Rule.COMPLEMENTARY:
        other = catalog.get(fields.get("mentor_field") or "")
        if other is None or other.kind != inputs.SET:
            return "mentor_field", _("Choose what the mentor offers.")
    if fields["rule"] == MatchCriterion.Rule.SIMILAR_THEMES and fields.get("mentor_field"):
        other = catalog.get(fields["mentor_field"])
        if other is None or other.kind != inputs.TEXT:
            return "mentor_field", _(
                "Compare themes with one of the mentor's free-text fields, or leave it empty "
                "to compare the same field."
            )
    if fields["weight"] == MatchCriterion.Weight.CUSTOM and not fields.get("custom_weight"):
        return "custom_weight", _("Give the weight as a number.")
    return None


def criterion_check(program: Program, fields: Mapping[str, Any]) -> None:
    """Refuse a criterion whose rule does not fit its field."""
    problem = criterion_problem(program, fields)
    if problem is not None:
        raise ProgramError(problem[1])


@transaction.atomic
def criterion_add(*, program: Program, by: User, **fields: Any) -> MatchCriterion:
    criterion_check(program, fields)
    if fields["rule"] not in inputs.MENTOR_FIELD_KIND:
        fields["mentor_field"] = ""
    if MatchCriterion.objects.filter(
        program=program,
        field=fields["field"],
        rule=fields["rule"],
        mentor_field=fields.get("mentor_field", ""),
    ).exists():
        raise ProgramError(_("This program already has that criterion; change its weight instead."))
    last = MatchCriterion.objects.filter(program=program).aggregate(m=Max("position"))["m"] or 0
    criterion = MatchCriterion.objects.create(program=program, position=last + 1, **fields)
    audit_record(
        action=AuditEvent.Action.MATCHING_CHANGE,
        actor=by,
        target=criterion,
        detail={"change": "criterion_add", "program_id": program.pk},
    )
    return criterion


@transaction.atomic
def criterion_update(*, criterion: MatchCriterion, by: User, **fields: Any) -> MatchCriterion:
    merged = {**inputs.criterion_row(criterion), **fields}
    criterion_check(criterion.program, merged)
    for name, value in fields.items():
        setattr(criterion, name, value)
    criterion.save()
    audit_record(
        action=AuditEvent.Action.MATCHING_CHANGE,
        actor=by,
        target=criterion,
        detail={"change": "criterion_update", "fields": sorted(fields)},
    )
    return criterion


def criterion_delete(*, criterion: MatchCriterion, by: User) -> None:
    audit_record(
        action=AuditEvent.Action.MATCHING_CHANGE,
        actor=by,
        target=criterion,
        detail={"change": "criterion_delete", "program_id": criterion.program_id},
    )
    criterion.delete()


@transaction.atomic
def criteria_recommended_add(*, program: Program, by: User) -> int:
    """Add the recommended criteria the program does not have yet."""
    added = 0
    for spec in inputs.RECOMMENDED:
        fields = {"mentor_field": "", **spec}
        if not MatchCriterion.objects.filter(
            program=program,
            field=fields["field"],
            rule=fields["rule"],
            mentor_field=fields["mentor_field"],
        ).exists():
            criterion_add(program=program, by=by, **fields)
            added += 1
    return added


def _pair_people(
    program: Program, mentee_id: int, mentor_id: int
) -> tuple[Participant, Participant]:
    people = {
        p.pk: p for p in Participant.objects.filter(program=program, pk__in=[mentee_id, mentor_id])
    }
    mentee, mentor = people.get(mentee_id), people.get(mentor_id)
    if mentee is None or mentor is None:
        raise ProgramError(_("Both people must belong to this program."))
    if mentee.role != Participant.Role.MENTEE or mentor.role != Participant.Role.MENTOR:
        raise ProgramError(_("A pair is one mentee and one mentor."))
    return mentee, mentor


@transaction.atomic
def pair_rule_set(
    *, program: Program, mentee_id: int, mentor_id: int, kind: str, by: User
) -> PairRule:
    """Pin (always pair) or block (never pair) two people; a pin replaces the
    mentee's earlier pin."""
    mentee, mentor = _pair_people(program, mentee_id, mentor_id)
    if kind == PairRule.Kind.PIN:
        PairRule.objects.filter(program=program, mentee=mentee, kind=PairRule.Kind.PIN).exclude(
            mentor=mentor
        ).delete()
    rule, _created = PairRule.objects.update_or_create(
        mentee=mentee, mentor=mentor, defaults={"program": program, "kind": kind, "created_by": by}
    )
    audit_record(
        action=AuditEvent.Action.MATCHING_CHANGE,
        actor=by,
        target=rule,
        detail={
            "change": "pair_rule_set",
            "kind": kind,
            "mentee_id": mentee.pk,
            "mentor_id": mentor.pk,
        },
    )
    return rule


def pair_rule_delete(*, rule: PairRule, by: User) -> None:
    audit_record(
        action=AuditEvent.Action.MATCHING_CHANGE,
        actor=by,
        target=rule,
        detail={
            "change": "pair_rule_delete",
            "mentee_id": rule.mentee_id,
            "mentor_id": rule.mentor_id,
        },
    )
    rule.delete()


# -- runs ------------------------------------------------------------------------------


def _latest_finished(program: Program) -> MatchRun | None:
    return (
        MatchRun.objects.filter(
            program=program, status__in=[MatchRun.Status.DRAFT, MatchRun.Status.PUBLISHED]
        )
        .order_by("-created_at", "-pk")
        .first()
    )


@transaction.atomic
def match_run_start(*, program: Program, by: User) -> MatchRun:
    """Queue a run with the program's current settings; the worker does the work."""
    _check_open(program)
    Program.objects.select_for_update().get(pk=program.pk)
    busy = MatchRun.objects.filter(
        program=program, status__in=[MatchRun.Status.QUEUED, MatchRun.Status.RUNNING]
    ).first()
    if busy is not None:
        return busy
    config = inputs.config_from_program(program)
    if not config["criteria"]:
        raise ProgramError(_("Add at least one criterion before matching."))
    run = MatchRun.objects.create(
        program=program,
        objective=config["objective"],
        config=config,
        created_by=by,
        previous=_latest_finished(program),
        stage=_("Waiting for a worker"),
    )
    from matching.tasks import run_match_task

    transaction.on_commit(lambda: run_match_task.delay(run.pk))
    return run


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


def match_run_execute(*, run_id: int) -> MatchRun | None:
    """The worker's part: claim a queued run, solve it and store the draft.

    Safe to run twice: only a queued run is claimed, so a re-delivered task finds
    it running or done and leaves it alone.
    """
    claimed = MatchRun.objects.filter(pk=run_id, status=MatchRun.Status.QUEUED).update(
        status=MatchRun.Status.RUNNING, progress=5, stage=_("Starting")
    )
    if not claimed:
        return MatchRun.objects.filter(pk=run_id).first()
    run = MatchRun.objects.select_related("program").get(pk=run_id)
    try:
        solved = _solve(run.program, run.config, run_id=run.pk)
        _progress(run.pk, 80, _("Writing the draft"))
        proposals = _proposals(run, solved)
        stats = solved.assignment.stats
        with transaction.atomic():
            MatchProposal.objects.bulk_create(proposals, batch_size=1000)
            run.summary = summary_of(
                [p.score for p in proposals if p.mentor_id is not None and p.score is not None],
                Counter(p.unmatched_reason for p in proposals if p.mentor_id is None),
                mentors=len(solved.pool.mentors),
                places=int(sum(solved.pool.free)),
                seconds=round(stats.seconds, 3),
                method=stats.method,
                proven=stats.proven,
            )
            run.status = MatchRun.Status.DRAFT
            run.progress = 100
            run.stage = ""
            run.finished_at = timezone.now()
            run.save(update_fields=["summary", "status", "progress", "stage", "finished_at"])
            # One draft at a time: the older ones stay readable, marked replaced.
            MatchRun.objects.filter(program=run.program, status=MatchRun.Status.DRAFT).exclude(
                pk=run.pk
            ).update(status=MatchRun.Status.DISCARDED)
    except Exception as error:
        logger.exception("match run %s failed", run_id)
        MatchRun.objects.filter(pk=run_id).update(
            status=MatchRun.Status.FAILED,
            error=str(error)[:2000],
            finished_at=timezone.now(),
            stage="",
        )
        run.refresh_from_db()
    return run


# -- the draft ---------------------------------------------------------------------------


def _check_draft(run: MatchRun) -> None:
    if run.status != MatchRun.Status.DRAFT:
        raise ProgramError(_("Only a draft can be changed."))


def _mentor_load(run: MatchRun, mentor_id: int) -> int:
    return MatchProposal.objects.filter(run=run, mentor_id=mentor_id).count()


def _free_places(run: MatchRun, mentor: Participant) -> int:
    taken = active_mentee_counts([mentor.pk]).get(mentor.pk, 0)
    return mentor_capacity(mentor, run.program) - taken - _mentor_load(run, mentor.pk)


def _rescore(run: MatchRun, proposals: Sequence[MatchProposal]) -> None:
    """Score and explain edited pairs with the run's own configuration."""
    paired = [p for p in proposals if p.mentor_id is not None]
    if not paired:
        return
    mentees = [p.mentee for p in paired]
    mentors = [p.mentor for p in paired if p.mentor is not None]
    pool = inputs.pool_build(
        run.program, run.config, mentees=mentees, mentors=mentors, free=[1] * len(mentors)
    )
    catalog = inputs.field_catalog(run.program)
    for n, proposal in enumerate(paired):
        explanation = pool.scorer.explain(n, n)
        proposal.score = explanation.score
        proposal.explanation = inputs.explanation_store(explanation, run.config, catalog)


def _summary_refresh(run: MatchRun) -> None:
    rows = list(
        MatchProposal.objects.filter(run=run).values_list("mentor_id", "score", "unmatched_reason")
    )
    run.summary = {
        **run.summary,
        **summary_of(
            [score for mentor, score, _r in rows if mentor is not None and score is not None],
            Counter(reason for mentor, _s, reason in rows if mentor is None),
        ),
        "edited": True,
    }
    run.save(update_fields=["summary"])


def _locked_proposal(run: MatchRun, mentee_id: int) -> MatchProposal:
    proposal = (
        MatchProposal.objects.select_for_update(of=("self",))
        .select_related("mentee", "mentee__user", "mentor", "mentor__user")
        .filter(run=run, mentee_id=mentee_id)
        .first()
    )
    if proposal is None:
        raise ProgramError(_("That person is not in this draft."))
    return proposal


@transaction.atomic
def proposal_swap(
    *, run: MatchRun, mentee_a: int, mentee_b: int, by: User
) -> tuple[MatchProposal, MatchProposal]:
    """Give two mentees each other's mentors."""
    run = MatchRun.objects.select_for_update(of=("self",)).select_related("program").get(pk=run.pk)
    _check_draft(run)
    if mentee_a == mentee_b:
        raise ProgramError(_("Choose two different mentees to swap."))
    first, second = (_locked_proposal(run, m) for m in sorted((mentee_a, mentee_b)))
    if first.mentor_id is None and second.mentor_id is None:
        raise ProgramError(_("Neither of them has a mentor in this draft."))
    first.mentor, second.mentor = second.mentor, first.mentor
    for proposal in (first, second):
        proposal.edited = True
        proposal.pinned = False
        proposal.unmatched_reason = "" if proposal.mentor is not None else Unmatched.REMOVED
        if proposal.mentor is None:
            proposal.score = None
            proposal.explanation = []
    _rescore(run, [first, second])
    for proposal in (first, second):
        proposal.save()
    _summary_refresh(run)
    audit_record(
        action=AuditEvent.Action.MATCHING_CHANGE,
        actor=by,
        target=run,
        detail={"change": "proposal_swap", "mentee_ids": [first.mentee_id, second.mentee_id]},
    )
    return first, second


@transaction.atomic
def proposal_assign(*, run: MatchRun, mentee_id: int, mentor_id: int, by: User) -> MatchProposal:
    """Give a mentee another mentor (one with a free place in this draft)."""
    run = MatchRun.objects.select_for_update(of=("self",)).select_related("program").get(pk=run.pk)
    _check_draft(run)
    proposal = _locked_proposal(run, mentee_id)
    _mentee, mentor = _pair_people(run.program, mentee_id, mentor_id)
    if proposal.mentor_id == mentor.pk:
        return proposal
    if _free_places(run, mentor) <= 0:
        raise ProgramError(
            _("%(name)s has no free place in this draft; swap instead.")
            % {"name": mentor.display_name}
        )
    proposal.mentor = mentor
    proposal.edited = True
    proposal.pinned = False
    proposal.unmatched_reason = ""
    _rescore(run, [proposal])
    proposal.save()
    _summary_refresh(run)
    audit_record(
        action=AuditEvent.Action.MATCHING_CHANGE,
        actor=by,
        target=run,
        detail={"change": "proposal_assign", "mentee_id": mentee_id, "mentor_id": mentor.pk},
    )
    return proposal


@transaction.atomic
def proposal_remove(*, run: MatchRun, mentee_id: int, by: User) -> MatchProposal:
    run = MatchRun.objects.select_for_update(of=("self",)).select_related("program").get(pk=run.pk)
    _check_draft(run)
    proposal = _locked_proposal(run, mentee_id)
    proposal.mentor = None
    proposal.score = None
    proposal.explanation = []
    proposal.pinned = False
    proposal.edited = True
    proposal.unmatched_reason = Unmatched.REMOVED
    proposal.save()
    _summary_refresh(run)
    audit_record(
        action=AuditEvent.Action.MATCHING_CHANGE,
        actor=by,
        target=run,
        detail={"change": "proposal_remove", "mentee_id": mentee_id},
    )
    return proposal


# -- comparing ------------------------------------------------------------------------------


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
    return WhatIf(_diff(before, after, run.summary.get("total"), summary["total"]), summary)


# -- publishing ------------------------------------------------------------------------------


@transaction.atomic
def match_run_publish(*, run: MatchRun, by: User, now: dt.datetime | None = None) -> int:
    """Create every proposed mentorship at once, or none; then introduce the pairs."""
    now = now or timezone.now()
    run = MatchRun.objects.select_for_update(of=("self",)).select_related("program").get(pk=run.pk)
    if run.status == MatchRun.Status.PUBLISHED:
        return 0
    _check_draft(run)
    _check_open(run.program)
    proposals = list(
        MatchProposal.objects.filter(run=run, mentor__isnull=False)
        .select_related("mentee", "mentor", "mentee__user", "mentor__user")
        .order_by("mentor_id", "mentee_id")
    )
    # Lock the mentors in a stable order, then check every capacity before writing.
    mentor_ids = sorted({p.mentor_id for p in proposals if p.mentor_id is not None})
    list(Participant.objects.select_for_update().filter(pk__in=mentor_ids).order_by("pk"))
    load = Counter(p.mentor_id for p in proposals)
    pairs = [(proposal, proposal.mentor) for proposal in proposals if proposal.mentor is not None]
    taken = active_mentee_counts(mentor_ids)  # one query for every mentor of the draft
    for _proposal, mentor in pairs:
        if load[mentor.pk] > mentor_capacity(mentor, run.program) - taken.get(mentor.pk, 0):
            raise ProgramError(
                _("%(name)s no longer has room for every mentee in this draft. Run matching again.")
                % {"name": mentor.display_name}
            )
    created = []
    for proposal, mentor in pairs:
        mentorship = mentorship_create(
            program=run.program,
            mentor=mentor,
            mentee=proposal.mentee,
            source=Mentorship.Source.MATCH_RUN,
            by=by,
            score=proposal.score,
            explanation=proposal.explanation,
            check_capacity=False,
            now=now,
        )
        proposal.mentorship = mentorship
        created.append(mentorship.pk)
    MatchProposal.objects.bulk_update(proposals, ["mentorship"], batch_size=1000)
    run.status = MatchRun.Status.PUBLISHED
    run.published_at = now
    run.published_by = by
    run.save(update_fields=["status", "published_at", "published_by"])
    MatchRun.objects.filter(program=run.program, status=MatchRun.Status.DRAFT).exclude(
        pk=run.pk
    ).update(status=MatchRun.Status.DISCARDED)
    audit_record(
        action=AuditEvent.Action.MATCH_PUBLISH,
        actor=by,
        target=run,
        detail={"program_id": run.program_id, "pairs": len(created)},
    )
    from matching.tasks import send_match_introduction_task

    def enqueue() -> None:
        for pk in created:
            send_match_introduction_task.delay(pk)

    transaction.on_commit(enqueue)
    match_published.send(sender=Program, program=run.program, run=run, mentorship_ids=created)
    return len(created)


DELIVERY_INTRODUCTION = "match-introduction"


def _introduction_due() -> QuerySet[Mentorship]:
    """Pairs from a run whose introductions are still to send: the whole "to send"
    state, so the sweep finds it again whatever happened to the queued tasks."""
    return Mentorship.objects.filter(
        source=Mentorship.Source.MATCH_RUN,
        state=Mentorship.State.ACTIVE,
        introduced_at__isnull=True,
    )


def _introduction_next(mentorship: Mentorship) -> bool:
    """Email the first person of the locked pair not yet introduced; once both are,
    mark the pair ``introduced_at``. Whether an email went now.

    One email a transaction (docs/outbound.md): the unique Delivery
    ``match-introduction:<pair>:<person>`` is written, the email sent, then the sweep
    commits. A sender that dies between the two leaves the pair due, and the next
    sweep sends the one still missing.
    """
    from mentoring.emails import absolute_url, email_send

    sides = (
        (mentorship.mentee, mentorship.mentor, Participant.Role.MENTEE),
        (mentorship.mentor, mentorship.mentee, Participant.Role.MENTOR),
    )
    for me, partner, role in sides:
        if not Delivery.objects.claim(kind=DELIVERY_INTRODUCTION, key=f"{mentorship.pk}:{me.pk}"):
            continue  # this one went out before
        email_send(
            to=[me.user.email if me.user is not None else me.email],
            template="matching/introduction",
            context={
                "program": mentorship.program,
                "mentorship": mentorship,
                "me": me,
                "partner": partner,
                "role": role,
                "reasons": explanation_reasons(mentorship.explanation or []),
                # The pair's workspace once the person has an account; until then
                # the home page, where their invitation leads.
                "url": absolute_url(
                    reverse("pairs:workspace", args=[mentorship.pk]) if me.user is not None else "/"
                ),
            },
            reply_to=[partner.user.email if partner.user is not None else partner.email],
        )
        if role == Participant.Role.MENTOR:
            _introduced(mentorship)
        return True
    _introduced(mentorship)
    return False


def _introduced(mentorship: Mentorship) -> None:
    mentorship.introduced_at = timezone.now()
    mentorship.save(update_fields=["introduced_at"])


def _introductions_sweep(due: QuerySet[Mentorship], *, limit: int) -> int:
    return claim_and_send(
        due,
        order_by=("pk",),
        send_one=_introduction_next,
        batch=limit,
        batches=1,
        # Two emails a pair, each in its own transaction.
        steps=2,
        select_related=("program", "mentor", "mentor__user", "mentee", "mentee__user"),
        label="Introduction of pair",
    ).sent


def match_introduction_send(*, mentorship_id: int) -> int:
    """Email both people of a new pair, once each (safe to run twice and in parallel).
    Returns how many emails went out now."""
    return _introductions_sweep(_introduction_due().filter(pk=mentorship_id), limit=1)


def match_introductions_send(*, limit: int | None = None) -> int:
    """The introduction sweep (beat, every INVITATION_SWEEP_INTERVAL seconds): every
    pair still to introduce, at most ``limit`` pairs, oldest first. Returns how many
    emails went out. A failed send is logged and left due for the next sweep."""
    return _introductions_sweep(_introduction_due(), limit=limit or settings.INVITATION_SWEEP_BATCH)


def run_list(*, program: Program) -> QuerySet[MatchRun]:
    return MatchRun.objects.filter(program=program).select_related("created_by", "published_by")
