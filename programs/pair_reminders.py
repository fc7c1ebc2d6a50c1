"""Reminders and nudges of the mentorship workspace, planned in rows and sent by a sweep.

Planning (inside the transaction that changes the pair or the check-in) writes
:class:`PairReminder` rows with their due time; nothing is queued as a far-future
Celery ETA. Every PAIR_REMINDER_INTERVAL seconds beat starts
:func:`pair_reminders_send`, which:

1. claims at most PAIR_REMINDER_BATCH due rows nobody holds (SELECT ... FOR UPDATE
   SKIP LOCKED, then an UPDATE that writes the sweep's random number in ``claimed_by`` and
   ``claimed_until``; committed at once). A second sweep running at the same time
   takes the next rows, so a worker's processes share a backlog instead of walking
   through the same rows. A claim ends with its sweep: on PostgreSQL the sweep holds
   an advisory lock named by its token for as long as it runs, and a claim whose lock
   nobody holds (the process died) is taken over at once; everywhere, a claim older
   than CELERY_TASK_TIME_LIMIT (the longest a sweep task may live) is taken over;
2. when the batch is full, lets the caller queue the next batch before sending this
   one (the task does, so another worker process sends it meanwhile);
3. preloads what the batch's emails need (a fixed number of queries per batch) and
   opens one mail connection for the batch;
4. for each row, in its own transaction: a conditional UPDATE marks it sent only
   while it is still pending and still this sweep's (it locks the row; it finds
   nothing when another sweep sent it or took it over), writes the unique
   mentoring.Delivery (kind, recipient and slot; INSERT ... ON CONFLICT DO NOTHING),
   sends, and commits: two statements per reminder. A crash before the commit rolls
   all of that back, so the row is sent by a later sweep; a crash after the commit
   has nothing left to do. The one window left is between the mail server accepting
   the message and the commit (a few milliseconds): a crash exactly there sends that
   message twice. No scheme can close it without the mail server's help; the
   Delivery row at least makes every retry and every second worker harmless. Rows
   that failed go back to the pool at the end of the batch.

Exactly once rests on step 4 alone (the row lock, the state check and the unique
Delivery); the claims only spread the work. SQLite has no SKIP LOCKED and no way to
see whether another sweep is alive, but it lets one writer at a time claim: the same
code runs there, and a crashed sweep's rows wait for their claim to expire (so they do
behind a PgBouncer in transaction mode, where session locks cannot be trusted).

Local times: "the day before" keeps the local clock time (a 10:00 check-in gets its
reminder at 10:00 the day before, whatever the clocks did overnight); nudges go out
at 09:00 local; nothing goes out in the recipient's quiet hours (see
mentoring.notifications.quiet_adjust), neither when planned nor when sent late.

Pair health (see programs.workspace.Health) decides the cadence nudges: an overdue
nudge to both when the pair turns overdue, and an escalation to the program's
coordinators after CHECKIN_ESCALATE_AFTER_CYCLES missed cycles. Logging a meeting
moves both.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import DatabaseError, connection, transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone

from mentoring.emails import absolute_url
from mentoring.models import Delivery, User
from mentoring.notifications import (
    Kind,
    is_quiet,
    local_at,
    notification_disabled_pairs,
    notification_send,
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
# Health thresholds, in cadences since the last meeting (programs.workspace.Health).
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


# ------------------------------------------------------------------------------
# Planning
# ------------------------------------------------------------------------------


def mentorship_reminders_start(*, mentorship: Mentorship, now: dt.datetime | None = None) -> None:
    """A new pair: a welcome now, a first-meeting nudge after a week, and the cadence
    nudges. Called by programs.mentorships.mentorship_create."""
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


# ------------------------------------------------------------------------------
# The sweep
# ------------------------------------------------------------------------------


@dataclass
class SweepResult:
    sent: int = 0
    skipped: int = 0
    deferred: int = 0
    taken: int = 0  # rows claimed (due when the sweep started)
    more: bool = False  # the batch was full: more may be due


def _skip_reason(
    reminder: PairReminder, *, disabled: set[tuple[int, str]], started: set[int], now: dt.datetime
) -> str:
    mentorship = reminder.mentorship
    if mentorship.state != Mentorship.State.ACTIVE:
        return "ended"
    if (reminder.recipient_id, PREFERENCE[reminder.kind]) in disabled:
        return "opted-out"
    if not reminder.recipient.is_active:
        return "inactive-user"
    checkin = reminder.check_in
    if reminder.kind in (R.BEFORE, R.LOG) and (
        checkin is None or checkin_slot(checkin) != reminder.slot
    ):
        return "changed"
    if (
        reminder.kind == R.BEFORE
        and checkin is not None
        and (checkin.status != CheckIn.Status.SCHEDULED or checkin.scheduled_at <= now)
    ):
        return "passed"
    if reminder.kind == R.LOG and checkin is not None:
        if checkin.status in (CheckIn.Status.CANCELLED, CheckIn.Status.PROPOSED):
            return "changed"
        user_id = reminder.recipient_id
        logged = (
            checkin.mentor_logged_at
            if mentorship.mentor.user_id == user_id
            else checkin.mentee_logged_at
        )
        if logged is not None:
            return "logged"
    if reminder.kind == R.FIRST_MEETING and mentorship.pk in started:
        return "met"
    return ""


# PostgreSQL: a sweep holds the advisory lock (CLAIM_LOCK_CLASS, its token) in its
# database session while it works; a claim whose lock nobody holds belongs to a sweep
# whose process died, and is taken over at once.
CLAIM_LOCK_CLASS = 0x50524D  # "PRM"


def _claim_lease() -> dt.timedelta:
    """How long a claim holds at most. A sweep runs as a task, which the worker kills
    after CELERY_TASK_TIME_LIMIT seconds: a claim older than that belongs to a sweep
    that is gone (on SQLite, the only sign of it)."""
    return dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)


@contextmanager
def _sweep_token() -> Iterator[int]:
    """A random token naming this sweep's claims, alive while the sweep runs."""
    if connection.vendor != "postgresql":
        yield secrets.randbelow(2**31 - 1) + 1
        return
    with connection.cursor() as cursor:
        while True:  # another live sweep drew the same number: draw again
            token = secrets.randbelow(2**31 - 1) + 1
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [CLAIM_LOCK_CLASS, token])
            if cursor.fetchone()[0]:
                break
    try:
        yield token
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [CLAIM_LOCK_CLASS, token])
        except DatabaseError:
            pass  # the session is gone, and its locks with it


