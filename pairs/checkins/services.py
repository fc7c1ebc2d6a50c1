"""Check-in writes: propose, accept, reschedule, cancel, log (see the package's notes)."""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mentoring.deferred import task_defer
from mentoring.models import User
from mentoring.notifications import zone
from pairs.checkins.links import OUTCOMES, LinkResult, link_check
from pairs.checkins.notices import (
    NOTICE_CANCELLED,
    NOTICE_PROPOSED,
    NOTICE_SCHEDULED,
    NOTICE_UPDATED,
)
from pairs.models import CheckIn, Mentorship, PairGoal
from pairs.reminders.planning import checkin_reminders_plan, mentorship_reminders_plan
from pairs.selectors import pair_users, side_of
from pairs.signals import checkin_logged
from pairs.tasks import send_checkin_notice_task
from programs.models import Participant, Program
from programs.services import ProgramError

Status = CheckIn.Status

# A recurring series is this many check-ins (the first and the next ones), one per
# program cadence; the pair proposes more when they run out.
SERIES_LENGTH = 6


def _check_active(mentorship: Mentorship) -> None:
    if mentorship.state != Mentorship.State.ACTIVE:
        raise ProgramError(_("This mentorship has ended."))


def _lock(checkin: CheckIn) -> CheckIn:
    return (
        CheckIn.objects.select_for_update(of=("self",))
        .select_related(
            "mentorship__program",
            "mentorship__mentor__user",
            "mentorship__mentee__user",
        )
        .get(pk=checkin.pk)
    )


def _after_change(checkin: CheckIn, notice: str, recipients: list[User]) -> None:

    checkin_reminders_plan(checkin=checkin)
    ids = [user.pk for user in recipients]
    checkin_id, sequence = checkin.pk, checkin.sequence
    _enqueue_notice(checkin_id, notice, sequence, ids)


def _enqueue_notice(checkin_id: int, notice: str, sequence: int, user_ids: list[int]) -> None:
    """Queued when the transaction commits, and recorded in it (mentoring.deferred)."""
    task_defer(send_checkin_notice_task, checkin_id, notice, sequence, user_ids)


@transaction.atomic
def checkin_propose(
    *,
    mentorship: Mentorship,
    by: User,
    scheduled_at: dt.datetime,
    duration_minutes: int = 45,
    location: str = "",
    video_url: str = "",
    repeat: bool = False,
    now: dt.datetime | None = None,
) -> CheckIn:
    """One person proposes a time; the other is told and accepts or proposes another."""
    now = now or timezone.now()
    _check_active(mentorship)
    if not side_of(mentorship, by):
        raise ProgramError(_("Only the pair can propose check-ins."))
    if scheduled_at <= now:
        raise ProgramError(_("Choose a time in the future."))
    checkin = CheckIn.objects.create(
        mentorship=mentorship,
        status=Status.PROPOSED,
        scheduled_at=scheduled_at,
        duration_minutes=duration_minutes,
        location=location,
        video_url=video_url,
        proposed_by=by,
        series=uuid.uuid4() if repeat else None,
    )
    partner = [user for user in pair_users(mentorship) if user.pk != by.pk]
    _after_change(checkin, NOTICE_PROPOSED, partner)
    return checkin


def _next_times(first: dt.datetime, *, cadence_days: int, zone_name: str) -> list[dt.datetime]:
    """The later check-ins of a series: same local clock time, every cadence."""
    tz = zone(zone_name)
    local = first.astimezone(tz).replace(tzinfo=None)
    times = []
    for n in range(1, SERIES_LENGTH):
        wall = local + dt.timedelta(days=cadence_days * n)
        times.append(wall.replace(tzinfo=tz).astimezone(dt.UTC))
    return times


