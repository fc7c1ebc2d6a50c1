"""The shared error summary (components/_error_summary.html, shown by base.html)."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from mentoring.models import User


def test_a_failed_sign_in_has_an_error_title_a_summary_and_invalid_fields(
    client: Client, user: User
) -> None:
    html = client.post(
        reverse("account_login"), {"login": user.email, "password": "not-it"}
    ).content.decode()

    assert "<title>Error: " in html
    assert 'id="error-summary" tabindex="-1"' in html
    assert '<a href="#id_login">' in html  # a form-wide error links to the first field
    assert html.count('aria-invalid="true"') == 2  # email and password
    assert 'aria-describedby="form-errors' in html
    assert 'id="form-errors"' in html


def test_a_field_error_is_listed_with_its_label_and_linked_to_the_field(
    client: Client, coordinator: User
) -> None:
    client.force_login(coordinator)

    html = client.post(reverse("programs:program_create"), {"name": ""}).content.decode()

    assert "<title>Error: " in html
    assert '<a href="#id_name">Name: This field is required.</a>' in html
    assert 'aria-invalid="true" aria-describedby="id_name_error"' in html


def test_a_page_without_errors_has_no_summary(client: Client, db: None) -> None:
    html = client.get(reverse("account_login")).content.decode()

    assert "error-summary" not in html
    assert "<title>Error: " not in html
