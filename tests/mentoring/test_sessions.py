"""Two-step sign-in required of privileged roles, and the idle timeout for HR and admins."""

from __future__ import annotations

import datetime as dt

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client, RequestFactory
from django.urls import reverse

from mentoring.models import User
from mentoring.receivers import _on_authenticator_change
from mentoring.sessions import MFA_SESSION_KEY
from tests.factories import user_create

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
SETUP_URL = "/accounts/2fa/totp/activate/"


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)
    return time_machine


def _totp(user: User) -> None:
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})


def test_setup_url_is_allauths_totp_activation() -> None:
    assert reverse("mfa_activate_totp") == SETUP_URL


# -- Two-step sign-in ---------------------------------------------------------


@pytest.mark.django_db
def test_inside_the_grace_period_a_banner_counts_the_days_left(
    client: Client, frozen, settings
) -> None:
    settings.MFA_GRACE_DAYS = 7
    coordinator = user_create(is_coordinator=True)
    frozen.shift(dt.timedelta(days=2, hours=1))
    client.force_login(coordinator)

    response = client.get("/")

    assert response.status_code == 200
    assert b"data-mfa-banner" in response.content
    assert b"within 5 days" in response.content
    assert SETUP_URL.encode() in response.content


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["is_coordinator", "is_hr_viewer", "is_staff"])
def test_after_the_grace_period_every_page_leads_to_the_setup(
    client: Client, frozen, settings, role: str
) -> None:
    settings.MFA_GRACE_DAYS = 7
    person = user_create(**{role: True})
    frozen.shift(dt.timedelta(days=7, minutes=1))
    client.force_login(person)

    for url in ("/", "/programs/", "/insights/", "/admin/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == SETUP_URL, url
    # A form post is refused the same way, before the view runs.
    assert client.post("/programs/new/", {"name": "X"})["Location"] == SETUP_URL


@pytest.mark.django_db
def test_after_the_grace_period_setup_sign_out_and_health_stay_open(
    client: Client, frozen, settings
) -> None:
    settings.MFA_GRACE_DAYS = 7
    coordinator = user_create(is_coordinator=True)
    frozen.shift(dt.timedelta(days=8))
    client.force_login(coordinator)

    setup = client.get(SETUP_URL)
    # allauth first asks for the password again; that page is open too.
    assert setup.status_code in {200, 302}
    if setup.status_code == 302:
        assert client.get(setup["Location"]).status_code == 200
    assert client.get("/accounts/2fa/").status_code == 200
    assert client.get("/accounts/logout/").status_code == 200
    assert client.get("/healthz").status_code in {200, 503}


@pytest.mark.django_db
def test_after_the_grace_period_htmx_requests_are_sent_to_the_setup(
    client: Client, frozen, settings
) -> None:
    coordinator = user_create(is_coordinator=True)
    frozen.shift(dt.timedelta(days=settings.MFA_GRACE_DAYS + 1))
    client.force_login(coordinator)

    response = client.get("/", headers={"hx-request": "true"})

    assert response["HX-Redirect"] == SETUP_URL


@pytest.mark.django_db
def test_with_an_authenticator_the_site_works_without_a_banner(
    client: Client, frozen, settings
) -> None:
    hr = user_create(is_hr_viewer=True)
    _totp(hr)
    frozen.shift(dt.timedelta(days=settings.MFA_GRACE_DAYS + 30))
    client.force_login(hr)

    response = client.get("/insights/")

    assert response.status_code == 200
    assert b"data-mfa-banner" not in response.content


@pytest.mark.django_db
def test_people_without_a_privileged_role_are_never_asked(client: Client, frozen, settings) -> None:
    person = user_create()
    frozen.shift(dt.timedelta(days=settings.MFA_GRACE_DAYS + 30))
    client.force_login(person)

    response = client.get("/")

    assert response.status_code == 200
    assert b"data-mfa-banner" not in response.content


@pytest.mark.django_db
def test_a_newly_granted_role_starts_a_fresh_grace_period(client: Client, frozen, settings) -> None:
    settings.MFA_GRACE_DAYS = 7
    person = user_create(is_coordinator=True)
    person.date_joined = NOW - dt.timedelta(days=300)
    person.role_granted_at = NOW - dt.timedelta(days=1)
    person.save()
    client.force_login(person)

    response = client.get("/")

    assert response.status_code == 200
    assert b"within 6 days" in response.content


@pytest.mark.django_db
def test_granting_a_role_in_the_admin_records_when(client: Client, frozen) -> None:
    root = user_create(is_staff=True, is_superuser=True)
    _totp(root)
    person = user_create(full_name="Pat Person")
    person.date_joined = NOW - dt.timedelta(days=300)
    person.save()
    client.force_login(root)

    response = client.post(
        reverse("admin:mentoring_user_change", args=[person.pk]),
        {
            "email": person.email,
            "full_name": person.full_name,
            "preferred_name": "",
            "time_zone": "UTC",
            "is_active": "on",
            "is_hr_viewer": "on",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    person.refresh_from_db()
    assert person.is_hr_viewer
    assert person.role_granted_at == NOW


@pytest.mark.django_db
def test_adding_or_removing_an_authenticator_updates_the_session(rf: RequestFactory) -> None:
    coordinator = user_create(is_coordinator=True)
    request = rf.get("/")
    request.session = {}  # type: ignore[assignment]
    _totp(coordinator)
    _on_authenticator_change(sender=None, request=request, user=coordinator)
    assert request.session[MFA_SESSION_KEY] is True
    Authenticator.objects.filter(user=coordinator).delete()
    _on_authenticator_change(sender=None, request=request, user=coordinator)
    assert request.session[MFA_SESSION_KEY] is False


# -- Idle timeout -------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["is_hr_viewer", "is_staff"])
def test_hr_and_admins_are_signed_out_after_the_idle_limit(
    client: Client, frozen, settings, role: str
) -> None:
    settings.IDLE_TIMEOUT_MINUTES = 30
    person = user_create(**{role: True})
    _totp(person)
    client.force_login(person)
    assert client.get("/").status_code == 200

    frozen.shift(dt.timedelta(minutes=31))
    response = client.get("/programs/?page=2")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fprograms%2F%3Fpage%3D2"
    login_page = client.get(response["Location"])
    assert b"signed out after 30 minutes without activity" in login_page.content
    # The session is gone: the next page is anonymous.
    assert client.get("/insights/").status_code == 302
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_activity_keeps_hr_signed_in(client: Client, frozen, settings) -> None:
    settings.IDLE_TIMEOUT_MINUTES = 30
    hr = user_create(is_hr_viewer=True)
    _totp(hr)
    client.force_login(hr)

    for _ in range(8):
        frozen.shift(dt.timedelta(minutes=20))
        assert client.get("/insights/").status_code == 200


@pytest.mark.django_db
def test_coordinators_and_participants_have_no_idle_timeout(
    client: Client, frozen, settings
) -> None:
    settings.IDLE_TIMEOUT_MINUTES = 30
    for person in (user_create(is_coordinator=True), user_create()):
        client.force_login(person)
        frozen.shift(dt.timedelta(hours=5))
        assert client.get("/").status_code == 200
        assert client.session["_auth_user_id"] == str(person.pk)
