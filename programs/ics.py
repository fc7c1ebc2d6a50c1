"""iCalendar files: invitations, cancellations and each person's private feed.

Every event keeps one UID for its whole life and raises its SEQUENCE when it changes,
so calendar programs update the entry they already have instead of adding a second.
Times are written in UTC (``...Z``); calendar programs show them in the reader's zone.

The feed is built from sources listed in ``FEED_SOURCES``: dotted paths of functions
that take a user and return VEVENT components. Events are the first source; pair
check-ins add theirs with :func:`feed_source_add` (the pairs app, when it starts),
without touching the builder.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from email.utils import parseaddr
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string
from icalendar import Calendar, vCalAddress, vText
from icalendar import Event as VEvent

if TYPE_CHECKING:
    from mentoring.models import User
    from programs.models import Event

FEED_SOURCES: list[str] = [
    "programs.events.event_feed_components",
]


def feed_source_add(path: str) -> None:
    """Add a source to every feed (apps above programs call this in AppConfig.ready)."""
    if path not in FEED_SOURCES:
        FEED_SOURCES.append(path)


PRODID = "-//Mentoring//Programs//EN"

# iTIP methods: a REQUEST adds or updates the entry in the attendee's calendar; a
# CANCEL removes it; PUBLISH is a plain file to import (downloads and feeds).
REQUEST = "REQUEST"
CANCEL = "CANCEL"
PUBLISH = "PUBLISH"


def _host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def event_uid(event: Event) -> str:
    return f"event-{event.uid}@{_host()}"


def _organizer() -> vCalAddress:
    _name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    organizer = vCalAddress(f"mailto:{address or 'noreply@' + _host()}")
    organizer.params["cn"] = vText(settings.SITE_NAME)
    return organizer


def host() -> str:
    return _host()


def organizer() -> vCalAddress:
    return _organizer()


def attendee(person: User, *, declined: bool = False) -> vCalAddress:
    address = vCalAddress(f"mailto:{person.email}")
    address.params["cn"] = vText(person.display_name)
    address.params["role"] = vText("REQ-PARTICIPANT")
    address.params["partstat"] = vText("DECLINED" if declined else "ACCEPTED")
    return address


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
    from programs.markdown import markdown_excerpt

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
    component.add("organizer", _organizer())
    if attendee is not None:
        person = vCalAddress(f"mailto:{attendee.email}")
        person.params["cn"] = vText(attendee.display_name)
        person.params["role"] = vText("REQ-PARTICIPANT")
        person.params["partstat"] = vText("DECLINED" if cancelled else "ACCEPTED")
        component.add("attendee", person)
    return component


def calendar_build(
    components: Iterable[VEvent], *, method: str | None = None, name: str = ""
) -> bytes:
    """A VCALENDAR holding these components, as the bytes of an .ics file."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", name)
    for component in components:
        calendar.add_component(component)
    return calendar.to_ical()


def event_invite(event: Event, *, attendee: User, url: str, method: str = REQUEST) -> bytes:
    """The .ics attached to an email: a REQUEST to add or update, a CANCEL to remove."""
    cancelled = method == CANCEL or event.is_cancelled
    component = event_component(event, url=url, cancelled=cancelled, attendee=attendee)
    return calendar_build([component], method=CANCEL if cancelled else method)


def event_download(event: Event, *, url: str) -> bytes:
    """The "Add to calendar" file of one event."""
    return calendar_build([event_component(event, url=url)], method=PUBLISH)


def calendar_feed_build(user: User) -> bytes:
    """The person's whole feed: what every registered source gives for them."""
    components: list[VEvent] = []
    for path in FEED_SOURCES:
        source: Callable[[User], Iterable[VEvent]] = import_string(path)
        components.extend(source(user))
    name = f"{settings.SITE_NAME}"
    return calendar_build(components, method=PUBLISH, name=name)
