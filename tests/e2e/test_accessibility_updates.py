"""Keyboard and screen-reader use of the pages htmx changes in place.

Each action is driven from the keyboard (focus the control, press Enter); the test
asserts where focus lands afterwards, that the page's one status region says what
happened exactly once, and that axe-core finds nothing moderate, serious or critical.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from events.models import Event
from guides.models import Resource
from guides.services import resource_starter_set_add
from mentoring.audience import Audience
from mentoring.models import User
from programs.models import Participant, ProfileQuestion, Program
from tests.e2e.axe import assert_accessible
from tests.factories import DEFAULT_PASSWORD, user_create
from tests.factories.programs import mentorship_make, participant_create, program_create
from tests.factories.surveys import survey_build

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Records every non-empty text the status region takes, so a test can tell one
# announcement from two.
WATCH_STATUS = """() => {
  window.__said = [];
  const region = document.getElementById("status-region");
  new MutationObserver(() => {
    const text = region.textContent.trim();
    if (text) { window.__said.push(text); }
  }).observe(region, {childList: true, characterData: true, subtree: true});
}"""


def sign_in(page: Page, base: str, user: User) -> None:
    page.goto(base + reverse("account_login"))
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name=re.compile("Sign in", re.I)).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")


def visit(page: Page, url: str, axe_script: Path) -> None:
    page.goto(url)
    assert_accessible(page, axe_script, strict=True)
    page.evaluate(WATCH_STATUS)


def press(control: Locator) -> None:
    """Operate a control from the keyboard."""
    control.focus()
    expect(control).to_be_focused()
    control.press("Enter")


def said_once(page: Page, pattern: str) -> None:
    """The status region took exactly one text since the last call, matching pattern."""
    region = page.locator("#status-region")
    expect(region).to_have_text(re.compile(pattern))
    page.wait_for_timeout(300)  # long enough for a second, duplicate announcement
    said = page.evaluate("window.__said.splice(0)")
    assert len(said) == 1, said
    assert re.search(pattern, said[0]), said


def row(page: Page, name: str) -> Locator:
    return page.get_by_role("row").filter(has=page.get_by_role("rowheader", name=name))


@pytest.fixture
def world(db: None) -> tuple[User, Program]:
    coordinator = user_create(
        email="cora@example.org", full_name="Cora Coordinator", is_coordinator=True
    )
    program = program_create(name="Emerging Leaders", coordinators=[coordinator])
    return coordinator, program


def test_participant_row_actions_keep_focus_in_the_row(
    page: Page, live_server, axe_script: Path, world: tuple[User, Program]
) -> None:
    coordinator, program = world
    for name in ("Ada Active", "Ben Busy", "Cy Calm"):
        participant_create(
            program=program, user=user_create(full_name=name), role=Participant.Role.MENTEE
        )
    participant_create(
        program=program,
        user=None,
        email="ida@example.org",
        full_name="Ida Invited",
        status=Participant.Status.INVITED,
        invited_at=timezone.now(),
    )
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, live_server.url, coordinator)
    visit(
        page, live_server.url + reverse("programs:participant_list", args=[program.pk]), axe_script
    )
    names = [n.strip() for n in page.locator("tbody th .person__name").all_inner_texts()]

    # Pause: the row stays and its first action is now Resume.
    press(row(page, "Ben Busy").get_by_role("button", name="Pause"))
    expect(row(page, "Ben Busy").get_by_role("button", name="Resume")).to_be_focused()
    said_once(page, "^Ben Busy is paused\\.$")
    assert_accessible(page, axe_script, strict=True)

    # Resend: the same button, in the new table.
    press(row(page, "Ida Invited").get_by_role("button", name="Resend invitation"))
    expect(row(page, "Ida Invited").get_by_role("button", name="Resend invitation")).to_be_focused()
    said_once(page, "ida@example.org")

    # Withdraw: the row keeps no action, so focus moves to the row after it.
    press(row(page, "Ben Busy").get_by_role("button", name="Withdraw"))
    expect(row(page, "Ben Busy").get_by_role("button")).to_have_count(0)
    after = names[names.index("Ben Busy") + 1]
    expect(row(page, after).get_by_role("button").first).to_be_focused()
    said_once(page, "^Ben Busy is withdrawn from the program\\.$")
    assert_accessible(page, axe_script, strict=True)

    # A filter announces how many people it shows; focus stays on the filter.
    status = page.get_by_label("Status")
    status.focus()
    status.select_option("active")
    said_once(page, r"of 2 participants")
    expect(status).to_be_focused()


def test_moving_guides_and_questions_keeps_focus_on_the_moved_item(
    page: Page, live_server, axe_script: Path, world: tuple[User, Program]
) -> None:
    coordinator, program = world
    resource_starter_set_add(program=program, by=coordinator)
    for n, text in enumerate(("What do you hope to learn?", "Which team?", "Anything else?")):
        ProfileQuestion.objects.create(
            program=program, text=text, kind=ProfileQuestion.Kind.TEXT, position=n
        )
    survey = survey_build(program, coordinator)
    sign_in(page, live_server.url, coordinator)

    visit(page, live_server.url + reverse("guides:resource_list", args=[program.pk]), axe_script)
    items = page.locator("#resource-list .resource-list__item")
    second = items.nth(1).locator(".resource-list__title").inner_text()
    # Moved to the top, its Move up is disabled: focus goes to its Move down.
    press(items.nth(1).get_by_role("button", name=re.compile("^Move up")))
    expect(items.nth(0).locator(".resource-list__title")).to_have_text(second)
    expect(items.nth(0).get_by_role("button", name=re.compile("^Move down"))).to_be_focused()
    said_once(page, f"Moved “{re.escape(second)}” up")
    # And back down: the same button, one row lower.
    press(items.nth(0).get_by_role("button", name=re.compile("^Move down")))
    expect(items.nth(1).locator(".resource-list__title")).to_have_text(second)
    expect(items.nth(1).get_by_role("button", name=re.compile("^Move down"))).to_be_focused()
    said_once(page, f"Moved “{re.escape(second)}” down")
    assert_accessible(page, axe_script, strict=True)

    # A guide written from "###" reads h1 then h2 (axe's heading-order rule).
    guide = Resource.objects.create(
        program=program,
        title="Your first week",
        body="### Before you meet\n\nRead the profile.\n\n#### Agenda\n\nIntroductions.",
        published_at=timezone.now(),
    )
    visit(
        page,
        live_server.url + reverse("guides:resource_detail", args=[program.pk, guide.pk]),
        axe_script,
    )
    expect(page.get_by_role("heading", level=2, name="Before you meet")).to_be_visible()
    expect(page.get_by_role("heading", level=3, name="Agenda")).to_be_visible()

    visit(page, live_server.url + reverse("programs:question_list", args=[program.pk]), axe_script)
    rows = page.locator("#question-list .question-list__item")
    press(rows.nth(1).get_by_role("button", name=re.compile("^Move down")))
    expect(rows.nth(2)).to_contain_text("Which team?")
    expect(rows.nth(2).get_by_role("button", name=re.compile("^Move up"))).to_be_focused()
    said_once(page, "^Moved “Which team\\?” down\\.$")
    assert_accessible(page, axe_script, strict=True)

    visit(
        page,
        live_server.url + reverse("surveys:survey_builder", args=[program.pk, survey.pk]),
        axe_script,
    )
    rows = page.locator("#question-list .question-list__item")
    first = rows.nth(0).locator(".question-list__text").inner_text()
    press(rows.nth(0).get_by_role("button", name=re.compile("^Move down")))
    expect(rows.nth(1).locator(".question-list__text")).to_contain_text(first.split(". ", 1)[1])
    expect(rows.nth(1).get_by_role("button", name=re.compile("^Move down"))).to_be_focused()
    said_once(page, "^Moved “.+” down\\.$")


def test_join_link_toggle_and_event_answer_keep_focus(
    page: Page, live_server, axe_script: Path, world: tuple[User, Program]
) -> None:
    coordinator, program = world
    sign_in(page, live_server.url, coordinator)
    visit(
        page, live_server.url + reverse("programs:program_overview", args=[program.pk]), axe_script
    )
    press(page.get_by_role("button", name="Turn on the join link"))
    expect(page.get_by_role("button", name="Turn off")).to_be_focused()
    said_once(page, "^The join link is on")
    press(page.get_by_role("button", name="Reset the link"))
    expect(page.get_by_role("button", name="Reset the link")).to_be_focused()
    said_once(page, "^The join link is new")
    press(page.get_by_role("button", name="Turn off"))
    expect(page.get_by_role("button", name="Turn on the join link")).to_be_focused()
    said_once(page, "^The join link is off")
    assert_accessible(page, axe_script, strict=True)

    # A mentee answers an event from the keyboard.
    starts = (timezone.now() + dt.timedelta(days=5)).replace(minute=0, second=0, microsecond=0)
    event = Event.objects.create(
        program=program,
        title="Feedback workshop",
        kind=Event.Kind.WORKSHOP,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
        location="Room 4.01",
        capacity=12,
        audience=Audience.BOTH,
    )
    mia = user_create(email="mia@example.org", full_name="Mia Mentee")
    participant_create(program=program, user=mia, role=Participant.Role.MENTEE)
    page.context.clear_cookies()
    sign_in(page, live_server.url, mia)
    visit(
        page,
        live_server.url + reverse("events:event_detail", args=[program.pk, event.pk]),
        axe_script,
    )
    going = page.get_by_label("Going", exact=True)
    going.focus()
    going.press("Space")
    press(page.get_by_role("button", name="Save my answer"))
    expect(page.get_by_text("Your place is confirmed")).to_be_visible()
    expect(page.get_by_role("button", name="Save my answer")).to_be_focused()
    said_once(page, "Feedback workshop")
    assert_accessible(page, axe_script, strict=True)


def test_filters_announce_their_count_once(
    page: Page, live_server, axe_script: Path, world: tuple[User, Program]
) -> None:
    coordinator, program = world
    for _ in range(3):
        mentorship_make(program=program, by=coordinator)
    sign_in(page, live_server.url, coordinator)
    visit(page, live_server.url + reverse("pairs:pair_list", args=[program.pk]), axe_script)
    expect(page.locator("[aria-live]")).to_have_count(1)  # the status region alone
    health = page.get_by_label("Health", exact=True)
    health.focus()
    health.select_option("overdue")
    said_once(page, "^No pairs shown$")
    health.select_option("")
    said_once(page, "^3 pairs shown$")
    expect(health).to_be_focused()
    assert_accessible(page, axe_script, strict=True)


def test_failed_sign_in_takes_focus_to_the_error_summary(
    page: Page, live_server, axe_script: Path, tmp_path: Path
) -> None:
    user_create(email="ada@example.org", full_name="Ada Lovelace")
    page.goto(live_server.url + reverse("account_login"))
    page.get_by_label("Email").fill("ada@example.org")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_label("Password").press("Enter")

    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page).to_have_title(re.compile("^Error: "))
    for label in ("Email", "Password"):
        field = page.get_by_label(label)
        expect(field).to_have_attribute("aria-invalid", "true")
        expect(field).to_have_attribute("aria-describedby", re.compile(r"\bform-errors\b"))
    page.screenshot(path=str(tmp_path / "sign-in-error.png"))
    # The summary's link takes the keyboard to the first field.
    summary.get_by_role("link").first.press("Enter")
    expect(page.get_by_label("Email")).to_be_focused()
    assert_accessible(page, axe_script, strict=True)


def test_admin_changelists_and_the_audit_filter_pass_axe(
    page: Page, live_server, axe_script: Path
) -> None:
    staff = user_create(
        email="stan@example.org", full_name="Stan Staff", is_staff=True, is_superuser=True
    )
    for n in range(3):
        user_create(email=f"person{n}@example.org", full_name=f"Person {n}")
    sign_in(page, live_server.url, staff)
    changelists = (
        "admin:index",
        "admin:mentoring_user_changelist",
        "admin:mentoring_auditevent_changelist",
        "admin:programs_program_changelist",
        "admin:programs_participant_changelist",
        "admin:surveys_survey_changelist",
    )
    for name in changelists:
        page.goto(live_server.url + reverse(name))
        expect(page.locator("#content h1")).to_be_visible()
        assert_accessible(page, axe_script, strict=True)

    # The audit log's filter announces its count; the one sign-in so far is Stan's.
    visit(page, live_server.url + reverse("audit_log"), axe_script)
    event = page.get_by_label("Event", exact=True)
    event.focus()
    event.select_option("sign_in")
    said_once(page, "^1 event shown$")
    expect(event).to_be_focused()
    assert_accessible(page, axe_script, strict=True)


def test_the_500_page_has_the_skip_link_and_landmarks_of_every_page(
    page: Page, live_server, axe_script: Path
) -> None:
    # Rendered as the server renders it (no request context), shown from the site's
    # origin so its stylesheet loads.
    page.goto(live_server.url + reverse("account_login"))
    page.set_content(render_to_string("500.html"))
    for role in ("banner", "main", "contentinfo"):
        expect(page.get_by_role(role)).to_have_count(1)
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    skip.press("Enter")
    expect(page.get_by_role("main")).to_be_focused()
    assert_accessible(page, axe_script, strict=True)


def test_a_form_with_errors_summarises_them_and_takes_focus_there(
    page: Page, live_server, axe_script: Path, world: tuple[User, Program]
) -> None:
    coordinator, _program = world
    sign_in(page, live_server.url, coordinator)
    page.goto(live_server.url + reverse("programs:program_create"))
    title = page.title()
    page.get_by_label("Name", exact=True).fill("")
    page.get_by_role("button", name=re.compile("Create", re.I)).press("Enter")

    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(page).to_have_title("Error: " + title)
    link = summary.get_by_role("link", name=re.compile("^Name: "))
    link.press("Enter")
    name = page.get_by_label("Name", exact=True)
    expect(name).to_be_focused()
    expect(name).to_have_attribute("aria-invalid", "true")
    expect(name).to_have_attribute("aria-describedby", re.compile(r"\bid_name_error\b"))
    assert_accessible(page, axe_script, strict=True)
