"""A coordinator sets criteria, runs matching, reviews the draft, swaps a pair and
publishes; each person is then introduced by email. axe-core checks every page."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse
from playwright.sync_api import Page, expect

from matching.models import MatchRun
from mentoring.models import User
from pairs.models import Mentorship
from programs.models import Participant, Profile, Program
from tests.e2e.axe import assert_accessible
from tests.factories import DEFAULT_PASSWORD, user_create
from tests.factories.programs import participant_create, program_create
from tests.integration import services_available, wait_for, worker_mailbox_from_now

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def sent_to(request: pytest.FixtureRequest) -> Callable[[], list[str]]:
    """Recipients of the emails sent so far: by the real worker with the services (CI),
    else by eager tasks inside the live server."""
    if not services_available():
        return lambda: [to for m in mail.outbox for to in m.to]
    worker = request.getfixturevalue("celery_worker_process")
    new_mail = worker_mailbox_from_now(worker)
    return lambda: [str(m["To"]) for m in new_mail()]


def _person(program: Program, name: str, role: str, **profile: object) -> Participant:
    user = user_create(full_name=name, email=f"{name.split()[0].lower()}@example.org")
    Profile.objects.create(user=user, **profile)
    return participant_create(program=program, user=user, role=role, capacity=1)


def _sign_in(page: Page, base: str, user: User) -> None:
    page.goto(base + reverse("account_login"))
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name=re.compile("Sign in", re.I)).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")


def test_coordinator_runs_reviews_swaps_and_publishes(
    page: Page, live_server, axe_script: Path, sent_to: Callable[[], list[str]]
) -> None:
    base = live_server.url
    coordinator = user_create(full_name="Cora Coordinator", is_coordinator=True)
    program = program_create(name="Emerging Leaders", coordinators=[coordinator])
    mentee, mentor = Participant.Role.MENTEE, Participant.Role.MENTOR
    _person(program, "Ana Mentee", mentee, interests=["Negotiation"], seniority=2)
    _person(program, "Ben Mentee", mentee, interests=["Design"], seniority=2)
    _person(program, "Cat Mentor", mentor, skills=["Negotiation"], seniority=5)
    _person(program, "Dan Mentor", mentor, skills=["Design"], seniority=5)

    _sign_in(page, base, coordinator)
    page.goto(base + reverse("programs:program_overview", args=[program.pk]))
    page.get_by_role("link", name="Matching", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Matching")
    expect(page.get_by_text("No criteria yet")).to_be_visible()
    assert_accessible(page, axe_script)

    page.get_by_role("button", name="Add the recommended criteria").click()
    expect(page.get_by_text("6 criteria added.")).to_be_visible()
    expect(page.get_by_role("rowheader", name=re.compile("Mentee's interests"))).to_be_visible()
    assert_accessible(page, axe_script)

    page.get_by_role("button", name="Run matching").click()
    # The draft replaces the progress bar when the worker is done. The session's one
    # worker serves every test's tasks in turn: on a loaded machine the run may wait
    # its turn for a while (seen: over 30 s while a 28-minute suite ran beside others).
    expect(page.get_by_role("heading", level=1)).to_have_text("Matching draft")
    expect(page.get_by_role("heading", name="Proposed pairs")).to_be_visible(timeout=90_000)
    pairs = page.get_by_role("region", name="Proposed pairs")
    ana_row = pairs.get_by_role("row", name=re.compile("Ana Mentee"))
    expect(ana_row).to_contain_text("Cat Mentor")
    expect(ana_row).to_contain_text("skills the mentee is looking for: Negotiation")
    assert_accessible(page, axe_script)
    assert sent_to() == []  # a draft tells nobody

    # Swap Ana's and Ben's mentors.
    swap = page.get_by_role("form", name="Swap two mentees' mentors")
    swap.get_by_label("First mentee").select_option(label="Ana Mentee")
    swap.get_by_label("Second mentee").select_option(label="Ben Mentee")
    swap.get_by_role("button", name="Swap").click()
    expect(page.get_by_text("Swapped their mentors.")).to_be_visible()
    expect(pairs.get_by_role("row", name=re.compile("Ana Mentee"))).to_contain_text("Dan Mentor")
    expect(page.get_by_text("Edited by hand")).to_be_visible()
    assert_accessible(page, axe_script)

    # The what-if preview swaps in beside the form and is read out once, from the
    # page's status region; the swapped block is no live region of its own.
    preview = page.get_by_role("button", name="Preview")
    preview.focus()
    preview.press("Enter")
    expect(page.locator("#whatif-result")).to_contain_text("Mentees who would get another mentor")
    expect(page.locator("#status-region")).to_have_text(
        re.compile(r"^Preview: \d+ pairs?, \d+ in this draft\.$")
    )
    expect(page.locator("#whatif-result")).not_to_have_attribute("aria-live", "polite")
    expect(preview).to_be_focused()

    # Publish, confirming the question the browser asks.
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Publish and introduce the pairs").click()
    expect(page.get_by_text("Published: 2 pairs were created")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Published pairs")
    assert_accessible(page, axe_script)
    assert MatchRun.objects.get().status == MatchRun.Status.PUBLISHED
    pairs_made = {
        (m.mentee.full_name, m.mentor.full_name)
        for m in Mentorship.objects.select_related("mentee", "mentor")
    }
    assert pairs_made == {("Ana Mentee", "Dan Mentor"), ("Ben Mentee", "Cat Mentor")}
    recipients = wait_for(lambda: sorted(sent_to()) if len(sent_to()) >= 4 else None)
    assert recipients == sorted(
        ["ana@example.org", "ben@example.org", "cat@example.org", "dan@example.org"]
    )
