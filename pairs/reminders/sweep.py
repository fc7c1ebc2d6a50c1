"""The reminder sweep: claims due rows in bounded batches and sends each once
(the steps and why they are safe are in pairs.reminders).
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import DatabaseError, connection, transaction
from django.db.models import Count, Max, Q
from django.urls import reverse
from django.utils import timezone

from mentoring.emails import absolute_url
from mentoring.models import Delivery
from mentoring.notifications import (
    is_quiet,
    notification_disabled_pairs,
    notification_send,
    quiet_adjust,
)
from pairs.checkins.links import log_link_url
from pairs.models import CheckIn, Mentorship, PairReminder
from pairs.reminders.planning import PREFERENCE, R, checkin_slot, delivery_kind
from pairs.selectors import workspace_url

logger = logging.getLogger(__name__)

Pending = PairReminder.State.PENDING


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
                "link": absolute_url(reverse("pairs:pair_list", args=[mentorship.program_id]))
                + "?health=inactive",
            }
        )
        template = "pairs/pair_escalation"
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
        template = "pairs/checkin_reminder" if kind in (R.BEFORE, R.LOG) else "pairs/pair_nudge"
    notification_send(
        to=person,
        kind=PREFERENCE[kind],
        template=template,
        context=context,
        mailer=mailer,
        preference_checked=True,  # the batch left out who turned it off
    )
