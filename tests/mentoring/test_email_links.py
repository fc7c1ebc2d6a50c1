"""Every absolute link the product sends points at this site as it is served.

Each kind of email (every template under templates/emails/) is produced by the code
that really sends it, with SITE_URL set to an origin on an unusual port. Every link in
every part (text, HTML, List-Unsubscribe, the .ics URL and description) must start
with that origin and lead to one of our views.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Callable, Iterator
from email import message_from_bytes
from typing import Any
from urllib.parse import urlsplit

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.test.signals import template_rendered
from django.urls import Resolver404, resolve

from events import notices as event_notices
from events import services as event_services
from events.models import Event
from matching import runs, selfmatch
from matching.models import MatchSettings
from mentoring.models import User
from pairs.checkins.services import checkin_accept, checkin_propose
from pairs.models import CheckIn, Mentorship
from pairs.reminders.sweep import pair_reminders_send
from privacy import erasure
from programs import services
from programs.models import Participant, Program
from reports import emails as reports_email
from surveys import sweeps
from tests.conftest import ROOT
from tests.factories import user_create
from tests.factories.programs import mentee_of, mentor_of, mentorship_make, participant_create
from tests.factories.surveys import survey_open

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]

ORIGIN = "http://127.0.0.1:18765"
NOW = dt.datetime(2026, 10, 5, 10, 0, tzinfo=dt.UTC)  # a Monday morning in London
URL = re.compile(r"https?://[^\s\"'<>]+")


@pytest.fixture(autouse=True)
def _origin(settings: Any) -> None:
    settings.SITE_URL = ORIGIN


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def rendered() -> Iterator[set[str]]:
    """The email kinds rendered (``programs/invitation`` for its templates)."""
    kinds: set[str] = set()

    def record(sender: Any, template: Any, **kwargs: Any) -> None:
        name = getattr(template, "name", "") or ""
        if name.startswith("emails/") and name.endswith("_subject.txt"):
            kinds.add(name.removeprefix("emails/").removesuffix("_subject.txt"))

    template_rendered.connect(record)
    yield kinds
    template_rendered.disconnect(record)


def _kinds_on_disk() -> set[str]:
    root = ROOT / "templates" / "emails"
    return {
        str(path.relative_to(root)).removesuffix("_subject.txt")
        for path in root.rglob("*_subject.txt")
    }


def _unfold_ics(text: str) -> str:
    text = re.sub(r"\r?\n[ \t]", "", text)
    return text.replace("\\n", "\n").replace("\\,", ",").replace("\\;", ";")


def links_of(message: mail.EmailMessage) -> list[str]:
    """Every http(s) link in the message as a mail program receives it."""
    parsed = message_from_bytes(message.message().as_bytes())
    texts = [str(value) for name, value in parsed.items() if name.lower().startswith("list-")]
    for part in parsed.walk():
        if part.is_multipart():
            continue
        payload = part.get_payload(decode=True)
        assert isinstance(payload, bytes)
        text = payload.decode(part.get_content_charset() or "utf-8")
        if part.get_content_type() == "text/calendar":
            text = _unfold_ics(text)
        elif part.get_content_type() == "text/html":
            text = html.unescape(text)
        texts.append(text)
    return [link.rstrip(".,;)") for text in texts for link in URL.findall(text)]


# -- The world: a running program with a pair, a self-match mentee and mentors -------------


class World:
    def __init__(self) -> None:
        self.coordinator = user_create(full_name="Cora Coordinator", is_coordinator=True)
        self.hr = user_create(full_name="Harriet Reviewer", is_hr_viewer=True)
        self.program = Program.objects.create(
            name="Leadership 2026",
            state=Program.State.RUNNING,
            starts_on=dt.date(2026, 1, 1),
            ends_on=dt.date(2027, 6, 30),
        )
        self.program.coordinators.add(self.coordinator)
        self.mentorship = mentorship_make(
            program=self.program,
            mentor=self._person(Participant.Role.MENTOR, "Max Mentor"),
            mentee=self._person(Participant.Role.MENTEE, "Mia Mentee"),
            started_at=NOW - dt.timedelta(days=1),
        )

    def _person(self, role: str, name: str) -> Participant:
        user = user_create(full_name=name, time_zone="Europe/London")
        return participant_create(program=self.program, user=user, role=role)


@pytest.fixture
def world() -> World:
    return World()


Scenario = Callable[[World, Any], None]


def invitation(world: World, capture: Any) -> None:
    with capture(execute=True):
        services.participants_invite(
            program=world.program,
            invitees=[services.Invitee(email="new.person@example.org", role="mentee")],
            by=world.coordinator,
        )


def profile_reminder(world: World, capture: Any) -> None:
    participant_create(
        program=world.program, user=user_create(full_name="Ina Incomplete"), role="mentee"
    )
    with capture(execute=True):
        services.profile_reminders_queue(program=world.program)


def checkin_notices(world: World, capture: Any) -> None:
    mentorship = world.mentorship
    with capture(execute=True):
        checkin = checkin_propose(
            mentorship=mentorship,
            by=mentee_of(mentorship),
            scheduled_at=NOW + dt.timedelta(days=3),
        )
    with capture(execute=True):
        checkin_accept(checkin=checkin, by=mentor_of(mentorship))


def pair_reminders(world: World, capture: Any) -> None:
    """The welcome, the reminder the day before, "did you meet?" and, for a pair that
    never meets, the nudge and the coordinators' escalation."""
    mentorship = world.mentorship
    meeting = NOW + dt.timedelta(days=2)
    checkin = CheckIn.objects.create(
        mentorship=mentorship,
        status=CheckIn.Status.PROPOSED,
        scheduled_at=meeting,
        proposed_by=mentee_of(mentorship),
    )
    with capture(execute=True):
        checkin_accept(checkin=checkin, by=mentor_of(mentorship))
    for later in (dt.timedelta(hours=1), dt.timedelta(days=1, hours=2), dt.timedelta(days=3)):
        pair_reminders_send(now=NOW + later)
    silent = mentorship_make(
        program=world.program,
        mentor=world._person(Participant.Role.MENTOR, "Sid Silent"),
        mentee=world._person(Participant.Role.MENTEE, "Sue Silent"),
        started_at=NOW,
    )
    cadence = world.program.checkin_cadence_days
    for cycles in (1.5, 3, 4.5):
        pair_reminders_send(now=silent.started_at + dt.timedelta(days=cadence * cycles + 1))


