"""A mentee finds a guide from their home page and answers an event; axe-core checks
every page they visit."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from email.message import Message
from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from events.models import Event, EventRsvp
from guides.models import Resource
from guides.services import resource_starter_set_add
from mentoring.audience import Audience
from programs.models import Participant
from tests.e2e.axe import assert_accessible
from tests.factories import DEFAULT_PASSWORD, user_create
from tests.factories.programs import participant_create, program_create
from tests.integration import services_available, wait_for, worker_mailbox_from_now

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@dataclass(frozen=True)
class Sent:
    to: list[str]
    subject: str
    has_invite: bool


def _has_invite(message: Message) -> bool:
    return any(part.get_content_type() == "text/calendar" for part in message.walk())


@pytest.fixture
def outbox(request: pytest.FixtureRequest) -> Callable[[], list[Sent]]:
    """Emails sent so far: by the real worker with the services (CI), else by eager
    tasks inside the live server."""
    if not services_available():
        return lambda: [
            Sent(list(m.to), str(m.subject), _has_invite(m.message())) for m in mail.outbox
        ]
    worker = request.getfixturevalue("celery_worker_process")
    new_mail = worker_mailbox_from_now(worker)
    return lambda: [Sent([str(m["To"])], str(m["Subject"]), _has_invite(m)) for m in new_mail()]


def test_a_mentee_finds_a_guide_and_answers_an_event(
    page: Page, live_server, axe_script: Path, outbox: Callable[[], list[Sent]]
) -> None:
    base = live_server.url
    coordinator = user_create(full_name="Cora Coordinator", is_coordinator=True)
    program = program_create(name="Emerging Leaders", coordinators=[coordinator])
    resource_starter_set_add(program=program, by=coordinator)
    Resource.objects.create(
        program=program,
        title="Mentors only: giving stretch assignments",
        audience=Audience.MENTORS,
        published_at=timezone.now(),
        position=99,
    )
    starts = (timezone.now() + dt.timedelta(days=5)).replace(minute=0, second=0, microsecond=0)
    event = Event.objects.create(
        program=program,
        title="Feedback workshop",
        kind=Event.Kind.WORKSHOP,
        description="Practise **giving feedback** in small groups.",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
        location="Room 4.01",
        capacity=12,
        audience=Audience.MENTEES,
    )
    mia = user_create(email="mia@example.org", full_name="Mia Mentee", time_zone="Europe/Berlin")
    participant_create(program=program, user=mia, role=Participant.Role.MENTEE)

    # Signs in and lands on the home page, which shows what is meant for her.
    page.goto(base + reverse("account_login"))
    page.get_by_label("Email").fill("mia@example.org")
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name=re.compile("Sign in", re.I)).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
    guides = page.get_by_role("region", name="Guides for you")
    expect(guides.get_by_role("link", name="How to run a first meeting")).to_be_visible()
    expect(guides.get_by_text("Mentors only")).to_have_count(0)
    events_card = page.get_by_role("region", name="Upcoming events")
    expect(events_card.get_by_text("Not answered")).to_be_visible()
    assert_accessible(page, axe_script)

    # Opens the guide.
    guides.get_by_role("link", name="How to run a first meeting").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("How to run a first meeting")
    expect(page.get_by_role("heading", name="Before you meet")).to_be_visible()
    assert_accessible(page, axe_script)

    # All the guides for her.
    page.get_by_role("link", name=re.compile("Guides · Emerging Leaders")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Guides and resources")
    expect(page.get_by_role("link", name="Mentoring agreement template")).to_be_visible()
    expect(page.get_by_text("Mentors only")).to_have_count(0)
    assert_accessible(page, axe_script)

    # The events, then the workshop.
    page.get_by_role("link", name="Events", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Events")
    expect(page.get_by_text("Times are shown in your time zone, Europe/Berlin.")).to_be_visible()
    assert_accessible(page, axe_script)
    page.get_by_role("link", name="Feedback workshop").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Feedback workshop")
    expect(page.get_by_text("Your time zone: Europe/Berlin")).to_be_visible()
    expect(page.get_by_role("link", name="Add to calendar (.ics)")).to_be_visible()
    assert_accessible(page, axe_script)

    # Answers "going" (htmx swaps the answer box; the message is announced).
    answer_box = page.get_by_role("region", name="Your answer")
    answer_box.get_by_label("Going", exact=True).check()
    answer_box.get_by_role("button", name="Save my answer").click()
    expect(
        page.locator(".alert").get_by_text("You're going to “Feedback workshop”")
    ).to_be_visible()
    expect(page.locator("#status-region")).to_contain_text("You're going to “Feedback workshop”")
    expect(
        page.get_by_role("region", name="Your answer").get_by_text("Your place is confirmed")
    ).to_be_visible()
    assert_accessible(page, axe_script)
    assert EventRsvp.objects.get(event=event, user=mia).status == EventRsvp.Status.GOING

    # The confirmation arrives with the invitation attached.
    sent = wait_for(lambda: [m for m in outbox() if "mia@example.org" in m.to] or None)
    assert "You're going: Feedback workshop" in sent[0].subject
    assert sent[0].has_invite

    # Back home, the event says she is going.
    page.goto(base + reverse("home"))
    expect(
        page.get_by_role("region", name="Upcoming events").get_by_text("Going", exact=True)
    ).to_be_visible()
    assert_accessible(page, axe_script)


def test_pages_fit_a_phone_screen(page: Page, live_server, axe_script: Path) -> None:
    base = live_server.url
    coordinator = user_create(is_coordinator=True)
    program = program_create(name="Phones", coordinators=[coordinator])
    resource_starter_set_add(program=program, by=coordinator)
    starts = timezone.now() + dt.timedelta(days=2)
    event = Event.objects.create(
        program=program,
        title="A networking evening with a rather long title to wrap",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=3),
        video_url="https://meet.example.com/a-very-long-meeting-link-that-must-wrap-on-phones",
    )
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(base + reverse("account_login"))
    page.get_by_label("Email").fill(coordinator.email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name=re.compile("Sign in", re.I)).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
    for url in (
        reverse("guides:resource_list", args=[program.pk]),
        reverse("events:event_list", args=[program.pk]),
        reverse("events:event_detail", args=[program.pk, event.pk]),
        reverse("events:event_create", args=[program.pk]),
        reverse("guides:resource_create", args=[program.pk]),
        reverse("programs:calendar_feed_manage"),
    ):
        page.goto(base + url)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"{url} is {width}px wide at 375px"
        assert_accessible(page, axe_script)
