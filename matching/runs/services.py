"""Runs: queue one, solve it on the worker as a draft, publish the draft."""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from matching import inputs, tasks
from matching.models import MatchProposal, MatchRun
from matching.runs.drafts import _check_draft
from matching.runs.solving import _progress, _proposals, _solve, summary_of
from matching.signals import match_published
from mentoring.audit import audit_record
from mentoring.models import AuditEvent, User
from pairs.mentorships import active_mentee_counts, mentor_capacity, mentorship_create
from pairs.models import Mentorship
from programs.models import Participant, Program
from programs.services import ProgramError

logger = logging.getLogger(__name__)

# Programs in which a run may start (and be published).
RUN_STATES = (Program.State.ENROLLING, Program.State.MATCHING, Program.State.RUNNING)


def _check_open(program: Program) -> None:
    if program.state not in RUN_STATES:
        raise ProgramError(_("Matching runs while the program is enrolling, matching or running."))


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
    transaction.on_commit(lambda: tasks.run_match_task.delay(run.pk))
    return run


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

    def enqueue() -> None:
        for pk in created:
            tasks.send_match_introduction_task.delay(pk)

    transaction.on_commit(enqueue)
    match_published.send(sender=Program, program=run.program, run=run, mentorship_ids=created)
    return len(created)
