"""A mentee answers a survey from the email link on a phone; the coordinator sees
the results once enough people have answered. axe-core checks every page."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, ViewportSize, expect

from programs.models import Participant, Program
from surveys import services
from surveys.models import Invitation, Response, Survey
from tests.e2e.axe import assert_accessible
from tests.factories import DEFAULT_PASSWORD, user_create
from tests.factories.programs import participant_create, program_create
from tests.factories.surveys import answers_for
from tests.integration import (
    message_text,
    services_available,
    wait_for,
    worker_mailbox_from_now,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE: ViewportSize = {"width": 375, "height": 740}


@pytest.fixture
def outbox(request: pytest.FixtureRequest) -> Callable[[], list[tuple[str, str]]]:
    """(to, text) of the emails sent so far: by the real worker with the services (CI),
    else by eager tasks in this process."""
    if not services_available():
        return lambda: [(m.to[0], str(m.body)) for m in mail.outbox]
    worker = request.getfixturevalue("celery_worker_process")
    new_mail = worker_mailbox_from_now(worker)
    return lambda: [(str(m["To"]), message_text(m)) for m in new_mail()]


def test_a_mentee_answers_on_a_phone_and_the_coordinator_sees_results(
    page: Page, live_server, axe_script: Path, outbox: Callable[[], list[tuple[str, str]]]
) -> None:
    base = live_server.url
    coordinator = user_create(full_name="Cora Coordinator", is_coordinator=True)
    program = program_create(name="Emerging Leaders", coordinators=[coordinator])
    Program.objects.filter(pk=program.pk).update(state=Program.State.RUNNING)
    mia = user_create(email="mia@example.org", full_name="Mia Mentee")
    participant_create(program=program, user=mia, role=Participant.Role.MENTEE)
    for i in range(5):
        participant_create(
            program=program,
            user=user_create(full_name=f"Mentee {i}"),
            role=Participant.Role.MENTEE,
        )
    survey = services.survey_create(
        program=Program.objects.get(pk=program.pk), by=coordinator, starter_key="match_30_days"
    )
    services.survey_update(survey=survey, by=coordinator, audience="mentees")
    services.survey_schedule_set(
        survey=survey,
        by=coordinator,
        trigger=Survey.Trigger.ON_PUBLISH,
        closes_at=timezone.now() + dt.timedelta(days=14),
    )
    services.survey_publish(survey=survey, by=coordinator)

    # The invitation arrives with a one-time link.
    # (The session's worker may hold other tests' mail to the same address: pick the survey's.)
    text = wait_for(
        lambda: next(
            (
                body
                for to, body in outbox()
                if "mia@example.org" in to and "/surveys/answer/" in body
            ),
            None,
        )
    )
    match = re.search(r"https?://[^\s]+/surveys/answer/[^\s]+/", text)
    assert match, text
    link = base + match.group(0).split("/surveys/", 1)[1].join(["/surveys/", ""])

    # On her phone, not signed in, she opens it and answers.
    page.set_viewport_size(PHONE)
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("30-day match satisfaction")
    expect(page.get_by_text("Your answers are stored without your name")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_accessible(page, axe_script)
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_text("Some answers need your attention")).to_be_visible()
    assert_accessible(page, axe_script)
    page.get_by_label("4: Good").check()
    page.get_by_label("Every two weeks").check()
    page.get_by_label(re.compile("What would make your mentoring more useful")).fill(
        "More time to meet"
    )
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for your answers")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_accessible(page, axe_script)
    assert Response.objects.filter(survey=survey).count() == 1

    # The link works once.
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("This link has been used")
    assert_accessible(page, axe_script)

    # Four more mentees answer: five in all, the program's minimum group size.
    for invitation in Invitation.objects.filter(survey=survey, answered_at__isnull=True)[:4]:
        services.response_submit(
            invitation=invitation, answers=answers_for(survey, "mentee", rating=5, text="Useful")
        )

    # The coordinator reads the results on a laptop.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(base + reverse("account_login"))
    page.get_by_label("Email").fill(coordinator.email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name=re.compile("Sign in", re.I)).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
    page.goto(base + reverse("programs:program_overview", args=[program.pk]))
    page.get_by_role("link", name="Surveys", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Surveys")
    assert_accessible(page, axe_script)
    page.get_by_role("link", name=re.compile("^Results")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Results: 30-day match satisfaction")
    rate = page.get_by_role("region", name="Response rate")
    expect(rate.get_by_text("83%").first).to_be_visible()
    expect(page.get_by_text("More time to meet")).to_be_visible()
    expect(page.get_by_text("Mia Mentee")).to_have_count(0)
    expect(page.get_by_role("figure").first).to_be_visible()
    assert_accessible(page, axe_script)
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_accessible(page, axe_script)