def _live_tokens() -> set[int] | None:
    """The tokens of the sweeps running now (PostgreSQL), or None where the database
    cannot tell (SQLite: a claim then holds until its lease ends)."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT objid FROM pg_locks WHERE locktype = 'advisory' AND classid = %s "
            "AND objsubid = 2 AND granted "
            "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
            [CLAIM_LOCK_CLASS],
        )
        return {int(row[0]) for row in cursor.fetchall()}


def _claim(*, token: int, now: dt.datetime, limit: int) -> list[int]:
    """Take up to ``limit`` due rows nobody holds, earliest first, for this sweep.

    SKIP LOCKED lets two sweeps claim at the same moment without waiting for each
    other; the committed claim makes every later sweep take the next rows instead of
    walking through the same ones. Two queries, committed at once.
    """
    free = Q(claimed_by__isnull=True) | Q(claimed_until__lte=now)
    live = _live_tokens()
    if live is not None:
        free |= ~Q(claimed_by__in=live)
    with transaction.atomic():
        ids = list(
            PairReminder.objects.select_for_update(skip_locked=True)
            .filter(free, state=Pending, due_at__lte=now)
            .order_by("due_at", "id")
            .values_list("pk", flat=True)[:limit]
        )
        if ids:
            PairReminder.objects.filter(pk__in=ids).update(
                claimed_by=token, claimed_until=now + _claim_lease()
            )
    return ids


def pair_reminders_send(
    *,
    now: dt.datetime | None = None,
    limit: int | None = None,
    when_full: Callable[[], object] | None = None,
) -> SweepResult:
    """Send the due reminders, at most ``limit`` (PAIR_REMINDER_BATCH) of them, each
    exactly once. Safe to run twice and in parallel: parallel sweeps send disjoint
    batches. ``when_full`` is called once a full batch is claimed, before sending it
    (the task queues the next batch there, for another worker process)."""
    now = now or timezone.now()
    limit = limit or settings.PAIR_REMINDER_BATCH
    result = SweepResult()
    with _sweep_token() as token:
        ids = _claim(token=token, now=now, limit=limit)
        result.taken = len(ids)
        result.more = len(ids) == limit
        if not ids:
            return result
        if result.more and when_full is not None:
            try:
                when_full()
            except Exception:
                logger.exception("Queueing the next reminder batch failed; beat's next sweep will")
        failed = -1
        try:
            failed = _send_claimed(ids, token=token, now=now, result=result)
        finally:
            if failed:  # some rows failed (or everything did): back to the pool
                _release(token)
    return result


def _release(token: int) -> None:
    """Hand this sweep's unfinished rows back, for the next sweep to retry."""
    try:
        PairReminder.objects.filter(claimed_by=token, state=Pending).update(
            claimed_by=None, claimed_until=None
        )
    except DatabaseError:
        # The database is gone: the claims end with this sweep's session (PostgreSQL)
        # or with their lease (SQLite).
        logger.warning("Releasing reminder claims failed", exc_info=True)


