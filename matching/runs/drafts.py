"""Editing a draft: swap, assign or remove a mentee's mentor; each pair rescored."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext as _

from matching import inputs
from matching.models import MatchProposal, MatchRun
from matching.runs.criteria import _pair_people
from matching.runs.solving import Unmatched, summary_of
from mentoring.audit import audit_record
from mentoring.models import AuditEvent, User
from pairs.mentorships import active_mentee_counts, mentor_capacity
from programs.models import Participant
from programs.services import ProgramError


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
