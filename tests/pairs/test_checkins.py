"""Check-ins: proposing and accepting, calendar invitations with a stable UID, logging,
and the one-click "we met" links."""

from __future__ import annotations

import datetime as dt
import itertools
from email import message_from_bytes

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from pairs.checkins.calendar import checkin_uid
from pairs.checkins.links import log_link_url
from pairs.checkins.services import (
    SERIES_LENGTH,
    checkin_accept,
    checkin_cancel,
    checkin_log,
    checkin_log_past,
    checkin_propose,
    checkin_reschedule,
)
from pairs.models import CheckIn, Mentorship, PairGoal
from programs import ics
from programs.services import ProgramError
from tests.factories.programs import mentee_of, mentor_of

pytestmark = pytest.mark.django_db

MORNING = dt.datetime(2026, 9, 14, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _eager(eager_celery: None) -> None:
    """Tasks run in-process here, also when the suite runs against Redis."""


@pytest.fixture(autouse=True)
def _morning() -> object:
    with time_machine.travel(MORNING, tick=False) as traveller:
        yield traveller


def _calendars() -> list[tuple[str, Calendar]]:
    """(recipient, parsed .ics) of every invitation sent so far."""
    found = []
    for message in mail.outbox:
        parsed = message_from_bytes(message.message().as_bytes())
        for part in parsed.walk():
            if part.get_content_type() == "text/calendar":
                payload = part.get_payload(decode=True)
                assert isinstance(payload, bytes)
                found.append((message.to[0], Calendar.from_ical(payload)))
    return found


def _propose(mentorship: Mentorship, days: int = 3, **extra) -> CheckIn:
    return checkin_propose(
        mentorship=mentorship,
        by=mentee_of(mentorship),
        scheduled_at=MORNING + dt.timedelta(days=days),
        **extra,
    )


def test_a_proposal_asks_the_partner_and_acceptance_invites_both(
    mentorship: Mentorship, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        checkin = _propose(mentorship, video_url="https://meet.example.com/abc")
    assert [m.to[0] for m in mail.outbox] == [mentor_of(mentorship).email]
    assert "proposed a check-in" in mail.outbox[0].subject
    assert _calendars() == []

    with django_capture_on_commit_callbacks(execute=True):
        checkin_accept(checkin=checkin, by=mentor_of(mentorship))

    checkin.refresh_from_db()
    assert checkin.status == CheckIn.Status.SCHEDULED
    invites = _calendars()
    assert sorted(to for to, _cal in invites) == sorted(
        [mentor_of(mentorship).email, mentee_of(mentorship).email]
    )
    for _to, calendar in invites:
        assert calendar["METHOD"] == "REQUEST"
        (event,) = calendar.walk("VEVENT")
        assert str(event["UID"]) == checkin_uid(checkin)
        assert event.decoded("DTSTART") == MORNING + dt.timedelta(days=3)
        assert str(event["LOCATION"]) == "https://meet.example.com/abc"


def test_the_proposer_cannot_accept_their_own_time(mentorship: Mentorship) -> None:
    checkin = _propose(mentorship)
    with pytest.raises(ProgramError):
        checkin_accept(checkin=checkin, by=mentee_of(mentorship))
    checkin.refresh_from_db()
    assert checkin.status == CheckIn.Status.PROPOSED


def test_a_proposal_in_the_past_is_refused(mentorship: Mentorship) -> None:
    with pytest.raises(ProgramError):
        checkin_propose(
            mentorship=mentorship,
            by=mentee_of(mentorship),
            scheduled_at=MORNING - dt.timedelta(hours=1),
        )
    assert not CheckIn.objects.exists()


def test_ics_keeps_its_uid_across_an_update_and_a_cancellation(
    mentorship: Mentorship, django_capture_on_commit_callbacks
) -> None:
    mentor, mentee = mentor_of(mentorship), mentee_of(mentorship)
    with django_capture_on_commit_callbacks(execute=True):
        checkin = _propose(mentorship)
        checkin_accept(checkin=checkin, by=mentor)
    with django_capture_on_commit_callbacks(execute=True):
        checkin_reschedule(
            checkin=checkin,
            by=mentee,
            scheduled_at=MORNING + dt.timedelta(days=4),
            duration_minutes=60,
            location="Café Central",
        )
    with django_capture_on_commit_callbacks(execute=True):
        checkin_cancel(checkin=checkin, by=mentor)

    mine = [cal for to, cal in _calendars() if to == mentee.email]
    assert [cal["METHOD"] for cal in mine] == ["REQUEST", "REQUEST", "CANCEL"]
    events = [cal.walk("VEVENT")[0] for cal in mine]
    assert len({str(event["UID"]) for event in events}) == 1
    sequences = [int(str(event["SEQUENCE"])) for event in events]
    assert sequences == sorted(sequences)
    assert len(set(sequences)) == 3
    assert events[1].decoded("DTSTART") == MORNING + dt.timedelta(days=4)
    assert str(events[1]["LOCATION"]) == "Café Central"
    assert str(events[2]["STATUS"]) == "CANCELLED"


def test_a_recurring_series_schedules_the_next_check_ins_at_the_cadence(
    mentorship: Mentorship, django_capture_on_commit_callbacks
) -> None:
    cadence = mentorship.program.checkin_cadence_days
    with django_capture_on_commit_callbacks(execute=True):
        checkin = _propose(mentorship, repeat=True)
        checkin_accept(checkin=checkin, by=mentor_of(mentorship))
    series = list(CheckIn.objects.filter(series=checkin.series).order_by("scheduled_at"))
    assert len(series) == SERIES_LENGTH
    assert all(c.status == CheckIn.Status.SCHEDULED for c in series)
    gaps = {(b.scheduled_at - a.scheduled_at).days for a, b in itertools.pairwise(series)}
    assert gaps <= {cadence - 1, cadence, cadence + 1}  # same local time; DST may shift an hour
    (_to, calendar), *_rest = _calendars()
    assert len(calendar.walk("VEVENT")) == SERIES_LENGTH
    assert len({str(e["UID"]) for e in calendar.walk("VEVENT")}) == SERIES_LENGTH


def test_the_calendar_feed_lists_the_persons_check_ins(mentorship: Mentorship) -> None:
    checkin = _propose(mentorship)
    checkin_accept(checkin=checkin, by=mentor_of(mentorship))
    data = ics.calendar_feed_build(mentee_of(mentorship))
    calendar = Calendar.from_ical(data)
    uids = [str(e["UID"]) for e in calendar.walk("VEVENT")]
    assert checkin_uid(checkin) in uids
    # Someone else's feed does not show it.
    from tests.factories import user_create

    other = Calendar.from_ical(ics.calendar_feed_build(user_create()))
    assert checkin_uid(checkin) not in [str(e["UID"]) for e in other.walk("VEVENT")]


# -- Logging ----------------------------------------------------------------------


def test_both_people_log_and_each_keeps_their_own_rating(
    mentorship: Mentorship, time_machine
) -> None:
    checkin = _propose(mentorship, days=1)
    checkin_accept(checkin=checkin, by=mentor_of(mentorship))
    goal = PairGoal.objects.create(mentorship=mentorship, title="Lead a project")
    time_machine.move_to(MORNING + dt.timedelta(days=1, hours=1))

    checkin_log(
        checkin=checkin,
        by=mentee_of(mentorship),
        outcome="done",
        topics="delegation",
        notes="Try the RACI chart.",
        rating=5,
        goal_progress={goal.pk: 40},
    )
    checkin_log(checkin=checkin, by=mentor_of(mentorship), outcome="done", rating=4)

    checkin.refresh_from_db()
    goal.refresh_from_db()
    assert checkin.status == CheckIn.Status.DONE
    assert (checkin.mentee_rating, checkin.mentor_rating) == (5, 4)
    assert checkin.notes == "Try the RACI chart."
    assert checkin.mentor_logged_at is not None
    assert checkin.mentee_logged_at is not None
    assert goal.progress == 40


def test_a_check_in_cannot_be_logged_before_it_starts(mentorship: Mentorship) -> None:
    checkin = _propose(mentorship, days=2)
    checkin_accept(checkin=checkin, by=mentor_of(mentorship))
    with pytest.raises(ProgramError):
        checkin_log(checkin=checkin, by=mentee_of(mentorship), outcome="done")
    checkin.refresh_from_db()
    assert checkin.status == CheckIn.Status.SCHEDULED


def test_a_bad_rating_is_refused_without_a_half_write(mentorship: Mentorship) -> None:
    with pytest.raises(ProgramError):
        checkin_log_past(
            mentorship=mentorship,
            by=mentee_of(mentorship),
            held_at=MORNING - dt.timedelta(days=1),
            outcome="done",
            rating=9,
        )
    assert not CheckIn.objects.exists()


def test_opening_a_one_click_link_records_nothing_until_the_button_is_pressed(
    client, mentorship: Mentorship, time_machine
) -> None:
    """A mail scanner that opens every link (GET, HEAD) must not decide the outcome."""
    checkin = _propose(mentorship, days=1)
    checkin_accept(checkin=checkin, by=mentor_of(mentorship))
    time_machine.move_to(MORNING + dt.timedelta(days=1, hours=2))
    url = log_link_url(checkin=checkin, user=mentee_of(mentorship), outcome="done")
    path = "/" + url.split("://", 1)[1].split("/", 1)[1]

    opened = client.get(path)
    assert client.head(path).status_code == 200
    checkin.refresh_from_db()
    assert checkin.status == CheckIn.Status.SCHEDULED
    assert checkin.mentee_logged_at is None
    # One button, no sign-in: the page posts back to the same link.
    page = opened.content.decode()
    assert opened.status_code == 200
    assert f'action="{path}"' in page
    assert 'method="post"' in page
    assert "Yes, we met" in page
    assert opened["Referrer-Policy"] == "same-origin"


def test_one_click_we_met_records_once_and_is_safe_to_click_twice(
    client, mentorship: Mentorship, time_machine
) -> None:
    checkin = _propose(mentorship, days=1)
    checkin_accept(checkin=checkin, by=mentor_of(mentorship))
    time_machine.move_to(MORNING + dt.timedelta(days=1, hours=2))
    url = log_link_url(checkin=checkin, user=mentee_of(mentorship), outcome="done")
    path = url.split("://", 1)[1].split("/", 1)[1]

    first = client.post("/" + path)
    checkin.refresh_from_db()
    logged_at = checkin.mentee_logged_at
    second = client.post("/" + path)
    reopened = client.get("/" + path)

    assert first.status_code == 200
    assert second.status_code == 200
    assert "you met" in first.content.decode()
    assert "already logged" in second.content.decode()
    # Once logged, opening the link again shows what was recorded, no button.
    assert "already logged" in reopened.content.decode()
    assert 'method="post"' not in reopened.content.decode()
    checkin.refresh_from_db()
    assert checkin.status == CheckIn.Status.DONE
    assert checkin.mentee_logged_at == logged_at
    assert checkin.mentor_logged_at is None


def test_a_one_click_link_expires(client, mentorship: Mentorship, time_machine, settings) -> None:
    checkin = _propose(mentorship, days=1)
    checkin_accept(checkin=checkin, by=mentor_of(mentorship))
    url = log_link_url(checkin=checkin, user=mentee_of(mentorship), outcome="done")
    time_machine.move_to(MORNING + dt.timedelta(days=settings.CHECKIN_LINK_MAX_AGE_DAYS + 1))

    response = client.get(url.split(settings.SITE_URL, 1)[1])
    pressed = client.post(url.split(settings.SITE_URL, 1)[1])

    assert response.status_code == pressed.status_code == 410
    checkin.refresh_from_db()
    assert checkin.status == CheckIn.Status.SCHEDULED


def test_a_tampered_link_records_nothing(client, mentorship: Mentorship) -> None:
    url = reverse("pairs:checkin_log_link", args=["not-a-real-token"])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404


def test_a_link_for_a_moved_check_in_records_nothing(
    client, mentorship: Mentorship, time_machine, settings
) -> None:
    checkin = _propose(mentorship, days=1)
    checkin_accept(checkin=checkin, by=mentor_of(mentorship))
    url = log_link_url(checkin=checkin, user=mentee_of(mentorship), outcome="missed")
    checkin_reschedule(
        checkin=checkin,
        by=mentor_of(mentorship),
        scheduled_at=MORNING + dt.timedelta(hours=5),
        duration_minutes=30,
    )
    time_machine.move_to(MORNING + dt.timedelta(hours=6))
    response = client.post(url.split(settings.SITE_URL, 1)[1])
    assert response.status_code == 410
    checkin.refresh_from_db()
    assert checkin.status == CheckIn.Status.SCHEDULED
    assert timezone.now() > checkin.scheduled_at
