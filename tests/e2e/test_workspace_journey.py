"""A mentee proposes a check-in, the mentor accepts, both log it, and the coordinator
sees the pair move from due to on track. axe-core checks every page on the way."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from pairs.models import CheckIn
from programs.models import Participant
from tests.e2e.axe import assert_accessible
from tests.factories import DEFAULT_PASSWORD, user_create
from tests.factories.programs import mentorship_make, participant_create, program_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page: Page, base: str, email: str) -> None:
    page.goto(base + reverse("account_login"))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name=re.compile("Sign in", re.I)).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")


def test_a_pair_schedules_and_logs_a_check_in_and_the_coordinator_sees_it(
    page: Page, browser: Browser, live_server, axe_script: Path
) -> None:
    base = live_server.url
    coordinator = user_create(full_name="Cora Coordinator", is_coordinator=True)
    program = program_create(name="Emerging Leaders", coordinators=[coordinator])
    mia = user_create(email="mia@example.org", full_name="Mia Mentee", time_zone="Europe/Berlin")
    max_ = user_create(
        email="max@example.org", full_name="Max Mentor", time_zone="America/New_York"
    )
    cadence = program.checkin_cadence_days
    mentorship = mentorship_make(
        program=program,
        mentor=participant_create(program=program, user=max_, role=Participant.Role.MENTOR),
        mentee=participant_create(program=program, user=mia, role=Participant.Role.MENTEE),
        started_at=timezone.now() - dt.timedelta(days=cadence + 2),
    )
    # Soon enough to log it within the test: proposals must be in the future, so the
    # test moves the meeting into the past afterwards, as time would.
    when = (timezone.now() + dt.timedelta(days=2)).astimezone(dt.UTC)
    mia_local = when.astimezone(zoneinfo.ZoneInfo("Europe/Berlin"))

    # The coordinator sees the pair as due.
    coordinator_page = browser.new_page()
    _sign_in(coordinator_page, base, coordinator.email)
    coordinator_page.goto(base + reverse("pairs:pair_list", args=[program.pk]))
    expect(coordinator_page.get_by_role("heading", level=1)).to_have_text("Pairs")
    coordinator_page.get_by_label("Health", exact=True).select_option("due")
    table = coordinator_page.locator("#pair-table")
    expect(table.get_by_role("row", name=re.compile("Max Mentor"))).to_be_visible()
    assert_accessible(coordinator_page, axe_script)

    # The mentee proposes a time from her workspace, in her own time zone.
    _sign_in(page, base, mia.email)
    page.get_by_role("link", name="Open workspace").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mentoring with Max Mentor")
    expect(page.get_by_text("Shared skills: negotiation, Python")).to_be_visible()
    assert_accessible(page, axe_script)
    page.get_by_text("Propose a check-in").click()
    page.get_by_label("Date and time").fill(mia_local.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Place").fill("Café Central")
    page.get_by_role("button", name="Propose this time").click()
    expect(page.get_by_text("Time proposed.")).to_be_visible()
    expect(page.get_by_text("Waiting for your partner to accept.")).to_be_visible()
    assert_accessible(page, axe_script)

    # The mentor accepts it; he sees it in New York time.
    mentor_page = browser.new_page()
    _sign_in(mentor_page, base, max_.email)
    mentor_page.goto(base + reverse("pairs:workspace", args=[mentorship.pk]))
    max_local = when.astimezone(zoneinfo.ZoneInfo("America/New_York"))
    expect(mentor_page.get_by_text(max_local.strftime("%H:%M")).first).to_be_visible()
    expect(mentor_page.get_by_text("Your partner proposed this time.")).to_be_visible()
    mentor_page.get_by_role("button", name="Accept this time").click()
    expect(mentor_page.get_by_text("Check-in scheduled.")).to_be_visible()
    assert_accessible(mentor_page, axe_script)
    checkin = CheckIn.objects.get(mentorship=mentorship)
    assert checkin.status == CheckIn.Status.SCHEDULED

    # The meeting happens (moved into the past, as time would).
    CheckIn.objects.filter(pk=checkin.pk).update(
        scheduled_at=timezone.now() - dt.timedelta(hours=1)
    )

    # Both log it.
    for person_page, rating in ((page, "5"), (mentor_page, "4")):
        person_page.goto(base + reverse("pairs:workspace", args=[mentorship.pk]))
        person_page.get_by_role("link", name="Log this check-in").click()
        expect(person_page.get_by_role("heading", level=1)).to_have_text("Log the check-in")
        assert_accessible(person_page, axe_script)
        person_page.get_by_label("We met").check()
        person_page.get_by_label("Topics").fill("delegation")
        person_page.get_by_label(re.compile("How useful")).select_option(rating)
        person_page.get_by_role("button", name="Save the log").click()
        expect(person_page.get_by_text("Check-in logged.")).to_be_visible()
        assert_accessible(person_page, axe_script)
    checkin.refresh_from_db()
    assert checkin.status == CheckIn.Status.DONE
    assert (checkin.mentee_rating, checkin.mentor_rating) == (5, 4)

    # The coordinator sees the pair on track now, and no longer due.
    coordinator_page.goto(base + reverse("pairs:pair_list", args=[program.pk]))
    coordinator_page.get_by_label("Health", exact=True).select_option("on_track")
    expect(table.get_by_role("row", name=re.compile("Max Mentor"))).to_be_visible()
    expect(table.get_by_text("delegation")).to_have_count(0)
    coordinator_page.get_by_label("Health", exact=True).select_option("due")
    expect(table.get_by_text("No pairs in this state")).to_be_visible()
    assert_accessible(coordinator_page, axe_script)