@transaction.atomic
def checkin_accept(*, checkin: CheckIn, by: User, now: dt.datetime | None = None) -> CheckIn:
    """The partner accepts a proposed time: the check-in (and its series) is scheduled."""
    now = now or timezone.now()
    checkin = _lock(checkin)
    mentorship = checkin.mentorship
    _check_active(mentorship)
    if checkin.status != Status.PROPOSED:
        raise ProgramError(_("This check-in is not waiting for an answer."))
    if not side_of(mentorship, by) or checkin.proposed_by_id == by.pk:
        raise ProgramError(_("Your partner accepts the time you proposed."))
    if checkin.scheduled_at <= now:
        raise ProgramError(_("That time has passed; propose another."))
    checkin.status = Status.SCHEDULED
    checkin.sequence += 1
    checkin.save(update_fields=["status", "sequence", "updated_at"])
    if checkin.series is not None:
        proposer = checkin.proposed_by
        zone_name = proposer.time_zone if proposer is not None else mentorship.program.time_zone
        later = [
            CheckIn(
                mentorship=mentorship,
                status=Status.SCHEDULED,
                scheduled_at=moment,
                duration_minutes=checkin.duration_minutes,
                location=checkin.location,
                video_url=checkin.video_url,
                proposed_by_id=checkin.proposed_by_id,
                series=checkin.series,
                sequence=1,
            )
            for moment in _next_times(
                checkin.scheduled_at,
                cadence_days=mentorship.program.checkin_cadence_days,
                zone_name=zone_name,
            )
        ]

        for item in CheckIn.objects.bulk_create(later):
            checkin_reminders_plan(checkin=item)
    _after_change(checkin, NOTICE_SCHEDULED, pair_users(mentorship))
    return checkin


@transaction.atomic
def checkin_reschedule(
    *,
    checkin: CheckIn,
    by: User,
    scheduled_at: dt.datetime,
    duration_minutes: int,
    location: str = "",
    video_url: str = "",
    now: dt.datetime | None = None,
) -> CheckIn:
    """Propose another time for a proposed check-in (it waits for the other person
    again) or move a scheduled one (calendars update: SEQUENCE rises)."""
    now = now or timezone.now()
    checkin = _lock(checkin)
    mentorship = checkin.mentorship
    _check_active(mentorship)
    if not side_of(mentorship, by):
        raise ProgramError(_("Only the pair can change check-ins."))
    if checkin.status not in (Status.PROPOSED, Status.SCHEDULED):
        raise ProgramError(_("This check-in can no longer be moved."))
    if scheduled_at <= now:
        raise ProgramError(_("Choose a time in the future."))
    was_scheduled = checkin.status == Status.SCHEDULED
    checkin.scheduled_at = scheduled_at
    checkin.duration_minutes = duration_minutes
    checkin.location = location
    checkin.video_url = video_url
    checkin.sequence += 1
    if not was_scheduled:
        checkin.proposed_by = by
    checkin.save(
        update_fields=[
            "scheduled_at",
            "duration_minutes",
            "location",
            "video_url",
            "sequence",
            "proposed_by",
            "updated_at",
        ]
    )
    if was_scheduled:
        _after_change(checkin, NOTICE_UPDATED, pair_users(mentorship))
    else:
        partner = [user for user in pair_users(mentorship) if user.pk != by.pk]
        _after_change(checkin, NOTICE_PROPOSED, partner)
    return checkin


@transaction.atomic
def checkin_cancel(*, checkin: CheckIn, by: User, now: dt.datetime | None = None) -> CheckIn:
    now = now or timezone.now()
    checkin = _lock(checkin)
    mentorship = checkin.mentorship
    if not side_of(mentorship, by):
        raise ProgramError(_("Only the pair can cancel check-ins."))
    if checkin.status not in (Status.PROPOSED, Status.SCHEDULED):
        raise ProgramError(_("This check-in can no longer be cancelled."))
    checkin.status = Status.CANCELLED
    checkin.cancelled_at = now
    checkin.sequence += 1
    checkin.save(update_fields=["status", "cancelled_at", "sequence", "updated_at"])
    _after_change(checkin, NOTICE_CANCELLED, pair_users(mentorship))
    return checkin