def pair_nudge_by_coordinator(world: World, capture: Any) -> None:
    from reports.dashboards import pair_nudge_send

    pair_nudge_send(mentorship=world.mentorship)


def event_emails(world: World, capture: Any) -> None:
    event = Event.objects.create(
        program=world.program,
        title="Feedback workshop",
        kind=Event.Kind.WORKSHOP,
        starts_at=NOW + dt.timedelta(hours=20),
        ends_at=NOW + dt.timedelta(hours=22),
        location="Room 4.01",
    )
    with capture(execute=True):
        event_services.event_rsvp_set(
            event=event, participant=world.mentorship.mentee, response="going"
        )
    with capture(execute=True):
        event_services.event_update(event=event, by=world.coordinator, location="Room 5.02")
    event_notices.event_reminders_send(now=NOW + dt.timedelta(hours=1))


def match_introduction(world: World, capture: Any) -> None:
    # Introductions are for pairs a matching run made.
    Mentorship.objects.filter(pk=world.mentorship.pk).update(source=Mentorship.Source.MATCH_RUN)
    runs.match_introduction_send(mentorship_id=world.mentorship.pk)


def self_match(world: World, capture: Any) -> None:
    MatchSettings.objects.create(program=world.program, self_match=True, self_match_max_requests=3)
    seeker = world._person(Participant.Role.MENTEE, "Sam Seeker")
    first = world._person(Participant.Role.MENTOR, "Fay First")
    second = world._person(Participant.Role.MENTOR, "Sol Second")
    assert first.user is not None
    assert second.user is not None
    with capture(execute=True):
        asked = selfmatch.match_request_create(mentee=seeker, mentor_ids=[first.pk, second.pk])
    assert asked.pending is not None
    with capture(execute=True):
        passed = selfmatch.match_request_answer(request=asked.pending, accept=False, by=first.user)
    assert not isinstance(passed, Mentorship)
    assert passed.pending is not None
    with capture(execute=True):
        selfmatch.match_request_answer(request=passed.pending, accept=True, by=second.user)


