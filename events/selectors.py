"""Reads of the events: lists, counts, answers, attendance and the calendar feed.

Times are stored in UTC and shown in the viewer's own time zone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import Case, Count, Exists, OuterRef, Q, QuerySet, Subquery, Value, When
from django.urls import reverse
from django.utils import timezone
from icalendar import Event as VEvent

from events.access import Going, Maybe, NotGoing, Waiting, event_audience_filter
from events.ics import event_component
from events.models import Event, EventRsvp
from mentoring.audience import AUDIENCES_BY_ROLE
from mentoring.emails import absolute_url
from mentoring.models import User
from programs.access import ProgramAccess
from programs.models import Participant, Program

# The feed shows events up to this long after they ended.
FEED_PAST = dt.timedelta(days=90)


def event_url(event: Event) -> str:
    return absolute_url(reverse("events:event_detail", args=[event.program_id, event.pk]))


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
    return [event_component(event, url=event_url(event), stamp=stamp) for event in events]
