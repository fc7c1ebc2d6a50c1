"""Check-ins in calendars: one UID for a check-in's life, its SEQUENCE, the feed."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Event as VEvent

from mentoring.models import User
from pairs.models import CheckIn
from pairs.selectors import pair_users, workspace_url
from programs import ics

Status = CheckIn.Status

# The calendar feed shows check-ins up to this long ago.
FEED_PAST = dt.timedelta(days=90)


def checkin_uid(checkin: CheckIn) -> str:
    return f"checkin-{checkin.uid}@{ics.host()}"


def checkin_component(
    checkin: CheckIn, *, cancelled: bool | None = None, stamp: dt.datetime | None = None
) -> VEvent:
    """One VEVENT: the same UID every time, the current SEQUENCE. No notes or topics."""
    mentorship = checkin.mentorship
    cancelled = checkin.status == Status.CANCELLED if cancelled is None else cancelled
    names = " & ".join(
        p.user.short_name if p.user else p.display_name
        for p in (mentorship.mentor, mentorship.mentee)
    )
    url = workspace_url(mentorship)
    component = VEvent()
    component.add("uid", checkin_uid(checkin))
    component.add("dtstamp", (stamp or timezone.now()).astimezone(dt.UTC))
    component.add("dtstart", checkin.scheduled_at.astimezone(dt.UTC))
    component.add("dtend", checkin.ends_at.astimezone(dt.UTC))
    component.add("sequence", checkin.sequence)
    component.add("summary", _("Mentoring check-in: %(names)s") % {"names": names})
    description = "\n\n".join(part for part in (checkin.video_url, url) if part)
    component.add("description", description)
    location = checkin.location or checkin.video_url
    if location:
        component.add("location", location)
    component.add("url", url)
    component.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    component.add("organizer", ics.organizer())
    for person in pair_users(mentorship):
        component.add("attendee", ics.attendee(person, declined=cancelled))
    return component


def checkin_invite(checkin: CheckIn, *, method: str = ics.REQUEST) -> bytes:
    cancelled = method == ics.CANCEL or checkin.status == Status.CANCELLED
    return ics.calendar_build(
        [checkin_component(checkin, cancelled=cancelled)],
        method=ics.CANCEL if cancelled else method,
    )


def checkin_feed_components(user: User) -> list[VEvent]:
    """The calendar feed's check-ins: scheduled, held or cancelled ones of the
    person's pairs (cancelled ones stay so calendars drop them), 90 days back."""
    since = timezone.now() - FEED_PAST
    checkins = (
        CheckIn.objects.filter(
            status__in=(Status.SCHEDULED, Status.DONE, Status.MISSED, Status.CANCELLED),
            scheduled_at__gte=since,
        )
        .filter(Q(mentorship__mentor__user_id=user.pk) | Q(mentorship__mentee__user_id=user.pk))
        .select_related(
            "mentorship__mentor__user", "mentorship__mentee__user", "mentorship__program"
        )
        .order_by("scheduled_at", "id")
    )
    stamp = timezone.now()
    return [checkin_component(checkin, stamp=stamp) for checkin in checkins]