def report_emails(world: World, capture: Any) -> None:
    assert reports_email.progress_weekly_send(now=NOW) >= 1
    assert reports_email.hr_monthly_send(now=NOW.replace(day=1)) >= 1


def survey_emails(world: World, capture: Any) -> None:
    with capture(execute=True):
        survey = survey_open(world.program, world.coordinator)
    survey.reminder_count = 1
    survey.save(update_fields=["reminder_count"])
    sweeps.reminders_send(now=NOW + dt.timedelta(days=survey.reminder_days + 1))


def erasure_emails(world: World, capture: Any) -> None:
    """The confirmation link (left unused), then an erasure carried out: the partner,
    the coordinator and the old address hear of it."""
    from mentoring.models import ErasureRequest

    with capture(execute=True):
        erasure.erasure_request_create(user=mentor_of(world.mentorship))
    confirmed = ErasureRequest.objects.create(
        user=mentee_of(world.mentorship),
        state=ErasureRequest.State.CONFIRMED,
        requested_at=NOW,
        confirmed_at=NOW,
    )
    with capture(execute=True):
        erasure.erasure_execute(request_id=confirmed.pk)


SCENARIOS: dict[str, Scenario] = {
    scenario.__name__: scenario
    for scenario in (
        invitation,
        profile_reminder,
        checkin_notices,
        pair_reminders,
        pair_nudge_by_coordinator,
        event_emails,
        match_introduction,
        self_match,
        report_emails,
        survey_emails,
        erasure_emails,
    )
}


# When to follow a scenario's links, if not at NOW: "did you meet?" links work once
# the meeting is over.
FOLLOW_LINKS_AFTER = {"pair_reminders": dt.timedelta(days=2, hours=2)}


def _check_links(client: Client, messages: list[mail.EmailMessage]) -> list[str]:
    problems = []
    for message in messages:
        for link in links_of(message):
            if not link.startswith(ORIGIN + "/"):
                problems.append(f"{message.subject!r}: {link} is not at {ORIGIN}")
                continue
            parts = urlsplit(link)
            try:
                resolve(parts.path)
            except Resolver404:
                problems.append(f"{message.subject!r}: {link} is no view of this site")
                continue
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            status = client.get(path).status_code
            if status == 404 or status >= 500:
                problems.append(f"{message.subject!r}: {link} answers {status}")
    return problems


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_every_link_in_the_email_points_at_this_site_as_served(
    name: str, world: World, django_capture_on_commit_callbacks: Any, client: Client
) -> None:
    SCENARIOS[name](world, django_capture_on_commit_callbacks)

    assert mail.outbox, f"{name} sent nothing"
    with time_machine.travel(NOW + FOLLOW_LINKS_AFTER.get(name, dt.timedelta()), tick=False):
        assert _check_links(client, list(mail.outbox)) == []


def test_the_scenarios_cover_every_kind_of_email(
    world: World, django_capture_on_commit_callbacks: Any, rendered: set[str]
) -> None:
    for scenario in SCENARIOS.values():
        scenario(world, django_capture_on_commit_callbacks)
        world.__init__()  # type: ignore[misc]  # a fresh pair for the next one

    assert sorted(_kinds_on_disk() - rendered) == []


def test_the_calendar_feed_address_is_at_this_site(world: World, client: Client) -> None:
    from django.urls import reverse

    user: User = mentee_of(world.mentorship)
    client.force_login(user)
    page = client.get(reverse("programs:calendar_feed_manage")).content.decode()
    feeds = [link for link in URL.findall(html.unescape(page)) if "/calendar/" in link]
    assert feeds
    assert all(link.startswith(ORIGIN + "/") for link in feeds)
