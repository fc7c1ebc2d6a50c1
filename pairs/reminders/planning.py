"""Planning the reminders and nudges of a pair: rows with their due time, written
inside the transaction that changes the pair or the check-in (see pairs.reminders).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from django.conf import settings
from django.db.models import Max
from django.utils import timezone

from mentoring.models import User
from mentoring.notifications import (
    Kind,
    local_at,
    quiet_adjust,
    zone,
)
from pairs.models import CheckIn, Mentorship, PairReminder

logger = logging.getLogger(__name__)

R = PairReminder.Kind
Pending = PairReminder.State.PENDING

# Nudges go out at this local hour.
NUDGE_HOUR = 9
# The first-meeting nudge, if the pair has not set up a check-in by then.
FIRST_MEETING_AFTER = dt.timedelta(days=7)
# The "log your check-in" email, this long after the check-in's planned end.
LOG_AFTER_END = dt.timedelta(minutes=15)
# A reminder is not worth sending less than this long before the meeting.
BEFORE_MIN_LEAD = dt.timedelta(hours=1)
# Health thresholds, in cadences since the last meeting (pairs.workspace.Health).
OVERDUE_AFTER = 1.5

# The preference each kind answers to.
PREFERENCE: dict[str, str] = {
    R.WELCOME: Kind.PAIR_NUDGES,
    R.FIRST_MEETING: Kind.PAIR_NUDGES,
    R.OVERDUE: Kind.PAIR_NUDGES,
    R.BEFORE: Kind.CHECKIN_REMINDERS,
    R.LOG: Kind.CHECKIN_LOG,
    R.ESCALATION: Kind.PAIR_ESCALATIONS,
}


def delivery_kind(kind: str) -> str:
    return f"pair-{kind}"


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def _pair_users(mentorship: Mentorship) -> list[User]:
    return [p.user for p in (mentorship.mentor, mentorship.mentee) if p.user is not None]


def _nudge_time(
    reference: dt.datetime, zone_name: str, after: dt.timedelta = dt.timedelta(0)
) -> dt.datetime:
    """NUDGE_HOUR local on the first day that hour comes at or after ``after`` past
    ``reference``, counted on the recipient's wall clock (a day is a calendar day,
    whether the clocks changed in between or not)."""
    local = reference.astimezone(zone(zone_name)).replace(tzinfo=None) + after
    day = local.date()
    if local.time() > dt.time(NUDGE_HOUR):
        day += dt.timedelta(days=1)
    return local_at(day, NUDGE_HOUR, zone_name)


def _add(rows: Iterable[PairReminder]) -> None:
    # A row planned before (pending or already sent) stays as it is.
    PairReminder.objects.bulk_create(list(rows), ignore_conflicts=True)


def mentorship_reminders_start(*, mentorship: Mentorship, now: dt.datetime | None = None) -> None:
    """A new pair: a welcome now, a first-meeting nudge after a week, and the cadence
    nudges. Called by pairs.mentorships.mentorship_create."""
    now = now or timezone.now()
    rows = []
    for user in _pair_users(mentorship):
        rows.append(
            PairReminder(
                kind=R.WELCOME,
                mentorship=mentorship,
                recipient=user,
                slot=f"m{mentorship.pk}",
                due_at=quiet_adjust(now, user.time_zone),
            )
        )
        rows.append(
            PairReminder(
                kind=R.FIRST_MEETING,
                mentorship=mentorship,
                recipient=user,
                slot=f"m{mentorship.pk}",
                due_at=_nudge_time(mentorship.started_at, user.time_zone, FIRST_MEETING_AFTER),
            )
        )
    _add(rows)
    mentorship_reminders_plan(mentorship=mentorship, now=now)


def last_met_at(mentorship: Mentorship) -> dt.datetime | None:
    return CheckIn.objects.filter(mentorship=mentorship, status=CheckIn.Status.DONE).aggregate(
        last=Max("scheduled_at")
    )["last"]


def mentorship_reminders_plan(*, mentorship: Mentorship, now: dt.datetime | None = None) -> None:
    """(Re)plan the overdue nudge and the escalation from the pair's last meeting."""
    now = now or timezone.now()
    reference = last_met_at(mentorship) or mentorship.started_at
    cadence = dt.timedelta(days=mentorship.program.checkin_cadence_days)
    slot = f"m{mentorship.pk}@{_stamp(reference)}"
    PairReminder.objects.filter(
        mentorship=mentorship, kind__in=(R.OVERDUE, R.ESCALATION), state=Pending
    ).exclude(slot=slot).delete()
    if mentorship.state != Mentorship.State.ACTIVE:
        return
    overdue_after = cadence * OVERDUE_AFTER
    escalate_after = cadence * (1 + settings.CHECKIN_ESCALATE_AFTER_CYCLES)
    rows = [
        PairReminder(
            kind=R.OVERDUE,
            mentorship=mentorship,
            recipient=user,
            slot=slot,
            due_at=_nudge_time(reference, user.time_zone, overdue_after),
        )
        for user in _pair_users(mentorship)
    ]
    rows += [
        PairReminder(
            kind=R.ESCALATION,
            mentorship=mentorship,
            recipient=coordinator,
            slot=slot,
            due_at=_nudge_time(reference, coordinator.time_zone, escalate_after),
        )
        for coordinator in mentorship.program.coordinators.all()
    ]
    _add(rows)