def _send_claimed(ids: list[int], *, token: int, now: dt.datetime, result: SweepResult) -> int:
    """Send this sweep's claimed rows one by one; the number that failed."""
    # Everything the emails need, in a fixed number of queries for the whole batch.
    rows = {
        row.pk: row
        for row in PairReminder.objects.filter(pk__in=ids).select_related(
            "recipient",
            "check_in",
            "mentorship__program",
            "mentorship__mentor__user",
            "mentorship__mentee__user",
        )
    }
    disabled = notification_disabled_pairs(user_ids=(row.recipient_id for row in rows.values()))
    first = {row.mentorship_id for row in rows.values() if row.kind == R.FIRST_MEETING}
    started = (
        set(
            CheckIn.objects.filter(mentorship_id__in=first)
            .exclude(status=CheckIn.Status.CANCELLED)
            .values_list("mentorship_id", flat=True)
        )
        if first
        else set()
    )
    escalations = [row for row in rows.values() if row.kind == R.ESCALATION]
    counts = _escalation_facts(escalations)
    failed = 0
    # One connection to the mail server for the whole batch, not one per message.
    with _batch_mailer() as mailer:
        for pk in ids:
            reminder = rows.get(pk)
            if reminder is None:
                continue  # replanned away since it was claimed
            try:
                outcome = _send_one(
                    reminder,
                    token=token,
                    mailer=mailer,
                    disabled=disabled,
                    started=started,
                    facts=counts,
                    now=now,
                )
            except Exception:
                # The row's transaction rolled back (Delivery included): the next sweep
                # retries. The mail connection may be what broke: start a new one.
                logger.exception("Pair reminder %s failed; retried at the next sweep", pk)
                failed += 1
                _mailer_restart(mailer)
                continue
            if outcome == "sent":
                result.sent += 1
            elif outcome == "deferred":
                result.deferred += 1
            elif outcome == "skipped":
                result.skipped += 1
    return failed


@contextmanager
def _batch_mailer() -> Iterator[BaseEmailBackend]:
    mailer = mail.mailers.default
    _mailer_restart(mailer)
    try:
        yield mailer
    finally:
        _mailer_close(mailer)


def _mailer_close(mailer: BaseEmailBackend) -> None:
    try:
        mailer.close()
    except Exception:  # a broken connection is dropped either way
        logger.warning("Closing the mail connection failed", exc_info=True)


def _mailer_restart(mailer: BaseEmailBackend) -> None:
    """(Re)open the connection; if the server is unreachable, each send tries again
    on its own, and fails its own row."""
    _mailer_close(mailer)
    try:
        mailer.open()
    except Exception:  # reported by the sends that follow
        logger.warning("Opening the mail connection failed", exc_info=True)


