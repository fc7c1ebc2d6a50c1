"""iCalendar files and each person's private calendar feed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from icalendar import Calendar
from icalendar import Event as VEvent

from events import ics as event_ics
from events import services
from events.models import Event, EventRsvp
from mentoring.models import User
from programs import calendar as calendar_feeds
from programs import ics
from programs.models import CalendarFeed, Participant, Program
from tests.factories import user_create
from tests.factories.programs import participant_create

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def event_make(program: Program, **fields: Any) -> Event:
    starts = fields.pop("starts_at", NOW + dt.timedelta(days=3))
    values: dict[str, Any] = {
        "title": "Feedback workshop",
        "starts_at": starts,
        "ends_at": starts + dt.timedelta(hours=2),
        "location": "Room 4.01",
    }
    values.update(fields)
    return Event.objects.create(program=program, **values)


def components(data: bytes) -> list[Any]:
    return list(Calendar.from_ical(data).walk("VEVENT"))


# -- The .ics builder --------------------------------------------------------------------------


def test_an_invitation_is_a_request_with_a_stable_uid_and_utc_times(
    program: Program, mentee: Participant, settings
) -> None:
    settings.SITE_URL = "https://mentoring.example.com"
    program.time_zone = "Asia/Kolkata"
    program.save(update_fields=["time_zone"])
    event = event_make(
        program, video_url="https://meet.example.com/abc", description="**Bring** notes"
    )
    assert mentee.user is not None
    data = event_ics.event_invite(event, attendee=mentee.user, url="https://x.example/e/1")
    text = data.decode()
    calendar = Calendar.from_ical(data)
    assert calendar["METHOD"] == "REQUEST"
    assert calendar["VERSION"] == "2.0"
    [component] = components(data)
    assert str(component["UID"]) == f"event-{event.uid}@mentoring.example.com"
    assert component["SEQUENCE"] == 0
    assert component["STATUS"] == "CONFIRMED"
    assert "DTSTART:20261105T090000Z" in text
    assert "DTEND:20261105T110000Z" in text
    assert str(component["SUMMARY"]) == "Feedback workshop"
    assert str(component["LOCATION"]) == "Room 4.01"
    assert "Bring notes" in str(component["DESCRIPTION"])
    assert "https://meet.example.com/abc" in str(component["DESCRIPTION"])
    assert str(component["URL"]) == "https://x.example/e/1"
    assert str(component["ORGANIZER"]).startswith("mailto:")
    assert str(component["ATTENDEE"]) == f"mailto:{mentee.user.email}"
    assert component["ATTENDEE"].params["PARTSTAT"] == "ACCEPTED"


def test_the_uid_stays_and_the_sequence_rises_with_changes(
    program: Program, coordinator: User, mentee: Participant
) -> None:
    event = event_make(program)
    assert mentee.user is not None
    before = components(event_ics.event_invite(event, attendee=mentee.user, url=""))[0]
    services.event_update(event=event, by=coordinator, title="Feedback workshop (room change)")
    event.refresh_from_db()
    after = components(event_ics.event_invite(event, attendee=mentee.user, url=""))[0]
    assert str(after["UID"]) == str(before["UID"])
    assert after["SEQUENCE"] == before["SEQUENCE"] + 1


def test_a_cancellation_is_a_cancel_with_the_same_uid(
    program: Program, coordinator: User, mentee: Participant
) -> None:
    event = event_make(program)
    uid = event_ics.event_uid(event)
    services.event_cancel(event=event, by=coordinator)
    event.refresh_from_db()
    assert mentee.user is not None
    data = event_ics.event_invite(event, attendee=mentee.user, url="")
    assert Calendar.from_ical(data)["METHOD"] == "CANCEL"
    [component] = components(data)
    assert str(component["UID"]) == uid
    assert component["STATUS"] == "CANCELLED"
    assert component["SEQUENCE"] == 1
    # Also for one person who stops going, on a scheduled event.
    other = event_make(program)
    data = event_ics.event_invite(other, attendee=mentee.user, url="", method=ics.CANCEL)
    assert Calendar.from_ical(data)["METHOD"] == "CANCEL"


def test_the_feed_builder_takes_every_registered_source(
    monkeypatch: pytest.MonkeyPatch, program: Program, mentee: Participant
) -> None:
    def check_ins(user: User) -> list[VEvent]:
        component = VEvent()
        component.add("uid", f"checkin-1-{user.pk}@localhost")
        component.add("dtstamp", NOW)
        component.add("dtstart", NOW + dt.timedelta(days=1))
        component.add("summary", "Check-in with your mentor")
        return [component]

    import tests.programs.test_calendar as this_module

    monkeypatch.setattr(this_module, "check_ins", check_ins, raising=False)
    monkeypatch.setattr(ics, "FEED_SOURCES", [*ics.FEED_SOURCES, f"{__name__}.check_ins"])
    event = event_make(program)
    services.event_rsvp_set(event=event, participant=mentee, response="going")
    assert mentee.user is not None
    summaries = sorted(str(c["SUMMARY"]) for c in components(ics.calendar_feed_build(mentee.user)))
    assert summaries == ["Check-in with your mentor", "Feedback workshop"]


# -- The private feed --------------------------------------------------------------------------


def feed_of(user: User) -> str:
    return reverse(
        "programs:calendar_feed", args=[calendar_feeds.calendar_feed_get(user=user).token]
    )


def test_the_feed_lists_the_events_the_person_is_going_to(
    client: Client, program: Program, mentee: Participant
) -> None:
    going = event_make(program, title="Going")
    maybe = event_make(program, title="Maybe")
    waiting = event_make(program, title="Waiting", capacity=1)
    old = event_make(program, title="Long ago", starts_at=NOW - dt.timedelta(days=200))
    not_mine = event_make(program, title="Not answered")
    for event, reply in ((going, "going"), (maybe, "maybe")):
        services.event_rsvp_set(event=event, participant=mentee, response=reply)
    services.event_rsvp_set(
        event=waiting, participant=participant_create(program=program), response="going"
    )
    services.event_rsvp_set(event=waiting, participant=mentee, response="going")
    assert mentee.user is not None
    EventRsvp.objects.create(event=old, user=mentee.user, status="going", status_changed_at=NOW)
    assert not_mine.rsvps.count() == 0
    response = client.get(feed_of(mentee.user))  # no session: the token is the credential
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"].startswith("private")
    summaries = [str(c["SUMMARY"]) for c in components(response.content)]
    assert summaries == ["Going"]


def test_a_cancelled_event_stays_in_the_feed_marked_cancelled(
    client: Client, program: Program, coordinator: User, mentee: Participant
) -> None:
    event = event_make(program)
    services.event_rsvp_set(event=event, participant=mentee, response="going")
    services.event_cancel(event=event, by=coordinator)
    assert mentee.user is not None
    [component] = components(client.get(feed_of(mentee.user)).content)
    assert component["STATUS"] == "CANCELLED"


def test_someone_who_left_the_program_no_longer_sees_its_events(
    client: Client, program: Program, mentee: Participant
) -> None:
    event = event_make(program)
    services.event_rsvp_set(event=event, participant=mentee, response="going")
    Participant.objects.filter(pk=mentee.pk).update(status=Participant.Status.WITHDRAWN)
    assert mentee.user is not None
    assert components(client.get(feed_of(mentee.user)).content) == []


@pytest.mark.parametrize("token", ["nope", "x" * 43, "a" * 80])
def test_a_wrong_token_is_a_404(client: Client, token: str) -> None:
    assert client.get(reverse("programs:calendar_feed", args=[token])).status_code == 404


def test_an_inactive_account_has_no_feed(client: Client, mentee: Participant) -> None:
    assert mentee.user is not None
    url = feed_of(mentee.user)
    User.objects.filter(pk=mentee.user.pk).update(is_active=False)
    assert client.get(url).status_code == 404


def test_the_feed_ignores_the_session(
    client: Client, program: Program, mentee: Participant, coordinator: User
) -> None:
    event = event_make(program)
    services.event_rsvp_set(event=event, participant=mentee, response="going")
    assert mentee.user is not None
    url = feed_of(mentee.user)
    client.force_login(coordinator)  # someone else signed in: still the token's owner's feed
    [component] = components(client.get(url).content)
    assert str(component["SUMMARY"]) == "Feedback workshop"


def test_people_see_their_link_and_resetting_retires_the_old_one(
    client: Client, mentee: Participant
) -> None:
    assert mentee.user is not None
    client.force_login(mentee.user)
    manage = reverse("programs:calendar_feed_manage")
    page = client.get(manage).content.decode()
    feed = CalendarFeed.objects.get(user=mentee.user)
    old_url = reverse("programs:calendar_feed", args=[feed.token])
    assert f"http://localhost:8000{old_url}" in page
    assert f"webcal://localhost:8000{old_url}" in page
    # Asking again shows the same address.
    client.get(manage)
    assert CalendarFeed.objects.get(user=mentee.user).token == feed.token
    response = client.post(manage, follow=True)
    assert "The old link no longer works" in response.content.decode()
    new_token = CalendarFeed.objects.get(user=mentee.user).token
    assert new_token != feed.token
    assert len(new_token) >= 40
    client.logout()
    assert client.get(old_url).status_code == 404
    assert client.get(reverse("programs:calendar_feed", args=[new_token])).status_code == 200


def test_the_link_page_needs_a_signed_in_person(client: Client) -> None:
    response = client.get(reverse("programs:calendar_feed_manage"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert client.post(reverse("programs:calendar_feed_manage")).status_code == 302
    assert not CalendarFeed.objects.exists()


def test_each_person_has_their_own_token(db: None) -> None:
    a, b = user_create(), user_create()
    assert (
        calendar_feeds.calendar_feed_get(user=a).token
        != calendar_feeds.calendar_feed_get(user=b).token
    )
    assert (
        calendar_feeds.calendar_feed_user(token=calendar_feeds.calendar_feed_get(user=a).token) == a
    )
