"""A mentee browses recommended mentors and asks one; the mentor accepts; the mentee
sees the match. axe-core checks every page they visit."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from matching.models import MatchCriterion, MatchSettings
from pairs.models import Mentorship
from programs.models import Participant, Profile
from tests.e2e.axe import assert_accessible
from tests.factories import DEFAULT_PASSWORD, user_create
from tests.factories.programs import participant_create, program_create
from tests.integration import services_available, wait_for, worker_mailbox_from_now

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def subjects(request: pytest.FixtureRequest) -> Callable[[], list[tuple[str, str]]]:
    """(to, subject) of the emails sent so far: by the real worker with the services
    (CI), else by eager tasks inside the live server."""
    if not services_available():
        return lambda: [(m.to[0], str(m.subject)) for m in mail.outbox]
    worker = request.getfixturevalue("celery_worker_process")
    new_mail = worker_mailbox_from_now(worker)
    return lambda: [(str(m["To"]), str(m["Subject"])) for m in new_mail()]


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(base + reverse("account_login"))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name=re.compile("Sign in", re.I)).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")


def test_a_mentee_request_is_accepted(
    page: Page,
    browser: Browser,
    live_server,
    axe_script: Path,
    subjects: Callable[[], list[tuple[str, str]]],
) -> None:
    base = live_server.url
    coordinator = user_create(full_name="Cora Coordinator", is_coordinator=True)
    program = program_create(name="Emerging Leaders", coordinators=[coordinator])
    MatchSettings.objects.create(program=program, self_match=True, self_match_max_requests=2)
    MatchCriterion.objects.create(
        program=program,
        field="interests",
        mentor_field="skills",
        rule=MatchCriterion.Rule.COMPLEMENTARY,
        weight=MatchCriterion.Weight.HIGH,
    )
    mia = user_create(email="mia@example.org", full_name="Mia Mentee")
    Profile.objects.create(user=mia, interests=["negotiation", "public speaking"])
    participant_create(program=program, user=mia, role=Participant.Role.MENTEE)
    max_ = user_create(email="max@example.org", full_name="Max Mentor")
    Profile.objects.create(user=max_, skills=["negotiation", "public speaking"], job_title="VP")
    participant_create(program=program, user=max_, role=Participant.Role.MENTOR)
    other = user_create(email="olga@example.org", full_name="Olga Other")
    Profile.objects.create(user=other, skills=["negotiation"])
    participant_create(program=program, user=other, role=Participant.Role.MENTOR)

    # Mia finds the link on her home page and browses the recommended mentors.
    sign_in(page, base, "mia@example.org")
    page.get_by_role("link", name="Find a mentor in Emerging Leaders").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Find a mentor")
    cards = page.get_by_role("list", name="Recommended mentors").get_by_role("listitem")
    expect(cards.first).to_contain_text("Max Mentor")
    expect(cards.first).to_contain_text("negotiation")
    assert_accessible(page, axe_script)

    # She asks Max, with a note.
    page.get_by_label("Ask Max Mentor").check()
    page.get_by_label("A note to your mentor").fill("I'd love help with negotiation.")
    page.get_by_role("button", name="Send requests").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My mentor requests")
    expect(page.get_by_text("Your request is with Max Mentor")).to_be_visible()
    expect(page.get_by_text("Waiting for the mentor")).to_be_visible()
    assert_accessible(page, axe_script)
    wait_for(
        lambda: (
            [s for s in subjects() if "max@example.org" in s[0] and "Mia Mentee" in s[1]] or None
        )
    )

    # Max answers from his own browser.
    context = browser.new_context()
    mentor_page = context.new_page()
    sign_in(mentor_page, base, "max@example.org")
    mentor_page.get_by_role("link", name="Requests to you in Emerging Leaders").click()
    expect(mentor_page.get_by_role("heading", level=1)).to_have_text("Requests to you")
    expect(mentor_page.get_by_text("I'd love help with negotiation.")).to_be_visible()
    assert_accessible(mentor_page, axe_script)
    mentor_page.get_by_role("button", name="Accept Mia Mentee").click()
    expect(mentor_page.get_by_text("You are now Mia Mentee's mentor")).to_be_visible()
    assert_accessible(mentor_page, axe_script)
    context.close()

    # Both hear "you have a match"; Mia sees it in her requests and the program.
    sent = wait_for(
        lambda: (
            matches
            if len(matches := [s for s in subjects() if "You have a match" in s[1]]) == 2
            else None
        )
    )
    assert sorted(to for to, _subject in sent) == ["max@example.org", "mia@example.org"]
    assert Mentorship.objects.filter(mentee__user=mia, mentor__user=max_, state="active").exists()
    page.reload()
    expect(page.get_by_text("You have a match")).to_be_visible()
    expect(page.get_by_text("Accepted", exact=True)).to_be_visible()
    assert_accessible(page, axe_script)
    page.goto(base + reverse("programs:program_overview", args=[program.pk]))
    expect(page.get_by_text("Your mentor: Max Mentor")).to_be_visible()
    assert_accessible(page, axe_script)