def checkin_slot(checkin: CheckIn) -> str:
    return f"c{checkin.pk}@{_stamp(checkin.scheduled_at)}"


def before_time(checkin: CheckIn, zone_name: str) -> dt.datetime:
    """CHECKIN_REMINDER_HOURS before the check-in on the recipient's wall clock, out of
    their quiet hours (moved earlier rather than past the meeting)."""
    tz = zone(zone_name)
    local = checkin.scheduled_at.astimezone(tz).replace(tzinfo=None)
    wall = local - dt.timedelta(hours=settings.CHECKIN_REMINDER_HOURS)
    due = wall.replace(tzinfo=tz).astimezone(dt.UTC)
    return quiet_adjust(due, zone_name, latest=checkin.scheduled_at - BEFORE_MIN_LEAD)


def checkin_reminders_plan(*, checkin: CheckIn, now: dt.datetime | None = None) -> None:
    """(Re)plan the reminder before a check-in and the "log it" email after it."""
    now = now or timezone.now()
    slot = checkin_slot(checkin)
    stale = PairReminder.objects.filter(check_in=checkin, state=Pending)
    if checkin.status != CheckIn.Status.SCHEDULED:
        # Proposed, cancelled or logged: no reminder before; a "log it" email only
        # while the person has not logged it (checked again when sending).
        keep_log = checkin.status in (CheckIn.Status.DONE, CheckIn.Status.MISSED)
        stale = stale.exclude(kind=R.LOG, slot=slot) if keep_log else stale
        stale.delete()
        return
    stale.exclude(slot=slot).delete()
    mentorship = checkin.mentorship
    rows = []
    for user in _pair_users(mentorship):
        due = before_time(checkin, user.time_zone)
        if due < now:
            due = quiet_adjust(now, user.time_zone)
        if due <= checkin.scheduled_at - BEFORE_MIN_LEAD:
            rows.append(
                PairReminder(
                    kind=R.BEFORE,
                    mentorship=mentorship,
                    check_in=checkin,
                    recipient=user,
                    slot=slot,
                    due_at=due,
                )
            )
        rows.append(
            PairReminder(
                kind=R.LOG,
                mentorship=mentorship,
                check_in=checkin,
                recipient=user,
                slot=slot,
                due_at=quiet_adjust(checkin.ends_at + LOG_AFTER_END, user.time_zone),
            )
        )
    _add(rows)