def _apply_log(
    checkin: CheckIn,
    *,
    side: str,
    outcome: str,
    duration_minutes: int | None,
    topics: str | None,
    notes: str | None,
    rating: int | None,
    goal_progress: dict[int, int],
    now: dt.datetime,
) -> None:
    if outcome not in OUTCOMES:
        raise ProgramError(_("Say whether you met."))
    if rating is not None and not 1 <= rating <= 5:
        raise ProgramError(_("A rating is from 1 to 5."))
    checkin.status = outcome
    checkin.logged_at = checkin.logged_at or now
    if duration_minutes:
        checkin.duration_minutes = duration_minutes
    if topics is not None and topics.strip():
        checkin.topics = topics.strip()
    if notes is not None and notes.strip():
        checkin.notes = notes.strip()
    if side == Participant.Role.MENTOR:
        checkin.mentor_logged_at = now
        if rating is not None:
            checkin.mentor_rating = rating
    else:
        checkin.mentee_logged_at = now
        if rating is not None:
            checkin.mentee_rating = rating
    if goal_progress:
        goals = {
            goal.pk: goal
            for goal in PairGoal.objects.select_for_update().filter(
                mentorship_id=checkin.mentorship_id, pk__in=list(goal_progress)
            )
        }
        for goal_id, percent in goal_progress.items():
            goal = goals.get(goal_id)
            if goal is None or not 0 <= percent <= 100:
                continue
            goal.progress = percent
            goal.save(update_fields=["progress", "updated_at"])
            checkin.goal_progress = {**checkin.goal_progress, str(goal_id): percent}
    checkin.save()


@transaction.atomic
def checkin_log(
    *,
    checkin: CheckIn,
    by: User,
    outcome: str,
    duration_minutes: int | None = None,
    topics: str | None = None,
    notes: str | None = None,
    rating: int | None = None,
    goal_progress: dict[int, int] | None = None,
    now: dt.datetime | None = None,
) -> CheckIn:
    """One person logs a check-in that has started: met or not, and how it went."""

    now = now or timezone.now()
    checkin = _lock(checkin)
    side = side_of(checkin.mentorship, by)
    if not side:
        raise ProgramError(_("Only the pair can log check-ins."))
    if checkin.status in (Status.PROPOSED, Status.CANCELLED):
        raise ProgramError(_("Only a check-in that was scheduled can be logged."))
    if checkin.scheduled_at > now:
        raise ProgramError(_("You can log a check-in once it has started."))
    _apply_log(
        checkin,
        side=side,
        outcome=outcome,
        duration_minutes=duration_minutes,
        topics=topics,
        notes=notes,
        rating=rating,
        goal_progress=goal_progress or {},
        now=now,
    )
    checkin_reminders_plan(checkin=checkin, now=now)
    mentorship_reminders_plan(mentorship=checkin.mentorship, now=now)
    checkin_logged.send(sender=Program, program=checkin.mentorship.program, checkin=checkin)
    return checkin


@transaction.atomic
def checkin_log_past(
    *,
    mentorship: Mentorship,
    by: User,
    held_at: dt.datetime,
    outcome: str,
    duration_minutes: int | None = None,
    topics: str | None = None,
    notes: str | None = None,
    rating: int | None = None,
    goal_progress: dict[int, int] | None = None,
    now: dt.datetime | None = None,
) -> CheckIn:
    """Log a meeting that already happened and was never scheduled here."""

    now = now or timezone.now()
    _check_active(mentorship)
    side = side_of(mentorship, by)
    if not side:
        raise ProgramError(_("Only the pair can log check-ins."))
    if held_at > now:
        raise ProgramError(_("Choose a time that has passed."))
    checkin = CheckIn.objects.create(
        mentorship=mentorship,
        status=Status.SCHEDULED,
        scheduled_at=held_at,
        duration_minutes=duration_minutes or 45,
        proposed_by=by,
    )
    _apply_log(
        checkin,
        side=side,
        outcome=outcome,
        duration_minutes=duration_minutes,
        topics=topics,
        notes=notes,
        rating=rating,
        goal_progress=goal_progress or {},
        now=now,
    )
    mentorship_reminders_plan(mentorship=mentorship, now=now)
    checkin_logged.send(sender=Program, program=mentorship.program, checkin=checkin)
    return checkin


def checkin_log_from_link(token: str, *, now: dt.datetime | None = None) -> LinkResult:
    """Record "we met" / "we didn't" from an email link's button (a POST).

    The link carries the person, the check-in and the answer, signed, and expires
    after CHECKIN_LINK_MAX_AGE_DAYS. A second press changes nothing: once the person
    logged the check-in, the link only shows what was recorded.
    """
    result, user, outcome = link_check(token)
    if result.outcome != "ready" or user is None or result.checkin is None:
        return result
    try:
        checkin = checkin_log(checkin=result.checkin, by=user, outcome=outcome, now=now)
    except ProgramError:
        return LinkResult(False, "refused", result.checkin)
    return LinkResult(True, "recorded", checkin, checkin.status)
