from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from mentoring.models import User

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
