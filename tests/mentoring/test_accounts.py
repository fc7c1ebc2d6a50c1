from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client
from django.urls import reverse

from mentoring.models import User
from tests.factories import DEFAULT_PASSWORD, user_create

pytestmark = pytest.mark.django_db


def _signup(client: Client, email: str = "Grace.Hopper@Example.org") -> None:
    response = client.post(
        reverse("account_signup"),
        {
            "full_name": "Grace Hopper",
            "email": email,
            "password1": "a-long-unusual-passphrase",
            "password2": "a-long-unusual-passphrase",
        },
    )
    assert response.status_code == 302


def test_signup_stores_the_name_and_a_lowercase_email_and_sends_verification(
    client: Client,
) -> None:
    _signup(client)
    user = User.objects.get()
    assert user.full_name == "Grace Hopper"
    assert user.email == "grace.hopper@example.org"
    assert not EmailAddress.objects.get(user=user).verified
    assert len(mail.outbox) == 1
    assert re.search(r"/accounts/confirm-email/[^/\s]+/", str(mail.outbox[0].body))
    # The email names the product, not the host the request came in on.
    assert "Hello from Mentoring" in str(mail.outbox[0].body)
    assert mail.outbox[0].subject.startswith("[Mentoring] ")


def test_login_is_refused_until_the_email_is_verified(client: Client) -> None:
    _signup(client)
    client.logout()
    response = client.post(
        reverse("account_login"),
        {"login": "grace.hopper@example.org", "password": "a-long-unusual-passphrase"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session


def test_email_login_ignores_case(client: Client) -> None:
    user_create(email="ada@example.org")
    response = client.post(
        reverse("account_login"), {"login": "ADA@Example.org", "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_signup_form_shows_field_errors(client: Client) -> None:
    response = client.post(
        reverse("account_signup"),
        {"full_name": "", "email": "not-an-email", "password1": "x", "password2": "y"},
    )
    assert response.status_code == 200
    assert User.objects.count() == 0
    errors = response.context["form"].errors
    assert {"full_name", "email"} <= set(errors)


def test_repeated_failed_logins_are_rate_limited(client: Client) -> None:
    user_create(email="target@example.org")
    for _ in range(5):
        client.post(reverse("account_login"), {"login": "target@example.org", "password": "nope"})
    # Even the right password is refused once the limit is reached.
    response = client.post(
        reverse("account_login"), {"login": "target@example.org", "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 200
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_password_reset_sends_a_link(client: Client) -> None:
    user_create(email="forgetful@example.org")
    response = client.post(reverse("account_reset_password"), {"email": "forgetful@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


def test_logout_needs_a_post(client: Client, user: User) -> None:
    client.force_login(user)
    client.get(reverse("account_logout"))
    assert "_auth_user_id" in client.session
    client.post(reverse("account_logout"))
    assert "_auth_user_id" not in client.session


def test_mfa_pages_need_a_signed_in_person(client: Client) -> None:
    response = client.get(reverse("mfa_index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_user_model_refuses_duplicate_email_in_another_case() -> None:
    from django.db import IntegrityError

    user_create(email="dup@example.org")
    with pytest.raises(IntegrityError):
        User.objects.create(email="DUP@example.org")