def _send_one(
    reminder: PairReminder,
    *,
    token: int,
    mailer: BaseEmailBackend,
    disabled: set[tuple[int, str]],
    started: set[int],
    facts: dict[int, dict[str, Any]],
    now: dt.datetime,
) -> str:
    # Still pending and still this sweep's. The UPDATE that finishes the row is the
    # check: it finds nothing when another sweep sent it or took it over.
    mine = PairReminder.objects.filter(pk=reminder.pk, state=Pending, claimed_by=token)
    released = {"claimed_by": None, "claimed_until": None}
    reason = _skip_reason(reminder, disabled=disabled, started=started, now=now)
    if reason:
        done = mine.update(
            state=PairReminder.State.SKIPPED, finished_at=now, skip_reason=reason, **released
        )
        return "skipped" if done else "taken"
    zone_name = reminder.recipient.time_zone
    if is_quiet(now, zone_name):
        # Late (the workers were down, or it was planned before a time-zone change).
        done = mine.update(due_at=quiet_adjust(now, zone_name), **released)
        return "deferred" if done else "taken"
    # The state change, the Delivery record and the send commit together: a crash
    # before the commit rolls all back (the row is sent by a later sweep).
    with transaction.atomic():
        if not mine.update(state=PairReminder.State.SENT, finished_at=now, **released):
            return "taken"
        key = f"{reminder.recipient_id}:{reminder.slot}"
        if Delivery.objects.claim(kind=delivery_kind(reminder.kind), key=key):
            _email(reminder, facts=facts, mailer=mailer)
        return "sent"


# ------------------------------------------------------------------------------
# Emails
# ------------------------------------------------------------------------------


def _escalation_facts(rows: list[PairReminder]) -> dict[int, dict[str, Any]]:
    """Dates and counts for the coordinators' emails (never notes or goals): one query."""
    ids = {row.mentorship_id for row in rows}
    if not ids:
        return {}
    from django.db.models import Count

    facts = (
        Mentorship.objects.filter(pk__in=ids)
        .annotate(
            last_met=Max("checkins__scheduled_at", filter=Q(checkins__status=CheckIn.Status.DONE)),
            met_count=Count("checkins", filter=Q(checkins__status=CheckIn.Status.DONE)),
        )
        .values("pk", "last_met", "met_count")
    )
    return {row["pk"]: dict(row) for row in facts}


def _email(
    reminder: PairReminder, *, facts: dict[int, dict[str, Any]], mailer: BaseEmailBackend
) -> None:
    from programs.checkins import log_link_url, workspace_url

    mentorship = reminder.mentorship
    person = reminder.recipient
    kind = reminder.kind
    context: dict[str, object] = {"kind": kind, "program": mentorship.program}
    if kind == R.ESCALATION:
        context.update(
            {
                "mentor": mentorship.mentor,
                "mentee": mentorship.mentee,
                "started_at": mentorship.started_at,
                "last_met": facts.get(mentorship.pk, {}).get("last_met"),
                "met_count": facts.get(mentorship.pk, {}).get("met_count", 0),
                "cycles": settings.CHECKIN_ESCALATE_AFTER_CYCLES,
                "link": absolute_url(reverse("programs:pair_list", args=[mentorship.program_id]))
                + "?health=inactive",
            }
        )
        template = "programs/pair_escalation"
    else:
        partner = mentorship.mentee if mentorship.mentor.user_id == person.pk else mentorship.mentor
        context.update(
            {
                "partner": partner.user or partner,
                "cadence": mentorship.program.checkin_cadence_days,
                "link": workspace_url(mentorship),
                "checkin": reminder.check_in,
            }
        )
        if kind == R.LOG and reminder.check_in is not None:
            context["met_url"] = log_link_url(
                checkin=reminder.check_in, user=person, outcome=CheckIn.Status.DONE
            )
            context["missed_url"] = log_link_url(
                checkin=reminder.check_in, user=person, outcome=CheckIn.Status.MISSED
            )
        template = (
            "programs/checkin_reminder" if kind in (R.BEFORE, R.LOG) else "programs/pair_nudge"
        )
    notification_send(
        to=person,
        kind=PREFERENCE[kind],
        template=template,
        context=context,
        mailer=mailer,
        preference_checked=True,  # the batch left out who turned it off
    )
