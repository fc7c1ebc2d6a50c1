"""Program events: workshops, training sessions and networking events.

Access, forms, writes (``event_*`` services) and reads of one area, named by topic.

- Answers (RSVPs): one row per person per event. While an answer is written the
  event's row stays locked, so counting the places and promoting from the waiting
  list never race: exactly ``capacity`` people are going, the rest wait in order.
- Emails go out after commit through Celery (programs.event_tasks). Each carries a
  unique mentoring.Delivery record written in the transaction that sends it, so a
  task run twice (a second sweep, a re-delivered message) sends nothing twice.
- Times are stored in UTC, entered in the program's time zone and shown in the
  viewer's own; invitations (.ics) carry a stable UID and a rising SEQUENCE.
"""

from __future__ import annotations

import datetime as dt
import secrets
import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, Count, Exists, OuterRef, Q, QuerySet, Subquery, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from icalendar import Event as VEvent

from mentoring.audit import Action, audit_record
from mentoring.deferred import task_defer
from mentoring.emails import absolute_url
from mentoring.models import Delivery, User
from mentoring.notifications import Kind, notification_send
from mentoring.sweeps import claim_and_send
from mentoring.validators import SensibleDateTimeField
from programs import ics
from programs.access import ProgramAccess, event_audience_filter
from programs.models import (
    AUDIENCES_BY_ROLE,
    Audience,
    CalendarFeed,
    Event,
    EventRsvp,
    Participant,
    Program,
)
from programs.services import ProgramError

Going = EventRsvp.Status.GOING
Waiting = EventRsvp.Status.WAITING
Maybe = EventRsvp.Status.MAYBE
NotGoing = EventRsvp.Status.NOT_GOING

# The answers people choose; "waiting" is where "going" lands when the event is full.
RESPONSES = (Going, Maybe, NotGoing)
# Participants who may answer: those taking part now, or paused for a while.
RSVP_PARTICIPANT_STATUSES = (Participant.Status.ACTIVE, Participant.Status.PAUSED)

# A reminder goes to each person going, once, in the last day before the event.
REMINDER_LEAD = dt.timedelta(hours=24)
# Rows claimed per transaction, and transactions per sweep: at most 1,000 emails a
# run (a few MB of rows); whatever is left waits for the next run, minutes later.
REMINDER_BATCH = 50
REMINDER_BATCHES_PER_SWEEP = 20
# The feed shows events up to this long after they ended.
FEED_PAST = dt.timedelta(days=90)

# Changes to these fields are news for people's calendars: SEQUENCE rises, they hear.
INVITE_FIELDS = frozenset({"title", "description", "starts_at", "ends_at", "location", "video_url"})
EVENT_EDITABLE_FIELDS = INVITE_FIELDS | {"kind", "capacity", "audience"}

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


def event_rsvp_refusal(
    *, event: Event, participant: Participant | None, now: dt.datetime | None = None
) -> str:
    """Why this person may not answer this event now, or "" when they may."""
    now = now or timezone.now()
    if participant is None:
        return _("Only the program's participants answer invitations to its events.")
    if participant.program_id != event.program_id:
        return _("You are not in this event's program.")
    if (
        participant.role not in AUDIENCES_BY_ROLE
        or event.audience not in AUDIENCES_BY_ROLE[participant.role]
    ):
        return _("This event is for another group of participants.")
    if participant.status not in RSVP_PARTICIPANT_STATUSES:
        return _("You can answer once a coordinator has confirmed your place in the program.")
    if event.program.state == Program.State.CLOSED:
        return _("This program has closed.")
    if event.is_cancelled:
        return _("This event is cancelled.")
    if event.starts_at <= now:
        return _("This event has started, so answers are closed.")
    return ""


# ------------------------------------------------------------------------------
# Time zones
# ------------------------------------------------------------------------------


def zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def local_to_utc(value: dt.datetime, zone_name: str) -> dt.datetime:
    """A wall-clock time in a time zone as an aware UTC time.

    Raises ValidationError for a time the clocks skip (the hour lost when summer
    time starts), which would otherwise silently move by an hour.
    """
    tz = zone(zone_name)
    aware = value.replace(tzinfo=tz)
    back = aware.astimezone(dt.UTC).astimezone(tz)
    if back.replace(tzinfo=None) != value.replace(tzinfo=None):
        raise ValidationError(
            _("%(time)s does not exist in %(zone)s: the clocks change then. Pick another time.")
            % {"time": value.strftime("%Y-%m-%d %H:%M"), "zone": zone_name},
            code="nonexistent_time",
        )
    return aware.astimezone(dt.UTC)


# ------------------------------------------------------------------------------
# Forms
# ------------------------------------------------------------------------------


