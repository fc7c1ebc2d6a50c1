"""The events' iCalendar entries: invitations, cancellations and "Add to calendar".

Every event keeps one UID for its whole life and raises its SEQUENCE when it changes
(programs.ics has what every calendar entry shares).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from icalendar import Event as VEvent
from icalendar import vCalAddress, vText

from events.models import Event
from mentoring.models import User
from programs.ics import CANCEL, PUBLISH, REQUEST, calendar_build, host, organizer
from programs.markdown import markdown_excerpt


def event_uid(event: Event) -> str:
    return f"event-{event.uid}@{host()}"


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC)


def event_component(
    event: Event,
    *,
    url: str = "",
    cancelled: bool | None = None,
    attendee: User | None = None,
    stamp: dt.datetime | None = None,
) -> VEvent:
    """One VEVENT for an event: the same UID every time, its current SEQUENCE."""
    cancelled = event.is_cancelled if cancelled is None else cancelled
    component = VEvent()
    component.add("uid", event_uid(event))
    component.add("dtstamp", _utc(stamp or timezone.now()))
    component.add("dtstart", _utc(event.starts_at))
    component.add("dtend", _utc(event.ends_at))
    component.add("sequence", event.sequence)
    component.add("summary", event.title)
    description = markdown_excerpt(event.description, length=1000) if event.description else ""
    if event.video_url:
        description = f"{description}\n\n{event.video_url}".strip()
    if url:
        description = f"{description}\n\n{url}".strip()
    if description:
        component.add("description", description)
    location = event.location or event.video_url
    if location:
        component.add("location", location)
    if url:
        component.add("url", url)
    component.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    component.add("organizer", organizer())
    if attendee is not None:
        person = vCalAddress(f"mailto:{attendee.email}")
        person.params["cn"] = vText(attendee.display_name)
        person.params["role"] = vText("REQ-PARTICIPANT")
        person.params["partstat"] = vText("DECLINED" if cancelled else "ACCEPTED")
        component.add("attendee", person)
    return component


def event_invite(event: Event, *, attendee: User, url: str, method: str = REQUEST) -> bytes:
    """The .ics attached to an email: a REQUEST to add or update, a CANCEL to remove."""
    cancelled = method == CANCEL or event.is_cancelled
    component = event_component(event, url=url, cancelled=cancelled, attendee=attendee)
    return calendar_build([component], method=CANCEL if cancelled else method)


def event_download(event: Event, *, url: str) -> bytes:
    """The "Add to calendar" file of one event."""
    return calendar_build([event_component(event, url=url)], method=PUBLISH)
