from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mentoring.models import User
from programs.models import Participant, Program
from tests.factories.programs import participant_create, program_create

pytestmark = pytest.mark.django_db


def test_visitors_see_the_landing_page_with_sign_in(client: Client) -> None:
    response = client.get(reverse("home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("account_login") in html
    assert reverse("account_signup") in html
    assert html.count("<h1") == 1


def test_a_participant_gets_the_empty_state_and_no_admin_link(client: Client, user: User) -> None:
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Welcome, Ada" in html
    assert "not in a program yet" in html
    assert reverse("admin:index") not in html
    assert html.count("<h1") == 1


def test_coordinator_sees_their_programs_card(client: Client, coordinator: User) -> None:
    client.force_login(coordinator)
    html = client.get(reverse("home")).content.decode()
    assert "coordinate any programs yet" in html


def test_hr_viewer_sees_the_dashboards_card(client: Client, hr: User) -> None:
    client.force_login(hr)
    html = client.get(reverse("home")).content.decode()
    assert "Organisation dashboards" in html


def test_staff_get_the_admin_link(client: Client, staff: User) -> None:
    client.force_login(staff)
    html = client.get(reverse("home")).content.decode()
    assert reverse("admin:index") in html


def test_admin_refuses_people_who_are_not_staff(client: Client, user: User) -> None:
    client.force_login(user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_pages_carry_a_strict_content_security_policy(client: Client) -> None:
    policy = client.get(reverse("home"))["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy


def test_unknown_pages_use_the_site_404(client: Client) -> None:
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "<h1" in html
    assert reverse("home") in html


def test_query_count_of_home_does_not_depend_on_data(
    client: Client, user: User, django_assert_max_num_queries
) -> None:
    client.force_login(user)
    with django_assert_max_num_queries(6):
        client.get(reverse("home"))


def test_a_coordinator_sees_their_programs_with_state_and_counts(
    client: Client, coordinator: User
) -> None:
    program = program_create(name="Leadership 2026", coordinators=[coordinator])
    participant_create(program=program, role=Participant.Role.MENTOR)
    participant_create(program=program, role=Participant.Role.MENTEE)
    participant_create(program=program, role=Participant.Role.MENTEE)
    someone_elses = program_create(name="Engineering Guild")

    client.force_login(coordinator)
    html = client.get(reverse("home")).content.decode()

    assert reverse("programs:program_overview", args=[program.pk]) in html
    assert someone_elses.name not in html
    assert "Enrolling" in html
    assert "1 mentor, 2 mentees" in html
    assert reverse("programs:program_create") in html


def test_a_participant_sees_their_programs_with_role_status_and_profile_links(
    client: Client, user: User
) -> None:
    program = program_create(name="Leadership 2026")
    participant_create(program=program, user=user, role=Participant.Role.MENTOR)
    draft = program_create(name="Secret draft", state=Program.State.DRAFT)
    participant_create(program=draft, user=user)

    client.force_login(user)
    html = client.get(reverse("home")).content.decode()

    assert "not in a program yet" not in html
    assert "Leadership 2026" in html
    assert "Secret draft" not in html
    assert "You take part as: Mentor" in html
    assert "Active" in html
    assert reverse("programs:participant_profile", args=[program.pk]) in html
    assert reverse("programs:profile_edit") in html
    assert reverse("programs:program_create") not in html


def test_hr_gets_a_link_to_the_read_only_program_list(client: Client, hr: User) -> None:
    client.force_login(hr)
    html = client.get(reverse("home")).content.decode()
    assert reverse("programs:program_list") in html
    assert "read-only" in html


def test_the_programs_menu_item_is_for_coordinators_hr_and_admins(
    client: Client, user: User, coordinator: User, hr: User, staff: User
) -> None:
    link = f'href="{reverse("programs:program_list")}"'
    for person, shown in ((user, False), (coordinator, True), (hr, True), (staff, True)):
        client.force_login(person)
        nav = client.get(reverse("home")).content.decode().split("</header>")[0]
        assert (link in nav) is shown, person


def test_home_costs_the_same_queries_with_many_programs(client: Client, coordinator: User) -> None:
    """Every card on the home page reads its rows in a fixed number of queries."""

    def add_programs(count: int) -> None:
        for _n in range(count):
            program = program_create(coordinators=[coordinator])
            participant_create(program=program)
            participant_create(program=program_create(), user=coordinator)

    def home_queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("home")).status_code == 200
        return len(captured.captured_queries)

    add_programs(1)
    client.force_login(coordinator)
    few = home_queries()
    add_programs(8)
    assert home_queries() == few
    assert few <= 12


def test_a_coordinator_who_takes_part_in_nothing_gets_no_empty_mentoring_card(
    client: Client, coordinator: User
) -> None:
    program_create(coordinators=[coordinator])
    client.force_login(coordinator)
    html = client.get(reverse("home")).content.decode()
    assert "Your programs" in html
    assert "not in a program yet" not in html
