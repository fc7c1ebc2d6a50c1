"""A coordinator reads a program's dashboard, nudges a pair, downloads a table and
prints the report; HR reads the organisation dashboard and filters it with htmx.
Each page is scanned with axe-core, at 1440 px and at 375 px, and saved as a
screenshot (into docs/img with UPDATE_SCREENSHOTS=1, for the README)."""

from __future__ import annotations

import csv
import io
import os
import re
from pathlib import Path

import pytest
import time_machine
from allauth.mfa.totp.internal.auth import TOTP
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, ViewportSize, expect

from mentoring.models import Delivery, User
from reports.dashboards import NUDGE_DELIVERY
from tests.conftest import ROOT
from tests.e2e.axe import assert_accessible
from tests.e2e.test_account_journey import next_totp_window, totp_code
from tests.factories import DEFAULT_PASSWORD, user_create
from tests.factories.dashboards import dashboard_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP: ViewportSize = {"width": 1440, "height": 900}
PHONE: ViewportSize = {"width": 375, "height": 740}
README: ViewportSize = {"width": 1280, "height": 1400}
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DP"  # the authenticator app's shared secret


def sign_in_with_code(page: Page, base: str, user: User) -> None:
    """Coordinators and HR sign in with a second factor: password, then a code."""
    TOTP.activate(user, SECRET)
    page.goto(base + reverse("account_login"))
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name=re.compile("Sign in", re.I)).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(re.compile("Two-Factor", re.I))
    # At the start of a 30-second window, so the code is still the server's when it arrives.
    at = next_totp_window(timezone.now())
    with time_machine.travel(at, tick=True):
        page.get_by_label(re.compile("Code", re.I)).fill(totp_code(SECRET, at))
        page.get_by_role("button", name=re.compile("Sign in", re.I)).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")


def screenshot(page: Page, name: str, tmp_path: Path, *, readme: bool = False) -> Path:
    """Save the page as it looks; with UPDATE_SCREENSHOTS=1 also the README's copy
    (at the README's size)."""
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path))
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    if readme and os.environ.get("UPDATE_SCREENSHOTS"):
        size = page.viewport_size
        page.set_viewport_size(README)
        page.screenshot(path=str(ROOT / "docs" / "img" / f"{name}.png"))
        if size:
            page.set_viewport_size(size)
    return path


def fits(page: Page, viewport: ViewportSize) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth") <= viewport["width"])


LAPTOP: ViewportSize = {"width": 1366, "height": 768}


def test_on_a_laptop_the_at_risk_table_shows_every_column_and_its_nudge_buttons(
    page: Page, live_server, axe_script: Path
) -> None:
    base = live_server.url
    cora = user_create(email="cora@example.org", full_name="Cora Coordinator", is_coordinator=True)
    world = dashboard_world(seed=7, now=timezone.now(), coordinator=cora, programs=1, people=36)
    page.set_viewport_size(LAPTOP)
    sign_in_with_code(page, base, cora)
    page.goto(base + reverse("program_dashboard", args=[world.programs[0].pk]))
    risks = page.get_by_role("region", name="Pairs at risk table")
    expect(risks.get_by_role("button", name=re.compile("^Nudge")).first).to_be_visible()
    # Nothing of the table hides behind a sideways scroll at 1,366 px.
    overflow = risks.evaluate("el => el.scrollWidth - el.clientWidth")
    assert overflow <= 0, f"the at-risk table scrolls sideways by {overflow} px"
    box = risks.bounding_box()
    button = risks.get_by_role("button", name=re.compile("^Nudge")).first.bounding_box()
    assert box is not None
    assert button is not None
    assert button["x"] + button["width"] <= box["x"] + box["width"]
    assert fits(page, LAPTOP)
    assert_accessible(page, axe_script)


