"""Writes of the events: the events themselves, answers and the waiting list.

While an answer is written the event's row stays locked, so counting the places and
promoting from the waiting list never race: exactly ``capacity`` people are going,
the rest wait in order. Emails are queued to go out after commit
(events.notices).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Case, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from events.access import RESPONSES, Going, Waiting, event_rsvp_refusal
from events.models import Event, EventRsvp
from events.notices import (
    NOTICE_DECLINED,
    NOTICE_GOING,
    NOTICE_PROMOTED,
    NOTICE_WAITING,
    enqueue_change_notices,
    notify_after_commit,
)
from mentoring.audience import Audience
from mentoring.audit import Action, audit_record
from mentoring.models import User
from programs.models import Participant, Program
from programs.services import ProgramError

# Changes to these fields are news for people's calendars: SEQUENCE rises, they hear.
INVITE_FIELDS = frozenset({"title", "description", "starts_at", "ends_at", "location", "video_url"})
EVENT_EDITABLE_FIELDS = INVITE_FIELDS | {"kind", "capacity", "audience"}


# ------------------------------------------------------------------------------
# Writes: events
# ------------------------------------------------------------------------------


def _check_open(program: Program) -> None:
    if program.state == Program.State.CLOSED:
        raise ProgramError(_("A closed program can no longer be changed."))


def _check_fields(fields: dict[str, Any]) -> None:
    unknown = set(fields) - EVENT_EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"unexpected event fields: {sorted(unknown)}")
    if "kind" in fields and fields["kind"] not in Event.Kind.values:
        raise ProgramError(_("Choose what kind of event this is."))
    if "audience" in fields and fields["audience"] not in Audience.values:
        raise ProgramError(_("Choose who the event is for."))
    starts, ends = fields.get("starts_at"), fields.get("ends_at")
    if starts is not None and ends is not None and ends <= starts:
        raise ProgramError(_("The end must be after the start."))
    capacity = fields.get("capacity")
    if capacity is not None and capacity < 1:
        raise ProgramError(_("An event needs at least one place, or no limit."))


@transaction.atomic
def event_create(*, program: Program, by: User, **fields: Any) -> Event:
    _check_open(program)
    _check_fields(fields)
    fields["title"] = fields["title"].strip()
    event = Event.objects.create(program=program, created_by=by, **fields)
    audit_record(action=Action.EVENT_CHANGE, actor=by, target=event, detail={"change": "create"})
    return event


@transaction.atomic
def event_update(*, event: Event, by: User, **fields: Any) -> Event:
    """Change an event. Attendees hear of changes that matter to their calendars
    (with a raised SEQUENCE); a larger capacity promotes people from the waiting list."""
    _check_open(event.program)
    _check_fields(fields)
    locked = Event.objects.select_for_update().get(pk=event.pk)
    if locked.is_cancelled:
        raise ProgramError(_("A cancelled event can no longer be changed."))
    if "title" in fields:
        fields["title"] = fields["title"].strip()
    changed = {name for name, value in fields.items() if getattr(locked, name) != value}
    for name in changed:
        setattr(locked, name, fields[name])
    if locked.ends_at <= locked.starts_at:
        raise ProgramError(_("The end must be after the start."))
    news = bool(changed & INVITE_FIELDS)
    if news:
        locked.sequence += 1
    locked.save(update_fields=[*sorted(changed), "sequence", "updated_at"])
    audit_record(
        action=Action.EVENT_CHANGE,
        actor=by,
        target=locked,
        detail={"change": "update", "fields": sorted(changed)},
    )
    if "starts_at" in changed:
        # A reminder sent for the old date says nothing about the new one.
        EventRsvp.objects.filter(event=locked).update(reminded_at=None)
    locked.program = event.program
    promoted = _promote_waiting(locked, now=timezone.now())
    notify_after_commit(promoted, NOTICE_PROMOTED)
    if news and locked.ends_at > timezone.now():
        # A correction to a past event is no news for anyone's calendar.
        event_id, sequence = locked.pk, locked.sequence
        enqueue_change_notices(event_id, sequence)
    return locked


@transaction.atomic
def event_cancel(*, event: Event, by: User) -> Event:
    """Cancel an event: it stays listed as cancelled, and everyone going or waiting
    is told (those going with an .ics that removes it from their calendar)."""
    _check_open(event.program)
    locked = Event.objects.select_for_update().get(pk=event.pk)
    if locked.is_cancelled:
        return locked
    if locked.starts_at <= timezone.now():
        raise ProgramError(_("An event that has started can no longer be cancelled."))
    locked.status = Event.Status.CANCELLED
    locked.cancelled_at = timezone.now()
    locked.sequence += 1
    locked.save(update_fields=["status", "cancelled_at", "sequence", "updated_at"])
    audit_record(action=Action.EVENT_CHANGE, actor=by, target=locked, detail={"change": "cancel"})
    locked.program = event.program
    event_id, sequence = locked.pk, locked.sequence
    enqueue_change_notices(event_id, sequence)
    return locked


# ------------------------------------------------------------------------------
# Writes: answers and the waiting list
# ------------------------------------------------------------------------------


def _going_count(event: Event) -> int:
    return EventRsvp.objects.filter(event=event, status=Going).count()


def _promote_waiting(event: Event, *, now: dt.datetime) -> list[EventRsvp]:
    """Give free places to the first people on the waiting list (event row locked)."""
    waiting = EventRsvp.objects.filter(event=event, status=Waiting).order_by("waitlisted_at", "id")
    if event.capacity is not None:
        free = event.capacity - _going_count(event)
        if free <= 0:
            return []
        waiting = waiting[:free]
    promoted = list(waiting)
    for rsvp in promoted:
        rsvp.status = Going
        rsvp.waitlisted_at = None
        rsvp.status_changed_at = now
    if promoted:
        EventRsvp.objects.bulk_update(promoted, ["status", "waitlisted_at", "status_changed_at"])
    return promoted


def event_rsvp_set(
    *, event: Event, participant: Participant, response: str, now: dt.datetime | None = None
) -> EventRsvp:
    """Record a participant's answer; "going" to a full event joins the waiting list.

    The event's row stays locked until commit, so two people answering at once are
    counted one after the other; someone leaving frees their place for the first on
    the waiting list. Emails go out after commit.
    """
    if response not in RESPONSES:
        raise ProgramError(_("Choose going, maybe or not going."))
    if participant.user_id is None:
        raise ProgramError(_("Only people with an account can answer."))
    with transaction.atomic():
        locked = Event.objects.select_for_update().get(pk=event.pk)
        locked.program = event.program
        now = now or timezone.now()
        refusal = event_rsvp_refusal(event=locked, participant=participant, now=now)
        if refusal:
            raise ProgramError(refusal)
        rsvp = EventRsvp.objects.filter(event=locked, user_id=participant.user_id).first()
        previous = rsvp.status if rsvp is not None else None
        status: str
        if response == Going:
            if rsvp is not None and previous in (Going, Waiting):
                return rsvp
            full = locked.capacity is not None and _going_count(locked) >= locked.capacity
            status = Waiting if full else Going
        else:
            if rsvp is not None and previous == response:
                return rsvp
            status = response
        if rsvp is None:
            rsvp = EventRsvp(event=locked, user_id=participant.user_id)
        rsvp.status = status
        rsvp.waitlisted_at = now if status == Waiting else None
        rsvp.status_changed_at = now
        rsvp.save()
        if status == Going:
            notify_after_commit([rsvp], NOTICE_GOING)
        elif status == Waiting:
            notify_after_commit([rsvp], NOTICE_WAITING)
        elif previous == Going:
            notify_after_commit([rsvp], NOTICE_DECLINED)
        if previous == Going:
            notify_after_commit(_promote_waiting(locked, now=now), NOTICE_PROMOTED)
    return rsvp


def event_rsvps_withdraw(*, user: User, now: dt.datetime | None = None) -> int:
    """Take back a person's answers to events that have not started (they are leaving):
    their places go to the first people on each waiting list, who are told. Answers
    to past events stay (attendance counts). Events are locked in id order, so two
    callers cannot deadlock. Returns how many answers were taken back."""
    now = now or timezone.now()
    with transaction.atomic():
        event_ids = list(
            EventRsvp.objects.filter(user=user, event__starts_at__gt=now)
            .order_by("event_id")
            .values_list("event_id", flat=True)
        )
        events = list(Event.objects.select_for_update().filter(pk__in=event_ids).order_by("pk"))
        removed, _by_model = EventRsvp.objects.filter(user=user, event_id__in=event_ids).delete()
        for event in events:
            notify_after_commit(_promote_waiting(event, now=now), NOTICE_PROMOTED)
    return removed


def event_attendance_set(
    *, event: Event, attended_rsvp_ids: Iterable[int], by: User, now: dt.datetime | None = None
) -> int:
    """Mark who came, all at once: the given answers attended, every other did not.
    Returns how many attended."""
    now = now or timezone.now()
    if event.is_cancelled:
        raise ProgramError(_("A cancelled event has no attendance."))
    if event.starts_at > now:
        raise ProgramError(_("Attendance can be marked once the event has started."))
    ids = set(attended_rsvp_ids)
    with transaction.atomic():
        EventRsvp.objects.filter(event=event).update(
            attended=Case(When(pk__in=ids, then=Value(True)), default=Value(False))
        )
        attended = EventRsvp.objects.filter(event=event, attended=True).count()
        audit_record(
            action=Action.EVENT_CHANGE,
            actor=by,
            target=event,
            detail={"change": "attendance_set", "attended": attended},
        )
    return attended
