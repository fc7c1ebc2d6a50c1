"""The events' emails: answers' notices, change and cancellation notices, and the
reminder sweep.

Emails go out after commit through Celery (events.tasks). Each carries a
unique mentoring.Delivery record written in the transaction that sends it, so a
task run twice (a second sweep, a re-delivered message) sends nothing twice.
Invitations (.ics) carry a stable UID and a rising SEQUENCE.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from events import tasks
from events.access import Going, Maybe, NotGoing, Waiting
from events.ics import event_invite
from events.models import Event, EventRsvp
from events.selectors import event_url, waiting_position
from mentoring.deferred import task_defer
from mentoring.models import Delivery
from mentoring.notifications import Kind, notification_send, quiet_adjust
from mentoring.sweeps import claim_and_send
from programs import ics
from programs.models import Program

# A reminder goes to each person going, once, in the last day before the event.
REMINDER_LEAD = dt.timedelta(hours=24)
# Rows claimed per transaction, and transactions per sweep: at most 1,000 emails a
# run (a few MB of rows); whatever is left waits for the next run, minutes later.
REMINDER_BATCH = 50
REMINDER_BATCHES_PER_SWEEP = 20

# Delivery kinds (mentoring.Delivery.kind).
DELIVERY_REMINDER = "event-reminder"
DELIVERY_RSVP = "event-rsvp"
DELIVERY_CHANGE = "event-change"

# What an RSVP email says.
NOTICE_GOING = "going"  # your place is confirmed (with the invitation)
NOTICE_WAITING = "waiting"  # the event is full; you are number N on the waiting list
NOTICE_PROMOTED = "promoted"  # a place freed up and it is yours (with the invitation)
NOTICE_DECLINED = "declined"  # you were going and no longer are (a cancellation .ics)
NOTICES = (NOTICE_GOING, NOTICE_WAITING, NOTICE_PROMOTED, NOTICE_DECLINED)
# The answer a notice is about; a notice whose answer has changed since is not sent.
NOTICE_STATUSES = {
    NOTICE_GOING: Going,
    NOTICE_WAITING: Waiting,
    NOTICE_PROMOTED: Going,
    NOTICE_DECLINED: NotGoing,
}


def notify_after_commit(rsvps: Sequence[EventRsvp], notice: str) -> None:
    """Queue each notice when the transaction commits, recorded in it (mentoring.deferred)."""
    for rsvp in rsvps:
        task_defer(
            tasks.send_event_rsvp_notice_task, rsvp.pk, notice, rsvp.status_changed_at.isoformat()
        )


def enqueue_change_notices(event_id: int, sequence: int) -> None:
    task_defer(tasks.send_event_change_notices_task, event_id, sequence)


def event_rsvp_notice_send(*, rsvp_id: int, notice: str, stamp: str) -> bool:
    """Email one answer's notice, unless the answer changed since or it went out
    already. True when it was sent now."""
    if notice not in NOTICES:
        raise ValueError(f"unknown notice: {notice}")
    with transaction.atomic():
        rsvp = (
            EventRsvp.objects.select_for_update(of=("self",))
            .select_related("event__program", "user")
            .filter(pk=rsvp_id)
            .first()
        )
        if rsvp is None or rsvp.event.is_cancelled:
            return False
        if rsvp.status != NOTICE_STATUSES[notice] and not (
            notice == NOTICE_DECLINED and rsvp.status in (Maybe, NotGoing)
        ):
            return False  # the person answered again; that answer has its own notice
        if rsvp.status_changed_at != dt.datetime.fromisoformat(stamp):
            return False
        if not Delivery.objects.claim(kind=DELIVERY_RSVP, key=f"{rsvp_id}:{notice}:{stamp}"):
            return False
        event, person = rsvp.event, rsvp.user
        url = event_url(event)
        attach = notice in (NOTICE_GOING, NOTICE_PROMOTED, NOTICE_DECLINED)
        method = ics.CANCEL if notice == NOTICE_DECLINED else ics.REQUEST
        notification_send(
            to=person,
            kind=Kind.EVENTS,
            template="programs/event_rsvp",
            context={
                "event": event,
                "program": event.program,
                "notice": notice,
                "position": waiting_position(rsvp),
                "link": url,
            },
            ics_data=event_invite(event, attendee=person, url=url, method=method)
            if attach
            else None,
            ics_method=method,
        )
    return True


def event_change_notices_send(*, event_id: int, sequence: int) -> int:
    """Tell everyone going or waiting that the event changed or is cancelled.

    Sends nothing if the event changed again since (that change sends its own).
    Each person's email is claimed in its own transaction, so a second run sends
    only what the first did not. Returns how many were sent now.
    """
    event = Event.objects.select_related("program").filter(pk=event_id).first()
    if event is None or event.sequence != sequence:
        return 0
    rsvp_ids = list(
        EventRsvp.objects.filter(event=event, status__in=(Going, Waiting))
        .order_by("id")
        .values_list("pk", flat=True)
    )
    url = event_url(event)
    sent = 0
    for rsvp_id in rsvp_ids:
        with transaction.atomic():
            rsvp = (
                EventRsvp.objects.select_for_update(of=("self",))
                .select_related("user")
                .filter(pk=rsvp_id, status__in=(Going, Waiting))
                .first()
            )
            if rsvp is None:
                continue
            key = f"{event_id}:{sequence}:{rsvp.user_id}"
            if not Delivery.objects.claim(kind=DELIVERY_CHANGE, key=key):
                continue
            method = ics.CANCEL if event.is_cancelled else ics.REQUEST
            notification_send(
                to=rsvp.user,
                kind=Kind.EVENTS,
                template="programs/event_changed",
                context={
                    "event": event,
                    "program": event.program,
                    "status": rsvp.status,
                    "link": url,
                },
                # Only people going have the event in their calendar to update.
                ics_data=event_invite(event, attendee=rsvp.user, url=url, method=method)
                if rsvp.status == Going
                else None,
                ics_method=method,
            )
            sent += 1
    return sent


def _reminder_due(now: dt.datetime) -> QuerySet[EventRsvp]:
    return EventRsvp.objects.filter(
        status=Going,
        reminded_at__isnull=True,
        event__status=Event.Status.SCHEDULED,
        event__starts_at__gt=now,
        event__starts_at__lte=now + REMINDER_LEAD,
    ).exclude(event__program__state=Program.State.CLOSED)


def reminder_key(rsvp: EventRsvp) -> str:
    # The start time is part of the key: a moved event earns a reminder for its new date.
    start = rsvp.event.starts_at.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"{rsvp.event_id}:{rsvp.user_id}:{start}"


def event_reminders_send(*, now: dt.datetime | None = None) -> int:
    """The periodic sweep: remind everyone going to an event in the next 24 hours,
    once. Returns how many reminders were sent now.

    Each reminder is claimed, sent and committed in its own short transaction
    (mentoring.sweeps.claim_and_send): a worker that dies mid-sweep leaves at most the
    one reminder in flight unrecorded, which the next sweep sends again; committing a
    whole batch at once would repeat every reminder of the batch
    (tests/faults/test_worker_killed.py). A failed send rolls back that reminder only
    and is retried at the next sweep.
    """
    now = now or timezone.now()

    def remind(rsvp: EventRsvp) -> bool:
        sent = False
        if Delivery.objects.claim(kind=DELIVERY_REMINDER, key=reminder_key(rsvp)):
            sent = _reminder_email(rsvp, now=now)
        rsvp.reminded_at = now
        rsvp.save(update_fields=["reminded_at"])
        return sent

    return claim_and_send(
        _reminder_due(now),
        order_by=("event__starts_at", "id"),
        send_one=remind,
        batch=REMINDER_BATCH,
        batches=REMINDER_BATCHES_PER_SWEEP,
        select_related=("event__program", "user"),
        label="Event reminder for answer",
    ).sent


def _reminder_email(rsvp: EventRsvp, *, now: dt.datetime) -> bool:
    """The reminder waits out the person's night (QuietHours: the sweep sends it after),
    unless the night ends after the event starts: then it goes now."""
    event = rsvp.event
    return notification_send(
        to=rsvp.user,
        kind=Kind.EVENTS,
        template="programs/event_reminder",
        context={"event": event, "program": event.program, "link": event_url(event)},
        wait_out_quiet_hours=quiet_adjust(now, rsvp.user.time_zone) < event.starts_at,
        now=now,
    )
