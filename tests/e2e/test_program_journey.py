"""A coordinator sets up a program and invites people from a CSV; an invitee joins."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse
from playwright.sync_api import Page, expect

from mentoring.models import User
from programs.models import Participant, Profile, Program, ProgramGoal
from tests.e2e.axe import assert_accessible
from tests.factories import DEFAULT_PASSWORD, user_create
from tests.integration import (
    message_text,
    services_available,
    wait_for,
    worker_mailbox_from_now,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADER = "name,email,role,department,job title,manager's email,location,time zone\n"
GOOD_ROWS = (
    "Elena Petrova,elena@example.org,mentee,Engineering,Developer,boss@example.org,Berlin,"
    "Europe/Berlin\n"
    "Daniel Kim,daniel@example.org,mentor,Product,Head of Product,,New York,America/New_York\n"
)
BAD_ROW = "Mei Chen,mei@example,mentee,Finance,Analyst,,Singapore,Asia/Singapore\n"


@dataclass(frozen=True)
class Sent:
    to: list[str]
    body: str


@pytest.fixture
def outbox(request: pytest.FixtureRequest) -> Callable[[], list[Sent]]:
    """Emails sent so far: by the real Celery worker when the services are here (CI),
    else by eager tasks inside the live server (a plain SQLite run)."""
    if not services_available():
        return lambda: [Sent(list(m.to), str(m.body)) for m in mail.outbox]
    worker = request.getfixturevalue("celery_worker_process")
    new_mail = worker_mailbox_from_now(worker)
    return lambda: [Sent([m["To"]], message_text(m)) for m in new_mail()]


def sign_in(page: Page, base: str, email: str, password: str) -> None:
    page.goto(base + reverse("account_login"))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name=re.compile("Sign in", re.I)).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")


def test_coordinator_sets_up_a_program_and_an_invitee_joins(
    page: Page, live_server, axe_script: Path, tmp_path: Path, outbox: Callable[[], list[Sent]]
) -> None:
    base = live_server.url
    user_create(email="cora@example.org", full_name="Cora Coordinator", is_coordinator=True)
    sign_in(page, base, "cora@example.org", DEFAULT_PASSWORD)

    # A new program.
    page.goto(base + reverse("programs:program_create"))
    assert_accessible(page, axe_script)
    page.get_by_label("Name", exact=True).fill("Emerging Leaders")
    page.get_by_role("textbox", name="Start date").fill("2027-01-11")
    page.get_by_role("textbox", name="End date").fill("2027-09-30")
    page.get_by_role("button", name="Create program").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Emerging Leaders")
    assert_accessible(page, axe_script)
    program = Program.objects.get(name="Emerging Leaders")

    # Two goals.
    page.goto(base + reverse("programs:goal_list", args=[program.pk]))
    assert_accessible(page, axe_script)
    for metric, target in (
        (ProgramGoal.Metric.CADENCE_SHARE, "80"),
        (ProgramGoal.Metric.AVG_SATISFACTION, "4.2"),
    ):
        page.get_by_label("Metric").select_option(metric.value)
        page.get_by_label("Target").fill(target)
        page.get_by_label("By", exact=True).fill("2027-09-30")
        page.get_by_role("button", name="Save goal").click()
        expect(
            page.get_by_role("row", name=re.compile(re.escape(str(metric.label))))
        ).to_be_visible()
    assert program.goals.count() == 2
    page.goto(base + reverse("programs:program_overview", args=[program.pk]))
    expect(page.get_by_text("Not enough data yet").first).to_be_visible()

    # Open enrolment, then a CSV with a mistake: reported, nothing applied.
    page.get_by_role("button", name="Open enrolment").click()
    expect(page.get_by_text("Enrolling").first).to_be_visible()
    program.refresh_from_db()
    assert program.state == Program.State.ENROLLING

    bad = tmp_path / "people.csv"
    bad.write_text(HEADER + GOOD_ROWS + BAD_ROW)
    page.goto(base + reverse("programs:import_upload", args=[program.pk]))
    assert_accessible(page, axe_script)
    page.get_by_label("CSV file").set_input_files(str(bad))
    page.get_by_role("button", name="Upload and check").click()
    problem_row = page.get_by_role("row", name=re.compile(r"mei@example"))
    expect(problem_row).to_contain_text("4")
    expect(problem_row).to_contain_text(re.compile("email", re.I))
    assert_accessible(page, axe_script)
    assert not Participant.objects.filter(program=program).exists()
    assert outbox() == []

    # The corrected file, uploaded from the same page, then applied.
    fixed = tmp_path / "people-fixed.csv"
    fixed.write_text(HEADER + GOOD_ROWS + BAD_ROW.replace("mei@example", "mei@example.org"))
    page.get_by_label("CSV file").set_input_files(str(fixed))
    page.get_by_role("button", name=re.compile("Upload and check")).click()
    page.get_by_role("button", name=re.compile(r"Apply and send 3 invitations")).click()
    expect(
        page.get_by_text(re.compile(r"3 (people|participants|invitations)", re.I)).first
    ).to_be_visible()
    assert Participant.objects.filter(program=program, status="invited").count() == 3
    sent = wait_for(lambda: outbox() if len(outbox()) >= 3 else None)
    assert sorted(email for m in sent for email in m.to) == [
        "daniel@example.org",
        "elena@example.org",
        "mei@example.org",
    ]
    invitations = [m for m in sent if "elena@example.org" in m.to]

    # The invitee opens the link from the email in their own browser.
    link = re.search(r"https?://\S+/programs/invitations/\S+/", str(invitations[0].body))
    assert link, invitations[0].body
    browser = page.context.browser
    assert browser is not None
    invitee = browser.new_context().new_page()
    invitee.goto(base + re.sub(r"^https?://[^/]+", "", link.group(0)))
    expect(invitee.get_by_role("heading", level=1)).to_contain_text("Emerging Leaders")
    assert_accessible(invitee, axe_script)
    invitee.get_by_role("link", name="Create your account").click()

    # The invitation proves the address: sign-up needs no separate verification.
    expect(invitee.get_by_label("Email")).to_have_value("elena@example.org")
    assert_accessible(invitee, axe_script)
    invitee.get_by_label("Full name").fill("Elena Petrova")
    invitee.get_by_label("Password", exact=True).fill("a-long-unusual-passphrase")
    invitee.get_by_label(re.compile(r"Password \(again\)")).fill("a-long-unusual-passphrase")
    invitee.get_by_role("button", name=re.compile("Sign up", re.I)).click()
    invitee.get_by_role("button", name="Accept and join").click()

    # Landed on their profile for the program, not yet complete.
    expect(invitee.get_by_text("Incomplete").first).to_be_visible()
    assert_accessible(invitee, axe_script)
    invitee.get_by_role("link", name="Complete your details").click()
    assert_accessible(invitee, axe_script)
    invitee.get_by_label("Job title").fill("Developer")
    invitee.get_by_label("Department").fill("Engineering")
    invitee.get_by_label("Seniority").select_option(label="Junior")
    invitee.get_by_label("Interests").fill("Public speaking, Becoming a manager")
    invitee.get_by_role("button", name="Save profile").click()
    expect(invitee.get_by_text("Complete", exact=True).first).to_be_visible()

    elena = Participant.objects.get(program=program, email="elena@example.org")
    assert elena.status == Participant.Status.ACTIVE
    assert elena.user == User.objects.get(email="elena@example.org")
    assert elena.profile_completed_at is not None
    profile = Profile.objects.get(user__email="elena@example.org")
    assert profile.interests == ["Public speaking", "Becoming a manager"]
