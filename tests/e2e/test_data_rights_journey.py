"""A mentee downloads their data, then deletes their account through the emailed link,
on a phone and on a wide screen. axe-core checks every page."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import Page, ViewportSize, expect

from mentoring.models import User
from programs.models import Participant, Program
from tests.e2e.axe import assert_accessible
from tests.e2e.test_survey_journey import outbox  # noqa: F401  (the shared mail fixture)
from tests.factories import DEFAULT_PASSWORD, user_create
from tests.factories.programs import mentorship_make, participant_create, program_create
from tests.integration import wait_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE: ViewportSize = {"width": 375, "height": 740}
WIDE: ViewportSize = {"width": 1440, "height": 900}


def fits(page: Page, viewport: ViewportSize) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]


def test_a_mentee_downloads_their_data_and_deletes_their_account(
    page: Page,
    live_server,
    axe_script: Path,
    outbox: Callable[[], list[tuple[str, str]]],  # noqa: F811
    tmp_path: Path,
) -> None:
    base = live_server.url
    coordinator = user_create(full_name="Cora Coordinator", is_coordinator=True)
    program = program_create(name="Emerging Leaders", coordinators=[coordinator])
    Program.objects.filter(pk=program.pk).update(state=Program.State.RUNNING)
    program.refresh_from_db()
    nia = user_create(email="nia@example.org", full_name="Nia Newton")
    mentee = participant_create(program=program, user=nia, role=Participant.Role.MENTEE)
    mentor = participant_create(
        program=program, user=user_create(full_name="Max Mentor"), role=Participant.Role.MENTOR
    )
    mentorship_make(program=program, mentor=mentor, mentee=mentee)

    page.goto(base + reverse("account_login"))
    page.get_by_label("Email").fill("nia@example.org")
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name=re.compile("Sign in", re.I)).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")

    for viewport in (PHONE, WIDE):
        page.set_viewport_size(viewport)
        page.goto(base + reverse("personal_data"))
        expect(page.get_by_role("heading", level=1)).to_have_text("Your data")
        fits(page, viewport)
        assert_accessible(page, axe_script)

    # The download asks for the password again, then arrives as one JSON file.
    page.get_by_role("link", name="Download my data").click()
    expect(page).to_have_url(re.compile(r"/accounts/reauthenticate/"))
    assert_accessible(page, axe_script)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    with page.expect_download() as download_info:
        page.get_by_role("button", name=re.compile("Confirm", re.I)).click()
    saved = tmp_path / "my-data.json"
    download_info.value.save_as(saved)
    data = json.loads(saved.read_text())
    assert data["account"]["email"] == "nia@example.org"
    assert data["mentorships"][0]["partner"] == "Max Mentor"

    # Deleting: what happens is spelled out; the box must be ticked.
    for viewport in (PHONE, WIDE):
        page.set_viewport_size(viewport)
        page.goto(base + reverse("erasure_request"))
        expect(page.get_by_role("heading", level=1)).to_have_text("Delete your account")
        expect(page.get_by_text("Kept without your name")).to_be_visible()
        fits(page, viewport)
        assert_accessible(page, axe_script)
    page.get_by_role("button", name="Email me the link").click()
    # Once in the error summary at the top, once beside the form.
    expect(
        page.locator("#error-summary").get_by_text("Tick the box to confirm you understand.")
    ).to_be_visible()
    expect(page.get_by_text("Tick the box to confirm you understand.")).to_have_count(2)
    assert_accessible(page, axe_script)
    page.get_by_label(re.compile("I understand")).check()
    page.get_by_role("button", name="Email me the link").click()
    expect(page).to_have_url(re.compile(r"/accounts/data/$"))
    expect(page.get_by_text("Open the link we emailed you")).to_be_visible()
    assert_accessible(page, axe_script)

    text = wait_for(
        lambda: next(
            (b for to, b in outbox() if "nia@example.org" in to and "/delete/confirm/" in b), None
        )
    )
    match = re.search(r"https?://\S+(/accounts/data/delete/confirm/\S+/)", text)
    assert match, text
    page.set_viewport_size(PHONE)
    page.goto(base + match.group(1))
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete your account?")
    fits(page, PHONE)
    assert_accessible(page, axe_script)
    page.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account is being deleted")
    assert_accessible(page, axe_script)

    # Carried out by the worker: the account is a pseudonym and cannot sign in.
    wait_for(lambda: User.objects.get(pk=nia.pk).is_erased or None)
    page.goto(base + reverse("account_login"))
    page.get_by_label("Email").fill("nia@example.org")
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name=re.compile("Sign in", re.I)).click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