class DateTimeLocalInput(forms.DateTimeInput):
    """A native date-and-time picker; its value is ISO 8601 whatever the language."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class WallClockDateTimeField(SensibleDateTimeField):
    """A date and time as typed, with no zone attached: the form decides which zone
    it is in (the program's), not the viewer's, whose clock changes may differ."""

    def to_python(self, value: Any) -> dt.datetime | None:
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            return value
        for format in self.input_formats or ():
            try:
                return dt.datetime.strptime(str(value).strip(), format)  # noqa: DTZ007 - zone-less on purpose
            except (ValueError, TypeError):
                continue
        raise ValidationError(self.error_messages["invalid"], code="invalid")


class EventForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=Event.Kind.choices)
    audience = forms.ChoiceField(
        label=gettext_lazy("For"),
        choices=Audience.choices,
        initial=Audience.EVERYONE,
        widget=forms.RadioSelect,
    )
    starts_at = WallClockDateTimeField(
        label=gettext_lazy("Starts"),
        widget=DateTimeLocalInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    ends_at = WallClockDateTimeField(
        label=gettext_lazy("Ends"),
        widget=DateTimeLocalInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    location = forms.CharField(
        label=gettext_lazy("Place"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("A room and building, or an address."),
    )
    video_url = forms.URLField(
        label=gettext_lazy("Video link"),
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text=gettext_lazy("For online or hybrid events, e.g. a Teams or Zoom link."),
    )
    capacity = forms.IntegerField(
        label=gettext_lazy("Places"),
        required=False,
        min_value=1,
        max_value=100000,
        help_text=gettext_lazy(
            "Leave empty for no limit. When it is full, people join a waiting list."
        ),
    )
    description = forms.CharField(
        label=gettext_lazy("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy("Markdown: **bold**, *italic*, - lists, [link text](https://…)."),
    )

    def __init__(
        self, *args: Any, program: Program, event: Event | None = None, **kwargs: Any
    ) -> None:
        self.program = program
        self.event = event
        if event is not None:
            tz = zone(program.time_zone)
            kwargs.setdefault(
                "initial",
                {
                    "title": event.title,
                    "kind": event.kind,
                    "audience": event.audience,
                    "starts_at": event.starts_at.astimezone(tz).replace(tzinfo=None),
                    "ends_at": event.ends_at.astimezone(tz).replace(tzinfo=None),
                    "location": event.location,
                    "video_url": event.video_url,
                    "capacity": event.capacity,
                    "description": event.description,
                },
            )
        super().__init__(*args, **kwargs)
        zone_help = _("In the program's time zone, %(zone)s.") % {"zone": program.time_zone}
        self.fields["starts_at"].help_text = zone_help
        self.fields["ends_at"].help_text = zone_help

    def _clean_local(self, name: str) -> dt.datetime | None:
        value = self.cleaned_data.get(name)
        if value is None:
            return None
        return local_to_utc(value.replace(tzinfo=None), self.program.time_zone)

    def clean_starts_at(self) -> dt.datetime | None:
        return self._clean_local("starts_at")

    def clean_ends_at(self) -> dt.datetime | None:
        return self._clean_local("ends_at")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The end must be after the start."))
        moved = self.event is None or (starts is not None and starts != self.event.starts_at)
        if starts and moved and starts <= timezone.now():
            self.add_error("starts_at", _("Choose a time in the future."))
        return data

    def event_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in sorted(EVENT_EDITABLE_FIELDS)}


class RsvpForm(forms.Form):
    response = forms.ChoiceField(
        label=gettext_lazy("Your answer"),
        choices=[(status.value, status.label) for status in RESPONSES],
    )


class AttendanceForm(forms.Form):
    """Who came: one checkbox per person who answered, saved in one go."""

    attended = forms.MultipleChoiceField(
        label=gettext_lazy("Attended"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, rsvps: Sequence[EventRsvp], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.MultipleChoiceField, self.fields["attended"])
        field.choices = [(str(rsvp.pk), rsvp.user.display_name) for rsvp in rsvps]
        if not self.is_bound:
            self.initial["attended"] = [str(rsvp.pk) for rsvp in rsvps if rsvp.attended]

    def attended_ids(self) -> set[int]:
        return {int(pk) for pk in self.cleaned_data["attended"]}


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
    _notify_after_commit(promoted, NOTICE_PROMOTED)
    if news and locked.ends_at > timezone.now():
        # A correction to a past event is no news for anyone's calendar.
        event_id, sequence = locked.pk, locked.sequence
        _enqueue_change_notices(event_id, sequence)
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
    _enqueue_change_notices(event_id, sequence)
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
            _notify_after_commit([rsvp], NOTICE_GOING)
        elif status == Waiting:
            _notify_after_commit([rsvp], NOTICE_WAITING)
        elif previous == Going:
            _notify_after_commit([rsvp], NOTICE_DECLINED)
        if previous == Going:
            _notify_after_commit(_promote_waiting(locked, now=now), NOTICE_PROMOTED)
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
            _notify_after_commit(_promote_waiting(event, now=now), NOTICE_PROMOTED)
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


# ------------------------------------------------------------------------------
# Writes: the private calendar feed
# ------------------------------------------------------------------------------


def _feed_token() -> str:
    return secrets.token_urlsafe(32)


def calendar_feed_get(*, user: User) -> CalendarFeed:
    """The person's feed, created with a fresh token the first time it is asked for."""
    feed, _created = CalendarFeed.objects.get_or_create(
        user=user, defaults={"token": _feed_token(), "created_at": timezone.now()}
    )
    return feed


def calendar_feed_reset(*, user: User) -> CalendarFeed:
    """A new token: the old address stops working at once."""
    feed, _created = CalendarFeed.objects.update_or_create(
        user=user, defaults={"token": _feed_token(), "created_at": timezone.now()}
    )
    return feed


def calendar_feed_user(*, token: str) -> User | None:
    if not token or len(token) > 64:
        return None
    feed = CalendarFeed.objects.select_related("user").filter(token=token).first()
    if feed is None or not feed.user.is_active:
        return None
    return feed.user


# ------------------------------------------------------------------------------
# Emails
# ------------------------------------------------------------------------------


def event_url(event: Event) -> str:
    return absolute_url(reverse("programs:event_detail", args=[event.program_id, event.pk]))


def _notify_after_commit(rsvps: Sequence[EventRsvp], notice: str) -> None:
    """Queue each notice when the transaction commits, recorded in it (mentoring.deferred)."""
    from programs.event_tasks import send_event_rsvp_notice_task

    for rsvp in rsvps:
        task_defer(send_event_rsvp_notice_task, rsvp.pk, notice, rsvp.status_changed_at.isoformat())


def _enqueue_change_notices(event_id: int, sequence: int) -> None:
    from programs.event_tasks import send_event_change_notices_task

    task_defer(send_event_change_notices_task, event_id, sequence)


def waiting_position(rsvp: EventRsvp) -> int | None:
    """Where this person is on the waiting list (1 = next), or None if not waiting."""
    if rsvp.status != Waiting or rsvp.waitlisted_at is None:
        return None
    ahead = (
        EventRsvp.objects.filter(event_id=rsvp.event_id, status=Waiting)
        .filter(
            Q(waitlisted_at__lt=rsvp.waitlisted_at)
            | Q(waitlisted_at=rsvp.waitlisted_at, pk__lt=rsvp.pk)
        )
        .count()
    )
    return ahead + 1


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
            ics_data=ics.event_invite(event, attendee=person, url=url, method=method)
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
                ics_data=ics.event_invite(event, attendee=rsvp.user, url=url, method=method)
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
            sent = _reminder_email(rsvp)
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


def _reminder_email(rsvp: EventRsvp) -> bool:
    event = rsvp.event
    return notification_send(
        to=rsvp.user,
        kind=Kind.EVENTS,
        template="programs/event_reminder",
        context={"event": event, "program": event.program, "link": event_url(event)},
    )


# ------------------------------------------------------------------------------
# Reads
# ------------------------------------------------------------------------------


def _my_status(user: User) -> Subquery:
    return Subquery(
        EventRsvp.objects.filter(event=OuterRef("pk"), user_id=user.pk).values("status")[:1]
    )


def event_list(
    *, access: ProgramAccess, user: User, past: bool = False, now: dt.datetime | None = None
) -> QuerySet[Event]:
    """The program's events this person may see: upcoming (soonest first) or past
    (latest first). Each row carries going_count and waiting_count; for coordinators
    attended_count; for participants my_status (their own answer, if any)."""
    now = now or timezone.now()
    events = Event.objects.filter(program=access.program).filter(event_audience_filter(access))
    if past:
        events = events.filter(ends_at__lt=now).order_by("-starts_at", "-id")
    else:
        events = events.filter(ends_at__gte=now).order_by("starts_at", "id")
    events = events.annotate(
        going_count=Count("rsvps", filter=Q(rsvps__status=Going)),
        waiting_count=Count("rsvps", filter=Q(rsvps__status=Waiting)),
    )
    if access.is_coordinator:
        events = events.annotate(attended_count=Count("rsvps", filter=Q(rsvps__attended=True)))
    if access.participant is not None:
        events = events.annotate(my_status=_my_status(user))
    return events


def event_home_list(
    *,
    user: User,
    participations: Sequence[Participant],
    now: dt.datetime | None = None,
    limit: int = 5,
) -> list[Event]:
    """Upcoming events meant for this person in any of their programs, soonest first,
    each with my_status (the home page's card). One query."""
    now = now or timezone.now()
    visible = Q(pk__in=[])
    for participant in participations:
        visible |= Q(
            program_id=participant.program_id,
            audience__in=AUDIENCES_BY_ROLE[participant.role],
        )
    return list(
        Event.objects.filter(visible, status=Event.Status.SCHEDULED, ends_at__gte=now)
        .exclude(program__state__in=(Program.State.DRAFT, Program.State.CLOSED))
        .select_related("program")
        .annotate(my_status=_my_status(user))
        .order_by("starts_at", "id")[:limit]
    )


@dataclass(frozen=True)
class EventCounts:
    going: int
    waiting: int
    maybe: int
    not_going: int
    attended: int

    def free(self, capacity: int | None) -> int | None:
        return None if capacity is None else max(capacity - self.going, 0)


def event_counts(*, event: Event) -> EventCounts:
    counts = EventRsvp.objects.filter(event=event).aggregate(
        # Named apart from the fields: an aggregate called "attended" would shadow the
        # attended field in the filters that follow it.
        n_going=Count("pk", filter=Q(status=Going)),
        n_waiting=Count("pk", filter=Q(status=Waiting)),
        n_maybe=Count("pk", filter=Q(status=Maybe)),
        n_not_going=Count("pk", filter=Q(status=NotGoing)),
        n_attended=Count("pk", filter=Q(attended=True)),
    )
    return EventCounts(**{name.removeprefix("n_"): n for name, n in counts.items()})


# Display order of the attendee list: who is coming first, the waiting list in order.
_STATUS_ORDER = Case(
    When(status=Going, then=Value(0)),
    When(status=Waiting, then=Value(1)),
    When(status=Maybe, then=Value(2)),
    default=Value(3),
)


def event_rsvp_list(*, event: Event) -> list[EventRsvp]:
    """Everyone who answered, for the event's coordinators: going, then the waiting
    list in order, then maybe and not going. One query."""
    return list(
        EventRsvp.objects.filter(event=event)
        .select_related("user")
        .annotate(status_order=_STATUS_ORDER)
        .order_by("status_order", "waitlisted_at", "user__full_name", "user__email", "id")
    )


def event_rsvp_get(*, event: Event, user: User) -> EventRsvp | None:
    return EventRsvp.objects.filter(event=event, user_id=user.pk).first()


@dataclass(frozen=True)
class EventAttendance:
    """How a program's events went, for the dashboards (aggregates only)."""

    events_held: int  # scheduled events that have started
    going: int  # answers "going" to those events
    attended: int  # answers marked attended
    people: int  # different people who attended at least one event

    @property
    def attendance_rate(self) -> float | None:
        return None if not self.going else self.attended / self.going


def event_attendance_summary(
    *, program_ids: Iterable[int], now: dt.datetime | None = None
) -> dict[int, EventAttendance]:
    """Attendance per program, for events that have started: two queries in all."""
    now = now or timezone.now()
    ids = list(program_ids)
    held = Event.objects.filter(
        program_id__in=ids, status=Event.Status.SCHEDULED, starts_at__lte=now
    )
    events = dict(
        held.order_by().values("program_id").annotate(n=Count("pk")).values_list("program_id", "n")
    )
    rows = (
        EventRsvp.objects.filter(event__in=held)
        .order_by()
        .values("event__program_id")
        .annotate(
            n_going=Count("pk", filter=Q(status=Going)),
            n_attended=Count("pk", filter=Q(attended=True)),
            n_people=Count("user", filter=Q(attended=True), distinct=True),
        )
    )
    by_program: dict[int, dict[str, int]] = {
        row["event__program_id"]: {
            "going": row["n_going"],
            "attended": row["n_attended"],
            "people": row["n_people"],
        }
        for row in rows
    }
    summary = {}
    for program_id in ids:
        row = by_program.get(program_id, {})
        summary[program_id] = EventAttendance(
            events_held=events.get(program_id, 0),
            going=row.get("going", 0),
            attended=row.get("attended", 0),
            people=row.get("people", 0),
        )
    return summary


def event_feed_components(user: User) -> list[VEvent]:
    """The calendar feed's events: those the person is going to (cancelled ones stay,
    marked cancelled, so calendars drop them), up to 90 days after they ended."""
    since = timezone.now() - FEED_PAST
    events = (
        Event.objects.filter(rsvps__user_id=user.pk, rsvps__status=Going, ends_at__gte=since)
        # Someone who left the program no longer sees its events.
        .filter(
            Exists(
                Participant.objects.filter(
                    program_id=OuterRef("program_id"), user_id=user.pk
                ).exclude(status=Participant.Status.WITHDRAWN)
            )
        )
        .exclude(program__state=Program.State.DRAFT)
        .order_by("starts_at", "id")
    )
    stamp = timezone.now()
    return [ics.event_component(event, url=event_url(event), stamp=stamp) for event in events]