def test_a_coordinator_reads_the_dashboard_nudges_a_pair_and_prints_the_report(
    page: Page, live_server, axe_script: Path, tmp_path: Path
) -> None:
    base = live_server.url
    cora = user_create(email="cora@example.org", full_name="Cora Coordinator", is_coordinator=True)
    world = dashboard_world(seed=7, now=timezone.now(), coordinator=cora, programs=1, people=36)
    program = world.programs[0]
    page.set_viewport_size(DESKTOP)
    sign_in_with_code(page, base, cora)

    page.goto(base + reverse("program_dashboard", args=[program.pk]))
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
    for title in ("Funnel", "Pair health", "Check-ins held per week", "Goals", "Pairs at risk"):
        expect(page.get_by_role("heading", level=2, name=title)).to_be_visible()
    assert_accessible(page, axe_script)
    screenshot(page, "program-dashboard", tmp_path, readme=True)
    # Each chart has its table: open it and read the same weeks.
    chart = page.get_by_role("figure").first
    expect(chart).to_be_visible()
    chart.get_by_text("Show as a table").click()
    expect(chart.get_by_role("table")).to_be_visible()
    assert_accessible(page, axe_script)

    # A CSV of a table, as shown.
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV Funnel").click()
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text())))
    assert rows[0] == ["step", "people", "percent_of_invited"]
    assert [r[0] for r in rows[1:]] == [
        "invited",
        "profile_complete",
        "matched",
        "first_checkin",
        "active",
    ]

    # One click nudges the riskiest pair, once a day.
    risks = page.get_by_role("region", name="Pairs at risk")
    risks.get_by_role("button", name=re.compile("^Nudge")).first.click()
    expect(page.get_by_text("Nudge sent to the pair.")).to_be_visible()
    assert Delivery.objects.filter(kind=NUDGE_DELIVERY).count() == 1
    assert_accessible(page, axe_script)

    # On a phone the dashboard fits the screen.
    page.set_viewport_size(PHONE)
    assert fits(page, PHONE)
    assert_accessible(page, axe_script)
    screenshot(page, "program-dashboard-phone", tmp_path)

    # The printable report: no navigation, every chart's table open, on paper too.
    page.set_viewport_size(DESKTOP)
    page.get_by_role("link", name="Printable report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Progress report: {program.name}")
    expect(page.get_by_role("button", name=re.compile("^Nudge"))).to_have_count(0)
    assert_accessible(page, axe_script)
    screenshot(page, "program-report", tmp_path)
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.get_by_role("link", name="Back to the dashboard")).to_be_hidden()
    tables = page.locator("details.chart__table")
    assert tables.count() >= 1
    for i in range(tables.count()):
        expect(tables.nth(i)).to_have_attribute("open", "")
        expect(tables.nth(i).get_by_role("table")).to_be_visible()
    assert_accessible(page, axe_script)
    pdf = tmp_path / "report.pdf"
    page.pdf(path=str(pdf))
    assert pdf.read_bytes()[:5] == b"%PDF-"


def test_hr_reads_the_organisation_dashboard_and_filters_it_in_place(
    page: Page, live_server, axe_script: Path, tmp_path: Path
) -> None:
    base = live_server.url
    cora = user_create(email="cora@example.org", full_name="Cora Coordinator", is_coordinator=True)
    dashboard_world(seed=9, now=timezone.now(), coordinator=cora, programs=3, people=40)
    harriet = user_create(
        email="harriet@example.org", full_name="Harriet Reviewer", is_hr_viewer=True
    )
    page.set_viewport_size(DESKTOP)
    sign_in_with_code(page, base, harriet)

    page.goto(base + reverse("insights_dashboard"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Organisation dashboard")
    for title in ("Participation", "Engagement and satisfaction", "Diversity"):
        expect(page.get_by_role("heading", level=2, name=re.compile(f"^{title}"))).to_be_visible()
    expect(page.get_by_role("rowheader", name="All departments").first).to_be_visible()
    # The monthly chart is described by the table of the same months beside it.
    chart = page.get_by_role("figure", name="Check-ins held per month")
    expect(chart).to_have_attribute("aria-describedby", "months-table")
    expect(page.locator("#months-table")).to_be_visible()
    assert_accessible(page, axe_script)
    screenshot(page, "hr-dashboard", tmp_path, readme=True)
    page.locator("#months-table").screenshot(path=str(tmp_path / "months.png"))
    chart.screenshot(path=str(tmp_path / "months-chart.png"))

    # Choosing a department swaps the results in place (htmx) and keeps the address;
    # the page's one status region (not the swapped block) says so.
    expect(page.locator("[aria-live]")).to_have_count(1)
    expect(page.locator("#insight-results")).not_to_have_attribute("aria-live", "polite")
    page.get_by_label("Department", exact=True).select_option("Sales")
    expect(page).to_have_url(re.compile(r"department=Sales"))
    expect(page.locator("#status-region")).to_have_text(re.compile("^Dashboard updated"))
    expect(page.get_by_role("rowheader", name="All departments")).to_have_count(0)
    expect(page.get_by_role("rowheader", name="Sales").first).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    assert_accessible(page, axe_script)
    screenshot(page, "hr-dashboard-sales", tmp_path)

    # The CSV of the filtered view is that department's, with hidden cells left empty.
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile(r"^Download CSV\W+Participation$")).click()
    assert "department=Sales" in download.value.url
    lines = Path(download.value.path()).read_text().splitlines()
    assert lines[0] == "group,item,count"

    # A period that ends before it starts is explained, beside the field and above the
    # numbers (which leave the period out rather than guess).
    page.goto(base + reverse("insights_dashboard") + "?start=2026-05&end=2026-03")
    expect(page.get_by_text("The end must be after the start.").first).to_be_visible()
    warning = page.locator("#insight-results .alert--warning")
    expect(warning).to_contain_text("To (month): The end must be after the start.")
    assert_accessible(page, axe_script)

    page.set_viewport_size(PHONE)
    page.goto(base + reverse("insights_dashboard"))
    assert fits(page, PHONE)
    assert_accessible(page, axe_script)
    screenshot(page, "hr-dashboard-phone", tmp_path)
