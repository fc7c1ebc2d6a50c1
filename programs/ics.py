"""iCalendar files: what every invitation shares, and each person's private feed.

Every entry (an event, a check-in) keeps one UID for its whole life and raises its
SEQUENCE when it changes, so calendar programs update the entry they already have
instead of adding a second. Times are written in UTC (``...Z``); calendar programs
show them in the reader's zone.

The feed is built from sources listed in ``FEED_SOURCES``: dotted paths of functions
that take a user and return VEVENT components. The apps above programs add theirs
from their AppConfig.ready with ``feed_source_register`` (events come first, then pair
check-ins), without touching the builder.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from email.utils import parseaddr
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.module_loading import import_string
from icalendar import Calendar, vCalAddress, vText
from icalendar import Event as VEvent

if TYPE_CHECKING:
    from mentoring.models import User

FEED_SOURCES: list[str] = []


def feed_source_register(path: str, *, first: bool = False) -> None:
    """Add a source to every person's feed (once, however often it is registered)."""
    if path in FEED_SOURCES:
        return
    if first:
        FEED_SOURCES.insert(0, path)
    else:
        FEED_SOURCES.append(path)


PRODID = "-//Mentoring//Programs//EN"

# iTIP methods: a REQUEST adds or updates the entry in the attendee's calendar; a
# CANCEL removes it; PUBLISH is a plain file to import (downloads and feeds).
REQUEST = "REQUEST"
CANCEL = "CANCEL"
PUBLISH = "PUBLISH"


def _host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


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


def calendar_feed_build(user: User) -> bytes:
    """The person's whole feed: what every registered source gives for them."""
    components: list[VEvent] = []
    for path in FEED_SOURCES:
        source: Callable[[User], Iterable[VEvent]] = import_string(path)
        components.extend(source(user))
    name = f"{settings.SITE_NAME}"
    return calendar_build(components, method=PUBLISH, name=name)
