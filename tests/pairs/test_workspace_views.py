"""The workspace page (the pair only), the coordinator's pairs page and CSV (dates and
counts only), email preferences and unsubscribe links."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from mentoring.models import NotificationPreference
from mentoring.notifications import Kind, unsubscribe_url
from pairs import workspace
from pairs.checkins.services import checkin_accept, checkin_log, checkin_log_past, checkin_propose
from pairs.models import CheckIn, Mentorship, MentorshipAgreement, PairGoal
from pairs.reminders.sweep import pair_reminders_send
from programs.models import Participant
from tests.factories.programs import mentee_of, mentor_of, mentorship_make, participant_create

pytestmark = pytest.mark.django_db

MORNING = dt.datetime(2026, 9, 14, 10, 0, tzinfo=dt.UTC)
CANARY = "CANARY-7f3e-private-words"


@pytest.fixture(autouse=True)
def _eager(eager_celery: None) -> None:
    """Tasks run in-process here, also when the suite runs against Redis."""


@pytest.fixture(autouse=True)
def _morning() -> object:
    with time_machine.travel(MORNING, tick=False) as traveller:
        yield traveller


def _url(mentorship: Mentorship) -> str:
    return reverse("pairs:workspace", args=[mentorship.pk])


# -- Who may open what ---------------------------------------------------------------


def test_both_people_open_their_workspace(client, mentorship: Mentorship) -> None:
    for user in (mentee_of(mentorship), mentor_of(mentorship)):
        client.force_login(user)
        response = client.get(_url(mentorship))
        assert response.status_code == 200
        assert b"Why you were matched" in response.content
        assert b"Shared skills: negotiation, Python" in response.content


def test_the_coordinator_hr_and_other_members_are_refused_and_outsiders_see_nothing(
    client, mentorship: Mentorship, coordinator, hr, outsider, program
) -> None:
    other = participant_create(program=program, role=Participant.Role.MENTEE)
    for user, status in ((coordinator, 403), (hr, 403), (other.user, 403), (outsider, 404)):
        client.force_login(user)
        assert client.get(_url(mentorship)).status_code == status, user
        post = client.post(reverse("pairs:checkin_propose", args=[mentorship.pk]), {})
        assert post.status_code == status
    assert not CheckIn.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in(client, mentorship: Mentorship) -> None:
    response = client.get(_url(mentorship))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_the_pairs_page_is_for_the_programs_coordinators_only(
    client, mentorship: Mentorship, coordinator, hr, outsider, other_coordinator
) -> None:
    url = reverse("pairs:pair_list", args=[mentorship.program_id])
    csv_url = reverse("pairs:pair_export", args=[mentorship.program_id])
    cases = (
        (coordinator, 200),
        (hr, 403),
        (mentee_of(mentorship), 403),
        (outsider, 404),
        (other_coordinator, 404),
    )
    for user, status in cases:
        client.force_login(user)
        assert client.get(url).status_code == status
        assert client.get(csv_url).status_code == status


# -- The workspace's forms ------------------------------------------------------------


def test_a_mentee_proposes_a_time_in_their_own_time_zone(client, mentorship: Mentorship) -> None:
    mentee = mentee_of(mentorship)
    mentee.time_zone = "America/New_York"
    mentee.save(update_fields=["time_zone"])
    client.force_login(mentee)
    response = client.post(
        reverse("pairs:checkin_propose", args=[mentorship.pk]),
        {"scheduled_at": "2026-09-20T09:30", "duration_minutes": "45", "location": "Zoom"},
    )
    assert response.status_code == 302
    checkin = CheckIn.objects.get()
    # 09:30 in New York (EDT, UTC-4) is 13:30 UTC.
    assert checkin.scheduled_at == dt.datetime(2026, 9, 20, 13, 30, tzinfo=dt.UTC)
    # The mentor, in London, sees it at 14:30 their time.
    client.force_login(mentor_of(mentorship))
    page = client.get(_url(mentorship)).content.decode()
    assert "14:30" in page
    assert "Your partner proposed this time." in page


@pytest.mark.parametrize(
    "data",
    [
        {"scheduled_at": "", "duration_minutes": "45"},
        {"scheduled_at": "not a date", "duration_minutes": "45"},
        {"scheduled_at": "2020-01-01T10:00", "duration_minutes": "45"},
        {"scheduled_at": "2026-09-20T10:00", "duration_minutes": "9999"},
        {"scheduled_at": "2026-09-20T10:00", "duration_minutes": "45", "video_url": "javascript:x"},
    ],
)
def test_bad_proposals_show_field_errors_and_write_nothing(
    client, mentorship: Mentorship, data: dict[str, str]
) -> None:
    client.force_login(mentee_of(mentorship))
    response = client.post(reverse("pairs:checkin_propose", args=[mentorship.pk]), data)
    assert response.status_code == 200
    assert b"field-errors" in response.content or b"errorlist" in response.content
    assert not CheckIn.objects.exists()


def test_agreement_goals_and_milestones_through_the_page(client, mentorship: Mentorship) -> None:
    mentee, mentor = mentee_of(mentorship), mentor_of(mentorship)
    client.force_login(mentee)
    client.post(
        reverse("pairs:agreement_update", args=[mentorship.pk]),
        {"expectations": "Come prepared."},
    )
    client.post(
        reverse("pairs:pair_goal_create", args=[mentorship.pk]),
        {"title": "Present at all-hands", "description": ""},
    )
    goal = PairGoal.objects.get()
    client.post(
        reverse("pairs:milestone_create", args=[mentorship.pk, goal.pk]),
        {"title": "Draft the slides", "due_on": "2026-10-01"},
    )
    client.post(
        reverse("pairs:pair_goal_update", args=[mentorship.pk, goal.pk]),
        {"progress": "30", "status": "open"},
    )
    client.force_login(mentor)
    client.post(reverse("pairs:agreement_accept", args=[mentorship.pk]))

    agreement = MentorshipAgreement.objects.get()
    goal.refresh_from_db()
    assert agreement.is_accepted
    assert goal.progress == 30
    assert goal.milestones.get().title == "Draft the slides"
    page = client.get(_url(mentorship)).content.decode()
    assert "Accepted by both" in page
    assert "Draft the slides" in page


def test_the_workspace_page_costs_the_same_queries_with_more_history(
    client, mentorship: Mentorship, django_assert_max_num_queries
) -> None:
    client.force_login(mentee_of(mentorship))
    client.get(_url(mentorship))

    for n in range(15):
        checkin_log_past(
            mentorship=mentorship,
            by=mentee_of(mentorship),
            held_at=MORNING - dt.timedelta(days=n + 1),
            outcome="done",
        )
        goal = PairGoal.objects.create(mentorship=mentorship, title=f"Goal {n}")
        goal.milestones.create(title=f"Step {n}")
    with django_assert_max_num_queries(20):
        assert client.get(_url(mentorship)).status_code == 200


# -- The coordinator's pairs page ---------------------------------------------------------


def test_pairs_move_from_due_to_on_track_when_they_meet(
    client, program, coordinator, time_machine
) -> None:
    cadence = program.checkin_cadence_days
    mentorship = mentorship_make(
        program=program, started_at=MORNING - dt.timedelta(days=cadence + 1)
    )
    client.force_login(coordinator)
    url = reverse("pairs:pair_list", args=[program.pk])

    due = client.get(url, {"health": "due"}, headers={"HX-Request": "true"})
    assert due.status_code == 200
    assert b'id="pair-table"' in due.content
    assert b"<html" not in due.content  # the partial only
    assert mentee_of(mentorship).display_name.encode() in due.content

    checkin_log_past(
        mentorship=mentorship,
        by=mentee_of(mentorship),
        held_at=MORNING - dt.timedelta(hours=2),
        outcome="done",
    )
    on_track = client.get(url, {"health": "on_track"}).content.decode()
    assert mentee_of(mentorship).display_name in on_track
    assert (
        mentee_of(mentorship).display_name
        not in client.get(url, {"health": "due"}).content.decode()
    )


def test_health_follows_the_cadence(program) -> None:
    cadence = program.checkin_cadence_days
    ages = {
        "on_track": cadence - 1,
        "due": cadence + 1,
        "overdue": cadence * 2,
        "inactive": cadence * 4,
    }
    made = {
        health: mentorship_make(program=program, started_at=MORNING - dt.timedelta(days=days))
        for health, days in ages.items()
    }
    found = {p.pk: p.health for p in workspace.pair_list(program=program)}
    assert found == {m.pk: health for health, m in made.items()}
    assert workspace.pair_health_counts(program=program) == dict.fromkeys(ages, 1)


def test_the_pairs_page_query_count_does_not_grow(
    client, program, coordinator, django_assert_max_num_queries
) -> None:
    client.force_login(coordinator)
    url = reverse("pairs:pair_list", args=[program.pk])
    for _n in range(3):
        mentorship_make(program=program)
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    for _n in range(25):
        m = mentorship_make(program=program)
        checkin_log_past(
            mentorship=m, by=mentee_of(m), held_at=MORNING - dt.timedelta(days=1), outcome="done"
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


# -- Privacy: the canary -------------------------------------------------------------------


def test_a_canary_in_notes_and_goals_never_reaches_coordinators_or_hr(
    client, program, coordinator, hr, settings, django_capture_on_commit_callbacks
) -> None:
    settings.CHECKIN_ESCALATE_AFTER_CYCLES = 1
    mentorship = mentorship_make(program=program, started_at=MORNING - dt.timedelta(days=40))
    mentee, mentor = mentee_of(mentorship), mentor_of(mentorship)
    workspace.agreement_update(mentorship=mentorship, by=mentee, expectations=CANARY)
    goal = workspace.pair_goal_create(
        mentorship=mentorship, by=mentee, title=CANARY, description=CANARY
    )
    workspace.milestone_create(goal=goal, by=mentee, title=CANARY)
    with django_capture_on_commit_callbacks(execute=True):
        checkin = checkin_propose(
            mentorship=mentorship,
            by=mentee,
            scheduled_at=MORNING + dt.timedelta(hours=2),
            location="Room 1",
        )
        checkin_accept(checkin=checkin, by=mentor)
    with time_machine.travel(MORNING + dt.timedelta(hours=3), tick=False):
        checkin_log(
            checkin=checkin,
            by=mentee,
            outcome="missed",
            topics=CANARY,
            notes=CANARY,
            rating=2,
            goal_progress={goal.pk: 10},
        )
    # The pair themselves see it (so the canary is really there).
    client.force_login(mentee)
    assert CANARY in client.get(_url(mentorship)).content.decode()

    # Everything coordinators and HR can open.
    seen: list[str] = []
    for viewer in (coordinator, hr):
        client.force_login(viewer)
        for name, args in (
            ("programs:program_overview", [program.pk]),
            ("pairs:pair_list", [program.pk]),
            ("pairs:pair_export", [program.pk]),
            ("programs:participant_list", [program.pk]),
            ("programs:program_list", []),
            ("home", []),
        ):
            response = client.get(reverse(name, args=args))
            seen.append(response.content.decode())
            if name == "pairs:pair_export" and response.status_code == 200:
                rows = list(csv.reader(io.StringIO(response.content.decode())))
                assert len(rows) == 2
    # Every email coordinators get (the escalation went out: the pair stopped meeting).
    pair_reminders_send(now=MORNING + dt.timedelta(days=60))
    to_staff = [m for m in mail.outbox if set(m.to) & {coordinator.email, hr.email}]
    assert to_staff, "the coordinator got an escalation to check"
    for message in to_staff:
        seen.append(str(message.subject))
        seen.append(message.message().as_string())
    assert all(CANARY not in text for text in seen)
    # Nor any email to the pair (reminders never quote notes or goals).
    assert all(CANARY not in m.message().as_string() for m in mail.outbox)


# -- Preferences and unsubscribe --------------------------------------------------------


def test_one_click_unsubscribe_turns_that_kind_off(client, mentorship: Mentorship) -> None:
    user = mentee_of(mentorship)
    url = unsubscribe_url(user=user, kind=Kind.PAIR_NUDGES)
    path = url.split("://", 1)[1].split("/", 1)[1]

    page = client.get("/" + path)
    assert page.status_code == 200
    assert not NotificationPreference.objects.exists()  # a GET changes nothing
    # A mail program's RFC 8058 one-click POST, without a session or CSRF token.
    response = client.post("/" + path, {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    pref = NotificationPreference.objects.get(user=user, kind=Kind.PAIR_NUDGES)
    assert pref.enabled is False
    pair_reminders_send(now=timezone.now() + dt.timedelta(hours=1))
    assert [m.to for m in mail.outbox] == [[mentor_of(mentorship).email]]


def test_a_forged_unsubscribe_link_is_refused(client) -> None:
    response = client.post(reverse("notification_unsubscribe", args=["forged"]))
    assert response.status_code == 404
    assert not NotificationPreference.objects.exists()


def test_people_choose_their_emails_on_the_preferences_page(client, user) -> None:
    client.force_login(user)
    assert client.get(reverse("notification_preferences")).status_code == 200
    data = {kind: "on" for kind in Kind.values if kind != Kind.CHECKIN_LOG}
    response = client.post(reverse("notification_preferences"), data)
    assert response.status_code == 302
    assert list(
        NotificationPreference.objects.filter(enabled=False).values_list("kind", flat=True)
    ) == [Kind.CHECKIN_LOG]


def test_the_home_page_links_to_the_workspace(client, mentorship: Mentorship) -> None:
    client.force_login(mentee_of(mentorship))
    response = client.get(reverse("home"))
    assert _url(mentorship).encode() in response.content


def test_the_log_form_marks_the_rating_optional_once(client, mentorship: Mentorship) -> None:
    client.force_login(mentee_of(mentorship))
    url = reverse("pairs:checkin_log_past", args=[mentorship.pk])
    text = client.get(url).content.decode()
    assert "How useful was it?" in text
    assert "(optional) (optional)" not in text
    assert "How useful was it? (optional) <span" not in text


def test_a_workspace_form_with_errors_gets_the_error_summary_and_title(
    client, mentorship: Mentorship
) -> None:
    # The workspace holds several forms (none named "form"): the one that failed is
    # listed at the top, linked to its fields, and the title says so.
    client.force_login(mentee_of(mentorship))
    response = client.post(reverse("pairs:pair_goal_create", args=[mentorship.pk]), {})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="error-summary"' in page
    assert "<title>Error:" in page
    assert client.get(_url(mentorship)).content.decode().count('id="error-summary"') == 0
