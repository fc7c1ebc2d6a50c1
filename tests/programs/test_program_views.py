"""Program pages: list, create, edit, overview, state, goals, coordinators, join link.

Each page is tried by the persona who may use it and by those who may not:
an outsider (404), a member without the role (403) and HR (read-only, 403 on writes).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mentoring.models import User
from programs import services
from programs.models import Participant, Program, ProgramGoal, ProgramStateChange
from tests.factories import user_create
from tests.factories.programs import participant_create, program_create

pytestmark = pytest.mark.django_db


def _login(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def _html(response) -> str:
    return response.content.decode()


def _program_form(**overrides) -> dict[str, str]:
    data = {
        "name": "Women in Leadership",
        "description": "Senior women mentor rising leaders.",
        "format": "one_to_one",
        "starts_on": "2026-09-01",
        "ends_on": "2027-06-30",
        "cadence": "14",
        "cadence_days": "",
        "default_mentor_capacity": "2",
        "min_group_size": str(settings.MIN_GROUP_SIZE),
        "time_zone": "Europe/Berlin",
        "join_requires_approval": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# ------------------------------------------------------------------------------
# Program list
# ------------------------------------------------------------------------------


def test_a_coordinator_lists_their_programs_with_counts_and_a_new_button(
    client: Client, coordinator: User, program: Program, other_program: Program
) -> None:
    participant_create(program=program, role=Participant.Role.MENTOR)
    for _ in range(3):
        participant_create(program=program, role=Participant.Role.MENTEE)
    participant_create(
        program=program, role=Participant.Role.MENTEE, status=Participant.Status.WITHDRAWN
    )

    response = _login(client, coordinator).get(reverse("programs:program_list"))

    assert response.status_code == 200
    html = _html(response)
    assert program.name in html
    assert other_program.name not in html
    assert reverse("programs:program_create") in html
    page = response.context["page"]
    row = page.object_list[0]
    assert (row.mentor_count, row.mentee_count, row.is_coordinated) == (1, 3, True)
    assert html.count("<h1") == 1


def test_hr_lists_every_program_read_only_with_small_counts_hidden(
    client: Client, hr: User, program: Program, other_program: Program
) -> None:
    participant_create(program=program, role=Participant.Role.MENTEE)

    html = _html(_login(client, hr).get(reverse("programs:program_list")))

    assert program.name in html
    assert other_program.name in html
    assert "Read-only" in html
    assert reverse("programs:program_create") not in html
    assert "fewer than 5" in html


def test_a_participant_lists_only_the_open_programs_they_belong_to(
    client: Client, mentee: Participant, other_program: Program
) -> None:
    draft = program_create(state=Program.State.DRAFT)
    participant_create(program=draft, user=mentee.user)

    html = _html(_login(client, mentee.user).get(reverse("programs:program_list")))  # type: ignore[arg-type]

    assert mentee.program.name in html
    assert other_program.name not in html
    assert draft.name not in html
    assert "Mentee" in html
    assert reverse("programs:program_create") not in html


def test_someone_with_no_programs_gets_a_helpful_empty_state(
    client: Client, outsider: User
) -> None:
    html = _html(_login(client, outsider).get(reverse("programs:program_list")))
    assert "not in a program yet" in html


def test_a_coordinator_without_programs_is_invited_to_create_one(
    client: Client, coordinator: User
) -> None:
    html = _html(_login(client, coordinator).get(reverse("programs:program_list")))
    assert "No programs yet" in html
    assert reverse("programs:program_create") in html


def test_the_program_list_asks_visitors_to_sign_in(client: Client) -> None:
    response = client.get(reverse("programs:program_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_program_list_costs_the_same_queries_for_many_programs_and_paginates(
    client: Client, coordinator: User
) -> None:
    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("programs:program_list")).status_code == 200
        return len(queries)

    _login(client, coordinator)
    for _ in range(2):
        participant_create(program=program_create(coordinators=[coordinator]))
    few = count_queries()
    for _ in range(28):
        participant_create(program=program_create(coordinators=[coordinator]))
    assert count_queries() == few

    response = client.get(reverse("programs:program_list"))
    assert len(response.context["page"].object_list) == 25
    assert "Page 1 of 2" in _html(response)
    second = client.get(reverse("programs:program_list"), {"page": 2})
    assert len(second.context["page"].object_list) == 5


# ------------------------------------------------------------------------------
# Create and edit
# ------------------------------------------------------------------------------


def test_a_coordinator_creates_a_draft_program_they_coordinate(
    client: Client, coordinator: User
) -> None:
    _login(client, coordinator)
    assert client.get(reverse("programs:program_create")).status_code == 200

    response = client.post(reverse("programs:program_create"), _program_form())

    program = Program.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("programs:program_overview", args=[program.pk])
    assert program.name == "Women in Leadership"
    assert program.state == Program.State.DRAFT
    assert program.checkin_cadence_days == 14
    assert program.time_zone == "Europe/Berlin"
    assert program.join_requires_approval is True
    assert list(program.coordinators.all()) == [coordinator]


def test_a_custom_cadence_and_an_evergreen_program(client: Client, coordinator: User) -> None:
    _login(client, coordinator).post(
        reverse("programs:program_create"),
        _program_form(
            cadence="custom",
            cadence_days="21",
            is_evergreen="on",
            starts_on="",
            ends_on="",
            join_requires_approval=None,
        ),
    )
    program = Program.objects.get()
    assert program.checkin_cadence_days == 21
    assert program.is_evergreen
    assert program.ends_on is None
    assert program.join_requires_approval is False


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"starts_on": "", "ends_on": ""}, "starts_on", "mark the program as evergreen"),
        ({"ends_on": "2026-01-01"}, "ends_on", "must not be before"),
        ({"time_zone": "Mars/Olympus_Mons"}, "time_zone", "Select a valid choice"),
        ({"min_group_size": "2"}, "min_group_size", "greater than or equal to 5"),
        ({"format": "group"}, "format", "not available yet"),
        ({"cadence": "custom", "cadence_days": ""}, "cadence_days", "number of days"),
        ({"cadence": "custom", "cadence_days": "400"}, "cadence_days", "less than or equal"),
        ({"name": ""}, "name", "required"),
    ],
)
def test_the_program_form_explains_what_to_fix(
    client: Client, coordinator: User, overrides: dict[str, str], field: str, message: str
) -> None:
    response = _login(client, coordinator).post(
        reverse("programs:program_create"), _program_form(**overrides)
    )
    assert response.status_code == 200
    errors = response.context["form"].errors[field]
    assert any(message in error for error in errors), errors
    assert 'aria-invalid="true"' in _html(response)
    assert not Program.objects.exists()


def test_people_who_may_not_create_programs_are_refused(
    client: Client, user: User, hr: User
) -> None:
    for person in (user, hr):
        _login(client, person)
        assert client.get(reverse("programs:program_create")).status_code == 403
        assert client.post(reverse("programs:program_create"), _program_form()).status_code == 403
    assert not Program.objects.exists()


def test_visitors_are_asked_to_sign_in_before_creating(client: Client) -> None:
    response = client.get(reverse("programs:program_create"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_a_coordinator_edits_their_program(
    client: Client, coordinator: User, program: Program
) -> None:
    url = reverse("programs:program_edit", args=[program.pk])
    _login(client, coordinator)
    form = client.get(url).context["form"]
    assert form.initial["name"] == program.name

    response = client.post(url, _program_form(name="Leadership 2027", cadence="30"))

    assert response.status_code == 302
    program.refresh_from_db()
    assert (program.name, program.checkin_cadence_days) == ("Leadership 2027", 30)


def test_a_closed_program_cannot_be_edited(client: Client, coordinator: User) -> None:
    program = program_create(state=Program.State.CLOSED, coordinators=[coordinator])
    url = reverse("programs:program_edit", args=[program.pk])
    _login(client, coordinator)
    assert "closed" in _html(client.get(url))

    response = client.post(url, _program_form(name="Renamed"))

    assert response.status_code == 200
    assert "can no longer be changed" in str(response.context["form"].non_field_errors())
    program.refresh_from_db()
    assert program.name != "Renamed"


def test_only_the_programs_coordinators_may_edit_it(
    client: Client,
    program: Program,
    other_coordinator: User,
    mentee: Participant,
    hr: User,
) -> None:
    url = reverse("programs:program_edit", args=[program.pk])
    assert _login(client, other_coordinator).get(url).status_code == 404
    assert _login(client, mentee.user).post(url, _program_form()).status_code == 403  # type: ignore[arg-type]
    assert _login(client, hr).post(url, _program_form(name="HR was here")).status_code == 403
    program.refresh_from_db()
    assert program.name == "Leadership 2026"


# ------------------------------------------------------------------------------
# Overview
# ------------------------------------------------------------------------------


def test_the_coordinators_overview_shows_stage_goals_enrolment_and_history(
    client: Client, coordinator: User, program: Program, mentor: Participant
) -> None:
    ProgramGoal.objects.create(
        program=program,
        metric=ProgramGoal.Metric.CADENCE_SHARE,
        target_value=Decimal("80.00"),
        target_on=dt.date(2027, 3, 1),
    )
    ProgramGoal.objects.create(
        program=program,
        metric=ProgramGoal.Metric.AVG_SATISFACTION,
        target_value=Decimal("4.50"),
        target_on=dt.date(2027, 3, 1),
    )
    services.program_transition(program=program, to_state="matching", by=coordinator)

    response = _login(client, coordinator).get(
        reverse("programs:program_overview", args=[program.pk])
    )

    html = _html(response)
    assert response.status_code == 200
    assert html.count("<h1") == 1
    # Moves allowed from matching, as buttons, plus a confirmation before closing.
    assert 'value="running"' in html
    assert 'value="enrolling"' in html
    assert 'value="closed"' in html
    assert "Closing is final" in html
    assert "Target 80% by" in html
    assert "4.5 out of 5" in html
    assert html.count("Not enough data yet") == 2
    assert "Cora Coordinator" in html  # coordinators card and the stage history
    assert "Enrolling → Matching" in html
    assert reverse("programs:participant_list", args=[program.pk]) in html
    assert reverse("programs:join_link_update", args=[program.pk]) in html


def test_a_participant_sees_the_overview_without_anything_personal_about_others(
    client: Client, program: Program, mentee: Participant, mentor: Participant
) -> None:
    response = _login(client, mentee.user).get(  # type: ignore[arg-type]
        reverse("programs:program_overview", args=[program.pk])
    )
    html = _html(response)
    assert response.status_code == 200
    assert "Your participation" in html
    assert reverse("programs:participant_profile", args=[program.pk]) in html
    assert reverse("programs:profile_edit") in html
    assert mentor.email not in html
    assert "Max Mentor" not in html
    assert reverse("programs:participant_list", args=[program.pk]) not in html
    assert reverse("programs:program_transition", args=[program.pk]) not in html
    assert reverse("programs:join_link_update", args=[program.pk]) not in html
    assert "fewer than 5" in html  # one mentor, one mentee: too few to show exactly


def test_hr_reads_the_overview_without_controls(
    client: Client, hr: User, program: Program, mentee: Participant
) -> None:
    html = _html(_login(client, hr).get(reverse("programs:program_overview", args=[program.pk])))
    assert "Read-only" in html
    assert mentee.email not in html
    assert reverse("programs:program_transition", args=[program.pk]) not in html
    assert reverse("programs:program_edit", args=[program.pk]) not in html


def test_outsiders_and_other_coordinators_get_404_on_the_overview(
    client: Client, program: Program, outsider: User, other_coordinator: User
) -> None:
    url = reverse("programs:program_overview", args=[program.pk])
    assert _login(client, outsider).get(url).status_code == 404
    assert _login(client, other_coordinator).get(url).status_code == 404


def test_invitees_cannot_see_a_draft_program(client: Client, coordinator: User) -> None:
    draft = program_create(state=Program.State.DRAFT, coordinators=[coordinator])
    invitee = participant_create(program=draft)
    url = reverse("programs:program_overview", args=[draft.pk])
    assert _login(client, invitee.user).get(url).status_code == 404  # type: ignore[arg-type]
    assert _login(client, coordinator).get(url).status_code == 200


def test_the_overview_costs_the_same_queries_whatever_the_program_holds(
    client: Client, coordinator: User, program: Program
) -> None:
    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("programs:program_overview", args=[program.pk]))
        return len(queries)

    _login(client, coordinator)
    participant_create(program=program)
    # Each goal's value is measured with its own query; a program has at most one goal
    # per metric, so that cost is bounded: set them all before counting.
    for metric in ProgramGoal.Metric.values:
        services.program_goal_set(
            program=program,
            metric=metric,
            target_value=Decimal(3),
            target_on=dt.date(2027, 1, 1),
            by=coordinator,
        )
    few = count_queries()
    for _ in range(10):
        participant_create(program=program, profile_completed_at=dt.datetime.now(dt.UTC))
    services.program_coordinator_add(program=program, user=user_create(), by=coordinator)
    services.program_transition(program=program, to_state="matching", by=coordinator)
    services.program_transition(program=program, to_state="enrolling", by=coordinator)
    assert count_queries() == few


# ------------------------------------------------------------------------------
# State changes
# ------------------------------------------------------------------------------


def test_a_coordinator_moves_the_program_on(
    client: Client, coordinator: User, program: Program
) -> None:
    url = reverse("programs:program_transition", args=[program.pk])
    response = _login(client, coordinator).post(url, {"to_state": "matching"}, follow=True)

    program.refresh_from_db()
    assert program.state == Program.State.MATCHING
    assert response.redirect_chain[-1][0] == reverse("programs:program_overview", args=[program.pk])
    assert "is now matching" in _html(response)
    change = ProgramStateChange.objects.get(program=program)
    assert change.changed_by == coordinator


def test_an_illegal_move_is_explained_and_changes_nothing(
    client: Client, coordinator: User, program: Program
) -> None:
    url = reverse("programs:program_transition", args=[program.pk])
    response = _login(client, coordinator).post(url, {"to_state": "running"}, follow=True)

    program.refresh_from_db()
    assert program.state == Program.State.ENROLLING
    assert "cannot go from Enrolling to Running" in _html(response)
    assert not ProgramStateChange.objects.exists()


def test_state_changes_are_post_only_and_for_coordinators_only(
    client: Client,
    program: Program,
    coordinator: User,
    hr: User,
    mentee: Participant,
    outsider: User,
) -> None:
    url = reverse("programs:program_transition", args=[program.pk])
    assert _login(client, coordinator).get(url).status_code == 405
    assert _login(client, hr).post(url, {"to_state": "closed"}).status_code == 403
    assert _login(client, mentee.user).post(url, {"to_state": "closed"}).status_code == 403  # type: ignore[arg-type]
    assert _login(client, outsider).post(url, {"to_state": "closed"}).status_code == 404
    program.refresh_from_db()
    assert program.state == Program.State.ENROLLING


# ------------------------------------------------------------------------------
# Goals
# ------------------------------------------------------------------------------


def test_a_coordinator_adds_and_updates_a_goal(
    client: Client, coordinator: User, program: Program
) -> None:
    url = reverse("programs:goal_list", args=[program.pk])
    _login(client, coordinator)
    data = {"metric": "completion_rate", "target_value": "70", "target_on": "2027-06-30"}
    assert client.post(url, data).status_code == 302
    assert client.post(url, {**data, "target_value": "85"}).status_code == 302

    goal = program.goals.get()
    assert goal.target_value == Decimal(85)
    assert goal.target_on == dt.date(2027, 6, 30)
    page = client.get(url, {"metric": "completion_rate"})
    assert page.context["form"].initial["target_value"] == Decimal(85)
    assert "Target" in _html(page)


@pytest.mark.parametrize(
    ("metric", "value", "message"),
    [
        ("cadence_share", "150", "between 0 and 100"),
        ("avg_satisfaction", "6", "between 1 and 5"),
        ("avg_satisfaction", "-1", "greater than or equal to 0"),
    ],
)
def test_a_goal_out_of_range_is_refused_with_a_message(
    client: Client, coordinator: User, program: Program, metric: str, value: str, message: str
) -> None:
    response = _login(client, coordinator).post(
        reverse("programs:goal_list", args=[program.pk]),
        {"metric": metric, "target_value": value, "target_on": "2027-06-30"},
    )
    assert response.status_code == 200
    assert message in str(response.context["form"].errors["target_value"])
    assert not program.goals.exists()


def test_a_coordinator_removes_a_goal_of_their_program_only(
    client: Client, coordinator: User, program: Program, other_program: Program
) -> None:
    goal = ProgramGoal.objects.create(
        program=program, metric="retention_rate", target_value=90, target_on=dt.date(2027, 1, 1)
    )
    foreign = ProgramGoal.objects.create(
        program=other_program,
        metric="retention_rate",
        target_value=90,
        target_on=dt.date(2027, 1, 1),
    )
    _login(client, coordinator)
    assert (
        client.post(reverse("programs:goal_delete", args=[program.pk, foreign.pk])).status_code
        == 404
    )
    response = client.post(reverse("programs:goal_delete", args=[program.pk, goal.pk]))
    assert response.status_code == 302
    assert not ProgramGoal.objects.filter(pk=goal.pk).exists()
    assert ProgramGoal.objects.filter(pk=foreign.pk).exists()


def test_goals_are_read_only_for_hr_and_closed_to_participants_and_outsiders(
    client: Client, program: Program, hr: User, mentee: Participant, outsider: User
) -> None:
    url = reverse("programs:goal_list", args=[program.pk])
    data = {"metric": "completion_rate", "target_value": "70", "target_on": "2027-06-30"}
    _login(client, hr)
    response = client.get(url)
    assert response.status_code == 200
    assert "Save goal" not in _html(response)
    assert client.post(url, data).status_code == 403
    assert _login(client, mentee.user).get(url).status_code == 403  # type: ignore[arg-type]
    assert _login(client, outsider).get(url).status_code == 404
    assert not program.goals.exists()


# ------------------------------------------------------------------------------
# Coordinators
# ------------------------------------------------------------------------------


def test_a_coordinator_adds_a_colleague_by_email_without_changing_site_roles(
    client: Client, coordinator: User, program: Program
) -> None:
    colleague = user_create(email="colleague@example.org")
    url = reverse("programs:coordinator_list", args=[program.pk])
    response = _login(client, coordinator).post(
        url, {"action": "add", "email": "Colleague@Example.org"}
    )
    assert response.status_code == 302
    assert program.coordinators.filter(pk=colleague.pk).exists()
    colleague.refresh_from_db()
    assert colleague.is_coordinator is False


def test_adding_someone_without_an_account_explains_what_to_do(
    client: Client, coordinator: User, program: Program
) -> None:
    response = _login(client, coordinator).post(
        reverse("programs:coordinator_list", args=[program.pk]),
        {"action": "add", "email": "nobody@example.org"},
    )
    assert response.status_code == 200
    assert "Ask them to sign up first" in str(response.context["form"].errors["email"])
    assert program.coordinators.count() == 1


def test_a_coordinator_is_removed_but_never_the_last_one(
    client: Client, coordinator: User, other_coordinator: User, program: Program
) -> None:
    url = reverse("programs:coordinator_list", args=[program.pk])
    _login(client, coordinator)
    response = client.post(url, {"action": "remove", "user_id": coordinator.pk}, follow=True)
    assert "at least one coordinator" in _html(response)
    assert program.coordinators.count() == 1

    program.coordinators.add(other_coordinator)
    client.post(url, {"action": "remove", "user_id": other_coordinator.pk})
    assert list(program.coordinators.all()) == [coordinator]


def test_the_coordinator_page_is_read_only_for_hr_and_closed_to_others(
    client: Client, program: Program, hr: User, mentee: Participant, outsider: User
) -> None:
    url = reverse("programs:coordinator_list", args=[program.pk])
    _login(client, hr)
    assert client.get(url).status_code == 200
    assert client.post(url, {"action": "add", "email": hr.email}).status_code == 403
    assert _login(client, mentee.user).get(url).status_code == 403  # type: ignore[arg-type]
    assert _login(client, outsider).get(url).status_code == 404
    assert program.coordinators.count() == 1


# ------------------------------------------------------------------------------
# Join link
# ------------------------------------------------------------------------------


def test_a_coordinator_turns_the_join_link_on_resets_and_turns_it_off(
    client: Client, coordinator: User, program: Program
) -> None:
    url = reverse("programs:join_link_update", args=[program.pk])
    _login(client, coordinator)

    response = client.post(url, {"action": "enable"})
    assert response.status_code == 302
    program.refresh_from_db()
    first = program.join_token
    assert first
    overview = _html(client.get(reverse("programs:program_overview", args=[program.pk])))
    expected = settings.SITE_URL + reverse("programs:join_by_link", args=[program.pk, first])
    assert expected in overview

    client.post(url, {"action": "reset"})
    program.refresh_from_db()
    assert program.join_token
    assert program.join_token != first

    client.post(url, {"action": "disable"})
    program.refresh_from_db()
    assert program.join_token is None


def test_the_join_link_card_updates_in_place_for_htmx(
    client: Client, coordinator: User, program: Program
) -> None:
    response = _login(client, coordinator).post(
        reverse("programs:join_link_update", args=[program.pk]),
        {"action": "enable"},
        headers={"HX-Request": "true"},
    )
    html = _html(response)
    assert response.status_code == 200
    assert 'id="join-link"' in html
    assert "<html" not in html
    assert 'hx-swap-oob="innerHTML"' in html  # the success message comes along
    program.refresh_from_db()
    assert program.join_token
    assert program.join_token in html


def test_only_coordinators_change_the_join_link(
    client: Client, program: Program, hr: User, mentee: Participant, outsider: User
) -> None:
    url = reverse("programs:join_link_update", args=[program.pk])
    assert _login(client, hr).post(url, {"action": "enable"}).status_code == 403
    assert _login(client, mentee.user).post(url, {"action": "enable"}).status_code == 403  # type: ignore[arg-type]
    assert _login(client, outsider).post(url, {"action": "enable"}).status_code == 404
    program.refresh_from_db()
    assert program.join_token is None
